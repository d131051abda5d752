import Channels
import Foundation
import Testing

@Suite struct ArtifactCacheTests {
    let scratch: URL

    init() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-cache-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    func source(_ name: String, _ content: String) throws -> String {
        let url = scratch.appendingPathComponent("src-\(name)")
        try Data(content.utf8).write(to: url)
        return url.path
    }

    @Test func storesAVerifiedFileOnce() async throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let cache = ArtifactCache(root: scratch.appendingPathComponent("cache").path)
        let path = try source("a", "abc")
        let digest = ArtifactDigest(.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let stored = try await cache.fetch(
            filename: "demo-1.0-py3-none-any.whl", source: "file://" + path, digest: digest, client: HTTPClient())
        #expect(FileManager.default.contents(atPath: stored) == Data("abc".utf8))
        #expect(cache.cachedPath(filename: "demo-1.0-py3-none-any.whl", digest: digest) == stored)
        // A second fetch does not touch the source.
        try FileManager.default.removeItem(atPath: path)
        #expect(
            try await cache.fetch(
                filename: "demo-1.0-py3-none-any.whl", source: path, digest: digest, client: HTTPClient()) == stored)
    }

    /// A cached file damaged after it was stored is not used: it is removed and fetched again
    /// (once copied into a bundle, whose lock then named a hash the file did not have).
    @Test func aDamagedCacheEntryIsFetchedAgain() async throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let cache = ArtifactCache(root: scratch.appendingPathComponent("cache").path)
        let path = try source("c", "abc")
        let digest = ArtifactDigest(.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let stored = try await cache.fetch(
            filename: "demo-1.0-py3-none-any.whl", source: path, digest: digest, client: HTTPClient())
        try Data("abd".utf8).write(to: URL(fileURLWithPath: stored))
        #expect(cache.verifiedPath(filename: "demo-1.0-py3-none-any.whl", digest: digest) == nil)
        #expect(!FileManager.default.fileExists(atPath: stored))
        let again = try await cache.fetch(
            filename: "demo-1.0-py3-none-any.whl", source: path, digest: digest, client: HTTPClient())
        #expect(FileManager.default.contents(atPath: again) == Data("abc".utf8))
    }

    @Test func refusesAHashMismatchAndLeavesNothing() async throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let root = scratch.appendingPathComponent("cache").path
        let cache = ArtifactCache(root: root)
        let path = try source("b", "tampered")
        let digest = ArtifactDigest(.sha256, String(repeating: "0", count: 64))
        await #expect {
            try await cache.fetch(filename: "demo.whl", source: path, digest: digest, client: HTTPClient())
        } throws: { error in
            (error as? ArtifactError)?.message.contains("expected 0000") == true
        }
        let leftovers =
            FileManager.default.enumerator(atPath: root)?.allObjects.compactMap { $0 as? String }.filter {
                $0.hasSuffix(".whl") || $0.contains(".part")
            } ?? []
        #expect(leftovers.isEmpty)
    }

    @Test func verifiesMD5ForCondaRecords() async throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let cache = ArtifactCache(root: scratch.appendingPathComponent("cache").path)
        let path = try source("c", "abc")
        let stored = try await cache.fetch(
            filename: "x-1.0-0.conda", source: path, digest: ArtifactDigest(.md5, "900150983CD24FB0D6963F7D28E17F72"),
            client: HTTPClient())
        #expect(stored.hasSuffix("/md5/90/900150983cd24fb0d6963f7d28e17f72/x-1.0-0.conda"))
    }

    @Test func refusesFilenamesWithPaths() async throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let cache = ArtifactCache(root: scratch.appendingPathComponent("cache").path)
        await #expect(throws: ArtifactError.self) {
            try await cache.fetch(
                filename: "../escape.whl", source: "/dev/null", digest: ArtifactDigest(.sha256, "00"),
                client: HTTPClient())
        }
    }
}

/// No package registry's host name may appear in a committed file (mirror locations are
/// relative; upstream index URLs come from the user's configuration at run time).
@Suite struct NoRegistryHostTests {
    @Test func trackedFilesNameNoRegistryHost() throws {
        let hosts = [
            ["pypi", "org"], ["pythonhosted", "org"], ["anaconda", "org"], ["anaconda", "com"],
            ["prefix", "dev"], ["conda-forge", "org"], ["tuna.tsinghua.edu", "cn"]
        ].map { $0.joined(separator: ".") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", Paths.repository.path, "ls-files", "-z"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let listing = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let files = listing.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        #expect(files.count > 20)
        var offenders: [String] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: Paths.path(file)) else { continue }
            let text = String(decoding: data, as: UTF8.self).lowercased()
            for host in hosts where text.contains(host) { offenders.append("\(file): \(host)") }
        }
        #expect(offenders.isEmpty, "\(offenders)")
    }
}

/// Compressed files go through libsolvext, which is opened on first use (CSolvExt).
@Suite struct CompressedFileTests {
    @Test(arguments: [("gzip", ".gz"), ("bzip2", ".bz2"), ("xz", ".xz"), ("zstd", ".zst")])
    func readsWhatTheCompressorWrote(tool: String, ext: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-compressed-\(getpid())-\(tool)"
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let content = Array((0..<5000).map { "{\"line\": \($0)}\n" }.joined().utf8)
        let plain = directory + "/repodata.json"
        FileManager.default.createFile(atPath: plain, contents: Foundation.Data(content))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool, "-k", plain]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(tool) is not installed")
        #expect(try FileBytes.read(plain + ext) == content)
        // Decompressed a block at a time into a file: the same bytes.
        let out = directory + "/out.json"
        try FileBytes.decompress(plain + ext, to: out, limit: 1 << 20)
        #expect(FileBytes.readPlain(out) == content)
        // Past the limit: an error naming the file, and nothing left behind.
        let capped = directory + "/capped.json"
        #expect(throws: FileReadError.self) {
            try FileBytes.decompress(plain + ext, to: capped, limit: content.count - 1)
        }
        #expect(!FileManager.default.fileExists(atPath: capped))
        // The destination is never overwritten (O_EXCL): a planted file or link stays as it was.
        #expect(throws: FileReadError.self) { try FileBytes.decompress(plain + ext, to: out, limit: 1 << 20) }
    }

    @Test func corruptDataIsAnErrorNamingTheFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-corrupt-\(getpid()).json.gz")
            .path
        FileManager.default.createFile(
            atPath: path, contents: Foundation.Data([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff]))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: FileReadError.self) { try FileBytes.read(path) }
        let out = path + ".out"
        #expect(throws: FileReadError.self) { try FileBytes.decompress(path, to: out, limit: 1 << 20) }
        #expect(!FileManager.default.fileExists(atPath: out))
    }
}
