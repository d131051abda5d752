// Evaluating a marker against an environment, as packaging 26.4's `Marker.evaluate` does.
//
// Traps (rows in PEP508MarkerEvaluationTests):
// - For python_version, python_full_version, implementation_version and platform_release the
//   comparison is a PEP 440 specifier (`op + rhs`) when that parses, with pre-releases
//   allowed; an unparsable left side is simply false. Otherwise it is a string comparison.
// - String comparisons (packaging 26 rules): `==`, `<=`, `>=` mean equal; `<` and `>` are
//   false; `!=` is not-equal; `in` / `not in` test substrings; `~=` and `===` are an error.
//   packaging < 26 compared strings with Python's `<`/`>` instead.
// - Strings compare by Unicode scalars (Python), not by Swift's canonical equivalence.
// - `extra` values are normalised (PEP 685) on both sides; a set of extras makes `==` mean
//   membership and `!=` non-membership; other operators on it are an error.
// - Every comparison is evaluated (no short-circuit), so a missing variable is reported even
//   where the answer would not depend on it, as packaging does.
// - A variable on the right (`"3.8" < python_version`) swaps which side comes from the
//   environment; a string on both sides looks the right string up as a variable name.

extension Marker {
    /// Evaluates the marker. Throws for a variable the environment lacks and for comparisons
    /// PEP 508 leaves undefined.
    public func evaluate(_ environment: MarkerEnvironment) throws(SpecError) -> Bool {
        let evaluator = MarkerEvaluator(environment: environment, source: source)
        return try evaluator.evaluate(tree)
    }
}

struct MarkerEvaluator {
    enum Value {
        case string(String)
        case set(Set<String>)
    }

    let environment: MarkerEnvironment
    let source: String

    static let versionKeys: Set<String> = [
        "implementation_version", "platform_release", "python_full_version", "python_version"
    ]
    static let setKeys: Set<String> = ["extras", "dependency_groups"]

    func evaluate(_ list: MarkerList) throws(SpecError) -> Bool {
        var anyGroup = false
        var groupResult = true
        for (i, atom) in list.atoms.enumerated() {
            if i > 0 && list.ops[i - 1] == .or {
                anyGroup = anyGroup || groupResult
                groupResult = true
            }
            let value: Bool
            switch atom {
            case .comparison(let c): value = try evaluate(c)
            case .group(let inner): value = try evaluate(inner)
            }
            groupResult = groupResult && value
        }
        return anyGroup || groupResult
    }

    func fail(_ message: String, _ c: MarkerComparison) -> SpecError {
        SpecError(
            message: message, input: source, byteOffset: c.sourceRange.lowerBound, byteLength: c.sourceRange.count)
    }

    func lookup(_ key: String, _ c: MarkerComparison) throws(SpecError) -> Value {
        if key == "extra" {
            if let selected = environment.sets["extra"] {
                return selected.isEmpty ? .string("") : .set(Set(selected.map { NormalizedName($0).value }))
            }
            guard let v = environment.values["extra"], !v.isEmpty else { return .string("") }
            return .string(NormalizedName(v).value)
        }
        if let s = environment.sets[key] { return .set(s) }
        if var v = environment.values[key] {
            if key == "python_full_version" && v.hasScalarSuffix("+") { v += "local" }
            return .string(v)
        }
        throw fail("Undefined environment variable \(pythonRepr(key)) (the target environment does not set it)", c)
    }

    static func text(_ operand: MarkerOperand) -> String {
        switch operand {
        case .variable(let name): return name
        case .value(let v): return v
        }
    }

    func evaluate(_ c: MarkerComparison) throws(SpecError) -> Bool {
        let key: String
        var lhs: String
        let rhsValue: Value
        switch c.lhs {
        case .variable(let name):
            key = name
            let rhsText = Self.text(c.rhs)
            switch try lookup(name, c) {
            case .set(let set):
                if key == "extra" { return try evaluateExtraSet(set, c.op, rhsText, c) }
                throw fail(
                    "Set-valued marker \(pythonRepr(key)) can only be used with the membership form (e.g. \"<name>\" in \(key)); it cannot appear on the left-hand side of \(pythonRepr(c.op.rawValue)).",
                    c)
            case .string(let s):
                lhs = s
            }
            rhsValue = .string(rhsText)
        case .value(let literal):
            key = Self.text(c.rhs)
            lhs = literal
            rhsValue = try lookup(key, c)
            if key == "extra", case .set(let set) = rhsValue { return try evaluateExtraSet(set, c.op, literal, c) }
        }
        switch rhsValue {
        case .string(let rhs):
            if Self.setKeys.contains(key) {
                throw fail("Marker \(pythonRepr(key)) must be a set, not \(pythonRepr(rhs)).", c)
            }
            return try compare(lhs, c.op, rhs, key: key, c)
        case .set(let set):
            // packaging: `in`/`not in` test membership; `!=` is true and the other
            // comparisons false (a str never equals a set); `~=`/`===` are undefined.
            let members = Self.setKeys.contains(key) ? Set(set.map { NormalizedName($0).value }) : set
            if Self.setKeys.contains(key) { lhs = NormalizedName(lhs).value }
            switch c.op {
            case .in: return members.contains(lhs)
            case .notIn: return !members.contains(lhs)
            case .notEqual: return true
            case .equal, .lessThan, .lessThanOrEqual, .greaterThan, .greaterThanOrEqual: return false
            case .compatible, .arbitraryEqual:
                throw fail("Undefined \(pythonRepr(c.op.rawValue)) on \(pythonRepr(lhs)) and a set of names.", c)
            }
        }
    }

    func evaluateExtraSet(_ extras: Set<String>, _ op: MarkerOperator, _ literal: String, _ c: MarkerComparison)
        throws(SpecError) -> Bool
    {
        let selected = extras.isEmpty ? [""] : extras
        switch op {
        case .equal: return selected.contains(literal)
        case .notEqual: return !selected.contains(literal)
        default: throw fail("Undefined \(pythonRepr(op.rawValue)) on a set of extras and \(pythonRepr(literal)).", c)
        }
    }

    func compare(_ lhs: String, _ op: MarkerOperator, _ rhs: String, key: String, _ c: MarkerComparison)
        throws(SpecError) -> Bool
    {
        if Self.versionKeys.contains(key), op != .in, op != .notIn,
            let spec = try? VersionSpecifier(parsing: op.rawValue + rhs)
        {
            return spec.contains(versionText: lhs, prereleases: true)
        }
        switch op {
        case .in: return scalarsContain(rhs, lhs)
        case .notIn: return !scalarsContain(rhs, lhs)
        case .lessThan, .greaterThan: return false
        case .lessThanOrEqual, .equal, .greaterThanOrEqual: return lhs.utf8.elementsEqual(rhs.utf8)
        case .notEqual: return !lhs.utf8.elementsEqual(rhs.utf8)
        case .compatible, .arbitraryEqual:
            throw fail("Undefined \(pythonRepr(op.rawValue)) on \(pythonRepr(lhs)) and \(pythonRepr(rhs)).", c)
        }
    }
}

/// Python's `needle in haystack` for str (scalar-wise substring).
func scalarsContain(_ haystack: String, _ needle: String) -> Bool {
    let h = Array(haystack.utf8)
    let n = Array(needle.utf8)
    if n.isEmpty { return true }
    if n.count > h.count { return false }
    var i = 0
    while i + n.count <= h.count {
        if h[i] == n[0] {
            var k = 1
            while k < n.count && h[i + k] == n[k] { k += 1 }
            if k == n.count { return true }
        }
        i += 1
    }
    return false
}
