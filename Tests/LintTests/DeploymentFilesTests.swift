// Lint judges a model's files as its deployment reads them: a missing file of the environment
// the deployment does not build (or that MLflow does without) is a warning that says why, and
// stays an error where the deployment needs it.

import Channels
import Deploy
import Foundation
import Lint
import Testing

@Suite struct DeploymentFilesTests {
    static func model(_ name: String, pythonEnv: Bool, in root: URL) throws -> String {
        let dir = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try
            "flavors:\n  python_function:\n    env:\n      conda: conda.yaml\n      virtualenv: python_env.yaml\n    loader_module: mlflow.sklearn\n    python_version: 3.11.9\nmlflow_version: 2.17.2\n"
            .write(to: dir.appendingPathComponent("MLmodel"), atomically: true, encoding: .utf8)
        try
            "channels:\n- conda-forge\ndependencies:\n- python=3.11.9\n- pip\n- pip:\n  - mlflow==2.17.2\n  - scikit-learn==1.5.2\n"
            .write(to: dir.appendingPathComponent("conda.yaml"), atomically: true, encoding: .utf8)
        if pythonEnv {
            // Names a requirements.txt that is not there.
            try "python: 3.11.9\ndependencies:\n- -r requirements.txt\n".write(
                to: dir.appendingPathComponent("python_env.yaml"), atomically: true, encoding: .utf8)
        }
        return dir.path
    }

    static func mle002(_ path: String, deployment: String) throws -> [Finding] {
        try TestChannels.linter(deployment: deployment).lint(paths: [path]).findings.filter { $0.ruleID == "MLE002" }
    }

    @Test func missingFilesCountOnlyWhereTheDeploymentReadsThem() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-lint-files-\(getpid())")
        defer { try? FileManager.default.removeItem(at: root) }
        // MLmodel names python_env.yaml, which is absent.
        let noPythonEnv = try Self.model("no-python-env", pythonEnv: false, in: root)
        for deployment in ["azureml-online", "mlflow-serve"] {
            let findings = try Self.mle002(noPythonEnv, deployment: deployment)
            #expect(
                findings.count == 1 && findings.allSatisfy { $0.severity == .warning }, "\(deployment): \(findings)")
        }
        #expect(
            try Self.mle002(noPythonEnv, deployment: "azureml-online").first?.message.contains(
                "azureml-online builds the conda environment (conda.yaml) and does not read this file") == true)
        #expect(
            try Self.mle002(noPythonEnv, deployment: "mlflow-serve").first?.message.contains(
                "MLflow makes the virtualenv from conda.yaml instead") == true)

        // python_env.yaml names an absent requirements.txt: Azure ML never reads it, mlflow-serve fails.
        let brokenPythonEnv = try Self.model("python-env-without-requirements", pythonEnv: true, in: root)
        #expect(try Self.mle002(brokenPythonEnv, deployment: "azureml-online").map(\.severity) == [.warning])
        #expect(try Self.mle002(brokenPythonEnv, deployment: "mlflow-serve").map(\.severity) == [.error])
    }
}
