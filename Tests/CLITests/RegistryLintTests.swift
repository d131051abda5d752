// `mlenv lint models:/` against a real `mlflow server` (MLflowServer, as ModelURITests): the
// fixtures registered as several models, some with more than one version and one with a version
// in a stage, and MLflow's own client saying which versions are the latest. Every latest version
// is linted exactly once, older versions are not, `--shard K/N` splits the registry so the shards
// together lint each latest version once with the findings of one run, the listing pages, and a
// model whose artifacts mlenv cannot read is said by its URI (exit 2).

import Channels
import Foundation
import JSON
import Testing

@Suite(.serialized) struct RegistryLintTests {
    /// Registers more fixtures next to MLflowServer's iris (1) and iris-s3: iris 2 (so 1 is not
    /// the latest), sklearn-conda 1 (moved to Production) and 2, conflict-pandas-monitoring as
    /// `pandas "monitoring", 2` (a space, quotes and a comma in the name), requirements-syntax, and a model without
    /// versions; prints, as JSON, what MLflow's client says are the latest versions.
    static let registerMore = """
        import json, sys, warnings
        import mlflow
        from mlflow import MlflowClient
        warnings.simplefilter("ignore")
        fixtures = sys.argv[1]
        client = MlflowClient()
        def register(name, model, versions=1):
            with mlflow.start_run() as run:
                mlflow.log_artifacts(f"{fixtures}/{model}", artifact_path="model")
            if not client.search_registered_models(filter_string=f"name = '{name}'"):
                client.create_registered_model(name)
            return [client.create_model_version(name, source=f"{run.info.artifact_uri}/model", run_id=run.info.run_id) for _ in range(versions)]
        register("iris", "sklearn-iris")
        first = register("sklearn-conda", "sklearn-conda", versions=2)[0]
        client.transition_model_version_stage("sklearn-conda", first.version, "Production")
        register('pandas "monitoring", 2', "conflict-pandas-monitoring")
        register("requirements-syntax", "requirements-syntax")
        client.create_registered_model("no-versions-yet")
        latest = sorted(f"models:/{m.name}/{v.version}" for m in client.search_registered_models() for v in m.latest_versions)
        print(json.dumps(latest))  # the last line
        """

    /// A server, started again once if the first did not answer in time (the full suite starts
    /// others at the same moment on a small machine).
    static func server(adminPassword: String? = nil) throws -> MLflowServer {
        if MLflowServer.available, let server = try? MLflowServer(adminPassword: adminPassword) { return server }
        return try MLflowServer.startOrSkip(adminPassword: adminPassword)
    }

    static func latest(_ server: MLflowServer) throws -> [String] {
        let out = try MLflowServer.runPython(
            registerMore, [CLI.repository.appendingPathComponent("fixtures/models").path],
            environment: server.environment)
        let line = out.split(separator: "\n").last.map(String.init) ?? ""
        return (try JSONValue.parse(string: line).arrayValue ?? []).compactMap(\.stringValue)
    }

    static func models(_ json: String) throws -> [String] {
        (try JSONValue.parse(string: json)["models"]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    static func findings(_ json: String) throws -> [String] {
        (try JSONValue.parse(string: json)["findings"]?.arrayValue ?? []).map { $0.serialized() }
    }

    @Test func lintsEveryRegisteredModelsLatestVersionsOnceAndShardsSplitThem() throws {
        let server = try Self.server()
        defer { server.stop() }
        var latest = try Self.latest(server)
        #expect(latest.contains("models:/sklearn-conda/1") && latest.contains("models:/sklearn-conda/2"), "\(latest)")
        #expect(!latest.contains("models:/iris/1") && latest.contains("models:/iris/2"), "\(latest)")
        let lint = ["lint", "models:/", "--deployment", "mlflow-serve", "--format", "json", "--as-of", "2026-11-25"]

        // iris-s3's artifacts are in a store mlenv does not read: said by its URI, exit 2.
        let unreadable = try CLI.run(lint, environment: server.environment)
        #expect(unreadable.status == 2, "\(unreadable.stdout)")
        #expect(
            unreadable.stderr.contains("models:/iris-s3/1") && unreadable.stderr.contains("s3: store"),
            "\(unreadable.stderr)")
        #expect(unreadable.stdout.isEmpty)
        _ = try MLflowServer.runPython(
            "from mlflow import MlflowClient; MlflowClient().delete_registered_model('iris-s3')", [],
            environment: server.environment)
        latest.removeAll { $0.hasPrefix("models:/iris-s3/") }

        let whole = try CLI.run(lint, environment: server.environment)
        #expect(whole.status == 0 || whole.status == 1, "\(whole.stderr)")
        let linted = try Self.models(whole.stdout)
        #expect(linted.sorted() == latest, "linted \(linted), latest \(latest)")
        #expect(Set(linted).count == linted.count)
        #expect(!whole.stdout.contains(server.directory.path), "a temporary path shown")
        let wholeFindings = try Self.findings(whole.stdout).sorted()
        #expect(!wholeFindings.isEmpty)
        // The findings name the URIs, as for one model URI.
        #expect(
            try JSONValue.parse(string: whole.stdout)["findings"]?.arrayValue?.allSatisfy {
                $0["model"]?.stringValue.map { latest.contains($0) } ?? false
            } == true)

        for n in [2, 4] {
            var shardModels: [String] = []
            var shardFindings: [String] = []
            for k in 1...n {
                let shard = try CLI.run(lint + ["--shard", "\(k)/\(n)"], environment: server.environment)
                #expect(shard.status == 0 || shard.status == 1, "\(k)/\(n): \(shard.stderr)")
                shardModels += try Self.models(shard.stdout)
                shardFindings += try Self.findings(shard.stdout)
            }
            #expect(shardModels.sorted() == latest, "\(n) shards linted \(shardModels.sorted())")
            #expect(shardFindings.sorted() == wholeFindings, "\(n) shards")
        }
        // Each format escapes the URIs as it must: JSON (above) parses with the quoted name in
        // it, SARIF's artifact URIs are percent-encoded, a GitHub workflow command's file= property has its `:` and `,` escaped.
        let sarif = try CLI.run(
            ["lint", "models:/", "--deployment", "mlflow-serve", "--as-of", "2026-11-25", "--format", "sarif"],
            environment: server.environment)
        let sarifText = try JSONValue.parse(string: sarif.stdout).serialized()
        #expect(
            sarifText.contains("models%3A/pandas%20%22monitoring%22,%202/1/MLmodel"), "\(sarif.stdout.suffix(2000))")
        let github = try CLI.run(
            ["lint", "models:/", "--deployment", "mlflow-serve", "--as-of", "2026-11-25", "--format", "github"],
            environment: server.environment)
        #expect(github.stdout.contains(#"file=models%3A/pandas "monitoring"%2C 2/1"#), "\(github.stdout)")
        #expect(!github.stdout.contains("file=models:/"), "\(github.stdout)")
        #expect(server.leftovers.isEmpty, "left behind: \(server.leftovers)")

        // The listing in pages of two, as the server hands them out, says the same versions;
        // bounded, a listing longer than allowed is refused rather than cut short.
        let registry = MLflowRegistry(trackingURI: server.url, client: HTTPClient())
        let paged = try registry.latestVersions(limits: .init(pageSize: 2)).map(\.description)
        #expect(paged == latest)
        #expect(throws: ChannelError.self) { try registry.latestVersions(limits: .init(pageSize: 2, maxPages: 1)) }
    }

    @Test func anEmptyRegistryIsNothingToLintAndTheServerIsRequired() throws {
        let noServer = try CLI.run(["lint", "models:/"], environment: ["MLFLOW_TRACKING_URI": ""])
        #expect(noServer.status == 2)
        #expect(noServer.stderr.contains("set MLFLOW_TRACKING_URI"), "\(noServer.stderr)")
        let server = try Self.server()
        defer { server.stop() }
        for name in ["iris", "iris-s3"] {
            _ = try MLflowServer.runPython(
                "import sys; from mlflow import MlflowClient; MlflowClient().delete_registered_model(sys.argv[1])",
                [name],
                environment: server.environment)
        }
        let empty = try CLI.run(["lint", "models:/", "--shard", "1/2"], environment: server.environment)
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(
            empty.stdout.hasSuffix("0 models checked for azureml-online (shard 1/2): 0 errors, 0 warnings, 0 info\n"),
            "\(empty.stdout)")
    }

    @Test func theRegistryListingSendsCredentialsAndNeverPrintsThem() throws {
        let password = "mlenv-admin-\(UInt32.random(in: 0...UInt32.max))"
        let server = try Self.server(adminPassword: password)
        defer { server.stop() }
        let lint = ["lint", "models:/", "--shard", "1/1", "--format", "json", "--deployment", "mlflow-serve"]
        let without = try CLI.run(lint, environment: server.environment)
        #expect(without.status == 2)
        #expect(
            without.stderr.contains("models:/: HTTP 401") && without.stderr.contains("wants credentials"),
            "\(without.stderr)")

        var right = server.environment
        right["MLFLOW_TRACKING_USERNAME"] = "admin"
        right["MLFLOW_TRACKING_PASSWORD"] = password
        // iris-s3 is unreadable by design (s3://): the listing got through when it is named.
        let listed = try CLI.run(lint, environment: right)
        #expect(listed.status == 2)
        #expect(listed.stderr.contains("models:/iris-s3/1"), "\(listed.stderr)")
        #expect(!listed.stderr.contains(password) && !listed.stdout.contains(password), "the password was printed")
        _ = try MLflowServer.runPython(
            "from mlflow import MlflowClient; MlflowClient().delete_registered_model('iris-s3')", [], environment: right
        )
        let linted = try CLI.run(lint, environment: right)
        #expect(linted.status == 0 || linted.status == 1, "\(linted.stderr)")
        #expect(try Self.models(linted.stdout) == ["models:/iris/1"])
        #expect(!linted.stderr.contains(password) && !linted.stdout.contains(password), "the password was printed")
    }
}
