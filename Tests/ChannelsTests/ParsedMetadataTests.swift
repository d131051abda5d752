// The parsed-metadata store (`<cache>/pypi-metadata`): a warm index answers from it without
// reading the mirror's metadata files or the HTTP cache, and a store that is damaged or written
// to mislead (cut short, another format, a changed byte, too large, a record filed under another
// digest) is noted and passed over: the answer is the one the metadata files give.

import Channels
import Foundation
import Specs
import Testing

@Suite(.serialized) struct ParsedMetadataTests {
    private func scratch(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-parsedmeta-\(name)-\(getpid())").path
    }

    /// A mirror holding the embedded snapshot's pages and metadata files of `projects`.
    private func mirror(at root: String, projects: [String]) throws {
        for project in projects {
            for part in ["simple", "files"] {
                try FileManager.default.createDirectory(atPath: "\(root)/\(part)", withIntermediateDirectories: true)
                try FileManager.default.copyItem(
                    atPath: "\(Paths.embeddedPyPI)/\(part)/\(project)", toPath: "\(root)/\(part)/\(project)")
            }
        }
    }

    private static let projects = ["requests", "six", "urllib3"]

    /// Every file's metadata from `index`, in page order (nil where it has none).
    private func everyMetadata(_ index: PyPIIndex) throws -> [CoreMetadata?] {
        var all: [CoreMetadata?] = []
        for project in ParsedMetadataTests.projects {
            let files = try #require(try index.project(NormalizedName(project))).files
            for file in files where file.coreMetadata != nil { all.append(try index.metadata(for: file)) }
        }
        return all
    }

    private func segments(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".seg") }
            .map { directory + "/" + $0 }
    }

    /// The answer with no store, then with a store filled by a first run: the same, and the
    /// second run reads no metadata file (they are gone).
    @Test func aWarmIndexReadsNoMetadataFile() throws {
        let root = scratch("warm")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try mirror(at: root + "/mirror", projects: ParsedMetadataTests.projects)
        let want = try everyMetadata(try PyPIIndex(root + "/mirror"))
        #expect(want.count > 20 && want.allSatisfy { $0 != nil })

        let first = ParsedMetadataStore(directory: root + "/store")
        #expect(try everyMetadata(try PyPIIndex(root + "/mirror", parsedMetadata: first)) == want)
        #expect(first.hits == 0)
        first.save()
        #expect(segments(root + "/store").count == 1)

        for project in ParsedMetadataTests.projects {
            for name in try FileManager.default.contentsOfDirectory(atPath: "\(root)/mirror/files/\(project)") {
                try FileManager.default.removeItem(atPath: "\(root)/mirror/files/\(project)/\(name)")
            }
        }
        let warm = ParsedMetadataStore(directory: root + "/store")
        #expect(try everyMetadata(try PyPIIndex(root + "/mirror", parsedMetadata: warm)) == want)
        #expect(warm.hits > 0)
        // Without the store the files are missed: the answer above came from it.
        #expect(try everyMetadata(try PyPIIndex(root + "/mirror")).allSatisfy { $0 == nil })
        // --refresh reads the files again (here: finds none).
        let refreshed = ParsedMetadataStore(directory: root + "/store", refresh: true)
        #expect(try everyMetadata(try PyPIIndex(root + "/mirror", parsedMetadata: refreshed)).allSatisfy { $0 == nil })
    }

    /// Over HTTP: once the store has the metadata, neither the server nor the HTTP cache is asked.
    @Test func aWarmRemoteIndexAsksNeitherServerNorHTTPCache() throws {
        let root = scratch("remote")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try mirror(at: root + "/mirror", projects: ParsedMetadataTests.projects)
        let want = try everyMetadata(try PyPIIndex(root + "/mirror"))
        let server = try LoopbackServer(directory: root + "/mirror")
        func index(_ store: ParsedMetadataStore) throws -> PyPIIndex {
            try PyPIIndex(
                server.url, cacheDirectory: root + "/cache/pages",
                client: HTTPClient(attempts: 2, timeout: 10, cache: HTTPCache(root: root + "/cache")),
                parsedMetadata: store)
        }
        let first = ParsedMetadataStore(directory: root + "/store")
        #expect(try everyMetadata(try index(first)) == want)
        first.save()
        // Pages stay (parsed), metadata bodies go: the HTTP cache is emptied and the server stopped.
        let pages = try index(ParsedMetadataStore(directory: root + "/unused"))
        let files = try ParsedMetadataTests.projects.flatMap {
            try #require(try pages.project(NormalizedName($0))).files
        }
        server.stop()
        try FileManager.default.removeItem(atPath: root + "/cache/http-v1")
        let warm = ParsedMetadataStore(directory: root + "/store")
        let remote = try index(warm)
        var got: [CoreMetadata?] = []
        for file in files where file.coreMetadata != nil { got.append(try remote.metadata(for: file)) }
        #expect(got == want)
        #expect(warm.hits > 0)
    }

    /// Each damage or deception falls back to the metadata files, with the same answer, and is
    /// noted; the store is rebuilt by the next save.
    @Test(arguments: ["truncated", "empty", "format", "checksum", "oversized", "sha", "record-sha"])
    func aHostileStoreFallsBackToTheFiles(_ damage: String) throws {
        let root = scratch("hostile-\(damage)")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try mirror(at: root + "/mirror", projects: ParsedMetadataTests.projects)
        let want = try everyMetadata(try PyPIIndex(root + "/mirror"))
        let first = ParsedMetadataStore(directory: root + "/store")
        _ = try everyMetadata(try PyPIIndex(root + "/mirror", parsedMetadata: first))
        first.save()
        let file = try #require(segments(root + "/store").first)
        var bytes = try FileBytes.read(file)
        func u32(_ at: Int) -> Int {
            Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
        }
        // Header: "MLENVMD2" (4 + 8 bytes), count, record bytes; entries of 48 bytes (sha,
        // offset, length, the record's checksum).
        let count = u32(12)
        let entries = 20
        let records = entries + 48 * count
        try #require(count >= 2)
        /// Entry `i`'s checksum made to match its record again.
        func reseal(_ i: Int) {
            let e = entries + 48 * i
            let start = records + u32(e + 32)
            let sum = CacheChecksum.of(Array(bytes[start..<start + u32(e + 36)]))
            for k in 0..<8 { bytes[e + 40 + k] = UInt8(truncatingIfNeeded: sum >> (8 * UInt64(k))) }
        }
        switch damage {
        case "truncated":
            bytes.removeLast(100)
        case "empty":
            bytes = []
        case "format":
            bytes[11] = UInt8(ascii: "9")  // MLENVMD9
        case "checksum":
            bytes[records + 40] ^= 0x01
        case "oversized":
            bytes = []
        case "sha":
            // The first entry points at the second record (whose own digest is another), with
            // that record's checksum.
            for k in 32..<48 { bytes.swapAt(entries + k, entries + 48 + k) }
        default:
            // Every record's own digest changed, entries left as they are and their checksums
            // made to match.
            for i in 0..<count {
                bytes[records + u32(entries + 48 * i + 32)] ^= 0xFF
                reseal(i)
            }
        }
        if damage == "oversized" {
            // A sparse file past the size limit: refused by its size, never read.
            let fd = open(file, O_WRONLY | O_TRUNC)
            try #require(fd >= 0)
            #expect(ftruncate(fd, 65 << 20) == 0)
            close(fd)
        } else {
            try Data(bytes).write(to: URL(fileURLWithPath: file))
        }
        let warm = ParsedMetadataStore(directory: root + "/store")
        #expect(try everyMetadata(try PyPIIndex(root + "/mirror", parsedMetadata: warm)) == want)
        #expect(CacheNotes.given.contains { $0.contains(file) }, "\(CacheNotes.given)")
        // Rebuilt: the next save writes what was parsed again, and a later run uses it.
        warm.save()
        #expect(!FileManager.default.fileExists(atPath: file))
        let again = ParsedMetadataStore(directory: root + "/store")
        #expect(try everyMetadata(try PyPIIndex(root + "/mirror", parsedMetadata: again)) == want)
        #expect(again.hits > 0)
    }

    /// A file of the former format (read whole, one checksum) is not read, and the next save
    /// removes it.
    @Test func aFormerFormatIsRemoved() throws {
        let root = scratch("former")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try mirror(at: root + "/mirror", projects: ParsedMetadataTests.projects)
        try FileManager.default.createDirectory(atPath: root + "/store", withIntermediateDirectories: true)
        let former = root + "/store/v1-0123456789abcdef.seg"
        try Data(CacheChecksum.sealed(Array("MLENVMD1".utf8))).write(to: URL(fileURLWithPath: former))
        let store = ParsedMetadataStore(directory: root + "/store")
        _ = try everyMetadata(try PyPIIndex(root + "/mirror", parsedMetadata: store))
        #expect(store.hits == 0)
        store.save()
        #expect(!FileManager.default.fileExists(atPath: former))
        #expect(segments(root + "/store").count == 1)
    }

    /// Many saves fold into a few files, and the answers stay the same.
    @Test func savesAreMerged() throws {
        let root = scratch("merge")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try mirror(at: root + "/mirror", projects: ParsedMetadataTests.projects)
        let want = try everyMetadata(try PyPIIndex(root + "/mirror"))
        for project in ParsedMetadataTests.projects {
            let store = ParsedMetadataStore(directory: root + "/store")
            let index = try PyPIIndex(root + "/mirror", parsedMetadata: store)
            for file in try #require(try index.project(NormalizedName(project))).files where file.coreMetadata != nil {
                _ = try index.metadata(for: file)
                store.save()
            }
        }
        #expect(segments(root + "/store").count <= 5)
        let warm = ParsedMetadataStore(directory: root + "/store")
        #expect(try everyMetadata(try PyPIIndex(root + "/mirror", parsedMetadata: warm)) == want)
        #expect(warm.hits > 0)
    }
}
