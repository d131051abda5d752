// The package universe of one solve: every conda build and compatible wheel that could take
// part, found by walking the requirements from the request outwards.
//
// conda: by name, through `depends` (strict channel priority from ChannelSet).
// PyPI: by project, through Requires-Dist whose marker holds for the target (with the extras
// asked of that project). Only versions some requirement on the project admits are loaded
// (their metadata read, their dependencies followed); a requirement found later that admits
// more versions loads those too. Wheels that do not install on the target, sdists (their
// dependencies are unknown without a build) and yanked files (unless pinned with ==/===)
// are left out before anything becomes a solvable, with the reason kept for explanations.

import Channels
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
    var excluded: [(version: String, reason: String)] = []
    var missingMetadata: [String] = []
}

final class Universe {
    let channels: ChannelSet
    let request: SolveRequest

    private(set) var conda: [String: [Channels.CondaRecord]] = [:]
    private(set) var pypi: [NormalizedName: [PyPICandidate]] = [:]
    private(set) var unavailable: [NormalizedName: Unavailable] = [:]
    /// Extras asked of each project (normalised).
    private(set) var extras: [NormalizedName: Set<String>] = [:]
    /// Projects the index does not have at all.
    private(set) var unknownProjects: Set<NormalizedName> = []

    private var requirementsOn: [NormalizedName: Set<SpecifierSet>] = [:]
    private var unbounded: Set<NormalizedName> = []
    private var pinnedVersions: [NormalizedName: Set<PEP440Version>] = [:]
    /// Every file of each project met so far, judged for the target, grouped by release.
    private var projects: [NormalizedName: ProjectFiles] = [:]
    /// Extras whose requirements have been followed for the candidates loaded so far.
    private var extrasFollowed: [NormalizedName: Set<String>] = [:]

    /// The newest releases per requirement to consider; nil for all.
    let versionLimit: Int?

    init(channels: ChannelSet, request: SolveRequest, versionLimit: Int? = nil) {
        self.channels = channels
        self.request = request
        self.environment = request.target.markerEnvironment
        self.versionLimit = versionLimit
    }

    let environment: MarkerEnvironment

    func build() throws(ChannelError) {
        if request.mode == .conda { gatherConda() }
        try gatherPyPI()
    }

    // MARK: conda

    private func gatherConda() {
        var queue: [(name: String, channel: String?)] = [("python", nil)]
        for r in request.conda { queue.append((r.spec.name, r.spec.channel)) }
        var seen = Set<String>()
        while let (name, channel) = queue.popLast() {
            guard !name.hasPrefix("__"), seen.insert(name).inserted else { continue }
            var records = channels.condaRecords(named: name)
            if let channel, !records.contains(where: { $0.channel == channel }) {
                records += channels.condaRecords(named: name, channel: channel)
            }
            conda[name] = records
            for record in records {
                for dependency in record.depends {
                    let depName = MatchSpecCache.name(of: dependency)
                    if !seen.contains(depName) { queue.append((depName, nil)) }
                }
            }
        }
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
        while !work.isEmpty {
            let batch = work.sorted()
            work.removeAll()
            for name in batch {
                for requirement in try load(name) where note(requirement, pinned: false) {
                    work.insert(requirement.normalizedName)
                }
            }
        }
    }

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

    /// Loads the versions of `name` that some requirement admits and returns the requirements
    /// of every loaded version (marker true for the target, base and requested extras).
    private func load(_ name: NormalizedName) throws(ChannelError) -> [Requirement] {
        let pins = pinnedVersions[name] ?? []
        let project: ProjectFiles
        if let known = projects[name] {
            project = known
        } else {
            let candidates = try channels.pypiCandidates(name, pinned: !pins.isEmpty)
            let page = try channels.pypiProject(name)?.0
            if page == nil { unknownProjects.insert(name) }
            project = ProjectFiles(candidates, releases: page?.releases ?? [], pins: pins)
            projects[name] = project
        }
        let files = project.candidates
        var newCandidates: [PyPICandidate] = []
        var info = unavailable[name] ?? Unavailable()
        let specs = requirementsOn[name] ?? []
        let anyVersion = unbounded.contains(name)
        // With a limit, each requirement brings only its newest `limit` installable releases.
        var allowed: Set<PEP440Version>? = nil
        if let limit = versionLimit {
            var chosen = Set<PEP440Version>()
            for spec in specs { chosen.formUnion(project.newest(limit, admittedBy: spec)) }
            if anyVersion {
                chosen.formUnion(project.installable.lazy.filter { !$0.isPrerelease || !project.hasFinalInstallable }.prefix(limit))
            }
            allowed = chosen
        }
        // The files of the admitted releases not judged yet, in the page's order.
        var positions: [Int] = []
        for release in project.releases where anyVersion || specs.contains(where: { $0.contains(release.version, prereleases: true) }) {
            positions += release.files.lazy.filter { !project.seen[$0] }
        }
        positions.sort()
        for i in positions {
            let candidate = files[i]
            let version = candidate.file.version!
            if let allowed, case .wheel = candidate.verdict, !allowed.contains(version) { continue }
            project.seen[i] = true
            // Yanked files only for an exact pin of their version (PEP 592).
            if let reason = candidate.file.yanked, !pins.contains(version) {
                info.excluded.append((version.normalized, "yanked" + (reason.isEmpty ? "" : ": \(reason)")))
                continue
            }
            switch candidate.verdict {
            case .wheel(let rank, _):
                guard let metadata = try candidate.index.metadata(for: candidate.file) else {
                    info.missingMetadata.append(candidate.file.filename)
                    continue
                }
                newCandidates.append(PyPICandidate(file: candidate.file, version: version, tagRank: rank, metadata: metadata, index: candidate.index))
            case .needsBuild:
                info.sdistOnly.append(version.normalized)
            case .excluded(let reason):
                info.excluded.append((version.normalized, reason))
            }
        }
        unavailable[name] = info
        let earlier = pypi[name] ?? []
        pypi[name, default: []].append(contentsOf: newCandidates)

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
                if base && holds(marker, extra: nil) { requirements.append(requirement); continue }
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

    /// Every release of a project loaded so far with a wheel for the target (yanked ones left
    /// out, pre-releases too when there is a final release), whatever the requirements admit:
    /// what a hint offers instead of a missing version.
    func installableVersions(of name: NormalizedName) -> [String] {
        var versions = Set<PEP440Version>()
        for candidate in projects[name]?.candidates ?? [] {
            guard case .wheel = candidate.verdict, candidate.file.yanked == nil, let v = candidate.file.version else { continue }
            versions.insert(v)
        }
        let finals = versions.filter { !$0.isPrerelease }
        return (finals.isEmpty ? versions : finals).map(\.normalized)
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

/// A project's files judged for the target, grouped by release once, so that each requirement
/// met later costs a look at the releases rather than at every file.
private final class ProjectFiles {
    let candidates: [Channels.PyPICandidate]
    /// File positions by release, newest release first (files without a valid version left out).
    let releases: [PyPIRelease]
    /// Releases with a wheel for the target (yanked ones only when pinned), newest first.
    let installable: [PEP440Version]
    let hasFinalInstallable: Bool
    /// Files already judged (admitted by some requirement).
    var seen: [Bool]
    private var newestAdmitted: [SpecifierSet: [PEP440Version]] = [:]

    /// The newest `limit` installable releases a requirement admits (pip's pre-release rules).
    func newest(_ limit: Int, admittedBy spec: SpecifierSet) -> [PEP440Version] {
        if let known = newestAdmitted[spec] { return known }
        let chosen = spec.first(limit, of: installable)
        newestAdmitted[spec] = chosen
        return chosen
    }

    init(_ candidates: [Channels.PyPICandidate], releases: [PyPIRelease], pins: Set<PEP440Version>) {
        self.candidates = candidates
        self.releases = releases
        var installable: [PEP440Version] = []
        for release in releases where installable.last != release.version {
            let hasWheel = release.files.contains { i in
                guard case .wheel = candidates[i].verdict else { return false }
                return !candidates[i].file.isYanked || pins.contains(release.version)
            }
            if hasWheel { installable.append(release.version) }
        }
        self.installable = installable
        hasFinalInstallable = installable.contains { !$0.isPrerelease }
        seen = Array(repeating: false, count: candidates.count)
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
                if previousColon { utf8 = utf8[utf8.index(after: i)...]; break }
                previousColon = true
            } else {
                previousColon = false
            }
        }
        let end = utf8.firstIndex { b in
            b == UInt8(ascii: " ") || b == UInt8(ascii: "=") || b == UInt8(ascii: "<") || b == UInt8(ascii: ">")
                || b == UInt8(ascii: "!") || b == UInt8(ascii: "[") || b == UInt8(ascii: "~")
        } ?? utf8.endIndex
        return String(Substring(utf8[utf8.startIndex..<end]))
    }
}
