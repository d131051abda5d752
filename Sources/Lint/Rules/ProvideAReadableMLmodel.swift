/// The model directory must have an MLmodel file that reads as a YAML mapping: without it MLflow,
/// Azure ML and every mlenv command stop before looking at the environment. Reports a path with
/// no model under it, an unreadable or malformed MLmodel, and MLmodel fields of the wrong shape.

import ModelFiles

struct ProvideAReadableMLmodel: LintRule {
    let rule = RuleDescription(
        id: "MLE001", name: "ProvideAReadableMLmodel", severity: .error, category: .environmentFiles,
        summary: "the MLmodel file is missing or unreadable")

    func check(_ subject: LintSubject, into sink: inout FindingSink) {
        if let error = subject.loadError {
            let location = error.location ?? SourceLocation(file: "MLmodel")
            switch error.code {
            case "missing-mlmodel": sink.report(Message.noModel, at: nil)
            case "missing-model-directory", "not-a-directory": sink.report(error.message, at: nil)
            default: sink.report(error.message, at: location)
            }
            return
        }
        LoaderDiagnostics.report(subject, rule: rule.id, into: &sink)
    }
}

private enum Message {
    static let noModel =
        "no MLmodel file here or in any directory below: an MLflow model directory has MLmodel at its root (is this the run's artifact folder instead of the model folder?)"
}
