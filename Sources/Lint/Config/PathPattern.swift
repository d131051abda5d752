// Globs for per-path overrides: `*`, `?` and `[...]` within one path segment (fnmatch), and
// `**` for any number of segments. A pattern matches a model directory when it matches the
// directory or one of its ancestors, so `legacy` and `legacy/**` both cover legacy/a/b.

import Glibc

public struct PathPattern: Hashable, Sendable, CustomStringConvertible {
    public let text: String
    private let segments: [String]

    public init(_ text: String) {
        self.text = text
        var t = text
        while t.hasPrefix("./") { t.removeFirst(2) }
        while t.count > 1 && t.hasSuffix("/") { t.removeLast() }
        segments = t.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    public var description: String { text }

    public func matches(directoryOrAncestor relative: String) -> Bool {
        let parts = relative.split(separator: "/").map(String.init)
        for count in stride(from: parts.count, through: 1, by: -1)
        where matches(Array(parts[0..<count])[...], segments[...]) {
            return true
        }
        return false
    }

    public func matches(_ relative: String) -> Bool {
        matches(relative.split(separator: "/").map(String.init)[...], segments[...])
    }

    /// Segment by segment, each (path suffix, pattern suffix) pair decided once: a pattern
    /// with several `**` (`**/**/**/**/zzz`) tried every split of the path and took time
    /// exponential in their number.
    private func matches(_ path: ArraySlice<String>, _ pattern: ArraySlice<String>) -> Bool {
        let path = Array(path)
        let pattern = Array(pattern)
        let n = path.count
        let m = pattern.count
        // row[i]: path[i...] matches pattern[j...], for the j being filled; `next` is j + 1.
        var next = [Bool](repeating: false, count: n + 1)
        next[n] = true
        for j in stride(from: m - 1, through: 0, by: -1) {
            var row = [Bool](repeating: false, count: n + 1)
            if pattern[j] == "**" {
                row[n] = next[n]
                for i in stride(from: n - 1, through: 0, by: -1) { row[i] = next[i] || row[i + 1] }
            } else {
                for i in 0..<n where next[i + 1] { row[i] = fnmatch(pattern[j], path[i], 0) == 0 }
            }
            next = row
        }
        return next[0]
    }
}
