// The dependencies of a source distribution, found as pip and uv find them:
// - PKG-INFO inside the archive when it may be trusted for them: Metadata-Version 2.2 or later
//   with neither Requires-Dist nor Requires-Python marked Dynamic (PEP 643: such fields are the
//   same in every wheel built from it);
// - else the build backend's metadata hook (PEP 517 `prepare_metadata_for_build_wheel`), run by
//   pip in an isolated build environment (`pip install --dry-run --no-deps --report`), its
//   build requirements taken from the same indexes as the solve. What it reports is kept in the
//   cache under the sdist's SHA-256 (sealed with a checksum), so a sdist is built once.
// The archive comes from a local index as it is, or from a remote one through the HTTP cache,
// checked against the index's SHA-256. A local mirror that lists an sdist but holds no copy of
// it (as the embedded snapshot) gives no metadata: the release stays "sdist only".
//
// The backend runs on this machine's Python (MLENV_BUILD_PYTHON, else python3): a setup.py that
// computes its dependencies from the running interpreter answers for that interpreter; markers
// in what it declares are still evaluated for the target, as pip does when it builds in the image.

import Basics
import FoundationEssentials
import Glibc
import JSON
import Specs

public final class SdistMetadataReader: Sendable {
    /// The interpreter that runs pip for metadata hooks (nil: PKG-INFO only, no backend runs).
    public let python: String?
    /// Where backend answers are kept (`<cache>/sdist-metadata`), nil for none.
    public let cacheDirectory: String?
    /// pip's index options for build requirements (`--index-url`, `--extra-index-url`,
    /// `--find-links`, `--no-index`), from the solve's own indexes.
    public let indexArguments: [String]
    /// Projects that must come as wheels (`--only-binary NAME`): their sdists are never read.
    public let onlyBinary: Set<NormalizedName>
    /// The most an sdist may weigh (pyspark's is ~320 MB).
    public static let sizeLimit: UInt64 = 2 << 30

    private let answers = Locked<[String: Result<CoreMetadata, ChannelError>]>([:])

    public init(python: String?, cacheDirectory: String?, indexes: [PyPIIndex], onlyBinary: Set<NormalizedName> = []) {
        self.python = python
        self.cacheDirectory = cacheDirectory
        self.indexArguments = SdistMetadataReader.pipIndexArguments(indexes)
        self.onlyBinary = onlyBinary
    }

    public func allowsBuilding(_ name: NormalizedName) -> Bool { !onlyBinary.contains(name) }

    /// Seconds a metadata hook may take (MLENV_BUILD_TIMEOUT, default 300).
    public static var timeout: Double {
        ProcessInfo.processInfo.environment["MLENV_BUILD_TIMEOUT"].flatMap(Double.init).map { max(1, $0) } ?? 300
    }

    /// The interpreter named by MLENV_BUILD_PYTHON, else `python3` (through /usr/bin/env).
    public static var defaultPython: String { ProcessInfo.processInfo.environment["MLENV_BUILD_PYTHON"] ?? "python3" }

    /// pip's options naming the same indexes, first one as `--index-url`.
    static func pipIndexArguments(_ indexes: [PyPIIndex]) -> [String] {
        var arguments: [String] = []
        var first = true
        for index in indexes {
            switch index.layout {
            case .remote(let url):
                arguments += [first ? "--index-url" : "--extra-index-url", url]
                first = false
            case .simple(let root):
                arguments += [first ? "--index-url" : "--extra-index-url", "file://" + root]
                first = false
            case .flat(let directory):
                arguments += ["--find-links", directory]
            }
        }
        if first { arguments.append("--no-index") }
        return arguments
    }

    /// The metadata of an sdist, or nil when no copy of the file can be had (a local index
    /// without it). Errors say why its dependencies could not be known.
    public func metadata(for file: PyPIFile, index: PyPIIndex) throws(ChannelError) -> CoreMetadata? {
        guard let path = try archive(file, index: index) else { return nil }
        let key =
            file.sha256?.lowercased()
            ?? ((try? ArtifactCache.digest(of: path, algorithm: .sha256, filename: file.filename)) ?? path)
        if let known = answers.withLock({ $0[key] }) { return try known.get() }
        let result: Result<CoreMetadata, ChannelError>
        do throws(ChannelError) { result = .success(try read(path, file: file, key: key)) } catch {
            result = .failure(error)
        }
        answers.withLock { $0[key] = result }
        return try result.get()
    }

    /// Whether an sdist's PKG-INFO may be used for its dependencies (PEP 643).
    public static func declaresStatically(_ metadata: CoreMetadata) -> Bool {
        let parts = metadata.metadataVersion.split(separator: ".").compactMap { Int($0) }
        guard parts.count >= 2, (parts[0], parts[1]) >= (2, 2) else { return false }
        let dynamic = Set(metadata.dynamic.map { $0.lowercased() })
        return !dynamic.contains("requires-dist") && !dynamic.contains("requires-python")
            && !dynamic.contains("provides-extra")
    }

    private func read(_ path: String, file: PyPIFile, key: String) throws(ChannelError) -> CoreMetadata {
        if let info = try SdistArchive.pkgInfo(path: path, filename: file.filename),
            SdistMetadataReader.declaresStatically(info)
        {
            return info
        }
        let kept = cacheDirectory.map { "\($0)/\(key).metadata" }
        if let kept, let sealed = FileBytes.readPlain(kept) {
            if let bytes = CacheChecksum.unsealed(sealed),
                let metadata = try? CoreMetadata(parsing: String(decoding: bytes, as: UTF8.self))
            {
                return metadata
            }
            CacheNotes.damaged(kept, "it does not match its checksum or does not parse")
        }
        guard let python else {
            throw ChannelError(
                "\(file.filename): its PKG-INFO does not declare its dependencies (PEP 643), and building its metadata is not allowed here"
            )
        }
        let metadata = try backendMetadata(path, filename: file.filename, python: python)
        if let kept, let directory = cacheDirectory {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try? FileBytes.writeAtomically(CacheChecksum.sealed(Array(metadata.trimmedText.utf8)), to: kept)
        }
        return metadata
    }

    /// A local copy of the sdist: the index's own file, or the HTTP cache's (checked against
    /// the index's SHA-256).
    private func archive(_ file: PyPIFile, index: PyPIIndex) throws(ChannelError) -> String? {
        guard index.isRemote, let client = index.client else {
            var info = stat()
            return stat(file.url, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? file.url : nil
        }
        let suffix = SdistFilename.extensions.first { file.filename.lowercased().hasSuffix($0) } ?? ""
        // A 404: the index lists a file it does not hold (a partial mirror), as a local mirror
        // without the file: no copy to read.
        guard
            let entry = try RemoteFetch.get(
                file.url, accept: nil, client: client, what: "the sdist \(file.filename)", suffix: suffix,
                maxBytes: SdistMetadataReader.sizeLimit, immutable: true, checkBody: true)
        else { return nil }
        guard let path = entry.bodyPath else {
            throw ChannelError("\(URLText.redacted(file.url)): the sdist \(file.filename) was not kept in the cache")
        }
        if let expected = file.sha256?.lowercased() {
            let actual = try? ArtifactCache.digest(of: path, algorithm: .sha256, filename: file.filename)
            guard actual == expected else {
                throw ChannelError(
                    "\(URLText.redacted(file.url)): sha256 is \(actual ?? "unreadable") but the index says \(expected)")
            }
        }
        return path
    }

    /// Runs the build backend's metadata hook through pip and reads its installation report.
    private func backendMetadata(_ path: String, filename: String, python: String) throws(ChannelError) -> CoreMetadata
    {
        let scratch =
            FileManager.default.temporaryDirectory.path
            + "/mlenv-sdist-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let token = Interruption.guardPath(scratch)
        defer {
            try? FileManager.default.removeItem(atPath: scratch)
            Interruption.release(token)
        }
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let report = scratch + "/report.json"
        // `--only-binary :all:` reaches the isolated build environment only (a file named on the
        // command line is prepared anyway): build requirements come as wheels, never built
        // from source themselves (an old sdist pinning an old numpy would compile it first).
        let arguments =
            [
                python, "-m", "pip", "install", "--dry-run", "--no-deps", "--ignore-installed", "--quiet",
                "--disable-pip-version-check", "--only-binary", ":all:", "--report", report
            ] + indexArguments + [path]
        var environment = ProcessInfo.processInfo.environment
        environment["PIP_NO_INPUT"] = "1"
        let run: ChildProcess.Completion
        do {
            run = try ChildProcess.run(
                python.hasPrefix("/") ? python : "/usr/bin/env",
                arguments: python.hasPrefix("/") ? Array(arguments.dropFirst()) : arguments,
                environment: environment, standardOutput: .discard, standardError: .capture,
                timeout: SdistMetadataReader.timeout)
        } catch {
            throw ChannelError("\(filename): cannot run \(python) to build its metadata: \(error.description)")
        }
        if run.timedOut {
            throw ChannelError(
                "\(filename): its build backend did not prepare its metadata within \(Int(SdistMetadataReader.timeout)) s (MLENV_BUILD_TIMEOUT)"
            )
        }
        guard run.status == 0, let bytes = FileBytes.readPlain(report) else {
            let tail = String(decoding: run.error, as: UTF8.self).split(separator: "\n").map {
                String($0).trimmingSpaces()
            }
            .filter { !$0.isEmpty }.suffix(4).joined(separator: " | ")
            throw ChannelError(
                "\(filename): its build backend could not prepare its metadata (pip \(run.termination.brief)): \(tail)")
        }
        return try SdistMetadataReader.metadataFromReport(bytes, filename: filename)
    }

    /// The metadata of the one project in a pip installation report (`--report`, its
    /// `install[0].metadata`, the JSON form of core metadata).
    public static func metadataFromReport(_ bytes: [UInt8], filename: String) throws(ChannelError) -> CoreMetadata {
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch {
            throw ChannelError("\(filename): pip's report does not parse: \(error)")
        }
        guard let installs = value["install"]?.arrayValue, installs.count == 1, let metadata = installs[0]["metadata"],
            let name = metadata["name"]?.stringValue, let version = metadata["version"]?.stringValue
        else {
            throw ChannelError("\(filename): pip's report names no single project")
        }
        // One header per line: a value holding a line break could add headers of its own.
        func line(_ key: String, _ value: String) -> String? {
            value.contains(where: \.isNewline) ? nil : "\(key): \(value)"
        }
        func strings(_ key: String) -> [String] { metadata[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        var lines = [
            line("Metadata-Version", metadata["metadata_version"]?.stringValue ?? "2.1"), line("Name", name),
            line("Version", version)
        ]
        if let requires = metadata["requires_python"]?.stringValue { lines.append(line("Requires-Python", requires)) }
        lines += strings("provides_extra").map { line("Provides-Extra", $0) }
        lines += strings("requires_dist").map { line("Requires-Dist", $0) }
        guard lines.allSatisfy({ $0 != nil }) else {
            throw ChannelError("\(filename): pip's report has a line break inside a metadata value")
        }
        do { return try CoreMetadata(parsing: lines.compactMap { $0 }.joined(separator: "\n") + "\n") } catch {
            throw ChannelError("\(filename): pip's report: \(error.message)")
        }
    }
}

/// Reading PKG-INFO from an sdist (`.tar.gz` or `.zip`): the one at `<top>/PKG-INFO`.
enum SdistArchive {
    static func pkgInfo(path: String, filename: String) throws(ChannelError) -> CoreMetadata? {
        guard
            let bytes = try ArchiveMember.read(
                path: path, limit: 16 << 20, matching: { parts in parts.count == 2 && parts[1] == "PKG-INFO" })
        else {
            return nil
        }
        do { return try CoreMetadata(parsing: String(decoding: bytes, as: UTF8.self)) } catch {
            throw ChannelError("\(filename): PKG-INFO: \(error.message)")
        }
    }
}

/// Other files of an sdist that tell how it builds.
public enum SdistFiles {
    /// `<top>/pyproject.toml` as text, nil when the sdist has none (a setup.py-only project).
    public static func pyprojectTOML(path: String) throws(ChannelError) -> String? {
        try ArchiveMember.read(
            path: path, limit: 1 << 20, matching: { parts in parts.count == 2 && parts[1] == "pyproject.toml" }
        )
        .map { String(decoding: $0, as: UTF8.self) }
    }
}
