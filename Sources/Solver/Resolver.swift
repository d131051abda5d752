// Request → libsolv pool → resolution or explanation (DESIGN.md "Solving with libsolv").
//
// Solvables: one per conda build (`conda:<name>`), compatible wheel or, where a release has
// none and building is allowed, sdist (`pypi:<project>`), extra of
// a wheel (`pypi:<project>[<extra>]`, requiring the same release plus the extra's requirements)
// and virtual package (`virtual:__glibc`). Rank within a name: conda — version, no
// track_features, build number, timestamp; PyPI — version, then wheel-tag preference.
// Dependencies: each distinct string is one id whose providers our own matchers compute.
// conda `constrains` become conflicts with the builds they exclude. In conda mode a pip
// requirement is also met by a conda build of the same project (a matching version), and a
// wheel conflicts with every conda build of its project. The PyPI repo has the higher
// priority, so pip requirements go to wheels unless conda installs the project anyway.

import Basics
import CLibsolv
import Channels
import FoundationEssentials
import Requests
import Specs

public struct Resolver: Sendable {
    public let channels: ChannelSet
    /// Parsed specs and conda matches, shared by every solve of this resolver (they depend on
    /// the channels only): resolving many models with one resolver parses each once.
    private let caches = SolveCaches()

    /// `provenConflictReleaseLimit`, set lower by tests.
    var releasesLeftOutLimit = Resolver.provenConflictReleaseLimit

    public init(channels: ChannelSet) { self.channels = channels }

    /// Test hook (`@testable`): the version limits of this resolver's latest attempts.
    var attemptedLimits: [String] { caches.attempts }
    /// Test hook (`@testable`): how many libsolv pools this resolver's attempts built.
    var poolsBuilt: Int { caches.pools }

    public func solve(_ request: SolveRequest, debugDirectory: String? = nil) throws(SolveError) -> SolveOutcome {
        for r in request.pip where r.requirement.url != nil {
            throw SolveError(
                "\(r.origin): '\(r.text)' is a direct URL requirement; mlenv resolves from mirrors only. Put the file in a local index (`mlenv mirror`) and require it by name",
                kind: .badInput)
        }
        if request.mode == .conda {
            do { try channels.loadCondaChannels() } catch { throw SolveError(error.message, kind: .badInput) }
        }
        if request.mode == .conda && channels.condaRecords(named: "python").isEmpty {
            throw SolveError("the conda channels have no python package; add a channel that has one (--channel)")
        }
        // Wheels first, as pip's --prefer-binary: an sdist is read (PKG-INFO, or its build
        // backend) only for a project the solve cannot satisfy from wheels, and then again for
        // the sdist-only projects those bring, until the answer no longer changes.
        var buildable = Set<NormalizedName>()
        var outcome: SolveOutcome
        var rounds = 0
        repeat {
            let (answer, sdistOnly) = try solve(request, debugDirectory: debugDirectory, buildable: buildable)
            outcome = answer
            guard case .unsatisfiable = answer, channels.sdists != nil else { break }
            let more = sdistOnly.subtracting(buildable).filter { channels.sdists?.allowsBuilding($0) == true }
            if more.isEmpty { break }
            buildable.formUnion(more)
            rounds += 1
        } while rounds < Resolver.maximumBuildRounds
        return outcome
    }

    /// Rounds of projects allowed to build from their sdists.
    static let maximumBuildRounds = 8

    /// One solve with `buildable` projects' sdist-only releases in the universe; with the
    /// projects whose admitted releases some sdist could still provide (for the next round).
    private func solve(_ request: SolveRequest, debugDirectory: String?, buildable: Set<NormalizedName>)
        throws(SolveError) -> (SolveOutcome, Set<NormalizedName>)
    {
        // First the newest few releases each requirement admits: most environments resolve
        // there, and reading every release's metadata is most of a solve's time. The newest
        // candidates of every requirement are in that universe, so a solution found there is
        // the one the whole universe gives. Without one (a conflict may need older releases),
        // the universe widens, newest first: every project to 8, then 32 releases; beyond, only
        // the projects in the conflict, the others staying at their newest few. With every
        // release on a mirror (2,300 of botocore) the whole universe is tens of thousands of
        // wheels, and an unpinned mlflow in an old environment needs only mlflow's own older
        // releases.
        // Only a conflict among projects whose admitted releases are all loaded proves there is
        // no solution; the whole universe then gives the complete explanation, unless it is
        // much larger than what was loaded (then the proven conflicts are reported, saying so).
        let remote = channels.pypiIndexes.contains(where: \.isRemote)
        var last: Attempt?
        // The attempts of the widening sequence share one universe, widened in place (a probe,
        // whose request differs, gets its own).
        var grown: Universe?
        // The pool of the latest attempt on `grown`: a probe whose requirement brings no
        // release in solves on it (the pool it would build is the same) with its own jobs.
        var grownPool: PoolBuilder?
        // A probe's universe is that one with the probe's requirement added, on a copy.
        func attempt(
            _ request: SolveRequest, limits: VersionLimits, debugDirectory: String?, everyBuild: Bool, remote: Bool,
            probe: PipRequest? = nil
        ) throws(SolveError) -> Attempt {
            var made: Universe?
            var reusable: PoolBuilder?
            // A widening builds a pool of its own: the latest one is let go first.
            if probe == nil { grownPool = nil }
            do {
                if let grown, probe == nil {
                    try grown.widen(to: limits)
                    made = grown
                } else if let grown, let probe, grown.limits == limits {
                    made = try grown.adding([probe])
                    if let made, let pool = grownPool, made.hasTheCandidates(of: grown) { reusable = pool }
                }
                if made == nil {
                    var full = request
                    if let probe { full.pip.append(probe) }
                    let built = Universe(
                        channels: channels, request: full, limits: limits, histories: caches.histories,
                        buildable: buildable)
                    // The first attempt may answer from the requested projects alone.
                    built.stopsAtUnprovidedRequest = probe == nil && grown == nil && limits.base != nil
                    try built.build()
                    if probe == nil { grown = built }
                    made = built
                }
            } catch {
                throw SolveError(error.message, kind: .badInput)
            }
            // Where the requested projects alone cannot answer (see `attempt`), the universe is
            // built whole (the pages read and judged stay with the channels and histories).
            func whole() throws(SolveError) -> Universe {
                let universe = Universe(
                    channels: channels, request: request, limits: limits, histories: caches.histories,
                    buildable: buildable)
                do { try universe.build() } catch { throw SolveError(error.message, kind: .badInput) }
                grown = universe
                return universe
            }
            var universe = made!
            if universe.stoppedEarly && !remote && universe.releasesNotLoaded.releases <= releasesLeftOutLimit {
                universe = try whole()
            }
            var tried = try self.attempt(
                universe, reusing: reusable, debugDirectory: debugDirectory, everyBuild: everyBuild, remote: remote,
                reported: probe == nil)
            if universe.stoppedEarly && tried.answer == nil {
                universe = try whole()
                tried = try self.attempt(
                    universe, debugDirectory: debugDirectory, everyBuild: everyBuild, remote: remote, reported: true)
            }
            if probe == nil { grownPool = universe === grown ? tried.builder : nil }
            last = tried
            return tried
        }
        // The universe that gave a failure says which projects an sdist could still provide.
        func done(_ outcome: SolveOutcome) -> (SolveOutcome, Set<NormalizedName>) {
            guard case .unsatisfiable = outcome, let sdistOnly = last?.sdistOnly else { return (outcome, []) }
            return (outcome, sdistOnly())
        }
        // The first attempt again, past the releases the request's exact pins rule out (see
        // `PinnedVersions`): an old environment's pins (numpy==1.19.5, sqlalchemy==1.3.24) rule
        // out every recent release of what it leaves unpinned, so the newest few of each do not
        // meet them however far the sequence below widens, and going back release by release
        // takes it through universes of thousands of wheels. Tried when the first attempt's
        // conflict involves a project the pins decide or constrain (the requirements of a
        // pinned release, from the first attempt); its solution is one of the whole universe's
        // (a release the pins rule out is in none), and a failure says nothing: the sequence
        // goes on. Not after a problem no universe changes (a request nothing provides).
        func pinnedAttempt(after first: Attempt) throws(SolveError) -> SolveOutcome? {
            guard first.versionConflict, !first.hasCertainProblem, let loaded = first.builder?.universe,
                let pins = PinnedVersions(request, loaded: loaded),
                first.conflictProjects?.isDisjoint(with: pins.projects) == false
            else { return nil }
            let universe = Universe(
                channels: channels, request: request, limits: VersionLimits(base: Resolver.firstVersionLimit),
                histories: caches.histories, buildable: buildable, pinRule: pins)
            do { try universe.build() } catch { throw SolveError(error.message, kind: .badInput) }
            let tried = try self.attempt(
                universe, debugDirectory: nil, everyBuild: false, remote: remote, reported: false)
            if case .resolved? = tried.answer { return tried.answer }
            return nil
        }
        if debugDirectory == nil {
            var limits = VersionLimits(base: Resolver.firstVersionLimit)
            let requested = Set(request.pip.map(\.requirement.normalizedName))
            var settled = Set<String>()
            var probeWidenings = 0
            var first = true
            widening: for _ in 0..<Resolver.maximumWidenings {
                let tried = try attempt(request, limits: limits, debugDirectory: nil, everyBuild: false, remote: remote)
                defer { first = false }
                if let answer = tried.answer {
                    // Beyond the shared limits a solution may have taken an older release of
                    // something the model asks for only because a dependency's older releases
                    // (which the whole universe has) are not loaded yet. Each such request is
                    // probed: the same universe with only its newer releases. A solution there
                    // is the answer; a conflict among fully loaded projects proves the older
                    // release is needed; else the conflict's projects widen and all is redone.
                    guard limits.base! >= Resolver.sharedVersionLimit, probeWidenings < Resolver.maximumProbeWidenings
                    else { return done(answer) }
                    for older in tried.olderThanNewest where !settled.contains(older.key) {
                        guard let newer = try? Requirement(parsing: "\(older.name.value)>\(older.version.normalized)")
                        else { continue }
                        let probe = PipRequest(
                            requirement: newer, text: newer.description,
                            origin: Origin("newer-release probe", isModel: false),
                            isConstraint: true)
                        let probed = try attempt(
                            request, limits: limits, debugDirectory: nil, everyBuild: false, remote: false, probe: probe
                        )
                        if case .resolved? = probed.answer { return done(probed.answer!) }
                        guard let widen = probed.conflictProjects?.intersection(probed.truncatedProjects),
                            !widen.isEmpty
                        else {
                            settled.insert(older.key)
                            continue
                        }
                        limits.widen(widen, requested: requested, by: Resolver.widening)
                        probeWidenings += 1
                        continue widening
                    }
                    return done(answer)
                }
                // A conda-only problem (no wheel, no pip requirement in it) stays in every wider
                // universe, and so does a universe that left nothing out.
                if tried.condaOnlyProblem || !tried.truncated { break }
                let widen = tried.conflictProjects?.intersection(tried.truncatedProjects)
                if widen?.isEmpty == true {
                    if let proven = tried.proven { return done(proven()) }
                    break
                }
                if first, let answer = try pinnedAttempt(after: tried) { return done(answer) }
                // Problems of requirements nothing provides only (every admitted release of a
                // request needs what no source has): only older releases of the projects in
                // them that the limits cut can change that, so only those widen, and far.
                if !tried.versionConflict, let widen {
                    limits.widen(widen, requested: [], by: Resolver.widening * Resolver.widening * Resolver.widening)
                    continue
                }
                // Every project widens first (2 → 8 → 32 releases): on a mirror thinned to the
                // releases people use, that is most of the whole universe, and the answer is the
                // whole universe's. Beyond, only the projects in the conflict do.
                if limits.base! < Resolver.sharedVersionLimit {
                    limits = VersionLimits(base: limits.base! * Resolver.widening)
                    continue
                }
                guard let widen else { break }
                limits.widen(widen, requested: requested, by: Resolver.widening)
            }
        }
        return done(
            try attempt(request, limits: .whole, debugDirectory: debugDirectory, everyBuild: true, remote: remote)
                .answer!)
    }

    /// Releases per requirement in the first attempt.
    public static let firstVersionLimit = 2
    /// How much the limits widen per attempt.
    static let widening = 4
    /// The limit up to which every project widens (beyond, the projects in a conflict only).
    static let sharedVersionLimit = 32
    /// Widenings a newer-release probe may ask for before a solution is taken as it is: a
    /// conflict libsolv proves through every alternative (each boto3 an old mlflow could
    /// use) would otherwise widen toward the whole universe, which is what this avoids.
    static let maximumProbeWidenings = 2
    /// Attempts before the whole universe (2 → 8 → 32 → 128 → 512 releases, and then some).
    static let maximumWidenings = 12
    /// Releases left out (of the projects the limits cut) beyond which a proven conflict is
    /// reported from the releases loaded rather than from the whole universe: a mirror with
    /// every release (4,500-15,000 left out for the shared models that conflict), not a thinned
    /// snapshot (at most 3,519 on the embedded one), where the whole universe costs little.
    static let provenConflictReleaseLimit = 4_000

    /// Equivalent conda builds are one solvable (CondaCandidates), which gives the same solution
    /// as the whole pool. An explanation, though, quotes whichever rules libsolv meets first, and
    /// those can differ with the pool; the last attempt (the one that explains) keeps every build
    /// while libsolv's same-name rules for them stay this few (a pair per two builds of a name:
    /// conda-forge-snapshot size), and merges beyond, where keeping them would cost minutes and
    /// gigabytes.
    static let everyBuildPairLimit = 4_000_000

    /// What one attempt found: the answer when it is final, and else what decides how to widen.
    private struct Attempt {
        /// The outcome to report: a resolution; any outcome of the whole universe; and from a
        /// limited one, the verdicts a larger universe cannot change (see `attempt`).
        var answer: SolveOutcome?
        var truncatedProjects: Set<NormalizedName> = []
        var truncated: Bool { !truncatedProjects.isEmpty }
        var condaOnlyProblem = false
        /// The PyPI projects the problems involve (nil: some rule of unknown meaning).
        var conflictProjects: Set<NormalizedName>?
        /// Some problem has a rule between releases (a requirement, a conflict, one release
        /// per project), not only requests and requirements nothing provides.
        var versionConflict = false
        /// Some problem stays in every wider universe (see `attempt`): no universe resolves.
        var hasCertainProblem = false
        /// When the universe left out many releases: the explanation of these problems,
        /// reported if none of them involves a project the limits cut (made when asked).
        var proven: (() -> SolveOutcome)?
        /// Requested projects the solution installs at an older release than the newest the
        /// request admits in this universe (PyPI only), in request order.
        var olderThanNewest: [(name: NormalizedName, version: PEP440Version, key: String)] = []
        /// After a failure: projects with admitted releases only an sdist (one that can be
        /// read) provides (made when asked).
        var sdistOnly: (() -> Set<NormalizedName>)?
        /// The pool it solved on.
        var builder: PoolBuilder?
    }

    /// One solve. A limited universe's failure is an answer when every problem is a request
    /// nothing provides (other than a request for an extra: the newest releases may lack an
    /// extra an older one has), or a request whose every provider requires what nothing
    /// provides, among projects the limits did not cut: the limit only trims among the
    /// installable releases a request admits, never to none, and the rest of the request has a
    /// solution there, which is one in the whole universe too. Against a remote index a failure with some such request is the
    /// answer too (said with what was not explored): the whole universe there is every
    /// release's metadata over the network (minutes for an unpinned boto3). Explanations are
    /// built only for outcomes that may be reported (`reported`: a probe's failure never is).
    /// `reusing`: the pool of an attempt on a universe with the same candidates (only the
    /// request differs), solved again with this universe's jobs instead of built again.
    private func attempt(
        _ universe: Universe, reusing: PoolBuilder? = nil, debugDirectory: String?, everyBuild: Bool, remote: Bool,
        reported: Bool = true
    ) throws(SolveError) -> Attempt {
        let limits = universe.limits
        // A universe of the requested projects only counts as an attempt when it answers.
        if !universe.stoppedEarly { caches.noteAttempt(limits) }
        let builder: PoolBuilder
        if let reusing {
            reusing.universe = universe
            builder = reusing
        } else {
            let pairs = universe.conda.values.reduce(0) { $0 + $1.count * $1.count }
            builder = PoolBuilder(
                universe: universe, caches: caches,
                mergeEquivalentBuilds: !(everyBuild && pairs <= Resolver.everyBuildPairLimit))
            builder.build()
            caches.notePool()
        }
        if ProcessInfo.processInfo.environment["MLENV_DEBUG_SOLVE"] != nil {
            let files = universe.pypi.values.reduce(0) { $0 + $1.count }
            let releases = universe.pypi.values.reduce(0) { $0 + Set($1.map(\.version)).count }
            StandardStreams.writeError(
                "attempt: limit \(limits.description), \(universe.pypi.count) projects, \(files) wheels of \(releases) releases, \(universe.conda.values.reduce(0) { $0 + $1.count }) conda builds (\(builder.mergedCondaBuilds) merged as equivalent)\(universe.truncated ? ", releases of \(universe.truncatedProjects.count) projects left out" : "")\n"
            )
        }
        let jobs = builder.jobs()
        if let debugDirectory { _ = builder.pool.writeTestcase(jobs.map(\.job), directory: debugDirectory) }
        let outcome = builder.pool.solve(jobs.map(\.job))
        var result = Attempt(truncatedProjects: universe.truncatedProjects, builder: builder)
        if outcome.problems.isEmpty {
            result.answer = .resolved(builder.resolution(installed: outcome.installed, jobs: jobs))
            if limits.base != nil {
                result.olderThanNewest = builder.olderThanNewest(installed: outcome.installed, jobs: jobs)
            }
            return result
        }
        if channels.sdists != nil {
            // Only the projects the problems are about: building is the remedy of last resort,
            // and an old universe holds many projects with sdist-only releases nobody needs.
            let problems = outcome.problems
            result.sdistOnly = {
                var involved = Set<NormalizedName>()
                for rule in problems.joined() { involved.formUnion(builder.pypiProjects(of: rule) ?? []) }
                return universe.projectsWithReadableSdistOnlyReleases(among: involved)
            }
        }
        let explainer = ExplanationBuilder(builder: builder, jobs: jobs)
        let explain = { (problems: [[SolvPool.RuleInfo]]) in
            reported ? explainer.explain(problems) : Explanation(steps: [], hints: [])
        }
        if limits.base == nil {
            result.answer = .unsatisfiable(explainer.explain(outcome.problems))
            return result
        }
        func unprovidedRequest(_ rule: SolvPool.RuleInfo) -> Bool {
            rule.kind == .jobNothingProvides && !builder.extraDeps.contains(rule.dep)
        }
        if ProcessInfo.processInfo.environment["MLENV_DEBUG_SOLVE"] != nil {
            for problem in outcome.problems {
                let rules = problem.map { rule in
                    "\(rule.kind) "
                        + (builder.pypiProjects(of: rule).map { $0.map(\.value).sorted().joined(separator: ",") } ?? "?")
                }
                StandardStreams.writeError("problem: \(rules.joined(separator: "; "))\n")
            }
        }
        let unprovidedProblems = outcome.problems.filter { $0.contains(where: unprovidedRequest) }
        let leftOut = universe.releasesLeftOut
        func onlyMissingShown(releasesLeftOut: Int, projects: Int) -> SolveOutcome {
            let partial = explain(unprovidedProblems)
            return .unsatisfiable(
                Explanation(
                    steps: partial.steps,
                    hints: partial.hintItems + [
                        .onlyMissingShown(remote: remote, releasesLeftOut: releasesLeftOut, projects: projects)
                    ], cause: .missing))
        }
        // A universe of the requested projects only (`Universe.stopsAtUnprovidedRequest`):
        // its requests nothing provides are the answer against a remote index, or on a mirror
        // where the requested projects alone leave out more releases than the whole universe is
        // worth loading for (see below); nothing else may be read from it.
        if universe.stoppedEarly {
            let notLoaded = universe.releasesNotLoaded
            if !unprovidedProblems.isEmpty && (remote || notLoaded.releases > releasesLeftOutLimit) {
                caches.noteAttempt(limits)
                result.answer = onlyMissingShown(releasesLeftOut: notLoaded.releases, projects: notLoaded.projects)
            }
            return result
        }
        // A problem no wider universe changes: a request nothing provides, or a request whose
        // every provider requires what nothing provides, among projects whose admitted releases
        // are all loaded (the request's providers and the missing requirement's are then the
        // same in every universe, and libsolv meets them as the same assertions). When every
        // problem is such, the rest of the request solves here, so in the whole universe too.
        func certain(_ problem: [SolvPool.RuleInfo]) -> Bool {
            if problem.allSatisfy(unprovidedRequest) { return true }
            let requests = problem.filter { $0.kind == .job }
            // An install request (a constraint's job forbids: it installs nothing).
            guard requests.count == 1, jobs.contains(where: { $0.dep == requests[0].dep }),
                !builder.extraDeps.contains(requests[0].dep),
                problem.allSatisfy({ $0.kind == .job || $0.kind == .nothingProvides })
            else { return false }
            var projects = Set<NormalizedName>()
            for rule in problem {
                guard let named = builder.pypiProjects(of: rule) else { return false }
                projects.formUnion(named)
            }
            return projects.isDisjoint(with: universe.truncatedProjects)
        }
        let certainProblems = outcome.problems.filter(certain)
        result.hasCertainProblem = !certainProblems.isEmpty
        if certainProblems.count == outcome.problems.count {
            result.answer = .unsatisfiable(explain(outcome.problems))
            return result
        }
        // On a local mirror with every release the whole universe costs seconds too.
        if (remote || leftOut > releasesLeftOutLimit) && !unprovidedProblems.isEmpty {
            result.answer = onlyMissingShown(releasesLeftOut: leftOut, projects: universe.truncatedProjects.count)
            return result
        }
        // The same for problems no wider universe changes (a pinned release requiring what
        // nothing provides): they are reported, saying others may show once they are fixed,
        // instead of widening toward the whole universe to prove the rest has no other problem.
        if reported && (remote || leftOut > releasesLeftOutLimit) && result.hasCertainProblem {
            let explanation = explain(certainProblems)
            result.answer = .unsatisfiable(
                Explanation(
                    steps: explanation.steps,
                    hints: explanation.hintItems + [
                        .conflictsProven(releasesLeftOut: leftOut, projects: universe.truncatedProjects.count)
                    ], cause: explanation.cause))
            return result
        }
        result.condaOnlyProblem = outcome.problems.contains { $0.allSatisfy(builder.isCondaOnly) }
        var conflict: Set<NormalizedName>? = []
        for rule in outcome.problems.joined() {
            guard let projects = builder.pypiProjects(of: rule) else {
                if ProcessInfo.processInfo.environment["MLENV_DEBUG_SOLVE"] != nil {
                    StandardStreams.writeError("unattributed rule: \(rule)\n")
                }
                conflict = nil
                break
            }
            conflict?.formUnion(projects)
        }
        result.conflictProjects = conflict
        result.versionConflict = outcome.problems.joined().contains { rule in
            switch rule.kind {
            case .job, .jobNothingProvides, .nothingProvides: return false
            default: return true
            }
        }
        if let conflict, conflict.isDisjoint(with: universe.truncatedProjects),
            leftOut > releasesLeftOutLimit
        {
            let problems = outcome.problems
            let projects = universe.truncatedProjects.count
            result.proven = {
                let explanation = explainer.explain(problems)
                return .unsatisfiable(
                    Explanation(
                        steps: explanation.steps,
                        hints: explanation.hintItems + [
                            .conflictsProven(releasesLeftOut: leftOut, projects: projects)
                        ], cause: explanation.cause))
            }
        }
        return result
    }
}

/// Parsed specs, shared by the solves of one resolver.
final class SolveCaches: Sendable {
    /// Release histories of the PyPI projects met (see ProjectHistory).
    let histories = ProjectHistories()

    private struct State {
        var matchSpecs: [String: MatchSpec?] = [:]
        /// Test hook: the limits of the latest attempts, oldest first ("2", "8", …, "none" for the
        /// whole universe), so a test can see a limited universe widen. The last 32 only.
        var attemptLimits: [String] = []
        /// Test hook: pools built (an attempt may solve on the pool of the one before it).
        var poolCount = 0
    }
    private let state = Locked(State())

    func matchSpec(_ text: String) -> MatchSpec? {
        state.withLock { state in
            if let cached = state.matchSpecs[text] { return cached }
            let spec = try? MatchSpec(parsing: text)
            state.matchSpecs[text] = spec
            return spec
        }
    }

    func noteAttempt(_ limits: VersionLimits) {
        state.withLock { state in
            if state.attemptLimits.count == 32 { state.attemptLimits.removeFirst() }
            state.attemptLimits.append(limits.description)
        }
    }

    var attempts: [String] {
        state.withLock { $0.attemptLimits }
    }

    func notePool() { state.withLock { $0.poolCount += 1 } }

    var pools: Int { state.withLock { $0.poolCount } }
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
    /// The universe the pool was built from, or one with the same candidates and another
    /// request (a probe solving on this pool: `Resolver.attempt(_:reusing:…)`).
    var universe: Universe
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
    /// Dependencies that are conda specs (depends, constrains, conda requests): conda providers only.
    private var condaDepIds = Set<Id>()
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
            let solvableName = records.isEmpty ? 0 : pool.string("conda:\(name)")
            for (i, record) in records.enumerated() {
                let id = pool.addSolvable(to: condaRepo, name: solvableName, rank: records.count - i)
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
            let candidates = universe.poolOrder(of: name)
            // Interned only for a name with solvables, as when each solvable interned it:
            // the pool's string ids come out the same.
            let solvableName = candidates.isEmpty ? 0 : pool.string("pypi:\(name.value)")
            let extras = (universe.extras[name] ?? []).sorted()
            var extraNames: [String: Id] = [:]
            for (i, candidate) in candidates.enumerated() {
                let rank = candidates.count - i
                let id = pool.addSolvable(to: pypiRepo, name: solvableName, rank: rank)
                infos[id] = .pypi(candidate)
                pypiSolvables[name, default: []].append(id)
                if extras.isEmpty { continue }
                let provided = Set(candidate.metadata.providesExtra.map { NormalizedName($0).value })
                for extra in extras where provided.contains(extra) {
                    let extraName =
                        extraNames[extra]
                        ?? {
                            let id = pool.string("pypi:\(name.value)[\(extra)]")
                            extraNames[extra] = id
                            return id
                        }()
                    let extraId = pool.addSolvable(to: pypiRepo, name: extraName, rank: rank)
                    infos[extraId] = .extra(candidate, extra: extra)
                    extraSolvables["\(name.value)[\(extra)]", default: []].append(extraId)
                }
            }
        }
        pool.finishLoading()

        // In id order, as the solvables went in (ids, not the table's entries, are sorted).
        for id in infos.keys.sorted() {
            switch infos[id]! {
            case .conda(let record):
                for dependency in record.depends { pool.addRequires(id, condaDep(dependency)) }
                for constraint in record.constrains { pool.addConflicts(id, condaConstraint(constraint)) }
            case .pypi(let candidate):
                for keys in universe.dependencyKeys(of: candidate, extra: nil) {
                    for dep in pypiDeps(keys) { pool.addRequires(id, dep) }
                }
                if request.mode == .conda, let conda = condaByPyPIName[candidate.file.project], !conda.isEmpty {
                    pool.addConflicts(
                        id,
                        dependency(
                            "conda-installs \(candidate.file.project.value)",
                            text: "\(candidate.file.project.value) (conda)"
                        ) { conda })
                }
            case .extra(let candidate, let extra):
                let project = candidate.file.project
                let sameRelease = dependency(
                    "pypi-release \(project.value)==\(candidate.version.normalized)",
                    text: "\(project.value)==\(candidate.version.normalized)"
                ) {
                    (self.pypiSolvables[project] ?? []).filter {
                        if case .pypi(let c)? = self.infos[$0] { return c.version == candidate.version }
                        return false
                    }
                }
                pool.addRequires(id, sameRelease)
                for keys in universe.dependencyKeys(of: candidate, extra: extra) {
                    for dep in pypiDeps(keys) { pool.addRequires(id, dep) }
                }
            case .virtual:
                break
            }
        }
    }

    /// Whether a rule involves conda builds, virtual packages and conda specs only: no wheel
    /// and no pip requirement (whose providers a wider PyPI universe could grow). Rules of
    /// unknown meaning count as not.
    func isCondaOnly(_ rule: SolvPool.RuleInfo) -> Bool {
        for solvable in rule.solvables {
            switch infos[solvable] {
            case .conda?, .virtual?: continue
            default: return false
            }
        }
        guard rule.dep != 0 else { return true }
        return condaDepIds.contains(rule.dep)
    }

    /// The requests (pip, not constraints) whose installed wheel is older than the newest
    /// release the request admits among its providers, with the installed version.
    func olderThanNewest(installed: [Id], jobs: [Job]) -> [(name: NormalizedName, version: PEP440Version, key: String)]
    {
        let installedSet = Set(installed)
        var found: [(name: NormalizedName, version: PEP440Version, key: String)] = []
        for job in jobs {
            guard let dep = job.dep, let subject = depSubject[dep], subject.ecosystem == "pypi",
                !extraDeps.contains(dep)
            else { continue }
            var newest: PEP440Version?
            var chosen: PEP440Version?
            for p in pool.providers(dep) {
                guard case .pypi(let c)? = infos[p] else {
                    newest = nil
                    chosen = nil
                    break
                }
                if newest.map({ c.version > $0 }) ?? true { newest = c.version }
                if installedSet.contains(p) { chosen = c.version }
            }
            guard let newest, let chosen, chosen < newest else { continue }
            let name = NormalizedName(subject.name)
            let key = "\(name.value)==\(chosen.normalized)"
            if !found.contains(where: { $0.key == key }) { found.append((name, chosen, key)) }
        }
        return found
    }

    /// The PyPI projects a rule involves (its wheels, and the project a pip requirement in it
    /// is about); nil for a rule mlenv cannot attribute (then every project may matter).
    func pypiProjects(of rule: SolvPool.RuleInfo) -> Set<NormalizedName>? {
        if case .other = rule.kind { return nil }
        var projects = Set<NormalizedName>()
        for solvable in rule.solvables {
            switch infos[solvable] {
            case .pypi(let c)?, .extra(let c, _)?: projects.insert(c.file.project)
            case .conda?, .virtual?: break
            case nil: return nil
            }
        }
        if rule.dep != 0 && !condaDepIds.contains(rule.dep) {
            // A pip requirement (by its subject); else a wheel's conflict with the conda builds
            // of its project or an extra's requirement of its own release (both about the
            // source's project), or a constraint's job (the requirement it restricts is in the
            // problem too).
            if let subject = depSubject[rule.dep], subject.ecosystem == "pypi" {
                projects.insert(NormalizedName(subject.name))
            } else if rule.kind != .job && projects.isEmpty {
                return nil
            }
        }
        return projects
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
        let id = dependency("conda " + text, text: text, subject: subject) {
            guard let spec = self.matchSpec(text) else { return [] }
            if spec.name.hasPrefix("__") {
                return (self.virtualSolvables[spec.name] ?? []).filter {
                    guard case .virtual(let v)? = self.infos[$0], let version = try? CondaVersion(parsing: v.version)
                    else { return false }
                    return spec.matches(name: v.name, version: version, build: v.build, buildNumber: 0)
                }
            }
            return self.conda.matching(spec, name: spec.name)
        }
        condaDepIds.insert(id)
        return id
    }

    /// A conda `constrains` entry as a conflict with every build of that name it excludes.
    private func condaConstraint(_ text: String) -> Id {
        let id = dependency("conda-constrains " + text, text: text) {
            guard let spec = self.matchSpec(text) else { return [] }
            return self.conda.excluded(by: spec, name: spec.name)
        }
        condaDepIds.insert(id)
        return id
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
    func pypiDeps(_ requirement: Requirement) -> [Id] { pypiDeps(Universe.DependencyKeys(requirement)) }

    func pypiDeps(_ keys: Universe.DependencyKeys) -> [Id] {
        // Known already: most requirements recur across a project's releases.
        if let base = depIds[keys.base.key], keys.extras.allSatisfy({ depIds[$0.key] != nil }) {
            return [base] + keys.extras.map { depIds[$0.key]! }
        }
        let requirement = keys.requirement
        let name = requirement.normalizedName
        let spec = requirement.specifier
        let subject = Subject(ecosystem: "pypi", name: name.value) { version in
            (try? PEP440Version(parsing: version)).map { spec.contains($0, prereleases: true) } ?? false
        }
        let base = dependency(keys.base.key, text: keys.base.text, subject: subject) {
            var providers = self.admittedWheels(of: name, by: spec, key: keys.base.key)
            if self.request.mode == .conda {
                providers += (self.condaByPyPIName[name] ?? []).filter {
                    guard case .conda(let r)? = self.infos[$0], let v = try? PEP440Version(parsing: r.versionText)
                    else { return false }
                    return spec.contains(v, prereleases: true)
                }
            }
            return providers
        }
        var deps = [base]
        for (extra, key, text) in keys.extras {
            let dep = dependency(key, text: text, subject: subject) {
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
    /// pip and uv apply it, does not.) Each version is matched once, however many wheels it
    /// has: with every release of a project (2,300 of botocore, each boto3 release naming its
    /// own botocore range) this runs for thousands of specifiers over thousands of versions.
    private func admitted(_ ids: [Id], by spec: SpecifierSet) -> [Id] {
        admittedPositions(ids, by: spec).map { ids[$0] }
    }

    /// `admitted` over a project's wheels (`key`: the dependency's), kept by the universe while
    /// the project's candidates stay the same: every attempt's pool asks again.
    private func admittedWheels(of name: NormalizedName, by spec: SpecifierSet, key: String) -> [Id] {
        let ids = pypiSolvables[name] ?? []
        return universe.admittedPositions(key, candidates: ids.count) { admittedPositions(ids, by: spec) }.map {
            ids[$0]
        }
    }

    /// Where in `ids` the candidates `admitted` gives are.
    private func admittedPositions(_ ids: [Id], by spec: SpecifierSet) -> [Int] {
        let runs = versionRuns(ids)
        var matching: [Int] = []
        var finalMatches = false
        for (i, version) in runs.versions.enumerated() {
            guard let version, spec.contains(version, prereleases: true) else { continue }
            matching.append(i)
            if !version.isPrerelease { finalMatches = true }
        }
        let keepPrereleases: Bool
        switch spec.effectivePrereleases {
        case true?: keepPrereleases = true
        case false?: keepPrereleases = false
        case nil: keepPrereleases = !finalMatches
        }
        var result: [Int] = []
        for i in matching where keepPrereleases || runs.versions[i]?.isPrerelease == false {
            result += runs.starts[i]..<(i + 1 < runs.starts.count ? runs.starts[i + 1] : ids.count)
        }
        return result
    }

    /// Solvables of one name, split where the version changes (they are in pool order, newest
    /// first, so a version's wheels are adjacent): the version of each run and where it starts.
    private struct VersionRuns {
        /// nil for a solvable that is no wheel (never admitted).
        var versions: [PEP440Version?] = []
        var starts: [Int] = []
    }
    /// By the first solvable of the list: each name's (and extra's) list is fixed once the pool
    /// is loaded, before any dependency is worked out.
    private var versionRunsByFirst: [Id: VersionRuns] = [:]

    private func versionRuns(_ ids: [Id]) -> VersionRuns {
        guard let first = ids.first else { return VersionRuns() }
        if let known = versionRunsByFirst[first], known.starts.last.map({ $0 < ids.count }) ?? false { return known }
        var runs = VersionRuns()
        for (i, id) in ids.enumerated() {
            var version: PEP440Version?
            if case .pypi(let c)? = infos[id] { version = c.version }
            if case .extra(let c, _)? = infos[id] { version = c.version }
            if runs.starts.isEmpty || version == nil || runs.versions.last! != version {
                runs.versions.append(version)
                runs.starts.append(i)
            }
        }
        versionRunsByFirst[first] = runs
        return runs
    }

    // MARK: Jobs

    func jobs() -> [Job] {
        var jobs: [Job] = []
        // The Python minor is fixed; the model's own python spec (when it has one) says more.
        if request.mode == .conda && !request.conda.contains(where: { $0.spec.name == "python" }) {
            let text = "python \(request.target.python.minorString).*"
            let dep = condaDep(text)
            jobs.append(
                Job(
                    job: .install(dep: dep), dep: dep, text: "python \(request.target.python.minorString)",
                    origin: request.pythonOrigin))
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
            if case .extra(let c, let extra)? = infos[id],
                let base = pypiSolvables[c.file.project]?.first(where: {
                    if case .pypi(let b)? = infos[$0] { return b.file == c.file }
                    return false
                })
            {
                extrasOf[base, default: []].append(extra)
            }
        }
        var packages: [ResolvedPackage] = []
        for id in installed {
            let by = unique(requestedBy[id] ?? [])
            switch infos[id] {
            case .conda(let r)?:
                packages.append(
                    ResolvedPackage(
                        name: r.name, version: r.versionText, ecosystem: .conda, build: r.build, filename: r.filename,
                        url: r.url, source: r.channelLocation, sha256: r.sha256, md5: r.md5, size: r.size,
                        platform: r.subdir,
                        dependencies: r.depends, extras: [], requestedBy: by, requestOrigins: origins[id] ?? [],
                        license: r.license))
            case .pypi(let c)?:
                let tags = c.file.wheel.map {
                    "\($0.pythonTags.joined(separator: "."))-\($0.abiTags.joined(separator: "."))-\($0.platformTags.joined(separator: "."))"
                }
                let deps = universe.requirements(of: c, extra: nil).map(\.description)
                packages.append(
                    ResolvedPackage(
                        name: c.file.project.value, version: c.version.normalized, ecosystem: .pypi, build: nil,
                        filename: c.file.filename, url: c.file.url, source: c.index.location,
                        sha256: c.file.sha256 ?? localDigest(c), md5: nil,
                        size: c.file.size, platform: tags, dependencies: deps, extras: (extrasOf[id] ?? []).sorted(),
                        requestedBy: by, requestOrigins: origins[id] ?? [],
                        license: c.metadata.licenseExpression ?? c.metadata.license,
                        isSource: c.file.isSdist))
            default:
                continue
            }
        }
        let order = packages.indices.sorted {
            (packages[$0].ecosystem, packages[$0].name) < (packages[$1].ecosystem, packages[$1].name)
        }
        packages = order.map { packages[$0] }
        return Resolution(python: request.target.python, mode: request.mode, packages: packages)
    }

    /// The SHA-256 of a file from a directory of wheels and sdists (which lists no hashes), so
    /// that its lock line can be checked as an index's would.
    private func localDigest(_ c: PyPICandidate) -> String? {
        guard case .flat = c.index.layout else { return nil }
        return try? ArtifactCache.digest(of: c.file.url, algorithm: .sha256, filename: c.file.filename)
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
