// Listing a model tree and resolving a dangling link's target without Foundation give
// Foundation's answers (Foundation is the oracle here; mlenv does not load it).

import Foundation
import Testing

@testable import ModelFiles

@Suite struct FileTreeTests {
    let scratch: String

    /// root/{a.txt, .hidden, sub/{b.txt, deeper/c.txt}, link-to-sub -> sub, link-to-file -> a.txt,
    /// dangling -> ../nowhere/x, loop -> loop, out -> ../outside, relative -> sub/../a.txt}
    init() throws {
        scratch =
            FileManager.default.temporaryDirectory.appendingPathComponent(
                "mlenv-tree-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            ).path
        let fm = FileManager.default
        try fm.createDirectory(atPath: scratch + "/root/sub/deeper", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: scratch + "/outside", withIntermediateDirectories: true)
        for file in ["root/a.txt", "root/.hidden", "root/sub/b.txt", "root/sub/deeper/c.txt"] {
            #expect(fm.createFile(atPath: scratch + "/" + file, contents: Data(file.utf8)))
        }
        for (link, target) in [
            ("link-to-sub", "sub"), ("link-to-file", "a.txt"), ("dangling", "../nowhere/x"), ("loop", "loop"),
            ("out", "../outside"), ("relative", "sub/../a.txt"), ("sub/up", "../../outside/none")
        ] {
            try fm.createSymbolicLink(atPath: scratch + "/root/" + link, withDestinationPath: target)
        }
    }

    @Test func listsATreeAsFileManagersEnumeratorDid() throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for root in [scratch + "/root", scratch, Paths.fixture("models")] {
            var expected: [String] = []
            let enumerator = try #require(FileManager.default.enumerator(atPath: root))
            while let path = enumerator.nextObject() as? String { expected.append(path) }
            #expect(FileTree.relativePaths(under: root).sorted() == expected.sorted(), "\(root)")
        }
        #expect(FileTree.relativePaths(under: scratch + "/nonexistent").isEmpty)
    }

    @Test func standardizesPathsAsNSStringDid() throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let root = scratch + "/root"
        var paths = [
            "/", root, root + "/", root + "/./sub//b.txt", root + "/sub/../a.txt", root + "/../root/link-to-sub/b.txt",
            root + "/link-to-sub/../a.txt", root + "/dangling", root + "/loop", root + "/out/x", root + "/sub/up",
            root + "/relative", root + "/nowhere/../../..", "/tmp/../../etc"
        ]
        for link in ["dangling", "loop", "out", "relative", "sub/up", "link-to-sub"] {
            let target = try FileManager.default.destinationOfSymbolicLink(atPath: root + "/" + link)
            paths.append(
                target.hasPrefix("/")
                    ? target : (root + "/" + link as NSString).deletingLastPathComponent + "/" + target)
        }
        for path in paths {
            #expect(StandardizedPath.of(path) == (path as NSString).standardizingPath, "\(path)")
        }
    }
}
