// String operations by Unicode scalar, as Python's `str` does them.
//
// Traps:
// - Swift's `String` compares, searches and splits by grapheme cluster under canonical
//   equivalence: `"\"\u{659}".contains("\"")` is false (the quote and the combining mark are one
//   Character) and `"é" == "e\u{301}"` is true. Python sees code points: the quote is there and
//   the two strings differ. Parsers that must agree with packaging and conda use these helpers.

extension String {
    /// Python's `substring in self` for one scalar.
    func containsScalar(_ s: Unicode.Scalar) -> Bool { unicodeScalars.contains(s) }

    /// Whether any scalar of `set` occurs (Python's `any(c in self for c in set)`).
    func containsAnyScalar(of set: String) -> Bool {
        let wanted = Set(set.unicodeScalars)
        return unicodeScalars.contains { wanted.contains($0) }
    }

    /// Python's `self.startswith(prefix)`.
    func hasScalarPrefix(_ prefix: String) -> Bool { utf8.starts(with: prefix.utf8) }

    /// Python's `self.endswith(suffix)`.
    func hasScalarSuffix(_ suffix: String) -> Bool {
        let a = utf8
        let b = suffix.utf8
        return a.count >= b.count && a.suffix(b.count).elementsEqual(b)
    }

    /// `self[:-n]` by scalars.
    func droppingLastScalars(_ n: Int) -> String {
        String(String.UnicodeScalarView(unicodeScalars.dropLast(n)))
    }

    /// Python's `self.split(sep)` for one scalar (empty parts kept).
    func splitScalars(_ sep: Unicode.Scalar) -> [String] {
        var parts: [String] = []
        var current = String.UnicodeScalarView()
        for s in unicodeScalars {
            if s == sep {
                parts.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(s)
            }
        }
        parts.append(String(current))
        return parts
    }

    /// Equality by code points (Python's `==`), not canonical equivalence.
    func scalarsEqual(_ other: String) -> Bool { utf8.elementsEqual(other.utf8) }
}
