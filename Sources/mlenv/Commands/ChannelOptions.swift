// Options shared by every command that reads channels: where the conda channels and PyPI
// indexes are, how they are reached, and the target Python.
//
// The flags become a `SourceOptions` value; which channels and indexes a run reads (flags,
// `.mlenv.yaml`, `--sources`/MLENV_SOURCES, the model's own channels and index options, pip's
// and conda's configuration) is decided by Channels' `SourceSelection`.

import ArgumentParser
import Basics
import Channels
import FoundationEssentials
import ModelFiles
import Requests
import Specs
import YAML

struct ChannelOptions: ParsableArguments {
    @Option(
        name: .customLong("channel"),
        help: ArgumentHelp(
            "A conda channel: a directory, a file:// or http(s):// URL, or a name under the channel alias (repeatable, highest priority first). Default: the model's channels.",
            valueName: "dir|url|name"))
    var channels: [String] = []

    @Option(
        name: .customLong("index"),
        help: ArgumentHelp(
            "A PyPI simple index: a directory (as `mlenv mirror` writes), a directory of wheels, or an http(s):// URL (repeatable).",
            valueName: "dir|url"))
    var indexes: [String] = []

    @Option(
        help: ArgumentHelp(
            "The PyPI-compatible index to resolve against (as pip's). Default: the model's, else PIP_INDEX_URL or pip's configuration.",
            valueName: "url"))
    var indexURL: String?

    @Option(
        help: ArgumentHelp(
            "A further index, searched after the first (repeatable; also PIP_EXTRA_INDEX_URL).", valueName: "url"))
    var extraIndexURL: [String] = []

    @Option(
        help: ArgumentHelp(
            "Where conda channel names live (else CONDA_CHANNEL_ALIAS, else channel_alias in ~/.condarc).",
            valueName: "url"))
    var channelAlias: String?

    @Option(
        help: ArgumentHelp(
            "Default sources when no channel or index is given: live (the model's channels and pip's index) or embedded (the checkout's channels/ snapshot). Also MLENV_SOURCES.",
            valueName: "kind"))
    var sources: SourceMode?

    @Flag(help: "Use only the HTTP cache and local directories; fail naming what is not cached.")
    var offline = false

    @Flag(help: "Revalidate every cached index page and repodata file with the server.")
    var refresh = false

    @Option(
        help: ArgumentHelp(
            "A PEM bundle of CAs to trust for https (else SSL_CERT_FILE, else the system's).", valueName: "file"))
    var cert: String?

    @Option(
        help: ArgumentHelp(
            "Ignore files uploaded (PyPI) or built (conda) at or after this date (YYYY-MM-DD, midnight UTC) or RFC 3339 time with a zone.",
            valueName: "date"))
    var excludeNewer: String?

    @Option(
        help: ArgumentHelp(
            "Where parsed channels, HTTP responses and downloaded artifacts are cached (default: $XDG_CACHE_HOME/mlenv or ~/.cache/mlenv).",
            valueName: "dir"))
    var cacheDir: String?

    @Flag(help: "Do not read or write the parsed-channel cache.")
    var noCache = false

    @Flag(
        help:
            "Never build from source: wheels only, so a release with only an sdist for the target is not installable (as uv's --no-build, pip's --only-binary :all:)."
    )
    var noBuild = false

    @Option(
        name: .customLong("only-binary"),
        help: ArgumentHelp(
            "A project that must come as a wheel, never built from its sdist (repeatable; :all: is --no-build).",
            valueName: "name"))
    var onlyBinary: [String] = []

    /// The options as data, for `SourceSelection`.
    var sourceOptions: SourceOptions {
        SourceOptions(
            channels: channels, indexes: indexes, indexURL: indexURL, extraIndexURL: extraIndexURL,
            channelAlias: channelAlias, sources: sources, offline: offline, refresh: refresh, cert: cert,
            excludeNewer: excludeNewer, cacheDir: cacheDir, noCache: noCache, noBuild: noBuild, onlyBinary: onlyBinary)
    }

    /// The selection these options make in this process's environment.
    var selection: SourceSelection {
        SourceSelection(sourceOptions, environment: .process(readCondarc: Self.readCondarc))
    }

    /// `.condarc` through the YAML reader (Channels does not read YAML).
    @Sendable static func readCondarc(_ bytes: [UInt8]) throws(ChannelError) -> CondaChannelNames {
        let file: CondaRC
        do throws(YAMLError) { file = try CondaRC.parse(bytes) } catch { throw ChannelError(error.description) }
        return CondaChannelNames(
            alias: file.channelAlias, custom: file.customChannels, defaults: file.defaultChannels)
    }

    var cacheRoot: String { selection.cacheRoot }

    /// The conda channel locations for a model or for none, and a problem to raise if conda is read.
    func condaLocations(model: DeclaredEnvironment? = nil) -> (locations: [String], problem: ChannelError?) {
        selection.condaLocations(model: model.map(DeclaredSources.init))
    }

    /// The sources for a target (and a model's own channels and indexes).
    func channelSet(target: Target, model: DeclaredEnvironment? = nil, conda: Bool = false) throws -> ChannelSet {
        do throws(ChannelError) {
            return try selection.channelSet(target: target, model: model.map(DeclaredSources.init), conda: conda)
        } catch {
            throw CommandError(error.message)
        }
    }

    /// What a result was computed from, for its report.
    func summary(_ channels: ChannelSet) -> SourceSummary {
        selection.summary(channels)
    }
}

extension SourceMode: ExpressibleByArgument {}

extension DeclaredSources {
    /// What a model declares about its sources, each conda channel with its file and line.
    init(_ environment: DeclaredEnvironment) {
        let model = environment.modelPath
        self.init(
            conda: environment.conda.map { conda in
                (
                    path: "\(model)/\(conda.file)",
                    channels: conda.channels.map { (name: $0.value, origin: "\(model)/\($0.location)") }
                )
            },
            pipOptions: environment.pipOptions.map { (name: $0.name, value: $0.value) })
    }
}

/// The options of `channels` and `search`: the channels, read for one target Python.
struct TargetChannels: ParsableArguments {
    @OptionGroup var channelOptions: ChannelOptions

    @Option(help: "Target Python version (X.Y).")
    var python: PythonVersion = PythonVersion(major: 3, minor: 11)

    var target: Target { Target(python: python) }

    /// The channel set for the target, its conda channels loaded.
    func load() throws -> ChannelSet {
        let channels = try channelOptions.channelSet(target: target)
        do { try channels.loadCondaChannels() } catch { throw CommandError(error.message) }
        return channels
    }
}

extension PythonVersion: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
