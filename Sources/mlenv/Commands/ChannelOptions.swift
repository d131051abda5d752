// Options shared by every command that reads channels: where the conda channels and PyPI
// indexes are, and the target Python. Default: the embedded data in the checkout's `channels/`.

import ArgumentParser
import Channels
import FoundationEssentials

struct ChannelOptions: ParsableArguments {
    @Option(name: .customLong("channel"), help: ArgumentHelp(
        "A conda channel directory or file:// URL, highest priority first (repeatable). Default: the embedded channels/conda-forge.",
        valueName: "dir"))
    var channels: [String] = []

    @Option(name: .customLong("index"), help: ArgumentHelp(
        "A PyPI simple index directory (as `mlenv mirror` writes) or a directory of wheels (repeatable). Default: the embedded channels/pypi.",
        valueName: "dir"))
    var indexes: [String] = []

    @Option(help: ArgumentHelp("Ignore files uploaded (PyPI) or built (conda) at or after this date (YYYY-MM-DD).", valueName: "date"))
    var excludeNewer: String?

    @Option(help: ArgumentHelp("Where parsed channels and downloaded artifacts are cached (default: $XDG_CACHE_HOME/mlenv or ~/.cache/mlenv).", valueName: "dir"))
    var cacheDir: String?

    @Flag(help: "Do not read or write the parsed-channel cache.")
    var noCache = false

    var cacheRoot: String { cacheDir ?? ArtifactCache.defaultRoot }

    func condaChannels() -> [CondaChannel] {
        if !channels.isEmpty { return channels.map(CondaChannel.init) }
        return EmbeddedData.directory.map { [CondaChannel($0 + "/conda-forge")] } ?? []
    }

    func pypiIndexes() throws -> [PyPIIndex] {
        let locations = indexes.isEmpty ? (EmbeddedData.directory.map { [$0 + "/pypi"] } ?? []) : indexes
        var result: [PyPIIndex] = []
        for location in locations {
            do throws(ChannelError) {
                result.append(try PyPIIndex(location, cacheDirectory: noCache ? nil : cacheRoot + "/pypi-pages"))
            } catch { throw CommandError(error.message) }
        }
        return result
    }

    func channelSet(target: Target) throws -> ChannelSet {
        do {
            return try ChannelSet(condaChannels: condaChannels(), pypiIndexes: pypiIndexes(), target: target, excludeNewer: excludeNewer,
                                  cacheDirectory: noCache ? nil : cacheRoot + "/channels")
        } catch let error as ChannelError {
            throw CommandError(error.message)
        }
    }
}

/// The embedded default data: `$MLENV_DATA_DIR`, else `channels/` in the current directory,
/// else `channels/` in a parent of the executable (a checkout's `.build/debug/mlenv`).
enum EmbeddedData {
    static var directory: String? {
        let fm = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["MLENV_DATA_DIR"], fm.fileExists(atPath: explicit) { return explicit }
        if fm.fileExists(atPath: "channels/pypi") || fm.fileExists(atPath: "channels/conda-forge") {
            return fm.currentDirectoryPath + "/channels"
        }
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" {
            let candidate = url.appendingPathComponent("channels")
            if fm.fileExists(atPath: candidate.appendingPathComponent("pypi").path) { return candidate.path }
            url = url.deletingLastPathComponent()
        }
        return nil
    }
}

/// A bad-input error raised by a command (exit code 2 through the root's mapping).
struct CommandError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

extension PythonVersion: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
