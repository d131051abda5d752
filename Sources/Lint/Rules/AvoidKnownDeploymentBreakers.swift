/// Environments that install and then fail when the model is served, kept as data in
/// Deploy's Breakers/breakers.yaml (MLE050–MLE054, MLE062): each case names the packages and versions
/// involved, what breaks, the fix, and the public reports. A case is judged on the environment
/// the deployment installs — the solve when it resolves, otherwise the model's own pins (a
/// single package only: whether two packages can be installed together only the solve knows) —
/// so a breaker is reported only when the versions involved are known.

import Deploy
import ModelFiles
import Specs

struct AvoidKnownDeploymentBreakers: LintRule {
    let breaker: BreakerRule
    var rule: RuleDescription { breaker.description }

    func check(_ subject: LintSubject, into sink: inout FindingSink) {
        guard subject.environment != nil else { return }
        if let deployments = breaker.deployments, !deployments.contains(subject.deployment) { return }
        for c in breaker.cases {
            evaluate(c, subject, &sink)
        }
    }

    private func evaluate(_ c: BreakerCase, _ subject: LintSubject, _ sink: inout FindingSink) {
        let notes = [sink.note("fix: " + c.fix), sink.note("reported in: " + c.sources.joined(separator: ", "))]
        // `missing`: none of the names is required by the model. Only judged on environment
        // files that read cleanly (a missing or broken file is MLE002's or MLE006's).
        if !c.missing.isEmpty {
            guard let environment = subject.environment, subject.deployedFile != nil, !environment.hasErrors else {
                return
            }
            if !c.missing.allSatisfy({ subject.declared($0).isEmpty }) { return }
        }
        // `declares`: one finding per requirement on a named package.
        if !c.declares.isEmpty {
            for name in c.declares {
                for declaration in subject.declared(name) {
                    sink.report(
                        Message.declared(declaration.text, breaks: c.breaks), at: declaration.location,
                        severity: c.severity.map(Severity.init), notes: notes)
                }
            }
            return
        }
        if !c.installs.isEmpty {
            evaluateInstalls(c, subject, &sink, notes: notes)
            return
        }
        let names = c.missing.map(\.value).joined(separator: ", ")
        sink.report(
            Message.missing(
                names, file: subject.deployedFile ?? "the environment", deployment: subject.deployment, breaks: c.breaks
            ),
            at: subject.insertionPoint, severity: c.severity.map(Severity.init), notes: notes)
    }

    private func evaluateInstalls(
        _ c: BreakerCase, _ subject: LintSubject, _ sink: inout FindingSink, notes: [FindingNote]
    ) {
        // Several packages together: only the solve knows whether they can be installed side by
        // side (a release may cap the other, as pandas 2.1 caps numpy<2); unresolved, the
        // combination may never be installed at all, and MLE040 says why.
        if c.installs.count + (c.any.isEmpty ? 0 : 1) > 1 && subject.resolved == nil { return }
        var matched: [InstalledPackage] = []
        for condition in c.installs {
            guard let hit = firstMatch(condition, subject) else { return }
            matched.append(hit)
        }
        var anyMatched: [InstalledPackage] = []
        for condition in c.any {
            if let hit = firstMatch(condition, subject) { anyMatched.append(hit) }
        }
        if !c.any.isEmpty && anyMatched.isEmpty { return }
        // Point at the model's own line for the package that has to change: the specific one
        // (`any`) first, then the others; else where a requirement would be added.
        let all = anyMatched + matched
        let location = all.compactMap { $0.declared?.location }.first ?? subject.insertionPoint
        var extra = notes
        if !subject.isResolvedForMessages {
            extra.append(
                sink.note("the environment did not resolve, so these versions come from the model's own requirements"))
        }
        sink.report(
            Message.installs(all.map(\.summary), breaks: c.breaks), at: location,
            severity: c.severity.map(Severity.init), notes: extra)
    }

    private func firstMatch(_ condition: BreakerCondition, _ subject: LintSubject) -> InstalledPackage? {
        for name in condition.packages {
            if let installed = subject.installed(name),
                condition.matches(name: installed.name, version: installed.version, ecosystem: installed.ecosystem)
            {
                return installed
            }
        }
        return nil
    }
}

extension LintSubject {
    var isResolvedForMessages: Bool { resolved != nil }
}

private enum Message {
    static func missing(_ names: String, file: String, deployment: String, breaks: String) -> String {
        "\(file) does not require \(names), which the \(deployment) deployment needs: \(breaks)"
    }
    static func declared(_ text: String, breaks: String) -> String {
        "'\(text)': \(breaks)"
    }
    static func installs(_ packages: [String], breaks: String) -> String {
        "the environment installs \(packages.joined(separator: " and ")): \(breaks)"
    }
}

extension BreakerRule {
    /// The rule as lint lists it.
    var description: RuleDescription {
        RuleDescription(
            id: header.id, name: header.name, severity: Severity(header.severity),
            category: header.category == "serving" ? .serving : .breakers, summary: header.summary)
    }
}

extension Severity {
    init(_ severity: BreakerSeverity) {
        switch severity {
        case .error: self = .error
        case .warning: self = .warning
        case .info: self = .info
        }
    }
}
