// Fetching over HTTP(S) and file:// with retries on transient failures (connection errors,
// 429 and 5xx), backing off 0.5 s, 1 s, 2 s. 404/410 are answers, not failures.
// HTTP goes through libcurl, loaded on the first request (CCurl), not through URLSession:
// FoundationNetworking would load libcurl's whole library tree at every start of every command.
// A request blocks its thread: the synchronous `fetch` is for threads of our own (the solver's
// loaders); the async `get` hops to a dispatch thread, never blocking a Swift concurrency thread.
// Whole documents go through the client's HTTPCache when it has one (RFC 9111 revalidation);
// byte ranges never do.

import Basics
import CCurl
import Dispatch
import FoundationEssentials
import Glibc
import Specs

public struct HTTPError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The URL with any credentials removed (see `URLText.redacted`).
    public let url: String
    public let reason: String
    public init(url: String, reason: String) {
        self.url = URLText.redacted(url)
        self.reason = reason
    }
    public var description: String { "\(url): \(reason)" }
}

public struct HTTPResponse: Sendable {
    public let status: Int
    public let body: [UInt8]
    public let contentType: String?
    /// Header fields of the final response, names lowercased (the last of repeated ones).
    public var headers: [String: String] = [:]
    /// The URL that answered (after redirects); relative links resolve against it.
    public var finalURL: String? = nil

    public init(
        status: Int, body: [UInt8], contentType: String?, headers: [String: String] = [:], finalURL: String? = nil
    ) {
        self.status = status
        self.body = body
        self.contentType = contentType
        self.headers = headers
        self.finalURL = finalURL
    }
}

public final class HTTPClient: Sendable {
    public let attempts: Int
    public let timeout: TimeInterval
    public let settings: HTTPSettings
    public let cache: HTTPCache?

    public init(
        attempts: Int = 4, timeout: TimeInterval = 60, settings: HTTPSettings = HTTPSettings(), cache: HTTPCache? = nil
    ) {
        self.attempts = attempts
        self.timeout = timeout
        self.settings = settings
        self.cache = cache
    }

    /// GET with retries. Returns the final response (including 404); throws when every attempt
    /// failed to get an answer or ended in a transient status.
    /// `range` is an HTTP byte range such as `bytes=-65536` (the last 64 KiB) or `bytes=100-199`.
    public func get(_ url: String, accept: String? = nil, range: String? = nil) async throws(HTTPError) -> HTTPResponse
    {
        let result: Result<HTTPResponse, HTTPError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do throws(HTTPError) {
                    continuation.resume(returning: .success(try self.fetch(url, accept: accept, range: range)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// `get` on the calling thread. Whole documents come from the cache when it has a fresh
    /// copy (or a revalidated one).
    public func fetch(
        _ url: String, accept: String? = nil, range: String? = nil, maxBytes: UInt64 = HTTPClient.pageLimit
    ) throws(HTTPError) -> HTTPResponse {
        if url.hasPrefix("file://") || url.hasPrefix("/") {
            let path = url.hasPrefix("file://") ? String(url.dropFirst("file://".count)) : url
            guard let bytes = FileBytes.readPlain(PercentEncoding.decoded(path) ?? path) else {
                return HTTPResponse(status: 404, body: [], contentType: nil)
            }
            return HTTPResponse(status: 200, body: bytes, contentType: nil)
        }
        if range == nil, let cache {
            let entry = try cache.fetch(url, accept: accept, suffix: "", maxBytes: maxBytes, client: self)
            return entry.response()
        }
        let answer = try transfer(url, accept: accept, range: range, conditional: [], bodyPath: nil, maxBytes: maxBytes)
        return answer.response
    }

    /// Requests in flight at once, over every thread of the process: the solver's loaders
    /// (16) each prefetch metadata (8), and without a bound a cold resolve would open a hundred
    /// connections, each loading the CA bundle (tens of milliseconds with OpenSSL 3).
    static let inFlight = DispatchSemaphore(value: 24)

    /// `MLENV_DEBUG_HTTP=1`: every request on stderr (URLs redacted).
    static let debug = ProcessInfo.processInfo.environment["MLENV_DEBUG_HTTP"] == "1"

    /// The largest page, metadata file or range answer mlenv accepts (a hostile server cannot
    /// make it buffer without end).
    public static let pageLimit: UInt64 = 256 << 20
    /// The largest repodata or package file.
    public static let fileLimit: UInt64 = 8 << 30

    struct Transfer {
        let response: HTTPResponse
        /// Bytes written to the body file, when one was asked for.
        let bodyLength: Int
    }

    /// One GET with retries; conditional headers (If-None-Match...) and a body file when given.
    func transfer(
        _ url: String, accept: String?, range: String?, conditional: [(String, String)], bodyPath: String?,
        maxBytes: UInt64
    ) throws(HTTPError) -> Transfer {
        guard let scheme = URLText.scheme(url), scheme == "http" || scheme == "https", URLText.host(url) != nil else {
            throw HTTPError(url: url, reason: "not a valid http(s) URL")
        }
        if settings.offline { throw HTTPError(url: url, reason: "not in the cache, and --offline forbids the network") }
        var headers: [(String, String)] = conditional
        if let accept { headers.append(("Accept", accept)) }
        if let range { headers.append(("Range", range)) }
        if let token = settings.token(for: url) { headers.append(("Authorization", "Bearer \(token)")) }
        var lastReason = "no attempt made"
        tries: for attempt in 0..<attempts {
            if attempt > 0 { usleep(UInt32(500_000) << UInt32(attempt - 1)) }
            HTTPClient.inFlight.wait()
            let started = HTTPClient.debug ? DispatchTime.now().uptimeNanoseconds : 0
            let outcome = perform(
                settings.authorized(url), headers: headers, compressed: range == nil, bodyPath: bodyPath,
                maxBytes: maxBytes)
            HTTPClient.inFlight.signal()
            if HTTPClient.debug {
                let ms = (DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
                let status: String
                switch outcome {
                case .success(let t): status = "\(t.response.status) \(t.bodyLength) B"
                case .failure(let reason): status = reason
                }
                StandardStreams.writeError(
                    "http: GET \(URLText.redacted(url))\(range.map { " [\($0)]" } ?? "")\(conditional.isEmpty ? "" : " (conditional)") -> \(status) in \(ms) ms\n"
                )
            }
            switch outcome {
            case .success(let transfer):
                if transfer.response.status == 429 || transfer.response.status >= 500 {
                    lastReason = "HTTP \(transfer.response.status)"
                    continue
                }
                return transfer
            case .failure(let reason):
                lastReason = reason
                // A body over the limit will be over it again.
                if reason.hasPrefix("the answer is larger") { break tries }
            }
        }
        throw HTTPError(url: url, reason: "\(lastReason) (after \(attempts) attempts)")
    }

    private enum Outcome {
        case success(Transfer)
        case failure(String)
    }

    private func perform(
        _ url: String, headers: [(String, String)], compressed: Bool, bodyPath: String?, maxBytes: UInt64
    ) -> Outcome {
        let headerBlock = headers.map { "\($0.0): \($0.1)" }.joined(separator: "\n")
        var response = mlenv_http_response()
        let seconds = max(1, Int(timeout))
        let code = url.withCString { u in
            headerBlock.withCString { h in
                HTTPClient.withOptionalCString(settings.caFile) { ca in
                    HTTPClient.withOptionalCString(settings.caFile == nil ? HTTPSettings.systemCADirectory : nil) {
                        caPath in
                        HTTPClient.withOptionalCString(settings.netrcFile) { netrc in
                            HTTPClient.withOptionalCString(bodyPath) { body in
                                "mlenv".withCString { agent in
                                    var request = mlenv_http_request(
                                        url: u, headers: h, user_agent: agent, ca_file: ca, ca_path: caPath,
                                        netrc_file: netrc,
                                        body_path: body, timeout_seconds: seconds, compressed: compressed ? 1 : 0,
                                        max_bytes: maxBytes)
                                    return mlenv_http_perform(&request, &response)
                                }
                            }
                        }
                    }
                }
            }
        }
        defer { mlenv_http_response_free(&response) }
        guard code == 0 else {
            let reason = withUnsafeBytes(of: response.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            return .failure(reason)
        }
        let body =
            bodyPath != nil || response.length == 0
            ? [] : Array(UnsafeBufferPointer(start: response.body, count: response.length))
        let contentType = response.content_type.map { String(cString: $0) }
        let fields = response.headers.map { HTTPHeaders.parse(String(cString: $0)) } ?? [:]
        let final = response.effective_url.map { String(cString: $0) }
        return .success(
            Transfer(
                response: HTTPResponse(
                    status: Int(response.status), body: body, contentType: contentType,
                    headers: fields, finalURL: final),
                bodyLength: response.length))
    }

    private static func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let text else { return body(nil) }
        return text.withCString { body($0) }
    }
}

enum HTTPHeaders {
    /// "Name: value" lines (the status line and continuation lines ignored), names lowercased.
    static func parse(_ block: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in block.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":"), !line.hasPrefix("HTTP/"), line.first != " ", line.first != "\t"
            else { continue }
            let name = line[..<colon].lowercased()
            let value = String(line[line.index(after: colon)...]).trimmingHorizontalWhitespace()
            fields[name] = value
        }
        return fields
    }
}
