// Reading a MatchSpec string the way conda's `_parse_spec_str` does (conda/models/match_spec.py,
// the classic parser used by conda's default libmamba solver).
//
// Traps (rows in CondaMatchSpecTests, ported from conda's test_match_spec.py):
// - Steps run in conda's order: "@" feature form, "#" comment, " if " tail, tarball URL/path,
//   "[...]" brackets (the last "[" before the last "]" on the first line; every copy of the
//   bracket text is removed), "(...)" parens (dropped), "channel:namespace:" prefix,
//   name, then version and build.
// - `name=1.2` means version "1.2*" (starts with 1.2); `name==1.2` is exact; `name=1.2=b` and
//   `name 1.2 b` are version 1.2 (exact) with build b; `name=` is just `name`.
// - The version/build split is conda's regex `((?:.+?)[^><!,|]?)(?:(?<![=!|,<>~])[ =]([^-=,|<>~]+?))?$`:
//   the build is the last space- or "="-separated word when no operator precedes the
//   separator; spaces inside the version are then removed (">=1.0 , < 2.0" → ">=1.0,<2.0").
// - Bracket values may be quoted with ' or "; keys are [a-zA-Z0-9_-]+; text that is not a
//   key=value pair is ignored; an empty value is an error; a later key wins; `name=` inside
//   brackets never overrides the name outside.
// - Names follow CEP 26 (lowercase letters, digits, ".", "_", "-"; no doubled separators;
//   "__" only for virtual packages) unless they contain "*".

extension MatchSpec {
    struct Components {
        var name: String = "*"
        var channel: String?
        var subdir: String?
        var version: String?
        var build: String?
        var brackets: [(String, String)] = []
    }

    static func parseComponents(_ original: String) throws(SpecError) -> Components {
        func fail(_ message: String) -> SpecError {
            SpecError(
                message: "Invalid MatchSpec \(pythonRepr(original)): \(message)", input: original, offset: 0,
                length: original.count)
        }
        var s = original
        var components = Components()
        if s.hasScalarSuffix("@") {
            components.brackets.append(("track_features", s.droppingLastScalars(1)))
            return components
        }
        if let hash = s.unicodeScalars.firstIndex(of: "#") { s = String(s.unicodeScalars[..<hash]) }
        if let ifRange = firstRange(of: " if ", in: s) { s = String(s.unicodeScalars[..<ifRange.lowerBound]) }

        if s.hasScalarSuffix(".tar.bz2") || s.hasScalarSuffix(".conda") {
            return try tarballComponents(s, fail: fail)
        }

        // Brackets.
        var brackets: [(String, String)] = []
        if let (lo, hi) = lastEnclosed(s, open: "[", close: "]") {
            let scalars = Array(s.unicodeScalars)
            let bracketText = String(String.UnicodeScalarView(scalars[lo...hi]))
            s = removingAll(bracketText, from: s)
            let inner = Array(scalars[(lo + 1)..<hi])
            for (key, value) in keyValuePairs(inner) {
                if key.isEmpty || value.isEmpty { throw fail("key-value mismatch in brackets") }
                brackets.append((key, key == "version" ? sanitizeVersion(value, build: nil) : value))
            }
        }
        // Parentheses: parsed by conda only for "optional"/"target", which we do not model.
        if let (lo, hi) = lastEnclosed(s, open: "(", close: ")") {
            let scalars = Array(s.unicodeScalars)
            s = removingAll(String(String.UnicodeScalarView(scalars[lo...hi])), from: s)
        }

        // channel(/subdir)::name — conda's rsplit(":", 2).
        let colonParts = rsplit(s, ":", maxSplits: 2)
        var channelText: String?
        if colonParts.count == 3 {
            channelText = colonParts[0]
            s = colonParts[2]
        } else if colonParts.count == 2 {
            s = colonParts[1]
        }
        if let channelText {
            (components.channel, components.subdir) = CondaChannel.parse(channelText)
        }
        if let index = brackets.lastIndex(where: { $0.0 == "channel" }) {
            let (c, sd) = CondaChannel.parse(brackets[index].1)
            if let c { components.channel = c }
            if let sd { components.subdir = sd }
            brackets.removeAll { $0.0 == "channel" }
        }
        if let index = brackets.lastIndex(where: { $0.0 == "subdir" }) {
            components.subdir = brackets[index].1
            brackets.removeAll { $0.0 == "subdir" }
        }

        // name, then "version build".
        let (nameText, rest) = splitNameAndRest(s)
        guard let nameText else { throw fail("no package name found in \(pythonRepr(rest ?? ""))") }
        try validatePackageName(nameText, fail: fail)
        components.name = nameText
        let remainder = rest.map { PythonText.strip($0) } ?? ""
        if !remainder.isEmpty {
            if remainder.containsScalar("[") { throw fail("multiple brackets sections not allowed") }
            let (version, build) = splitVersionAndBuild(remainder)
            components.version = sanitizeVersion(version, build: build)
            components.build = build
        }
        brackets.removeAll { $0.0 == "name" }
        components.brackets = brackets
        return components
    }

    /// A path or URL to a package file: conda takes channel, subdir, name, version and build
    /// from it.
    static func tarballComponents(_ s: String, fail: (String) -> SpecError) throws(SpecError) -> Components {
        var url = s
        if CondaChannel.splitURL(s) == nil {
            url = "file://" + (s.hasScalarPrefix("/") ? "" : "/") + s
        }
        var components = Components()
        guard var parts = CondaChannel.splitURL(url), let file = parts.path.popLast() else {
            throw fail("cannot read a package file name")
        }
        let filename = CondaChannel.percentDecoded(file)
        if let sub = parts.path.last, CondaChannel.knownSubdirs.contains(sub) {
            parts.path.removeLast()
            let stem =
                filename.hasScalarSuffix(".conda") ? filename.droppingLastScalars(6) : filename.droppingLastScalars(8)
            let pieces = rsplit(stem, "-", maxSplits: 2)
            guard pieces.count == 3 else { throw fail("package file name is not name-version-build") }
            components.name = pieces[0]
            components.version = pieces[1]
            components.build = pieces[2]
            components.channel = CondaChannel.urlChannel(parts, keepNonAliasURL: false)
            components.subdir = sub
            components.brackets = [("fn", filename), ("url", url)]
        } else {
            components.brackets = [("fn", filename), ("url", url)]
        }
        return components
    }

    // MARK: conda's regular expressions, by hand

    /// `.*(?:(\[.*\]))` matched at the start: the last `open` that has a `close` after it on the
    /// first line, through the last `close` on that line. Scalar indices.
    static func lastEnclosed(_ s: String, open: Unicode.Scalar, close: Unicode.Scalar) -> (Int, Int)? {
        let scalars = Array(s.unicodeScalars)
        let lineEnd = scalars.firstIndex(of: "\n") ?? scalars.count
        guard let hi = scalars[..<lineEnd].lastIndex(of: close) else { return nil }
        guard let lo = scalars[..<hi].lastIndex(of: open) else { return nil }
        return (lo, hi)
    }

    static func removingAll(_ needle: String, from text: String) -> String {
        let n = Array(needle.unicodeScalars)
        let t = Array(text.unicodeScalars)
        guard !n.isEmpty else { return text }
        var out = String.UnicodeScalarView()
        var i = 0
        while i < t.count {
            if i + n.count <= t.count && t[i..<i + n.count].elementsEqual(n) {
                i += n.count
            } else {
                out.append(t[i])
                i += 1
            }
        }
        return String(out)
    }

    static func firstRange(of needle: String, in text: String) -> Range<String.UnicodeScalarView.Index>? {
        let scalars = text.unicodeScalars
        let n = Array(needle.unicodeScalars)
        var i = scalars.startIndex
        while i != scalars.endIndex {
            var j = i
            var k = 0
            while k < n.count, j != scalars.endIndex, scalars[j] == n[k] {
                j = scalars.index(after: j)
                k += 1
            }
            if k == n.count { return i..<j }
            i = scalars.index(after: i)
        }
        return nil
    }

    /// Python's `str.rsplit(sep, maxsplit)`.
    static func rsplit(_ text: String, _ sep: Unicode.Scalar, maxSplits: Int) -> [String] {
        var parts: [String] = []
        var rest = text.unicodeScalars[...]
        while parts.count < maxSplits, let i = rest.lastIndex(of: sep) {
            parts.insert(String(String.UnicodeScalarView(rest[rest.index(after: i)...])), at: 0)
            rest = rest[..<i]
        }
        parts.insert(String(String.UnicodeScalarView(rest)), at: 0)
        return parts
    }

    /// `([a-zA-Z0-9_-]+?)=(["']?)([^'"]*?)(\2)(?:[, ]|$)` with `finditer`.
    static func keyValuePairs(_ s: [Unicode.Scalar]) -> [(String, String)] {
        func isKey(_ c: Unicode.Scalar) -> Bool { c.isASCIIAlnum || c == "_" || c == "-" }
        func isQuote(_ c: Unicode.Scalar) -> Bool { c == "'" || c == "\"" }
        func endAt(_ p: Int) -> Bool { p == s.count || (p == s.count - 1 && s[p] == "\n") }
        func delimiter(_ p: Int) -> Int? {
            if p < s.count && (s[p] == "," || s[p] == " ") { return p + 1 }
            return endAt(p) ? p : nil
        }
        var out: [(String, String)] = []
        var start = 0
        while start < s.count {
            var keyEnd = start
            while keyEnd < s.count && isKey(s[keyEnd]) { keyEnd += 1 }
            guard keyEnd > start, keyEnd < s.count, s[keyEnd] == "=" else {
                start += 1
                continue
            }
            let valueStart = keyEnd + 1
            var matched: (String, Int)?
            // With an opening quote: value runs to the first quote, which must be the same one.
            if valueStart < s.count, isQuote(s[valueStart]) {
                let q = s[valueStart]
                var k = valueStart + 1
                while k < s.count && !isQuote(s[k]) { k += 1 }
                if k < s.count && s[k] == q, let next = delimiter(k + 1) {
                    matched = (String(String.UnicodeScalarView(s[(valueStart + 1)..<k])), next)
                }
            }
            // Without: the shortest value (no quotes) followed by a delimiter.
            if matched == nil {
                var k = valueStart
                while true {
                    if let next = delimiter(k) {
                        matched = (String(String.UnicodeScalarView(s[valueStart..<k])), next)
                        break
                    }
                    if k >= s.count || isQuote(s[k]) { break }
                    k += 1
                }
            }
            guard let (value, next) = matched else {
                start += 1
                continue
            }
            out.append((String(String.UnicodeScalarView(s[start..<keyEnd])), value))
            start = max(next, start + 1)
        }
        return out
    }

    /// `([^ =<>!~]+)?([><!=~ ].+)?` matched at the start.
    static func splitNameAndRest(_ s: String) -> (String?, String?) {
        let scalars = Array(s.unicodeScalars)
        var i = 0
        while i < scalars.count && !" =<>!~".unicodeScalars.contains(scalars[i]) { i += 1 }
        let name = i > 0 ? String(String.UnicodeScalarView(scalars[..<i])) : nil
        var rest: String?
        if i < scalars.count, "><!=~ ".unicodeScalars.contains(scalars[i]) {
            var j = i + 1
            while j < scalars.count && scalars[j] != "\n" { j += 1 }
            if j > i + 1 { rest = String(String.UnicodeScalarView(scalars[i..<j])) }
        }
        return (name, rest)
    }

    /// conda's `_parse_version_plus_build` (see the header for the regex).
    static func splitVersionAndBuild(_ text: String) -> (String, String?) {
        let s = Array(text.unicodeScalars)
        let n = s.count
        let notBeforeSeparator = "=!|,<>~".unicodeScalars
        let notVersionEnd = "><!,|".unicodeScalars
        let notInBuild = "-=,|<>~".unicodeScalars
        // validRunEnd[p]: end of the run of build characters starting at p.
        var validRunEnd = [Int](repeating: n, count: n + 1)
        var p = n - 1
        while p >= 0 {
            validRunEnd[p] = notInBuild.contains(s[p]) ? p : validRunEnd[p + 1]
            p -= 1
        }
        func dollar(_ q: Int) -> Bool { q == n || (q == n - 1 && s[n - 1] == "\n") }
        func result(_ lo: Int, _ hi: Int, _ build: String?) -> (String, String?) {
            var version = String.UnicodeScalarView()
            for c in s[lo..<hi] where c != " " { version.append(c) }
            return (String(version), build.map { PythonText.strip($0) })
        }
        for start in 0..<n {
            var e1 = start + 1
            while e1 <= n && s[e1 - 1] != "\n" {
                for optional in [1, 0] {
                    var vEnd = e1
                    if optional == 1 {
                        guard e1 < n, !notVersionEnd.contains(s[e1]) else { continue }
                        vEnd = e1 + 1
                    }
                    if vEnd < n, !notBeforeSeparator.contains(s[vEnd - 1]), s[vEnd] == " " || s[vEnd] == "=" {
                        let b = vEnd + 1
                        let runEnd = validRunEnd[min(b, n)]
                        var m: Int?
                        if n >= 1 && s[n - 1] == "\n" && b < n - 1 && runEnd >= n - 1 {
                            m = n - 1
                        } else if b < n && runEnd == n {
                            m = n
                        }
                        if let m { return result(start, vEnd, String(String.UnicodeScalarView(s[b..<m]))) }
                    }
                    if dollar(vEnd) { return result(start, vEnd, nil) }
                }
                e1 += 1
            }
        }
        return result(0, n, nil)
    }

    /// conda's `_sanitize_version_str`.
    static func sanitizeVersion(_ version: String, build: String?) -> String {
        if version == "==" || version == "=" { return version }
        guard version.hasScalarPrefix("=") else { return version }
        let bare = String(String.UnicodeScalarView(version.unicodeScalars.drop(while: { $0 == "=" })))
        if version.hasScalarPrefix("==") && build == nil { return bare }
        if !bare.containsAnyScalar(of: "=,|") {
            if build == nil && !bare.hasScalarSuffix("*") { return bare + "*" }
            return bare
        }
        return version
    }

    /// CEP 26 names (conda's `_validate_package_name`).
    static func validatePackageName(_ name: String, fail: (String) -> SpecError) throws(SpecError) {
        if name.containsScalar("*") { return }
        let lowered = PythonText.lower(name)
        var invalid: [String] = []
        for c in lowered.unicodeScalars where !(c.isLowerASCIIAlnum || c == "." || c == "_" || c == "-") {
            let ch = String(Character(c))
            if !invalid.contains(ch) { invalid.append(ch) }
        }
        if !invalid.isEmpty { throw fail("package name contains invalid characters (\(invalid.joined()))") }
        let s = Array(lowered.unicodeScalars)
        func isSep(_ c: Unicode.Scalar) -> Bool { c == "." || c == "_" || c == "-" }
        // `([a-z0-9]+([._-]|$))*$`: alphanumeric runs, each followed by one separator or the end.
        func runsValid(from i: Int) -> Bool {
            var k = i
            while k < s.count {
                guard s[k].isLowerASCIIAlnum else { return false }
                while k < s.count && s[k].isLowerASCIIAlnum { k += 1 }
                if k < s.count { k += 1 }  // one separator
            }
            return true
        }
        func afterHead(_ i: Int) -> Bool {
            // `[._-]?` then the runs (the optional separator is tried taken first).
            if i < s.count && isSep(s[i]) && runsValid(from: i + 1) { return true }
            return runsValid(from: i)
        }
        var valid = false
        if let first = s.first {
            if first.isLowerASCIIAlnum {
                valid = afterHead(1)
            } else if first == "_" && (s.count < 2 || s[1] != "_") {
                valid = afterHead(1)
            }
        }
        if !valid && s.count >= 3 && s[0] == "_" && s[1] == "_" && s[2].isLowerASCIIAlnum {
            valid = afterHead(3)
        }
        if !valid { throw fail("invalid package name") }
    }
}
