/// The environment's Python should still get security fixes. An end-of-life Python gets none,
/// and the serving stack leaves it behind: new releases of azureml-inference-server-http (1.4.0
/// dropped 3.8), MLflow, numpy and pandas stop supporting it, so the environment is held to old,
/// unpatched versions, and channels and base images drop it. Judged at the date lint runs,
/// for the Python the deployment installs.

import ModelFiles

struct AvoidEndOfLifePython: EnvironmentLintRule {
    let rule = RuleDescription(
        id: "MLE012", name: "AvoidEndOfLifePython", severity: .warning, category: .python,
        summary: "the environment's Python has reached end of life")

    func check(_ environment: DeclaredEnvironment, of subject: LintSubject, into sink: inout FindingSink) {
        // The statement the deployment takes its Python from.
        let statement: PythonStatement?
        if let origin = subject.plan?.request.pythonOrigin, origin.isModel {
            statement = environment.python.first { $0.location.description == origin.text } ?? environment.targetPython
        } else {
            statement =
                subject.mode == .virtualenv
                ? environment.python.first { $0.source == .pythonEnv } ?? environment.targetPython
                : environment.targetPython
        }
        guard let statement, let minor = subject.target?.python.minorString ?? statement.minor,
            let eol = PythonReleases.endOfLife(minor), eol.date <= subject.facts.today
        else { return }
        sink.report(Message.ended(minor, statement, eol), at: statement.location)
    }
}

private enum Message {
    static func ended(_ minor: String, _ statement: PythonStatement, _ eol: PythonReleases.EndOfLife) -> String {
        "Python \(minor) (\(statement.source.rawValue): \(statement.version)) reached end of life on \(eol.date) (PEP \(eol.pep)): it gets no more security fixes, and new releases of the packages it runs drop it; move the model to a supported Python"
    }
}
