// Core metadata (METADATA / PKG-INFO / PEP 658 `.metadata` files), versions 1.0–2.4.
// RFC 822-style headers: `Key: value`, continuation lines start with whitespace, keys repeat
// (Requires-Dist, Provides-Extra), names are case-insensitive; a blank line starts the body
// (the description, 2.1+). Differences that matter for resolution:
// - 1.0 has no dependency fields; 1.1's `Requires` names modules, not installable projects,
//   so it is ignored (pip ignores it too);
// - Requires-Dist and Requires-Python arrive in 1.2; Provides-Extra in 2.1;
// - 2.2 adds `Dynamic` (a field an sdist could not know; not used for wheels);
// - `Provides-Extra` values are normalised in 2.3 (`Dev_Tools` → `dev-tools`).

import JSON
import Specs

public struct CoreMetadata: Hashable, Sendable {
    public var metadataVersion: String
    public var name: String
    public var version: String
    public var requiresPython: SpecifierSet?
    public var requiresPythonText: String?
    public var requiresDist: [Requirement]
    /// Every Requires-Dist line as written (valid or not), for writing the metadata back.
    public var requiresDistLines: [String]
    /// Requires-Dist lines that do not parse (kept so lint can report them).
    public var invalidRequiresDist: [String]
    public var providesExtra: [String]
    public var dynamic: [String]
    public var license: String?
    public var licenseExpression: String?
    public var summary: String?

    /// Requires-Dist lines split into the requirements that parse and the lines that do not.
    static func split(_ lines: [String], _ parse: (String) -> Requirement?) -> ([Requirement], [String]) {
        var requirements: [Requirement] = []
        var invalid: [String] = []
        for line in lines {
            if let requirement = parse(line) {
                requirements.append(requirement)
            } else {
                invalid.append(line)
            }
        }
        return (requirements, invalid)
    }

    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// `requirement` parses one Requires-Dist line; an index passes a caching one (the same
    /// lines recur across every release of a project).
    public init(
        parsing text: String, requirement parseRequirement: (String) -> Requirement? = { try? Requirement(parsing: $0) }
    ) throws(ParseError) {
        let fields = try CoreMetadata.headers(text)
        func first(_ key: String) -> String? { fields.first { $0.0 == key }?.1 }
        func all(_ key: String) -> [String] { fields.filter { $0.0 == key }.map(\.1) }

        guard let name = first("name"), !name.isEmpty else { throw ParseError(message: "metadata has no Name") }
        guard let version = first("version"), !version.isEmpty else {
            throw ParseError(message: "metadata has no Version")
        }
        self.metadataVersion = first("metadata-version") ?? "1.0"
        self.name = name
        self.version = version
        self.requiresPythonText = first("requires-python").flatMap { $0.isEmpty ? nil : $0 }
        self.requiresPython = requiresPythonText.flatMap { try? SpecifierSet(parsing: $0) }
        self.requiresDistLines = all("requires-dist").filter { !$0.isEmpty }
        (self.requiresDist, self.invalidRequiresDist) = CoreMetadata.split(requiresDistLines, parseRequirement)
        self.providesExtra = all("provides-extra").filter { !$0.isEmpty }
        self.dynamic = all("dynamic")
        self.license = first("license")
        self.licenseExpression = first("license-expression")
        self.summary = first("summary")
    }

    /// The header fields before the body, keys lowercased, values with continuation lines joined
    /// by "\n" and surrounding whitespace trimmed. A byte scan: a resolve parses thousands of
    /// these files, and Character-level string handling made this a tenth of its time.
    static func headers(_ text: String) throws(ParseError) -> [(String, String)] {
        let bytes = Array(text.utf8)
        func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
        func trimmed(_ value: [UInt8]) -> String {
            var lo = 0
            var hi = value.count
            while lo < hi && isBlank(value[lo]) { lo += 1 }
            while hi > lo && isBlank(value[hi - 1]) { hi -= 1 }
            return String(decoding: value[lo..<hi], as: UTF8.self)
        }
        var fields: [(String, String)] = []
        var key: String?
        var value: [UInt8] = []
        var i = 0
        let n = bytes.count
        while i <= n {
            // One physical line [i, end): ended by \n, \r\n or \r.
            var end = i
            while end < n && bytes[end] != 0x0A && bytes[end] != 0x0D { end += 1 }
            var next = end + 1
            if end < n && bytes[end] == 0x0D && end + 1 < n && bytes[end + 1] == 0x0A { next += 1 }
            defer { i = next }
            if end == i { break }  // a blank line: the body starts
            if bytes[i] == 0x20 || bytes[i] == 0x09 {
                // Continuation of the previous header.
                guard key != nil else { continue }
                var j = i
                while j < end && (bytes[j] == 0x20 || bytes[j] == 0x09) { j += 1 }
                value.append(0x0A)
                value.append(contentsOf: bytes[j..<end])
                continue
            }
            if let k = key { fields.append((k, trimmed(value))) }
            guard let colon = bytes[i..<end].firstIndex(of: UInt8(ascii: ":")) else {
                let line = String(decoding: bytes[i..<end], as: UTF8.self)
                throw ParseError(message: "metadata line '\(line.prefix(60))' is not a 'Key: value' header")
            }
            key = String(decoding: bytes[i..<colon].map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
            value = Array(bytes[(colon + 1)..<end])
        }
        if let k = key { fields.append((k, trimmed(value))) }
        return fields
    }

    /// The fields a resolver needs, as a metadata file (what the mirror stores).
    public var trimmedText: String {
        var lines = ["Metadata-Version: \(metadataVersion)", "Name: \(name)", "Version: \(version)"]
        if let requiresPythonText { lines.append("Requires-Python: \(requiresPythonText)") }
        for extra in providesExtra { lines.append("Provides-Extra: \(extra)") }
        for line in requiresDistLines { lines.append("Requires-Dist: \(line)") }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" || f == "\n" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" || l == "\n" { s = s.dropLast() }
        return String(s)
    }
}
