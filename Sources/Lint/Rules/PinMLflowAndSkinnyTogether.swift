/// `mlflow` and `mlflow-skinny` must not be pinned to different versions: each mlflow release
/// requires the mlflow-skinny of exactly the same version, so the environment cannot be built
/// (pip: ResolutionImpossible), and where both are installed the skinny files overwrite the full
/// package's.

import ModelFiles
import Specs

struct PinMLflowAndSkinnyTogether: LintRule {
    let rule = RuleDescription(
        id: "MLE021", name: "PinMLflowAndSkinnyTogether", severity: .error, category: .mlflow,
        summary: "mlflow and mlflow-skinny are pinned at different versions")

    func check(_ subject: LintSubject, into sink: inout FindingSink) {
        let full = subject.declared(NormalizedName("mlflow")).compactMap { p in p.exactVersion.map { (p, $0) } }
        let skinny = subject.declared(NormalizedName("mlflow-skinny")).compactMap { p in p.exactVersion.map { (p, $0) }
        }
        for (skinnyPackage, skinnyVersion) in skinny {
            for (fullPackage, fullVersion) in full {
                guard let a = try? PEP440Version(parsing: skinnyVersion),
                    let b = try? PEP440Version(parsing: fullVersion), a != b
                else { continue }
                sink.report(
                    Message.differ(skinnyPackage.text, fullPackage.text), at: skinnyPackage.location,
                    notes: [sink.note("mlflow is pinned here", at: fullPackage.location)])
            }
        }
    }
}

private enum Message {
    static func differ(_ skinny: String, _ full: String) -> String {
        "'\(skinny)' and '\(full)' pin different versions, but each mlflow release requires mlflow-skinny of the same version: pin both to one version, or keep only one of them"
    }
}
