// How mlenv talks to indexes: which CAs it trusts, where credentials come from, and whether it
// may use the network at all. Credentials are never printed, cached or written out: URLs are
// redacted (`URLText.redacted`) wherever they leave the client, and cache entries are keyed by
// the redacted URL.
//
// Credentials, as pip and uv take them:
// - user:password in an index or channel URL (basic auth, sent to that host only; libcurl drops
//   it on a redirect to another host);
// - `~/.netrc` (or the file `NETRC` names) for hosts it lists;
// - a bearer token from `MLENV_INDEX_TOKEN`, sent only to the hosts of the configured index
//   and channel URLs (never to a file host they redirect or link to).

import FoundationEssentials
import Specs

public struct HTTPSettings: Sendable {
    /// A PEM bundle of trusted CAs (`--cert`, else `SSL_CERT_FILE`); nil for the system store.
    public var caFile: String?
    /// A netrc file to read credentials from, when one exists.
    public var netrcFile: String?
    /// Bearer tokens by lowercased host.
    public var tokens: [String: String]
    /// No network: answers come from the cache only.
    public var offline: Bool
    /// `user:password` of configured URLs by lowercased host: links found on their pages carry
    /// no credentials (pages are parsed against the URL without them) and get them back here.
    public var userinfo: [String: String]

    public init(
        caFile: String? = nil, netrcFile: String? = nil, tokens: [String: String] = [:], offline: Bool = false,
        userinfo: [String: String] = [:]
    ) {
        self.caFile = caFile
        self.netrcFile = netrcFile
        self.tokens = tokens
        self.offline = offline
        self.userinfo = userinfo
    }

    /// Settings from the environment: `SSL_CERT_FILE`, `NETRC` or `~/.netrc`, and
    /// `MLENV_INDEX_TOKEN` for the hosts of `sourceURLs`.
    public static func fromEnvironment(cert: String?, sourceURLs: [String], offline: Bool) throws(ChannelError)
        -> HTTPSettings
    {
        let environment = ProcessInfo.processInfo.environment
        let fm = FileManager.default
        var ca = cert ?? environment["SSL_CERT_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        if let given = ca, !fm.fileExists(atPath: given) { throw ChannelError("CA bundle \(given): no such file") }
        // The system bundle named explicitly (as many CI images set SSL_CERT_FILE) is the system
        // store: the hashed directory made from the same certificates serves it more cheaply.
        if ca == "/etc/ssl/certs/ca-certificates.crt" && systemCADirectory != nil { ca = nil }
        var netrc = environment["NETRC"].flatMap { $0.isEmpty ? nil : $0 }
        if netrc == nil {
            let home = fm.homeDirectoryForCurrentUser.path + "/.netrc"
            if fm.fileExists(atPath: home) { netrc = home }
        }
        var tokens: [String: String] = [:]
        if let token = environment["MLENV_INDEX_TOKEN"], !token.isEmpty {
            guard token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw ChannelError(
                    "MLENV_INDEX_TOKEN holds a space or a control character; a bearer token is printable ASCII")
            }
            for url in sourceURLs { if let host = URLText.host(url) { tokens[host] = token } }
        }
        var userinfo: [String: String] = [:]
        for url in sourceURLs {
            if let host = URLText.host(url), let credentials = URLText.credentials(url) { userinfo[host] = credentials }
        }
        return HTTPSettings(caFile: ca, netrcFile: netrc, tokens: tokens, offline: offline, userinfo: userinfo)
    }

    /// The URL to request: a configured host's credentials put back into a link without any.
    func authorized(_ url: String) -> String {
        guard !userinfo.isEmpty, !URLText.hasCredentials(url), let host = URLText.host(url),
            let credentials = userinfo[host],
            let range = url.literalRange(of: "://")
        else { return url }
        return String(url[..<range.upperBound]) + credentials + "@" + String(url[range.upperBound...])
    }

    /// The system's hashed CA directory (`/etc/ssl/certs` with its `<hash>.0` links, as Debian's
    /// ca-certificates makes it), used instead of libcurl's default bundle file when no CA file
    /// is given: same trust, looked up per issuer rather than parsed whole per connection.
    /// `MLENV_CA_BUNDLE=1` keeps libcurl's default.
    static let systemCADirectory: String? = {
        guard ProcessInfo.processInfo.environment["MLENV_CA_BUNDLE"] != "1" else { return nil }
        let directory = "/etc/ssl/certs"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory),
            names.contains(where: { $0.hasSuffix(".0") && $0.count == 10 })
        else { return nil }
        return directory
    }()

    /// The bearer token for a URL's host, unless the URL carries its own credentials.
    func token(for url: String) -> String? {
        guard !tokens.isEmpty, !URLText.hasCredentials(url), let host = URLText.host(url) else { return nil }
        return tokens[host]
    }
}

/// Pieces of URL text, without a full parser: what the client needs to decide where a request
/// goes and how to name it in messages.
public enum URLText {
    public static func scheme(_ url: String) -> String? {
        guard let range = url.literalRange(of: "://") else { return nil }
        let scheme = url[..<range.lowerBound]
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." })
        else { return nil }
        return scheme.lowercased()
    }

    /// The authority: what is between `://` and the path.
    private static func authority(_ url: String) -> Substring? {
        guard let range = url.literalRange(of: "://") else { return nil }
        let rest = url[range.upperBound...]
        let end = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        return rest[..<end]
    }

    /// The lowercased host name (no credentials, no port).
    public static func host(_ url: String) -> String? {
        guard var authority = authority(url) else { return nil }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[...close]).lowercased()
        }
        if let colon = authority.firstIndex(of: ":") { authority = authority[..<colon] }
        return authority.isEmpty ? nil : authority.lowercased()
    }

    /// The path part (after the authority, before `?` or `#`).
    static func path(_ url: String) -> Substring {
        guard let range = url.literalRange(of: "://") else { return Substring(url) }
        let rest = url[range.upperBound...]
        guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }), rest[slash] == "/" else {
            return ""
        }
        let end = rest[slash...].firstIndex { $0 == "?" || $0 == "#" } ?? rest.endIndex
        return rest[slash..<end]
    }

    /// The URL without its query and fragment.
    static func trimmedQuery(_ url: String) -> String {
        guard let range = url.literalRange(of: "://") else { return url }
        let end = url[range.upperBound...].firstIndex { $0 == "?" || $0 == "#" } ?? url.endIndex
        return String(url[..<end])
    }

    public static func hasCredentials(_ url: String) -> Bool { authority(url)?.contains("@") == true }

    /// `user:password` (as written, percent-encoded) of a URL, when it has any.
    static func credentials(_ url: String) -> String? {
        guard let authority = authority(url), let at = authority.lastIndex(of: "@") else { return nil }
        return String(authority[..<at])
    }

    /// The URL without user and password: what pages are parsed against and lock files hold.
    public static func withoutCredentials(_ url: String) -> String {
        guard url.utf8.contains(UInt8(ascii: "@")), let range = url.literalRange(of: "://"),
            let authority = authority(url),
            let at = authority.lastIndex(of: "@")
        else { return url }
        return String(url[..<range.upperBound]) + String(url[url.index(after: at)...])
    }

    /// The URL with its user and password replaced by `***`: what messages, caches, lock files
    /// and bundles may hold.
    public static func redacted(_ url: String) -> String {
        guard url.utf8.contains(UInt8(ascii: "@")), let range = url.literalRange(of: "://"),
            let authority = authority(url),
            let at = authority.lastIndex(of: "@")
        else { return url }
        return String(url[..<range.upperBound]) + "***" + String(url[at...])
    }
}
