// A PyPI index: a simple repository on disk (`<root>/<project>/index.json` in PEP 691 form or
// `index.html` in PEP 503 form, as `mlenv mirror` writes under `simple/`), a flat wheelhouse
// directory (`--find-links` style), or a simple repository over HTTP(S) (`--index-url`), read
// through the shared HTTP cache: PEP 691 JSON asked first, PEP 503 HTML accepted, PEP 658/714
// metadata files, and a wheel's METADATA over range requests where the index has none.
// Project pages and metadata are read on demand and kept.

import Basics
import FoundationEssentials
import JSON
import Specs

public final class PyPIIndex: Sendable {
    public enum Layout: Hashable, Sendable {
        /// A simple repository root (the directory holding one folder per project).
        case simple(root: String)
        /// A directory of wheel and sdist files.
        case flat(directory: String)
        /// A simple repository over HTTP(S): its URL (ending in `/`, no credentials).
        case remote(url: String)
    }

    public let layout: Layout
    /// A short name for messages and `mlenv search` rows.
    public let name: String

    /// The index's root directory (files' URLs are below it).
    public var location: String {
        switch layout {
        case .simple(let root): return root.hasSuffix("/simple") ? String(root.dropLast("/simple".count)) : root
        case .flat(let directory): return directory
        case .remote(let url): return url
        }
    }

    /// Whether the index is reached over the network.
    public var isRemote: Bool {
        if case .remote = layout { return true }
        return false
    }

    /// How a remote index is reached (nil for local ones).
    public let client: HTTPClient?

    /// Project pages, metadata and Requires-Dist lines read so far, and a flat index's files.
    private struct State {
        var projects: [NormalizedName: PyPIProjectFiles?] = [:]
        var metadataByURL: [String: CoreMetadata?] = [:]
        var wheelhouse: Wheelhouse?
    }
    private let state = Locked(State())

    private let requirements = RequirementMemo()

    /// Parses a Requires-Dist line once per index.
    private func requirement(_ line: String) -> Requirement? { requirements.requirement(line) }

    /// `path/to/mirror` (containing `simple/`), `path/to/mirror/simple`, `file://...`, or a
    /// directory of wheels.
    /// Where parsed project pages are cached (nil: parse every time).
    public let cacheDirectory: String?

    /// Where parsed metadata is kept by the SHA-256 of its file (nil: parse every file read).
    public let parsedMetadata: ParsedMetadataStore?

    /// An `http(s)://` URL is a remote simple repository, read through `client`.
    public init(
        _ text: String, cacheDirectory: String? = nil, client: HTTPClient? = nil,
        parsedMetadata: ParsedMetadataStore? = nil
    ) throws(ChannelError) {
        self.cacheDirectory = cacheDirectory
        self.client = client
        self.parsedMetadata = parsedMetadata
        var path = text
        if path.hasPrefix("file://") { path = PercentEncoding.decoded(String(path.dropFirst("file://".count))) ?? path }
        if let scheme = URLText.scheme(path) {
            guard scheme == "http" || scheme == "https", URLText.host(path) != nil else {
                throw ChannelError(
                    "index \(URLText.redacted(text)): only http(s):// and file:// URLs or directories can be indexes")
            }
            guard client != nil else {
                throw ChannelError("index \(URLText.redacted(text)): a remote index needs an HTTP client")
            }
            var url = URLText.withoutCredentials(text)
            if !url.hasSuffix("/") { url += "/" }
            layout = .remote(url: url)
            name = URLText.redacted(text)
            return
        }
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory else {
            throw ChannelError("index \(text): no such directory")
        }
        if FileManager.default.fileExists(atPath: path + "/simple") {
            layout = .simple(root: path + "/simple")
        } else if (try? FileManager.default.contentsOfDirectory(atPath: path))?.contains(where: {
            $0.hasSuffix(".whl") || $0.hasSuffix(".tar.gz")
        }) == true {
            layout = .flat(directory: path)
        } else {
            layout = .simple(root: path)
        }
        name = path.split(separator: "/").suffix(path.hasSuffix("/simple") ? 2 : 1).first.map(String.init) ?? path
    }

    /// The project's files, or nil when the index does not have it.
    public func project(_ name: NormalizedName) throws(ChannelError) -> PyPIProject? {
        try projectFiles(name)?.project
    }

    /// The project's files by release, decoded on demand, or nil when the index does not have it.
    public func projectFiles(_ name: NormalizedName) throws(ChannelError) -> PyPIProjectFiles? {
        if let cached = state.withLock({ $0.projects[name] }) { return cached }
        let loaded: PyPIProjectFiles?
        switch layout {
        case .simple(let root):
            loaded = try readProjectPage(root: root, name: name)
        case .flat(let directory):
            loaded = try flat(directory).project(name).map(PyPIProjectFiles.init)
        case .remote(let url):
            loaded = try fetchProjectPage(base: url, name: name)
        }
        state.withLock { $0.projects[name] = loaded }
        return loaded
    }

    private func readProjectPage(root: String, name: NormalizedName) throws(ChannelError) -> PyPIProjectFiles? {
        let directory = "\(root)/\(name.value)/"
        let cacheFile = cacheDirectory.flatMap {
            ProjectPageCache.file(in: $0, pagePath: directory + "index.json", owner: directory + "index.json")
        }
        if let cacheFile, let cached = ProjectPageCache.read(cacheFile, project: name) { return cached }
        if let data = FileManager.default.contents(atPath: directory + "index.json") {
            let project = try ProjectPage.parseJSON([UInt8](data), project: name, pageURL: directory)
            if let cacheFile { ProjectPageCache.write(project, to: cacheFile) }
            return PyPIProjectFiles(project)
        }
        if let data = FileManager.default.contents(atPath: directory + "index.html") {
            return PyPIProjectFiles(
                ProjectPage.parseHTML(String(decoding: data, as: UTF8.self), project: name, pageURL: directory))
        }
        return nil
    }

    /// The media types asked of a remote index: PEP 691 JSON first, then HTML (PEP 691's own example).
    static let pageAccept =
        "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"

    private func fetchProjectPage(base: String, name: NormalizedName) throws(ChannelError) -> PyPIProjectFiles? {
        let url = base + name.value + "/"
        let what = "the project page of \(name.value)"
        guard var answer = try RemoteFetch.get(url, accept: PyPIIndex.pageAccept, client: client!, what: what) else {
            return nil
        }
        let pageURL = answer.finalURL.map(URLText.withoutCredentials) ?? url
        // The body's file name starts with the HTTP cache's key of the URL: one folder per page.
        let directory = cacheDirectory
        func parsedFile(_ answer: HTTPCacheEntry) -> String? {
            directory.flatMap { dir in
                answer.bodyPath.flatMap { body in
                    // The body file's name up to its first "-": the HTTP cache's key of the URL.
                    let name = body.utf8.lastIndex(of: UInt8(ascii: "/")).map { body[body.utf8.index(after: $0)...] }
                    return ProjectPageCache.file(
                        in: dir, pagePath: body, owner: String((name ?? body[...]).prefix { $0 != "-" }))
                }
            }
        }
        if let cacheFile = parsedFile(answer), let cached = ProjectPageCache.read(cacheFile, project: name) {
            return cached
        }
        // Parsed from the body: check it first (a damaged one is fetched again).
        guard
            let checked = try RemoteFetch.intact(answer, url, accept: PyPIIndex.pageAccept, client: client!, what: what)
        else { return nil }
        answer = checked
        let cacheFile = parsedFile(answer)
        let body = answer.body()
        var project: PyPIProject
        if answer.contentType?.containsLiteral("json") == true
            || (answer.contentType == nil && body.first == UInt8(ascii: "{"))
        {
            project = try ProjectPage.parseJSON(body, project: name, pageURL: pageURL)
        } else {
            project = ProjectPage.parseHTML(String(decoding: body, as: UTF8.self), project: name, pageURL: pageURL)
        }
        // A remote page may only point at http(s) files: never at this machine's own files.
        if project.files.contains(where: { URLText.scheme($0.url).map { $0 != "http" && $0 != "https" } ?? true }) {
            project = PyPIProject(
                name: name,
                files: project.files.filter { URLText.scheme($0.url) == "http" || URLText.scheme($0.url) == "https" })
        }
        if let cacheFile { ProjectPageCache.write(project, to: cacheFile) }
        return PyPIProjectFiles(project)
    }

    /// Every project the index has (a directory listing; for loading everything at once).
    public func projectNames() -> [NormalizedName] {
        switch layout {
        case .simple(let root):
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
            return names.filter {
                !$0.hasPrefix(".") && !$0.containsLiteral(".")
                    || FileManager.default.fileExists(atPath: "\(root)/\($0)/index.json")
            }
            .filter {
                FileManager.default.fileExists(atPath: "\(root)/\($0)/index.json")
                    || FileManager.default.fileExists(atPath: "\(root)/\($0)/index.html")
            }
            .map { NormalizedName($0) }.sorted()
        case .flat(let directory):
            return (try? flat(directory).projectNames()) ?? []
        case .remote:
            return []  // never list a remote index
        }
    }

    /// The core metadata of a file: PEP 658 `.metadata` beside it, or METADATA inside a local wheel.
    /// nil when neither exists (an sdist without metadata: its dependencies need a build).
    public func metadata(for file: PyPIFile) throws(ChannelError) -> CoreMetadata? {
        let key = metadataKey(for: file)
        if let cached = state.withLock({ $0.metadataByURL[key] }) { return cached }
        var result: CoreMetadata?
        // A metadata file the index gives the SHA-256 of: parsed once, kept by that digest (in
        // lowercase hex only: the local path compares the text as given).
        let digest = file.coreMetadata.flatMap { $0.isEmpty ? nil : $0 }
        if let digest, let store = parsedMetadata, let kept = store.metadata(sha256: digest, requirement: requirement) {
            result = kept
        } else if isRemote {
            result = try remoteMetadata(for: file)
            if let digest, let result { parsedMetadata?.keep(result, sha256: digest) }
        } else if file.coreMetadata != nil, let data = FileBytes.readPlain(file.metadataURL) {
            if let expected = file.coreMetadata, !expected.isEmpty {
                let actual = Digester.hex(.sha256, of: data)
                guard actual == expected else {
                    throw ChannelError("\(file.metadataURL): sha256 is \(actual) but the index says \(expected)")
                }
            }
            do {
                result = try CoreMetadata(parsing: String(decoding: data, as: UTF8.self), requirement: requirement)
            } catch {
                throw ChannelError("\(file.metadataURL): \(error.message)")
            }
            if let digest, let result { parsedMetadata?.keep(result, sha256: digest) }
        } else if file.wheel != nil, FileManager.default.fileExists(atPath: file.url) {
            result = try WheelArchive.metadata(path: file.url)
        }
        state.withLock { $0.metadataByURL[key] = result }
        return result
    }

    /// The core metadata of several files, as `metadata(for:)` gives each (the first error
    /// thrown in their order). What is at hand (read already, or kept parsed by the SHA-256
    /// the index gives) is looked up with each lock taken once for the lot, not once per file:
    /// a resolve loads projects on up to 16 threads, and there per-file locking is mostly
    /// spinning. From a remote index the rest is fetched side by side (one request per
    /// metadata key: a release's wheels usually share one file).
    public func metadata(for files: [PyPIFile]) throws(ChannelError) -> [CoreMetadata?] {
        let keys = files.map(metadataKey(for:))
        var found: [CoreMetadata??] = state.withLock { state in keys.map { state.metadataByURL[$0] } }
        if let store = parsedMetadata {
            let kept = files.indices.filter { found[$0] == nil && !(files[$0].coreMetadata ?? "").isEmpty }
            if !kept.isEmpty {
                let parsed = store.metadata(sha256s: kept.map { files[$0].coreMetadata! }, requirement: requirement)
                for (i, metadata) in zip(kept, parsed) where metadata != nil { found[i] = .some(metadata) }
                let newly = kept.filter { found[$0] != nil }
                if !newly.isEmpty {
                    state.withLock { state in for i in newly { state.metadataByURL[keys[i]] = found[i]! } }
                }
            }
        }
        if isRemote {
            var asked = Set<String>()
            let missing = files.indices.filter { found[$0] == nil && asked.insert(keys[$0]).inserted }
            if missing.count > 1 {
                // Errors surface again below, in order.
                _ = Parallel.mapWaiting(missing.map { files[$0] }, jobs: 8) { file in
                    _ = try? self.metadata(for: file)
                }
            }
        }
        var result: [CoreMetadata?] = []
        result.reserveCapacity(files.count)
        for (i, file) in files.enumerated() {
            if let known = found[i] { result.append(known) } else { result.append(try metadata(for: file)) }
        }
        return result
    }

    /// What a file's metadata is kept under. Wheels of one release usually share one metadata
    /// file (same hash: parsed once). A remote wheel without a metadata file is read over range
    /// requests, and, as uv does, its release's wheels are taken to share the first one's
    /// metadata (every file of a release declares its platform differences through markers):
    /// one read per release, not one per wheel.
    public func metadataKey(for file: PyPIFile) -> String {
        if let hash = file.coreMetadata, !hash.isEmpty { return "sha256:" + hash }
        if isRemote, file.coreMetadata == nil, file.wheel != nil, let version = file.versionText {
            return "release:\(file.project.value)==\(version)"
        }
        return file.url
    }

    /// A remote file's metadata: its PEP 658 file (checked against the index's hash), else,
    /// for a wheel, its METADATA over range requests; nil for an sdist without one.
    private func remoteMetadata(for file: PyPIFile) throws(ChannelError) -> CoreMetadata? {
        let client = client!
        if file.coreMetadata != nil,
            let (data, actual) = try RemoteFetch.body(
                file.metadataURL, accept: nil, client: client, what: "the metadata of \(file.filename)")
        {
            if let expected = file.coreMetadata, !expected.isEmpty {
                guard actual == expected.lowercased() else {
                    throw ChannelError(
                        "\(URLText.redacted(file.metadataURL)): sha256 is \(actual) but the index says \(expected)")
                }
            }
            do {
                return try CoreMetadata(parsing: String(decoding: data, as: UTF8.self), requirement: requirement)
            } catch {
                throw ChannelError("\(URLText.redacted(file.metadataURL)): \(error.message)")
            }
        }
        guard file.wheel != nil else { return nil }
        // Read over range requests once, then kept in the cache under the file's URL and digest.
        let what = "wheel-metadata \(URLText.withoutCredentials(file.url)) \(file.sha256 ?? "")"
        if file.sha256 != nil, let text = client.cache?.derived(what) {
            do {
                return try CoreMetadata(parsing: String(decoding: text, as: UTF8.self), requirement: requirement)
            } catch {}
        }
        let bytes = try RemoteFetch.wheelMetadata(file.url, client: client)
        let metadata: CoreMetadata
        do {
            metadata = try CoreMetadata(parsing: String(decoding: bytes, as: UTF8.self), requirement: requirement)
        } catch {
            throw ChannelError("\(URLText.redacted(file.url)): METADATA: \(error.message)")
        }
        if file.sha256 != nil { client.cache?.storeDerived(what, bytes: bytes) }
        return metadata
    }

    private func flat(_ directory: String) throws(ChannelError) -> Wheelhouse {
        state.withLock { state in
            if let wheelhouse = state.wheelhouse { return wheelhouse }
            let built = Wheelhouse(directory: directory)
            state.wheelhouse = built
            return built
        }
    }
}

/// A directory of distribution files, grouped by project.
struct Wheelhouse {
    let directory: String
    private let files: [NormalizedName: [PyPIFile]]

    init(directory: String) {
        self.directory = directory
        var files: [NormalizedName: [PyPIFile]] = [:]
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        for filename in names {
            let project: NormalizedName
            if filename.hasSuffix(".whl"), let wheel = try? WheelFilename(parsing: filename) {
                project = wheel.name
            } else if let ext = SdistFilename.extensions.first(where: { filename.hasSuffix($0) }) {
                // Without an index the project name is everything before the last '-'.
                let stem = filename.dropLast(ext.count)
                guard let dash = stem.lastIndex(of: "-") else { continue }
                project = NormalizedName(String(stem[..<dash]))
            } else {
                continue
            }
            let path = "\(directory)/\(filename)"
            files[project, default: []].append(
                PyPIFile(
                    project: project, filename: filename, url: path, sha256: nil,
                    requiresPython: nil, yanked: nil, uploadTime: nil, size: nil, coreMetadata: nil))
        }
        self.files = files
    }

    func project(_ name: NormalizedName) -> PyPIProject? {
        files[name].map { PyPIProject(name: name, files: $0) }
    }

    func projectNames() -> [NormalizedName] { files.keys.sorted() }
}
