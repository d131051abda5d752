// `mlenv mirror`, PyPI side: follows the dependency closure of root requirements through an
// upstream PEP 691 index and writes a local simple repository (MirrorLayout).
//
// It asks the upstream only about projects in the closure: one project page each, plus the
// PEP 658 metadata files of the files it keeps. It never lists the index.
//
// Selection, per project:
// - files uploaded at or after `excludeNewer` are invisible (reproducible snapshots);
// - only files that install on some target (a compatible wheel for one of the target Pythons on
//   Linux/glibc, or an sdist when no pure-Python wheel covers the version) whose Requires-Python
//   admits some target Python are kept;
// - a version is kept when some requirement on the project admits it (the roots and every
//   Requires-Dist followed so far; an unconstrained requirement admits all), pre-releases only
//   where a specifier names one or the project has no final release;
// - versions first uploaded before `since` are dropped, and before `seriesOnlyBefore` only the
//   newest release of each major.minor series is kept; but every requirement keeps its newest
//   admitted version, so whatever the closure asks for can still be resolved (and selection
//   only grows as requirements are found, so the result does not depend on their order);
// - `versionsPerProject` keeps the newest N versions (and those the previous rule keeps).
// Dependencies (Requires-Dist) are followed when their marker holds for at least one target
// Python with no extra or with one of the extras requested of that project.
// Metadata comes from the index's PEP 658 file (verified against the index's hash when it gives
// one, and always against the file's name and version) or, for wheels the index has none for,
// from the wheel itself over HTTP range requests. It is trimmed to the fields a resolver uses
// and listed with the hash of what was written.

import Basics
import FoundationEssentials
import JSON
import Requests
import Specs

public struct PyPIMirrorOptions: Sendable {
    public var upstream: String
    public var output: String
    public var pythons: [PythonVersion]
    public var glibc: GlibcVersion
    public var architecture: String
    public var excludeNewer: String?
    public var since: String?
    public var seriesOnlyBefore: String?
    public var versionsPerProject: Int?
    public var withArtifacts: Bool
    public var concurrency: Int
    /// The platform tag as given (`manylinux_2_35_x86_64`), for the stamp.
    public var platform: String
    /// Written into the stamp: `mlenv 0.1.0`.
    public var generator: String
    /// Merge into a mirror made with other settings (see `PyPIMirrorStamp.merging`).
    public var force: Bool

    public init(
        upstream: String, output: String, pythons: [PythonVersion], glibc: GlibcVersion = Target.defaultGlibc,
        architecture: String = "x86_64", excludeNewer: String? = nil, since: String? = nil,
        seriesOnlyBefore: String? = nil, versionsPerProject: Int? = nil, withArtifacts: Bool = false,
        concurrency: Int = 16,
        platform: String? = nil, generator: String = "mlenv", force: Bool = false
    ) {
        self.upstream = upstream.hasSuffix("/") ? upstream : upstream + "/"
        self.output = output
        self.pythons = pythons
        self.glibc = glibc
        self.architecture = architecture
        self.excludeNewer = excludeNewer
        self.since = since
        self.seriesOnlyBefore = seriesOnlyBefore
        self.versionsPerProject = versionsPerProject
        self.withArtifacts = withArtifacts
        self.concurrency = concurrency
        self.platform = platform ?? "manylinux_\(glibc.major)_\(glibc.minor)_\(architecture)"
        self.generator = generator
        self.force = force
    }
}

public struct PyPIMirrorReport: Sendable {
    public var projects: Int = 0
    public var files: Int = 0
    public var metadataFetched: Int = 0
    public var metadataReused: Int = 0
    public var metadataFromWheels: Int = 0
    public var artifactsFetched: Int = 0
    /// Root or dependency names the upstream does not have.
    public var missing: [String] = []
    public var warnings: [String] = []
    /// True when the run was merged into a mirror an earlier run made.
    public var extended = false
    /// What the mirror holds after the run (with an earlier run's projects when extended).
    public var mirrorProjects: Int = 0
    public var mirrorFiles: Int = 0
}

/// What a run will write, computed whole (conflicts found) before anything is written.
public struct PyPIMirrorPlan: Sendable {
    public let report: PyPIMirrorReport
    public let stamp: PyPIMirrorStamp
    /// In order: metadata files, project pages, the root index; the stamp last.
    let writes: [(path: String, bytes: [UInt8])]
    let root: String

    /// Each file atomically (temporary + rename), unchanged files untouched; an interrupted
    /// write leaves every page whole, the old one or the merged one, and a rerun completes it.
    public func write() throws(ChannelError) {
        for (path, bytes) in writes { try PyPIMirrorPlan.write(bytes, to: path) }
        try PyPIMirrorPlan.write(stamp.serialized(), to: root + "/" + MirrorStamp.fileName)
    }

    static func write(_ bytes: [UInt8], to path: String) throws(ChannelError) {
        if let existing = FileBytes.readPlain(path), existing == bytes { return }
        do { try FileBytes.writeAtomically(bytes, to: path) } catch { throw ChannelError(error.description) }
    }
}

public final class PyPIMirrorBuilder: @unchecked Sendable {
    let options: PyPIMirrorOptions
    let client: HTTPClient
    let progress: @Sendable (String) -> Void
    let policies: [TagPolicy]
    let environments: [MarkerEnvironment]
    let pythonVersions: [PEP440Version]

    private struct ProjectState {
        var page: PyPIProject?
        /// Versions with the files the mirror would keep, newest first (from the page, once).
        var available: [AvailableVersion] = []
        var requestedExtras: Set<String> = []
        var unbounded = false
        var specifiers: Set<SpecifierSet> = []
        var selected: [String: SelectedVersion] = [:]
    }

    private struct AvailableVersion {
        let version: PEP440Version
        let files: [PyPIFile]
        let firstUpload: String?
        /// Bit i set: some file installs on options.pythons[i].
        let pythons: UInt64
    }

    private struct SelectedVersion {
        let version: PEP440Version
        let files: [PyPIFile]
        var metadata: [CoreMetadata] = []
        var metadataLoaded = false
        /// nil until the base requirements were followed; then the extras followed too.
        var followedExtras: Set<String>? = nil
    }

    private var states: [NormalizedName: ProjectState] = [:]
    private var fetched = Set<NormalizedName>()
    private var report = PyPIMirrorReport()
    private var written: [NormalizedName: [MirroredFile]] = [:]
    private var roots: [Requirement] = []
    /// What an earlier run left in the output directory (nil: a new mirror), read once.
    private var existing: ExistingPyPIMirror??

    public init(
        options: PyPIMirrorOptions, client: HTTPClient = HTTPClient(),
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.options = options
        self.client = client
        self.progress = progress
        self.policies = options.pythons.map {
            TagPolicy(target: Target(python: $0, glibc: options.glibc, architecture: options.architecture))
        }
        self.environments = options.pythons.map {
            MarkerEnvironment.target(
                pythonVersion: $0.minorString, fullVersion: $0.fullString, machine: options.architecture)
        }
        self.pythonVersions = options.pythons.compactMap { try? PEP440Version(parsing: $0.fullString) }
    }

    /// `plan` then `PyPIMirrorPlan.write`.
    public func run(roots: [Requirement]) async throws(ChannelError) -> PyPIMirrorReport {
        let plan = try await plan(roots: roots)
        try plan.write()
        return plan.report
    }

    /// Reads the mirror an earlier run left in the output directory and checks this run may be
    /// merged into it, before anything is fetched. Throws when it cannot be read or was made
    /// with other settings (without `force`).
    public func checkExisting() throws(ChannelError) {
        guard existing == nil else { return }
        if let text = options.excludeNewer {
            do throws(TimestampError) { _ = try UploadCutoff(text) } catch { throw ChannelError(error.message) }
        }
        let found = try ExistingPyPIMirror.load(options.output)
        if let found {
            _ = try stamp(roots: [], projects: 0, files: 0, missing: []).merging(
                into: found.stamp, force: options.force,
                path: options.output + "/" + MirrorStamp.fileName)
        }
        existing = .some(found)
    }

    /// Follows the closure and computes what to write (merged into the existing mirror);
    /// writes nothing but the metadata cache. A file the mirror holds with other content than
    /// this run found is a conflict, thrown here.
    public func plan(roots: [Requirement]) async throws(ChannelError) -> PyPIMirrorPlan {
        try checkExisting()
        self.roots = roots
        var dirty = Set<NormalizedName>()
        for root in roots where register(root) { dirty.insert(root.normalizedName) }
        var round = 0
        while !dirty.isEmpty {
            round += 1
            progress("round \(round): \(dirty.count) project(s) to update, \(states.count) in the closure")
            let newNames = dirty.filter { !fetched.contains($0) }.sorted()
            fetched.formUnion(newNames)
            for (name, project) in try await fetchPages(newNames) {
                guard let project else {
                    report.missing.append(name.value)
                    continue
                }
                states[name]?.page = project
                states[name]?.available = available(project)
            }
            for name in dirty.sorted() {
                guard var state = states[name] else { continue }
                for version in select(state) where state.selected[version.version.normalized] == nil {
                    state.selected[version.version.normalized] = SelectedVersion(
                        version: version.version, files: version.files)
                }
                states[name] = state
            }
            try await fetchMetadata()
            dirty = followDependencies()
        }
        return try prepareMirror()
    }

    /// Records a requirement on a project; true when that may change what the mirror keeps
    /// of it (a new project, a new specifier, or a new extra).
    private func register(_ requirement: Requirement) -> Bool {
        let name = requirement.normalizedName
        var state = states[name] ?? ProjectState()
        var changed = states[name] == nil
        let extras = Set(requirement.extras.map(normalizeExtra))
        if !extras.isSubset(of: state.requestedExtras) {
            state.requestedExtras.formUnion(extras)
            changed = true
        }
        // Specifiers are kept even once the project is unbounded: each keeps its newest
        // admitted version (an exact pin stays resolvable whatever else is kept).
        if requirement.specifier.isEmpty {
            if !state.unbounded {
                state.unbounded = true
                changed = true
            }
        } else if state.specifiers.insert(requirement.specifier).inserted {
            changed = true
        }
        states[name] = state
        return changed
    }

    // MARK: Pages

    private func fetchPages(_ names: [NormalizedName]) async throws(ChannelError) -> [(NormalizedName, PyPIProject?)] {
        let upstream = options.upstream
        let client = self.client
        let results = try await concurrentMap(names, width: options.concurrency) {
            name throws(ChannelError) -> (NormalizedName, PyPIProject?) in
            let url = upstream + name.value + "/"
            let response: HTTPResponse
            do throws(HTTPError) {
                response = try await client.get(url, accept: PyPIIndex.pageAccept)
            } catch {
                throw ChannelError("cannot fetch the project page of \(name.value): \(error.reason)")
            }
            if response.status == 404 || response.status == 410 { return (name, nil) }
            guard response.status == 200 else { throw ChannelError("\(url): HTTP \(response.status)") }
            if response.contentType?.containsLiteral("json") == true || response.body.first == UInt8(ascii: "{") {
                return (name, try ProjectPage.parseJSON(response.body, project: name, pageURL: url))
            }
            return (
                name, ProjectPage.parseHTML(String(decoding: response.body, as: UTF8.self), project: name, pageURL: url)
            )
        }
        return results
    }

    /// The versions of a page and the files the mirror would keep of each, newest first.
    private func available(_ project: PyPIProject) -> [AvailableVersion] {
        var byVersion: [PEP440Version: [PyPIFile]] = [:]
        // Checked by `checkExisting` (a cut-off that does not read is refused before any fetch).
        let cutoff = options.excludeNewer.flatMap { try? UploadCutoff($0) }
        for file in project.files {
            guard let version = file.version else { continue }
            // Instants, not texts: zones and fractions differ in how they are written.
            if let cutoff, cutoff.excludes(uploadTime: file.uploadTime) { continue }
            guard keepsFile(file) else { continue }
            byVersion[version, default: []].append(file)
        }
        return byVersion.map { version, files in
            // An sdist adds nothing where a pure-Python wheel installs everywhere.
            let pure = files.contains { $0.wheel.map { $0.abiTags == ["none"] && $0.platformTags == ["any"] } ?? false }
            let kept = files.filter { !(pure && $0.isSdist) }.sorted { $0.filename < $1.filename }
            return AvailableVersion(
                version: version, files: kept, firstUpload: files.compactMap(\.uploadTime).min(),
                pythons: pythonMask(kept))
        }.sorted { $0.version > $1.version }
    }

    /// Which versions the mirror keeps, given every requirement on the project so far.
    private func select(_ state: ProjectState) -> [AvailableVersion] {
        let all = state.available
        let hasFinal = all.contains { !$0.version.isPrerelease }
        // Each specifier's admitted releases with the PEP 440 pre-release rule (`filter`).
        let versions = all.map(\.version)
        let bySpecifier = state.specifiers.map { Set($0.filter(versions)) }
        func admitted(_ v: PEP440Version) -> Bool {
            if state.unbounded && (!v.isPrerelease || !hasFinal) { return true }
            return bySpecifier.contains { $0.contains(v) }
        }
        var kept: [AvailableVersion] = []
        // Per series, the target Pythons a newer kept release already serves.
        var seriesCovered: [String: UInt64] = [:]
        // A yanked release stays listed (PEP 592: installable only by an exact pin) but never
        // stands for its series or for a requirement.
        func yanked(_ v: AvailableVersion) -> Bool { v.files.allSatisfy(\.isYanked) }
        for candidate in all where admitted(candidate.version) {
            if let since = options.since, let first = candidate.firstUpload, first < since { continue }
            if let cutoff = options.seriesOnlyBefore, let first = candidate.firstUpload, first < cutoff {
                if yanked(candidate) { continue }
                let series = "\(candidate.version.epoch).\(candidate.version.major).\(candidate.version.minor)"
                // The newest release of the series for each target Python: an older one stays
                // when it installs on a Python the newer ones dropped (jax 0.4.30 for 3.9).
                let covered = seriesCovered[series] ?? 0
                guard candidate.pythons & ~covered != 0 else { continue }
                seriesCovered[series] = covered | candidate.pythons
            }
            kept.append(candidate)
        }
        if let limit = options.versionsPerProject { kept = Array(kept.prefix(limit)) }
        // Every requirement keeps its newest admitted version, even where an older kept one
        // would do: that keeps selection monotone in the requirements, so the mirror is the
        // same whatever order the closure was discovered in.
        var keys = Set(kept.map { $0.version })
        var requirements: [(admits: (PEP440Version) -> Bool, exact: Bool)] = zip(state.specifiers, bySpecifier).map {
            spec, allowed in
            ({ allowed.contains($0) }, spec.specifiers.contains { $0.op == .equal || $0.op == .arbitrary })
        }
        if state.unbounded { requirements.append(({ !$0.isPrerelease || !hasFinal }, false)) }
        for (admits, exact) in requirements {
            if let newest = all.first(where: { admits($0.version) && (exact || !yanked($0)) }),
                keys.insert(newest.version).inserted
            {
                kept.append(newest)
            }
        }
        return kept
    }

    /// Which target Pythons some of these files install on (wheel tags and Requires-Python; an
    /// sdist counts for every Python its Requires-Python admits).
    private func pythonMask(_ files: [PyPIFile]) -> UInt64 {
        var mask: UInt64 = 0
        for (i, python) in pythonVersions.enumerated() where i < 64 {
            let fits = files.contains { file in
                if let requires = file.requiresPython, let set = try? SpecifierSet(parsing: requires),
                    !set.contains(python, prereleases: true)
                {
                    return false
                }
                switch file.kind {
                case .wheel(let wheel):
                    if case .compatible = policies[i].verdict(for: wheel) { return true }
                    return false
                case .sdist: return true
                case .other: return false
                }
            }
            if fits { mask |= 1 << UInt64(i) }
        }
        return mask
    }

    private func keepsFile(_ file: PyPIFile) -> Bool {
        if let requires = file.requiresPython, let set = try? SpecifierSet(parsing: requires),
            !pythonVersions.contains(where: { set.contains($0, prereleases: true) })
        {
            return false
        }
        switch file.kind {
        case .wheel(let wheel):
            return policies.contains { policy in
                if case .compatible = policy.verdict(for: wheel) { return true }
                return false
            }
        case .sdist: return true
        case .other: return false
        }
    }

    // MARK: Metadata

    /// Parsed metadata by the file's URL.
    private var metadataByURL: [String: CoreMetadata] = [:]

    /// Wheels always have a `.metadata` on indexes that implement PEP 658, even where the page
    /// does not advertise it (some proxies strip the attribute); sdists only when advertised.
    private func wantsMetadata(_ file: PyPIFile) -> Bool {
        file.coreMetadata != nil || file.wheel != nil
    }

    private func fetchMetadata() async throws(ChannelError) {
        var needed: [PyPIFile] = []
        for state in states.values {
            for version in state.selected.values where !version.metadataLoaded {
                for file in version.files where wantsMetadata(file) && metadataByURL[file.url] == nil {
                    if let cached = readCachedMetadata(file) {
                        metadataByURL[file.url] = cached
                        report.metadataReused += 1
                    } else {
                        needed.append(file)
                    }
                }
            }
        }
        if !needed.isEmpty { progress("fetching \(needed.count) metadata file(s)") }
        // Each file is verified and cached as soon as it arrives, not when the round ends: a
        // run that fails or is interrupted (SIGINT, kill -9) midway keeps everything it fetched,
        // and the next run reuses it. Cache entries are written atomically (temporary + rename).
        let fetched = try await concurrentMap(needed, width: options.concurrency) {
            [self] file throws(ChannelError) -> (PyPIFile, FetchedMetadata) in
            let response: HTTPResponse
            do throws(HTTPError) { response = try await client.get(file.metadataURL) } catch {
                throw ChannelError("cannot fetch \(file.filename).metadata: \(error.reason)")
            }
            let bytes: [UInt8]
            let fromWheel: Bool
            if response.status == 404 && (file.coreMetadata == nil) {
                // No PEP 658 file: read METADATA out of the wheel with range requests. Network
                // failures fail the run (rerunning resumes); a wheel without METADATA is reported.
                guard file.wheel != nil else { return (file, .none) }
                bytes = Array(try await RemoteWheelMetadata.fetch(file.url, client: client).trimmedText.utf8)
                fromWheel = true
            } else {
                guard response.status == 200 else {
                    throw ChannelError("\(file.filename).metadata: HTTP \(response.status)")
                }
                bytes = response.body
                fromWheel = false
            }
            switch verify(bytes, for: file) {
            case .success(let metadata):
                writeCachedMetadata(file, bytes)
                return (file, .verified(metadata, fromWheel: fromWheel))
            case .failure(let error):
                return (file, .refused(error))
            }
        }
        var withoutMetadata: [NormalizedName: Int] = [:]
        for (file, outcome) in fetched {
            switch outcome {
            case .none:
                withoutMetadata[file.project, default: 0] += 1
            case .verified(let metadata, let fromWheel):
                metadataByURL[file.url] = metadata
                if fromWheel { report.metadataFromWheels += 1 } else { report.metadataFetched += 1 }
            case .refused(let error):
                // A wrong hash or another project's metadata is refused; the file stays listed
                // without metadata rather than failing the whole mirror.
                report.warnings.append(error.message + "; its dependencies are not followed")
            }
        }
        for (project, count) in withoutMetadata.sorted(by: { $0.key < $1.key }) {
            report.warnings.append(
                "\(project.value): \(count) wheel(s) have no metadata file on the index; their dependencies are not followed and resolvers must download them"
            )
        }
        for name in Array(states.keys) {
            guard var state = states[name] else { continue }
            for key in Array(state.selected.keys) where state.selected[key]?.metadataLoaded == false {
                var version = state.selected[key]!
                var seen = Set<String>()
                for file in version.files {
                    guard let metadata = metadataByURL[file.url], seen.insert(metadata.trimmedText).inserted else {
                        continue
                    }
                    version.metadata.append(metadata)
                }
                version.metadataLoaded = true
                state.selected[key] = version
            }
            states[name] = state
        }
    }

    private enum FetchedMetadata: Sendable {
        /// The index has no metadata file for it (an sdist without one).
        case none
        case verified(CoreMetadata, fromWheel: Bool)
        case refused(ChannelError)
    }

    /// Checks a metadata file against the index's hash when the index gives one, and always
    /// against the file it describes (same project name and version).
    private func verify(_ bytes: [UInt8], for file: PyPIFile) -> Result<CoreMetadata, ChannelError> {
        if let expected = file.coreMetadata, !expected.isEmpty {
            let actual = Digester.hex(.sha256, of: bytes)
            guard actual == expected else {
                return .failure(
                    ChannelError(
                        "\(file.filename).metadata: sha256 \(actual) does not match the index's \(expected); refusing it"
                    ))
            }
        }
        let metadata: CoreMetadata
        do { metadata = try CoreMetadata(parsing: String(decoding: bytes, as: UTF8.self)) } catch {
            return .failure(ChannelError("\(file.filename).metadata: \(error.message)"))
        }
        guard NormalizedName(metadata.name) == file.project else {
            return .failure(
                ChannelError(
                    "\(file.filename).metadata names project '\(metadata.name)', not \(file.project.value); refusing it"
                ))
        }
        if let fileVersion = file.version, let metadataVersion = try? PEP440Version(parsing: metadata.version),
            fileVersion != metadataVersion
        {
            return .failure(ChannelError("\(file.filename).metadata is for version \(metadata.version); refusing it"))
        }
        return .success(metadata)
    }

    private var cacheDirectory: String { options.output + "/.cache/metadata" }

    /// Cached by the index's hash when it gives one, else by the file's own hash (a file's
    /// metadata never changes for the same file).
    private func cacheKey(_ file: PyPIFile) -> String? {
        if let sha = file.coreMetadata, !sha.isEmpty { return "m-" + sha }
        return file.sha256.map { "f-" + $0 }
    }

    private func readCachedMetadata(_ file: PyPIFile) -> CoreMetadata? {
        guard let key = cacheKey(file),
            let data = FileManager.default.contents(atPath: "\(cacheDirectory)/\(key.prefix(4))/\(key)")
        else { return nil }
        if case .success(let metadata) = verify([UInt8](data), for: file) { return metadata }
        return nil
    }

    private func writeCachedMetadata(_ file: PyPIFile, _ bytes: [UInt8]) {
        guard let key = cacheKey(file) else { return }
        try? FileBytes.writeAtomically(bytes, to: "\(cacheDirectory)/\(key.prefix(4))/\(key)")
    }

    // MARK: Closure

    /// Follows Requires-Dist of every kept version not yet followed (or of extras newly
    /// requested); returns the projects whose requirements changed.
    private func followDependencies() -> Set<NormalizedName> {
        var dirty = Set<NormalizedName>()
        for name in states.keys.sorted() {
            guard var state = states[name] else { continue }
            for key in state.selected.keys.sorted() {
                guard var version = state.selected[key], version.metadataLoaded else { continue }
                var contexts: [String?] = []
                if version.followedExtras == nil { contexts.append(nil) }
                let followed = version.followedExtras ?? []
                for extra in state.requestedExtras.sorted() where !followed.contains(extra) { contexts.append(extra) }
                guard !contexts.isEmpty else { continue }
                for metadata in version.metadata {
                    for requirement in metadata.requiresDist
                    where requirement.url == nil && holds(requirement.marker, contexts: contexts) {
                        if requirement.normalizedName == name {
                            // A self-reference for extras (`pkg[extra]` requiring `pkg[other]`).
                            let extras = Set(requirement.extras.map(normalizeExtra))
                            if !extras.isSubset(of: state.requestedExtras) {
                                state.requestedExtras.formUnion(extras)
                                dirty.insert(name)
                            }
                            continue
                        }
                        states[name] = state
                        if register(requirement) { dirty.insert(requirement.normalizedName) }
                        state = states[name]!
                    }
                }
                version.followedExtras = followed.union(state.requestedExtras)
                state.selected[key] = version
            }
            states[name] = state
        }
        return dirty
    }

    /// True when the marker holds for some target Python in some context (no extra, or one
    /// of the extras being followed). Re-evaluating base requirements for a new extra is
    /// harmless: they are already in the closure.
    private func holds(_ marker: Marker?, contexts: [String?]) -> Bool {
        guard !contexts.isEmpty else { return false }
        guard let marker else { return true }
        for context in contexts {
            for var environment in environments {
                environment.extra = context
                if (try? marker.evaluate(environment)) == true { return true }
            }
        }
        return false
    }

    // MARK: Writing

    /// The pages of this run, merged into the existing mirror's, and the files to write.
    private func prepareMirror() throws(ChannelError) -> PyPIMirrorPlan {
        let root = options.output
        let existingPages = (existing ?? nil)?.pages ?? [:]
        var writes: [(path: String, bytes: [UInt8])] = []
        var pages: [(NormalizedName, [MirroredFile])] = []
        var conflicts: [MirrorConflict] = []
        for (name, state) in states.sorted(by: { $0.key < $1.key }) {
            // A project the index has but with no release kept still gets a (empty) page, so a
            // resolver can tell "no matching release" from "no such project".
            guard state.page != nil else { continue }
            var files: [MirroredFile] = []
            for version in state.selected.values {
                for file in version.files {
                    var metadataSHA: String?
                    if let metadata = metadataByURL[file.url] {
                        let trimmed = Array(metadata.trimmedText.utf8)
                        writes.append(("\(root)/files/\(name.value)/\(file.filename).metadata", trimmed))
                        metadataSHA = Digester.hex(.sha256, of: trimmed)
                    }
                    files.append(
                        MirroredFile(
                            filename: file.filename, versionText: version.version.normalized, sha256: file.sha256,
                            requiresPython: file.requiresPython, yanked: file.yanked, size: file.size,
                            uploadTime: file.uploadTime, metadataSHA256: metadataSHA))
                }
            }
            files.sort { $0.filename < $1.filename }
            written[name] = files
            if let old = existingPages[name] {
                files = MirrorLayout.merge(
                    existing: old, incoming: files, path: "\(root)/simple/\(name.value)/index.json",
                    conflicts: &conflicts)
            }
            pages.append((name, files))
        }
        if !conflicts.isEmpty { throw MirrorConflict.error(conflicts) }
        for (name, files) in pages {
            writes.append(
                (
                    "\(root)/simple/\(name.value)/index.json",
                    Array(MirrorLayout.projectPageJSON(name, files: files).utf8)
                ))
            writes.append(
                (
                    "\(root)/simple/\(name.value)/index.html",
                    Array(MirrorLayout.projectPageHTML(name, files: files).utf8)
                ))
        }
        // The mirror after the run: the existing pages, with this run's merged in.
        var all = existingPages
        for (name, files) in pages { all[name] = files }
        let names = all.keys.sorted()
        writes.append(("\(root)/simple/index.html", Array(MirrorLayout.rootHTML(names).utf8)))
        writes.append(("\(root)/simple/index.json", Array(MirrorLayout.rootJSON(names).utf8)))

        report.projects = written.count
        report.files = written.values.reduce(0) { $0 + $1.count }
        report.missing.sort()
        report.mirrorProjects = all.count
        report.mirrorFiles = all.values.reduce(0) { $0 + $1.count }
        var stamp = stamp(
            roots: roots.map(\.description), projects: report.projects, files: report.files, missing: report.missing)
        if let old = existing ?? nil {
            stamp = try stamp.merging(into: old.stamp, force: options.force, path: root + "/" + MirrorStamp.fileName)
            stamp.projects = report.mirrorProjects
            stamp.files = report.mirrorFiles
            // Missing from this run or an earlier one, unless some run found it.
            stamp.missing = Set(old.stamp.missing + report.missing).filter { all[NormalizedName($0)] == nil }.sorted()
            report.extended = true
        }
        return PyPIMirrorPlan(report: report, stamp: stamp, writes: writes, root: root)
    }

    /// This run's stamp (before any merge).
    private func stamp(roots: [String], projects: Int, files: Int, missing: [String]) -> PyPIMirrorStamp {
        PyPIMirrorStamp(
            generator: options.generator, excludeNewer: options.excludeNewer, since: options.since,
            seriesOnlyBefore: options.seriesOnlyBefore, pythons: options.pythons.map(\.minorString),
            platform: options.platform, versionsPerProject: options.versionsPerProject,
            roots: roots.sorted(), projects: projects, files: files, missing: missing)
    }

    /// The project pages the mirror wrote, for the caller's stamp.
    public var writtenProjects: [NormalizedName] { written.keys.sorted() }
}

func normalizeExtra(_ extra: String) -> String { NormalizedName(extra).value }

/// Runs `transform` over `items` with at most `width` in flight; results in input order.
func concurrentMap<T: Sendable, R: Sendable>(
    _ items: [T], width: Int,
    _ transform: @escaping @Sendable (T) async throws(ChannelError) -> R
) async throws(ChannelError) -> [R] {
    do {
        return try await withThrowingTaskGroup(of: (Int, R).self) { group in
            var results = [R?](repeating: nil, count: items.count)
            var next = 0
            func add() {
                let i = next
                let item = items[i]
                group.addTask { (i, try await transform(item)) }
                next += 1
            }
            while next < items.count && next < width { add() }
            while let (i, result) = try await group.next() {
                results[i] = result
                if next < items.count { add() }
            }
            return results.compactMap { $0 }
        }
    } catch let error as ChannelError {
        throw error
    } catch {
        throw ChannelError("\(error)")
    }
}
