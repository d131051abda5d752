// The shared error type: message, input, Character offset and caret line (packaging's
// `ParserSyntaxError` layout).

import Testing

@testable import Specs

@Suite struct SpecErrorTests {
    @Test func caretLine() {
        let e = SpecError(message: "Expected end", input: "name @@ url", offset: 5, length: 2)
        #expect(e.description == "Expected end\n    name @@ url\n         ~~^")
        #expect(e.singleLine == "Expected end (column 6 of 'name @@ url')")
    }

    /// Offsets count Characters, so the caret lands under the right letter after non-ASCII text.
    @Test func offsetsCountCharacters() {
        do {
            _ = try Requirement(parsing: "näme; os_name ~ 'x'")
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "Expected package name at the start of dependency specifier" || error.offset >= 0)
        }
        do {
            _ = try Marker(parsing: "os_name == 'é' and ~")
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 19)
            #expect(error.description.hasSuffix("\n                       ^"))
        }
    }

    @Test func errorsAreValues() throws {
        let a = Result { () throws(SpecError) in try PEP440Version(parsing: "x") }
        let b = Result { () throws(SpecError) in try PEP440Version(parsing: "x") }
        #expect(throws: SpecError.self) { try a.get() }
        if case .failure(let ea) = a, case .failure(let eb) = b { #expect(ea == eb) }
    }
}

@Suite struct CondaBuildNumberSpecTests {
    static let rows: [(String, Int, Bool)] = [
        ("3", 3, true), ("3", 4, false), (" 03 ", 3, true), ("0_3", 3, true), ("-1", -1, true), ("*", 12, true),
        (">=3", 3, true), (">=3", 12, true), ("<3", 12, false), ("!=3", 4, true), ("=1", 12, false), ("=1", 1, true),
        ("==1", 12, false),
        ("^1[0-9]$", 12, true), ("^1[0-9]$", 2, false), ("abc", 3, false), ("99999999999999999999999", 3, false)
    ]

    @Test func matching() throws {
        for (spec, number, expected) in Self.rows {
            #expect(try CondaBuildNumberSpec(parsing: spec).matches(number) == expected, "\(spec) vs \(number)")
        }
        #expect(try CondaBuildNumberSpec(parsing: "007").description == "7")
        #expect(try CondaBuildNumberSpec(parsing: "007").exactValue == 7)
        #expect(throws: SpecError.self) { try CondaBuildNumberSpec(parsing: ">=x y") }
    }
}

@Suite struct CondaChannelTests {
    @Test func channels() {
        #expect(CondaChannel.parse("conda-forge") == ("conda-forge", nil))
        #expect(CondaChannel.parse("conda-forge/linux-64") == ("conda-forge", "linux-64"))
        #expect(CondaChannel.parse("conda-forge/label/dev") == ("conda-forge/label/dev", nil))
        #expect(CondaChannel.parse("pkgs/main") == ("defaults", nil))
        // No channel alias configured: a URL keeps its full base URL, minus a trailing subdir.
        let none = CondaChannelConfiguration(channelAlias: nil, defaultChannels: [])
        CondaChannel.$configuration.withValue(none) {
            #expect(
                CondaChannel.parse("https://conda.example.invalid/conda-forge/noarch") == (
                    "https://conda.example.invalid/conda-forge", "noarch"
                ))
            #expect(
                (try? MatchSpec(parsing: "https://repo.example.invalid/pkgs/main/linux-64/zlib-1.3-h0_0.conda"))?
                    .channel == "https://repo.example.invalid/pkgs/main")
        }
        // Under an alias, URLs on its host are channel names; default channels' tarballs are "defaults".
        CondaChannel.$configuration.withValue(condaDefaults) {
            #expect(CondaChannel.parse("https://conda.example.invalid/conda-forge/noarch") == ("conda-forge", "noarch"))
            #expect(
                CondaChannel.parse("https://repo.example.invalid/pkgs/main") == (
                    "https://repo.example.invalid/pkgs/main", nil
                ))
            #expect(
                (try? MatchSpec(parsing: "https://repo.example.invalid/pkgs/main/linux-64/zlib-1.3-h0_0.conda"))?
                    .channel == "defaults")
        }
        #expect(CondaChannel.parse("") == (nil, nil))
    }

    @Test func recordMatching() throws {
        try CondaChannel.$configuration.withValue(condaDefaults) { try recordMatchingUnderAlias() }
    }

    func recordMatchingUnderAlias() throws {
        let record = MatchSpec.Record(
            name: "numpy", version: try CondaVersion(parsing: "1.26.4"), build: "py311h64a7726_0",
            buildNumber: 0, channel: "https://conda.example.invalid/conda-forge", subdir: "linux-64")
        #expect(try MatchSpec(parsing: "conda-forge::numpy=1.26").matches(record))
        #expect(try MatchSpec(parsing: "conda-forge/linux-64::numpy").matches(record))
        #expect(try !MatchSpec(parsing: "defaults::numpy").matches(record))
        #expect(try !MatchSpec(parsing: "conda-forge/osx-64::numpy").matches(record))
        #expect(try MatchSpec(parsing: "*::numpy").matches(record))
        #expect(try MatchSpec(parsing: "numpy[channel=conda-*]").matches(record))
    }
}
