// The conda path of `validate --run`, end to end on this machine: a small channel of real conda
// packages (scripts/make-test-conda-channel.py: conda-package-handling writes them) holding
// "python" (a .conda) and "pip" (a .tar.bz2, the older format); `mlenv resolve` and `mlenv
// package` of the real scikit-learn fixture with --env-manager conda against it (the pip part from the embedded PyPI snapshot, its wheels
// through pip and the cache, as in EndToEndBundleTests); then `mlenv validate --run`, where
// py-rattler (.venv-rattler, scripts/python-tools) creates the environment from the explicit
// lock offline, pip installs the wheels with that environment's Python, and the model is
// scored under the real azmlinfsrv.
//
// The honest part: no conda channel is reachable from here, so the "python" package is the
// host's CPython 3.11 wrapped venv-style (bin/python3.11 a link to the host's interpreter, and
// pyvenv.cfg at the prefix root so the prefix is an environment of its own); see the script.
// Everything else is real: the archives, their metadata, the noarch: python relocation, the
// installer, pip, the server. The whole run has every proxy variable pointing at a closed port
// on loopback, so a download attempt would fail.
//
// A test of EndToEndBundleTests (enabled by MLENV_E2E=1, which `make test` sets), so it runs
// serialized with the virtualenv runs: each checks that no validation server outlives its run.
// Without .venv-rattler it stops as skipped, or fails where MLENV_REQUIRE_TOOLS asks for the tools.

import Foundation
import JSON
import Testing

enum CondaBundleRun {
    static let rattlerPython = CLI.repository.appendingPathComponent(".venv-rattler/bin/python").path

    /// Every proxy at 127.0.0.1:9 (nothing listens there); loopback itself stays direct for the
    /// validation server's health check.
    static let noNetwork: [String: String] = [
        "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "ALL_PROXY": "http://127.0.0.1:9",
        "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "all_proxy": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"
    ]

    /// What a program printed, or an error with what it said on stderr.
    static func output(_ executable: String, _ arguments: [String]) throws -> String {
        let result = try CLI.runProcess(executable, arguments, in: CLI.repository.path)
        guard result.status == 0 else {
            throw CommandFailure(
                description:
                    "\(executable) \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result.stdout
    }

    struct CommandFailure: Error, CustomStringConvertible { let description: String }
}

extension EndToEndBundleTests {
    @Test func condaBundleInstallsOfflineWithPyRattlerAndScores() throws {
        guard FileManager.default.isExecutableFile(atPath: CondaBundleRun.rattlerPython) else {
            if ProcessInfo.processInfo.environment["MLENV_REQUIRE_TOOLS"] != nil {
                Issue.record("py-rattler is not installed in .venv-rattler (run scripts/python-tools)")
            }
            try Test.cancel("the conda path needs .venv-rattler (scripts/python-tools installs it)")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-e2e-conda-\(getpid())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)

        // The model, its conda pin set to the host's Python (the one the "python" package wraps).
        let hostVersion = try CondaBundleRun.output(
            "/usr/bin/env", ["python3", "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"]
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        try #require(
            hostVersion.hasPrefix("3.11."), "the fixture's wheels are for CPython 3.11; python3 is \(hostVersion)")
        let model = scratch.appendingPathComponent("sklearn-iris")
        try FileManager.default.copyItem(
            atPath: CLI.repository.appendingPathComponent("fixtures/models/sklearn-iris").path, toPath: model.path)
        let condaYAML = model.appendingPathComponent("conda.yaml")
        let declared = try String(contentsOf: condaYAML, encoding: .utf8)
        try #require(declared.contains("- python=3.11.7\n"))
        try declared.replacingOccurrences(of: "- python=3.11.7\n", with: "- python=\(hostVersion)\n").write(
            to: condaYAML, atomically: true, encoding: .utf8)

        // The channel: real .conda packages and their repodata.
        let channel = scratch.appendingPathComponent("channel").path
        let made = try CondaBundleRun.output(
            CondaBundleRun.rattlerPython,
            [
                CLI.repository.appendingPathComponent("scripts/make-test-conda-channel.py").path, "--python", "python3",
                "--out", channel
            ])
        #expect(made.contains("python-\(hostVersion)-h0_mlenv_host.conda"), "\(made)")
        // pip is the host's ensurepip wheel: its version is the host's.
        let pip = try #require(
            try JSONValue.parse(string: made).objectValue?.entries.map(\.key).first { $0.hasPrefix("pip-") }, "\(made)")
        let pipRecord = String(pip.dropLast(".tar.bz2".count))
        let pythonPackage = "\(channel)/linux-64/python-\(hostVersion)-h0_mlenv_host.conda"
        // A .conda is a zip (metadata.json, info-*.tar.zst, pkg-*.tar.zst); a .tar.bz2 a bzip2 tar.
        #expect(FileManager.default.contents(atPath: pythonPackage)?.prefix(4) == Data([0x50, 0x4B, 0x03, 0x04]))
        #expect(FileManager.default.contents(atPath: "\(channel)/noarch/\(pip)")?.prefix(3) == Data("BZh".utf8))

        // resolve: python and pip come from the channel, the rest from the PyPI snapshot.
        let common = [model.path, "--deployment", "azureml-online", "--env-manager", "conda", "--channel", channel]
        let resolved = try CLI.run(["resolve"] + common + ["--format", "json"])
        #expect(resolved.status == 0, "\(resolved.stderr)")
        let packages = try JSONValue.parse(string: resolved.stdout)["packages"]?.arrayValue ?? []
        let conda = packages.filter { $0["ecosystem"] == "conda" }.compactMap { $0["filename"]?.stringValue }.sorted()
        #expect(conda == [pip, "python-\(hostVersion)-h0_mlenv_host.conda"], "\(conda)")
        #expect(packages.contains { $0["name"] == "mlflow" && $0["ecosystem"] == "pypi" })

        // package: a conda bundle with both package files and the explicit lock naming them.
        let bundle = scratch.appendingPathComponent("iris-conda.tar.gz").path
        let packaged = try CLI.run(["package"] + common + ["-o", bundle])
        #expect(packaged.status == 0, "\(packaged.stderr)")
        let listing = try CondaBundleRun.output("/usr/bin/env", ["tar", "-tzf", bundle])
        #expect(
            listing.contains("/pkgs/conda/python-\(hostVersion)-h0_mlenv_host.conda\n")
                && listing.contains("/pkgs/conda/\(pip)\n"))

        // validate --run: py-rattler installs offline, pip installs the wheels, azmlinfsrv scores.
        let serversBefore = Self.azmlinfsrvProcesses()
        let run = try CLI.run(
            [
                "validate", bundle, "--run", "--format", "json", "--conda-installer", CondaBundleRun.rattlerPython,
                "--payload", "fixtures/payloads/sklearn-iris/azureml-valid.json"
            ], environment: CondaBundleRun.noNetwork)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(Self.azmlinfsrvProcesses().subtracting(serversBefore).isEmpty)
        let report = try JSONValue.parse(string: run.stdout)
        #expect(report["outcome"] == "passed")
        #expect(report["installer"]?["name"] == "py-rattler")
        #expect(report["installer"]?["version"] == "0.28.0")
        let steps = report["steps"]?.arrayValue?.compactMap { $0["step"]?.stringValue } ?? []
        #expect(
            steps.contains(
                "created the conda environment with py-rattler 0.28.0, offline: 2 package(s) (\(pipRecord), python-\(hostVersion)-h0_mlenv_host)"
            ), "\(steps)")
        #expect(steps.contains("the conda environment's Python is 3.11"), "\(steps)")
        #expect(
            steps.contains {
                $0.hasPrefix("installed ") && $0.hasSuffix(" wheel(s) with pip --no-index --require-hashes")
            }, "\(steps)")
        #expect(
            steps.contains { $0.hasPrefix("azmlinfsrv listens on 127.0.0.1:") && $0.hasSuffix(" only (loopback)") },
            "\(steps)")
        #expect(report["scoring"]?["mode"] == "server")
        let scored = report["scoring"]?["payloads"]?.arrayValue ?? []
        let example = try #require(scored.first { $0["name"]?.stringValue == "input_example (azureml)" })
        #expect(example["status"] == 200 && example["predictions"] == [0, 1, 2])
        #expect(scored.count == 3 && scored.allSatisfy { $0["ok"] == true }, "\(scored)")

        // A named installer that is not one is refused (exit 1, the reason in the step), and a
        // Python without py-rattler is named as such; neither installs anything.
        let notAnInstaller = try CLI.run([
            "validate", bundle, "--run", "--format", "json", "--conda-installer", "/bin/true"
        ])
        #expect(notAnInstaller.status == 1)
        #expect(
            notAnInstaller.stdout.contains("is none of micromamba, conda, mamba or a python interpreter"),
            "\(notAnInstaller.stdout)")
        let noRattler = try CLI.run(["validate", bundle, "--run", "--format", "json", "--conda-installer", "python3"])
        #expect(noRattler.status == 1)
        #expect(
            noRattler.stdout.contains("cannot import rattler (install the PyPI package py-rattler into it)"),
            "\(noRattler.stdout)")

        // An explicit lock that names a download (MANIFEST.json made to agree) is refused before
        // the installer is started: the line and the reason are in the step.
        let unpacked = scratch.appendingPathComponent("unpacked")
        try FileManager.default.createDirectory(at: unpacked, withIntermediateDirectories: true)
        _ = try CondaBundleRun.output("/usr/bin/env", ["tar", "-xzf", bundle, "-C", unpacked.path])
        let root = unpacked.appendingPathComponent(
            try #require(try FileManager.default.contentsOfDirectory(atPath: unpacked.path).first))
        let lock = root.appendingPathComponent("env/conda-linux-64.bundle.lock")
        let sha256 = { (file: URL) in
            try String(CondaBundleRun.output("/usr/bin/env", ["sha256sum", file.path]).prefix(64))
        }
        let before = try sha256(lock)
        let lines = try String(contentsOf: lock, encoding: .utf8).split(separator: "\n").count
        try (String(contentsOf: lock, encoding: .utf8) + "https://example.invalid/noarch/evil-1.0-0.conda\n").write(
            to: lock, atomically: true, encoding: .utf8)
        let manifest = root.appendingPathComponent("MANIFEST.json")
        try String(contentsOf: manifest, encoding: .utf8).replacingOccurrences(of: before, with: try sha256(lock))
            .write(to: manifest, atomically: true, encoding: .utf8)
        let tampered = try CLI.run(
            ["validate", root.path, "--run", "--format", "json", "--conda-installer", CondaBundleRun.rattlerPython],
            environment: CondaBundleRun.noNetwork)
        #expect(tampered.status == 1)
        let tamperedSteps = try JSONValue.parse(string: tampered.stdout)["steps"]?.arrayValue ?? []
        #expect(tamperedSteps.dropLast().allSatisfy { $0["ok"] == true }, "\(tamperedSteps)")
        #expect(
            tamperedSteps.last?["step"]
                == .string(
                    "the conda environment was not created: env/conda-linux-64.bundle.lock:\(lines + 1): 'https://example.invalid/noarch/evil-1.0-0.conda' is not a pkgs/conda/ file of the bundle; refusing to install it"
                ), "\(tamperedSteps)")
    }
}
