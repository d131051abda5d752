// Row types for table tests. Every row records the source line it was written on, so a failure
// points at the row (swift-system's `FilePathSyntaxTest` style), and prints its inputs.

import Testing

/// One input.
struct Text: Sendable, CustomTestStringConvertible {
    let text: String
    let location: SourceLocation
    init(_ text: String, location: SourceLocation = #_sourceLocation) {
        self.text = text
        self.location = location
    }
    var testDescription: String { "\(quoted(text)) (line \(location.line))" }
}

/// An input and the text expected from it.
struct Pair: Sendable, CustomTestStringConvertible {
    let input: String
    let expected: String
    let location: SourceLocation
    init(_ input: String, _ expected: String, location: SourceLocation = #_sourceLocation) {
        self.input = input
        self.expected = expected
        self.location = location
    }
    var testDescription: String { "\(quoted(input)) → \(quoted(expected)) (line \(location.line))" }
}

/// An input and an optional expected text (nil: "None" in the source table).
struct OptionalPair: Sendable, CustomTestStringConvertible {
    let input: String
    let expected: String?
    let location: SourceLocation
    init(_ input: String, _ expected: String?, location: SourceLocation = #_sourceLocation) {
        self.input = input
        self.expected = expected
        self.location = location
    }
    var testDescription: String { "\(quoted(input)) → \(expected.map(quoted) ?? "nil") (line \(location.line))" }
}

/// An input and a yes/no answer.
struct Flag: Sendable, CustomTestStringConvertible {
    let input: String
    let expected: Bool
    let location: SourceLocation
    init(_ input: String, _ expected: Bool, location: SourceLocation = #_sourceLocation) {
        self.input = input
        self.expected = expected
        self.location = location
    }
    var testDescription: String { "\(quoted(input)) → \(expected) (line \(location.line))" }
}

/// An input and a yes/no/unknown answer.
struct OptionalFlag: Sendable, CustomTestStringConvertible {
    let input: String
    let expected: Bool?
    let location: SourceLocation
    init(_ input: String, _ expected: Bool?, location: SourceLocation = #_sourceLocation) {
        self.input = input
        self.expected = expected
        self.location = location
    }
    var testDescription: String { "\(quoted(input)) → \(expected.map(String.init) ?? "nil") (line \(location.line))" }
}

/// Does `version` satisfy `spec`? `configured` is the set's own pre-release policy
/// (packaging's constructor argument), `argument` the one passed to `contains`.
/// `object` marks rows where the reference test passed a `Version` object, not a string.
struct Membership: Sendable, CustomTestStringConvertible {
    let spec: String
    let version: String
    let expected: Bool
    let configured: Bool?
    let argument: Bool?
    let object: Bool
    let location: SourceLocation
    init(
        _ spec: String, _ version: String, _ expected: Bool, configured: Bool? = nil, argument: Bool? = nil,
        object: Bool = false, location: SourceLocation = #_sourceLocation
    ) {
        self.spec = spec
        self.version = version
        self.expected = expected
        self.configured = configured
        self.argument = argument
        self.object = object
        self.location = location
    }
    var testDescription: String {
        "\(quoted(version)) in \(quoted(spec)) configured=\(configured.map(String.init) ?? "nil") argument=\(argument.map(String.init) ?? "nil") → \(expected) (line \(location.line))"
    }
}

/// `filter` of `input` by `spec`.
struct Filtering: Sendable, CustomTestStringConvertible {
    let spec: String
    let configured: Bool?
    let argument: Bool?
    let input: [String]
    let expected: [String]
    let location: SourceLocation
    init(
        _ spec: String, configured: Bool?, argument: Bool?, _ input: [String], _ expected: [String],
        location: SourceLocation = #_sourceLocation
    ) {
        self.spec = spec
        self.configured = configured
        self.argument = argument
        self.input = input
        self.expected = expected
        self.location = location
    }
    var testDescription: String { "\(quoted(spec)).filter(\(input)) (line \(location.line))" }
}

/// Evaluating `marker` in an environment; `expected` nil means an error.
struct Evaluation: Sendable, CustomTestStringConvertible {
    let marker: String
    let values: [String: String]
    let sets: [String: [String]]
    let expected: Bool?
    let location: SourceLocation
    init(
        _ marker: String, _ values: [String: String], sets: [String: [String]] = [:], _ expected: Bool?,
        location: SourceLocation = #_sourceLocation
    ) {
        self.marker = marker
        self.values = values
        self.sets = sets
        self.expected = expected
        self.location = location
    }
    var testDescription: String {
        "\(quoted(marker)) → \(expected.map(String.init) ?? "error") (line \(location.line))"
    }
}

/// An input and the whole error text expected for it (message, input, caret line).
struct Rendering: Sendable, CustomTestStringConvertible {
    let input: String
    let rendered: String
    let location: SourceLocation
    init(_ input: String, _ rendered: String, location: SourceLocation = #_sourceLocation) {
        self.input = input
        self.rendered = rendered
        self.location = location
    }
    var testDescription: String { "\(quoted(input)) (line \(location.line))" }
}

func quoted(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
        switch c {
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        default:
            if c.value < 0x20 || (c.value >= 0x7F && c.value < 0xA0) {
                out += "\\u{\(String(c.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(c)
            }
        }
    }
    return out + "\""
}
