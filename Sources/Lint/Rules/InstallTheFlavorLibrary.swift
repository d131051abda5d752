/// The library a model's flavor loads it with must be in the environment, at the version the
/// flavor recorded when it was saved (MLmodel `sklearn_version`, `pytorch_version`,
/// `lgb_version`...). Without it loading fails with ModuleNotFoundError; with another version a
/// pickled model may not load or may predict differently (scikit-learn warns
/// InconsistentVersionWarning). A PEP 440 `==1.9.0` admits the saved 1.9.0+cu102. For flavors
/// this table does not know, a `<flavor>_version` key is compared with a requirement on a
/// package of the flavor's name when the environment has one.

import ModelFiles
import Specs

struct InstallTheFlavorLibrary: LintRule {
    let rule = RuleDescription(
        id: "MLE022", name: "InstallTheFlavorLibrary", severity: .warning, category: .mlflow,
        summary: "the flavor's library is missing or pinned to another version than the flavor recorded")

    func check(_ subject: LintSubject, into sink: inout FindingSink) {
        guard let environment = subject.environment, subject.deployedFile != nil else { return }
        for flavor in environment.mlmodel.flavors where flavor.name != "python_function" {
            if let library = FlavorLibrary.all.first(where: { $0.flavor == flavor.name }) {
                check(flavor, library: library, subject, &sink)
            } else if let saved = flavor.string("\(flavor.name)_version") {
                // A third-party flavor: compare only when a package of that name is required.
                let name = NormalizedName(flavor.name)
                if let declaration = subject.declared(name).first, declaration.admits(saved.value) == false {
                    sink.report(
                        Message.pinnedDifferently(declaration.text, flavor: flavor.name, saved: saved.value),
                        at: declaration.location,
                        notes: [
                            sink.note("MLmodel records \(flavor.name)_version \(saved.value) here", at: saved.location)
                        ])
                }
            }
        }
    }

    private func check(_ flavor: Flavor, library: FlavorLibrary, _ subject: LintSubject, _ sink: inout FindingSink) {
        let names = ([library.package] + library.alternatives).map { NormalizedName($0) }
        let saved = library.versionKey.flatMap { flavor.string($0) }
        let declarations = names.flatMap { subject.declared($0) }
        if declarations.isEmpty {
            // Not required by the model: fine only when the solve brings it in anyway.
            if let installed = names.lazy.compactMap({ subject.installed($0) }).first {
                if let saved, !sameRelease(installed.version, saved.value) {
                    sink.report(
                        Message.onlyTransitive(
                            library.package, installed: installed.version, flavor: flavor.name, saved: saved.value),
                        at: subject.insertionPoint,
                        notes: [
                            sink.note(
                                "MLmodel records \(library.versionKey ?? "") \(saved.value) here", at: saved.location)
                        ])
                }
                return
            }
            let confirmed = subject.resolved != nil
            sink.report(
                Message.missing(
                    library.package, flavor: flavor.name, saved: saved?.value,
                    file: subject.deployedFile ?? "the environment"),
                at: subject.insertionPoint, severity: confirmed ? .error : nil,
                notes: saved.map {
                    [sink.note("MLmodel records \(library.versionKey ?? "") \($0.value) here", at: $0.location)]
                } ?? [])
            return
        }
        guard let saved else { return }
        for declaration in declarations where declaration.name == NormalizedName(library.package) {
            if declaration.admits(saved.value) == false {
                sink.report(
                    Message.pinnedDifferently(declaration.text, flavor: flavor.name, saved: saved.value),
                    at: declaration.location,
                    notes: [
                        sink.note("MLmodel records \(library.versionKey ?? "") \(saved.value) here", at: saved.location)
                    ])
            }
        }
    }

    /// Same public release (local labels such as +cu102 ignored).
    private func sameRelease(_ a: String, _ b: String) -> Bool {
        guard let va = try? PEP440Version(parsing: a), let vb = try? PEP440Version(parsing: b) else { return a == b }
        return va.publicVersion == vb.publicVersion
    }
}

private enum Message {
    static func missing(_ package: String, flavor: String, saved: String?, file: String) -> String {
        "the model's \(flavor) flavor loads it with \(package), which \(file) does not install: loading fails with ModuleNotFoundError; require \(package)\(saved.map { "==" + $0 } ?? "")"
    }
    static func pinnedDifferently(_ text: String, flavor: String, saved: String) -> String {
        "'\(text)' does not admit \(saved), the version the \(flavor) flavor recorded when the model was saved: a pickled model may not load or may predict differently; pin ==\(saved)"
    }
    static func onlyTransitive(_ package: String, installed: String, flavor: String, saved: String) -> String {
        "\(package) is not required by the model and comes in only as a dependency, at \(installed), not the \(saved) the \(flavor) flavor recorded: require \(package)==\(saved)"
    }
}
