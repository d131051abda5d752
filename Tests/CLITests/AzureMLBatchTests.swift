// `mlenv azureml --deployment azureml-batch`: the batch deployment YAML read back by the real
// azure-ai-ml loader (load_batch_deployment, which applies Azure ML's BatchDeploymentSchema), and
// the batch scoring script run for real: init() and run() of score/batch_driver.py under the
// Python of .venv-mlflow-server (mlflow, scikit-learn, pandas) on the fixture model, as Azure's
// batch driver calls them (AZUREML_MODEL_DIR set, a mini batch of file paths).

import Foundation
import JSON
import Testing

@Suite(.serialized) struct AzureMLBatchTests {
    static let loader = """
        import json, os, sys
        from azure.ai.ml import load_batch_deployment, load_environment
        out = sys.argv[1]
        dep = load_batch_deployment(os.path.join(out, "deployment.yml"))
        env = load_environment(os.path.join(out, "environment.yml")) if os.path.exists(os.path.join(out, "environment.yml")) else None
        s = dep.settings
        denv = dep.environment
        print(json.dumps({
            "type": type(dep).__name__, "deployment_type": dep.type, "name": dep.name, "endpoint": dep.endpoint_name,
            "model_type": dep.model.type, "model_path": os.path.realpath(dep.model.path),
            "compute": dep.compute, "instance_count": dep.resources.instance_count if dep.resources else None,
            "mini_batch_size": s.mini_batch_size, "output_action": s.output_action, "output_file_name": s.output_file_name,
            "max_retries": s.retry_settings.max_retries if s.retry_settings else None,
            "timeout": s.retry_settings.timeout if s.retry_settings else None,
            "error_threshold": s.error_threshold, "max_concurrency_per_instance": s.max_concurrency_per_instance,
            "logging_level": s.logging_level,
            "variables": s.environment_variables or {},
            "environment_image": denv.image if denv else None, "environment_has_conda": bool(denv and denv.conda_file),
            "code": os.path.realpath(os.path.join(dep.base_path, dep.code_configuration.code)) if dep.code_configuration else None,
            "scoring_script": dep.code_configuration.scoring_script if dep.code_configuration else None,
            "environment_name": env.name if env else None,
        }))
        """

    /// Runs the batch driver as Azure does: init(), then run() on a mini batch of files.
    static let driver = """
        import importlib.util, json, os, sys
        script, model_dir, files = sys.argv[1], sys.argv[2], sys.argv[3:]
        os.environ["AZUREML_MODEL_DIR"] = model_dir
        spec = importlib.util.spec_from_file_location("batch_driver", script)
        driver = importlib.util.module_from_spec(spec); spec.loader.exec_module(driver)
        driver.init()
        result = driver.run(files)
        print(json.dumps({"columns": list(result.columns), "rows": result.astype(str).values.tolist()}))
        """

    static func python(_ python: String, _ script: String, _ arguments: [String], environment: [String: String] = [:])
        throws -> (Int32, String, String)
    {
        let result = try CLI.runProcess(
            python, ["-c", script] + arguments, in: "/",
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
        return (result.status, result.stdout, result.stderr)
    }

    @Test func writesABatchDeploymentTheLoaderAccepts() throws {
        let root = try AzureMLCommandTests.scratch("batch")
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("azure")
        let result = try CLI.run([
            "azureml", "fixtures/models/sklearn-iris", "-o", out.path, "--sources", "embedded", "--deployment",
            "azureml-batch",
            "--compute", "gpu-cluster", "--mini-batch-size", "20", "--max-retries", "5", "--retry-timeout", "600",
            "--error-threshold", "7", "--max-concurrency-per-instance", "2", "--instance-count", "3",
            "--endpoint", "iris-batch", "--format", "json"
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let listed = try JSONValue.parse(string: result.stdout)["files"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(
            listed.map { URL(fileURLWithPath: $0).lastPathComponent } == [
                "environment.yml", "conda.yml", "batch_driver.py", "deployment.yml", "README.md"
            ])
        let deployment = try String(contentsOf: out.appendingPathComponent("deployment.yml"), encoding: .utf8)
        #expect(
            deployment.contains("$schema: https://azuremlschemas.azureedge.net/latest/batchDeployment.schema.json\n"))
        #expect(deployment.contains("\ntype: model\n") && deployment.contains("\ncompute: azureml:gpu-cluster\n"))
        #expect(!deployment.contains(": " + CLI.repository.path) && !deployment.contains(": /tmp"))
        let conda = try String(contentsOf: out.appendingPathComponent("conda.yml"), encoding: .utf8)
        // The profile's package for batch deployments, pinned.
        #expect(conda.contains("  - azureml-core=="), "\(conda)")

        guard AzureLoader.available else {
            if AzureLoader.required { Issue.record("azure-ai-ml is not installed in .venv-azureml") }
            try Test.cancel("azure-ai-ml loaders skipped: no .venv-azureml")
        }
        let (status, stdout, stderr) = try Self.python(AzureLoader.python, Self.loader, [out.path])
        #expect(status == 0, "azure-ai-ml refused the batch deployment:\n\(stderr)")
        let loaded = try JSONValue.parse(string: stdout)
        #expect(loaded["type"] == "ModelBatchDeployment")
        #expect(loaded["deployment_type"] == "model")
        #expect(loaded["name"] == "blue")
        #expect(loaded["endpoint"] == "iris-batch")
        #expect(loaded["model_type"] == "mlflow_model")
        #expect(
            loaded["model_path"]
                == .string(
                    AzureMLCommandTests.realpath(
                        CLI.repository.appendingPathComponent("fixtures/models/sklearn-iris").path)))
        #expect(loaded["compute"] == "gpu-cluster")  // the loader reads azureml:NAME as the cluster NAME
        #expect(loaded["instance_count"] == 3)
        #expect(loaded["mini_batch_size"] == 20)
        #expect(loaded["output_action"] == "append_row")
        #expect(loaded["output_file_name"] == "predictions.csv")
        #expect(loaded["max_retries"] == 5)
        #expect(loaded["timeout"] == 600)
        #expect(loaded["error_threshold"] == 7)
        #expect(loaded["max_concurrency_per_instance"] == 2)
        #expect(loaded["logging_level"] == "info")
        #expect(loaded["variables"] == ["MLFLOW_MODEL_FOLDER": "sklearn-iris"])
        #expect(loaded["environment_image"] == .string(AzureMLCommandTests.image))
        #expect(loaded["environment_has_conda"] == true)
        #expect(loaded["code"] == .string(AzureMLCommandTests.realpath(out.appendingPathComponent("score").path)))
        #expect(loaded["scoring_script"] == "batch_driver.py")
        #expect(loaded["environment_name"] == "sklearn-iris")

        // An image built from the bundle: environment.yml names it (no conda file, no online routes); the script stays.
        let imageOut = root.appendingPathComponent("image")
        let imaged = try CLI.run([
            "azureml", "fixtures/models/sklearn-iris", "-o", imageOut.path, "--sources", "embedded", "--deployment",
            "azureml-batch",
            "--image", "registry.example/iris:7"
        ])
        #expect(imaged.status == 0, "\(imaged.stderr)")
        let imageEnvironment = try String(
            contentsOf: imageOut.appendingPathComponent("environment.yml"), encoding: .utf8)
        #expect(
            imageEnvironment.contains("\nimage: registry.example/iris:7\n")
                && !imageEnvironment.contains("inference_config"), "\(imageEnvironment)")
        #expect(!FileManager.default.fileExists(atPath: imageOut.appendingPathComponent("conda.yml").path))
        let (imageStatus, imageStdout, imageErr) = try Self.python(AzureLoader.python, Self.loader, [imageOut.path])
        #expect(imageStatus == 0, "\(imageErr)")
        let imageLoaded = try JSONValue.parse(string: imageStdout)
        #expect(
            imageLoaded["environment_image"] == "registry.example/iris:7"
                && imageLoaded["environment_has_conda"] == false)
        #expect(imageLoaded["scoring_script"] == "batch_driver.py")

        // No-code: no environment, no script, no variables; the loader still accepts it.
        let noCode = root.appendingPathComponent("nocode")
        let plain = try CLI.run([
            "azureml", "fixtures/models/sklearn-iris", "-o", noCode.path, "--sources", "embedded", "--deployment",
            "azureml-batch", "--no-code"
        ])
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(!FileManager.default.fileExists(atPath: noCode.appendingPathComponent("score").path))
        let (plainStatus, plainOut, plainErr) = try Self.python(AzureLoader.python, Self.loader, [noCode.path])
        #expect(plainStatus == 0, "\(plainErr)")
        let plainLoaded = try JSONValue.parse(string: plainOut)
        #expect(
            plainLoaded["code"] == .null && plainLoaded["environment_image"] == .null && plainLoaded["variables"] == [:]
        )
        #expect(plainLoaded["compute"] == "cpu-cluster" && plainLoaded["mini_batch_size"] == 10)
    }

    /// The batch scoring script scores a mini batch of real files with the real model.
    @Test func theBatchScoringScriptScoresAMiniBatch() throws {
        let root = try AzureMLCommandTests.scratch("batch-run")
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("azure")
        let result = try CLI.run([
            "azureml", "fixtures/models/sklearn-iris", "-o", out.path, "--sources", "embedded", "--deployment",
            "azureml-batch"
        ])
        #expect(result.status == 0, "\(result.stderr)")
        guard MLflowServer.available else {
            if MLflowServer.required { Issue.record("mlflow is not installed in .venv-mlflow-server") }
            try Test.cancel("batch driver run skipped: no .venv-mlflow-server")
        }
        // Azure mounts the model as AZUREML_MODEL_DIR/<folder>; the deployment names the folder.
        let modelDir = root.appendingPathComponent("azureml-models")
        try FileManager.default.createDirectory(at: modelDir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: CLI.repository.appendingPathComponent("fixtures/models/sklearn-iris").path,
            toPath: modelDir.appendingPathComponent("sklearn-iris").path)
        let header = "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n"
        try (header + "5.1,3.5,1.4,0.2\n7.0,3.2,4.7,1.4\n").write(
            to: root.appendingPathComponent("a.csv"), atomically: true, encoding: .utf8)
        try #"{"sepal length (cm)": 6.3, "sepal width (cm)": 3.3, "petal length (cm)": 6.0, "petal width (cm)": 2.5}"#
            .appending("\n").write(to: root.appendingPathComponent("b.jsonl"), atomically: true, encoding: .utf8)
        let files = [root.appendingPathComponent("a.csv").path, root.appendingPathComponent("b.jsonl").path]
        let (status, stdout, stderr) = try Self.python(
            MLflowServer.python, Self.driver,
            [out.appendingPathComponent("score/batch_driver.py").path, modelDir.path] + files,
            environment: ["MLFLOW_MODEL_FOLDER": "sklearn-iris"])
        #expect(status == 0, "the batch driver failed:\n\(stderr.suffix(3000))")
        let scored = try JSONValue.parse(string: stdout.split(separator: "\n").last.map(String.init) ?? "")
        #expect(scored["columns"] == ["file", "prediction"])
        #expect(scored["rows"] == [["a.csv", "0"], ["a.csv", "1"], ["b.jsonl", "2"]], "\(stdout)")

        // A file type it does not read fails the mini batch, naming the file.
        try "x".write(to: root.appendingPathComponent("c.txt"), atomically: true, encoding: .utf8)
        let (badStatus, _, badErr) = try Self.python(
            MLflowServer.python, Self.driver,
            [
                out.appendingPathComponent("score/batch_driver.py").path, modelDir.path,
                root.appendingPathComponent("c.txt").path
            ],
            environment: ["MLFLOW_MODEL_FOLDER": "sklearn-iris"])
        #expect(badStatus != 0)
        #expect(badErr.contains("c.txt: expected a .csv, .parquet, .json or .jsonl file"), "\(badErr.suffix(2000))")
    }
}
