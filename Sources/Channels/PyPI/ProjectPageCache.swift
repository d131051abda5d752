// A binary cache of parsed project pages, so a warm start parses no JSON and no file names.
// One file per page: `<cache>/pypi/<sha256 of the page's path, size and mtime>.bin`; a file that
// does not decode is ignored (and rewritten).

import Glibc
import Specs

enum ProjectPageCache {
    /// The first string of every cache file, and part of its name: a new format gets new files.
    static let format = "MLENVPP2"

    static func key(pagePath: String) -> String? {
        var info = stat()
        guard stat(pagePath, &info) == 0 else { return nil }
        let stamp = "\(info.st_size)\n\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        return Digester.hex(.sha256, of: Array("\(pagePath)\n\(stamp)\n\(format)".utf8))
    }

    static func read(_ file: String, project: NormalizedName) -> PyPIProject? {
        guard let bytes = FileBytes.readPlain(file) else { return nil }
        var r = Reader(bytes: bytes)
        guard r.string() == format, let count = r.int() else { return nil }
        var files: [PyPIFile] = []
        files.reserveCapacity(count)
        // The files of a release share its version: parsed once.
        var versions: [String: PEP440Version?] = [:]
        func version(_ text: String) -> PEP440Version? {
            if let known = versions[text] { return known }
            let parsed = try? PEP440Version(parsing: text)
            versions[text] = parsed
            return parsed
        }
        for _ in 0..<count {
            guard let filename = r.string(), let url = r.string(), let sha = r.optional(), let requiresPython = r.optional(),
                  let yanked = r.optional(), let uploadTime = r.optional(), let size = r.optional(), let metadata = r.optional(),
                  let kindTag = r.int() else { return nil }
            let kind: PyPIFile.Kind
            switch kindTag {
            case 1:
                guard let versionText = r.string(), let build = r.optional(), let py = r.strings(), let abi = r.strings(), let plat = r.strings() else { return nil }
                kind = .wheel(WheelFilename(filename: filename, name: project, versionText: versionText, version: version(versionText),
                                            buildTag: build, pythonTags: py, abiTags: abi, platformTags: plat))
            case 2:
                guard let versionText = r.string() else { return nil }
                kind = .sdist(SdistFilename(filename: filename, versionText: versionText, version: version(versionText)))
            default:
                kind = .other
            }
            files.append(PyPIFile(project: project, filename: filename, url: url, sha256: sha, requiresPython: requiresPython,
                                  yanked: yanked, uploadTime: uploadTime, size: size.flatMap { Int64($0) }, coreMetadata: metadata, kind: kind))
        }
        guard let releaseCount = r.int() else { return nil }
        var releases: [PyPIRelease] = []
        releases.reserveCapacity(releaseCount)
        for _ in 0..<releaseCount {
            guard let n = r.int(), n > 0 else { return nil }
            var positions: [Int] = []
            positions.reserveCapacity(n)
            for _ in 0..<n {
                guard let i = r.int(), i < files.count else { return nil }
                positions.append(i)
            }
            guard let version = files[positions[0]].version else { return nil }
            releases.append(PyPIRelease(version: version, files: positions))
        }
        return PyPIProject(name: project, files: files, releases: releases)
    }

    static func write(_ project: PyPIProject, to file: String) {
        var w = Writer()
        w.string(format)
        w.int(project.files.count)
        for f in project.files {
            w.string(f.filename); w.string(f.url); w.optional(f.sha256); w.optional(f.requiresPython)
            w.optional(f.yanked); w.optional(f.uploadTime); w.optional(f.size.map { String($0) }); w.optional(f.coreMetadata)
            switch f.kind {
            case .wheel(let wheel):
                w.int(1); w.string(wheel.versionText); w.optional(wheel.buildTag)
                w.strings(wheel.pythonTags); w.strings(wheel.abiTags); w.strings(wheel.platformTags)
            case .sdist(let sdist):
                w.int(2); w.string(sdist.versionText)
            case .other:
                w.int(0)
            }
        }
        w.int(project.releases.count)
        for release in project.releases {
            w.int(release.files.count)
            for i in release.files { w.int(i) }
        }
        try? FileBytes.writeAtomically(w.bytes, to: file)
    }

    private struct Writer {
        var bytes: [UInt8] = []
        mutating func int(_ v: Int) { withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian) { bytes += $0 } }
        mutating func string(_ s: String) { let u = Array(s.utf8); int(u.count); bytes += u }
        mutating func optional(_ s: String?) { if let s { bytes.append(1); string(s) } else { bytes.append(0) } }
        mutating func strings(_ list: [String]) { int(list.count); for s in list { string(s) } }
    }

    private struct Reader {
        let bytes: [UInt8]
        var position = 0
        init(bytes: [UInt8]) { self.bytes = bytes }
        mutating func int() -> Int? {
            guard position + 4 <= bytes.count else { return nil }
            var v: UInt32 = 0
            for i in 0..<4 { v |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
            position += 4
            return Int(v)
        }
        mutating func string() -> String? {
            guard let n = int(), position + n <= bytes.count else { return nil }
            defer { position += n }
            return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[position..<position + n]), as: UTF8.self) }
        }
        mutating func optional() -> String?? {
            guard position < bytes.count else { return nil }
            position += 1
            return bytes[position - 1] == 1 ? string().map { Optional($0) } : .some(nil)
        }
        mutating func strings() -> [String]? {
            guard let n = int(), n <= bytes.count else { return nil }
            var list: [String] = []
            for _ in 0..<n { guard let s = string() else { return nil }; list.append(s) }
            return list
        }
    }
}
