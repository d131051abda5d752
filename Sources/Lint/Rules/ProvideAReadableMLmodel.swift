/// The model directory must have an MLmodel file that reads as a YAML mapping: without it MLflow,
/// Azure ML and every mlenv command stop before looking at the environment. Reports a path with
/// no model under it, an unreadable or malformed MLmodel, MLmodel fields of the wrong shape, and
/// a model without the flavor its deployment serves through (python_function: the no-code
/// scoring script, the bundled score.py, `mlflow models serve` and the batch driver all load the
/// model with mlflow.pyfunc).

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
        if let environment = subject.environment, let flavor = subject.profile?.requiresFlavor,
            environment.mlmodel.flavor(named: flavor) == nil
        {
            let flavors = environment.mlmodel.flavors.map(\.name).joined(separator: ", ")
            sink.report(
                Message.noFlavor(flavor, deployment: subject.deployment, has: flavors.isEmpty ? "no flavor" : flavors),
                at: environment.mlmodel.flavors.first?.location ?? SourceLocation(file: "MLmodel"))
        }
    }
}

private enum Message {
    static func noFlavor(_ flavor: String, deployment: String, has: String) -> String {
        "the \(deployment) deployment serves the model through its \(flavor) flavor, and this model has \(has): it cannot be served this way (log it with the flavor's log_model, which adds \(flavor), or deploy it with your own scoring script)"
    }

    static let noModel =
        "no MLmodel file here or in any directory below: an MLflow model directory has MLmodel at its root (is this the run's artifact folder instead of the model folder?)"
}
