// Fetching over HTTP(S) and file:// with retries on transient failures (connection errors,
// 429 and 5xx), backing off 0.5 s, 1 s, 2 s. 404/410 are answers, not failures.
// HTTP goes through libcurl, loaded on the first request (CCurl), not through URLSession:
// FoundationNetworking would load libcurl's whole library tree at every start of every command.
// Each request blocks a dispatch thread, never a Swift concurrency thread; callers bound how
// many run at once (the mirror: 16).

import CCurl
import Dispatch
import FoundationEssentials

public struct HTTPError: Error, Hashable, Sendable, CustomStringConvertible {
    public let url: String
    public let reason: String
    public var description: String { "\(url): \(reason)" }
}

public struct HTTPResponse: Sendable {
    public let status: Int
    public let body: [UInt8]
    public let contentType: String?
}

public final class HTTPClient: Sendable {
    public let attempts: Int
    public let timeout: TimeInterval

    public init(attempts: Int = 4, timeout: TimeInterval = 60) {
        self.attempts = attempts
        self.timeout = timeout
    }

    /// GET with retries. Returns the final response (including 404); throws when every attempt
    /// failed to get an answer or ended in a transient status.
    /// `range` is an HTTP byte range such as `bytes=-65536` (the last 64 KiB) or `bytes=100-199`.
    public func get(_ url: String, accept: String? = nil, range: String? = nil) async throws(HTTPError) -> HTTPResponse {
        if url.hasPrefix("file://") || url.hasPrefix("/") {
            let path = url.hasPrefix("file://") ? String(url.dropFirst("file://".count)) : url
            guard let data = FileManager.default.contents(atPath: PercentEncoding.decoded(path) ?? path) else {
                return HTTPResponse(status: 404, body: [], contentType: nil)
            }
            return HTTPResponse(status: 200, body: [UInt8](data), contentType: nil)
        }
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw HTTPError(url: url, reason: "not a valid http(s) URL")
        }
        var lastReason = "no attempt made"
        for attempt in 0..<attempts {
            if attempt > 0 {
                try? await Task.sleep(nanoseconds: UInt64(500_000_000) << UInt64(attempt - 1))
            }
            switch await perform(url, accept: accept, range: range) {
            case .success(let response):
                if response.status == 429 || response.status >= 500 {
                    lastReason = "HTTP \(response.status)"
                    continue
                }
                return response
            case .failure(let reason):
                lastReason = reason
            }
        }
        throw HTTPError(url: url, reason: "\(lastReason) (after \(attempts) attempts)")
    }

    private enum Outcome: Sendable {
        case success(HTTPResponse)
        case failure(String)
    }

    /// One request on a dispatch thread (libcurl blocks).
    private func perform(_ url: String, accept: String?, range: String?) async -> Outcome {
        let seconds = max(1, Int(timeout))
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var response = mlenv_http_response()
                let code = url.withCString { u in
                    HTTPClient.withOptionalCString(accept) { a in
                        HTTPClient.withOptionalCString(range) { r in
                            "mlenv".withCString { agent in mlenv_http_get(u, a, r, agent, seconds, &response) }
                        }
                    }
                }
                defer { mlenv_http_response_free(&response) }
                guard code == 0 else {
                    let reason = withUnsafeBytes(of: response.error) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                    continuation.resume(returning: .failure(reason))
                    return
                }
                let body = response.length == 0 ? [] : Array(UnsafeBufferPointer(start: response.body, count: response.length))
                let contentType = response.content_type.map { String(cString: $0) }
                continuation.resume(returning: .success(HTTPResponse(status: response.status, body: body, contentType: contentType)))
            }
        }
    }

    private static func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let text else { return body(nil) }
        return text.withCString { body($0) }
    }
}
