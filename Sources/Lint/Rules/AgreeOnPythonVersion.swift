/// MLmodel's `python_version` (the Python the model was saved with), conda.yaml's `python`
/// and python_env.yaml's `python` must agree. A different minor version means the pickled model
/// is loaded by another interpreter than the one that wrote it, and that conda and virtualenv
/// deployments run different Pythons; different patch releases are reported as info. Also warns
/// when no file states a Python at all (the deployment then picks one).

import ModelFiles

struct AgreeOnPythonVersion: EnvironmentLintRule {
    let rule = RuleDescription(
        id: "MLE010", name: "AgreeOnPythonVersion", severity: .warning, category: .python,
        summary: "MLmodel, conda.yaml and python_env.yaml state different Python versions")

    func check(_ environment: DeclaredEnvironment, of subject: LintSubject, into sink: inout FindingSink) {
        let statements = environment.python
        if statements.isEmpty {
            if environment.conda != nil || environment.virtualenv != nil {
                sink.report(Message.none, at: SourceLocation(file: "MLmodel"))
            }
            return
        }
        // Compare each environment file's statement with MLmodel's (the saved Python), and
        // python_env.yaml's with conda.yaml's.
        let saved = statements.first { $0.source == .mlmodel }
        let conda = statements.first { $0.source == .condaYAML }
        let venv = statements.first { $0.source == .pythonEnv }
        var pairs: [(PythonStatement, PythonStatement)] = []
        if let saved {
            if let conda { pairs.append((conda, saved)) }
            if let venv { pairs.append((venv, saved)) }
        } else if let conda, let venv {
            pairs.append((venv, conda))
        }
        for (statement, reference) in pairs {
            guard let level = difference(statement, reference) else { continue }
            sink.report(
                Message.mismatch(statement, reference, level), at: statement.location,
                severity: level == .patch ? .info : nil,
                notes: [
                    sink.note("\(reference.source.rawValue) states \(reference.version) here", at: reference.location)
                ])
        }
    }

    enum Level { case minor, patch }

    /// Compares the parts both statements give: `3.8` and `3.8.15` agree.
    func difference(_ a: PythonStatement, _ b: PythonStatement) -> Level? {
        guard let minorA = a.minor, let minorB = b.minor else { return nil }
        if minorA != minorB { return .minor }
        let partsA = a.version.split(separator: ".")
        let partsB = b.version.split(separator: ".")
        if partsA.count >= 3, partsB.count >= 3, partsA[2] != partsB[2] { return .patch }
        return nil
    }
}

private enum Message {
    static let none =
        "no file states the model's Python version (no python_version in MLmodel, no python in conda.yaml or python_env.yaml): the deployment picks one, which need not be the one the model was saved with"
    static func mismatch(
        _ statement: PythonStatement, _ reference: PythonStatement, _ level: AgreeOnPythonVersion.Level
    ) -> String {
        let what =
            reference.source == .mlmodel
            ? "the model was saved with Python \(reference.version) (MLmodel)"
            : "\(reference.source.rawValue) states Python \(reference.version)"
        switch level {
        case .minor:
            return
                "\(statement.source.rawValue) asks for Python \(statement.version), but \(what): a different minor version can fail to load the pickled model and its compiled packages"
        case .patch:
            return "\(statement.source.rawValue) asks for Python \(statement.version), but \(what)"
        }
    }
}
