// Findings as GitHub Actions workflow commands, which the runner turns into annotations on
// the pull request: `::error file=F,line=L,col=C,title=T::message`. Info findings are notices.
// Values are escaped as the runner expects (`%` `\r` `\n`, and `:` `,` in properties).

import Specs

public enum GitHubFormatter {
    public static func format(_ report: LintReport) -> String {
        var out = ""
        for finding in report.findings {
            let command: String
            switch finding.severity {
            case .error: command = "error"
            case .warning: command = "warning"
            case .info: command = "notice"
            }
            var properties = ["file=" + property(finding.location.path)]
            if let line = finding.location.line { properties.append("line=\(line)") }
            if let column = finding.location.column { properties.append("col=\(column)") }
            properties.append("title=" + property("\(finding.ruleID) \(finding.ruleName)"))
            var message = finding.message
            for note in finding.notes { message += "\n" + (note.location.map { "\($0): " } ?? "") + note.message }
            out += "::\(command) \(properties.joined(separator: ","))::\(data(message))\n"
        }
        return out
    }

    static func data(_ text: String) -> String {
        text.replacingLiteral("%", with: "%25").replacingLiteral("\r", with: "%0D").replacingLiteral("\n", with: "%0A")
    }

    static func property(_ text: String) -> String {
        data(text).replacingLiteral(":", with: "%3A").replacingLiteral(",", with: "%2C")
    }
}
