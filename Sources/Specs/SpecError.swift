// The one error type of the Specs module.
//
// Traps:
// - Offsets are counted in Characters (what a terminal shows), not bytes: a caret under
//   "numpy>=1.0,<2 ; python_version < '3.8'" must land under the character at fault even when
//   the text holds non-ASCII letters. Parsers work on bytes or scalars and convert once, here.
// - The caret line follows pypa/packaging's `ParserSyntaxError` ("~" under the span, "^" after
//   it) so messages read the same as pip's; uv's `Pep508Error` draws the same shape.

/// A parse or evaluation error: what is wrong, in which input, and where.
public struct SpecError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What is wrong, without the input (e.g. "Expected end of dependency specifier").
    public let message: String
    /// The text that failed.
    public let input: String
    /// 0-based Character offset of the start of the problem in `input`.
    public let offset: Int
    /// Number of Characters the problem spans (0 points between two characters).
    public let length: Int

    public init(message: String, input: String, offset: Int, length: Int = 0) {
        self.message = message
        self.input = input
        self.offset = max(0, offset)
        self.length = max(0, length)
    }

    /// Builds an error from a span measured in Unicode scalars (what the PEP 508 and conda
    /// parsers count).
    init(message: String, input: String, scalarOffset: Int, scalarLength: Int = 0) {
        let start = Self.characterOffset(scalarOffset, in: input.unicodeScalars, of: input)
        let end = Self.characterOffset(scalarOffset + max(0, scalarLength), in: input.unicodeScalars, of: input)
        self.init(message: message, input: input, offset: start, length: end - start)
    }

    /// Builds an error from a span measured in UTF-8 bytes (what the PEP 440 parser counts).
    init(message: String, input: String, byteOffset: Int, byteLength: Int = 0) {
        let start = Self.characterOffset(byteOffset, in: input.utf8, of: input)
        let end = Self.characterOffset(byteOffset + max(0, byteLength), in: input.utf8, of: input)
        self.init(message: message, input: input, offset: start, length: end - start)
    }

    /// The message, the input, and a caret line under the span:
    ///
    ///     Expected end of dependency specifier
    ///         name @@ url
    ///              ^
    public var description: String {
        // The input is printed as it is (as packaging does), even when it holds a line break.
        let marker = String(repeating: " ", count: offset) + String(repeating: "~", count: length) + "^"
        return "\(message)\n    \(input)\n    \(marker)"
    }

    /// One line, for places such as JSON Lines output that cannot hold three.
    public var singleLine: String {
        "\(message) (column \(offset + 1) of \(pythonRepr(input)))"
    }

    /// The characters of `text` before the `offset`th element of `view`, its scalars or its bytes.
    static func characterOffset<View: Collection>(_ offset: Int, in view: View, of text: String) -> Int
    where View.Index == String.Index {
        guard offset > 0 else { return 0 }
        guard let index = view.index(view.startIndex, offsetBy: offset, limitedBy: view.endIndex) else {
            return text.count
        }
        return characterCount(upTo: index, in: text)
    }

    private static func characterCount(upTo index: String.Index, in text: String) -> Int {
        // A scalar or byte index inside a grapheme cluster counts the whole cluster before it.
        var count = 0
        var current = text.startIndex
        while current < text.endIndex {
            let next = text.index(after: current)
            if next > index { break }
            count += 1
            current = next
        }
        return count
    }
}

/// Python's `repr()` of a str, close enough for messages: single quotes unless the text holds one.
func pythonRepr(_ text: String) -> String {
    let quote: Unicode.Scalar = text.contains("'") && !text.contains("\"") ? "\"" : "'"
    return PythonStringLiteral.quoted(text, quote: quote, quoteEscape: "\\" + String(quote))
}
