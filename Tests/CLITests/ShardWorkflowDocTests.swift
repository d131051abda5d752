// The sharded CI workflows docs/ci.md documents: the GitHub Actions matrix passes this
// repository's action inputs it declares, one shard per matrix entry with its own code scanning
// category and a cached --cache-dir; the GitLab `parallel:` job's script, run as GitLab runs it
// (CI_NODE_INDEX 1…N of CI_NODE_TOTAL, CI set), lints every model once across its jobs.

import Foundation
import JSON
import Testing
import YAML

@Suite struct ShardWorkflowDocTests {
    static func block(_ header: String) throws -> YAMLNode {
        let text = try String(contentsOf: CLI.repository.appendingPathComponent("docs/ci.md"), encoding: .utf8)
        let found = try #require(
            GitHubActionTests.yamlBlocks(text).first { $0.hasPrefix(header + "\n") }, "no \(header) block in docs/ci.md"
        )
        return try #require(try YAMLLoader.load(string: found))
    }

    @Test func theGitHubMatrixRunsOneShardPerEntryWithItsOwnCategory() throws {
        let workflow = try Self.block("# .github/workflows/mlenv-lint-shards.yml")
        #expect(workflow["permissions"]?["security-events"]?.scalarText == "write")
        let job = try #require(workflow["jobs"]?["lint"])
        let shards =
            job["strategy"]?["matrix"]?["shard"]?.sequence?.compactMap { $0.scalarText.flatMap { Int($0) } } ?? []
        #expect(!shards.isEmpty && shards == Array(1...shards.count), "\(shards)")
        #expect(job["strategy"]?["fail-fast"]?.scalarText == "false")
        let steps = try #require(job["steps"]?.sequence)
        let cache = try #require(steps.first { $0["uses"]?.scalarText?.hasPrefix("actions/cache@") == true })
        let cachePath = try #require(cache["with"]?["path"]?.scalarText)
        let lint = try #require(steps.first { $0["uses"]?.scalarText?.contains("/mlenv@") == true })
        let with = try #require(lint["with"])
        let declared = Set(try CITools.yaml("action.yml")["inputs"]?.pairs?.compactMap(\.key.scalarText) ?? [])
        for input in with.pairs ?? [] {
            #expect(declared.contains(input.key.scalarText ?? ""), "\(input.key.scalarText ?? "?")")
        }
        let args = with["args"]?.scalarText ?? ""
        #expect(args.contains("--shard ${{ matrix.shard }}/${{ strategy.job-total }}"), "\(args)")
        #expect(args.contains("--cache-dir \(cachePath)"), "the cached directory is not lint's cache: \(args)")
        // The upload's category is the SARIF's own automationDetails id, shard by shard.
        #expect(with["category"]?.scalarText == "mlenv-lint/shard-${{ matrix.shard }}-of-${{ strategy.job-total }}")
        #expect(with["sarif-file"]?.scalarText?.contains("${{ matrix.shard }}") == true)
    }

    @Test func theGitLabParallelJobLintsEveryModelOnce() throws {
        let config = try Self.block("# .gitlab-ci.yml")
        let job = try #require(config["mlenv-lint"])
        let total = try #require(job["parallel"]?.scalarText.flatMap { Int($0) })
        #expect(total >= 2)
        let script = job["script"]?.sequence?.compactMap(\.scalarText) ?? []
        #expect(script.count == 1 && script[0].contains("--shard \"$CI_NODE_INDEX/$CI_NODE_TOTAL\""), "\(script)")
        #expect(job["cache"]?["paths"]?.sequence?.first?.scalarText == ".mlenv-cache/")

        // The script as GitLab runs it, in a project whose models/ holds three fixture models.
        let project = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-gitlab-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        try FileManager.default.createDirectory(atPath: project + "/models", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: project) }
        for (name, fixture) in [
            ("a", "MLE050-RequireAzureMLAIMonitoring/triggers"), ("b", "clean"),
            ("c", "MLE030-PinRequirementsExactly/triggers")
        ] {
            try FileManager.default.copyItem(
                atPath: CLI.repository.appendingPathComponent("fixtures/lint/" + fixture).path,
                toPath: project + "/models/" + name)
        }
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] =
            CLI.binary.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["CI"] = "true"
        environment["CI_NODE_TOTAL"] = String(total)
        if environment["MLENV_SOURCES"] == nil { environment["MLENV_SOURCES"] = "embedded" }
        var models: [String] = []
        var findings: [String] = []
        for index in 1...total {
            environment["CI_NODE_INDEX"] = String(index)
            let run = try CITools.run("/bin/sh", ["-ec", script[0]], in: project, environment: environment)
            #expect(run.status == 0 || run.status == 1, "\(index)/\(total): \(run.output)")
            #expect(!run.output.contains("\u{1B}[K"), "progress drawn in a CI log")
            let report = try JSONValue.parse(
                string: String(contentsOfFile: project + "/mlenv-\(index).json", encoding: .utf8))
            #expect(report["shard"]?["id"]?.stringValue == "mlenv-lint/shard-\(index)-of-\(total)/")
            models += (report["models"]?.arrayValue ?? []).compactMap(\.stringValue)
            findings += (report["findings"]?.arrayValue ?? []).map { $0.serialized() }
        }
        #expect(models.sorted() == ["models/a", "models/b", "models/c"])
        let whole = try CITools.run(
            CLI.binary.path, ["lint", "models/", "--format", "json", "--cache-dir", ".mlenv-cache"], in: project,
            environment: environment)
        let wholeFindings = (try JSONValue.parse(string: whole.output)["findings"]?.arrayValue ?? []).map {
            $0.serialized()
        }
        #expect(!wholeFindings.isEmpty)
        #expect(findings.sorted() == wholeFindings.sorted())
    }
}
