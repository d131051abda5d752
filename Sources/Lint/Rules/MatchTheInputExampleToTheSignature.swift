/// The model's saved input example (`saved_input_example_info`: input_example.json, and
/// serving_input_example.json for MLflow 2.x+) must satisfy the model's own signature, checked
/// with the Swift inference core under MLflow's rules (the same check as `mlenv validate MODEL`).
/// An example the model rejects means the signature or the example is wrong — and it is the
/// request users copy. Conversions MLflow makes silently (a fraction truncated into an integer
/// column) are warnings. A named example file that is missing or not JSON is reported too.

import Inference
import ModelFiles

struct MatchTheInputExampleToTheSignature: EnvironmentLintRule {
    let rule = RuleDescription(
        id: "MLE061", name: "MatchTheInputExampleToTheSignature", severity: .error, category: .serving,
        summary: "the input example does not satisfy the signature")

    func check(_ environment: DeclaredEnvironment, of subject: LintSubject, into sink: inout FindingSink) {
        LoaderDiagnostics.report(subject, rule: rule.id, into: &sink)
        guard environment.mlmodel.inputExample != nil, environment.mlmodel.signature?.inputs != nil else { return }
        guard let files = try? ModelLoader.loadSignatureFiles(path: subject.path) else { return }
        if files.diagnostics.contains(where: { $0.code == "invalid-signature" }) { return }
        for check in InputExampleValidator.validate(files) {
            let location = SourceLocation(file: check.file)
            let report = check.report
            if !report.errors.isEmpty {
                sink.report(
                    Message.rejected(check.file, count: report.errors.count), at: location,
                    notes: report.errors.prefix(10).map { sink.note(Self.describe($0)) })
            }
            if !report.warnings.isEmpty {
                sink.report(
                    Message.changed(check.file, count: report.warnings.count), at: location, severity: .warning,
                    notes: report.warnings.prefix(10).map { sink.note(Self.describe($0)) })
            }
        }
    }

    static func describe(_ finding: PayloadFinding) -> String {
        finding.path.isEmpty ? finding.message : "\(finding.path): \(finding.message)"
    }
}

private enum Message {
    static func rejected(_ file: String, count: Int) -> String {
        "\(file) does not satisfy the model's signature (\(count) problem\(count == 1 ? "" : "s"), MLflow's rules): the server would reject this request; fix the example or the signature (`mlenv validate` shows the same)"
    }
    static func changed(_ file: String, count: Int) -> String {
        "\(file) is accepted, but MLflow changes \(count) value\(count == 1 ? "" : "s") of it silently to fit the signature"
    }
}
