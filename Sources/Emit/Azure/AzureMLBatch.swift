// The batch side of `mlenv azureml` (deployment azureml-batch): a batch deployment YAML for
// `az ml batch-deployment create -f deployment.yml` and the batch scoring script it runs.
//
// Azure ML batch endpoints (how-to-mlflow-batch.md; the CLI v2 batch deployment YAML reference,
// azure-ai-ml's BatchDeploymentSchema): `type: model`, a compute cluster, `mini_batch_size` files
// per call of the script's run(), `output_action: append_row` gathers the rows run() returns into
// `output_file_name`, `retry_settings` (max_retries, timeout in seconds per mini batch),
// `error_threshold` (-1: ignore failed files), `max_concurrency_per_instance`, `resources.
// instance_count`. A deployment on a custom environment (ours: the locked one) must bring a
// scoring script: batch_driver.py loads the model with mlflow.pyfunc from AZUREML_MODEL_DIR and
// the profile's MLFLOW_MODEL_FOLDER (set in environment_variables) in init(), and scores each
// file of a mini batch in run() (CSV, Parquet, JSON or JSON lines, read with pandas), returning
// one row per prediction with the file it came from.

import Deploy
import FoundationEssentials
import YAML

/// What a batch deployment adds to the common inputs.
public struct AzureMLBatchSettings: Hashable, Sendable {
    public var compute: String
    public var miniBatchSize: Int
    public var maxRetries: Int
    public var timeoutSeconds: Int
    public var errorThreshold: Int
    public var maxConcurrencyPerInstance: Int
    public var outputFileName: String

    public init(compute: String, miniBatchSize: Int = 10, maxRetries: Int = 3, timeoutSeconds: Int = 300, errorThreshold: Int = -1,
                maxConcurrencyPerInstance: Int = 1, outputFileName: String = "predictions.csv") {
        self.compute = compute
        self.miniBatchSize = miniBatchSize
        self.maxRetries = maxRetries
        self.timeoutSeconds = timeoutSeconds
        self.errorThreshold = errorThreshold
        self.maxConcurrencyPerInstance = maxConcurrencyPerInstance
        self.outputFileName = outputFileName
    }
}

extension AzureMLFiles {
    public static let batchDeploymentSchema = "https://azuremlschemas.azureedge.net/latest/batchDeployment.schema.json"
    /// The batch scoring script's name in `score/`.
    public static let batchScript = "batch_driver.py"

    static func batchDeploymentYAML(_ inputs: AzureMLInputs, _ batch: AzureMLBatchSettings) -> String {
        var out = header(inputs, "Azure ML batch deployment")
        out += "# Paths are relative to this file, so it works from any directory:\n"
        out += "#   az ml batch-endpoint create --name \(LockFiles.commentSafe(inputs.endpointName))   (once)\n"
        out += "#   az ml batch-deployment create -f deployment.yml --set-default\n"
        out += "#   az ml batch-endpoint invoke --name \(LockFiles.commentSafe(inputs.endpointName)) --input DATA_FOLDER\n"
        switch inputs.shape {
        case .scoringScript:
            out += "# On the locked environment (environment.yml: base image + conda.yml), with mlenv's batch scoring\n"
            out += "# script (score/\(batchScript)): each mini batch of files is read with pandas and scored by mlflow.pyfunc.\n"
        case .image:
            out += "# On the image built from mlenv's bundle (environment.yml), with mlenv's batch scoring script.\n"
        case .noCode:
            out += "# Azure's no-code MLflow batch deployment: no environment and no scoring script; Azure builds the\n"
            out += "# environment from the model's own conda.yaml. environment.yml + conda.yml hold the locked one.\n"
        }
        out += "$schema: \(batchDeploymentSchema)\n"
        out += "name: \(YAMLWriter.scalar(inputs.deploymentName))\n"
        out += "endpoint_name: \(YAMLWriter.scalar(inputs.endpointName))\n"
        out += "type: model\n"
        out += "model:\n  type: mlflow_model\n  path: \(YAMLWriter.scalar(inputs.modelPath))\n"
        if inputs.shape != .noCode {
            out += "environment: \(YAMLWriter.scalar("file:environment.yml"))\n"
            out += "code_configuration:\n  code: score\n  scoring_script: \(batchScript)\n"
        }
        out += environmentVariablesYAML(inputs)
        let compute = batch.compute.hasPrefix("azureml:") ? batch.compute : "azureml:" + batch.compute
        out += "compute: \(YAMLWriter.scalar(compute))\n"
        out += "resources:\n  instance_count: \(inputs.instanceCount)\n"
        out += "max_concurrency_per_instance: \(batch.maxConcurrencyPerInstance)\n"
        out += "mini_batch_size: \(batch.miniBatchSize)\n"
        out += "output_action: append_row\n"
        out += "output_file_name: \(YAMLWriter.scalar(batch.outputFileName))\n"
        out += "retry_settings:\n  max_retries: \(batch.maxRetries)\n  timeout: \(batch.timeoutSeconds)\n"
        out += "error_threshold: \(batch.errorThreshold)\n"
        out += "logging_level: info\n"
        return out
    }

    /// The batch scoring script; its header names the profile it was written for.
    static func batchDriver(_ inputs: AzureMLInputs) -> String {
        "# Generated by mlenv \(MLEnvGenerator.version) for deployment \(LockFiles.commentSafe(inputs.profile.name)): "
            + "Azure ML batch scoring script for an MLflow model.\n" + batchDriverBody
    }

    static let batchDriverBody = #"""
        # init() loads the model once per worker: AZUREML_MODEL_DIR (set by Azure) joined with
        # MLFLOW_MODEL_FOLDER (set by the deployment), or the only folder under AZUREML_MODEL_DIR.
        # run(mini_batch) scores each file of the mini batch (.csv, .parquet, .json, .jsonl; JSON numbers
        # keep their type, 6.0 stays a float) and returns one row per prediction, the file's name
        # first; output_action append_row gathers them.
        import os

        import mlflow.pyfunc
        import pandas as pd

        model = None


        def model_path():
            root = os.environ["AZUREML_MODEL_DIR"]
            folder = os.environ.get("MLFLOW_MODEL_FOLDER", "")
            if folder and os.path.isfile(os.path.join(root, folder, "MLmodel")):
                return os.path.join(root, folder)
            if os.path.isfile(os.path.join(root, "MLmodel")):
                return root
            found = [d for d in sorted(os.listdir(root)) if os.path.isfile(os.path.join(root, d, "MLmodel"))]
            if len(found) != 1:
                raise RuntimeError(f"expected one MLflow model under AZUREML_MODEL_DIR, found {len(found)}")
            return os.path.join(root, found[0])


        def init():
            global model
            model = mlflow.pyfunc.load_model(model_path())


        def read(path):
            extension = os.path.splitext(path)[1].lower()
            if extension == ".csv":
                return pd.read_csv(path)
            if extension == ".parquet":
                return pd.read_parquet(path)
            if extension in (".json", ".jsonl"):
                return pd.read_json(path, lines=extension == ".jsonl", dtype=False)
            raise ValueError(f"{os.path.basename(path)}: expected a .csv, .parquet, .json or .jsonl file")


        def run(mini_batch):
            frames = []
            for path in mini_batch:
                predictions = model.predict(read(path))
                if isinstance(predictions, pd.DataFrame):
                    frame = predictions.reset_index(drop=True)
                elif isinstance(predictions, pd.Series):
                    frame = predictions.reset_index(drop=True).to_frame("prediction")
                else:
                    frame = pd.DataFrame({"prediction": list(predictions)})
                frame.insert(0, "file", os.path.basename(path))
                frames.append(frame)
            return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["file", "prediction"])

        """#
}
