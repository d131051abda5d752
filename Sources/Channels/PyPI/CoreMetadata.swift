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

    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// `requirement` parses one Requires-Dist line; an index passes a caching one (the same
    /// lines recur across every release of a project).
    public init(parsing text: String, requirement parseRequirement: (String) -> Requirement? = { try? Requirement(parsing: $0) }) throws(ParseError) {
        var fields: [(String, String)] = []
        var currentKey: String?
        var currentValue = ""
        for rawLine in text.physicalLines {
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.isEmpty { break }  // the body starts
            if let first = line.first, first == " " || first == "\t" {
                // Continuation of the previous header.
                if currentKey != nil { currentValue += "\n" + line.drop { $0 == " " || $0 == "\t" } }
                continue
            }
            if let key = currentKey { fields.append((key, currentValue)) }
            guard let colon = line.firstIndex(of: ":") else {
                throw ParseError(message: "metadata line '\(line.prefix(60))' is not a 'Key: value' header")
            }
            currentKey = line[..<colon].lowercased()
            currentValue = String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })
        }
        if let key = currentKey { fields.append((key, currentValue)) }

        func first(_ key: String) -> String? { fields.first { $0.0 == key }?.1.trimmingSpaces() }
        func all(_ key: String) -> [String] { fields.filter { $0.0 == key }.map { $0.1.trimmingSpaces() } }

        guard let name = first("name"), !name.isEmpty else { throw ParseError(message: "metadata has no Name") }
        guard let version = first("version"), !version.isEmpty else { throw ParseError(message: "metadata has no Version") }
        self.metadataVersion = first("metadata-version") ?? "1.0"
        self.name = name
        self.version = version
        self.requiresPythonText = first("requires-python").flatMap { $0.isEmpty ? nil : $0 }
        self.requiresPython = requiresPythonText.flatMap { try? SpecifierSet(parsing: $0) }
        var requirements: [Requirement] = []
        var invalid: [String] = []
        self.requiresDistLines = all("requires-dist").filter { !$0.isEmpty }
        for line in requiresDistLines {
            if let requirement = parseRequirement(line) { requirements.append(requirement) } else { invalid.append(line) }
        }
        self.requiresDist = requirements
        self.invalidRequiresDist = invalid
        self.providesExtra = all("provides-extra").filter { !$0.isEmpty }
        self.dynamic = all("dynamic")
        self.license = first("license")
        self.licenseExpression = first("license-expression")
        self.summary = first("summary")
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
