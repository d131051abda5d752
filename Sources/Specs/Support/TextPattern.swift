// String patterns of conda specs: globs ("py3*_0") and regular expressions ("^1\.7\..*$").
//
// Traps:
// - conda builds these from Python `re` patterns and calls `.match()`: anchored at the start
//   only, so a regex must end in "$" to be anchored at the end (conda requires "^...$").
// - In a glob "*" is `.*`, which does not cross a line break.
// - Matching is by Unicode scalar, as Python does, not by grapheme cluster.
// - Most globs are plain literals around stars; those are matched without the regex engine.
// - Regexes run on `PythonRegex` (linear time), never on a backtracking engine.

struct TextPattern: Hashable, Sendable {
    private enum Kind: Sendable {
        /// Literal pieces between stars (a glob with no regex meaning otherwise).
        case glob([[UInt8]])
        case regex(PythonRegex)
    }

    /// The pattern as conda would print it.
    let source: String
    private let kind: Kind

    /// A glob where only "*" is special.
    init(glob: String) {
        source = glob
        kind = .glob(glob.utf8.split(separator: 0x2A, omittingEmptySubsequences: false).map(Array.init))
    }

    /// A Python regular expression (already anchored by the caller as conda anchors it).
    init(regex pattern: String, displayedAs display: String? = nil) throws(SpecError) {
        source = display ?? pattern
        do {
            kind = .regex(try PythonRegex(pattern))
        } catch {
            throw SpecError(
                message: "Contains an invalid regular expression (\(error.message)): \(pattern)", input: pattern,
                offset: 0, length: pattern.count)
        }
    }

    var isGlob: Bool {
        if case .glob(let parts) = kind { return parts.count > 1 }
        return false
    }

    var isExactText: Bool {
        if case .glob(let parts) = kind { return parts.count == 1 }
        return false
    }

    func matches(_ text: String) -> Bool {
        switch kind {
        case .regex(let regex):
            return regex.prefixMatches(text)
        case .glob(let parts):
            if parts.count == 1 { return text.utf8.elementsEqual(parts[0]) }
            let bytes = Array(text.utf8)
            if bytes.contains(0x0A) { return Self.globWithLineBreaks(parts, text) }
            return Self.glob(parts, bytes)
        }
    }

    /// Star-separated literal pieces: first is a prefix, last a suffix, the rest in order.
    private static func glob(_ parts: [[UInt8]], _ text: [UInt8]) -> Bool {
        guard let first = parts.first, let last = parts.last else { return true }
        guard text.count >= first.count + last.count,
            text.starts(with: first), text.suffix(last.count).elementsEqual(last)
        else { return false }
        var i = first.count
        let end = text.count - last.count
        for piece in parts.dropFirst().dropLast() where !piece.isEmpty {
            guard let found = find(piece, in: text, from: i, to: end) else { return false }
            i = found + piece.count
        }
        return true
    }

    private static func find(_ needle: [UInt8], in hay: [UInt8], from: Int, to: Int) -> Int? {
        var i = from
        while i + needle.count <= to {
            if hay[i] == needle[0] && hay[i..<i + needle.count].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// Rare: a line break in the subject; let the regex engine apply Python's rules.
    private static func globWithLineBreaks(_ parts: [[UInt8]], _ text: String) -> Bool {
        let pattern =
            "^(?:" + parts.map { regexEscape(String(decoding: $0, as: UTF8.self)) }.joined(separator: ".*") + ")$"
        guard let regex = try? PythonRegex(pattern) else { return false }
        return regex.prefixMatches(text)
    }

    static func regexEscape(_ text: String) -> String {
        var out = ""
        for s in text.unicodeScalars {
            if s.isASCIIAlnum || s == "_" || s.value >= 0x80 {
                out.unicodeScalars.append(s)
            } else {
                out += "\\"
                out.unicodeScalars.append(s)
            }
        }
        return out
    }

    static func == (a: TextPattern, b: TextPattern) -> Bool { a.source.scalarsEqual(b.source) }
    func hash(into hasher: inout Hasher) { hasher.combine(Array(source.utf8)) }
}
