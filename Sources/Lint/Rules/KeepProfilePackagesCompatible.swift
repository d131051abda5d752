/// What the deployment's inference server needs (the profile's packages: for Azure ML online,
/// azureml-inference-server-http and azureml-ai-monitoring) must be installable next to the
/// model's pins. When the solver finds a problem that involves both a profile package and a
/// model requirement, the platform's own install of the server package fails or replaces the
/// model's pin — for example azureml-ai-monitoring requires pandas>=1.5.2 while the model pins
/// pandas==1.3.5. Reported at the model's conflicting line, with the solver's explanation.

import ModelFiles
import Specs

struct KeepProfilePackagesCompatible: LintRule {
    let rule = RuleDescription(
        id: "MLE041", name: "KeepProfilePackagesCompatible", severity: .error, category: .resolution,
        summary: "packages the deployment adds conflict with the model's pins")

    func check(_ subject: LintSubject, into sink: inout FindingSink) {
        guard case .unsatisfiable(let explanation) = subject.resolution, subject.indexCoversTarget else { return }
        for problem in ExplainedProblem.split(explanation, subject: subject) where problem.involvesProfile {
            let added =
                subject.plan?.request.pip.filter { !$0.origin.isModel && $0.origin.text.hasPrefix("profile ") }.map(
                    \.text) ?? []
            // The profile packages a step requires (by the requirement text the profile gives).
            let named = added.filter { text in
                problem.steps.contains { step in
                    switch step {
                    case .request(_, let requirement, _), .dependency(_, let requirement, _):
                        return requirement.hasPrefix(text)
                    default: return false
                    }
                }
            }
            sink.report(
                Message.conflict(
                    named.isEmpty ? added : named, model: problem.requirement, deployment: subject.deployment,
                    simple: problem.lines.count <= 4),
                at: problem.location ?? subject.insertionPoint,
                notes: ResolveForTheDeployment.capped(problem.lines, subject).map { sink.note($0) }
                    + problem.hints.prefix(8).map { sink.note("hint: " + $0) }, explanation: problem.data)
        }
    }
}

private enum Message {
    static func conflict(_ added: [String], model: String?, deployment: String, simple: Bool) -> String {
        let packages = added.isEmpty ? "the packages it adds" : added.joined(separator: ", ")
        let with: String
        if simple, let model {
            with = "the model's '\(model)'"
        } else if let model {
            with = "the model's requirements (the solver's explanation below starts at '\(model)')"
        } else {
            with = "the model's requirements"
        }
        return
            "the \(deployment) deployment adds \(packages), which cannot be installed with \(with): the server environment fails to build or overrides the model's pins"
    }
}
