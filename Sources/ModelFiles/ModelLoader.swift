// Model directory → DeclaredEnvironment. Throws only when there is nothing to inspect (no
// directory, no readable MLmodel); every other problem becomes a diagnostic with its location,
// so one run reports all of them (and lint can turn each into a finding).

import JSON
import Specs
import YAML

public enum ModelLoader {
    public static func load(path: String) throws(ModelFilesError) -> DeclaredEnvironment {
        let directory = try ModelDirectory(path: path)
        var diagnostics: [Diagnostic] = []
        var filesRead: [String] = []

        let root: YAMLNode?
        switch YAMLFile.load("MLmodel", in: directory, missingMessage: Message.missingMLmodel) {
        case .success(let node): root = node
        case .failure(let error):
            if error.code == "missing-file" {
                throw ModelFilesError("missing-mlmodel", Message.missingMLmodel, at: SourceLocation(file: "MLmodel"))
            }
            throw error
        }
        filesRead.append("MLmodel")
        let mlmodel = try MLModelParser.parse(root, file: "MLmodel", diagnostics: &diagnostics)

        var environment = DeclaredEnvironment(
            modelPath: path, mlmodel: mlmodel, python: [], conda: nil, virtualenv: nil,
            pipOptions: [], inputExample: nil, filesRead: [], diagnostics: [])
        if let version = mlmodel.pythonFunction?.pythonVersion {
            environment.python.append(
                PythonStatement(source: .mlmodel, version: version.value, location: version.location))
        }

        // Which environment files to read.
        var condaFile: Located<String>?
        var virtualenvFile: Located<String>?
        switch mlmodel.pythonFunction?.env ?? .none {
        case .files(let conda, let virtualenv):
            condaFile = conda
            virtualenvFile = virtualenv
        case .condaFile(let conda):
            condaFile = conda
            if directory.exists("python_env.yaml") {
                virtualenvFile = Located("python_env.yaml", at: SourceLocation(file: "python_env.yaml"))
                diagnostics.append(
                    Diagnostic(
                        .note, "env-string-form",
                        "python_function.env names only the conda file (the form MLflow wrote before 2.0); python_env.yaml, found next to MLmodel, is read too as MLflow does",
                        at: conda.location))
            }
        case .none:
            let reason =
                mlmodel.pythonFunction == nil
                ? "the model has no python_function flavor" : "python_function.env is empty"
            for (name, kind) in [("conda.yaml", "conda"), ("python_env.yaml", "virtualenv")]
            where directory.exists(name) {
                let located = Located(name, at: SourceLocation(file: name))
                if kind == "conda" { condaFile = located } else { virtualenvFile = located }
                diagnostics.append(
                    Diagnostic(
                        .note, "env-file-by-convention", "\(reason); reading \(name) found in the model directory",
                        at: SourceLocation(file: "MLmodel")))
            }
            if condaFile == nil && virtualenvFile == nil {
                diagnostics.append(
                    Diagnostic(
                        .warning, "no-environment",
                        "\(reason) and there is no conda.yaml or python_env.yaml: the model declares no environment",
                        at: SourceLocation(file: "MLmodel")))
            }
        }

        let beforeConda = diagnostics.count
        if let conda = condaFile,
            case .read(let node, let file) = readEnvironmentFile(
                conda, key: "conda", kind: .conda, in: directory, environment: &environment,
                diagnostics: &diagnostics, filesRead: &filesRead)
        {
            let parsed = CondaEnvironmentParser.parse(
                node, file: file, directory: directory, diagnostics: &diagnostics,
                options: &environment.pipOptions, filesRead: &filesRead)
            environment.conda = parsed
            for dependency in parsed.dependencies where dependency.spec.name == "python" {
                environment.python.append(
                    PythonStatement(
                        source: .condaYAML, version: pythonVersionText(dependency.text), location: dependency.location))
            }
        }
        scope(&diagnostics, from: beforeConda, .conda)
        let beforeVirtualenv = diagnostics.count
        var virtualenvAbsent = virtualenvFile == nil
        if let virtualenv = virtualenvFile {
            switch readEnvironmentFile(
                virtualenv, key: "virtualenv", kind: .virtualenv, in: directory, environment: &environment,
                diagnostics: &diagnostics, filesRead: &filesRead)
            {
            case .read(let node, let file):
                let parsed = PythonEnvParser.parse(
                    node, file: file, directory: directory, diagnostics: &diagnostics,
                    options: &environment.pipOptions, filesRead: &filesRead)
                environment.virtualenv = parsed
                if let python = parsed.python {
                    environment.python.append(
                        PythonStatement(source: .pythonEnv, version: python.value, location: python.location))
                }
            case .missing:
                virtualenvAbsent = true
            case .unreadable:
                break
            }
        }
        // MLflow's rule when python_env.yaml is absent (mlflow/utils/virtualenv.py
        // `_get_python_env`): the virtualenv is made from conda.yaml's python pin and
        // requirements.txt, or conda.yaml's `pip:` list when there is no requirements.txt.
        if virtualenvAbsent, let conda = environment.conda {
            environment.derivedVirtualenv = deriveVirtualenv(
                from: conda, directory: directory, diagnostics: &diagnostics,
                options: &environment.pipOptions, filesRead: &filesRead)
        }
        scope(&diagnostics, from: beforeVirtualenv, .virtualenv)

        environment.inputExample = loadInputExample(mlmodel, directory: directory, diagnostics: &diagnostics)
        checkPayloadPaths(mlmodel, directory: directory, diagnostics: &diagnostics)
        checkPythonAgreement(environment.python, diagnostics: &diagnostics)
        for link in directory.linksLeavingModel() {
            diagnostics.append(
                Diagnostic(
                    .error, "symlink-escapes-model", Message.symlinkEscapes(link.path, target: link.target),
                    at: SourceLocation(file: link.path)))
        }

        environment.filesRead = filesRead
        environment.diagnostics = deduplicated(diagnostics)
        return environment
    }

    private static func scope(_ diagnostics: inout [Diagnostic], from start: Int, _ kind: EnvironmentKind) {
        for i in start..<diagnostics.count { diagnostics[i] = diagnostics[i].scoped(kind) }
    }

    private static func deriveVirtualenv(
        from conda: CondaEnvironment, directory: ModelDirectory, diagnostics: inout [Diagnostic],
        options: inout [PipOption], filesRead: inout [String]
    ) -> DerivedVirtualEnvironment {
        var requirements = conda.pip
        var sources = [conda.file]
        if directory.exists(DerivedVirtualEnvironment.requirementsFile) {
            var reader = RequirementsReader(directory: directory, environment: .virtualenv)
            reader.include(
                DerivedVirtualEnvironment.requirementsFile, fromDirectory: "", isConstraint: false,
                referencedAt: SourceLocation(file: DerivedVirtualEnvironment.requirementsFile), includeChain: [])
            requirements = reader.requirements
            sources.append(DerivedVirtualEnvironment.requirementsFile)
            for option in reader.options where !options.contains(option) { options.append(option) }
            for file in reader.filesRead where !filesRead.contains(file) { filesRead.append(file) }
            diagnostics += reader.diagnostics
        }
        let python = conda.dependencies.first { $0.spec.name == "python" }
        let environment = VirtualEnvironment(
            file: conda.file, python: python.map { Located(pythonVersionText($0.text), at: $0.location) },
            buildDependencies: [], requirements: requirements)
        let condaOnly = conda.dependencies.filter { !DerivedVirtualEnvironment.buildPackages.contains($0.spec.name) }
        return DerivedVirtualEnvironment(environment: environment, sources: sources, condaOnly: condaOnly)
    }

    /// `python=3.10.6` → `3.10.6`; `python>=3.8,<3.11` → `>=3.8,<3.11`; `python` → `` (any).
    static func pythonVersionText(_ spec: String) -> String {
        var rest = Substring(spec.trimmingWhitespace())
        if let colons = rest.literalRange(of: "::") { rest = rest[colons.upperBound...] }
        rest = rest.drop { $0.isLetter || $0 == "_" || $0 == "-" }
        rest = rest.drop { $0 == " " }
        // conda's `python=3.8=build` and `python 3.8 build`: keep the version part.
        if rest.hasPrefix("=") && !rest.hasPrefix("==") { rest = rest.dropFirst() }
        if rest.hasPrefix("==") { rest = rest.dropFirst(2) }
        let version = rest.prefix { $0 != " " && $0 != "=" }
        return String(version).trimmingWhitespace()
    }

    /// The files besides MLmodel that `load` reads first, as the MLmodel in `path` names them:
    /// the conda and virtualenv files (or those found by convention) and the input example.
    /// For fetching a remote model's files before loading it; requirement files those name are
    /// not included.
    public static func namedFiles(path: String) throws(ModelFilesError) -> [String] {
        let directory = try ModelDirectory(path: path)
        let root: YAMLNode?
        switch YAMLFile.load("MLmodel", in: directory, missingMessage: Message.missingMLmodel) {
        case .success(let node): root = node
        case .failure(let error): throw error
        }
        var diagnostics: [Diagnostic] = []
        let mlmodel = try MLModelParser.parse(root, file: "MLmodel", diagnostics: &diagnostics)
        var names: [String] = []
        switch mlmodel.pythonFunction?.env ?? .none {
        case .files(let conda, let virtualenv):
            names += [conda?.value, virtualenv?.value].compactMap { $0 }
        case .condaFile(let conda):
            names += [conda.value, "python_env.yaml"]
        case .none:
            names += ["conda.yaml", "python_env.yaml"]
        }
        if let example = mlmodel.inputExample?.artifactPath { names.append(example.value) }
        var seen = Set<String>()
        return names.map(ModelDirectory.normalize).filter { seen.insert($0).inserted }
    }

    private enum EnvironmentFileRead {
        case read(YAMLNode?, file: String)
        case missing
        case unreadable
    }

    /// conda.yaml or python_env.yaml as YAML. A file that is there counts as present even when
    /// it does not parse (its errors are then the deployment's errors); a missing or broken one
    /// is reported as an error.
    private static func readEnvironmentFile(
        _ reference: Located<String>, key: String, kind: EnvironmentKind, in directory: ModelDirectory,
        environment: inout DeclaredEnvironment, diagnostics: inout [Diagnostic],
        filesRead: inout [String]
    ) -> EnvironmentFileRead {
        let file = ModelDirectory.normalize(reference.value)
        switch YAMLFile.load(
            reference.value, in: directory, referencedAt: reference.location,
            missingMessage: Message.missingEnvFile(reference.value, key: key))
        {
        case .success(let node):
            filesRead.append(file)
            environment.present.insert(kind)
            return .read(node, file: file)
        case .failure(let error):
            let missing = error.code == "missing-file"
            if !missing { environment.present.insert(kind) }
            diagnostics.append(
                Diagnostic(.error, missing ? "missing-env-file" : error.code, error.message, at: error.location))
            return missing ? .missing : .unreadable
        }
    }

    private static func loadInputExample(_ mlmodel: MLModel, directory: ModelDirectory, diagnostics: inout [Diagnostic])
        -> InputExampleFile?
    {
        guard let artifact = mlmodel.inputExample?.artifactPath else { return nil }
        switch directory.read(artifact.value, referencedAt: artifact.location) {
        case .success(let bytes):
            guard artifact.value.hasSuffix(".json") else {
                return InputExampleFile(path: artifact.value, exists: true, value: nil)
            }
            do {
                return InputExampleFile(path: artifact.value, exists: true, value: try JSONValue.parse(bytes))
            } catch {
                diagnostics.append(
                    Diagnostic(
                        .error, "invalid-input-example", "the input example is not valid JSON: \(error.message)",
                        at: SourceLocation(
                            file: ModelDirectory.normalize(artifact.value), line: error.line, column: error.column)))
                return InputExampleFile(path: artifact.value, exists: true, value: nil)
            }
        case .failure(let error):
            let missing = error.code == "missing-file"
            diagnostics.append(
                Diagnostic(
                    missing ? .warning : .error, missing ? "missing-input-example" : error.code,
                    missing
                        ? "saved_input_example_info names '\(artifact.value)', which is not in the model directory"
                        : error.message,
                    at: artifact.location))
            return InputExampleFile(path: artifact.value, exists: false, value: nil)
        }
    }

    /// `python_function.data` / `model_path` should exist: a renamed artifact fails at load time.
    private static func checkPayloadPaths(
        _ mlmodel: MLModel, directory: ModelDirectory, diagnostics: inout [Diagnostic]
    ) {
        guard let pyfunc = mlmodel.flavor(named: "python_function") else { return }
        for key in ["data", "model_path"] {
            guard let path = pyfunc.string(key) else { continue }
            switch directory.lookup(path.value) {
            case .file, .directory: continue
            case .missing:
                diagnostics.append(
                    Diagnostic(
                        .note, "missing-model-data",
                        "python_function.\(key) is '\(path.value)', which is not in the model directory; loading the model will fail",
                        at: path.location))
            case .escapes:
                diagnostics.append(
                    Diagnostic(.error, "path-escapes-model", Message.escapes(path.value), at: path.location))
            case .symlinkEscapes(let target):
                diagnostics.append(
                    Diagnostic(
                        .error, "symlink-escapes-model", Message.symlinkEscapes(path.value, target: target),
                        at: path.location))
            }
        }
    }

    private static func checkPythonAgreement(_ statements: [PythonStatement], diagnostics: inout [Diagnostic]) {
        let minors = statements.compactMap { s in s.minor.map { (s, $0) } }
        guard let first = minors.first else { return }
        for (statement, minor) in minors.dropFirst() where minor != first.1 {
            diagnostics.append(
                Diagnostic(
                    .warning, "python-version-mismatch",
                    "\(statement.source.rawValue) states Python \(statement.version), but \(first.0.source.rawValue) states \(first.0.version) (at \(first.0.location))",
                    at: statement.location))
        }
    }

    private static func deduplicated(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var seen = Set<Diagnostic>()
        return diagnostics.filter { seen.insert($0).inserted }
    }
}
