// Explanations people can act on, as printed by `mlenv resolve` on the embedded snapshot: the
// user's own lines first, a package built only for another Python said in one line (not its
// python/python_abi rules, once per Python patch release), and not said again by the hint about
// which Pythons the requested package is built for.
// And a model its deployment cannot serve is refused with the reason, whatever --python says.

import Foundation
import Testing

@Suite struct ExplanationTests {
    static func model(_ name: String, mlmodel: String, conda: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-explain-\(getpid())/\(name)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try mlmodel.write(to: dir.appendingPathComponent("MLmodel"), atomically: true, encoding: .utf8)
        try conda.write(to: dir.appendingPathComponent("conda.yaml"), atomically: true, encoding: .utf8)
        return dir.path
    }

    static let pyfunc =
        "flavors:\n  python_function:\n    env:\n      conda: conda.yaml\n    loader_module: mlflow.sklearn\n    python_version: 3.8.10\nmlflow_version: 2.9.2\n"

    @Test func aPackageBuiltForAnotherPythonIsOneGroupedExplanation() throws {
        let path = try Self.model(
            "sklearn-0.24.2-py38", mlmodel: Self.pyfunc,
            conda: "channels:\n- conda-forge\ndependencies:\n- python=3.8\n- scikit-learn=0.24.2\n- pip\n")
        let result = try CLI.run(["resolve", path, "--deployment", "none"])
        #expect(result.status == 1, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("Sources:") }
        #expect(
            lines == [
                "Cannot resolve \(path) for none (Python 3.8, conda environment): its requirements conflict",
                "  - conda.yaml:4:3 requires python=3.8",
                "  - conda.yaml:5:3 requires scikit-learn=0.24.2",
                "  - scikit-learn 0.24.2 (conda) is built in the channels only for Python 3.9"
            ], "\(result.stdout)")
    }

    /// tensorflow-intel publishes Windows wheels only; the embedded mirror keeps Linux files, so
    /// its page is empty there, and the hint says what the mirror keeps.
    @Test func aProjectWithNoFileInAPlatformMirrorSaysWhatTheMirrorKeeps() throws {
        let path = try Self.model(
            "tf-intel", mlmodel: Self.pyfunc.replacingOccurrences(of: "3.8.10", with: "3.10.4"),
            conda: "dependencies:\n- python=3.10\n- pip\n- pip:\n  - tensorflow-intel==2.14.0\n")
        let result = try CLI.run(["resolve", path, "--deployment", "none"])
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "the configured indexes have no release of tensorflow-intel that this requirement admits; the index pypi is a mirror that keeps only files for manylinux_2_35_x86_64 and CPython 3.8–3.14"
            ), "\(result.stdout)")
    }

    @Test(arguments: ["azureml-online", "kubernetes-online", "mlflow-serve", "azureml-batch"])
    func aModelWithoutPythonFunctionCannotBeServed(_ deployment: String) throws {
        let path = try Self.model(
            "sklearn-flavor-only",
            mlmodel:
                "flavors:\n  sklearn:\n    pickled_model: model.pkl\n    sklearn_version: 1.5.2\nmlflow_version: 2.17.2\n",
            conda: "dependencies:\n- python=3.11\n- pip\n- pip:\n  - scikit-learn==1.5.2\n")
        let refused = try CLI.run(["resolve", path, "--deployment", deployment, "--python", "3.11"])
        #expect(refused.status == 2)
        #expect(
            refused.stderr.contains(
                "the \(deployment) deployment needs a model with the python_function flavor; this model has sklearn"),
            "\(refused.stderr)")
        let lint = try CLI.run(["lint", path, "--deployment", deployment, "--format", "json"])
        #expect(lint.status == 1)
        #expect(
            lint.stdout.contains("\"MLE001\"")
                && lint.stdout.contains("serves the model through its python_function flavor"), "\(lint.stdout)")
    }

    @Test func withoutADeploymentTheFlavorDoesNotMatter() throws {
        let path = try Self.model(
            "sklearn-flavor-only-none",
            mlmodel: "flavors:\n  sklearn:\n    pickled_model: model.pkl\nmlflow_version: 2.17.2\n",
            conda: "dependencies:\n- python=3.11\n- pip\n- pip:\n  - scikit-learn==1.5.2\n")
        #expect(try CLI.run(["resolve", path, "--deployment", "none"]).status == 0)
    }
}
