// `mlenv inspect` output: a short text summary for people and a stable JSON document for tools
// (documented in README.md, "mlenv inspect --format json"). Field names are snake_case; absent
// values are null, never omitted, so consumers can rely on every key.

import JSON
import Specs
import YAML

public enum InspectionReport {
    public static let schemaVersion = 1

    // MARK: JSON

    public static func json(_ env: DeclaredEnvironment) -> JSONValue {
        let m = env.mlmodel
        var model = JSONObject()
        model.append("artifact_path", .optional(m.artifactPath))
        model.append("mlflow_version", .optional(m.mlflowVersion?.value))
        model.append("model_uuid", .optional(m.modelUUID))
        model.append("run_id", .optional(m.runID))
        model.append("utc_time_created", .optional(m.utcTimeCreated))
        model.append("databricks_runtime", .optional(m.databricksRuntime))
        model.append("model_size_bytes", m.modelSizeBytes.map { .int($0) } ?? .null)
        model.append(
            "flavors",
            .array(
                m.flavors.map { flavor in
                    ["name": .string(flavor.name), "fields": yamlToJSON(flavor.fields)]
                }))
        model.append("python_function", m.pythonFunction.map(pythonFunction) ?? .null)
        model.append("signature", m.signature.map(signature) ?? .null)
        model.append(
            "saved_input_example_info",
            m.inputExample.map { info in
                [
                    "artifact_path": .optional(info.artifactPath?.value), "type": .optional(info.type),
                    "pandas_orient": .optional(info.pandasOrient), "format": .optional(info.format),
                    "serving_input_path": .optional(info.servingInputPath)
                ]
            } ?? .null)
        model.append("metadata", m.metadata.map(yamlToJSON) ?? .null)
        var other = JSONObject()
        for key in m.otherKeyOrder { if let node = m.otherKeys[key] { other.append(key, yamlToJSON(node)) } }
        model.append("other_fields", .object(other))

        var root = JSONObject()
        root.append("schema_version", .int(schemaVersion))
        root.append("model", .string(env.modelPath))
        root.append("mlmodel", .object(model))
        root.append(
            "python",
            [
                "target": env.targetPython.map { .string($0.version) } ?? .null,
                "statements": .array(
                    env.python.map { s in
                        var o = JSONObject()
                        o.append("source", .string(s.source.rawValue))
                        o.append("version", .string(s.version))
                        appendLocation(s.location, to: &o)
                        return .object(o)
                    })
            ])
        root.append("conda", env.conda.map(conda) ?? .null)
        root.append("virtualenv", env.virtualenv.map(virtualenv) ?? .null)
        root.append(
            "pip_options",
            .array(
                env.pipOptions.map { option in
                    var o = JSONObject()
                    o.append("option", .string(option.name))
                    o.append("value", .optional(option.value))
                    o.append("environment", .string(option.environment.rawValue))
                    appendLocation(option.location, to: &o)
                    return .object(o)
                }))
        root.append(
            "input_example",
            env.inputExample.map { example in
                ["path": .string(example.path), "exists": .bool(example.exists), "parsed": .bool(example.value != nil)]
            } ?? .null)
        root.append("files_read", .array(env.filesRead.map { .string($0) }))
        root.append("diagnostics", .array(env.diagnostics.map(diagnostic)))
        return .object(root)
    }

    public static func diagnostic(_ d: Diagnostic) -> JSONValue {
        var o = JSONObject()
        o.append("severity", .string(d.severity.rawValue))
        o.append("code", .string(d.code))
        o.append("message", .string(d.message))
        if let location = d.location {
            appendLocation(location, to: &o)
        } else {
            o.append("file", .null)
            o.append("line", .null)
            o.append("column", .null)
        }
        return .object(o)
    }

    static func appendLocation(_ location: SourceLocation, to object: inout JSONObject) {
        object.append("file", .string(location.file))
        object.append("line", location.line.map { .int($0) } ?? .null)
        object.append("column", location.column.map { .int($0) } ?? .null)
    }

    private static func pythonFunction(_ p: PythonFunctionFlavor) -> JSONValue {
        var env: JSONValue
        switch p.env {
        case .files(let conda, let virtualenv):
            env = ["form": "mapping", "conda": .optional(conda?.value), "virtualenv": .optional(virtualenv?.value)]
        case .condaFile(let conda):
            env = ["form": "string", "conda": .string(conda.value), "virtualenv": .null]
        case .none:
            env = ["form": "none", "conda": .null, "virtualenv": .null]
        }
        return [
            "loader_module": .optional(p.loaderModule?.value), "python_version": .optional(p.pythonVersion?.value),
            "env": env, "model_path": .optional(p.modelPath), "data": .optional(p.data), "code": .optional(p.code),
            "predict_fn": .optional(p.predictFn)
        ]
    }

    public static func signature(_ s: Signature) -> JSONValue {
        [
            "inputs": s.inputs.map(schema) ?? .null,
            "outputs": s.outputs.map(schema) ?? .null,
            "params": s.params.map { params in
                .array(
                    params.map { p in
                        [
                            "name": .string(p.name), "type": .string(p.type.description), "default": p.defaultValue,
                            "shape": p.shape.map { .array($0.map { .int($0) }) } ?? .null
                        ]
                    })
            } ?? .null
        ]
    }

    private static func schema(_ s: Schema) -> JSONValue {
        switch s {
        case .columns(let columns):
            return [
                "kind": "columns",
                "columns": .array(
                    columns.map { c in
                        ["name": .optional(c.name), "type": .string(c.type.description), "required": .bool(c.required)]
                    })
            ]
        case .tensors(let tensors):
            return [
                "kind": "tensors",
                "tensors": .array(
                    tensors.map { t in
                        [
                            "name": .optional(t.name), "dtype": .string(t.dtype),
                            "shape": .array(t.shape.map { .int($0) })
                        ]
                    })
            ]
        }
    }

    private static func conda(_ c: CondaEnvironment) -> JSONValue {
        [
            "file": .string(c.file), "name": .optional(c.name),
            "channels": .array(c.channels.map { .string($0.value) }),
            "dependencies": .array(
                c.dependencies.map { d in
                    var o = JSONObject()
                    o.append("spec", .string(d.text))
                    o.append("name", .string(d.spec.name))
                    o.append("version", .optional(d.spec.version?.description))
                    o.append("build", .optional(d.spec.build))
                    o.append("channel", .optional(d.spec.channel))
                    appendLocation(d.location, to: &o)
                    return .object(o)
                }),
            "pip": .array(c.pip.map(requirement))
        ]
    }

    private static func virtualenv(_ v: VirtualEnvironment) -> JSONValue {
        [
            "file": .string(v.file), "python": .optional(v.python?.value),
            "build_dependencies": .array(v.buildDependencies.map(requirement)),
            "dependencies": .array(v.requirements.map(requirement))
        ]
    }

    public static func requirement(_ r: PipRequirement) -> JSONValue {
        var o = JSONObject()
        o.append("text", .string(r.text))
        o.append("form", .string(r.form.rawValue))
        o.append("name", .optional(r.name))
        o.append("normalized_name", .optional(r.normalizedName?.value))
        o.append("extras", .array((r.requirement?.extras ?? []).map { .string($0) }))
        o.append("specifier", .optional(r.requirement.map { $0.specifier.description }))
        o.append("marker", .optional(r.requirement?.marker?.description))
        o.append("url", .optional(r.requirement?.url ?? (r.form == .url ? r.text : nil)))
        o.append("hashes", .array(r.hashes.map { .string($0) }))
        o.append("constraint", .bool(r.isConstraint))
        appendLocation(r.location, to: &o)
        return .object(o)
    }

    /// YAML values as PyYAML would load them, for flavor fields and metadata.
    public static func yamlToJSON(_ node: YAMLNode) -> JSONValue {
        switch node.kind {
        case .scalar(let text, _):
            switch node.resolved {
            case .null: return .null
            case .bool(let b): return .bool(b)
            case .int(let t):
                let digits = t.filter { $0 != "_" }
                return Int(digits).map { .int($0) } ?? .string(text)
            case .float(let d):
                return d.isFinite ? .number(JSONNumber(text: "\(d)")) : .string(text)
            default: return .string(text)
            }
        case .sequence(let items): return .array(items.map(yamlToJSON))
        case .mapping(let pairs):
            return .object(
                JSONObject(pairs.map { JSONObject.Entry(key: $0.key.scalarText ?? "", value: yamlToJSON($0.value)) }))
        }
    }

    // MARK: Text

    public static func text(_ env: DeclaredEnvironment) -> String {
        var out = ""
        let m = env.mlmodel
        out += "Model: \(env.modelPath)\n"
        out += "  flavors: \(m.flavors.map(\.name).joined(separator: ", "))\n"
        if let loader = m.pythonFunction?.loaderModule { out += "  loader: \(loader.value)\n" }
        out += "  mlflow: \(m.mlflowVersion?.value ?? "not recorded")\n"
        if let created = m.utcTimeCreated { out += "  created: \(created) UTC\n" }
        if let runtime = m.databricksRuntime { out += "  databricks runtime: \(runtime)\n" }

        out += "\nPython: \(env.targetPython?.version ?? "not stated")\n"
        for s in env.python { out += "  \(s.version)  (\(s.source.rawValue), \(s.location))\n" }

        if let conda = env.conda {
            out += "\nconda (\(conda.file))"
            if !conda.channels.isEmpty { out += ", channels: \(conda.channels.map(\.value).joined(separator: ", "))" }
            out += "\n"
            for d in conda.dependencies { out += "  \(d.text)\n" }
            if !conda.pip.isEmpty {
                out += "  pip:\n"
                for r in conda.pip { out += "    \(describe(r))\n" }
            }
        }
        if let venv = env.virtualenv {
            out += "\nvirtualenv (\(venv.file))\n"
            if !venv.buildDependencies.isEmpty {
                out += "  build: \(venv.buildDependencies.map(\.text).joined(separator: ", "))\n"
            }
            for r in venv.requirements { out += "  \(describe(r))\n" }
        }
        if !env.pipOptions.isEmpty {
            out += "\npip options\n"
            for o in env.pipOptions { out += "  \(o.name)\(o.value.map { " \($0)" } ?? "")  (\(o.location))\n" }
        }
        out += "\nSignature: "
        if let s = m.signature {
            out += "inputs \(summary(s.inputs)); outputs \(summary(s.outputs))"
            if let params = s.params, !params.isEmpty {
                out += "; params \(params.map(\.name).joined(separator: ", "))"
            }
            out += "\n"
        } else {
            out += "none\n"
        }
        if let example = env.inputExample {
            out += "Input example: \(example.path)\(example.exists ? "" : " (missing)")"
            if let type = m.inputExample?.type { out += " (\(type))" }
            out += "\n"
        }
        return out
    }

    private static func describe(_ r: PipRequirement) -> String {
        var text = r.text
        if r.isConstraint { text += "  [constraint]" }
        if r.form != .named { text += "  [\(r.form.rawValue)]" }
        return text + "  (\(r.location))"
    }

    private static func summary(_ schema: Schema?) -> String {
        switch schema {
        case nil: return "none"
        case .columns(let c)?:
            let names = c.prefix(4).map { "\($0.name ?? "_"): \($0.type)" }.joined(separator: ", ")
            return "\(c.count) column\(c.count == 1 ? "" : "s") (\(names)\(c.count > 4 ? ", ..." : ""))"
        case .tensors(let t)?:
            return t.map { "tensor\($0.name.map { " \($0)" } ?? "") \($0.dtype) \($0.shape)" }.joined(separator: ", ")
        }
    }
}
