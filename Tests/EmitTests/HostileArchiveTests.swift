// Extraction through libarchive's archive_write_disk (SECURE_NODOTDOT, SECURE_SYMLINKS,
// NO_OVERWRITE) plus the bundle's own rule (relative names, regular files and directories
// only): each hostile archive is refused with an error naming the entry, and nothing is written
// outside the destination. The archives are written by Python's tarfile, as an attacker would.

import Foundation
import Testing

@testable import Emit

@Suite struct HostileArchiveTests {
    struct Scratch {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-untar-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        var outside: String { root + "/outside" }
        var destination: String { root + "/out" }
        var archive: String { root + "/hostile.tar.gz" }
        init() throws {
            try FileManager.default.createDirectory(atPath: root + "/outside", withIntermediateDirectories: true)
            try Data("original\n".utf8).write(to: URL(fileURLWithPath: root + "/outside/target.txt"))
        }
        func remove() { try? FileManager.default.removeItem(atPath: root) }

        /// Entries as `kind:name[:link]` (kind: file, dir, symlink, hardlink), each file holding "owned".
        func write(_ entries: [String]) throws {
            let script = """
                import io, sys, tarfile
                with tarfile.open(sys.argv[1], "w:gz") as t:
                    for spec in sys.argv[2:]:
                        kind, name, link = (spec.split(":", 2) + [""])[:3]
                        info = tarfile.TarInfo(name)
                        if kind == "file":
                            info.size = 5
                            t.addfile(info, io.BytesIO(b"owned"))
                            continue
                        info.type = {"dir": tarfile.DIRTYPE, "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE}[kind]
                        info.linkname = link
                        t.addfile(info)
                """
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script, archive] + entries
            try process.run()
            process.waitUntilExit()
            try #require(process.terminationStatus == 0)
        }

        /// Every path under `root` but the archive and the destination, with its bytes.
        func outsideState() -> [String: Data?] {
            var state: [String: Data?] = [:]
            let enumerator = FileManager.default.enumerator(atPath: root)
            while let path = enumerator?.nextObject() as? String {
                if path == "hostile.tar.gz" || path == "out" || path.hasPrefix("out/") { continue }
                state[path] = FileManager.default.contents(atPath: root + "/" + path)
            }
            return state
        }
    }

    func refuses(_ entries: [String], saying expected: String, prepare: (Scratch) throws -> Void = { _ in }) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write(entries)
        try prepare(scratch)
        let before = scratch.outsideState()
        #expect {
            try TarArchive.extract(scratch.archive, into: scratch.destination)
        } throws: { error in
            let message = (error as? ArchiveError)?.message ?? "\(error)"
            let said = message.hasPrefix(scratch.archive + ": refusing the entry '") && message.contains(expected)
            if !said { Issue.record("\(entries): \(message)") }
            return said
        }
        #expect(scratch.outsideState() == before, "\(entries) wrote outside the destination")
    }

    @Test func dotDotComponentsAreRefused() throws {
        try refuses(["file:../outside/evil.txt"], saying: "'..'")
        try refuses(["dir:model", "file:model/../../outside/evil.txt"], saying: "'..'")
    }

    @Test func anAbsolutePathIsRefused() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try refuses(
            ["file:\(scratch.outside)/evil.txt"], saying: "an absolute path would be written outside the bundle")
        #expect(!FileManager.default.fileExists(atPath: scratch.outside + "/evil.txt"))
    }

    /// A symbolic link in the archive, then a file through it: refused at the link.
    @Test func aFileThroughASymlinkIsRefused() throws {
        try refuses(["symlink:model:../outside", "file:model/target.txt"], saying: "no links or devices")
    }

    /// A link already in the destination (not from the archive): libarchive's SECURE_SYMLINKS
    /// refuses a path through it; an entry that names the link itself replaces it.
    @Test func aFileThroughALinkOnDiskIsRefused() throws {
        func linkOnDisk(_ scratch: Scratch) throws {
            try FileManager.default.createDirectory(atPath: scratch.destination, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(
                atPath: scratch.destination + "/model", withDestinationPath: scratch.outside)
        }
        try refuses(["file:model/target.txt"], saying: "symlink", prepare: linkOnDisk)

        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write(["dir:model", "file:model/target.txt"])
        try linkOnDisk(scratch)
        try TarArchive.extract(scratch.archive, into: scratch.destination)
        #expect(FileManager.default.contents(atPath: scratch.outside + "/target.txt") == Data("original\n".utf8))
        #expect(FileManager.default.contents(atPath: scratch.destination + "/model/target.txt") == Data("owned".utf8))
    }

    @Test func hardLinksAreRefused() throws {
        try refuses(["hardlink:escape:../outside/target.txt"], saying: "no links or devices")
        try refuses(["file:model.txt", "hardlink:again:model.txt"], saying: "no links or devices")
        let scratch = try Scratch()
        defer { scratch.remove() }
        try refuses(["hardlink:escape:\(scratch.outside)/target.txt"], saying: "no links or devices")
    }

    /// A second entry of the same name would replace what the first wrote.
    @Test func anEntryOverAnotherIsRefused() throws {
        try refuses(["file:model/a.txt", "file:model/a.txt"], saying: "the archive holds it twice")
    }

    @Test func aBundleExtractsWithItsBytesAndModes() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let archive = scratch.root + "/good.tar.gz"
        try TarArchive.write(
            [
                ArchiveEntry(path: "model/MLmodel", content: .bytes(Array("flavors: {}\n".utf8))),
                ArchiveEntry(path: "inference/run.sh", content: .bytes(Array("#!/bin/sh\n".utf8)), executable: true)
            ],
            to: archive, epoch: 0, root: "bundle")
        try TarArchive.extract(archive, into: scratch.destination)
        let listed = try FileManager.default.contentsOfDirectory(atPath: scratch.destination)
        let top = try #require(listed.first)
        #expect(listed.count == 1)
        #expect(
            FileManager.default.contents(atPath: scratch.destination + "/\(top)/model/MLmodel")
                == Data("flavors: {}\n".utf8))
        #expect(FileManager.default.isExecutableFile(atPath: scratch.destination + "/\(top)/inference/run.sh"))
        #expect(!FileManager.default.isExecutableFile(atPath: scratch.destination + "/\(top)/model/MLmodel"))
    }
}
