// `mlenv spec --batch`'s JSON Lines protocol, answered in the Specs module without the binary:
// one answer line per request line, in order, and a bad line answered with an error.

import Specs
import Testing

@Suite struct SpecBatchTests {
    private func answer(_ lines: String) -> String {
        var batch = SpecBatch()
        return batch.run(Array(lines.utf8))
    }

    @Test func answersEachLineInOrder() {
        let input = """
            {"id":1,"op":"compare","ecosystem":"pypi","a":"1.0","b":"1.0.post1"}
            {"id":"two","op":"compare","ecosystem":"conda","a":"1.1.dev1","b":"1.1a1"}
            {"id":3,"op":"normalize-name","text":"Foo_Bar"}

            """
        #expect(
            answer(input) == """
                {"id":1,"result":-1}
                {"id":"two","result":1}
                {"id":3,"result":"foo-bar"}

                """)
    }

    @Test func aBadLineIsAnsweredAndTheBatchGoesOn() {
        let input =
            "not json\r\n{\"id\":2,\"op\":\"bad\"}\n{\"id\":3,\"op\":\"compare\",\"ecosystem\":\"pypi\",\"a\":\"1.0\",\"b\":\"x y\"}\n[1]\n"
        let lines = answer(input).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix("{\"id\":null,\"error\":\"invalid JSON: "))
        #expect(
            lines[1]
                == "{\"id\":2,\"error\":\"unknown op \\\"bad\\\" (expected compare, match, parse, evaluate-marker or normalize-name)\"}"
        )
        #expect(lines[2].hasPrefix("{\"id\":3,\"error\":\"Invalid version"))
        #expect(lines[3] == "{\"id\":null,\"error\":\"a request must be a JSON object\"}")
        #expect(lines[4] == "")
    }

    @Test func pypiMatchFollowsPackagingForTextThatIsNotAVersion() {
        // An invalid version is only in the empty set, unless `===` compares it as text.
        let input = """
            {"id":1,"op":"match","ecosystem":"pypi","spec":">=1.0","version":"not a version"}
            {"id":2,"op":"match","ecosystem":"pypi","spec":"","version":"not a version"}
            {"id":3,"op":"match","ecosystem":"pypi","spec":"===foo","version":"foo"}
            {"id":4,"op":"match","ecosystem":"pypi","spec":">=1.0","version":"2.0rc1","prereleases":false}
            {"id":5,"op":"match","ecosystem":"pypi","spec":">=1.0","version":"2.0rc1"}

            """
        #expect(
            answer(input) == """
                {"id":1,"result":false}
                {"id":2,"result":true}
                {"id":3,"result":true}
                {"id":4,"result":false}
                {"id":5,"result":true}

                """)
    }

    @Test func condaMatchTakesTheSpecsNameUnlessItIsAPattern() {
        let input = """
            {"id":1,"op":"match","ecosystem":"conda","spec":"numpy 1.7.*","version":"1.7.1"}
            {"id":2,"op":"match","ecosystem":"conda","spec":"num* 1.7.*","version":"1.7.1"}
            {"id":3,"op":"match","ecosystem":"conda","spec":"num* 1.7.*","version":"1.7.1","name":"numpy"}
            {"id":4,"op":"match","ecosystem":"conda","spec":"numpy","version":"1","name":7}

            """
        #expect(
            answer(input) == """
                {"id":1,"result":true}
                {"id":2,"error":"missing \\"name\\" (the spec's name is a pattern)"}
                {"id":3,"result":true}
                {"id":4,"error":"\\"name\\" must be a string"}

                """)
    }

    @Test func theSharedRulesSayTheSameAsTheBatch() throws {
        #expect(try SpecifierSet(parsing: "===foo,>=1").comparesText)
        #expect(try !SpecifierSet(parsing: ">=1").comparesText)
        #expect(try MatchSpec(parsing: "numpy").recordName(nil) == "numpy")
        #expect(try MatchSpec(parsing: "num*").recordName(nil) == nil)
        #expect(try MatchSpec(parsing: "num*").recordName("numpy") == "numpy")
    }
}
