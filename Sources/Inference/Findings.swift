// Collecting findings while a payload is checked: a 200 MB body with one bad column must not
// produce ten million messages, so each (column, kind of problem) lists its first few cells and
// then one line that counts the rest.

import JSON

final class FindingSink {
    private(set) var findings: [PayloadFinding] = []
    private var counts: [String: Int] = [:]
    private var firstPaths: [String: String] = [:]
    private var order: [String] = []
    private var groupSeverity: [String: PayloadFinding.Severity] = [:]
    private var groupLabel: [String: String] = [:]
    let limit: Int

    init(limit: Int) { self.limit = max(1, limit) }

    var hasErrors: Bool {
        findings.contains { $0.severity == .error }
            || groupSeverity.contains { $0.value == .error && (counts[$0.key] ?? 0) > 0 }
    }

    func error(_ path: String, _ message: String) { findings.append(PayloadFinding(.error, path: path, message)) }
    func warning(_ path: String, _ message: String) { findings.append(PayloadFinding(.warning, path: path, message)) }
    func note(_ path: String, _ message: String) { findings.append(PayloadFinding(.note, path: path, message)) }

    /// A finding that may repeat for many cells: `group` names the column and the kind of problem;
    /// `label` says what repeats in the summary line ("cells of column 'age'").
    func grouped(
        _ severity: PayloadFinding.Severity, group: String, label: String, path: @autoclosure () -> String,
        _ message: @autoclosure () -> String
    ) {
        let count = counts[group, default: 0]
        if count == 0 {
            order.append(group)
            groupSeverity[group] = severity
            groupLabel[group] = label
        }
        counts[group] = count + 1
        if count < limit {
            findings.append(PayloadFinding(severity, path: path(), message()))
        }
    }

    /// Adds the "and N more" lines; call once at the end.
    func finish() -> [PayloadFinding] {
        for group in order {
            let count = counts[group] ?? 0
            if count > limit, let severity = groupSeverity[group] {
                findings.append(
                    PayloadFinding(
                        severity, path: "",
                        "\(count - limit) more \(groupLabel[group] ?? "cells") like the above (\(count) in all)"))
            }
        }
        order.removeAll()
        return findings
    }
}

enum Paths {
    /// `prefix.key` or `prefix["key with spaces"]`.
    static func member(_ prefix: String, _ key: String) -> String {
        // An ASCII letter, digit or `_` throughout, not starting with a digit (bytes: this runs per cell).
        var utf8 = key.utf8.makeIterator()
        var simple = false
        if let head = utf8.next(), !(head >= 0x30 && head <= 0x39) {
            simple = true
            var b: UInt8? = head
            while let c = b {
                guard (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
                else {
                    simple = false
                    break
                }
                b = utf8.next()
            }
        }
        if simple { return prefix.isEmpty ? key : "\(prefix).\(key)" }
        var escaped = ""
        for c in key {
            if c == "\\" || c == "\"" { escaped.append("\\") }
            escaped.append(c)
        }
        return "\(prefix)[\"\(escaped)\"]"
    }

    static func index(_ prefix: String, _ i: Int) -> String { "\(prefix)[\(i)]" }

    /// A list of names as Python prints it (`['a', 'b']`), to quote MLflow's messages.
    static func pyList(_ names: [String]) -> String {
        "[" + names.map { "'\($0)'" }.joined(separator: ", ") + "]"
    }
}
