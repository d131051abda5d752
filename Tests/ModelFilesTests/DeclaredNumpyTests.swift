// `DeclaredEnvironment.declaredNumpy`: the numpy major version a model's environment pins, which
// `mlenv validate --numpy auto` follows (MLflow's verdicts on `inputs` / `instances` differ between
// numpy 1 and 2; benchmarks/compare-mlflow/RESULTS.md, "pandas/numpy versions").

import Foundation
import ModelFiles
import Testing

@Suite struct DeclaredNumpyTests {
    /// The real models' numpy pins, as their files state them (nil: none, or not one major version).
    static let shared: [(String, Int?)] = [
        ("001-databricks-automl-lightgbm", nil), ("005-sklearn-rf-autolog-course", 1),
        ("007-tensorflow-kws-tf-intel-and-tf", 1),
        ("008-pyfunc-azure-handwritten-conda-space-pin", 1), ("009-pyfunc-py369-conda-py37-mismatch", 1),
        ("011-tensorflow-nested-inner-keras-windows", 1), ("017-custom-flavor-py-tidymodels-env-null", 2),
        ("018-pyfunc-conda-pkg-in-env", 1), ("019-tensorflow-keras3-mlflow3.2-registered", 2),
        ("022-pyfunc-mlflow3.9-py312-examples", 2), ("023-spark-databricks-2021-root", nil),
        ("024-azure-automl-cuda12-nvidia-channel", 1), ("025-azure-automl-xgboost-82-cols", 1),
        ("026-sklearn-seldon-root", 1), ("027-sklearn-databricks-xgboost-dep", nil)
    ]

    @Test(.enabled(if: Paths.hasSharedModels, "../shared/models is not beside this checkout"), arguments: shared)
    func sharedModels(_ name: String, _ major: Int?) throws {
        let env = try ModelLoader.load(path: Paths.sharedModels.appendingPathComponent(name).path)
        #expect(env.declaredNumpy?.major == major, "\(name): \(String(describing: env.declaredNumpy))")
    }

    static let pins: [(String, Int?)] = [
        ("numpy==1.22.4", 1), ("numpy<2", 1), ("numpy~=1.21", 1), ("numpy<2.0,>=1.20", 1),
        ("numpy==2.3.4", 2), ("numpy>=2", 2), ("numpy>=1.21", nil), ("numpy", nil), ("pandas==2.2.3", nil)
    ]

    @Test(arguments: pins) func pipPins(_ pin: String, _ major: Int?) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-numpy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try
            "flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    env:\n      virtualenv: python_env.yaml\n"
            .write(to: directory.appendingPathComponent("MLmodel"), atomically: true, encoding: .utf8)
        try "python: 3.11.7\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n"
            .write(to: directory.appendingPathComponent("python_env.yaml"), atomically: true, encoding: .utf8)
        try "mlflow==3.17.2\n\(pin)\n".write(
            to: directory.appendingPathComponent("requirements.txt"), atomically: true, encoding: .utf8)
        let env = try ModelLoader.load(path: directory.path)
        #expect(env.declaredNumpy?.major == major, "\(pin): \(String(describing: env.declaredNumpy))")
    }
}
