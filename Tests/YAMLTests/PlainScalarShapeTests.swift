// The hand-written matchers of PlainScalarShape against PyYAML's resolver patterns (yaml/
// resolver.py, YAML 1.1), run as Swift regexes here: the same verdict on every string of a
// generated corpus of near-numbers, and on the patterns' own examples.

import Testing

@testable import YAML

@Suite struct PlainScalarShapeTests {
    nonisolated(unsafe) static let intPattern =
        #/[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+/#
    nonisolated(unsafe) static let floatPattern =
        #/[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)/#
    nonisolated(unsafe) static let timestampPattern =
        #/[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?/#

    static let examples = [
        "0", "-0", "+12", "0b1010_1", "0b", "0b2", "0777", "0_7", "08", "0x1F_a", "0x", "0xG", "1_000", "190:20:30",
        "1:60",
        "1:5", "0:30", "1:", "3.10", "3.10.6", "1e5", "1.0e+5", "1.e-", "1.5e3", ".5", "+.5", "._", ".inf", "-.INF",
        "+.nan",
        ".NaN", ".nAn", "1:30.5", "1:30.", "1:60.5", "2021-01-02", "2021-1-2", "2021-1-02",
        "2001-12-14t21:59:43.10-05:00",
        "2001-12-14 21:59:43.10 -5", "2001-12-14\t21:59:43.10Z", "2001-12-14 21:59:43.10 ", "2002-12-14 1:59:43",
        "2002-12-14 21:59:4", "2023-05-21 19:16:51.054335", "2023-05-21T19:16:51+05:3", "12345-01-01", "2023-05-211"
    ]

    /// Strings made of the characters the patterns care about, from a fixed-seed generator.
    static var corpus: [String] {
        let alphabet = Array("0123456789-+._:eEbxXaAfFTtZ inNI\t")
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33)
        }
        var strings: [String] = []
        for _ in 0..<20_000 {
            let length = 1 + next() % 12
            strings.append(String((0..<length).map { _ in alphabet[next() % alphabet.count] }))
        }
        // Mutations of the examples: one character replaced, inserted or removed.
        for example in examples where !example.isEmpty {
            let chars = Array(example)
            for _ in 0..<60 {
                var mutated = chars
                let at = next() % mutated.count
                switch next() % 3 {
                case 0: mutated[at] = alphabet[next() % alphabet.count]
                case 1: mutated.insert(alphabet[next() % alphabet.count], at: at)
                default: mutated.remove(at: at)
                }
                strings.append(String(mutated))
            }
        }
        return strings
    }

    @Test func agreesWithPyYAMLsPatterns() {
        var checked = 0
        for text in Self.examples + Self.corpus {
            let bytes = Array(text.utf8)
            #expect(PlainScalarShape.isInt(bytes) == (text.wholeMatch(of: Self.intPattern) != nil), "int: '\(text)'")
            #expect(
                PlainScalarShape.isFloat(bytes) == (text.wholeMatch(of: Self.floatPattern) != nil), "float: '\(text)'")
            #expect(
                PlainScalarShape.isTimestamp(bytes) == (text.wholeMatch(of: Self.timestampPattern) != nil),
                "timestamp: '\(text)'")
            checked += 1
        }
        #expect(checked > 20_000)
    }
}
