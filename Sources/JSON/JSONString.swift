// The escaped part of a JSON string, decoded the same way by JSONParser (trees) and JSONScanner
// (streaming): one set of rules and messages. Python's `json` is the reference, since every
// MLflow and Azure ML server parses requests with it: a lone surrogate escape, or a high
// surrogate followed by an escape that is not a low one, is accepted. A Swift String cannot hold
// a lone surrogate, so it becomes U+FFFD (and the escape after it is read on its own).

enum JSONString {
    /// Decodes a string whose text starts at `start` (after the opening quote at `open`) and whose
    /// first backslash is at `index`; the bytes before it were scanned (no control bytes). Leaves
    /// `index` after the closing quote.
    static func decodeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, open: Int, start: Int, index: inout Int)
        throws(JSONError) -> String
    {
        func error(_ message: String, _ offset: Int) -> JSONError { JSONError(message, at: offset, in: bytes) }
        var scalars = String.UnicodeScalarView()
        var runStart = start
        while true {
            guard index < bytes.count else { throw error("unterminated string", open) }
            let b = bytes[index]
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
                if index > runStart {
                    guard
                        let run = String(
                            validating: UnsafeBufferPointer(rebasing: bytes[runStart..<index]), as: UTF8.self)
                    else {
                        throw error("invalid UTF-8 inside a string", runStart)
                    }
                    scalars.append(contentsOf: run.unicodeScalars)
                }
                if b == UInt8(ascii: "\"") {
                    index += 1
                    return String(scalars)
                }
                let escapeAt = index
                index += 1
                guard index < bytes.count else { throw error("unterminated escape sequence", escapeAt) }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    let unit = try hex4(bytes, index: &index, escapeAt: escapeAt)
                    if unit >= 0xD800 && unit < 0xDC00, index + 1 < bytes.count,
                        bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                    {
                        let next = index
                        index += 2
                        let low = try hex4(bytes, index: &index, escapeAt: next)
                        if low >= 0xDC00 && low < 0xE000 {
                            scalars.append(
                                Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}")
                        } else {
                            scalars.append("\u{FFFD}")
                            index = next
                        }
                    } else {
                        // Surrogates are not scalars: a lone one becomes U+FFFD.
                        scalars.append(Unicode.Scalar(unit) ?? "\u{FFFD}")
                    }
                default:
                    throw error("invalid escape sequence '\\\(Character(Unicode.Scalar(e)))'", escapeAt)
                }
                runStart = index
                continue
            }
            if b < 0x20 {
                throw error("control character (byte 0x\(String(b, radix: 16))) inside a string; escape it", index)
            }
            index += 1
        }
    }

    /// The four hex digits of a `\u` escape at `index`, which it leaves after them.
    static func hex4(_ bytes: UnsafeBufferPointer<UInt8>, index: inout Int, escapeAt: Int) throws(JSONError) -> UInt32 {
        func error(_ message: String, _ offset: Int) -> JSONError { JSONError(message, at: offset, in: bytes) }
        guard bytes.count - index >= 4 else { throw error("incomplete \\u escape", escapeAt) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in \\u escape", index)
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
