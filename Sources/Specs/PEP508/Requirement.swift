// PEP 508 dependency specifiers ("requests[security,socks] >=2.8.1, ==2.8.* ; python_version < '2.7'").
//
// Traps (rows in PEP508RequirementTests):
// - The version part may be wrapped in parentheses ("name (>=1.0)"); it may end in a comma.
// - "name @ url" takes no version specifier; a marker after a URL needs whitespace before ";".
// - Extras print sorted and de-duplicated (packaging keeps a set); `extras` here keeps the
//   order written (duplicates dropped), which is what error messages and locks want to quote.
// - Equality follows packaging 26.3+: names and extras compare normalised (PEP 503/685),
//   specifiers by meaning; the printed form keeps the spelling.

public struct Requirement: Hashable, Sendable, CustomStringConvertible {
    /// The project name as written.
    public let name: String
    /// Extras as written, in order, without exact duplicates.
    public let extras: [String]
    public let specifier: SpecifierSet
    public let url: String?
    public let marker: Marker?

    /// The name in PEP 503 form, worked out once (a resolve asks it of every requirement of
    /// every release it reads, many times over).
    public let normalizedName: NormalizedName

    public init(
        name: String, extras: [String] = [], specifier: SpecifierSet = SpecifierSet(), url: String? = nil,
        marker: Marker? = nil
    ) {
        self.name = name
        self.normalizedName = NormalizedName(name)
        var seen = Set<String>()
        self.extras = extras.filter { seen.insert($0).inserted }
        self.specifier = specifier
        self.url = url
        self.marker = marker
    }

    /// Parses a PEP 508 dependency specifier.
    public init(parsing text: String) throws(SpecError) {
        self = try text.withBytes { b in
            var parser = DependencyParser(b, text: text)
            return parser.parseRequirement().map { parsed in
                Requirement(
                    name: parsed.name, extras: parsed.extras, specifier: SpecifierSet(parsed.specifiers),
                    url: parsed.url, marker: parsed.marker.map { Marker(tree: $0, source: text) })
            }
        }
    }

    /// packaging's `str(Requirement)`: name, sorted extras, canonical specifier set, URL, marker.
    public var description: String {
        var out = name
        if !extras.isEmpty {
            let sorted = Set(extras).sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            out += "[" + sorted.joined(separator: ",") + "]"
        }
        if !specifier.isEmpty { out += specifier.description }
        if let url {
            out += " @ " + url
            if marker != nil { out += " " }
        }
        if let marker { out += "; " + marker.description }
        return out
    }

    public static func == (lhs: Requirement, rhs: Requirement) -> Bool {
        lhs.normalizedName == rhs.normalizedName
            && Set(lhs.extras.map { NormalizedName($0) }) == Set(rhs.extras.map { NormalizedName($0) })
            && lhs.specifier == rhs.specifier && lhs.marker == rhs.marker
            && (lhs.url ?? "").scalarsEqual(rhs.url ?? "") && (lhs.url == nil) == (rhs.url == nil)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(normalizedName)
        hasher.combine(Set(extras.map { NormalizedName($0) }))
        hasher.combine(specifier)
        hasher.combine(url.map { Array($0.utf8) })
        hasher.combine(marker)
    }
}
