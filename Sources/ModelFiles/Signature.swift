// An MLflow model signature: `inputs`, `outputs` and `params` in MLmodel are JSON strings
// inside YAML (mlflow/models/signature.py, mlflow/types/schema.py). Traps:
// - a schema is either all columns (ColSpec) or all tensors (TensorSpec), never mixed;
// - columns may be unnamed (`[{"type": "double"}]`) and are `required` unless it says false;
// - MLflow 2.10+ adds Array / Object / Map column types as JSON objects, 2.19+ `any`;
// - `outputs: null` and a missing `params` are common.

import JSON

public enum DataType: String, Hashable, Sendable, CaseIterable {
    case boolean, integer, long, float, double, string, binary, datetime
}

/// The type of a column or of an element inside an Array/Object/Map.
public indirect enum ColumnType: Hashable, Sendable, CustomStringConvertible {
    case scalar(DataType)
    case array(items: ColumnType)
    case object(properties: [ObjectProperty])
    case map(values: ColumnType)
    case any

    public var description: String {
        switch self {
        case .scalar(let t): return t.rawValue
        case .array(let items): return "Array(\(items))"
        case .object(let props):
            return "{"
                + props.map { "\($0.name): \($0.type)\($0.required ? "" : " (optional)")" }.joined(separator: ", ")
                + "}"
        case .map(let values): return "Map(str -> \(values))"
        case .any: return "Any"
        }
    }
}

public struct ObjectProperty: Hashable, Sendable {
    public let name: String
    public let type: ColumnType
    public let required: Bool
    public init(name: String, type: ColumnType, required: Bool = true) {
        self.name = name
        self.type = type
        self.required = required
    }
}

public struct ColumnSpec: Hashable, Sendable {
    public let name: String?
    public let type: ColumnType
    public let required: Bool
    public init(name: String?, type: ColumnType, required: Bool = true) {
        self.name = name
        self.type = type
        self.required = required
    }
}

public struct TensorSpec: Hashable, Sendable {
    public let name: String?
    /// A numpy dtype name (`float64`, `int32`, `object`, `str`, `bool`, ...).
    public let dtype: String
    /// Dimensions; -1 means any size.
    public let shape: [Int]
    public init(name: String?, dtype: String, shape: [Int]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
    }
}

public enum Schema: Hashable, Sendable {
    case columns([ColumnSpec])
    case tensors([TensorSpec])

    public var isEmpty: Bool {
        switch self {
        case .columns(let c): return c.isEmpty
        case .tensors(let t): return t.isEmpty
        }
    }
}

public struct ParamSpec: Hashable, Sendable {
    public let name: String
    public let type: ColumnType
    public let defaultValue: JSONValue
    /// `nil` for a scalar param, `[-1]` for a list.
    public let shape: [Int]?
    public init(name: String, type: ColumnType, defaultValue: JSONValue, shape: [Int]?) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.shape = shape
    }
}

public struct Signature: Hashable, Sendable {
    public var inputs: Schema?
    public var outputs: Schema?
    public var params: [ParamSpec]?

    public init(inputs: Schema?, outputs: Schema?, params: [ParamSpec]?) {
        self.inputs = inputs
        self.outputs = outputs
        self.params = params
    }
}

/// Why a signature part does not parse; `offset` is into the JSON text when the JSON itself is bad.
public struct SignatureError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public let jsonError: JSONError?
    public var description: String { message }
}

public enum SignatureParser {
    /// The JSON list a signature field holds (`inputs`, `outputs`, `params` are JSON text in YAML).
    private static func list(_ text: String, of what: String) throws(SignatureError) -> [JSONValue] {
        let value: JSONValue
        do {
            value = try JSONValue.parse(string: text)
        } catch {
            throw SignatureError(message: "its JSON does not parse (\(error))", jsonError: error)
        }
        guard let items = value.arrayValue else {
            throw SignatureError(message: "expected a JSON list of \(what), found \(value.kindName)", jsonError: nil)
        }
        return items
    }

    public static func schema(fromJSON text: String) throws(SignatureError) -> Schema {
        let items = try list(text, of: "column or tensor specs")
        var columns: [ColumnSpec] = []
        var tensors: [TensorSpec] = []
        for (index, item) in items.enumerated() {
            guard let object = item.objectValue else {
                throw SignatureError(message: "item \(index) is a \(item.kindName), expected an object", jsonError: nil)
            }
            if object["type"]?.stringValue == "tensor" {
                tensors.append(try tensorSpec(object, index: index))
            } else {
                columns.append(try columnSpec(object, index: index))
            }
        }
        if !columns.isEmpty && !tensors.isEmpty {
            throw SignatureError(
                message: "mixes column specs and tensor specs; MLflow requires one kind per schema", jsonError: nil)
        }
        return tensors.isEmpty ? .columns(columns) : .tensors(tensors)
    }

    public static func params(fromJSON text: String) throws(SignatureError) -> [ParamSpec] {
        let items = try list(text, of: "param specs")
        var result: [ParamSpec] = []
        for (index, item) in items.enumerated() {
            guard let object = item.objectValue else {
                throw SignatureError(
                    message: "param \(index) is a \(item.kindName), expected an object", jsonError: nil)
            }
            guard let name = object["name"]?.stringValue else {
                throw SignatureError(message: "param \(index) has no \"name\"", jsonError: nil)
            }
            guard let typeValue = object["type"] else {
                throw SignatureError(message: "param '\(name)' has no \"type\"", jsonError: nil)
            }
            let type = try columnType(typeValue, object: object, context: "param '\(name)'")
            var shape: [Int]? = nil
            if let shapeValue = object["shape"], !shapeValue.isNull {
                shape = try dimensions(shapeValue, context: "param '\(name)'")
            }
            result.append(ParamSpec(name: name, type: type, defaultValue: object["default"] ?? .null, shape: shape))
        }
        return result
    }

    private static func columnSpec(_ object: JSONObject, index: Int) throws(SignatureError) -> ColumnSpec {
        let name = object["name"]?.stringValue
        let context = name.map { "column '\($0)'" } ?? "column \(index)"
        guard let typeValue = object["type"] else {
            throw SignatureError(message: "\(context) has no \"type\"", jsonError: nil)
        }
        let type = try columnType(typeValue, object: object, context: context)
        let required = object["required"]?.boolValue ?? true
        return ColumnSpec(name: name, type: type, required: required)
    }

    /// A column type: `"double"`, or `"array"` with `items`, `"object"` with `properties`,
    /// `"map"` with `values`, `"any"`. The nested spec may sit in the same object as `type`.
    private static func columnType(_ typeValue: JSONValue, object: JSONObject, context: String) throws(SignatureError)
        -> ColumnType
    {
        if case .object(let nested) = typeValue {
            guard let inner = nested["type"] else {
                throw SignatureError(message: "\(context) has a type object without \"type\"", jsonError: nil)
            }
            return try columnType(inner, object: nested, context: context)
        }
        guard let name = typeValue.stringValue else {
            throw SignatureError(
                message: "\(context) has a \(typeValue.kindName) as its type, expected a string", jsonError: nil)
        }
        if let scalar = DataType(rawValue: name) { return .scalar(scalar) }
        switch name {
        case "array":
            guard let items = object["items"], case .object(let itemObject) = items, let itemType = itemObject["type"]
            else {
                throw SignatureError(message: "\(context) is an array without \"items\"", jsonError: nil)
            }
            return .array(items: try columnType(itemType, object: itemObject, context: context + " items"))
        case "object":
            guard let properties = object["properties"]?.objectValue else {
                throw SignatureError(message: "\(context) is an object without \"properties\"", jsonError: nil)
            }
            var props: [ObjectProperty] = []
            for entry in properties.entries {
                guard case .object(let propObject) = entry.value, let propType = propObject["type"] else {
                    throw SignatureError(message: "\(context) property '\(entry.key)' has no \"type\"", jsonError: nil)
                }
                let type = try columnType(propType, object: propObject, context: "\(context) property '\(entry.key)'")
                props.append(
                    ObjectProperty(name: entry.key, type: type, required: propObject["required"]?.boolValue ?? true))
            }
            return .object(properties: props)
        case "map":
            guard let values = object["values"], case .object(let valueObject) = values,
                let valueType = valueObject["type"]
            else {
                throw SignatureError(message: "\(context) is a map without \"values\"", jsonError: nil)
            }
            return .map(values: try columnType(valueType, object: valueObject, context: context + " values"))
        case "any":
            return .any
        default:
            let known = DataType.allCases.map(\.rawValue).joined(separator: ", ")
            throw SignatureError(
                message: "\(context) has unknown type '\(name)' (MLflow knows \(known), array, object, map, any)",
                jsonError: nil)
        }
    }

    private static func tensorSpec(_ object: JSONObject, index: Int) throws(SignatureError) -> TensorSpec {
        let name = object["name"]?.stringValue
        let context = name.map { "tensor '\($0)'" } ?? "tensor \(index)"
        guard let spec = object["tensor-spec"]?.objectValue else {
            throw SignatureError(message: "\(context) has no \"tensor-spec\"", jsonError: nil)
        }
        guard let dtype = spec["dtype"]?.stringValue else {
            throw SignatureError(message: "\(context) has no \"dtype\"", jsonError: nil)
        }
        guard let shapeValue = spec["shape"] else {
            throw SignatureError(message: "\(context) has no \"shape\"", jsonError: nil)
        }
        return TensorSpec(name: name, dtype: dtype, shape: try dimensions(shapeValue, context: context))
    }

    private static func dimensions(_ value: JSONValue, context: String) throws(SignatureError) -> [Int] {
        guard let items = value.arrayValue else {
            throw SignatureError(
                message: "\(context) has a shape that is a \(value.kindName), expected a list of integers",
                jsonError: nil)
        }
        var result: [Int] = []
        for item in items {
            guard let n = item.numberValue?.int, let dim = Int(exactly: n), dim >= -1 else {
                throw SignatureError(
                    message: "\(context) has a shape entry \(item.serialized()), expected an integer >= -1",
                    jsonError: nil)
            }
            result.append(dim)
        }
        return result
    }
}
