// A conda channel in standard layout: `<channel>/<subdir>/repodata.json` (or `.json.zst`,
// `.json.bz2`, `.json.gz`). A channel is named by a directory path, a `file://` URL or an
// `http(s)://` URL; its name (for `channel::name` specs and strict priority) is the last path
// component. A remote channel's repodata is fetched through the HTTP cache (`.zst`, then
// `.bz2`, then plain), straight to a file, and then read like a local one.

import Basics
import FoundationEssentials
import Glibc
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

    /// Only directories and http(s) URLs are channels.
    func requireReadable() throws(ChannelError) {
        guard !isLocal else { return }
        guard let scheme = URLText.scheme(location), scheme == "http" || scheme == "https",
            URLText.host(location) != nil
        else {
            throw ChannelError(
                "channel \(URLText.redacted(location)): only http(s):// and file:// URLs or directories can be channels"
            )
        }
    }

    /// The form that may be shown and written out (credentials removed).
    public var displayLocation: String { URLText.redacted(location) }

    /// `path/to/conda-forge`, `file:///srv/mirror/conda-forge`, `https://host/conda-forge`.
    public init(_ text: String) {
        var location = text.hasPrefix("file://") || !text.containsLiteral("://") ? text : URLText.trimmedQuery(text)
        if location.hasPrefix("file://") {
            location = String(location.dropFirst("file://".count))
            location = PercentEncoding.decoded(location) ?? location
        }
        while location.count > 1 && location.hasSuffix("/") { location.removeLast() }
        self.location = location
        let path = URLText.scheme(location) == nil ? Substring(location) : URLText.path(location)
        self.name = path.split(separator: "/").last.map(String.init) ?? URLText.host(location) ?? location
    }

    public var description: String { name }

    /// Records of one subdir, from the binary cache under `cacheDirectory` when it matches the
    /// repodata file (by path, size and modification time), else parsed and then cached. A
    /// missing subdir is empty (conda-forge has no `noarch` in some mirrors); a present but
    /// unreadable or malformed repodata is an error.
    func subdirRecords(subdir: String, cacheDirectory: String?, client: HTTPClient? = nil) throws(ChannelError)
        -> CondaSubdirRecords
    {
        let path = try repodataPath(subdir: subdir, client: client)
        let file = cacheDirectory.flatMap { directory in
            path.flatMap(CondaSubdirRecords.cacheKey).map { "\(directory)/\($0).bin" }
        }
        let parse = { @Sendable () throws(ChannelError) -> CacheImage in
            var path = path
            // A remote channel's repodata, kept in the HTTP cache: checked against the digest in
            // its name before it is parsed; a damaged copy is fetched again.
            if !self.isLocal, let body = path, let cache = client?.cache, !HTTPCacheEntry.bodyFileIsIntact(body) {
                CacheNotes.damaged(body, "its SHA-256 is not the one its name records")
                cache.discard(bodyPath: body)
                path = try self.repodataPath(subdir: subdir, client: client)
            }
            let table = try self.table(subdir: subdir, path: path, scratchDirectory: cacheDirectory)
            let bytes = CacheImage.write(table)
            if let file { try? FileBytes.writeAtomically(bytes, to: file) }
            guard let image = CacheImage(ImageBytes(copying: bytes), trusted: true) else {
                throw ChannelError("internal error: a channel cache image does not read back")
            }
            return image
        }
        if let file,
            let records = CondaSubdirRecords.mapped(file, channel: name, channelLocation: fileLocation, reparse: parse)
        {
            return records
        }
        guard
            let records = CondaSubdirRecords.make(
                image: try parse(), channel: name, channelLocation: fileLocation, reparse: parse)
        else {
            throw ChannelError("internal error: a channel cache image has no sound name table")
        }
        return records
    }

    /// Where the records' files are: the location, without credentials for a remote channel.
    var fileLocation: String { isLocal ? location : URLText.withoutCredentials(location) }

    /// The local file holding a subdir's repodata (for a remote channel, its copy in the HTTP
    /// cache), or nil when the subdir has none. A remote channel without `noarch` is an error:
    /// every conda channel has one, so its absence means a wrong URL.
    func repodataPath(subdir: String, client: HTTPClient? = nil) throws(ChannelError) -> String? {
        try requireReadable()
        let base = "\(location)/\(subdir)/repodata.json"
        if isLocal {
            return ["", ".zst", ".bz2", ".gz", ".xz"].map { base + $0 }.first {
                FileManager.default.fileExists(atPath: $0)
            }
        }
        guard let client else {
            throw ChannelError("channel \(displayLocation): a remote channel needs an HTTP client")
        }
        let suffixes = [".zst", ".bz2", ""]
        var offlineMisses = 0
        for suffix in suffixes {
            do throws(ChannelError) {
                if let entry = try RemoteFetch.get(
                    base + suffix, accept: nil, client: client, what: "the \(subdir) repodata of \(name)",
                    suffix: ".json" + suffix, maxBytes: HTTPClient.fileLimit),
                    let path = entry.bodyPath
                {
                    return path
                }
            } catch  where client.settings.offline {
                offlineMisses += 1
            }
        }
        if offlineMisses == suffixes.count {
            throw ChannelError(
                "\(URLText.redacted(base)): not in the cache, and --offline forbids the network (run once without --offline)"
            )
        }
        if subdir == "noarch" {
            throw ChannelError(
                "channel \(displayLocation) has no noarch/repodata.json (nor .zst, .bz2): is the URL a conda channel?")
        }
        return nil
    }

    /// Every record of one subdir, in the order of repodata.json.
    public func records(subdir: String, client: HTTPClient? = nil) throws(ChannelError) -> [CondaRecord] {
        return try table(subdir: subdir, path: repodataPath(subdir: subdir, client: client), scratchDirectory: nil)
            .condaRecords(channel: name, channelLocation: fileLocation)
    }

    /// One subdir's repodata parsed into a table (empty when the subdir has none). The file is
    /// mapped and read in one pass, its pages handed back as the pass leaves them, so memory
    /// holds the table, not the document. A compressed one is first decompressed, a block at a
    /// time, into a scratch file beside the cache (unlinked once mapped), and read the same way.
    private func table(subdir: String, path: String?, scratchDirectory: String?) throws(ChannelError) -> RepodataTable {
        guard let path else { return RepodataTable() }
        guard ["gz", "bz2", "xz", "zst"].contains(where: { path.hasSuffix("." + $0) }) else {
            return try Self.mappedTable(of: path, subdir: subdir, shownAs: path)
        }
        let directory = scratchDirectory ?? FileManager.default.temporaryDirectory.path
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        StaleTemporaries.sweep(directory, prefix: Self.scratchPrefix)
        let scratch = "\(directory)/\(Self.scratchPrefix)\(getpid())-\(UInt32.random(in: 0...UInt32.max)).json"
        let token = Interruption.guardPath(scratch)
        defer {
            unlink(scratch)
            Interruption.release(token)
        }
        do { try FileBytes.decompress(path, to: scratch, limit: Self.decompressedLimit) } catch {
            throw ChannelError(error.description)
        }
        return try Self.mappedTable(of: scratch, subdir: subdir, shownAs: path)
    }

    /// Scratch files of decompressed repodata (`<prefix><pid>-<random>.json`).
    static let scratchPrefix = ".mlenv-repodata-"
    /// The most a compressed repodata file may expand to (conda-forge's linux-64 is ~1 GiB).
    static let decompressedLimit = 32 << 30

    private static func mappedTable(of file: String, subdir: String, shownAs path: String) throws(ChannelError)
        -> RepodataTable
    {
        guard let mapped = ImageBytes(mapping: file) else {
            // Unreadable (an empty file maps to no bytes): read, so that the error says why.
            let bytes: [UInt8]
            do { bytes = try FileBytes.read(file) } catch {
                throw ChannelError(FileReadError(path: path, reason: error.reason).description)
            }
            return try bytes.withUnsafeBufferPointer { buffer throws(ChannelError) in
                try RepodataScanner.parse(buffer, subdir: subdir, path: path)
            }
        }
        let bytes = UnsafeBufferPointer(start: mapped.base.assumingMemoryBound(to: UInt8.self), count: mapped.count)
        var released = 0
        let step = 64 << 20
        return try withExtendedLifetime(mapped) { () throws(ChannelError) -> RepodataTable in
            try RepodataScanner.parse(bytes, subdir: subdir, path: path) { offset in
                guard offset - released >= step else { return }
                let end = offset & ~(Int(getpagesize()) - 1)
                madvise(UnsafeMutableRawPointer(mutating: mapped.base + released), end - released, MADV_DONTNEED)
                released = end
            }
        }
    }
}
