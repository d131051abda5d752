// Every package record mlenv can install for one target: conda channels in priority order
// (strict priority: a name found in a higher channel hides it in lower ones, as conda's
// `channel_priority: strict`) and PyPI indexes (the first index that has a project wins, as
// uv's default `first-index` strategy; pip would merge them).

import Basics
import Requests
import Specs

public final class ChannelSet: Sendable {
    public let condaChannels: [CondaChannel]
    public let pypiIndexes: [PyPIIndex]
    public let target: Target

    /// Whether a request has gone to a remote index in this process so far, rather than
    /// everything coming fresh from its HTTP cache (true without a cache).
    public var usedTheNetwork: Bool {
        pypiIndexes.contains { index in
            guard index.isRemote else { return false }
            guard let cache = index.client?.cache else { return true }
            return cache.statistics.sent > 0
        }
    }
    /// Files uploaded and builds made at or after this time are invisible (`--exclude-newer`).
    public let excludeNewer: String?

    private struct State {
        /// Per channel (in priority order), its subdirs' records; read on first use (a virtualenv
        /// resolve never needs them), decoded by name on demand.
        var loadedConda: [[any CondaSubdir]]?
        var condaError: ChannelError?
        var byName: [Int: [String: [CondaRecord]]] = [:]
        var judged: [String: JudgedProject?] = [:]
        var sdists: SdistMetadataReader?
    }
    private let state = Locked(State())
    private let tagPolicy: TagPolicy
    private let cutoff: UploadCutoff?
    /// Where parsed channels are cached (nil: parse every time).
    public let cacheDirectory: String?

    /// How remote channels are fetched (nil: local channels only).
    public let client: HTTPClient?

    /// How the dependencies of an sdist are found (nil: sdists are not used, wheels only).
    public var sdists: SdistMetadataReader? {
        get { state.withLock { $0.sdists } }
        set { state.withLock { $0.sdists = newValue } }
    }

    public convenience init(
        condaChannels: [CondaChannel], pypiIndexes: [PyPIIndex], target: Target, excludeNewer: String? = nil,
        cacheDirectory: String? = nil, client: HTTPClient? = nil, condaProblem: ChannelError? = nil
    ) throws(ChannelError) {
        try self.init(
            condaChannels: condaChannels, pypiIndexes: pypiIndexes, target: target, excludeNewer: excludeNewer,
            cacheDirectory: cacheDirectory, client: client, condaSource: nil)
        state.withLock { $0.condaError = condaProblem }
    }

    private init(
        condaChannels: [CondaChannel], pypiIndexes: [PyPIIndex], target: Target, excludeNewer: String?,
        cacheDirectory: String?, client: HTTPClient?, condaSource: ChannelSet?
    ) throws(ChannelError) {
        self.condaSource = condaSource
        self.client = client
        self.condaChannels = condaChannels
        self.pypiIndexes = pypiIndexes
        self.target = target
        self.excludeNewer = excludeNewer
        do throws(TimestampError) {
            cutoff = try excludeNewer.map { text throws(TimestampError) in try UploadCutoff(text) }
        } catch {
            throw ChannelError(error.message)
        }
        self.cacheDirectory = cacheDirectory
        self.tagPolicy = TagPolicy(target: target)
        for channel in condaChannels {
            try channel.requireReadable()
            if !channel.isLocal && client == nil {
                throw ChannelError("channel \(channel.displayLocation): a remote channel needs an HTTP client")
            }
        }
    }

    /// Conda records come from this set when it has them (see `retargeted`).
    private let condaSource: ChannelSet?

    /// The same channels and indexes for another target, sharing the conda records this set
    /// has read or will read (they do not depend on the target's Python), so a caller that
    /// serves many Pythons (`mlenv lint` over a tree) parses each channel once.
    public func retargeted(_ target: Target) throws(ChannelError) -> ChannelSet {
        let set = try ChannelSet(
            condaChannels: condaChannels, pypiIndexes: pypiIndexes, target: target, excludeNewer: excludeNewer,
            cacheDirectory: cacheDirectory, client: client,
            condaSource: target.condaSubdirs == self.target.condaSubdirs ? (condaSource ?? self) : nil)
        set.sdists = sdists
        return set
    }

    /// Reads every conda channel now (errors surface here rather than at first use).
    public func loadCondaChannels() throws(ChannelError) {
        _ = try condaSubdirs()
    }

    private func condaSubdirs() throws(ChannelError) -> [[any CondaSubdir]] {
        if let condaSource { return try condaSource.condaSubdirs() }
        return try state.withLock { state throws(ChannelError) in try loadConda(&state) }
    }

    /// Reads every channel's subdirs, under the lock (one load, whichever thread asks first).
    private func loadConda(_ state: inout State) throws(ChannelError) -> [[any CondaSubdir]] {
        if let loadedConda = state.loadedConda { return loadedConda }
        if let condaError = state.condaError { throw condaError }
        // Every channel's subdirs side by side: a cold load parses each repodata.json, and a
        // full-size linux-64 and noarch take seconds each. The first error in channel order wins.
        let subdirs = target.condaSubdirs
        let cacheDirectory = cacheDirectory
        let client = client
        let work = condaChannels.flatMap { channel in subdirs.map { (channel, $0) } }
        let anyRemote = condaChannels.contains { !$0.isLocal }
        let loaded = Parallel.mapWaiting(work, jobs: anyRemote ? work.count : Parallel.processors) {
            channel, subdir -> Result<any CondaSubdir, ChannelError> in
            // A remote channel with a CEP 16 shard index is read by name, as the solve reaches them.
            if !channel.isLocal, let client,
                let sharded = ShardedSubdir.open(
                    channel: channel, subdir: subdir, client: client, cacheDirectory: cacheDirectory)
            {
                return .success(sharded)
            }
            do throws(ChannelError) {
                return .success(
                    try channel.subdirRecords(subdir: subdir, cacheDirectory: cacheDirectory, client: client))
            } catch {
                return .failure(error)
            }
        }
        var result: [[any CondaSubdir]] = []
        do {
            for c in condaChannels.indices {
                var channelSubdirs: [any CondaSubdir] = []
                for s in subdirs.indices { channelSubdirs.append(try loaded[c * subdirs.count + s].get()) }
                result.append(channelSubdirs)
            }
        } catch {
            state.condaError = error
            throw error
        }
        state.loadedConda = result
        return result
    }

    /// A channel's builds of one name, newest first, after `--exclude-newer`.
    private func records(channel index: Int, named name: String) -> [CondaRecord] {
        guard let subdirs = try? condaSubdirs(), index < subdirs.count else { return [] }
        if let known = state.withLock({ $0.byName[index]?[name] }) { return known }
        let perSubdir = subdirs[index].map { $0.records(named: name) }.filter { !$0.isEmpty }
        // Each subdir's records are already newest first; merge only when several have the name.
        var records = perSubdir.count == 1 ? perSubdir[0] : perSubdir.flatMap { $0 }
        if perSubdir.count > 1 {
            let order = records.indices.sorted { CondaRecord.preferredFirst(records[$0], records[$1]) }
            records = order.map { records[$0] }
        }
        if let cutoff { records.removeAll { cutoff.excludes(buildMilliseconds: $0.timestamp) } }
        state.withLock { $0.byName[index, default: [:]][name] = records }
        return records
    }

    /// Whether some conda channel is read by name from CEP 16 shards.
    public var hasShardedConda: Bool {
        ((try? condaSubdirs()) ?? []).contains { $0.contains { $0 is ShardedSubdir } }
    }

    /// Fetches ahead what `condaRecords(named:)` will read for these names: the shards of
    /// sharded channels, side by side (nothing for channels read whole). The solve's walk calls
    /// it with each round of names it reaches.
    public func prefetchConda(_ names: [String]) throws(ChannelError) {
        if let condaSource { return try condaSource.prefetchConda(names) }
        for channel in try condaSubdirs() {
            for subdir in channel { try subdir.prefetch(names) }
        }
    }

    /// Every conda record (after `--exclude-newer`), for counts and benchmarks; sharded
    /// channels' records are fetched by name as a solve needs them and are not counted (that
    /// would fetch every shard).
    public var condaRecordCount: Int {
        guard let subdirs = try? condaSubdirs() else { return 0 }
        var total = 0
        for (c, channel) in subdirs.enumerated() where !channel.contains(where: { $0 is ShardedSubdir }) {
            let names = channel.reduce(into: Set<String>()) { $0.formUnion($1.names) }
            total += names.reduce(0) { $0 + records(channel: c, named: $1).count }
        }
        return total
    }

    // MARK: conda

    /// The builds of `name`, newest first, from the highest-priority channel that has the name,
    /// or from `channel` only when the spec pins one (`conda-forge::numpy`).
    public func condaRecords(named name: String, channel: String? = nil) -> [CondaRecord] {
        for i in condaChannels.indices {
            if let channel, condaChannels[i].name != channel { continue }
            let found = records(channel: i, named: name)
            if !found.isEmpty { return found }
        }
        return []
    }

    /// Builds of `name` in every channel, including those strict priority hides (for search).
    public func allCondaRecords(named name: String) -> [CondaRecord] {
        condaChannels.indices.flatMap { records(channel: $0, named: name) }
    }

    public var condaNames: Set<String> {
        var names = Set<String>()
        for channel in (try? condaSubdirs()) ?? [] { for subdir in channel { names.formUnion(subdir.names) } }
        return names
    }

    // MARK: PyPI

    /// The project from the first index that has it.
    public func pypiProject(_ name: NormalizedName) throws(ChannelError) -> (PyPIProject, PyPIIndex)? {
        for index in pypiIndexes {
            if let project = try index.project(name) { return (project, index) }
        }
        return nil
    }

    /// Every file of the project with whether it can be installed on the target and why not.
    public func pypiCandidates(_ name: NormalizedName, pinned: Bool = false) throws(ChannelError) -> [PyPICandidate] {
        try judgedProject(name, pinned: pinned)?.all ?? []
    }

    /// The project's files, judged one by one as they are asked for; nil when no index has it.
    /// `pinned`: an exact pin may select a yanked file (PEP 592), so yanked files are judged.
    public func judgedProject(_ name: NormalizedName, pinned: Bool = false) throws(ChannelError) -> JudgedProject? {
        let key = "\(pinned ? 1 : 0)\(name.value)"
        if let known = state.withLock({ $0.judged[key] }) { return known }
        var found: JudgedProject?
        for index in pypiIndexes {
            if let files = try index.projectFiles(name) {
                found = JudgedProject(
                    files: files, index: index, policy: tagPolicy, target: target, cutoff: cutoff,
                    pinned: pinned)
                break
            }
        }
        state.withLock { $0.judged[key] = found }
        return found
    }
}

/// A project's files judged against a target on demand (PyPIProjectFiles decodes them on demand).
public final class JudgedProject: Sendable {
    public let files: PyPIProjectFiles
    public let index: PyPIIndex
    private let policy: TagPolicy
    private let target: Target
    private let cutoff: UploadCutoff?
    private let pinned: Bool
    public let count: Int
    private struct State {
        var memo: PyPICandidate.Memo
        var candidates: [PyPICandidate?]
    }
    private let state: Locked<State>

    init(
        files: PyPIProjectFiles, index: PyPIIndex, policy: TagPolicy, target: Target, cutoff: UploadCutoff?,
        pinned: Bool
    ) {
        self.cutoff = cutoff
        self.files = files
        self.index = index
        self.policy = policy
        self.target = target
        self.pinned = pinned
        count = files.count
        state = Locked(
            State(memo: PyPICandidate.Memo(target: target), candidates: Array(repeating: nil, count: files.count)))
    }

    public func candidate(_ i: Int) -> PyPICandidate {
        let file = files.file(i)
        return state.withLock { state in
            if let known = state.candidates[i] { return known }
            let judged = PyPICandidate.evaluate(
                file, index: index, policy: policy, target: target, cutoff: cutoff,
                pinned: pinned, memo: &state.memo)
            state.candidates[i] = judged
            return judged
        }
    }

    /// false when file `i` cannot install on the target because its Requires-Python excludes
    /// it, read without decoding the file: a walk back to the releases an old Python can
    /// install passes hundreds of files of releases that require a newer one. true otherwise
    /// (judge it to know).
    public func mayInstall(_ i: Int) -> Bool {
        guard let requires = files.requiresPython(ofFile: i) else { return true }
        return state.withLock { state in
            if let known = state.candidates[i] { return known.isInstallable }
            return state.memo.admits(requires)
        }
    }

    /// Every file, judged, in the page's order.
    public var all: [PyPICandidate] { (0..<count).map(candidate) }
}

/// A PyPI file judged against a target.
public struct PyPICandidate: Sendable {
    public enum Verdict: Hashable, Sendable {
        /// A wheel that installs; lower rank is the better tag match.
        case wheel(rank: Int, portable: Bool)
        /// An sdist: installable only by building it (compilers in the image).
        case needsBuild
        case excluded(reason: Unavailability)
    }

    public let file: PyPIFile
    public let index: PyPIIndex
    public let verdict: Verdict

    public var isInstallable: Bool {
        switch verdict {
        case .wheel, .needsBuild: return true
        case .excluded: return false
        }
    }

    /// What the files of one project share: most carry one of a few Requires-Python texts and
    /// tag sets, so each is judged once (a project page can list thousands of files).
    struct Memo {
        let python: PEP440Version?
        var requiresPython: [String: Bool] = [:]
        var tags: [Substring: TagPolicy.Verdict] = [:]

        init(target: Target) { python = try? PEP440Version(parsing: target.python.fullString) }

        mutating func admits(_ requires: String) -> Bool {
            if let known = requiresPython[requires] { return known }
            var result = true
            if let set = try? SpecifierSet(parsing: requires), let python {
                result = set.contains(python, prereleases: true)
            }
            requiresPython[requires] = result
            return result
        }

        mutating func verdict(_ wheel: WheelFilename, policy: TagPolicy) -> TagPolicy.Verdict {
            // The file name's tag part (`cp311-cp311-manylinux_2_17_x86_64`): what the verdict depends on.
            let name = wheel.filename.utf8
            var start = name.endIndex
            var dashes = 0
            while start > name.startIndex && dashes < 3 {
                start = name.index(before: start)
                if name[start] == UInt8(ascii: "-") { dashes += 1 }
            }
            let key = Substring(wheel.filename)[start...]
            if let known = tags[key] { return known }
            let verdict = policy.verdict(for: wheel)
            tags[key] = verdict
            return verdict
        }
    }

    static func evaluate(
        _ file: PyPIFile, index: PyPIIndex, policy: TagPolicy, target: Target,
        cutoff: UploadCutoff?, pinned: Bool, memo: inout Memo
    ) -> PyPICandidate {
        func excluded(_ reason: Unavailability) -> PyPICandidate {
            PyPICandidate(file: file, index: index, verdict: .excluded(reason: reason))
        }
        guard file.version != nil else { return excluded(.invalidVersion(file.versionText ?? file.filename)) }
        // Compared as instants (a text comparison mistakes zones and fractions).
        if let cutoff, let uploaded = file.uploadTime, cutoff.excludes(uploadTime: uploaded) {
            return excluded(.tooNew(uploaded: uploaded, cutoff: cutoff.text))
        }
        if let yanked = file.yanked, !pinned {
            return excluded(.yanked(reason: yanked))
        }
        if let requires = file.requiresPython, !memo.admits(requires) {
            return excluded(.requiresPython(specifier: requires, target: target.python.fullString))
        }
        switch file.kind {
        case .wheel(let wheel):
            switch memo.verdict(wheel, policy: policy) {
            case .compatible(let rank, let portable):
                return PyPICandidate(file: file, index: index, verdict: .wheel(rank: rank, portable: portable))
            case .incompatible(let reason): return excluded(reason)
            }
        case .sdist:
            return PyPICandidate(file: file, index: index, verdict: .needsBuild)
        case .other:
            return excluded(.notAWheelOrSdist)
        }
    }
}
