// conda.yaml and python_env.yaml as MLflow writes them (mlflow/utils/environment.py).
// Traps seen in real models: conda dependencies listed after the `pip:` block, `pip` listed
// both as a conda package and as the `pip:` key, hand-written specs with spaces
// (`mlflow== 1.26.1`), `python: 3.10` (a float to PyYAML, "3.10" to MLflow's schema).

import Specs
import YAML

public struct CondaDependency: Hashable, Sendable {
    public let text: String
    public let spec: MatchSpec
    public let location: SourceLocation
}

public struct CondaEnvironment: Hashable, Sendable {
    public let file: String
    public var name: String?
    public var channels: [Located<String>]
    public var dependencies: [CondaDependency]
    /// The `pip:` list (and what its `-r` items include).
    public var pip: [PipRequirement]
}

public struct VirtualEnvironment: Hashable, Sendable {
    public let file: String
    public var python: Located<String>?
    public var buildDependencies: [PipRequirement]
    /// `dependencies`, with `-r requirements.txt` expanded.
    public var requirements: [PipRequirement]
}

enum CondaEnvironmentParser {
    static func parse(
        _ root: YAMLNode?, file: String, directory: ModelDirectory,
        diagnostics: inout [Diagnostic], options: inout [PipOption], filesRead: inout [String]
    ) -> CondaEnvironment {
        var environment = CondaEnvironment(file: file, name: nil, channels: [], dependencies: [], pip: [])
        guard
            let root = environmentMapping(
                root, file: file, holding: "name, channels and dependencies", diagnostics: &diagnostics)
        else {
            return environment
        }
        var reader = FieldReader(file: file)
        environment.name = reader.string(root["name"], field: "name")
        environment.channels = reader.strings(root["channels"], field: "channels")

        var pipItems: [LogicalLine] = []
        if let dependencies = root["dependencies"], !dependencies.isNull {
            if let items = dependencies.sequence {
                for item in items {
                    if let text = item.scalarText, !item.isNull {
                        do throws(SpecError) {
                            let spec = try MatchSpec(parsing: text)
                            environment.dependencies.append(
                                CondaDependency(text: text, spec: spec, location: reader.location(item)))
                        } catch {
                            let location = SourceLocation(
                                file: file, line: item.mark.line,
                                column: item.mark.column + error.offset + (item.style == .plain ? 0 : 1))
                            reader.diagnostics.append(
                                Diagnostic(
                                    .error, "invalid-conda-spec",
                                    "invalid conda package spec '\(text)': \(error.message)", at: location))
                        }
                    } else if let pip = item["pip"] {
                        for line in reader.strings(pip, field: "dependencies.pip") {
                            pipItems.append(LogicalLine(text: line.value, location: line.location))
                        }
                    } else {
                        reader.diagnostics.append(
                            Diagnostic(
                                .warning, "unexpected-type",
                                "dependencies: "
                                    + Message.expected("a package spec or a {pip: [...]} mapping", found: item),
                                at: reader.location(item)))
                    }
                }
            } else {
                reader.diagnostics.append(
                    Diagnostic(
                        .error, "invalid-env-file", "dependencies: " + Message.expected("a list", found: dependencies),
                        at: reader.location(dependencies)))
            }
        }
        var pipReader = RequirementsReader(directory: directory, environment: .conda)
        pipReader.read(items: pipItems, baseDirectory: directoryOf(file), includeChain: [file])
        environment.pip = pipReader.requirements
        options += pipReader.options
        filesRead += pipReader.filesRead
        diagnostics += reader.diagnostics + pipReader.diagnostics
        return environment
    }
}

enum PythonEnvParser {
    static func parse(
        _ root: YAMLNode?, file: String, directory: ModelDirectory,
        diagnostics: inout [Diagnostic], options: inout [PipOption], filesRead: inout [String]
    ) -> VirtualEnvironment {
        var environment = VirtualEnvironment(file: file, python: nil, buildDependencies: [], requirements: [])
        guard
            let root = environmentMapping(
                root, file: file, holding: "python, build_dependencies and dependencies", diagnostics: &diagnostics)
        else {
            return environment
        }
        var reader = FieldReader(file: file)
        if let python = root["python"] {
            environment.python = reader.string(python, field: "python").map { Located($0, at: reader.location(python)) }
            if case .float = python.resolved, let text = python.scalarText {
                reader.diagnostics.append(
                    Diagnostic(
                        .note, "python-version-float",
                        "python: \(text) is unquoted; PyYAML reads it as the number \(YAMLScalarValue.parseFloat(text)) and MLflow then asks for that version. Quote it: python: \"\(text)\"",
                        at: reader.location(python)))
            }
        }
        let base = directoryOf(file)
        var buildReader = RequirementsReader(directory: directory, environment: .virtualenv)
        buildReader.read(
            items: reader.strings(root["build_dependencies"], field: "build_dependencies").map {
                LogicalLine(text: $0.value, location: $0.location)
            },
            baseDirectory: base, includeChain: [file])
        var dependencyReader = RequirementsReader(directory: directory, environment: .virtualenv)
        dependencyReader.read(
            items: reader.strings(root["dependencies"], field: "dependencies").map {
                LogicalLine(text: $0.value, location: $0.location)
            },
            baseDirectory: base, includeChain: [file])
        environment.buildDependencies = buildReader.requirements
        environment.requirements = dependencyReader.requirements
        options += buildReader.options + dependencyReader.options
        filesRead += buildReader.filesRead + dependencyReader.filesRead
        diagnostics += reader.diagnostics + buildReader.diagnostics + dependencyReader.diagnostics
        return environment
    }
}

/// An environment file's top-level mapping; nil, with a diagnostic, when the file is empty or
/// holds something else.
private func environmentMapping(_ root: YAMLNode?, file: String, holding keys: String, diagnostics: inout [Diagnostic])
    -> YAMLNode?
{
    guard let root else {
        diagnostics.append(
            Diagnostic(
                .warning, "empty-env-file", "\(file) is empty: the environment declares no packages",
                at: SourceLocation(file: file)))
        return nil
    }
    guard root.isMapping else {
        diagnostics.append(
            Diagnostic(
                .error, "invalid-env-file", "\(file): " + Message.expected("a mapping with \(keys)", found: root),
                at: SourceLocation(file: file, mark: root.mark)))
        return nil
    }
    return root
}

func directoryOf(_ relativePath: String) -> String {
    guard let slash = relativePath.lastIndex(of: "/") else { return "" }
    return String(relativePath[..<slash])
}
