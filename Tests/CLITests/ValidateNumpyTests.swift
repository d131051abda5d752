// `mlenv validate --numpy 1|2|auto`: the numpy line decides MLflow's verdict on an integer that does
// not fit a narrow dtype (numpy 2 refuses "Python integer 300 out of bounds for uint8", numpy 1 wraps
// it; both confirmed with benchmarks/compare-mlflow/oracle.py on each numpy line).

import Foundation
import Testing

@Suite struct ValidateNumpyTests {
    /// A uint8 tensor model whose requirements pin `pin`, and a body with 300 in it.
    static func model(pin: String) throws -> (model: String, payload: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-numpy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try """
        flavors:
          python_function:
            loader_module: mlflow.sklearn
            env:
              virtualenv: python_env.yaml
        signature:
          inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "uint8", "shape": [-1, 2]}}]'

        """.write(to: dir.appendingPathComponent("MLmodel"), atomically: true, encoding: .utf8)
        try "python: 3.11.7\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n"
            .write(to: dir.appendingPathComponent("python_env.yaml"), atomically: true, encoding: .utf8)
        try "mlflow==3.17.2\n\(pin)\n".write(
            to: dir.appendingPathComponent("requirements.txt"), atomically: true, encoding: .utf8)
        let payload = dir.appendingPathComponent("request.json")
        try #"{"inputs": [[300, 2], [3, 4]]}"#.write(to: payload, atomically: true, encoding: .utf8)
        return (dir.path, payload.path)
    }

    @Test func theSideDecidesTheVerdict() throws {
        let (model, payload) = try Self.model(pin: "numpy==1.26.4")
        let byDefault = try CLI.run(["validate", model, "--payload", payload])
        #expect(byDefault.status == 1 && byDefault.stdout.contains("out of bounds for uint8"), "\(byDefault.stdout)")
        let one = try CLI.run(["validate", model, "--payload", payload, "--numpy", "1"])
        #expect(one.status == 0 && one.stdout.contains("numpy 1 wraps it around"), "\(one.stdout)")
        let auto = try CLI.run(["validate", model, "--payload", payload, "--numpy", "auto"])
        #expect(auto.status == 0 && auto.stderr.contains("numpy 1, from requirements.txt:2"), "\(auto.stderr)")
        let strict = try CLI.run(["validate", model, "--payload", payload, "--numpy", "1", "--strict"])
        #expect(strict.status == 1, "\(strict.stdout)")
    }

    @Test func autoFollowsANumpyTwoPin() throws {
        let (model, payload) = try Self.model(pin: "numpy>=2")
        let auto = try CLI.run(["validate", model, "--payload", payload, "--numpy", "auto"])
        #expect(auto.status == 1 && auto.stderr.contains("note: numpy 2"), "\(auto.stderr)")
        let bad = try CLI.run(["validate", model, "--payload", payload, "--numpy", "3"])
        #expect(bad.status == 2, "\(bad.stderr)")
    }
}
