// The `mlenv-lint` pre-commit hook (language: swift). pre-commit builds it with `swift build -c
// release --package-path <clone> --build-path <env>/.build` in its cache and puts
// `<env>/.build/release` on PATH, so the entry's command must be an executable product of this
// package. The real `pre-commit try-repo` of it builds mlenv in release mode from a clone, which
// takes many minutes (and resolves swift-argument-parser from SwiftPM's cache or the network):
// enabled by MLENV_SWIFT_HOOK=1. The system hook's try-repo test is PreCommitHookTests'.

import Foundation
import JSON
import Testing

@Suite(.serialized) struct PreCommitSwiftHookTests {
    /// The swift hook's entry names the executable this package builds, and that executable
    /// takes the entry's arguments and the file names pre-commit appends.
    @Test func theSwiftHookEntryIsThePackagesExecutable() throws {
        let hooks = try #require(try CITools.yaml(".pre-commit-hooks.yaml").sequence)
        let swiftHook = try #require(hooks.first { $0["language"]?.scalarText == "swift" })
        let entry = try #require(swiftHook["entry"]?.scalarText).split(separator: " ").map(String.init)
        #expect(entry.first == "mlenv")
        // The package's executable target of that name (what `swift build -c release` puts in .build/release).
        let manifest = try String(contentsOf: CLI.repository.appendingPathComponent("Package.swift"), encoding: .utf8)
        let target = try NSRegularExpression(pattern: #"\.executableTarget\(\s*name:\s*"([^"]+)""#)
        let executables = target.matches(in: manifest, range: NSRange(manifest.startIndex..., in: manifest)).compactMap
        { match in
            Range(match.range(at: 1), in: manifest).map { String(manifest[$0]) }
        }
        #expect(executables.contains(entry[0]), "Package.swift's executables: \(executables)")
        #expect(CLI.binary.lastPathComponent == entry[0])
        // The entry's arguments plus file names, as pre-commit runs them (files of a clean model, one outside any model).
        let files = ["fixtures/lint/clean/conda.yaml", "fixtures/lint/clean/MLmodel", "Package.swift"]
        let result = try CLI.run(Array(entry.dropFirst()) + files)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("1 model checked for azureml-online: 0 errors"), "\(result.stdout)")
    }

    /// The real `pre-commit try-repo` of this repository's swift hook: pre-commit clones it,
    /// builds mlenv in release mode in its own cache, and runs the hook on a model's files.
    @Test(
        .enabled(
            if: CITools.hasPreCommit && ProcessInfo.processInfo.environment["MLENV_SWIFT_HOOK"] == "1",
            "set MLENV_SWIFT_HOOK=1: builds mlenv in release mode from a clone (many minutes)"))
    func preCommitBuildsAndRunsTheSwiftHook() throws {
        let scratch = try CITools.scratch("pre-commit-swift")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let repo = scratch + "/repo"
        let fm = FileManager.default
        try fm.createDirectory(atPath: repo + "/models", withIntermediateDirectories: true)
        try fm.copyItem(
            atPath: CLI.repository.appendingPathComponent("fixtures/lint/clean").path, toPath: repo + "/models/good")
        try fm.copyItem(
            atPath: CLI.repository.appendingPathComponent("fixtures/models/conflict-pandas-monitoring").path,
            toPath: repo + "/models/broken")

        var environment = ProcessInfo.processInfo.environment
        // HOME stays: SwiftPM's repository cache there lets the clone resolve its dependency offline.
        environment["PATH"] = CITools.venv.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["PRE_COMMIT_HOME"] = scratch + "/pre-commit-cache"
        environment["MLENV_SOURCES"] = "embedded"
        environment["MLENV_DATA_DIR"] = CLI.repository.appendingPathComponent("channels").path
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["PRE_COMMIT_COLOR"] = "never"
        environment["NO_COLOR"] = "1"
        for key in ["GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE"] { environment.removeValue(forKey: key) }

        func git(_ arguments: [String]) throws {
            let result = try CITools.run(
                "/usr/bin/env",
                [
                    "git", "-c", "user.name=mlenv tests", "-c", "user.email=tests@mlenv.invalid",
                    "-c", "commit.gpgsign=false"
                ] + arguments, in: repo, environment: environment)
            #expect(result.status == 0, "git \(arguments.joined(separator: " ")): \(result.output)")
        }
        try git(["init", "-q", "-b", "main"])
        try git(["add", "-A"])
        try git(["commit", "-q", "-m", "models"])

        func tryRepo(_ files: [String]) throws -> (status: Int32, output: String) {
            try CITools.run(
                CITools.preCommit, ["try-repo", CLI.repository.path, "mlenv-lint", "--verbose", "--files"] + files,
                in: repo, environment: environment)
        }
        let good = try tryRepo(["models/good/conda.yaml", "models/good/MLmodel"])
        #expect(good.status == 0, "\(good.output.suffix(4000))")
        #expect(good.output.contains("1 model checked for azureml-online: 0 errors"), "\(good.output.suffix(4000))")
        // pre-commit built the hook's environment (try-repo builds in a temporary clone it removes afterwards).
        #expect(good.output.contains("[INFO] Installing environment for"), "\(good.output.prefix(2000))")

        let broken = try tryRepo(["models/broken/conda.yaml"])
        #expect(broken.status == 1, "\(broken.output.suffix(4000))")
        #expect(
            broken.output.contains("models/broken/conda.yaml:10:5: error[MLE041]:"), "\(broken.output.suffix(4000))")
    }
}
