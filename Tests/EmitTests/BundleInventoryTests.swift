// A bundle is trusted only when its files are exactly MANIFEST.json's: an unlisted file (an
// `inference/yaml.py` the scoring core would import), an empty `files`, a listed path that
// leaves the bundle, a link or a FIFO are each refused before anything runs.

@testable import Emit
import Foundation
import JSON
import Testing

@Suite struct BundleInventoryTests {
    static let digest = String(repeating: "0", count: 64)

    static func bundle(_ files: [String]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-inventory-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        for file in files + ["MANIFEST.json"] {
            try FileManager.default.createDirectory(atPath: (root + "/" + file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try "x".write(toFile: root + "/" + file, atomically: true, encoding: .utf8)
        }
        return root
    }

    static func manifest(_ keys: [String]) throws -> JSONValue {
        try JSONValue.parse(string: "{\"files\": {" + keys.map { "\"\($0)\": \"\(digest)\"" }.joined(separator: ",") + "}}")
    }

    @Test func exactlyTheListedFilesPass() throws {
        let root = try Self.bundle(["inference/score.py", "model/MLmodel"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(BundleInventory.check(root: root, manifest: try Self.manifest(["inference/score.py", "model/MLmodel"])).isEmpty)
    }

    @Test func anUnlistedFileIsRefused() throws {
        let root = try Self.bundle(["inference/score.py", "inference/yaml.py"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(BundleInventory.check(root: root, manifest: try Self.manifest(["inference/score.py"])) == ["inference/yaml.py is not listed in MANIFEST.json"])
        #expect(BundleInventory.check(root: root, manifest: try Self.manifest([])).count == 2)
    }

    /// The last three were found by fuzz/bundle: Unicode whitespace other than the space.
    @Test(arguments: ["../../etc/passwd", "/etc/passwd", "a/../../b", "./x", "a//b", "a\\b", "a\nb", "\u{2029}x", "a\u{2028}b", "a\u{A0}b"])
    func aListedPathOutsideTheBundleIsRefused(_ key: String) throws {
        let root = try Self.bundle([])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let escaped = key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
        let manifest = try JSONValue.parse(string: "{\"files\": {\"\(escaped)\": \"\(Self.digest)\"}}")
        #expect(BundleInventory.check(root: root, manifest: manifest).contains { $0.contains("which is not a plain path inside the bundle") })
    }

    @Test func linksAndFIFOsAreRefused() throws {
        let root = try Self.bundle(["inference/score.py"])
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createSymbolicLink(atPath: root + "/inference/outside.py", withDestinationPath: "/etc/hostname")
        #expect(mkfifo(root + "/pipe", 0o644) == 0)
        let problems = BundleInventory.check(root: root, manifest: try Self.manifest(["inference/score.py"]))
        #expect(problems.contains("inference/outside.py is a symbolic link") && problems.contains("pipe is not a regular file"), "\(problems)")
    }

    @Test func aManifestWithoutFilesOrDigestsIsRefused() throws {
        let root = try Self.bundle([])
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(BundleInventory.check(root: root, manifest: try JSONValue.parse(string: "{}")) == ["MANIFEST.json has no \"files\" object"])
        #expect(BundleInventory.check(root: root, manifest: try JSONValue.parse(string: "{\"files\": {\"a\": \"zz\"}}")) == ["MANIFEST.json gives 'a' no sha256"])
    }
}

/// A bundle that expands past 64 MB plus 16 times its size is refused while it is extracted:
/// 100 MB of zeros compress to about 100 KB.
@Suite struct DecompressionBombTests {
    @Test func aBombIsRefusedWhileExtracting() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-bomb-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let zeros = dir + "/zeros"
        #expect(FileManager.default.createFile(atPath: zeros, contents: nil))
        #expect(truncate(zeros, 100 << 20) == 0)
        try TarArchive.write([ArchiveEntry(path: "model/zeros", content: .file(zeros))], to: dir + "/bomb.tar.gz", epoch: 0, root: "bomb")
        try FileManager.default.removeItem(atPath: zeros)
        #expect {
            try TarArchive.extract(dir + "/bomb.tar.gz", into: dir + "/out")
        } throws: { error in
            (error as? ArchiveError)?.message.contains("refusing it as a decompression bomb") == true
        }
    }
}
