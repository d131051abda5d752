// `.mlenv.yaml`: project defaults for lint and the commands that resolve a model (deployment,
// channels, indexes, exclude-newer; see mlenv's ProjectDefaults) and a `lint` section (rules
// turned off or re-levelled, per-path overrides, max-warnings). Found in the nearest ancestor
// directory of the first path linted, or given with --config. Unknown keys and rule names are
// errors with the file's line and column, so a typo cannot silently turn a check off.
//
//   deployment: azureml-online
//   channels: [mirror/conda-forge]      # relative to this file
//   indexes: [mirror/pypi]
//   exclude-newer: 2026-11-01
//   lint:
//     max-warnings: 20
//     rules:
//       MLE030: off                     # id or name; off | error | warning | info
//       AvoidEndOfLifePython: error
//     overrides:
//       - paths: ["legacy/**"]          # globs relative to this file; `**` spans directories
//         deployment: azureml-batch
//         rules: {MLE012: off}

import FoundationEssentials
import Specs
import YAML

public enum RuleSetting: Hashable, Sendable {
    case off
    case severity(Severity)
}

public struct ConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let column: Int?
    public let message: String
    public var description: String {
        file + (line.map { ":\($0)" + (column.map { ":\($0)" } ?? "") } ?? "") + ": " + message
    }
}

public struct LintConfiguration: Hashable, Sendable {
    public struct Override: Hashable, Sendable {
        public let patterns: [PathPattern]
        public let deployment: String?
        public let rules: [String: RuleSetting]
    }

    public static let fileName = ".mlenv.yaml"

    /// The file read, or nil for the defaults.
    public var file: String?
    public var deployment: String?
    public var channels: [String] = []
    public var indexes: [String] = []
    public var excludeNewer: String?
    public var maxWarnings: Int?
    /// Rule id → setting (names are mapped to ids when the file is read).
    public var rules: [String: RuleSetting] = [:]
    public var overrides: [Override] = []

    public init() {}

    /// The directory relative paths in the file are relative to.
    public var directory: String? {
        file.map { URL(fileURLWithPath: $0).standardizedFileURL.deletingLastPathComponent().path }
    }

    /// `.mlenv.yaml` in `directory` or the nearest ancestor.
    public static func find(from directory: String) -> String? {
        var url = URL(fileURLWithPath: directory).standardizedFileURL
        while true {
            let candidate = url.appendingPathComponent(fileName).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { return nil }
            url = parent
        }
    }

    /// Reads a configuration file; `rules` maps rule names to ids and rejects unknown ones.
    public static func load(path: String, rules known: [RuleDescription]) throws(ConfigurationError)
        -> LintConfiguration
    {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(file: path, line: nil, column: nil, message: "cannot read the configuration file")
        }
        return try parse([UInt8](data), file: path, rules: known)
    }

    public static func parse(_ bytes: [UInt8], file: String, rules known: [RuleDescription]) throws(ConfigurationError)
        -> LintConfiguration
    {
        func fail(_ message: String, _ node: YAMLNode?) -> ConfigurationError {
            ConfigurationError(file: file, line: node?.mark.line, column: node?.mark.column, message: message)
        }
        let root: YAMLNode?
        do { root = try YAMLLoader.load(bytes) } catch {
            throw ConfigurationError(
                file: file, line: error.mark.line, column: error.mark.column, message: "invalid YAML: \(error.message)")
        }
        var configuration = LintConfiguration()
        configuration.file = file
        guard let root, !root.isNull else { return configuration }
        guard let pairs = root.pairs else {
            throw fail("expected a mapping (deployment, channels, indexes, exclude-newer, lint)", root)
        }

        func string(_ node: YAMLNode, _ key: String) throws(ConfigurationError) -> String {
            guard let text = node.scalarText, !node.isNull else {
                throw fail("\(key): expected a string, found a \(node.kindName)", node)
            }
            return text
        }
        func strings(_ node: YAMLNode, _ key: String) throws(ConfigurationError) -> [String] {
            if let text = node.scalarText, !node.isNull { return [text] }
            guard let items = node.sequence else { throw fail("\(key): expected a list of strings", node) }
            var result: [String] = []
            for item in items { result.append(try string(item, key)) }
            return result
        }
        func ruleSettings(_ node: YAMLNode) throws(ConfigurationError) -> [String: RuleSetting] {
            guard let pairs = node.pairs else {
                throw fail("rules: expected a mapping of rule id or name to off, error, warning or info", node)
            }
            var result: [String: RuleSetting] = [:]
            for pair in pairs {
                let key = try string(pair.key, "rules")
                guard let rule = known.first(where: { $0.id == key.uppercased() || $0.name == key }) else {
                    throw fail(
                        "rules: no rule '\(key)' (see docs/lint-rules.md or `mlenv lint --list-rules`)", pair.key)
                }
                // YAML 1.1 reads a bare `off` as false.
                let value = pair.value.scalarText ?? ""
                switch value.lowercased() {
                case "off", "false", "no", "none", "disable", "disabled": result[rule.id] = .off
                default:
                    guard let severity = Severity(rawValue: value.lowercased()) else {
                        throw fail("rules.\(key): expected off, error, warning or info, found '\(value)'", pair.value)
                    }
                    result[rule.id] = .severity(severity)
                }
            }
            return result
        }

        for pair in pairs {
            let key = try string(pair.key, "key")
            let value = pair.value
            switch key {
            case "deployment": configuration.deployment = try string(value, key)
            case "channels": configuration.channels = try strings(value, key)
            case "indexes": configuration.indexes = try strings(value, key)
            case "exclude-newer", "exclude_newer": configuration.excludeNewer = try string(value, key)
            case "lint":
                guard let lintPairs = value.pairs else {
                    throw fail("lint: expected a mapping (rules, overrides, max-warnings)", value)
                }
                for lintPair in lintPairs {
                    let lintKey = try string(lintPair.key, "lint key")
                    switch lintKey {
                    case "rules": configuration.rules = try ruleSettings(lintPair.value)
                    case "max-warnings", "max_warnings":
                        guard let text = lintPair.value.scalarText, let n = Int(text), n >= 0 else {
                            throw fail("lint.max-warnings: expected a number of warnings (0 or more)", lintPair.value)
                        }
                        configuration.maxWarnings = n
                    case "overrides":
                        guard let items = lintPair.value.sequence else {
                            throw fail("lint.overrides: expected a list of {paths, rules, deployment}", lintPair.value)
                        }
                        for item in items {
                            guard item.isMapping, let paths = item["paths"] else {
                                throw fail("lint.overrides: each entry needs `paths`", item)
                            }
                            var patterns: [PathPattern] = []
                            for text in try strings(paths, "paths") { patterns.append(PathPattern(text)) }
                            for extra in item.pairs ?? [] {
                                let name = extra.key.scalarText ?? ""
                                if !["paths", "rules", "deployment"].contains(name) {
                                    throw fail(
                                        "lint.overrides: unknown key '\(name)' (paths, rules, deployment)", extra.key)
                                }
                            }
                            let deployment = try item["deployment"].map {
                                (node: YAMLNode) throws(ConfigurationError) -> String in try string(node, "deployment")
                            }
                            let rules =
                                try item["rules"].map {
                                    (node: YAMLNode) throws(ConfigurationError) -> [String: RuleSetting] in
                                    try ruleSettings(node)
                                } ?? [:]
                            configuration.overrides.append(
                                Override(patterns: patterns, deployment: deployment, rules: rules))
                        }
                    default:
                        throw fail("lint: unknown key '\(lintKey)' (rules, overrides, max-warnings)", lintPair.key)
                    }
                }
            default:
                throw fail("unknown key '\(key)' (deployment, channels, indexes, exclude-newer, lint)", pair.key)
            }
        }
        return configuration
    }

    /// A path from the file (channels, indexes), made usable from the current directory.
    public func resolve(_ path: String) -> String {
        guard let directory, !path.hasPrefix("/"), !path.containsLiteral("://") else { return path }
        return directory + "/" + path
    }

    /// The deployment and rule settings for one model directory: the file's, then each
    /// matching override in order.
    public func settings(forModel path: String) -> (deployment: String?, rules: [String: RuleSetting]) {
        var deployment = self.deployment
        var rules = self.rules
        guard !overrides.isEmpty, let directory else { return (deployment, rules) }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard absolute.hasPrefix(directory + "/") else { return (deployment, rules) }
        let relative = String(absolute.dropFirst(directory.count + 1))
        for override in overrides where override.patterns.contains(where: { $0.matches(directoryOrAncestor: relative) })
        {
            if let d = override.deployment { deployment = d }
            rules.merge(override.rules) { _, new in new }
        }
        return (deployment, rules)
    }
}
