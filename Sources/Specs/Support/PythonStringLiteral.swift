// Decoding a quoted marker value the way packaging does: `ast.literal_eval` on "'...'" or
// '"..."'.
//
// Traps:
// - Escapes are processed: '\t', '\x41', '\u00e9', '\101' (octal), '\\', '\'' …; an unknown
//   escape such as '\d' stays as backslash + d (Python only warns).
// - A backslash before the closing quote escapes it, so "'abc\'" is unterminated: invalid.
// - A raw line break inside the quotes is invalid (`SyntaxError`), a backslash-newline is a
//   line continuation and disappears; NUL is invalid ("source code cannot contain null bytes").
// - Deliberate differences: "\N{NAME}" escapes are rejected (no Unicode name table here), and so
//   are escapes of lone surrogates ("\ud800"), which Python keeps but a Swift String cannot hold.

enum PythonStringLiteral {
    /// Decodes `scalars`, which start and end with the same quote character and contain no other
    /// unescaped quote of that kind. Returns nil where Python raises.
    static func decode(_ scalars: ArraySlice<Unicode.Scalar>) -> String? {
        guard scalars.count >= 2, let quote = scalars.first, scalars.last == quote else { return nil }
        let body = scalars.dropFirst().dropLast()
        var out = String.UnicodeScalarView()
        var i = body.startIndex
        let end = body.endIndex
        while i < end {
            let c = body[i]
            if c == "\n" || c == "\r" || c.value == 0 { return nil }
            if c != "\\" {
                out.append(c)
                i += 1
                continue
            }
            // Backslash: the escape must end before the closing quote.
            guard i + 1 < end else { return nil }
            let e = body[i + 1]
            i += 2
            switch e {
            case "\n": break  // line continuation
            case "\r":
                if i < end && body[i] == "\n" { i += 1 }
            case "\\", "'", "\"": out.append(e)
            case "a": out.append("\u{07}")
            case "b": out.append("\u{08}")
            case "f": out.append("\u{0C}")
            case "n": out.append("\n")
            case "r": out.append("\r")
            case "t": out.append("\t")
            case "v": out.append("\u{0B}")
            case "0"..."7":
                var value = e.value - 0x30
                var count = 1
                while count < 3 && i < end, ("0"..."7").contains(body[i]) {
                    value = value * 8 + (body[i].value - 0x30)
                    i += 1
                    count += 1
                }
                guard let s = Unicode.Scalar(value) else { return nil }
                out.append(s)
            case "x", "u", "U":
                let width = e == "x" ? 2 : (e == "u" ? 4 : 8)
                guard i + width <= end else { return nil }
                var value: UInt32 = 0
                for k in 0..<width {
                    guard let d = hexValue(body[i + k]) else { return nil }
                    value = value << 4 | d
                }
                i += width
                guard let s = Unicode.Scalar(value) else { return nil }
                out.append(s)
            case "N":
                return nil
            default:
                if e.value == 0 { return nil }
                out.append("\\")
                out.append(e)
            }
        }
        return String(out)
    }

    private static func hexValue(_ s: Unicode.Scalar) -> UInt32? {
        switch s.value {
        case 0x30...0x39: return s.value - 0x30
        case 0x41...0x46: return s.value - 0x41 + 10
        case 0x61...0x66: return s.value - 0x61 + 10
        default: return nil
        }
    }

    /// A double-quoted literal that `decode` reads back as `text`. A quote inside is written
    /// "\x22": the marker tokenizer (a regex, as in packaging) ends a string at the first quote
    /// even when it is escaped.
    static func escaped(_ text: String) -> String {
        quoted(text, quote: "\"", quoteEscape: "\\x22")
    }

    /// `text` between `quote`s, read back by Python as `text`: a backslash, line breaks, tabs and
    /// control characters escaped, the quote written as `quoteEscape`.
    static func quoted(_ text: String, quote: Unicode.Scalar, quoteEscape: String) -> String {
        var out = String(quote)
        for c in text.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case quote: out += quoteEscape
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 || c.value == 0x7F {
                    let hex = String(c.value, radix: 16)
                    out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        out.unicodeScalars.append(quote)
        return out
    }
}
