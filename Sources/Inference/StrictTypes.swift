// MLflow's strict type check (`_enforce_mlflow_datatype`) and the Array / Object / Map checks of
// MLflow 2.10+ (`_enforce_array`, `_enforce_object`, `_enforce_map`, `_enforce_datatype`,
// `_enforce_type` in mlflow/models/utils.py, MLflow 3.17.2).
//
// The strict check looks at the dtype pandas infers for a list of values, not at each value:
// `[1, 2]` is int64, which is not "safely convertible" to an Array(integer) (int32) or to an
// Array(double) (int64 → float64 is only allowed when every value is 0 or 1); `[1, 2.5]` is
// float64; `["a", 1]` is object, which passes for string. These surprises are MLflow's, kept.

import JSON
import ModelFiles

/// The dtype `pd.Series(values)` infers.
enum SeriesDtype: Hashable, Sendable, CustomStringConvertible {
    case bool, int64, uint64, float64, object

    static func infer(_ values: [JSONValue]) -> SeriesDtype {
        var hasBool = false
        var hasInt = false
        var hasBigPositive = false
        var hasNegative = false
        var hasTooBig = false
        var hasFloat = false
        var hasNull = false
        var hasOther = false
        for value in values {
            switch value {
            case .null: hasNull = true
            case .bool: hasBool = true
            case .number(let n):
                switch PyNumber(n) {
                case .int(let i):
                    hasInt = true
                    if i < 0 { hasNegative = true }
                case .bigInt(_, let fits): if fits { hasBigPositive = true } else { hasTooBig = true }
                case .float: hasFloat = true
                }
            case .string, .array, .object: hasOther = true
            }
        }
        if values.isEmpty || hasOther { return .object }
        if hasBool { return (hasInt || hasFloat || hasNull || hasBigPositive || hasTooBig) ? .object : .bool }
        if hasTooBig { return .object }
        if hasBigPositive { return (hasNegative || hasFloat || hasNull) ? .object : .uint64 }
        if hasInt || hasFloat { return (hasFloat || hasNull) ? .float64 : .int64 }
        return .object  // only nulls
    }

    /// The dtype of `np.array(values)` (no dtype given) as pandas then sees it: bools mixed with
    /// numbers become numbers, None makes an object array, any string makes a str array (object).
    static func inferNumpy(_ values: [JSONValue]) -> SeriesDtype {
        var hasBool = false
        var hasInt = false
        var hasFloat = false
        var hasBig = false
        var hasOther = false
        for value in values {
            switch value {
            case .bool: hasBool = true
            case .number(let n):
                switch PyNumber(n) {
                case .int: hasInt = true
                case .bigInt: hasBig = true
                case .float: hasFloat = true
                }
            default: hasOther = true
            }
        }
        if values.isEmpty || hasOther || hasBig { return .object }
        if hasFloat { return .float64 }
        if hasInt { return .int64 }
        return hasBool ? .bool : .object
    }

    var description: String {
        switch self {
        case .bool: return "bool"
        case .int64: return "int64"
        case .uint64: return "uint64"
        case .float64: return "float64"
        case .object: return "object"
        }
    }
}

enum StrictTypes {
    /// `_enforce_mlflow_datatype` on the Series pandas builds from `values`; nil when accepted.
    static func seriesError(_ values: [JSONValue], as type: DataType, dtype inferred: SeriesDtype? = nil) -> String? {
        let dtype = inferred ?? SeriesDtype.infer(values)
        let target = NumpyDType(type)
        switch (dtype, type) {
        case (.object, .string), (.object, .binary), (.object, .boolean):
            return nil
        case (.object, .datetime):
            for value in values {
                switch value {
                case .null: continue
                case .string(let s) where DateText.pandasAccepts(s): continue
                case .number(let n) where PyNumber(n).isInt: continue
                default: return "Failed to convert column from type object to datetime (\(value.quoted))"
                }
            }
            return nil
        case (.object, .double):
            // `values.dtype == decimal.Decimal` is true for any object column (numpy maps the class to
            // dtype object), so MLflow tries `pd.to_numeric`: numbers, bools, numeric strings, nulls pass.
            for value in values {
                switch value {
                case .null, .bool, .number: continue
                case .string(let s):
                    let t = s.trimmingPythonWhitespaceString().lowercased()
                    if t.isEmpty || (t != "nan" && !t.contains("_") && PythonText.float(s) != nil) { continue }
                    return
                        "Failed to convert column from type object to double (pd.to_numeric: Unable to parse string \(value.quoted))"
                default:
                    return "Failed to convert column from type object to double (pd.to_numeric: Invalid object type)"
                }
            }
            return nil
        case (.bool, .boolean), (.int64, .long), (.float64, .double):
            return nil
        case (.int64, .double), (.int64, .float):
            if values.allSatisfy({ v in
                if case .number(let n) = v, case .int(let i) = PyNumber(n) { return i == 0 || i == 1 }
                return false
            }) {
                return nil
            }
            return
                "Incompatible input types. Can not safely convert int64 to \(target == .float(bits: 32) ? "float32" : "float64") (MLflow only widens int64 to floating point when every value is 0 or 1; write the numbers with a decimal point)"
        default:
            let to: String
            switch type {
            case .string: to = "<U0"
            case .binary: to = "|S0"
            default: to = target.description
            }
            return "Incompatible input types. Can not safely convert \(dtype) to \(to)"
        }
    }

    /// `_enforce_type(data, type, required)`; nil when accepted.
    static func typeError(_ value: JSONValue, _ type: ColumnType, required: Bool) -> String? {
        switch type {
        case .any:
            return nil
        case .scalar(let dataType):
            if !required, isNoneOrNaN(value) { return nil }
            switch value {
            case .null, .array, .object:
                return "Expected data to be scalar, got \(value.pythonTypeName)"
            default:
                return seriesError([value], as: dataType).map { _ in
                    "Failed to enforce schema of data `\(value.quoted)` with dtype `\(dataType)`"
                }
            }
        case .array(let items):
            if !required || items == .any {
                if value.isNull { return nil }
                if case .array(let a) = value, a.isEmpty { return nil }
            }
            guard case .array(let elements) = value else {
                return "Expected data to be list or numpy array, got \(value.pythonTypeName)"
            }
            if case .scalar(let dataType) = items {
                guard !elements.isEmpty else { return nil }
                if let error = seriesError(elements, as: dataType) { return error }
                // pandas turns the dates into int64 nanoseconds, which the cast to datetime64[ns]
                // refuses (MLflow 3.17.2, pandas 2.3.3); an array of nulls only stays object.
                if dataType == .datetime, elements.contains(where: { !isNoneOrNaN($0) }) {
                    return
                        "Incompatible input types for column . Can not safely convert int64 to datetime64[ns] (MLflow cannot enforce Array(datetime) on dates)"
                }
                // `.to_numpy(dtype=...)` cannot put a list into one element.
                if elements.contains(where: {
                    if case .array = $0 { return true }
                    return false
                }) {
                    return "setting an array element with a sequence: the elements of \(type) must be single values"
                }
                // `.to_numpy(dtype=bytes)` encodes text as ASCII.
                if dataType == .binary,
                    elements.contains(where: {
                        if case .string(let s) = $0 { return s.utf8.contains { $0 >= 0x80 } }
                        return false
                    })
                {
                    return "a non-ASCII string cannot become bytes"
                }
                return nil
            }
            for (index, element) in elements.enumerated() {
                if let error = typeError(element, items, required: required) { return "[\(index)]: \(error)" }
            }
            return nil
        case .object(let properties):
            if !required {
                if value.isNull { return nil }
                if case .object(let o) = value, o.isEmpty { return nil }
            }
            guard case .object(let object) = value else {
                return "Expected data to be dictionary, got \(value.pythonTypeName)"
            }
            let names = Set(properties.map(\.name))
            let missing = properties.filter { $0.required && object[$0.name] == nil }.map(\.name)
            if !missing.isEmpty { return "Missing required properties: \(missing.sorted())" }
            let invalid = object.keys.filter { !names.contains($0) }
            if !invalid.isEmpty { return "Invalid properties not defined in the schema found: \(invalid)" }
            for property in properties {
                guard let propertyValue = object[property.name] else { continue }
                if let error = nestedDatetimeError(propertyValue, property.type) {
                    return "Failed to enforce schema for key `\(property.name)`. \(error)"
                }
                if let error = typeError(propertyValue, property.type, required: property.required) {
                    return
                        "Failed to enforce schema for key `\(property.name)`. Expected type \(property.type), received type \(propertyValue.pythonTypeName) (\(error))"
                }
            }
            return nil
        case .map(let values):
            if !required || values == .any {
                if value.isNull { return nil }
                if case .object(let o) = value, o.isEmpty { return nil }
            }
            guard case .object(let object) = value else {
                return "Expected data to be a dict, got \(value.pythonTypeName)"
            }
            for entry in object.entries {
                if let error = nestedDatetimeError(entry.value, values) { return "key '\(entry.key)': \(error)" }
                if let error = typeError(entry.value, values, required: required) {
                    return "key '\(entry.key)': \(error)"
                }
            }
            return nil
        }
    }

    /// A datetime inside an Object or a Map: pandas has made the value a Timestamp (a string, in
    /// params), which MLflow's property and map checks refuse; only a null passes.
    private static func nestedDatetimeError(_ value: JSONValue, _ type: ColumnType) -> String? {
        guard case .scalar(.datetime) = type, !isNoneOrNaN(value) else { return nil }
        return
            "Expected type datetime, received type \(value.pythonTypeName): MLflow cannot enforce a datetime inside an Object or a Map"
    }

    static func isNoneOrNaN(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return true
        case .number(let n):
            if case .float(let d) = PyNumber(n) { return d.isNaN }
            return false
        default: return false
        }
    }
}
