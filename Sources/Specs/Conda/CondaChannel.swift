// Channel strings inside MatchSpecs ("conda-forge", "conda-forge/linux-64",
// "https://<host>/pkgs/main", "pkgs/main").
//
// Traps:
// - A trailing known subdir ("linux-64", "noarch", …) is the subdir, not part of the channel.
// - conda resolves URLs on its channel_alias host to channel names ("https://<alias>/conda-forge"
//   is "conda-forge") and treats the URLs of its default channels as "defaults". mlenv writes
//   no registry host of its own, so both come from conda's own environment variables:
//   CONDA_CHANNEL_ALIAS (a URL) and CONDA_DEFAULT_CHANNELS (comma-separated URLs). Unset, no
//   host is an alias and a URL keeps its full base URL (conda 26's rule for non-alias hosts).
//   "pkgs/main", "pkgs/r" and "pkgs/msys2" by name still print as "defaults".
// - "*" is a channel glob that matches every channel and is not printed.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// conda's channel_alias and default channels, as far as parsing a channel needs them.
public struct CondaChannelConfiguration: Sendable {
    /// The host of the channel alias, if one is configured.
    public var aliasHost: String?
    /// The default channels' base URLs (scheme://host/path, no trailing slash).
    public var defaultChannelURLs: Set<String>

    public init(channelAlias: String?, defaultChannels: [String]) {
        aliasHost = channelAlias.flatMap { CondaChannel.splitURL(PythonText.strip($0))?.host }
        defaultChannelURLs = Set(
            defaultChannels.compactMap { text -> String? in
                guard let url = CondaChannel.splitURL(PythonText.strip(text)) else { return nil }
                return "\(url.scheme)://\(url.host)/" + url.path.joined(separator: "/")
            })
    }

    /// From conda's environment variables CONDA_CHANNEL_ALIAS and CONDA_DEFAULT_CHANNELS
    /// (comma-separated), read once.
    public static let environment = CondaChannelConfiguration(
        channelAlias: variable("CONDA_CHANNEL_ALIAS"),
        defaultChannels: (variable("CONDA_DEFAULT_CHANNELS") ?? "").splitScalars(","))

    private static func variable(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }
}

enum CondaChannel {
    static let knownSubdirs: Set<String> = [
        "noarch", "emscripten-wasm32", "wasi-wasm32", "freebsd-64", "linux-32", "linux-64",
        "linux-aarch64", "linux-armv6l", "linux-armv7l", "linux-ppc64", "linux-ppc64le",
        "linux-riscv64", "linux-s390x", "osx-64", "osx-arm64", "win-32", "win-64", "win-arm64",
        "zos-z"
    ]

    /// Where channel names live and which URLs are "defaults". A task-local so that a caller
    /// (or a test) can parse under another conda configuration without global state.
    @TaskLocal static var configuration = CondaChannelConfiguration.environment

    static let defaultsNames: Set<String> = ["pkgs/main", "pkgs/r", "pkgs/msys2"]

    struct URLParts {
        var scheme: String
        var host: String
        var path: [String]
    }

    /// conda's `is_url` for the schemes it recognises (and "file:").
    static func splitURL(_ value: String) -> URLParts? {
        let scalars = Array(value.unicodeScalars)
        var sep: Int?
        var i = 0
        while i + 2 < scalars.count {
            if scalars[i] == ":" && scalars[i + 1] == "/" && scalars[i + 2] == "/" {
                sep = i
                break
            }
            i += 1
        }
        guard let sep else { return nil }
        let scheme = PythonText.lower(String(String.UnicodeScalarView(scalars[..<sep])))
        guard ["http", "https", "ftp", "s3", "file"].contains(scheme) else { return nil }
        let rest = scalars[(sep + 3)...]
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let host = String(String.UnicodeScalarView(rest[..<slash]))
        let path = String(String.UnicodeScalarView(rest[slash...])).splitScalars("/").filter { !$0.isEmpty }
        return URLParts(scheme: scheme, host: host, path: path)
    }

    static func percentDecoded(_ s: String) -> String {
        guard s.containsScalar("%") else { return s }
        var bytes: [UInt8] = []
        let u = Array(s.utf8)
        var i = 0
        while i < u.count {
            if u[i] == 0x25, i + 2 < u.count, let h = hex(u[i + 1]), let l = hex(u[i + 2]) {
                bytes.append(h << 4 | l)
                i += 3
            } else {
                bytes.append(u[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x41 + 10
        case 0x61...0x66: return b - 0x61 + 10
        default: return nil
        }
    }

    /// conda's `_parse_channel`: the channel as MatchSpec keeps it, and a subdir if the value
    /// ends in one.
    static func parse(_ value: String) -> (channel: String?, subdir: String?) {
        guard !value.isEmpty else { return (nil, nil) }
        if var url = splitURL(value) {
            var subdir: String?
            if let last = url.path.last, knownSubdirs.contains(last) {
                subdir = last
                url.path.removeLast()
            }
            return (urlChannel(url, keepNonAliasURL: true), subdir)
        }
        var parts = value.splitScalars("/")
        var subdir: String?
        if parts.count > 1, let last = parts.last, knownSubdirs.contains(last) {
            subdir = last
            parts.removeLast()
        }
        let name = parts.joined(separator: "/")
        return (defaultsNames.contains(name) ? "defaults" : name, subdir)
    }

    /// The channel of a URL: its name under the channel alias, "defaults" for the default
    /// channels (when `keepNonAliasURL` is false), else the URL itself.
    static func urlChannel(_ url: URLParts, keepNonAliasURL: Bool) -> String {
        let path = url.path.map(percentDecoded).joined(separator: "/")
        let configuration = Self.configuration
        if let aliasHost = configuration.aliasHost, url.host == aliasHost && !path.isEmpty { return path }
        if !keepNonAliasURL && configuration.defaultChannelURLs.contains("\(url.scheme)://\(url.host)/\(path)") {
            return "defaults"
        }
        return "\(url.scheme)://\(url.host)" + (path.isEmpty ? "" : "/" + path)
    }
}
