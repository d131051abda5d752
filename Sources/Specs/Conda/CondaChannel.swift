// Channel strings inside MatchSpecs ("conda-forge", "conda-forge/linux-64",
// "https://repo.anaconda.com/pkgs/main", "pkgs/main").
//
// Traps:
// - A trailing known subdir ("linux-64", "noarch", …) is the subdir, not part of the channel.
// - conda's default configuration is assumed (no .condarc): channel_alias
//   https://conda.anaconda.org, so "https://conda.anaconda.org/conda-forge" is "conda-forge";
//   "defaults" stands for repo.anaconda.com/pkgs/main and pkgs/r, so "pkgs/main" prints as
//   "defaults". A URL on any other host keeps its full base URL (conda 26 behaviour).
// - "*" is a channel glob that matches every channel and is not printed.

enum CondaChannel {
    static let knownSubdirs: Set<String> = [
        "noarch", "emscripten-wasm32", "wasi-wasm32", "freebsd-64", "linux-32", "linux-64",
        "linux-aarch64", "linux-armv6l", "linux-armv7l", "linux-ppc64", "linux-ppc64le",
        "linux-riscv64", "linux-s390x", "osx-64", "osx-arm64", "win-32", "win-64", "win-arm64",
        "zos-z",
    ]

    static let aliasHost = "conda.anaconda.org"
    static let defaultsBase = "https://repo.anaconda.com"
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
            if scalars[i] == ":" && scalars[i + 1] == "/" && scalars[i + 2] == "/" { sep = i; break }
            i += 1
        }
        guard let sep else { return nil }
        let scheme = PythonText.lower(String(String.UnicodeScalarView(scalars[..<sep])))
        guard ["http", "https", "ftp", "s3", "file"].contains(scheme) else { return nil }
        let rest = Substring(String(String.UnicodeScalarView(scalars[(sep + 3)...])))
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let host = String(rest[..<slash])
        let path = rest[slash...].split(separator: "/").map(String.init)
        return URLParts(scheme: scheme, host: host, path: path)
    }

    static func percentDecoded(_ s: String) -> String {
        guard s.contains("%") else { return s }
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
        var parts = value.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
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
        if url.host == aliasHost && !path.isEmpty { return path }
        if !keepNonAliasURL && url.host == "repo.anaconda.com" && defaultsNames.contains(path) { return "defaults" }
        return "\(url.scheme)://\(url.host)" + (path.isEmpty ? "" : "/" + path)
    }
}
