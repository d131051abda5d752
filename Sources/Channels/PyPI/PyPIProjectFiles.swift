// A project's files as a resolver walks them: release by release, newest first, each file
// decoded from the page cache only when asked for. A warm resolve looks at the newest few
// releases of most projects, so most files are never decoded (nor judged, see JudgedProject).

import Basics
import Specs

public final class PyPIProjectFiles: Sendable {
    public struct Release: Sendable {
        public let versionText: String
        /// Positions of the release's files, ascending (the page's order).
        public let files: [Int]
    }

    public let name: NormalizedName
    /// Newest first; files without a valid version are in none.
    public let releases: [Release]
    public let count: Int

    private let records: ProjectPageCache.Records?
    private let state: Locked<State>

    /// What is decoded so far (a release's version, a file, the whole project).
    private struct State {
        var files: [PyPIFile?]
        var versions: [PEP440Version?]
        var whole: PyPIProject?

        mutating func releaseVersion(_ r: Int, releases: [Release]) -> PEP440Version {
            if let known = versions[r] { return known }
            let parsed = (try? PEP440Version(parsing: releases[r].versionText)) ?? PEP440Version(release: [0])
            versions[r] = parsed
            return parsed
        }

        mutating func decodedFile(
            _ i: Int, name: NormalizedName, releases: [Release], records: ProjectPageCache.Records?
        ) -> PyPIFile {
            if let known = files[i] { return known }
            // The cache was checked whole when read, so a record always decodes.
            let file = records!.file(i, project: name) { releaseVersion($0, releases: releases) }!
            files[i] = file
            return file
        }
    }

    /// Files already decoded (a page just parsed, a wheelhouse).
    init(_ project: PyPIProject) {
        name = project.name
        releases = project.releases.map {
            Release(versionText: project.files[$0.files[0]].versionText ?? "", files: $0.files)
        }
        records = nil
        count = project.files.count
        state = Locked(State(files: project.files, versions: project.releases.map(\.version), whole: project))
    }

    /// Files still encoded in a page cache file.
    init(name: NormalizedName, releases: [Release], records: ProjectPageCache.Records) {
        self.name = name
        self.releases = releases
        self.records = records
        count = records.count
        state = Locked(
            State(
                files: Array(repeating: nil, count: records.count),
                versions: Array(repeating: nil, count: releases.count)))
    }

    /// The version of release `r` (parsed on first use; a release's text always parses).
    public func version(ofRelease r: Int) -> PEP440Version {
        state.withLock { $0.releaseVersion(r, releases: releases) }
    }

    /// File `i`'s Requires-Python, without decoding the file where it is still encoded (the
    /// records never change, so no lock).
    public func requiresPython(ofFile i: Int) -> String? {
        if let records, let known = records.requiresPython(i) { return known }
        return file(i).requiresPython
    }

    public func file(_ i: Int) -> PyPIFile {
        state.withLock { $0.decodedFile(i, name: name, releases: releases, records: records) }
    }

    /// Every file, decoded (what `PyPIIndex.project` hands out).
    public var project: PyPIProject {
        state.withLock { state in
            if let whole = state.whole { return whole }
            let all = (0..<count).map { state.decodedFile($0, name: name, releases: releases, records: records) }
            let grouped = releases.indices.map {
                PyPIRelease(version: state.releaseVersion($0, releases: releases), files: releases[$0].files)
            }
            let project = PyPIProject(name: name, files: all, releases: grouped)
            state.whole = project
            return project
        }
    }
}
