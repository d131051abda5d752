// The offline bundle on the conda path, with stand-in package files the test creates (the real
// conda packages are not reachable here) in a small channel whose records carry their hashes;
// plus the archive's safety and determinism.

import Basics
import Channels
import Deploy
import Foundation
import JSON
import ModelFiles
import Requests
import Solver
import Testing

@testable import Emit

/// A scratch conda channel + model: python, pip and a `demo` package, each a stand-in file.
struct StandInWorld {
    let root: URL
    var channel: String { root.appendingPathComponent("channel").path }
    var model: String { root.appendingPathComponent("model").path }
    var files: [String: [UInt8]] = [:]

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-standin-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("channel/linux-64"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("channel/noarch"), withIntermediateDirectories: true)
        try fm.createDirectory(at: root.appendingPathComponent("model"), withIntermediateDirectories: true)
        let records: [(subdir: String, file: String, name: String, version: String, build: String, depends: [String])] =
            [
                ("linux-64", "python-3.11.9-h0_cpython.conda", "python", "3.11.9", "h0_cpython", []),
                ("noarch", "pip-24.0-pyh0_0.conda", "pip", "24.0", "pyh0_0", ["python >=3.8"]),
                ("noarch", "demo-0.1-py_0.conda", "demo", "0.1", "py_0", ["python >=3.8"])
            ]
        var repodata: [String: JSONObject] = ["linux-64": JSONObject(), "noarch": JSONObject()]
        for r in records {
            let bytes = Array("stand-in for \(r.file)\n".utf8)
            files[r.file] = bytes
            try Foundation.Data(bytes).write(to: root.appendingPathComponent("channel/\(r.subdir)/\(r.file)"))
            repodata[r.subdir]!.append(
                r.file,
                [
                    "name": .string(r.name), "version": .string(r.version), "build": .string(r.build),
                    "build_number": 0,
                    "depends": .array(r.depends.map { .string($0) }), "subdir": .string(r.subdir),
                    "md5": .string(Digester.hex(.md5, of: bytes)), "sha256": .string(Digester.hex(.sha256, of: bytes)),
                    "size": .int(bytes.count)
                ])
        }
        for (subdir, packages) in repodata {
            let document: JSONValue = [
                "info": ["subdir": .string(subdir)], "packages": .object(JSONObject()),
                "packages.conda": .object(packages)
            ]
            try Foundation.Data(document.serialized().utf8).write(
                to: root.appendingPathComponent("channel/\(subdir)/repodata.json"))
        }
        try Foundation.Data(
            """
            flavors:
              python_function:
                env:
                  conda: conda.yaml
                loader_module: mlflow.pyfunc.model
                python_version: 3.11.9
            mlflow_version: 2.17.2
            """.utf8
        ).write(to: root.appendingPathComponent("model/MLmodel"))
        try Foundation.Data(
            "name: standin\nchannels:\n- channel\ndependencies:\n- python=3.11.9\n- pip\n- demo=0.1\n".utf8
        )
        .write(to: root.appendingPathComponent("model/conda.yaml"))
        try Foundation.Data("weights".utf8).write(to: root.appendingPathComponent("model/model.bin"))
    }

    func cleanup() { try? FileManager.default.removeItem(at: root) }

    func resolve() throws -> (DeclaredEnvironment, DeploymentRequest, Resolution, ChannelSet) {
        let environment = try ModelLoader.load(path: model)
        let plan = try DeploymentPlanner.plan(environment, profile: try Profiles.builtIn("none"))
        let channels = try ChannelSet(
            condaChannels: [CondaChannel(channel)], pypiIndexes: [], target: plan.request.target)
        guard case .resolved(let resolution) = try Resolver(channels: channels).solve(plan.request) else {
            throw BundleError("the stand-in world does not resolve")
        }
        return (environment, plan, resolution, channels)
    }

    func inputs(cache: String, offline: Bool = true) async throws -> BundleInputs {
        let (environment, plan, resolution, _) = try resolve()
        let lock = LockInputs(
            resolution: resolution, plan: plan, environmentName: "standin", sources: ["conda.yaml"],
            channelNames: ["channel"])
        let artifacts = try await ArtifactGatherer.gather(
            resolution.packages, target: plan.request.target,
            options: GatherOptions(offline: offline, cache: ArtifactCache(root: cache)))
        return BundleInputs(
            modelPath: model, environment: environment, plan: plan, resolution: resolution, lock: lock,
            artifacts: artifacts)
    }
}

@Suite(.serialized) struct BundleTests {
    @Test func condaBundleLayoutAndLockRewriting() async throws {
        let world = try StandInWorld()
        defer { world.cleanup() }
        let inputs = try await world.inputs(cache: world.root.appendingPathComponent("cache").path)
        let output = world.root.appendingPathComponent("out/bundle/").path
        try BundleWriter.write(
            try BundleWriter.entries(inputs), to: output, force: false, epoch: BundleWriter.defaultEpoch)
        let bundle = world.root.appendingPathComponent("out/bundle")
        func text(_ path: String) throws -> String {
            try String(contentsOf: bundle.appendingPathComponent(path), encoding: .utf8)
        }
        for file in [
            "MANIFEST.json", "Dockerfile", "README.md", "model/MLmodel", "model/conda.yaml", "model/model.bin",
            "env/conda-lock.yml", "env/conda-linux-64.lock", "env/requirements.lock.txt", "env/environment.yml",
            "env/conda-linux-64.bundle.lock", "env/requirements.bundle.txt", "inference/score.py",
            "inference/validate.py",
            "pkgs/conda/python-3.11.9-h0_cpython.conda", "pkgs/conda/pip-24.0-pyh0_0.conda",
            "pkgs/conda/demo-0.1-py_0.conda"
        ] {
            #expect(FileManager.default.fileExists(atPath: bundle.appendingPathComponent(file).path), "\(file)")
        }
        // The bundle lock points at the bundle's own files, with their md5.
        let explicit = try text("env/conda-linux-64.bundle.lock")
        #expect(
            explicit.contains(
                "\npkgs/conda/demo-0.1-py_0.conda#\(Digester.hex(.md5, of: world.files["demo-0.1-py_0.conda"]!))\n"))
        // The mirror lock keeps mirror-relative URLs.
        #expect(try text("env/conda-linux-64.lock").contains("\nchannel/noarch/demo-0.1-py_0.conda#"))
        // The Dockerfile takes the conda path, offline.
        let dockerfile = try text("Dockerfile")
        #expect(
            dockerfile.contains(
                "conda create --yes --offline --quiet --prefix /opt/env --file /tmp/mlenv/explicit.lock"))
        #expect(!dockerfile.contains("pip install"))
        // MANIFEST.json: every file's hash.
        let manifest = try JSONValue.parse(string: try text("MANIFEST.json"))
        let demoHash = manifest["files"]?["pkgs/conda/demo-0.1-py_0.conda"]?.stringValue
        #expect(demoHash == Digester.hex(.sha256, of: world.files["demo-0.1-py_0.conda"]!))
        #expect(manifest["environment"] == "conda")
        // A conda bundle without a conda installer (none on an empty PATH): everything checked,
        // install not run, and the note says what was looked for.
        let report = try BundleRunner.run(bundle: bundle.path, options: BundleRunOptions(searchPath: ""))
        #expect(
            report.notes.contains { $0.contains("looked for micromamba and conda on PATH, py-rattler in python3") },
            "\(report.notes)")
        #expect(report.installer == nil && report.json["installer"] == nil)
        #expect(report.outcome == .installNotRun)
        #expect(report.steps.allSatisfy { $0.1 })
    }

    @Test func hashMismatchIsRefusedAndNothingIsWritten() async throws {
        let world = try StandInWorld()
        defer { world.cleanup() }
        try Foundation.Data("tampered".utf8).write(
            to: URL(fileURLWithPath: world.channel + "/noarch/demo-0.1-py_0.conda"))
        await #expect {
            _ = try await world.inputs(cache: world.root.appendingPathComponent("cache").path)
        } throws: { error in
            guard let e = error as? GatherError else { return false }
            return e.problems.count == 1 && e.problems[0].hasPrefix("demo-0.1-py_0.conda: sha256 is")
        }
    }

    @Test func missingArtifactIsListed() async throws {
        let world = try StandInWorld()
        defer { world.cleanup() }
        try FileManager.default.removeItem(atPath: world.channel + "/noarch/pip-24.0-pyh0_0.conda")
        await #expect {
            _ = try await world.inputs(cache: world.root.appendingPathComponent("cache").path)
        } throws: { error in
            (error as? GatherError)?.problems == [
                "pip-24.0-pyh0_0.conda: not in the mirror, the extra directories or the cache, and --offline forbids downloading it"
            ]
        }
    }

    @Test func sameInputsSameBytesAndNoOverwriteWithoutForce() async throws {
        let world = try StandInWorld()
        defer { world.cleanup() }
        let inputs = try await world.inputs(cache: world.root.appendingPathComponent("cache").path)
        let a = world.root.appendingPathComponent("a.tar.gz").path
        let b = world.root.appendingPathComponent("b.tar.gz").path
        try BundleWriter.write(try BundleWriter.entries(inputs), to: a, force: false, epoch: BundleWriter.defaultEpoch)
        try BundleWriter.write(try BundleWriter.entries(inputs), to: b, force: false, epoch: BundleWriter.defaultEpoch)
        // Bytes equal apart from the top directory's name: write b under a's name elsewhere.
        let c = world.root.appendingPathComponent("again/a.tar.gz").path
        try BundleWriter.write(try BundleWriter.entries(inputs), to: c, force: false, epoch: BundleWriter.defaultEpoch)
        #expect(FileManager.default.contents(atPath: a) == FileManager.default.contents(atPath: c))
        #expect(FileManager.default.contents(atPath: a) != nil)
        #expect(throws: BundleError.self) {
            try BundleWriter.write(try BundleWriter.entries(inputs), to: a, force: false, epoch: 0)
        }
        try BundleWriter.write(try BundleWriter.entries(inputs), to: a, force: true, epoch: 0)
        #expect(FileManager.default.contents(atPath: a) != FileManager.default.contents(atPath: c))
    }

    @Test func anInterruptedWriteLeavesNoPartialFile() async throws {
        let world = try StandInWorld()
        defer { world.cleanup() }
        let inputs = try await world.inputs(cache: world.root.appendingPathComponent("cache").path)
        var entries = try BundleWriter.entries(inputs)
        // A source that vanishes while the bundle is written.
        entries.append(
            ArchiveEntry(
                path: "pkgs/conda/zzz-vanished.conda", content: .file(world.root.appendingPathComponent("gone").path)))
        let directory = world.root.appendingPathComponent("partial")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for output in [directory.appendingPathComponent("x.tar.gz").path, directory.appendingPathComponent("x/").path] {
            #expect(throws: BundleError.self) { try BundleWriter.write(entries, to: output, force: false, epoch: 0) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func aSymlinkLeavingTheModelIsRefused() async throws {
        let world = try StandInWorld()
        defer { world.cleanup() }
        let inputs = try await world.inputs(cache: world.root.appendingPathComponent("cache").path)
        try FileManager.default.createSymbolicLink(
            atPath: world.model + "/secret",
            withDestinationPath: world.root.appendingPathComponent("channel/noarch/repodata.json").path)
        #expect {
            _ = try BundleWriter.entries(inputs)
        } throws: { error in
            (error as? BundleError)?.message.contains("is a symbolic link to") == true
        }
    }

    @Test(arguments: [("../evil.txt", "file"), ("/abs.txt", "file"), ("ok/link", "symlink")])
    func hostileArchivesAreRefused(_ name: String, _ kind: String) throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-hostile-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let archive = scratch.appendingPathComponent("hostile.tar.gz").path
        // Python's tarfile writes what a hostile bundle would hold.
        let script = """
            import io, sys, tarfile
            with tarfile.open(sys.argv[1], "w:gz") as t:
                info = tarfile.TarInfo(sys.argv[2])
                if sys.argv[3] == "symlink":
                    info.type = tarfile.SYMTYPE
                    info.linkname = "/etc/passwd"
                    t.addfile(info)
                else:
                    data = b"owned"
                    info.size = len(data)
                    t.addfile(info, io.BytesIO(data))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, archive, name, kind]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let destination = scratch.appendingPathComponent("out")
        #expect(throws: ArchiveError.self) { try TarArchive.extract(archive, into: destination.path) }
        #expect(!FileManager.default.fileExists(atPath: scratch.appendingPathComponent("evil.txt").path))
        #expect(!FileManager.default.fileExists(atPath: destination.appendingPathComponent("ok/link").path))
    }

    static var hadolint: String { LockFixture.repository.appendingPathComponent(".venv-tools/bin/hadolint").path }

    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: BundleTests.hadolint), "hadolint: run scripts/python-tools"
        ))
    func dockerfilesPassHadolint() throws {
        for profile in Profiles.builtInNames {
            for mode in [EnvironmentMode.conda, .virtualenv] {
                let inputs = DockerfileInputs(
                    profile: try Profiles.builtIn(profile), mode: mode, python: "3.11",
                    hasCondaPackages: mode == .conda,
                    hasWheels: true, modelName: "demo")
                let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                    "mlenv-Dockerfile-\(getpid())-\(profile)-\(mode.rawValue)")
                defer { try? FileManager.default.removeItem(at: file) }
                try Foundation.Data(DockerfileWriter.render(inputs).utf8).write(to: file)
                let process = Process()
                process.executableURL = URL(fileURLWithPath: Self.hadolint)
                process.arguments = ["--no-color", file.path]
                let pipe = Pipe()
                process.standardOutput = pipe
                try process.run()
                let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                #expect(process.terminationStatus == 0 && output.isEmpty, "\(profile) \(mode): \(output)")
            }
        }
    }
}
