// PEP 503 / PEP 685 name normalisation ("Django" → "django", "oslo.concurrency" →
// "oslo-concurrency", "Foo__Bar" → "foo-bar").
//
// Traps:
// - Runs of "-", "_" and "." collapse to one "-", and case folds; nothing else changes, so
//   leading or trailing separators stay ("_not_legal" → "-not-legal"), as packaging's
//   `canonicalize_name` does without `validate=True`.
// - Lowercasing is Python's `str.lower()` (Unicode), not ASCII-only.
// - Validity is a separate question (`isValidProjectName`): packaging's `_validate_regex`
//   `^([a-z0-9]|[a-z0-9][a-z0-9._-]*[a-z0-9])$`, ASCII, case-insensitive.

/// A project or extra name in PEP 503 normal form.
public struct NormalizedName: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String) {
        // ASCII by bytes (a resolve normalises every requirement's name, again and again): a
        // name already in normal form is kept as it is, without a copy.
        var ascii = true
        var normal = true
        var previous: UInt8 = 0
        for b in raw.utf8 {
            if b >= 0x80 {
                ascii = false
                break
            }
            let separator = b == 0x2D || b == 0x5F || b == 0x2E
            if (b >= 0x41 && b <= 0x5A) || b == 0x5F || b == 0x2E || (separator && previous == 0x2D) {
                normal = false
            }
            previous = separator ? 0x2D : b
        }
        if ascii {
            if normal {
                value = raw
                return
            }
            var out: [UInt8] = []
            out.reserveCapacity(raw.utf8.count)
            for b in raw.utf8 {
                if b == 0x2D || b == 0x5F || b == 0x2E {
                    if out.last != 0x2D { out.append(0x2D) }
                } else {
                    out.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
                }
            }
            value = String(decoding: out, as: UTF8.self)
            return
        }
        let lowered = PythonText.lower(raw)
        var out = ""
        out.reserveCapacity(lowered.utf8.count)
        var lastWasSeparator = false
        for s in lowered.unicodeScalars {
            if s == "-" || s == "_" || s == "." {
                if !lastWasSeparator { out.unicodeScalars.append("-") }
                lastWasSeparator = true
            } else {
                out.unicodeScalars.append(s)
                lastWasSeparator = false
            }
        }
        value = out
    }

    public var description: String { value }

    // By code points, like Python and like `<` (Swift's String `==` would equate canonically
    // equivalent spellings that Python keeps apart).
    public static func == (lhs: NormalizedName, rhs: NormalizedName) -> Bool { lhs.value.scalarsEqual(rhs.value) }
    public func hash(into hasher: inout Hasher) {
        // The bytes in place (a copy into an array per hash was a tenth of a pinned walk).
        if value.utf8.withContiguousStorageIfAvailable({ hasher.combine(bytes: UnsafeRawBufferPointer($0)) }) == nil {
            hasher.combine(Array(value.utf8))
        }
    }

    public static func < (lhs: NormalizedName, rhs: NormalizedName) -> Bool {
        lhs.value.unicodeScalars.lexicographicallyPrecedes(rhs.value.unicodeScalars)
    }

    /// packaging's `canonicalize_name(name, validate=True)` check: ASCII letters and digits,
    /// with ".", "_" and "-" inside only.
    public static func isValidProjectName(_ raw: String) -> Bool {
        let s = Array(raw.unicodeScalars)
        guard let first = s.first, let last = s.last, first.isASCIIAlnum, last.isASCIIAlnum else { return false }
        return s.allSatisfy { $0.isASCIIAlnum || $0 == "." || $0 == "_" || $0 == "-" }
    }

    /// packaging's `is_normalized_name`: `[a-z0-9]+(-[a-z0-9]+)*`.
    public static func isNormalized(_ raw: String) -> Bool {
        var previousDash = true
        var any = false
        for s in raw.unicodeScalars {
            if s == "-" {
                if previousDash { return false }
                previousDash = true
            } else if s.isLowerASCIIAlnum {
                previousDash = false
                any = true
            } else {
                return false
            }
        }
        return any && !previousDash
    }
}
