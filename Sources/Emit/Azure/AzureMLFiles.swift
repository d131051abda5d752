// The files of `mlenv azureml`: an Azure ML environment (environment.yml) and a managed online
// deployment (deployment.yml) for `az ml online-deployment create -f deployment.yml`, with what
// they point to (for azureml-batch a batch deployment instead: AzureMLBatch.swift). Every value
// goes through YAMLWriter.scalar, every comment through LockFiles.commentSafe: a model's name or
// path cannot add keys or lines.
//
// Three ways the deployment gets its environment (anchors §1.1, §1.4; how-to-deploy-mlflow-models-
// online-endpoints.md "Customize MLflow model deployments"):
// - scoringScript (default): the locked environment, `image:` the profile's base image +
//   `conda_file: conda.yml` (LockFiles' fully pinned environment.yml). Attaching an environment
//   turns Azure's no-code deployment off: no generated scoring script and no injected
//   MLFLOW_MODEL_FOLDER (GH microsoft/azureml-inference-server#112). So the deployment carries
//   mlenv's scoring script (score/score.py, the bundle's inference/score.py) and sets
//   MLFLOW_MODEL_FOLDER itself.
// - image: an image built from the bundle (`--image`): it runs azmlinfsrv with score.py on the
//   profile's port itself, so the environment names the image and its routes (inference_config),
//   as Azure's own "MLflow model without egress" sample does; no conda file, no scoring script.
// - noCode: Azure's no-code MLflow deployment: no environment, no scoring script, no variables
//   (Azure builds from the model's own conda.yaml and injects AZUREML_MODEL_DIR and
//   MLFLOW_MODEL_FOLDER). environment.yml and conda.yml are still written, to register.

import Deploy
import FoundationEssentials
import Inference
import Specs
import YAML

public struct AzureMLInputs: Sendable {
    public enum Shape: String, Sendable {
        case scoringScript = "scoring-script"
        case image
        case noCode = "no-code"
    }

    public let lock: LockInputs
    public let shape: Shape
    public let environmentName: String
    public let environmentVersion: String
    /// The image for `.image`.
    public let image: String?
    public let deploymentName: String
    public let endpointName: String
    public let instanceType: String
    public let instanceCount: Int
    /// The model directory relative to the output directory (no path of this machine).
    public let modelPath: String
    /// The model directory's own name: the folder Azure puts the model's files in, under
    /// AZUREML_MODEL_DIR.
    public let modelFolder: String
    /// A batch deployment (azureml-batch) instead of a managed online one.
    public var batch: AzureMLBatchSettings?

    public init(
        lock: LockInputs, shape: Shape, environmentName: String, environmentVersion: String, image: String?,
        deploymentName: String,
        endpointName: String, instanceType: String, instanceCount: Int, modelPath: String, modelFolder: String
    ) {
        self.lock = lock
        self.shape = shape
        self.environmentName = environmentName
        self.environmentVersion = environmentVersion
        self.image = image
        self.deploymentName = deploymentName
        self.endpointName = endpointName
        self.instanceType = instanceType
        self.instanceCount = instanceCount
        self.modelPath = modelPath
        self.modelFolder = modelFolder
    }

    var profile: Profile { lock.plan.profile }
}

public struct AzureMLError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

public enum AzureMLFiles {
    public static let environmentSchema = "https://azuremlschemas.azureedge.net/latest/environment.schema.json"
    public static let deploymentSchema =
        "https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json"
    /// The variables Azure sets itself in a deployment: the model's mount, and for a scoring
    /// script its folder and name (from code_configuration).
    static let azureOwned: Set<String> = ["AZUREML_MODEL_DIR", "AML_APP_ROOT", "AZUREML_ENTRY_SCRIPT"]

    /// Every file by its name under the output directory.
    public static func render(_ inputs: AzureMLInputs) throws(AzureMLError) -> [(String, String)] {
        var files: [(String, String)] = [("environment.yml", environmentYAML(inputs))]
        if inputs.shape != .image {
            guard inputs.lock.resolution.mode == .conda else {
                throw AzureMLError(
                    message:
                        "an Azure ML environment from a conda file needs a conda environment, and this one is \(inputs.lock.resolution.mode.rawValue): leave out --env-manager virtualenv, or build the bundle's image and give --image"
                )
            }
            files.append(("conda.yml", LockFiles.environmentYAML(inputs.lock)))
        }
        if let batch = inputs.batch {
            // A batch deployment on any environment of ours brings its scoring script.
            if inputs.shape != .noCode { files.append(("score/" + batchScript, batchDriver(inputs))) }
            files.append(("deployment.yml", batchDeploymentYAML(inputs, batch)))
            files.append(("README.md", readme(inputs, names: files.map(\.0))))
            return files
        }
        if inputs.shape == .scoringScript {
            guard let score = ScoringCore.contents(of: "score.py") else {
                throw AzureMLError(message: "the scoring core file score.py is missing from this mlenv build")
            }
            files.append(("score/score.py", String(decoding: score, as: UTF8.self)))
        }
        files.append(("deployment.yml", try deploymentYAML(inputs)))
        files.append(("README.md", readme(inputs, names: files.map(\.0))))
        return files
    }

    static func header(_ inputs: AzureMLInputs, _ what: String) -> String {
        let r = inputs.lock.resolution
        return
            "# Generated by mlenv \(MLEnvGenerator.version): \(what) for model \(LockFiles.commentSafe(inputs.modelFolder)), deployment \(LockFiles.commentSafe(inputs.profile.name)) (Python \(r.python.minorString), \(r.mode.rawValue) environment).\n"
    }

    // MARK: environment.yml

    static func environmentYAML(_ inputs: AzureMLInputs) -> String {
        var out = header(inputs, "Azure ML environment")
        out += "# Register: az ml environment create -f environment.yml\n"
        if let image = inputs.image, inputs.shape == .image, inputs.batch != nil {
            out += "# The image built from mlenv's bundle; the batch driver runs the scoring script in it.\n"
            out += "$schema: \(environmentSchema)\n"
            out += "name: \(YAMLWriter.scalar(inputs.environmentName))\n"
            out += "version: \(YAMLWriter.scalar(inputs.environmentVersion))\n"
            out += "image: \(YAMLWriter.scalar(image))\n"
        } else if let image = inputs.image, inputs.shape == .image {
            out +=
                "# The image built from mlenv's bundle: it runs azmlinfsrv with the scoring script on port \(inputs.profile.port ?? 5001).\n"
            out += "$schema: \(environmentSchema)\n"
            out += "name: \(YAMLWriter.scalar(inputs.environmentName))\n"
            out += "version: \(YAMLWriter.scalar(inputs.environmentVersion))\n"
            out += "image: \(YAMLWriter.scalar(image))\n"
            out += inferenceConfig(port: inputs.profile.port ?? 5001)
        } else {
            out += "# The profile's base image; Azure ML creates the locked, fully pinned conda.yml in it.\n"
            out += "$schema: \(environmentSchema)\n"
            out += "name: \(YAMLWriter.scalar(inputs.environmentName))\n"
            out += "version: \(YAMLWriter.scalar(inputs.environmentVersion))\n"
            out +=
                "image: \(YAMLWriter.scalar(inputs.profile.image(mode: inputs.lock.resolution.mode.rawValue, python: inputs.lock.resolution.python.minorString)))\n"
            out += "conda_file: conda.yml\n"
        }
        return out
    }

    /// azmlinfsrv's routes (anchors §1.4): `/` answers liveness and readiness, `/score` scores.
    static func inferenceConfig(port: Int) -> String {
        var out = "inference_config:\n"
        for (route, path) in [("liveness_route", "/"), ("readiness_route", "/"), ("scoring_route", "/score")] {
            out += "  \(route):\n    port: \(port)\n    path: \(YAMLWriter.scalar(path))\n"
        }
        return out
    }

    // MARK: deployment.yml

    /// The deployment's environment variables: the profile's, less those Azure sets itself, with
    /// MLFLOW_MODEL_FOLDER the folder Azure mounts this model as.
    public static func environmentVariables(_ inputs: AzureMLInputs) -> [(String, String)] {
        guard inputs.shape != .noCode else { return [] }
        var variables = inputs.profile.environmentVariables.filter {
            !azureOwned.contains($0.0) && $0.0 != "MLFLOW_MODEL_FOLDER"
        }
        variables.append(("MLFLOW_MODEL_FOLDER", inputs.modelFolder))
        return variables.sorted { $0.0 < $1.0 }
    }

    /// The deployment's `environment_variables:` block; empty when it sets none.
    static func environmentVariablesYAML(_ inputs: AzureMLInputs) -> String {
        let variables = environmentVariables(inputs)
        guard !variables.isEmpty else { return "" }
        return "environment_variables:\n"
            + variables.map { "  \(YAMLWriter.scalar($0.0)): \(YAMLWriter.scalar($0.1))\n" }.joined()
    }

    static func deploymentYAML(_ inputs: AzureMLInputs) throws(AzureMLError) -> String {
        var out = header(inputs, "Azure ML managed online deployment")
        out += "# Paths are relative to this file, so it works from any directory:\n"
        out += "#   az ml online-endpoint create --name \(LockFiles.commentSafe(inputs.endpointName))   (once)\n"
        out += "#   az ml online-deployment create -f deployment.yml --all-traffic\n"
        switch inputs.shape {
        case .scoringScript:
            out +=
                "# On the locked environment (environment.yml: base image + conda.yml). An environment turns Azure's\n"
            out += "# no-code MLflow deployment off (no generated scoring script, no MLFLOW_MODEL_FOLDER), so the\n"
            out +=
                "# deployment carries mlenv's scoring script (score/score.py, as in the bundle) and names the model folder.\n"
        case .image:
            out += "# On the image built from mlenv's bundle (environment.yml): its entrypoint serves the model; the\n"
            out += "# routes are the profile's port. Azure mounts the model below AZUREML_MODEL_DIR.\n"
        case .noCode:
            out += "# Azure's no-code MLflow deployment: no environment and no scoring script, as Azure ML wants it.\n"
            out += "# Azure builds the environment from the model's own conda.yaml (not the lock) and sets\n"
            out +=
                "# AZUREML_MODEL_DIR and MLFLOW_MODEL_FOLDER itself. environment.yml + conda.yml hold the locked one.\n"
        }
        out += deploymentKeysYAML(
            inputs, schema: deploymentSchema, type: nil,
            scoringScript: inputs.shape == .scoringScript ? "score.py" : nil)
        out += "instance_type: \(YAMLWriter.scalar(inputs.instanceType))\n"
        out += "instance_count: \(inputs.instanceCount)\n"
        return out
    }

    /// The keys the online and the batch deployment begin with: schema, names, the model, the
    /// locked environment (not for a no-code deployment), the scoring script and the environment
    /// variables.
    static func deploymentKeysYAML(_ inputs: AzureMLInputs, schema: String, type: String?, scoringScript: String?)
        -> String
    {
        var out = "$schema: \(schema)\n"
        out += "name: \(YAMLWriter.scalar(inputs.deploymentName))\n"
        out += "endpoint_name: \(YAMLWriter.scalar(inputs.endpointName))\n"
        if let type { out += "type: \(type)\n" }
        out += "model:\n  type: mlflow_model\n  path: \(YAMLWriter.scalar(inputs.modelPath))\n"
        if inputs.shape != .noCode {
            out += "environment: \(YAMLWriter.scalar("file:environment.yml"))\n"
        }
        if let scoringScript {
            out += "code_configuration:\n  code: score\n  scoring_script: \(scoringScript)\n"
        }
        out += environmentVariablesYAML(inputs)
        return out
    }

    // MARK: README.md

    static func readme(_ inputs: AzureMLInputs, names: [String]) -> String {
        let endpoint = LockFiles.commentSafe(inputs.endpointName)
        var out = "# Azure ML deployment of \(LockFiles.commentSafe(inputs.modelFolder))\n\n"
        out +=
            "Written by mlenv \(MLEnvGenerator.version) for the \(LockFiles.commentSafe(inputs.profile.name)) profile (\(inputs.shape.rawValue)).\n\n"
        if inputs.batch != nil {
            out += "```sh\naz ml batch-endpoint create --name \(endpoint)          # once per endpoint\n"
            out += "az ml batch-deployment create -f deployment.yml --set-default\n"
            out += "az ml batch-endpoint invoke --name \(endpoint) --input DATA_FOLDER\n```\n\n"
            out += "Files: " + names.map { "`\($0)`" }.joined(separator: ", ") + ", this README.\n\n"
            if inputs.shape == .noCode {
                out +=
                    "A no-code batch deployment: Azure builds the environment from the model's own `conda.yaml`. To register the "
                out += "locked one instead: `az ml environment create -f environment.yml`.\n"
            } else {
                out += "The deployment runs mlenv's batch scoring script (`score/\(batchScript)`) on "
                out +=
                    inputs.shape == .image
                    ? "the image built from mlenv's bundle. "
                    : "the locked environment (`environment.yml`: the profile's base image and `conda.yml`). "
                out +=
                    "Each mini batch of input files (.csv, .parquet, .json, .jsonl) is read with pandas and scored with `mlflow.pyfunc`; "
                out += "the predictions, one row each with the file's name, are appended to the output file.\n"
            }
            return out
        }
        out += "```sh\naz ml online-endpoint create --name \(endpoint)          # once per endpoint\n"
        out += "az ml online-deployment create -f deployment.yml --all-traffic\n```\n\n"
        out += "Files: " + names.map { "`\($0)`" }.joined(separator: ", ") + ", this README.\n\n"
        switch inputs.shape {
        case .scoringScript:
            out +=
                "The deployment runs on the locked environment: `environment.yml` names the profile's base image and "
            out +=
                "`conda.yml`, every package pinned. Because it brings an environment, Azure's no-code MLflow deployment "
            out +=
                "does not apply, so it also brings mlenv's scoring script (`score/score.py`) and sets `MLFLOW_MODEL_FOLDER`.\n"
        case .image:
            out +=
                "The deployment runs the image built from mlenv's bundle (`mlenv package`, then `docker build`, pushed "
            out += "where the workspace can pull it); `environment.yml` gives its routes.\n"
        case .noCode:
            out +=
                "A no-code deployment: Azure builds the environment from the model's own `conda.yaml`. To register the "
            out += "locked one instead: `az ml environment create -f environment.yml`.\n"
        }
        return out
    }

    // MARK: names

    /// An Azure ML asset name from any text: letters, digits, `-`, `_` and `.`, starting with a
    /// letter or digit, at most 255 characters; `model` when nothing is left.
    public static func environmentName(from text: String) -> String {
        var name = String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { s in
                    s.isASCII
                        && (s.properties.isAlphabetic || ("0"..."9").contains(s) || s == "-" || s == "_" || s == ".")
                        ? s : "-"
                }))
        while let first = name.unicodeScalars.first, !(first.properties.isAlphabetic || ("0"..."9").contains(first)) {
            name.removeFirst()
        }
        name = String(name.prefix(255))
        return name.isEmpty ? "model" : name
    }

    /// An endpoint or deployment name as Azure ML accepts it: 3 to 32 characters, letters, digits
    /// and `-`, starting with a letter and not ending with `-` (azure-ai-ml's
    /// EndpointConfigurations.NAME_REGEX_PATTERN and the documented length).
    public static func isValidEndpointName(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        guard (3...32).contains(scalars.count), let first = scalars.first, let last = scalars.last,
            first.isASCII && first.properties.isAlphabetic, last != "-"
        else { return false }
        return scalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-")
        }
    }

    /// An endpoint name from any text (the model directory's name): lowercase, other characters
    /// `-`, at most 32; padded to 3 and prefixed when it would not start with a letter.
    public static func endpointName(from text: String) -> String {
        var name = String(
            String.UnicodeScalarView(
                text.lowercased().unicodeScalars.map { s in
                    s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s)) ? s : "-"
                }))
        while name.hasPrefix("-") { name.removeFirst() }
        if let first = name.unicodeScalars.first, !first.properties.isAlphabetic { name = "m-" + name }
        if name.count < 3 { name = "model" + (name.isEmpty ? "" : "-" + name) }
        name = String(name.prefix(32))
        while name.hasSuffix("-") { name.removeLast() }
        // Collapse runs of `-` that sanitising made.
        while name.containsLiteral("--") { name = name.replacingLiteral("--", with: "-") }
        return isValidEndpointName(name) ? name : "model"
    }
}
