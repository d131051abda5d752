// MIRROR.json, the stamp `mlenv mirror` writes at the root of each mirror it makes (a PyPI
// simple index, a conda channel subset): how and when it was made. Any source with a stamp holds
// the closure of some roots, not its whole upstream, so every verdict about what is missing from
// it says so, and says which copy and which day it looked at.

import Basics
import Glibc
import JSON
import Requests

public enum MirrorStamp {
    public static let fileName = "MIRROR.json"
    /// Stamps are small; anything bigger is not one.
    static let limit = 16 << 20

    /// Today in UTC, `yyyy-MM-dd`.
    public static func today() -> String {
        String(SourceSummary.utc(Int64(time(nil))).prefix(10))
    }

    /// The stamp of a local source directory, when it has one that parses.
    public static func read(directory: String) -> JSONValue? {
        let path = directory + "/" + fileName
        var info = stat()
        guard stat(path, &info) == 0, Int(info.st_size) <= limit, let bytes = FileBytes.readPlain(path) else {
            return nil
        }
        return try? JSONValue.parse(bytes)
    }

    /// "channels/conda-forge is a subset of conda-forge made by mlenv on 2026-11-25 (the
    /// dependency closure of 214 roots): a version missing there may exist upstream"; nil for a
    /// directory without a stamp (taken to be complete: a full mirror or the real channel).
    public static func partiality(directory: String, name: String) -> String? {
        guard let stamp = read(directory: directory) else { return nil }
        let roots = stamp["roots"]?.arrayValue.map { Set($0.compactMap(\.stringValue)).count }
        let closure =
            roots.map { "the dependency closure of \($0) root\($0 == 1 ? "" : "s")" } ?? "the closure of its roots"
        if stamp["kind"]?.stringValue == "conda-subset" {
            let upstream = stamp["upstream"]?.stringValue ?? "its upstream channel"
            let made = stamp["made"]?.stringValue.map { " on \($0)" } ?? ""
            return
                "\(name) is a subset of \(upstream) made by mlenv\(made) (\(closure)): a package or build missing there may exist upstream"
        }
        var parts = [closure]
        if let since = stamp["since"]?.stringValue { parts.append("releases since \(since)") }
        if let before = stamp["series_only_before"]?.stringValue {
            parts.append("before \(before) only the newest release of each minor series (plus pinned ones)")
        }
        if let cutoff = stamp["exclude_newer"]?.stringValue { parts.append("nothing uploaded on or after \(cutoff)") }
        return
            "\(name) is a partial mirror made by mlenv (\(parts.joined(separator: "; "))): a release missing there may exist upstream"
    }
}

/// The MIRROR.json of a PyPI mirror (`<mirror>/pypi/MIRROR.json`): the settings the mirror was
/// made with, its roots, and what it holds. Rerunning `mlenv mirror` into the same directory
/// merges the new run's stamp into the existing one (`merging`).
public struct PyPIMirrorStamp: Hashable, Sendable {
    public var generator: String
    public var excludeNewer: String?
    public var since: String?
    public var seriesOnlyBefore: String?
    /// Minor versions (`3.11`), in the order given (a merge of different sets sorts them).
    public var pythons: [String]
    public var platform: String
    public var versionsPerProject: Int?
    /// Sorted; a root given more than once (by several models) is listed that often.
    public var roots: [String]
    public var projects: Int
    public var files: Int
    public var missing: [String]

    public init(
        generator: String, excludeNewer: String?, since: String?, seriesOnlyBefore: String?, pythons: [String],
        platform: String, versionsPerProject: Int?, roots: [String], projects: Int, files: Int, missing: [String]
    ) {
        self.generator = generator
        self.excludeNewer = excludeNewer
        self.since = since
        self.seriesOnlyBefore = seriesOnlyBefore
        self.pythons = pythons
        self.platform = platform
        self.versionsPerProject = versionsPerProject
        self.roots = roots
        self.projects = projects
        self.files = files
        self.missing = missing
    }

    public func serialized() -> [UInt8] {
        var o = JSONObject()
        o.append("generator", .string(generator))
        o.append("exclude_newer", .optional(excludeNewer))
        o.append("since", .optional(since))
        o.append("series_only_before", .optional(seriesOnlyBefore))
        o.append("pythons", .array(pythons.map { .string($0) }))
        o.append("platform", .string(platform))
        o.append("versions_per_project", versionsPerProject.map { .int($0) } ?? .null)
        o.append("roots", .array(roots.sorted().map { .string($0) }))
        o.append("projects", .int(projects))
        o.append("files", .int(files))
        o.append("missing", .array(missing.map { .string($0) }))
        return Array((JSONValue.object(o).serialized(pretty: true) + "\n").utf8)
    }

    /// Reads a stamp `mlenv mirror` wrote; anything else is refused with the path and what is
    /// wrong (the caller must not merge into a directory it does not understand).
    public static func parse(_ bytes: [UInt8], path: String) throws(ChannelError) -> PyPIMirrorStamp {
        let value: JSONValue
        do { value = try JSONValue.parse(bytes) } catch {
            throw ChannelError("\(path):\(error.line):\(error.column): invalid JSON: \(error.message)")
        }
        guard let object = value.objectValue else {
            throw ChannelError("\(path): expected a JSON object, found \(value.kindName)")
        }
        if object["kind"]?.stringValue == "conda-subset" {
            throw ChannelError("\(path): the stamp of a conda channel subset, not of a PyPI mirror")
        }
        func fail(_ key: String, _ expected: String) -> ChannelError {
            ChannelError("\(path): not a PyPI mirror stamp mlenv writes: \"\(key)\" should be \(expected)")
        }
        func string(_ key: String) throws(ChannelError) -> String {
            guard let s = object[key]?.stringValue, !s.isEmpty, !s.contains(where: \.isNewline) else {
                throw fail(key, "a string")
            }
            return s
        }
        func optionalString(_ key: String) throws(ChannelError) -> String? {
            guard let v = object[key] else { throw fail(key, "a string or null") }
            if v.isNull { return nil }
            guard let s = v.stringValue, FieldCheck.isToken(s) else { throw fail(key, "a string or null") }
            return s
        }
        func count(_ key: String) throws(ChannelError) -> Int {
            guard let n = object[key]?.numberValue?.int, n >= 0, n < Int64(Int32.max) else {
                throw fail(key, "a count")
            }
            return Int(n)
        }
        func strings(_ key: String) throws(ChannelError) -> [String] {
            guard let items = object[key]?.arrayValue else { throw fail(key, "a list of strings") }
            var result: [String] = []
            for item in items {
                guard let s = item.stringValue, !s.isEmpty, !s.contains(where: \.isNewline) else {
                    throw fail(key, "a list of strings")
                }
                result.append(s)
            }
            return result
        }
        let versions: Int?
        switch object["versions_per_project"] {
        case .null?: versions = nil
        case .number(let n)? where n.int.map({ $0 >= 0 && $0 < Int64(Int32.max) }) == true: versions = Int(n.int!)
        default: throw fail("versions_per_project", "a count or null")
        }
        let pythons = try strings("pythons")
        guard !pythons.isEmpty, pythons.allSatisfy({ PythonVersion($0) != nil }) else {
            throw fail("pythons", "a list of versions like 3.11")
        }
        return PyPIMirrorStamp(
            generator: try string("generator"), excludeNewer: try optionalString("exclude_newer"),
            since: try optionalString("since"), seriesOnlyBefore: try optionalString("series_only_before"),
            pythons: pythons, platform: try string("platform"), versionsPerProject: versions,
            roots: try strings("roots"), projects: try count("projects"), files: try count("files"),
            missing: try strings("missing"))
    }

    /// Where this run's settings differ from those of the mirror (`existing`) in a way that
    /// changes what the mirror holds of a project: the cut-off dates, the version limit, the
    /// platform. Target Pythons may differ: the mirror then holds files for all of them.
    public func differences(from existing: PyPIMirrorStamp) -> [String] {
        var result: [String] = []
        func compare(_ option: String, _ mine: String?, _ theirs: String?) {
            if mine != theirs {
                result.append("\(option) \(mine ?? "(none)") (the mirror was made with \(theirs ?? "none"))")
            }
        }
        compare("--exclude-newer", excludeNewer, existing.excludeNewer)
        compare("--since", since, existing.since)
        compare("--series-only-before", seriesOnlyBefore, existing.seriesOnlyBefore)
        compare("--versions", versionsPerProject.map(String.init), existing.versionsPerProject.map(String.init))
        compare("--platform", platform, existing.platform)
        return result
    }

    /// The stamp of the mirror after this run was merged into `existing`. The same settings
    /// are required unless `force`; with `force` each setting becomes the bound that holds for
    /// every file of the merged mirror (the later cut-off, the earlier `since`, the newer glibc),
    /// and a platform of another architecture is refused all the same: no single stamp could
    /// say what such a mirror keeps. Roots, Pythons and missing names are united; `projects` and
    /// `files` are the merged mirror's.
    public func merging(into existing: PyPIMirrorStamp, force: Bool, path: String) throws(ChannelError)
        -> PyPIMirrorStamp
    {
        let differences = differences(from: existing)
        if !differences.isEmpty && !force {
            throw ChannelError(
                "\(path): this run differs from how the mirror was made: \(differences.joined(separator: "; ")). "
                    + "Rerun with the mirror's settings, use another -o, or pass --force to merge anyway (the stamp then records the bound that holds for every file)"
            )
        }
        var merged = self
        if existing.platform != platform {
            let mine = PyPIMirrorStamp.platformParts(platform)
            let theirs = PyPIMirrorStamp.platformParts(existing.platform)
            guard let mine, let theirs, mine.architecture == theirs.architecture else {
                throw ChannelError(
                    "\(path): the mirror keeps files for \(existing.platform), this run for \(platform): one mirror holds one architecture; use another -o"
                )
            }
            merged.platform = mine.glibc >= theirs.glibc ? platform : existing.platform
        }
        merged.excludeNewer = PyPIMirrorStamp.later(excludeNewer, existing.excludeNewer)
        merged.since = PyPIMirrorStamp.earlier(since, existing.since)
        merged.seriesOnlyBefore = PyPIMirrorStamp.earlier(seriesOnlyBefore, existing.seriesOnlyBefore)
        if let mine = versionsPerProject, let theirs = existing.versionsPerProject {
            merged.versionsPerProject = max(mine, theirs)
        } else {
            merged.versionsPerProject = nil
        }
        if Set(pythons) == Set(existing.pythons) {
            merged.pythons = existing.pythons
        } else {
            merged.pythons = Set(pythons + existing.pythons).sorted {
                (PythonVersion($0) ?? PythonVersion(major: 0, minor: 0))
                    < (PythonVersion($1) ?? PythonVersion(major: 0, minor: 0))
            }
        }
        // A root given by several models is listed once per model; the union keeps each root
        // as often as the run that gave it most often, so rerunning the same roots changes nothing.
        var counts: [String: Int] = [:]
        for root in existing.roots { counts[root, default: 0] += 1 }
        var mine: [String: Int] = [:]
        for root in roots { mine[root, default: 0] += 1 }
        for (root, n) in mine { counts[root] = max(counts[root] ?? 0, n) }
        merged.roots = counts.flatMap { Array(repeating: $0.key, count: $0.value) }.sorted()
        return merged
    }

    static func platformParts(_ platform: String) -> (glibc: GlibcVersion, architecture: String)? {
        guard let glibc = TagPolicy.manylinuxGlibc(platform) else { return nil }
        guard let arch = platform.split(separator: "_", maxSplits: 3).last.map(String.init), arch.count > 2 else {
            return nil
        }
        return (glibc, arch)
    }

    /// nil is "no cut-off", which bounds nothing.
    static func later(_ a: String?, _ b: String?) -> String? {
        guard let a, let b else { return nil }
        if let x = Timestamp(rfc3339: a, dateAlone: true), let y = Timestamp(rfc3339: b, dateAlone: true) {
            return x >= y ? a : b
        }
        return max(a, b)
    }

    static func earlier(_ a: String?, _ b: String?) -> String? {
        guard let a, let b else { return nil }
        if let x = Timestamp(rfc3339: a, dateAlone: true), let y = Timestamp(rfc3339: b, dateAlone: true) {
            return x <= y ? a : b
        }
        return min(a, b)
    }
}
