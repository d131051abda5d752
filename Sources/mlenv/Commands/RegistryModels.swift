// `mlenv lint models:/`: the whole registry of the tracking server in MLFLOW_TRACKING_URI, as
// `models:/NAME/VERSION` for the latest versions of every registered model (MLflowRegistry's
// latestVersions), each then read like any model URI (RemoteModelFiles).

import Channels

enum RegistryModels {
    /// The arguments with each `models:/` replaced by the registry's model versions (listed once).
    static func expand(_ arguments: [String]) throws -> [String] {
        guard arguments.contains(where: MLflowModelURI.isRegistry) else { return arguments }
        var listed: [String] = []
        do throws(ChannelError) {
            listed = try MLflowRegistry.fromEnvironment().latestVersions().map(\.description)
        } catch {
            throw CommandError(error.message)
        }
        var result: [String] = []
        for argument in arguments {
            if MLflowModelURI.isRegistry(argument) { result += listed } else { result.append(argument) }
        }
        return result
    }
}
