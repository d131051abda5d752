// The package universe of one solve: every conda build and compatible wheel that could take
// part, found by walking the requirements from the request outwards.
//
// conda: by name, through `depends` (strict channel priority from ChannelSet).
// PyPI: by project, through Requires-Dist whose marker holds for the target (with the extras
// asked of that project). Only versions some requirement on the project admits are loaded
// (their metadata read, their dependencies followed); a requirement found later that admits
// more versions loads those too. Wheels that do not install on the target and yanked files
// (unless pinned with ==/===) are left out before anything becomes a solvable, with the reason
// kept for explanations. A release with no wheel for the target is taken from its sdist when
// the channel set can read sdists (`ChannelSet.sdists`) and building the project is allowed
// (`--only-binary`): its dependencies come from PKG-INFO or the build backend.

import Basics
import Channels
import FoundationEssentials
import Requests
import Specs

/// A class, not a struct: candidates are copied into pools, solvable tables and orderings many
/// times per solve, and a struct this size costs a retain and release of every field per copy.
final class PyPICandidate: Hashable {
    let file: PyPIFile
    let version: PEP440Version
    let tagRank: Int
    let metadata: CoreMetadata
    let index: PyPIIndex

    init(file: PyPIFile, version: PEP440Version, tagRank: Int, metadata: CoreMetadata, index: PyPIIndex) {
        self.file = file
        self.version = version
        self.tagRank = tagRank
        self.metadata = metadata
        self.index = index
    }

    static func == (a: PyPICandidate, b: PyPICandidate) -> Bool { a.file == b.file }
    func hash(into hasher: inout Hasher) { hasher.combine(file) }
}

/// What a project offered that could not be used, to explain an empty provider set.
struct Unavailable {
    var sdistOnly: [String] = []
    var excluded: [(version: String, reason: Unavailability)] = []
    var missingMetadata: [String] = []
}

final class Universe {
    let channels: ChannelSet
    private(set) var request: SolveRequest

    private(set) var conda: [String: [Channels.CondaRecord]] = [:]
    /// The distinct dependency and constrains texts of those builds, by the name they are about.
    private(set) var condaSpecTexts: [String: [String]] = [:]
    private(set) var pypi: [NormalizedName: [PyPICandidate]] = [:]
    /// Extras asked of each project (normalised).
    private(set) var extras: [NormalizedName: Set<String>] = [:]
    /// Projects the index does not have at all.
    private(set) var unknownProjects: Set<NormalizedName> = []

    private var requirementsOn: [NormalizedName: Set<SpecifierSet>] = [:]
    private var unbounded: Set<NormalizedName> = []
    private var pinnedVersions: [NormalizedName: Set<PEP440Version>] = [:]
    /// Each project met so far, its files judged for the target as they are looked at.
    private var projects: [NormalizedName: ProjectFiles] = [:]
    /// Extras whose requirements have been followed for the candidates loaded so far.
    private var extrasFollowed: [NormalizedName: Set<String>] = [:]

    /// The newest releases per requirement to consider (raised by `widen(to:)`).
    private(set) var limits: VersionLimits
    /// Projects of which the limits left out a release some requirement admits: none means
    /// this universe is the whole one (wider limits would load nothing more).
    private(set) var truncatedProjects: Set<NormalizedName> = []
    var truncated: Bool { !truncatedProjects.isEmpty }

    /// What each project's release history says whatever the limits, shared by the universes
    /// of one resolver's attempts.
    private let histories: ProjectHistories

    /// Projects whose releases with only an sdist are taken from it (the rest: wheels only).
    let buildable: Set<NormalizedName>
    /// With limits: releases the request's exact pins rule out are left out and do not count
    /// toward a limit (see `PinnedVersions`); nil: every admitted release counts.
    let pinRule: PinnedVersions?

    init(
        channels: ChannelSet, request: SolveRequest, limits: VersionLimits = .whole,
        histories: ProjectHistories = ProjectHistories(),
        buildable: Set<NormalizedName> = [], pinRule: PinnedVersions? = nil
    ) {
        self.channels = channels
        self.request = request
        self.environment = request.target.markerEnvironment
        self.limits = limits
        self.histories = histories
        self.buildable = buildable
        self.pinRule = request.mode == .virtualenv ? pinRule : nil
    }

    let environment: MarkerEnvironment

    /// A copy that goes on independently (its own record of what each project loaded).
    private init(copying other: Universe) {
        channels = other.channels
        request = other.request
        environment = other.environment
        limits = other.limits
        histories = other.histories
        buildable = other.buildable
        pinRule = other.pinRule
        conda = other.conda
        condaSpecTexts = other.condaSpecTexts
        pypi = other.pypi
        extras = other.extras
        unknownProjects = other.unknownProjects
        requirementsOn = other.requirementsOn
        unbounded = other.unbounded
        pinnedVersions = other.pinnedVersions
        projects = other.projects.mapValues { $0.copy() }
        extrasFollowed = other.extrasFollowed
        truncatedProjects = other.truncatedProjects
        sortedPyPI = other.sortedPyPI
        dependencyKeysMemo = other.dependencyKeysMemo
        admittedMemo = other.admittedMemo
        markerResults = other.markerResults
    }

    /// This universe with pip requirements added to its request (none with a version pin,
    /// `==` or `===`), made from a copy of it: with the same limits, more requirements only
    /// add releases, so loading what the new ones bring from here reaches the set a universe
    /// built for the wider request would (see `widen(to:)`). nil for a requirement with a pin
    /// (a pin also admits yanked files, which the projects loaded already did not consider).
    func adding(_ requirements: [PipRequest]) throws(ChannelError) -> Universe? {
        guard
            requirements.allSatisfy({ r in
                r.requirement.url == nil
                    && !r.requirement.specifier.specifiers.contains { $0.op == .equal || $0.op == .arbitrary }
            })
        else { return nil }
        let copy = Universe(copying: self)
        copy.request.pip += requirements
        var work = Set<NormalizedName>()
        for r in requirements {
            if let marker = r.requirement.marker, (try? marker.evaluate(environment)) != true { continue }
            if copy.note(r.requirement, pinned: true) { work.insert(r.requirement.normalizedName) }
        }
        try copy.gatherPyPI(work)
        return copy
    }

    func build() throws(ChannelError) {
        if request.mode == .conda { try gatherConda() }
        try gatherPyPI()
    }

    // MARK: conda

    private func gatherConda() throws(ChannelError) {
        var queue: [(name: String, channel: String?)] = [("python", nil)]
        for r in request.conda { queue.append((r.spec.name, r.spec.channel)) }
        var seen = Set<String>()
        // Each distinct dependency or constrains text once: builds of a name share most of them.
        var seenTexts = Set<String>()
        var seenLists = Set<ListIdentity>()
        // What the queue holds is fetched ahead, side by side, for sharded channels (a no-op for
        // channels read whole); the walk itself keeps its order.
        let sharded = channels.hasShardedConda
        var prefetched = Set<String>()
        while let (name, channel) = queue.popLast() {
            guard !name.hasPrefix("__"), seen.insert(name).inserted else { continue }
            if sharded && !prefetched.contains(name) {
                let ahead = Set(
                    [name]
                        + queue.map(\.name).filter {
                            !$0.hasPrefix("__") && !seen.contains($0) && !prefetched.contains($0)
                        })
                prefetched.formUnion(ahead)
                try channels.prefetchConda(ahead.sorted())
            }
            var records = channels.condaRecords(named: name)
            if let channel, !records.contains(where: { $0.channel == channel }) {
                records += channels.condaRecords(named: name, channel: channel)
            }
            conda[name] = records
            for record in records {
                // Builds decoded from one channel share their lists: each list once.
                guard
                    seenLists.insert(ListIdentity(record.depends)).inserted
                        || seenLists.insert(ListIdentity(record.constrains)).inserted
                else { continue }
                for dependency in record.depends where seenTexts.insert(dependency).inserted {
                    let depName = MatchSpecCache.name(of: dependency)
                    condaSpecTexts[depName, default: []].append(dependency)
                    if !seen.contains(depName) { queue.append((depName, nil)) }
                }
                for constraint in record.constrains where seenTexts.insert(constraint).inserted {
                    condaSpecTexts[MatchSpecCache.name(of: constraint), default: []].append(constraint)
                }
            }
        }
    }

    /// An array's storage, to skip arrays already walked. The records (and so their arrays)
    /// live as long as the universe, so an address is not reused while it is in the set.
    private struct ListIdentity: Hashable {
        let address: UnsafeRawPointer?
        init(_ list: [String]) { address = list.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
    }

    // MARK: PyPI

    private func gatherPyPI() throws(ChannelError) {
        var work = Set<NormalizedName>()
        for r in request.pip {
            guard r.requirement.url == nil else { continue }
            if let marker = r.requirement.marker, (try? marker.evaluate(environment)) != true { continue }
            if note(r.requirement, pinned: true) { work.insert(r.requirement.normalizedName) }
        }
        // conda packages that are Python projects satisfy pip requirements on them, so their
        // pip dependencies must not be followed separately: nothing to do here.
        if stopsAtUnprovidedRequest && request.mode == .virtualenv && buildable.isEmpty && pinRule == nil {
            let unprovided = try unprovidedRequests(among: work)
            if !unprovided.isEmpty {
                try gatherPyPI(work, requestsOnly: unprovided)
                stoppedEarly = true
                return
            }
        }
        try gatherPyPI(work)
    }

    /// Set before `build()`: when some install request has no installable release at all, load
    /// only the requested projects, and read metadata only of the projects of those requests
    /// (the others get candidates without requirements, so that their requests are met). Against
    /// a remote index, or a mirror with many releases, such requests are the answer (see
    /// `Resolver.attempt`): neither what the other requests require nor their metadata is worth
    /// reading to say so.
    var stopsAtUnprovidedRequest = false
    /// Whether `build()` stopped so: the universe is not closed under requirements, and only
    /// its requests without a candidate may be reported from it.
    private(set) var stoppedEarly = false
    /// Projects made while looking for unprovided requests, for the round that loads them.
    private var prejudged: [NormalizedName: ProjectFiles] = [:]

    /// The projects of the install requests (not a constraint, no extra, marker true) that no
    /// installable release meets (a pre-release too: the solve's own test is never looser),
    /// from the project pages alone. A request met here may still lack a candidate (a wheel
    /// without metadata); one not met has none in any universe of these limits.
    private func unprovidedRequests(among names: Set<NormalizedName>) throws(ChannelError) -> Set<NormalizedName> {
        let channels = channels
        let histories = histories
        let pins = pinnedVersions
        let sorted = names.sorted()
        // Each project is used by this thread once the map returns.
        struct Made: @unchecked Sendable { let files: ProjectFiles }
        let read = { @Sendable (name: NormalizedName) -> Result<Made, ChannelError> in
            do throws(ChannelError) {
                return .success(
                    Made(
                        files: try Loading.projectFiles(
                            name, pins: pins[name] ?? [], buildable: false, channels: channels, histories: histories)))
            } catch {
                return .failure(error)
            }
        }
        let made = Universe.sideBySide(sorted, channels: channels, read)
        for (name, result) in zip(sorted, made) { prejudged[name] = try result.get().files }
        var unprovided = Set<NormalizedName>()
        for r in request.pip {
            let requirement = r.requirement
            guard !r.isConstraint, requirement.url == nil, requirement.extras.isEmpty,
                requirement.marker.map({ holds($0, extra: nil) }) ?? true,
                let project = prejudged[requirement.normalizedName]
            else { continue }
            let newest =
                requirement.specifier.isEmpty
                ? project.newestAnyVersion(1) : project.newest(1, admittedBy: requirement.specifier)
            if newest.isEmpty { unprovided.insert(requirement.normalizedName) }
        }
        return unprovided
    }

    /// Grows this universe to wider limits (each at least the current one), as if it had been
    /// built with them: the universe is the least set closed under "each requirement brings its
    /// newest `limit` releases", which only grows with the limits, so loading from the narrower
    /// one (every project whose limit changed again, then whatever their new releases require)
    /// reaches the same set. The wheels, metadata and requirements already loaded are kept, so
    /// a widening costs what it adds, not the whole universe again.
    func widen(to wider: VersionLimits) throws(ChannelError) {
        let old = limits
        limits = wider
        let work = Set(projects.keys.filter { old.limit(for: $0) != wider.limit(for: $0) })
        try gatherPyPI(work)
    }

    /// Loads `initial` and what they require, round by round. `requestsOnly`: only the one
    /// round, with metadata read only for these projects (see `stopsAtUnprovidedRequest`).
    private func gatherPyPI(_ initial: Set<NormalizedName>, requestsOnly: Set<NormalizedName>? = nil)
        throws(ChannelError)
    {
        var work = initial
        var deadKnown = pinRule?.dead.snapshot() ?? [:]
        var passes = 0
        while true {
            if work.isEmpty {
                // Requirements found dead rule out the releases that have them: the projects
                // with such a release walk again, past those (see `PinnedVersions`).
                guard let pinRule, passes < PinnedVersions.maximumPasses else { break }
                let dead = pinRule.dead.snapshot()
                let newly = Set(dead.keys.filter { dead[$0] != deadKnown[$0] })
                if newly.isEmpty { break }
                deadKnown = dead
                passes += 1
                work = Set(
                    pypi.filter { _, candidates in
                        candidates.contains { $0.metadata.requiresDist.contains { newly.contains($0.normalizedName) } }
                    }.keys)
                if work.isEmpty { break }
            }
            // Each round loads its projects side by side (reading pages, judging files and
            // reading metadata are most of a solve's time), then follows their requirements in
            // name order. A requirement a project of the same round adds to another loads what
            // it admits in the next round: the universe is the same whatever the order.
            let sdists = channels.sdists
            let round = work.sorted().map { name in
                Loading(
                    name: name, project: projects[name] ?? prejudged[name], pins: pinnedVersions[name] ?? [],
                    specs: requirementsOn[name] ?? [], anyVersion: unbounded.contains(name),
                    sdists: buildable.contains(name) && sdists?.allowsBuilding(name) == true ? sdists : nil,
                    pinRule: pinRule, readsMetadata: requestsOnly?.contains(name) ?? true)
            }
            prejudged = [:]
            work.removeAll()
            let channels = channels
            let limits = limits
            let histories = histories
            let load = { @Sendable (loading: Loading) -> Result<Loaded, ChannelError> in
                do throws(ChannelError) {
                    return .success(
                        try loading.load(
                            channels: channels, versionLimit: limits.limit(for: loading.name), histories: histories))
                } catch {
                    return .failure(error)
                }
            }
            let loaded = Universe.sideBySide(round, channels: channels, load)
            for result in loaded {
                for requirement in try commit(result.get()) where note(requirement, pinned: false) {
                    work.insert(requirement.normalizedName)
                }
            }
            if requestsOnly != nil { break }
        }
        // The metadata parsed while loading is kept for the next process.
        for index in channels.pypiIndexes { index.parsedMetadata?.save() }
    }

    /// `body` over `items` side by side. A remote index is waited on, not computed: many pages
    /// in flight at once, once something needs the network (a warm resolve finds pages and
    /// metadata in the HTTP cache, and more threads than cores would only contend).
    private static func sideBySide<T: Sendable, R: Sendable>(
        _ items: [T], channels: ChannelSet, _ body: @escaping @Sendable (T) -> R
    ) -> [R] {
        channels.pypiIndexes.contains(where: \.isRemote)
            ? Parallel.mapWaiting(items, jobs: fetchingThreads, waits: { channels.usedTheNetwork }, body)
            : Parallel.map(items, jobs: loadingThreads, body)
    }

    /// Threads that load a round's projects.
    static let loadingThreads = min(Parallel.processors, 4)
    /// Threads that load a round's projects from a remote index (each mostly waits).
    static let fetchingThreads = 16

    /// Records a requirement on a project; true when it may admit versions not loaded yet.
    private func note(_ requirement: Requirement, pinned: Bool) -> Bool {
        let name = requirement.normalizedName
        var changed = false
        let newExtras = Set(requirement.extras.map { NormalizedName($0).value })
        if !newExtras.isSubset(of: extras[name] ?? []) {
            extras[name, default: []].formUnion(newExtras)
            changed = true
        }
        if pinned {
            for s in requirement.specifier.specifiers where s.op == .equal || s.op == .arbitrary {
                if let v = s.version { pinnedVersions[name, default: []].insert(v) }
            }
        }
        if requirement.specifier.isEmpty {
            if unbounded.insert(name).inserted { changed = true }
        } else if requirementsOn[name, default: []].insert(requirement.specifier).inserted {
            changed = true
        }
        return changed || projects[name] == nil
    }

    /// Takes in what loading a project brought and returns the requirements of every newly
    /// loaded version (marker true for the target, base and requested extras).
    private func commit(_ loaded: Loaded) -> [Requirement] {
        let name = loaded.name
        if loaded.truncated { truncatedProjects.insert(name) } else { truncatedProjects.remove(name) }
        if projects[name] == nil {
            projects[name] = loaded.project
            if !loaded.project.isKnown { unknownProjects.insert(name) }
        }
        let newCandidates = loaded.candidates
        let earlier = pypi[name] ?? []
        pypi[name, default: []].append(contentsOf: newCandidates)
        if !newCandidates.isEmpty { sortedPyPI[name] = nil }

        // Requirements not followed yet: all of the new candidates' (base and every extra asked),
        // and the earlier candidates' for extras asked since they were loaded.
        let wanted = extras[name] ?? []
        let newExtras = wanted.subtracting(extrasFollowed[name] ?? [])
        extrasFollowed[name] = wanted
        var requirements: [Requirement] = []
        func follow(_ candidate: PyPICandidate, base: Bool, extras: Set<String>) {
            for requirement in candidate.metadata.requiresDist where requirement.url == nil {
                guard let marker = requirement.marker else {
                    if base { requirements.append(requirement) }
                    continue
                }
                if base && holds(marker, extra: nil) {
                    requirements.append(requirement)
                    continue
                }
                for extra in extras where holds(marker, extra: extra) {
                    requirements.append(requirement)
                    break
                }
            }
        }
        for candidate in newCandidates { follow(candidate, base: true, extras: wanted) }
        if !newExtras.isEmpty {
            for candidate in earlier { follow(candidate, base: false, extras: newExtras) }
        }
        return requirements
    }

    /// Whether this universe holds the candidates and extras of `other`, one it was copied
    /// from (`adding`): a copy only ever adds, so the same counts are the same lists, and a
    /// pool built from either is the same pool.
    func hasTheCandidates(of other: Universe) -> Bool {
        conda.count == other.conda.count && extras == other.extras && pypi.count == other.pypi.count
            && pypi.allSatisfy { name, candidates in other.pypi[name]?.count == candidates.count }
    }

    /// Releases of the truncated projects that no file was loaded from (admitted or not): how
    /// much the whole universe could add, as an order of magnitude.
    var releasesLeftOut: Int {
        truncatedProjects.reduce(0) { total, name in
            guard let project = projects[name] else { return total }
            return total
                + project.releaseIndices.count { r in !project.files(ofRelease: r).contains { project.seen[$0] } }
        }
    }

    /// Releases of the projects loaded so far that no file was loaded from (admitted or not),
    /// and how many projects they are of: for a universe of the requested projects only, what
    /// its requests alone left out.
    var releasesNotLoaded: (releases: Int, projects: Int) {
        var releases = 0
        var of = 0
        for project in projects.values {
            let count = project.releaseIndices.count { r in !project.files(ofRelease: r).contains { project.seen[$0] } }
            releases += count
            if count > 0 { of += 1 }
        }
        return (releases, of)
    }

    /// Every release of a project loaded so far with a wheel for the target (yanked ones left
    /// out, pre-releases too when there is a final release), whatever the requirements admit:
    /// what a hint offers instead of a missing version.
    func installableVersions(of name: NormalizedName) -> [String] {
        guard let project = projects[name] else { return [] }
        var versions = Set<PEP440Version>()
        for i in 0..<project.count {
            let candidate = project.candidate(i)
            guard case .wheel = candidate.verdict, candidate.file.yanked == nil, let v = candidate.file.version else {
                continue
            }
            versions.insert(v)
        }
        let finals = versions.filter { !$0.isPrerelease }
        return (finals.isEmpty ? versions : finals).map(\.normalized)
    }

    /// Why the files of the releases a project's requirements admit could not be used (nil for
    /// a project never met): sdists, files excluded for the target, yanked files, wheels
    /// without metadata.
    func unavailable(_ name: NormalizedName) -> Unavailable? {
        guard let project = projects[name] else { return nil }
        var info = project.loadInfo
        let specs = requirementsOn[name] ?? []
        let anyVersion = unbounded.contains(name)
        let pins = pinnedVersions[name] ?? []
        for r in anyVersion ? Array(project.releaseIndices) : project.releases(admittedByAnyOf: specs) {
            let version = project.version(ofRelease: r)
            for i in project.files(ofRelease: r) {
                let candidate = project.candidate(i)
                if case .wheel = candidate.verdict { continue }
                if let reason = candidate.file.yanked, !pins.contains(version) {
                    info.excluded.append((version.normalized, .yanked(reason: reason)))
                    continue
                }
                switch candidate.verdict {
                case .needsBuild:
                    // An sdist read for the solve is a candidate, or its failure is among the
                    // excluded; one never read is "sdist only".
                    if !project.sdistRead.contains(r) { info.sdistOnly.append(version.normalized) }
                case .excluded(let reason): info.excluded.append((version.normalized, reason))
                case .wheel: break
                }
            }
        }
        return info
    }

    /// Projects of which some release a requirement admits has no wheel for the target but an
    /// sdist that can be read (a remote index serves it; a local one holds it), not taken yet.
    func projectsWithReadableSdistOnlyReleases(among names: Set<NormalizedName>) -> Set<NormalizedName> {
        Set(
            names.filter { name in
                guard !buildable.contains(name), let project = projects[name] else { return false }
                let specs = requirementsOn[name] ?? []
                let anyVersion = unbounded.contains(name)
                return project.releaseIndices.contains { r in
                    let version = project.version(ofRelease: r)
                    guard anyVersion || specs.contains(where: { $0.contains(version, prereleases: true) }),
                        !project.hasWheel(r)
                    else { return false }
                    return project.files(ofRelease: r).contains { i in
                        let candidate = project.candidate(i)
                        return candidate.verdict == .needsBuild
                            && (candidate.index.isRemote || FileManager.default.fileExists(atPath: candidate.file.url))
                    }
                }
            })
    }

    /// The requirements of a candidate for its base install (`extra` nil) or for one extra only.
    func requirements(of candidate: PyPICandidate, extra: String?) -> [Requirement] {
        candidate.metadata.requiresDist.filter { requirement in
            guard requirement.url == nil else { return false }
            guard let marker = requirement.marker else { return extra == nil }
            let base = holds(marker, extra: nil)
            if extra == nil { return base }
            return !base && holds(marker, extra: extra)
        }
    }

    // MARK: What every pool of this universe asks again

    /// A project's candidates in pool order: newest first, then the better tag, then by file
    /// name. Kept until the project's candidates change (a widening adds some).
    func poolOrder(of name: NormalizedName) -> [PyPICandidate] {
        if let known = sortedPyPI[name] { return known }
        // Sort positions, not the (large) candidate values.
        let unsorted = pypi[name] ?? []
        let order = unsorted.indices.sorted { i, j in
            let a = unsorted[i]
            let b = unsorted[j]
            if a.version != b.version { return a.version > b.version }
            if a.tagRank != b.tagRank { return a.tagRank < b.tagRank }
            return a.file.filename < b.file.filename
        }
        let sorted = order.map { unsorted[$0] }
        sortedPyPI[name] = sorted
        return sorted
    }
    private var sortedPyPI: [NormalizedName: [PyPICandidate]] = [:]

    /// A requirement as the pool spells its dependencies: one key and text for the base, one
    /// per extra (see `PoolBuilder.pypiDeps`).
    struct DependencyKeys {
        let requirement: Requirement
        let base: (key: String, text: String)
        let extras: [(extra: String, key: String, text: String)]

        init(_ requirement: Requirement) {
            self.requirement = requirement
            let name = requirement.normalizedName.value
            let spec = requirement.specifier.description
            base = ("pypi \(name) \(spec)", "\(name)\(spec)")
            extras = requirement.extras.map { NormalizedName($0).value }.sorted().map { extra in
                (extra, "pypi \(name)[\(extra)] \(spec)", "\(name)[\(extra)]\(spec)")
            }
        }
    }

    /// `requirements(of:extra:)` with each requirement's dependency keys, worked out once per
    /// candidate: every attempt's pool asks them again of the same thousands of wheels.
    func dependencyKeys(of candidate: PyPICandidate, extra: String?) -> [DependencyKeys] {
        let key = CandidateQuestion(candidate: ObjectIdentifier(candidate), extra: extra)
        if let known = dependencyKeysMemo[key] { return known }
        let keys = requirements(of: candidate, extra: extra).map(DependencyKeys.init)
        dependencyKeysMemo[key] = keys
        return keys
    }
    /// Which of a project's candidates (positions in pool order) a dependency admits, worked
    /// out by `compute` unless known for the same candidates (`candidates`: how many there
    /// were; a universe only ever adds candidates).
    func admittedPositions(_ key: String, candidates: Int, compute: () -> [Int]) -> [Int] {
        if let known = admittedMemo[key], known.candidates == candidates { return known.positions }
        let positions = compute()
        admittedMemo[key] = (candidates, positions)
        return positions
    }
    private var admittedMemo: [String: (candidates: Int, positions: [Int])] = [:]

    private struct CandidateQuestion: Hashable {
        let candidate: ObjectIdentifier
        let extra: String?
    }
    /// The candidates stay in `pypi` as long as the universe lives, so an identifier is not reused.
    private var dependencyKeysMemo: [CandidateQuestion: [DependencyKeys]] = [:]

    /// Marker evaluation for the target, cached: the same markers recur across releases.
    private struct MarkerQuestion: Hashable {
        let marker: String
        let extra: String?
    }
    private var markerResults: [MarkerQuestion: Bool] = [:]

    func holds(_ marker: Marker, extra: String?) -> Bool {
        let key = MarkerQuestion(marker: marker.sourceText, extra: extra)
        if let known = markerResults[key] { return known }
        var env = environment
        env.extra = extra
        let result = (try? marker.evaluate(env)) == true
        markerResults[key] = result
        return result
    }
}

/// How many of the newest releases each requirement on a project brings into a universe: one
/// limit for every project, raised for some; no limit for the whole universe.
struct VersionLimits: Equatable, Sendable {
    var base: Int?
    var raised: [NormalizedName: Int] = [:]

    static let whole = VersionLimits(base: nil)

    func limit(for name: NormalizedName) -> Int? {
        guard let base else { return nil }
        return max(base, raised[name] ?? base)
    }

    /// Raises the limits of `projects` by `factor`: only those the model does not ask for
    /// while there are any, so that what it asks for stays at its newest while a dependency in
    /// the conflict can still go back (as the whole universe's solve prefers: an mlflow pin is
    /// kept with an older alembic rather than the reverse).
    mutating func widen(_ projects: Set<NormalizedName>, requested: Set<NormalizedName>, by factor: Int) {
        let dependencies = projects.subtracting(requested)
        for name in dependencies.isEmpty ? projects : dependencies {
            raised[name] = (limit(for: name) ?? 0) * factor
        }
    }

    var description: String {
        guard let base else { return "none" }
        return raised.isEmpty
            ? "\(base)"
            : "\(base), raised for "
                + raised.sorted { $0.key < $1.key }.map { "\($0.key.value) to \($0.value)" }.joined(separator: ", ")
    }
}

/// Loading one project for a round of `Universe.gatherPyPI`: the versions its requirements
/// admit (with a limit, only the newest few each), as wheels that install, with their metadata.
/// Only wheels are loaded; why the other files of the admitted releases cannot be used is
/// worked out only if an explanation asks (`Universe.unavailable(_:)`). Loadings of different
/// projects run at once; each touches its own ProjectFiles and thread-safe channel caches only.
private struct Loading: @unchecked Sendable {
    let name: NormalizedName
    let project: ProjectFiles?
    let pins: Set<PEP440Version>
    let specs: Set<SpecifierSet>
    let anyVersion: Bool
    /// Reads sdists where a release has no wheel (nil: wheels only).
    let sdists: SdistMetadataReader?
    /// Releases it rules out are left out and do not count toward the limit.
    let pinRule: PinnedVersions?
    /// false: wheels are candidates without their metadata (no requirements followed).
    var readsMetadata = true

    func load(channels: ChannelSet, versionLimit: Int?, histories: ProjectHistories) throws(ChannelError) -> Loaded {
        let project: ProjectFiles
        if let known = self.project {
            project = known
        } else {
            project = try Loading.projectFiles(
                name, pins: pins, buildable: sdists != nil, channels: channels, histories: histories)
        }
        let releases: [Int]
        var truncated = false
        if let limit = versionLimit {
            // Each requirement brings only its newest `limit` installable releases. Asking for
            // one more says whether any was left out (pre-releases aside: they only make a
            // universe look truncated, which costs a wider attempt, never a wrong answer).
            var chosen = Set<Int>()
            var ruledOut: [Int: Bool] = [:]
            var dead: [SpecifierSet] = []
            func take(_ spec: SpecifierSet, _ newest: (Int) -> [[Int]]) throws(ChannelError) {
                guard let pinRule else {
                    let found = newest(limit + 1)
                    chosen.formUnion(found.prefix(limit).joined())
                    truncated = truncated || found.count > limit
                    return
                }
                // Walks on past the versions the pins rule out, as far as `limit` others.
                var asked = limit + 1
                while true {
                    let found = newest(asked)
                    var open: [[Int]] = []
                    for version in found {
                        let unknown = version.filter { ruledOut[$0] == nil }
                        if !unknown.isEmpty {
                            for (r, out) in try pinRule.rulesOut(releases: unknown, of: project, pins: pins) {
                                ruledOut[r] = out
                            }
                        }
                        if !version.allSatisfy({ ruledOut[$0] == true }) { open.append(version) }
                    }
                    if open.count > limit || found.count < asked || asked >= PinnedVersions.walkLimit {
                        chosen.formUnion(open.prefix(limit).joined())
                        truncated = truncated || open.count > limit || found.count == asked
                        if open.isEmpty && found.count < asked { dead.append(spec) }
                        return
                    }
                    asked = min(asked * 2, PinnedVersions.walkLimit)
                }
            }
            for spec in specs { try take(spec) { project.newest($0, admittedBy: spec) } }
            if anyVersion { try take(SpecifierSet()) { project.newestAnyVersion($0) } }
            if let pinRule, !dead.isEmpty { pinRule.dead.insert(name, dead) }
            releases = chosen.sorted()
        } else {
            releases = anyVersion ? Array(project.releaseIndices) : project.releases(admittedByAnyOf: specs)
        }
        var positions: [Int] = []
        for r in releases { positions += project.files(ofRelease: r).lazy.filter { !project.seen[$0] } }
        positions.sort()
        let judged = positions.map(project.candidate)
        let metadata = readsMetadata ? try Loading.metadata(of: judged.filter { $0.isUsableWheel(pins: pins) }) : [:]
        var candidates: [PyPICandidate] = []
        for (i, candidate) in zip(positions, judged) {
            guard case .wheel(let rank, _) = candidate.verdict else { continue }
            let version = candidate.file.version!
            project.seen[i] = true
            // Yanked files only for an exact pin of their version (PEP 592).
            if let reason = candidate.file.yanked, !pins.contains(version) {
                project.loadInfo.excluded.append((version.normalized, .yanked(reason: reason)))
                continue
            }
            guard
                let metadata = readsMetadata
                    ? metadata[candidate.file.url] ?? nil
                    : CoreMetadata.unread(name: name.value, version: version.normalized)
            else {
                project.loadInfo.missingMetadata.append(candidate.file.filename)
                continue
            }
            candidates.append(
                PyPICandidate(
                    file: candidate.file, version: version, tagRank: rank, metadata: metadata, index: candidate.index))
        }
        if let sdists {
            for r in releases where !project.sdistRead.contains(r) && !project.hasWheel(r) {
                if let candidate = try loadSdist(of: r, project: project, sdists: sdists) {
                    candidates.append(candidate)
                }
            }
        }
        return Loaded(name: name, project: project, candidates: candidates, truncated: truncated)
    }

    /// A project's files for the universes of one resolver (its release history shared).
    static func projectFiles(
        _ name: NormalizedName, pins: Set<PEP440Version>, buildable: Bool, channels: ChannelSet,
        histories: ProjectHistories
    ) throws(ChannelError) -> ProjectFiles {
        let judged = try channels.judgedProject(name, pinned: !pins.isEmpty)
        return ProjectFiles(
            judged,
            history: histories.history(
                of: name, pins: pins, releases: judged?.files.releases.count ?? 0, buildable: buildable))
    }

    /// The candidate of a release that has no wheel for the target, from its sdist (a `.tar.gz`
    /// before a `.zip`), or nil when it has none that can be read (its reason kept).
    private func loadSdist(of r: Int, project: ProjectFiles, sdists: SdistMetadataReader) throws(ChannelError)
        -> PyPICandidate?
    {
        let files = project.files(ofRelease: r).map(project.candidate).filter { $0.verdict == .needsBuild }
        guard let chosen = files.first(where: { $0.file.filename.lowercased().hasSuffix(".tar.gz") }) ?? files.first,
            let version = chosen.file.version
        else { return nil }
        project.sdistRead.insert(r)
        if let reason = chosen.file.yanked, !pins.contains(version) {
            project.loadInfo.excluded.append((version.normalized, .yanked(reason: reason)))
            return nil
        }
        let metadata: CoreMetadata?
        do { metadata = try sdists.metadata(for: chosen.file, index: chosen.index) } catch {
            project.loadInfo.excluded.append((version.normalized, .sdistUnreadable(message: error.message)))
            return nil
        }
        guard let metadata else {
            // No copy of the file to read (a mirror that lists it without keeping it).
            project.sdistRead.remove(r)
            return nil
        }
        return PyPICandidate(
            file: chosen.file, version: version, tagRank: Int(Int32.max), metadata: metadata, index: chosen.index)
    }
}

extension Loading {
    /// The metadata of the wheels about to be loaded, by file URL: each index asked once for
    /// its files (see `PyPIIndex.metadata(for:)`).
    static func metadata(of wheels: [Channels.PyPICandidate]) throws(ChannelError) -> [String: CoreMetadata?] {
        var byIndex: [ObjectIdentifier: [Channels.PyPICandidate]] = [:]
        var order: [ObjectIdentifier] = []
        for wheel in wheels {
            let id = ObjectIdentifier(wheel.index)
            if byIndex[id] == nil { order.append(id) }
            byIndex[id, default: []].append(wheel)
        }
        var found: [String: CoreMetadata?] = [:]
        for id in order {
            let group = byIndex[id]!
            for (wheel, metadata) in zip(group, try group[0].index.metadata(for: group.map(\.file))) {
                found[wheel.file.url] = metadata
            }
        }
        return found
    }
}

extension Channels.PyPICandidate {
    /// A wheel for the target, yanked only where its version is pinned exactly (PEP 592).
    func isUsableWheel(pins: Set<PEP440Version>) -> Bool {
        guard case .wheel = verdict else { return false }
        return !file.isYanked || file.version.map(pins.contains) == true
    }
}

private struct Loaded: @unchecked Sendable {
    let name: NormalizedName
    let project: ProjectFiles
    let candidates: [PyPICandidate]
    let truncated: Bool
}

/// One project in a universe: its releases newest first, each file judged only when looked at,
/// and which wheels have been loaded.
private final class ProjectFiles {
    private let judged: JudgedProject?
    private let history: ProjectHistory
    private var pins: Set<PEP440Version> { history.pins }
    /// Wheels already loaded (or refused as yanked or without metadata).
    var seen: [Bool]
    /// Why loaded wheels could not be used (yanked, no metadata).
    var loadInfo = Unavailable()
    /// Releases whose sdist was read for the solve (a candidate, or a reason in loadInfo).
    var sdistRead: Set<Int> = []

    init(_ judged: JudgedProject?, history: ProjectHistory) {
        self.judged = judged
        self.history = history
        seen = Array(repeating: false, count: judged?.count ?? 0)
    }

    /// A copy with its own record of what was loaded (the files and history are shared).
    func copy() -> ProjectFiles {
        let made = ProjectFiles(judged, history: history)
        made.seen = seen
        made.loadInfo = loadInfo
        made.sdistRead = sdistRead
        return made
    }

    var count: Int { judged?.count ?? 0 }
    /// Whether some index has the project.
    var isKnown: Bool { judged != nil }
    var releaseIndices: Range<Int> { 0..<(judged?.files.releases.count ?? 0) }
    func version(ofRelease r: Int) -> PEP440Version { judged!.files.version(ofRelease: r) }
    func files(ofRelease r: Int) -> [Int] { judged!.files.releases[r].files }
    func candidate(_ i: Int) -> Channels.PyPICandidate { judged!.candidate(i) }
    /// false when file `i` cannot install (its Requires-Python), known without judging it.
    func mayInstall(_ i: Int) -> Bool { judged!.mayInstall(i) }

    /// Whether release `r` has a wheel for the target (a yanked one only when pinned).
    func hasWheel(_ r: Int) -> Bool {
        files(ofRelease: r).contains { i in mayInstall(i) && candidate(i).isUsableWheel(pins: pins) }
    }

    /// Whether release `r` installs on the target: a wheel, or where building is allowed an
    /// sdist there is a copy of (a remote index serves its files; a local one must hold it).
    private func isInstallable(_ r: Int) -> Bool {
        if let known = history.installable[r] { return known }
        var result = hasWheel(r)
        if !result && history.buildable {
            let version = version(ofRelease: r)
            result = files(ofRelease: r).contains { i in
                let candidate = candidate(i)
                guard candidate.verdict == .needsBuild, !candidate.file.isYanked || pins.contains(version) else {
                    return false
                }
                return candidate.index.isRemote || FileManager.default.fileExists(atPath: candidate.file.url)
            }
        }
        history.installable[r] = result
        return result
    }

    /// The next installable version at or after release `r` that `admits` (checked first: it is
    /// cheaper than judging the release's files), newest first, one per version, with the
    /// releases that spell it (two spellings of one version are adjacent); `r` moves past them.
    /// `stop` says the walk has passed every version `admits` could take (a lower bound).
    private func nextInstallable(
        _ r: inout Int, admits: (PEP440Version) -> Bool = { _ in true },
        stop: (PEP440Version) -> Bool = { _ in false }
    ) -> (version: PEP440Version, releases: [Int])? {
        let count = releaseIndices.count
        while r < count {
            defer { r += 1 }
            let version = version(ofRelease: r)
            if stop(version) {
                r = count
                return nil
            }
            guard admits(version), isInstallable(r) else { continue }
            var same = [r]
            while r + 1 < count && self.version(ofRelease: r + 1) == version {
                r += 1
                same.append(r)
            }
            var before = same[0] - 1
            while before >= 0 && self.version(ofRelease: before) == version {
                same.append(before)
                before -= 1
            }
            return (version, same)
        }
        return nil
    }

    /// The newest `limit` installable versions a requirement admits (pip's pre-release rules,
    /// as `SpecifierSet.filter`), newest first, each as the releases that spell it.
    /// `SpecifierSet.first(_:from:)` over the installable releases, walked once per specifier
    /// for the resolver's attempts: a wider limit goes on from where a narrower one stopped
    /// instead of walking the same releases again.
    func newest(_ limit: Int, admittedBy spec: SpecifierSet) -> [[Int]] {
        let walk: AdmittedWalk
        if let known = history.walks[spec] {
            walk = known
        } else {
            walk = AdmittedWalk(start: firstRelease(admittedUpTo: spec))
            history.walks[spec] = walk
        }
        let policy = spec.effectivePrereleases
        while !walk.finished && (policy == true ? walk.any.count : walk.finals.count) < limit {
            guard
                let next = nextInstallable(
                    &walk.next, admits: { spec.contains($0, prereleases: true) }, stop: { !spec.admitsDownTo($0) })
            else {
                walk.finished = true
                break
            }
            if !next.version.isPrerelease { walk.finals.append(next.releases) }
            walk.any.append(next.releases)
        }
        switch policy {
        case true?: return Array(walk.any.prefix(limit))
        case false?: return Array(walk.finals.prefix(limit))
        case nil: return Array((walk.finals.isEmpty ? walk.any : walk.finals).prefix(limit))
        }
    }

    /// Every release some specifier admits (pre-releases too), in release order. Each
    /// specifier walks only between its bounds: with every release of botocore (2,300) and a
    /// range from each boto3 release (hundreds), testing every release against every range
    /// is most of loading the whole universe.
    func releases(admittedByAnyOf specs: Set<SpecifierSet>) -> [Int] {
        var admitted = [Bool](repeating: false, count: releaseIndices.count)
        for spec in specs {
            var r = firstRelease(admittedUpTo: spec)
            while r < admitted.count {
                let version = version(ofRelease: r)
                if !spec.admitsDownTo(version) { break }
                if !admitted[r] && spec.contains(version, prereleases: true) { admitted[r] = true }
                r += 1
            }
        }
        return admitted.indices.filter { admitted[$0] }
    }

    /// The first release (newest first) the specifier's upper bounds admit: a binary search,
    /// so `botocore>=1.20,<1.21` or `mlflow==1.26.1` does not walk 2,000 newer releases.
    private func firstRelease(admittedUpTo spec: SpecifierSet) -> Int {
        guard spec.hasUpperBound else { return 0 }
        var low = 0
        var high = releaseIndices.count
        while low < high {
            let middle = (low + high) / 2
            if spec.admitsUpTo(version(ofRelease: middle)) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// For a requirement without a version: the newest `limit` installable versions, finals
    /// only when there is a final one, each as the releases that spell it.
    func newestAnyVersion(_ limit: Int) -> [[Int]] {
        var all: [(version: PEP440Version, releases: [Int])] = []
        var r = 0
        var finalsOnly = false
        while let next = nextInstallable(&r) {
            all.append(next)
            if !next.version.isPrerelease {
                finalsOnly = true
                break
            }
        }
        // With a final release found, keep going only until `limit` finals are known.
        var finals = all.filter { !$0.version.isPrerelease }
        while finalsOnly && finals.count < limit, let next = nextInstallable(&r) {
            if !next.version.isPrerelease { finals.append(next) }
        }
        let chosen = finalsOnly ? Array(finals.prefix(limit)) : Array(all.prefix(limit))
        return chosen.map(\.releases)
    }
}

/// What a project's releases say whatever a universe's limits: which have a wheel for the
/// target, and the newest releases each specifier admits. An attempt that widens the limits
/// reads them again instead of walking the same thousands of releases. One loading at a time
/// uses a project's history (a project is loaded by one thread per round, rounds and
/// attempts one after another).
final class ProjectHistory: @unchecked Sendable {
    let pins: Set<PEP440Version>
    /// Whether a release with only an sdist counts as installable.
    let buildable: Bool
    var installable: [Bool?]
    /// `newest`'s walks, by specifier.
    var walks: [SpecifierSet: AdmittedWalk] = [:]

    init(pins: Set<PEP440Version>, releases: Int, buildable: Bool) {
        self.pins = pins
        self.buildable = buildable
        installable = Array(repeating: nil, count: releases)
    }
}

/// How far `ProjectFiles.newest` has walked a project's releases for one specifier: the
/// versions met so far (each as the releases that spell it), finals apart, newest first.
final class AdmittedWalk {
    /// The next release to look at.
    var next: Int
    var finals: [[Int]] = []
    var any: [[Int]] = []
    /// Whether every release the specifier could admit has been looked at.
    var finished = false

    init(start: Int) { next = start }
}

/// The histories of one resolver's projects, by name and pins (a pin admits a yanked release).
final class ProjectHistories: Sendable {
    private let histories = Locked<[String: ProjectHistory]>([:])

    func history(of name: NormalizedName, pins: Set<PEP440Version>, releases: Int, buildable: Bool) -> ProjectHistory {
        let key =
            name.value + " " + pins.map(\.normalized).sorted().joined(separator: ",") + (buildable ? " sdist" : "")
        return histories.withLock { histories in
            if let known = histories[key], known.installable.count == releases { return known }
            let made = ProjectHistory(pins: pins, releases: releases, buildable: buildable)
            histories[key] = made
            return made
        }
    }
}

/// MatchSpec parsing is the hot path of pool building: every distinct string once.
enum MatchSpecCache {
    /// The package name of a dependency string without parsing the whole spec.
    static func name(of dependency: String) -> String {
        // Byte scan: this runs for every dependency string of every record in a pool.
        var utf8 = Substring(dependency).utf8[...]
        var previousColon = false
        for i in utf8.indices {
            if utf8[i] == UInt8(ascii: ":") {
                if previousColon {
                    utf8 = utf8[utf8.index(after: i)...]
                    break
                }
                previousColon = true
            } else {
                previousColon = false
            }
        }
        let end =
            utf8.firstIndex { b in
                b == UInt8(ascii: " ") || b == UInt8(ascii: "=") || b == UInt8(ascii: "<") || b == UInt8(ascii: ">")
                    || b == UInt8(ascii: "!") || b == UInt8(ascii: "[") || b == UInt8(ascii: "~")
            } ?? utf8.endIndex
        return String(Substring(utf8[utf8.startIndex..<end]))
    }
}

extension PinnedVersions {
    /// Whether each release is ruled out: every wheel of it that would be loaded has metadata
    /// that `excludes` (a release without a wheel to judge, an sdist to build, is not).
    fileprivate func rulesOut(releases: [Int], of project: ProjectFiles, pins: Set<PEP440Version>)
        throws(ChannelError) -> [(Int, Bool)]
    {
        var wheels: [(release: Int, candidate: Channels.PyPICandidate)] = []
        for r in releases {
            for i in project.files(ofRelease: r) where project.mayInstall(i) {
                let candidate = project.candidate(i)
                if candidate.isUsableWheel(pins: pins) { wheels.append((r, candidate)) }
            }
        }
        let metadata = try Loading.metadata(of: wheels.map(\.candidate))
        let dead = dead.snapshot()
        var open = Set<Int>()
        var seen = Set<Int>()
        for (r, candidate) in wheels {
            seen.insert(r)
            // A wheel without metadata is not ruled out.
            if !((metadata[candidate.file.url] ?? nil).map { excludes($0, dead: dead) } ?? false) { open.insert(r) }
        }
        return releases.map { r in (r, seen.contains(r) && !open.contains(r)) }
    }
}
