// PEP 503 names and canonical versions, against pypa/packaging 26.4's tests/test_utils.py
// (tables in Vectors/PackagingNameVectors.swift).

import Testing

@testable import Specs

@Suite struct PackageNameTests {
    typealias V = PackagingNameVectors

    @Test(arguments: V.canonical)
    func canonical(_ row: Pair) {
        #expect(NormalizedName(row.input).value == row.expected, sourceLocation: row.location)
        #expect(NormalizedName.isValidProjectName(row.input), sourceLocation: row.location)
    }

    @Test(arguments: V.canonicalInvalid)
    func canonicalInvalid(_ row: Pair) {
        #expect(!NormalizedName.isValidProjectName(row.input), sourceLocation: row.location)
        #expect(NormalizedName(row.input).value == row.expected, sourceLocation: row.location)
    }

    @Test(arguments: V.normalized)
    func isNormalized(_ row: Pair) {
        #expect(NormalizedName.isNormalized(row.expected), sourceLocation: row.location)
        if row.input != row.expected { #expect(!NormalizedName.isNormalized(row.input), sourceLocation: row.location) }
    }

    @Test(arguments: V.canonicalVersions)
    func canonicalVersion(_ row: Pair) {
        #expect(PEP440Version.canonicalize(row.input) == row.expected, sourceLocation: row.location)
    }

    @Test(arguments: V.canonicalVersionsKeepingZeros)
    func canonicalVersionKeepingZeros(_ row: Text) {
        #expect(
            PEP440Version.canonicalize(row.text, stripTrailingZero: false) == row.text, sourceLocation: row.location)
    }

    /// The ASCII fast paths (kept as it is, or rewritten by bytes) against packaging's rule,
    /// `re.sub(r"[-_.]+", "-", name).lower()`, spelled out here, on every string of up to four
    /// characters over a small alphabet; equal names hash equally.
    @Test func asciiFastPathsFollowTheRule() {
        let alphabet: [Character] = ["a", "Z", "0", "-", "_", "."]
        func rule(_ raw: String) -> String {
            var out = ""
            var inRun = false
            for c in raw.lowercased() {
                if c == "-" || c == "_" || c == "." {
                    if !inRun { out.append("-") }
                    inRun = true
                } else {
                    out.append(c)
                    inRun = false
                }
            }
            return out
        }
        var names = [""]
        for _ in 0..<4 {
            names += names.filter { $0.count == names.last!.count }.flatMap { n in alphabet.map { n + String($0) } }
        }
        for raw in names {
            let name = NormalizedName(raw)
            #expect(name.value == rule(raw), "\(raw)")
            #expect(name.hashValue == NormalizedName(rule(raw)).hashValue)
        }
    }

    @Test func orderAndUnicode() {
        #expect(NormalizedName("Foo._-Bar") == NormalizedName("foo-bar"))
        #expect(NormalizedName("ÄBC").value == "äbc")
        #expect(NormalizedName("a") < NormalizedName("b"))
    }
}
