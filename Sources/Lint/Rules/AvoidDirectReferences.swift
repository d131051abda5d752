/// Requirements should name packages from an index, not fetch them from elsewhere. A VCS or
/// URL requirement (`git+https://...`, `pkg @ https://...`) is downloaded at install time: the
/// deployment needs network access to that host (workspaces without egress fail), and unless
/// it names a commit the build is not reproducible. A local path outside the model directory
/// (`../lib`, `/home/me/pkg.whl`, `file:///...`) does not exist in the image at all: an error.
/// Paths inside the model are fine.

import ModelFiles
import Specs

struct AvoidDirectReferences: EnvironmentLintRule {
    let rule = RuleDescription(
        id: "MLE031", name: "AvoidDirectReferences", severity: .warning, category: .reproducibility,
        summary: "a VCS/URL requirement, or a local path outside the model")

    func check(_ environment: DeclaredEnvironment, of subject: LintSubject, into sink: inout FindingSink) {
        let directory = try? ModelDirectory(path: subject.path)
        let requirements =
            subject.mode == .conda
            ? (environment.conda?.pip ?? environment.virtualenv?.requirements ?? [])
            : (environment.virtualenv?.requirements ?? environment.conda?.pip ?? [])
        for requirement in requirements {
            switch requirement.form {
            case .url:
                if requirement.text.lowercased().hasPrefix("file:") {
                    sink.report(Message.outside(requirement.text), at: requirement.location, severity: .error)
                } else {
                    sink.report(Message.network(requirement.text, vcs: requirement.isVCS), at: requirement.location)
                }
            case .named:
                if let url = requirement.requirement?.url {
                    if url.lowercased().hasPrefix("file:") {
                        sink.report(Message.outside(requirement.text), at: requirement.location, severity: .error)
                    } else {
                        sink.report(Message.network(requirement.text, vcs: requirement.isVCS), at: requirement.location)
                    }
                }
            case .path, .editable:
                let path = Self.localPath(requirement.text)
                if path.hasPrefix("/") || path.hasPrefix("~") {
                    sink.report(Message.outside(requirement.text), at: requirement.location, severity: .error)
                    continue
                }
                let base =
                    requirement.location.file.containsLiteral("/")
                    ? String(requirement.location.file[..<requirement.location.file.lastIndex(of: "/")!]) : ""
                let relative = base.isEmpty ? path : base + "/" + path
                switch directory?.lookup(relative) {
                case .escapes?, .symlinkEscapes?:
                    sink.report(Message.outside(requirement.text), at: requirement.location, severity: .error)
                case .missing?:
                    sink.report(Message.missing(requirement.text), at: requirement.location, severity: .error)
                default:
                    continue
                }
            }
        }
    }

    /// `./pkg[extra]`, `-e ./pkg`, `pkg.whl; marker` → the path part.
    static func localPath(_ text: String) -> String {
        var path = text.trimmingHorizontalWhitespace()
        if let semicolon = path.literalRange(of: "; ") { path = String(path[..<semicolon.lowerBound]) }
        if let hash = path.firstIndex(of: "#") { path = String(path[..<hash]) }
        if path.hasSuffix("]"), let bracket = path.lastIndex(of: "[") { path = String(path[..<bracket]) }
        return path.trimmingHorizontalWhitespace()
    }
}

private enum Message {
    static func network(_ text: String, vcs: Bool) -> String {
        "'\(text)' is fetched from \(vcs ? "a version-control host" : "a URL") at install time: the deployment needs network access to it (workspaces without egress fail)\(vcs ? ", and unless it names a commit each build can get different code" : ""); publish it to your index and require it by name"
    }
    static func outside(_ text: String) -> String {
        "'\(text)' points outside the model directory: the file is not in the deployed model, so the install fails; copy it into the model (e.g. code/) or publish it to your index"
    }
    static func missing(_ text: String) -> String {
        "'\(text)' does not exist in the model directory: the install fails"
    }
}
