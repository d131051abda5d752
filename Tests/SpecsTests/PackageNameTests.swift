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

    @Test func orderAndUnicode() {
        #expect(NormalizedName("Foo._-Bar") == NormalizedName("foo-bar"))
        #expect(NormalizedName("ÄBC").value == "äbc")
        #expect(NormalizedName("a") < NormalizedName("b"))
    }
}
