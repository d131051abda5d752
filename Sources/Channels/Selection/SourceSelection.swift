// Which conda channels and PyPI indexes a run reads, said once (first found wins):
// - the options: `--channel`, `--index`, `--index-url`, `--extra-index-url` (and the project's
//   `.mlenv.yaml` `channels:`/`indexes:`, filled in as options);
// - `--sources embedded|live`, else `MLENV_SOURCES`, else live:
//   - live: the model's own conda channels (conda.yaml `channels:`, names expanded through the
//     channel alias) and its requirements' `--index-url`/`--extra-index-url`, else the index pip
//     is configured with (`PIP_INDEX_URL`, pip.conf, pip's default) and `PIP_EXTRA_INDEX_URL`;
//   - embedded: the checkout's `channels/` snapshot.
// Every failure is a `ChannelError`: bad input (exit 2), never a verdict.

import Basics
import Requests
import Specs

public struct SourceSelection: Sendable {
    public var options: SourceOptions
    public var environment: SourceEnvironment
    public var clients: HTTPClientRegistry

    public init(_ options: SourceOptions, environment: SourceEnvironment, clients: HTTPClientRegistry = .shared) {
        self.options = options
        self.environment = environment
        self.clients = clients
    }

    /// `--sources`, else a valid MLENV_SOURCES, else live.
    public var mode: SourceMode {
        if let sources = options.sources { return sources }
        if let named = environment.variables["MLENV_SOURCES"], let mode = SourceMode(rawValue: named) { return mode }
        return .live
    }

    public var cacheRoot: String { options.cacheDir ?? ArtifactCache.defaultRoot }

    // MARK: where

    /// The conda channel locations for a model (its `channels:`) or for none, and a problem to
    /// raise if conda is ever read (a name with no alias: a virtualenv solve never needs it).
    public func condaLocations(model: DeclaredSources? = nil) -> (locations: [String], problem: ChannelError?) {
        // Each name with where it was written (a model's conda.yaml line), for errors.
        let names: [(name: String, origin: String?)]
        if !options.channels.isEmpty {
            names = options.channels.map { ($0, nil) }
        } else if mode == .embedded {
            guard let directory = environment.embeddedDirectory() else {
                return ([], ChannelError(EmbeddedData.missing))
            }
            return ([directory + "/conda-forge"], nil)
        } else if let conda = model?.conda {
            names =
                conda.channels.isEmpty
                ? [("defaults", "\(conda.path) (no channels: conda's default)")]
                : conda.channels.map { ($0.name, $0.origin) }
        } else {
            names = [("conda-forge", nil)]
        }
        do throws(ChannelError) {
            let config = try CondaConfiguration.load(alias: options.channelAlias, environment: environment)
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
    public func indexLocations(model: DeclaredSources? = nil) throws(ChannelError) -> [String] {
        let explicit = options.indexes + (options.indexURL.map { [$0] } ?? []) + options.extraIndexURL
        if !options.indexes.isEmpty || options.indexURL != nil || (mode == .embedded && !explicit.isEmpty) {
            return explicit
        }
        if mode == .embedded {
            guard let directory = environment.embeddedDirectory() else { throw ChannelError(EmbeddedData.missing) }
            return [directory + "/pypi"]
        }
        let declared = model?.pipOptions ?? []
        if declared.contains(where: { $0.name == "--no-index" }) && options.extraIndexURL.isEmpty { return [] }
        let modelIndex = declared.last { $0.name == "--index-url" || $0.name == "-i" }?.value
        let first = try UpstreamIndex.discover(explicit: modelIndex, environment: environment.variables)
        var extras = options.extraIndexURL
        extras += (environment.variables["PIP_EXTRA_INDEX_URL"] ?? "").split(whereSeparator: {
            $0 == " " || $0 == "\n"
        }).map(String.init)
        extras += declared.filter { $0.name == "--extra-index-url" }.compactMap(\.value)
        var result = [first]
        for url in extras where !result.contains(url) { result.append(url) }
        return result
    }

    // MARK: how

    /// The client for a set of remote sources, from the registry.
    public func client(for urls: [String]) throws(ChannelError) -> HTTPClient {
        let options = options
        let cacheRoot = cacheRoot
        return try clients.client(
            for: urls, cache: { HTTPCache(root: cacheRoot, mode: options.refresh ? .refresh : .normal) }
        ) { () throws(ChannelError) in
            try HTTPSettings.fromEnvironment(cert: options.cert, sourceURLs: urls, offline: options.offline)
        }
    }

    /// The sources for a target (and a model's own channels and indexes). `conda`: the solve
    /// reads conda channels, so a channel that cannot be located is bad input now.
    public func channelSet(target: Target, model: DeclaredSources? = nil, conda: Bool = false) throws(ChannelError)
        -> ChannelSet
    {
        let (locations, problem) = condaLocations(model: model)
        if conda, let problem { throw problem }
        let indexLocations = try indexLocations(model: model)
        let remote = (locations + indexLocations).filter {
            URLText.scheme($0) == "http" || URLText.scheme($0) == "https"
        }
        let client = remote.isEmpty ? nil : try client(for: remote)
        var indexes: [PyPIIndex] = []
        let parsedMetadata =
            options.noCache
            ? nil : ParsedMetadataStore(directory: cacheRoot + "/pypi-metadata", refresh: options.refresh)
        for location in indexLocations {
            indexes.append(
                try PyPIIndex(
                    location, cacheDirectory: options.noCache ? nil : cacheRoot + "/pypi-pages", client: client,
                    parsedMetadata: parsedMetadata))
        }
        let set = try ChannelSet(
            condaChannels: locations.map(CondaChannel.init), pypiIndexes: indexes, target: target,
            excludeNewer: options.excludeNewer, cacheDirectory: options.noCache ? nil : cacheRoot + "/channels",
            client: client, condaProblem: problem)
        set.sdists = sdistReader(indexes)
        return set
    }

    /// How sdists are read where a release has no wheel (nil under --no-build): PKG-INFO, else
    /// the build backend through pip on this machine's Python, with the same indexes.
    public func sdistReader(_ indexes: [PyPIIndex]) -> SdistMetadataReader? {
        guard !options.noBuild, !options.onlyBinary.contains(":all:") else { return nil }
        return SdistMetadataReader(
            python: SdistMetadataReader.defaultPython,
            cacheDirectory: options.noCache ? nil : cacheRoot + "/sdist-metadata", indexes: indexes,
            onlyBinary: Set(options.onlyBinary.map { NormalizedName($0) }))
    }

    /// What a result was computed from, for its report.
    public func summary(_ channels: ChannelSet) -> SourceSummary {
        SourceSummary(channels: channels)
    }
}

/// A source that cannot be read, located or configured is input mlenv cannot use (exit 2).
extension ChannelError: KindedFailure {
    public var failureKind: FailureKind { .badInput }
}
