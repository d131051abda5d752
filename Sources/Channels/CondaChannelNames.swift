// Conda channel names as conda expands them: a URL or a directory is itself; `defaults` is the
// configured `default_channels`; a name in `custom_channels` is under that base; any other name
// is under the channel alias (`channel_alias`). mlenv knows no registry of its own: where no
// alias is configured (`--channel-alias`, `CONDA_CHANNEL_ALIAS`, `.condarc`), a bare name is an
// error that says how to configure one.

public struct CondaChannelNames: Sendable {
    /// The base URL names go under (no trailing slash).
    public var alias: String?
    /// Base URLs of particular names (`custom_channels`: name -> base).
    public var custom: [String: String]
    /// What `defaults` means (`default_channels`).
    public var defaults: [String]

    public init(alias: String? = nil, custom: [String: String] = [:], defaults: [String] = []) {
        self.alias = alias.map(Self.trimmed)
        self.custom = custom.mapValues(Self.trimmed)
        self.defaults = defaults
    }

    private static func trimmed(_ url: String) -> String {
        var url = url
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// Whether the text names a channel by location rather than by name.
    public static func isLocation(_ text: String) -> Bool {
        text.containsLiteral("://") || text.hasPrefix("/") || text.hasPrefix(".") || text.containsLiteral("/")
    }

    /// The locations a channel text stands for (several for `defaults`).
    public func expand(_ text: String) throws(ChannelError) -> [String] {
        if Self.isLocation(text) { return [text] }
        if text == "defaults" {
            guard !defaults.isEmpty else {
                throw ChannelError(
                    "conda channel 'defaults' has no configured meaning: set default_channels in ~/.condarc "
                        + "(or CONDA_DEFAULT_CHANNELS), or pass --channel URL|DIR")
            }
            var locations: [String] = []
            for entry in defaults where entry != "defaults" { locations += try expand(entry) }
            return locations
        }
        if let base = custom[text] { return ["\(base)/\(text)"] }
        guard let alias else {
            throw ChannelError(
                "conda channel '\(text)' is a name and no channel alias is configured: pass --channel-alias URL, "
                    + "set CONDA_CHANNEL_ALIAS or channel_alias in ~/.condarc, or pass --channel URL|DIR "
                    + "(or --sources embedded for the embedded snapshot)")
        }
        return ["\(alias)/\(text)"]
    }
}
