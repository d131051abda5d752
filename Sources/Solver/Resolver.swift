// Request → libsolv pool → resolution or explanation (DESIGN.md "Solving with libsolv").
//
// Solvables: one per conda build (`conda:<name>`), compatible wheel (`pypi:<project>`), extra of
// a wheel (`pypi:<project>[<extra>]`, requiring the same release plus the extra's requirements)
// and virtual package (`virtual:__glibc`). Rank within a name: conda — version, no
// track_features, build number, timestamp; PyPI — version, then wheel-tag preference.
// Dependencies: each distinct string is one id whose providers our own matchers compute.
// conda `constrains` become conflicts with the builds they exclude. In conda mode a pip
// requirement is also met by a conda build of the same project (a matching version), and a
// wheel conflicts with every conda build of its project. The PyPI repo has the higher
// priority, so pip requirements go to wheels unless conda installs the project anyway.

import CLibsolv
import Channels
import FoundationEssentials
import Specs

public struct Resolver: Sendable {
    public let channels: ChannelSet
    /// Parsed specs and conda matches, shared by every solve of this resolver (they depend on
    /// the channels only): resolving many models with one resolver parses each once.
    private let caches = SolveCaches()

    public init(channels: ChannelSet) { self.channels = channels }

    public func solve(_ request: SolveRequest, debugDirectory: String? = nil) throws(SolveError) -> SolveOutcome {
        for r in request.pip where r.requirement.url != nil {
            throw SolveError("\(r.origin): '\(r.text)' is a direct URL requirement; mlenv resolves from mirrors only. Put the file in a local index (`mlenv mirror`) and require it by name")
        }
        if request.mode == .conda {
            do { try channels.loadCondaChannels() } catch { throw SolveError(error.message, sourcesUnreadable: true) }
        }
        if request.mode == .conda && channels.condaRecords(named: "python").isEmpty {
            throw SolveError("the conda channels have no python package; add a channel that has one (--channel)")
        }
        // First the newest few releases each requirement admits: most environments resolve
        // there, and reading every release's metadata is most of a solve's time. The newest
        // candidates of every requirement are in that universe, so a solution found there is
        // the one the whole universe gives. Without one (a conflict may need older releases),
        // the whole universe is solved, which also gives the complete explanation. (Widening
        // only the projects in the conflict was tried: it can settle on older releases than
        // the full solve would, so it is not done.)
        // Against a remote index every release's metadata is a request, so the universe widens
        // in steps before it is taken whole (the same argument holds at each step).
        let remote = channels.pypiIndexes.contains(where: \.isRemote)
        let limits = remote ? Resolver.remoteVersionLimits : [Resolver.quickVersionLimit]
        if debugDirectory == nil {
            for limit in limits {
                let (outcome, onlyUnprovidedRequests, unprovided) = try attempt(request, versionLimit: limit, debugDirectory: nil,
                                                                                everyBuild: false, caches: caches)
                if case .resolved = outcome { return outcome }
                // A request nothing provides makes the whole request unsatisfiable whatever else
                // a larger universe holds. Against a remote index, where the whole universe is
                // every release's metadata over the network (minutes for an unpinned boto3),
                // that is the answer, said with what was not explored.
                if remote, let unprovided { return unprovided }
                // A request nothing provides stays unprovided in the whole universe (the limit only
                // trims among the installable releases a request admits, never to none), and the
                // rest of the request has a solution here, which is one there too: the whole
                // universe would report the same problems.
                if onlyUnprovidedRequests { return outcome }
            }
        }
        return try attempt(request, versionLimit: nil, debugDirectory: debugDirectory, everyBuild: true, caches: caches).outcome
    }

    /// Releases per requirement in the first attempt.
    public static let quickVersionLimit = 2
    /// Releases per requirement in the attempts against a remote index, before the whole universe.
    public static let remoteVersionLimits = [2, 8, 32]

    /// Equivalent conda builds are one solvable (CondaCandidates), which gives the same solution
    /// as the whole pool. An explanation, though, quotes whichever rules libsolv meets first, and
    /// those can differ with the pool; the last attempt (the one that explains) keeps every build
    /// while libsolv's same-name rules for them stay this few (a pair per two builds of a name:
    /// conda-forge-snapshot size), and merges beyond, where keeping them would cost minutes and
    /// gigabytes.
    static let everyBuildPairLimit = 4_000_000

    /// One solve; on failure also whether every problem is a request nothing provides (other
    /// than a request for an extra: the newest releases may lack an extra an older one has),
    /// and, when some are, an explanation of just those.
    private func attempt(_ request: SolveRequest, versionLimit: Int?, debugDirectory: String?, everyBuild: Bool,
                         caches: SolveCaches) throws(SolveError) -> (outcome: SolveOutcome, onlyUnprovided: Bool, unprovided: SolveOutcome?) {
        let universe = Universe(channels: channels, request: request, versionLimit: versionLimit)
        do { try universe.build() } catch { throw SolveError(error.message, sourcesUnreadable: true) }
        let pairs = universe.conda.values.reduce(0) { $0 + $1.count * $1.count }
        let builder = PoolBuilder(universe: universe, caches: caches,
                                  mergeEquivalentBuilds: !(everyBuild && pairs <= Resolver.everyBuildPairLimit))
        builder.build()
        if ProcessInfo.processInfo.environment["MLENV_DEBUG_SOLVE"] != nil {
            let files = universe.pypi.values.reduce(0) { $0 + $1.count }
            StandardStreams.writeError("attempt: limit \(versionLimit.map(String.init) ?? "none"), \(universe.pypi.count) projects, \(files) wheels, \(universe.conda.values.reduce(0) { $0 + $1.count }) conda builds (\(builder.mergedCondaBuilds) merged as equivalent)\n")
        }
        let jobs = builder.jobs()
        if let debugDirectory { _ = builder.pool.writeTestcase(jobs.map(\.job), directory: debugDirectory) }
        let outcome = builder.pool.solve(jobs.map(\.job))
        if outcome.problems.isEmpty {
            return (.resolved(builder.resolution(installed: outcome.installed, jobs: jobs)), false, nil)
        }
        func unprovidedRequest(_ rule: SolvPool.RuleInfo) -> Bool { rule.kind == .jobNothingProvides && !builder.extraDeps.contains(rule.dep) }
        let onlyUnprovidedRequests = outcome.problems.joined().allSatisfy(unprovidedRequest)
        let explainer = ExplanationBuilder(builder: builder, jobs: jobs)
        var unprovided: SolveOutcome?
        let unprovidedProblems = outcome.problems.filter { $0.contains(where: unprovidedRequest) }
        if !unprovidedProblems.isEmpty && !onlyUnprovidedRequests {
            let partial = explainer.explain(unprovidedProblems)
            unprovided = .unsatisfiable(Explanation(problems: partial.problems, hints: partial.hints + [
                "only the requests nothing provides are shown: with a remote index mlenv does not load every release to look for further conflicts; fix these and resolve again"], cause: .missing))
        }
        return (.unsatisfiable(explainer.explain(outcome.problems)), onlyUnprovidedRequests, onlyUnprovidedRequests ? nil : unprovided)
    }
}

/// Parsed specs, shared by the solves of one resolver.
final class SolveCaches: @unchecked Sendable {
    private let lock = Lock()
    private var matchSpecs: [String: MatchSpec?] = [:]

    func matchSpec(_ text: String) -> MatchSpec? {
        lock.lock()
        defer { lock.unlock() }
        if let cached = matchSpecs[text] { return cached }
        let spec = try? MatchSpec(parsing: text)
        matchSpecs[text] = spec
        return spec
    }

}

/// A solvable's meaning.
enum SolvableInfo {
    case conda(Channels.CondaRecord)
    case pypi(PyPICandidate)
    case extra(PyPICandidate, extra: String)
    case virtual(VirtualPackage)

    var displayName: String {
        switch self {
        case .conda(let r): return r.name
        case .pypi(let c): return c.file.project.value
        case .extra(let c, let extra): return "\(c.file.project.value)[\(extra)]"
        case .virtual(let v): return v.name
        }
    }

    var versionText: String {
        switch self {
        case .conda(let r): return r.versionText
        case .pypi(let c), .extra(let c, _): return c.version.normalized
        case .virtual(let v): return v.version
        }
    }

    var ecosystemLabel: String {
        switch self {
        case .conda: return "conda"
        case .pypi, .extra: return "pypi"
        case .virtual: return "virtual"
        }
    }
}

struct Job {
    let job: SolvPool.Job
    let dep: Id?
    let text: String
    let origin: Origin
}

final class PoolBuilder {
    let universe: Universe
    let pool = SolvPool()
    private(set) var infos: [Id: SolvableInfo] = [:]
    private var condaSolvables: [String: [Id]] = [:]
    private var conda = CondaCandidates(conda: [:], specs: nil)
    /// conda builds left out of the pool as equivalent to a newer one (for MLENV_DEBUG_SOLVE).
    private(set) var mergedCondaBuilds = 0
    private var pypiSolvables: [NormalizedName: [Id]] = [:]
    private var extraSolvables: [String: [Id]] = [:]  // "name[extra]"
    private var virtualSolvables: [String: [Id]] = [:]
    /// conda builds by the PyPI project they install.
    private var condaByPyPIName: [NormalizedName: [Id]] = [:]
    private var depIds: [String: Id] = [:]
    /// Human text of each dependency id (the spec as written).
    private(set) var depText: [Id: String] = [:]
    /// The ecosystem and package a dependency id is about, and which version texts it admits.
    struct Subject {
        let ecosystem: String
        let name: String
        let admits: (String) -> Bool
    }
    private(set) var depSubject: [Id: Subject] = [:]
    /// Dependencies on an extra of a project (`name[extra] spec`).
    private(set) var extraDeps = Set<Id>()
    private let caches: SolveCaches

    private let mergeEquivalentBuilds: Bool

    init(universe: Universe, caches: SolveCaches = SolveCaches(), mergeEquivalentBuilds: Bool = true) {
        self.universe = universe
        self.caches = caches
        self.mergeEquivalentBuilds = mergeEquivalentBuilds
    }

    var request: SolveRequest { universe.request }

    func build() {
        let virtualRepo = pool.repo("virtual", priority: 0)
        for v in request.virtualPackages {
            let id = pool.addSolvable(to: virtualRepo, name: "virtual:\(v.name)", rank: 1)
            infos[id] = .virtual(v)
            virtualSolvables[v.name, default: []].append(id)
        }
        let condaRepo = pool.repo("conda", priority: 0)
        var candidates = CondaCandidates(conda: universe.conda, specs: mergeEquivalentBuilds ? condaSpecs() : nil)
        for name in universe.conda.keys.sorted() {
            let records = candidates.names[name]?.records ?? []
            var ids: [Id] = []
            ids.reserveCapacity(records.count)
            for (i, record) in records.enumerated() {
                let id = pool.addSolvable(to: condaRepo, name: "conda:\(name)", rank: records.count - i)
                infos[id] = .conda(record)
                ids.append(id)
                if request.mode == .conda, let pypiName = PackageNameMap.pypiName(of: record) {
                    condaByPyPIName[pypiName, default: []].append(id)
                }
            }
            condaSolvables[name] = ids
            candidates.setIds(ids, of: name)
        }
        conda = candidates
        mergedCondaBuilds = candidates.merged
        let pypiRepo = pool.repo("pypi", priority: 1)
        for name in universe.pypi.keys.sorted() {
            // Sort positions, not the (large) candidate values.
            let unsorted = universe.pypi[name] ?? []
            let order = unsorted.indices.sorted { i, j in
                let a = unsorted[i], b = unsorted[j]
                if a.version != b.version { return a.version > b.version }
                if a.tagRank != b.tagRank { return a.tagRank < b.tagRank }
                return a.file.filename < b.file.filename
            }
            let candidates = order.map { unsorted[$0] }
            for (i, candidate) in candidates.enumerated() {
                let rank = candidates.count - i
                let id = pool.addSolvable(to: pypiRepo, name: "pypi:\(name.value)", rank: rank)
                infos[id] = .pypi(candidate)
                pypiSolvables[name, default: []].append(id)
                let provided = Set(candidate.metadata.providesExtra.map { NormalizedName($0).value })
                for extra in (universe.extras[name] ?? []).sorted() where provided.contains(extra) {
                    let extraId = pool.addSolvable(to: pypiRepo, name: "pypi:\(name.value)[\(extra)]", rank: rank)
                    infos[extraId] = .extra(candidate, extra: extra)
                    extraSolvables["\(name.value)[\(extra)]", default: []].append(extraId)
                }
            }
        }
        pool.finishLoading()

        for (id, info) in infos.sorted(by: { $0.key < $1.key }) {
            switch info {
            case .conda(let record):
                for dependency in record.depends { pool.addRequires(id, condaDep(dependency)) }
                for constraint in record.constrains { pool.addConflicts(id, condaConstraint(constraint)) }
            case .pypi(let candidate):
                for requirement in universe.requirements(of: candidate, extra: nil) {
                    for dep in pypiDeps(requirement) { pool.addRequires(id, dep) }
                }
                if request.mode == .conda, let conda = condaByPyPIName[candidate.file.project], !conda.isEmpty {
                    pool.addConflicts(id, dependency("conda-installs \(candidate.file.project.value)", text: "\(candidate.file.project.value) (conda)") { conda })
                }
            case .extra(let candidate, let extra):
                let project = candidate.file.project
                let sameRelease = dependency("pypi-release \(project.value)==\(candidate.version.normalized)",
                                             text: "\(project.value)==\(candidate.version.normalized)") {
                    (self.pypiSolvables[project] ?? []).filter {
                        if case .pypi(let c)? = self.infos[$0] { return c.version == candidate.version }
                        return false
                    }
                }
                pool.addRequires(id, sameRelease)
                for requirement in universe.requirements(of: candidate, extra: extra) {
                    for dep in pypiDeps(requirement) { pool.addRequires(id, dep) }
                }
            case .virtual:
                break
            }
        }
    }

    // MARK: Dependencies

    private func dependency(_ key: String, text: String, subject: Subject? = nil, providers: () -> [Id]) -> Id {
        if let id = depIds[key] { return id }
        let id = pool.string(key)
        pool.setProviders(id, providers())
        depIds[key] = id
        depText[id] = text
        if let subject { depSubject[id] = subject }
        return id
    }

    /// The solvables of a name, for hints.
    func solvables(ecosystem: String, name: String) -> [Id] {
        ecosystem == "conda" ? (condaSolvables[name] ?? []) : (pypiSolvables[NormalizedName(name)] ?? [])
    }

    func matchSpec(_ text: String) -> MatchSpec? { caches.matchSpec(text) }

    func condaDep(_ text: String) -> Id {
        let spec = matchSpec(text)
        let subject = Subject(ecosystem: "conda", name: MatchSpecCache.name(of: text)) { version in
            guard let spec, let v = try? CondaVersion(parsing: version) else { return false }
            return spec.version?.matches(v) ?? true
        }
        return dependency("conda " + text, text: text, subject: subject) {
            guard let spec = self.matchSpec(text) else { return [] }
            if spec.name.hasPrefix("__") {
                return (self.virtualSolvables[spec.name] ?? []).filter {
                    guard case .virtual(let v)? = self.infos[$0], let version = try? CondaVersion(parsing: v.version) else { return false }
                    return spec.matches(name: v.name, version: version, build: v.build, buildNumber: 0)
                }
            }
            return self.conda.matching(spec, name: spec.name)
        }
    }

    /// A conda `constrains` entry as a conflict with every build of that name it excludes.
    private func condaConstraint(_ text: String) -> Id {
        dependency("conda-constrains " + text, text: text) {
            guard let spec = self.matchSpec(text) else { return [] }
            return self.conda.excluded(by: spec, name: spec.name)
        }
    }

    /// Every conda spec of the solve by the name it is about: what decides which builds are
    /// interchangeable (CondaCandidates).
    private func condaSpecs() -> [String: [MatchSpec]] {
        var specs: [String: [MatchSpec]] = [:]
        for texts in universe.condaSpecTexts.values {
            for spec in texts.compactMap(matchSpec) { specs[spec.name, default: []].append(spec) }
        }
        for r in request.conda { specs[r.spec.name, default: []].append(r.spec) }
        return specs
    }

    /// A PyPI requirement: one dependency for the base, one per extra.
    func pypiDeps(_ requirement: Requirement) -> [Id] {
        let name = requirement.normalizedName
        let spec = requirement.specifier
        let subject = Subject(ecosystem: "pypi", name: name.value) { version in
            (try? PEP440Version(parsing: version)).map { spec.contains($0, prereleases: true) } ?? false
        }
        let base = dependency("pypi \(name.value) \(spec)", text: "\(name.value)\(spec)", subject: subject) {
            var providers = self.admitted((self.pypiSolvables[name] ?? []), by: spec)
            if self.request.mode == .conda {
                providers += (self.condaByPyPIName[name] ?? []).filter {
                    guard case .conda(let r)? = self.infos[$0], let v = try? PEP440Version(parsing: r.versionText) else { return false }
                    return spec.contains(v, prereleases: true)
                }
            }
            return providers
        }
        var deps = [base]
        for extra in requirement.extras.map({ NormalizedName($0).value }).sorted() {
            let dep = dependency("pypi \(name.value)[\(extra)] \(spec)", text: "\(name.value)[\(extra)]\(spec)", subject: subject) {
                self.admitted(self.extraSolvables["\(name.value)[\(extra)]"] ?? [], by: spec)
            }
            extraDeps.insert(dep)
            deps.append(dep)
        }
        return deps
    }

    /// The candidates a specifier admits, with PEP 440's pre-release rule over the whole set
    /// (`SpecifierSet.filter`): pre-releases only when the specifier names one or no final
    /// release matches. (packaging 26's `contains` admits pre-releases by default; `filter`, as
    /// pip and uv apply it, does not.)
    private func admitted(_ ids: [Id], by spec: SpecifierSet) -> [Id] {
        func version(_ id: Id) -> PEP440Version? {
            switch infos[id] {
            case .pypi(let c)?, .extra(let c, _)?: return c.version
            default: return nil
            }
        }
        let allowed = Set(spec.filter(Set(ids.compactMap(version))))
        return ids.filter { version($0).map(allowed.contains) ?? false }
    }

    // MARK: Jobs

    func jobs() -> [Job] {
        var jobs: [Job] = []
        // The Python minor is fixed; the model's own python spec (when it has one) says more.
        if request.mode == .conda && !request.conda.contains(where: { $0.spec.name == "python" }) {
            let text = "python \(request.target.python.minorString).*"
            let dep = condaDep(text)
            jobs.append(Job(job: .install(dep: dep), dep: dep, text: "python \(request.target.python.minorString)", origin: request.pythonOrigin))
        }
        for r in request.conda {
            let dep = condaDep(r.spec.description)
            jobs.append(Job(job: .install(dep: dep), dep: dep, text: r.text, origin: r.origin))
        }
        let environment = request.target.markerEnvironment
        for r in request.pip {
            if let marker = r.requirement.marker, (try? marker.evaluate(environment)) != true { continue }
            if r.isConstraint {
                let name = r.requirement.normalizedName
                let allowed = Set(admitted(pypiSolvables[name] ?? [], by: r.requirement.specifier))
                let excluded = (pypiSolvables[name] ?? []).filter { !allowed.contains($0) }
                jobs.append(Job(job: .forbid(excluded), dep: nil, text: r.text, origin: r.origin))
                continue
            }
            for dep in pypiDeps(r.requirement) {
                jobs.append(Job(job: .install(dep: dep), dep: dep, text: r.text, origin: r.origin))
            }
        }
        return jobs
    }

    // MARK: Output

    func resolution(installed: [Id], jobs: [Job]) -> Resolution {
        let installedSet = Set(installed)
        // Edges: who requires whom (through which dependency).
        var requestedBy: [Id: [String]] = [:]
        var origins: [Id: [Origin]] = [:]
        for job in jobs {
            guard let dep = job.dep else { continue }
            for p in pool.providers(dep) where installedSet.contains(p) {
                let target = baseOf(p)
                origins[target, default: []].append(job.origin)
                requestedBy[target, default: []].append(job.origin.text)
            }
        }
        for id in installed {
            guard let info = infos[id] else { continue }
            let parentName = info.displayName
            for dep in requiresOf(id) {
                for p in pool.providers(dep) where installedSet.contains(p) && p != id {
                    requestedBy[baseOf(p), default: []].append(parentName)
                }
            }
        }
        var extrasOf: [Id: [String]] = [:]
        for id in installed {
            if case .extra(let c, let extra)? = infos[id], let base = pypiSolvables[c.file.project]?.first(where: {
                if case .pypi(let b)? = infos[$0] { return b.file == c.file }
                return false
            }) {
                extrasOf[base, default: []].append(extra)
            }
        }
        var packages: [ResolvedPackage] = []
        for id in installed {
            let by = unique(requestedBy[id] ?? [])
            switch infos[id] {
            case .conda(let r)?:
                packages.append(ResolvedPackage(name: r.name, version: r.versionText, ecosystem: .conda, build: r.build, filename: r.filename,
                                                url: r.url, source: r.channelLocation, sha256: r.sha256, md5: r.md5, size: r.size, platform: r.subdir,
                                                dependencies: r.depends, extras: [], requestedBy: by, requestOrigins: origins[id] ?? [], license: r.license))
            case .pypi(let c)?:
                let tags = c.file.wheel.map { "\($0.pythonTags.joined(separator: "."))-\($0.abiTags.joined(separator: "."))-\($0.platformTags.joined(separator: "."))" }
                let deps = universe.requirements(of: c, extra: nil).map(\.description)
                packages.append(ResolvedPackage(name: c.file.project.value, version: c.version.normalized, ecosystem: .pypi, build: nil,
                                                filename: c.file.filename, url: c.file.url, source: c.index.location, sha256: c.file.sha256, md5: nil,
                                                size: c.file.size, platform: tags, dependencies: deps, extras: (extrasOf[id] ?? []).sorted(),
                                                requestedBy: by, requestOrigins: origins[id] ?? [], license: c.metadata.licenseExpression ?? c.metadata.license))
            default:
                continue
            }
        }
        let order = packages.indices.sorted { (packages[$0].ecosystem, packages[$0].name) < (packages[$1].ecosystem, packages[$1].name) }
        packages = order.map { packages[$0] }
        return Resolution(python: request.target.python, mode: request.mode, packages: packages)
    }

    /// An extra's solvable stands for its base wheel in the output.
    private func baseOf(_ id: Id) -> Id {
        if case .extra(let c, _)? = infos[id] {
            return pypiSolvables[c.file.project]?.first(where: {
                if case .pypi(let b)? = infos[$0] { return b.file == c.file }
                return false
            }) ?? id
        }
        return id
    }

    private func requiresOf(_ id: Id) -> [Id] { pool.requires(of: id) }

    private func unique(_ items: [String]) -> [String] {
        var seen = Set<String>()
        return items.filter { seen.insert($0).inserted }
    }
}
