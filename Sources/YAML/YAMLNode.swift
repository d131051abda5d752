// A YAML document as a Swift value: scalars keep the text as written and their style,
// mappings keep their order (and duplicate keys, which PyYAML silently lets the last one win),
// every node carries the 1-based line and column where it starts.

/// A position in a source file, 1-based, as editors and compilers print them.
public struct Mark: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    public var description: String { "\(line):\(column)" }
    public static func < (a: Mark, b: Mark) -> Bool { (a.line, a.column) < (b.line, b.column) }
}

public enum ScalarStyle: String, Hashable, Sendable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

public struct YAMLPair: Hashable, Sendable {
    public let key: YAMLNode
    public let value: YAMLNode
    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

public struct YAMLNode: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case scalar(String, ScalarStyle)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public let kind: Kind
    public let mark: Mark
    /// An explicit tag other than the default ones (`!!python/tuple`, `!custom`), if any.
    public let tag: String?

    public init(kind: Kind, mark: Mark, tag: String? = nil) {
        self.kind = kind
        self.mark = mark
        self.tag = tag
    }

    // MARK: Access

    /// The scalar's text exactly as written (after YAML unquoting), whatever type PyYAML
    /// would give it. Use this where the schema wants a string: `python_version: 3.10`
    /// is the string "3.10" here, not the float 3.1.
    public var scalarText: String? {
        if case .scalar(let text, _) = kind { return text }
        return nil
    }

    public var style: ScalarStyle? {
        if case .scalar(_, let style) = kind { return style }
        return nil
    }

    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    public var pairs: [YAMLPair]? {
        if case .mapping(let pairs) = kind { return pairs }
        return nil
    }

    public var isScalar: Bool { scalarText != nil }
    public var isMapping: Bool { pairs != nil }
    public var isSequence: Bool { sequence != nil }

    /// The value for a string key in a mapping; with duplicate keys the last wins, as in PyYAML.
    public subscript(key: String) -> YAMLNode? {
        guard let pairs else { return nil }
        for pair in pairs.reversed() where pair.key.scalarText == key { return pair.value }
        return nil
    }

    /// The typed value PyYAML's safe loader (YAML 1.1 resolver) would construct.
    public var resolved: YAMLScalarValue? {
        guard case .scalar(let text, let style) = kind else { return nil }
        if let tag { return YAMLScalarValue.resolve(explicitTag: tag, text: text) }
        return style == .plain ? YAMLScalarValue.resolvePlain(text) : .string(text)
    }

    /// True for `null`, `~`, an empty plain scalar.
    public var isNull: Bool {
        if case .null = resolved { return true }
        return false
    }

    /// The YAML kind as a user reads it in an error message.
    public var kindName: String {
        switch kind {
        case .scalar:
            switch resolved {
            case .null: return "null"
            case .bool: return "boolean"
            case .int: return "integer"
            case .float: return "number"
            case .timestamp: return "timestamp"
            default: return "string"
            }
        case .sequence: return "list"
        case .mapping: return "mapping"
        }
    }
}
