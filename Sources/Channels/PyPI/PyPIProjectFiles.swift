// A project's files as a resolver walks them: release by release, newest first, each file
// decoded from the page cache only when asked for. A warm resolve looks at the newest few
// releases of most projects, so most files are never decoded (nor judged, see JudgedProject).

import Basics
import Specs

public final class PyPIProjectFiles: @unchecked Sendable {
    public struct Release: Sendable {
        public let versionText: String
        /// Positions of the release's files, ascending (the page's order).
        public let files: [Int]
    }

    public let name: NormalizedName
    /// Newest first; files without a valid version are in none.
    public let releases: [Release]
    public var count: Int { files.count }

    private let records: ProjectPageCache.Records?
    private let lock = Lock()
    private var files: [PyPIFile?]
    private var versions: [PEP440Version?]
    private var whole: PyPIProject?

    /// Files already decoded (a page just parsed, a wheelhouse).
    init(_ project: PyPIProject) {
        name = project.name
        releases = project.releases.map {
            Release(versionText: project.files[$0.files[0]].versionText ?? "", files: $0.files)
        }
        records = nil
        files = project.files
        versions = project.releases.map(\.version)
        whole = project
    }

    /// Files still encoded in a page cache file.
    init(name: NormalizedName, releases: [Release], records: ProjectPageCache.Records) {
        self.name = name
        self.releases = releases
        self.records = records
        files = Array(repeating: nil, count: records.count)
        versions = Array(repeating: nil, count: releases.count)
    }

    /// The version of release `r` (parsed on first use; a release's text always parses).
    public func version(ofRelease r: Int) -> PEP440Version {
        lock.lock()
        defer { lock.unlock() }
        return releaseVersion(r)
    }

    public func file(_ i: Int) -> PyPIFile {
        lock.lock()
        defer { lock.unlock() }
        return decodedFile(i)
    }

    /// Every file, decoded (what `PyPIIndex.project` hands out).
    public var project: PyPIProject {
        lock.lock()
        defer { lock.unlock() }
        if let whole { return whole }
        let all = (0..<files.count).map(decodedFile)
        let grouped = releases.indices.map { PyPIRelease(version: releaseVersion($0), files: releases[$0].files) }
        let project = PyPIProject(name: name, files: all, releases: grouped)
        whole = project
        return project
    }

    private func releaseVersion(_ r: Int) -> PEP440Version {
        if let known = versions[r] { return known }
        let parsed = (try? PEP440Version(parsing: releases[r].versionText)) ?? PEP440Version(release: [0])
        versions[r] = parsed
        return parsed
    }

    private func decodedFile(_ i: Int) -> PyPIFile {
        if let known = files[i] { return known }
        // The cache was checked whole when read, so a record always decodes.
        let file = records!.file(i, project: name) { self.releaseVersion($0) }!
        files[i] = file
        return file
    }
}
