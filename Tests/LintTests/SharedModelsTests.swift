// The real models in ../shared/models (when the checkout has them): lint runs over all of them
// and catches the broken ones for the reasons docs/lint-shared-models.md lists.

import Foundation
import Lint
import Testing

@Suite struct SharedModelsTests {
    static let available = FileManager.default.fileExists(atPath: Repo.sharedModels + "/INDEX.md")

    static let report: LintReport? = {
        guard available, let linter = try? TestChannels.linter() else { return nil }
        return linter.lint(paths: [Repo.sharedModels])
    }()

    func findings(_ model: String, _ rule: String) -> [Finding] {
        (Self.report?.findings ?? []).filter { $0.location.model.hasSuffix("/" + model) && $0.ruleID == rule }
    }

    @Test(.enabled(if: SharedModelsTests.available))
    func lintsEveryModelOnce() throws {
        let report = try #require(Self.report)
        #expect(report.models.count == 27)
        // Copies of a model's environment share one solve; 27 models have 27 requests or fewer.
        #expect(report.solves <= 27)
    }

    @Test(
        .enabled(if: SharedModelsTests.available),
        arguments: [
            // (model, rule, file:line the finding points at)
            ("006-pytorch-bst-recommender-renamed-data", "MLE007", "MLmodel:4"),  // data/ renamed away
            ("007-tensorflow-kws-tf-intel-and-tf", "MLE040", "conda.yaml:15"),  // Windows-only tensorflow-intel
            // mlflow== 1.26.1 vs saved 2.0.1
            ("008-pyfunc-azure-handwritten-conda-space-pin", "MLE020", "conda.yaml:14"),
            ("009-pyfunc-py369-conda-py37-mismatch", "MLE010", "conda.yaml:4"),  // saved 3.6.9, conda python=3.7
            // the deprecated `sklearn` package
            ("013-pytorch-code-tfserving-example-sklearn-pkg", "MLE040", "conda.yaml:9"),
            // pip<=21.2.3 not in the channels
            ("019-tensorflow-keras3-mlflow3.2-registered", "MLE040", "conda.yaml:5"),
            // mlflow 3.9 vs the Azure score script
            ("022-pyfunc-mlflow3.9-py312-examples", "MLE052", "conda.yaml:7"),
            ("026-sklearn-seldon-root", "MLE033", "conda.yaml:12"),  // pyyaml 5.4.1 has no cp310 wheel
            ("027-sklearn-databricks-xgboost-dep", "MLE041", "conda.yaml:9"),  // pandas==1.4.2 vs azureml-ai-monitoring
            ("024-azure-automl-cuda12-nvidia-channel", "MLE062", "conda.yaml:36"),  // azureml-defaults
            ("015-keras-2019-tf1-py363", "MLE011", "conda.yaml:4")  // python=3.6.3
        ])
    func catchesTheBrokenModels(_ model: String, _ rule: String, _ location: String) {
        let found = findings(model, rule)
        let places = found.map { "\($0.location.file ?? ""):\($0.location.line ?? 0)" }
        #expect(places.contains(location), "\(model): \(rule) at \(places)")
    }

    @Test(.enabled(if: SharedModelsTests.available))
    func everyModelDeployedToAzureLacksAIMonitoring() {
        // None of the 27 declares azureml-ai-monitoring (it postdates them all).
        for model in Self.report?.models ?? [] {
            #expect(findings(URL(fileURLWithPath: model).lastPathComponent, "MLE050").count == 1, "\(model)")
        }
    }
}
