// A non-negative integer of any size, as written in a version ("1.99999999999999999999").
//
// Traps:
// - Version components are unbounded in PEP 440 and in conda; Python compares them as ints of
//   any size. Int would trap or wrap, so anything past UInt64 is kept as its decimal digits and
//   compared by length, then lexicographically.
// - Leading zeros never count: "007" == "7" (PEP 440 normalises "1.01" to "1.1"; conda reads
//   "07" as int 7).

/// A non-negative integer of arbitrary size.
public struct Numeral: Hashable, Comparable, Sendable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    // Invariant: `big` is nil exactly when the value fits in UInt64; then `big` holds the
    // digits without leading zeros (so equal values have equal representations).
    @usableFromInline let small: UInt64
    @usableFromInline let big: String?

    public static let zero = Numeral(0)

    public init(_ value: UInt64) {
        small = value
        big = nil
    }

    private init(bigDigits: String) {
        small = 0
        big = bigDigits
    }

    public init(integerLiteral value: UInt64) {
        self.init(value)
    }

    /// Parses ASCII decimal digits; nil if `text` is empty or holds anything else.
    public init?(digits text: String) {
        var copy = text
        let parsed: Numeral?? = copy.withUTF8 { buffer in
            guard !buffer.isEmpty else { return .some(nil) }
            for byte in buffer where !(0x30...0x39).contains(byte) { return .some(nil) }
            return .some(Numeral(asciiDigits: buffer, from: 0, to: buffer.count))
        }
        guard let value = parsed ?? nil else { return nil }
        self = value
    }

    /// Parses `bytes[from..<to]`, which the caller has checked are ASCII digits (at least one).
    init(asciiDigits bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) {
        var start = from
        while start < to - 1 && bytes[start] == 0x30 { start += 1 }
        let count = to - start
        if count <= 19 {
            var value: UInt64 = 0
            for i in start..<to { value = value &* 10 &+ UInt64(bytes[i] &- 0x30) }
            self.init(value)
            return
        }
        if count == 20 {
            var value: UInt64 = 0
            var overflow = false
            for i in start..<to {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(UInt64(bytes[i] &- 0x30))
                value = a
                overflow = overflow || o1 || o2
            }
            if !overflow {
                self.init(value)
                return
            }
        }
        self.init(bigDigits: String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<to]), as: UTF8.self))
    }

    /// Parses scalars that the caller has checked are ASCII digits (at least one).
    init<C: Collection>(asciiDigitScalars scalars: C) where C.Element == Unicode.Scalar {
        let bytes = scalars.map { UInt8(truncatingIfNeeded: $0.value) }
        self = bytes.withUnsafeBufferPointer { Numeral(asciiDigits: $0, from: 0, to: $0.count) }
    }

    /// The value as an Int, or nil when it does not fit.
    public var intValue: Int? {
        guard big == nil, small <= UInt64(Int.max) else { return nil }
        return Int(small)
    }

    public var isZero: Bool { big == nil && small == 0 }

    public var description: String { big ?? String(small) }

    @inlinable
    public static func < (lhs: Numeral, rhs: Numeral) -> Bool {
        switch (lhs.big, rhs.big) {
        case (nil, nil): return lhs.small < rhs.small
        case (nil, _): return true
        case (_, nil): return false
        case (let l?, let r?):
            if l.utf8.count != r.utf8.count { return l.utf8.count < r.utf8.count }
            return l.utf8.lexicographicallyPrecedes(r.utf8)
        }
    }
}
