"""MLflow's schema and type tests as differential data.

    .venv-mlflow/bin/python benchmarks/compare-mlflow/ported_schema_types.py --mlenv PATH/TO/mlenv [--show]

Source: tests/types/test_schema.py of mlflow/mlflow (the version stored at commit
001cc178a1442b488da41853c497adc5285a284d; the verdicts are MLflow 3.17.2's, the pinned oracle).
That file tests schema objects: ColSpec / TensorSpec / Array / Object / Map / Property, optional
and required columns, ParamSpec, and `_infer_schema` on data. A case is ported when it becomes a
payload judged against a signature:

- an inference case (data -> the schema the test asserts) becomes the model with that schema and
  the request MLflow itself writes for the data as a serving example
  (`convert_input_example_to_serving_input`): data must be accepted by the schema inferred from it;
- `_enforce_tensor_spec` cases become `inputs` requests for the test's spec, with the test's verdict;
- ParamSpec cases become `params` requests for the test's param schema (each spec's own serialized
  default is a value the spec must take back; the values the test calls invalid must be refused);
- `DataType.is_*` checks become one-param requests, with the test's verdict.

What is construction of schema objects only (equality, to_dict / from_json_dict, errors raised while
building a Schema, Object or Property, repr, spark types, sparse matrices, numpy dtypes JSON cannot
carry) is listed in SKIPPED. Exit 0 when mlenv agrees with the oracle on every case.
"""

import argparse
import dataclasses
import datetime
import json
import math
import os
import sys
import tempfile

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from oracle import compare, model_for, summarize  # noqa: E402
from mlflow.models import ModelSignature, convert_input_example_to_serving_input, rag_signatures  # noqa: E402
from mlflow.types import DataType  # noqa: E402
from mlflow.types.schema import Array, ColSpec, Object, ParamSchema, ParamSpec, Property, Schema, TensorSpec  # noqa: E402
from mlflow.utils.proto_json_utils import NumpyEncoder  # noqa: E402

SOURCE = "mlflow/mlflow tests/types/test_schema.py @ 001cc178a1442b488da41853c497adc5285a284d"

SKIPPED = {
    "test_col_spec, test_tensor_spec, test_schema_creation, test_schema_creation_errors": "building schema objects (equality, errors at construction): no request",
    "test_get_schema_type, test_get_tensor_shape": "numpy_types / pandas_types / shape helpers (the dict-of-ndarrays schema is ported through test_schema_inference_on_dictionary)",
    "test_get_sparse_matrix_data_type_and_shape": "sparse matrices have no serving form in MLflow",
    "test_schema_inference_on_list_with_errors, ..._validating_dictionary_keys, ..._on_lists_with_errors": "inference refusing data: no schema, so no request",
    "test_dict_input_valid_checks_on_keys / _on_values": "a Python-side helper on dict keys (objects, tuples, frozensets are not JSON)",
    "test_spark_*": "Spark types",
    "test_param_schema_find_duplicates, test_param_spec_from_dict_backward_compatibility": "ParamSchema construction",
    "test_infer_param_schema_with_errors, test_object_construction_with_errors, *_from_dict_with_errors": "errors while building or reading a schema",
    "test_property_to_and_from_dict, test_object_to_and_from_dict, test_array_to_and_from_dict": "to_dict / from_json_dict equality (every DataType through Array / Object is exercised by the inference cases)",
    "test_repr_of_objects": "repr text",
    "test_all_numpy_dtypes (complex, float128, clongdouble)": "complex numbers and extended floats are not JSON",
}


def dumps(obj):
    return json.dumps(obj, cls=NumpyEncoder)


def all_types_frame():
    df = pd.DataFrame({
        "boolean": [True, False, True],
        "integer": np.array([1, 2, 3], np.int32),
        "long": np.array([1, 2, 3], np.int64),
        "float": np.array([math.pi, 2 * math.pi, 3 * math.pi], np.float32),
        "double": [math.pi, 2 * math.pi, 3 * math.pi],
        "binary": [bytearray([1, 2, 3]), bytearray([4, 5, 6]), bytearray([7, 8, 9])],
        "string": ["a", "b", "c"],
        "datetime": [np.datetime64("2021-01-01"), np.datetime64("2021-02-02"), np.datetime64("2021-03-03")],
        "boolean_ext": [True, False, True],
        "integer_ext": [1, 2, 3],
        "string_ext": ["a", "b", "c"],
    })
    df["boolean_ext"] = df["boolean_ext"].astype("boolean")
    df["integer_ext"] = df["integer_ext"].astype("Int64")
    df["string_ext"] = df["string_ext"].astype("string")
    return df


def ndarrays():
    return {
        "1D": np.arange(0, 12, 0.5), "2D": np.arange(0, 12, 0.5).reshape(3, 8),
        "3D": np.arange(0, 12, 0.5).reshape(2, 3, 4), "4D": np.arange(0, 12, 0.5).reshape(3, 2, 2, 2),
    }


def serving(data):
    """The request MLflow writes for `data` as a model's serving example (a Series, which MLflow does
    not take as an example, as its one-column frame)."""
    if isinstance(data, pd.Series):
        data = data.to_frame()
    return convert_input_example_to_serving_input(data)


def round_trips():
    """(test, data, schema): data the test infers `schema` from."""
    df = all_types_frame()
    basic = df.drop(columns=["boolean_ext", "integer_ext", "string_ext"])
    yield "test_schema_inference_on_dataframe: basic types", basic, Schema([ColSpec(x, x) for x in basic.columns])
    yield "test_schema_inference_on_dataframe: extension types", df[["boolean_ext", "integer_ext", "string_ext"]].copy(), Schema(
        [ColSpec(DataType.boolean, "boolean_ext"), ColSpec(DataType.long, "integer_ext"), ColSpec(DataType.string, "string_ext")])

    t = "test_schema_inference_on_pandas_series"
    yield t + ": object strings", pd.Series(np.array(["a"], dtype=object)), Schema([ColSpec(DataType.string)])
    yield t + ": object bytes", pd.Series(np.array([bytes([1])], dtype=object)), Schema([ColSpec(DataType.binary)])
    yield t + ": bytearray and None", pd.Series(np.array([bytearray([1]), None], dtype=object), name="input"), Schema([ColSpec(DataType.binary, name="input", required=False)])
    yield t + ": float and None", pd.Series(np.array([1.1, None], dtype=object), name="input"), Schema([ColSpec(DataType.double, name="input", required=False)])
    yield t + ": np.bytes_", pd.Series(np.array([bytes([1])], dtype=np.bytes_)), Schema([ColSpec(DataType.binary)])
    yield t + ": str", pd.Series(np.array(["a"], dtype=str)), Schema([ColSpec(DataType.string)])
    yield t + ": bool", pd.Series(np.array([True], dtype=bool)), Schema([ColSpec(DataType.boolean)])
    for dt in (np.uint8, np.uint16, np.int8, np.int16, np.int32):
        yield f"{t}: {dt.__name__} -> integer", pd.Series(np.array([1, 2, 3], dtype=dt)), Schema([ColSpec("integer")])
    for dt in (np.uint32, np.int64):
        yield f"{t}: {dt.__name__} -> long", pd.Series(np.array([1, 2, 3], dtype=dt)), Schema([ColSpec("long")])
    for dt in (np.float16, np.float32):
        yield f"{t}: {dt.__name__} -> float", pd.Series(np.array([1.1, 2.2, 3.3], dtype=dt)), Schema([ColSpec("float")])
    yield t + ": float64 -> double", pd.Series(np.array([1.1, 2.2, 3.3], dtype=np.float64)), Schema([ColSpec("double")])
    yield t + ": datetime64", pd.Series(np.array(["2021-01-01 00:00:00", "2021-02-02 00:00:00", "2021-03-03 12:00:00"], dtype="datetime64")), Schema([ColSpec("datetime")])
    yield t + ": named", pd.Series([1, 2, 3], name="test"), Schema([ColSpec("long", "test")])

    t = "test_schema_inference_on_basic_numpy"
    for col in df:
        data = df[col].to_numpy()
        yield f"{t}: {col}", data, Schema([TensorSpec(type=data.dtype, shape=(-1,))])

    t = "test_all_numpy_dtypes"
    arrays = [(np.array([True, False, True], dtype=d), d) for d in ("bool", "bool_")]
    arrays += [(np.array([123, 0, -123], dtype="bool"), "bool")]
    arrays += [(np.array(v, dtype="object"), "object") for v in ([True, False, True], [123, 0, -123.544], ["test", "this", "type"], ["test", 123, "type"])]
    arrays += [(np.array([1, 2, 3, -5], dtype=d), d) for d in ("byte", "int8", "short", "int16", "intc", "int32", "int_", "int", "intp", "int64", "longlong")]
    arrays += [(np.array([1, 2, 3, 5], dtype=d), d) for d in ("ubyte", "uint8", "ushort", "uint16", "uintc", "uint32", "uint", "uintp", "uint64", "ulonglong")]
    arrays += [(np.array([1.1, -2.2, 3.3, 5.12], dtype=d), d) for d in ("half", "float16", "single", "float32", "double", "float64")]
    arrays += [(np.array([bytes([1, 255, 12, 34])], dtype="bytes_"), "bytes_"), (np.array([bytes([1, 255, 12, 34])], dtype="S10"), "S")]
    arrays += [(np.array(v, dtype="str_"), "str_") for v in (["m", "l", "f", "l", "o", "w"], ["mlflow"], ["mlflow is the best"])]
    arrays += [(np.array(["a", "bc", "def"], dtype="U16"), "U")]
    arrays += [(np.array(["2021-01-01 00:00:00", "2021-02-02 00:00:00", "2021-03-03 12:00:00"], dtype="datetime64"), "datetime64[s]")]
    for data, dt in arrays:
        yield f"{t}: {dt} {data.tolist()!r:.40}", data, Schema([TensorSpec(np.dtype(dt), (-1,))])

    yield "test_schema_inference_on_dictionary", ndarrays(), Schema([TensorSpec(x.dtype, (-1,) + x.shape[1:], k) for k, x in ndarrays().items()])

    t = "test_schema_inference_on_dictionary_of_strings"
    yield t + ": two strings", {"a": "b", "c": "d"}, Schema([ColSpec(DataType.string, "a"), ColSpec(DataType.string, "c")])
    yield t + ": two lists", {"a": ["a", "b"], "b": ["c", "d"]}, Schema([ColSpec(Array(DataType.string), "a"), ColSpec(Array(DataType.string), "b")])
    yield t + ": string and list", {"a": "a", "b": ["a", "b"]}, Schema([ColSpec(DataType.string, "a"), ColSpec(Array(DataType.string), "b")])
    yield t + ": optional list column", [{"a": 1}, {"a": 1, "b": ["a", "b"]}], Schema([ColSpec(DataType.long, "a"), ColSpec(Array(DataType.string), "b", required=False)])

    t = "test_schema_inference_on_list_of_dicts"
    yield t + ": same keys", [{"a": "a", "b": "b"}, {"a": "a", "b": "b"}], Schema([ColSpec(DataType.string, "a"), ColSpec(DataType.string, "b")])
    yield t + ": disjoint keys", [{"a": 1}, {"b": "a"}], Schema([ColSpec(DataType.long, "a", required=False), ColSpec(DataType.string, "b", required=False)])

    scalars = [("string", DataType.string), (np.int32(1), DataType.integer), (True, DataType.boolean), (1.0, DataType.double),
               (np.float32(0.1), DataType.float), (np.int64(100), DataType.long), (np.datetime64("2023-10-13 00:00:00"), DataType.datetime)]
    for data, dtype in scalars:
        yield f"test_schema_inference_on_datatypes: {dtype.name}", data, Schema([ColSpec(dtype)])
    lists = [(["a", "b", "c"], DataType.string), ([np.int32(1), np.int32(2)], DataType.integer), ([True, False], DataType.boolean),
             ([1.0, 2.0], DataType.double), ([np.float32(0.1), np.float32(0.2)], DataType.float), ([np.int64(100), np.int64(200)], DataType.long),
             ([np.datetime64("2023-10-13 00:00:00"), np.datetime64("2023-10-14 00:00:00")], DataType.datetime)]
    for data, dtype in lists:
        t = f"test_schema_inference_on_dictionaries: {dtype.name}"
        yield t + ": {data: list}", {"data": data}, Schema([ColSpec(Array(dtype), name="data")])
        yield t + ": {data: {dict: list}}", {"data": {"dict": data}}, Schema([ColSpec(Object([Property("dict", Array(dtype))]), name="data")])
    for data, dtype in lists:
        t = f"test_schema_inference_on_lists: {dtype.name}"
        yield t + ": list", data, Schema([ColSpec(dtype)])
        yield t + ": [{data: list}]", [{"data": data}], Schema([ColSpec(Array(dtype), name="data")])
        yield t + ": [{data: [list]}]", [{"data": [data]}], Schema([ColSpec(Array(Array(dtype)), name="data")])
        yield t + ": optional property", [{"data": {"dict": data}}, {"data": {"dict": data, "string": "a"}}], Schema(
            [ColSpec(Object([Property("dict", Array(dtype)), Property("string", DataType.string, required=False)]), name="data")])
        yield t + ": optional column", [{"data": {"dict": data}}, {"data": {"dict": data}, "string": "a"}], Schema(
            [ColSpec(Object([Property("dict", Array(dtype))]), name="data"), ColSpec(DataType.string, name="string", required=False)])

    t = "test_schema_inference_with_empty_lists"
    yield t + ": []", [], Schema([ColSpec(DataType.string)])
    yield t + ": [None, 'a']", [None, "a"], Schema([ColSpec(DataType.string)])
    yield t + ": lists and None", [["a", "b", "c"], ["a", "b", "c", "d"], None], Schema([ColSpec(Array(DataType.string))])
    yield t + ": empty sublists", [{"data": [["a", "b", "c"], [], ["d", "e"], []]}], Schema([ColSpec(Array(Array(DataType.string)), name="data")])
    yield t + ": deeply nested", [{"data": [[["a", "b", "c"], [], ["d"]], [[], ["e"]], [[], [], []]]}], Schema([ColSpec(Array(Array(Array(DataType.string))), name="data")])

    messages = Array(Object([Property("role", DataType.string), Property("content", DataType.string), Property("name", DataType.string, required=False)]))
    chats = [{"messages": [{"role": "system", "content": "Translate every message you receive to French."}, {"role": "user", "content": "I like machine learning"}]},
             {"messages": [{"role": "user", "content": "Summarize the following document ...", "name": "jeff"}]}]
    t = "test_infer_colspec_type"
    yield t + ": object", [{"x": {"role": "system", "content": "Translate every message you receive to French."}}], Schema(
        [ColSpec(Object([Property("role", DataType.string), Property("content", DataType.string)]), "x")])
    yield t + ": object of messages", [{"x": {"messages": chats[0]["messages"] + [dict(chats[1]["messages"][0], name="John Doe")]}}], Schema(
        [ColSpec(Object([Property("messages", messages)]), "x")])
    yield t + ": array of objects", [{"x": chats}], Schema([ColSpec(Array(Object([Property("messages", messages)])), "x")])
    t = "test_infer_schema_on_objects_and_arrays_to_and_from_dict"
    yield t + ": messages", chats, Schema([ColSpec(messages, name="messages")])
    yield t + ": optional string column", [dict(chats[0], another_message="hello world"), chats[1]], Schema(
        [ColSpec(messages, name="messages"), ColSpec(DataType.string, name="another_message", required=False)])
    nested = Array(Object([Property("p", DataType.string), Property("arr", Array(Object([Property("p2", DataType.boolean, required=False), Property("arr2", Array(DataType.long))])))]))
    yield "test_nested_array_object_to_and_from_dict", [{"x": [{"p": "a", "arr": [{"p2": True, "arr2": [1, 2, 3]}, {"arr2": [2, 3, 4]}]}]}], Schema([ColSpec(nested, "x")])

    merged = Object([Property("a", DataType.string), Property("b", DataType.double, required=False), Property("c", DataType.boolean, required=False)])
    yield "test_merge_object_example: the first object", [{"x": {"a": "s", "b": 1.5}}], Schema([ColSpec(merged, "x")])
    yield "test_merge_object_example: the second object", [{"x": {"a": "s", "c": True}}], Schema([ColSpec(merged, "x")])
    merged = Object([Property("a", DataType.string, required=False), Property("b", DataType.double, required=False)])
    yield "test_merge_property_example: the first property", [{"a": {"a": "s"}}], Schema([ColSpec(merged, "a")])
    yield "test_merge_property_example: the second property", [{"a": {"a": "s", "b": 1.5}}], Schema([ColSpec(merged, "a")])

    t = "test_convert_dataclass_to_schema_for_rag"
    yield t, [dataclasses.asdict(rag_signatures.ChatCompletionRequest())], Schema([ColSpec(Array(Object([Property("content", DataType.string), Property("role", DataType.string)])), "messages")])
    process = Array(Object([Property("bar", DataType.integer), Property("config_settings", Object([Property("baz", DataType.boolean, required=False)]))]))
    # MainTask(): foo "1", process_configs [Config(bar=2, config_settings=Settings(baz=True))]; bar is an integer column (int32), a JSON 2 is int64
    yield "test_convert_dataclass_to_schema_complex", [{"foo": "1", "process_configs": [{"bar": 2, "config_settings": {"baz": True}}]}], Schema(
        [ColSpec(DataType.string, "foo"), ColSpec(process, "process_configs")])


def tensor_cases():
    """test_enforce_tensor_spec_variable_signature: (name, spec, inputs, the test's verdict)."""
    standard = [[[1, 2, 3], [1, 2, 3]], [[1, 2, 3], [1, 2, 3]]]
    ragged = [[[1, 2, 3], [1, 2, 3]], [[1, 2, 3]]]
    for label, spec, ragged_ok in [("inferred object (-1,)", TensorSpec(np.dtype(object), (-1,)), True),
                                   ("int32 (-1, -1, 3)", TensorSpec(np.dtype(np.int32), (-1, -1, 3)), True),
                                   ("int32 (-1, 2, 3)", TensorSpec(np.dtype(np.int32), (-1, 2, 3)), False)]:
        yield f"test_enforce_tensor_spec_variable_signature: {label}, standard", spec, standard, True
        yield f"test_enforce_tensor_spec_variable_signature: {label}, ragged", spec, ragged, ragged_ok


PARAM_SPECS = [
    ParamSpec("str_param", DataType.string, "str_a", None), ParamSpec("str_array", DataType.string, ["str_a", "str_b"], (-1,)),
    ParamSpec("int_param", DataType.integer, np.int32(1), None), ParamSpec("int_array", DataType.integer, [np.int32(1), np.int32(2)], (-1,)),
    ParamSpec("bool_param", DataType.boolean, True, None), ParamSpec("bool_array", DataType.boolean, [True, False], (-1,)),
    ParamSpec("double_param", DataType.double, 1.0, None), ParamSpec("double_array", DataType.double, [1.0, 2.0], (-1,)),
    ParamSpec("float_param", DataType.float, np.float32(0.1), None), ParamSpec("float_array", DataType.float, [np.float32(0.1), np.float32(0.2)], (-1,)),
    ParamSpec("long_param", DataType.long, 100, None), ParamSpec("long_array", DataType.long, [100, 200], (-1,)),
    ParamSpec("datetime_param", DataType.datetime, np.datetime64("2023-06-26 00:00:00"), None),
    ParamSpec("datetime_array", DataType.datetime, [np.datetime64("2023-06-26 00:00:00"), np.datetime64("2023-06-27 00:00:00")], (-1,)),
]


def param_cases():
    """(name, param schema, params object, the test's verdict)."""
    schema = ParamSchema(PARAM_SPECS)
    for spec in PARAM_SPECS:
        yield f"test_param_spec_to_and_from_dict: {spec.name} takes its serialized default", schema, {spec.name: spec.to_dict()["default"]}, True
    inferred = ParamSchema(PARAM_SPECS[:13] + [
        ParamSpec("str_list", DataType.string, ["a", "b", "c"], (-1,)), ParamSpec("bool_list", DataType.boolean, [True, False], (-1,)),
        ParamSpec("datetime_array", DataType.datetime, [datetime.date(2023, 6, 26)], (-1,)),
    ])
    params = {"str_param": "str_a", "int_param": 1, "bool_param": True, "double_param": 1.0, "float_param": float(np.float32(0.1)), "long_param": 100,
              "datetime_param": "2023-06-26T00:00:00", "str_list": ["a", "b", "c"], "bool_list": [True, False], "double_array": [1.0, 2.0],
              "float_array": [float(np.float32(0.1)), float(np.float32(0.2))], "long_array": [100, 200], "datetime_array": ["2023-06-26"],
              "str_array": ["a", "b", "c"], "bool_array": [True, False], "int_array": [1, 2]}
    yield "test_infer_param_schema: the test's params", inferred, params, True
    for key, bad in [("d", [[1, 2], [3, 4]]), ("e", [[[1, 2], [3], []]]), ("f", {"a": 1, "b": 2})]:
        yield f"test_infer_param_schema: '{key}' {json.dumps(bad)} for a long list", inferred, {"long_array": bad}, False
        yield f"test_infer_param_schema: '{key}' {json.dumps(bad)} for a long", inferred, {"long_param": bad}, False
    t = "test_datatype_type_check"
    for dtype, default, value, ok in [("integer", 1, 1, True), ("integer", 1, True, False), ("long", 1, 1, True), ("boolean", True, True, True),
                                      ("boolean", True, 1, False), ("double", 1.0, 1.0, True), ("float", 1.0, 1.0, True),
                                      ("datetime", np.datetime64("2023-06-26"), "2023-06-26 00:00:00", False)]:
        yield f"{t}: is_{dtype}({json.dumps(value)})", ParamSchema([ParamSpec("p", DataType[dtype], default, None)]), {"p": value}, ok


def cases(work):
    models = {}
    inputs = json.dumps({"inputs": [1.0]})
    for name, data, schema in round_trips():
        try:
            body = serving(data)
        except Exception as ex:  # noqa: BLE001 - MLflow cannot write a serving example for this data
            print(f"no serving form ({type(ex).__name__}: {ex}): {name}", file=sys.stderr)
            continue
        yield {"name": name + " (round trip)", "model": model_for(ModelSignature(schema), work, models), "body": body, "expected": True}
    for name, spec, data, ok in tensor_cases():
        yield {"name": name, "model": model_for(ModelSignature(Schema([spec])), work, models), "body": dumps({"inputs": data}), "expected": ok}
    for name, schema, params, ok in param_cases():
        signature = ModelSignature(Schema([TensorSpec(np.dtype("float64"), (-1,))]), params=schema)
        yield {"name": name, "model": model_for(signature, work, models), "body": json.dumps({"inputs": json.loads(inputs)["inputs"], "params": params}), "expected": ok}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mlenv", required=True)
    ap.add_argument("--show", action="store_true", help="print MLflow's error for each refused case")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="mlenv-ported-types-")
    rows = list(cases(work))
    agree_oracle, _, _ = summarize(SOURCE, compare(rows, args.mlenv, work), show=args.show,
                                   note=f"; skipped (schema construction, not a request): {len(SKIPPED)} groups")
    sys.exit(0 if agree_oracle == len(rows) else 1)


if __name__ == "__main__":
    main()
