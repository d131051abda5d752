// What a model declares about its environment, gathered from every file that states it,
// each fact with its origin. A pure value: loading lives in ModelLoader.

import JSON
import Specs

public enum PythonSource: String, Hashable, Sendable {
    case mlmodel = "MLmodel"
    case condaYAML = "conda.yaml"
    case pythonEnv = "python_env.yaml"
}

/// One place that states the Python version.
public struct PythonStatement: Hashable, Sendable {
    public let source: PythonSource
    /// As written: `3.10.6`, `3.8`, or a range such as `>=3.8,<3.11` from a conda spec.
    public let version: String
    public let location: SourceLocation

    /// `major.minor` when the statement names one (`3.10.6` → `3.10`).
    public var minor: String? {
        let parts = version.split(separator: ".")
        guard parts.count >= 2, let major = Int(parts[0]), let minor = Int(parts[1].prefix { $0.isNumber }),
            !parts[1].prefix(while: { $0.isNumber }).isEmpty
        else { return nil }
        return "\(major).\(minor)"
    }
}

public struct InputExampleFile: Hashable, Sendable {
    public let path: String
    public let exists: Bool
    /// The parsed example, when the file is JSON and parses.
    public let value: JSONValue?
}

public struct DeclaredEnvironment: Hashable, Sendable {
    public var modelPath: String
    public var mlmodel: MLModel
    public var python: [PythonStatement]
    public var conda: CondaEnvironment?
    public var virtualenv: VirtualEnvironment?
    public var pipOptions: [PipOption]
    public var inputExample: InputExampleFile?
    /// The virtualenv MLflow makes when python_env.yaml is absent, for deployments that build
    /// one; nil when python_env.yaml is there (or conda.yaml is not).
    public var derivedVirtualenv: DerivedVirtualEnvironment? = nil
    /// The environment files that exist in the model (read or not: a file that does not parse
    /// is present, and its errors are the deployment's errors).
    public var present: Set<EnvironmentKind> = []
    /// Model-relative paths of every file read, in order.
    public var filesRead: [String]
    public var diagnostics: [Diagnostic]

    /// The Python version to build for: the conda pin, else python_env.yaml, else MLmodel.
    /// (conda.yaml is what Azure ML and `mlflow models serve --env-manager conda` install.)
    public var targetPython: PythonStatement? {
        python.first { $0.source == .condaYAML && $0.minor != nil }
            ?? python.first { $0.source == .pythonEnv && $0.minor != nil }
            ?? python.first { $0.source == .mlmodel && $0.minor != nil }
    }

    /// The pip requirements of one environment kind (conda.yaml's `pip:` or python_env.yaml's).
    public func pipRequirements(_ kind: EnvironmentKind) -> [PipRequirement] {
        switch kind {
        case .conda: return conda?.pip ?? []
        case .virtualenv: return virtualenv?.requirements ?? []
        }
    }

    /// The virtualenv a virtualenv deployment builds: python_env.yaml's, else MLflow's
    /// derivation from conda.yaml.
    public var virtualenvToBuild: VirtualEnvironment? { virtualenv ?? derivedVirtualenv?.environment }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// A virtualenv made from conda.yaml as MLflow makes it for a model without python_env.yaml:
/// Python from conda.yaml's pin, packages from requirements.txt (else conda.yaml's `pip:` list).
/// Conda packages other than python, pip, setuptools and wheel are not installed (MLflow warns).
public struct DerivedVirtualEnvironment: Hashable, Sendable {
    static let requirementsFile = "requirements.txt"
    static let buildPackages: Set<String> = ["python", "pip", "setuptools", "wheel"]

    public let environment: VirtualEnvironment
    /// The files it was made from: conda.yaml, and requirements.txt when present.
    public let sources: [String]
    /// conda.yaml's conda packages the virtualenv leaves out.
    public let condaOnly: [CondaDependency]
}
