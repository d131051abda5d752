/// A served model should have a signature (MLmodel `signature`). Without one, the server
/// enforces nothing: a request with a missing, renamed or mistyped column reaches the model and
/// fails inside it (HTTP 500, "Check the logs") or predicts from wrong data, and Azure ML
/// publishes no request schema (swagger) for the endpoint. A signature that does not parse is an
/// error: MLflow refuses to load the model.

import ModelFiles

struct ProvideASignature: EnvironmentLintRule {
    let rule = RuleDescription(
        id: "MLE060", name: "ProvideASignature", severity: .warning, category: .serving,
        summary: "the model has no signature")

    func check(_ environment: DeclaredEnvironment, of subject: LintSubject, into sink: inout FindingSink) {
        let invalid = LoaderDiagnostics.diagnostics(of: subject, for: rule.id)
        for diagnostic in invalid {
            sink.report(
                diagnostic.message, at: diagnostic.location ?? SourceLocation(file: "MLmodel"),
                severity: LoaderDiagnostics.severity(diagnostic.severity))
        }
        guard invalid.isEmpty else { return }
        let mlmodel = environment.mlmodel
        guard mlmodel.signature?.inputs == nil else { return }
        let anchor =
            mlmodel.flavor(named: "python_function")?.location ?? mlmodel.flavors.first?.location
            ?? SourceLocation(file: "MLmodel", line: 1, column: 1)
        sink.report(Message.none, at: anchor)
    }
}

private enum Message {
    static let none =
        "the model has no signature: the server checks no request against it (bad columns fail inside the model as HTTP 500) and Azure ML publishes no request schema; log the model with a signature (infer_signature or an input_example)"
}
