// `lint --shard K/N` as a library: the K/N forms, the stable hash, the keys (the same wherever
// the checkout is), N shards covering every model exactly once for several N (more shards than
// models too), and the findings of all shards together equal to one run over everything
// (../shared/models, the real models).

import Foundation
import JSON
import Lint
import Testing

@Suite struct ShardTests {
    @Test func parsesKOverN() throws {
        let shard = try LintShard(parsing: "2/4")
        #expect(shard.index == 2 && shard.count == 4)
        #expect(shard.description == "2/4")
        #expect(shard.automationID == "mlenv-lint/shard-2-of-4/")
        #expect(try LintShard(parsing: "1/1").contains(key: "anything"))
    }

    @Test(arguments: [
        ("0/3", "K must be between 1 and N (3)"),
        ("4/3", "K must be between 1 and N (3)"),
        ("1/0", "N must be between 1 and 100000"),
        ("1/100001", "N must be between 1 and 100000"),
        ("3", "expected K/N"),
        ("a/b", "expected K/N"),
        ("-1/2", "expected K/N"),
        ("+1/2", "expected K/N"),
        (" 1/2", "expected K/N"),
        ("1/2/3", "expected K/N"),
        ("1/", "expected K/N"),
        ("99999999999999999999/2", "expected K/N"),
        ("1\u{1B}[2J/2", "expected K/N")
    ])
    func refusesBadForms(_ text: String, _ message: String) {
        do {
            _ = try LintShard(parsing: text)
            Issue.record("\(text.debugDescription) was accepted")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
            #expect(!error.message.contains("\u{1B}"), "a control character was echoed")
        }
    }

    /// Published FNV-1a 64 values: the partition cannot change between builds or machines.
    @Test func hashIsFNV1a64() {
        #expect(LintShard.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(LintShard.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(LintShard.fnv1a64("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func keysAreRelativeToTheArgument() {
        #expect(LintShard.key(model: "models/a/b", root: "models") == "a/b")
        #expect(LintShard.key(model: "models/a/b", root: "models/") == "a/b")
        #expect(LintShard.key(model: "/srv/checkout/models/a/b", root: "/srv/checkout/models") == "a/b")
        #expect(LintShard.key(model: "a/b", root: ".") == "a/b")
        // The argument itself (or the model a file names): its own name, not the machine's path.
        #expect(LintShard.key(model: "/srv/checkout/models/a", root: "/srv/checkout/models/a") == "a")
        #expect(LintShard.key(model: "models/a", root: "models/a/conda.yaml") == "a")
    }

    static let available = SharedModelsTests.available

    @Test(.enabled(if: ShardTests.available))
    func keysDoNotDependOnWhereTheCheckoutIs() throws {
        let direct = LintSelection.discover([Repo.sharedModels])
        let roundabout = LintSelection.discover([Repo.root + "/Tests/../../shared/models/"])
        #expect(direct.models.count == 27)
        #expect(direct.keys == roundabout.keys)
        #expect(direct.keys.allSatisfy { !$0.contains("/") && !$0.isEmpty }, "\(direct.keys)")
        // Through a link elsewhere too (another runner's checkout path).
        let elsewhere = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-shard-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: elsewhere) }
        try FileManager.default.createSymbolicLink(
            atPath: elsewhere.path + "/models", withDestinationPath: Repo.sharedModels)
        let linked = LintSelection.discover([elsewhere.path + "/models/"])
        #expect(linked.keys == direct.keys)
        for n in [2, 5] {
            for k in 1...n {
                let shard = try LintShard(index: k, count: n)
                #expect(linked.sharded(shard).keys == direct.sharded(shard).keys)
            }
        }
    }

    @Test(.enabled(if: ShardTests.available), arguments: [1, 2, 3, 4, 7, 27, 40, 1000])
    func shardsCoverEveryModelExactlyOnce(_ n: Int) throws {
        let all = LintSelection.discover([Repo.sharedModels, Repo.path("fixtures/lint")])
        #expect(all.models.count > 27)
        var seen: [String: Int] = [:]
        var sizes: [Int] = []
        for k in 1...n {
            let part = all.sharded(try LintShard(index: k, count: n))
            sizes.append(part.models.count)
            for model in part.models { seen[model, default: 0] += 1 }
            // Each shard keeps the models in the order lint would have visited them.
            #expect(part.models == all.models.filter { part.models.contains($0) })
        }
        #expect(Set(seen.keys) == Set(all.models))
        #expect(seen.values.allSatisfy { $0 == 1 }, "\(seen.filter { $0.value != 1 })")
        if n > all.models.count { #expect(sizes.contains(0)) }
        // A hash, not a range: with a few shards none is empty for this many models.
        if n <= 4 { #expect(!sizes.contains(0), "\(sizes)") }
    }

    @Test func aPathWithoutModelsIsInExactlyOneShard() throws {
        let empty = LintSelection.discover([Repo.path("Sources/Lint/Output")])
        #expect(empty.models.isEmpty && empty.empty.count == 1)
        var holders = 0
        for k in 1...3 { holders += try empty.sharded(LintShard(index: k, count: 3)).empty.count }
        #expect(holders == 1)
    }

    @Test func aShardWithoutModelsIsAnEmptySuccess() throws {
        let report = try TestChannels.linter().lint(LintSelection(), shard: try LintShard(index: 3, count: 5))
        #expect(report.models.isEmpty && report.findings.isEmpty && !report.hasErrors)
        #expect(report.shard == (try LintShard(index: 3, count: 5)))
        #expect(
            TextFormatter().summary(report)
                == "0 models checked for azureml-online (shard 3/5): 0 errors, 0 warnings, 0 info")
        let sarif = SARIFFormatter.format(report, toolVersion: "0.1.0")
        #expect(sarif["runs"]?.arrayValue?.first?["automationDetails"]?["id"] == "mlenv-lint/shard-3-of-5/")
        #expect(sarif["runs"]?.arrayValue?.first?["results"]?.arrayValue?.isEmpty == true)
        try SchemaValidator.validate(sarif.serialized(pretty: true))
        let json = JSONFormatter.format(report, toolVersion: "0.1.0")
        #expect(json["shard"]?["index"] == JSONValue.int(3) && json["shard"]?["count"] == JSONValue.int(5))
    }

    /// The equivalence CI relies on: the findings of shards 1...N together are one run's.
    @Test(.enabled(if: ShardTests.available))
    func mergedShardFindingsEqualOneRun() throws {
        let whole = try #require(SharedModelsTests.report)
        let linter = try TestChannels.linter()
        let all = LintSelection.discover([Repo.sharedModels])
        let n = 3
        var merged: [Finding: Int] = [:]
        var models: [String] = []
        for k in 1...n {
            let shard = try LintShard(index: k, count: n)
            let report = linter.lint(all.sharded(shard), shard: shard)
            #expect(report.shard == shard)
            models += report.models
            for finding in report.findings { merged[finding, default: 0] += 1 }
        }
        var expected: [Finding: Int] = [:]
        for finding in whole.findings { expected[finding, default: 0] += 1 }
        #expect(models.sorted() == whole.models.sorted())
        #expect(merged.values.reduce(0, +) == whole.findings.count)
        let missing = expected.filter { merged[$0.key] != $0.value }.map { "\($0.key.location) \($0.key.ruleID)" }
        let extra = merged.filter { expected[$0.key] != $0.value }.map { "\($0.key.location) \($0.key.ruleID)" }
        #expect(
            missing.isEmpty && extra.isEmpty, "only unsharded: \(missing.sorted()); only sharded: \(extra.sorted())")
    }
}
