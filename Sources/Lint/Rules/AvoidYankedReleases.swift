/// A pinned release should not be yanked (PEP 592). Maintainers yank a release that is broken
/// or dangerous (segfaults, a bad dependency pin, a security fix); pip still installs it when
/// pinned with `==`, only printing a warning into the build log. Judged on the configured
/// index's files for the pinned version, with the maintainers' reason when they gave one.

import ModelFiles
import Specs

struct AvoidYankedReleases: LintRule {
    let rule = RuleDescription(
        id: "MLE034", name: "AvoidYankedReleases", severity: .warning, category: .reproducibility,
        summary: "a pinned version is yanked on the index")

    func check(_ subject: LintSubject, into sink: inout FindingSink) {
        guard let channels = subject.channels else { return }
        for package in subject.declaredPackages where !package.isConda {
            guard let exact = package.exactVersion, let version = try? PEP440Version(parsing: exact),
                let project = try? channels.pypiProject(package.name)
            else { continue }
            let files = project.0.files.filter { $0.version.map { $0 == version } ?? false }
            guard !files.isEmpty, files.allSatisfy(\.isYanked) else { continue }
            let reason = files.compactMap(\.yanked).first { !$0.isEmpty }
            sink.report(Message.yanked(package.text, version: version.normalized, reason: reason), at: package.location)
        }
    }
}

private enum Message {
    static func yanked(_ text: String, version: String, reason: String?) -> String {
        "'\(text)' pins \(version), which its maintainers yanked\(reason.map { " (\"\($0)\")" } ?? ""): pip installs it only with a warning; pin another release"
    }
}
