import Foundation
import JSON
import ModelFiles
import Testing

@Suite struct SklearnFixtureTests {
    let env: DeclaredEnvironment

    init() throws {
        env = try ModelLoader.load(path: Paths.fixture("models/sklearn-conda"))
    }

    @Test func readsMLmodel() throws {
        #expect(env.mlmodel.artifactPath == "model")
        #expect(env.mlmodel.flavors.map(\.name) == ["python_function", "sklearn"])
        #expect(env.mlmodel.mlflowVersion?.value == "2.17.2")
        #expect(env.mlmodel.modelSizeBytes == 2846)
        let pyfunc = try #require(env.mlmodel.pythonFunction)
        #expect(pyfunc.loaderModule?.value == "mlflow.sklearn")
        #expect(pyfunc.modelPath == "model.pkl")
        #expect(pyfunc.predictFn == "predict")
        guard case .files(let conda, let virtualenv) = pyfunc.env else {
            Issue.record("expected the dict form of env")
            return
        }
        #expect(conda?.value == "conda.yaml")
        #expect(virtualenv?.value == "python_env.yaml")
        #expect(env.mlmodel.flavor(named: "sklearn")?.string("sklearn_version")?.value == "1.5.2")
        #expect(env.mlmodel.inputExample?.pandasOrient == "split")
        #expect(env.mlmodel.inputExample?.servingInputPath == "serving_input_example.json")
    }

    @Test func findsPythonInEveryPlace() {
        #expect(env.python.map(\.source) == [.mlmodel, .condaYAML, .pythonEnv])
        #expect(env.python.map(\.version) == ["3.11.9", "3.11.9", "3.11.9"])
        #expect(env.python[0].location == SourceLocation(file: "MLmodel", line: 10, column: 21))
        #expect(env.python[1].location == SourceLocation(file: "conda.yaml", line: 4, column: 3))
        #expect(env.targetPython?.minor == "3.11")
    }

    @Test func readsCondaAndPip() throws {
        let conda = try #require(env.conda)
        #expect(conda.name == "mlflow-env")
        #expect(conda.channels.map(\.value) == ["conda-forge"])
        #expect(conda.dependencies.map(\.text) == ["python=3.11.9", "pip<=24.2"])
        #expect(conda.dependencies.map(\.spec.name) == ["python", "pip"])
        #expect(
            conda.pip.map(\.text) == [
                "mlflow==2.17.2", "cloudpickle==3.1.0", "numpy==1.26.4", "pandas==2.2.3", "scikit-learn==1.5.2",
                "scipy==1.14.1"
            ])
        #expect(conda.pip[4].normalizedName?.value == "scikit-learn")
        #expect(conda.pip[4].location == SourceLocation(file: "conda.yaml", line: 11, column: 5))
        #expect(conda.pip.allSatisfy { $0.environment == .conda })
    }

    @Test func followsRequirementsIncludeFromPythonEnv() throws {
        let venv = try #require(env.virtualenv)
        #expect(venv.python?.value == "3.11.9")
        #expect(venv.buildDependencies.map(\.text) == ["pip==24.2", "setuptools==75.1.0", "wheel==0.44.0"])
        #expect(
            venv.requirements.map(\.text) == [
                "mlflow==2.17.2", "cloudpickle==3.1.0", "numpy==1.26.4", "pandas==2.2.3", "scikit-learn==1.5.2",
                "scipy==1.14.1"
            ])
        // The last line has no trailing newline.
        #expect(venv.requirements.last?.location == SourceLocation(file: "requirements.txt", line: 6, column: 1))
        #expect(env.filesRead == ["MLmodel", "conda.yaml", "python_env.yaml", "requirements.txt"])
    }

    @Test func parsesSignatureAndExample() throws {
        let signature = try #require(env.mlmodel.signature)
        guard case .columns(let columns)? = signature.inputs else {
            Issue.record("expected a column signature")
            return
        }
        #expect(
            columns.map(\.name) == ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"])
        #expect(columns.allSatisfy { $0.type == .scalar(.double) && $0.required })
        #expect(signature.outputs == .tensors([TensorSpec(name: nil, dtype: "int64", shape: [-1])]))
        #expect(signature.params == nil)
        #expect(env.inputExample?.exists == true)
        #expect(env.inputExample?.value?["columns"]?.arrayValue?.count == 4)
    }

    @Test func jsonReportIsStable() throws {
        let json = InspectionReport.json(env)
        #expect(json["schema_version"] == 1)
        #expect(json["python"]?["target"] == "3.11.9")
        #expect(json["mlmodel"]?["signature"]?["inputs"]?["kind"] == "columns")
        let first = try #require(json["conda"]?["pip"]?.arrayValue?.first)
        #expect(first["name"] == "mlflow")
        #expect(first["specifier"] == "==2.17.2")
        #expect(first["line"] == 7)
        // Same input, same bytes.
        let again = try ModelLoader.load(path: Paths.fixture("models/sklearn-conda"))
        #expect(InspectionReport.json(again).serialized() == json.serialized())
    }
}

@Suite struct RequirementsSyntaxTests {
    let env: DeclaredEnvironment

    init() throws {
        env = try ModelLoader.load(path: Paths.fixture("models/requirements-syntax"))
    }

    @Test func noErrors() {
        #expect(env.errors.isEmpty, "\(env.errors)")
    }

    @Test func readsOptionsWithTheirLocations() {
        let options = env.pipOptions.map { "\($0.name) \($0.value ?? "") @\($0.location)" }
        #expect(
            options == [
                "--index-url https://mirror.example.invalid/simple @requirements.txt:2:1",
                "--extra-index-url https://extra.example.invalid/simple @requirements.txt:3:1",
                "--find-links ./wheels @requirements.txt:4:1"
            ])
    }

    @Test func readsEveryRequirementForm() throws {
        let reqs = try #require(env.virtualenv?.requirements)
        let summary = reqs.map { "\($0.form.rawValue) \($0.name ?? "-") @\($0.location.line ?? 0)" }
        #expect(
            summary == [
                "named mlflow @6",
                "named numpy @7",
                "named scikit-learn @8",
                "named requests @10",
                "named torch @13",
                "url featurelib @14",
                "path - @15",
                "editable - @16",
                "named urllib3 @1"
            ])
        #expect(reqs[0].requirement?.extras == ["gateway", "extras"])
        #expect(reqs[1].requirement?.marker != nil)
        #expect(reqs[2].text == "scikit-learn     ==1.4.2")
        #expect(reqs[3].hashes.count == 2)
        #expect(reqs[3].hashes[0].hasPrefix("sha256:58cd2187"))
        #expect(reqs[4].requirement?.url?.hasSuffix("linux_x86_64.whl") == true)
        #expect(reqs[5].isVCS)
        #expect(reqs[8].isConstraint)
        #expect(reqs[8].location.file == "constraints.txt")
    }

    @Test func condaSideKeepsChannelSpecsAndLateDependencies() throws {
        let conda = try #require(env.conda)
        #expect(conda.dependencies.map(\.spec.name) == ["python", "pip", "numpy", "libgomp"])
        #expect(conda.dependencies[2].spec.channel == "conda-forge")
        #expect(conda.pip.map(\.name) == ["mlflow", "pandas"])
        #expect(conda.pip[1].requirement?.marker != nil)
    }

    @Test func notesAFloatPython() {
        #expect(env.diagnostics("python-version-float").count == 1)
        #expect(env.python.first { $0.source == .pythonEnv }?.version == "3.10")
    }
}

/// Symbolic links are found by a readdir walk (ModelDirectory.symbolicLinks): the ones that
/// leave the model are reported, nested ones too, and links into the model are not.
@Suite struct SymbolicLinkTests {
    @Test func findsLinksThatLeaveTheModel() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-links-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let model = root + "/model"
        try FileManager.default.createDirectory(atPath: model + "/data/deep", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: root + "/outside.pkl", contents: Data("x".utf8))
        FileManager.default.createFile(atPath: model + "/MLmodel", contents: Data("flavors: {}\n".utf8))
        FileManager.default.createFile(atPath: model + "/data/inside.pkl", contents: Data("y".utf8))
        try FileManager.default.createSymbolicLink(
            atPath: model + "/data/deep/escape.pkl", withDestinationPath: "../../../outside.pkl")
        try FileManager.default.createSymbolicLink(atPath: model + "/data/stays.pkl", withDestinationPath: "inside.pkl")
        try FileManager.default.createSymbolicLink(atPath: model + "/up", withDestinationPath: "..")
        let links = try ModelDirectory(path: model).linksLeavingModel().map(\.path)
        #expect(links == ["data/deep/escape.pkl", "up"])
    }
}
