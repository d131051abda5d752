// Path text as NSString's path methods computed it, without loading Foundation.

public enum PathText {
    /// NSString's `deletingLastPathComponent`: `/a/b` → `/a`, `/a/b/` → `/a`, `/a` → `/`,
    /// `a//b` → `a` (a run of slashes counts as one), `/` → `/`, `a` → `` (where Foundation trapped
    /// on a one-character name).
    public static func deletingLastComponent(_ path: String) -> String {
        if path == "/" { return path }
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
