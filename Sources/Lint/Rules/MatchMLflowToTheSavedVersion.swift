/// The environment should install the MLflow major.minor the model was saved with (MLmodel's
/// `mlflow_version`). MLflow loads models across versions on a best-effort basis and warns when
/// they differ; flavors change their on-disk format and loading code between minor releases, and
/// across major versions models written by one are not always readable by the other. The
/// installed version is the solve's answer, else the model's pin, else the newest release the
/// requirement admits in the configured index (what an unpinned install picks).

import ModelFiles
import Specs

struct MatchMLflowToTheSavedVersion: LintRule {
    let rule = RuleDescription(
        id: "MLE020", name: "MatchMLflowToTheSavedVersion", severity: .warning, category: .mlflow,
        summary: "the environment installs a different MLflow major.minor than the model was saved with")

    func check(_ subject: LintSubject, into sink: inout FindingSink) {
        guard let saved = subject.environment?.mlmodel.mlflowVersion,
            let savedVersion = try? PEP440Version(parsing: saved.value)
        else { return }
        // Only the model's own requirement counts; without one the deployment's profile adds an
        // MLflow matching mlflow_version.
        let names = ["mlflow", "mlflow-skinny"].map { NormalizedName($0) }
        guard names.contains(where: { !subject.declared($0).isEmpty }) else { return }
        guard let installed = subject.installed(anyOf: ["mlflow", "mlflow-skinny"]),
            let version = try? PEP440Version(parsing: installed.version)
        else { return }
        guard version.major != savedVersion.major || version.minor != savedVersion.minor else { return }
        let location = installed.declared?.location ?? subject.insertionPoint
        sink.report(
            Message.differs(installed, saved: saved.value), at: location,
            notes: [sink.note("MLmodel records mlflow_version \(saved.value) here", at: saved.location)])
    }
}

private enum Message {
    static func differs(_ installed: InstalledPackage, saved: String) -> String {
        let parts = saved.split(separator: ".")
        let series = parts.prefix(2).joined(separator: ".")
        return
            "the environment installs \(installed.summary), but the model was saved with MLflow \(saved): pin \(installed.name)==\(saved) (or at least \(series).*) so the loader matches the model's format"
    }
}
