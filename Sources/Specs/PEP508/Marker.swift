// PEP 508 environment markers: the parsed tree and its canonical spelling.
// https://packaging.python.org/en/latest/specifications/dependency-specifiers/#environment-markers
//
// Traps (rows in PEP508MarkerTests):
// - `and` binds tighter than `or`; parentheses group. The tree keeps the parser's shape (a list
//   of atoms joined by and/or) because packaging's `str(Marker)` depends on it: redundant
//   parentheses vanish ("(a)" prints "a") but needed ones stay ("(a or b) and c").
// - Variable spellings fold: "os.name" → os_name, "python_implementation" →
//   platform_python_implementation.
// - Values print with double quotes unless they contain one.
// - `extra == "Foo_Bar"` is stored normalised ("foo-bar", PEP 685), and so is the value in
//   `"Foo" in extras` / `dependency_groups`.
// - Either side may be a variable or a string: `"3.8" < python_version` is valid.
// - Nesting deeper than 200 parentheses is an error (packaging 26.4).

/// One side of a marker comparison.
public enum MarkerOperand: Hashable, Sendable, CustomStringConvertible {
    case variable(String)
    case value(String)

    public var description: String {
        switch self {
        case .variable(let name): return name
        case .value(let text):
            let quote = !text.containsScalar("\"") ? "\"" : (!text.containsScalar("'") ? "'" : "")
            if !quote.isEmpty {
                let plain = quote + text + quote
                // packaging prints the value between quotes as it is; that only reads back when
                // nothing in it looks like an escape or a line break.
                if PythonStringLiteral.decode(Array(plain.unicodeScalars)[...]).map({ $0.utf8.elementsEqual(text.utf8) }
                ) == true {
                    return plain
                }
            }
            // Deliberate difference: where packaging's text would not parse back (or packaging
            // raises, for a value with both quote characters) print an escaped literal.
            return PythonStringLiteral.escaped(text)
        }
    }

    // By code points, as Python compares strings.
    public static func == (lhs: MarkerOperand, rhs: MarkerOperand) -> Bool {
        switch (lhs, rhs) {
        case (.variable(let a), .variable(let b)), (.value(let a), .value(let b)): return a.scalarsEqual(b)
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .variable(let a):
            hasher.combine(0)
            hasher.combine(Array(a.utf8))
        case .value(let a):
            hasher.combine(1)
            hasher.combine(Array(a.utf8))
        }
    }
}

public enum MarkerOperator: String, Hashable, Sendable, CaseIterable {
    case arbitraryEqual = "==="
    case equal = "=="
    case compatible = "~="
    case notEqual = "!="
    case lessThanOrEqual = "<="
    case greaterThanOrEqual = ">="
    case lessThan = "<"
    case greaterThan = ">"
    case `in` = "in"
    case notIn = "not in"
}

/// `lhs op rhs`, with where it was written (for evaluation errors).
public struct MarkerComparison: Hashable, Sendable, CustomStringConvertible {
    public let lhs: MarkerOperand
    public let op: MarkerOperator
    public let rhs: MarkerOperand
    /// Byte range of the comparison in the text it was parsed from.
    let sourceRange: Range<Int>

    public init(lhs: MarkerOperand, op: MarkerOperator, rhs: MarkerOperand) {
        self.init(lhs: lhs, op: op, rhs: rhs, sourceRange: 0..<0)
    }

    init(lhs: MarkerOperand, op: MarkerOperator, rhs: MarkerOperand, sourceRange: Range<Int>) {
        self.lhs = lhs
        self.op = op
        self.rhs = rhs
        self.sourceRange = sourceRange
    }

    public var description: String { "\(lhs) \(op.rawValue) \(rhs)" }

    public static func == (a: MarkerComparison, b: MarkerComparison) -> Bool {
        a.lhs == b.lhs && a.op == b.op && a.rhs == b.rhs
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(lhs)
        hasher.combine(op)
        hasher.combine(rhs)
    }
}

/// A marker as a boolean expression, for code that reasons about markers (static evaluation,
/// simplification). `and` children of `or`, never nested alike.
public indirect enum MarkerExpression: Hashable, Sendable {
    case comparison(MarkerComparison)
    case and([MarkerExpression])
    case or([MarkerExpression])
}

/// The parser's shape: atoms joined by `and`/`or` (`ops.count == atoms.count - 1`).
struct MarkerList: Hashable, Sendable {
    enum BoolOp: String, Hashable, Sendable {
        case and, or
    }

    indirect enum Atom: Hashable, Sendable {
        case comparison(MarkerComparison)
        case group(MarkerList)
    }

    var atoms: [Atom]
    var ops: [BoolOp]

    /// packaging's `_format_marker`.
    func format(first: Bool) -> String {
        if atoms.count == 1 { return Self.format(atoms[0], first: first) }
        var parts: [String] = []
        for (i, atom) in atoms.enumerated() {
            if i > 0 { parts.append(ops[i - 1].rawValue) }
            parts.append(Self.format(atom, first: false))
        }
        let inner = parts.joined(separator: " ")
        return first ? inner : "(" + inner + ")"
    }

    static func format(_ atom: Atom, first: Bool) -> String {
        switch atom {
        case .comparison(let c): return c.description
        case .group(let list): return list.format(first: first)
        }
    }

    var expression: MarkerExpression {
        var alternatives: [MarkerExpression] = []
        var current: [MarkerExpression] = []
        for (i, atom) in atoms.enumerated() {
            if i > 0 && ops[i - 1] == .or {
                alternatives.append(current.count == 1 ? current[0] : .and(current))
                current = []
            }
            switch atom {
            case .comparison(let c): current.append(.comparison(c))
            case .group(let list): current.append(list.expression)
            }
        }
        alternatives.append(current.count == 1 ? current[0] : .and(current))
        return alternatives.count == 1 ? alternatives[0] : .or(alternatives)
    }
}

/// A parsed PEP 508 environment marker (`python_version >= "3.8" and os_name == "posix"`).
public struct Marker: Hashable, Sendable, CustomStringConvertible {
    let tree: MarkerList
    /// The text the marker was parsed from (a whole requirement when it came from one); used
    /// to point at the comparison an evaluation error is about.
    let source: String

    init(tree: MarkerList, source: String) {
        self.tree = tree
        self.source = source
    }

    /// Parses a marker expression.
    public init(parsing text: String) throws(SpecError) {
        self = try text.withBytes { b in
            var parser = DependencyParser(b, text: text)
            return parser.parseFullMarker().map { Marker(tree: $0, source: text) }
        }
    }

    /// packaging's `str(Marker)`: normalised variable names, double quotes, single spaces and
    /// only the parentheses that change meaning.
    public var description: String { tree.format(first: true) }

    /// The marker as a boolean expression tree.
    public var expression: MarkerExpression { tree.expression }

    /// The text this marker was parsed from (the whole requirement when it came from one): a
    /// cheap key for caching evaluations, unlike `description`, which formats the tree.
    public var sourceText: String { source }

    // packaging compares markers by their printed form.
    public static func == (lhs: Marker, rhs: Marker) -> Bool { lhs.description.scalarsEqual(rhs.description) }
    public func hash(into hasher: inout Hasher) { hasher.combine(Array(description.utf8)) }
}
