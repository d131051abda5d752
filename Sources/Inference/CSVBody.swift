// `text/csv` bodies to `mlflow models serve`: `pd.read_csv(body, dtype={column: schema dtype})`
// (mlflow/pyfunc/scoring_server `parse_csv_input`), then the strict schema check. pandas parses
// each typed column itself: integers refuse empty cells and fractions, booleans take only
// True/False spellings, and a datetime column cannot be given as a dtype at all. Binary columns
// are not base64-decoded. A tensor signature has no pandas dtypes, so every CSV body fails.

import JSON
import ModelFiles

extension RequestCheck {
    func checkCSV() {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            sink.error("", "the CSV body is not valid UTF-8")
            return
        }
        let rows = CSVText.rows(text)
        guard let header = rows.first else {
            sink.error("", "the CSV body is empty (pandas: No columns to parse from file)")
            return
        }
        if let schema, case .tensors = schema {
            sink.error(
                "",
                "this model takes tensors; MLflow cannot read a CSV body for a tensor signature (TensorSpec only supports numpy types)"
            )
            return
        }
        var specs: [ColumnSpec] = []
        if let schema, case .columns(let s) = schema { specs = s }
        let named = specs.contains { $0.name != nil }
        if !specs.isEmpty,
            specs.contains(where: { $0.type == .scalar(.datetime) && $0.name.map(header.contains) ?? false })
        {
            sink.error(
                "",
                "pandas cannot read a datetime column with a dtype (the dtype datetime64[ns] is not supported for parsing); MLflow refuses CSV for this signature"
            )
            return
        }
        // One more field than the header in the first row: pandas takes the first column as the index.
        let indexColumn = rows.count > 1 && rows[1].count == header.count + 1
        let width = header.count + (indexColumn ? 1 : 0)
        for (lineIndex, row) in rows.enumerated().dropFirst() where row.count > width {
            sink.error(
                "line \(lineIndex + 1)", "expected \(width) fields, saw \(row.count) (pandas: Error tokenizing data)")
            return
        }
        let nullTexts: Set<String> = [
            "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
            "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"
        ]
        if !named && !specs.isEmpty && indexColumn {
            // Unnamed columns: MLflow's dtype keys are positions, which count the implicit index
            // column too; the data columns past them are inferred by pandas, then checked strictly.
            for (c, spec) in specs.enumerated() where c < header.count && c + 1 >= specs.count {
                guard case .scalar(let type) = spec.type else { continue }
                let cells = rows.dropFirst().map { row -> String in
                    let at = c + (indexColumn ? 1 : 0)
                    return at < row.count ? row[at] : ""
                }
                let dtype = CSVText.inferredDtype(cells, nullTexts: nullTexts)
                let values: [JSONValue] = cells.map { cell in
                    if dtype == .int64, let v = PythonText.int(cell)?.value { return .int(Int(v)) }
                    return nullTexts.contains(cell) ? .null : .string(cell)
                }
                if let message = StrictTypes.seriesError(values, as: type, dtype: dtype) {
                    sink.error(
                        "column \(c)", "column \(c) ('\(header[c])', \(type)): pandas reads it as \(dtype); \(message)")
                }
            }
        }
        for (c, name) in header.enumerated() {
            let spec: ColumnSpec? =
                named
                ? columnSpec(name, in: specs)
                : (c + (indexColumn ? 1 : 0) < specs.count ? specs[c + (indexColumn ? 1 : 0)] : nil)
            guard let spec, case .scalar(let type) = spec.type else {
                if let spec, spec.type != .any {
                    sink.error(
                        "column '\(name)'",
                        "column '\(name)' (\(spec.type)): CSV cells are text; MLflow cannot give an Array/Object/Map column from CSV"
                    )
                }
                continue
            }
            for (lineIndex, row) in rows.enumerated().dropFirst() {
                let at = c + (indexColumn ? 1 : 0)
                let cell = at < row.count ? row[at] : ""
                let path = "line \(lineIndex + 1), column '\(name)'"
                let isNull = nullTexts.contains(cell)
                switch type {
                case .integer, .long:
                    if isNull {
                        sink.grouped(
                            .error, group: "csv-\(name)", label: "cells of column '\(name)'", path: path,
                            "column '\(name)' (\(type)): an empty/NA cell in an integer column (pandas: Integer column has NA values)"
                        )
                    } else if ["True", "False", "true", "false", "TRUE", "FALSE"].contains(cell) {
                        break
                    } else if let parsed = PythonText.int(cell), parsed.fitsInt64, let v = parsed.value {
                        if type == .integer && (v < Int64(Int32.min) || v > Int64(Int32.max)) {
                            sink.grouped(
                                .error, group: "csv-\(name)", label: "cells of column '\(name)'", path: path,
                                "column '\(name)' (integer): \(v) is out of bounds for int32")
                        }
                    } else {
                        sink.grouped(
                            .error, group: "csv-\(name)", label: "cells of column '\(name)'", path: path,
                            "column '\(name)' (\(type)): '\(cell)' is not an integer")
                    }
                case .float, .double:
                    if !isNull && PythonText.float(cell) == nil
                        && !["True", "False", "true", "false", "TRUE", "FALSE"].contains(cell)
                    {
                        sink.grouped(
                            .error, group: "csv-\(name)", label: "cells of column '\(name)'", path: path,
                            "column '\(name)' (\(type)): could not convert string to float: '\(cell)'")
                    }
                case .boolean:
                    if isNull {
                        sink.grouped(
                            .error, group: "csv-\(name)", label: "cells of column '\(name)'", path: path,
                            "column '\(name)' (boolean): an empty/NA cell in a boolean column (pandas: Bool column has NA values)"
                        )
                    } else if !["True", "False", "true", "false", "TRUE", "FALSE", "0", "1"].contains(cell) {
                        sink.grouped(
                            .error, group: "csv-\(name)", label: "cells of column '\(name)'", path: path,
                            "column '\(name)' (boolean): '\(cell)' is not True or False")
                    }
                case .binary:
                    sink.grouped(
                        .warning, group: "csv-bin-\(name)", label: "cells of column '\(name)'", path: path,
                        "column '\(name)' (binary): CSV cells are passed as text, not base64-decoded")
                case .string, .datetime:
                    break
                }
            }
        }
        if named {
            reportColumnPresence(specs: specs, present: Set(header), allColumns: header, path: "header")
        } else if header.count < specs.count {
            sink.error("header", "the signature has \(specs.count) unnamed columns but the CSV has \(header.count)")
        }
    }
}

enum CSVText {
    /// The dtype pandas infers for a CSV column without a dtype.
    static func inferredDtype(_ cells: [String], nullTexts: Set<String>) -> SeriesDtype {
        var allInt = true
        var allNumber = true
        var allBool = true
        var anyNull = false
        for cell in cells {
            if nullTexts.contains(cell) {
                anyNull = true
                allBool = false
                continue
            }
            if PythonText.int(cell) == nil || cell.contains("_") { allInt = false }
            if PythonText.float(cell) == nil || cell.contains("_") { allNumber = false }
            if !["True", "False", "true", "false", "TRUE", "FALSE"].contains(cell) { allBool = false }
        }
        if cells.isEmpty { return .object }
        if allBool { return .bool }
        if allInt && !anyNull { return .int64 }
        if allNumber { return .float64 }
        return .object
    }

    /// RFC 4180 rows (quotes, doubled quotes; CRLF, LF or a lone CR ends a row); blank lines are
    /// skipped as pandas does.
    static func rows(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var inQuotes = false
        var fieldStarted = false
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func endRow() {
            if !(row.isEmpty && field.isEmpty && !fieldStarted) {
                row.append(field)
                rows.append(row)
            }
            row = []
            field = ""
            fieldStarted = false
        }
        while let c = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" {
                            field.unicodeScalars.append("\"")
                        } else {
                            inQuotes = false
                            pending = next
                        }
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                inQuotes = true
                fieldStarted = true
            case ",":
                row.append(field)
                field = ""
                fieldStarted = true
            case "\n": endRow()
            case "\r":
                // CR, LF and CRLF each end a row, as pandas' C parser reads them.
                endRow()
                if let next = iterator.next(), next != "\n" { pending = next }
            default:
                field.unicodeScalars.append(c)
                fieldStarted = true
            }
        }
        endRow()
        return rows
    }
}
