/// Index options in requirements (`--index-url`, `--extra-index-url`, `--find-links`,
/// `--trusted-host`) and requirements files fetched over HTTP make pip reach those hosts when the
/// image is built: the deployment needs egress to them, which workspaces without outbound
/// network do not have (Azure ML: "not supported" for online MLflow deployments), and the
/// environment depends on what those hosts serve that day. Configure indexes on the build, not
/// in the model.

import ModelFiles
import Specs

struct InstallFromConfiguredIndexesOnly: EnvironmentLintRule {
    let rule = RuleDescription(
        id: "MLE032", name: "InstallFromConfiguredIndexesOnly", severity: .warning, category: .reproducibility,
        summary: "requirements set --index-url/--extra-index-url/--find-links (network at deploy time)")

    static let networkOptions: Set<String> = ["--index-url", "--extra-index-url", "--find-links", "--trusted-host"]

    /// `https://user:token@host/simple` → `https://***@host/simple`: lint output goes to CI logs.
    static func redacted(_ url: String) -> String {
        guard let scheme = url.literalRange(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else {
            return url
        }
        let slash = url[scheme.upperBound...].firstIndex(of: "/") ?? url.endIndex
        guard at < slash else { return url }
        return String(url[..<scheme.upperBound]) + "***" + String(url[at...])
    }

    func check(_ environment: DeclaredEnvironment, of subject: LintSubject, into sink: inout FindingSink) {
        let kind: EnvironmentKind = subject.mode == .conda && environment.conda != nil ? .conda : .virtualenv
        for option in environment.pipOptions
        where option.environment == kind && Self.networkOptions.contains(option.name) {
            sink.report(Message.option(option.name, option.value.map(Self.redacted)), at: option.location)
        }
        LoaderDiagnostics.report(subject, rule: rule.id, into: &sink)
    }
}

private enum Message {
    static func option(_ name: String, _ value: String?) -> String {
        let what =
            name == "--trusted-host"
            ? "skips TLS checks for \(value ?? "a host")" : "makes pip read \(value ?? "another index") at install time"
        return
            "\(name) \(what): the deployment needs network access to it (workspaces without egress fail) and installs whatever it serves that day; configure indexes on the build instead"
    }
}
