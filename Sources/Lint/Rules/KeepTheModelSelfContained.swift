/// Everything a model loads must be inside its directory: symbolic links or paths that leave it
/// are not copied when the model is registered or packaged, and a `python_function.data` or
/// `model_path` that does not exist makes loading fail at the first request.

import ModelFiles

struct KeepTheModelSelfContained: LintRule {
    let rule = RuleDescription(
        id: "MLE007", name: "KeepTheModelSelfContained", severity: .error, category: .environmentFiles,
        summary: "a path the model uses leaves the model directory or does not exist")

    func check(_ subject: LintSubject, into sink: inout FindingSink) {
        // The loader calls a missing artifact a note; for serving it is a failed load.
        // A link that leaves the model is reported where it is named and where it is found;
        // one finding is enough.
        var seen = Set<String>()
        for diagnostic in LoaderDiagnostics.diagnostics(of: subject, for: rule.id)
        where seen.insert(diagnostic.message).inserted {
            sink.report(
                diagnostic.message, at: diagnostic.location ?? SourceLocation(file: "MLmodel"),
                severity: diagnostic.code == "missing-model-data"
                    ? .warning : LoaderDiagnostics.severity(diagnostic.severity))
        }
    }
}
