// Path text as NSString's path methods computed it, without loading Foundation.

public enum PathText {
    /// NSString's `deletingLastPathComponent`: `/a/b` → `/a`, `/a/b/` → `/a`, `/a` → `/`,
    /// `a//b` → `a` (a run of slashes counts as one), `/` → `/`, `a` → `` (where Foundation trapped
    /// on a one-character name).
    public static func deletingLastComponent(_ path: String) -> String {
        if path == "/" { return path }
        // The common case by bytes: ASCII (no character holds a slash with a combining mark),
        // no doubled or trailing slash.
        let bytes = path.utf8
        if let last = bytes.last, last != 0x2F, bytes.allSatisfy({ $0 < 0x80 }),
            !zip(bytes, bytes.dropFirst()).contains(where: { $0 == 0x2F && $1 == 0x2F })
        {
            guard let slash = bytes.lastIndex(of: 0x2F) else { return "" }
            if slash == bytes.startIndex { return "/" }
            return String(path[..<slash])
        }
        var fixed = ""
        for character in path where !(character == "/" && fixed.last == "/") { fixed.append(character) }
        if fixed.last == "/" { fixed.removeLast() }
        if fixed.isEmpty { return fixed }
        guard let slash = fixed.lastIndex(of: "/") else { return "" }
        if slash == fixed.startIndex { return "/" }
        return String(fixed[..<slash])
    }

    /// NSString's `appendingPathComponent` for the joins mlenv makes: no slash is added after
    /// one that is already there.
    public static func appending(_ component: String, to path: String) -> String {
        if component.isEmpty { return path }
        if path.isEmpty { return component }
        return path.hasSuffix("/") ? path + component : path + "/" + component
    }
}
