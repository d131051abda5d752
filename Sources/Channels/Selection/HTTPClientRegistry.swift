// The process's HTTP clients: one per distinct set of remote sources (credentials and tokens go
// only to the hosts of the sources a client was made for), all sharing one cache and so one
// connection pool and one set of cache notes.

import Basics

public final class HTTPClientRegistry: Sendable {
    /// The registry every command of this process uses.
    public static let shared = HTTPClientRegistry()

    private let state = Locked<(clients: [[String]: HTTPClient], cache: HTTPCache?)>(([:], nil))

    public init() {}

    /// The client for `urls` (in any order), made on first use with `settings`; the cache is made
    /// once, by the first caller's `makeCache`.
    public func client(
        for urls: [String], cache makeCache: () -> HTTPCache, settings: () throws(ChannelError) -> HTTPSettings
    ) throws(ChannelError) -> HTTPClient {
        let made: Result<HTTPClient, ChannelError> = state.withLock { state in
            let key = urls.sorted()
            if let known = state.clients[key] { return .success(known) }
            let shared = state.cache ?? makeCache()
            state.cache = shared
            do throws(ChannelError) {
                let client = HTTPClient(settings: try settings(), cache: shared)
                state.clients[key] = client
                return .success(client)
            } catch {
                return .failure(error)
            }
        }
        return try made.get()
    }
}
