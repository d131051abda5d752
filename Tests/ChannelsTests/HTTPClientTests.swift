// HTTPClient over real HTTP (python3's http.server on 127.0.0.1), through libcurl loaded on
// first use: bodies and content types arrive intact, a 404 is an answer rather than a failure,
// and a port nobody listens on is an error naming the URL after the given attempts.

import Channels
import Foundation
import Testing

@Suite(.serialized) struct HTTPClientTests {
    @Test func fetchesBodiesAndContentTypes() async throws {
        let server = try LoopbackServer(directory: Paths.embeddedPyPI)
        defer { server.stop() }
        let client = HTTPClient(attempts: 2, timeout: 10)
        let page = try await client.get(server.url + "numpy/index.json")
        #expect(page.status == 200)
        let onDisk = try Data(contentsOf: URL(fileURLWithPath: Paths.embeddedPyPI + "/simple/numpy/index.json"))
        #expect(page.body == [UInt8](onDisk))
        #expect(page.contentType == "application/json")
        let missing = try await client.get(server.url + "no-such-project/index.json")
        #expect(missing.status == 404)
        // Many at once, as the mirror asks: every answer belongs to its own request.
        let names = ["numpy", "scipy", "pandas", "joblib", "threadpoolctl", "scikit-learn", "mlflow", "requests"]
        let bodies = try await withThrowingTaskGroup(of: (String, [UInt8]).self) { group in
            for name in names { group.addTask { (name, try await client.get(server.url + "\(name)/index.json").body) } }
            var out: [String: [UInt8]] = [:]
            for try await (name, body) in group { out[name] = body }
            return out
        }
        for name in names {
            let expected = try Data(contentsOf: URL(fileURLWithPath: Paths.embeddedPyPI + "/simple/\(name)/index.json"))
            #expect(bodies[name] == [UInt8](expected), "\(name)")
        }
    }

    @Test func unreachableHostIsAnErrorNamingTheURL() async throws {
        let url = "http://127.0.0.1:9/simple/"
        await #expect(throws: HTTPError.self) { _ = try await HTTPClient(attempts: 1, timeout: 5).get(url) }
        do {
            _ = try await HTTPClient(attempts: 1, timeout: 5).get(url)
        } catch {
            #expect(error.url == url)
            #expect(error.description.contains("after 1 attempts"))
        }
    }
}
