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
        for count in stride(from: parts.count, through: 1, by: -1) where matches(Array(parts[0..<count])[...], segments[...]) {
            return true
        }
        return false
    }

    public func matches(_ relative: String) -> Bool {
        matches(relative.split(separator: "/").map(String.init)[...], segments[...])
    }

    private func matches(_ path: ArraySlice<String>, _ pattern: ArraySlice<String>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == "**" {
            let rest = pattern.dropFirst()
            var tail = path
            while true {
                if matches(tail, rest) { return true }
                guard !tail.isEmpty else { return false }
                tail = tail.dropFirst()
            }
        }
        guard let head = path.first, fnmatch(first, head, 0) == 0 else { return false }
        return matches(path.dropFirst(), pattern.dropFirst())
    }
}
