"""MLflow's own schema-enforcement tests as differential data.

    .venv-mlflow/bin/python benchmarks/compare-mlflow/ported_model_schema.py --mlenv PATH/TO/mlenv

Source: tests/pyfunc/test_pyfunc_schema_enforcement.py of mlflow/mlflow (the version stored at
commit 97285421c29ed735dac18a68675759f81abffc47), where MLflow tests `_enforce_schema`,
`_enforce_tensor_spec` (through `PyFuncModel.predict`), `_enforce_params_schema`, input-example
round trips and scoring with objects, arrays and maps. MLflow has no tests/pyfunc/test_model_schema.py;
this is the file that holds those tests.

Each case is rebuilt as data: the signature the test saves or builds (written as an MLmodel the way
mlenv reads it), the request body that carries the test's input to the scoring server (the test's
own payload when it serves the model; otherwise the JSON body MLflow's parser turns into the object
the test passes to `predict`), and the outcome the test asserts. No test code is copied. Cases that
only exist in the Python API (numpy dtypes that JSON cannot carry, 0-d arrays, sets, tuples, bytes,
ParamSpec construction, tracing, warnings) are listed in SKIPPED and in RESULTS.md.

Every case goes through the oracle (real MLflow parsing + enforcement) and through
`mlenv validate` (oracle.compare, the loop every port shares); the report says how many agree
with the test's expectation and with each other.
Exit 0 when mlenv agrees with the oracle on every case.
"""

import argparse
import base64
import datetime
import json
import os
import sys
import tempfile

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from generate import write_mlmodel  # noqa: E402
from oracle import compare, summarize  # noqa: E402
from mlflow.models import ModelSignature, convert_input_example_to_serving_input, infer_signature  # noqa: E402
from mlflow.types import ColSpec, DataType, ParamSchema, ParamSpec, Schema, TensorSpec  # noqa: E402
from mlflow.types.schema import Array, Map, Object, Property  # noqa: E402
from mlflow.utils.proto_json_utils import NumpyEncoder, dump_input_data  # noqa: E402

SOURCE = "mlflow/mlflow tests/pyfunc/test_pyfunc_schema_enforcement.py @ 97285421c29ed735dac18a68675759f81abffc47"

SKIPPED = {
    "test_column_schema_enforcement (conversions 1-10, 12, 17)": "pandas column dtypes (int32 vs int64, uint32, float32, datetime64[D], Decimal): a JSON body has only numbers, which MLflow's parser reads by the signature",
    "test_tensor_multi_named_schema_enforcement (int32 cast, dict of lists)": "numpy dtypes and list-vs-ndarray: every JSON tensor arrives as a list the parser casts to the spec's dtype",
    "test_schema_enforcement_single_named_tensor_schema (list refused)": "list vs ndarray is a Python-API distinction; over JSON both are the same body",
    "test_tensor_schema_enforcement_no_col_names (list refused, uint32)": "same: list vs ndarray, numpy dtype",
    "test_column_schema_enforcement_no_col_names (set)": "a set is not JSON",
    "test_schema_enforcement_for_inputs_style_orientation_of_dataframe (0-d int arrays, bytes)": "np.array(1) values and raw bytes are not JSON",
    "test_schema_enforcement_for_list_inputs_back_compatibility_check (bytes)": "raw bytes are not JSON (the base64 case is ported)",
    "test_enforce_params_schema_with_success (np.int32/np.float32 values, int keys)": "numpy scalar types and non-string keys are not JSON; the JSON-expressible conversions are ported",
    "test_enforce_params_schema_errors (np.float32, bytes, np.datetime64, tuple)": "not JSON; the JSON-expressible errors are ported",
    "test_param_spec_with_success, test_param_spec_errors": "ParamSpec construction (signature authoring), no request",
    "test_enforce_schema_in_python_model_predict, test_enforce_schema_with_arrays_in_python_model_predict": "in-process predict with numpy params; their serving twins are ported",
    "test_invalid_input_example_warn_when_model_logging": "a model's own predict failing at logging time",
    "test_pyfunc_schema_inference_not_generate_trace": "tracing",
    "test_enforce_params_schema_warns_with_model_without_params (warning text)": "the warning itself; the request verdict is ported",
    "test_enforce_params_schema_errors_with_model_with_params (int keys)": "non-string keys are not JSON; the list-params case is ported",
}

JSON = "application/json"


def dumps(obj):
    return json.dumps(obj, cls=NumpyEncoder)


def b64(raw):
    return base64.b64encode(raw).decode("ascii")


SAMPLE_PARAMS_BASIC = {
    "str_param": "str_a", "int_param": np.int32(1), "bool_param": True, "double_param": 1.0,
    "float_param": np.float32(0.1), "long_param": 100, "datetime_param": np.datetime64("2023-06-26 00:00:00"),
    "str_list": ["a", "b", "c"], "bool_list": [True, False], "double_array": np.array([1.0, 2.0]),
}
SAMPLE_PARAMS_ARRAYS = {
    "int_array": np.array([np.int32(1), np.int32(2)]), "double_array": np.array([1.0, 2.0]),
    "float_array": np.array([np.float32(1.0), np.float32(2.0)]), "long_array": np.array([1, 2]),
    "datetime_array": np.array([np.datetime64("2023-06-26 00:00:00"), np.datetime64("2023-06-26 00:00:00")]),
}


def cases():
    """Yields (source test, signature, body, expected accepted?)."""
    cols = lambda *specs: ModelSignature(Schema(list(specs)))  # noqa: E731
    tens = lambda *specs: ModelSignature(Schema(list(specs)))  # noqa: E731
    from_dict = lambda inputs: ModelSignature.from_dict({"inputs": inputs})  # noqa: E731

    # test_schema_enforcement_single_column_2d_array: infer_signature of a (3, 1) int array
    t = "test_schema_enforcement_single_column_2d_array"
    yield t, infer_signature(np.array([[1], [2], [3]])), dumps({"inputs": [[1], [2], [3]]}), True

    # test_column_schema_enforcement
    t = "test_column_schema_enforcement"
    eight = cols(*(ColSpec(ty, n) for ty, n in [("integer", "a"), ("long", "b"), ("float", "c"), ("double", "d"), ("boolean", "e"), ("string", "g"), ("binary", "f"), ("datetime", "h")]))
    order = ["b", "d", "a", "c", "e", "g", "f", "h"]
    row = [2, 4, 1, 3, True, "x", b64(bytes([1])), "2021-01-01 00:00:00.1234567"]
    yield t + ": reordered", eight, dumps({"dataframe_split": {"columns": order, "data": [row]}}), True
    yield t + ": extra column ignored", eight, dumps({"dataframe_split": {"columns": order + ["x"], "data": [row + [1]]}}), True
    yield t + ": extra column, records", eight, dumps({"dataframe_records": [dict(zip(order + ["x"], row + [1]))]}), True
    missing = [c for c in order if c != "c"]
    yield t + ": missing column", eight, dumps({"dataframe_split": {"columns": missing, "data": [[v for c, v in zip(order, row) if c != "c"]]}}), False
    for col, value, ok, what in [("a", 1.0, False, "10. float -> int"), ("b", 2.0, False, "10. float -> long"), ("d", 4, True, "8. int -> double"), ("c", 3.5, False, "5. double -> float")]:
        changed = [value if c == col else v for c, v in zip(order, row)]
        yield f"{t}: {what}", eight, dumps({"dataframe_split": {"columns": order, "data": [changed]}}), ok
    yield t + ": 13. array without names", eight, dumps({"inputs": [[2, 4, 1, 3, True, "x", b64(bytes([1])), "2021-01-01"]]}), False
    d14 = {"a": [1, 2, 3], "b": [1, 2, 3], "c": [1.0, 2.0, 3.0], "d": [1.0, 2.0, 3.0], "e": [True, False, True], "g": ["a", "b", "c"],
           "f": [b64(bytes(0)), b64(bytes(1)), b64(bytes(1))], "h": ["2020-01-01", "2020-02-02", "2020-03-03"],
           "i": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "j": [[1, 2, 3], [4, 5, 6], [7, 8, 9]]}
    yield t + ": 14. dict of lists, extra 2-D dropped", eight, dumps({"inputs": d14}), True
    d15 = {k: [v] for k, v in d14.items() if k not in ("i", "j")}
    yield t + ": 15. dict of list[list]", eight, dumps({"inputs": d15}), False
    yield t + ": 16. lists of different lengths", eight, dumps({"inputs": {"a": [1], "b": [1, 2], "c": [1, 2, 3]}}), False

    # test_tensor_multi_named_schema_enforcement
    t = "test_tensor_multi_named_schema_enforcement"
    abc = tens(TensorSpec(np.dtype(np.uint64), (-1, 5), "a"), TensorSpec(np.dtype(np.short), (-1, 2), "b"), TensorSpec(np.dtype(np.float32), (2, -1, 2), "c"))
    inp = {"a": [[0] * 5, [1] * 5], "b": [[0, 0], [1, 1], [2, 2]], "c": [[[0, 0], [1, 1]], [[2, 2], [3, 3]]]}
    yield t + ": extra input ignored", abc, dumps({"inputs": dict(inp, x=1)}), True
    yield t + ": variable axes", abc, dumps({"inputs": {"a": [[0] * 5, [1] * 5, [2] * 5], "b": [[0, 0], [1, 1]], "c": [[[0, 0]], [[2, 2]]]}}), True
    yield t + ": one tensor only (missing)", abc, dumps({"inputs": inp["b"]}), False
    yield t + ": wrong shape", abc, dumps({"inputs": {"a": [[0, 0, 0, 0]], "b": [[0, 0], [1, 1]], "c": [[[0, 0]]]}}), False
    yield t + ": list, not dict", abc, dumps({"inputs": [[[0] * 5], [[0, 0], [1, 1]], [[[0, 0]]]]}), False
    yield t + ": empty tensor", abc, dumps({"inputs": dict(inp, a=[])}), False
    yield t + ": dataframe of scalars", abc, dumps({"dataframe_split": {"columns": ["a", "b", "c"], "data": [[1, 2, 3]]}}), False

    t = "test_schema_enforcement_single_named_tensor_schema"
    single = tens(TensorSpec(np.dtype(np.uint64), (-1, 2, 3), "a"))
    arr = np.arange(12, dtype=np.uint64).reshape((2, 2, 3)).tolist()
    yield t + ": dict", single, dumps({"inputs": {"a": arr}}), True
    yield t + ": bare array", single, dumps({"inputs": arr}), True

    t = "test_schema_enforcement_single_unnamed_tensor_schema"
    unnamed = tens(TensorSpec(np.dtype(np.uint64), (-1, 3)))
    arr = np.arange(6).reshape((2, 3)).tolist()
    yield t + ": array", unnamed, dumps({"inputs": arr}), True
    yield t + ": dataframe c1..c3", unnamed, dumps({"dataframe_split": {"columns": ["c1", "c2", "c3"], "data": arr}}), True
    yield t + ": dataframe of 2 columns", unnamed, dumps({"dataframe_split": {"columns": ["c1", "c2"], "data": [r[:2] for r in arr]}}), False

    t = "test_schema_enforcement_named_tensor_schema_1d"
    one_d = tens(TensorSpec(np.dtype(np.uint64), (-1,), "a"), TensorSpec(np.dtype(np.float32), (-1,), "b"))
    frame = {"dataframe_split": {"columns": ["a", "b"], "data": [[0, 0.0], [1, 1.0]]}}
    yield t + ": dataframe", one_d, dumps(frame), True
    yield t + ": dict", one_d, dumps({"inputs": {"a": [0, 1], "b": [0.0, 1.0]}}), True
    yield t + ": dataframe, spec (-1, 2)", tens(TensorSpec(np.dtype(np.uint64), (-1, 2), "a"), TensorSpec(np.dtype(np.float32), (-1,), "b")), dumps(frame), False
    yield t + ": dataframe, spec (2, -1)", tens(TensorSpec(np.dtype(np.uint64), (2, -1), "a"), TensorSpec(np.dtype(np.float32), (-1,), "b")), dumps(frame), False

    t = "test_schema_enforcement_named_tensor_schema_multidimensional"
    multi = tens(TensorSpec(np.dtype(np.uint64), (-1, 2, 3), "a"), TensorSpec(np.dtype(np.float32), (-1, 3, 4), "b"))
    da, db = np.arange(12, dtype=np.uint64), np.arange(24, dtype=np.float32) + 10.0
    pdf = pd.DataFrame({"a": da.reshape(-1, 6).tolist(), "b": db.reshape(-1, 12).tolist()})
    yield t + ": dataframe of flat lists, split", multi, dumps({"dataframe_split": pdf.to_dict(orient="split")}), True
    yield t + ": dataframe of flat lists, records", multi, dumps({"dataframe_records": pdf.to_dict(orient="records")}), True
    bad = pdf.assign(a=np.arange(16, dtype=np.uint64).reshape(-1, 8).tolist())
    yield t + ": lists of the wrong length", multi, dumps({"dataframe_split": bad.to_dict(orient="split")}), False
    yield t + ": dict", multi, dumps({"inputs": {"a": da.reshape(-1, 2, 3), "b": db.reshape(-1, 3, 4)}}), True

    t = "test_missing_value_hint_is_displayed_when_it_should"
    int_a = cols(ColSpec("integer", "a"))
    yield t + ": int and null", int_a, dumps({"dataframe_split": {"columns": ["a"], "data": [[1], [None]]}}), False
    yield t + ": fraction and null", int_a, dumps({"dataframe_split": {"columns": ["a"], "data": [[1.5], [None]]}}), False
    yield t + ": float64 column", int_a, dumps({"dataframe_split": {"columns": ["a"], "data": [[1.0], [2.0]]}}), False

    t = "test_column_schema_enforcement_no_col_names"
    three = cols(ColSpec("double"), ColSpec("double"), ColSpec("double"))
    yield t + ": list", three, dumps({"inputs": [[1.0, 2.0, 3.0]]}), True
    yield t + ": dataframe without names", three, dumps({"dataframe_split": {"data": [[1.0, 2.0, 3.0]]}}), True
    yield t + ": dataframe with names", three, dumps({"dataframe_split": {"columns": ["a", "b", "c"], "data": [[1.0, 2.0, 3.0]]}}), True
    yield t + ": two values", three, dumps({"inputs": [[1.0, 2.0]]}), False
    yield t + ": ints", three, dumps({"inputs": [[1, 2, 3]]}), False
    yield t + ": dict of lists", three, dumps({"inputs": {"a": [1.0], "b": [2.0], "c": [3.0]}}), True

    t = "test_tensor_schema_enforcement_no_col_names"
    f3 = tens(TensorSpec(np.dtype(np.float32), (-1, 3)))
    yield t + ": array", f3, dumps({"inputs": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]}), True
    yield t + ": dataframe", f3, dumps({"dataframe_split": {"data": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]}}), True
    yield t + ": dict", f3, dumps({"inputs": {"blah": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]}}), False
    yield t + ": wrong shape", f3, dumps({"inputs": [[1.0, 2.0], [4.0, 5.0]]}), False
    yield t + ": more rows", f3, dumps({"inputs": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]}), True
    yield t + ": empty", f3, dumps({"inputs": []}), False

    t = "test_schema_enforcement_for_inputs_style_orientation_of_dataframe"
    long_str = from_dict('[{"name": "a", "type": "long"}, {"name": "b", "type": "string"}]')
    for what, sig, data in [
        ("Dict[str, List]", long_str, {"a": [4, 5, 6], "b": ["a", "b", "c"]}),
        ("Dict[str, str]", from_dict('[{"name": "a", "type": "string"}]'), {"a": "Hi there!"}),
        ("List[Dict[str, str or List[str]]]", from_dict('[{"name": "query", "type": "string"}, {"name": "inputs", "type": "string"}]'), [{"query": ["test_query1", "test_query2"], "inputs": "test input"}]),
        ("List[str]", from_dict('[{"type": "string"}]'), ["a", "b", "c"]),
        ("Dict[str, scalar]", long_str, {"a": 12, "b": "a"}),
        ("Dict[str, size-1 list]", long_str, {"a": [12], "b": ["a"]}),
        ("Dict[str, str] of strings", from_dict('[{"name": "a", "type": "string"}, {"name": "b", "type": "string"}]'), {"a": "a", "b": "b"}),
        ("base64 binary", from_dict('[{"name": "audio", "type": "binary"}]'), {"audio": b64(b"Hi I am a bytes string")}),
    ]:
        yield f"{t}: {what}, inputs", sig, dumps({"inputs": data}), True
        frame = pd.DataFrame([data]) if isinstance(data, dict) and not isinstance(next(iter(data.values())), list) else pd.DataFrame(data)
        yield f"{t}: {what}, records", sig, dumps({"dataframe_records": frame.to_dict(orient="records")}), True

    t = "test_schema_enforcement_for_optional_columns"
    optional = cols(ColSpec("double", "a"), ColSpec("double", "b"), ColSpec("string", "c", required=False), ColSpec("long", "d", required=False))
    for what, data, ok in [("all columns", {"a": [1.0], "b": [1.0], "c": ["something"], "d": [2]}, True),
                           ("required only", {"a": [1.0], "b": [1.0]}, True),
                           ("one optional", {"a": [1.0], "b": [1.0], "d": [2]}, True),
                           ("optional of the wrong type", {"a": [1.0], "b": [1.0], "d": ["not the right type"]}, False),
                           ("required missing", {"b": [2.0], "c": ["something"]}, False)]:
        yield f"{t}: {what}", optional, dumps({"dataframe_split": pd.DataFrame(data).to_dict(orient="split")}), ok

    t = "test_schema_enforcement_for_list_inputs_back_compatibility_check"
    two_str = from_dict('[{"name": "a", "type": "string"}, {"name": "b", "type": "string"}]')
    audio = from_dict('[{"name": "audio", "type": "binary"}]')
    yield t + ": Dict[str, scalar or List[str]]", from_dict('[{"name": "prompt", "type": "string"}, {"name": "stop", "type": "string"}]'), dumps({"inputs": {"prompt": "this is the prompt", "stop": ["a", "b"]}}), True
    yield t + ": Dict[str, List[str]]", two_str, dumps({"inputs": {"a": ["Hi there!"], "b": ["Hello there", "Bye!"]}}), True
    yield t + ": List[base64] in a frame", audio, dumps({"dataframe_split": pd.DataFrame([{"audio": [b64(b"Hi I am a bytes string")]}]).to_dict(orient="split")}), True
    yield t + ": Dict[str, List[Any]]", long_str, dumps({"inputs": {"a": [4, 5, 6], "b": ["a", "b", "c"]}}), True
    yield t + ": orient=list, size 1", long_str, dumps({"inputs": {"a": [12], "b": ["a"]}}), True

    t = "test_schema_enforcement_for_list_inputs"
    yield t + ": string + Array(string)", from_dict('[{"type": "string", "name": "prompt", "required": true}, {"type": "array", "items": {"type": "string"}, "name": "stop", "required": true}]'), dumps({"inputs": {"prompt": "this is the prompt", "stop": ["a", "b"]}}), True
    yield t + ": Array(string) x2", from_dict('[{"type": "array", "items": {"type": "string"}, "name": "a", "required": true}, {"type": "array", "items": {"type": "string"}, "name": "b", "required": true}]'), dumps({"inputs": {"a": ["Hi there!"], "b": ["Hello there", "Bye!"]}}), True
    yield t + ": Array(binary) base64", from_dict('[{"type": "array", "items": {"type": "binary"}, "name": "audio", "required": true}]'), dumps({"inputs": {"audio": [b64(b"Hi I am a bytes string")]}}), True
    yield t + ": Array(long) + Array(string)", from_dict('[{"type": "array", "items": {"type": "long"}, "name": "a", "required": true}, {"type": "array", "items": {"type": "string"}, "name": "b", "required": true}]'), dumps({"inputs": {"a": [4, 5, 6], "b": ["a", "b", "c"]}}), True
    tensors = from_dict('[{"name": "a", "type": "tensor", "tensor-spec": {"dtype": "int64", "shape": [-1]}}, {"name": "b", "type": "tensor", "tensor-spec": {"dtype": "str", "shape": [-1]}}]')
    yield t + ": named 1-D tensors", tensors, dumps({"inputs": {"a": [1, 2, 3], "b": ["a", "b", "c"]}}), True
    yield t + ": named 1-D tensors, size 1", tensors, dumps({"inputs": {"a": [12], "b": ["a"]}}), True

    # params: _enforce_params_schema through the scoring server
    basic = infer_signature(["input1"], params=SAMPLE_PARAMS_BASIC)
    arrays = infer_signature(["input1"], params=SAMPLE_PARAMS_ARRAYS)
    t = "test_enforce_schema_in_python_model_serving"
    served = dict(SAMPLE_PARAMS_BASIC, int_param=1, float_param=0.1, datetime_param=datetime.datetime(2023, 6, 6))
    yield t + ": all params", basic, dump_input_data(["a", "b"], params=served), True
    yield t + ": invalid double", basic, dump_input_data(["a", "b"], params={"double_param": "invalid"}), False
    t = "test_enforce_schema_with_arrays_in_python_model_serving"
    yield t + ": all array params", arrays, dump_input_data(["a", "b"], params=SAMPLE_PARAMS_ARRAYS), True
    for name, value in [("datetime_array", [1.0, 2.0]), ("int_array", np.array([1.0, 2.0])), ("float_array", [True, False]), ("double_array", [1.0, "2.0"])]:
        yield f"{t}: bad {name}", arrays, dump_input_data(["a", "b"], params={name: value}), False
    t = "test_enforce_params_schema_with_success"
    for name, value in [("double_param", 1), ("float_param", 1), ("long_param", 1), ("datetime_param", "2023-07-01 00:00:00")]:
        yield f"{t}: {name}={value!r}", basic, dump_input_data(["a"], params={name: value}), True
    for name, value in [("double_array", [1, 2]), ("float_array", [1, 2]), ("long_array", [1, 2]), ("datetime_array", ["2023-06-26 00:00:00", "2023-06-26 00:00:00"])]:
        yield f"{t}: {name}={value!r}", arrays, dump_input_data(["a"], params={name: value}), True
    yield t + ": unknown param ignored", basic, dump_input_data(["a"], params={"str_param": "x", "invalid_param": "value"}), True
    t = "test_enforce_params_schema_errors"
    yield t + ": datetime 1.0", basic, dump_input_data(["a"], params={"datetime_param": 1.0}), False
    yield t + ": datetime array of floats", arrays, dump_input_data(["a"], params={"datetime_array": [1.0, 2.0]}), False
    yield t + ": float 'a'", basic, dump_input_data(["a"], params={"float_param": "a"}), False
    yield t + ": long '1'", basic, dump_input_data(["a"], params={"long_param": "1"}), False
    yield t + ": string 1.0", basic, dump_input_data(["a"], params={"str_param": 1.0}), False
    yield t + ": params not a dict", basic, dumps({"inputs": ["a"], "params": 100}), False
    yield t + ": 2-D list param", infer_signature(["a"], params={"a": [1, 2]}), dumps({"inputs": ["a"], "params": {"a": [[1, 2], [3, 4]]}}), False
    t = "test_enforce_params_schema_errors_with_model_with_params"
    yield t + ": params a list", infer_signature(["input"], params={"str_param": "string", "int_array": [1, 2, 3], "123": 123}), dumps({"inputs": ["input"], "params": [1, 2, 3]}), False
    t = "test_enforce_params_schema_warns_with_model_without_params"
    yield t, infer_signature(["input"]), dumps({"inputs": ["input"], "params": {"str_param": "string", "int_array": [1, 2, 3], "123": 123}}), True
    t = "test__enforce_params_schema_add_default_values"
    defaults = infer_signature(["input"], params={"str_param": "string", "int_array": [1, 2, 3]})
    for what, params in [("no params", None), ("some params", {"str_param": "new_string"}), ("all params", {"str_param": "new_string", "int_array": [4, 5, 6]}), ("unknown param", {"new_param": "new_string"})]:
        yield f"{t}: {what}", defaults, dump_input_data(["input"], params=params), True

    # models logged by MLflow 2.4.0 with `[{"type": "string"}]`
    for t in ("test_python_model_serving_compatible", "test_function_python_model_serving_compatible"):
        yield t, from_dict('[{"type": "string"}]'), dump_input_data(["a", "b"]), True

    t = "test_pyfunc_model_input_example_with_params"
    for example, schema in [
        (["input1", "input2", "input3"], Schema([ColSpec(DataType.string)])),
        ([{"a": "a", "b": "b"}, {"a": "b"}], Schema([ColSpec(DataType.string, "a"), ColSpec(DataType.string, "b", required=False)])),
        ({"a": ["a", "b", "c"], "b": "b"}, Schema([ColSpec(Array(DataType.string), "a"), ColSpec(DataType.string, "b")])),
        (pd.DataFrame({"a": ["a", "b", "c"], "b": "b"}), Schema([ColSpec(DataType.string, "a"), ColSpec(DataType.string, "b")])),
    ]:
        sig = ModelSignature(schema, params=basic.params)
        kind = type(example).__name__
        yield f"{t}: {kind}, saved example", sig, convert_input_example_to_serving_input((example, SAMPLE_PARAMS_BASIC)), True
        manual = dumps({"dataframe_split": example.to_dict(orient="split")}) if isinstance(example, pd.DataFrame) else dumps({"inputs": example})
        yield f"{t}: {kind}, manual", sig, manual, True

    t = "test_input_example_validation_during_logging"
    for example, sig in [
        (pd.DataFrame({"a": ["input1", "input2", "input3"]}), cols(ColSpec(DataType.string, "a"))),
        (np.array([1, 2, 3]), tens(TensorSpec(np.dtype("int64"), (-1,)))),
        (np.array([1, 2, 3, np.nan]), tens(TensorSpec(np.dtype("float64"), (-1,)))),
        ({"a": np.array([1, 2, 3])}, tens(TensorSpec(np.dtype("int64"), (-1,), "a"))),
        (["input1", "input2", "input3"], cols(ColSpec(DataType.string))),
        ([{"a": ["sentence1", "sentence2"], "b": ["answer1", "answer2"]}], cols(ColSpec(Array(DataType.string), "a"), ColSpec(Array(DataType.string), "b"))),
        ({"messages": [{"role": "user", "content": "some question"}]}, cols(ColSpec(Array(Object([Property("role", DataType.string), Property("content", DataType.string)])), "messages"))),
    ]:
        yield f"{t}: {type(example).__name__} {str(example)[:40]!r}", sig, convert_input_example_to_serving_input(example), True

    str_q = Schema([ColSpec(DataType.string, name="query")])
    str_qt = Schema([ColSpec(DataType.string, name="query"), ColSpec(DataType.string, name="table")])
    t = "test_pyfunc_model_schema_enforcement_with_dicts_and_lists"
    for data, schema in [({"a": [1, 2, 3]}, Schema([ColSpec(DataType.long, name="a")])), ({"query": "sentence"}, str_q),
                         ({"query": ["sentence_1", "sentence_2"]}, str_q), ({"query": ["sentence_1", "sentence_2"], "table": "some_table"}, str_qt),
                         ([{"query": "sentence"}, {"query": "sentence"}], str_q),
                         ([{"query": ["sentence_1", "sentence_2"], "table": "some_table"}] * 2, str_qt)]:
        yield f"{t}: {json.dumps(data)[:50]}", ModelSignature(schema), dumps({"inputs": data}), True

    t = "test_pyfunc_model_serving_with_dicts"
    for data, schema in [({"query": "sentence"}, str_q), ({"query": ["sentence_1", "sentence_2"]}, str_q), ({"query": ["sentence_1", "sentence_2"], "table": "some_table"}, str_qt)]:
        df = pd.DataFrame([data]) if all(isinstance(x, str) for x in data.values()) else pd.DataFrame(data)
        for key in ("inputs", "dataframe_split", "dataframe_records"):
            payload = {key: data} if key == "inputs" else {key: df.to_dict(orient=key[10:])}
            yield f"{t}: {key} {json.dumps(data)[:40]}", ModelSignature(schema), dumps(payload), True

    t = "test_pyfunc_model_serving_with_lists_of_dicts"
    for data, schema in [([{"query": "sentence"}, {"query": "sentence"}], str_q), ([{"query": ["sentence_1", "sentence_2"], "table": "some_table"}] * 2, str_qt)]:
        df = pd.DataFrame(data)
        for key in ("instances", "dataframe_split", "dataframe_records"):
            payload = {key: data} if key == "instances" else {key: df.to_dict(orient=key[10:])}
            yield f"{t}: {key} {json.dumps(data)[:40]}", ModelSignature(schema), dumps(payload), True

    objects_and_arrays = [
        {"query": "sentence"},
        {"query": ["sentence_1", "sentence_2"]},
        {"query": ["sentence_1", "sentence_2"], "table": "some_table"},
        {"query": [{"name": "value"}, {"name": "value"}], "table": ["some_table"]},
        [{"query": "sentence"}, {"query": "sentence"}],
        [{"query": ["sentence_1", "sentence_2"], "table": "some_table"}, {"query": ["sentence_1", "sentence_2"]}],
        [{"query": [{"name": "value"}, {"name": "value"}], "table": ["some_table"]},
         {"query": [{"name": "value", "age": 10}, {"name": "value"}], "table": ["some_table"]}],
    ]
    t = "test_pyfunc_model_schema_enforcement_with_objects_and_arrays"
    for data in [{"query": {"a": "a", "b": 1}}, {"query": [{"name": "value", "age": 10}, {"name": "value"}], "table": ["some_table"]}]:
        df = pd.DataFrame([data])
        yield f"{t}: inputs {json.dumps(data)[:40]}", infer_signature(data), dumps({"inputs": data}), True
        yield f"{t}: split {json.dumps(data)[:40]}", infer_signature(data), dumps({"dataframe_split": df.to_dict(orient="split")}), True
    t = "test_pyfunc_model_scoring_with_objects_and_arrays"
    for data in objects_and_arrays:
        df = pd.DataFrame(data) if isinstance(data, list) else pd.DataFrame([data])
        for key in ("inputs", "dataframe_split", "dataframe_records"):
            payload = {key: data} if key == "inputs" else {key: df.to_dict(orient=key[10:])}
            yield f"{t}: {key} {json.dumps(data)[:40]}", infer_signature(data), dumps(payload), True
    t = "test_pyfunc_model_scoring_with_objects_and_arrays_instances"
    for data in objects_and_arrays[:5]:
        yield f"{t}: {json.dumps(data)[:50]}", infer_signature(data), dumps({"instances": data}), True
    t = "test_pyfunc_model_scoring_with_objects_and_arrays_instances_errors"
    for data in [[{"query": {"a": "b"}, "name": "A"}, {"query": {"a": "c"}, "name": "B"}], objects_and_arrays[5], objects_and_arrays[6]]:
        yield f"{t}: {json.dumps(data)[:50]}", infer_signature(data), dumps({"instances": data}), False

    t = "test_pyfunc_model_scoring_instances_backwards_compatibility"
    for data, schema in [([{"query": "question1"}, {"query": "question2"}], str_q),
                         ([{"query": ["sentence_1", "sentence_2"]}] * 2, str_q),
                         ([{"query": ["sentence_1", "sentence_2"], "table": "some_table"}] * 2, str_qt)]:
        yield f"{t}: {json.dumps(data)[:50]}", ModelSignature(schema), dumps({"instances": data}), True

    t = "test_pyfunc_model_schema_enforcement_nested_array"
    for data in [{"netsed_list": [[["a", "b"], ["c", "d"]], [["e", "f"], ["g"]]]},
                 {"numpy_2d_array": [np.array([[np.int32(1), np.int32(2)], [np.int32(3), np.int32(4)]])]},
                 {"list_of_np_array": [[np.array(["a", "b"])], [np.array(["c", "d"])]]}]:
        df = pd.DataFrame.from_records(data)
        yield f"{t}: {next(iter(data))}", infer_signature(df), dumps({"dataframe_split": df.to_dict(orient="split")}), True

    t = "test_pyfunc_model_schema_enforcement_map_type"
    simple = {"simple_map": [{"a": 3, "b": 4}, {}, {"c": 5}]}
    for data, schema in [
        (simple, Schema([ColSpec(Map(value_type=DataType.long), name="simple_map")])),
        (simple, Schema([ColSpec(Map(value_type=DataType.long))])),
        ({"nested_map": [{"a": {"a1": 3, "a2": 4}, "b": {"b1": 5}}, {}, {"c": {}}]}, Schema([ColSpec(Map(value_type=Map(value_type=DataType.long)), name="nested_map")])),
        ({"array_in_map": [{"a": [1, 2, 3], "b": [4, 5]}, {}, {"c": []}]}, Schema([ColSpec(Map(value_type=Array(dtype=DataType.long)), name="array_in_map")])),
        ({"object_in_map": [{"a": {"key1": "a1", "key2": 1}, "b": {"key1": "b1"}}, {}, {"c": {"key1": "c1"}}]},
         Schema([ColSpec(Map(value_type=Object([Property("key1", DataType.string), Property("key2", DataType.long, required=False)])), name="object_in_map")])),
        ({"map_in_array": [[{"a": 3, "b": 4}, {"c": 5}], [], [{"d": 6}]]}, Schema([ColSpec(Array(dtype=Map(value_type=DataType.long)), name="map_in_array")])),
        ({"map_in_object": [{"key1": {"a": 3, "b": 4}, "key2": {"c": 5}}, {"key1": {"d": 6}}]},
         Schema([ColSpec(Object([Property("key1", Map(value_type=DataType.long)), Property("key2", Map(value_type=DataType.long), required=False)]), name="map_in_object")])),
    ]:
        df = pd.DataFrame.from_records(data)
        label = schema.inputs[0].name or "unnamed"
        for key in ("dataframe_split", "dataframe_records"):
            yield f"{t}: {key} {label}", ModelSignature(schema), dumps({key: df.to_dict(orient=key[10:])}), True

    t = "test_pyfunc_model_schema_enforcement_complex"
    data = [{"object_column": {"query": ["sentence_1", "sentence_2"], "table": "some_table"}, "string_column": "some_string", "array_column": [{"name": "value"}, {"name": "value"}]},
            {"object_column": {"query": ["sentence_1", "sentence_2"]}, "string_column": "some_string", "array_column": [{"name": "value"}]}]
    df = pd.DataFrame.from_records(data)
    for key in ("inputs", "dataframe_split", "dataframe_records"):
        payload = {key: data} if key == "inputs" else {key: df.to_dict(orient=key[10:])}
        yield f"{t}: {key}", infer_signature(df), dumps(payload), True

    t = "test_schema_enforcement_all_feature_types_pandas"
    df = pd.DataFrame({"long": [1, 2, 3], "bool": [True, False, False], "string": ["a", "b", "c"], "datetime": [pd.Timestamp("2020-07-14 00:00:00")] * 3,
                       "bool_nullable": [True, None, False], "string_nullable": ["a", "b", None], "double_nullable": [1.0, 2.0, None]})
    sig = cols(ColSpec(DataType.long, "long"), ColSpec(DataType.boolean, "bool"), ColSpec(DataType.string, "string"), ColSpec(DataType.datetime, "datetime"),
               ColSpec(DataType.boolean, "bool_nullable", required=False), ColSpec(DataType.string, "string_nullable", required=False), ColSpec(DataType.double, "double_nullable", required=False))
    yield t + ": split", sig, df.to_json(orient="split", date_format="iso").join(['{"dataframe_split": ', "}"]), True
    yield t + ": records", sig, df.to_json(orient="records", date_format="iso").join(['{"dataframe_records": ', "}"]), True

    t = "test_zero_or_one_longs_convert_to_floats"
    yield t, cols(ColSpec(DataType.double, name="temperature", required=False)), dumps({"dataframe_records": [{"temperature": 0}, {"temperature": 0.9}, {"temperature": 1}, {}]}), True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlenv", required=True)
    ap.add_argument("--show", action="store_true", help="print MLflow's error for each refused case")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="mlenv-ported-schema-")
    models, rows = {}, []
    for name, signature, body, expected in cases():
        key = json.dumps(signature.to_dict(), sort_keys=True)
        if key not in models:
            models[key] = os.path.join(work, f"model-{len(models)}")
            write_mlmodel(models[key], signature)
        rows.append((name, models[key], body, expected))
    rows = [{"name": name, "model": model, "body": body, "expected": expected} for name, model, body, expected in rows]
    agree_oracle, _, _ = summarize(SOURCE, compare(rows, args.mlenv, work), show=args.show,
                                   note=f"; skipped (Python API only): {len(SKIPPED)} groups")
    sys.exit(0 if agree_oracle == len(rows) else 1)

if __name__ == "__main__":
    main()
