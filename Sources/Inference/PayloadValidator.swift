// The entry point: one request body (and its content type) against one model signature, with
// the verdict the model server would give and what it would change silently.
//
// Order of work, as the servers do it: JSON syntax (Python's `json.loads`, which also accepts
// NaN / Infinity), the top-level keys (protocol and request format), the body's shape and
// pandas / numpy casts, then MLflow's schema enforcement and the params.

import JSON
import ModelFiles

public struct PayloadValidator: Sendable {
    public let signature: Signature?
    /// Column specs by name, built once per signature (wide signatures are looked up per cell).
    let specsByName: [String: ColumnSpec]

    public init(signature: Signature?) {
        self.signature = signature
        var map: [String: ColumnSpec] = [:]
        if case .columns(let specs)? = signature?.inputs {
            for spec in specs.reversed() { if let name = spec.name { map[name] = spec } }
        }
        self.specsByName = map
    }

    public func validate(_ body: [UInt8], options: ValidationOptions = ValidationOptions()) -> PayloadReport {
        body.withUnsafeBufferPointer { validate(buffer: $0, options: options) }
    }

    public func validate(buffer: UnsafeBufferPointer<UInt8>, options: ValidationOptions = ValidationOptions())
        -> PayloadReport
    {
        let check = RequestCheck(bytes: buffer, signature: signature, options: options, specsByName: specsByName)
        check.run()
        return check.report()
    }
}

/// One validation run: the body, the signature, and the findings so far.
final class RequestCheck {
    let bytes: UnsafeBufferPointer<UInt8>
    let schema: Schema?
    let signatureParams: [ParamSpec]?
    let options: ValidationOptions
    let sink: FindingSink
    var requestProtocol: RequestProtocol?
    var format: RequestFormat?
    /// The signature's column specs by name (names are unique in a valid signature).
    private let specsByName: [String: ColumnSpec]

    func columnSpec(_ name: String, in specs: [ColumnSpec]) -> ColumnSpec? {
        if specs.count <= 8 { return specs.first { $0.name == name } }
        return specsByName[name]
    }

    init(
        bytes: UnsafeBufferPointer<UInt8>, signature: Signature?, options: ValidationOptions,
        specsByName: [String: ColumnSpec]
    ) {
        self.specsByName = specsByName
        // A UTF-8 byte order mark is accepted by `json.loads(bytes)`.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            self.bytes = UnsafeBufferPointer(rebasing: bytes[3...])
        } else {
            self.bytes = bytes
        }
        self.schema = signature?.inputs
        self.signatureParams = signature?.params
        self.options = options
        self.sink = FindingSink(limit: options.maxFindingsPerColumn)
    }

    func report() -> PayloadReport {
        PayloadReport(requestProtocol: requestProtocol, format: format, findings: sink.finish(), strict: options.strict)
    }

    func run() {
        let mime =
            options.contentType.split(separator: ";").first.map {
                String($0).trimmingPythonWhitespaceString().lowercased()
            } ?? ""
        let parameters = options.contentType.split(separator: ";").dropFirst().map {
            String($0).trimmingPythonWhitespaceString().lowercased()
        }
        for parameter in parameters {
            let parts = parameter.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.first == "charset" {
                if parts.count == 2, parts[1] != "utf-8" {
                    sink.error(
                        "", "charset \(parts[1]) is not supported: MLflow's scoring server only reads UTF-8 (HTTP 415)")
                    return
                }
            } else {
                sink.error(
                    "", "content type parameter '\(parameter)' is not supported by MLflow's scoring server (HTTP 415)")
                return
            }
        }
        switch mime {
        case "application/json":
            break
        case "text/csv":
            if options.forcedProtocol == .azureml {
                sink.error("", "Azure ML online endpoints take JSON; CSV bodies are for the MLflow protocol (HTTP 415)")
                return
            }
            requestProtocol = .mlflow
            format = .csv
            checkCSV()
            return
        default:
            sink.error(
                "",
                "content type '\(options.contentType)' is not supported: send application/json (or text/csv to an MLflow server) (HTTP 415)"
            )
            return
        }
        if schema == nil {
            sink.note("", "the model has no input signature: MLflow checks only the request's structure")
        }
        do {
            try checkJSON()
        } catch {
            sink.error("", "the body is not valid JSON: line \(error.line), column \(error.column): \(error.message)")
        }
    }

    private func checkJSON() throws(JSONError) {
        // The top-level pass skips every value, so it checks the whole body's syntax before
        // anything else is looked at: a malformed request is refused with the parser's position.
        var scanner = JSONScanner(bytes, pythonLiterals: true)
        guard try scanner.peekKind() == .object else {
            var syntax = JSONScanner(bytes, pythonLiterals: true)
            try syntax.skipValue()
            try syntax.expectEnd()
            let kind = try scanner.readValue().kindName
            sink.error(
                "",
                "the body must be a JSON object such as {\"input_data\": ...} (Azure ML) or {\"dataframe_split\": ...} (MLflow), found \(kind == "array" ? "a list" : "a \(kind)")"
            )
            return
        }
        try scanner.beginObject()
        var first = true
        var keys: [String] = []
        var ranges: [String: Range<Int>] = [:]
        while let key = try scanner.nextKey(&first) {
            let r = try scanner.skipValue()
            if ranges[key] == nil { keys.append(key) }
            ranges[key] = r  // json.loads keeps the last duplicate
        }
        try scanner.expectEnd()
        let mlflowKeys = ["dataframe_split", "dataframe_records", "instances", "inputs"]
        let llmKeys = ["messages", "prompt", "input"]
        let detected: RequestProtocol?
        if ranges["input_data"] != nil {
            detected = .azureml
        } else if keys.contains(where: { mlflowKeys.contains($0) || llmKeys.contains($0) }) {
            detected = .mlflow
        } else {
            detected = nil
        }
        guard let chosen = options.forcedProtocol ?? detected else {
            sink.error(
                "",
                "cannot tell the request protocol from the keys \(keys.isEmpty ? "(none)" : keys.map { "'\($0)'" }.joined(separator: ", ")): Azure ML requests have \"input_data\"; MLflow requests have exactly one of \(mlflowKeys.map { "\"\($0)\"" }.joined(separator: ", "))"
            )
            return
        }
        requestProtocol = chosen
        switch chosen {
        case .azureml: try checkAzure(keys: keys, ranges: ranges)
        case .mlflow: try checkMLflow(keys: keys, ranges: ranges, mlflowKeys: mlflowKeys, llmKeys: llmKeys)
        }
    }

    private func value(_ range: Range<Int>) throws(JSONError) -> JSONValue {
        var s = JSONScanner(bytes, range: range, pythonLiterals: true)
        return try s.readValue()
    }

    // MARK: Azure ML

    private func checkAzure(keys: [String], ranges: [String: Range<Int>]) throws(JSONError) {
        let extra = keys.filter { $0 != "input_data" && $0 != "params" }
        if !extra.isEmpty {
            sink.error(
                "",
                "unexpected top-level key(s) \(extra.map { "'\($0)'" }.joined(separator: ", ")) in an Azure ML request: only \"input_data\" and \"params\" are allowed (a body that mixes the Azure ML and MLflow protocols is a client bug)"
            )
        }
        guard let range = ranges["input_data"] else {
            sink.error("", "\"input_data\" is missing: Azure ML requests put the model input in \"input_data\"")
            return
        }
        var s = JSONScanner(bytes, range: range, pythonLiterals: true)
        switch try s.peekKind() {
        case .array:
            format = .inputs
            dispatchTreeFormat(try value(range), format: .inputs, path: "input_data")
        case .object:
            // Split DataFrame only with all of columns, index and data (Azure's scoring script).
            try s.beginObject()
            var first = true
            var inner = Set<String>()
            while let key = try s.nextKey(&first) {
                inner.insert(key)
                s.skipCheckedValue()
            }
            if inner.isSuperset(of: ["columns", "index", "data"]) {
                format = .dataframeSplit
                try dispatchFrame(range, format: .dataframeSplit, path: "input_data")
            } else {
                format = .inputs
                if inner.isSuperset(of: ["columns", "data"]) {
                    sink.warning(
                        "input_data",
                        "this object has \"columns\" and \"data\" but no \"index\": Azure ML reads it as named tensors, not as a DataFrame; add \"index\": [0, 1, ...]"
                    )
                }
                dispatchTreeFormat(try value(range), format: .inputs, path: "input_data")
            }
        case .null:
            sink.error("input_data", "\"input_data\" is null: it must hold the model input")
        default:
            let v = try value(range)
            sink.error(
                "input_data",
                "\"input_data\" is a \(v.kindName) (\(v.quoted)): expected a split DataFrame {\"columns\": [...], \"index\": [...], \"data\": [[...]]}, a list (tensor) or an object of named tensors"
            )
        }
        checkParams(try ranges["params"].map { r throws(JSONError) in try value(r) }, path: "params")
    }

    // MARK: MLflow

    private func checkMLflow(keys: [String], ranges: [String: Range<Int>], mlflowKeys: [String], llmKeys: [String])
        throws(JSONError)
    {
        if keys.contains(where: { llmKeys.contains($0) }) {
            format = .llm
            let paramNames = Set(signatureParams?.map(\.name) ?? [])
            var data = JSONObject()
            var params = JSONObject()
            for key in keys {
                guard let r = ranges[key] else { continue }
                if paramNames.contains(key) { params.append(key, try value(r)) } else { data.append(key, try value(r)) }
            }
            sink.note(
                "",
                "a body with \(keys.filter { llmKeys.contains($0) }.map { "\"\($0)\"" }.joined(separator: ", ")) is a unified LLM request: MLflow passes it to the model without parsing it as a DataFrame or tensor"
            )
            checkRawObject(data, path: "")
            checkParams(params.isEmpty ? nil : .object(params), path: "")
            return
        }
        let formats = keys.filter { mlflowKeys.contains($0) }
        guard formats.count == 1, let key = formats.first, let range = ranges[key],
            let format = RequestFormat(rawValue: key)
        else {
            sink.error(
                "",
                "an MLflow request must have exactly one of \(mlflowKeys.map { "\"\($0)\"" }.joined(separator: ", ")), found \(formats.isEmpty ? "none" : formats.map { "\"\($0)\"" }.joined(separator: " and ")) (the scoring protocol changed in MLflow 2.0)"
            )
            return
        }
        self.format = format
        let ignored = keys.filter { !mlflowKeys.contains($0) && $0 != "params" }
        if !ignored.isEmpty {
            sink.warning(
                "",
                "top-level key(s) \(ignored.map { "'\($0)'" }.joined(separator: ", ")) are ignored by MLflow's scoring server"
            )
        }
        switch format {
        case .dataframeSplit, .dataframeRecords:
            try dispatchFrame(range, format: format, path: key)
        default:
            dispatchTreeFormat(try value(range), format: format, path: key)
        }
        checkParams(try ranges["params"].map { r throws(JSONError) in try value(r) }, path: "params")
    }

    // MARK: Dispatch

    private func dispatchFrame(_ range: Range<Int>, format: RequestFormat, path: String) throws(JSONError) {
        switch format {
        case .dataframeSplit: try checkSplit(range, prefix: path, indexRequired: requestProtocol == .azureml)
        default: try checkRecords(range, prefix: path)
        }
    }

    /// `instances` / `inputs` bodies are read whole (they are small in practice; DataFrame bodies stream).
    private func dispatchTreeFormat(_ value: JSONValue, format: RequestFormat, path: String) {
        guard let schema else {
            // No signature: `np.array(value)` must still work for lists and each object value.
            switch value {
            case .array:
                var analysis = TensorAnalysis(dtype: nil)
                analysis.add(value, indexPath: [])
                if analysis.ragged,
                    format == .inputs
                        || !(value.arrayValue?.first.map {
                            if case .object = $0 { return true }
                            return false
                        } ?? false)
                {
                    sink.error(path, "a ragged nested list: numpy cannot make an array of it (inhomogeneous shape)")
                }
            case .object(let object):
                for entry in object.entries {
                    guard case .array = entry.value else { continue }
                    var analysis = TensorAnalysis(dtype: nil)
                    analysis.add(entry.value, indexPath: [])
                    if analysis.ragged {
                        sink.error(
                            Paths.member(path, entry.key),
                            "a ragged nested list: numpy cannot make an array of it (inhomogeneous shape)")
                    }
                }
                // `instances` as an object of columns: MLflow checks their lengths even without a signature.
                let lengths = Set(object.entries.compactMap { $0.value.arrayValue?.count })
                if format == .instances, lengths.count > 1 {
                    sink.error(
                        path,
                        "the columns have different lengths \(lengths.sorted()) (MLflow: The length of values for each input/column name are not the same)"
                    )
                }
            default: break
            }
            return
        }
        switch schema {
        case .tensors(let specs): checkTensorBody(value, specs: specs, format: format, path: path)
        case .columns(let specs): checkColumnBody(value, specs: specs, format: format, path: path)
        }
    }
}
