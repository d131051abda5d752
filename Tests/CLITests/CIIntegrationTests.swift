// The CI integrations (docs/ci.md): the pre-commit hooks run by the real pre-commit, and the
// GitHub Action and the documented workflow read as YAML, the action's lint step run as a
// runner would run it.

import Foundation
import JSON
import Testing
import YAML

enum CITools {
    static let venv = CLI.repository.appendingPathComponent(".venv-tools/bin")
    static var preCommit: String { venv.appendingPathComponent("pre-commit").path }
    static var hasPreCommit: Bool { FileManager.default.isExecutableFile(atPath: preCommit) }
    static var requireTools: Bool { ProcessInfo.processInfo.environment["MLENV_REQUIRE_TOOLS"] == "1" }

    static func yaml(_ relative: String) throws -> YAMLNode {
        let text = try String(contentsOf: CLI.repository.appendingPathComponent(relative), encoding: .utf8)
        return try #require(try YAMLLoader.load(string: text), "\(relative) is empty")
    }

    /// A command run to its end, standard error folded into standard output.
    static func run(_ executable: String, _ arguments: [String], in directory: String, environment: [String: String])
        throws -> (status: Int32, output: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A scratch folder under the system's temporary directory.
    static func scratch(_ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-\(name)-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

@Suite(.serialized) struct PreCommitHookTests {
    @Test func preCommitIsPresentWhereRequired() {
        // `make test` installs it (scripts/python-tools); CI sets MLENV_REQUIRE_TOOLS=1.
        if CITools.requireTools {
            #expect(CITools.hasPreCommit, "pre-commit is not in .venv-tools: run scripts/python-tools")
        }
    }

    @Test func theHooksFileDeclaresBothHooks() throws {
        let hooks = try #require(try CITools.yaml(".pre-commit-hooks.yaml").sequence)
        let ids = hooks.compactMap { $0["id"]?.scalarText }
        #expect(ids == ["mlenv-lint", "mlenv-lint-system"])
        for hook in hooks {
            #expect(hook["entry"]?.scalarText == "mlenv lint")
            #expect(hook["name"]?.scalarText != nil)
            #expect(hook["require_serial"]?.scalarText == "true")
            // The files lint takes for their model: pre-commit matches them with Python's re.search.
            let pattern = try #require(hook["files"]?.scalarText)
            let regex = try NSRegularExpression(pattern: pattern)
            func matches(_ path: String) -> Bool {
                regex.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil
            }
            for path in [
                "models/a/MLmodel", "conda.yaml", "m/python_env.yaml", "m/requirements.txt", "m/requirements-dev.txt",
                ".mlenv.yaml", "x/.mlenv.yaml"
            ] {
                #expect(matches(path), "\(path)")
            }
            for path in ["models/a/model.pkl", "README.md", "m/MLmodel.bak", "m/myconda.yaml", "requirements/base.in"] {
                #expect(!matches(path), "\(path)")
            }
        }
        #expect(hooks[0]["language"]?.scalarText == "swift")
        #expect(hooks[1]["language"]?.scalarText == "system")
    }

    /// `pre-commit try-repo` of this repository, in a scratch git repository holding a model
    /// with a lint error (MLE041, MLE050 for azureml-online) and a clean one: the hook fails on
    /// the first's files and passes on the second's, with the debug mlenv on PATH.
    @Test(.enabled(if: CITools.hasPreCommit, "pre-commit: run scripts/python-tools"))
    func theSystemHookFailsOnABrokenModelAndPassesOnAGoodOne() throws {
        let scratch = try CITools.scratch("pre-commit")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let repo = scratch + "/repo"
        let fm = FileManager.default
        try fm.createDirectory(atPath: repo + "/models", withIntermediateDirectories: true)
        try fm.copyItem(
            atPath: CLI.repository.appendingPathComponent("fixtures/models/conflict-pandas-monitoring").path,
            toPath: repo + "/models/broken")
        try fm.copyItem(
            atPath: CLI.repository.appendingPathComponent("fixtures/lint/clean").path, toPath: repo + "/models/good")
        // The project's own requirements: in no model, so lint skips it.
        try "requests==2.32.3\n".write(toFile: repo + "/requirements.txt", atomically: true, encoding: .utf8)

        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] =
            CLI.binary.deletingLastPathComponent().path + ":" + CITools.venv.path + ":"
            + (environment["PATH"] ?? "/usr/bin:/bin")
        // pre-commit's store (try-repo clones into a temporary directory) stays in the scratch folder.
        environment["PRE_COMMIT_HOME"] = scratch + "/pre-commit-cache"
        try fm.createDirectory(atPath: scratch + "/tmp", withIntermediateDirectories: true)
        environment["TMPDIR"] = scratch + "/tmp"
        environment["MLENV_SOURCES"] = "embedded"
        environment["MLENV_DATA_DIR"] = CLI.repository.appendingPathComponent("channels").path
        // git as the test sets it up, whatever the machine's configuration says.
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["HOME"] = scratch
        environment["PRE_COMMIT_COLOR"] = "never"
        environment["NO_COLOR"] = "1"
        environment.removeValue(forKey: "GIT_DIR")
        environment.removeValue(forKey: "GIT_INDEX_FILE")
        environment.removeValue(forKey: "GIT_WORK_TREE")

        func git(_ arguments: [String]) throws {
            let result = try CITools.run("/usr/bin/env", ["git"] + arguments, in: repo, environment: environment)
            #expect(result.status == 0, "git \(arguments.joined(separator: " ")): \(result.output)")
        }
        try git(["init", "-q", "-b", "main"])
        try git(["config", "user.name", "mlenv tests"])
        try git(["config", "user.email", "tests@mlenv.invalid"])
        try git(["config", "commit.gpgsign", "false"])
        try git(["add", "-A"])
        try git(["commit", "-q", "-m", "models"])

        func tryRepo(_ files: [String]) throws -> (status: Int32, output: String) {
            try CITools.run(
                CITools.preCommit,
                ["try-repo", CLI.repository.path, "mlenv-lint-system", "--verbose", "--files"] + files,
                in: repo, environment: environment)
        }

        let good = try tryRepo([
            "models/good/conda.yaml", "models/good/requirements.txt", "models/good/MLmodel", "requirements.txt"
        ])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("Passed"), "\(good.output)")
        #expect(good.output.contains("1 model checked for azureml-online: 0 errors"), "\(good.output)")

        let broken = try tryRepo(["models/broken/conda.yaml", "models/good/MLmodel"])
        #expect(broken.status == 1, "\(broken.output)")
        #expect(broken.output.contains("Failed"), "\(broken.output)")
        #expect(broken.output.contains("models/broken/conda.yaml:10:5: error[MLE041]:"), "\(broken.output)")
        #expect(broken.output.contains("2 models checked for azureml-online"), "\(broken.output)")

        // A commit that touches no environment file runs no lint at all.
        let unrelated = try tryRepo(["models/good/model.pkl"])
        #expect(unrelated.status == 0 && unrelated.output.contains("(no files to check)Skipped"), "\(unrelated.output)")
    }
}

@Suite struct GitHubActionTests {
    @Test func theActionIsACompositeActionWithItsInputs() throws {
        let action = try CITools.yaml("action.yml")
        #expect(action["name"]?.scalarText == "mlenv lint")
        #expect(action["description"]?.scalarText?.isEmpty == false)
        let inputs = try #require(action["inputs"]?.pairs)
        let names = inputs.compactMap(\.key.scalarText)
        for name in [
            "paths", "deployment", "config", "max-warnings", "args", "sarif-file", "upload-sarif", "category",
            "fail-on-findings", "mlenv", "swift-version"
        ] {
            #expect(names.contains(name), "input \(name)")
        }
        for input in inputs {
            #expect(
                input.value["description"]?.scalarText != nil, "input \(input.key.scalarText ?? "?") has no description"
            )
        }
        #expect(action["outputs"]?["sarif-file"]?["value"]?.scalarText != nil)
        #expect(action["outputs"]?["exit-code"]?["value"]?.scalarText != nil)

        #expect(action["runs"]?["using"]?.scalarText == "composite")
        let steps = try #require(action["runs"]?["steps"]?.sequence)
        for step in steps {
            // A composite action's run step must name its shell.
            if step["run"] != nil { #expect(step["shell"]?.scalarText == "bash", "\(step["name"]?.scalarText ?? "?")") }
            #expect(step["run"] != nil || step["uses"] != nil)
        }
        let uses = steps.compactMap { $0["uses"]?.scalarText }
        #expect(uses.contains { $0.hasPrefix("github/codeql-action/upload-sarif@") })
        #expect(uses.contains { $0.hasPrefix("swift-actions/setup-swift@") })
        let build = try #require(steps.first { $0["id"]?.scalarText == "build" })
        #expect(build["run"]?.scalarText?.contains("swift build -c release") == true)
        let lint = try #require(steps.first { $0["id"]?.scalarText == "lint" })
        #expect(lint["run"]?.scalarText?.contains("--format sarif") == true)
        // Inputs reach scripts through env, never pasted into the script (script injection).
        for step in steps {
            #expect(step["run"]?.scalarText?.contains("${{") != true, "\(step["name"]?.scalarText ?? "?")")
        }
    }

    /// The action's lint step as the runner runs it (`bash -eo pipefail`), with the debug mlenv:
    /// a report with findings is written and the step passes (the upload comes next); exit 2 fails it.
    @Test func theLintStepWritesSARIFAndSaysTheExitCode() throws {
        let action = try CITools.yaml("action.yml")
        let steps = try #require(action["runs"]?["steps"]?.sequence)
        let script = try #require(steps.first { $0["id"]?.scalarText == "lint" }?["run"]?.scalarText)
        let scratch = try CITools.scratch("action")
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        func step(paths: String, extra: [String: String] = [:]) throws -> (
            status: Int32, output: String, outputs: String
        ) {
            let outputs = scratch + "/github-output-\(UUID().uuidString)"
            var environment = ProcessInfo.processInfo.environment
            environment.removeValue(forKey: "CI")
            environment.merge([
                "MLENV": CLI.binary.path, "LINT_PATHS": paths, "LINT_DEPLOYMENT": "", "LINT_CONFIG": "",
                "LINT_MAX_WARNINGS": "",
                "LINT_ARGS": "--as-of 2026-11-25", "SARIF_FILE": scratch + "/reports/mlenv.sarif",
                "GITHUB_OUTPUT": outputs,
                "MLENV_SOURCES": "embedded"
            ]) { $1 }
            environment.merge(extra) { $1 }
            let result = try CITools.run(
                "/bin/bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], in: CLI.repository.path,
                environment: environment)
            return (result.status, result.output, (try? String(contentsOfFile: outputs, encoding: .utf8)) ?? "")
        }

        let findings = try step(paths: "fixtures/lint/clean\nfixtures/models/conflict-pandas-monitoring")
        #expect(findings.status == 0, "\(findings.output)")
        #expect(findings.outputs.contains("exit-code=1\n"), "\(findings.outputs)")
        #expect(findings.outputs.contains("sarif-file=\(scratch)/reports/mlenv.sarif\n"))
        let sarif = try JSONValue.parse(
            string: try String(contentsOfFile: scratch + "/reports/mlenv.sarif", encoding: .utf8))
        let results = sarif["runs"]?.arrayValue?.first?["results"]?.arrayValue ?? []
        #expect(results.contains { $0["ruleId"] == "MLE041" }, "\(results.count) results")

        let clean = try step(
            paths: "fixtures/lint/clean", extra: ["LINT_MAX_WARNINGS": "0", "LINT_DEPLOYMENT": "azureml-online"])
        #expect(clean.status == 0 && clean.outputs.contains("exit-code=0\n"), "\(clean.output)\(clean.outputs)")

        let bad = try step(paths: "fixtures/does-not-exist")
        #expect(bad.status == 2, "\(bad.output)")
        #expect(bad.outputs.contains("exit-code=2\n"))
        #expect(bad.output.contains("::error title=mlenv lint::"))
    }

    /// The workflow docs/ci.md documents: valid YAML, using this action with code scanning's permission.
    @Test func theDocumentedWorkflowUsesTheActionAndMayUploadSARIF() throws {
        let text = try String(contentsOf: CLI.repository.appendingPathComponent("docs/ci.md"), encoding: .utf8)
        let blocks = Self.yamlBlocks(text)
        let workflowText = try #require(
            blocks.first { $0.hasPrefix("# .github/workflows/mlenv-lint.yml\n") }, "no workflow block in docs/ci.md")
        let workflow = try #require(try YAMLLoader.load(string: workflowText))
        #expect(workflow["on"] != nil)
        #expect(workflow["permissions"]?["security-events"]?.scalarText == "write")
        let job = try #require(workflow["jobs"]?["lint"])
        #expect(job["runs-on"]?.scalarText != nil)
        let steps = try #require(job["steps"]?.sequence)
        #expect(steps.first?["uses"]?.scalarText?.hasPrefix("actions/checkout@") == true)
        let mlenv = try #require(steps.first { $0["uses"]?.scalarText?.contains("/mlenv@") == true })
        // Every input the workflow passes is one the action declares.
        let declared = Set(try CITools.yaml("action.yml")["inputs"]?.pairs?.compactMap(\.key.scalarText) ?? [])
        for input in mlenv["with"]?.pairs ?? [] {
            #expect(declared.contains(input.key.scalarText ?? ""), "\(input.key.scalarText ?? "?")")
        }

        let configText = try #require(
            blocks.first { $0.hasPrefix("# .pre-commit-config.yaml\n") }, "no pre-commit block in docs/ci.md")
        let config = try #require(try YAMLLoader.load(string: configText))
        let hookIDs = Set(
            try CITools.yaml(".pre-commit-hooks.yaml").sequence?.compactMap { $0["id"]?.scalarText } ?? [])
        let used = config["repos"]?.sequence?.first?["hooks"]?.sequence?.compactMap { $0["id"]?.scalarText } ?? []
        #expect(!used.isEmpty && used.allSatisfy(hookIDs.contains), "\(used)")
    }

    /// The contents of the ```yaml fences of a Markdown text.
    static func yamlBlocks(_ markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.trimmingCharacters(in: .whitespaces) == "```yaml" {
                current = []
                continue
            }
            if current != nil, line.trimmingCharacters(in: .whitespaces) == "```" {
                blocks.append(current!.joined(separator: "\n") + "\n")
                current = nil
                continue
            }
            current?.append(line)
        }
        return blocks
    }
}
