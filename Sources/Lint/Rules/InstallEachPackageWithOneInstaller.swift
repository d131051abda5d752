/// In conda.yaml a package belongs either to the conda dependencies or to the `pip:` list, not
/// both. conda installs its build first, then pip installs its own over it: the two overwrite
/// each other's files, conda's record no longer matches what is on disk, and the version that
/// wins depends on the order of the steps. Names are compared as PyPI names (conda `pytorch`
/// is PyPI `torch`); `pip` itself is left out.

import ModelFiles
import Solver
import Specs

struct InstallEachPackageWithOneInstaller: LintRule {
    let rule = RuleDescription(
        id: "MLE005", name: "InstallEachPackageWithOneInstaller", severity: .warning, category: .environmentFiles,
        summary: "a package is in both the conda and the pip section of conda.yaml")

    func check(_ subject: LintSubject, into sink: inout FindingSink) {
        guard let conda = subject.environment?.conda else { return }
        var byName: [NormalizedName: CondaDependency] = [:]
        for dependency in conda.dependencies where dependency.spec.name != "pip" && dependency.spec.name != "python" {
            let name = NormalizedName(PackageNameMap.condaToPyPI[dependency.spec.name] ?? dependency.spec.name)
            if byName[name] == nil { byName[name] = dependency }
        }
        for requirement in conda.pip where !requirement.isConstraint {
            guard let name = requirement.normalizedName, let condaDependency = byName[name] else { continue }
            sink.report(
                Message.both(requirement.text, condaDependency.text), at: requirement.location,
                notes: [sink.note("conda installs '\(condaDependency.text)' here", at: condaDependency.location)])
        }
    }
}

private enum Message {
    static func both(_ pip: String, _ conda: String) -> String {
        "'\(pip)' is in the pip list, and conda.yaml also installs it with conda as '\(conda)': pip overwrites conda's files; keep it in one section"
    }
}
