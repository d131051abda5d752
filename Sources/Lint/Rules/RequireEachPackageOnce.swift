/// A package should be required once per list. Two different requirements on one package in
/// conda.yaml's dependencies, its `pip:` list, or python_env.yaml's requirements (with the
/// files they include) either conflict — pip stops with "Double requirement given" or
/// ResolutionImpossible — or silently mean the tighter of the two, which the next editor does
/// not see. Requirements whose markers differ (one per platform or Python) are left alone.

import ModelFiles
import Specs

struct RequireEachPackageOnce: EnvironmentLintRule {
    let rule = RuleDescription(
        id: "MLE004", name: "RequireEachPackageOnce", severity: .warning, category: .environmentFiles,
        summary: "the same package is required twice with different specs")

    func check(_ environment: DeclaredEnvironment, of subject: LintSubject, into sink: inout FindingSink) {
        if let conda = environment.conda {
            var first: [String: CondaDependency] = [:]
            for dependency in conda.dependencies {
                let key = dependency.spec.name
                if let earlier = first[key] {
                    if Self.normalized(earlier.text) != Self.normalized(dependency.text) {
                        sink.report(
                            Message.twice(dependency.text, earlier.text), at: dependency.location,
                            notes: [sink.note("first required here", at: earlier.location)])
                    }
                } else {
                    first[key] = dependency
                }
            }
            checkPip(conda.pip, &sink)
        }
        if let virtualenv = environment.virtualenv {
            checkPip(virtualenv.requirements, &sink)
            checkPip(virtualenv.buildDependencies, &sink)
        }
    }

    private func checkPip(_ requirements: [PipRequirement], _ sink: inout FindingSink) {
        var first: [NormalizedName: PipRequirement] = [:]
        for requirement in requirements where !requirement.isConstraint {
            guard let name = requirement.normalizedName else { continue }
            guard let earlier = first[name] else {
                first[name] = requirement
                continue
            }
            if earlier.requirement?.marker != requirement.requirement?.marker { continue }
            let same =
                earlier.requirement != nil && earlier.requirement?.specifier == requirement.requirement?.specifier
                && Set(earlier.requirement?.extras ?? []) == Set(requirement.requirement?.extras ?? [])
            if !same && Self.normalized(earlier.text) != Self.normalized(requirement.text) {
                sink.report(
                    Message.twice(requirement.text, earlier.text), at: requirement.location,
                    notes: [sink.note("first required here", at: earlier.location)])
            }
        }
    }

    static func normalized(_ text: String) -> String { text.filter { $0 != " " } }
}

private enum Message {
    static func twice(_ text: String, _ earlier: String) -> String {
        "'\(text)' requires a package already required as '\(earlier)': keep one requirement per package (pip rejects double requirements that conflict)"
    }
}
