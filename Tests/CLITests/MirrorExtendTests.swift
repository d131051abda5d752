// `mlenv mirror -o DIR` run again extends the mirror (issue 17): against a small upstream index
// served from a scratch directory on loopback, two runs with different roots leave a mirror
// holding both, a model resolved after the first still resolves after the second, the same
// roots again change no byte, and a conflicting file or an unreadable mirror is refused with
// nothing changed. Metadata is cached as each file arrives, not when the round ends.

import Foundation
import JSON
import Testing

@Suite(.serialized) struct MirrorExtendTests {
    /// One file of the upstream: a wheel (only its page entry and metadata file exist).
    struct UpstreamFile {
        let project: String
        let filename: String
        let version: String
        var sha256: String
        var requires: [String] = []
        /// false: the page advertises a metadata file the server does not have (HTTP 404).
        var metadataServed = true
    }

    /// alpha 1.0 needs common ==1.0, beta 1.0 needs common >=2: a mirror of alpha keeps common
    /// 1.0 only, one of beta common 2.0 only.
    static func files() -> [UpstreamFile] {
        [
            UpstreamFile(
                project: "alpha", filename: "alpha-1.0-py3-none-any.whl", version: "1.0", sha256: hex(1),
                requires: ["common==1.0"]),
            UpstreamFile(
                project: "beta", filename: "beta-1.0-py3-none-any.whl", version: "1.0", sha256: hex(2),
                requires: ["common>=2"]),
            UpstreamFile(project: "common", filename: "common-1.0-py3-none-any.whl", version: "1.0", sha256: hex(3)),
            UpstreamFile(project: "common", filename: "common-2.0-py3-none-any.whl", version: "2.0", sha256: hex(4))
        ]
    }

    static func hex(_ n: Int) -> String { String(repeating: "0", count: 60) + String(format: "%04x", n) }

    /// A PEP 503 index in `root`: simple/<project>/index.html and files/<project>/<file>.metadata.
    static func writeUpstream(_ files: [UpstreamFile], to root: URL) throws {
        let fm = FileManager.default
        try? fm.removeItem(at: root)
        for project in Set(files.map(\.project)) {
            let page = root.appendingPathComponent("simple/\(project)")
            try fm.createDirectory(at: page, withIntermediateDirectories: true)
            try fm.createDirectory(
                at: root.appendingPathComponent("files/\(project)"), withIntermediateDirectories: true)
            var html = "<!DOCTYPE html>\n<html><body>\n"
            for file in files where file.project == project {
                html +=
                    "<a href=\"../../files/\(project)/\(file.filename)#sha256=\(file.sha256)\" data-core-metadata=\"true\">\(file.filename)</a>\n"
                guard file.metadataServed else { continue }
                var metadata = "Metadata-Version: 2.1\nName: \(project)\nVersion: \(file.version)\n"
                for requirement in file.requires { metadata += "Requires-Dist: \(requirement)\n" }
                try Data(metadata.utf8).write(
                    to: root.appendingPathComponent("files/\(project)/\(file.filename).metadata"))
            }
            try Data((html + "</body></html>\n").utf8).write(to: page.appendingPathComponent("index.html"))
        }
    }

    /// A model whose only requirement is `requirement`, for `mlenv resolve`.
    static func model(_ requirement: String, in root: URL) throws -> URL {
        let model = root.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        try Data(
            "flavors:\n  python_function:\n    env:\n      virtualenv: python_env.yaml\n    loader_module: mlflow.pyfunc.model\n    python_version: 3.11.7\n"
                .utf8
        )
        .write(to: model.appendingPathComponent("MLmodel"))
        try Data("python: 3.11.7\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n".utf8).write(
            to: model.appendingPathComponent("python_env.yaml"))
        try Data("\(requirement)\n".utf8).write(to: model.appendingPathComponent("requirements.txt"))
        return model
    }

    /// Every file of the mirror but the fetch cache, with its bytes.
    static func snapshot(_ root: URL) -> [String: Data] {
        var result: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root.path)
        while let relative = enumerator?.nextObject() as? String {
            if relative.hasPrefix("pypi/.cache") { continue }
            var isDirectory: ObjCBool = false
            let path = root.appendingPathComponent(relative).path
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                result[relative] = FileManager.default.contents(atPath: path)
            }
        }
        return result
    }

    struct Scratch {
        let root: URL
        init(_ name: String) throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent(
                "mlenv-mirror-extend-\(name)-\(getpid())")
            try? FileManager.default.removeItem(at: root)
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        }
        var upstream: URL { root.appendingPathComponent("upstream") }
        var mirror: URL { root.appendingPathComponent("mirror") }
        func cache(_ n: Int = 0) -> String { root.appendingPathComponent("cache-\(n)").path }
        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    func mirror(_ requirement: String, server: UpstreamServer, scratch: Scratch, cache: Int = 0, extra: [String] = [])
        throws -> CLI.Result
    {
        try CLI.run(
            [
                "mirror", "--requirement", requirement, "--index-url", server.url, "--cache-dir", scratch.cache(cache),
                "--python", "3.11", "--concurrency", "1", "-o", scratch.mirror.path
            ] + extra)
    }

    @Test func aSecondRunWithOtherRootsExtendsTheMirror() throws {
        let scratch = try Scratch("extend")
        defer { scratch.remove() }
        try Self.writeUpstream(Self.files(), to: scratch.upstream)
        let server = try UpstreamServer(directory: scratch.upstream.path)
        defer { server.stop() }
        let model = try Self.model("alpha==1.0", in: scratch.root)
        func resolve() throws -> CLI.Result {
            try CLI.run([
                "resolve", model.path, "--deployment", "none", "--env-manager", "virtualenv", "--index",
                scratch.mirror.path + "/pypi",
                "--offline", "--cache-dir", scratch.cache(9)
            ])
        }

        let first = try mirror("alpha", server: server, scratch: scratch)
        #expect(first.status == 0, "\(first.stderr)")
        // Not a terminal: each round a line of its own, no line redrawn with \r (ProgressLine).
        #expect(first.stderr.contains("mirror: round 1: ") && !first.stderr.contains("\r"), "\(first.stderr)")
        let before = try resolve()
        #expect(before.status == 0 && before.stdout.contains("common 1.0"), "\(before.stdout)\(before.stderr)")

        let second = try mirror("beta", server: server, scratch: scratch)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(
            second.stderr.contains("merged into the existing mirror, which now holds 3 project(s), 4 file(s)"),
            "\(second.stderr)")
        // The shared project lists both runs' files, in both page formats, with both metadata files.
        let page = try JSONValue.parse(
            [UInt8](try Data(contentsOf: scratch.mirror.appendingPathComponent("pypi/simple/common/index.json"))))
        #expect(page["versions"] == ["1.0", "2.0"])
        let html = try String(
            contentsOf: scratch.mirror.appendingPathComponent("pypi/simple/common/index.html"), encoding: .utf8)
        #expect(html.contains(">common-1.0-py3-none-any.whl<") && html.contains(">common-2.0-py3-none-any.whl<"))
        for file in ["common-1.0-py3-none-any.whl", "common-2.0-py3-none-any.whl"] {
            #expect(FileManager.default.fileExists(atPath: scratch.mirror.path + "/pypi/files/common/\(file).metadata"))
        }
        let index = try JSONValue.parse(
            [UInt8](try Data(contentsOf: scratch.mirror.appendingPathComponent("pypi/simple/index.json"))))
        #expect(index["projects"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["alpha", "beta", "common"])
        let stamp = try JSONValue.parse(
            [UInt8](try Data(contentsOf: scratch.mirror.appendingPathComponent("pypi/MIRROR.json"))))
        #expect(stamp["roots"] == ["alpha", "beta"] && stamp["projects"] == .int(3) && stamp["files"] == .int(4))

        // What resolved against the mirror before still does.
        let after = try resolve()
        #expect(after.status == 0 && after.stdout.contains("common 1.0"), "\(after.stdout)\(after.stderr)")

        // The same roots again: not one byte changes.
        let extended = Self.snapshot(scratch.mirror)
        let again = try mirror("beta", server: server, scratch: scratch)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(Self.snapshot(scratch.mirror) == extended)
    }

    @Test func aFileWithOtherContentIsAConflict() throws {
        let scratch = try Scratch("conflict")
        defer { scratch.remove() }
        var files = Self.files()
        try Self.writeUpstream(files, to: scratch.upstream)
        let server = try UpstreamServer(directory: scratch.upstream.path)
        defer { server.stop() }
        #expect(try mirror("alpha", server: server, scratch: scratch).status == 0)
        let before = Self.snapshot(scratch.mirror)

        // The upstream now gives common 1.0's wheel another hash (a fresh HTTP cache sees it).
        files[2].sha256 = Self.hex(99)
        try Self.writeUpstream(files, to: scratch.upstream)
        let result = try mirror("alpha", server: server, scratch: scratch, cache: 1)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(
            result.stderr.contains("conflict")
                && result.stderr.contains("simple/common/index.json: common-1.0-py3-none-any.whl"), "\(result.stderr)")
        #expect(Self.snapshot(scratch.mirror) == before)
    }

    @Test func anUnreadableMirrorIsRefusedUnchanged() throws {
        let scratch = try Scratch("malformed")
        defer { scratch.remove() }
        try Self.writeUpstream(Self.files(), to: scratch.upstream)
        let server = try UpstreamServer(directory: scratch.upstream.path)
        defer { server.stop() }
        #expect(try mirror("alpha", server: server, scratch: scratch).status == 0)

        let page = scratch.mirror.appendingPathComponent("pypi/simple/common/index.json")
        try Data("{\"meta\": ".utf8).write(to: page)
        var before = Self.snapshot(scratch.mirror)
        var result = try mirror("beta", server: server, scratch: scratch)
        #expect(
            result.status == 2 && result.stderr.contains(page.path + ":") && result.stderr.contains("invalid JSON"),
            "\(result.stderr)")
        #expect(Self.snapshot(scratch.mirror) == before)

        // A page entry pointing outside the mirror's files is not one mlenv wrote.
        try Data(
            "{\"meta\":{\"api-version\":\"1.1\"},\"name\":\"common\",\"files\":[{\"filename\":\"x.whl\",\"url\":\"https://elsewhere.invalid/x.whl\",\"hashes\":{}}],\"versions\":[]}\n"
                .utf8
        ).write(to: page)
        before = Self.snapshot(scratch.mirror)
        result = try mirror("beta", server: server, scratch: scratch)
        #expect(result.status == 2 && result.stderr.contains("does not point into files/common/"), "\(result.stderr)")
        #expect(Self.snapshot(scratch.mirror) == before)

        // A simple index without the stamp is not a mirror mlenv made.
        try FileManager.default.removeItem(at: scratch.mirror.appendingPathComponent("pypi/MIRROR.json"))
        before = Self.snapshot(scratch.mirror)
        result = try mirror("beta", server: server, scratch: scratch)
        #expect(result.status == 2 && result.stderr.contains("no MIRROR.json"), "\(result.stderr)")
        #expect(Self.snapshot(scratch.mirror) == before)
    }

    @Test func otherSettingsAreRefusedUnlessForced() throws {
        let scratch = try Scratch("settings")
        defer { scratch.remove() }
        try Self.writeUpstream(Self.files(), to: scratch.upstream)
        let server = try UpstreamServer(directory: scratch.upstream.path)
        defer { server.stop() }
        #expect(
            try mirror("alpha", server: server, scratch: scratch, extra: ["--exclude-newer", "2026-01-01"]).status == 0)
        let before = Self.snapshot(scratch.mirror)
        let refused = try mirror("beta", server: server, scratch: scratch, extra: ["--exclude-newer", "2026-06-01"])
        #expect(
            refused.status == 2
                && refused.stderr.contains("--exclude-newer 2026-06-01 (the mirror was made with 2026-01-01)"),
            "\(refused.stderr)")
        #expect(Self.snapshot(scratch.mirror) == before)

        let forced = try mirror(
            "beta", server: server, scratch: scratch,
            extra: ["--exclude-newer", "2026-06-01", "--force", "--python", "3.10"])
        #expect(forced.status == 0, "\(forced.stderr)")
        let stamp = try JSONValue.parse(
            [UInt8](try Data(contentsOf: scratch.mirror.appendingPathComponent("pypi/MIRROR.json"))))
        // Nothing in the merged mirror was uploaded on or after the later date; both Pythons.
        #expect(stamp["exclude_newer"] == "2026-06-01" && stamp["pythons"] == ["3.10", "3.11"], "\(stamp)")

        let otherArchitecture = try mirror(
            "beta", server: server, scratch: scratch,
            extra: ["--exclude-newer", "2026-06-01", "--force", "--platform", "manylinux_2_35_aarch64"])
        #expect(
            otherArchitecture.status == 2 && otherArchitecture.stderr.contains("one mirror holds one architecture"),
            "\(otherArchitecture.stderr)")
    }

    /// Metadata reaches the cache as it arrives: the upstream advertises a metadata file for
    /// demo's second wheel that it does not serve, so the run fails after fetching the first
    /// (one request at a time, in file-name order); the first is cached all the same and the
    /// next run reuses it. Caching when the round ends would leave the cache empty here.
    @Test func metadataIsCachedAsItArrives() throws {
        let scratch = try Scratch("cache")
        defer { scratch.remove() }
        var files = [
            UpstreamFile(
                project: "demo", filename: "demo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl", version: "1.0",
                sha256: Self.hex(7)),
            UpstreamFile(
                project: "demo", filename: "demo-1.0-py3-none-any.whl", version: "1.0", sha256: Self.hex(8),
                metadataServed: false)
        ]
        try Self.writeUpstream(files, to: scratch.upstream)
        let server = try UpstreamServer(directory: scratch.upstream.path)
        defer { server.stop() }
        let failed = try mirror("demo", server: server, scratch: scratch)
        #expect(
            failed.status == 2 && failed.stderr.contains("demo-1.0-py3-none-any.whl.metadata: HTTP 404"),
            "\(failed.stderr)")
        let key = "f-" + Self.hex(7)
        let cached = scratch.mirror.path + "/pypi/.cache/metadata/\(key.prefix(4))/\(key)"
        #expect(
            FileManager.default.fileExists(atPath: cached),
            "the metadata fetched before the failure is not in the cache")
        #expect(!FileManager.default.fileExists(atPath: scratch.mirror.path + "/pypi/simple"))

        files[1].metadataServed = true
        try Self.writeUpstream(files, to: scratch.upstream)
        let resumed = try mirror("demo", server: server, scratch: scratch)
        #expect(
            resumed.status == 0 && resumed.stderr.contains("metadata 1 fetched, 0 read from wheels, 1 reused"),
            "\(resumed.stderr)")
    }
}

/// `python3 -m http.server` on 127.0.0.1 serving a scratch index, ended with the test.
final class UpstreamServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    var url: String { "http://127.0.0.1:\(port)/simple/" }

    init(directory: String) throws {
        port = Int.random(in: 20000...40000)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", directory
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 {
            let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            close(probe)
            if connected == 0 { return }
            usleep(50_000)
        }
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
