// The MLmodel file (mlflow/models/model.py `Model.to_dict`). Known fields are typed; every
// other key is kept with its YAML value, never an error: MLflow adds keys in new releases and
// third-party flavors add their own.

import JSON
import YAML

public struct MLModel: Hashable, Sendable {
    public var artifactPath: String?
    public var flavors: [Flavor]
    public var pythonFunction: PythonFunctionFlavor?
    public var mlflowVersion: Located<String>?
    public var modelUUID: String?
    public var modelID: String?
    public var runID: String?
    public var utcTimeCreated: String?
    public var signature: Signature?
    public var inputExample: InputExampleInfo?
    public var metadata: YAMLNode?
    public var modelSizeBytes: Int?
    public var databricksRuntime: String?
    /// Keys this version of mlenv does not interpret, in file order.
    public var otherKeys: [String: YAMLNode]
    public var otherKeyOrder: [String]

    public func flavor(named name: String) -> Flavor? { flavors.first { $0.name == name } }
}

public struct Flavor: Hashable, Sendable {
    public let name: String
    public let fields: YAMLNode
    public let location: SourceLocation

    /// A flavor field's scalar text (`sklearn_version`, `pytorch_version`, ...).
    public func string(_ key: String) -> Located<String>? {
        guard let node = fields[key], let text = node.scalarText, !node.isNull else { return nil }
        return Located(text, at: SourceLocation(file: location.file, mark: node.mark))
    }
}

/// Where the pyfunc flavor says the environment is.
public enum EnvironmentReference: Hashable, Sendable {
    /// `env: {conda: conda.yaml, virtualenv: python_env.yaml}` (MLflow >= 1.26).
    case files(conda: Located<String>?, virtualenv: Located<String>?)
    /// `env: conda.yaml` (older MLflow).
    case condaFile(Located<String>)
    /// `env: null` or absent.
    case none
}

public struct PythonFunctionFlavor: Hashable, Sendable {
    public var loaderModule: Located<String>?
    public var pythonVersion: Located<String>?
    public var env: EnvironmentReference
    public var modelPath: String?
    public var data: String?
    public var code: String?
    public var predictFn: String?
}

public struct InputExampleInfo: Hashable, Sendable {
    public var artifactPath: Located<String>?
    public var type: String?
    public var pandasOrient: String?
    public var format: String?
    public var servingInputPath: String?
}

enum MLModelParser {
    static func parse(_ root: YAMLNode?, file: String, diagnostics: inout [Diagnostic]) throws(ModelFilesError)
        -> MLModel
    {
        guard let root, let pairs = root.pairs else {
            let found = root.map { "a \($0.kindName)" } ?? "an empty file"
            throw ModelFilesError(
                "invalid-mlmodel", "MLmodel must be a YAML mapping of model fields, found \(found)",
                at: SourceLocation(file: file, line: root?.mark.line ?? 1, column: root?.mark.column ?? 1))
        }
        var reader = FieldReader(file: file)
        var model = MLModel(
            artifactPath: nil, flavors: [], pythonFunction: nil, mlflowVersion: nil, modelUUID: nil, modelID: nil,
            runID: nil, utcTimeCreated: nil, signature: nil, inputExample: nil, metadata: nil,
            modelSizeBytes: nil, databricksRuntime: nil, otherKeys: [:], otherKeyOrder: [])

        for pair in pairs {
            guard let key = pair.key.scalarText else {
                reader.diagnostics.append(
                    Diagnostic(
                        .warning, "unexpected-type", "MLmodel has a non-string key; ignored",
                        at: reader.location(pair.key)))
                continue
            }
            let value = pair.value
            switch key {
            case "artifact_path": model.artifactPath = reader.string(value, field: key)
            case "flavors": model.flavors = parseFlavors(value, reader: &reader)
            case "mlflow_version":
                model.mlflowVersion = reader.string(value, field: key).map { Located($0, at: reader.location(value)) }
            case "model_uuid": model.modelUUID = reader.string(value, field: key)
            case "model_id": model.modelID = reader.string(value, field: key)
            case "run_id": model.runID = reader.string(value, field: key)
            case "utc_time_created": model.utcTimeCreated = reader.string(value, field: key)
            case "signature": model.signature = parseSignature(value, reader: &reader)
            case "saved_input_example_info": model.inputExample = parseInputExample(value, reader: &reader)
            case "metadata": model.metadata = value.isNull ? nil : value
            case "model_size_bytes":
                if case .int(let text) = value.resolved {
                    model.modelSizeBytes = Int(text)
                } else if !value.isNull {
                    reader.diagnostics.append(
                        Diagnostic(
                            .warning, "unexpected-type",
                            "model_size_bytes: " + Message.expected("an integer", found: value),
                            at: reader.location(value)))
                }
            case "databricks_runtime": model.databricksRuntime = reader.string(value, field: key)
            default:
                if model.otherKeys[key] == nil { model.otherKeyOrder.append(key) }
                model.otherKeys[key] = value
            }
        }
        if let pyfunc = model.flavor(named: "python_function") {
            model.pythonFunction = parsePythonFunction(pyfunc, reader: &reader)
        }
        diagnostics += reader.diagnostics
        return model
    }

    private static func parseFlavors(_ node: YAMLNode, reader: inout FieldReader) -> [Flavor] {
        guard let pairs = node.pairs else {
            if !node.isNull {
                reader.diagnostics.append(
                    Diagnostic(
                        .error, "invalid-mlmodel",
                        "flavors: " + Message.expected("a mapping of flavor name to fields", found: node),
                        at: reader.location(node)))
            }
            return []
        }
        return pairs.compactMap { pair in
            guard let name = pair.key.scalarText else { return nil }
            return Flavor(name: name, fields: pair.value, location: reader.location(pair.key))
        }
    }

    private static func parsePythonFunction(_ flavor: Flavor, reader: inout FieldReader) -> PythonFunctionFlavor {
        let fields = flavor.fields
        func located(_ key: String) -> Located<String>? {
            guard let node = fields[key] else { return nil }
            return reader.string(node, field: "python_function.\(key)").map { Located($0, at: reader.location(node)) }
        }
        var env = EnvironmentReference.none
        if let envNode = fields["env"], !envNode.isNull {
            if let text = envNode.scalarText {
                env = .condaFile(Located(text, at: reader.location(envNode)))
            } else if envNode.isMapping {
                var conda: Located<String>?
                var virtualenv: Located<String>?
                for pair in envNode.pairs ?? [] {
                    guard let key = pair.key.scalarText else { continue }
                    let text = reader.string(pair.value, field: "python_function.env.\(key)").map {
                        Located($0, at: reader.location(pair.value))
                    }
                    switch key {
                    case "conda": conda = text
                    case "virtualenv": virtualenv = text
                    default:
                        reader.diagnostics.append(
                            Diagnostic(
                                .note, "unknown-env-kind",
                                "python_function.env.\(key) is not an environment kind mlenv reads (conda, virtualenv); ignored",
                                at: reader.location(pair.key)))
                    }
                }
                env = .files(conda: conda, virtualenv: virtualenv)
            } else {
                reader.diagnostics.append(
                    Diagnostic(
                        .error, "invalid-mlmodel",
                        "python_function.env: "
                            + Message.expected("a file name or a mapping {conda: ..., virtualenv: ...}", found: envNode),
                        at: reader.location(envNode)))
            }
        }
        return PythonFunctionFlavor(
            loaderModule: located("loader_module"),
            pythonVersion: located("python_version"),
            env: env,
            modelPath: located("model_path")?.value,
            data: located("data")?.value,
            code: located("code")?.value,
            predictFn: located("predict_fn")?.value
        )
    }

    private static func parseSignature(_ node: YAMLNode, reader: inout FieldReader) -> Signature? {
        guard !node.isNull else { return nil }
        guard node.isMapping else {
            reader.diagnostics.append(
                Diagnostic(
                    .error, "invalid-signature",
                    "signature: " + Message.expected("a mapping with inputs, outputs and params", found: node),
                    at: reader.location(node)))
            return nil
        }
        var signature = Signature(inputs: nil, outputs: nil, params: nil)
        for part in ["inputs", "outputs", "params"] {
            guard let value = node[part], !value.isNull else { continue }
            guard let text = value.scalarText else {
                reader.diagnostics.append(
                    Diagnostic(
                        .error, "invalid-signature",
                        Message.invalidSignature(part, "expected a JSON string, found a \(value.kindName)"),
                        at: reader.location(value)))
                continue
            }
            do throws(SignatureError) {
                switch part {
                case "inputs": signature.inputs = try SignatureParser.schema(fromJSON: text)
                case "outputs": signature.outputs = try SignatureParser.schema(fromJSON: text)
                default: signature.params = try SignatureParser.params(fromJSON: text)
                }
            } catch {
                // The JSON sits inside a YAML scalar; point at the scalar (and the line inside it when it is a block).
                var location = reader.location(value)
                if let jsonError = error.jsonError, value.style == .literal || value.style == .folded {
                    location = SourceLocation(file: reader.file, line: value.mark.line + jsonError.line, column: nil)
                }
                reader.diagnostics.append(
                    Diagnostic(.error, "invalid-signature", Message.invalidSignature(part, error.message), at: location)
                )
            }
        }
        return signature
    }

    private static func parseInputExample(_ node: YAMLNode, reader: inout FieldReader) -> InputExampleInfo? {
        guard !node.isNull else { return nil }
        guard node.isMapping else {
            reader.diagnostics.append(
                Diagnostic(
                    .warning, "unexpected-type",
                    "saved_input_example_info: " + Message.expected("a mapping", found: node), at: reader.location(node)
                ))
            return nil
        }
        return InputExampleInfo(
            artifactPath: node["artifact_path"].flatMap { n in
                reader.string(n, field: "saved_input_example_info.artifact_path").map {
                    Located($0, at: reader.location(n))
                }
            },
            type: reader.string(node["type"], field: "saved_input_example_info.type"),
            pandasOrient: reader.string(node["pandas_orient"], field: "saved_input_example_info.pandas_orient"),
            format: reader.string(node["format"], field: "saved_input_example_info.format"),
            servingInputPath: reader.string(
                node["serving_input_path"], field: "saved_input_example_info.serving_input_path")
        )
    }
}
