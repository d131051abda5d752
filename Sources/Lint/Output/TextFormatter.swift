// Findings as a compiler prints them:
//
//   models/a/conda.yaml:4:3: error[MLE011]: 'python=3.7.6' cannot be installed: ...
//       4 |   - python=3.7.6
//         |     ^~~~~~~~~~~~
//     note: the channels' Pythons: 3.8, 3.9, ...
//
// then one summary line. Colour (ANSI) only when asked for — the command turns it on for a
// terminal.

public struct TextFormatter: Sendable {
    public var color: Bool

    public init(color: Bool = false) { self.color = color }

    /// `source` returns a file's lines (nil when unreadable); the caller decides how to read.
    public func format(_ report: LintReport, source: (String) -> [Substring]?) -> String {
        var out = ""
        for finding in report.findings {
            out +=
                bold(finding.location.description) + ": " + label(finding.severity) + bold("[\(finding.ruleID)]") + ": "
                + finding.message + "\n"
            if let line = finding.location.line, line >= 1, let lines = source(finding.location.path),
                line <= lines.count
            {
                out += snippet(String(lines[line - 1]), line: line, column: finding.location.column)
            }
            for note in finding.notes {
                let where_ = note.location.map { $0.description + ": " } ?? ""
                out += "  " + paint("note", "1;36") + ": " + where_ + note.message + "\n"
            }
        }
        out += summary(report) + "\n"
        return out
    }

    public func summary(_ report: LintReport) -> String {
        let models = "\(report.models.count) model\(report.models.count == 1 ? "" : "s")"
        let counts = [(Severity.error, "error"), (.warning, "warning"), (.info, "info")].map {
            severity, word -> String in
            let n = report.count(severity)
            return "\(n) \(word)\(n == 1 || word == "info" ? "" : "s")"
        }
        let clean = report.models.filter { model in !report.findings.contains { $0.location.model == model } }.count
        let shard = report.shard.map { " (shard \($0))" } ?? ""
        return "\(models) checked for \(report.deployment)\(shard): " + counts.joined(separator: ", ")
            + (clean > 0 ? " (\(clean) without findings)" : "")
    }

    private func snippet(_ text: String, line: Int, column: Int?) -> String {
        let number = String(line)
        let gutter = String(repeating: " ", count: number.count)
        var out = "    \(number) | \(text)\n"
        guard let column, column >= 1 else { return out }
        let characters = Array(text)
        let start = min(column - 1, characters.count)
        // Underline to the end of the line's content, before a trailing comment.
        var end = characters.count
        var i = start
        while i < characters.count {
            if characters[i] == "#" && i > start && (characters[i - 1] == " " || characters[i - 1] == "\t") {
                end = i
                break
            }
            i += 1
        }
        while end > start && (characters[end - 1] == " " || characters[end - 1] == "\t") { end -= 1 }
        // Keep tabs so the caret lines up under tab-indented text.
        let pad = String(characters[0..<start].map { $0 == "\t" ? "\t" : " " })
        let marks = "^" + String(repeating: "~", count: max(0, end - start - 1))
        out += "    \(gutter) | \(pad)\(paint(marks, "1;32"))\n"
        return out
    }

    private func label(_ severity: Severity) -> String {
        switch severity {
        case .error: return paint("error", "1;31")
        case .warning: return paint("warning", "1;33")
        case .info: return paint("info", "1;36")
        }
    }

    private func bold(_ text: String) -> String { paint(text, "1") }

    private func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
