// What a run was told about its sources, as data: the command line's channel and index options
// (the executable turns flags into this value; `.mlenv.yaml` fills in what the flags leave out).
// `SourceSelection` decides from it which channels and indexes a run reads.

/// Where sources come from when no channel or index is given.
public enum SourceMode: String, Sendable, CaseIterable {
    /// The model's own channels and pip's configured index.
    case live
    /// The checkout's `channels/` snapshot (`make demo` and the tests use it).
    case embedded
}

public struct SourceOptions: Sendable, Equatable {
    /// `--channel`: conda channels, highest priority first.
    public var channels: [String]
    /// `--index`: PyPI simple indexes (directories or URLs).
    public var indexes: [String]
    /// `--index-url`: the first PyPI-compatible index, as pip's.
    public var indexURL: String?
    /// `--extra-index-url`: further indexes, searched after the first.
    public var extraIndexURL: [String]
    /// `--channel-alias`: where conda channel names live.
    public var channelAlias: String?
    /// `--sources`: the default sources (else MLENV_SOURCES, else live).
    public var sources: SourceMode?
    /// `--offline`: only the HTTP cache and local directories.
    public var offline: Bool
    /// `--refresh`: revalidate every cached page with the server.
    public var refresh: Bool
    /// `--cert`: a PEM bundle of CAs to trust for https.
    public var cert: String?
    /// `--exclude-newer`: the upload/build cut-off.
    public var excludeNewer: String?
    /// `--cache-dir`: where parsed channels, responses and artifacts are cached.
    public var cacheDir: String?
    /// `--no-cache`: no parsed-channel cache.
    public var noCache: Bool
    /// `--no-build`: wheels only.
    public var noBuild: Bool
    /// `--only-binary`: projects that must come as wheels (`:all:` is --no-build).
    public var onlyBinary: [String]

    public init(
        channels: [String] = [], indexes: [String] = [], indexURL: String? = nil, extraIndexURL: [String] = [],
        channelAlias: String? = nil, sources: SourceMode? = nil, offline: Bool = false, refresh: Bool = false,
        cert: String? = nil, excludeNewer: String? = nil, cacheDir: String? = nil, noCache: Bool = false,
        noBuild: Bool = false, onlyBinary: [String] = []
    ) {
        self.channels = channels
        self.indexes = indexes
        self.indexURL = indexURL
        self.extraIndexURL = extraIndexURL
        self.channelAlias = channelAlias
        self.sources = sources
        self.offline = offline
        self.refresh = refresh
        self.cert = cert
        self.excludeNewer = excludeNewer
        self.cacheDir = cacheDir
        self.noCache = noCache
        self.noBuild = noBuild
        self.onlyBinary = onlyBinary
    }

    /// A project's channels, indexes and exclude-newer (`.mlenv.yaml`, already resolved against
    /// its directory), where the command line gives none: they then count as given, before
    /// `--sources` and MLENV_SOURCES.
    public mutating func takeDefaults(
        channels projectChannels: [String], indexes projectIndexes: [String], excludeNewer projectCutoff: String?
    ) {
        if channels.isEmpty { channels = projectChannels }
        if indexes.isEmpty && indexURL == nil { indexes = projectIndexes }
        if excludeNewer == nil { excludeNewer = projectCutoff }
    }
}
