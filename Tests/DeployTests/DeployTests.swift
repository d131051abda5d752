// Deployment profiles (the shipped YAML) and planning a model's request for a deployment.

import Channels
import Deploy
import Foundation
import ModelFiles
import Requests
import Solver
import Specs
import Testing

enum Fixtures {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static func model(_ name: String) throws -> DeclaredEnvironment {
        try ModelLoader.load(path: repository.appendingPathComponent("fixtures/models/\(name)").path)
    }
}

@Suite struct ProfileTests {
    @Test func everyShippedProfileLoads() throws {
        let profiles = try Profiles.all()
        #expect(
            profiles.map(\.name) == ["azureml-online", "azureml-batch", "kubernetes-online", "mlflow-serve", "none"])
        let online = try Profiles.builtIn("azureml-online")
        #expect(
            online.packages.contains(
                .pypi(
                    "azureml-ai-monitoring",
                    reason: "the generated scoring script imports azureml.ai.monitoring at start")))
        #expect(online.port == 5001 && online.serverPort == 5001)
        #expect(
            online.environmentVariables.map(\.0) == [
                "AML_APP_ROOT", "AZUREML_ENTRY_SCRIPT", "AZUREML_MODEL_DIR", "MLFLOW_MODEL_FOLDER"
            ])
        #expect(online.user == "dockeruser")
        #expect(try Profiles.builtIn("mlflow-serve").port == 8080)
        #expect(try Profiles.builtIn("azureml-batch").requiresFlavor == "python_function")
    }

    @Test func unknownProfileNamesTheChoices() {
        #expect {
            try Profiles.builtIn("sagemaker")
        } throws: { error in
            (error as? ProfileError)?.message.contains(
                "azureml-online, azureml-batch, kubernetes-online, mlflow-serve, none") == true
        }
    }

    @Test func profileErrorsCarryTheirPosition() {
        #expect {
            try Profiles.parse(Array("name: x\npackages:\n  - mlflow: medium\n".utf8), source: "custom.yaml")
        } throws: { error in
            (error as? ProfileError)?.description == "custom.yaml:3:13: mlflow: expected skinny or full, found 'medium'"
        }
    }
}

@Suite struct PlannerTests {
    @Test func azureOnlineAddsServerMonitoringAndCoupledMLflow() throws {
        let env = try Fixtures.model("conflict-pandas-monitoring")
        let plan = try DeploymentPlanner.plan(env, profile: try Profiles.builtIn("azureml-online"))
        #expect(plan.request.mode == .conda)
        #expect(plan.request.target.python == PythonVersion(major: 3, minor: 9, micro: 18))
        let added = plan.request.pip.filter { !$0.origin.isModel }.map(\.text)
        // The model requires mlflow itself, so no mlflow-skinny is added.
        #expect(added == ["azureml-inference-server-http!=1.3.4", "azureml-ai-monitoring"])
        #expect(plan.request.pip.first { $0.text == "azureml-ai-monitoring" }?.origin.text == "profile azureml-online")
        #expect(plan.request.pip.first { $0.text == "pandas==1.3.5" }?.origin.text == "conda.yaml:10:5")
        #expect(plan.request.conda.map(\.text) == ["python=3.9.18", "pip<=23.3.1"])
    }

    @Test func mlflowSkinnyFollowsTheModelsMLflowVersion() throws {
        var env = try Fixtures.model("conflict-pandas-monitoring")
        env.conda?.pip.removeAll { $0.name == "mlflow" }
        let plan = try DeploymentPlanner.plan(env, profile: try Profiles.builtIn("azureml-online"))
        #expect(
            plan.request.pip.contains {
                $0.text == "mlflow-skinny==2.9.*" && $0.origin.text == "profile azureml-online"
            })
    }

    @Test func mlflowServeTakesTheVirtualenvPath() throws {
        let env = try Fixtures.model("sklearn-iris")
        let plan = try DeploymentPlanner.plan(env, profile: try Profiles.builtIn("mlflow-serve"))
        #expect(plan.request.mode == .virtualenv)
        #expect(plan.request.conda.isEmpty)
        #expect(plan.request.pip.map(\.text).contains("mlflow==3.17.2"))
        #expect(plan.request.pythonOrigin.text == "python_env.yaml:1:9")
        #expect(plan.request.target.glibc == GlibcVersion(2, 36))
    }

    @Test func optionsOverrideAndExtend() throws {
        let env = try Fixtures.model("sklearn-iris")
        let options = DeploymentOptions(
            python: PythonVersion(major: 3, minor: 12), mode: .virtualenv, with: ["gunicorn"], without: ["cloudpickle"])
        let plan = try DeploymentPlanner.plan(env, profile: try Profiles.builtIn("none"), options: options)
        #expect(plan.request.target.python.minorString == "3.12")
        #expect(plan.request.pip.contains { $0.text == "gunicorn" && $0.origin.text == "--with" })
        #expect(!plan.request.pip.contains { $0.requirement.name == "cloudpickle" })
    }

    @Test func batchNeedsAPyfuncModel() throws {
        var env = try Fixtures.model("sklearn-iris")
        env.mlmodel.flavors.removeAll { $0.name == "python_function" }
        #expect(throws: DeploymentRequestError.self) {
            try DeploymentPlanner.plan(env, profile: try Profiles.builtIn("azureml-batch"))
        }
    }
}

/// The conflicting fixture, end to end, with its explanation word for word.
@Suite struct ConflictExplanationTests {
    @Test func explainsTheMonitoringPandasConflict() throws {
        let env = try Fixtures.model("conflict-pandas-monitoring")
        let plan = try DeploymentPlanner.plan(env, profile: try Profiles.builtIn("azureml-online"))
        let root = Fixtures.repository.path
        let channels = try ChannelSet(
            condaChannels: [CondaChannel(root + "/channels/conda-forge")],
            pypiIndexes: [PyPIIndex(root + "/channels/pypi")],
            target: plan.request.target)
        guard case .unsatisfiable(let explanation) = try Resolver(channels: channels).solve(plan.request) else {
            Issue.record("expected a conflict")
            return
        }
        #expect(
            explanation.description == """
                  - profile azureml-online requires azureml-ai-monitoring
                  - conda.yaml:10:5 requires pandas==1.3.5
                  - azureml-ai-monitoring 1.0.0 (pypi) requires pandas>=1.5.2
                """)
    }
}
