// Tensor inputs: `inputs` / `instances` bodies (and Azure lists / named-tensor objects) for a
// tensor signature. MLflow turns each value into `np.array(value, dtype=spec.dtype)`
// (`convert_data_type`), then checks rank, every fixed dimension, and the dtype
// (`_enforce_tensor_spec`, mlflow/models/utils.py, MLflow 3.17.2). Ragged nested lists fail in
// numpy ("inhomogeneous shape") unless the dtype is `object`.

import JSON
import ModelFiles

/// The shape numpy infers for nested lists, and the cast of every leaf.
struct TensorAnalysis {
    let dtype: NumpyDType?
    private(set) var dims: [Int] = []
    private(set) var leafDepth: Int?
    private(set) var ragged = false
    private(set) var raggedDepth = Int.max
    private(set) var leafCount = 0
    private(set) var failures: [(path: String, message: String)] = []
    private(set) var failureCount = 0
    private(set) var changes: [(path: String, message: String)] = []
    private(set) var changeCount = 0
    let keep = 3
    /// The numpy line whose casts are followed.
    let numpy: NumpyLine

    init(dtype: NumpyDType?, numpy: NumpyLine = .two) {
        self.dtype = dtype
        self.numpy = numpy
    }

    /// The numpy shape; for a ragged object array, the dimensions before the raggedness.
    var shape: [Int] {
        if ragged { return Array(dims.prefix(min(raggedDepth, dims.count))) }
        return dims
    }

    mutating func add(_ value: JSONValue, indexPath: [Int]) {
        var stack: [(JSONValue, Int, [Int])] = [(value, indexPath.count, indexPath)]
        let base = indexPath.count
        while let (v, depth, path) = stack.popLast() {
            let d = depth - base
            if case .array(let items) = v {
                if let leaf = leafDepth, d >= leaf {
                    markRagged(at: leaf)
                    continue
                }
                if dims.count == d {
                    dims.append(items.count)
                } else if d < dims.count, dims[d] != items.count {
                    markRagged(at: d)
                }
                for (i, item) in items.enumerated().reversed() { stack.append((item, depth + 1, path + [i])) }
            } else {
                if let leaf = leafDepth {
                    if leaf != d { markRagged(at: min(leaf, d)) }
                } else {
                    leafDepth = d
                    if dims.count > d { markRagged(at: d) }
                }
                leafCount += 1
                guard let dtype else { continue }
                switch ValueCasts.numpy(v, to: dtype, numpy: numpy) {
                case .ok: break
                case .changed(let message):
                    changeCount += 1
                    if changes.count < keep { changes.append((path.map { "[\($0)]" }.joined(), message)) }
                case .failed(let message):
                    failureCount += 1
                    if failures.count < keep { failures.append((path.map { "[\($0)]" }.joined(), message)) }
                }
            }
        }
    }

    private mutating func markRagged(at depth: Int) {
        ragged = true
        raggedDepth = min(raggedDepth, depth)
    }

    /// Whether `np.array(value, dtype)` raises for the shape.
    var shapeFails: Bool { ragged && dtype != .object }
}

extension RequestCheck {
    /// `_enforce_tensor_spec`: rank, fixed dimensions, dtype.
    func checkTensorShape(_ analysis: TensorAnalysis, spec: TensorSpec, path: String, label: String) {
        let expected = spec.shape
        let actual = analysis.shape
        if expected == [-1] && NumpyDType(name: spec.dtype) == .object { return }
        if analysis.ragged && expected.count > 1 && expected.dropFirst().contains(-1) && actual.count == 1 { return }
        let matches = expected.count == actual.count && zip(expected, actual).allSatisfy { $0 == -1 || $0 == $1 }
        if !matches {
            sink.error(path, "\(label) has shape \(pyShape(actual)), expected \(pyShape(expected)) (-1 = any size)")
        }
    }

    func pyShape(_ dims: [Int]) -> String {
        dims.count == 1 ? "(\(dims[0]),)" : "(" + dims.map(String.init).joined(separator: ", ") + ")"
    }

    /// `np.array(value, dtype)` plus the shape check, reporting at `path`.
    func checkTensorValue(_ value: JSONValue, spec: TensorSpec?, path: String, label: String) -> TensorAnalysis {
        let dtype = spec.flatMap { NumpyDType(name: $0.dtype) }
        var analysis = TensorAnalysis(dtype: spec == nil ? nil : dtype, numpy: options.numpy)
        analysis.add(value, indexPath: [])
        reportCasts(analysis, path: path, label: label, dtypeName: spec?.dtype)
        if analysis.shapeFails {
            sink.error(
                path,
                "\(label) is a ragged nested list: numpy cannot make an array of it (inhomogeneous shape after \(analysis.raggedDepth) dimension\(analysis.raggedDepth == 1 ? "" : "s"))"
            )
        } else if let spec, analysis.failures.isEmpty {
            checkTensorShape(analysis, spec: spec, path: path, label: label)
        }
        return analysis
    }

    func reportCasts(_ analysis: TensorAnalysis, path: String, label: String, dtypeName: String?) {
        for failure in analysis.failures {
            sink.error(path + failure.path, "\(label) (\(dtypeName ?? "?")): \(failure.message)")
        }
        if analysis.failureCount > analysis.failures.count {
            sink.error(
                path, "\(analysis.failureCount - analysis.failures.count) more values of \(label) cannot be converted")
        }
        for change in analysis.changes {
            sink.warning(path + change.path, "\(label) (\(dtypeName ?? "?")): \(change.message)")
        }
        if analysis.changeCount > analysis.changes.count {
            sink.warning(
                path,
                "\(analysis.changeCount - analysis.changes.count) more values of \(label) are changed the same way")
        }
    }

    // MARK: inputs / instances for tensor signatures

    func checkTensorBody(_ value: JSONValue, specs: [TensorSpec], format: RequestFormat, path: String) {
        let named = specs.allSatisfy { $0.name != nil }
        if format == .instances, case .array(let items) = value, let first = items.first, case .object = first {
            checkTensorInstances(items, specs: specs, named: named, path: path)
            return
        }
        guard named else {
            let spec = specs[0]
            switch value {
            case .object, .null:
                sink.error(
                    path,
                    "this model takes one unnamed tensor, so the input must be a (nested) list, found \(value.kindName == "object" ? "an object" : "null") (MLflow: un-named model signature expects a single n-dimensional array)"
                )
            case .array(let items)
            where items.allSatisfy({
                if case .object = $0 { return true }
                return false
            }):
                sink.error(
                    path,
                    items.isEmpty
                        ? "the input is an empty list; this model takes a tensor of shape \(pyShape(spec.shape))"
                        : "the input is a list of objects; this model takes one unnamed tensor (a nested list of numbers)"
                )
            default:
                _ = checkTensorValue(value, spec: spec, path: path, label: "the tensor")
            }
            return
        }
        switch value {
        case .object(let object):
            checkNamedTensors(object, specs: specs, path: path, lengthCheck: format == .instances)
        case .array(let items):
            if specs.count == 1,
                !items.contains(where: {
                    if case .object = $0 { return true }
                    return false
                })
            {
                checkNamedTensors(
                    JSONObject([JSONObject.Entry(key: specs[0].name ?? "", value: value)]), specs: specs, path: path,
                    lengthCheck: false, implicit: true)
            } else {
                let names = specs.compactMap(\.name)
                sink.error(
                    path,
                    "this model takes named tensors \(names.map { "'\($0)'" }.joined(separator: ", ")): send an object name → (nested) list, found a list (MLflow: Model is missing inputs \(Paths.pyList(names)))"
                )
            }
        default:
            let names = specs.compactMap(\.name)
            sink.error(
                path,
                "this model takes named tensors \(names.map { "'\($0)'" }.joined(separator: ", ")): send an object name → (nested) list, found \(value.kindName)"
            )
        }
    }

    private func checkNamedTensors(
        _ object: JSONObject, specs: [TensorSpec], path: String, lengthCheck: Bool, implicit: Bool = false
    ) {
        var firstDims: [String: Int] = [:]
        let names = Set(specs.compactMap(\.name))
        var extra: [String] = []
        var seen = Set<String>()
        for entry in object.entries.reversed() where seen.insert(entry.key).inserted {
            let entryPath = implicit ? path : Paths.member(path, entry.key)
            let spec = specs.first { $0.name == entry.key }
            if spec == nil { extra.append(entry.key) }
            let analysis = checkTensorValue(entry.value, spec: spec, path: entryPath, label: "tensor '\(entry.key)'")
            if let first = analysis.shape.first, !analysis.shapeFails { firstDims[entry.key] = first }
        }
        let missing = specs.compactMap(\.name).filter { object[$0] == nil }
        if !missing.isEmpty {
            sink.error(
                path,
                "missing tensor input(s) \(missing.map { "'\($0)'" }.joined(separator: ", ")) (MLflow: Model is missing inputs \(Paths.pyList(missing)))"
            )
        }
        if !extra.isEmpty {
            sink.warning(
                path,
                "\(extra.reversed().map { "'\($0)'" }.joined(separator: ", ")) \(extra.count == 1 ? "is" : "are") not an input of the model and \(extra.count == 1 ? "is" : "are") dropped"
            )
        }
        if lengthCheck {
            let lengths = Set(names.compactMap { firstDims[$0] })
            if lengths.count > 1 {
                sink.error(
                    path,
                    "the tensors have different first dimensions \(lengths.sorted()) (MLflow: The length of values for each input/column name are not the same)"
                )
            }
        }
    }

    /// Each entry of each instance of a list of objects, with its path; a key repeated in one
    /// object counts once, with its last value (as Python's dict keeps it). False, reported,
    /// at the first instance that is not an object.
    func forEachInstanceEntry(_ items: [JSONValue], path: String, _ body: (JSONObject.Entry, _ path: String) -> Void)
        -> Bool
    {
        for (i, item) in items.enumerated() {
            guard case .object(let object) = item else {
                sink.error(
                    Paths.index(path, i), "every instance must be an object like the first one, found \(item.kindName)")
                return false
            }
            var seen = Set<String>()
            for entry in object.entries.reversed() where seen.insert(entry.key).inserted {
                body(entry, Paths.member(Paths.index(path, i), entry.key))
            }
        }
        return true
    }

    /// `instances` as a list of objects: one object per row, stacked per input.
    private func checkTensorInstances(_ items: [JSONValue], specs: [TensorSpec], named: Bool, path: String) {
        var perKey: [String: (count: Int, shape: [Int]?, ragged: Bool)] = [:]
        var order: [String] = []
        let allObjects = forEachInstanceEntry(items, path: path) { entry, entryPath in
            let spec = specs.first { $0.name == entry.key }
            let label = "tensor '\(entry.key)'"
            let analysis = checkTensorValue(entry.value, spec: nil, path: entryPath, label: label)
            if let spec {
                var cast = TensorAnalysis(dtype: NumpyDType(name: spec.dtype), numpy: options.numpy)
                cast.add(entry.value, indexPath: [])
                reportCasts(cast, path: entryPath, label: label, dtypeName: spec.dtype)
            }
            if perKey[entry.key] == nil { order.append(entry.key) }
            var state = perKey[entry.key] ?? (0, nil, false)
            state.count += 1
            if analysis.shapeFails { state.ragged = true }
            if let existing = state.shape, existing != analysis.shape { state.ragged = true }
            if state.shape == nil { state.shape = analysis.shape }
            perKey[entry.key] = state
        }
        guard allObjects else { return }
        guard named else {
            sink.error(
                path, "this model takes one unnamed tensor: send `instances` as a (nested) list, not a list of objects")
            return
        }
        let specNames = specs.compactMap(\.name)
        for key in order {
            guard let state = perKey[key] else { continue }
            if state.ragged {
                sink.error(
                    path,
                    "the instances' values for '\(key)' have different shapes, so numpy cannot stack them (inhomogeneous shape)"
                )
            }
        }
        let missing = specNames.filter { perKey[$0] == nil }
        if !missing.isEmpty {
            sink.error(
                path,
                "missing tensor input(s) \(missing.map { "'\($0)'" }.joined(separator: ", ")) (MLflow: Model is missing inputs \(Paths.pyList(missing)))"
            )
        }
        let extra = order.filter { !specNames.contains($0) }
        if !extra.isEmpty {
            sink.warning(path, "\(extra.map { "'\($0)'" }.joined(separator: ", ")) not input(s) of the model; dropped")
        }
        let counts = Set(specNames.compactMap { perKey[$0]?.count })
        if counts.count > 1 {
            sink.error(
                path,
                "not every instance has every input (MLflow: The length of values for each input/column name are not the same)"
            )
            return
        }
        for spec in specs {
            guard let name = spec.name, let state = perKey[name], !state.ragged, let shape = state.shape else {
                continue
            }
            let full = [state.count] + shape
            let matches = spec.shape.count == full.count && zip(spec.shape, full).allSatisfy { $0 == -1 || $0 == $1 }
            if !matches && !(spec.shape == [-1] && NumpyDType(name: spec.dtype) == .object) {
                sink.error(
                    Paths.member(path, name),
                    "tensor '\(name)' stacked from the instances has shape \(pyShape(full)), expected \(pyShape(spec.shape))"
                )
            }
        }
    }
}
