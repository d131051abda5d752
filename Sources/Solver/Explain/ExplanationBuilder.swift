// libsolv's problem rules → explanation steps in the user's terms, with real versions and
// origins (ExplanationStep; ExplanationText writes them). The user's own lines come first. Rules about many versions of one package and one dependency
// are merged into one line (so are the conflicts between two packages' many builds: one line,
// not one per Python patch release), the same-name rule libsolv adds is implied and left out,
// a conda package built only for other Pythons is one step, not its python/python_abi rules,
// and hints say what the channels offer where a requirement has no provider at all, and for
// which Pythons a requested conda package is built when that is the conflict.

import CLibsolv
import Channels
import Specs

struct ExplanationBuilder {
    let builder: PoolBuilder
    let jobs: [Job]

    private struct Group {
        var subject: String
        var ecosystem: String
        var versions: [String]
        var requirement: String
        var provided: Bool
        var order: Int
    }

    private struct ConflictGroup {
        var source: SolvableInfo
        var target: SolvableInfo
        var dep: String
        var sourceVersions: [String]
        var targetVersions: [String]
        var order: Int
    }

    func explain(_ problems: [[SolvPool.RuleInfo]]) -> Explanation {
        var explained: [[ExplanationStep]] = []
        var hints: [ExplanationHint] = []
        // What the channels offer for a dependency is said once (Explanation keeps a hint's
        // first occurrence only); many rules can name one dependency (each version of a
        // package requiring it), and working it out walks the project's every release.
        var availabilityGiven = Set<Id>()
        func addAvailability(_ dep: Id) {
            if availabilityGiven.insert(dep).inserted { hints += availability(dep) }
        }
        for rules in problems {
            var userSteps: [ExplanationStep] = []
            var steps: [ExplanationStep] = []
            var groups: [String: Group] = [:]
            var conflicts: [String: ConflictGroup] = [:]
            var order = 0
            func add(_ step: ExplanationStep) { if !steps.contains(step) { steps.append(step) } }
            func addUser(_ step: ExplanationStep) { if !userSteps.contains(step) { userSteps.append(step) } }
            for rule in rules {
                switch rule.kind {
                case .job:
                    for job in jobs(for: rule.dep) {
                        addUser(.request(origin: job.origin.text, requirement: job.text, provided: true))
                    }
                case .jobNothingProvides:
                    for job in jobs(for: rule.dep) {
                        addUser(.request(origin: job.origin.text, requirement: job.text, provided: false))
                    }
                    addAvailability(rule.dep)
                case .requires, .nothingProvides:
                    guard let info = builder.infos[rule.source] else { continue }
                    let dep = builder.depText[rule.dep] ?? "?"
                    var provided = true
                    if rule.kind == .nothingProvides || builder.pool.providers(rule.dep).isEmpty {
                        provided = false
                        addAvailability(rule.dep)
                    }
                    let key = "\(info.displayName)|\(info.ecosystemLabel)|\(dep)|\(provided)"
                    if groups[key] == nil {
                        groups[key] = Group(
                            subject: info.displayName, ecosystem: info.ecosystemLabel, versions: [], requirement: dep,
                            provided: provided, order: order)
                        order += 1
                    }
                    if !groups[key]!.versions.contains(info.versionText) {
                        groups[key]!.versions.append(info.versionText)
                    }
                case .conflicts:
                    guard let source = builder.infos[rule.source] else { continue }
                    let target = builder.infos[rule.target]
                    let dep = builder.depText[rule.dep] ?? "?"
                    if case .conda(let record)? = target, case .pypi = source {
                        add(.sameFiles(pypi: Self.one(source), conda: Self.one(.conda(record))))
                    } else if let target {
                        let key =
                            "\(source.displayName)|\(source.ecosystemLabel)|\(dep)|\(target.displayName)|\(target.ecosystemLabel)"
                        if conflicts[key] == nil {
                            conflicts[key] = ConflictGroup(
                                source: source, target: target, dep: dep, sourceVersions: [], targetVersions: [],
                                order: order)
                            order += 1
                        }
                        if !conflicts[key]!.sourceVersions.contains(source.versionText) {
                            conflicts[key]!.sourceVersions.append(source.versionText)
                        }
                        if !conflicts[key]!.targetVersions.contains(target.versionText) {
                            conflicts[key]!.targetVersions.append(target.versionText)
                        }
                    } else {
                        add(.conflict(Self.one(source), requirement: dep))
                    }
                case .notInstallable:
                    if let info = builder.infos[rule.source] { add(.notInstallable(Self.one(info))) }
                case .sameName, .other:
                    continue
                }
            }
            var ordered: [(Int, ExplanationStep)] = groups.values.map { g in
                (
                    g.order,
                    .dependency(
                        PackageVersions(
                            name: g.subject, ecosystem: g.ecosystem,
                            versions: ExplanationText.sortedSolvables(g.versions)),
                        requirement: g.requirement, provided: g.provided)
                )
            }
            ordered += conflicts.values.map { c in
                (
                    c.order,
                    .constraint(
                        PackageVersions(
                            name: c.source.displayName, ecosystem: c.source.ecosystemLabel,
                            versions: ExplanationText.sortedSolvables(c.sourceVersions)),
                        requirement: c.dep,
                        excludes: PackageVersions(
                            name: c.target.displayName, ecosystem: c.target.ecosystemLabel,
                            versions: ExplanationText.sortedSolvables(c.targetVersions)))
                )
            }
            let subjects = Set(groups.values.map(\.subject))
            let problem = userSteps + collapsingPythonBuilds(ordered.sorted { $0.0 < $1.0 }.map(\.1)) + steps
            explained.append(problem)
            hints += pythonBuilds(among: subjects, notSaidIn: problem)
        }
        let missing =
            problems.joined().allSatisfy { rule in
                switch rule.kind {
                case .jobNothingProvides, .nothingProvides, .job, .sameName: return true
                default: return false
                }
            } && problems.joined().contains { $0.kind == .jobNothingProvides || $0.kind == .nothingProvides }
        return Explanation(steps: explained, hints: hints, cause: missing ? .missing : .conflict)
    }

    private static func one(_ info: SolvableInfo) -> PackageVersions {
        PackageVersions(name: info.displayName, ecosystem: info.ecosystemLabel, versions: [info.versionText])
    }

    /// A conda package built for other Pythons shows in libsolv's rules as its `python` and
    /// `python_abi` requirements and the pair of constraints by which python and python_abi
    /// exclude each other's other minors (one line per set of patch releases). Said in one
    /// step: "scikit-learn 0.24.2 (conda) is built in the channels only for Python 3.9". Done
    /// only where the channels' builds of those versions all name their Python (none is
    /// noarch), so the step says what is there; otherwise the rules stay as they are.
    private func collapsingPythonBuilds(_ steps: [ExplanationStep]) -> [ExplanationStep] {
        let interpreter: Set<String> = ["python", "python_abi"]
        func pythonPin(_ step: ExplanationStep) -> PackageVersions? {
            guard case .dependency(let p, let requirement, true) = step, p.ecosystem == "conda",
                !interpreter.contains(p.name), p.name != "cpython",
                let first = requirement.split(separator: " ").first, interpreter.contains(String(first)),
                Self.pythonMinor(of: [requirement]) != nil
            else { return nil }
            return p
        }
        func isPythonPair(_ step: ExplanationStep) -> Bool {
            guard case .constraint(let p, _, let excluded) = step else { return false }
            return p.ecosystem == "conda" && excluded.ecosystem == "conda"
                && Set([p.name, excluded.name]) == interpreter
        }
        let pins = steps.compactMap(pythonPin)
        guard !pins.isEmpty, steps.contains(where: isPythonPair) else { return steps }
        // Per package: the Pythons the channels build each of the named versions for.
        var collapsed: [String: [ExplanationStep]] = [:]
        for name in Set(pins.map(\.name)) {
            var versions: [String] = []
            for p in pins where p.name == name {
                for v in p.versions where !versions.contains(v) { versions.append(v) }
            }
            var minorsByVersion: [String: Set<String>] = [:]
            var everyBuildNamesItsPython = true
            for record in builder.universe.channels.condaRecords(named: name)
            where versions.contains(record.versionText) {
                if let minor = Self.pythonMinor(of: record.depends) {
                    minorsByVersion[record.versionText, default: []].insert(minor)
                } else {
                    everyBuildNamesItsPython = false
                }
            }
            guard everyBuildNamesItsPython, versions.allSatisfy({ minorsByVersion[$0] != nil }) else { continue }
            // Versions built for the same Pythons are one step.
            var byMinors: [[String]: [String]] = [:]
            for v in versions { byMinors[Self.sortedMinors(minorsByVersion[v]!), default: []].append(v) }
            collapsed[name] = byMinors.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { minors, versions in
                .builtOnlyForPython(
                    PackageVersions(
                        name: name, ecosystem: "conda", versions: ExplanationText.sortedSolvables(versions)),
                    pythons: minors)
            }
        }
        guard !collapsed.isEmpty else { return steps }
        let all = Set(pins.map(\.name)).isSubset(of: collapsed.keys)
        var result: [ExplanationStep] = []
        for step in steps {
            if let pin = pythonPin(step), let replacement = collapsed[pin.name] {
                for r in replacement where !result.contains(r) { result.append(r) }
            } else if !(all && isPythonPair(step)) {
                result.append(step)
            }
        }
        return result
    }

    private static func sortedMinors(_ minors: Set<String>) -> [String] {
        minors.sorted {
            $0.split(separator: ".").compactMap { Int($0) }.lexicographicallyPrecedes(
                $1.split(separator: ".").compactMap { Int($0) })
        }
    }

    /// For each conda package the user requested that takes part in the problem: the Pythons
    /// its matching builds are made for, when the target's is not among them ("scikit-learn
    /// =0.24.2 is built in the channels only for Python 3.9; the target is Python 3.8"), unless
    /// a step of the problem already says it (a collapsed step for the same Pythons).
    private func pythonBuilds(among subjects: Set<String>, notSaidIn steps: [ExplanationStep]) -> [ExplanationHint] {
        let target = builder.universe.request.target.python.minorString
        var hints: [ExplanationHint] = []
        for request in builder.universe.request.conda
        where subjects.contains(request.spec.name) && request.spec.name != "python" {
            var minors = Set<String>()
            var anyPython = false
            for record in builder.universe.channels.condaRecords(named: request.spec.name)
            where request.spec.matches(
                name: record.name, version: record.version, build: record.build, buildNumber: record.buildNumber)
            {
                if let minor = Self.pythonMinor(of: record.depends) { minors.insert(minor) } else { anyPython = true }
            }
            guard !anyPython, !minors.isEmpty, !minors.contains(target) else { continue }
            let pythons = Self.sortedMinors(minors)
            let said = steps.contains { step in
                if case .builtOnlyForPython(let p, pythons) = step { return p.name == request.spec.name }
                return false
            }
            guard !said else { continue }
            hints.append(
                .builtOnlyForPython(
                    requirement: request.text, origin: request.origin.text, pythons: pythons, target: target))
        }
        return hints
    }

    /// The Python minor a conda build is made for, from `python_abi 3.9.* *_cp39` or
    /// `python >=3.9,<3.10.0a0`; nil for builds that run on any Python (noarch).
    static func pythonMinor(of depends: [String]) -> String? {
        for dependency in depends {
            let parts = dependency.split(separator: " ")
            guard parts.count >= 2 else { continue }
            if parts[0] == "python_abi" {
                let version = parts[1].split(separator: ".")
                if version.count >= 2 { return "\(version[0]).\(version[1])" }
            }
            if parts[0] == "python" {
                let clauses = parts[1].split(separator: ",")
                if clauses.count == 2, clauses[0].hasPrefix(">="), clauses[1].hasPrefix("<") {
                    let low = clauses[0].dropFirst(2).split(separator: ".")
                    if low.count >= 2 { return "\(low[0]).\(low[1])" }
                } else if let only = clauses.first, clauses.count == 1, !only.contains(where: { "<>!".contains($0) }) {
                    let version = only.trimmingPrefix("==").split(separator: ".")
                    if version.count >= 2 { return "\(version[0]).\(version[1])" }
                }
            }
        }
        return nil
    }

    private func jobs(for dep: Id) -> [Job] { jobs.filter { $0.dep == dep } }

    /// What the channels offer for a dependency without providers.
    private func availability(_ dep: Id) -> [ExplanationHint] {
        guard let subject = builder.depSubject[dep] else { return [] }
        let universe = builder.universe
        if subject.ecosystem == "pypi" {
            let name = NormalizedName(subject.name)
            if universe.unknownProjects.contains(name) {
                return [.notInIndexes(name: subject.name)]
            }
            var hints: [ExplanationHint] = []
            if let info = universe.unavailable(name) {
                // Why the releases this requirement admits cannot be used.
                let sdists = info.sdistOnly.filter(subject.admits)
                if !sdists.isEmpty {
                    hints.append(.sourceOnly(name: subject.name, versions: ExplanationText.sortedUnique(sdists)))
                }
                // Wheels for other Pythons are one hint per version: "wheels only for cp38, cp39".
                var otherPythons: [String: [String]] = [:]
                var byReason: [Unavailability: [String]] = [:]
                let target = universe.request.target.python.minorString
                for (version, reason) in info.excluded where subject.admits(version) {
                    if case .otherPython(let tags, _, target) = reason {
                        let tag = tags.joined(separator: ".")
                        if !(otherPythons[version] ?? []).contains(tag) {
                            otherPythons[version, default: []].append(tag)
                        }
                    } else {
                        byReason[reason, default: []].append(version)
                    }
                }
                for (version, tags) in otherPythons.sorted(by: { $0.key < $1.key }).prefix(4) {
                    hints.append(
                        .wheelsOnlyForOtherPythons(
                            name: subject.name, version: version,
                            tags: tags.sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }, target: target))
                }
                // An sdist that could not be read first: it says what a build would meet.
                let ordered = byReason.map { (text: $0.key.description, reason: $0.key, versions: $0.value) }.sorted {
                    a, b in
                    let (sa, sb) = (Self.isUnreadableSdist(a.reason), Self.isUnreadableSdist(b.reason))
                    return sa != sb ? sa : a.text < b.text
                }
                for entry in ordered.prefix(4) {
                    hints.append(
                        .unavailable(
                            name: subject.name, versions: ExplanationText.sortedUnique(entry.versions),
                            reason: entry.reason))
                }
            }
            let available = universe.installableVersions(of: name)
            if hints.isEmpty {
                hints.append(.noAdmittedRelease(name: subject.name, mirror: mirrorScope()))
            }
            if !available.isEmpty {
                hints.append(
                    .installableVersions(
                        name: subject.name, target: universe.request.target.description,
                        versions: ExplanationText.sortedUnique(available)))
            }
            return hints
        }
        let name = subject.name
        if name.hasPrefix("__") {
            return [
                .virtualPackage(
                    name: name,
                    provided: universe.request.virtualPackages.filter { $0.name == name }.map {
                        "\($0.name) \($0.version)"
                    })
            ]
        }
        let records = universe.channels.condaRecords(named: name)
        if records.isEmpty {
            return [.noCondaPackage(name: name, channels: universe.channels.condaChannels.map(\.name))]
        }
        var hints: [ExplanationHint] = [
            .condaVersions(name: name, versions: ExplanationText.sortedUnique(records.map(\.versionText)))
        ]
        // Builds the requirement admits in a lower channel, which strict priority hides.
        let channel = records[0].channel
        let hidden = universe.channels.allCondaRecords(named: name).filter {
            $0.channel != channel && subject.admits($0.versionText)
        }
        if !hidden.isEmpty {
            hints.append(
                .unavailable(
                    name: name, versions: ExplanationText.sortedUnique(hidden.map(\.versionText)),
                    reason: .hiddenByChannelPriority(name: name, higherChannel: channel)))
        }
        return hints
    }

    private static func isUnreadableSdist(_ reason: Unavailability) -> Bool {
        if case .sdistUnreadable = reason { return true }
        return false
    }

    /// For a stamped mirror, which files it keeps (it drops the others, so a project published
    /// only for Windows or macOS has no file in it).
    private func mirrorScope() -> MirrorScope? {
        for index in builder.universe.channels.pypiIndexes where !index.isRemote {
            guard let stamp = MirrorStamp.read(directory: index.location), let platform = stamp["platform"]?.stringValue
            else { continue }
            return MirrorScope(
                index: index.name, platform: platform,
                pythons: (stamp["pythons"]?.arrayValue ?? []).compactMap(\.stringValue))
        }
        return nil
    }
}
