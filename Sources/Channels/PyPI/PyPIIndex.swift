// A PyPI index on disk: a simple repository (`<root>/<project>/index.json` in PEP 691 form or
// `index.html` in PEP 503 form, as `mlenv mirror` writes under `simple/`) or a flat wheelhouse
// directory (`--find-links` style). Project pages and metadata are read on demand and kept.

import FoundationEssentials
import JSON
import Specs

public final class PyPIIndex: @unchecked Sendable {
    public enum Layout: Hashable, Sendable {
        /// A simple repository root (the directory holding one folder per project).
        case simple(root: String)
        /// A directory of wheel and sdist files.
        case flat(directory: String)
    }

    public let layout: Layout
    /// A short name for messages and `mlenv search` rows.
    public let name: String

    /// The index's root directory (files' URLs are below it).
    public var location: String {
        switch layout {
        case .simple(let root): return root.hasSuffix("/simple") ? String(root.dropLast("/simple".count)) : root
        case .flat(let directory): return directory
        }
    }

    private let lock = Lock()
    private var projects: [NormalizedName: PyPIProjectFiles?] = [:]
    private var metadataByURL: [String: CoreMetadata?] = [:]
    private var requirements: [String: Requirement?] = [:]

    /// Parses a Requires-Dist line once per index.
    private func requirement(_ line: String) -> Requirement? {
        lock.lock()
        if let cached = requirements[line] { lock.unlock(); return cached }
        lock.unlock()
        let parsed = try? Requirement(parsing: line)
        lock.lock()
        requirements[line] = parsed
        lock.unlock()
        return parsed
    }
    private var wheelhouse: Wheelhouse?

    /// `path/to/mirror` (containing `simple/`), `path/to/mirror/simple`, `file://...`, or a
    /// directory of wheels.
    /// Where parsed project pages are cached (nil: parse every time).
    public var cacheDirectory: String?

    public init(_ text: String, cacheDirectory: String? = nil) throws(ChannelError) {
        self.cacheDirectory = cacheDirectory
        var path = text
        if path.hasPrefix("file://") { path = PercentEncoding.decoded(String(path.dropFirst("file://".count))) ?? path }
        if path.containsLiteral("://") {
            throw ChannelError("index \(text): remote indexes are read through `mlenv mirror` (make a local mirror first)")
        }
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory else {
            throw ChannelError("index \(text): no such directory")
        }
        if FileManager.default.fileExists(atPath: path + "/simple") {
            layout = .simple(root: path + "/simple")
        } else if (try? FileManager.default.contentsOfDirectory(atPath: path))?.contains(where: { $0.hasSuffix(".whl") || $0.hasSuffix(".tar.gz") }) == true {
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
        lock.lock()
        if let cached = projects[name] { lock.unlock(); return cached }
        lock.unlock()
        let loaded: PyPIProjectFiles?
        switch layout {
        case .simple(let root):
            loaded = try readProjectPage(root: root, name: name)
        case .flat(let directory):
            loaded = try flat(directory).project(name).map(PyPIProjectFiles.init)
        }
        lock.lock()
        projects[name] = loaded
        lock.unlock()
        return loaded
    }

    private func readProjectPage(root: String, name: NormalizedName) throws(ChannelError) -> PyPIProjectFiles? {
        let directory = "\(root)/\(name.value)/"
        let cacheFile = cacheDirectory.flatMap { dir in ProjectPageCache.key(pagePath: directory + "index.json").map { "\(dir)/\($0).bin" } }
        if let cacheFile, let cached = ProjectPageCache.read(cacheFile, project: name) { return cached }
        if let data = FileManager.default.contents(atPath: directory + "index.json") {
            let project = try ProjectPage.parseJSON([UInt8](data), project: name, pageURL: directory)
            if let cacheFile { ProjectPageCache.write(project, to: cacheFile) }
            return PyPIProjectFiles(project)
        }
        if let data = FileManager.default.contents(atPath: directory + "index.html") {
            return PyPIProjectFiles(ProjectPage.parseHTML(String(decoding: data, as: UTF8.self), project: name, pageURL: directory))
        }
        return nil
    }

    /// Every project the index has (a directory listing; for loading everything at once).
    public func projectNames() -> [NormalizedName] {
        switch layout {
        case .simple(let root):
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
            return names.filter { !$0.hasPrefix(".") && !$0.containsLiteral(".") || FileManager.default.fileExists(atPath: "\(root)/\($0)/index.json") }
                .filter { FileManager.default.fileExists(atPath: "\(root)/\($0)/index.json") || FileManager.default.fileExists(atPath: "\(root)/\($0)/index.html") }
                .map { NormalizedName($0) }.sorted()
        case .flat(let directory):
            return (try? flat(directory).projectNames()) ?? []
        }
    }

    /// The core metadata of a file: PEP 658 `.metadata` beside it, or METADATA inside a local wheel.
    /// nil when neither exists (an sdist without metadata: its dependencies need a build).
    public func metadata(for file: PyPIFile) throws(ChannelError) -> CoreMetadata? {
        // Wheels of one release usually share one metadata file: same hash, parsed once.
        let key = file.coreMetadata.flatMap { $0.isEmpty ? nil : "sha256:" + $0 } ?? file.url
        lock.lock()
        if let cached = metadataByURL[key] { lock.unlock(); return cached }
        lock.unlock()
        var result: CoreMetadata?
        if file.coreMetadata != nil, let data = FileBytes.readPlain(file.metadataURL) {
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
        } else if file.wheel != nil, FileManager.default.fileExists(atPath: file.url) {
            result = try WheelArchive.metadata(path: file.url)
        }
        lock.lock()
        metadataByURL[key] = result
        lock.unlock()
        return result
    }

    private func flat(_ directory: String) throws(ChannelError) -> Wheelhouse {
        lock.lock()
        defer { lock.unlock() }
        if let wheelhouse { return wheelhouse }
        let built = Wheelhouse(directory: directory)
        wheelhouse = built
        return built
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
            files[project, default: []].append(PyPIFile(project: project, filename: filename, url: path, sha256: nil,
                                                        requiresPython: nil, yanked: nil, uploadTime: nil, size: nil, coreMetadata: nil))
        }
        self.files = files
    }

    func project(_ name: NormalizedName) -> PyPIProject? {
        files[name].map { PyPIProject(name: name, files: $0) }
    }

    func projectNames() -> [NormalizedName] { files.keys.sorted() }
}
