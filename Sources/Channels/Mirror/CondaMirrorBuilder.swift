// `mlenv mirror`, conda side: the records of a dependency closure, copied unchanged from an
// upstream channel (a directory in channel layout) into `<output>/<channel>/<subdir>/repodata.json`.
// The closure is by name: every build of every package a root or a closure member depends on
// (virtual packages such as `__glibc` excluded). Entries are written sorted, so the same
// upstream and roots give the same bytes.
//
// Rerunning into the same directory extends the subset: each subdir's repodata.json holds the
// records of both runs (`packages` and `packages.conda` merged by file name) and the stamp the
// union of the roots. A file name both hold with another sha256, md5 or size is a conflict and
// nothing is written; a record whose file is the same but whose metadata the upstream has
// since patched (depends, constrains) is taken from the upstream. A rerun that adds nothing
// writes nothing, the stamp's date included.

import Basics
import FoundationEssentials
import JSON
import Specs

public struct CondaMirrorReport: Sendable {
    public var names: Int = 0
    public var records: Int = 0
    public var missing: [String] = []
    /// True when merged into a subset an earlier run made.
    public var extended = false
    /// Records the subset holds after the run (with an earlier run's when extended).
    public var mirrorRecords: Int = 0
    /// Records of the subset whose metadata the upstream changed, taken from the upstream.
    public var updated: Int = 0
}

/// What a conda run will write, computed whole (conflicts found) before anything is written.
public struct CondaMirrorPlan: Sendable {
    public let report: CondaMirrorReport
    /// repodata.json files, then the stamp (nil when nothing changed).
    let writes: [(path: String, bytes: [UInt8])]

    public func write() throws(ChannelError) {
        for (path, bytes) in writes {
            if let existing = FileBytes.readPlain(path), existing == bytes { continue }
            do { try FileBytes.writeAtomically(bytes, to: path) } catch { throw ChannelError(error.description) }
        }
    }
}

public struct CondaMirrorBuilder: Sendable {
    public let upstream: CondaChannel
    public let subdirs: [String]
    public let output: String

    /// Written into the stamp: `mlenv 0.1.0`.
    public let generator: String

    public init(upstream: CondaChannel, subdirs: [String], output: String, generator: String = "mlenv") {
        self.generator = generator
        self.upstream = upstream
        self.subdirs = subdirs
        self.output = output
    }

    /// `plan` then `CondaMirrorPlan.write`.
    public func run(roots: [String]) throws(ChannelError) -> CondaMirrorReport {
        let plan = try plan(roots: roots)
        try plan.write()
        return plan.report
    }

    /// The subset an earlier run left in the output directory: its stamp's roots and each
    /// subdir's sections; nil for a new one. Refuses what mlenv did not write.
    private func existing() throws(ChannelError) -> (
        roots: [String], stampBytes: [UInt8], sections: [String: [JSONObject.Entry]]
    )? {
        let directory = "\(output)/\(upstream.name)"
        let stampPath = "\(directory)/\(MirrorStamp.fileName)"
        let repodataPaths = subdirs.map { "\(directory)/\($0)/repodata.json" }
        guard let stampBytes = try MirrorFiles.read(stampPath, limit: MirrorStamp.limit) else {
            if let found = repodataPaths.first(where: MirrorFiles.exists) {
                throw ChannelError(
                    "\(found): a channel without the \(MirrorStamp.fileName) mlenv mirror writes, so not a subset mlenv made; mlenv extends only its own mirrors: use another -o"
                )
            }
            return nil
        }
        let stamp = try MirrorFiles.parseObject(stampBytes, path: stampPath)
        guard stamp["kind"]?.stringValue == "conda-subset" else {
            throw ChannelError(
                "\(stampPath): not the stamp of a conda subset mlenv made (no \"kind\": \"conda-subset\")")
        }
        guard let rootValues = stamp["roots"]?.arrayValue,
            rootValues.allSatisfy({ $0.stringValue.map(FieldCheck.isToken) == true })
        else {
            throw ChannelError("\(stampPath): \"roots\" should be a list of package names")
        }
        var sections: [String: [JSONObject.Entry]] = [:]
        for (subdir, path) in zip(subdirs, repodataPaths) {
            guard let bytes = try MirrorFiles.read(path, limit: MirrorFiles.repodataLimit) else { continue }
            let document = try MirrorFiles.parseObject(bytes, path: path)
            for section in ["packages", "packages.conda"] {
                guard let value = document[section] else { continue }
                guard let entries = value.objectValue?.entries else {
                    throw ChannelError("\(path): \"\(section)\" should be an object")
                }
                var seen = Set<String>()
                for entry in entries {
                    guard FieldCheck.isPlainFileName(entry.key), entry.value.objectValue != nil else {
                        throw ChannelError(
                            "\(path): \"\(section)\" holds an entry that is not a record of a plain file name: \(entry.key.prefix(80))"
                        )
                    }
                    guard seen.insert(entry.key).inserted else {
                        throw ChannelError("\(path): lists \(entry.key) twice")
                    }
                }
                sections[subdir + "/" + section] = entries
            }
        }
        return (rootValues.compactMap(\.stringValue), stampBytes, sections)
    }

    /// Follows the closure and computes what to write, merged into the existing subset;
    /// writes nothing. Throws when the existing subset cannot be read or a file conflicts.
    public func plan(roots: [String]) throws(ChannelError) -> CondaMirrorPlan {
        guard upstream.isLocal else {
            throw ChannelError("the upstream conda channel must be a directory or file:// URL")
        }
        // Raw entries per subdir, so records are copied unchanged.
        var documents: [String: JSONObject] = [:]
        var entriesByName: [String: [(subdir: String, section: String, entry: JSONObject.Entry)]] = [:]
        for subdir in subdirs {
            let base = "\(upstream.location)/\(subdir)/repodata.json"
            guard
                let path = ["", ".zst", ".bz2", ".gz", ".xz"].map({ base + $0 }).first(where: {
                    FileManager.default.fileExists(atPath: $0)
                })
            else { continue }
            let bytes: [UInt8]
            do { bytes = try FileBytes.read(path) } catch { throw ChannelError(error.description) }
            let root: JSONValue
            do { root = try JSONValue.parse(bytes) } catch {
                throw ChannelError("\(path):\(error.line):\(error.column): invalid JSON: \(error.message)")
            }
            guard let object = root.objectValue else { throw ChannelError("\(path): expected a JSON object") }
            documents[subdir] = object
            for section in ["packages", "packages.conda"] {
                for entry in object[section]?.objectValue?.entries ?? [] {
                    guard let name = entry.value["name"]?.stringValue else { continue }
                    entriesByName[name, default: []].append((subdir, section, entry))
                }
            }
        }

        let previous = try existing()
        var report = CondaMirrorReport()
        var writes: [(path: String, bytes: [UInt8])] = []
        var conflicts: [MirrorConflict] = []
        var changed = false
        var included = Set<String>()
        var queue = roots.filter { !$0.hasPrefix("__") }
        while let name = queue.popLast() {
            guard included.insert(name).inserted else { continue }
            guard let entries = entriesByName[name] else {
                report.missing.append(name)
                continue
            }
            for (_, _, entry) in entries {
                for dependency in entry.value["depends"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
                    guard let spec = try? MatchSpec(parsing: dependency) else { continue }
                    if !spec.name.hasPrefix("__") && !included.contains(spec.name) { queue.append(spec.name) }
                }
            }
        }

        for subdir in subdirs {
            guard let document = documents[subdir] else { continue }
            var sections: [String: [JSONObject.Entry]] = ["packages": [], "packages.conda": []]
            for name in included {
                for (entrySubdir, section, entry) in entriesByName[name] ?? [] where entrySubdir == subdir {
                    sections[section, default: []].append(entry)
                    report.records += 1
                }
            }
            let path = "\(output)/\(upstream.name)/\(subdir)/repodata.json"
            var out = JSONObject()
            out.append("info", document["info"] ?? ["subdir": .string(subdir)])
            for section in ["packages", "packages.conda"] {
                var entries = sections[section] ?? []
                if let old = previous?.sections[subdir + "/" + section] {
                    entries = merge(old, entries, path: path, report: &report, conflicts: &conflicts)
                }
                report.mirrorRecords += entries.count
                out.append(section, .object(JSONObject(entries.sorted { $0.key < $1.key })))
            }
            out.append("repodata_version", document["repodata_version"] ?? 1)
            let bytes = Array((JSONValue.object(out).serialized(pretty: true) + "\n").utf8)
            if FileBytes.readPlain(path) != bytes { changed = true }
            writes.append((path, bytes))
        }
        if !conflicts.isEmpty { throw MirrorConflict.error(conflicts) }
        var allRoots = roots
        if let previous {
            report.extended = true
            allRoots = Array(Set(roots + previous.roots))
            if Set(allRoots) != Set(previous.roots) { changed = true }
        }
        // The stamp that tells every reader this is the closure of some roots, not the channel.
        var stamp = JSONObject()
        stamp.append("generator", .string(generator))
        stamp.append("kind", "conda-subset")
        stamp.append("upstream", .string(upstream.name))
        stamp.append("made", .string(MirrorStamp.today()))
        stamp.append("roots", .array(allRoots.sorted().map { .string($0) }))
        // A rerun that adds nothing leaves the stamp alone (its date says when the subset last
        // changed); otherwise it is written last, after the records it describes.
        if previous == nil || changed {
            writes.append(
                (
                    "\(output)/\(upstream.name)/\(MirrorStamp.fileName)",
                    Array((JSONValue.object(stamp).serialized(pretty: true) + "\n").utf8)
                ))
        }
        report.names = included.count - report.missing.count
        report.missing.sort()
        return CondaMirrorPlan(report: report, writes: writes)
    }

    /// The subset's entries of one section with this run's merged in, by file name.
    private func merge(
        _ old: [JSONObject.Entry], _ new: [JSONObject.Entry], path: String, report: inout CondaMirrorReport,
        conflicts: inout [MirrorConflict]
    ) -> [JSONObject.Entry] {
        var byName: [String: JSONObject.Entry] = [:]
        for entry in old { byName[entry.key] = entry }
        for entry in new {
            if let existing = byName[entry.key], existing.value != entry.value {
                let identity = ["sha256", "md5", "size"]
                if identity.contains(where: { existing.value[$0] != entry.value[$0] }) {
                    func describe(_ v: JSONValue) -> String {
                        identity.map { "\($0) \(v[$0].map { $0.stringValue ?? $0.serialized() } ?? "(none)")" }.joined(
                            separator: ", ")
                    }
                    conflicts.append(
                        MirrorConflict(
                            path: path, filename: entry.key, existing: describe(existing.value),
                            incoming: describe(entry.value)))
                    continue
                }
                report.updated += 1
            }
            byName[entry.key] = entry
        }
        return Array(byName.values)
    }
}
