// `params`: MLflow's `_enforce_params_schema` and `ParamSpec.validate_type_and_shape`
// (mlflow/models/utils.py, mlflow/types/schema.py, MLflow 3.17.2):
// - without a params schema, params are ignored (a warning in MLflow's log);
// - with one, params must be an object; unknown names are dropped; a missing param takes its default;
// - scalars: the JSON type must be the param's, except int → long/float/double, and long →
//   float/double; `null` is accepted for any param; datetimes are parsed by numpy;
// - `shape: [-1]` params take a 1-D list whose elements follow the scalar rules.

import JSON
import ModelFiles

extension RequestCheck {
    func checkParams(_ value: JSONValue?, path: String) {
        let specs = signatureParams
        guard let value else {
            if let specs, !specs.isEmpty {
                sink.note(
                    path,
                    "no params sent: the model gets the defaults (\(specs.map { "\($0.name)=\($0.defaultValue.quoted)" }.joined(separator: ", ")))"
                )
            }
            return
        }
        guard let specs else {
            if value.isNull { return }
            if case .object(let o) = value, o.isEmpty { return }
            sink.warning(path, "the model has no params schema, so MLflow ignores these params")
            return
        }
        if value.isNull { return }
        guard case .object(let object) = value else {
            sink.error(
                path,
                "params must be an object of name → value, found \(value.kindName) (MLflow: Parameters must be a dictionary)"
            )
            return
        }
        let known = Set(specs.map(\.name))
        let unknown = object.keys.filter { !known.contains($0) }
        if !unknown.isEmpty {
            sink.warning(
                path,
                "unknown param(s) \(unknown.map { "'\($0)'" }.joined(separator: ", ")) are dropped; the model's params are \(specs.map { "'\($0.name)'" }.joined(separator: ", "))"
            )
        }
        for spec in specs {
            guard let given = object[spec.name] else { continue }
            let paramPath = Paths.member(path, spec.name)
            if let message = paramError(given, spec: spec) {
                sink.error(paramPath, "param '\(spec.name)' (\(describe(spec))): \(message)")
            } else if let change = paramChange(given, spec: spec) {
                sink.warning(paramPath, "param '\(spec.name)' (\(describe(spec))): \(change)")
            }
        }
        let defaulted = specs.filter { object[$0.name] == nil }
        if !defaulted.isEmpty {
            sink.note(
                path,
                "param(s) not sent take their defaults: \(defaulted.map { "\($0.name)=\($0.defaultValue.quoted)" }.joined(separator: ", "))"
            )
        }
    }

    private func describe(_ spec: ParamSpec) -> String {
        spec.shape == nil ? "\(spec.type)" : "list of \(spec.type)"
    }

    private func paramError(_ value: JSONValue, spec: ParamSpec) -> String? {
        if let shape = spec.shape {
            guard shape == [-1] else { return "the signature's shape \(shape) is not supported by MLflow (only [-1])" }
            guard case .array(let items) = value else {
                return "expected a 1-D list, found \(value.kindName)"
            }
            var analysis = TensorAnalysis(dtype: nil)
            analysis.add(value, indexPath: [])
            if analysis.ragged || analysis.shape.count != 1 {
                return "expected a 1-D list, found a nested list"
            }
            for (i, item) in items.enumerated() {
                if let message = scalarParamError(item, type: spec.type) { return "element [\(i)]: \(message)" }
            }
            return nil
        }
        return scalarParamError(value, type: spec.type)
    }

    private func scalarParamError(_ value: JSONValue, type: ColumnType) -> String? {
        if value.isNull { return nil }
        switch type {
        case .scalar(let dataType):
            switch value {
            case .array, .object:
                return dataType == .datetime
                    ? "expected a date/time, found \(value.kindName)"
                    : "expected a single \(dataType), found \(value.kindName)"
            default: break
            }
            switch dataType {
            case .datetime:
                switch value {
                case .string(let s):
                    // `.item()` gives an int (refused) for years past 9999.
                    let digits = s.trimmingPythonWhitespaceString()
                    if digits.allSatisfy(\.isNumber) && digits.count > 4 {
                        return "\(value.quoted) is not a date/time (a year past 9999)"
                    }
                    return DateText.numpyAccepts(s) ? nil : "\(value.quoted) is not a date/time numpy can parse"
                default: return "expected a date/time string, found \(value.kindName) \(value.quoted)"
                }
            case .boolean:
                if case .bool = value { return nil }
            case .integer, .long:
                if case .number(let n) = value, case .int = PyNumber(n) { return nil }
                if case .number(let n) = value, case .bigInt = PyNumber(n) { return nil }
            case .float, .double:
                if case .number = value { return nil }
            case .string:
                if case .string = value { return nil }
            case .binary:
                return "binary params are not supported by MLflow"
            }
            return "expected \(dataType), found \(value.kindName) \(value.quoted) (MLflow: Can not safely convert)"
        case .object:
            return StrictTypes.typeError(value, type, required: true)
        default:
            return "params of type \(type) are not supported by MLflow"
        }
    }

    private func paramChange(_ value: JSONValue, spec: ParamSpec) -> String? {
        guard spec.shape == nil, case .scalar(let dataType) = spec.type, case .number(let n) = value else { return nil }
        if case .int(let i) = PyNumber(n), dataType == .integer, i < Int64(Int32.min) || i > Int64(Int32.max) {
            return "\(i) does not fit int32"
        }
        return nil
    }
}
