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
              !parts[1].prefix(while: { $0.isNumber }).isEmpty else { return nil }
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
    public let modelPath: String
    public var mlmodel: MLModel
    public var python: [PythonStatement]
    public var conda: CondaEnvironment?
    public var virtualenv: VirtualEnvironment?
    public var pipOptions: [PipOption]
    public var inputExample: InputExampleFile?
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

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}
