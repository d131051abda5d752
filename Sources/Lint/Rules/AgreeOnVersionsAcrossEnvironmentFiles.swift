/// conda.yaml and python_env.yaml (with the requirements files it includes) describe the same
/// environment for different installers: Azure ML builds conda.yaml, `mlflow models serve`
/// builds python_env.yaml. When they pin a package to different versions, or one of them lacks
/// packages the other installs, the model behaves differently depending on where it is served.
///
/// A package is compared when both files require it: two `==` pins must agree, and a pin in one
/// file must be admitted by the other's specifier. Packages only one file requires are listed in
/// one finding per file. The conda section's own packages count as the conda side (mapped to
/// PyPI names) when the channels show they are Python projects (a virtualenv has no use for
/// bzip2 or cuda-cudart); python, pip, setuptools and wheel are left out (build tools, and
/// python is MLE010's).

import ModelFiles
import Solver
import Specs

struct AgreeOnVersionsAcrossEnvironmentFiles: LintRule {
    let rule = RuleDescription(
        id: "MLE003", name: "AgreeOnVersionsAcrossEnvironmentFiles", severity: .warning, category: .environmentFiles,
        summary: "conda.yaml and python_env.yaml/requirements.txt disagree about a package")

    static let ignored: Set<NormalizedName> = Set(["python", "pip", "setuptools", "wheel"].map { NormalizedName($0) })

    func check(_ subject: LintSubject, into sink: inout FindingSink) {
        guard let environment = subject.environment, let conda = environment.conda,
            let virtualenv = environment.virtualenv
        else { return }
        var condaSide: [(NormalizedName, DeclaredPackage)] = []
        // Only conda packages that are Python projects can be compared with pip requirements
        // (bzip2 or cuda-cudart have no place in a virtualenv); the channels' records say which.
        var condaOnlyCandidates = Set<NormalizedName>()
        for dependency in conda.dependencies {
            let name = NormalizedName(PackageNameMap.condaToPyPI[dependency.spec.name] ?? dependency.spec.name)
            condaSide.append((name, DeclaredPackage(name: name, source: .conda(dependency))))
            if let record = subject.channels?.condaRecords(named: dependency.spec.name).first,
                PackageNameMap.pypiName(of: record) != nil
            {
                condaOnlyCandidates.insert(name)
            }
        }
        for requirement in conda.pip { if let name = requirement.normalizedName { condaOnlyCandidates.insert(name) } }
        for requirement in conda.pip where !requirement.isConstraint {
            if let name = requirement.normalizedName {
                condaSide.append((name, DeclaredPackage(name: name, source: .pip(requirement))))
            }
        }
        var venvSide: [(NormalizedName, DeclaredPackage)] = []
        for requirement in virtualenv.requirements where !requirement.isConstraint {
            if let name = requirement.normalizedName {
                venvSide.append((name, DeclaredPackage(name: name, source: .pip(requirement))))
            }
        }
        condaSide.removeAll { Self.ignored.contains($0.0) }
        venvSide.removeAll { Self.ignored.contains($0.0) }

        for (name, venv) in venvSide {
            // Requirements under different markers apply to different targets; compare like with like.
            guard let (_, other) = condaSide.first(where: { $0.0 == name && Self.marker($0.1) == Self.marker(venv) })
            else { continue }
            if let disagreement = Self.disagreement(venv, other) {
                sink.report(
                    Message.disagree(venv, other, disagreement), at: venv.location,
                    notes: [sink.note("conda.yaml requires '\(other.text)' here", at: other.location)])
            }
        }
        let condaNames = Set(condaSide.map(\.0))
        let venvNames = Set(venvSide.map(\.0))
        let onlyConda = unique(
            condaSide.map(\.0).filter { !venvNames.contains($0) && condaOnlyCandidates.contains($0) })
        let onlyVenv = venvSide.filter { !condaNames.contains($0.0) }
        let venvLabel =
            virtualenv.requirements.first.map {
                $0.location.file == virtualenv.file
                    ? virtualenv.file : "\(virtualenv.file) (through \($0.location.file))"
            } ?? virtualenv.file
        if !onlyConda.isEmpty {
            let anchor =
                virtualenv.requirements.first?.location ?? virtualenv.python?.location
                ?? SourceLocation(file: virtualenv.file)
            sink.report(Message.lacks(venvLabel, onlyConda, installedBy: conda.file), at: anchor)
        }
        if !onlyVenv.isEmpty {
            let names = unique(onlyVenv.map(\.0))
            let anchor =
                conda.pip.first?.location ?? conda.dependencies.first?.location ?? SourceLocation(file: conda.file)
            sink.report(
                Message.lacks(conda.file, names, installedBy: venvLabel), at: anchor,
                notes: onlyVenv.prefix(5).map {
                    sink.note("\(virtualenv.file) requires '\($0.1.text)' here", at: $0.1.location)
                })
        }
    }

    static func marker(_ package: DeclaredPackage) -> String? {
        if case .pip(let r) = package.source { return r.requirement?.marker.map { "\($0)" } }
        return nil
    }

    private func unique(_ names: [NormalizedName]) -> [NormalizedName] {
        var seen = Set<NormalizedName>()
        return names.filter { seen.insert($0).inserted }
    }

    /// Why two requirements on one package disagree, or nil when some version satisfies both
    /// as far as their pins show.
    static func disagreement(_ a: DeclaredPackage, _ b: DeclaredPackage) -> String? {
        let pinA = a.exactVersion
        let pinB = b.exactVersion
        if let pinA, let pinB {
            if let va = try? PEP440Version(parsing: pinA), let vb = try? PEP440Version(parsing: pinB) {
                return va == vb ? nil : "\(pinA) ≠ \(pinB)"
            }
            return pinA == pinB ? nil : "\(pinA) ≠ \(pinB)"
        }
        if let pinA, b.admits(pinA) == false { return "'\(b.text)' excludes \(pinA)" }
        if let pinB, a.admits(pinB) == false { return "'\(a.text)' excludes \(pinB)" }
        return nil
    }
}

private enum Message {
    static func disagree(_ venv: DeclaredPackage, _ conda: DeclaredPackage, _ why: String) -> String {
        "'\(venv.text)' disagrees with conda.yaml's '\(conda.text)' (\(why)): a conda deployment (Azure ML) and a virtualenv one (mlflow models serve) install different versions of \(venv.name)"
    }
    static func lacks(_ file: String, _ names: [NormalizedName], installedBy other: String) -> String {
        let list =
            names.prefix(8).map(\.value).joined(separator: ", ")
            + (names.count > 8 ? " and \(names.count - 8) more" : "")
        return
            "\(file) does not require \(list), which \(other) installs: the model gets a different environment depending on which file the deployment builds"
    }
}
