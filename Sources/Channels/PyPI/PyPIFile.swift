// A file of a PyPI project as a simple index lists it (PEP 503 / PEP 691), with the PEP 592,
// 658, 700 and 714 extras.

import Basics
import Specs

/// A class, not a struct: a project's files are copied into candidate lists, pools and reports,
/// and a struct of this many strings costs a retain and release of each per copy.
public final class PyPIFile: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case wheel(WheelFilename)
        case sdist(SdistFilename)
        /// Eggs, `.exe` installers and other files pip does not install.
        case other
    }

    public let project: NormalizedName
    public let filename: String
    /// Absolute: a filesystem path for local indexes, or a URL.
    public let url: String
    public let sha256: String?
    public let requiresPython: String?
    /// nil when not yanked; the reason (possibly empty) when yanked (PEP 592).
    public let yanked: String?
    /// PEP 700 upload time, ISO 8601 as the index gave it.
    public let uploadTime: String?
    public let size: Int64?
    /// PEP 658/714: nil when the index offers no metadata file; the sha256 (or "" when no hash
    /// was given) of `<url>.metadata` otherwise.
    public let coreMetadata: String?
    public let kind: Kind

    public convenience init(
        project: NormalizedName, filename: String, url: String, sha256: String?, requiresPython: String?,
        yanked: String?, uploadTime: String?, size: Int64?, coreMetadata: String?
    ) {
        let kind: Kind
        if filename.hasSuffix(".whl") {
            kind = (try? WheelFilename(parsing: filename)).map { .wheel($0) } ?? .other
        } else if let sdist = SdistFilename(parsing: filename, project: project) {
            kind = .sdist(sdist)
        } else {
            kind = .other
        }
        self.init(
            project: project, filename: filename, url: url, sha256: sha256, requiresPython: requiresPython,
            yanked: yanked, uploadTime: uploadTime, size: size, coreMetadata: coreMetadata, kind: kind)
    }

    /// Whether an index page's entry may be used at all: a plain file name, a URL without
    /// whitespace or control characters, a sha256 of 64 hex digits when one is given. Anything
    /// else is left out: these fields are written into lock files and pip requirement lines.
    public static func acceptable(filename: String, url: String, sha256: String?) -> Bool {
        FieldCheck.isPlainFileName(filename) && FieldCheck.isToken(url)
            && (sha256.map { FieldCheck.isHexDigest($0, count: 64) } ?? true)
    }

    /// With the file kind already known (the page cache).
    init(
        project: NormalizedName, filename: String, url: String, sha256: String?, requiresPython: String?,
        yanked: String?, uploadTime: String?, size: Int64?, coreMetadata: String?, kind: Kind
    ) {
        self.project = project
        self.filename = filename
        self.url = url
        self.sha256 = sha256
        self.requiresPython = requiresPython
        self.yanked = yanked
        self.uploadTime = uploadTime
        self.size = size
        self.coreMetadata = coreMetadata
        self.kind = kind
    }

    public static func == (a: PyPIFile, b: PyPIFile) -> Bool {
        a === b
            || (a.project == b.project && a.filename == b.filename && a.url == b.url && a.sha256 == b.sha256
                && a.requiresPython == b.requiresPython && a.yanked == b.yanked && a.uploadTime == b.uploadTime
                && a.size == b.size && a.coreMetadata == b.coreMetadata && a.kind == b.kind)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(project)
        hasher.combine(filename)
        hasher.combine(url)
    }

    public var isYanked: Bool { yanked != nil }

    public var version: PEP440Version? {
        switch kind {
        case .wheel(let w): return w.version
        case .sdist(let s): return s.version
        case .other: return nil
        }
    }

    public var versionText: String? {
        switch kind {
        case .wheel(let w): return w.versionText
        case .sdist(let s): return s.versionText
        case .other: return nil
        }
    }

    public var wheel: WheelFilename? {
        if case .wheel(let w) = kind { return w }
        return nil
    }

    public var isSdist: Bool {
        if case .sdist = kind { return true }
        return false
    }

    /// Where the PEP 658 metadata file is.
    public var metadataURL: String { url + ".metadata" }
}

public struct PyPIProject: Hashable, Sendable {
    public let name: NormalizedName
    public let files: [PyPIFile]
    /// The files grouped by release, newest first: positions in `files`, in the page's order.
    /// Files without a valid version are in none.
    public let releases: [PyPIRelease]

    public init(name: NormalizedName, files: [PyPIFile]) {
        self.init(name: name, files: files, releases: PyPIRelease.group(files))
    }

    /// With the grouping already known (the page cache stores it, so a warm start sorts nothing).
    init(name: NormalizedName, files: [PyPIFile], releases: [PyPIRelease]) {
        self.name = name
        self.files = files
        self.releases = releases
    }

    /// Distinct versions, newest first.
    public var versions: [PEP440Version] {
        var distinct: [PEP440Version] = []
        for release in releases where distinct.last != release.version { distinct.append(release.version) }
        return distinct
    }
}

public struct PyPIRelease: Hashable, Sendable {
    public let version: PEP440Version
    /// Positions in the project's `files`, ascending.
    public let files: [Int]

    init(version: PEP440Version, files: [Int]) {
        self.version = version
        self.files = files
    }

    /// Groups by the version as spelled: the files of a release almost always spell it alike,
    /// and two spellings of one version just make two adjacent releases with equal versions.
    static func group(_ files: [PyPIFile]) -> [PyPIRelease] {
        var byText: [String: Int] = [:]
        var releases: [(version: PEP440Version, files: [Int])] = []
        for (i, file) in files.enumerated() {
            guard let text = file.versionText, let version = file.version else { continue }
            if let r = byText[text] {
                releases[r].files.append(i)
            } else {
                byText[text] = releases.count
                releases.append((version, [i]))
            }
        }
        let order = releases.indices.sorted { a, b in
            let c = releases[a].version.compare(to: releases[b].version)
            return c != 0 ? c > 0 : a < b
        }
        return order.map { PyPIRelease(version: releases[$0].version, files: releases[$0].files) }
    }
}
