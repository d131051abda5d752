// Which files a deployment reads, checked against MLflow itself: every combination of present
// and absent conda.yaml, python_env.yaml and requirements.txt (MLmodel naming both environment
// files, as MLflow >= 2 writes it), planned for a conda deployment (azureml-online) and a
// virtualenv one (mlflow-serve). Where MLflow builds an environment, mlenv must plan the same
// Python and the same requirements with no error; where MLflow fails, mlenv must refuse.
// The MLflow side runs Tests/DeployTests/Oracle/mlflow_env.py in .venv-mlflow (scripts/python-env).

import Deploy
import Foundation
import JSON
import ModelFiles
import Requests
import Testing

@Suite struct EnvironmentChoiceTests {
    static let python = Fixtures.repository.path + "/.venv-mlflow/bin/python"

    static let mlmodel = """
        flavors:
          python_function:
            env:
              conda: conda.yaml
              virtualenv: python_env.yaml
            loader_module: mlflow.sklearn
            model_path: model.pkl
            python_version: 3.11.9
        mlflow_version: 3.17.2

        """
    static let conda = """
        channels:
        - conda-forge
        dependencies:
        - python=3.11.9
        - pip<=24.2
        - libgomp
        - pip:
          - mlflow-skinny==3.17.2
          - numpy==1.26.4
        name: mlflow-env

        """
    static let pythonEnv = """
        python: 3.10.14
        build_dependencies:
        - pip==24.2
        dependencies:
        - -r requirements.txt

        """
    static let requirements = "mlflow-skinny==3.17.2\npandas==2.2.3\n"

    struct Case: CustomStringConvertible {
        let conda: Bool, pythonEnv: Bool, requirements: Bool
        var description: String {
            "conda.yaml \(conda ? "+" : "-") python_env.yaml \(pythonEnv ? "+" : "-") requirements.txt \(requirements ? "+" : "-")"
        }
    }
    static let cases = [false, true].flatMap { c in
        [false, true].flatMap { p in [false, true].map { r in Case(conda: c, pythonEnv: p, requirements: r) } }
    }

    static func makeModel(_ c: Case, in root: URL) throws -> String {
        let dir = root.appendingPathComponent(
            "\(c.conda ? "c" : "")\(c.pythonEnv ? "p" : "")\(c.requirements ? "r" : "")-model")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try mlmodel.write(to: dir.appendingPathComponent("MLmodel"), atomically: true, encoding: .utf8)
        try "model".write(to: dir.appendingPathComponent("model.pkl"), atomically: true, encoding: .utf8)
        if c.conda { try conda.write(to: dir.appendingPathComponent("conda.yaml"), atomically: true, encoding: .utf8) }
        if c.pythonEnv {
            try pythonEnv.write(to: dir.appendingPathComponent("python_env.yaml"), atomically: true, encoding: .utf8)
        }
        if c.requirements {
            try requirements.write(
                to: dir.appendingPathComponent("requirements.txt"), atomically: true, encoding: .utf8)
        }
        return dir.path
    }

    /// What mlenv plans for one deployment: nil when it refuses the model.
    static func plan(_ path: String, deployment: String) throws -> (
        mode: EnvironmentMode, python: String, requirements: [String]
    )? {
        let environment = try ModelLoader.load(path: path)
        let profile = try Profiles.builtIn(deployment)
        guard EnvironmentChoice.choose(environment, profile: profile, forced: nil).errors(of: environment).isEmpty,
            let plan = try? DeploymentPlanner.plan(environment, profile: profile)
        else { return nil }
        let python = "\(plan.request.target.python.major).\(plan.request.target.python.minor)"
        return (plan.request.mode, python, plan.request.pip.filter { $0.origin.isModel }.map(\.text))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: python)))
    func everyCombinationMatchesMLflow() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-envchoice-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: root) }
        let paths = try Self.cases.map { try Self.makeModel($0, in: root) }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [Fixtures.repository.path + "/Tests/DeployTests/Oracle/mlflow_env.py"] + paths
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
        try #require(lines.count == paths.count)

        for (c, (path, line)) in zip(Self.cases, zip(paths, lines)) {
            let mlflow = try JSONValue.parse(Array(line.utf8))
            // mlflow-serve: MLflow's default virtualenv manager.
            let virtualenv = mlflow["virtualenv"]
            let serve = try Self.plan(path, deployment: "mlflow-serve")
            if virtualenv?["error"] != nil {
                #expect(
                    serve == nil,
                    "\(c): MLflow fails (\(virtualenv?["error"]?.stringValue ?? "")), mlenv planned \(String(describing: serve))"
                )
            } else {
                let expected = virtualenv?["requirements"]?.arrayValue?.compactMap(\.stringValue) ?? []
                let minor = (virtualenv?["python"]?.stringValue ?? "").split(separator: ".").prefix(2).joined(
                    separator: ".")
                #expect(serve?.mode == .virtualenv, "\(c)")
                #expect(serve?.python == minor, "\(c)")
                #expect(serve?.requirements == expected, "\(c)")
            }
            // azureml-online: conda.yaml when the model has it (MLflow's conda manager reads the
            // same file), else python_env.yaml on a Python image.
            let azure = try Self.plan(path, deployment: "azureml-online")
            let reference = c.conda ? mlflow["conda"] : (c.pythonEnv ? virtualenv : nil)
            if let reference, reference["error"] == nil {
                #expect(azure?.mode == (c.conda ? .conda : .virtualenv), "\(c)")
                #expect(azure?.requirements == reference["requirements"]?.arrayValue?.compactMap(\.stringValue), "\(c)")
            } else {
                #expect(azure == nil, "\(c): nothing to build, mlenv planned \(String(describing: azure))")
            }
        }
    }

    @Test func filesTheDeploymentDoesNotReadAreWarnings() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-envchoice-w-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: root) }
        // python_env.yaml names requirements.txt, which is absent: Azure ML never reads either.
        let path = try Self.makeModel(Case(conda: true, pythonEnv: true, requirements: false), in: root)
        let environment = try ModelLoader.load(path: path)
        #expect(environment.hasErrors)
        let azure = EnvironmentChoice.choose(environment, profile: try Profiles.builtIn("azureml-online"), forced: nil)
        #expect(azure.errors(of: environment).isEmpty)
        let warning = try #require(azure.diagnostics(of: environment).first { $0.code == "missing-file" })
        #expect(warning.severity == .warning)
        #expect(
            warning.message.contains(
                "azureml-online builds the conda environment (conda.yaml) and does not read this file"))
        // The same model for mlflow-serve: the virtualenv needs requirements.txt.
        let serve = EnvironmentChoice.choose(environment, profile: try Profiles.builtIn("mlflow-serve"), forced: nil)
        #expect(serve.errors(of: environment).map(\.location?.description) == ["python_env.yaml:5:3"])
    }

    @Test func aVirtualenvDerivedFromCondaYAMLNamesWhatItLeavesOut() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-envchoice-d-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: root) }
        let path = try Self.makeModel(Case(conda: true, pythonEnv: false, requirements: true), in: root)
        let environment = try ModelLoader.load(path: path)
        let serve = EnvironmentChoice.choose(environment, profile: try Profiles.builtIn("mlflow-serve"), forced: nil)
        #expect(serve.mode == .virtualenv)
        #expect(serve.notes.first?.contains("made from conda.yaml and requirements.txt as MLflow does") == true)
        let leftOut = try #require(serve.diagnostics(of: environment).first { $0.code == "conda-packages-left-out" })
        #expect(leftOut.message.contains("(libgomp)") && leftOut.location?.description == "conda.yaml:6:3")
        // Forcing conda builds conda.yaml, libgomp included.
        let plan = try DeploymentPlanner.plan(
            environment, profile: try Profiles.builtIn("mlflow-serve"), options: DeploymentOptions(mode: .conda))
        #expect(plan.request.conda.map(\.text).contains("libgomp"))
    }
}
