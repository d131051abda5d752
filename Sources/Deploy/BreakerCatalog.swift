// Breakers/breakers.yaml as values: environments known to break a deployment, each case with
// what breaks, the fix and where it was reported. One source of truth for two users: the
// planner keeps a profile's own additions out of every range a case names for its deployment
// (ProfileAdditions), and `mlenv lint` turns each rule into findings on the model's choices.
// Loading errors carry the file's line and column.

import Requests
import Specs
import YAML

public struct BreakerCondition: Hashable, Sendable {
    public let packages: [NormalizedName]
    public let versions: SpecifierSet?
    public let versionsText: String?
    public let ecosystem: Ecosystem?

    public func matches(name: NormalizedName, version: String, ecosystem: Ecosystem) -> Bool {
        guard packages.contains(name) else { return false }
        if let required = self.ecosystem, required != ecosystem { return false }
        guard let versions else { return true }
        guard let parsed = try? PEP440Version(parsing: version) else { return false }
        return versions.contains(parsed, prereleases: true)
    }
}

public struct BreakerCase: Hashable, Sendable {
    public let missing: [NormalizedName]
    public let declares: [NormalizedName]
    public let installs: [BreakerCondition]
    public let any: [BreakerCondition]
    public let severity: BreakerSeverity?
    public let breaks: String
    public let fix: String
    public let sources: [String]
}

/// The severities of lint findings (Lint's Severity has the same raw values).
public enum BreakerSeverity: String, Hashable, Sendable {
    case error, warning, info
}

/// What lint lists for the rule: id, name, severity, category (`breakers` or `serving`), summary.
public struct BreakerRuleHeader: Hashable, Sendable {
    public let id: String
    public let name: String
    public let severity: BreakerSeverity
    public let category: String
    public let summary: String
}

public struct BreakerRule: Hashable, Sendable {
    public let header: BreakerRuleHeader
    /// Deployment profiles the rule applies to; nil for all.
    public let deployments: [String]?
    public let cases: [BreakerCase]
}

public struct BreakerDataError: Error, Hashable, Sendable, CustomStringConvertible {
    public let file: String
    public let mark: Mark?
    public let message: String
    public var description: String { file + (mark.map { ":\($0.line):\($0.column)" } ?? "") + ": " + message }
}

public struct BreakerCatalog: Hashable, Sendable {
    public let rules: [BreakerRule]

    public init(rules: [BreakerRule]) { self.rules = rules }

    /// The catalog shipped with mlenv (Breakers/breakers.yaml, compiled in by SwiftPM's `.embedInCode`).
    public static func builtIn() throws(BreakerDataError) -> BreakerCatalog {
        try parse(PackageResources.breakers_yaml, file: "breakers.yaml")
    }

    public static func parse(_ bytes: [UInt8], file: String) throws(BreakerDataError) -> BreakerCatalog {
        func fail(_ message: String, _ node: YAMLNode?) -> BreakerDataError {
            BreakerDataError(file: file, mark: node?.mark, message: message)
        }
        let root: YAMLNode?
        do { root = try YAMLLoader.load(bytes) } catch {
            throw BreakerDataError(file: file, mark: error.mark, message: error.message)
        }
        guard let items = root?["rules"]?.sequence else { throw fail("expected a mapping with a `rules` list", root) }

        func names(_ node: YAMLNode?) -> [NormalizedName] {
            guard let node else { return [] }
            if let text = node.scalarText { return [NormalizedName(text)] }
            return (node.sequence ?? []).compactMap { $0.scalarText.map { NormalizedName($0) } }
        }
        func conditions(_ node: YAMLNode?) throws(BreakerDataError) -> [BreakerCondition] {
            guard let node else { return [] }
            guard let list = node.sequence else {
                throw fail("expected a list of {package, versions} conditions", node)
            }
            var result: [BreakerCondition] = []
            for item in list {
                let packages = names(item["package"])
                guard !packages.isEmpty else { throw fail("a condition needs `package`", item) }
                var set: SpecifierSet?
                let text = item["versions"]?.scalarText
                if let text {
                    do { set = try SpecifierSet(parsing: text) } catch {
                        throw fail("versions '\(text)': \(error.message)", item["versions"])
                    }
                }
                var ecosystem: Ecosystem?
                if let e = item["ecosystem"]?.scalarText {
                    guard let parsed = Ecosystem(rawValue: e) else {
                        throw fail("ecosystem must be pypi or conda", item["ecosystem"])
                    }
                    ecosystem = parsed
                }
                result.append(
                    BreakerCondition(packages: packages, versions: set, versionsText: text, ecosystem: ecosystem))
            }
            return result
        }
        func severity(_ node: YAMLNode?) throws(BreakerDataError) -> BreakerSeverity? {
            guard let text = node?.scalarText else { return nil }
            guard let parsed = BreakerSeverity(rawValue: text) else {
                throw fail("severity must be error, warning or info", node)
            }
            return parsed
        }
        func text(_ node: YAMLNode, _ key: String) throws(BreakerDataError) -> String {
            guard let value = node[key]?.scalarText, !value.isEmpty else { throw fail("missing `\(key)`", node) }
            return value
        }

        var rules: [BreakerRule] = []
        for item in items {
            let id = try text(item, "id")
            let categoryText = item["category"]?.scalarText ?? "breakers"
            guard categoryText == "breakers" || categoryText == "serving" else {
                throw fail("\(id): category must be breakers or serving", item["category"])
            }
            guard let ruleSeverity = try severity(item["severity"]) else {
                throw fail("\(id): missing `severity`", item)
            }
            let header = BreakerRuleHeader(
                id: id, name: try text(item, "name"), severity: ruleSeverity, category: categoryText,
                summary: try text(item, "summary"))
            var cases: [BreakerCase] = []
            for entry in item["cases"]?.sequence ?? [] {
                let sources = (entry["sources"]?.sequence ?? []).compactMap(\.scalarText)
                guard !sources.isEmpty else { throw fail("\(id): every case needs its public `sources`", entry) }
                let c = BreakerCase(
                    missing: names(entry["missing"]), declares: names(entry["declares"]),
                    installs: try conditions(entry["installs"]), any: try conditions(entry["any"]),
                    severity: try severity(entry["severity"]), breaks: try text(entry, "breaks"),
                    fix: try text(entry, "fix"), sources: sources)
                guard !(c.missing.isEmpty && c.declares.isEmpty && c.installs.isEmpty) else {
                    throw fail("\(id): a case needs `missing`, `declares` or `installs`", entry)
                }
                cases.append(c)
            }
            guard !cases.isEmpty else { throw fail("\(id): no cases", item) }
            let deployments = item["deployments"]?.sequence?.compactMap(\.scalarText)
            rules.append(BreakerRule(header: header, deployments: deployments, cases: cases))
        }
        return BreakerCatalog(rules: rules)
    }
}
