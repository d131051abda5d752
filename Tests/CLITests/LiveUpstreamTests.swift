// The live index pip is configured with (PIP_INDEX_URL, else pip's default, asked of pip at run
// time: no registry host is written here), when this machine reaches it: the main fixture's pip
// side resolved by mlenv agrees with `uv pip compile` on the same index and cutoff. Skipped,
// with the reason, where the index cannot be reached. (Every shared model, with the report of
// each difference: `python3 benchmarks/compare-uv/run.py --live`.)

import Foundation
import JSON
import Testing

enum LiveUpstream {
    static func output(_ arguments: [String], environment: [String: String] = [:]) -> (status: Int32, stdout: String)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static let index: String? = {
        if let configured = ProcessInfo.processInfo.environment["PIP_INDEX_URL"], !configured.isEmpty {
            return configured
        }
        let asked = output(["python3", "-c", "from pip._internal.models.index import PyPI; print(PyPI.simple_url)"])
        return asked.flatMap { $0.status == 0 ? $0.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil }
    }()

    static let reachable: Bool = {
        guard let index else { return false }
        let probe = "import sys, urllib.request; urllib.request.urlopen(sys.argv[1].rstrip('/') + '/pip/', timeout=10)"
        return output(["python3", "-c", probe, index])?.status == 0
    }()
}

@Suite(
    .enabled(if: LiveUpstream.reachable, "the live index pip is configured with cannot be reached from this machine"))
struct LiveUpstreamTests {
    @Test func theMainFixturesPipSideAgreesWithUV() throws {
        let index = try #require(LiveUpstream.index)
        let uv = CLI.repository.path + "/.venv-tools/bin/uv"
        try #require(
            FileManager.default.isExecutableFile(atPath: uv), "uv is installed by `make test` (scripts/python-tools)")
        let model = "fixtures/models/sklearn-iris"
        // The model's pip requirements, as mlenv reads them, for uv.
        let inspected = try JSONValue.parse(string: try CLI.run(["inspect", model, "--format", "json"]).stdout)
        let requirements = (inspected["virtualenv"]?["dependencies"]?.arrayValue ?? []).compactMap { r -> String? in
            r["form"] == "named" && r["constraint"] == .bool(false) ? r["text"]?.stringValue : nil
        }
        try #require(!requirements.isEmpty)
        let scratch = try Scratch.directory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try (requirements.joined(separator: "\n") + "\n").write(
            toFile: scratch + "/requirements.in", atomically: true, encoding: .utf8)
        let python = "3.11.14"
        let mine = try CLI.run(
            [
                "resolve", model, "--deployment", "none", "--env-manager", "virtualenv", "--python", python,
                "--index-url", index, "--exclude-newer", "2026-11-25", "--cache-dir", scratch + "/mlenv", "--format",
                "json"
            ],
            environment: ["MLENV_SOURCES": "live"])
        #expect(mine.status == 0, "\(mine.stderr)")
        var ours: [String: String] = [:]
        for p in try JSONValue.parse(string: mine.stdout)["packages"]?.arrayValue ?? [] {
            if let name = p["name"]?.stringValue, let version = p["version"]?.stringValue { ours[name] = version }
        }
        let theirs = try #require(
            LiveUpstream.output(
                [
                    uv, "pip", "compile", scratch + "/requirements.in", "--index-url", index, "--python-version",
                    python,
                    "--python", "python3", "--python-platform", "x86_64-manylinux_2_36", "--no-header", "--no-annotate",
                    "--quiet", "--only-binary", ":all:", "--exclude-newer", "2026-11-25T00:00:00Z", "--no-config",
                    "--cache-dir", scratch + "/uv"
                ], environment: ["UV_PYTHON_DOWNLOADS": "never"]))
        #expect(theirs.status == 0)
        var pins: [String: String] = [:]
        for line in theirs.stdout.split(separator: "\n") where line.contains("==") && !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 2, omittingEmptySubsequences: true)
            guard parts.count == 2 else { continue }
            let name = parts[0].trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(
                of: "_", with: "-"
            ).replacingOccurrences(of: ".", with: "-")
            pins[String(name.split(separator: "[")[0])] = parts[1].split(separator: ";")[0].trimmingCharacters(
                in: .whitespaces)
        }
        #expect(!ours.isEmpty && !pins.isEmpty)
        let same = ours.filter { pins[$0.key] == $0.value }.count
        #expect(
            Double(same) >= 0.95 * Double(ours.count),
            "same versions for \(same) of \(ours.count): \(ours.filter { pins[$0.key] != $0.value })")
    }
}
