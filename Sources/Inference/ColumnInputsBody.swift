// `inputs` and `instances` bodies (and Azure lists / non-split objects) for a column signature.
// MLflow converts each value with numpy toward the column's dtype (`_cast_schema_type`,
// `parse_instances_data`), then builds a DataFrame in `_enforce_schema` and checks it strictly
// (`_enforce_named_col_schema` → `_enforce_mlflow_datatype`). How the DataFrame is built depends on
// the shape of the body:
// - an object column → value: one row when every value is a scalar or when the signature has an
//   Array or Object column, else one row per list element (the lists must have equal lengths);
// - a list of objects: one row per object, NaN where an object lacks a column;
// - any other list: one array cast to the first column's type, with positional columns.

import JSON
import ModelFiles

/// A column after numpy's conversion: what pandas will see.
private enum Converted {
    /// A numpy scalar of the column's dtype (or None/NaN).
    case scalar
    /// A 1-D array of `count` values of the column's dtype.
    case vector(count: Int)
    /// An n-D (n > 1) array: pandas stores its rows as lists (object).
    case matrix(count: Int)
    /// A Python dict / list kept as is (Object, Map, Any columns).
    case raw(JSONValue)
    /// The conversion raised.
    case failed
}

extension RequestCheck {
    func checkColumnBody(_ value: JSONValue, specs: [ColumnSpec], format: RequestFormat, path: String) {
        let named = specs.contains { $0.name != nil }
        if format == .instances, case .array(let items) = value, let first = items.first, case .object = first {
            checkColumnInstances(items, specs: specs, named: named, path: path)
            return
        }
        if named, case .array(let items) = value, specs.count == 1,
            !items.contains(where: {
                if case .object = $0 { return true }
                return false
            })
        {
            // A single column: the list is that column.
            checkColumnObject(
                JSONObject([JSONObject.Entry(key: specs[0].name ?? "", value: value)]), specs: specs, path: path,
                lengthCheck: format == .instances, implicit: true)
            return
        }
        switch value {
        case .object(let object):
            if !named {
                sink.error(
                    path,
                    "the signature's columns are unnamed, so MLflow expects a list (one array) or a single value, found an object (un-named model signature)"
                )
                return
            }
            checkColumnObject(object, specs: specs, path: path, lengthCheck: format == .instances)
        case .array(let items)
        where items.allSatisfy({
            if case .object = $0 { return true }
            return false
        }):
            checkColumnRows(items, specs: specs, named: named, path: path)
        case .array:
            checkPositionalArray(value, specs: specs, named: named, path: path)
        case .null where !named:
            sink.error(path, "the input is null; the signature's unnamed columns need a list or a value")
        default:
            checkPositionalArray(value, specs: specs, named: named, path: path)
        }
    }

    /// numpy's conversion of one column value (`convert_data_type`).
    private func convert(
        _ value: JSONValue, spec: ColumnSpec?, path: @autoclosure () -> String, label: @autoclosure () -> String
    ) -> Converted {
        // The path and label are built only for a finding (this runs once per cell).
        guard let spec else {
            // Not in the signature: `np.array(value)` must still succeed.
            if case .array = value {
                var analysis = TensorAnalysis(dtype: nil)
                analysis.add(value, indexPath: [])
                if analysis.ragged {
                    sink.error(path(), "\(label()) is a ragged nested list: numpy cannot make an array of it")
                    return .failed
                }
                return analysis.shape.count > 1
                    ? .matrix(count: analysis.shape[0]) : .vector(count: analysis.shape.first ?? 0)
            }
            return .scalar
        }
        switch spec.type {
        case .scalar(let type):
            let dtype = NumpyDType(type)
            if case .array = value {
                var analysis = TensorAnalysis(dtype: dtype, numpy: options.numpy)
                analysis.add(value, indexPath: [])
                if analysis.failureCount > 0 || !analysis.failures.isEmpty || analysis.changeCount > 0
                    || !analysis.changes.isEmpty
                {
                    reportCasts(analysis, path: path(), label: label(), dtypeName: type.rawValue)
                }
                if analysis.shapeFails {
                    sink.error(path(), "\(label()) is a ragged nested list: numpy cannot make an array of it")
                    return .failed
                }
                if !analysis.failures.isEmpty { return .failed }
                return analysis.shape.count > 1
                    ? .matrix(count: analysis.shape[0]) : .vector(count: analysis.shape.first ?? 0)
            }
            switch ValueCasts.numpy(value, to: dtype, numpy: options.numpy) {
            case .ok: return .scalar
            case .changed(let message):
                sink.warning(path(), "\(label()) (\(type)): \(message)")
                return .scalar
            case .failed(let message):
                sink.error(path(), "\(label()) (\(type)): \(message)")
                return .failed
            }
        case .any:
            return .raw(value)
        case .array:
            if let message = StrictTypes.typeError(value, spec.type, required: spec.required) {
                sink.error(path(), "\(label()) (\(spec.type)): \(message)")
                return .failed
            }
            if case .array = value {
                var analysis = TensorAnalysis(dtype: nil)
                analysis.add(value, indexPath: [])
                if analysis.ragged && analysis.dims.count > 1 {
                    // np.array over the enforced lists: ragged nesting raises.
                    sink.error(
                        path(),
                        "\(label()) (\(spec.type)): nested lists of different lengths cannot become a numpy array")
                    return .failed
                }
            }
            return .raw(value)
        case .object, .map:
            if let message = StrictTypes.typeError(value, spec.type, required: spec.required) {
                sink.error(path(), "\(label()) (\(spec.type)): \(message)")
                return .failed
            }
            return .raw(value)
        }
    }

    /// An object column → value (`inputs`, Azure named objects, `instances` as an object).
    private func checkColumnObject(
        _ object: JSONObject, specs: [ColumnSpec], path: String, lengthCheck: Bool, implicit: Bool = false
    ) {
        var converted: [(String, Converted)] = []
        var seen = Set<String>()
        var failed = false
        for entry in object.entries.reversed() where seen.insert(entry.key).inserted {
            let spec = columnSpec(entry.key, in: specs)
            let c = convert(
                entry.value, spec: spec, path: implicit ? path : Paths.member(path, entry.key),
                label: "column '\(entry.key)'")
            if case .failed = c { failed = true }
            converted.insert((entry.key, c), at: 0)
        }
        if failed { return }
        let present = Set(converted.map(\.0))
        let oneRow =
            specs.contains {
                if case .array = $0.type { return true }
                if case .object = $0.type { return true }
                return false
            }
            || converted.allSatisfy {
                if case .scalar = $0.1 { return true }
                return false
            }
        if !oneRow {
            let lengths = Set(
                converted.compactMap { (_, c) -> Int? in
                    switch c {
                    case .vector(let n), .matrix(let n): return n
                    case .raw(.array(let a)): return a.count
                    default: return nil
                    }
                })
            if lengths.count > 1 {
                sink.error(
                    path,
                    "the columns' lists have different lengths \(lengths.sorted()) (pandas: All arrays must be of the same length)"
                )
                return
            }
        }
        if lengthCheck {
            // `instances` as an object: required, non-Array columns must have equal lengths.
            let lengths = Set(
                converted.compactMap { (name, c) -> Int? in
                    guard let spec = columnSpec(name, in: specs), spec.required else { return nil }
                    if case .array = spec.type { return nil }
                    switch c {
                    case .vector(let n), .matrix(let n): return n
                    default: return nil
                    }
                })
            if lengths.count > 1 {
                sink.error(
                    path,
                    "the columns have different lengths (MLflow: The length of values for each input/column name are not the same)"
                )
                return
            }
        }
        reportColumnPresence(specs: specs, present: present, allColumns: converted.map(\.0), path: path)
        // Strict dtype check: a nested list in a scalar column is an object column.
        for (name, c) in converted {
            guard let spec = columnSpec(name, in: specs), case .scalar(let type) = spec.type else { continue }
            let isObject: Bool
            switch c {
            case .matrix: isObject = true
            case .vector: isObject = oneRow
            default: isObject = false
            }
            if isObject && ![.string, .binary, .boolean].contains(type) {
                sink.error(
                    implicit ? path : Paths.member(path, name),
                    "column '\(name)' (\(type)) receives lists as values (an object column); MLflow: Can not safely convert object to \(NumpyDType(type))"
                )
            }
        }
    }

    /// A list of objects: one row per object.
    private func checkColumnRows(_ rows: [JSONValue], specs: [ColumnSpec], named: Bool, path: String) {
        var columns: [String] = []
        var counts: [String: Int] = [:]
        var hasVectorCell: Set<String> = []
        var failed = false
        for (i, row) in rows.enumerated() {
            guard case .object(let object) = row else { continue }
            var seen = Set<String>()
            for entry in object.entries.reversed() where seen.insert(entry.key).inserted {
                let spec = named ? columnSpec(entry.key, in: specs) : nil
                if entry.value.isNull, let spec, case .array = spec.type {
                    // `np.array(None)` is 0-d: MLflow's Array check takes its len() and fails.
                    sink.error(
                        Paths.member(Paths.index(path, i), entry.key),
                        "null for column '\(entry.key)' (\(spec.type)): numpy makes it a 0-d array and MLflow's Array check fails (len() of unsized object); leave the key out of every row or send []"
                    )
                    failed = true
                }
                let c = convert(
                    entry.value, spec: spec, path: Paths.member(Paths.index(path, i), entry.key),
                    label: "column '\(entry.key)'")
                switch c {
                case .failed: failed = true
                case .vector, .matrix: hasVectorCell.insert(entry.key)
                default: break
                }
                if counts[entry.key] == nil { columns.append(entry.key) }
                counts[entry.key, default: 0] += 1
            }
        }
        if failed { return }
        if !named {
            if columns.count < specs.count {
                sink.error(path, "the signature has \(specs.count) unnamed columns but the rows have \(columns.count)")
            } else {
                sink.error(
                    path,
                    "the signature's columns are unnamed: MLflow reads a list of objects by position and infers each column's type from raw JSON, which the strict check refuses unless the types match exactly; send a list (array) instead"
                )
            }
            return
        }
        reportColumnPresence(specs: specs, present: Set(columns), allColumns: columns, path: path)
        for spec in specs {
            guard let name = spec.name, let count = counts[name] else { continue }
            guard case .scalar(let type) = spec.type else {
                if count < rows.count, spec.type != .any {
                    sink.error(
                        path,
                        "column '\(name)' (\(spec.type)) is missing from \(rows.count - count) of the \(rows.count) objects: pandas fills NaN, and MLflow's \(spec.type) check refuses a float (Expected data to be list, dict or array, got float); give it in every object or in none"
                    )
                }
                continue
            }
            if hasVectorCell.contains(name) && ![.string, .binary, .boolean].contains(type) {
                sink.error(
                    path,
                    "column '\(name)' (\(type)) receives lists as values (an object column); MLflow: Can not safely convert object to \(NumpyDType(type))"
                )
            } else if count < rows.count {
                // Missing in some rows → NaN: integers become float64, which the strict check refuses.
                switch type {
                case .integer, .long, .float:
                    sink.error(
                        path,
                        "column '\(name)' (\(type)) is missing from \(rows.count - count) of the \(rows.count) objects: pandas fills NaN and the column becomes float64, which MLflow cannot safely convert to \(NumpyDType(type))"
                    )
                case .boolean:
                    sink.warning(
                        path, "column '\(name)' is missing from \(rows.count - count) objects; pandas fills NaN")
                default:
                    break
                }
            }
        }
    }

    /// Any other list (or a scalar): one numpy array cast to the first column's type.
    private func checkPositionalArray(_ value: JSONValue, specs: [ColumnSpec], named: Bool, path: String) {
        guard let first = specs.first else { return }
        var analysis: TensorAnalysis
        if case .scalar(let type) = first.type {
            analysis = TensorAnalysis(dtype: NumpyDType(type), numpy: options.numpy)
            analysis.add(value, indexPath: [])
            reportCasts(
                analysis, path: path, label: "the input (cast to the first column's type \(type))",
                dtypeName: type.rawValue)
            if !analysis.failures.isEmpty { return }
        } else {
            analysis = TensorAnalysis(dtype: nil)
            analysis.add(value, indexPath: [])
        }
        if analysis.ragged {
            sink.error(path, "the input is a ragged nested list: numpy cannot make an array of it")
            return
        }
        let width = analysis.shape.count >= 2 ? analysis.shape[1] : 1
        if named {
            let names = specs.filter(\.required).compactMap(\.name)
            sink.error(
                path,
                "this model takes named columns \(names.map { "'\($0)'" }.joined(separator: ", ")); a list of values gives pandas positional columns 0, 1, ... (MLflow: Model is missing inputs \(Paths.pyList(names))). Send an object column → values, a list of objects, or use dataframe_split"
            )
            return
        }
        if analysis.shape.count > 2 {
            sink.error(path, "the input has \(analysis.shape.count) dimensions; a DataFrame takes at most 2")
            return
        }
        if width < specs.count {
            sink.error(path, "the signature has \(specs.count) unnamed columns but the input has \(width)")
            return
        }
        // Every positional column has the first column's dtype; the strict check compares it with each column.
        if case .scalar(let firstType) = first.type {
            for (i, spec) in specs.enumerated().dropFirst() {
                guard case .scalar(let type) = spec.type, type != firstType else { continue }
                if !strictWidens(from: firstType, to: type) {
                    sink.error(
                        path,
                        "column \(i) (\(type)) receives values cast to the first column's type \(firstType): MLflow cannot safely convert \(NumpyDType(firstType)) to \(NumpyDType(type))"
                    )
                }
            }
        }
    }

    private func strictWidens(from: DataType, to: DataType) -> Bool {
        switch (from, to) {
        case (.integer, .long), (.float, .double), (.integer, .double), (.string, .binary), (.string, .boolean),
            (.binary, .string), (.binary, .boolean):
            return true
        default: return false
        }
    }

    /// `instances` as a list of objects (`parse_instances_data`): each value converted on its own,
    /// then `np.array(values)` per column, the length check, and `_enforce_schema` on the dict.
    private func checkColumnInstances(_ items: [JSONValue], specs: [ColumnSpec], named: Bool, path: String) {
        var columns: [String] = []
        var counts: [String: Int] = [:]
        var rawValues: [String: [JSONValue]] = [:]
        var shapes: [String: Set<[Int]>] = [:]
        var failed = false
        let allObjects = forEachInstanceEntry(items, path: path) { entry, entryPath in
            let spec = named ? columnSpec(entry.key, in: specs) : nil
            if case .failed = convert(entry.value, spec: spec, path: entryPath, label: "column '\(entry.key)'") {
                failed = true
            }
            if counts[entry.key] == nil { columns.append(entry.key) }
            counts[entry.key, default: 0] += 1
            rawValues[entry.key, default: []].append(entry.value)
            // Shape of this value as numpy sees it (objects are scalars to numpy).
            var analysis = TensorAnalysis(dtype: nil)
            if case .array = entry.value { analysis.add(entry.value, indexPath: []) }
            shapes[entry.key, default: []].insert(analysis.ragged ? [-2] : analysis.shape)
        }
        if !allObjects || failed { return }
        // np.array over one column's converted values: mixed shapes cannot be stacked.
        for key in columns where (shapes[key]?.count ?? 0) > 1 || shapes[key]?.contains([-2]) == true {
            let spec = columnSpec(key, in: specs)
            if case .any? = spec?.type { continue }
            sink.error(
                Paths.member(path, key),
                "the instances' values for '\(key)' have different shapes (a list in some, a value or a list of another length in others), so numpy cannot stack them (inhomogeneous shape)"
            )
            failed = true
        }
        if failed { return }
        let arrayColumns = Set(
            specs.filter {
                if case .array = $0.type { return true }
                return false
            }.compactMap(\.name))
        let checked =
            named
            ? specs.filter { $0.required }.compactMap(\.name).filter { !arrayColumns.contains($0) && counts[$0] != nil }
            : columns
        if Set(checked.compactMap { counts[$0] }).count > 1 {
            sink.error(
                path,
                "not every instance has every column (MLflow: The length of values for each input/column name are not the same)"
            )
            return
        }
        guard named else {
            // Unnamed columns: positional, each typed by numpy's inference over its raw values.
            if columns.count < specs.count {
                sink.error(
                    path,
                    "the signature has \(specs.count) unnamed columns but the instances have \(columns.count) keys")
                return
            }
            if Set(columns.compactMap { counts[$0] }).count > 1 {
                sink.error(
                    path,
                    "not every instance has every key; pandas cannot build the DataFrame (All arrays must be of the same length)"
                )
                return
            }
            for (i, spec) in specs.enumerated() {
                guard case .scalar(let type) = spec.type else { continue }
                let values = rawValues[columns[i]] ?? []
                if shapes[columns[i]]?.contains(where: { !$0.isEmpty }) == true,
                    ![.string, .binary, .boolean].contains(type)
                {
                    sink.error(
                        Paths.member(path, columns[i]), "column \(i) (\(type)) receives lists (an object column)")
                } else if values.contains(where: \.isNull), ![.string, .binary, .boolean].contains(type) {
                    // np.array(None) is a 0-d object array; stacked with numbers it leaves arrays in the column.
                    sink.error(
                        Paths.member(path, columns[i]),
                        "column \(i) ('\(columns[i])', \(type)): null in an unnamed column of `instances` leaves numpy arrays in the column, which MLflow cannot convert (len() of unsized object)"
                    )
                } else if let message = StrictTypes.seriesError(values, as: type, dtype: SeriesDtype.inferNumpy(values))
                {
                    sink.error(Paths.member(path, columns[i]), "column \(i) ('\(columns[i])', \(type)): \(message)")
                }
            }
            return
        }
        let oneRow = specs.contains {
            if case .array = $0.type { return true }
            if case .object = $0.type { return true }
            return false
        }
        if !oneRow && Set(columns.compactMap { counts[$0] }).count > 1 {
            sink.error(
                path,
                "not every instance has every column; pandas cannot build the DataFrame (All arrays must be of the same length)"
            )
            return
        }
        reportColumnPresence(specs: specs, present: Set(columns), allColumns: columns, path: path)
        for spec in specs {
            guard let name = spec.name, counts[name] != nil else { continue }
            let hasLists = shapes[name]?.contains(where: { !$0.isEmpty }) == true
            switch spec.type {
            case .scalar(let type):
                if (oneRow || hasLists) && ![.string, .binary, .boolean].contains(type) {
                    sink.error(
                        Paths.member(path, name),
                        oneRow
                            ? "column '\(name)' (\(type)): with an Array or Object column in the signature, MLflow puts each column's whole list of instance values into one cell, which it cannot safely convert to \(NumpyDType(type)); send `inputs` or `dataframe_records` instead"
                            : "column '\(name)' (\(type)) receives lists as values (an object column); MLflow: Can not safely convert object to \(NumpyDType(type))"
                    )
                }
            case .array:
                sink.error(
                    Paths.member(path, name),
                    "column '\(name)' (\(spec.type)): `instances` stacks the lists into a 2-D array, which MLflow cannot take as an Array column (Data must be 1-dimensional); send `inputs` or `dataframe_records` instead"
                )
            case .object, .map:
                if oneRow {
                    sink.error(
                        Paths.member(path, name),
                        "column '\(name)' (\(spec.type)): `instances` turns the objects into an array in one cell, which MLflow refuses (Expected data to be dictionary); send `inputs` or `dataframe_records` instead"
                    )
                }
            case .any:
                break
            }
        }
    }

    /// Unified LLM bodies (`messages`, `prompt`, `input`): the object goes to the model unconverted.
    func checkRawObject(_ object: JSONObject, path: String) {
        guard let schema else { return }
        switch schema {
        case .tensors:
            sink.error(
                path,
                "this model takes tensors, but a `messages`/`prompt`/`input` body is passed to it as a plain object")
        case .columns(let specs):
            let present = Set(object.keys)
            reportColumnPresence(specs: specs, present: present, allColumns: object.keys, path: path)
            for spec in specs {
                guard let name = spec.name, let value = object[name] else { continue }
                if let message = StrictTypes.typeError(value, spec.type, required: spec.required) {
                    sink.error(Paths.member(path, name), "column '\(name)' (\(spec.type)): \(message)")
                }
            }
        }
    }
}
