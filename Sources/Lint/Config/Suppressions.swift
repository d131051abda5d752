// Inline suppression comments in a model's text files (requirements files, conda.yaml,
// python_env.yaml, MLmodel):
//
//   pyyaml==5.4.1  # mlenv: ignore MLE033         this line, one rule
//   # mlenv: ignore MLE030, MLE033                 the next line, two rules
//   torch==1.9.0  # mlenv: ignore                  this line, every rule
//   # mlenv: ignore-file MLE012                    the whole file
//
// Rules are named by id or by name. pip and YAML both treat `#` after whitespace as a comment,
// so the directive never changes what is installed.

import Basics
import FoundationEssentials
import JSON

struct SuppressionDirective: Hashable, Sendable {
    /// Empty: every rule.
    let rules: Set<String>
    func covers(_ finding: Finding) -> Bool {
        rules.isEmpty || rules.contains(finding.ruleID) || rules.contains(finding.ruleName)
    }
}

struct FileSuppressions: Sendable {
    var byLine: [Int: SuppressionDirective] = [:]
    var wholeFile: [SuppressionDirective] = []

    func suppresses(_ finding: Finding) -> Bool {
        if wholeFile.contains(where: { $0.covers(finding) }) { return true }
        guard let line = finding.location.line, let directive = byLine[line] else { return false }
        return directive.covers(finding)
    }

    init(text: String) {
        let lines = text.physicalLines
        for (index, raw) in lines.enumerated() {
            let line = index + 1
            guard let (kind, rules) = Self.directive(in: raw) else { continue }
            let directive = SuppressionDirective(rules: rules)
            if kind == "ignore-file" {
                wholeFile.append(directive)
            } else if raw.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("#") {
                // A comment on a line of its own covers the next line.
                byLine[line + 1] =
                    byLine[line + 1].map { SuppressionDirective(rules: $0.rules.union(directive.rules)) } ?? directive
            } else {
                byLine[line] = directive
            }
        }
    }

    /// `# mlenv: ignore[-file] [RULE[, RULE...]]` anywhere in the line after a `#`.
    static func directive(in line: Substring) -> (String, Set<String>)? {
        guard let hash = line.firstIndex(of: "#") else { return nil }
        var rest = line[line.index(after: hash)...].drop { $0 == " " || $0 == "\t" }
        guard rest.hasPrefix("mlenv:") else {
            // A later `#` may hold it (`pkg  # pinned for x  # mlenv: ignore MLE030`).
            return directive(in: line[line.index(after: hash)...])
        }
        rest = rest.dropFirst("mlenv:".count).drop { $0 == " " || $0 == "\t" }
        let kind: String
        if rest.hasPrefix("ignore-file") {
            kind = "ignore-file"
            rest = rest.dropFirst("ignore-file".count)
        } else if rest.hasPrefix("ignore") {
            kind = "ignore"
            rest = rest.dropFirst("ignore".count)
        } else {
            return nil
        }
        if let next = rest.first, next != " " && next != "\t" && next != "," { return nil }
        let rules = rest.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" })
            .map { String($0) }
            .filter { !$0.isEmpty }
            .map { $0.hasPrefix("MLE") || $0.hasPrefix("mle") ? $0.uppercased() : $0 }
        return (kind, Set(rules))
    }
}

/// Reads each model file once and drops the findings its comments suppress.
final class SuppressionIndex: Sendable {
    private let files = Locked<[String: FileSuppressions]>([:])

    func filter(_ findings: [Finding]) -> [Finding] {
        findings.filter { finding in
            guard let file = finding.location.file else { return true }
            return !suppressions(for: finding.location.path, isModelFile: !file.isEmpty).suppresses(finding)
        }
    }

    private func suppressions(for path: String, isModelFile: Bool) -> FileSuppressions {
        if let known = files.withLock({ $0[path] }) { return known }
        var parsed = FileSuppressions(text: "")
        // Only text files of reasonable size can carry comments worth reading.
        if isModelFile, let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let size = attributes[.size] as? UInt, size < 4_000_000,
            let data = FileManager.default.contents(atPath: path)
        {
            parsed = FileSuppressions(text: String(decoding: data, as: UTF8.self))
        }
        files.withLock { $0[path] = parsed }
        return parsed
    }
}
