// Fetching over HTTP(S) and file:// with retries on transient failures (connection errors,
// 429 and 5xx), backing off 0.5 s, 1 s, 2 s. 404/410 are answers, not failures.

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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
    private let session: URLSession

    public init(attempts: Int = 4, timeout: TimeInterval = 60) {
        self.attempts = attempts
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.httpMaximumConnectionsPerHost = 16
        session = URLSession(configuration: configuration)
    }

    /// GET with retries. Returns the final response (including 404); throws when every attempt
    /// failed to get an answer or ended in a transient status.
    /// `range` is an HTTP byte range such as `bytes=-65536` (the last 64 KiB) or `bytes=100-199`.
    public func get(_ url: String, accept: String? = nil, range: String? = nil) async throws(HTTPError) -> HTTPResponse {
        if url.hasPrefix("file://") || url.hasPrefix("/") {
            let path = url.hasPrefix("file://") ? String(url.dropFirst("file://".count)) : url
            guard let data = FileManager.default.contents(atPath: path.removingPercentEncoding ?? path) else {
                return HTTPResponse(status: 404, body: [], contentType: nil)
            }
            return HTTPResponse(status: 200, body: [UInt8](data), contentType: nil)
        }
        guard let parsed = URL(string: url) else { throw HTTPError(url: url, reason: "not a valid URL") }
        var request = URLRequest(url: parsed)
        if let accept { request.setValue(accept, forHTTPHeaderField: "Accept") }
        if let range { request.setValue(range, forHTTPHeaderField: "Range") }
        request.setValue("mlenv", forHTTPHeaderField: "User-Agent")
        var lastReason = "no attempt made"
        for attempt in 0..<attempts {
            if attempt > 0 {
                try? await Task.sleep(nanoseconds: UInt64(500_000_000) << UInt64(attempt - 1))
            }
            do {
                let (data, response) = try await session.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                if status == 429 || status >= 500 {
                    lastReason = "HTTP \(status)"
                    continue
                }
                let contentType = (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type")
                return HTTPResponse(status: status, body: [UInt8](data), contentType: contentType)
            } catch {
                lastReason = error.localizedDescription
            }
        }
        throw HTTPError(url: url, reason: "\(lastReason) (after \(attempts) attempts)")
    }
}
