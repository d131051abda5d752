// Model arguments that are MLflow model URIs: the fetching lives in Channels (RemoteModelFiles
// for inspect, resolve and lint; FetchedModelTree for package). Here only the wiring: ModelFiles
// names the files MLmodel refers to, and the server's errors become bad-input errors.

import Basics
import Channels
import Emit
import ModelFiles

extension RemoteModelFiles {
    /// The directory to read for a model argument (see `local(_:namedFiles:)`); errors are
    /// `CommandError`s (exit 2).
    func local(_ model: String) throws -> String {
        do {
            return try local(model, namedFiles: { (try? ModelLoader.namedFiles(path: $0)) ?? [] })
        } catch let error as ChannelError {
            throw CommandError(error.message)
        }
    }
}

extension FetchedModelTree {
    /// Fetches every file of the model a URI names (see `fetch(_:limits:progress:)`); errors
    /// are `CommandError`s (exit 2).
    static func fetchForCommand(_ model: String, limits: ArtifactTreeLimits, progress: @escaping (String) -> Void)
        throws -> FetchedModelTree
    {
        do {
            return try fetch(model, limits: limits, progress: progress)
        } catch let error as ChannelError {
            throw CommandError(error.message)
        }
    }

    /// What MANIFEST.json records under "source".
    var bundleSource: BundleModelSource {
        BundleModelSource(
            uri: source.uri, artifactURI: source.artifactURI, registeredModel: source.registeredModel,
            version: source.version, runID: source.runID, modelID: source.modelID)
    }
}
