// Options shared by every command that reads channels: where the conda channels and PyPI
// indexes are, how they are reached, and the target Python.
//
// Sources, said once (first found wins):
// - flags: `--channel`, `--index`, `--index-url`, `--extra-index-url`;
// - the project's `.mlenv.yaml` `channels:`/`indexes:` (ProjectDefaults fills them in as flags);
// - `--sources embedded|live`, else `MLENV_SOURCES`, else live:
//   - live: the model's own conda channels (conda.yaml `channels:`, names expanded through the
//     channel alias) and its requirements' `--index-url`/`--extra-index-url`, else the index pip
//     is configured with (`PIP_INDEX_URL`, pip.conf, pip's default) and `PIP_EXTRA_INDEX_URL`;
//   - embedded: the checkout's `channels/` snapshot (`make demo` and the tests use it).

import ArgumentParser
import Basics
import Channels
import FoundationEssentials
import ModelFiles
import Requests
import Specs
import Synchronization
import YAML

enum SourceMode: String, ExpressibleByArgument, CaseIterable {
    case live, embedded
}

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

    var cacheRoot: String { cacheDir ?? ArtifactCache.defaultRoot }

    var mode: SourceMode {
        if let sources { return sources }
        if let named = ProcessInfo.processInfo.environment["MLENV_SOURCES"], let mode = SourceMode(rawValue: named) {
            return mode
        }
        return .live
    }

    // MARK: where

    /// The conda channel locations for a model (its `channels:`) or for none, and a problem to
    /// raise if conda is ever read (a name with no alias: a virtualenv solve never needs it).
    func condaLocations(model: DeclaredEnvironment? = nil) -> (locations: [String], problem: ChannelError?) {
        // Each name with where it was written (a model's conda.yaml line), for errors.
        let names: [(name: String, origin: String?)]
        if !channels.isEmpty {
            names = channels.map { ($0, nil) }
        } else if mode == .embedded {
            guard let directory = EmbeddedData.directory else { return ([], ChannelError(EmbeddedData.missing)) }
            return ([directory + "/conda-forge"], nil)
        } else if let conda = model?.conda {
            let model = model!.modelPath
            names =
                conda.channels.isEmpty
                ? [("defaults", "\(model)/\(conda.file) (no channels: conda's default)")]
                : conda.channels.map { ($0.value, "\(model)/\($0.location)") }
        } else {
            names = [("conda-forge", nil)]
        }
        do throws(ChannelError) {
            let config = try CondaConfiguration.load(alias: channelAlias)
            var locations: [String] = []
            for (name, origin) in names {
                let expanded: [String]
                do throws(ChannelError) { expanded = try config.expand(name) } catch {
                    throw ChannelError((origin.map { "\($0): " } ?? "") + error.message)
                }
                for location in expanded where !locations.contains(location) { locations.append(location) }
            }
            return (locations, nil)
        } catch {
            return ([], error)
        }
    }

    /// The PyPI index locations, first one first.
    func indexLocations(model: DeclaredEnvironment? = nil) throws -> [String] {
        let explicit = indexes + (indexURL.map { [$0] } ?? []) + extraIndexURL
        if !indexes.isEmpty || indexURL != nil || (mode == .embedded && !explicit.isEmpty) { return explicit }
        if mode == .embedded {
            guard let directory = EmbeddedData.directory else { throw CommandError(EmbeddedData.missing) }
            return [directory + "/pypi"]
        }
        let options = model?.pipOptions ?? []
        if options.contains(where: { $0.name == "--no-index" }) && extraIndexURL.isEmpty { return [] }
        let modelIndex = options.last { $0.name == "--index-url" || $0.name == "-i" }?.value
        let first: String
        do { first = try UpstreamIndex.discover(explicit: modelIndex) } catch { throw CommandError(error.message) }
        var extras = extraIndexURL
        extras += (ProcessInfo.processInfo.environment["PIP_EXTRA_INDEX_URL"] ?? "").split(whereSeparator: {
            $0 == " " || $0 == "\n"
        }).map(String.init)
        extras += options.filter { $0.name == "--extra-index-url" }.compactMap(\.value)
        var result = [first]
        for url in extras where !result.contains(url) { result.append(url) }
        return result
    }

    // MARK: how

    /// The client for a set of remote sources: one per distinct set (credentials and tokens go
    /// to the hosts of the sources it was made for), all sharing one cache and connection pool.
    func client(for urls: [String]) throws -> HTTPClient {
        try SharedClient.get(urls: urls, cache: { HTTPCache(root: cacheRoot, mode: refresh ? .refresh : .normal) }) {
            do throws(ChannelError) {
                return try HTTPSettings.fromEnvironment(cert: cert, sourceURLs: urls, offline: offline)
            } catch {
                throw CommandError(error.message)
            }
        }
    }

    /// The sources for a target (and a model's own channels and indexes). `conda`: the solve
    /// reads conda channels, so a channel that cannot be located is bad input now.
    func channelSet(target: Target, model: DeclaredEnvironment? = nil, conda: Bool = false) throws -> ChannelSet {
        let (locations, problem) = condaLocations(model: model)
        if conda, let problem { throw CommandError(problem.message) }
        let indexLocations = try indexLocations(model: model)
        let remote = (locations + indexLocations).filter {
            URLText.scheme($0) == "http" || URLText.scheme($0) == "https"
        }
        let client = remote.isEmpty ? nil : try client(for: remote)
        var indexes: [PyPIIndex] = []
        for location in indexLocations {
            do throws(ChannelError) {
                indexes.append(
                    try PyPIIndex(location, cacheDirectory: noCache ? nil : cacheRoot + "/pypi-pages", client: client))
            } catch { throw CommandError(error.message) }
        }
        let made: Result<ChannelSet, ChannelError>
        do throws(ChannelError) {
            made = .success(
                try ChannelSet(
                    condaChannels: locations.map(CondaChannel.init), pypiIndexes: indexes, target: target,
                    excludeNewer: excludeNewer, cacheDirectory: noCache ? nil : cacheRoot + "/channels",
                    client: client, condaProblem: problem))
        } catch {
            made = .failure(error)
        }
        switch made {
        case .success(let set):
            set.sdists = sdistReader(indexes)
            return set
        case .failure(let error): throw CommandError(error.message)
        }
    }

    /// How sdists are read where a release has no wheel (nil under --no-build): PKG-INFO, else
    /// the build backend through pip on this machine's Python, with the same indexes.
    func sdistReader(_ indexes: [PyPIIndex]) -> SdistMetadataReader? {
        guard !noBuild, !onlyBinary.contains(":all:") else { return nil }
        return SdistMetadataReader(
            python: SdistMetadataReader.defaultPython, cacheDirectory: noCache ? nil : cacheRoot + "/sdist-metadata",
            indexes: indexes, onlyBinary: Set(onlyBinary.map { NormalizedName($0) }))
    }
}

extension ChannelOptions {
    /// What a result was computed from, for its report.
    func summary(_ channels: ChannelSet) -> SourceSummary {
        SourceSummary(channels: channels)
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

/// The process's HTTP clients: one per set of sources, one cache for all.
enum SharedClient {
    private static let shared = Mutex<(clients: [[String]: HTTPClient], cache: HTTPCache?)>(([:], nil))

    static func get(urls: [String], cache makeCache: () -> HTTPCache, settings: () throws -> HTTPSettings) throws
        -> HTTPClient
    {
        try shared.withLock { shared in
            let key = urls.sorted()
            if let known = shared.clients[key] { return known }
            let cache = shared.cache ?? makeCache()
            shared.cache = cache
            let client = HTTPClient(settings: try settings(), cache: cache)
            shared.clients[key] = client
            return client
        }
    }
}

/// conda's own configuration of channel names: `CONDA_CHANNEL_ALIAS` and `CONDA_DEFAULT_CHANNELS`,
/// then `.condarc` (`$CONDARC`, else `~/.condarc`, else `~/.config/conda/.condarc`):
/// `channel_alias`, `custom_channels`, `default_channels`.
enum CondaConfiguration {
    static func load(alias explicit: String?) throws(ChannelError) -> CondaChannelNames {
        let environment = ProcessInfo.processInfo.environment
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        let candidates = [environment["CONDARC"], home + "/.condarc", home + "/.config/conda/.condarc"].compactMap {
            $0
        }.filter { !$0.isEmpty }
        var names = CondaChannelNames()
        if let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }),
            let bytes = FileBytes.readPlain(path)
        {
            let root: YAMLNode?
            do { root = try YAMLLoader.load(bytes) } catch { throw ChannelError("\(path): \(error)") }
            if let root, root.isMapping {
                names.alias = root["channel_alias"]?.scalarText
                for pair in root["custom_channels"]?.pairs ?? [] {
                    if let name = pair.key.scalarText, let base = pair.value.scalarText { names.custom[name] = base }
                }
                names.defaults = root["default_channels"]?.sequence?.compactMap(\.scalarText) ?? []
            }
        }
        if let alias = environment["CONDA_CHANNEL_ALIAS"], !alias.isEmpty { names.alias = alias }
        if let defaults = environment["CONDA_DEFAULT_CHANNELS"], !defaults.isEmpty {
            names.defaults = defaults.split(separator: ",").map { String($0).trimmingWhitespaceAndNewlines() }
        }
        if let explicit { names.alias = explicit }
        return CondaChannelNames(alias: names.alias, custom: names.custom, defaults: names.defaults)
    }
}

/// The embedded default data: `$MLENV_DATA_DIR`, else `channels/` in the current directory,
/// else `channels/` in a parent of the executable (a checkout's `.build/debug/mlenv`).
enum EmbeddedData {
    static let missing =
        "embedded sources: no channels/ snapshot found (looked in $MLENV_DATA_DIR, ./channels and the folders above the executable); set MLENV_DATA_DIR to a checkout's channels/ or use --sources live"

    static var directory: String? {
        let fm = FileManager.default
        if let explicit = ProcessInfo.processInfo.environment["MLENV_DATA_DIR"], fm.fileExists(atPath: explicit) {
            return explicit
        }
        if fm.fileExists(atPath: "channels/pypi") || fm.fileExists(atPath: "channels/conda-forge") {
            return fm.currentDirectoryPath + "/channels"
        }
        // The executable's own path: argv[0] is only `mlenv` when it was found on PATH.
        let executable = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" {
            let candidate = url.appendingPathComponent("channels")
            if fm.fileExists(atPath: candidate.appendingPathComponent("pypi").path) { return candidate.path }
            url = url.deletingLastPathComponent()
        }
        return nil
    }
}

extension PythonVersion: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
