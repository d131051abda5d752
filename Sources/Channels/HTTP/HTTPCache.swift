// The HTTP cache every command shares (`<cache>/http-v1`), as pip's and uv's: a response is
// kept with its validators (ETag, Last-Modified) and freshness (Cache-Control max-age less Age,
// RFC 9111 §4.2); a fresh entry answers without a request, a stale one is revalidated with
// If-None-Match / If-Modified-Since and a 304 keeps its body.
//
// One entry is two files in `<cache>/http-v1/<xx>/`: `<key>.meta` (a few text lines) and the
// body, named `<key>-<sha256 of the body, 16 digits><suffix>` so that a new body never
// overwrites one a reader may hold open. Both are written to a temporary file and renamed into
// place, so several mlenv processes sharing the cache see an old entry or a whole new one, never
// a torn one; a process killed mid-download leaves only a temporary file (removed by `clean`).
// A meta file that does not parse, or names a body of another size, is a miss. A body is
// checked against the digest in its name where it is read to be parsed (RemoteFetch.intact), not
// on every use of a fresh entry: a warm start uses what was parsed from it.
//
// Deviations, on purpose: `no-store` answers are kept but always revalidated (this is a private
// cache; `--refresh` and `mlenv cache clean` are the user's controls), and an answer without
// max-age is stale at once (no heuristic freshness).

import Basics
import FoundationEssentials
import Glibc
import Specs

public final class HTTPCache: Sendable {
    public enum Mode: Sendable {
        /// Fresh entries answer; stale ones are revalidated.
        case normal
        /// Every entry is revalidated once in this process (`--refresh`).
        case refresh
    }

    public let directory: String
    public let mode: Mode
    private struct State {
        /// Entries settled in this process (fresh, revalidated or fetched), by key.
        var settled: [String: HTTPCacheEntry] = [:]
        var statistics = Statistics()
    }
    private let state = Locked(State())
    public var statistics: Statistics { state.withLock { $0.statistics } }

    public struct Statistics: Sendable {
        public var fresh = 0
        public var revalidated = 0
        public var fetched = 0
        public var offlineStale = 0
        /// Requests sent so far (counted when sent, before any answer).
        public var sent = 0
    }

    public init(root: String, mode: Mode = .normal) {
        directory = root + "/http-v1"
        self.mode = mode
    }

    static let format = "MLENVHTTP1"

    /// The answer to GET `url` (with `accept`), from the cache when it may be used, else from
    /// the network through `client` (then stored). `suffix` ends the body file's name (a
    /// repodata reader picks its decompressor from it).
    /// `immutable`: the URL names its content (a CEP 16 shard by its hash, a distribution file),
    /// so a stored copy is never revalidated, not even with --refresh, and a stored 404 or 410
    /// is not revalidated either, except with --refresh.
    public func fetch(
        _ url: String, accept: String?, suffix: String, maxBytes: UInt64, client: HTTPClient,
        immutable: Bool = false
    ) throws(HTTPError) -> HTTPCacheEntry {
        let name = URLText.redacted(url)
        let key = Digester.hex(.sha256, of: Array("\(name)\n\(accept ?? "")".utf8))
        if let known = state.withLock({ $0.settled[key] }) { return known }
        let folder = "\(directory)/\(key.prefix(2))"
        let metaPath = "\(folder)/\(key).meta"
        let stored = readEntry(folder: folder, key: key)
        let now = Int64(time(nil))
        if let stored {
            if client.settings.offline {
                return settle(key, stored) { $0.offlineStale += stored.isFresh(at: now) ? 0 : 1 }
            }
            if (mode == .normal && stored.isFresh(at: now)) || (immutable && stored.status == 200) {
                return settle(key, stored) { $0.fresh += 1 }
            }
            // An immutable URL the server said it does not have (a partial mirror listing an
            // sdist it does not hold) stays missing until --refresh: asked again on every run,
            // a hundred such 404s made a warm resolve over loopback take seconds.
            if immutable && mode == .normal && (stored.status == 404 || stored.status == 410) {
                return settle(key, stored) { $0.fresh += 1 }
            }
        }
        var conditional: [(String, String)] = []
        if let stored, stored.status == 200 {
            if let etag = stored.etag { conditional.append(("If-None-Match", etag)) }
            if let modified = stored.lastModified { conditional.append(("If-Modified-Since", modified)) }
        }
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw HTTPError(url: url, reason: "cannot create the cache directory \(folder)")
        }
        let temporary = "\(folder)/.tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(temporary) }
        state.withLock { $0.statistics.sent += 1 }
        let transfer = try client.transfer(
            url, accept: accept, range: nil, conditional: conditional, bodyPath: temporary, maxBytes: maxBytes)
        let response = transfer.response
        let freshness = Freshness(response.headers)
        if response.status == 304, var entry = stored {
            entry.storedAt = now
            entry.maxAge = freshness.maxAge ?? entry.maxAge
            entry.noCache = freshness.noCache
            if let etag = response.headers["etag"] { entry.etag = etag }
            if let modified = response.headers["last-modified"] { entry.lastModified = modified }
            writeEntry(entry, to: metaPath)
            return settle(key, entry) { $0.revalidated += 1 }
        }
        var entry = HTTPCacheEntry(
            url: name, status: response.status, storedAt: now, maxAge: freshness.maxAge, noCache: freshness.noCache,
            etag: response.headers["etag"], lastModified: response.headers["last-modified"],
            contentType: response.contentType, finalURL: response.finalURL.map(URLText.redacted), bodyPath: nil, size: 0
        )
        switch response.status {
        case 200:
            let digest: String
            do { digest = try ArtifactCache.digest(of: temporary, algorithm: .sha256, filename: name) } catch {
                throw HTTPError(url: url, reason: "cannot read the downloaded body back: \(error.message)")
            }
            let bodyPath = "\(folder)/\(key)-\(digest.prefix(16))\(suffix)"
            // The same body already there (a refetch that changed nothing) stays as it is, so
            // what was derived from it (a parsed page keyed by its file) stays valid.
            var existing = stat()
            if stat(bodyPath, &existing) == 0, Int(existing.st_size) == transfer.bodyLength {
                unlink(temporary)
            } else if rename(temporary, bodyPath) != 0 {
                throw HTTPError(url: url, reason: "cannot move the download into the cache")
            }
            entry.bodyPath = bodyPath
            entry.size = transfer.bodyLength
            writeEntry(entry, to: metaPath)
            if let old = stored?.bodyPath, old != bodyPath { unlink(old) }
        case 404, 410:
            writeEntry(entry, to: metaPath)
        default:
            // Not kept (401, 403, ...): the caller reports it; the body explains it.
            entry.inlineBody = FileBytes.readPlain(temporary).map { Array($0.prefix(1 << 20)) } ?? []
            return entry
        }
        return settle(key, entry) { $0.fetched += 1 }
    }

    /// Something mlenv derived from immutable remote bytes (a wheel's METADATA read over range
    /// requests), stored under a name of its own (`what` holds the file's URL and digest).
    public func derived(_ what: String) -> [UInt8]? {
        let key = Digester.hex(.sha256, of: Array("derived\n\(what)".utf8))
        return readEntry(folder: "\(directory)/\(key.prefix(2))", key: key).map { $0.body() }
    }

    public func storeDerived(_ what: String, bytes: [UInt8]) {
        let key = Digester.hex(.sha256, of: Array("derived\n\(what)".utf8))
        let folder = "\(directory)/\(key.prefix(2))"
        let bodyPath = "\(folder)/\(key)-\(Digester.hex(.sha256, of: bytes).prefix(16))"
        guard (try? FileBytes.writeAtomically(bytes, to: bodyPath)) != nil else { return }
        let entry = HTTPCacheEntry(
            url: URLText.redacted(what), status: 200, storedAt: Int64(time(nil)), maxAge: Int64.max / 4, noCache: false,
            etag: nil, lastModified: nil, contentType: nil, finalURL: nil, bodyPath: bodyPath, size: bytes.count)
        writeEntry(entry, to: "\(folder)/\(key).meta")
    }

    /// Removes a stored entry whose body turned out damaged (both files, and this process's
    /// memory of it), so that the next fetch downloads it again.
    public func discard(bodyPath: String) {
        guard let name = bodyPath.split(separator: "/").last, let dash = name.firstIndex(of: "-") else { return }
        let key = String(name[..<dash])
        let folder = PathText.deletingLastComponent(bodyPath)
        guard folder.hasPrefix(directory + "/") else { return }
        state.withLock { _ = $0.settled.removeValue(forKey: key) }
        unlink("\(folder)/\(key).meta")
        unlink(bodyPath)
    }

    private func settle(_ key: String, _ entry: HTTPCacheEntry, _ count: (inout Statistics) -> Void) -> HTTPCacheEntry {
        state.withLock { state in
            state.settled[key] = entry
            count(&state.statistics)
        }
        return entry
    }

    // MARK: entries on disk

    /// The entry `<folder>/<key>.meta`, with its body checked to be there.
    private func readEntry(folder: String, key: String) -> HTTPCacheEntry? {
        let metaPath = "\(folder)/\(key).meta"
        // Read twice at most: a concurrent writer may have replaced the body between the two reads.
        for _ in 0..<2 {
            guard let bytes = FileBytes.readPlain(metaPath), bytes.count < 1 << 16 else { return nil }
            guard let entry = HTTPCacheEntry(parsing: bytes, folder: folder) else { return nil }
            guard let body = entry.bodyPath else { return entry.status == 200 ? nil : entry }
            var info = stat()
            if stat(body, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) == entry.size {
                return entry
            }
        }
        return nil
    }

    private func writeEntry(_ entry: HTTPCacheEntry, to metaPath: String) {
        try? FileBytes.writeAtomically(Array(entry.serialized.utf8), to: metaPath)
    }

    // MARK: maintenance

    /// Files and bytes under the cache root, by part.
    public static func usage(root: String) -> [(part: String, files: Int, bytes: Int64)] {
        CacheParts.all.map { part in
            var files = 0
            var bytes: Int64 = 0
            if let paths = try? FileManager.default.subpathsOfDirectory(atPath: "\(root)/\(part.directory)") {
                for next in paths {
                    var info = stat()
                    guard stat("\(root)/\(part.directory)/\(next)", &info) == 0, (info.st_mode & S_IFMT) == S_IFREG
                    else { continue }
                    files += 1
                    bytes += Int64(info.st_size)
                }
            }
            return (part.name, files, bytes)
        }
    }

    /// Removes every part mlenv writes under the cache root (and nothing else there).
    public static func clean(root: String) throws(ChannelError) {
        for part in CacheParts.all {
            let path = "\(root)/\(part.directory)"
            guard FileManager.default.fileExists(atPath: path) else { continue }
            do { try FileManager.default.removeItem(atPath: path) } catch {
                throw ChannelError("cannot remove \(path): \(FileErrorText.describe(error))")
            }
        }
    }
}

/// What lives under the cache root.
public enum CacheParts {
    public static let all: [(name: String, directory: String)] = [
        ("http responses (index pages, metadata, repodata)", "http-v1"),
        ("parsed conda channels", "channels"),
        ("parsed PyPI pages", "pypi-pages"),
        ("parsed PyPI metadata", "pypi-metadata"),
        ("package files", "artifacts")
    ]
}

/// Cache-Control and Age of a response: how long it stays fresh.
struct Freshness {
    var maxAge: Int64?
    var noCache = false

    init(_ headers: [String: String]) {
        for directive in (headers["cache-control"] ?? "").lowercased().split(separator: ",") {
            let d = String(directive).trimmingHorizontalWhitespace()
            if d == "no-cache" || d == "no-store" || d.hasPrefix("no-cache=") { noCache = true }
            if d.hasPrefix("max-age="), let seconds = Int64(d.dropFirst("max-age=".count)), seconds >= 0 {
                maxAge = seconds
            }
        }
        if let age = headers["age"].flatMap({ Int64($0) }), age >= 0, let m = maxAge { maxAge = max(0, m - age) }
    }
}

/// One stored response.
public struct HTTPCacheEntry: Sendable {
    /// The URL it answers (credentials removed).
    public let url: String
    public let status: Int
    public var storedAt: Int64
    var maxAge: Int64?
    var noCache: Bool
    var etag: String?
    var lastModified: String?
    public let contentType: String?
    /// The URL that answered, after redirects.
    public let finalURL: String?
    /// The body file (status 200 only).
    public internal(set) var bodyPath: String?
    var size: Int
    /// The body of an answer that is not stored (an error status).
    var inlineBody: [UInt8] = []

    /// Whether the entry is still fresh at `now`. The times come from a meta file, so any
    /// Int64 may be there: an age that does not fit (a `stored` near Int64.min) is not fresh.
    func isFresh(at now: Int64) -> Bool {
        guard !noCache, let maxAge else { return false }
        let (age, overflow) = now.subtractingReportingOverflow(storedAt)
        return !overflow && age < maxAge
    }

    /// The body, read from the cache.
    public func body() -> [UInt8] { bodyPath.flatMap(FileBytes.readPlain) ?? inlineBody }

    /// Whether the stored body still has the SHA-256 its file name records (its first 16
    /// digits), read through once; an answer held in memory is intact.
    func bodyIsIntact() -> Bool {
        guard let bodyPath else { return true }
        return HTTPCacheEntry.bodyFileIsIntact(bodyPath)
    }

    /// Whether a body file `<key>-<16 digits of its SHA-256><suffix>` has that digest.
    static func bodyFileIsIntact(_ path: String) -> Bool {
        guard let name = path.split(separator: "/").last, let recorded = recordedDigest(path),
            let digest = try? ArtifactCache.digest(of: path, algorithm: .sha256, filename: String(name))
        else { return false }
        return digest.hasPrefix(recorded)
    }

    /// The 16 digits of its body's SHA-256 that a body file's name records, or nil.
    static func recordedDigest(_ path: String) -> Substring? {
        guard let name = path.split(separator: "/").last, let dash = name.firstIndex(of: "-") else { return nil }
        let recorded = name[name.index(after: dash)...].prefix(16)
        return recorded.count == 16 ? recorded : nil
    }

    func response() -> HTTPResponse {
        HTTPResponse(status: status, body: body(), contentType: contentType, headers: [:], finalURL: finalURL)
    }

    var serialized: String {
        var lines = [
            HTTPCache.format, "url \(url)", "status \(status)", "stored \(storedAt)", "no-cache \(noCache ? 1 : 0)",
            "size \(size)"
        ]
        if let maxAge { lines.append("max-age \(maxAge)") }
        if let etag { lines.append("etag \(etag)") }
        if let lastModified { lines.append("last-modified \(lastModified)") }
        if let contentType { lines.append("content-type \(contentType)") }
        if let finalURL { lines.append("final-url \(finalURL)") }
        if let bodyPath { lines.append("body \(bodyPath.split(separator: "/").last.map(String.init) ?? bodyPath)") }
        // A value never holds a line break (header values come split by line).
        return lines.map { $0.filter { $0 != "\n" && $0 != "\r" } }.joined(separator: "\n") + "\n"
    }
}

extension HTTPCacheEntry {
    /// Parses a meta file; nil when anything is off. The body must be a plain file name in the
    /// entry's own folder (a hostile cache cannot point mlenv elsewhere). A byte scan (a warm
    /// resolve reads hundreds of these, and splitting them as Strings into a dictionary was a
    /// tenth of a light one's time). A line is `key value`; a key given twice keeps its last
    /// value, an unknown key is passed over.
    init?(parsing bytes: [UInt8], folder: String) {
        let format = Array(HTTPCache.format.utf8)
        var url: String?
        var status: Int?
        var stored: Int64?
        var size: Int?
        var maxAge: Int64?
        var noCache = false
        var etag: String?
        var lastModified: String?
        var contentType: String?
        var finalURL: String?
        var body: String?
        var start = 0
        var first = true
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            defer { start = end + 1 }
            if end == start { continue }
            let line = bytes[start..<end]
            if first {
                guard line.elementsEqual(format) else { return nil }
                first = false
                continue
            }
            guard let space = line.firstIndex(of: 0x20) else { return nil }
            let value = line[(space + 1)...]
            let text = String(decoding: value, as: UTF8.self)
            switch String(decoding: line[..<space], as: UTF8.self) {
            case "url": url = text
            case "status": status = Int(text)
            case "stored": stored = Int64(text)
            case "size": size = Int(text)
            case "max-age": maxAge = Int64(text)
            case "no-cache": noCache = text == "1"
            case "etag": etag = text
            case "last-modified": lastModified = text
            case "content-type": contentType = text
            case "final-url": finalURL = text
            case "body": body = text
            default: continue
            }
        }
        guard !first, let url, let status, (100...599).contains(status), let stored, let size, size >= 0 else {
            return nil
        }
        var bodyPath: String?
        if let body {
            guard !body.contains("/"), !body.hasPrefix("."), !body.isEmpty else { return nil }
            bodyPath = "\(folder)/\(body)"
        }
        self.init(
            url: url, status: status, storedAt: stored, maxAge: maxAge, noCache: noCache, etag: etag,
            lastModified: lastModified, contentType: contentType, finalURL: finalURL, bodyPath: bodyPath, size: size)
    }
}
