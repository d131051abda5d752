// A file of a PyPI project as a simple index lists it (PEP 503 / PEP 691), with the PEP 592,
// 658, 700 and 714 extras.

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

    public init(project: NormalizedName, filename: String, url: String, sha256: String?, requiresPython: String?,
                yanked: String?, uploadTime: String?, size: Int64?, coreMetadata: String?) {
        self.project = project
        self.filename = filename
        self.url = url
        self.sha256 = sha256
        self.requiresPython = requiresPython
        self.yanked = yanked
        self.uploadTime = uploadTime
        self.size = size
        self.coreMetadata = coreMetadata
        if filename.hasSuffix(".whl") {
            kind = (try? WheelFilename(parsing: filename)).map { .wheel($0) } ?? .other
        } else if let sdist = SdistFilename(parsing: filename, project: project) {
            kind = .sdist(sdist)
        } else {
            kind = .other
        }
    }

    /// With the file kind already known (the page cache).
    init(project: NormalizedName, filename: String, url: String, sha256: String?, requiresPython: String?,
         yanked: String?, uploadTime: String?, size: Int64?, coreMetadata: String?, kind: Kind) {
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
        a === b || (a.project == b.project && a.filename == b.filename && a.url == b.url && a.sha256 == b.sha256
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
    public init(name: NormalizedName, files: [PyPIFile]) {
        self.name = name
        self.files = files
    }

    /// Distinct versions, newest first.
    public var versions: [PEP440Version] {
        Array(Set(files.compactMap(\.version))).sorted(by: >)
    }
}
