// Lock files: the same inputs give the same bytes; conda-lock parses ours.

import CArchive
import Channels
import Deploy
import Emit
import Foundation
import ModelFiles
import Solver
import Testing

enum LockFixture {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func inputs(_ model: String, deployment: String) throws -> LockInputs {
        let env = try ModelLoader.load(path: repository.appendingPathComponent("fixtures/models/\(model)").path)
        let plan = try DeploymentPlanner.plan(env, profile: try Profiles.builtIn(deployment))
        let root = repository.path
        let channels = try ChannelSet(
            condaChannels: [CondaChannel(root + "/channels/conda-forge")],
            pypiIndexes: [PyPIIndex(root + "/channels/pypi")],
            target: plan.request.target)
        guard case .resolved(let resolution) = try Resolver(channels: channels).solve(plan.request) else {
            throw SolveError("fixture \(model) does not resolve")
        }
        return LockInputs(
            resolution: resolution, plan: plan, environmentName: env.conda?.name ?? "mlflow-env",
            sources: env.filesRead.filter { $0 != "MLmodel" },
            channelNames: plan.request.mode == .conda ? ["conda-forge"] : [])
    }
}

@Suite struct LockFileTests {
    @Test func sameInputsSameBytes() throws {
        let a = LockFiles.render(try LockFixture.inputs("sklearn-conda", deployment: "azureml-online"))
        let b = LockFiles.render(try LockFixture.inputs("sklearn-conda", deployment: "azureml-online"))
        #expect(a.map(\.0) == LockFiles.names)
        for (x, y) in zip(a, b) { #expect(x.1 == y.1, "\(x.0) differs between two runs") }
    }

    @Test func everyPackageIsPinnedWithItsHash() throws {
        let inputs = try LockFixture.inputs("sklearn-conda", deployment: "azureml-online")
        let files = Dictionary(uniqueKeysWithValues: LockFiles.render(inputs))
        let requirements = try #require(files["requirements.lock.txt"])
        let explicit = try #require(files["conda-linux-64.lock"])
        for p in inputs.resolution.packages {
            if p.ecosystem == .pypi {
                let name = p.name + (p.extras.isEmpty ? "" : "[\(p.extras.joined(separator: ","))]")
                #expect(
                    requirements.contains("\(name)==\(p.version) \\\n    --hash=sha256:\(p.sha256 ?? "?")"), "\(p.name)"
                )
            } else {
                #expect(
                    explicit.contains("conda-forge/\(p.platform ?? "?")/\(p.filename)#\(p.md5 ?? "?")"), "\(p.name)")
            }
        }
        #expect(explicit.contains("\n@EXPLICIT\n"))
        let environment = try #require(files["environment.yml"])
        #expect(environment.contains("- python=3.11.9=hb806964_0_cpython\n"))
        #expect(environment.contains("  - scikit-learn==1.5.2\n"))
        #expect(!requirements.contains("/work/") && !explicit.contains("/work/"), "no absolute paths of this machine")
    }

    /// Every lock file names its sources and cutoff in its header, on one comment line whatever
    /// a location holds (a newline in a channel URL cannot add a line such as an index option).
    @Test func theHeaderNamesTheSourcesOnOneLine() throws {
        let base = try LockFixture.inputs("sklearn-conda", deployment: "azureml-online")
        let inputs = LockInputs(
            resolution: base.resolution, plan: base.plan, environmentName: base.environmentName, sources: base.sources,
            channelNames: base.channelNames,
            resolvedFrom: [
                "conda https://conda.example/conda-forge\n--index-url https://evil.example/simple",
                "pypi pypi (a local directory)"
            ],
            excludeNewer: "2026-11-01")
        for (name, text) in LockFiles.render(inputs) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(
                lines[1]
                    == "# Sources: conda https://conda.example/conda-forge?--index-url https://evil.example/simple; pypi pypi (a local directory); nothing uploaded or built on or after 2026-11-01",
                "\(name)")
            #expect(!lines.contains { $0.hasPrefix("--index-url") }, "\(name)")
        }
        // Without sources (a caller that has none) the header is as before.
        #expect(LockFiles.render(base).allSatisfy { !$0.1.contains("# Sources:") })
    }

    @Test func virtualenvLockHasNoCondaPackages() throws {
        let inputs = try LockFixture.inputs("sklearn-iris", deployment: "mlflow-serve")
        let files = Dictionary(uniqueKeysWithValues: LockFiles.render(inputs))
        #expect(files["conda-linux-64.lock"]?.hasSuffix("@EXPLICIT\n") == true)
        #expect(files["environment.yml"]?.contains("- python=3.11\n") == true)
        // No conda channel was read: conda's own configuration provides python (`nodefaults`
        // alone would leave none, and `conda env create` would fail).
        #expect(files["environment.yml"]?.contains("channels: []\n") == true)
        #expect(files["environment.yml"]?.contains("nodefaults") == false)
        #expect(files["requirements.lock.txt"]?.contains("mlflow==3.17.2 \\\n") == true)
    }

    static var condaLock: String { LockFixture.repository.appendingPathComponent(".venv-tools/bin/python").path }
    static var hasCondaLock: Bool {
        FileManager.default.fileExists(
            atPath: LockFixture.repository.appendingPathComponent(".venv-tools/bin/conda-lock").path)
    }

    @Test(.enabled(if: LockFileTests.hasCondaLock, "conda-lock: run scripts/python-tools"))
    func condaLockParsesOurFile() throws {
        let inputs = try LockFixture.inputs("sklearn-conda", deployment: "azureml-online")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-lock-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try OutputFiles.write(LockFiles.render(inputs), to: directory.path, force: false)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.condaLock)
        process.arguments = [
            "-c",
            """
            import pathlib, sys
            from conda_lock.lockfile import parse_conda_lock_file
            lock = parse_conda_lock_file(pathlib.Path(sys.argv[1]))
            print(len(lock.package), sum(1 for p in lock.package if p.manager == 'conda'), sum(1 for p in lock.package if p.manager == 'pip'))
            """, directory.appendingPathComponent("conda-lock.yml").path
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let conda = inputs.resolution.packages.filter { $0.ecosystem == .conda }.count
        #expect(
            output.trimmingCharacters(in: .whitespacesAndNewlines)
                == "\(inputs.resolution.packages.count) \(conda) \(inputs.resolution.packages.count - conda)")
    }

    @Test func outputRefusesToOverwriteAndLeavesNothingHalfWritten() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-out-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try OutputFiles.write([("a.txt", "one"), ("b.txt", "two")], to: directory.path, force: false)
        // Identical content is not a conflict.
        try OutputFiles.write([("a.txt", "one"), ("b.txt", "two")], to: directory.path, force: false)
        #expect(throws: OutputError.self) {
            try OutputFiles.write([("a.txt", "one"), ("b.txt", "changed")], to: directory.path, force: false)
        }
        #expect(try String(contentsOf: directory.appendingPathComponent("b.txt"), encoding: .utf8) == "two")
        try OutputFiles.write([("b.txt", "changed")], to: directory.path, force: true)
        #expect(try String(contentsOf: directory.appendingPathComponent("b.txt"), encoding: .utf8) == "changed")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.contains(".tmp-")
        }
        #expect(leftovers.isEmpty)
    }

    /// A path that exists but cannot be read as the file (here a directory, since the tests may
    /// run as root) is a conflict: refused without --force, nothing written.
    @Test func anUnreadableOutputIsAConflict() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-out-unreadable-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("conda-lock.yml"), withIntermediateDirectories: true)
        #expect(throws: OutputError.self) {
            try OutputFiles.write([("a.txt", "one"), ("conda-lock.yml", "x")], to: directory.path, force: false)
        }
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("a.txt").path))
    }
}

/// The bundle's last step moves the finished bundle into place without replacing anything that
/// appeared meanwhile (renameat2 RENAME_NOREPLACE).
@Suite struct NoReplaceMoveTests {
    @Test func aMoveNeverReplacesWhatAppeared() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-noreplace-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let from = directory.appendingPathComponent("new").path
        let to = directory.appendingPathComponent("user-file").path
        try "bundle".write(toFile: from, atomically: false, encoding: .utf8)
        try "the user's".write(toFile: to, atomically: false, encoding: .utf8)
        #expect(mlenv_rename_noreplace(from, to) == -1 && errno == EEXIST)
        #expect(try String(contentsOfFile: to, encoding: .utf8) == "the user's")
        try FileManager.default.removeItem(atPath: to)
        #expect(mlenv_rename_noreplace(from, to) == 0)
        #expect(try String(contentsOfFile: to, encoding: .utf8) == "bundle")
    }
}
