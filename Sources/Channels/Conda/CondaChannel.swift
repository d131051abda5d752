// A conda channel in standard layout: `<channel>/<subdir>/repodata.json` (or `.json.zst`,
// `.json.bz2`, `.json.gz`). A channel is named by a directory path or a `file://` URL; its
// name (for `channel::name` specs and strict priority) is the last path component.

import FoundationEssentials
import JSON
import Specs

public struct ChannelError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public struct CondaChannel: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    /// Directory path (for local channels) or URL without a trailing slash.
    public let location: String

    public var isLocal: Bool { !location.containsLiteral("://") }

    /// `path/to/conda-forge`, `file:///srv/mirror/conda-forge`, `https://host/conda-forge`.
    public init(_ text: String) {
        var location = text
        if location.hasPrefix("file://") {
            location = String(location.dropFirst("file://".count))
            location = PercentEncoding.decoded(location) ?? location
        }
        while location.count > 1 && location.hasSuffix("/") { location.removeLast() }
        self.location = location
        self.name = location.split(separator: "/").last.map(String.init) ?? location
    }

    public var description: String { name }

    /// Records of one subdir. A missing subdir is an empty list (conda-forge has no `noarch`
    /// in some mirrors); a present but unreadable or malformed repodata is an error.
    /// One subdir's records, from the binary cache under `cacheDirectory` when it matches the
    /// repodata file (by path, size and modification time), else parsed and then cached.
    func subdirRecords(subdir: String, cacheDirectory: String?) throws(ChannelError) -> CondaSubdirRecords {
        guard let cacheDirectory, let path = repodataPath(subdir: subdir), let key = CondaSubdirRecords.cacheKey(path: path) else {
            return CondaSubdirRecords(records: try records(subdir: subdir), channel: name, channelLocation: location)
        }
        let file = "\(cacheDirectory)/\(key).bin"
        if let cached = CondaSubdirRecords.load(from: file, channel: name, channelLocation: location) { return cached }
        let parsed = CondaSubdirRecords(records: try records(subdir: subdir), channel: name, channelLocation: location)
        parsed.write(to: file)
        return parsed
    }

    func repodataPath(subdir: String) -> String? {
        let base = "\(location)/\(subdir)/repodata.json"
        return ["", ".zst", ".bz2", ".gz", ".xz"].map { base + $0 }.first { FileManager.default.fileExists(atPath: $0) }
    }

    public func records(subdir: String) throws(ChannelError) -> [CondaRecord] {
        guard isLocal else {
            throw ChannelError("channel \(location): remote conda channels are read through `mlenv mirror` (make a local mirror first)")
        }
        guard let path = repodataPath(subdir: subdir) else { return [] }
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path) } catch { throw ChannelError(error.description) }
        return try RepodataParser.parse(bytes, channel: name, channelLocation: location, subdir: subdir, path: path)
    }
}

enum RepodataParser {
    static func parse(_ bytes: [UInt8], channel: String, channelLocation: String, subdir: String, path: String) throws(ChannelError) -> [CondaRecord] {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch {
            throw ChannelError("\(path):\(error.line):\(error.column): invalid JSON: \(error.message)")
        }
        guard let object = root.objectValue else { throw ChannelError("\(path): expected a JSON object") }
        let recordSubdir = object["info"]?["subdir"]?.stringValue ?? subdir
        var byDist: [String: CondaRecord] = [:]
        var order: [String] = []
        for section in ["packages", "packages.conda"] {
            guard let packages = object[section]?.objectValue else { continue }
            for entry in packages.entries {
                guard let fields = entry.value.objectValue,
                      let record = makeRecord(filename: entry.key, fields: fields, channel: channel,
                                              channelLocation: channelLocation, subdir: recordSubdir) else { continue }
                // Prefer .conda over .tar.bz2 for the same build.
                if let existing = byDist[record.distName] {
                    if record.isCondaFormat && !existing.isCondaFormat { byDist[record.distName] = record }
                } else {
                    byDist[record.distName] = record
                    order.append(record.distName)
                }
            }
        }
        return order.compactMap { byDist[$0] }
    }

    static func makeRecord(filename: String, fields: JSONObject, channel: String, channelLocation: String, subdir: String) -> CondaRecord? {
        guard let name = fields["name"]?.stringValue, let versionText = fields["version"]?.stringValue,
              let build = fields["build"]?.stringValue,
              let version = try? CondaVersion(parsing: versionText) else { return nil }
        func strings(_ key: String) -> [String] { fields[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        var trackFeatures = strings("track_features")
        if trackFeatures.isEmpty, let text = fields["track_features"]?.stringValue {
            trackFeatures = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        }
        var noarch: String?
        switch fields["noarch"] {
        case .string(let s)?: noarch = s
        case .bool(true)?: noarch = "generic"
        default: noarch = nil
        }
        var timestamp = fields["timestamp"]?.numberValue.flatMap { Int64(exactly: $0.double) }
        // Seconds in old records: anything before year 9999 in seconds is below 253402300799.
        if let t = timestamp, t < 253_402_300_799 { timestamp = t * 1000 }
        return CondaRecord(
            channel: channel, channelLocation: channelLocation, subdir: fields["subdir"]?.stringValue ?? subdir,
            filename: filename, name: name, versionText: versionText, version: version, build: build,
            buildNumber: fields["build_number"]?.numberValue?.int.map { Int($0) } ?? 0,
            depends: strings("depends"), constrains: strings("constrains"), trackFeatures: trackFeatures,
            noarch: noarch, timestamp: timestamp, md5: fields["md5"]?.stringValue, sha256: fields["sha256"]?.stringValue,
            size: fields["size"]?.numberValue?.int, license: fields["license"]?.stringValue, purls: strings("purls"))
    }
}
