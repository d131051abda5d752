// PEP 508 dependency specifiers, against pypa/packaging 26.4's tests/test_requirements.py
// (tables in Vectors/PackagingRequirementVectors.swift) plus our own traps.
//
// Differences from packaging, deliberate:
// - `extras` keeps the order written (packaging: a set); printing sorts them like packaging.
// - Errors that packaging raises without a location ("Invalid specifier: 'y'") carry one here
//   and add a detail after packaging's wording; the rows check packaging's text as a prefix.
// Not ported: pickling, `__replace__`, `Marker.evaluate()` against the running interpreter.

import Testing

@testable import Specs

@Suite struct PEP508RequirementTests {
    typealias V = PackagingRequirementVectors

    @Test(arguments: V.equal + V.equivalent)
    func equal(_ row: Pair) throws {
        let a = try Requirement(parsing: row.input)
        let b = try Requirement(parsing: row.expected)
        #expect(a == b && a.hashValue == b.hashValue, sourceLocation: row.location)
    }

    @Test(arguments: V.equivalent)
    func equivalentButSpelledDifferently(_ row: Pair) throws {
        #expect(
            try Requirement(parsing: row.input).description != Requirement(parsing: row.expected).description,
            sourceLocation: row.location)
    }

    @Test(arguments: V.different)
    func different(_ row: Pair) throws {
        let a = try Requirement(parsing: row.input)
        let b = try Requirement(parsing: row.expected)
        #expect(a != b && a.hashValue != b.hashValue, sourceLocation: row.location)
    }

    @Test(arguments: V.specifierTexts)
    func specifierMatchesSpecifierSet(_ row: Text) throws {
        let actual = try Requirement(parsing: "demo" + row.text).specifier
        let expected = try SpecifierSet(parsing: row.text)
        #expect(actual.description == expected.description, sourceLocation: row.location)
        #expect(actual == expected && actual.hashValue == expected.hashValue, sourceLocation: row.location)
        let versions = ["1.0a1", "1.0", "1.1", "2.0", "2.1"]
        for policy in [nil, false, true] as [Bool?] {
            let a = SpecifierSet(actual.specifiers, prereleases: policy)
            let e = SpecifierSet(expected.specifiers, prereleases: policy)
            #expect(a.filter(versionTexts: versions) == e.filter(versionTexts: versions), sourceLocation: row.location)
            #expect(
                versions.map { a.contains(versionText: $0) } == versions.map { e.contains(versionText: $0) },
                sourceLocation: row.location)
        }
    }

    @Test(arguments: V.specifierEmptyItems)
    func emptyItemsOnlyAtTheEnd(_ row: Text) {
        #expect(throws: Never.self, sourceLocation: row.location) { try SpecifierSet(parsing: row.text) }
        #expect(throws: SpecError.self, sourceLocation: row.location) { try Requirement(parsing: "demo" + row.text) }
    }

    /// test_basic_valid_requirement_parsing: every combination of name, extras, URL or
    /// specifier, marker and whitespace.
    @Test(arguments: V.basicWhitespace)
    func basicValidRequirementParsing(_ ws: String) throws {
        for name in V.basicNames {
            for extras in V.basicExtras {
                for (url, specifier) in V.basicURLsAndSpecifiers {
                    for marker in V.basicMarkers {
                        var parts = [name]
                        if !extras.isEmpty {
                            parts += ["[", extras.sorted().joined(separator: "\(ws),\(ws)"), "]"]
                        }
                        if !specifier.isEmpty { parts.append(specifier.replacingAll("{ws}", with: ws)) }
                        if let url {
                            parts += ["@", url.replacingAll("{ws}", with: ws)]
                        }
                        if let marker {
                            parts.append(url != nil ? " ;" : ";")
                            parts.append(marker.replacingAll("{ws}", with: ws))
                        }
                        let text = parts.joined(separator: ws)
                        let req = try Requirement(parsing: text)
                        #expect(req.name == name, "\(quoted(text))")
                        #expect(Set(req.extras) == Set(extras), "\(quoted(text))")
                        #expect(req.url == url, "\(quoted(text))")
                        let plain = specifier.replacingAll("{ws}", with: "").trimmingParentheses()
                        #expect(req.specifier == (try SpecifierSet(parsing: plain)), "\(quoted(text))")
                        let expectedMarker = try marker.map { try Marker(parsing: $0.replacingAll("{ws}", with: "")) }
                        #expect(req.marker == expectedMarker, "\(quoted(text))")
                    }
                }
            }
        }
    }

    @Test(arguments: V.normalized)
    func normalized(_ row: Pair) throws {
        #expect(try Requirement(parsing: row.input).description == row.expected, sourceLocation: row.location)
    }

    @Test func markerWithBothQuotesRoundTrips() throws {
        let text = "demo; 'a\" == os_name or python_version >= \"0\" or \"b' == os_name"
        let req = try Requirement(parsing: text)
        #expect(req.description == text)
        let env = MarkerEnvironment.target()
        #expect(try req.marker?.evaluate(env) == false)
        #expect(try Requirement(parsing: req.description).marker?.evaluate(env) == false)
    }

    @Test(arguments: V.validMarkers)
    func validMarker(_ row: Text) {
        #expect(throws: Never.self, sourceLocation: row.location) { try Requirement(parsing: row.text) }
    }

    @Test(arguments: V.fileURLs)
    func fileURL(_ row: Text) throws {
        #expect(try Requirement(parsing: "name @ \(row.text)").url == row.text, sourceLocation: row.location)
    }

    @Test(arguments: V.invalid)
    func invalid(_ row: Text) {
        #expect(throws: SpecError.self, sourceLocation: row.location) { try Requirement(parsing: row.text) }
    }

    @Test func tooDeeplyNestedMarker() {
        let marker =
            String(repeating: "(", count: 10_000) + "python_version >= \"3\"" + String(repeating: ")", count: 10_000)
        #expect { try Requirement(parsing: "name; \(marker)") } throws: { error in
            (error as? SpecError)?.message.contains("nested more than") == true
        }
    }

    @Test(arguments: V.trailingWhitespace)
    func trailingWhitespace(_ row: Text) throws {
        #expect(try Requirement(parsing: row.text) == Requirement(parsing: "name>=1"), sourceLocation: row.location)
    }

    @Test func emptyExtrasAndSpecifier() throws {
        let a = try Requirement(parsing: "name[]")
        #expect(a.name == "name" && a.extras.isEmpty)
        let b = try Requirement(parsing: "name()")
        #expect(b.name == "name" && b.specifier.isEmpty)
    }

    @Test(arguments: V.arbitrarySpecifiers)
    func arbitrarySpecifiers(_ row: Pair) throws {
        #expect(
            try Requirement(parsing: row.input).specifier == SpecifierSet(parsing: row.expected),
            sourceLocation: row.location)
    }

    /// test_error_when_specifier_set_rejects_parsed_specifier: "===x,y" is one token, but "y"
    /// is then an invalid specifier.
    @Test func arbitraryTokenThenInvalidItem() {
        #expect { try Requirement(parsing: "demo===x,y") } throws: { error in
            (error as? SpecError)?.message.hasPrefix("Invalid specifier: 'y'") == true
        }
    }

    @Test func syntaxErrorDetails() {
        do {
            _ = try Requirement(parsing: "name[bar")
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "Expected matching RIGHT_BRACKET for LEFT_BRACKET, after extras")
            #expect(error.input == "name[bar")
            #expect(error.offset == 4 && error.length == 4)
        }
    }

    /// test_error_*: the exact text packaging prints, or packaging's message as a prefix of ours
    /// where packaging gives no location.
    @Test(
        arguments: V.errors + [Rendering("", "Expected package name at the start of dependency specifier\n    \n    ^")]
    )
    func errorText(_ row: Rendering) {
        do {
            _ = try Requirement(parsing: row.input)
            Issue.record("expected an error", sourceLocation: row.location)
        } catch {
            if row.rendered.contains("\n") {
                #expect(error.description == row.rendered, sourceLocation: row.location)
            } else {
                #expect(error.message.hasPrefix(row.rendered), "\(error.message)", sourceLocation: row.location)
            }
        }
    }

    @Test(arguments: V.strings)
    func description(_ row: Text) throws {
        #expect(
            try Requirement(parsing: row.text).description == row.text.trimmingSpaces(), sourceLocation: row.location)
    }

    // MARK: Ours

    static let ours: [Pair] = [
        Pair(
            "requests[security,socks] >=2.8.1, ==2.8.* ; python_version < '2.7'",
            "requests[security,socks]==2.8.*,>=2.8.1; python_version < \"2.7\""),
        Pair("name (>=1.0)", "name>=1.0"),
        Pair("name>=1.0,", "name>=1.0"),
        Pair("Name[B,a,b]", "Name[B,a,b]"),
        Pair("name@ https://x/y.whl ; os_name=='posix'", "name @ https://x/y.whl ; os_name == \"posix\""),
        Pair("name @ https://x/y;os_name", "name @ https://x/y;os_name"),
        Pair("name===foo, >=1", "name===foo,>=1"),
        Pair("name >=\n1.0", "name>=1.0"),
        Pair("name ; extra == 'Foo.Bar'", "name; extra == \"foo-bar\"")
    ]

    @Test(arguments: ours)
    func ourRows(_ row: Pair) throws {
        #expect(try Requirement(parsing: row.input).description == row.expected, sourceLocation: row.location)
    }

    static let oursInvalid: [Text] = [
        Text("foo-"), Text("fooé"), Text("name[a b]"), Text("name>=1.0.*"), Text("name @"), Text("name;"),
        Text("name; os_name=="), Text("name ~= 1"), Text("name>=1.0+local"), Text("name; python_version >= '3' and"),
        Text("\u{0}"), Text("name; '\u{0}' == os_name")
    ]

    @Test(arguments: oursInvalid)
    func ourInvalidRows(_ row: Text) {
        #expect(throws: SpecError.self, sourceLocation: row.location) { try Requirement(parsing: row.text) }
    }

    @Test func extrasKeepTheirOrder() throws {
        let req = try Requirement(parsing: "pkg[zeta,alpha,zeta]")
        #expect(req.extras == ["zeta", "alpha"])
        #expect(req.normalizedName == NormalizedName("pkg"))
        #expect(req.description == "pkg[alpha,zeta]")
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }

    /// Python's `strip("()")`.
    func trimmingParentheses() -> String {
        var s = Substring(self)
        while let f = s.first, f == "(" || f == ")" { s = s.dropFirst() }
        while let l = s.last, l == "(" || l == ")" { s = s.dropLast() }
        return String(s)
    }

    /// Python's `strip()` for ASCII whitespace.
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" { s = s.dropLast() }
        return String(s)
    }
}
