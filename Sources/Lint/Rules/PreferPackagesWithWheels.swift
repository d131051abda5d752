/// A pip requirement should have a wheel for the deployment's target (CPython X.Y on Linux
/// x86_64 with the base image's glibc). When the configured index has only a source
/// distribution of every version the requirement admits, the image build has to build it:
/// that needs build tools and, for C extensions, compilers and headers the base image lacks,
/// and the build runs arbitrary code at deploy time; an offline bundle cannot include it. Judged
/// on the actual index files for the target; requirements that conda installs in a conda
/// environment are left out.

import Channels
import ModelFiles
import Specs

struct PreferPackagesWithWheels: LintRule {
    let rule = RuleDescription(
        id: "MLE033", name: "PreferPackagesWithWheels", severity: .warning, category: .reproducibility,
        summary: "a package is only available as an sdist for the target (needs a build)")

    func check(_ subject: LintSubject, into sink: inout FindingSink) {
        // An index mirrored for other Pythons has no wheels for this one to judge by.
        guard let channels = subject.channels, let target = subject.target, subject.indexCoversTarget else { return }
        let packages = subject.declaredPackages
        let condaNames = Set(packages.filter(\.isConda).map(\.name))
        for package in packages where !package.isConda && !package.isConstraint && !condaNames.contains(package.name) {
            guard case .pip(let pip) = package.source, let requirement = pip.requirement, requirement.url == nil else {
                continue
            }
            guard let candidates = try? channels.pypiCandidates(package.name, pinned: package.exactVersion != nil),
                !candidates.isEmpty
            else { continue }
            let admitted = candidates.filter { candidate in
                guard let version = candidate.file.version else { return false }
                return requirement.specifier.contains(
                    version, prereleases: requirement.specifier.effectivePrereleases ?? false)
            }
            guard !admitted.isEmpty,
                !admitted.contains(where: {
                    if case .wheel = $0.verdict { return true }
                    return false
                })
            else { continue }
            let sdists = admitted.filter { $0.verdict == .needsBuild }
            guard !sdists.isEmpty else { continue }
            var reasons: [String] = []
            var otherPythons: [String] = []
            for candidate in admitted {
                guard case .excluded(let reason) = candidate.verdict, candidate.file.wheel != nil else { continue }
                // A wheel for another Python → its Python tag (cp38), listed once.
                if case .otherPython(let tags, _, _) = reason {
                    let tag = tags.joined(separator: ".")
                    if !otherPythons.contains(tag) { otherPythons.append(tag) }
                } else if !reasons.contains(reason.description) {
                    reasons.append(reason.description)
                }
            }
            if !otherPythons.isEmpty {
                let sorted = otherPythons.sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }
                reasons.insert(
                    "wheels only for \(sorted.joined(separator: ", ")), not CPython \(target.python.minorString)", at: 0
                )
            }
            let versions = Array(Set(sdists.compactMap { $0.file.version })).sorted()
            var notes: [FindingNote] = []
            if !reasons.isEmpty {
                notes.append(sink.note("its wheels do not fit: " + reasons.prefix(3).joined(separator: "; ")))
            }
            if let newer = Self.newestWheel(candidates) {
                notes.append(sink.note("the newest release with a wheel for this target is \(newer)"))
            }
            if let partial = subject.facts.indexPartiality { notes.append(sink.note(partial)) }
            sink.report(
                Message.sdistOnly(package.text, versions: versions.map(\.normalized), target: target.description),
                at: package.location, notes: notes)
        }
        // Dependencies of the model's requirements that exist only as sdists: the solve (which
        // uses wheels) fails on them.
        guard case .unsatisfiable(let explanation) = subject.resolution else { return }
        let reportedNames = Set(
            sink.findings.compactMap { finding in
                packages.first {
                    $0.location.line == finding.location.line && $0.location.file == finding.location.file
                }?.name
            })
        for problem in ExplainedProblem.split(explanation, subject: subject) where problem.isOnlySdists {
            guard let location = problem.location else { continue }
            let direct = packages.first { $0.location == location }
            // Packages the model pins itself were reported above, at their own line.
            let names = problem.unprovided.map { NormalizedName(ExplainedProblem.name($0)) }
            if names.allSatisfy(reportedNames.contains) { continue }
            sink.report(
                Message.dependency(
                    problem.requirement ?? direct?.text ?? "", problem.unprovided, target: target.description),
                at: location,
                notes: ResolveForTheDeployment.capped(problem.lines, subject).map { sink.note($0) }
                    + problem.hints.prefix(8).map { sink.note("hint: " + $0) }
                    + (subject.facts.indexPartiality.map { [sink.note($0)] } ?? []), explanation: problem.data)
        }
    }

    static func newestWheel(_ candidates: [PyPICandidate]) -> String? {
        candidates.compactMap { candidate -> PEP440Version? in
            guard case .wheel = candidate.verdict, let v = candidate.file.version, !v.isPrerelease else { return nil }
            return v
        }.max()?.normalized
    }
}

private enum Message {
    static func dependency(_ text: String, _ names: [String], target: String) -> String {
        "'\(text)' needs \(names.joined(separator: ", ")), which the configured index has only as source distributions for \(target): the image build must build \(names.count == 1 ? "it" : "them") from source, and an offline bundle cannot carry \(names.count == 1 ? "it" : "them")"
    }
    static func sdistOnly(_ text: String, versions: [String], target: String) -> String {
        let list = versions.count <= 3 ? versions.joined(separator: ", ") : "\(versions.first!) … \(versions.last!)"
        return
            "'\(text)' has no wheel for \(target), only source distributions (\(list)): the image build must compile it (build tools, and compilers for C extensions), and an offline bundle cannot carry it"
    }
}
