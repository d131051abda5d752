// `mlenv mirror`, conda side: the records of a dependency closure, copied unchanged from an
// upstream channel (a directory in channel layout) into `<output>/<channel>/<subdir>/repodata.json`.
// The closure is by name: every build of every package a root or a closure member depends on
// (virtual packages such as `__glibc` excluded). Entries are written sorted, so the same
// upstream and roots give the same bytes.

import FoundationEssentials
import JSON
import Specs

public struct CondaMirrorReport: Sendable {
    public var names: Int = 0
    public var records: Int = 0
    public var missing: [String] = []
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

    public func run(roots: [String]) throws(ChannelError) -> CondaMirrorReport {
        guard upstream.isLocal else { throw ChannelError("the upstream conda channel must be a directory or file:// URL") }
        // Raw entries per subdir, so records are copied unchanged.
        var documents: [String: JSONObject] = [:]
        var entriesByName: [String: [(subdir: String, section: String, entry: JSONObject.Entry)]] = [:]
        for subdir in subdirs {
            let base = "\(upstream.location)/\(subdir)/repodata.json"
            guard let path = ["", ".zst", ".bz2", ".gz", ".xz"].map({ base + $0 }).first(where: { FileManager.default.fileExists(atPath: $0) }) else { continue }
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

        var report = CondaMirrorReport()
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
            var out = JSONObject()
            out.append("info", document["info"] ?? ["subdir": .string(subdir)])
            for section in ["packages", "packages.conda"] {
                out.append(section, .object(JSONObject((sections[section] ?? []).sorted { $0.key < $1.key })))
            }
            out.append("repodata_version", document["repodata_version"] ?? 1)
            let path = "\(output)/\(upstream.name)/\(subdir)/repodata.json"
            do {
                try FileBytes.writeAtomically(Array((JSONValue.object(out).serialized(pretty: true) + "\n").utf8), to: path)
            } catch {
                throw ChannelError(error.description)
            }
        }
        // The stamp that tells every reader this is the closure of some roots, not the channel.
        var stamp = JSONObject()
        stamp.append("generator", .string(generator))
        stamp.append("kind", "conda-subset")
        stamp.append("upstream", .string(upstream.name))
        stamp.append("made", .string(MirrorStamp.today()))
        stamp.append("roots", .array(roots.sorted().map { .string($0) }))
        do {
            try FileBytes.writeAtomically(Array((JSONValue.object(stamp).serialized(pretty: true) + "\n").utf8), to: "\(output)/\(upstream.name)/\(MirrorStamp.fileName)")
        } catch {
            throw ChannelError(error.description)
        }
        report.names = included.count - report.missing.count
        report.missing.sort()
        return report
    }
}
