/// The environment must resolve for the deployment: the model's conda and pip requirements plus
/// what the deployment's inference server needs (`mlenv profiles`), solved together for the
/// target Python and platform against the configured channels. When no set of packages
/// satisfies everything, the image build fails the same way (conda's ResolvePackageNotFound,
/// pip's ResolutionImpossible) — after minutes, deep in a build log. Each independent problem
/// the solver finds is one finding at the model line it starts from, with the solver's
/// explanation as notes. Problems that involve the profile's packages are MLE041's; a problem
/// that is only "this Python is not in the channels" (MLE011) or only "these packages exist as
/// sdists alone" (MLE033: pip would build them, mlenv solves from wheels) is left to those rules
/// when they run. When mlenv cannot solve at all (a direct URL
/// requirement, files with errors), one info finding says so.

import ModelFiles
import Requests
import Solver
import Specs

struct ResolveForTheDeployment: LintRule {
    let rule = RuleDescription(
        id: "MLE040", name: "ResolveForTheDeployment", severity: .error, category: .resolution,
        summary: "the environment is unsatisfiable for the deployment")

    func check(_ subject: LintSubject, into sink: inout FindingSink) {
        guard subject.environment != nil else { return }
        switch subject.resolution {
        case .resolved:
            return
        case .notAttempted:
            // A model without the deployment's flavor is MLE001's error.
            if let reason = subject.planError,
                !(subject.profile?.requiresFlavor.map { subject.environment?.mlmodel.flavor(named: $0) == nil } ?? false)
            {
                sink.report(
                    Message.notChecked(reason),
                    at: subject.deployedFile.map { SourceLocation(file: $0) } ?? SourceLocation(file: "MLmodel"),
                    severity: .info)
            }
        case .failed(let reason):
            sink.report(
                Message.notChecked(reason), at: subject.deployedFile.map { SourceLocation(file: $0) }, severity: .info)
        case .unsatisfiable where !subject.indexCoversTarget:
            // Every PyPI package would look missing: say that once instead.
            sink.report(
                Message.uncovered(subject),
                at: subject.plan.flatMap { Self.pythonLocation($0.request.pythonOrigin, subject) }
                    ?? subject.deployedFile.map { SourceLocation(file: $0) },
                severity: .info)
        case .unsatisfiable(let explanation):
            let channelNote: [FindingNote] = Self.unconfiguredChannels(subject).map { [sink.note($0)] } ?? []
            var unavailable: [ExplainedProblem] = []
            var others: [ExplainedProblem] = []
            let wheelsRuleRuns = subject.facts.enabledRules.contains("MLE033")
            for problem in ExplainedProblem.split(explanation, subject: subject) where !problem.involvesProfile {
                if problem.isOnlySdists && wheelsRuleRuns { continue }
                if problem.isOnlyUnavailable {
                    if let location = problem.location,
                        subject.alreadyReported(
                            at: location, by: Set(["MLE011", "MLE033"]).intersection(subject.facts.enabledRules))
                    {
                        continue
                    }
                    unavailable.append(problem)
                } else {
                    others.append(problem)
                }
            }
            // Many requirements nothing provides (an environment from another platform or
            // channel): one finding that lists them, not one per line.
            let condaLocations = Set(subject.declaredPackages.filter(\.isConda).map(\.location))
            // Something missing from a partial copy (a mirror of a closure, the embedded
            // snapshot) may exist upstream: a warning that names the copy, not an error.
            func partiality(_ problems: [ExplainedProblem]) -> [String]? {
                var notes: [String] = []
                for ecosystem in Set(problems.flatMap { $0.unavailableEcosystems(condaLocations: condaLocations) }) {
                    guard
                        let note = ecosystem == "conda" ? subject.facts.condaPartiality : subject.facts.indexPartiality
                    else { return nil }
                    notes.append(note)
                }
                return notes.isEmpty ? nil : notes.sorted()
            }
            if unavailable.count > Self.groupThreshold {
                var notes = unavailable.map { sink.note(Message.unavailableItem($0), at: $0.location) }
                notes += Self.hints(of: unavailable).prefix(12).map { sink.note("hint: " + $0) }
                notes += channelNote
                let partial = partiality(unavailable)
                notes += (partial ?? []).map { sink.note($0) }
                sink.report(
                    Message.manyUnavailable(
                        unavailable.count, deployment: subject.deployment, target: subject.target?.description,
                        partial: partial != nil),
                    at: unavailable.first?.location ?? subject.deployedFile.map { SourceLocation(file: $0) },
                    severity: partial != nil ? .warning : nil, notes: notes,
                    explanation: ExplainedProblem.data(unavailable))
            } else {
                others = unavailable + others
            }
            for problem in others {
                let mentionsConda =
                    problem.location.map(condaLocations.contains) ?? false
                    || problem.lines.contains { $0.containsLiteral("(conda)") }
                let mentionsPyPI =
                    !(problem.location.map(condaLocations.contains) ?? false)
                    || problem.lines.contains { $0.containsLiteral("(pypi)") }
                var notes = problem.lines.count > 1 ? Self.capped(problem.lines, subject).map { sink.note($0) } : []
                notes += problem.hints.prefix(8).map { sink.note("hint: " + $0) }
                if mentionsConda { notes += channelNote }
                // A conflict found in partial copies may be one of the copies too: a build or
                // release they leave out (scikit-learn 0.24.2 for Python 3.8) would resolve it.
                var partial = problem.isOnlyUnavailable ? partiality([problem]) : nil
                if !problem.isOnlyUnavailable {
                    let conda = mentionsConda ? subject.facts.condaPartiality : nil
                    let pypi = mentionsPyPI ? subject.facts.indexPartiality : nil
                    if (!mentionsConda || conda != nil) && (!mentionsPyPI || pypi != nil) {
                        partial = [conda, pypi].compactMap { $0 }
                    }
                }
                notes += (partial ?? []).map { sink.note($0) }
                sink.report(
                    Message.unsatisfiable(
                        problem, deployment: subject.deployment, target: subject.target?.description,
                        partial: partial != nil),
                    at: problem.location ?? subject.deployedFile.map { SourceLocation(file: $0) },
                    severity: partial != nil ? .warning : nil, notes: notes, explanation: problem.data)
            }
        }
    }

    static let groupThreshold = 5
    static let maximumLines = 12

    /// The first lines of a long explanation, then where to see the rest.
    static func capped(_ lines: [String], _ subject: LintSubject) -> [String] {
        guard lines.count > maximumLines else { return lines }
        return Array(lines.prefix(maximumLines)) + [
            "… \(lines.count - maximumLines) more lines: `mlenv resolve \(subject.path) --deployment \(subject.deployment)` shows the whole explanation"
        ]
    }

    static func pythonLocation(_ origin: Origin, _ subject: LintSubject) -> SourceLocation? {
        subject.environment?.python.first { $0.location.description == origin.text }?.location
    }

    static func hints(of problems: [ExplainedProblem]) -> [String] {
        var seen = Set<String>()
        return problems.flatMap(\.hints).filter { seen.insert($0).inserted }
    }

    /// conda.yaml channels the lint configuration does not have (packages only there look
    /// missing); nil when there are none or the model installs nothing with conda.
    static func unconfiguredChannels(_ subject: LintSubject) -> String? {
        guard subject.mode == .conda, let listed = subject.environment?.conda?.channels,
            let configured = subject.channels?.condaChannels
        else { return nil }
        let names = Set(configured.map { $0.name.lowercased() })
        let missing = listed.map(\.value).filter { channel in
            let name = channel.split(separator: "/").last.map(String.init)?.lowercased() ?? channel.lowercased()
            return !names.contains(name)
        }
        guard !missing.isEmpty else { return nil }
        return
            "conda.yaml lists the channels \(missing.joined(separator: ", ")), which are not configured for this check (configured: \(configured.map(\.name).joined(separator: ", ")); --channel or .mlenv.yaml): packages only there count as missing"
    }
}

/// One problem of a solver explanation, tied back to the model line it starts from. Matched
/// on the explanation's data (ExplanationStep, ExplanationHint), never on its sentences.
struct ExplainedProblem {
    let steps: [ExplanationStep]
    let hintItems: [ExplanationHint]
    /// The model requirement the problem starts from.
    let location: SourceLocation?
    let involvesProfile: Bool
    /// A single requirement that nothing in the channels provides.
    let isOnlyUnavailable: Bool
    /// The requirement text the problem starts from, for messages.
    let requirement: String?

    var lines: [String] { steps.map(\.description) }
    var hints: [String] { hintItems.map(\.description) }

    /// The problem as data, for the finding that tells it.
    var data: ExplanationData { ExplainedProblem.data([self]) }

    /// Problems told by one finding, as data: their steps, and their hints once each.
    static func data(_ problems: [ExplainedProblem]) -> ExplanationData {
        var hints: [ExplanationHint] = []
        for hint in problems.flatMap(\.hintItems) where !hints.contains(hint) { hints.append(hint) }
        return ExplanationData(causes: problems.map(\.steps), hints: hints)
    }

    /// The packages nothing provides, by the requirement text the explanation quotes
    /// (`pymeeus`, `psutil==5.9.0`).
    var unprovided: [String] { steps.compactMap(\.unprovided) }

    /// The ecosystems of the requirements nothing provides: a conda package's dependency →
    /// conda, a PyPI package's → pypi; a request → the ecosystem of the model line.
    func unavailableEcosystems(condaLocations: Set<SourceLocation>) -> Set<String> {
        var result = Set<String>()
        for step in steps where step.unprovided != nil {
            if case .dependency(let p, _, _) = step, p.ecosystem == "conda" || p.ecosystem == "pypi" {
                result.insert(p.ecosystem)
            } else {
                result.insert(location.map(condaLocations.contains) ?? false ? "conda" : "pypi")
            }
        }
        return result
    }

    /// Names whose only releases for the target are source distributions (from the hints).
    var sdistOnlyNames: Set<String> {
        Set(
            hintItems.compactMap { hint in
                if case .sourceOnly(let name, _) = hint { return name.lowercased() }
                return nil
            })
    }

    /// True when the problem is only that some required packages exist as sdists alone: it
    /// installs where pip may build from source, so it is a wheel problem (MLE033), not an
    /// unsatisfiable one.
    var isOnlySdists: Bool {
        let missing = unprovided.map(ExplainedProblem.name)
        guard !missing.isEmpty, missing.allSatisfy(sdistOnlyNames.contains) else { return false }
        // Nothing else may be wrong: only requirement chains and the missing providers.
        return steps.allSatisfy { step in
            switch step {
            case .request, .dependency: return true
            default: return false
            }
        }
    }

    static func split(_ explanation: Explanation, subject: LintSubject) -> [ExplainedProblem] {
        guard let request = subject.plan?.request else { return [] }
        // Origins as the solver prints them → the model's source locations.
        var locations: [String: SourceLocation] = [:]
        for package in subject.declaredPackages { locations[package.location.description] = package.location }
        if let environment = subject.environment {
            for statement in environment.python { locations[statement.location.description] = statement.location }
        }
        let profileOrigins = Set(
            (request.conda.map(\.origin) + request.pip.map(\.origin)).filter {
                !$0.isModel && $0.text.hasPrefix("profile ")
            }.map(\.text))
        var requestText: [String: String] = [:]
        for r in request.conda where r.origin.isModel { requestText[r.origin.text] = r.text }
        for r in request.pip where r.origin.isModel { requestText[r.origin.text] = r.text }

        // Problems that start from the same model line are one finding (a requirement and its
        // extra often fail for the same reason).
        var merged: [(key: String, steps: [ExplanationStep])] = []
        for steps in explanation.steps {
            let key = startingOrigin(steps, origins: Set(locations.keys)) ?? "#\(merged.count)"
            if let i = merged.firstIndex(where: { $0.key == key }) {
                for step in steps where !merged[i].steps.contains(step) { merged[i].steps.append(step) }
            } else {
                merged.append((key, steps))
            }
        }
        return merged.map { key, steps in
            let involvesProfile = steps.contains { step in
                if case .request(let origin, _, _) = step { return profileOrigins.contains(origin) }
                return false
            }
            let onlyUnavailable: Bool = {
                if steps.count == 1, case .request(_, _, false) = steps[0] { return true }
                return false
            }()
            return ExplainedProblem(
                steps: steps, hintItems: relevantHints(explanation.hintItems, steps: steps), location: locations[key],
                involvesProfile: involvesProfile, isOnlyUnavailable: onlyUnavailable, requirement: requestText[key])
        }
    }

    /// The model line a problem starts from: the first model requirement it names, preferring
    /// one that is not the python pin (a package that needs another Python is the one to change).
    static func startingOrigin(_ steps: [ExplanationStep], origins: Set<String>) -> String? {
        var found: [(origin: String, requirement: String)] = []
        for case .request(let origin, let requirement, _) in steps
        where origins.contains(origin) && !found.contains(where: { $0.origin == origin }) {
            found.append((origin, requirement))
        }
        let nonPython = found.first { !$0.requirement.hasPrefix("python") }
        return (nonPython ?? found.first)?.origin
    }

    /// The hints about packages the problem names (hints are global to the explanation).
    static func relevantHints(_ hints: [ExplanationHint], steps: [ExplanationStep]) -> [ExplanationHint] {
        let names = mentionedPackages(steps)
        return hints.filter { hint in hint.subject.map { names.contains($0.lowercased()) } ?? false }
    }

    /// The package names a problem's steps mention: the packages and what they require,
    /// constrain and exclude. A group of versions (`scipy 1.7.3, 1.8.0 (conda) require ...`)
    /// is named by its package alone.
    static func mentionedPackages(_ steps: [ExplanationStep]) -> Set<String> {
        var names = Set<String>()
        for step in steps {
            switch step {
            case .request(_, let requirement, _):
                names.insert(name(requirement))
            case .dependency(let p, let requirement, _), .constraint(let p, let requirement, _):
                names.insert(name(p.name))
                if p.versions.count == 1 { names.insert(name(requirement)) }
                if case .constraint(_, _, let excluded) = step { names.insert(name(excluded.name)) }
            case .sameFiles(let p, _), .conflict(let p, _), .notInstallable(let p), .builtOnlyForPython(let p, _):
                names.insert(name(p.name))
            }
        }
        names.remove("")
        return names
    }

    /// A requirement's or display name's package name, lowercased (`numpy>=1.2` → numpy,
    /// `requests[socks]` → requests).
    static func name(_ text: String) -> String {
        String(text.prefix { !" <>=!~;[,(".contains($0) }).lowercased()
    }
}

private enum Message {
    static func notChecked(_ reason: String) -> String {
        "the environment was not resolved, so it was not checked for the deployment: \(reason)"
    }
    static func uncovered(_ subject: LintSubject) -> String {
        let pythons = (subject.facts.indexPythons ?? []).sorted {
            (PythonVersion($0) ?? PythonVersion(major: 0, minor: 0))
                < (PythonVersion($1) ?? PythonVersion(major: 0, minor: 0))
        }
        return
            "the environment was not checked for \(subject.deployment): it targets Python \(subject.target?.python.minorString ?? "?"), but the configured PyPI indexes were mirrored for Python \(pythons.joined(separator: ", ")) only (their MIRROR.json), so every package would look missing; point --index at a mirror for this Python"
    }
    static func manyUnavailable(_ count: Int, deployment: String, target: String?, partial: Bool) -> String {
        let verdict =
            partial ? "are not in the sources searched, partial copies of their upstream" : "cannot be installed"
        return
            "\(count) requirements \(verdict) for \(deployment)\(target.map { " on \($0)" } ?? ""): nothing in the configured channels provides them (each listed below)"
    }
    static func unavailableItem(_ problem: ExplainedProblem) -> String {
        problem.requirement.map { "'\($0)'" } ?? problem.lines.first ?? ""
    }
    static func unsatisfiable(_ problem: ExplainedProblem, deployment: String, target: String?, partial: Bool) -> String
    {
        let what = problem.requirement.map { "'\($0)'" } ?? "the environment"
        let summary = problem.lines.count == 1 ? ": " + problem.lines[0] : " (why below)"
        let verdict =
            !partial
            ? "cannot be installed"
            : problem.isOnlyUnavailable
                ? "is not available in the sources searched (partial copies: it may exist upstream)"
                : "cannot be installed from the sources searched (partial copies: a build or release they leave out may resolve it)"
        return "\(what) \(verdict) for \(deployment)\(target.map { " on \($0)" } ?? "")\(summary)"
    }
}
