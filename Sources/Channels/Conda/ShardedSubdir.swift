// CEP 16 sharded repodata: a remote channel subdir that offers `repodata_shards.msgpack.zst`
// (a map from package name to the SHA-256 of that name's shard) is read name by name, fetching
// only the shards the solve reaches, instead of the whole repodata.json. Each shard
// (`<shards_base_url><sha256>.msgpack.zst`: the subdir's `packages` and `packages.conda` for one
// name, digests as bytes) is checked against its hash, turned into repodata JSON (digests back to
// hex) and read by the same scanner and field checks as repodata.json, so a shard can no more
// smuggle a bad digest or file name into a lock file than repodata.json can.
//
// Used only when the index's `base_url` is the subdir itself (records are downloaded from
// `<channel>/<subdir>/<file>`); any other base, a malformed index or an index the server does
// not have makes the channel read as before (repodata.json.zst, .bz2, .json).

import Basics
import FoundationEssentials
import Glibc
import JSON
import Specs

/// One subdir of a channel as ChannelSet reads it: all of repodata.json (cached as a table), or
/// the shards of a sharded channel.
protocol CondaSubdir: AnyObject, Sendable {
    /// Every name the subdir has.
    var names: Set<String> { get }
    /// The builds of `name`, newest first.
    func records(named name: String) -> [CondaRecord]
    /// Fetches ahead what `records(named:)` will read for these names (a sharded subdir's
    /// shards, side by side); throws what fetching them met.
    func prefetch(_ names: [String]) throws(ChannelError)
}

extension CondaSubdirRecords: CondaSubdir {
    func prefetch(_ names: [String]) throws(ChannelError) {}
}

final class ShardedSubdir: CondaSubdir, Sendable {
    private let shards: [String: [UInt8]]
    private let shardsBase: String
    private let subdir: String
    private let channel: String
    private let channelLocation: String
    private let client: HTTPClient
    /// Where each shard, once read, is kept as a record table (`<hash>.bin`, the format of the
    /// parsed-channel cache): a warm solve maps it instead of reading MessagePack again.
    private let tableDirectory: String?
    /// Each name's records once read.
    private let fetched = Locked<[String: [CondaRecord]]>([:])

    /// Shards fetched at once.
    static let fetchingThreads = 16
    /// The most a shard index or a shard may expand to.
    static let decompressedLimit = 256 << 20

    private init(
        shards: [String: [UInt8]], shardsBase: String, subdir: String, channel: String, channelLocation: String,
        client: HTTPClient,
        tableDirectory: String?
    ) {
        self.tableDirectory = tableDirectory
        self.shards = shards
        self.shardsBase = shardsBase
        self.subdir = subdir
        self.channel = channel
        self.channelLocation = channelLocation
        self.client = client
    }

    /// The subdir's shard index, or nil when the channel offers none that mlenv can use.
    static func open(channel: CondaChannel, subdir: String, client: HTTPClient, cacheDirectory: String?)
        -> ShardedSubdir?
    {
        let subdirURL = "\(channel.location)/\(subdir)/"
        let indexURL = subdirURL + "repodata_shards.msgpack.zst"
        guard
            let entry = try? RemoteFetch.get(
                indexURL, accept: nil, client: client, what: "the \(subdir) shard index of \(channel.name)",
                suffix: ".msgpack.zst"),
            let bytes = try? decompressed(entry), let index = try? MessagePack.decode(bytes)
        else { return nil }
        guard case .uint(1)? = index["version"] ?? .uint(1), case .map(let pairs)? = index["shards"] else { return nil }
        var baseURL = subdirURL
        var shardsBase = subdirURL
        if case .string(let base)? = index["info"]?["base_url"] {
            baseURL = URLReference.resolve(base, against: subdirURL).0
        }
        if case .string(let base)? = index["info"]?["shards_base_url"] {
            shardsBase = URLReference.resolve(base, against: subdirURL).0
        }
        if !baseURL.hasSuffix("/") { baseURL += "/" }
        if !shardsBase.hasSuffix("/") { shardsBase += "/" }
        guard URLText.withoutCredentials(baseURL) == URLText.withoutCredentials(subdirURL),
            let scheme = URLText.scheme(shardsBase), scheme == "http" || scheme == "https"
        else { return nil }
        var shards: [String: [UInt8]] = [:]
        for pair in pairs {
            guard case .string(let name) = pair.key, case .binary(let hash) = pair.value, hash.count == 32 else {
                return nil
            }
            shards[name] = hash
        }
        return ShardedSubdir(
            shards: shards, shardsBase: shardsBase, subdir: subdir, channel: channel.name,
            channelLocation: channel.fileLocation, client: client, tableDirectory: cacheDirectory.map { $0 + "/shards" }
        )
    }

    var names: Set<String> { Set(shards.keys) }

    func records(named name: String) -> [CondaRecord] {
        if let known = fetched.withLock({ $0[name] }) { return known }
        guard shards[name] != nil, let records = try? fetch(name) else { return [] }
        return records
    }

    func prefetch(_ names: [String]) throws(ChannelError) {
        let wanted = fetched.withLock { fetched in names.filter { shards[$0] != nil && fetched[$0] == nil } }
        guard !wanted.isEmpty else { return }
        let results = Parallel.mapWaiting(wanted, jobs: ShardedSubdir.fetchingThreads) { name -> ChannelError? in
            do throws(ChannelError) {
                _ = try self.fetch(name)
                return nil
            } catch { return error }
        }
        if let error = results.compactMap({ $0 }).first { throw error }
    }

    /// Fetches, checks and reads one name's shard.
    private func fetch(_ name: String) throws(ChannelError) -> [CondaRecord] {
        guard let hash = shards[name] else { return [] }
        let hex = Digester.hexString(hash)
        let tableFile = tableDirectory.map { "\($0)/\(hex).bin" }
        if let tableFile,
            let kept = CondaSubdirRecords.mapped(
                tableFile, channel: channel, channelLocation: channelLocation,
                reparse: { () throws(ChannelError) -> CacheImage in throw ChannelError("a damaged shard table") })
        {
            let records = kept.records(named: name)
            if !records.isEmpty || kept.names.isEmpty {
                fetched.withLock { $0[name] = records }
                return records
            }
        }
        let url = shardsBase + hex + ".msgpack.zst"
        guard
            let entry = try RemoteFetch.get(
                url, accept: nil, client: client, what: "the \(subdir) shard of \(name) in \(channel)",
                suffix: ".msgpack.zst", immutable: true, checkBody: true)
        else {
            throw ChannelError("\(URLText.redacted(url)): the shard of \(name) named by the shard index is not there")
        }
        // The hash names the compressed file (as conda-index writes it) or, for some servers,
        // the MessagePack inside; a shard that is neither is refused before it is read.
        let mismatch = ChannelError(
            "\(URLText.redacted(url)): the shard of \(name) does not match its SHA-256 in the shard index")
        let compressedMatches = Digester.hex(.sha256, of: entry.body()) == hex
        let bytes: [UInt8]
        do { bytes = try Self.decompressed(entry) } catch { throw compressedMatches ? error : mismatch }
        guard compressedMatches || Digester.hex(.sha256, of: bytes) == hex else { throw mismatch }
        let shard: MessagePackValue
        do { shard = try MessagePack.decode(bytes) } catch {
            throw ChannelError("\(URLText.redacted(url)): not a MessagePack shard: \(error.description)")
        }
        let json = Array(Self.repodataJSON(shard, subdir: subdir).utf8)
        let table = try json.withUnsafeBufferPointer { buffer throws(ChannelError) in
            try RepodataScanner.parse(buffer, subdir: subdir, path: URLText.redacted(url))
        }
        if let tableFile { try? FileBytes.writeAtomically(CacheImage.write(table), to: tableFile) }
        var records = table.condaRecords(channel: channel, channelLocation: channelLocation).filter { $0.name == name }
        let order = records.indices.sorted { CondaRecord.preferredFirst(records[$0], records[$1]) }
        records = order.map { records[$0] }
        fetched.withLock { $0[name] = records }
        return records
    }

    /// The zstd-compressed body of an entry, decompressed (at most `decompressedLimit` bytes).
    static func decompressed(_ entry: HTTPCacheEntry) throws(ChannelError) -> [UInt8] {
        let scratch =
            FileManager.default.temporaryDirectory.path
            + "/.mlenv-shard-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        var source = entry.bodyPath ?? ""
        defer {
            unlink(scratch + ".json")
            if entry.bodyPath == nil { unlink(scratch + ".zst") }
        }
        do {
            if entry.bodyPath == nil {
                source = scratch + ".zst"
                try FileBytes.writeAtomically(entry.body(), to: source)
            }
            try FileBytes.decompress(source, to: scratch + ".json", limit: decompressedLimit)
        } catch {
            throw ChannelError(error.description)
        }
        guard let bytes = FileBytes.readPlain(scratch + ".json") else {
            throw ChannelError("cannot read the decompressed \(entry.url)")
        }
        return bytes
    }

    /// A shard as repodata.json text: `packages` and `packages.conda` (digests as hex again),
    /// with the subdir for records that do not name one. Everything else is left out.
    static func repodataJSON(_ shard: MessagePackValue, subdir: String) -> String {
        var out = "{\"info\":{\"subdir\":"
        JSONWriter.appendQuoted(subdir, to: &out)
        out += "}"
        for section in ["packages", "packages.conda"] {
            guard case .map(let files)? = shard[section] else { continue }
            out += ","
            JSONWriter.appendQuoted(section, to: &out)
            out += ":"
            // Only records (maps) under file names; anything else in a section is not a package.
            appendJSON(
                .map(
                    files.filter {
                        if case .map = $0.value { return true }
                        return false
                    }), to: &out)
        }
        return out + "}"
    }

    private static func appendJSON(_ value: MessagePackValue, to out: inout String) {
        switch value {
        case .null, .ext: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .uint(let u): out += String(u)
        case .double(let d): out += d.isFinite ? "\(d)" : "null"
        case .string(let s): JSONWriter.appendQuoted(s, to: &out)
        case .binary(let bytes): JSONWriter.appendQuoted(Digester.hexString(bytes), to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                appendJSON(item, to: &out)
            }
            out += "]"
        case .map(let pairs):
            out += "{"
            var first = true
            for pair in pairs {
                guard case .string(let key) = pair.key else { continue }
                if !first { out += "," }
                first = false
                JSONWriter.appendQuoted(key, to: &out)
                out += ":"
                appendJSON(pair.value, to: &out)
            }
            out += "}"
        }
    }
}
