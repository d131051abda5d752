/// Every requirement of the deployed environment should name one version (`==`, or conda
/// `=X.Y.Z`). A range or a bare name installs whatever is newest on the day the image is built,
/// so two builds of the same model differ, and a release published later can break a model that
/// worked yesterday. python (MLE010–MLE012's) and the installer tools pip, setuptools and wheel
/// are left out; so are `-c` constraints and direct references (MLE031's). When the
/// environment resolves, the note says which version to pin.

import ModelFiles
import Specs

struct PinRequirementsExactly: LintRule {
    let rule = RuleDescription(
        id: "MLE030", name: "PinRequirementsExactly", severity: .warning, category: .reproducibility,
        summary: "a requirement is unpinned or loosely pinned (no ==)")

    static let exempt: Set<NormalizedName> = Set(["python", "pip", "setuptools", "wheel"].map { NormalizedName($0) })

    func check(_ subject: LintSubject, into sink: inout FindingSink) {
        for package in subject.declaredPackages where !package.isConstraint && !Self.exempt.contains(package.name) {
            if case .pip(let requirement) = package.source,
                requirement.form != .named || requirement.requirement?.url != nil
            {
                continue
            }
            guard package.exactVersion == nil else { continue }
            var notes: [FindingNote] = []
            if let resolved = subject.resolved?.packages.first(where: { subject.pypiName($0) == package.name }) {
                let pin =
                    package.isConda ? "\(resolved.name)=\(resolved.version)" : "\(package.name)==\(resolved.version)"
                notes.append(
                    sink.note("the solve for \(subject.deployment) picked \(resolved.version); pin it: \(pin)"))
            }
            sink.report(Message.loose(package.text), at: package.location, notes: notes)
        }
    }
}

private enum Message {
    static func loose(_ text: String) -> String {
        "'\(text)' does not pin one version: each image build installs whatever release is newest that day, so builds of the same model differ"
    }
}
