// A binary cache of parsed project pages, so a warm start parses no JSON and no file names.
// One file per page: `<cache>/pypi/<sha256 of the page's path, size and mtime>.bin`, ending in
// its checksum (CacheChecksum.sealed); a file that does not match it or does not decode is
// noted as damaged and rewritten.

import Basics
import FoundationEssentials
import Glibc
import Specs

enum ProjectPageCache {
    /// The first string of every cache file, and part of its name: a new format gets new files.
    static let format = "MLENVPP5"

    /// The parsed-page file for a page: `<directory>/<page>/<key>.bin`, one folder per page
    /// (`owner`: the page file's path, or for a remote page the HTTP cache's key of its URL), so
    /// that writing a page's new parse can remove the parses of its replaced bodies.
    static func file(in directory: String, pagePath: String, owner: String) -> String? {
        key(pagePath: pagePath).map {
            "\(directory)/\(Digester.hex(.sha256, of: Array(owner.utf8)).prefix(32))/\($0).bin"
        }
    }

    static func key(pagePath: String) -> String? {
        var info = stat()
        guard stat(pagePath, &info) == 0 else { return nil }
        let stamp = "\(info.st_size)\n\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        return Digester.hex(.sha256, of: Array("\(pagePath)\n\(stamp)\n\(format)".utf8))
    }

    /// The project's releases, with its files left encoded until asked for. The file is mapped,
    /// not read into memory (a resolve reads pages of megabytes: botocore's lists thousands of
    /// files), then checked whole against its checksum in place.
    static func read(_ file: String, project: NormalizedName) -> PyPIProjectFiles? {
        guard let image = ImageBytes(mapping: file) else { return nil }
        guard let body = CacheChecksum.sealedBody(UnsafeRawBufferPointer(start: image.base, count: image.count)),
            let files = decode(image, end: body, project: project)
        else {
            CacheNotes.damaged(file, "it does not match its checksum or does not decode")
            return nil
        }
        return files
    }

    private static func decode(_ image: ImageBytes, end: Int, project: NormalizedName) -> PyPIProjectFiles? {
        var r = CacheByteReader(image, end: end)
        // Every count is checked against the bytes left before anything is reserved for it (a
        // release takes at least 12 bytes, a position 4, a file's offset and release 8), and
        // every index against what it indexes: the file's checksum guards against damage, not
        // against a file written to be read this way.
        guard r.string() == format, let count = r.int(), let releaseCount = r.int(),
            releaseCount <= r.remaining / 12, count <= r.remaining / 8
        else { return nil }
        var releases: [PyPIProjectFiles.Release] = []
        releases.reserveCapacity(releaseCount)
        for _ in 0..<releaseCount {
            guard let text = r.string(), let n = r.int(), n > 0, n <= r.remaining / 4 else { return nil }
            var positions: [Int] = []
            positions.reserveCapacity(n)
            for _ in 0..<n {
                guard let i = r.int(), i < count else { return nil }
                positions.append(i)
            }
            releases.append(PyPIProjectFiles.Release(versionText: text, files: positions))
        }
        guard count <= r.remaining / 8 else { return nil }
        var offsets: [UInt32] = []
        var releaseOf: [UInt32] = []
        offsets.reserveCapacity(count)
        releaseOf.reserveCapacity(count)
        for _ in 0..<count {
            guard let offset = r.int(), let release = r.int(), release < releaseCount || release == Int(UInt32.max)
            else { return nil }
            offsets.append(UInt32(offset))
            releaseOf.append(UInt32(release))
        }
        let records = Records(image: image, end: end, start: r.position, offsets: offsets, releaseOf: releaseOf)
        // Check every record once, so that decoding one later cannot fail.
        guard records.isWellFormed else { return nil }
        return PyPIProjectFiles(name: project, releases: releases, records: records)
    }

    /// A project's file records, decoded one at a time.
    struct Records: Sendable {
        let image: ImageBytes
        /// Where the file's body ends (its checksum after).
        let end: Int
        let start: Int
        let offsets: [UInt32]
        /// The release of each file, or `UInt32.max` for a file without a valid version.
        let releaseOf: [UInt32]
        var count: Int { offsets.count }

        var isWellFormed: Bool {
            for i in 0..<count {
                guard Int(offsets[i]) + start <= end else { return false }
                var r = CacheByteReader(image, position: start + Int(offsets[i]), end: end)
                guard r.skipRecord() else { return false }
            }
            return true
        }

        /// File `i`'s Requires-Python (`.some(nil)`: it has none), read without decoding the
        /// rest of its record.
        func requiresPython(_ i: Int) -> String?? {
            var r = CacheByteReader(image, position: start + Int(offsets[i]), end: end)
            guard r.skipString(), r.skipString(), r.skipOptional() else { return nil }
            return r.optional()
        }

        func file(_ i: Int, project: NormalizedName, releaseVersion: (Int) -> PEP440Version) -> PyPIFile? {
            var r = CacheByteReader(image, position: start + Int(offsets[i]), end: end)
            guard let filename = r.string(), let url = r.string(), let sha = r.optional(),
                let requiresPython = r.optional(),
                let yanked = r.optional(), let uploadTime = r.optional(), let size = r.optional(),
                let metadata = r.optional(),
                let kindTag = r.int()
            else { return nil }
            let release = releaseOf[i]
            func version(_ text: String) -> PEP440Version? {
                release == UInt32.max ? try? PEP440Version(parsing: text) : releaseVersion(Int(release))
            }
            let kind: PyPIFile.Kind
            switch kindTag {
            case 1:
                guard let versionText = r.string(), let build = r.optional(), let py = r.strings(),
                    let abi = r.strings(), let plat = r.strings()
                else { return nil }
                kind = .wheel(
                    WheelFilename(
                        filename: filename, name: project, versionText: versionText, version: version(versionText),
                        buildTag: build, pythonTags: py, abiTags: abi, platformTags: plat))
            case 2:
                guard let versionText = r.string() else { return nil }
                kind = .sdist(
                    SdistFilename(filename: filename, versionText: versionText, version: version(versionText)))
            default:
                kind = .other
            }
            return PyPIFile(
                project: project, filename: filename, url: url, sha256: sha, requiresPython: requiresPython,
                yanked: yanked, uploadTime: uploadTime, size: size.flatMap { Int64($0) }, coreMetadata: metadata,
                kind: kind)
        }
    }

    static func write(_ project: PyPIProject, to file: String) {
        var records = CacheByteWriter()
        var offsets: [Int] = []
        for f in project.files {
            offsets.append(records.bytes.count)
            records.string(f.filename)
            records.string(f.url)
            records.optional(f.sha256)
            records.optional(f.requiresPython)
            records.optional(f.yanked)
            records.optional(f.uploadTime)
            records.optional(f.size.map { String($0) })
            records.optional(f.coreMetadata)
            switch f.kind {
            case .wheel(let wheel):
                records.int(1)
                records.string(wheel.versionText)
                records.optional(wheel.buildTag)
                records.strings(wheel.pythonTags)
                records.strings(wheel.abiTags)
                records.strings(wheel.platformTags)
            case .sdist(let sdist):
                records.int(2)
                records.string(sdist.versionText)
            case .other:
                records.int(0)
            }
        }
        var releaseOf = Array(repeating: Int(UInt32.max), count: project.files.count)
        var w = CacheByteWriter()
        w.string(format)
        w.int(project.files.count)
        w.int(project.releases.count)
        for (r, release) in project.releases.enumerated() {
            w.string(project.files[release.files[0]].versionText ?? "")
            w.int(release.files.count)
            for i in release.files {
                w.int(i)
                releaseOf[i] = r
            }
        }
        for i in project.files.indices {
            w.int(offsets[i])
            w.int(releaseOf[i])
        }
        w.bytes += records.bytes
        guard (try? FileBytes.writeAtomically(CacheChecksum.sealed(w.bytes), to: file)) != nil else { return }
        // The page's earlier parses (of bodies since replaced) go: nothing reads them again. A
        // process still reading one finds it gone and parses the page itself.
        let folder = PathText.deletingLastComponent(file)
        let name = String(file.dropFirst(folder.count + 1))
        for other in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where other != name && other.hasSuffix(".bin") {
            unlink(folder + "/" + other)
        }
    }

}

extension CacheByteReader {
    /// Steps over one page file record without decoding it; false when it is cut short or malformed.
    fileprivate mutating func skipRecord() -> Bool {
        guard skipString(), skipString() else { return false }
        for _ in 0..<6 { guard skipOptional() else { return false } }
        switch int() {
        case 1?: return skipString() && skipOptional() && skipStrings() && skipStrings() && skipStrings()
        case 2?: return skipString()
        case 0?: return true
        default: return false
        }
    }

    fileprivate mutating func skipString() -> Bool {
        guard let n = int(), n <= remaining else { return false }
        position += n
        return true
    }

    fileprivate mutating func skipOptional() -> Bool {
        guard remaining >= 1 else { return false }
        position += 1
        switch byte(position - 1) {
        case 0: return true
        case 1: return skipString()
        default: return false
        }
    }

    private mutating func skipStrings() -> Bool {
        guard let n = int(), n <= remaining / 4 else { return false }
        for _ in 0..<n { guard skipString() else { return false } }
        return true
    }
}
