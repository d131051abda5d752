// Cache files found by fuzz/cache that crashed mlenv while reading them. A checksum guards a
// cache file against damage, not against a file written to be read this way, so each is checked
// beneath its checksum (sealed with a matching one) and must be refused or read, never trap.

import Foundation
import Specs
import Testing

@testable import Channels

@Suite struct CacheFuzzRegressionTests {
    private func scratch(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-cachefuzz-\(name)-\(getpid())").path
    }

    /// A page cache body in ProjectPageCache's encoding.
    private struct Page {
        var bytes: [UInt8] = []
        mutating func int(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
        mutating func string(_ s: String) {
            int(UInt32(s.utf8.count))
            bytes += Array(s.utf8)
        }
    }

    private func read(_ page: Page) throws -> PyPIProjectFiles? {
        // One file per read: the parameterised tests run in parallel within this process.
        let file = scratch("page-\(UUID().uuidString)") + ".bin"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Data(CacheChecksum.sealed(page.bytes)).write(to: URL(fileURLWithPath: file))
        return ProjectPageCache.read(file, project: NormalizedName("six"))
    }

    /// Counts were reserved before they were checked: a 40-byte file asked for 7 GB.
    @Test(arguments: [(UInt32(2), UInt32.max), (UInt32.max, UInt32(1)), (UInt32(1), UInt32(1 << 30))])
    func hugeCountsAreRefused(count: UInt32, releases: UInt32) throws {
        var page = Page()
        page.string(ProjectPageCache.format)
        page.int(count)
        page.int(releases)
        page.string("0.11.4")
        page.int(UInt32.max)  // positions of the first release
        #expect(try read(page) == nil)
    }

    /// A file's release index past the releases read as a page, then trapped when the file was
    /// decoded (PyPIProjectFiles.versions[r] out of range).
    @Test func aReleaseIndexOutOfRangeIsRefused() throws {
        func page(release: UInt32) -> Page {
            var page = Page()
            page.string(ProjectPageCache.format)
            page.int(1)  // files
            page.int(1)  // releases
            page.string("1.0")
            page.int(1)
            page.int(0)
            page.int(0)  // the file's offset
            page.int(release)
            page.string("six-1.0.tar.gz")
            page.string("https://files.example/six-1.0.tar.gz")
            page.bytes += [0, 0, 0, 0, 0, 0]
            page.int(0)  // kind: other
            return page
        }
        let good = try #require(try read(page(release: 0)))
        #expect(good.file(0).filename == "six-1.0.tar.gz")
        #expect(try read(page(release: 5)) == nil)
        #expect(try read(page(release: UInt32.max)) != nil)
    }

    /// `stored` near Int64.min made the age overflow (a trap) when freshness was checked.
    @Test(arguments: ["-9223372036854775808", "9223372036854775807"])
    func anyStoredTimeIsSafe(stored: String) throws {
        let meta =
            "MLENVHTTP1\nurl https://example.org/x\nstatus 404\nstored \(stored)\nno-cache 0\nsize 0\nmax-age 600\n"
        let entry = try #require(HTTPCacheEntry(parsing: Array(meta.utf8), folder: "/cache/http-v1/ab"))
        #expect(entry.isFresh(at: Int64(time(nil))) == (stored.hasPrefix("9")))
        #expect(!entry.isFresh(at: Int64.max) || stored.hasPrefix("9"))
    }
}
