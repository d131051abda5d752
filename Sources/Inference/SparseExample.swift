// A sparse-matrix input example (`saved_input_example_info.type` sparse_matrix_csc / _csr): MLflow
// stores scipy's arrays ({"data", "indices", "indptr", "shape"}), reads them back into a matrix
// (mlflow/models/utils.py `_read_sparse_matrix_from_json`) and checks that matrix's shape and
// dtype against the tensor spec. The same check is the one on the dense `inputs` of that shape,
// which is what this builds (bounded: the matrix must be small enough to write out).

import JSON

enum SparseExample {
    /// The most cells a sparse example may expand to; larger ones are reported, not expanded.
    static let maximumCells = 1_000_000

    enum Reading {
        case dense(JSONValue)
        case refused(String)
    }

    /// `compressedColumns`: csc (indptr walks columns) rather than csr (indptr walks rows).
    static func read(_ value: JSONValue, compressedColumns: Bool) -> Reading {
        guard case .object(let object) = value,
            case .array(let data)? = object["data"], case .array(let indices)? = object["indices"],
            case .array(let indptr)? = object["indptr"], case .array(let shape)? = object["shape"]
        else {
            return .refused("a sparse example needs the arrays \"data\", \"indices\", \"indptr\" and \"shape\"")
        }
        guard shape.count == 2, let rows = smallInt(shape[0]), let columns = smallInt(shape[1]) else {
            return .refused("\"shape\" must be two non-negative integers")
        }
        guard rows.multipliedReportingOverflow(by: columns).partialValue <= maximumCells, rows <= maximumCells,
            columns <= maximumCells
        else {
            return .refused(
                "the sparse example is \(rows) x \(columns): too large for mlenv to expand (at most \(maximumCells) cells)"
            )
        }
        let major = compressedColumns ? columns : rows
        let minor = compressedColumns ? rows : columns
        let pointers = indptr.compactMap(smallInt)
        guard pointers.count == indptr.count, pointers.count == major + 1, pointers.first == 0,
            zip(pointers, pointers.dropFirst()).allSatisfy({ $0 <= $1 }), pointers.last == data.count,
            indices.count == data.count
        else {
            return .refused(
                "\"indptr\" must rise from 0 to the number of values, one entry more than the \(compressedColumns ? "columns" : "rows")"
            )
        }
        var integers = true
        for item in data {
            guard case .number(let n) = item else { return .refused("\"data\" must hold numbers") }
            if case .int = PyNumber(n) {} else { integers = false }
        }
        let zero = JSONValue.number(JSONNumber(text: integers ? "0" : "0.0"))
        var cells = [[JSONValue]](repeating: [JSONValue](repeating: zero, count: columns), count: rows)
        for m in 0..<major {
            for k in pointers[m]..<pointers[m + 1] {
                guard let i = smallInt(indices[k]), i < minor else {
                    return .refused("\"indices\" must be below \(minor)")
                }
                if compressedColumns { cells[i][m] = data[k] } else { cells[m][i] = data[k] }
            }
        }
        return .dense(.array(cells.map { .array($0) }))
    }

    private static func smallInt(_ value: JSONValue) -> Int? {
        guard case .number(let n) = value, case .int(let i) = PyNumber(n), i >= 0, i <= Int64(Int32.max) else {
            return nil
        }
        return Int(i)
    }
}
