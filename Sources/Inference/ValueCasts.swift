// The per-value casts MLflow lets pandas and numpy do before it enforces a signature
// (mlflow/utils/proto_json_utils.py, MLflow 3.17.2):
// - DataFrame bodies (`dataframe_split`, `dataframe_records`, an Azure split DataFrame) are cast
//   column by column with pandas `Series.astype(schema dtype)` (`cast_df_types_according_to_schema`):
//   floats are truncated into integer columns, anything becomes a boolean by truthiness, numeric
//   strings become numbers, binary is base64-decoded, datetimes go through `pd.to_datetime`.
// - `instances` and `inputs` bodies are cast value by value with `np.array(value, dtype)`
//   (`convert_data_type`): similar, but out-of-range integers and NaN into integers raise, and
//   binary is *not* base64-decoded.
// Each cast is `.ok`, `.changed` (accepted, but the model sees something else than was sent:
// mlenv warns), or `.failed` (MLflow refuses the request).

import JSON
import ModelFiles

enum CastResult: Hashable, Sendable {
    case ok
    case changed(String)
    case failed(String)
}

/// A numpy dtype as tensor specs name it (`float32`, `int64`, `bool`, `object`, `str`, ...).
enum NumpyDType: Hashable, Sendable, CustomStringConvertible {
    case bool
    case int(bits: Int)
    case uint(bits: Int)
    case float(bits: Int)
    case object
    case str
    case bytes
    case datetime

    init?(name: String) {
        switch name {
        case "bool", "bool_", "bool8": self = .bool
        case "int8": self = .int(bits: 8)
        case "int16": self = .int(bits: 16)
        case "int32": self = .int(bits: 32)
        case "int64", "int", "long": self = .int(bits: 64)
        case "uint8": self = .uint(bits: 8)
        case "uint16": self = .uint(bits: 16)
        case "uint32": self = .uint(bits: 32)
        case "uint64": self = .uint(bits: 64)
        case "float16", "half": self = .float(bits: 16)
        case "float32", "single": self = .float(bits: 32)
        case "float64", "double", "float": self = .float(bits: 64)
        case "object", "O": self = .object
        case "str", "str_", "unicode", "U": self = .str
        case "bytes", "bytes_", "S": self = .bytes
        default:
            if name.hasPrefix("datetime64") {
                self = .datetime
                return
            }
            if name.hasPrefix("<U") || name.hasPrefix("U") {
                self = .str
                return
            }
            if name.hasPrefix("|S") || name.hasPrefix("S") {
                self = .bytes
                return
            }
            return nil
        }
    }

    init(_ type: DataType) {
        switch type {
        case .boolean: self = .bool
        case .integer: self = .int(bits: 32)
        case .long: self = .int(bits: 64)
        case .float: self = .float(bits: 32)
        case .double: self = .float(bits: 64)
        case .string: self = .str
        case .binary: self = .bytes
        case .datetime: self = .datetime
        }
    }

    var description: String {
        switch self {
        case .bool: return "bool"
        case .int(let b): return "int\(b)"
        case .uint(let b): return "uint\(b)"
        case .float(let b): return "float\(b)"
        case .object: return "object"
        case .str: return "str"
        case .bytes: return "bytes"
        case .datetime: return "datetime64[ns]"
        }
    }

    var intRange: ClosedRange<Double>? {
        switch self {
        case .int(let bits): return -pow2(bits - 1)...(pow2(bits - 1) - 1)
        case .uint(let bits): return 0...(pow2(bits) - 1)
        default: return nil
        }
    }

    var floatMax: Double? {
        switch self {
        case .float(16): return 65504
        case .float(32): return 3.4028234663852886e38
        default: return nil
        }
    }
}

private func pow2(_ n: Int) -> Double { Double(sign: .plus, exponent: n, significand: 1) }

enum ValueCasts {
    // MARK: pandas astype (DataFrame bodies)

    static func pandas(_ value: JSONValue, to type: DataType) -> CastResult {
        switch type {
        case .boolean:
            if case .bool = value { return .ok }
            return .changed(
                "\(value.quoted) becomes \(truthiness(value) ? "true" : "false") (pandas casts to boolean by truthiness)"
            )
        case .integer, .long:
            return pandasInteger(value, bits: type == .integer ? 32 : 64)
        case .float, .double:
            return pandasFloat(value, bits: type == .float ? 32 : 64)
        case .string:
            switch value {
            case .string, .null: return .ok
            default:
                return .changed(
                    "\(value.quoted) is passed to the model as a \(value.pythonTypeName), not a string (pandas keeps non-string values in string columns)"
                )
            }
        case .binary:
            guard case .string(let text) = value else {
                return .failed(
                    "binary columns take base64 text, found \(value.kindName) \(value.quoted) (base64.decodebytes: encoding without a string argument)"
                )
            }
            let check = PythonText.base64Check(text)
            if let error = check.error {
                return .failed("\(value.quoted) is not valid base64 (\(error)); binary columns take base64 text")
            }
            if check.skipped {
                return .changed(
                    "\(value.quoted) has characters outside the base64 alphabet, which are dropped before decoding")
            }
            return .ok
        case .datetime:
            switch value {
            case .null: return .ok
            case .bool: return .failed("a boolean cannot be converted to datetime64[ns]")
            case .number(let n):
                switch PyNumber(n) {
                case .bigInt: return .failed("\(n.text) is out of bounds for datetime64[ns]")
                case .float(let d) where d.isNaN: return .ok
                default: return .changed("\(n.text) is read as nanoseconds since 1970-01-01 (pandas to_datetime)")
                }
            case .string(let s):
                return DateText.pandasAccepts(s)
                    ? .ok
                    : .failed(
                        "\(value.quoted) is not a date/time pandas can parse; send ISO 8601 such as \"2024-01-31T12:00:00\""
                    )
            case .array, .object:
                return .failed("a \(value.pythonTypeName) is not convertible to datetime")
            }
        }
    }

    private static func pandasInteger(_ value: JSONValue, bits: Int) -> CastResult {
        pandasInteger(value, dtype: .int(bits: bits), name: bits == 32 ? "integer (int32)" : "long (int64)")
    }

    /// `Series.astype(<integer dtype>)`: out-of-range values wrap around silently.
    static func pandasInteger(_ value: JSONValue, dtype: NumpyDType, name: String) -> CastResult {
        let range = dtype.intRange ?? (-pow2(63)...(pow2(63) - 1))
        switch value {
        case .null:
            return .failed(
                "null cannot be cast to \(name): pandas integers have no missing value (send a number, or declare the column double)"
            )
        case .bool(let b):
            return .changed("\(b) becomes \(b ? 1 : 0)")
        case .number(let n):
            switch PyNumber(n) {
            case .int(let i):
                if !range.contains(Double(i)) {
                    return .changed("\(i) does not fit \(dtype); pandas wraps it around silently")
                }
                return .ok
            case .bigInt(_, let fitsUInt64):
                return fitsUInt64
                    ? .changed("\(n.text) does not fit int64; pandas wraps it around silently")
                    : .failed("\(n.text) is too large for \(name) (Python int too large to convert to C long)")
            case .float(let d):
                if d.isNaN || d.isInfinite {
                    return .failed(
                        "\(n.text) cannot be cast to \(name) (Cannot convert non-finite values (NA or inf) to integer)")
                }
                if !range.contains(d.rounded(.towardZero)) {
                    return .changed("\(n.text) does not fit \(name); pandas turns it into an unrelated number")
                }
                if d != d.rounded(.towardZero) {
                    return .changed(
                        "\(n.text) is truncated to \(Int64(d)) (pandas casts floats into integer columns by truncation)"
                    )
                }
                return .ok
            }
        case .string(let s):
            guard let parsed = PythonText.int(s) else {
                return .failed("\(value.quoted) is not an integer (invalid literal for int() with base 10)")
            }
            guard parsed.fitsInt64, let v = parsed.value else {
                return .failed("\(value.quoted) is too large for \(name)")
            }
            if !range.contains(Double(v)) { return .failed("\(value.quoted) is out of bounds for \(dtype)") }
            return .changed("the string \(value.quoted) is parsed as the integer \(v)")
        case .array, .object:
            return .failed("a \(value.pythonTypeName) cannot be cast to \(name)")
        }
    }

    private static func pandasFloat(_ value: JSONValue, bits: Int) -> CastResult {
        let name = bits == 32 ? "float (float32)" : "double (float64)"
        switch value {
        case .null: return .ok
        case .bool(let b): return .changed("\(b) becomes \(b ? "1.0" : "0.0")")
        case .number(let n):
            if bits == 32, case .float(let d) = PyNumber(n), d.isFinite, abs(d) > 3.4028234663852886e38 {
                return .changed("\(n.text) does not fit float32 and becomes infinity")
            }
            return .ok
        case .string(let s):
            guard let d = PythonText.float(s) else {
                return .failed("could not convert string to float: \(value.quoted)")
            }
            if bits == 32, d.isFinite, abs(d) > 3.4028234663852886e38 {
                return .changed("\(value.quoted) does not fit float32 and becomes infinity")
            }
            return .changed("the string \(value.quoted) is parsed as the number \(d)")
        case .array:
            return .failed("a list cannot be cast to \(name) (setting an array element with a sequence)")
        case .object:
            return .failed("an object cannot be cast to \(name)")
        }
    }

    static func truthiness(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return false
        case .bool(let b): return b
        case .number(let n):
            switch PyNumber(n) {
            case .int(let i): return i != 0
            case .bigInt: return true
            case .float(let d): return d != 0
            }
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.isEmpty
        }
    }

    // MARK: numpy np.array(value, dtype) (instances / inputs / tensors)

    /// Casting one scalar (not a list) the way `np.array([value], dtype)` does.
    /// `numpy` is the release line: numpy 1 wraps an out-of-range integer around where numpy 2 raises.
    static func numpy(_ value: JSONValue, to dtype: NumpyDType, numpy line: NumpyLine = .two) -> CastResult {
        switch dtype {
        case .object:
            return .ok
        case .bool:
            if case .bool = value { return .ok }
            return .changed(
                "\(value.quoted) becomes \(truthiness(value) ? "true" : "false") (numpy casts to bool by truthiness)")
        case .str:
            switch value {
            case .string: return .ok
            case .null: return .changed("null becomes the text 'None'")
            default: return .changed("\(value.quoted) becomes the text '\(pythonStr(value))'")
            }
        case .bytes:
            switch value {
            case .string(let s):
                if s.utf8.contains(where: { $0 >= 0x80 }) {
                    return .failed("\(value.quoted) has non-ASCII characters and cannot become bytes")
                }
                return .changed(
                    "\(value.quoted) is passed as its own bytes: this format does not base64-decode binary values (dataframe_split and dataframe_records do)"
                )
            case .null: return .changed("null becomes the bytes b'None'")
            default: return .changed("\(value.quoted) becomes the bytes of its text")
            }
        case .datetime:
            switch value {
            case .null: return .ok
            case .bool(let b): return .changed("\(b) becomes \(b ? 1 : 0) nanoseconds after 1970-01-01")
            case .number(let n):
                switch PyNumber(n) {
                case .int: return .changed("\(n.text) is read as nanoseconds since 1970-01-01")
                case .bigInt: return .failed("\(n.text) is too large for datetime64[ns]")
                case .float: return .failed("\(n.text) cannot be converted to a NumPy datetime; send ISO 8601 text")
                }
            case .string(let s):
                return DateText.numpyAccepts(s)
                    ? .ok : .failed("\(value.quoted) is not an ISO 8601 date/time numpy can parse")
            case .array, .object:
                return .failed("a \(value.pythonTypeName) cannot be converted to a NumPy datetime")
            }
        case .int, .uint:
            return numpyInteger(value, dtype, line)
        case .float:
            switch value {
            case .null: return .ok
            case .bool(let b): return .changed("\(b) becomes \(b ? "1.0" : "0.0")")
            case .number(let n):
                if let max = dtype.floatMax {
                    let d: Double
                    switch PyNumber(n) {
                    case .int(let i): d = Double(i)
                    case .bigInt: d = .infinity
                    case .float(let f): d = f
                    }
                    if d.isFinite, abs(d) > max {
                        return .changed("\(n.text) does not fit \(dtype) and becomes infinity")
                    }
                }
                return .ok
            case .string(let s):
                guard let d = PythonText.float(s) else {
                    return .failed("could not convert string to float: \(value.quoted)")
                }
                if let max = dtype.floatMax, d.isFinite, abs(d) > max {
                    return .changed("\(value.quoted) does not fit \(dtype) and becomes infinity")
                }
                return .changed("the string \(value.quoted) is parsed as the number \(d)")
            case .object:
                return .failed(
                    "an object cannot be converted to \(dtype) (float() argument must be a string or a real number, not 'dict')"
                )
            case .array:
                return .failed("a list cannot be converted to \(dtype)")
            }
        }
    }

    private static func numpyInteger(_ value: JSONValue, _ dtype: NumpyDType, _ line: NumpyLine) -> CastResult {
        guard let range = dtype.intRange else { return .ok }
        switch value {
        case .null:
            return .failed(
                "null cannot be converted to \(dtype) (int() argument must be a string, a bytes-like object or a real number, not 'NoneType')"
            )
        case .bool(let b):
            return .changed("\(b) becomes \(b ? 1 : 0)")
        case .number(let n):
            switch PyNumber(n) {
            case .int(let i):
                if !range.contains(Double(i)) {
                    if line == .one {
                        return .changed(
                            "\(i) does not fit \(dtype); numpy 1 wraps it around silently (numpy 2 refuses it)")
                    }
                    return .failed("\(i) is out of bounds for \(dtype)")
                }
                return .ok
            case .bigInt:
                if case .uint(64) = dtype, case .bigInt(false, true) = PyNumber(n) { return .ok }
                return .failed("\(n.text) is too large for \(dtype) (Python int too large to convert to C long)")
            case .float(let d):
                if d.isNaN {
                    return .failed("NaN cannot be converted to \(dtype) (cannot convert float NaN to integer)")
                }
                if d.isInfinite {
                    return .failed(
                        "\(n.text) cannot be converted to \(dtype) (cannot convert float infinity to integer)")
                }
                let t = d.rounded(.towardZero)
                if abs(t) >= pow2(63) { return .failed("\(n.text) is out of bounds for \(dtype)") }
                if !range.contains(t) {
                    if line == .one {
                        return .changed(
                            "\(n.text) does not fit \(dtype); numpy 1 turns it into an unrelated number (numpy 2 refuses it)"
                        )
                    }
                    return .failed("\(n.text) is out of bounds for \(dtype)")
                }
                if t != d { return .changed("\(n.text) is truncated to \(Int64(t))") }
                return .ok
            }
        case .string(let s):
            guard let parsed = PythonText.int(s) else {
                return .failed("\(value.quoted) is not an integer (invalid literal for int() with base 10)")
            }
            guard parsed.fitsInt64, let v = parsed.value else {
                return .failed("\(value.quoted) is out of bounds for \(dtype)")
            }
            if !range.contains(Double(v)) {
                if line == .one {
                    return .changed(
                        "the string \(value.quoted) does not fit \(dtype); numpy 1 wraps it around silently (numpy 2 refuses it)"
                    )
                }
                return .failed("\(value.quoted) is out of bounds for \(dtype)")
            }
            return .changed("the string \(value.quoted) is parsed as the integer \(v)")
        case .object:
            return .failed(
                "an object cannot be converted to \(dtype) (int() argument must be a string, a bytes-like object or a real number, not 'dict')"
            )
        case .array:
            return .failed("a list cannot be converted to \(dtype)")
        }
    }

    /// Python's `str(x)` for a JSON scalar.
    static func pythonStr(_ value: JSONValue) -> String {
        switch value {
        case .null: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .number(let n):
            switch PyNumber(n) {
            case .int, .bigInt: return n.text
            case .float(let d):
                if d.isNaN { return "nan" }
                if d.isInfinite { return d < 0 ? "-inf" : "inf" }
                return "\(d)"
            }
        case .string(let s): return s
        case .array, .object: return value.serialized()
        }
    }
}
