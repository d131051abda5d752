// The module graph documented in docs/architecture.md is the one Package.swift declares: every
// non-test target appears in the document's table with its kind and exactly its dependencies,
// and the table names no target Package.swift lacks. Changing an arrow means changing both.

import Foundation
import Testing

enum PackageGraph {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct Module: Equatable, CustomStringConvertible {
        let name: String
        let kind: String
        let dependencies: Set<String>
        var description: String { "\(name) [\(kind)] → \(dependencies.sorted().joined(separator: ", "))" }
    }

    enum ParseError: Error, CustomStringConvertible {
        case malformed(String)
        var description: String {
            switch self {
            case .malformed(let why): return why
            }
        }
    }

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: repository.appendingPathComponent(relative), encoding: .utf8)
    }

    /// Targets of a manifest, by name. Test targets are left out; `.product(name: A, package: B)`
    /// is the dependency `A (B)`.
    static func manifestModules(_ manifest: String) throws -> [String: Module] {
        let kinds = [
            ".systemLibrary(": "system library", ".executableTarget(": "executable", ".target(": "library",
            ".testTarget(": "test"
        ]
        let text = Array(strippingComments(manifest))
        var modules: [String: Module] = [:]
        var i = 0
        while i < text.count {
            guard let (opener, kind) = kinds.first(where: { matches(text, at: i, $0.key) }) else {
                i += 1
                continue
            }
            let start = i + opener.count - 1
            let end = try closing(text, from: start)
            let body = String(text[(start + 1)..<end])
            i = end + 1
            guard kind != "test" else { continue }
            guard let name = firstString(after: "name:", in: body) else {
                throw ParseError.malformed("a \(opener) without a name")
            }
            // A C target that links a system library is still a C target of this package.
            let cKind =
                kind == "library"
                    && FileManager.default.fileExists(
                        atPath: repository.appendingPathComponent("Sources/\(name)/include").path)
                ? "C library" : kind
            modules[name] = Module(name: name, kind: cKind, dependencies: try dependencies(in: body))
        }
        return modules
    }

    static func dependencies(in body: String) throws -> Set<String> {
        guard let label = body.range(of: "dependencies:") else { return [] }
        let rest = Array(body[label.upperBound...])
        guard let open = rest.firstIndex(of: "[") else { throw ParseError.malformed("dependencies without a list") }
        let close = try closing(rest, from: open)
        var result = Set<String>()
        var j = open + 1
        while j < close {
            if rest[j] == "\"" {
                let end = rest[(j + 1)...].firstIndex(of: "\"")!
                result.insert(String(rest[(j + 1)..<end]))
                j = end + 1
            } else if matches(rest, at: j, ".product(") {
                let end = try closing(rest, from: j + ".product".count)
                let call = String(rest[j...end])
                guard let name = firstString(after: "name:", in: call),
                    let package = firstString(after: "package:", in: call)
                else {
                    throw ParseError.malformed("a product dependency without name and package: \(call)")
                }
                result.insert("\(name) (\(package))")
                j = end + 1
            } else if rest[j] == "." {
                throw ParseError.malformed(
                    "a dependency form this test does not read: \(String(rest[j..<min(close, j + 40)]))")
            } else {
                j += 1
            }
        }
        return result
    }

    /// The table of docs/architecture.md: rows whose first cell is a module in backticks.
    static func documentedModules(_ markdown: String) throws -> [String: Module] {
        var modules: [String: Module] = [:]
        for line in markdown.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 4 else { throw ParseError.malformed("a table row without 4 cells: \(line)") }
            let name = cells[0].replacingOccurrences(of: "`", with: "")
            var dependencies = Set<String>()
            if cells[3] != "—" {
                for item in cells[3].components(separatedBy: ", ") {
                    dependencies.insert(item.replacingOccurrences(of: "`", with: ""))
                }
            }
            guard modules[name] == nil else { throw ParseError.malformed("\(name) is in the table twice") }
            modules[name] = Module(name: name, kind: cells[1], dependencies: dependencies)
        }
        return modules
    }

    private static func matches(_ text: [Character], at i: Int, _ word: String) -> Bool {
        var k = i
        for c in word {
            guard k < text.count, text[k] == c else { return false }
            k += 1
        }
        return true
    }

    /// The index of the bracket closing the one at `open` (strings skipped).
    private static func closing(_ text: [Character], from open: Int) throws -> Int {
        let pairs: [Character: Character] = ["(": ")", "[": "]"]
        guard let want = pairs[text[open]] else { throw ParseError.malformed("no bracket at \(open)") }
        var depth = 0
        var inString = false
        for k in open..<text.count {
            let c = text[k]
            if inString {
                if c == "\"" { inString = false }
                continue
            }
            if c == "\"" {
                inString = true
            } else if c == text[open] {
                depth += 1
            } else if c == want {
                depth -= 1
                if depth == 0 { return k }
            }
        }
        throw ParseError.malformed("unbalanced \(text[open])")
    }

    private static func firstString(after label: String, in text: String) -> String? {
        guard let at = text.range(of: label) else { return nil }
        let rest = text[at.upperBound...]
        guard let open = rest.firstIndex(of: "\"") else { return nil }
        let afterOpen = rest.index(after: open)
        guard let close = rest[afterOpen...].firstIndex(of: "\"") else { return nil }
        return String(rest[afterOpen..<close])
    }

    private static func strippingComments(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            guard let slash = line.range(of: "//") else { return line }
            return line[..<slash.lowerBound]
        }.joined(separator: "\n")
    }
}

@Suite struct ModuleGraphTests {
    @Test func theDocumentShowsThePackagesGraph() throws {
        let manifest = try PackageGraph.manifestModules(PackageGraph.text("Package.swift"))
        let documented = try PackageGraph.documentedModules(PackageGraph.text("docs/architecture.md"))
        #expect(manifest.count >= 15, "Package.swift read as \(manifest.keys.sorted())")
        let missing = Set(manifest.keys).subtracting(documented.keys)
        let extra = Set(documented.keys).subtracting(manifest.keys)
        #expect(missing.isEmpty, "targets of Package.swift not in docs/architecture.md: \(missing.sorted())")
        #expect(extra.isEmpty, "docs/architecture.md names targets Package.swift does not have: \(extra.sorted())")
        for name in manifest.keys.sorted() {
            guard let doc = documented[name], let real = manifest[name] else { continue }
            #expect(
                doc == real,
                """
                \(name) differs:
                  Package.swift:         \(real)
                  docs/architecture.md:  \(doc)
                """)
        }
    }

    /// The parser reads what it must, so the comparison above can fail.
    @Test func theParsersSeeAChangedArrow() throws {
        let manifest = """
            targets: [
                // .target(name: "Commented", dependencies: ["Nothing"]),
                .systemLibrary(name: "CFoo", pkgConfig: "foo"),
                .target(name: "A"),
                .target(name: "B", dependencies: ["A", "CFoo"], exclude: ["Data"]),
                .executableTarget(name: "tool", dependencies: ["B", .product(name: "Parser", package: "swift-parser")]),
                .testTarget(name: "BTests", dependencies: ["B"]),
            ]
            """
        let modules = try PackageGraph.manifestModules(manifest)
        #expect(modules.keys.sorted() == ["A", "B", "CFoo", "tool"])
        #expect(modules["B"]?.dependencies == ["A", "CFoo"])
        #expect(modules["CFoo"]?.kind == "system library")
        #expect(
            modules["tool"]
                == PackageGraph.Module(name: "tool", kind: "executable", dependencies: ["B", "Parser (swift-parser)"]))
        let table = """
            | module | kind | owns | depends on |
            |---|---|---|---|
            | `A` | library | a | — |
            | `B` | library | b | `A` |
            """
        let documented = try PackageGraph.documentedModules(table)
        #expect(documented["A"] == modules["A"])
        #expect(documented["B"] != modules["B"], "B's arrow to CFoo is missing from the table and must show")
    }
}
