// `.mlenv.yaml` for the commands that resolve a model (resolve, lock, dockerfile, package): the
// project's deployment, channels, indexes and exclude-newer where the command line does not
// give them, as `mlenv lint` applies them. The file is the nearest `.mlenv.yaml` above the
// (first) model, or --config; it is read whole by LintConfiguration, so a typo anywhere in it
// (its `lint:` section too) is an error with its line and column, not a silently ignored key.

import ArgumentParser
import Deploy
import FoundationEssentials
import Lint

enum ProjectDefaults {
    /// The configuration for `model` (nil when there is none), read and checked.
    static func configuration(near model: String, explicit: String?) throws -> LintConfiguration? {
        guard let path = explicit ?? LintConfiguration.find(from: LintCommand.directory(of: model)) else { return nil }
        let breakers: BreakerCatalog
        do { breakers = try BreakerCatalog.builtIn() } catch { throw CommandError(error.description) }
        do { return try LintConfiguration.load(path: path, rules: RuleRegistry.descriptions(breakers: breakers)) } catch
        {
            throw CommandError(error.description)
        }
    }

    /// The options with the project's defaults filled in where the command line left them.
    static func apply(near model: String, _ deployment: DeploymentOptionGroup, _ channels: ChannelOptions) throws
        -> (DeploymentOptionGroup, ChannelOptions)
    {
        guard let configuration = try configuration(near: model, explicit: deployment.config) else {
            return (deployment, channels)
        }
        var deployment = deployment
        var channels = channels
        if deployment.deploymentOption == nil {
            deployment.deploymentOption = configuration.settings(forModel: model).deployment
        }
        channels.takeDefaults(from: configuration)
        return (deployment, channels)
    }
}

extension ChannelOptions {
    /// A project's channels, indexes and exclude-newer, where the command line gives none (they
    /// then count as given: they come before `--sources` and MLENV_SOURCES).
    mutating func takeDefaults(from configuration: LintConfiguration) {
        var options = sourceOptions
        options.takeDefaults(
            channels: configuration.channels.map(configuration.resolve),
            indexes: configuration.indexes.map(configuration.resolve), excludeNewer: configuration.excludeNewer)
        (channels, indexes, excludeNewer) = (options.channels, options.indexes, options.excludeNewer)
    }
}
