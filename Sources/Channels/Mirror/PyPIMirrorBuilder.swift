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

import FoundationEssentials
import JSON
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

    public init(upstream: String, output: String, pythons: [PythonVersion], glibc: GlibcVersion = Target.defaultGlibc,
                architecture: String = "x86_64", excludeNewer: String? = nil, since: String? = nil,
                seriesOnlyBefore: String? = nil, versionsPerProject: Int? = nil, withArtifacts: Bool = false, concurrency: Int = 16) {
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

    public init(options: PyPIMirrorOptions, client: HTTPClient = HTTPClient(), progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.options = options
        self.client = client
        self.progress = progress
        self.policies = options.pythons.map { TagPolicy(target: Target(python: $0, glibc: options.glibc, architecture: options.architecture)) }
        self.environments = options.pythons.map { MarkerEnvironment.target(pythonVersion: $0.minorString, fullVersion: $0.fullString, machine: options.architecture) }
        self.pythonVersions = options.pythons.compactMap { try? PEP440Version(parsing: $0.fullString) }
    }

    public func run(roots: [Requirement]) async throws(ChannelError) -> PyPIMirrorReport {
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
                    state.selected[version.version.normalized] = SelectedVersion(version: version.version, files: version.files)
                }
                states[name] = state
            }
            try await fetchMetadata()
            dirty = followDependencies()
        }
        try writeMirror()
        report.projects = written.count
        report.files = written.values.reduce(0) { $0 + $1.count }
        report.missing.sort()
        return report
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
            if !state.unbounded { state.unbounded = true; changed = true }
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
        let results = try await concurrentMap(names, width: options.concurrency) { name throws(ChannelError) -> (NormalizedName, PyPIProject?) in
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
            return (name, ProjectPage.parseHTML(String(decoding: response.body, as: UTF8.self), project: name, pageURL: url))
        }
        return results
    }

    /// The versions of a page and the files the mirror would keep of each, newest first.
    private func available(_ project: PyPIProject) -> [AvailableVersion] {
        var byVersion: [PEP440Version: [PyPIFile]] = [:]
        let cutoff = options.excludeNewer.flatMap(ISO8601.milliseconds)
        for file in project.files {
            guard let version = file.version else { continue }
            // Instants, not texts: zones and fractions differ in how they are written.
            if let cutoff, let uploaded = file.uploadTime.flatMap(ISO8601.uploadMilliseconds), uploaded >= cutoff { continue }
            guard keepsFile(file) else { continue }
            byVersion[version, default: []].append(file)
        }
        return byVersion.map { version, files in
            // An sdist adds nothing where a pure-Python wheel installs everywhere.
            let pure = files.contains { $0.wheel.map { $0.abiTags == ["none"] && $0.platformTags == ["any"] } ?? false }
            let kept = files.filter { !(pure && $0.isSdist) }.sorted { $0.filename < $1.filename }
            return AvailableVersion(version: version, files: kept, firstUpload: files.compactMap(\.uploadTime).min(), pythons: pythonMask(kept))
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
        var requirements: [(admits: (PEP440Version) -> Bool, exact: Bool)] = zip(state.specifiers, bySpecifier).map { spec, allowed in
            ({ allowed.contains($0) }, spec.specifiers.contains { $0.op == .equal || $0.op == .arbitrary })
        }
        if state.unbounded { requirements.append(({ !$0.isPrerelease || !hasFinal }, false)) }
        for (admits, exact) in requirements {
            if let newest = all.first(where: { admits($0.version) && (exact || !yanked($0)) }), keys.insert(newest.version).inserted {
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
                if let requires = file.requiresPython, let set = try? SpecifierSet(parsing: requires), !set.contains(python, prereleases: true) {
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
           !pythonVersions.contains(where: { set.contains($0, prereleases: true) }) {
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
        let client = self.client
        let fetched = try await concurrentMap(needed, width: options.concurrency) { file throws(ChannelError) -> (PyPIFile, [UInt8]?, CoreMetadata?) in
            let response: HTTPResponse
            do throws(HTTPError) { response = try await client.get(file.metadataURL) } catch {
                throw ChannelError("cannot fetch \(file.filename).metadata: \(error.reason)")
            }
            if response.status == 404 && (file.coreMetadata == nil) {
                // No PEP 658 file: read METADATA out of the wheel with range requests. Network
                // failures fail the run (rerunning resumes); a wheel without METADATA is reported.
                guard file.wheel != nil else { return (file, nil, nil) }
                return (file, nil, try await RemoteWheelMetadata.fetch(file.url, client: client))
            }
            guard response.status == 200 else { throw ChannelError("\(file.filename).metadata: HTTP \(response.status)") }
            return (file, response.body, nil)
        }
        var withoutMetadata: [NormalizedName: Int] = [:]
        for (file, body, fromWheel) in fetched {
            if let fromWheel {
                switch verify(Array(fromWheel.trimmedText.utf8), for: file) {
                case .success(let metadata):
                    metadataByURL[file.url] = metadata
                    writeCachedMetadata(file, Array(fromWheel.trimmedText.utf8))
                    report.metadataFromWheels += 1
                case .failure(let error):
                    report.warnings.append(error.message + "; its dependencies are not followed")
                }
                continue
            }
            guard let bytes = body else {
                withoutMetadata[file.project, default: 0] += 1
                continue
            }
            switch verify(bytes, for: file) {
            case .success(let metadata):
                metadataByURL[file.url] = metadata
                writeCachedMetadata(file, bytes)
                report.metadataFetched += 1
            case .failure(let error):
                // A wrong hash or another project's metadata is refused; the file stays listed
                // without metadata rather than failing the whole mirror.
                report.warnings.append(error.message + "; its dependencies are not followed")
            }
        }
        for (project, count) in withoutMetadata.sorted(by: { $0.key < $1.key }) {
            report.warnings.append("\(project.value): \(count) wheel(s) have no metadata file on the index; their dependencies are not followed and resolvers must download them")
        }
        for name in Array(states.keys) {
            guard var state = states[name] else { continue }
            for key in Array(state.selected.keys) where state.selected[key]?.metadataLoaded == false {
                var version = state.selected[key]!
                var seen = Set<String>()
                for file in version.files {
                    guard let metadata = metadataByURL[file.url], seen.insert(metadata.trimmedText).inserted else { continue }
                    version.metadata.append(metadata)
                }
                version.metadataLoaded = true
                state.selected[key] = version
            }
            states[name] = state
        }
    }

    /// Checks a metadata file against the index's hash when the index gives one, and always
    /// against the file it describes (same project name and version).
    private func verify(_ bytes: [UInt8], for file: PyPIFile) -> Result<CoreMetadata, ChannelError> {
        if let expected = file.coreMetadata, !expected.isEmpty {
            let actual = Digester.hex(.sha256, of: bytes)
            guard actual == expected else {
                return .failure(ChannelError("\(file.filename).metadata: sha256 \(actual) does not match the index's \(expected); refusing it"))
            }
        }
        let metadata: CoreMetadata
        do { metadata = try CoreMetadata(parsing: String(decoding: bytes, as: UTF8.self)) } catch {
            return .failure(ChannelError("\(file.filename).metadata: \(error.message)"))
        }
        guard NormalizedName(metadata.name) == file.project else {
            return .failure(ChannelError("\(file.filename).metadata names project '\(metadata.name)', not \(file.project.value); refusing it"))
        }
        if let fileVersion = file.version, let metadataVersion = try? PEP440Version(parsing: metadata.version), fileVersion != metadataVersion {
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
        guard let key = cacheKey(file), let data = FileManager.default.contents(atPath: "\(cacheDirectory)/\(key.prefix(4))/\(key)") else { return nil }
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
                    for requirement in metadata.requiresDist where requirement.url == nil && holds(requirement.marker, contexts: contexts) {
                        if requirement.normalizedName == name {
                            // A self-reference for extras (`pkg[extra]` requiring `pkg[other]`).
                            let extras = Set(requirement.extras.map(normalizeExtra))
                            if !extras.isSubset(of: state.requestedExtras) { state.requestedExtras.formUnion(extras); dirty.insert(name) }
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

    private func writeMirror() throws(ChannelError) {
        let root = options.output
        for (name, state) in states {
            // A project the index has but with no release kept still gets a (empty) page, so a
            // resolver can tell "no matching release" from "no such project".
            guard state.page != nil else { continue }
            var files: [MirroredFile] = []
            for version in state.selected.values {
                for file in version.files {
                    var metadataSHA: String?
                    if let metadata = metadataByURL[file.url] {
                        let trimmed = Array(metadata.trimmedText.utf8)
                        let path = "\(root)/files/\(name.value)/\(file.filename).metadata"
                        try write(trimmed, to: path)
                        metadataSHA = Digester.hex(.sha256, of: trimmed)
                    }
                    files.append(MirroredFile(filename: file.filename, versionText: version.version.normalized, sha256: file.sha256,
                                              requiresPython: file.requiresPython, yanked: file.yanked, size: file.size,
                                              uploadTime: file.uploadTime, metadataSHA256: metadataSHA))
                }
            }
            files.sort { $0.filename < $1.filename }
            try write(Array(MirrorLayout.projectPageJSON(name, files: files).utf8), to: "\(root)/simple/\(name.value)/index.json")
            try write(Array(MirrorLayout.projectPageHTML(name, files: files).utf8), to: "\(root)/simple/\(name.value)/index.html")
            written[name] = files
        }
        let names = written.keys.sorted()
        try write(Array(MirrorLayout.rootHTML(names).utf8), to: "\(root)/simple/index.html")
        try write(Array(MirrorLayout.rootJSON(names).utf8), to: "\(root)/simple/index.json")
    }

    private func write(_ bytes: [UInt8], to path: String) throws(ChannelError) {
        if let existing = FileManager.default.contents(atPath: path), [UInt8](existing) == bytes { return }
        do { try FileBytes.writeAtomically(bytes, to: path) } catch { throw ChannelError(error.description) }
    }

    /// The project pages the mirror wrote, for the caller's stamp.
    public var writtenProjects: [NormalizedName] { written.keys.sorted() }
}

func normalizeExtra(_ extra: String) -> String { NormalizedName(extra).value }

/// Runs `transform` over `items` with at most `width` in flight; results in input order.
func concurrentMap<T: Sendable, R: Sendable>(_ items: [T], width: Int,
                                             _ transform: @escaping @Sendable (T) async throws(ChannelError) -> R) async throws(ChannelError) -> [R] {
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
