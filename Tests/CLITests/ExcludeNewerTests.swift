// `--exclude-newer` with an offset, on the PyPI paths a user meets: `resolve` against an index
// and `mirror` from an upstream (the conda path: ChannelsTests/TimestampTests). The cut-off
// 2026-11-01T12:00:00+02:00 is 10:00Z: demo 1.0 (uploaded 11:00Z, kept by a text comparison)
// and 0.9 (uploaded exactly at the cut-off) are excluded, 0.8 (a microsecond before) is kept.
// A cut-off that is not a date or a time with a zone is bad input (exit 2) naming the option.

import Foundation
import JSON
import Testing

extension MirrorExtendTests {
    static let cutoff = "2026-11-01T12:00:00+02:00"
    static let uploads = [
        ("1.0", "2026-11-01T11:00:00Z"), ("0.9", "2026-11-01T10:00:00.000000Z"), ("0.8", "2026-11-01T09:59:59.999999Z")
    ]

    /// A PEP 691 page for demo: simple/demo/index.json for a local index, and the same as
    /// index.html for the server (the mirror's reader knows JSON by its `{`).
    static func writeDemoUpstream(to root: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("simple/demo"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("files/demo"), withIntermediateDirectories: true)
        var files: [String] = []
        for (n, (version, uploaded)) in uploads.enumerated() {
            let name = "demo-\(version)-py3-none-any.whl"
            files.append(
                "{\"filename\": \"\(name)\", \"url\": \"../../files/demo/\(name)\", \"hashes\": {\"sha256\": \"\(hex(20 + n))\"}, \"core-metadata\": true, \"upload-time\": \"\(uploaded)\"}"
            )
            try Data("Metadata-Version: 2.1\nName: demo\nVersion: \(version)\n".utf8).write(
                to: root.appendingPathComponent("files/demo/\(name).metadata"))
        }
        let page =
            "{\"meta\": {\"api-version\": \"1.1\"}, \"name\": \"demo\", \"files\": [\(files.joined(separator: ", "))]}"
        try Data(page.utf8).write(to: root.appendingPathComponent("simple/demo/index.html"))
        try Data(page.utf8).write(to: root.appendingPathComponent("simple/demo/index.json"))
    }

    @Test func anOffsetCutoffIsAnInstantInResolveAndMirror() throws {
        let scratch = try Scratch("cutoff")
        defer { scratch.remove() }
        try Self.writeDemoUpstream(to: scratch.upstream)
        let server = try UpstreamServer(directory: scratch.upstream.path)
        defer { server.stop() }
        let model = try Self.model("demo", in: scratch.root)
        func resolve(_ model: URL, _ cutoff: String) throws -> CLI.Result {
            try CLI.run([
                "resolve", model.path, "--deployment", "none", "--env-manager", "virtualenv", "--index",
                scratch.upstream.path + "/simple",
                "--offline", "--cache-dir", scratch.cache(1), "--exclude-newer", cutoff, "--format", "json"
            ])
        }
        let resolved = try resolve(model, Self.cutoff)
        #expect(resolved.status == 0, "\(resolved.stderr)")
        #expect(
            resolved.stdout.contains("\"demo\"") && resolved.stdout.contains("\"0.8\"")
                && !resolved.stdout.contains("\"0.9\""), "\(resolved.stdout)")
        #expect(try resolve(model, "2026-11-01T10:00:00.000001Z").stdout.contains("\"0.9\""))

        let pinned = try Self.model("demo==0.9", in: scratch.root.appendingPathComponent("pinned"))
        let refused = try resolve(pinned, Self.cutoff)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(
            (refused.stdout + refused.stderr).contains("at or after --exclude-newer \(Self.cutoff)"),
            "\(refused.stdout)\(refused.stderr)")

        let mirrored = try mirror("demo", server: server, scratch: scratch, extra: ["--exclude-newer", Self.cutoff])
        #expect(mirrored.status == 0, "\(mirrored.stderr)")
        let files = Self.snapshot(scratch.mirror).keys.filter { $0.hasSuffix(".metadata") }.sorted()
        #expect(files.count == 1 && files[0].hasSuffix("demo-0.8-py3-none-any.whl.metadata"), "\(files)")
        let stamp = try JSONValue.parse(
            [UInt8](try Data(contentsOf: scratch.mirror.appendingPathComponent("pypi/MIRROR.json"))))
        #expect(stamp["exclude_newer"] == .string(Self.cutoff))
    }

    @Test func aCutoffThatIsNotATimeIsBadInput() throws {
        let expected =
            "--exclude-newer '2026-11-01T12:00:00' is not a date (YYYY-MM-DD) or an RFC 3339 time with a zone"
        let model = "fixtures/models/sklearn-iris"
        for arguments in [
            ["resolve", model, "--deployment", "none"],
            ["lock", model, "--deployment", "none", "-o", "/nonexistent/never"],
            ["lint", model],
            ["mirror", "--requirement", "demo", "--index-url", "http://127.0.0.1:9/simple/", "-o", "/nonexistent/never"]
        ] {
            let result = try CLI.run(arguments + ["--exclude-newer", "2026-11-01T12:00:00"])
            #expect(
                result.status == 2 && result.stderr.contains(expected),
                "\(arguments[0]): \(result.status) \(result.stderr)")
        }
    }
}
