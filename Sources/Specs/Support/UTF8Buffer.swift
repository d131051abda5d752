// Helpers for parsers that walk a String's UTF-8 bytes.
//
// Traps:
// - Native Swift strings are UTF-8 in memory, so scanning bytes costs no copy; bridged strings
//   are copied once by `withUTF8`.
// - Positions are byte offsets; `SpecError(byteOffset:)` turns them into Character columns.
// - A non-ASCII scalar is decoded only where the grammar cares (Unicode whitespace, `\b`).

extension String {
    /// Runs `body` over the UTF-8 bytes, keeping typed errors (closures of `withUTF8` rethrow
    /// untyped errors).
    func withBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) -> Result<T, SpecError>) throws(SpecError) -> T {
        var copy = self
        return try copy.withUTF8 { body($0) }.get()
    }
}

enum UTF8Scan {
    /// The scalar starting at `i` (which must be a lead byte) and its length in bytes.
    @inline(__always)
    static func scalar(_ b: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> (Unicode.Scalar, Int) {
        let lead = b[i]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        var length = 1
        var value: UInt32 = 0
        if lead >= 0xF0 {
            length = 4
            value = UInt32(lead & 0x07)
        } else if lead >= 0xE0 {
            length = 3
            value = UInt32(lead & 0x0F)
        } else if lead >= 0xC0 {
            length = 2
            value = UInt32(lead & 0x1F)
        } else {
            return ("\u{FFFD}", 1)
        }
        guard i + length <= end else { return ("\u{FFFD}", end - i) }
        for k in 1..<length { value = (value << 6) | UInt32(b[i + k] & 0x3F) }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }

    /// The start of the scalar that ends just before `i`.
    @inline(__always)
    static func scalarStart(_ b: UnsafeBufferPointer<UInt8>, before i: Int, start: Int) -> Int {
        var k = i - 1
        while k > start && (b[k] & 0xC0) == 0x80 { k -= 1 }
        return k
    }

    /// Python-whitespace bounds of `b[lo..<hi]` (like `str.strip()`).
    static func strip(_ b: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> (Int, Int) {
        var start = lo
        var end = hi
        while start < end {
            let (s, n) = scalar(b, at: start, end: end)
            if !PythonText.isWhitespace(s) { break }
            start += n
        }
        while end > start {
            let k = scalarStart(b, before: end, start: start)
            let (s, _) = scalar(b, at: k, end: end)
            if !PythonText.isWhitespace(s) { break }
            end = k
        }
        return (start, end)
    }

    /// Skips Python whitespace forward from `i`.
    static func skipWhitespace(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ hi: Int) -> Int {
        var k = i
        while k < hi {
            let (s, n) = scalar(b, at: k, end: hi)
            if !PythonText.isWhitespace(s) { break }
            k += n
        }
        return k
    }

    static func string(_ b: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[lo..<hi]), as: UTF8.self)
    }

    /// A short, quoted rendering of the character at `i` for messages ("'&'", or "end").
    static func describe(_ b: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> String {
        guard i < end else { return "end of input" }
        let (s, _) = scalar(b, at: i, end: end)
        return pythonRepr(String(Character(s)))
    }
}
