// libsolv's problem rules → sentences in the user's terms, with real versions and origins:
//   conda.yaml:6:5 requires numpy==1.23.5
//   scikit-learn 1.5.2 (pypi) requires numpy>=1.19.5, but ...
// The user's own lines come first. Rules about many versions of one package and one dependency
// are merged into one line (so are the conflicts between two packages' many builds: one line,
// not one per Python patch release), the same-name rule libsolv adds is implied and left out,
// and hints say what the channels offer where a requirement has no provider at all, and for
// which Pythons a requested conda package is built when that is the conflict.

import Channels
import CLibsolv
import Specs

struct ExplanationBuilder {
    let builder: PoolBuilder
    let jobs: [Job]

    private struct Group {
        var subject: String
        var ecosystem: String
        var versions: [String]
        var predicate: String
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
        var rendered: [[String]] = []
        var hints: [String] = []
        for rules in problems {
            var userLines: [String] = []
            var lines: [String] = []
            var groups: [String: Group] = [:]
            var conflicts: [String: ConflictGroup] = [:]
            var order = 0
            func add(_ line: String) { if !lines.contains(line) { lines.append(line) } }
            func addUser(_ line: String) { if !userLines.contains(line) { userLines.append(line) } }
            for rule in rules {
                switch rule.kind {
                case .job:
                    for job in jobs(for: rule.dep) { addUser("\(job.origin) requires \(job.text)") }
                case .jobNothingProvides:
                    for job in jobs(for: rule.dep) {
                        addUser("\(job.origin) requires \(job.text), but no package in the channels provides it")
                    }
                    hints += availability(rule.dep)
                case .requires, .nothingProvides:
                    guard let info = builder.infos[rule.source] else { continue }
                    let dep = builder.depText[rule.dep] ?? "?"
                    var predicate = "require \(dep)"
                    if rule.kind == .nothingProvides || builder.pool.providers(rule.dep).isEmpty {
                        predicate += ", which no package in the channels provides"
                        hints += availability(rule.dep)
                    }
                    let key = "\(info.displayName)|\(info.ecosystemLabel)|\(predicate)"
                    if groups[key] == nil {
                        groups[key] = Group(subject: info.displayName, ecosystem: info.ecosystemLabel, versions: [], predicate: predicate, order: order)
                        order += 1
                    }
                    if !groups[key]!.versions.contains(info.versionText) { groups[key]!.versions.append(info.versionText) }
                case .conflicts:
                    guard let source = builder.infos[rule.source] else { continue }
                    let target = builder.infos[rule.target]
                    let dep = builder.depText[rule.dep] ?? "?"
                    if case .conda? = target, case .pypi = source {
                        add("\(describe(source)) and \(target.map(describe) ?? dep) both install \(source.displayName); pip and conda would overwrite each other's files")
                    } else if let target {
                        let key = "\(source.displayName)|\(source.ecosystemLabel)|\(dep)|\(target.displayName)|\(target.ecosystemLabel)"
                        if conflicts[key] == nil {
                            conflicts[key] = ConflictGroup(source: source, target: target, dep: dep, sourceVersions: [], targetVersions: [], order: order)
                            order += 1
                        }
                        if !conflicts[key]!.sourceVersions.contains(source.versionText) { conflicts[key]!.sourceVersions.append(source.versionText) }
                        if !conflicts[key]!.targetVersions.contains(target.versionText) { conflicts[key]!.targetVersions.append(target.versionText) }
                    } else {
                        add("\(describe(source)) conflicts with \(dep)")
                    }
                case .notInstallable:
                    if let info = builder.infos[rule.source] { add("\(describe(info)) cannot be installed on this target") }
                case .sameName, .other:
                    continue
                }
            }
            var ordered: [(Int, String)] = groups.values.map { group in
                (group.order, "\(group.subject) \(versionList(group.versions)) (\(group.ecosystem)) \(verb(group.predicate, plural: group.versions.count > 1))")
            }
            ordered += conflicts.values.map { c in
                let verb = c.sourceVersions.count > 1 ? "constrain" : "constrains"
                return (c.order, "\(c.source.displayName) \(versionList(c.sourceVersions)) (\(c.source.ecosystemLabel)) \(verb) \(c.dep), which excludes \(c.target.displayName) \(versionList(c.targetVersions)) (\(c.target.ecosystemLabel))")
            }
            rendered.append(userLines + ordered.sorted { $0.0 < $1.0 }.map(\.1) + lines)
            hints += pythonBuilds(among: Set(groups.values.map(\.subject)))
        }
        var seen = Set<String>()
        var explanation = Explanation(problems: rendered, hints: hints.filter { seen.insert($0).inserted })
        let missing = problems.joined().allSatisfy { rule in
            switch rule.kind {
            case .jobNothingProvides, .nothingProvides, .job, .sameName: return true
            default: return false
            }
        } && problems.joined().contains { $0.kind == .jobNothingProvides || $0.kind == .nothingProvides }
        explanation.cause = missing ? .missing : .conflict
        return explanation
    }

    /// For each conda package the user requested that takes part in the problem: the Pythons
    /// its matching builds are made for, when the target's is not among them ("scikit-learn
    /// =0.24.2 is built in the channels only for Python 3.9; the target is Python 3.8").
    private func pythonBuilds(among subjects: Set<String>) -> [String] {
        let target = builder.universe.request.target.python.minorString
        var hints: [String] = []
        for request in builder.universe.request.conda where subjects.contains(request.spec.name) && request.spec.name != "python" {
            var minors = Set<String>()
            var anyPython = false
            for record in builder.universe.channels.condaRecords(named: request.spec.name)
            where request.spec.matches(name: record.name, version: record.version, build: record.build, buildNumber: record.buildNumber) {
                if let minor = Self.pythonMinor(of: record.depends) { minors.insert(minor) } else { anyPython = true }
            }
            guard !anyPython, !minors.isEmpty, !minors.contains(target) else { continue }
            let sorted = minors.sorted { $0.split(separator: ".").compactMap { Int($0) }.lexicographicallyPrecedes($1.split(separator: ".").compactMap { Int($0) }) }
            hints.append("\(request.text) (\(request.origin)) is built in the channels only for Python \(sorted.joined(separator: ", ")); the target is Python \(target)")
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

    private func describe(_ info: SolvableInfo) -> String {
        "\(info.displayName) \(info.versionText) (\(info.ecosystemLabel))"
    }

    private func verb(_ predicate: String, plural: Bool) -> String {
        plural ? predicate : predicate.replacingFirst("require ", with: "requires ")
    }

    /// `1.3.0`, `1.3.0, 1.3.1`, or `1.2.0 … 1.5.2 (9 versions)` for long lists (newest last).
    private func versionList(_ versions: [String]) -> String {
        let sorted = versions.sorted { a, b in
            if let va = try? PEP440Version(parsing: a), let vb = try? PEP440Version(parsing: b) { return va < vb }
            return a < b
        }
        if sorted.count <= 3 { return sorted.joined(separator: ", ") }
        return "\(sorted.first!) … \(sorted.last!) (\(sorted.count) versions)"
    }

    /// What the channels offer for a dependency without providers.
    private func availability(_ dep: Id) -> [String] {
        guard let subject = builder.depSubject[dep] else { return [] }
        let universe = builder.universe
        if subject.ecosystem == "pypi" {
            let name = NormalizedName(subject.name)
            if universe.unknownProjects.contains(name) {
                return ["\(subject.name) is not in the configured PyPI indexes"]
            }
            var hints: [String] = []
            if let info = universe.unavailable(name) {
                // Why the releases this requirement admits cannot be used.
                let sdists = info.sdistOnly.filter(subject.admits)
                if !sdists.isEmpty {
                    hints.append("\(subject.name) \(versionSummary(sdists)) only as source distributions (a build would be needed)")
                }
                // Wheels for other Pythons are one hint per version: "wheels only for cp38, cp39".
                var otherPythons: [String: [String]] = [:]
                var byReason: [String: [String]] = [:]
                let suffix = ", not CPython \(universe.request.target.python.minorString)"
                for (version, reason) in info.excluded where subject.admits(version) {
                    if reason.hasPrefix("built for "), reason.hasSuffix(suffix), let tag = reason.dropFirst("built for ".count).split(separator: " ").first {
                        if !(otherPythons[version] ?? []).contains(String(tag)) { otherPythons[version, default: []].append(String(tag)) }
                    } else {
                        byReason[reason, default: []].append(version)
                    }
                }
                for (version, tags) in otherPythons.sorted(by: { $0.key < $1.key }).prefix(4) {
                    hints.append("\(subject.name) \(version): wheels only for \(tags.sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }.joined(separator: ", "))\(suffix)")
                }
                // An sdist that could not be read first: it says what a build would meet.
                let ordered = byReason.sorted { a, b in
                    let (sa, sb) = (a.key.hasPrefix(Unavailable.sdistUnreadable), b.key.hasPrefix(Unavailable.sdistUnreadable))
                    return sa != sb ? sa : a.key < b.key
                }
                for (reason, versions) in ordered.prefix(4) {
                    hints.append("\(subject.name) \(versionSummary(versions)): \(reason)")
                }
            }
            let available = universe.installableVersions(of: name)
            if hints.isEmpty {
                hints.append("the configured indexes have no release of \(subject.name) that this requirement admits" + mirroredFor())
            }
            if !available.isEmpty {
                hints.append("\(subject.name) versions that install on \(universe.request.target): \(versionSummary(available))")
            }
            return hints
        }
        let name = subject.name
        if name.hasPrefix("__") {
            let provided = universe.request.virtualPackages.filter { $0.name == name }.map { "\($0.name) \($0.version)" }
            return [provided.isEmpty ? "the target does not provide \(name)" : "the target provides \(provided.joined(separator: ", "))"]
        }
        let records = universe.channels.condaRecords(named: name)
        if records.isEmpty {
            return ["no conda package named \(name) in the channels (\(universe.channels.condaChannels.map(\.name).joined(separator: ", ")))"]
        }
        return ["\(name) in the conda channels: \(versionSummary(records.map(\.versionText)))"]
    }

    /// For a stamped mirror, which files it keeps (it drops the others, so a project published
    /// only for Windows or macOS has no file in it): "; channels/pypi keeps only files for
    /// manylinux_2_35_x86_64 and CPython 3.8–3.14, so releases for other platforms are not in it".
    private func mirroredFor() -> String {
        for index in builder.universe.channels.pypiIndexes where !index.isRemote {
            guard let stamp = MirrorStamp.read(directory: index.location), let platform = stamp["platform"]?.stringValue else { continue }
            let pythons = (stamp["pythons"]?.arrayValue ?? []).compactMap(\.stringValue)
            let range = pythons.count > 1 ? "\(pythons.first!)–\(pythons.last!)" : pythons.first ?? "?"
            return "; the index \(index.name) is a mirror that keeps only files for \(platform) and CPython \(range), so releases published only for other platforms are not in it"
        }
        return ""
    }

    private func versionSummary(_ versions: [String]) -> String {
        var unique: [String] = []
        for v in versions where !unique.contains(v) { unique.append(v) }
        let sorted = unique.sorted { a, b in
            if let va = try? CondaVersion(parsing: a), let vb = try? CondaVersion(parsing: b) { return va < vb }
            return a < b
        }
        if sorted.count <= 6 { return sorted.joined(separator: ", ") }
        return sorted.prefix(3).joined(separator: ", ") + " … " + sorted.suffix(2).joined(separator: ", ") + " (\(sorted.count) versions)"
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = literalRange(of: target) else { return self }
        var replaced = self
        replaced.replaceSubrange(range, with: replacement)
        return replaced
    }
}
