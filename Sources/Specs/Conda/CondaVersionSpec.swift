// conda version specs (conda's `VersionSpec`): "1.7.*", ">=1.8,<2|1.7.1", "~=3.3.2", "^1\.7\..*$".
//
// Traps (rows in CondaVersionSpecTests, ported from conda's test_version.py):
// - "," (and) binds tighter than "|" (or); parentheses group ("treeify").
// - "1.7" means ==1.7 (exact, 1.7.0 too); "1.7*" and "1.7.*" and "=1.7" mean "starts with
//   1.7", which includes 1.7 itself and 1.7.0 but not 1.70.
// - "!=1.7.*" means "does not start with 1.7"; ">=1.7.*" and "=1.7.*" drop the ".*"; "~=1.7.*"
//   is an error; "<1.7.*", "==1.7.*" and ">1.7.*" drop it (conda warns).
// - "~=1.7.2" is ">=1.7.2" and "starts with 1.7".
// - A "*" inside ("1.*.2", "*.7.*") makes a glob over the version text; "^...$" is a regex over
//   it; a spec with "@" compares the text exactly. These match the record's version as
//   written, not its normalised form.
// - No whitespace after an operator ("<= 1.2" is invalid), no "===" (conda has none).
// - conda prints "(1.6|1.7),1.8" as "1.6|1.7,1.8", which reads back differently; we keep the
//   parentheses a "|" needs inside "," (deliberate difference, tested).
// - conda accepts "~=1" and fails when matching; we reject it when parsing.
// - Parentheses nest at most 200 deep (the tree is walked recursively).

public struct CondaVersionSpec: Hashable, Sendable, CustomStringConvertible {
    enum CompareOp: String, Sendable {
        case equal = "=="
        case notEqual = "!="
        case lessThanOrEqual = "<="
        case greaterThanOrEqual = ">="
        case lessThan = "<"
        case greaterThan = ">"
    }

    enum Leaf: Sendable {
        case any
        case compare(CompareOp, CondaVersion)
        case startsWith(CondaVersion)
        case notStartsWith(CondaVersion)
        case compatible(CondaVersion, prefix: CondaVersion)
        case pattern(TextPattern)
        case exactText(String)
    }

    indirect enum Node: Sendable {
        case any([Node])  // "|"
        case all([Node])  // ","
        case leaf(Leaf, text: String)
    }

    let tree: Node
    /// The spec as written.
    public let source: String
    /// conda's `VersionSpec.spec`: normalised text ("1.7*" → "1.7.*").
    public let spec: String

    public init(parsing text: String) throws(SpecError) {
        source = text
        tree = try Self.build(text, input: text)
        spec = Self.render(tree, insideAll: false)
    }

    /// True for exact specs ("1.7", "==1.7", "1.2@x"); conda's `is_exact()`.
    public var isExact: Bool {
        switch tree {
        case .leaf(.compare(.equal, _), _), .leaf(.exactText, _): return true
        default: return false
        }
    }

    public var description: String { spec }

    public static func == (a: CondaVersionSpec, b: CondaVersionSpec) -> Bool { a.spec.scalarsEqual(b.spec) }
    public func hash(into hasher: inout Hasher) { hasher.combine(Array(spec.utf8)) }

    // MARK: Matching

    /// Whether `version` satisfies the spec. Patterns and exact-text specs see `version.source`.
    public func matches(_ version: CondaVersion) -> Bool { Self.matches(tree, version) }

    static func matches(_ node: Node, _ v: CondaVersion) -> Bool {
        switch node {
        case .any(let children): return children.contains { matches($0, v) }
        case .all(let children): return children.allSatisfy { matches($0, v) }
        case .leaf(let leaf, _):
            switch leaf {
            case .any: return true
            case .compare(let op, let w):
                let c = v.compare(to: w)
                switch op {
                case .equal: return c == 0
                case .notEqual: return c != 0
                case .lessThanOrEqual: return c <= 0
                case .greaterThanOrEqual: return c >= 0
                case .lessThan: return c < 0
                case .greaterThan: return c > 0
                }
            case .startsWith(let w): return v.starts(with: w)
            case .notStartsWith(let w): return !v.starts(with: w)
            case .compatible(let w, let prefix): return v.compare(to: w) >= 0 && v.starts(with: prefix)
            case .pattern(let p): return p.matches(v.source)
            case .exactText(let t): return t.utf8.elementsEqual(v.source.utf8)
            }
        }
    }

    // MARK: Printing

    static func render(_ node: Node, insideAll: Bool) -> String {
        switch node {
        case .leaf(_, let text): return text
        case .all(let children): return children.map { render($0, insideAll: true) }.joined(separator: ",")
        case .any(let children):
            let inner = children.map { render($0, insideAll: false) }.joined(separator: "|")
            return insideAll ? "(" + inner + ")" : inner
        }
    }

    // MARK: Parsing

    /// A tree as conda's `treeify` builds it: strings are leaves, arrays are (op, children).
    indirect enum Tree {
        case leaf(String)
        case op(Character, [Tree])
    }

    static func build(_ text: String, input: String) throws(SpecError) -> Node {
        // conda treeifies a string at most once per VersionSpec; a string that comes back as a
        // single leaf ("^1\\.7$") goes straight to the matcher.
        if hasSplitCharacter(text) {
            let tree = try treeify(text, input: input)
            if case .leaf(let s) = tree { return try leaf(PythonText.strip(s), input: input) }
            return try node(from: tree, input: input)
        }
        return try leaf(PythonText.strip(text), input: input)
    }

    static func node(from tree: Tree, input: String) throws(SpecError) -> Node {
        switch tree {
        case .leaf(let s):
            return try build(s, input: input)
        case .op(let op, let children):
            var nodes: [Node] = []
            for child in children { nodes.append(try node(from: child, input: input)) }
            return op == "|" ? .any(nodes) : .all(nodes)
        }
    }

    /// conda's `regex_split_re` (`.*[()|,^$]`): the first line holds one of those characters.
    static func hasSplitCharacter(_ text: String) -> Bool {
        for s in text.unicodeScalars {
            if s == "\n" { return false }
            if s == "(" || s == ")" || s == "|" || s == "," || s == "^" || s == "$" { return true }
        }
        return false
    }

    /// Tokens of conda's `VSPEC_TOKENS` over "(" + text + ")", each stripped.
    static func tokens(_ text: String) -> [String] {
        let s = Array(("(" + text + ")").unicodeScalars)
        var out: [String] = []
        var i = 0
        func isSpecial(_ c: Unicode.Scalar) -> Bool { c == "(" || c == ")" || c == "|" || c == "," }
        while i < s.count {
            var k = i
            while k < s.count && PythonText.isWhitespace(s[k]) { k += 1 }
            // \s*\^[^$]*[$]
            if k < s.count && s[k] == "^", let dollar = s[(k + 1)...].firstIndex(of: "$") {
                out.append(PythonText.strip(String(String.UnicodeScalarView(s[i...dollar]))))
                i = dollar + 1
                continue
            }
            // \s*[()|,]
            if k < s.count && isSpecial(s[k]) {
                out.append(String(Character(s[k])))
                i = k + 1
                continue
            }
            // [^()|,]+
            var j = i
            while j < s.count && !isSpecial(s[j]) { j += 1 }
            if j == i { j = i + 1 }  // unreachable: every character fits one alternative
            out.append(PythonText.strip(String(String.UnicodeScalarView(s[i..<j]))))
            i = j
        }
        return out
    }

    static func treeify(_ text: String, input: String) throws(SpecError) -> Tree {
        func fail(_ message: String) -> SpecError {
            SpecError(
                message: "Invalid version spec '\(text)': \(message)", input: input, offset: 0, length: input.count)
        }
        var output: [Tree] = []
        var stack: [Character] = []
        var openParentheses = 0
        func applyOps(_ stop: Set<Character>) throws(SpecError) {
            while let top = stack.last, !stop.contains(top) {
                guard output.count >= 2 else { throw fail("cannot join single expression") }
                let c = stack.removeLast()
                let right = output.removeLast()
                var left = output.removeLast()
                // `a,b,c,...` joins onto the left operand's children in place: copying them at
                // every term made a spec of n terms cost n² (80,000 terms took 39 s).
                var children: [Tree]
                if case .op(let o, let kids) = left, o == c {
                    children = kids
                    left = .leaf("")  // drop the enum's reference, so `children` is the only one
                } else {
                    children = [left]
                }
                if case .op(let o, let kids) = right, o == c { children += kids } else { children.append(right) }
                output.append(.op(c, children))
            }
        }
        for item in tokens(text) {
            switch item {
            case "|":
                try applyOps(["("])
                stack.append("|")
            case ",":
                try applyOps(["|", "("])
                stack.append(",")
            case "(":
                stack.append("(")
                // The tree is walked recursively; conda itself has no limit (Python raises
                // RecursionError far deeper), 200 is packaging's limit for markers.
                openParentheses += 1
                if openParentheses > 201 { throw fail("expression nested more than 200 levels deep") }
            case ")":
                try applyOps(["("])
                guard stack.last == "(" else { throw fail("expression must start with '('") }
                stack.removeLast()
                openParentheses -= 1
            default:
                output.append(.leaf(item))
            }
        }
        if !stack.isEmpty { throw fail("unable to convert to expression tree: \(stack.map(String.init))") }
        guard let first = output.first else { throw fail("unable to determine version from spec") }
        return first
    }

    /// conda's `VersionSpec.get_matcher` for a single (stripped) spec string.
    static func leaf(_ s: String, input: String) throws(SpecError) -> Node {
        func fail(_ message: String) -> SpecError {
            SpecError(message: "Invalid version spec '\(s)': \(message)", input: input, offset: 0, length: input.count)
        }
        func version(_ text: String) throws(SpecError) -> CondaVersion {
            do { return try CondaVersion(parsing: text) } catch {
                throw SpecError(
                    message: "Invalid version spec '\(s)': \(error.message)", input: input, offset: 0,
                    length: input.count)
            }
        }
        let scalars = Array(s.unicodeScalars)
        guard let first = scalars.first, let last = scalars.last else { throw fail("empty version spec") }
        if first == "^" || last == "$" {
            guard first == "^" && last == "$" else { throw fail("regex specs must start with '^' and end with '$'") }
            do { return .leaf(.pattern(try TextPattern(regex: s)), text: s) } catch {
                throw fail("invalid regular expression")
            }
        }
        if "=<>!~".unicodeScalars.contains(first) {
            guard let (op, rest) = relation(scalars) else { throw fail("invalid operator") }
            var vo = rest
            var opName = op
            if rest.hasScalarSuffix(".*") {
                vo = rest.droppingLastScalars(2)
                switch op {
                case "!=": opName = "!=startswith"
                case "~=": throw fail("invalid operator with '.*'")
                default: break  // "=", ">=" drop it; conda warns for "==", "<", "<=", ">"
                }
            }
            let w = try version(vo)
            switch opName {
            case "=": return .leaf(.startsWith(w), text: s)
            case "!=startswith": return .leaf(.notStartsWith(w), text: s)
            case "~=":
                let dotted = w.normalized.splitScalars(".").dropLast().joined(separator: ".")
                guard let prefix = try? CondaVersion(parsing: dotted) else {
                    throw fail("'~=' needs a version with at least two components, as in ~=1.7")
                }
                return .leaf(.compatible(w, prefix: prefix), text: s)
            default:
                guard let cmp = CompareOp(rawValue: opName) else { throw fail("invalid operator: \(opName)") }
                return .leaf(.compare(cmp, w), text: s)
            }
        }
        if s.scalarsEqual("*") { return .leaf(.any, text: s) }
        var trimmedStars = s
        while trimmedStars.hasScalarSuffix("*") { trimmedStars = trimmedStars.droppingLastScalars(1) }
        if trimmedStars.containsScalar("*") {
            // A glob over the version text; conda escapes only "." and "+".
            let special = "^$?[]{}\\()|".unicodeScalars
            if s.unicodeScalars.contains(where: { special.contains($0) }) {
                var rx = ""
                for c in s.unicodeScalars {
                    switch c {
                    case ".": rx += "\\."
                    case "+": rx += "\\+"
                    case "*": rx += ".*"
                    default: rx.unicodeScalars.append(c)
                    }
                }
                do { return .leaf(.pattern(try TextPattern(regex: "^(?:" + rx + ")$", displayedAs: s)), text: s) } catch
                {
                    throw fail("invalid glob")
                }
            }
            return .leaf(.pattern(TextPattern(glob: s)), text: s)
        }
        if last == "*" {
            var text = s
            if !text.hasScalarSuffix(".*") { text = text.droppingLastScalars(1) + ".*" }
            var vo = text
            while vo.hasScalarSuffix("*") { vo = vo.droppingLastScalars(1) }
            while vo.hasScalarSuffix(".") { vo = vo.droppingLastScalars(1) }
            return .leaf(.startsWith(try version(vo)), text: text)
        }
        if !s.containsScalar("@") { return .leaf(.compare(.equal, try version(s)), text: s) }
        return .leaf(.exactText(s), text: s)
    }

    /// conda's `version_relation_re`: `^(=|==|!=|<=|>=|<|>|~=)(?![=<>!~])(\S+)$`.
    static func relation(_ s: [Unicode.Scalar]) -> (String, String)? {
        func at(_ i: Int) -> Unicode.Scalar? { i < s.count ? s[i] : nil }
        let opChars = "=<>!~".unicodeScalars
        func notOp(_ i: Int) -> Bool { at(i).map { !opChars.contains($0) } ?? true }
        var candidates: [String] = []
        switch s[0] {
        case "=": candidates = ["=", "=="]
        case "!": candidates = ["!="]
        case "<": candidates = ["<=", "<"]
        case ">": candidates = [">=", ">"]
        case "~": candidates = ["~="]
        default: return nil
        }
        for op in candidates {
            let opScalars = Array(op.unicodeScalars)
            guard s.count > opScalars.count, Array(s[0..<opScalars.count]) == opScalars, notOp(opScalars.count) else {
                continue
            }
            let rest = s[opScalars.count...]
            guard !rest.contains(where: { PythonText.isWhitespace($0) }) else { continue }
            return (op, String(String.UnicodeScalarView(rest)))
        }
        return nil
    }
}
