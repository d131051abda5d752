// The only file that calls libyaml. Loads one document with the document API
// (`yaml_parser_load`) and copies it into `YAMLNode` values.
//
// Note on tags: libyaml's document API fills in the default `!!str`/`!!seq`/`!!map` tag for
// untagged nodes, so an explicit `!!str` on a plain scalar cannot be told apart from no tag;
// such a scalar is typed as if untagged. No MLflow writer emits that.

import CYAML

public struct YAMLError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        /// Bytes that are not valid UTF-8/UTF-16, or control characters YAML forbids.
        case reader
        case scanner
        case parser
        /// Anything after the first document, alias bombs, or a libyaml memory error.
        case composer
    }

    public let kind: Kind
    /// The parser's reason, e.g. "mapping values are not allowed in this context".
    public let message: String
    public let mark: Mark
    /// What the parser was doing, with where that started ("while scanning a quoted scalar" at 3:7).
    public let context: String?
    public let contextMark: Mark?

    public var description: String {
        var text = "\(mark): \(message)"
        if let context {
            text += " (\(context)"
            if let contextMark { text += " started at \(contextMark)" }
            text += ")"
        }
        return text
    }
}

public enum YAMLLoader {
    /// Upper bound on nodes after alias expansion: a document whose aliases multiply past
    /// this is refused ("billion laughs"), since each alias is copied into the value tree.
    public static let maximumNodeCount = 1_000_000
    /// Nesting limit; MLflow's files nest a handful of levels.
    public static let maximumDepth = 256
    /// Upper bound on scalar bytes after alias expansion, beyond the input's own size: one
    /// 1 MB anchored scalar referenced 3,000 times is 3 GB of text while only 3,000 nodes.
    public static let maximumExpandedBytes = 64 << 20

    /// What copying the document into a tree may still spend.
    struct Budget {
        var nodes: Int
        var bytes: Int
    }

    /// Where flow collections (`[`, `{`) first nest deeper than `limit`, from one linear pass
    /// that skips quoted scalars and comments; nil when they never do. libyaml's own work grows
    /// with the square of the flow depth, so depth is bounded before it sees the text.
    static func flowDepthExceeded(_ bytes: [UInt8], limit: Int) -> Mark? {
        var depth = 0, line = 1, column = 1
        var quote: UInt8 = 0
        var comment = false
        var previous: UInt8 = 0x0A
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            defer {
                if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
                previous = b
                i += 1
            }
            if b == 0x0A { comment = false; continue }
            if comment { continue }
            if quote != 0 {
                if quote == UInt8(ascii: "\"") && b == UInt8(ascii: "\\") && i + 1 < bytes.count && bytes[i + 1] != 0x0A {
                    i += 1
                    column += 1
                } else if b == quote {
                    quote = 0
                }
                continue
            }
            switch b {
            case UInt8(ascii: "#") where previous == 0x20 || previous == 0x09 || previous == 0x0A: comment = true
            case UInt8(ascii: "\""), UInt8(ascii: "'"): quote = b
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                if depth > limit { return Mark(line: line, column: column) }
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth = max(0, depth - 1)
            default: break
            }
        }
        return nil
    }

    /// Parses exactly one YAML document. An empty stream gives `nil` (PyYAML's `None`).
    public static func load(_ bytes: [UInt8]) throws(YAMLError) -> YAMLNode? {
        if let mark = flowDepthExceeded(bytes, limit: maximumDepth) {
            throw YAMLError(kind: .composer, message: "the document nests deeper than \(maximumDepth) levels; refusing to load it",
                            mark: mark, context: nil, contextMark: nil)
        }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) != 0 else {
            throw YAMLError(kind: .composer, message: "libyaml could not initialise a parser", mark: Mark(line: 1, column: 1), context: nil, contextMark: nil)
        }
        defer { yaml_parser_delete(&parser) }

        return try bytes.withUnsafeBufferPointer { buffer throws(YAMLError) -> YAMLNode? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)

            var document = yaml_document_t()
            guard yaml_parser_load(&parser, &document) != 0 else {
                throw parserError(&parser, buffer)
            }
            defer { yaml_document_delete(&document) }
            guard let root = yaml_document_get_root_node(&document) else { return nil }

            var budget = Budget(nodes: maximumNodeCount, bytes: maximumExpandedBytes + buffer.count)
            let tree = try copyNode(root, in: &document, budget: &budget)

            // PyYAML's safe_load: "expected a single document in the stream".
            var next = yaml_document_t()
            guard yaml_parser_load(&parser, &next) != 0 else { throw parserError(&parser, buffer) }
            defer { yaml_document_delete(&next) }
            if let extra = yaml_document_get_root_node(&next) {
                throw YAMLError(kind: .composer, message: "expected a single document in the stream, but found another document",
                                mark: mark(extra.pointee.start_mark), context: nil, contextMark: nil)
            }
            return tree
        }
    }

    public static func load(string: String) throws(YAMLError) -> YAMLNode? {
        try load(Array(string.utf8))
    }

    private static func mark(_ m: yaml_mark_t) -> Mark {
        Mark(line: Int(m.line) + 1, column: Int(m.column) + 1)
    }

    private static func parserError(_ parser: inout yaml_parser_t, _ buffer: UnsafeBufferPointer<UInt8>) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
        let context = parser.context.map { String(cString: $0) }
        switch parser.error {
        case YAML_READER_ERROR:
            // Reader errors carry a byte offset, not a mark.
            let offset = min(Int(parser.problem_offset), buffer.count)
            var line = 1
            var column = 1
            for b in buffer[0..<offset] {
                if b == 0x0A { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
            }
            var message = problem
            if parser.problem_value != -1 {
                message += " (byte 0x\(String(UInt8(truncatingIfNeeded: parser.problem_value), radix: 16, uppercase: true)))"
            }
            if problem.contains("UTF-8") || problem.contains("UTF-16") { message += "; the file is not valid UTF-8" }
            return YAMLError(kind: .reader, message: message, mark: Mark(line: line, column: column), context: nil, contextMark: nil)
        case YAML_SCANNER_ERROR:
            return YAMLError(kind: .scanner, message: problem, mark: mark(parser.problem_mark), context: context,
                             contextMark: context == nil ? nil : mark(parser.context_mark))
        case YAML_PARSER_ERROR:
            return YAMLError(kind: .parser, message: problem, mark: mark(parser.problem_mark), context: context,
                             contextMark: context == nil ? nil : mark(parser.context_mark))
        case YAML_MEMORY_ERROR:
            return YAMLError(kind: .composer, message: "libyaml ran out of memory", mark: Mark(line: 1, column: 1), context: nil, contextMark: nil)
        default:
            return YAMLError(kind: .composer, message: problem, mark: mark(parser.problem_mark), context: context,
                             contextMark: context == nil ? nil : mark(parser.context_mark))
        }
    }

    private static let defaultTags: Set<String> = [
        "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map",
    ]

    private static func copyNode(_ node: UnsafeMutablePointer<yaml_node_t>, in document: inout yaml_document_t,
                                 budget: inout Budget, depth: Int = 0) throws(YAMLError) -> YAMLNode {
        budget.nodes -= 1
        guard depth < maximumDepth else {
            throw YAMLError(kind: .composer, message: "the document nests deeper than \(maximumDepth) levels; refusing to load it",
                            mark: mark(node.pointee.start_mark), context: nil, contextMark: nil)
        }
        guard budget.nodes >= 0 else {
            throw YAMLError(kind: .composer, message: "the document expands to more than \(maximumNodeCount) nodes through aliases; refusing to load it",
                            mark: mark(node.pointee.start_mark), context: nil, contextMark: nil)
        }
        let n = node.pointee
        let at = mark(n.start_mark)
        var tag: String? = n.tag.map { String(cString: $0) }
        if let t = tag, defaultTags.contains(t) { tag = nil }

        switch n.type {
        case YAML_SCALAR_NODE:
            let scalar = n.data.scalar
            let text: String
            budget.bytes -= Int(scalar.length)
            guard budget.bytes >= 0 else {
                throw YAMLError(kind: .composer, message: "the document expands to more than \(maximumExpandedBytes >> 20) MiB of text beyond its own size through aliases; refusing to load it",
                                mark: at, context: nil, contextMark: nil)
            }
            if let value = scalar.value, scalar.length > 0 {
                // libyaml has already validated the encoding and handed us UTF-8.
                text = String(decoding: UnsafeBufferPointer(start: value, count: Int(scalar.length)), as: UTF8.self)
            } else {
                text = ""
            }
            let style: ScalarStyle
            switch scalar.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            return YAMLNode(kind: .scalar(text, style), mark: at, tag: tag)

        case YAML_SEQUENCE_NODE:
            var items: [YAMLNode] = []
            var item = n.data.sequence.items.start
            let top = n.data.sequence.items.top
            while let current = item, current != top {
                guard let child = yaml_document_get_node(&document, current.pointee) else { break }
                items.append(try copyNode(child, in: &document, budget: &budget, depth: depth + 1))
                item = current.advanced(by: 1)
            }
            return YAMLNode(kind: .sequence(items), mark: at, tag: tag)

        case YAML_MAPPING_NODE:
            var pairs: [YAMLPair] = []
            var pair = n.data.mapping.pairs.start
            let top = n.data.mapping.pairs.top
            while let current = pair, current != top {
                guard let keyNode = yaml_document_get_node(&document, current.pointee.key),
                      let valueNode = yaml_document_get_node(&document, current.pointee.value) else { break }
                let key = try copyNode(keyNode, in: &document, budget: &budget, depth: depth + 1)
                let value = try copyNode(valueNode, in: &document, budget: &budget, depth: depth + 1)
                pairs.append(YAMLPair(key: key, value: value))
                pair = current.advanced(by: 1)
            }
            return YAMLNode(kind: .mapping(pairs), mark: at, tag: tag)

        default:
            return YAMLNode(kind: .scalar("", .plain), mark: at, tag: tag)
        }
    }
}
