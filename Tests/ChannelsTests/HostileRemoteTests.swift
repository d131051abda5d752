// Hostile answers and a hostile cache: what a server or a cache directory says is checked where
// it enters. A body over its limit is refused, a page cannot point mlenv at this machine's own
// files, and a cache entry cannot name a body outside its folder.

import Basics
import Foundation
import Specs
import Testing

@testable import Channels

@Suite(.serialized) struct HostileRemoteTests {
    static func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-hostile-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func aBodyOverItsLimitIsRefused() throws {
        let server = try LoopbackServer(directory: Paths.embeddedPyPI)
        defer { server.stop() }
        let client = HTTPClient(attempts: 1, timeout: 10)
        #expect(throws: HTTPError.self) { _ = try client.fetch(server.url + "numpy/index.json", maxBytes: 1024) }
        do { _ = try client.fetch(server.url + "numpy/index.json", maxBytes: 1024) } catch {
            #expect(error.reason.contains("larger than the limit"))
        }
        #expect(try client.fetch(server.url + "numpy/index.json").status == 200)
    }

    @Test func aRemotePageCannotPointAtLocalFiles() throws {
        let root = try Self.scratch()
        try FileManager.default.createDirectory(atPath: root + "/simple/evil", withIntermediateDirectories: true)
        let hash = String(repeating: "0", count: 64)
        try """
        <a href="file:///etc/passwd#sha256=\(hash)">evil-1.0-py3-none-any.whl</a>
        <a href="/etc/shadow">evil-1.1-py3-none-any.whl</a>
        <a href="../../files/evil-1.2-py3-none-any.whl#sha256=\(hash)">evil-1.2-py3-none-any.whl</a>
        """.write(toFile: root + "/simple/evil/index.html", atomically: true, encoding: .utf8)
        let server = try LoopbackServer(directory: root)
        defer { server.stop() }
        let index = try PyPIIndex(
            server.url, client: HTTPClient(attempts: 1, timeout: 10, cache: HTTPCache(root: try Self.scratch())))
        let files = try #require(try index.projectFiles(NormalizedName("evil"))).project.files
        // The file:// link is dropped; the others resolve against the page, on the server.
        #expect(files.map(\.filename).sorted() == ["evil-1.1-py3-none-any.whl", "evil-1.2-py3-none-any.whl"])
        #expect(files.allSatisfy { $0.url.hasPrefix("http://127.0.0.1:") })
    }

    @Test(arguments: [
        "MLENVHTTP1\nurl u\nstatus 200\nstored 1\nsize 4\nbody ../../../etc/passwd\n",
        "MLENVHTTP1\nurl u\nstatus 200\nstored 1\nsize 4\nbody /etc/passwd\n",
        "MLENVHTTP1\nurl u\nstatus 200\nstored 1\nsize 4\nbody .hidden\n",
        "MLENVHTTP1\nurl u\nstatus 999\nstored 1\nsize 4\n",
        "MLENVHTTP1\nurl u\nstatus 200\nstored 1\nsize -4\n",
        "MLENVHTTP2\nurl u\nstatus 200\nstored 1\nsize 4\n",
        "MLENVHTTP1\nurl u\nstatus 200 stored 1\n"
    ])
    func aCacheEntryCannotNameABodyElsewhere(_ meta: String) {
        #expect(HTTPCacheEntry(parsing: Array(meta.utf8), folder: "/cache/http-v1/ab") == nil)
    }

    @Test func aPlantedEntryIsAMissNotARead() throws {
        let root = try Self.scratch()
        let cache = HTTPCache(root: root)
        let url = "http://127.0.0.1:9/simple/evil/"
        // The entry a fetch of `url` would read, planted to name a file outside the cache.
        let key = Digester.hex(.sha256, of: Array("\(url)\n".utf8))
        let folder = "\(root)/http-v1/\(key.prefix(2))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "MLENVHTTP1\nurl \(url)\nstatus 200\nstored 1\nsize 4\nmax-age 999999999\nbody ../../../../etc/hostname\n"
            .write(toFile: "\(folder)/\(key).meta", atomically: true, encoding: .utf8)
        let offline = HTTPClient(attempts: 1, timeout: 5, settings: HTTPSettings(offline: true), cache: cache)
        #expect(throws: HTTPError.self) {
            _ = try cache.fetch(url, accept: nil, suffix: "", maxBytes: 1 << 20, client: offline)
        }
    }

    /// A distribution file the index lists but its server does not hold (a partial mirror's
    /// sdist) is asked for once: a later process takes the stored 404 as the answer, until
    /// --refresh asks again. A file the server does hold is fetched as usual.
    @Test func aMissingImmutableFileIsAskedForOnce() throws {
        let server = try LoopbackServer(directory: Paths.embeddedPyPI)
        defer { server.stop() }
        let root = try Self.scratch()
        let missing = server.url + "no-such-project/no-such-project-1.0.tar.gz"
        let present = server.url + "numpy/index.json"
        func fetch(_ url: String, mode: HTTPCache.Mode = .normal, immutable: Bool = true) throws -> (
            status: Int, statistics: HTTPCache.Statistics
        ) {
            let cache = HTTPCache(root: root, mode: mode)  // a new process's cache
            let client = HTTPClient(attempts: 1, timeout: 10, cache: cache)
            let entry = try cache.fetch(
                url, accept: nil, suffix: "", maxBytes: 1 << 24, client: client, immutable: immutable)
            return (entry.status, cache.statistics)
        }
        let first = try fetch(missing)
        #expect(first.status == 404 && first.statistics.fetched == 1)
        let second = try fetch(missing)
        #expect(second.status == 404 && second.statistics.fetched == 0 && second.statistics.fresh == 1)
        // Not for a URL that may change (a page), and not with --refresh.
        #expect(try fetch(missing, immutable: false).statistics.fetched == 1)
        #expect(try fetch(missing, mode: .refresh).statistics.fetched == 1)
        #expect(try fetch(present).status == 200)
        #expect(try fetch(present).statistics.fresh == 1)
    }

    @Test func redactionAndCredentialsStayOnTheirHost() {
        #expect(URLText.redacted("https://alice:s3cret@host.example/simple/") == "https://***@host.example/simple/")
        #expect(
            URLText.withoutCredentials("https://alice:s3cret@host.example/simple/") == "https://host.example/simple/")
        let settings = HTTPSettings(tokens: ["host.example": "t0ken"], userinfo: ["host.example": "alice:s3cret"])
        #expect(
            settings.authorized("https://host.example/files/a.whl") == "https://alice:s3cret@host.example/files/a.whl")
        #expect(settings.authorized("https://files.example/a.whl") == "https://files.example/a.whl")
        #expect(settings.token(for: "https://host.example/simple/") == "t0ken")
        #expect(settings.token(for: "https://files.example/a.whl") == nil)
        #expect(settings.token(for: "https://bob:pw@host.example/simple/") == nil)
    }
}
