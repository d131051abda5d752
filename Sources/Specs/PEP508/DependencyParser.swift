// The PEP 508 grammar as packaging 26.4's hand-written parser reads it (`_parser.py`,
// `_tokenizer.py`), including its error messages and spans, so our errors read like pip's.
//
// Traps:
// - Tokens are regular expressions matched at the current position: IDENTIFIER is
//   `\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b`, so a name ends at a word boundary ("foo-" reads "foo"),
//   and `\b` is Unicode-aware ("fooé" has no boundary, so no name at all).
// - `and`/`or`/`in`/`not` need word boundaries: `"3"and os_name` parses, `python_versionand`
//   does not.
// - Whitespace between tokens is only space and tab; inside a specifier (`>= 1.0`) it is any
//   Unicode whitespace.
// - A URL runs to the next whitespace (Unicode, 26.4), so "name @ url;marker" swallows
//   ";marker" into the URL: a marker after a URL needs whitespace before ";".
// - Specifier lists: packaging 26.4 first tries the whole list up to ";" / ")" / end as one
//   `SpecifierSet` (printable ASCII only), which is how "name===foo, >=1" parses although
//   `===foo,` alone would swallow the comma; otherwise it reads specifier tokens one by one and
//   reports ".*" or "+local" after a specifier that cannot take them.
// - A trailing comma in a specifier list is accepted ("name>=1.0,").

struct DependencyParser {
    let b: UnsafeBufferPointer<UInt8>
    let text: String
    let n: Int
    var pos = 0

    static let maxMarkerNesting = 200

    init(_ b: UnsafeBufferPointer<UInt8>, text: String) {
        self.b = b
        self.text = text
        self.n = b.count
    }

    // MARK: Errors

    func error(_ message: String, start: Int? = nil, end: Int? = nil) -> SpecError {
        let s = start ?? pos
        let e = max(s, end ?? pos)
        return SpecError(message: message, input: text, byteOffset: s, byteLength: e - s)
    }

    // MARK: Character classes

    @inline(__always) func byte(_ i: Int) -> UInt8 { i < n ? b[i] : 0 }

    func isWord(at i: Int) -> Bool {
        guard i >= 0 && i < n else { return false }
        let (s, _) = UTF8Scan.scalar(b, at: i, end: n)
        return PythonText.isWordCharacter(s)
    }

    func isWord(before i: Int) -> Bool {
        guard i > 0 else { return false }
        let k = UTF8Scan.scalarStart(b, before: i, start: 0)
        return isWord(at: k)
    }

    /// `\b` at `i`.
    func isBoundary(_ i: Int) -> Bool { isWord(before: i) != isWord(at: i) }

    // MARK: Tokens

    mutating func consumeWhitespace() {
        while pos < n && (b[pos] == 0x20 || b[pos] == 0x09) { pos += 1 }
    }

    var atEnd: Bool { pos >= n }

    /// `\b[a-zA-Z0-9][a-zA-Z0-9._-]*\b` at `pos`: returns the end.
    func matchIdentifier() -> Int? {
        guard pos < n, b[pos] < 0x80, Unicode.Scalar(b[pos]).isASCIIAlnum, !isWord(before: pos) else { return nil }
        var end = pos + 1
        while end < n, b[end] < 0x80,
            Unicode.Scalar(b[end]).isASCIIAlnum || b[end] == 0x2E || b[end] == 0x5F || b[end] == 0x2D
        {
            end += 1
        }
        while end > pos {
            if isBoundary(end) { return end }
            end -= 1
        }
        return nil
    }

    /// A keyword (`and`, `or`, `in`, `not`) between word boundaries.
    func matchKeyword(_ word: StaticString) -> Int? {
        let len = word.utf8CodeUnitCount
        guard pos + len <= n else { return nil }
        let w = word.utf8Start
        for k in 0..<len where b[pos + k] != w[k] { return nil }
        guard isBoundary(pos), isBoundary(pos + len) else { return nil }
        return pos + len
    }

    static let variables: [(spelling: StaticString, name: String)] = [
        ("python_version", "python_version"),
        ("python_full_version", "python_full_version"),
        ("os_name", "os_name"), ("os.name", "os_name"),
        ("sys_platform", "sys_platform"), ("sys.platform", "sys_platform"),
        ("platform_release", "platform_release"),
        ("platform_system", "platform_system"),
        ("platform_version", "platform_version"), ("platform.version", "platform_version"),
        ("platform_machine", "platform_machine"), ("platform.machine", "platform_machine"),
        ("platform_python_implementation", "platform_python_implementation"),
        ("platform.python_implementation", "platform_python_implementation"),
        ("python_implementation", "platform_python_implementation"),
        ("implementation_name", "implementation_name"),
        ("implementation_version", "implementation_version"),
        ("extras", "extras"), ("extra", "extra"),
        ("dependency_groups", "dependency_groups")
    ]

    func matchVariable() -> (String, Int)? {
        for (spelling, name) in Self.variables {
            if let end = matchKeyword(spelling) { return (name, end) }
        }
        return nil
    }

    /// `'[^']*'` or `"[^"]*"`.
    func matchQuotedString() -> Int? {
        guard pos < n, b[pos] == 0x27 || b[pos] == 0x22 else { return nil }
        let q = b[pos]
        var k = pos + 1
        while k < n && b[k] != q { k += 1 }
        return k < n ? k + 1 : nil
    }

    func matchOperator() -> (MarkerOperator, Int)? {
        switch (byte(pos), byte(pos + 1), byte(pos + 2)) {
        case (0x3D, 0x3D, 0x3D): return (.arbitraryEqual, pos + 3)
        case (0x3D, 0x3D, _): return (.equal, pos + 2)
        case (0x7E, 0x3D, _): return (.compatible, pos + 2)
        case (0x21, 0x3D, _): return (.notEqual, pos + 2)
        case (0x3C, 0x3D, _): return (.lessThanOrEqual, pos + 2)
        case (0x3E, 0x3D, _): return (.greaterThanOrEqual, pos + 2)
        case (0x3C, _, _): return (.lessThan, pos + 1)
        case (0x3E, _, _): return (.greaterThan, pos + 1)
        default: return nil
        }
    }

    /// `\S+` (Unicode whitespace ends it).
    func matchURL() -> Int? {
        var k = pos
        while k < n {
            let (s, len) = UTF8Scan.scalar(b, at: k, end: n)
            if PythonText.isWhitespace(s) { break }
            k += len
        }
        return k > pos ? k : nil
    }

    // MARK: Requirement

    struct ParsedRequirement {
        var name: String
        var extras: [String]
        var url: String?
        var specifiers: [VersionSpecifier]
        var marker: MarkerList?
        var hasSpecifierText = false
    }

    /// requirement = WS? IDENTIFIER WS? extras requirement_details END
    mutating func parseRequirement() -> Result<ParsedRequirement, SpecError> {
        consumeWhitespace()
        guard let nameEnd = matchIdentifier() else {
            return .failure(error("Expected package name at the start of dependency specifier"))
        }
        let name = UTF8Scan.string(b, pos, nameEnd)
        pos = nameEnd
        consumeWhitespace()
        var extras: [String] = []
        if byte(pos) == 0x5B && pos < n {  // [
            switch parseExtras() {
            case .success(let e): extras = e
            case .failure(let e): return .failure(e)
            }
        }
        var result = ParsedRequirement(name: name, extras: extras, url: nil, specifiers: [], marker: nil)
        if byte(pos) == 0x40 && pos < n {  // @
            pos += 1
            consumeWhitespace()
            let urlStart = pos
            guard let urlEnd = matchURL() else { return .failure(error("Expected URL after @")) }
            result.url = UTF8Scan.string(b, pos, urlEnd)
            pos = urlEnd
            if atEnd { return .success(result) }
            guard b[pos] == 0x20 || b[pos] == 0x09 else { return .failure(error("Expected whitespace after URL")) }
            consumeWhitespace()
            if atEnd { return .success(result) }
            switch parseRequirementMarker(spanStart: urlStart, expected: "semicolon (after URL and whitespace)") {
            case .success(let m): result.marker = m
            case .failure(let e): return .failure(e)
            }
        } else {
            let specifierStart = pos
            switch parseSpecifier() {
            case .success(let s):
                result.specifiers = s.specifiers
                result.hasSpecifierText = s.nonEmpty
            case .failure(let e): return .failure(e)
            }
            if atEnd { return .success(result) }
            let expected =
                result.hasSpecifierText
                ? "comma (within version specifier), semicolon (after version specifier)"
                : "semicolon (after name with no version specifier)"
            switch parseRequirementMarker(spanStart: specifierStart, expected: expected) {
            case .success(let m): result.marker = m
            case .failure(let e): return .failure(e)
            }
        }
        guard atEnd else { return .failure(error("Expected end of dependency specifier")) }
        return .success(result)
    }

    /// extras = '[' WS? extras_list? WS? ']' WS?
    mutating func parseExtras() -> Result<[String], SpecError> {
        let open = pos
        pos += 1
        consumeWhitespace()
        var extras: [String] = []
        if let end = matchIdentifier() {
            extras.append(UTF8Scan.string(b, pos, end))
            pos = end
            while true {
                consumeWhitespace()
                if matchIdentifier() != nil { return .failure(error("Expected comma between extra names")) }
                guard byte(pos) == 0x2C && pos < n else { break }
                pos += 1
                consumeWhitespace()
                guard let e = matchIdentifier() else { return .failure(error("Expected extra name after comma")) }
                extras.append(UTF8Scan.string(b, pos, e))
                pos = e
            }
        }
        consumeWhitespace()
        guard pos < n && b[pos] == 0x5D else {
            return .failure(error("Expected matching RIGHT_BRACKET for LEFT_BRACKET, after extras", start: open))
        }
        pos += 1
        consumeWhitespace()
        return .success(extras)
    }

    struct SpecifierList {
        var specifiers: [VersionSpecifier]
        var nonEmpty: Bool
    }

    /// specifier = '(' WS? version_many WS? ')' WS? | version_many
    mutating func parseSpecifier() -> Result<SpecifierList, SpecError> {
        guard pos < n && b[pos] == 0x28 else { return parseVersionMany() }
        let open = pos
        pos += 1
        consumeWhitespace()
        let inner = parseVersionMany()
        guard case .success = inner else { return inner }
        guard pos < n && b[pos] == 0x29 else {
            return .failure(
                error("Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after version specifier", start: open))
        }
        pos += 1
        consumeWhitespace()
        return inner
    }

    /// version_many = (SPECIFIER (WS? ',' WS? SPECIFIER)*)? ','?
    mutating func parseVersionMany() -> Result<SpecifierList, SpecError> {
        if atEnd { return .success(SpecifierList(specifiers: [], nonEmpty: false)) }
        if let whole = tryWholeSpecifierList() { return .success(whole) }
        let listStart = pos
        var joined = ""
        var nonEmpty = false
        while true {
            let spanStart = pos
            guard case .success(let scan) = VersionSpecifier.scan(b, pos, n) else { break }
            nonEmpty = true
            pos = scan.end
            if byte(pos) == 0x2E && byte(pos + 1) == 0x2A && pos + 1 < n {  // .*
                let message =
                    scan.op == .equal || scan.op == .notEqual
                    ? ".* suffix cannot be used with pre-release, post-release, dev or local versions"
                    : ".* suffix can only be used with `==` or `!=` operators"
                return .failure(error(message, start: spanStart, end: pos + 1))
            }
            if hasLocalLabelTrail() {
                return .failure(
                    error("Local version label can only be used with `==` or `!=` operators", start: spanStart))
            }
            joined += UTF8Scan.string(b, spanStart, scan.end)
            consumeWhitespace()
            guard pos < n && b[pos] == 0x2C else { break }
            joined += ","
            pos += 1
            consumeWhitespace()
        }
        // packaging re-reads the joined tokens with SpecifierSet, which splits on every comma:
        // "===x,y" is one token but "y" is then an invalid specifier.
        do {
            let set = try SpecifierSet(parsing: joined)
            return .success(SpecifierList(specifiers: set.specifiers, nonEmpty: nonEmpty))
        } catch {
            return .failure(
                SpecError(message: error.message, input: text, byteOffset: listStart, byteLength: pos - listStart))
        }
    }

    /// `\+[a-z0-9]+(?:[-_\.][a-z0-9]+)*` (lowercase only: this token has no IGNORECASE).
    func hasLocalLabelTrail() -> Bool {
        guard byte(pos) == 0x2B && pos + 1 < n else { return false }
        let c = Unicode.Scalar(byte(pos + 1))
        return c.isLowerASCIIAlnum
    }

    /// packaging 26.4's `_try_parse_specifier_set`: the printable-ASCII run up to ";" / ")" /
    /// end, parsed as one `SpecifierSet`, if that works and has one item per comma.
    mutating func tryWholeSpecifierList() -> SpecifierList? {
        var k = pos
        while k < n {
            let c = b[k]
            guard c == 0x09 || (c >= 0x20 && c <= 0x7E && c != 0x29 && c != 0x3B) else { break }
            k += 1
        }
        guard k == n || b[k] == 0x3B || b[k] == 0x29, k > pos else { return nil }
        guard case .success(let specifiers) = SpecifierSet.parse(b, pos, k, text: text) else { return nil }
        var commas = 0
        for i in pos..<k where b[i] == 0x2C { commas += 1 }
        if specifiers.count != commas + 1 {
            var end = k
            while end > pos && (b[end - 1] == 0x20 || b[end - 1] == 0x09) { end -= 1 }
            let trailingComma = end > pos && b[end - 1] == 0x2C
            guard !specifiers.isEmpty && specifiers.count == commas && trailingComma else { return nil }
        }
        pos = k
        return SpecifierList(specifiers: specifiers, nonEmpty: true)
    }

    /// requirement_marker = ';' marker
    mutating func parseRequirementMarker(spanStart: Int, expected: String) -> Result<MarkerList, SpecError> {
        guard pos < n && b[pos] == 0x3B else {
            return .failure(error("Expected \(expected) or end", start: spanStart))
        }
        pos += 1
        return parseMarker(depth: 0)
    }

    // MARK: Marker

    mutating func parseFullMarker() -> Result<MarkerList, SpecError> {
        let result = parseMarker(depth: 0)
        guard case .success = result else { return result }
        guard atEnd else { return .failure(error("Expected end of marker expression")) }
        return result
    }

    /// marker = marker_atom (BOOLOP marker_atom)*
    mutating func parseMarker(depth: Int) -> Result<MarkerList, SpecError> {
        var list = MarkerList(atoms: [], ops: [])
        switch parseMarkerAtom(depth: depth) {
        case .success(let a): list.atoms.append(a)
        case .failure(let e): return .failure(e)
        }
        while true {
            let op: MarkerList.BoolOp
            if let end = matchKeyword("or") {
                op = .or
                pos = end
            } else if let end = matchKeyword("and") {
                op = .and
                pos = end
            } else {
                break
            }
            switch parseMarkerAtom(depth: depth) {
            case .success(let a):
                list.ops.append(op)
                list.atoms.append(a)
            case .failure(let e): return .failure(e)
            }
        }
        return .success(list)
    }

    /// marker_atom = WS? '(' WS? marker WS? ')' WS? | WS? marker_item WS?
    mutating func parseMarkerAtom(depth: Int) -> Result<MarkerList.Atom, SpecError> {
        consumeWhitespace()
        let atom: MarkerList.Atom
        if pos < n && b[pos] == 0x28 {
            if depth >= Self.maxMarkerNesting {
                return .failure(error("Marker expression is nested more than \(Self.maxMarkerNesting) levels deep"))
            }
            let open = pos
            pos += 1
            switch parseMarker(depth: depth + 1) {
            case .success(let inner): atom = .group(inner)
            case .failure(let e): return .failure(e)
            }
            guard pos < n && b[pos] == 0x29 else {
                return .failure(
                    error(
                        "Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after marker expression", start: open
                    ))
            }
            pos += 1
        } else {
            switch parseMarkerItem() {
            case .success(let c): atom = .comparison(c)
            case .failure(let e): return .failure(e)
            }
        }
        consumeWhitespace()
        return .success(atom)
    }

    /// marker_item = marker_var WS? marker_op WS? marker_var
    mutating func parseMarkerItem() -> Result<MarkerComparison, SpecError> {
        let start = pos
        let lhs: MarkerOperand
        switch parseMarkerVar() {
        case .success(let v): lhs = v
        case .failure(let e): return .failure(e)
        }
        consumeWhitespace()
        let op: MarkerOperator
        if let end = matchKeyword("in") {
            op = .in
            pos = end
        } else if let end = matchKeyword("not") {
            pos = end
            guard pos < n && (b[pos] == 0x20 || b[pos] == 0x09) else {
                return .failure(error("Expected whitespace after 'not'"))
            }
            consumeWhitespace()
            guard let inEnd = matchKeyword("in") else { return .failure(error("Expected 'in' after 'not'")) }
            pos = inEnd
            op = .notIn
        } else if let (o, end) = matchOperator() {
            op = o
            pos = end
        } else {
            return .failure(error("Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in"))
        }
        consumeWhitespace()
        let rhs: MarkerOperand
        switch parseMarkerVar() {
        case .success(let v): rhs = v
        case .failure(let e): return .failure(e)
        }
        return .success(Self.normalizingExtras(MarkerComparison(lhs: lhs, op: op, rhs: rhs, sourceRange: start..<pos)))
    }

    /// marker_var = VARIABLE | QUOTED_STRING
    mutating func parseMarkerVar() -> Result<MarkerOperand, SpecError> {
        if let (name, end) = matchVariable() {
            pos = end
            return .success(.variable(name))
        }
        if let end = matchQuotedString() {
            let start = pos
            let literal = UTF8Scan.string(b, start, end)
            pos = end
            guard let value = PythonStringLiteral.decode(Array(literal.unicodeScalars)[...]) else {
                return .failure(error("Invalid quoted string", start: start, end: end))
            }
            return .success(.value(value))
        }
        return .failure(error("Expected a marker variable or quoted string"))
    }

    /// packaging's `_normalize_extras`: the value compared with `extra` (and the name looked up
    /// in `extras` / `dependency_groups`) is normalised at parse time (PEP 685).
    static func normalizingExtras(_ c: MarkerComparison) -> MarkerComparison {
        switch (c.lhs, c.rhs) {
        case (.variable("extra"), .value(let v)):
            return MarkerComparison(
                lhs: c.lhs, op: c.op, rhs: .value(NormalizedName(v).value), sourceRange: c.sourceRange)
        case (.value(let v), .variable("extra")),
            (.value(let v), .variable("extras")),
            (.value(let v), .variable("dependency_groups")):
            return MarkerComparison(
                lhs: .value(NormalizedName(v).value), op: c.op, rhs: c.rhs, sourceRange: c.sourceRange)
        default:
            return c
        }
    }
}
