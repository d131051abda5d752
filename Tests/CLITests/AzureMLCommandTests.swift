// `mlenv azureml`: the files it writes, read back by the real azure-ai-ml loaders
// (load_environment, load_online_deployment), which apply Azure ML's own schemas offline.
// scripts/python-tools installs azure-ai-ml into .venv-azureml (`make test` runs it); without
// that venv the loader tests are skipped, unless MLENV_REQUIRE_TOOLS is set.

import Foundation
import JSON
import Testing

enum AzureLoader {
    static let python = CLI.repository.appendingPathComponent(".venv-azureml/bin/python").path
    static var available: Bool { FileManager.default.isExecutableFile(atPath: python) }
    static var required: Bool { ProcessInfo.processInfo.environment["MLENV_REQUIRE_TOOLS"] != nil }

    /// What the loaders make of DIR/environment.yml and DIR/deployment.yml, run from `/` (the
    /// deployment's paths are relative to its own file).
    static let script = """
        import json, os, sys, yaml
        from azure.ai.ml import load_environment, load_online_deployment
        out = sys.argv[1]
        env = load_environment(os.path.join(out, "environment.yml"))
        dep = load_online_deployment(os.path.join(out, "deployment.yml"))
        conda = env.conda_file or {}
        pins = [d for d in conda.get("dependencies", []) if isinstance(d, str)]
        pip = [p for d in conda.get("dependencies", []) if isinstance(d, dict) for p in d.get("pip", [])]
        denv = dep.environment
        print(json.dumps({
            "environment": {"name": env.name, "version": env.version, "image": env.image,
                            "conda": pins, "pip": pip, "channels": conda.get("channels", []),
                            "routes": env.inference_config.as_dict() if env.inference_config else {}},
            "deployment": {"type": type(dep).__name__, "name": dep.name, "endpoint": dep.endpoint_name,
                           "model_type": dep.model.type, "model_path": os.path.realpath(dep.model.path),
                           "environment_name": denv.name if denv else None, "environment_image": denv.image if denv else None,
                           "environment_has_conda": bool(denv and denv.conda_file),
                           "code": os.path.realpath(os.path.join(dep.base_path, dep.code_configuration.code)) if dep.code_configuration else None,
                           "scoring_script": dep.code_configuration.scoring_script if dep.code_configuration else None,
                           "variables": dep.environment_variables or {},
                           "instance_type": dep.instance_type, "instance_count": dep.instance_count},
        }))
        """

    static func load(_ directory: URL) throws -> JSONValue {
        let result = try CLI.runProcess(python, ["-c", script, directory.path], in: "/")
        guard result.status == 0 else {
            throw LoaderError(message: "azure-ai-ml refused \(directory.path):\n\(result.stderr)")
        }
        return try JSONValue.parse(string: result.stdout)
    }

    /// The loaders' reading of DIR; without .venv-azureml the test stops here as skipped, or
    /// fails where MLENV_REQUIRE_TOOLS asks for the tools.
    static func loadOrSkip(_ directory: URL) throws -> JSONValue {
        guard available else {
            if required { Issue.record("azure-ai-ml is not installed in .venv-azureml (run scripts/python-tools)") }
            try Test.cancel("azure-ai-ml loaders skipped: no .venv-azureml (scripts/python-tools installs it)")
        }
        return try load(directory)
    }

    struct LoaderError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}

@Suite(.serialized) struct AzureMLCommandTests {
    static let image = "mcr.microsoft.com/azureml/inference-base-2204:20260722.v3"

    static func scratch(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-azureml-\(getpid())-\(name)")
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func realpath(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().path }

    @Test func loaderIsPresentWhereRequired() {
        if AzureLoader.required {
            #expect(AzureLoader.available, "azure-ai-ml is not installed in .venv-azureml (run scripts/python-tools)")
        }
    }

    @Test(arguments: [
        ("sklearn-conda", "scikit-learn==1.5.2", "python=3.11.9="),
        ("sklearn-iris", "scikit-learn==1.7.2", "python=3.11.7=")
    ])
    func writesTheLockedDeployment(_ fixture: String, _ pin: String, _ python: String) throws {
        let root = try Self.scratch(fixture)
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("azure")
        let result = try CLI.run([
            "azureml", "fixtures/models/\(fixture)", "-o", out.path, "--sources", "embedded", "--format", "json"
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let listed = try JSONValue.parse(string: result.stdout)["files"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(
            listed.map { URL(fileURLWithPath: $0).lastPathComponent } == [
                "environment.yml", "conda.yml", "score.py", "deployment.yml", "README.md"
            ])
        for path in listed { #expect(FileManager.default.fileExists(atPath: path), "\(path)") }

        let deployment = try String(contentsOf: out.appendingPathComponent("deployment.yml"), encoding: .utf8)
        let environment = try String(contentsOf: out.appendingPathComponent("environment.yml"), encoding: .utf8)
        let conda = try String(contentsOf: out.appendingPathComponent("conda.yml"), encoding: .utf8)
        #expect(
            deployment.contains(
                "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json"))
        #expect(environment.contains("$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json"))
        // The model's path is relative to DIR: no path of this machine in the files.
        #expect(deployment.contains("\n  path: ../"), "\(deployment)")
        for text in [deployment, environment, conda] {
            #expect(!text.contains(": " + CLI.repository.path) && !text.contains(": /tmp"))
        }
        #expect(conda.contains("  - \(pin)\n"))
        // The scoring script is the bundle's.
        let score = try String(contentsOf: out.appendingPathComponent("score/score.py"), encoding: .utf8)
        #expect(score.contains("def init(") && score.contains("def run("))

        let loaded = try AzureLoader.loadOrSkip(out)
        let env = loaded["environment"]
        let dep = loaded["deployment"]
        #expect(env?["name"] == .string(fixture))
        #expect(env?["version"] == "1")
        #expect(env?["image"] == .string(Self.image))
        let condaPins = env?["conda"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let pipPins = env?["pip"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(condaPins.contains { $0.hasPrefix(python) }, "\(condaPins)")
        #expect(pipPins.contains(pin), "\(pipPins)")
        #expect(pipPins.contains("azureml-inference-server-http==1.4.1"))
        #expect(pipPins.contains("azureml-ai-monitoring==1.0.0"))
        #expect(pipPins.allSatisfy { $0.contains("==") }, "every pip package pinned: \(pipPins)")
        #expect(
            condaPins.allSatisfy { $0.split(separator: "=").count == 3 },
            "every conda package pinned with its build: \(condaPins)")

        #expect(dep?["type"] == "ManagedOnlineDeployment")
        #expect(dep?["name"] == "blue")
        #expect(dep?["endpoint"] == .string(fixture))
        #expect(dep?["model_type"] == "mlflow_model")
        #expect(
            dep?["model_path"]
                == .string(Self.realpath(CLI.repository.appendingPathComponent("fixtures/models/\(fixture)").path)))
        #expect(dep?["environment_name"] == .string(fixture))
        #expect(dep?["environment_image"] == .string(Self.image))
        #expect(dep?["environment_has_conda"] == true)
        #expect(dep?["code"] == .string(Self.realpath(out.appendingPathComponent("score").path)))
        #expect(dep?["scoring_script"] == "score.py")
        #expect(dep?["variables"] == ["MLFLOW_MODEL_FOLDER": .string(fixture)])
        #expect(dep?["instance_type"] == "Standard_DS3_v2")
        #expect(dep?["instance_count"] == 1)
    }

    @Test func imageDeploymentNamesTheRoutesOfTheProfilePort() throws {
        let root = try Self.scratch("image")
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("azure")
        let result = try CLI.run([
            "azureml", "fixtures/models/sklearn-iris", "-o", out.path, "--sources", "embedded",
            "--image", "registry.example/iris:7", "--endpoint", "iris-prod", "--deployment-name", "green",
            "--instance-type", "Standard_F4s_v2", "--instance-count", "2", "--name", "iris_env", "--version", "3"
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("conda.yml").path))
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("score").path))
        let loaded = try AzureLoader.loadOrSkip(out)
        let env = loaded["environment"]
        let dep = loaded["deployment"]
        #expect(env?["name"] == "iris_env")
        #expect(env?["version"] == "3")
        #expect(env?["image"] == "registry.example/iris:7")
        #expect(env?["conda"]?.arrayValue?.isEmpty == true)
        for route in ["livenessRoute", "readinessRoute", "scoringRoute"] {
            #expect(env?["routes"]?[route]?["port"] == 5001, "\(route)")
        }
        #expect(env?["routes"]?["scoringRoute"]?["path"] == "/score")
        #expect(dep?["name"] == "green")
        #expect(dep?["endpoint"] == "iris-prod")
        #expect(dep?["environment_image"] == "registry.example/iris:7")
        #expect(dep?["code"] == .null)
        #expect(dep?["variables"] == ["MLFLOW_MODEL_FOLDER": "sklearn-iris"])
        #expect(dep?["instance_type"] == "Standard_F4s_v2")
        #expect(dep?["instance_count"] == 2)
    }

    @Test func noCodeDeploymentCarriesNoEnvironment() throws {
        let root = try Self.scratch("nocode")
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("azure")
        let result = try CLI.run([
            "azureml", "fixtures/models/sklearn-conda", "-o", out.path, "--sources", "embedded", "--no-code"
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let deployment = try String(contentsOf: out.appendingPathComponent("deployment.yml"), encoding: .utf8)
        #expect(
            !deployment.contains("\nenvironment:") && !deployment.contains("environment_variables:")
                && !deployment.contains("code_configuration:"))
        let loaded = try AzureLoader.loadOrSkip(out)
        #expect(loaded["deployment"]?["environment_name"] == .null)
        #expect(loaded["deployment"]?["variables"] == [:])
        #expect(loaded["environment"]?["pip"]?.arrayValue?.contains("scikit-learn==1.5.2") == true)
    }

    /// A model directory whose name is YAML: it stays one string in every file, and the
    /// environment and endpoint names are made of what Azure allows.
    @Test func hostileModelNameStaysAString() throws {
        let root = try Self.scratch("hostile")
        defer { try? FileManager.default.removeItem(at: root) }
        let hostile = "x: 1\n\"quoted\" #' {a}\nname: evil"
        let model = root.appendingPathComponent(hostile)
        try FileManager.default.copyItem(
            at: CLI.repository.appendingPathComponent("fixtures/models/sklearn-conda"), to: model)
        let out = root.appendingPathComponent("azure")
        let result = try CLI.run(["azureml", model.path, "-o", out.path, "--sources", "embedded"])
        #expect(result.status == 0, "\(result.stderr)")
        let deployment = try String(contentsOf: out.appendingPathComponent("deployment.yml"), encoding: .utf8)
        #expect(!deployment.contains("\nname: evil"))
        let loaded = try AzureLoader.loadOrSkip(out)
        #expect(loaded["deployment"]?["model_path"] == .string(Self.realpath(model.path)))
        #expect(loaded["deployment"]?["variables"] == ["MLFLOW_MODEL_FOLDER": .string(hostile)])
        #expect(loaded["deployment"]?["name"] == "blue")
        #expect(loaded["environment"]?["name"] == "x--1--quoted------a--name--evil")
        #expect(loaded["deployment"]?["endpoint"] == "x-1-quoted-a-name-evil")
    }

    @Test func refusesOtherDeploymentsAndBadNames() throws {
        let root = try Self.scratch("refusals")
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("azure").path
        let other = try CLI.run([
            "azureml", "fixtures/models/sklearn-conda", "-o", out, "--deployment", "kubernetes-online"
        ])
        #expect(other.status == 2)
        #expect(
            other.stderr.contains("azureml-online") && other.stderr.contains("azureml-batch")
                && other.stderr.contains("not kubernetes-online"), "\(other.stderr)")
        for bad in [
            ["--endpoint", "9lives"], ["--deployment-name", "ab"], ["--name", "bad name"], ["--instance-count", "0"],
            ["--image", "x:1", "--no-code"]
        ] {
            let result = try CLI.run(["azureml", "fixtures/models/sklearn-conda", "-o", out] + bad)
            #expect(result.status == 2, "\(bad): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func refusesToOverwriteADifferentFileWithoutForce() throws {
        let root = try Self.scratch("force")
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("azure")
        let first = try CLI.run(["azureml", "fixtures/models/sklearn-conda", "-o", out.path])
        #expect(first.status == 0, "\(first.stderr)")
        // The same inputs give the same bytes: no conflict.
        #expect(try CLI.run(["azureml", "fixtures/models/sklearn-conda", "-o", out.path]).status == 0)
        let changed = try CLI.run([
            "azureml", "fixtures/models/sklearn-conda", "-o", out.path, "--instance-type", "Standard_F4s_v2"
        ])
        #expect(changed.status == 2)
        #expect(
            changed.stderr.contains("refusing to overwrite") && changed.stderr.contains("deployment.yml"),
            "\(changed.stderr)")
        let forced = try CLI.run([
            "azureml", "fixtures/models/sklearn-conda", "-o", out.path, "--instance-type", "Standard_F4s_v2", "--force"
        ])
        #expect(forced.status == 0, "\(forced.stderr)")
        let deployment = try String(contentsOf: out.appendingPathComponent("deployment.yml"), encoding: .utf8)
        #expect(deployment.contains("instance_type: Standard_F4s_v2\n"))
    }

    @Test func helpHasExamples() throws {
        let result = try CLI.run(["azureml", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("az ml online-deployment create"))
        #expect(result.stdout.contains("mlenv azureml fixtures/models/sklearn-conda"))
    }
}
