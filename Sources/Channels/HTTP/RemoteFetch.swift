// Synchronous fetches for the readers of remote indexes and channels (they run on the solver's
// loading threads, not in Swift concurrency): through the HTTP cache when there is one, with
// the statuses an index answers turned into what they mean.

import Basics
import Specs

enum RemoteFetch {
    /// The answer to GET `url`: nil when the server says it has no such thing (404, 410).
    /// `what` names the thing in errors ("the project page of numpy").
    /// `checkBody`: the caller reads the body, so a stored one is checked against its digest
    /// first (see `intact`).
    static func get(
        _ url: String, accept: String?, client: HTTPClient, what: String, suffix: String = "",
        maxBytes: UInt64 = HTTPClient.pageLimit, immutable: Bool = false, checkBody: Bool = false
    ) throws(ChannelError) -> HTTPCacheEntry? {
        let entry = try getUnchecked(
            url, accept: accept, client: client, what: what, suffix: suffix, maxBytes: maxBytes, immutable: immutable)
        guard checkBody, let entry else { return entry }
        return try intact(
            entry, url, accept: accept, client: client, what: what, suffix: suffix, maxBytes: maxBytes,
            immutable: immutable)
    }

    /// `entry`, or when its stored body no longer has the digest its file name records (a
    /// damaged cache), the answer fetched again after a note and the entry's removal.
    static func intact(
        _ entry: HTTPCacheEntry, _ url: String, accept: String?, client: HTTPClient, what: String, suffix: String = "",
        maxBytes: UInt64 = HTTPClient.pageLimit, immutable: Bool = false
    ) throws(ChannelError) -> HTTPCacheEntry? {
        guard let cache = client.cache, let body = entry.bodyPath, !entry.bodyIsIntact() else { return entry }
        CacheNotes.damaged(body, "its SHA-256 is not the one its name records")
        cache.discard(bodyPath: body)
        return try getUnchecked(
            url, accept: accept, client: client, what: what, suffix: suffix, maxBytes: maxBytes, immutable: immutable)
    }

    /// The body of GET `url` read once, with its SHA-256 in hex: a stored body whose name
    /// records another digest is damaged and fetched again, as `intact` does, without reading
    /// and hashing it a second time. nil as for `get`.
    static func body(
        _ url: String, accept: String?, client: HTTPClient, what: String
    ) throws(ChannelError) -> (body: [UInt8], sha256: String)? {
        guard
            let entry = try getUnchecked(
                url, accept: accept, client: client, what: what, suffix: "", maxBytes: HTTPClient.pageLimit,
                immutable: false)
        else { return nil }
        let body = entry.body()
        let digest = Digester.hex(.sha256, of: body)
        guard let cache = client.cache, let path = entry.bodyPath,
            !(HTTPCacheEntry.recordedDigest(path).map { digest.hasPrefix($0) } ?? false)
        else { return (body, digest) }
        CacheNotes.damaged(path, "its SHA-256 is not the one its name records")
        cache.discard(bodyPath: path)
        guard
            let again = try getUnchecked(
                url, accept: accept, client: client, what: what, suffix: "", maxBytes: HTTPClient.pageLimit,
                immutable: false)
        else { return nil }
        let fetched = again.body()
        return (fetched, Digester.hex(.sha256, of: fetched))
    }

    private static func getUnchecked(
        _ url: String, accept: String?, client: HTTPClient, what: String, suffix: String,
        maxBytes: UInt64, immutable: Bool
    ) throws(ChannelError) -> HTTPCacheEntry? {
        let entry: HTTPCacheEntry
        do throws(HTTPError) {
            if let cache = client.cache {
                entry = try cache.fetch(
                    url, accept: accept, suffix: suffix, maxBytes: maxBytes, client: client, immutable: immutable)
            } else {
                let transfer = try client.transfer(
                    url, accept: accept, range: nil, conditional: [], bodyPath: nil, maxBytes: maxBytes)
                var made = HTTPCacheEntry(
                    url: URLText.redacted(url), status: transfer.response.status, storedAt: 0, maxAge: nil,
                    noCache: true,
                    etag: nil, lastModified: nil, contentType: transfer.response.contentType,
                    finalURL: transfer.response.finalURL.map(URLText.redacted), bodyPath: nil, size: transfer.bodyLength
                )
                made.inlineBody = transfer.response.body
                entry = made
            }
        } catch {
            throw ChannelError("cannot fetch \(what): \(error.description)")
        }
        switch entry.status {
        case 200: return entry
        case 404, 410: return nil
        case 401, 403:
            throw ChannelError(
                "\(URLText.redacted(url)): HTTP \(entry.status) for \(what): the server wants credentials "
                    + "(~/.netrc, user:password in the URL, or MLENV_INDEX_TOKEN)")
        default:
            throw ChannelError("\(URLText.redacted(url)): HTTP \(entry.status) for \(what)")
        }
    }

    /// A wheel's METADATA file over range requests, fetched on this thread.
    static func wheelMetadata(_ url: String, client: HTTPClient) throws(ChannelError) -> [UInt8] {
        try RemoteWheelMetadata.fetchBytes(url, client: client)
    }
}
