// `mlenv lint --shard K/N` as a CI matrix runs it: each shard's SARIF validates against the
// SARIF 2.1.0 schema and has its own automationDetails id, the shards' results together are one
// run's, JSON and text say the shard, bad forms exit 2, and shards sharing one --cache-dir at the
// same moment succeed with the findings a run alone gives (and leave the cache whole).

import Foundation
import JSON
import Testing

@Suite struct ShardCommandTests {
    static let asOf = ["--as-of", Repo.today]
    /// Nine fixture models, errors and warnings among them.
    static let models = [
        "MLE030-PinRequirementsExactly", "MLE050-RequireAzureMLAIMonitoring", "MLE033-PreferPackagesWithWheels",
        "MLE041-KeepProfilePackagesCompatible", "clean"
    ].map { "fixtures/lint/" + $0 }

    /// A SARIF result as code scanning tells results apart.
    static func results(_ sarif: JSONValue) -> [String] {
        let results = sarif["runs"]?.arrayValue?.first?["results"]?.arrayValue ?? []
        return results.map { result -> String in
            let location: JSONValue? = result["locations"]?.arrayValue?.first?["physicalLocation"]
            let uri: String = location?["artifactLocation"]?["uri"]?.stringValue ?? ""
            let region: String = (location?["region"]).map { $0.serialized() } ?? ""
            let rule: String = result["ruleId"]?.stringValue ?? ""
            let level: String = result["level"]?.stringValue ?? ""
            let message: String = result["message"]?["text"]?.stringValue ?? ""
            return [rule, level, uri, region, message].joined(separator: " ")
        }
    }

    static func count(_ value: JSONValue?) -> Int {
        guard let value, case .number = value, let n = Int(value.serialized()) else { return -1 }
        return n
    }

    @Test func eachShardsSARIFValidatesAndTheShardsTogetherAreOneRun() throws {
        let whole = try MLEnvBinary.run(["lint"] + Self.models + ["--format", "sarif"] + Self.asOf)
        #expect(whole.status == 1, "\(whole.stderr)")
        let wholeSARIF = try JSONValue.parse(string: whole.stdout)
        #expect(
            wholeSARIF["runs"]?.arrayValue?.first?["automationDetails"] == nil,
            "an unsharded run has no automationDetails")
        let expected = Self.results(wholeSARIF).sorted()
        #expect(!expected.isEmpty)

        let n = 3
        var merged: [String] = []
        var ids: [String] = []
        for k in 1...n {
            let shard = try MLEnvBinary.run(
                ["lint"] + Self.models + ["--shard", "\(k)/\(n)", "--format", "sarif"] + Self.asOf)
            #expect(shard.status == 0 || shard.status == 1, "\(shard.stderr)")
            try SchemaValidator.validate(shard.stdout)
            let sarif = try JSONValue.parse(string: shard.stdout)
            let run = sarif["runs"]?.arrayValue?.first
            ids.append(run?["automationDetails"]?["id"]?.stringValue ?? "")
            #expect(
                run?["tool"]?["driver"]?["rules"]?.arrayValue?.count
                    == wholeSARIF["runs"]?.arrayValue?.first?["tool"]?["driver"]?["rules"]?.arrayValue?.count)
            merged += Self.results(sarif)
        }
        #expect(ids == ["mlenv-lint/shard-1-of-3/", "mlenv-lint/shard-2-of-3/", "mlenv-lint/shard-3-of-3/"])
        #expect(Set(ids).count == n)
        #expect(merged.sorted() == expected)
    }

    @Test func jsonAndTextSayTheShardAndAnEmptyShardPasses() throws {
        // One model and many shards: all but one shard hold nothing, and pass.
        let model = "fixtures/lint/MLE050-RequireAzureMLAIMonitoring/triggers"
        var statuses: [Int32] = []
        var checked = 0
        for k in 1...4 {
            let json = try MLEnvBinary.run(["lint", model, "--shard", "\(k)/4", "--format", "json"] + Self.asOf)
            statuses.append(json.status)
            let parsed = try JSONValue.parse(string: json.stdout)
            #expect(
                parsed["shard"]?["index"] == JSONValue.int(k) && parsed["shard"]?["count"] == JSONValue.int(4),
                "\(json.stdout)")
            #expect(parsed["shard"]?["id"] == JSONValue.string("mlenv-lint/shard-\(k)-of-4/"))
            let models = Self.count(parsed["summary"]?["models"])
            checked += models
            if models == 0 {
                #expect(json.status == 0 && parsed["findings"]?.arrayValue?.isEmpty == true)
                let text = try MLEnvBinary.run(["lint", model, "--shard", "\(k)/4"] + Self.asOf)
                #expect(text.status == 0)
                #expect(
                    text.stdout.hasSuffix(
                        "0 models checked for azureml-online (shard \(k)/4): 0 errors, 0 warnings, 0 info\n"),
                    "\(text.stdout)")
            } else {
                #expect(json.status == 1, "the model's MLE050 error")
            }
        }
        #expect(checked == 1)
        #expect(statuses.filter { $0 == 1 }.count == 1)
        // Without --shard, nothing is said about shards (outputs as before).
        let plain = try MLEnvBinary.run(["lint", model, "--format", "json"] + Self.asOf)
        #expect(try JSONValue.parse(string: plain.stdout)["shard"] == nil)
    }

    @Test(arguments: ["0/2", "3/2", "2", "x/2", "1/0", "1/2/3", ""])
    func badShardFormsExitTwo(_ form: String) throws {
        let result = try MLEnvBinary.run(["lint", "fixtures/lint/clean", "--shard", form] + Self.asOf)
        #expect(result.status == 2, "\(form): \(result.stdout)")
        #expect(result.stderr.contains("--shard"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    /// Two shards' runners pointed at one cache (a restored CI cache) at the same moment.
    @Test func shardsShareACacheDirectoryAtOnce() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-shard-cache-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let arguments = ["lint"] + Self.models + ["--format", "json", "--cache-dir", cache] + Self.asOf
        let alone = try MLEnvBinary.run(arguments + ["--no-cache"])
        #expect(alone.status == 1, "\(alone.stderr)")

        // Both shards and a whole run, all three at once, on a cold cache.
        let together = try Self.runTogether([arguments + ["--shard", "1/2"], arguments + ["--shard", "2/2"], arguments])
        for result in together { #expect(result.status == 0 || result.status == 1, "\(result.stderr)") }
        #expect(together[2].status == 1)
        #expect(try Self.findings(together[2].stdout) == Self.findings(alone.stdout))
        let merged = try (Self.findings(together[0].stdout) + Self.findings(together[1].stdout)).map { $0.serialized() }
            .sorted()
        #expect(merged == (try Self.findings(alone.stdout).map { $0.serialized() }.sorted()))
        let entries = FileManager.default.enumerator(atPath: cache)?.allObjects.count ?? 0
        #expect(entries > 0, "nothing was cached")
        // What the two wrote is read back whole: a warm run gives the same findings.
        let warm = try MLEnvBinary.run(arguments)
        #expect(warm.status == 1, "\(warm.stderr)")
        #expect(try Self.findings(warm.stdout) == Self.findings(alone.stdout))
    }

    static func findings(_ json: String) throws -> [JSONValue] {
        try JSONValue.parse(string: json)["findings"]?.arrayValue ?? []
    }

    /// Runs several mlenv processes at the same time and waits for all of them.
    static func runTogether(_ argumentLists: [[String]]) throws -> [(status: Int32, stdout: String, stderr: String)] {
        var running: [(Process, URL, URL)] = []
        for arguments in argumentLists {
            let process = Process()
            process.executableURL = MLEnvBinary.url
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: Repo.root)
            // Files, not pipes: nothing has to drain them while the processes run side by side.
            let out = FileManager.default.temporaryDirectory.appendingPathComponent(
                "mlenv-shard-out-\(UUID().uuidString)")
            let err = FileManager.default.temporaryDirectory.appendingPathComponent(
                "mlenv-shard-err-\(UUID().uuidString)")
            FileManager.default.createFile(atPath: out.path, contents: nil)
            FileManager.default.createFile(atPath: err.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            process.standardInput = FileHandle.nullDevice
            running.append((process, out, err))
        }
        for (process, _, _) in running { try process.run() }
        return running.map { process, out, err in
            process.waitUntilExit()
            defer {
                try? FileManager.default.removeItem(at: out)
                try? FileManager.default.removeItem(at: err)
            }
            return (
                process.terminationStatus, (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                (try? String(contentsOf: err, encoding: .utf8)) ?? ""
            )
        }
    }
}
