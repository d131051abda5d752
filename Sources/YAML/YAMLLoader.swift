// The only file that calls libyaml. Reads one document from libyaml's event stream
// (`yaml_parser_parse`) and builds `YAMLNode` values from it, bounding depth, alias expansion
// and directives as it goes (see `load`).
//
// Note on tags: libyaml's document API, which this loader replaced, filled in the default
// `!!str`/`!!seq`/`!!map` tag for untagged nodes, so an explicit `!!str` on a plain scalar could
// not be told apart from no tag; the loader keeps that (such a scalar is typed as if untagged).
// No MLflow writer emits that.

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

    /// Upper bound on `%TAG` directives: libyaml compares each new one with every earlier one
    /// (and each tag handle with all of them), so their cost grows with the square of their
    /// number (40,000 took 3.5 s); a YAML file needs a handful at most.
    public static let maximumTagDirectives = 100

    /// What building the tree may still spend.
    struct Budget {
        var nodes: Int
        var bytes: Int
    }

    /// Where the first `%TAG` directive past `limit` starts, from one linear pass; nil when there
    /// are at most `limit`. A directive is a line starting with `%TAG`; a line of a multi-line
    /// scalar starting so at column 0 counts too (over-counting can only refuse an absurd
    /// document, under-counting would let libyaml's quadratic work through).
    static func tagDirectivesExceeded(_ bytes: [UInt8], limit: Int) -> Mark? {
        var count = 0
        var line = 1
        var i = 0
        while i < bytes.count {
            if bytes.count - i > 4, bytes[i] == UInt8(ascii: "%"), bytes[i + 1] == UInt8(ascii: "T"),
                bytes[i + 2] == UInt8(ascii: "A"),
                bytes[i + 3] == UInt8(ascii: "G"), bytes[i + 4] == 0x20 || bytes[i + 4] == 0x09
            {
                count += 1
                if count > limit { return Mark(line: line, column: 1) }
            }
            while i < bytes.count, bytes[i] != 0x0A { i += 1 }
            i += 1
            line += 1
        }
        return nil
    }

    /// Parses exactly one YAML document. An empty stream gives `nil` (PyYAML's `None`).
    ///
    /// The tree is built from libyaml's event stream, not its document API (`yaml_parser_load`),
    /// so that every bound holds while libyaml reads, not after: the nesting limit stops the
    /// parse at the first node past it (libyaml's scanner does work proportional to the flow
    /// depth for every token: 80,000 nested `[` took 20 s before the tree could be checked), and
    /// anchors live in a dictionary (libyaml's loader compares each anchor and alias with every
    /// earlier anchor: 40,000 anchors took 3.6 s). The work is linear in the input.
    public static func load(_ bytes: [UInt8]) throws(YAMLError) -> YAMLNode? {
        if let mark = tagDirectivesExceeded(bytes, limit: maximumTagDirectives) {
            throw YAMLError(
                kind: .composer,
                message: "the document has more than \(maximumTagDirectives) %TAG directives; refusing to load it",
                mark: mark, context: nil, contextMark: nil)
        }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) != 0 else {
            throw YAMLError(
                kind: .composer, message: "libyaml could not initialise a parser", mark: Mark(line: 1, column: 1),
                context: nil, contextMark: nil)
        }
        defer { yaml_parser_delete(&parser) }

        return try bytes.withUnsafeBufferPointer { buffer throws(YAMLError) -> YAMLNode? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            let reader = EventReader(buffer: buffer)
            try reader.skip(&parser)  // STREAM-START
            guard try reader.startsDocument(&parser) else { return nil }
            var composer = Composer(budget: Budget(nodes: maximumNodeCount, bytes: maximumExpandedBytes + buffer.count))
            let tree = try composer.document(&parser, reader)
            try reader.skip(&parser)  // DOCUMENT-END

            // PyYAML's safe_load: "expected a single document in the stream". The second document
            // is read to its end, under the same bounds, so a syntax error in it is reported
            // first, as libyaml's loader did.
            guard try reader.startsDocument(&parser) else { return tree }
            var second = Composer(budget: Budget(nodes: maximumNodeCount, bytes: maximumExpandedBytes + buffer.count))
            let extra = try second.document(&parser, reader)
            throw YAMLError(
                kind: .composer, message: "expected a single document in the stream, but found another document",
                mark: extra.mark, context: nil, contextMark: nil)
        }
    }

    public static func load(string: String) throws(YAMLError) -> YAMLNode? {
        try load(Array(string.utf8))
    }

    static func mark(_ m: yaml_mark_t) -> Mark {
        Mark(line: Int(m.line) + 1, column: Int(m.column) + 1)
    }

    static func parserError(_ parser: inout yaml_parser_t, _ buffer: UnsafeBufferPointer<UInt8>) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown error"
        let context = parser.context.map { String(cString: $0) }
        switch parser.error {
        case YAML_READER_ERROR:
            // Reader errors carry a byte offset, not a mark.
            let offset = min(Int(parser.problem_offset), buffer.count)
            var line = 1
            var column = 1
            for b in buffer[0..<offset] {
                if b == 0x0A {
                    line += 1
                    column = 1
                } else if b & 0xC0 != 0x80 {
                    column += 1
                }
            }
            var message = problem
            if parser.problem_value != -1 {
                message +=
                    " (byte 0x\(String(UInt8(truncatingIfNeeded: parser.problem_value), radix: 16, uppercase: true)))"
            }
            if problem.contains("UTF-8") || problem.contains("UTF-16") { message += "; the file is not valid UTF-8" }
            return YAMLError(
                kind: .reader, message: message, mark: Mark(line: line, column: column), context: nil, contextMark: nil)
        case YAML_SCANNER_ERROR:
            return YAMLError(
                kind: .scanner, message: problem, mark: mark(parser.problem_mark), context: context,
                contextMark: context == nil ? nil : mark(parser.context_mark))
        case YAML_PARSER_ERROR:
            return YAMLError(
                kind: .parser, message: problem, mark: mark(parser.problem_mark), context: context,
                contextMark: context == nil ? nil : mark(parser.context_mark))
        case YAML_MEMORY_ERROR:
            return YAMLError(
                kind: .composer, message: "libyaml ran out of memory", mark: Mark(line: 1, column: 1), context: nil,
                contextMark: nil)
        default:
            return YAMLError(
                kind: .composer, message: problem, mark: mark(parser.problem_mark), context: context,
                contextMark: context == nil ? nil : mark(parser.context_mark))
        }
    }

    /// The tags libyaml's loader replaced by the default one, which a node then does not keep.
    private static let defaultTags: Set<String> = [
        "!", "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
    ]

    static func tagName(_ tag: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let tag else { return nil }
        let name = String(cString: tag)
        return defaultTags.contains(name) ? nil : name
    }

    static func tooDeep(at mark: Mark) -> YAMLError {
        YAMLError(
            kind: .composer, message: "the document nests deeper than \(maximumDepth) levels; refusing to load it",
            mark: mark, context: nil, contextMark: nil)
    }

    /// Pulls events from the parser, turning a failure into a YAMLError.
    struct EventReader {
        let buffer: UnsafeBufferPointer<UInt8>

        /// The next event; the caller deletes it (`yaml_event_delete`).
        func next(_ parser: inout yaml_parser_t) throws(YAMLError) -> yaml_event_t {
            var event = yaml_event_t()
            guard yaml_parser_parse(&parser, &event) != 0 else { throw parserError(&parser, buffer) }
            return event
        }

        func skip(_ parser: inout yaml_parser_t) throws(YAMLError) {
            var event = try next(&parser)
            yaml_event_delete(&event)
        }

        /// True after a DOCUMENT-START event, false after STREAM-END.
        func startsDocument(_ parser: inout yaml_parser_t) throws(YAMLError) -> Bool {
            var event = try next(&parser)
            defer { yaml_event_delete(&event) }
            return event.type == YAML_DOCUMENT_START_EVENT
        }
    }

    /// Builds one document's tree from its node events, checking the depth limit and the
    /// budgets at every node and keeping anchors in a dictionary.
    struct Composer {
        var budget: Budget

        /// A finished anchored node, with what one alias of it costs.
        struct Anchored {
            let node: YAMLNode
            let nodes: Int
            let bytes: Int
            /// Levels below the node (0 for a scalar).
            let height: Int
            let mark: Mark
        }
        var anchors: [String: Anchored] = [:]
        /// Anchors of collections still open: an alias to one would make a recursive structure.
        var openAnchors: [String: Mark] = [:]

        struct Frame {
            let isMapping: Bool
            let mark: Mark
            let tag: String?
            let anchor: String?
            var items: [YAMLNode] = []
            var pairs: [YAMLPair] = []
            var key: YAMLNode? = nil
            /// Nodes and scalar bytes of the subtree so far (aliases expanded), and its height.
            var nodes = 1
            var bytes = 0
            var height = 0
        }

        /// A new node at `depth` (the root is at 0): counted, and refused past the limits.
        mutating func enter(depth: Int, at mark: Mark) throws(YAMLError) {
            budget.nodes -= 1
            guard depth < maximumDepth else { throw tooDeep(at: mark) }
            guard budget.nodes >= 0 else { throw tooManyNodes(at: mark) }
        }

        func tooManyNodes(at mark: Mark) -> YAMLError {
            YAMLError(
                kind: .composer,
                message:
                    "the document expands to more than \(maximumNodeCount) nodes through aliases; refusing to load it",
                mark: mark, context: nil, contextMark: nil)
        }

        mutating func spend(bytes: Int, at mark: Mark) throws(YAMLError) {
            budget.bytes -= bytes
            guard budget.bytes >= 0 else {
                throw YAMLError(
                    kind: .composer,
                    message:
                        "the document expands to more than \(maximumExpandedBytes >> 20) MiB of text beyond its own size through aliases; refusing to load it",
                    mark: mark, context: nil, contextMark: nil)
            }
        }

        /// An anchor name used twice in a document is refused, as libyaml's loader refused it.
        func checkNew(anchor: String?, at mark: Mark) throws(YAMLError) {
            guard let anchor else { return }
            if let first = anchors[anchor]?.mark ?? openAnchors[anchor] {
                throw YAMLError(
                    kind: .composer, message: "second occurrence", mark: mark,
                    context: "found duplicate anchor; first occurrence", contextMark: first)
            }
        }

        /// Reads the events of one document's root node (after DOCUMENT-START) into a tree.
        mutating func document(_ parser: inout yaml_parser_t, _ reader: EventReader) throws(YAMLError) -> YAMLNode {
            var frames: [Frame] = []
            while true {
                var event = try reader.next(&parser)
                defer { yaml_event_delete(&event) }
                let at = mark(event.start_mark)
                let node: YAMLNode
                var nodes = 1
                var bytes = 0
                var height = 0
                switch event.type {
                case YAML_SCALAR_EVENT:
                    let scalar = event.data.scalar
                    try enter(depth: frames.count, at: at)
                    let anchor = scalar.anchor.map { String(cString: $0) }
                    try checkNew(anchor: anchor, at: at)
                    bytes = Int(scalar.length)
                    try spend(bytes: bytes, at: at)
                    let text: String
                    if let value = scalar.value, scalar.length > 0 {
                        // libyaml has already validated the encoding and handed us UTF-8.
                        text = String(
                            decoding: UnsafeBufferPointer(start: value, count: Int(scalar.length)), as: UTF8.self)
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
                    node = YAMLNode(kind: .scalar(text, style), mark: at, tag: tagName(scalar.tag))
                    if let anchor {
                        anchors[anchor] = Anchored(node: node, nodes: 1, bytes: bytes, height: 0, mark: at)
                    }

                case YAML_ALIAS_EVENT:
                    let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
                    guard let anchored = anchors[name] else {
                        if openAnchors[name] != nil {
                            throw YAMLError(
                                kind: .composer,
                                message:
                                    "the alias *\(name) is inside the node it refers to (a recursive structure); refusing to load it",
                                mark: at, context: nil, contextMark: nil)
                        }
                        throw YAMLError(
                            kind: .composer, message: "found undefined alias", mark: at, context: nil, contextMark: nil)
                    }
                    // A copy costs what the anchored node cost, and nests as deep as it does.
                    guard frames.count + anchored.height < maximumDepth else { throw tooDeep(at: at) }
                    budget.nodes -= anchored.nodes
                    guard budget.nodes >= 0 else { throw tooManyNodes(at: at) }
                    try spend(bytes: anchored.bytes, at: at)
                    node = anchored.node
                    (nodes, bytes, height) = (anchored.nodes, anchored.bytes, anchored.height)

                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    try enter(depth: frames.count, at: at)
                    let isMapping = event.type == YAML_MAPPING_START_EVENT
                    let anchor = (isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor).map {
                        String(cString: $0)
                    }
                    try checkNew(anchor: anchor, at: at)
                    if let anchor { openAnchors[anchor] = at }
                    let tag = tagName(isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag)
                    frames.append(Frame(isMapping: isMapping, mark: at, tag: tag, anchor: anchor))
                    continue

                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let frame = frames.popLast() else { continue }
                    node = YAMLNode(
                        kind: frame.isMapping ? .mapping(frame.pairs) : .sequence(frame.items), mark: frame.mark,
                        tag: frame.tag)
                    (nodes, bytes, height) = (frame.nodes, frame.bytes, frame.height)
                    if let anchor = frame.anchor {
                        openAnchors[anchor] = nil
                        anchors[anchor] = Anchored(
                            node: node, nodes: nodes, bytes: bytes, height: height, mark: frame.mark)
                    }

                default:
                    // Stream and document events do not occur inside a document's root node.
                    continue
                }

                guard !frames.isEmpty else { return node }
                let top = frames.count - 1
                frames[top].nodes += nodes
                frames[top].bytes += bytes
                frames[top].height = max(frames[top].height, height + 1)
                if !frames[top].isMapping {
                    frames[top].items.append(node)
                } else if let key = frames[top].key {
                    frames[top].pairs.append(YAMLPair(key: key, value: node))
                    frames[top].key = nil
                } else {
                    frames[top].key = node
                }
            }
        }
    }
}
