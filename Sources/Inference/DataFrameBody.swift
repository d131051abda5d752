// DataFrame bodies: `dataframe_split`, `dataframe_records`, and Azure ML's split `input_data`.
// MLflow builds a pandas DataFrame (`dataframe_from_parsed_json`), casts each signature column
// with `astype` (`cast_df_types_according_to_schema`), then enforces the schema (`_enforce_schema`).
//
// The rows stream through: each cell is checked as it is read and only per-column state is kept,
// so a 200 MB body is validated without holding its values.
//
// pandas facts kept here (pandas 2.3):
// - split `data` rows shorter than `columns` are padded with NaN while the widest row is as wide
//   as `columns`; longer rows, or all rows narrower, are an error ("2 columns passed, passed data
//   had 3 columns"); without `columns` the widest row decides; `data: null` is no rows;
// - `index` must have one entry per row, except that a single row is repeated for every index entry;
// - records are unioned by key in order of appearance; a record without a key gets NaN there.

import JSON
import ModelFiles

/// Where a DataFrame column's cells go.
enum ColumnTarget {
    case column(ColumnSpec)
    case tensor(TensorSpec, NumpyDType?)
    case none
}

final class FrameColumn {
    let name: JSONValue
    let label: String
    /// `name` is a string (so `label` is that string, not a number's text).
    let isStringNamed: Bool
    var target: ColumnTarget = .none
    var cells = 0
    var lastRow = -1
    /// For tensor columns: whether the first cell is a list (then MLflow reshapes instead of casting).
    var firstIsList: Bool?
    var listLeafCounts: Set<Int> = []
    var mixedListAndScalar = false
    /// Datetime columns: pandas `to_datetime` reads a column of numbers as epoch nanoseconds and a
    /// column of strings in the format of its first string; mixing the two, or formats, fails.
    var dateHasNumber = false
    var dateHasString = false
    var dateShape: String?

    init(name: JSONValue) {
        self.name = name
        switch name {
        case .string(let s):
            label = s
            isStringNamed = true
        default:
            label = name.quoted
            isStringNamed = false
        }
    }

    var stringName: String? { name.stringValue }
}

/// What pandas built, as far as enforcement needs it.
struct FrameShape {
    var columns: [FrameColumn]
    var rows: Int
}

extension RequestCheck {
    // MARK: dataframe_split (and Azure split input_data)

    func checkSplit(_ range: Range<Int>, prefix: String, indexRequired: Bool) throws(JSONError) {
        var scanner = JSONScanner(bytes, range: range, pythonLiterals: true)
        guard try scanner.peekKind() == .object else {
            let kind = try scanner.readValue().kindName
            sink.error(
                prefix,
                "a split DataFrame must be an object {\"columns\": [...], \"data\": [[...]]}, found \(kind == "array" ? "a list" : "a \(kind)")"
            )
            return
        }
        try scanner.beginObject()
        var first = true
        var ranges: [String: Range<Int>] = [:]
        var extra: [String] = []
        while let key = try scanner.nextKey(&first) {
            let r = scanner.skipCheckedValue()
            if ["columns", "data", "index"].contains(key) { ranges[key] = r } else { extra.append(key) }
        }
        if ranges["data"] == nil || !extra.isEmpty {
            var problems: [String] = []
            if ranges["data"] == nil { problems.append("it has no \"data\"") }
            if !extra.isEmpty {
                problems.append("unexpected key(s) \(extra.map { "\"\($0)\"" }.joined(separator: ", "))")
            }
            sink.error(
                prefix,
                "a split DataFrame has \"data\" and optionally \"columns\" and \"index\": \(problems.joined(separator: "; "))"
            )
            return
        }
        if indexRequired && ranges["index"] == nil {
            // Azure's rule: without `index` the object is read as named tensors (handled by the caller).
        }

        // columns
        var columns: [FrameColumn] = []
        var declaredColumns = false
        if let r = ranges["columns"] {
            var s = JSONScanner(bytes, range: r, pythonLiterals: true)
            let value = try s.readValue()
            switch value {
            case .null: break
            case .array(let names):
                declaredColumns = true
                for name in names {
                    if case .array = name {
                        sink.error(Paths.member(prefix, "columns"), "column names must be strings, found a list")
                        return
                    }
                    if case .object = name {
                        sink.error(Paths.member(prefix, "columns"), "column names must be strings, found an object")
                        return
                    }
                    columns.append(FrameColumn(name: name))
                }
            default:
                sink.error(
                    Paths.member(prefix, "columns"),
                    "\"columns\" must be a list of column names, found \(value.kindName) \(value.quoted) (pandas: Index(...) must be called with a collection)"
                )
                return
            }
        }

        // data: rows of cells; first pass finds the shape problems pandas raises on.
        guard let dataRange = ranges["data"] else { return }
        let dataPath = Paths.member(prefix, "data")
        var d = JSONScanner(bytes, range: dataRange, pythonLiterals: true)
        var dataKind = try d.peekKind()
        if dataKind == .null {
            // pandas: DataFrame(data=None, columns=...) is an empty frame with those columns.
            d = JSONScanner(Self.emptyList, pythonLiterals: true)
            dataKind = .array
        }
        guard dataKind == .array else {
            sink.error(dataPath, "\"data\" must be a list of rows, found \(try d.readValue().kindName)")
            return
        }
        // Without "columns" the widest row decides how many positional columns there are, so the rows
        // are measured first; with "columns" one pass does it all.
        var singleColumnData = false
        if !declaredColumns {
            var widest = 0
            var scalarRows = 0
            var listRows = 0
            var s = d
            try s.beginArray()
            var firstRow = true
            while try s.nextElement(&firstRow) {
                if try s.peekKind() == .array {
                    listRows += 1
                    try s.beginArray()
                    var firstCell = true
                    var width = 0
                    while try s.nextElement(&firstCell) {
                        s.skipCheckedValue()
                        width += 1
                    }
                    widest = max(widest, width)
                } else {
                    scalarRows += 1
                    s.skipCheckedValue()
                }
            }
            if scalarRows > 0 && listRows > 0 {
                sink.error(dataPath, "rows of \"data\" must all be lists (pandas: object of type 'int' has no len())")
                return
            }
            singleColumnData = scalarRows > 0
            columns = (0..<(singleColumnData ? 1 : widest)).map { FrameColumn(name: .int($0)) }
        } else {
            var s = d
            try s.beginArray()
            var firstRow = true
            if try s.nextElement(&firstRow) { singleColumnData = try s.peekKind() != .array }
            if singleColumnData && columns.count != 1 {
                sink.error(
                    dataPath,
                    "\"data\" is a flat list (one column) but \"columns\" names \(columns.count) (pandas: Shape of passed values is (n, 1), indices imply (n, \(columns.count)))"
                )
                return
            }
        }

        assignTargets(columns)
        let padded: JSONValue = .number(JSONNumber(text: "NaN"))

        // Cells. Short rows are padded once the widest row is known (all rows narrower than
        // "columns" is pandas' error, not padding).
        try d.beginArray()
        var firstRow = true
        var row = 0
        var widest = 0
        var shortRows: [(row: Int, width: Int)] = []
        while try d.nextElement(&firstRow) {
            let isList = try d.peekKind() == .array
            if isList == singleColumnData {
                sink.error(
                    Paths.index(dataPath, row),
                    "rows of \"data\" must all be lists (pandas: object of type 'int' has no len())")
                return
            }
            if singleColumnData {
                let value = try d.readValue()
                let r = row
                checkCell(columns[0], value, path: { Paths.index(dataPath, r) })
            } else {
                try d.beginArray()
                var firstCell = true
                var col = 0
                while try d.nextElement(&firstCell) {
                    guard col < columns.count else {
                        var width = col
                        while true {
                            d.skipCheckedValue()
                            width += 1
                            if !(try d.nextElement(&firstCell)) { break }
                        }
                        sink.error(
                            Paths.index(dataPath, row),
                            "this row has \(width) values but \"columns\" names \(columns.count) (pandas: \(columns.count) columns passed, passed data had \(width) columns)"
                        )
                        return
                    }
                    let column = columns[col]
                    if case .none = column.target {
                        d.skipCheckedValue()
                    } else {
                        let value = try d.readValue()
                        let r = row
                        let c = col
                        checkCell(column, value, path: { Paths.index(Paths.index(dataPath, r), c) })
                    }
                    col += 1
                }
                widest = max(widest, col)
                if col < columns.count { shortRows.append((row, col)) }
            }
            row += 1
        }
        let rows = row
        if rows > 0 && !singleColumnData && widest < columns.count {
            sink.error(
                dataPath,
                "every row has at most \(widest) values but \"columns\" names \(columns.count) (pandas: \(columns.count) columns passed, passed data had \(widest) columns)"
            )
            return
        }
        for (r, width) in shortRows {
            for c in width..<columns.count {
                checkCell(columns[c], padded, path: { Paths.index(Paths.index(dataPath, r), c) }, padding: true)
            }
        }

        // index
        var frameRows = rows
        if let r = ranges["index"] {
            var s = JSONScanner(bytes, range: r, pythonLiterals: true)
            if try s.peekKind() == .array {
                try s.beginArray()
                var firstEntry = true
                var count = 0
                while try s.nextElement(&firstEntry) {
                    s.skipCheckedValue()
                    count += 1
                }
                if count != rows {
                    if rows == 1 {
                        frameRows = count
                    } else if rows == 0 {
                        frameRows = count
                        if count > 0 {
                            for (c, column) in columns.enumerated() {
                                checkCell(
                                    column, padded, path: { Paths.index(Paths.index(dataPath, 0), c) }, padding: true)
                            }
                        }
                    } else {
                        sink.error(
                            Paths.member(prefix, "index"),
                            "\"index\" has \(count) entries but \"data\" has \(rows) rows (pandas: Length of values (\(rows)) does not match length of index (\(count)))"
                        )
                        return
                    }
                }
            } else if try s.peekKind() != .null {
                sink.error(
                    Paths.member(prefix, "index"),
                    "\"index\" must be a list, found \(try s.readValue().kindName) (pandas: Index(...) must be called with a collection)"
                )
                return
            }
        }
        enforceFrame(
            FrameShape(columns: columns, rows: frameRows), prefix: prefix,
            columnsPath: declaredColumns ? Paths.member(prefix, "columns") : prefix)
    }

    /// `[]`, read in place of `"data": null`.
    nonisolated(unsafe) static let emptyList: UnsafeBufferPointer<UInt8> = {
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 2)
        bytes[0] = UInt8(ascii: "[")
        bytes[1] = UInt8(ascii: "]")
        return UnsafeBufferPointer(bytes)
    }()

    // MARK: dataframe_records

    func checkRecords(_ range: Range<Int>, prefix: String) throws(JSONError) {
        var scanner = JSONScanner(bytes, range: range, pythonLiterals: true)
        guard try scanner.peekKind() == .array else {
            let kind = try scanner.readValue().kindName
            sink.error(
                prefix,
                "dataframe_records must be a list of records (objects), found \(kind == "object" ? "an object (did you mean dataframe_split?)" : "a \(kind)")"
            )
            return
        }
        // Pass 1: kinds of the elements.
        var objects = 0
        var lists = 0
        var scalars = 0
        do {
            var s = scanner
            try s.beginArray()
            var first = true
            while try s.nextElement(&first) {
                switch try s.peekKind() {
                case .object: objects += 1
                case .array: lists += 1
                default: scalars += 1
                }
                s.skipCheckedValue()
            }
        }
        if objects > 0 && (lists > 0 || scalars > 0) {
            sink.error(
                prefix,
                "every record must be an object of column name → value; this list mixes objects with \(lists > 0 ? "lists" : "scalars") (pandas: 'list' object has no attribute 'keys')"
            )
            return
        }
        if objects == 0 && (lists > 0 || scalars > 0) {
            // pandas builds positional columns (0, 1, ...): a column signature finds none of its names.
            if lists > 0 && scalars > 0 {
                sink.error(prefix, "records must be objects; this list mixes lists and scalars")
                return
            }
            var width = 0
            if lists > 0 {
                var s = scanner
                try s.beginArray()
                var first = true
                while try s.nextElement(&first) {
                    if case .array(let a) = try s.readValue() { width = max(width, a.count) }
                }
            } else {
                width = 1
            }
            let columns = (0..<width).map { FrameColumn(name: .int($0)) }
            assignTargets(columns)
            var s = scanner
            try s.beginArray()
            var first = true
            var row = 0
            while try s.nextElement(&first) {
                let value = try s.readValue()
                let cells = value.arrayValue ?? [value]
                for (c, column) in columns.enumerated() {
                    let r = row
                    checkCell(
                        column, c < cells.count ? cells[c] : .number(JSONNumber(text: "NaN")),
                        path: { Paths.index(Paths.index(prefix, r), c) }, padding: c >= cells.count)
                }
                row += 1
            }
            sink.warning(
                prefix,
                "records are lists, not objects: pandas numbers the columns 0, 1, ... and no column name of the signature can match"
            )
            enforceFrame(FrameShape(columns: columns, rows: row), prefix: prefix, columnsPath: prefix)
            return
        }

        var columns: [FrameColumn] = []
        var byName: [String: FrameColumn] = [:]
        let nan: JSONValue = .number(JSONNumber(text: "NaN"))
        try scanner.beginArray()
        var first = true
        var row = 0
        while try scanner.nextElement(&first) {
            try scanner.beginObject()
            var firstKey = true
            var position = 0
            while let key = try scanner.nextKey(&firstKey) {
                let column: FrameColumn
                defer { position += 1 }
                // Records usually repeat the first record's key order: try the column at this
                // position before hashing the key.
                if position < columns.count, columns[position].isStringNamed, columns[position].label == key {
                    column = columns[position]
                } else if let existing = byName[key] {
                    column = existing
                } else {
                    column = FrameColumn(name: .string(key))
                    byName[key] = column
                    columns.append(column)
                    assignTargets([column])
                    // Earlier records lack the key: pandas puts NaN there.
                    for r in 0..<row {
                        checkCell(
                            column, nan, path: { Paths.member(Paths.index(prefix, r), key) }, padding: true,
                            missingKey: true)
                    }
                }
                let r = row
                if column.lastRow == row {
                    // A duplicate key in one record: Python keeps the last value; both are checked.
                    column.cells -= 1
                }
                column.lastRow = row
                if case .none = column.target {
                    scanner.skipCheckedValue()
                    column.cells += 1
                } else {
                    let value = try scanner.readValue()
                    checkCell(column, value, path: { Paths.member(Paths.index(prefix, r), key) })
                }
            }
            for column in columns where column.lastRow != row {
                let r = row
                let key = column.label
                column.lastRow = row
                checkCell(
                    column, nan, path: { Paths.member(Paths.index(prefix, r), key) }, padding: true, missingKey: true)
            }
            row += 1
        }
        enforceFrame(FrameShape(columns: columns, rows: row), prefix: prefix, columnsPath: prefix)
    }

    // MARK: Shared

    /// Which signature entry each DataFrame column is cast to (`cast_df_types_according_to_schema`).
    func assignTargets(_ columns: [FrameColumn]) {
        guard let schema else { return }
        switch schema {
        case .columns(let specs):
            if specs.contains(where: { $0.name != nil }) {
                for column in columns {
                    guard let name = column.stringName, let spec = columnSpec(name, in: specs) else { continue }
                    if case .none = column.target { column.target = .column(spec) }
                }
            } else {
                // Unnamed columns: the first n DataFrame columns, by position.
                for (i, column) in columns.enumerated() where i < specs.count {
                    column.target = .column(specs[i])
                }
            }
        case .tensors(let specs):
            if specs.count == 1 && specs[0].name == nil {
                for column in columns { column.target = .tensor(specs[0], NumpyDType(name: specs[0].dtype)) }
            } else if specs.allSatisfy({ $0.name != nil }) {
                for column in columns {
                    guard let name = column.stringName, let spec = specs.first(where: { $0.name == name }) else {
                        continue
                    }
                    column.target = .tensor(spec, NumpyDType(name: spec.dtype))
                }
            }
        }
    }

    func checkCell(
        _ column: FrameColumn, _ value: JSONValue, path: () -> String, padding: Bool = false, missingKey: Bool = false
    ) {
        column.cells += 1
        switch column.target {
        case .none:
            return
        case .column(let spec):
            let what =
                padding
                ? (missingKey
                    ? "missing value (NaN, the record has no '\(column.label)')"
                    : "missing value (NaN, the row is short)") : nil
            switch spec.type {
            case .scalar(let type):
                if type == .datetime, let conflict = datetimeConflict(column, value) {
                    sink.grouped(
                        .error, group: "castfail-\(column.label)", label: "cells of column '\(column.label)'",
                        path: path(),
                        "column '\(column.label)' (datetime): \(conflict)")
                    return
                }
                switch ValueCasts.pandas(value, to: type) {
                case .ok: break
                case .changed(let message):
                    sink.grouped(
                        .warning, group: "cast-\(column.label)", label: "cells of column '\(column.label)'",
                        path: path(),
                        "column '\(column.label)' (\(type)): \(what ?? message)\(what != nil ? " becomes \(ValueCasts.truthiness(value))" : "")"
                    )
                case .failed(let message):
                    sink.grouped(
                        .error, group: "castfail-\(column.label)", label: "cells of column '\(column.label)'",
                        path: path(),
                        "column '\(column.label)' (\(type)): \(what.map { "\($0) cannot be cast" } ?? message)")
                }
            case .any:
                return
            default:
                if let message = StrictTypes.typeError(value, spec.type, required: spec.required) {
                    sink.grouped(
                        .error, group: "type-\(column.label)", label: "cells of column '\(column.label)'", path: path(),
                        "column '\(column.label)' (\(spec.type)): \(what.map { "\($0): " } ?? "")\(message)")
                }
            }
        case .tensor(let spec, let dtype):
            let isList: Bool
            if case .array = value { isList = true } else { isList = false }
            if column.firstIsList == nil { column.firstIsList = isList }
            if column.firstIsList == true {
                guard case .array = value else {
                    column.mixedListAndScalar = true
                    sink.grouped(
                        .error, group: "tensor-mixed-\(column.label)", label: "cells of column '\(column.label)'",
                        path: path(),
                        "column '\(column.label)' holds lists (tensor rows) and also a \(value.kindName) here")
                    return
                }
                var analysis = TensorAnalysis(dtype: dtype)
                analysis.add(value, indexPath: [])
                if analysis.ragged {
                    column.mixedListAndScalar = true
                    sink.grouped(
                        .error, group: "tensor-ragged-\(column.label)", label: "cells of column '\(column.label)'",
                        path: path(),
                        "column '\(column.label)': this row's nested lists are ragged and cannot be reshaped to \(spec.shape)"
                    )
                }
                column.listLeafCounts.insert(analysis.leafCount)
                if let failure = analysis.failures.first {
                    sink.grouped(
                        .error, group: "tensor-cast-\(column.label)", label: "cells of column '\(column.label)'",
                        path: path() + failure.path,
                        "column '\(column.label)' (tensor \(spec.dtype)): \(failure.message)")
                }
            } else {
                let result: CastResult
                if case .array = value {
                    result = .failed("a list after scalar values (setting an array element with a sequence)")
                } else if let dtype, let dataType = dataType(for: dtype) {
                    result = ValueCasts.pandas(value, to: dataType)
                } else if let dtype, dtype.intRange != nil {
                    result = ValueCasts.pandasInteger(value, dtype: dtype, name: dtype.description)
                } else if let dtype {
                    result = ValueCasts.numpy(value, to: dtype)
                } else {
                    result = .ok
                }
                switch result {
                case .ok: break
                case .changed(let message):
                    sink.grouped(
                        .warning, group: "tcast-\(column.label)", label: "cells of column '\(column.label)'",
                        path: path(), "column '\(column.label)' (tensor \(spec.dtype)): \(message)")
                case .failed(let message):
                    sink.grouped(
                        .error, group: "tcastfail-\(column.label)", label: "cells of column '\(column.label)'",
                        path: path(), "column '\(column.label)' (tensor \(spec.dtype)): \(message)")
                }
            }
        }
    }

    /// The column-level rule of `pd.to_datetime`; nil when this value fits the column so far.
    private func datetimeConflict(_ column: FrameColumn, _ value: JSONValue) -> String? {
        switch value {
        case .number(let n):
            if case .float(let d) = PyNumber(n), d.isNaN { return nil }
            if column.dateHasString {
                return "\(n.text) is a number in a column of date strings (pandas to_datetime cannot mix them)"
            }
            column.dateHasNumber = true
        case .string(let text):
            if column.dateHasNumber {
                return "\(value.quoted) is a string in a column of numbers (pandas to_datetime cannot mix them)"
            }
            column.dateHasString = true
            let lower = text.lowercased()
            if let shape = DateText.isoShape(text), lower != "now" && lower != "today" {
                if let first = column.dateShape {
                    if first != shape {
                        return
                            "\(value.quoted) is not written like the column's first date (pandas infers one format from the first string and refuses the others; send every date in the same ISO 8601 form)"
                    }
                } else {
                    column.dateShape = shape
                }
            }
            if DateText.hasTimeZone(text) && DateText.pandasAccepts(text) {
                return
                    "\(value.quoted) carries a time zone: pandas reads it as a zone-aware datetime, and MLflow accepts only timezone-naive ones (send the local or UTC time without Z or an offset)"
            }
        default:
            break
        }
        return nil
    }

    private func dataType(for dtype: NumpyDType) -> DataType? {
        switch dtype {
        case .bool: return .boolean
        case .int(32): return .integer
        case .int(64): return .long
        case .float(32): return .float
        case .float(64): return .double
        default: return nil
        }
    }

    /// `_enforce_schema` on the DataFrame: missing / extra columns, then tensors.
    func enforceFrame(_ frame: FrameShape, prefix: String, columnsPath: String) {
        guard let schema else { return }
        let present = Set(frame.columns.compactMap(\.stringName))
        switch schema {
        case .columns(let specs):
            if specs.contains(where: { $0.name != nil }) {
                reportColumnPresence(
                    specs: specs, present: present, allColumns: frame.columns.map(\.label), path: columnsPath)
                let names = frame.columns.compactMap(\.stringName)
                var duplicated = Set<String>()
                if present.count < names.count {  // only then is a name repeated
                    var seen = Set<String>()
                    for name in names where !seen.insert(name).inserted { duplicated.insert(name) }
                }
                for name in duplicated.sorted() where specs.contains(where: { $0.name == name }) {
                    sink.error(columnsPath, "column '\(name)' appears more than once; MLflow cannot pick one")
                }
            } else if frame.columns.count < specs.count {
                sink.error(
                    columnsPath,
                    "the signature has \(specs.count) unnamed columns but the DataFrame has \(frame.columns.count) (MLflow checks only the count of unnamed columns)"
                )
            } else {
                let labels = frame.columns.map(\.name)
                for i in 0..<specs.count
                where labels.firstIndex(of: labels[i]) != i || labels.lastIndex(of: labels[i]) != i {
                    sink.error(
                        columnsPath, "column label \(labels[i].quoted) appears more than once; MLflow cannot pick one")
                    break
                }
            }
            if frame.rows == 0 && sink.findings.isEmpty {
                sink.note(prefix, "the DataFrame has no rows")
            }
        case .tensors(let specs):
            if specs.count == 1 && specs[0].name == nil {
                let spec = specs[0]
                if frame.rows == 0 || frame.columns.isEmpty {
                    sink.error(prefix, "the DataFrame is empty; this model takes one tensor of shape \(spec.shape)")
                } else if frame.columns.count == 1 {
                    reshapeCheck(frame.columns[0], spec: spec, rows: frame.rows, path: prefix, name: nil)
                } else {
                    if spec.shape != [-1, frame.columns.count] {
                        sink.error(
                            prefix,
                            "the DataFrame has \(frame.columns.count) columns; for an unnamed tensor input MLflow requires the tensor shape to be [-1, \(frame.columns.count)], but the signature says \(spec.shape)"
                        )
                    } else if frame.columns.contains(where: { $0.firstIsList == true }) {
                        if NumpyDType(name: spec.dtype) != .object {
                            sink.error(
                                prefix, "cells hold lists, so the DataFrame becomes an object array, not \(spec.dtype)")
                        }
                    }
                }
            } else {
                let names = specs.compactMap(\.name)
                let missing = names.filter { !present.contains($0) }
                if !missing.isEmpty {
                    sink.error(
                        columnsPath,
                        "missing tensor input(s) \(missing.map { "'\($0)'" }.joined(separator: ", ")) (MLflow: Model is missing inputs \(Paths.pyList(missing)))"
                    )
                }
                let extra = frame.columns.map(\.label).filter { !names.contains($0) }
                if !extra.isEmpty {
                    sink.warning(
                        columnsPath,
                        "column(s) \(extra.map { "'\($0)'" }.joined(separator: ", ")) are not inputs of the model and are dropped"
                    )
                }
                for spec in specs {
                    guard let name = spec.name, let column = frame.columns.first(where: { $0.stringName == name })
                    else { continue }
                    reshapeCheck(column, spec: spec, rows: frame.rows, path: columnsPath, name: name)
                }
            }
        }
    }

    /// `_reshape_and_cast_pandas_column_values`.
    private func reshapeCheck(_ column: FrameColumn, spec: TensorSpec, rows: Int, path: String, name: String?) {
        let label = name.map { "tensor '\($0)'" } ?? "the tensor input"
        if spec.shape.first != -1 || spec.shape.dropFirst().contains(-1) {
            sink.error(
                path,
                "for DataFrame input MLflow needs \(label) to have a variable first dimension and fixed others, but the signature says \(spec.shape)"
            )
            return
        }
        if column.firstIsList == true {
            guard !column.mixedListAndScalar else { return }
            let per = spec.shape.dropFirst().reduce(1, *)
            if column.listLeafCounts.count > 1 || (column.listLeafCounts.first.map { $0 != per } ?? false) {
                sink.error(
                    path,
                    "the lists in column '\(column.label)' cannot be reshaped to \(spec.shape): each row must hold \(per) values, found \(column.listLeafCounts.sorted().map(String.init).joined(separator: ", "))"
                )
            }
        } else if column.firstIsList == false {
            if spec.shape != [-1] && spec.shape != [-1, 1] {
                sink.error(
                    path,
                    "column '\(column.label)' holds scalars, which needs \(label) shape [-1] or [-1, 1], but the signature says \(spec.shape)"
                )
            }
        }
    }

    /// Missing required columns are errors; extra columns are dropped with a warning.
    func reportColumnPresence(specs: [ColumnSpec], present: Set<String>, allColumns: [String], path: String) {
        let missing = specs.filter { $0.required && $0.name.map { !present.contains($0) } ?? false }.compactMap(\.name)
        if !missing.isEmpty {
            sink.error(
                path,
                "missing required column(s) \(missing.map { "'\($0)'" }.joined(separator: ", ")) (MLflow: Model is missing inputs \(Paths.pyList(missing)))"
            )
        }
        let extra = allColumns.filter { columnSpec($0, in: specs) == nil }
        if !extra.isEmpty {
            sink.warning(
                path,
                "column(s) \(extra.map { "'\($0)'" }.joined(separator: ", ")) are not in the signature: MLflow drops them before the model sees the data"
            )
        }
        let optionalMissing = specs.filter { !$0.required && $0.name.map { !present.contains($0) } ?? false }
            .compactMap(\.name)
        if !optionalMissing.isEmpty {
            sink.note(path, "optional column(s) \(optionalMissing.map { "'\($0)'" }.joined(separator: ", ")) not sent")
        }
    }
}
