// mlenv's cache files damaged after they were written (a flipped bit, a changed digit, a cut
// tail): each is noticed by its checksum, noted on standard error once, and rebuilt from its
// source, and the answer is the one an undamaged cache gives. The conda record cache's cases are
// in RepodataScannerTests (aDamagedCacheIsReparsed).

import Channels
import Foundation
import Specs
import Testing

@Suite(.serialized) struct DamagedCacheTests {
    private func scratch(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-damaged-\(name)-\(getpid())").path
    }

    private func files(under root: String, suffix: String) -> [String] {
        (FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(suffix) && !($0.split(separator: "/").last?.hasPrefix(".") ?? true) }.map {
                root + "/" + $0
            }
            .filter {
                var directory: ObjCBool = false
                return FileManager.default.fileExists(atPath: $0, isDirectory: &directory) && !directory.boolValue
            }
    }

    private func fields(_ project: PyPIProject?) -> [String] {
        (project?.files ?? []).map { "\($0.filename) \($0.sha256 ?? "") \($0.requiresPython ?? "")" }
    }

    /// A parsed page whose bytes changed (a sha256 digit, which every field check accepts, or
    /// the length of a string) is parsed again from the page.
    @Test(arguments: ["digest-digit", "length", "cut"])
    func aDamagedParsedPageIsParsedAgain(_ damage: String) throws {
        let root = scratch("page-\(damage)")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let page = root + "/index/simple/six"
        try FileManager.default.createDirectory(atPath: page, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: Paths.embeddedPyPI + "/simple/six/index.json", toPath: page + "/index.json")
        let cache = root + "/pages"
        let want = fields(try PyPIIndex(root + "/index/simple", cacheDirectory: cache).project(NormalizedName("six")))
        #expect(!want.isEmpty)
        let file = try #require(files(under: cache, suffix: ".bin").first)
        var bytes = try FileBytes.read(file)
        switch damage {
        case "digest-digit":
            let hex = Set("0123456789abcdef".utf8)
            var run = 0
            var at = -1
            for (i, b) in bytes.enumerated() {
                run = hex.contains(b) ? run + 1 : 0
                if run == 64 {
                    at = i - 10
                    break
                }
            }
            try #require(at > 0)
            bytes[at] = bytes[at] == UInt8(ascii: "a") ? UInt8(ascii: "b") : UInt8(ascii: "a")
        case "length": bytes[12] ^= 0x40
        default: bytes.removeLast(3)
        }
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        #expect(
            fields(try PyPIIndex(root + "/index/simple", cacheDirectory: cache).project(NormalizedName("six"))) == want)
        #expect(CacheNotes.given.contains { $0.contains(file) }, "\(CacheNotes.given)")
        #expect(try FileBytes.read(file) != bytes)  // rewritten
    }

    /// A page body in the HTTP cache whose bytes no longer match the digest in its name is
    /// fetched again, not parsed; the cache then holds the server's page again.
    @Test func aDamagedHTTPBodyIsFetchedAgain() throws {
        let root = scratch("http")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let server = try LoopbackServer(directory: Paths.embeddedPyPI)
        defer { server.stop() }
        func index() throws -> PyPIIndex {
            let cache = HTTPCache(root: root + "/cache")
            return try PyPIIndex(
                server.url, cacheDirectory: root + "/cache/pages",
                client: HTTPClient(attempts: 2, timeout: 10, cache: cache))
        }
        let want = fields(try index().project(NormalizedName("six")))
        #expect(!want.isEmpty)
        let body = try #require(files(under: root + "/cache/http-v1", suffix: "").first { !$0.hasSuffix(".meta") })
        let served = try FileBytes.read(body)
        var damaged = served
        damaged[damaged.count / 2] ^= 0x20
        try Data(damaged).write(to: URL(fileURLWithPath: body))
        // The parse of the page goes too, so the page is read from the body.
        try FileManager.default.removeItem(atPath: root + "/cache/pages")
        #expect(fields(try index().project(NormalizedName("six"))) == want)
        #expect(CacheNotes.given.contains { $0.contains(body) && $0.contains("SHA-256") }, "\(CacheNotes.given)")
        #expect(try FileBytes.read(body) == served)
    }

    @Test func sealedBytesOpenOnlyUnchanged() {
        let bytes = Array("a cache file's bytes, of a length that is not a multiple of eight".utf8)
        let sealed = CacheChecksum.sealed(bytes)
        #expect(CacheChecksum.unsealed(sealed).map(Array.init) == bytes)
        // Every single-bit change anywhere (the checksum included) is caught.
        for i in sealed.indices {
            for bit in 0..<8 {
                var changed = sealed
                changed[i] ^= UInt8(1 << bit)
                #expect(CacheChecksum.unsealed(changed) == nil, "byte \(i) bit \(bit)")
            }
        }
        #expect(CacheChecksum.unsealed(Array(sealed.dropLast())) == nil)
        #expect(CacheChecksum.unsealed([1, 2, 3]) == nil)
    }
}
