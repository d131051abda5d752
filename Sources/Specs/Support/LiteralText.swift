// Searching, replacing and trimming text without Foundation (whose NSString API loads
// libFoundation and ICU at every start). The separators mlenv looks for are ASCII (`://`,
// `::`, `#egg=`, `%`, CR, LF), so the search compares Unicode scalars (UTF-8 bytes).
//
// Traps:
// - Swift's own `firstRange(of:)`, `contains(_:)` and `replacing(_:with:)` compare grapheme
//   clusters: for them "a\r\nb" holds no "\n" (CR LF is one Character). Foundation found it, and
//   these helpers do too.
// - A match may not end inside a character: "a::\u{301}" holds no "::" (the second colon and
//   the combining mark are one character), as for Foundation. Foundation's tables are of an
//   older Unicode: marks added since (U+0897, U+1ACF...) extend a character here and not there.
// - An empty needle is found nowhere and replaces nothing, as in Foundation.

extension StringProtocol {
    /// The first occurrence of `needle`, compared scalar by scalar (`range(of:)`). Inlinable,
    /// as are the others here: unspecialized, every index step went through a protocol witness.
    @inlinable
    public func literalRange(of needle: some StringProtocol) -> Range<Index>? {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first else { return nil }
        let text = utf8
        var start = text.startIndex
        while let candidate = text[start...].firstIndex(of: first) {
            if let end = Self.match(pattern, in: text, at: candidate) { return candidate..<end }
            start = text.index(after: candidate)
        }
        return nil
    }

    /// The last occurrence of `needle` (`range(of:options: .backwards)`).
    @inlinable
    public func lastLiteralRange(of needle: some StringProtocol) -> Range<Index>? {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first else { return nil }
        let text = utf8
        var found: Range<Index>?
        var start = text.startIndex
        while let candidate = text[start...].firstIndex(of: first) {
            if let end = Self.match(pattern, in: text, at: candidate) { found = candidate..<end }
            start = text.index(after: candidate)
        }
        return found
    }

    /// Whether `needle` occurs, compared scalar by scalar.
    @inlinable
    public func containsLiteral(_ needle: some StringProtocol) -> Bool { literalRange(of: needle) != nil }

    /// Every occurrence of `target` replaced, left to right (`replacingOccurrences(of:with:)`).
    public func replacingLiteral(_ target: some StringProtocol, with replacement: some StringProtocol) -> String {
        let pattern = Array(target.utf8)
        guard let first = pattern.first else { return String(self) }
        let text = utf8
        var out: [UInt8] = []
        var copied = text.startIndex
        var start = text.startIndex
        while let candidate = text[start...].firstIndex(of: first) {
            if let end = Self.match(pattern, in: text, at: candidate) {
                out.append(contentsOf: text[copied..<candidate])
                out.append(contentsOf: replacement.utf8)
                copied = end
                start = end
            } else {
                start = text.index(after: candidate)
            }
        }
        if copied == text.startIndex { return String(self) }
        out.append(contentsOf: text[copied...])
        return String(decoding: out, as: UTF8.self)
    }

    /// Foundation's `trimmingCharacters(in: .whitespaces)`: tab, the space separators (Zs) and
    /// ZERO WIDTH SPACE.
    public func trimmingHorizontalWhitespace() -> String { trimmingScalars(where: Self.isHorizontalWhitespace) }

    /// Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)`: also LF, VT, FF, CR,
    /// NEXT LINE and the line and paragraph separators.
    public func trimmingWhitespaceAndNewlines() -> String {
        trimmingScalars { Self.isHorizontalWhitespace($0) || Self.isNewline($0) }
    }

    @usableFromInline
    static func match(_ pattern: [UInt8], in text: UTF8View, at start: UTF8View.Index) -> UTF8View.Index? {
        var i = start
        for byte in pattern {
            guard i != text.endIndex, text[i] == byte else { return nil }
            i = text.index(after: i)
        }
        if i != text.endIndex, text[i] >= 0x80, extendsCharacter(text[i...]) { return nil }
        return i
    }

    /// Whether the scalar at the start of `bytes` belongs to the character before it (a
    /// combining mark, an emoji skin tone), so that a match ending there would split a character.
    @usableFromInline
    static func extendsCharacter(_ bytes: UTF8View.SubSequence) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator) else { return false }
        return scalar.properties.isGraphemeExtend || (0x1F3FB...0x1F3FF).contains(scalar.value)
    }

    private func trimmingScalars(where trimmed: (Unicode.Scalar) -> Bool) -> String {
        String(Substring(self).trimmingScalars(where: trimmed))
    }

    private static func isHorizontalWhitespace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    private static func isNewline(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }
}

extension Substring {
    /// Without the leading and trailing Unicode scalars `trimmed` accepts.
    func trimmingScalars(where trimmed: (Unicode.Scalar) -> Bool) -> Substring {
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, trimmed(scalars[start]) { start = scalars.index(after: start) }
        while end > start {
            let before = scalars.index(before: end)
            if !trimmed(scalars[before]) { break }
            end = before
        }
        return Substring(scalars[start..<end])
    }
}
