"""Generates the differential-check corpus: for every model signature (the shared real models, the
repository's fixtures, and synthetic signatures covering every MLflow type), payloads that are valid
and broken in every way the inference issue lists, in both protocols and every request format.

    python generate.py OUT_DIR [MODEL_DIR...]

Writes OUT_DIR/models/<name>/MLmodel for the synthetic signatures and OUT_DIR/cases.jsonl:
{"id", "model", "protocol", "content_type", "body", "kind"} with `body` the exact request text.
Deterministic: no randomness, so two runs give the same corpus.
"""

import json
import os
import sys

from mlflow.models.signature import ModelSignature
from mlflow.types.schema import Array, ColSpec, Map, Object, ParamSchema, ParamSpec, Property, Schema, TensorSpec

import numpy as np

SYNTHETIC = {
    "all-scalars": ModelSignature(
        inputs=Schema([
            ColSpec("boolean", "b"), ColSpec("integer", "i"), ColSpec("long", "l"), ColSpec("float", "f"),
            ColSpec("double", "d"), ColSpec("string", "s"), ColSpec("binary", "bin"), ColSpec("datetime", "dt"),
        ])
    ),
    "optional-columns": ModelSignature(
        inputs=Schema([
            ColSpec("double", "x"), ColSpec("long", "n", required=False), ColSpec("string", "tag", required=False),
            ColSpec("double", "w", required=False),
        ])
    ),
    "unnamed-columns": ModelSignature(inputs=Schema([ColSpec("double"), ColSpec("double"), ColSpec("double")])),
    "complex-types": ModelSignature(
        inputs=Schema([
            ColSpec(Array("long"), "ids"), ColSpec(Array("string"), "words"),
            ColSpec(Object([Property("name", "string"), Property("age", "long", required=False)]), "person"),
            ColSpec(Map("double"), "scores"), ColSpec("string", "note"),
        ])
    ),
    "array-double": ModelSignature(inputs=Schema([ColSpec(Array("double"), "v"), ColSpec("double", "x")])),
    "named-tensors": ModelSignature(
        inputs=Schema([
            TensorSpec(np.dtype("float32"), (-1, 3), "pixels"), TensorSpec(np.dtype("int64"), (-1,), "ids"),
        ])
    ),
    "tensor-3d": ModelSignature(inputs=Schema([TensorSpec(np.dtype("float64"), (-1, 2, 2))])),
    "tensor-uint8": ModelSignature(inputs=Schema([TensorSpec(np.dtype("uint8"), (-1, 4))])),
    "tensor-str": ModelSignature(inputs=Schema([TensorSpec(np.dtype("str"), (-1,))])),
    "tensor-bool": ModelSignature(inputs=Schema([TensorSpec(np.dtype("bool"), (-1, 2))])),
    "params": ModelSignature(
        inputs=Schema([ColSpec("string", "text")]),
        params=ParamSchema([
            ParamSpec("temperature", "double", 0.5), ParamSpec("top_k", "long", 5), ParamSpec("greedy", "boolean", False),
            ParamSpec("stop", "string", ["\n"], shape=(-1,)), ParamSpec("since", "datetime", "2024-01-01"),
            ParamSpec("label", "string", "x"), ParamSpec("ratio", "float", 1.0), ParamSpec("n32", "integer", 1),
        ]),
    ),
    "single-column": ModelSignature(inputs=Schema([ColSpec("long", "n")])),
    "no-signature": None,
}


def write_mlmodel(directory, signature):
    os.makedirs(directory, exist_ok=True)
    lines = ["flavors:", "  python_function:", "    loader_module: mlflow.sklearn", "mlflow_version: 3.17.2"]
    if signature is not None:
        d = signature.to_dict()
        lines.append("signature:")
        for key in ("inputs", "outputs", "params"):
            if d.get(key) is not None:
                lines.append(f"  {key}: {json.dumps(d[key])}")
    with open(os.path.join(directory, "MLmodel"), "w") as f:
        f.write("\n".join(lines) + "\n")


# --------------------------------------------------------------------------------------------
# Values

def good_value(t, row=0):
    """A value MLflow takes cleanly for a column type (as a JSON-able Python object)."""
    if isinstance(t, Array):
        return [good_value(t.dtype, row), good_value(t.dtype, row + 1)]
    if isinstance(t, Object):
        return {p.name: good_value(p.dtype, row) for p in t.properties if p.required}
    if isinstance(t, Map):
        return {"a": good_value(t.value_type, row)}
    name = getattr(t, "name", str(t))
    return {
        "boolean": row % 2 == 0, "integer": 3 + row, "long": 40 + row, "float": 1.5 + row, "double": 2.25 + row,
        "string": f"s{row}", "binary": "aGVsbG8=", "datetime": "2024-01-0%dT10:00:00" % (row + 1),
    }.get(name, 1)


VARIANTS = [
    ("int", 7), ("float-frac", 1.5), ("float-whole", 2.0), ("bool", True), ("str-int", "7"), ("str-float", "1.5"),
    ("str-word", "abc"), ("null", None), ("str-true", "true"), ("big-int32", 3000000000), ("huge-float", 1e40),
    ("negative", -1), ("iso-date", "2024-01-02"), ("base64", "aGVsbG8="), ("bad-base64", "aGVsbG8"),
    ("list", [1]), ("object", {"x": 1}), ("over-int64", 9223372036854775808), ("zero", 0), ("str-space", " 8 "),
    ("empty-str", ""), ("nan", float("nan")), ("date-slash", "2024/01/02"), ("non-ascii", "é"),
    # Every datetime form pandas accepts or refuses (issue 18): zones, offsets, fractions, epochs.
    ("dt-naive", "2024-01-02T03:04:05"), ("dt-z", "2024-01-02T03:04:05Z"), ("dt-offset", "2024-01-02T03:04:05+02:00"),
    ("dt-neg-offset", "2024-01-02T03:04:05-05:30"), ("dt-frac-z", "2024-01-02T03:04:05.123456Z"), ("dt-space", "2024-01-02 03:04:05"),
    ("dt-offset-compact", "2024-01-02T03:04:05+0200"), ("dt-date-z", "2024-01-02Z"), ("dt-bad-month", "2024-13-02"),
    ("epoch-int", 1704164645), ("epoch-ms", 1704164645000), ("epoch-float", 1704164645.5),
]

# Columns of mixed datetime forms (pandas decides on the whole column).
DATETIME_MIXES = [
    ("naive+z", ["2024-01-02T03:04:05", "2024-01-03T03:04:05Z"]),
    ("z+offset", ["2024-01-02T03:04:05Z", "2024-01-03T03:04:05+02:00"]),
    ("offset+offset", ["2024-01-02T03:04:05+02:00", "2024-01-03T03:04:05-05:00"]),
    ("z+z", ["2024-01-02T03:04:05Z", "2024-01-03T04:05:06Z"]),
    ("date+datetime", ["2024-01-02", "2024-01-03T03:04:05"]),
    ("str+epoch", ["2024-01-02", 1704164645]),
    ("null+z", [None, "2024-01-03T03:04:05Z"]),
]

COMPLEX_VARIANTS = [
    ("empty-list", []), ("list-ints", [1, 2]), ("list-floats", [1.5, 2.5]), ("list-zero-one", [0, 1]),
    ("list-strs", ["a", "b"]), ("list-mixed", ["a", 1]), ("list-null", [1, None]), ("scalar", 5), ("null", None),
    ("obj-ok", {"name": "ann"}), ("obj-full", {"name": "ann", "age": 3}), ("obj-missing", {"age": 3}),
    ("obj-extra", {"name": "ann", "zzz": 1}), ("obj-bad", {"name": 5}), ("map-ok", {"a": 1.5}), ("map-int", {"a": 1}),
    ("map-str", {"a": "x"}), ("empty-obj", {}), ("nested", [[1], [2]]), ("str", "abc"),
]


def columns_of(sig):
    return list(sig.inputs.inputs) if sig is not None and sig.inputs is not None else []


def dumps(obj):
    return json.dumps(obj, allow_nan=True)


# --------------------------------------------------------------------------------------------
# Column signatures

def column_cases(sig):
    cols = columns_of(sig)
    named = sig.inputs.has_input_names()
    names = [c.name if named else None for c in cols]
    labels = [c.name if named else i for i, c in enumerate(cols)]

    def row(r=0, override=None):
        vals = [good_value(c.type, r) for c in cols]
        for k, v in (override or {}).items():
            vals[k] = v
        return vals

    def split(rows, cols_=None):
        return {"columns": cols_ if cols_ is not None else labels, "data": rows}

    def records(rows, names_=None):
        keys = names_ or labels
        return [{str(k): v for k, v in zip(keys, r)} for r in rows]

    rows2 = [row(0), row(1)]
    yield "split-valid", {"dataframe_split": split(rows2)}, None
    yield "records-valid", {"dataframe_records": records(rows2)}, None
    yield "instances-valid", {"instances": records(rows2)}, None
    yield "inputs-columns", {"inputs": {str(k): [r[i] for r in rows2] for i, k in enumerate(labels)}}, None
    yield "inputs-records", {"inputs": records(rows2)}, None
    yield "inputs-single", {"inputs": {str(k): v for k, v in zip(labels, row(0))}}, None
    yield "inputs-list", {"inputs": rows2}, None
    yield "azure-split", {"input_data": {"columns": labels, "index": [0, 1], "data": rows2}}, None
    yield "azure-split-no-index", {"input_data": {"columns": labels, "data": rows2}}, None
    yield "azure-list", {"input_data": rows2}, None
    yield "azure-records", {"input_data": records(rows2)}, None
    yield "azure-dict", {"input_data": {str(k): [r[i] for r in rows2] for i, k in enumerate(labels)}}, None
    yield "split-with-index", {"dataframe_split": dict(split(rows2), index=[0, 1])}, None
    yield "split-index-mismatch", {"dataframe_split": dict(split(rows2), index=[0, 1, 2])}, None
    yield "split-index-broadcast", {"dataframe_split": dict(split([row(0)]), index=[0, 1])}, None
    yield "split-empty-data", {"dataframe_split": split([])}, None
    yield "split-no-columns", {"dataframe_split": {"data": rows2}}, None
    yield "split-short-row", {"dataframe_split": split([row(0), row(1)[:-1]])}, None
    yield "split-long-row", {"dataframe_split": split([row(0) + [1]])}, None
    yield "split-extra-key", {"dataframe_split": dict(split(rows2), extra=1)}, None
    yield "split-data-not-list", {"dataframe_split": {"columns": labels, "data": 5}}, None
    yield "split-columns-str", {"dataframe_split": {"columns": "a", "data": rows2}}, None
    yield "split-as-list", {"dataframe_split": rows2}, None
    yield "records-as-dict", {"dataframe_records": records(rows2)[0]}, None
    yield "records-empty", {"dataframe_records": []}, None
    yield "records-of-lists", {"dataframe_records": rows2}, None
    yield "records-mixed", {"dataframe_records": records(rows2)[:1] + [row(1)]}, None
    yield "instances-empty", {"instances": []}, None
    yield "instances-lists", {"instances": rows2}, None
    yield "inputs-scalar", {"inputs": 5}, None
    if len(cols) > 1:
        yield "split-reordered", {"dataframe_split": split([list(reversed(row(0)))], list(reversed(labels)))}, None
        yield "split-missing-first", {"dataframe_split": split([row(0)[1:]], labels[1:])}, None
        yield "records-missing-key", {"dataframe_records": [dict(list(records([row(0)])[0].items())[1:]), records([row(1)])[0]]}, None
        yield "instances-missing-key", {"instances": [dict(list(records([row(0)])[0].items())[1:]), records([row(1)])[0]]}, None
        yield "inputs-missing-col", {"inputs": {str(k): [r[i] for r in rows2] for i, k in enumerate(labels) if i > 0}}, None
        yield "inputs-unequal", {"inputs": {str(k): [r[i] for r in rows2][: (1 if i == 0 else 2)] for i, k in enumerate(labels)}}, None
        yield "azure-missing-col", {"input_data": {"columns": labels[1:], "index": [0], "data": [row(0)[1:]]}}, None
    yield "split-extra-col", {"dataframe_split": split([row(0) + [1]], labels + ["zzz_extra"])}, None
    yield "records-extra-col", {"dataframe_records": [dict(records([row(0)])[0], zzz_extra=1)]}, None
    yield "instances-extra-col", {"instances": [dict(records([row(0)])[0], zzz_extra=1)]}, None
    yield "inputs-extra-col", {"inputs": dict({str(k): [v] for k, v in zip(labels, row(0))}, zzz_extra=[1])}, None
    yield "split-duplicate-col", {"dataframe_split": split([row(0) + [row(0)[0]]], labels + [labels[0]])}, None

    # Every value variant in every column (first 8 columns), in every format.
    for ci, c in enumerate(cols[:8]):
        variants = COMPLEX_VARIANTS if not hasattr(c.type, "to_numpy") else VARIANTS
        for vname, v in variants:
            bad = row(0, {ci: v})
            lab = f"{labels[ci]}={vname}"
            yield f"split-cell[{lab}]", {"dataframe_split": split([row(1), bad])}, None
            yield f"records-cell[{lab}]", {"dataframe_records": records([row(1), bad])}, None
            yield f"instances-cell[{lab}]", {"instances": records([row(1), bad])}, None
            yield f"inputs-cell[{lab}]", {"inputs": {str(k): [row(1)[i], bad[i]] for i, k in enumerate(labels)}}, None
            yield f"inputs-scalar-cell[{lab}]", {"inputs": {str(k): bad[i] for i, k in enumerate(labels)}}, None
            yield f"azure-cell[{lab}]", {"input_data": {"columns": labels, "index": [0, 1], "data": [row(1), bad]}}, None
            if c.required is False or not named:
                continue
    # Nulls at every level of a split body, and rows narrower or wider than the columns.
    yield "split-data-null", {"dataframe_split": {"columns": labels, "data": None}}, None
    yield "split-row-null", {"dataframe_split": split([row(0), None])}, None
    yield "split-all-rows-null", {"dataframe_split": split([None, None])}, None
    yield "split-row-empty", {"dataframe_split": split([row(0), []])}, None
    yield "split-columns-null", {"dataframe_split": {"columns": None, "data": rows2}}, None
    yield "split-narrow-rows", {"dataframe_split": split([row(0)[:1], row(1)[:1]])}, None
    yield "records-null-row", {"dataframe_records": records([row(0)]) + [None]}, None
    yield "inputs-null", {"inputs": None}, None
    yield "instances-null", {"instances": None}, None
    yield "body-null-split", {"dataframe_split": None}, None
    # Datetime columns given mixed forms.
    for ci, c in enumerate(cols[:8]):
        if str(c.type) != "datetime" and getattr(c.type, "name", "") != "datetime":
            continue
        for mname, values in DATETIME_MIXES:
            rows = [row(r, {ci: v}) for r, v in enumerate(values)]
            yield f"split-dt-mix[{labels[ci]}={mname}]", {"dataframe_split": split(rows)}, None
            yield f"records-dt-mix[{labels[ci]}={mname}]", {"dataframe_records": records(rows)}, None
            yield f"inputs-dt-mix[{labels[ci]}={mname}]", {"inputs": {str(k): [r[i] for r in rows] for i, k in enumerate(labels)}}, None
    # A whole column of one variant (pandas infers the column from all its values).
    for ci, c in enumerate(cols[:8]):
        if not hasattr(c.type, "to_numpy"):
            continue
        for vname, v in VARIANTS[:12]:
            rows = [row(r, {ci: v}) for r in range(3)]
            yield f"split-column[{labels[ci]}={vname}]", {"dataframe_split": split(rows)}, None
            yield f"inputs-column[{labels[ci]}={vname}]", {"inputs": {str(k): [r[i] for r in rows] for i, k in enumerate(labels)}}, None


# --------------------------------------------------------------------------------------------
# Tensor signatures

def tensor_value(spec, batch=2, fill=None):
    shape = [batch if d == -1 else d for d in spec.shape]
    kind = spec.type.kind
    def leaf(i):
        if fill is not None:
            return fill
        if kind == "f":
            return 0.5 + i
        if kind in "iu":
            return i % 200
        if kind == "b":
            return i % 2 == 0
        return f"t{i}"
    counter = [0]
    def build(dims):
        if not dims:
            counter[0] += 1
            return leaf(counter[0])
        return [build(dims[1:]) for _ in range(dims[0])]
    return build(shape)


def tensor_cases(sig):
    specs = list(sig.inputs.inputs)
    named = sig.inputs.has_input_names()
    leaf_variants = [("int", 3), ("float", 1.5), ("bool", True), ("str-num", "2"), ("str-word", "abc"), ("null", None),
                     ("negative", -1), ("big", 300), ("huge", 1e40), ("obj", {"a": 1})]
    if not named:
        s = specs[0]
        good = tensor_value(s)
        yield "inputs-valid", {"inputs": good}, None
        yield "instances-valid", {"instances": good}, None
        yield "azure-valid", {"input_data": good}, None
        yield "inputs-batch1", {"inputs": tensor_value(s, 1)}, None
        yield "inputs-batch0", {"inputs": []}, None
        yield "inputs-scalar", {"inputs": 5}, None
        yield "inputs-dict", {"inputs": {"x": good}}, None
        yield "azure-dict", {"input_data": {"x": good}}, None
        yield "inputs-flat", {"inputs": [1, 2, 3]}, None
        yield "inputs-extra-dim", {"inputs": [good]}, None
        yield "inputs-ragged", {"inputs": [[1, 2], [3]]}, None
        yield "inputs-list-of-dicts", {"inputs": [{"a": 1}]}, None
        yield "instances-dicts", {"instances": [{"x": good[0]}]}, None
        if len(s.shape) > 1 and s.shape[-1] != -1:
            wrong = [row + row[:1] if isinstance(row, list) else row for row in good]
            yield "inputs-wrong-dim", {"inputs": wrong}, None
        if len(s.shape) == 2:
            n = s.shape[1]
            cols = [f"c{i}" for i in range(n)]
            yield "split-valid", {"dataframe_split": {"columns": cols, "data": good}}, None
            yield "records-valid", {"dataframe_records": [dict(zip(cols, r)) for r in good]}, None
            yield "split-wrong-cols", {"dataframe_split": {"columns": cols + ["z"], "data": [r + [r[0]] for r in good]}}, None
            yield "split-list-cell", {"dataframe_split": {"columns": ["t"], "data": [[r] for r in good]}}, None
            yield "split-list-cell-ragged", {"dataframe_split": {"columns": ["t"], "data": [[good[0]], [good[1][:-1]]]}}, None
            yield "azure-split", {"input_data": {"columns": cols, "index": [0, 1], "data": good}}, None
        if len(s.shape) == 1:
            yield "split-scalar-col", {"dataframe_split": {"columns": ["t"], "data": [[v] for v in good]}}, None
        for vname, v in leaf_variants:
            bad = tensor_value(s)
            node = bad
            while isinstance(node[0], list):
                node = node[0]
            node[0] = v
            yield f"inputs-leaf[{vname}]", {"inputs": bad}, None
            yield f"azure-leaf[{vname}]", {"input_data": bad}, None
            if len(s.shape) == 2:
                yield f"split-leaf[{vname}]", {"dataframe_split": {"columns": [f"c{i}" for i in range(s.shape[1])], "data": bad}}, None
    else:
        good = {sp.name: tensor_value(sp) for sp in specs}
        yield "inputs-valid", {"inputs": good}, None
        yield "azure-valid", {"input_data": good}, None
        yield "instances-valid", {"instances": [{sp.name: tensor_value(sp, 1)[0] for sp in specs} for _ in range(2)]}, None
        yield "inputs-missing", {"inputs": {k: v for k, v in list(good.items())[1:]}}, None
        yield "inputs-extra", {"inputs": dict(good, zzz=[1, 2])}, None
        yield "inputs-extra-ragged", {"inputs": dict(good, zzz=[[1], [1, 2]])}, None
        yield "inputs-list", {"inputs": list(good.values())[0]}, None
        yield "inputs-diff-batch", {"inputs": {sp.name: tensor_value(sp, 1 + i) for i, sp in enumerate(specs)}}, None
        yield "instances-diff-batch-dict", {"instances": {sp.name: tensor_value(sp, 1 + i) for i, sp in enumerate(specs)}}, None
        yield "instances-missing-key", {"instances": [{specs[0].name: tensor_value(specs[0], 1)[0]}, {sp.name: tensor_value(sp, 1)[0] for sp in specs}]}, None
        yield "instances-ragged", {"instances": [{sp.name: tensor_value(sp, 1)[0] for sp in specs}, {sp.name: (tensor_value(sp, 1)[0][:-1] if isinstance(tensor_value(sp, 1)[0], list) else [1, 2]) for sp in specs}]}, None
        yield "split-list-cells", {"dataframe_split": {"columns": [sp.name for sp in specs], "data": [[tensor_value(sp, 1)[0] for sp in specs] for _ in range(2)]}}, None
        yield "records-list-cells", {"dataframe_records": [{sp.name: tensor_value(sp, 1)[0] for sp in specs} for _ in range(2)]}, None
        yield "azure-split-list-cells", {"input_data": {"columns": [sp.name for sp in specs], "index": [0, 1], "data": [[tensor_value(sp, 1)[0] for sp in specs] for _ in range(2)]}}, None
        for sp in specs:
            for vname, v in leaf_variants:
                bad = dict(good)
                val = tensor_value(sp)
                node = val
                while isinstance(node[0], list):
                    node = node[0]
                node[0] = v
                bad[sp.name] = val
                yield f"inputs-leaf[{sp.name}={vname}]", {"inputs": bad}, None
            yield f"inputs-rank[{sp.name}]", {"inputs": dict(good, **{sp.name: [good[sp.name]]})}, None
            yield f"inputs-scalar[{sp.name}]", {"inputs": dict(good, **{sp.name: 5})}, None


# --------------------------------------------------------------------------------------------
# Protocol-level, params and CSV cases (any signature)

def protocol_cases(sig):
    cols = columns_of(sig)
    if sig is not None and sig.inputs is not None and sig.inputs.is_tensor_spec():
        base_inputs = {"inputs": [[1]]}
    else:
        base_inputs = {"dataframe_split": {"columns": [c.name for c in cols] if cols and cols[0].name else list(range(len(cols))), "data": [[good_value(c.type) for c in cols]]}}
    azure = {"input_data": base_inputs.get("inputs") or dict(base_inputs["dataframe_split"], index=[0])}
    yield "mixed-protocols", dict(azure, **base_inputs), None
    yield "azure-extra-key", dict(azure, foo=1), None
    yield "azure-null", {"input_data": None}, None
    yield "azure-scalar", {"input_data": 5}, None
    yield "azure-string", {"input_data": "hello"}, None
    yield "mlflow-two-formats", dict(base_inputs, instances=[[1]]), None
    yield "mlflow-extra-key", dict(base_inputs, foo=1), None
    yield "no-known-key", {"foo": 1}, None
    yield "empty-object", {}, None
    yield "params-not-dict", dict(base_inputs, params=5), None
    yield "params-unknown", dict(base_inputs, params={"zzz": 1}), None
    yield "azure-params-unknown", dict(azure, params={"zzz": 1}), None
    yield "raw:list-body", "[1, 2, 3]", None
    yield "raw:string-body", '"hello"', None
    yield "raw:malformed", '{"dataframe_split": {"columns": ["a"], "data": [[1]]', None
    yield "raw:trailing-comma", '{"inputs": [1, 2,]}', None
    yield "raw:nan-literal", json.dumps(base_inputs).replace("}", ', "params": {"x": NaN}}', 1) if False else '{"inputs": [NaN, 1.0]}', None
    yield "raw:empty", "", None
    yield "raw:bom", "\ufeff" + json.dumps(base_inputs), None
    yield "forced-azure-on-mlflow", base_inputs, "azureml"
    yield "forced-mlflow-on-azure", azure, "mlflow"


def params_cases(sig):
    base = {"dataframe_split": {"columns": ["text"], "data": [["hi"]]}}
    values = {
        "temperature": [0.7, 1, True, "0.7", None, [0.7], {"a": 1}],
        "top_k": [3, 3.0, 3.5, True, "3", 9223372036854775808, None],
        "greedy": [True, 1, "true", None],
        "stop": [["a", "b"], "a", [], [["a"]], [1, 2], None, [None]],
        "since": ["2024-01-02", "2024-01-02T10:00:00", "yesterday", 5, None, "7", "20240102"],
        "label": ["x", 5, None, True],
        "ratio": [1.5, 1, "1.5"],
        "n32": [1, 3000000000, 1.0],
    }
    for name, vals in values.items():
        for i, v in enumerate(vals):
            yield f"param[{name}#{i}]", dict(base, params={name: v}), None
            yield f"azure-param[{name}#{i}]", {"input_data": {"columns": ["text"], "index": [0], "data": [["hi"]]}, "params": {name: v}}, None
    yield "params-all", dict(base, params={"temperature": 0.1, "top_k": 1, "greedy": True, "stop": ["x"], "since": "2024-01-01", "label": "l", "ratio": 2.0, "n32": 2}), None
    yield "params-null", dict(base, params=None), None
    yield "params-empty", dict(base, params={}), None


def csv_cases(sig):
    cols = columns_of(sig)
    if not cols or sig.inputs.is_tensor_spec():
        yield "csv-basic", "a,b\n1,2\n", "csv"
        return
    names = [c.name for c in cols] if sig.inputs.has_input_names() else [f"c{i}" for i in range(len(cols))]
    def cell(t, r=0):
        v = good_value(t, r)
        if isinstance(v, bool):
            return "True" if v else "False"
        return str(v) if not isinstance(v, (list, dict)) else json.dumps(v).replace(",", ";")
    good = ",".join(names) + "\n" + ",".join(cell(c.type) for c in cols) + "\n"
    yield "csv-valid", good, "csv"
    yield "csv-missing-col", ",".join(names[1:]) + "\n" + ",".join(cell(c.type) for c in cols[1:]) + "\n", "csv"
    yield "csv-extra-field", good.rstrip("\n") + ",9\n", "csv"
    for ci, c in enumerate(cols[:8]):
        for vname, v in [("empty", ""), ("word", "abc"), ("frac", "1.5"), ("int", "7"), ("lower-true", "true"), ("yes", "yes")]:
            cells = [cell(cc.type) for cc in cols]
            cells[ci] = v
            yield f"csv-cell[{names[ci]}={vname}]", ",".join(names) + "\n" + ",".join(cells) + "\n", "csv"


def cases_for(model_dir, sig):
    if sig is None or sig.inputs is None:
        gens = [protocol_cases(sig)]
        yield from _emit(gens)
        # Structure-only checks still apply without a signature.
        for kind, body in [("split-valid", {"dataframe_split": {"columns": ["a"], "data": [[1]]}}),
                           ("inputs-ragged", {"inputs": [[1, 2], [3]]}), ("inputs-dict-ragged", {"inputs": {"a": [[1], [1, 2]]}}),
                           ("records-valid", {"dataframe_records": [{"a": 1}]}), ("azure-list", {"input_data": [1, 2]}),
                           ("split-long-row", {"dataframe_split": {"columns": ["a"], "data": [[1, 2]]}}),
                           # Ragged shapes and unequal columns in every protocol (issue 18).
                           ("split-ragged", {"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2], [3]]}}),
                           ("split-narrow", {"dataframe_split": {"columns": ["a", "b"], "data": [[1], [2]]}}),
                           ("split-data-null", {"dataframe_split": {"columns": ["a"], "data": None}}),
                           ("split-row-null", {"dataframe_split": {"columns": ["a"], "data": [[1], None]}}),
                           ("split-no-columns-ragged", {"dataframe_split": {"data": [[1, 2], [3]]}}),
                           ("inputs-unequal", {"inputs": {"a": [1, 2], "b": [3]}}),
                           ("inputs-unequal-nested", {"inputs": {"a": [[1], [2]], "b": [[3]]}}),
                           ("inputs-scalar-and-list", {"inputs": {"a": 1, "b": [1, 2]}}),
                           ("instances-unequal", {"instances": {"a": [1, 2], "b": [3]}}),
                           ("instances-ragged", {"instances": [[1, 2], [3]]}),
                           ("records-ragged-keys", {"dataframe_records": [{"a": 1}, {"b": 2}]}),
                           ("azure-unequal", {"input_data": {"a": [1, 2], "b": [3]}}),
                           ("azure-split-ragged", {"input_data": {"columns": ["a", "b"], "data": [[1, 2], [3]]}}),
                           ("inputs-null", {"inputs": None}), ("split-null", {"dataframe_split": None})]:
            yield kind, body, None
        return
    gens = [protocol_cases(sig)]
    if sig.inputs.is_tensor_spec():
        gens.append(tensor_cases(sig))
    else:
        gens.append(column_cases(sig))
    if sig.params is not None:
        gens.append(params_cases(sig))
    gens.append(csv_cases(sig))
    yield from _emit(gens)


def _emit(gens):
    for g in gens:
        yield from g


def main():
    out = sys.argv[1]
    model_dirs = sys.argv[2:]
    os.makedirs(out, exist_ok=True)
    models = []
    for name, sig in SYNTHETIC.items():
        d = os.path.join(out, "models", name)
        write_mlmodel(d, sig)
        models.append((name, d, sig))
    from mlflow.models import Model

    for d in model_dirs:
        m = Model.load(os.path.join(d, "MLmodel"))
        if m.signature is None:
            continue
        models.append((os.path.basename(d.rstrip("/")), os.path.abspath(d), m.signature))

    n = 0
    with open(os.path.join(out, "cases.jsonl"), "w") as f:
        for name, d, sig in models:
            seen = set()
            for kind, body, extra in cases_for(d, sig):
                protocol = extra if extra in ("azureml", "mlflow") else None
                content_type = "text/csv" if extra == "csv" else "application/json"
                text = body if isinstance(body, str) else dumps(body)
                if kind.startswith("raw:"):
                    kind = kind[4:]
                key = (text, protocol, content_type)
                if key in seen:
                    continue
                seen.add(key)
                n += 1
                f.write(json.dumps({"id": f"{name}/{n:05d}", "model": d, "model_name": name, "kind": kind,
                                    "protocol": protocol, "content_type": content_type, "body": text}) + "\n")
    print(f"{n} cases for {len(models)} signatures", file=sys.stderr)


if __name__ == "__main__":
    main()
