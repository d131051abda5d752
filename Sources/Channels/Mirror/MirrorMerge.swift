// Rerunning `mlenv mirror -o DIR` extends the mirror: what an earlier run wrote is read here,
// whole and before anything is written, so a mirror that cannot be read is refused with nothing
// changed. Its files are untrusted like any index: sizes are bounded, names must be plain, and
// each page must be one `MirrorLayout` writes (file URLs into `files/<project>/`).

import Basics
import FoundationEssentials
import Glibc
import JSON
import Specs

enum MirrorFiles {
    /// A project page of one of the largest projects is a few MiB.
    static let pageLimit = 64 << 20
    /// A conda subset's repodata.json (the closure of the roots, not the whole channel).
    static let repodataLimit = 1 << 30

    /// The bytes of `path`; nil when there is no file there. Refuses what is not a regular
    /// file or is larger than `limit`.
    static func read(_ path: String, limit: Int) throws(ChannelError) -> [UInt8]? {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw ChannelError("\(path): cannot be read (\(String(cString: strerror(errno))))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw ChannelError("\(path): not a regular file") }
        guard Int(info.st_size) <= limit else {
            throw ChannelError("\(path): larger than \(limit >> 20) MiB; not a file mlenv mirror writes")
        }
        guard let bytes = FileBytes.readPlain(path) else { throw ChannelError("\(path): cannot be read") }
        guard bytes.count <= limit else {
            throw ChannelError("\(path): larger than \(limit >> 20) MiB; not a file mlenv mirror writes")
        }
        return bytes
    }

    static func parseObject(_ bytes: [UInt8], path: String) throws(ChannelError) -> JSONObject {
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch {
            throw ChannelError("\(path):\(error.line):\(error.column): invalid JSON: \(error.message)")
        }
        guard let object = value.objectValue else {
            throw ChannelError("\(path): expected a JSON object, found \(value.kindName)")
        }
        return object
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }
}

/// The PyPI side of a mirror an earlier run wrote: its stamp and every project page the root
/// index lists.
struct ExistingPyPIMirror {
    let stamp: PyPIMirrorStamp
    let pages: [NormalizedName: [MirroredFile]]

    /// nil when `root` holds no mirror yet (a fetch cache alone is not one).
    static func load(_ root: String) throws(ChannelError) -> ExistingPyPIMirror? {
        let stampPath = root + "/" + MirrorStamp.fileName
        let indexPath = root + "/simple/index.json"
        let stampBytes = try MirrorFiles.read(stampPath, limit: MirrorStamp.limit)
        let indexBytes = try MirrorFiles.read(indexPath, limit: MirrorFiles.pageLimit)
        switch (stampBytes, indexBytes) {
        case (nil, nil):
            return nil
        case (nil, _?):
            throw ChannelError(
                "\(root): has a simple index but no \(MirrorStamp.fileName), so it is not a mirror mlenv made (or its first run was interrupted); mlenv extends only its own mirrors: use another -o, or remove \(indexPath)"
            )
        case (_?, nil):
            throw ChannelError(
                "\(root): has a \(MirrorStamp.fileName) but no simple/index.json: not a complete mirror; use another -o, or remove \(stampPath)"
            )
        case (let stampBytes?, let indexBytes?):
            let stamp = try PyPIMirrorStamp.parse(stampBytes, path: stampPath)
            let index = try MirrorFiles.parseObject(indexBytes, path: indexPath)
            guard let listed = index["projects"]?.arrayValue else {
                throw ChannelError("\(indexPath): a PEP 691 root index needs a \"projects\" list")
            }
            var pages: [NormalizedName: [MirroredFile]] = [:]
            for entry in listed {
                // Names become paths: only names a mirror could have written.
                guard let text = entry["name"]?.stringValue, FieldCheck.isPlainFileName(text),
                    NormalizedName(text).value == text
                else {
                    throw ChannelError(
                        "\(indexPath): a project name that is not a normalized project name: \(entry.serialized().prefix(80))"
                    )
                }
                let name = NormalizedName(text)
                guard pages[name] == nil else { throw ChannelError("\(indexPath): lists \(text) twice") }
                let pagePath = "\(root)/simple/\(text)/index.json"
                guard let bytes = try MirrorFiles.read(pagePath, limit: MirrorFiles.pageLimit) else {
                    throw ChannelError("\(indexPath): lists \(text), but \(pagePath) does not exist")
                }
                pages[name] = try MirrorLayout.parseProjectPageJSON(bytes, project: name, path: pagePath)
            }
            return ExistingPyPIMirror(stamp: stamp, pages: pages)
        }
    }
}

/// A file named in both the mirror and this run with different content.
struct MirrorConflict {
    let path: String
    let filename: String
    let existing: String
    let incoming: String

    var text: String { "\(path): \(filename) is \(existing) there, but \(incoming) in this run" }

    static func error(_ conflicts: [MirrorConflict]) -> ChannelError {
        let shown = conflicts.prefix(5).map(\.text).joined(separator: "; ")
        let more = conflicts.count > 5 ? "; and \(conflicts.count - 5) more" : ""
        return ChannelError(
            "conflict: \(shown)\(more). The same file name with other content cannot be merged: nothing was written. Remove the entry from the mirror, or use another -o"
        )
    }
}

extension MirrorLayout {
    /// Reads back a page `projectPageJSON` wrote, strictly: every entry must be one it writes.
    static func parseProjectPageJSON(_ bytes: [UInt8], project: NormalizedName, path: String) throws(ChannelError)
        -> [MirroredFile]
    {
        let page = try MirrorFiles.parseObject(bytes, path: path)
        guard page["name"]?.stringValue == project.value else {
            throw ChannelError("\(path): \"name\" is not \(project.value)")
        }
        guard let entries = page["files"]?.arrayValue else {
            throw ChannelError("\(path): a PEP 691 page needs a \"files\" list")
        }
        // The version as the page spelled it (`1.0` and `1.0.0` are one version).
        var spelled: [PEP440Version: String] = [:]
        for item in page["versions"]?.arrayValue ?? [] {
            if let text = item.stringValue, let version = try? PEP440Version(parsing: text) { spelled[version] = text }
        }
        var files: [MirroredFile] = []
        var seen = Set<String>()
        for (i, entry) in entries.enumerated() {
            func bad(_ what: String) -> ChannelError {
                ChannelError("\(path): file \(i + 1): \(what); not a page mlenv mirror writes")
            }
            guard let filename = entry["filename"]?.stringValue, FieldCheck.isPlainFileName(filename) else {
                throw bad("\"filename\" is not a plain file name")
            }
            guard seen.insert(filename).inserted else { throw bad("\(filename) is listed twice") }
            guard entry["url"]?.stringValue == relativeFileURL(project, filename) else {
                throw bad("the url of \(filename) does not point into files/\(project.value)/")
            }
            guard let hashes = entry["hashes"]?.objectValue else { throw bad("\"hashes\" is not an object") }
            var sha256: String?
            if let value = hashes["sha256"] {
                guard let text = value.stringValue, FieldCheck.isHexDigest(text, count: 64) else {
                    throw bad("the sha256 of \(filename) is not 64 hex digits")
                }
                sha256 = text
            }
            var requiresPython: String?
            switch entry["requires-python"] {
            case nil, .null?: requiresPython = nil
            case .string(let text)?: requiresPython = text
            default: throw bad("\"requires-python\" of \(filename) is not a string")
            }
            var yanked: String?
            switch entry["yanked"] {
            case nil, .bool(false)?: yanked = nil
            case .bool(true)?: yanked = ""
            case .string(let reason)?: yanked = reason
            default: throw bad("\"yanked\" of \(filename) is not a boolean or a reason")
            }
            var metadata: String?
            switch entry["core-metadata"] {
            case nil, .bool(false)?: metadata = nil
            case .object(let o)?:
                guard let text = o["sha256"]?.stringValue, FieldCheck.isHexDigest(text, count: 64) else {
                    throw bad("the core-metadata sha256 of \(filename) is not 64 hex digits")
                }
                metadata = text
            default: throw bad("\"core-metadata\" of \(filename) is not false or a hash")
            }
            var size: Int64?
            if let value = entry["size"] {
                guard let n = value.numberValue?.int, n >= 0 else {
                    throw bad("\"size\" of \(filename) is not a byte count")
                }
                size = n
            }
            var uploadTime: String?
            if let value = entry["upload-time"] {
                guard let text = value.stringValue else { throw bad("\"upload-time\" of \(filename) is not a string") }
                uploadTime = text
            }
            let parsed = PyPIFile(
                project: project, filename: filename, url: filename, sha256: nil, requiresPython: nil,
                yanked: nil, uploadTime: nil, size: nil, coreMetadata: nil)
            let versionText = parsed.version.map { spelled[$0] ?? $0.normalized }
            files.append(
                MirroredFile(
                    filename: filename, versionText: versionText, sha256: sha256, requiresPython: requiresPython,
                    yanked: yanked, size: size, uploadTime: uploadTime, metadataSHA256: metadata))
        }
        return files
    }

    /// A project's files after this run: the mirror's and this run's, one entry per file name.
    /// For a file in both, this run's entry wins (its yanked state and metadata are the
    /// upstream's today) unless the content differs, which is a conflict.
    static func merge(
        existing: [MirroredFile], incoming: [MirroredFile], path: String,
        conflicts: inout [MirrorConflict]
    ) -> [MirroredFile] {
        var byName: [String: MirroredFile] = [:]
        for file in existing { byName[file.filename] = file }
        for file in incoming {
            if let old = byName[file.filename] {
                if old.sha256 != file.sha256 || old.size != file.size {
                    conflicts.append(
                        MirrorConflict(
                            path: path, filename: file.filename, existing: describe(old), incoming: describe(file)))
                    continue
                }
                if file.metadataSHA256 == nil && old.metadataSHA256 != nil {
                    // This run could not check the metadata the mirror already has: keep it.
                    byName[file.filename] = MirroredFile(
                        filename: file.filename, versionText: file.versionText, sha256: file.sha256,
                        requiresPython: file.requiresPython, yanked: file.yanked, size: file.size,
                        uploadTime: file.uploadTime, metadataSHA256: old.metadataSHA256)
                    continue
                }
            }
            byName[file.filename] = file
        }
        return byName.values.sorted { $0.filename < $1.filename }
    }

    private static func describe(_ file: MirroredFile) -> String {
        "sha256 \(file.sha256 ?? "(none)"), \(file.size.map { "\($0) bytes" } ?? "size unknown")"
    }
}
