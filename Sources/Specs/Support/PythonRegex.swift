// A linear-time matcher for the regular expressions conda specs carry ("^1\.7\..*$",
// "^py3[0-9]+_0$"), with Python `re` syntax and `re.match` semantics.
//
// Traps:
// - conda hands user text to Python's backtracking `re`; Swift's `Regex` backtracks too, and
//   takes seconds on ".*.*.*…x" against a five-character version. A spec must never hang mlenv,
//   so patterns run on a Pike VM (Thompson NFA simulation): time is linear in the subject
//   times the program size, whatever the pattern.
// - Supported: literals and escapes, ".", classes ("[^a-z\d_]"), \d \w \s and their negations,
//   groups ("(...)", "(?:...)", "(?P<n>...)"), "|", "* + ? {m} {m,} {m,n} {,n}" and their lazy
//   forms, "^", "$", "\A", "\Z". Not supported (an error, where Python would accept):
//   backreferences, lookaround, "\b", inline flags, conditionals. Counted repeats are expanded,
//   so programs are capped in size.
// - `.` does not match "\n"; `$` matches at the end or before a final "\n" (Python).
// - Only "does a match start at 0" is answered (what conda's `regex.match(...)` is used for),
//   so greedy and lazy quantifiers behave alike.

struct PythonRegex: Sendable {
    struct SyntaxError: Error {
        let message: String
    }

    struct CharClass: Sendable {
        enum Kind: Sendable { case digit, word, space }
        var ranges: [ClosedRange<UInt32>] = []
        var kinds: [(Kind, Bool)] = []  // (kind, negated)
        var negated = false

        func contains(_ s: Unicode.Scalar) -> Bool {
            var hit = ranges.contains { $0.contains(s.value) }
            if !hit {
                for (kind, neg) in kinds where Self.matches(kind, s) != neg {
                    hit = true
                    break
                }
            }
            return hit != negated
        }

        static func matches(_ kind: Kind, _ s: Unicode.Scalar) -> Bool {
            switch kind {
            case .digit: return s.properties.numericType == .decimal
            case .word: return PythonText.isWordCharacter(s)
            case .space: return PythonText.isWhitespace(s)
            }
        }
    }

    enum Instruction: Sendable {
        case scalar(Unicode.Scalar)
        case any
        case charClass(CharClass)
        case split(Int, Int)
        case jump(Int)
        case atStart
        case atEnd  // $
        case atAbsoluteEnd  // \Z
        case match
    }

    indirect enum Node {
        case empty
        case scalar(Unicode.Scalar)
        case any
        case charClass(CharClass)
        case sequence([Node])
        case alternation([Node])
        case repeated(Node, min: Int, max: Int?)
        case atStart, atEnd, atAbsoluteEnd
    }

    static let maxProgram = 20_000

    let program: [Instruction]

    init(_ pattern: String) throws(SyntaxError) {
        var parser = Parser(Array(pattern.unicodeScalars))
        let node = try parser.parseAlternation()
        if parser.i < parser.s.count { throw SyntaxError(message: "unbalanced parenthesis") }
        var program: [Instruction] = []
        try Self.compile(node, into: &program)
        program.append(.match)
        self.program = program
    }

    // MARK: Compiling

    static func compile(_ node: Node, into p: inout [Instruction]) throws(SyntaxError) {
        if p.count > maxProgram { throw SyntaxError(message: "regular expression too large") }
        switch node {
        case .empty: break
        case .scalar(let s): p.append(.scalar(s))
        case .any: p.append(.any)
        case .charClass(let c): p.append(.charClass(c))
        case .atStart: p.append(.atStart)
        case .atEnd: p.append(.atEnd)
        case .atAbsoluteEnd: p.append(.atAbsoluteEnd)
        case .sequence(let nodes):
            for n in nodes { try compile(n, into: &p) }
        case .alternation(let nodes):
            var jumps: [Int] = []
            for (k, n) in nodes.enumerated() {
                if k < nodes.count - 1 {
                    let split = p.count
                    p.append(.split(split + 1, -1))
                    try compile(n, into: &p)
                    jumps.append(p.count)
                    p.append(.jump(-1))
                    p[split] = .split(split + 1, p.count)
                } else {
                    try compile(n, into: &p)
                }
            }
            for j in jumps { p[j] = .jump(p.count) }
        case .repeated(let body, let min, let max):
            for _ in 0..<min { try compile(body, into: &p) }
            if let max {
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(p.count)
                    p.append(.split(p.count + 1, -1))
                    try compile(body, into: &p)
                }
                for s in splits { p[s] = .split(s + 1, p.count) }
            } else {
                let loop = p.count
                p.append(.split(loop + 1, -1))
                try compile(body, into: &p)
                p.append(.jump(loop))
                p[loop] = .split(loop + 1, p.count)
            }
        }
        if p.count > maxProgram { throw SyntaxError(message: "regular expression too large") }
    }

    // MARK: Matching (Pike VM)

    /// Python's `re.match(pattern, text) is not None`.
    func prefixMatches(_ text: String) -> Bool {
        let s = Array(text.unicodeScalars)
        let n = s.count
        var seen = [Int](repeating: -1, count: program.count)
        var current: [Int] = []
        var next: [Int] = []
        var stack: [Int] = []

        func add(_ start: Int, at pos: Int, to list: inout [Int]) -> Bool {
            stack.append(start)
            while let pc = stack.popLast() {
                if seen[pc] == pos { continue }
                seen[pc] = pos
                switch program[pc] {
                case .match: return true
                case .jump(let t): stack.append(t)
                case .split(let a, let b):
                    stack.append(b)
                    stack.append(a)
                case .atStart: if pos == 0 { stack.append(pc + 1) }
                case .atEnd: if pos == n || (pos == n - 1 && s[n - 1] == "\n") { stack.append(pc + 1) }
                case .atAbsoluteEnd: if pos == n { stack.append(pc + 1) }
                default: list.append(pc)
                }
            }
            return false
        }

        if add(0, at: 0, to: &current) { return true }
        var pos = 0
        while pos < n && !current.isEmpty {
            let c = s[pos]
            next.removeAll(keepingCapacity: true)
            for pc in current {
                let advance: Bool
                switch program[pc] {
                case .scalar(let x): advance = x == c
                case .any: advance = c != "\n"
                case .charClass(let set): advance = set.contains(c)
                default: advance = false
                }
                if advance && add(pc + 1, at: pos + 1, to: &next) { return true }
            }
            swap(&current, &next)
            pos += 1
        }
        return false
    }

    // MARK: Parsing

    struct Parser {
        let s: [Unicode.Scalar]
        var i = 0
        var depth = 0

        init(_ s: [Unicode.Scalar]) { self.s = s }

        var peek: Unicode.Scalar? { i < s.count ? s[i] : nil }

        mutating func parseAlternation() throws(SyntaxError) -> Node {
            var branches = [try parseSequence()]
            while peek == "|" {
                i += 1
                branches.append(try parseSequence())
            }
            return branches.count == 1 ? branches[0] : .alternation(branches)
        }

        mutating func parseSequence() throws(SyntaxError) -> Node {
            var items: [Node] = []
            while let c = peek, c != "|", c != ")" {
                var atom = try parseAtom()
                if let q = peek {
                    var minimum = 0
                    var maximum: Int?
                    var quantified = true
                    if q == "*" {
                        i += 1
                    } else if q == "+" {
                        i += 1
                        minimum = 1
                    } else if q == "?" {
                        i += 1
                        maximum = 1
                    } else if q == "{", let (lo, hi, end) = counted(at: i) {
                        i = end
                        minimum = lo
                        maximum = hi
                    } else {
                        quantified = false
                    }
                    if quantified {
                        if peek == "?" { i += 1 }  // lazy: same answer for "does it match"
                        if let next = peek,
                            next == "*" || next == "+" || next == "?" || (next == "{" && counted(at: i) != nil)
                        {
                            throw SyntaxError(message: "multiple repeat")
                        }
                        switch atom {
                        case .atStart, .atEnd, .atAbsoluteEnd: throw SyntaxError(message: "nothing to repeat")
                        default: break
                        }
                        if let maximum, maximum < minimum {
                            throw SyntaxError(message: "min repeat greater than max repeat")
                        }
                        if minimum > 1000 || (maximum ?? 0) > 1000 {
                            throw SyntaxError(message: "repeat count too large")
                        }
                        atom = .repeated(atom, min: minimum, max: maximum)
                    }
                }
                items.append(atom)
            }
            return items.count == 1 ? items[0] : .sequence(items)
        }

        /// `{m}`, `{m,}`, `{m,n}`, `{,n}`; anything else is a literal "{" (as in Python).
        func counted(at start: Int) -> (Int, Int?, Int)? {
            var k = start + 1
            func number() -> Int? {
                var value: Int?
                while k < s.count, s[k].isASCIIDigit {
                    value = min(1_000_000, (value ?? 0) * 10 + Int(s[k].value - 0x30))
                    k += 1
                }
                return value
            }
            let lo = number()
            if k < s.count && s[k] == "}" {
                guard let lo else { return nil }
                return (lo, lo, k + 1)
            }
            guard k < s.count && s[k] == "," else { return nil }
            k += 1
            let hi = number()
            guard k < s.count && s[k] == "}" else { return nil }
            return (lo ?? 0, hi, k + 1)
        }

        mutating func parseAtom() throws(SyntaxError) -> Node {
            guard let c = peek else { throw SyntaxError(message: "unexpected end of pattern") }
            i += 1
            switch c {
            case "(":
                depth += 1
                if depth > 200 { throw SyntaxError(message: "too many nested groups") }
                if peek == "?" {
                    i += 1
                    if peek == ":" {
                        i += 1
                    } else if peek == "P" && i + 1 < s.count && s[i + 1] == "<" {
                        i += 2
                        while let d = peek, d != ">" {
                            guard d == "_" || d.isASCIIAlnum else { throw SyntaxError(message: "bad group name") }
                            i += 1
                        }
                        guard peek == ">" else { throw SyntaxError(message: "missing >, unterminated name") }
                        i += 1
                    } else {
                        throw SyntaxError(message: "this group syntax is not supported")
                    }
                }
                let inner = try parseAlternation()
                guard peek == ")" else { throw SyntaxError(message: "missing ), unterminated subpattern") }
                i += 1
                depth -= 1
                return inner
            case ")": throw SyntaxError(message: "unbalanced parenthesis")
            case "*", "+", "?": throw SyntaxError(message: "nothing to repeat")
            case "{":
                if counted(at: i - 1) != nil { throw SyntaxError(message: "nothing to repeat") }
                return .scalar(c)
            case ".": return .any
            case "^": return .atStart
            case "$": return .atEnd
            case "[": return .charClass(try parseClass())
            case "\\": return try parseEscape(inClass: false).node
            default: return .scalar(c)
            }
        }

        struct Escape {
            var node: Node
            var scalar: Unicode.Scalar?
            var kind: (CharClass.Kind, Bool)?
        }

        mutating func parseEscape(inClass: Bool) throws(SyntaxError) -> Escape {
            guard let e = peek else { throw SyntaxError(message: "bad escape (end of pattern)") }
            i += 1
            func literal(_ s: Unicode.Scalar) -> Escape { Escape(node: .scalar(s), scalar: s, kind: nil) }
            func kind(_ k: CharClass.Kind, _ negated: Bool) -> Escape {
                var c = CharClass()
                c.kinds = [(k, negated)]
                return Escape(node: .charClass(c), scalar: nil, kind: (k, negated))
            }
            switch e {
            case "d": return kind(.digit, false)
            case "D": return kind(.digit, true)
            case "w": return kind(.word, false)
            case "W": return kind(.word, true)
            case "s": return kind(.space, false)
            case "S": return kind(.space, true)
            case "n": return literal("\n")
            case "t": return literal("\t")
            case "r": return literal("\r")
            case "f": return literal("\u{0C}")
            case "v": return literal("\u{0B}")
            case "a": return literal("\u{07}")
            case "0": return literal("\u{0}")
            case "A" where !inClass: return Escape(node: .atStart, scalar: nil, kind: nil)
            case "Z" where !inClass: return Escape(node: .atAbsoluteEnd, scalar: nil, kind: nil)
            case "x", "u", "U":
                let width = e == "x" ? 2 : (e == "u" ? 4 : 8)
                guard i + width <= s.count else { throw SyntaxError(message: "incomplete escape \\\(e)") }
                var value: UInt32 = 0
                for k in 0..<width {
                    guard let d = hex(s[i + k]) else {
                        throw SyntaxError(message: "incomplete escape \\\(e)")
                    }
                    value = value << 4 | d
                }
                i += width
                guard let scalar = Unicode.Scalar(value) else { throw SyntaxError(message: "bad escape \\\(e)") }
                return literal(scalar)
            default:
                if e.isASCIIAlnum { throw SyntaxError(message: "bad escape \\\(e)") }
                return literal(e)
            }
        }

        func hex(_ s: Unicode.Scalar) -> UInt32? {
            switch s.value {
            case 0x30...0x39: return s.value - 0x30
            case 0x41...0x46: return s.value - 0x41 + 10
            case 0x61...0x66: return s.value - 0x61 + 10
            default: return nil
            }
        }

        mutating func parseClass() throws(SyntaxError) -> CharClass {
            var set = CharClass()
            if peek == "^" {
                set.negated = true
                i += 1
            }
            var first = true
            while true {
                guard let c = peek else { throw SyntaxError(message: "unterminated character set") }
                if c == "]" && !first {
                    i += 1
                    return set
                }
                first = false
                i += 1
                var low: Unicode.Scalar
                if c == "\\" {
                    let e = try parseEscape(inClass: true)
                    if let k = e.kind {
                        set.kinds.append(k)
                        continue
                    }
                    guard let s = e.scalar else { throw SyntaxError(message: "bad escape in character set") }
                    low = s
                } else {
                    low = c
                }
                if peek == "-", i + 1 < s.count, s[i + 1] != "]" {
                    i += 1
                    guard let h = peek else { throw SyntaxError(message: "unterminated character set") }
                    i += 1
                    var high = h
                    if h == "\\" {
                        let e = try parseEscape(inClass: true)
                        guard let s = e.scalar else { throw SyntaxError(message: "bad character range") }
                        high = s
                    }
                    guard low.value <= high.value else { throw SyntaxError(message: "bad character range") }
                    set.ranges.append(low.value...high.value)
                } else {
                    set.ranges.append(low.value...low.value)
                }
            }
        }
    }
}
