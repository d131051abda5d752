// NSString's `standardizingPath` for an absolute path, as Foundation on Linux computed it:
// `.` and empty components dropped, `..` removing the component before it, and each component
// that is a symbolic link replaced by its target's real path. Used only to say where a
// dangling link in a model points, so the answer stays what it was.
//
// Traps (Foundation's, kept):
// - A link's target is passed to realpath(3) as written: a relative target resolves against the
//   current directory, not the link's; when that fails the link is kept as it is.
// - Afterwards a leading `/private` or `/var/automount` is dropped when the shorter path exists.

import FoundationEssentials
import Specs

enum StandardizedPath {
    static func of(_ path: String) -> String {
        var components = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        var resolved = "/"
        if !path.hasPrefix("/") {
            guard !components.isEmpty else { return path }
            resolved = components.removeFirst()
        }
        for component in components where component != "." {
            if component == ".." && path.hasPrefix("/") {
                resolved = PathText.deletingLastComponent(resolved)
                continue
            }
            resolved = PathText.appending(component, to: resolved)
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: resolved),
                let real = ModelDirectory.realPath(target)
            {
                resolved = real
            }
        }
        for prefix in ["/private", "/var/automount"] where resolved != prefix {
            let shorter = resolved.hasPrefix(prefix) ? String(resolved.dropFirst(prefix.count)) : resolved
            if FileManager.default.fileExists(atPath: shorter) { resolved = shorter }
        }
        return resolved
    }
}
