"""FlowOps pyfunc worker: serves one MLflow pyfunc model over length-prefixed JSON frames.

Usage: python -u flowops_pyfunc_worker.py <model-dir>

Protocol (stdin -> stdout), each frame a 4-byte big-endian length followed by that many bytes of UTF-8 JSON:
  first frame out:  {"type": "ready", "signature": {...} | null, "mlflow_version", "python_version", "pid"}
                    or {"type": "startup_error", "stage": "import_mlflow" | "load_model", "error": {...}} then exit 1
  request in:       {"id", "columns": {name: [values] | {datatype, raw, keep_dtype?}
                                       | {values, pandas_dtype, unit?, utc_offset_minutes?}}}
                    | {"id", "tensors": [{name, datatype, shape, data | raw | json}]}
                    | {"id", "records": [[tensor as in "tensors", named after its key]]} (a list of dicts),
                    optional "params": {...} or "params_json": "<their source text>" (so `5.0` stays a float),
                    "keep_dict": true (named tensors stay a dict even when only one),
                    "missing_nan": true (a None in a text column is NaN, as pandas.read_csv gives for a CSV body),
                    "llm_input": true (the tensors are the members of MLflow's unified LLM body: one dict),
                    "instance_records": true (the tensors are the keys of MLflow `instances` records),
                    "schema_cast": true (sent as for no signature: cast to the model's, see flowops_pyfunc_schema)
  response out:     {"type": "result", "id", "ok": true, "outputs": [{name, datatype, shape, data | raw}]}
                    (an output may add "nulls", "record_key", "dict_key", and "json": its elements as MLflow
                    writes them, floats and big ints marked, for Python values, see flowops_pyfunc_outputs)
                    or {"type": "result", "id", "ok": false, "error": {"type", "message", "error_code", "error_class"}}
                    (an MlflowException from the model's predict adds "mlflow_message", MLflow's scoring answer)
Numeric and BOOL elements travel as "raw": base64 of the array's bytes in this machine's byte order (the parent
runs here too). JSON has no NaN or Infinity and no float32, so the bytes keep every value and the numpy dtype.
Text (BYTES) travels as JSON values in "data". An input tensor's "json" (or a column's list) holds values a model
without a signature takes as Python objects (text mixed with numbers, nulls among numbers), which numpy or pandas
types here as MLflow does; among them {"float": x} is a float JSON cannot write as one (1.0, NaN as null),
{"array": v} is np.array(v) (MLflow's `instances` records columns) and {"object": [[key, value], ...]} is a dict
(a JSON object among MLflow's `inputs` values), see src/serving/payloads/objectTensor.ts; {"json": t} is
json.loads(t) (a JSON Lines cell read_json holds as a list, dict or -0.0, see src/serving/frameBatchInput.ts).
The worker exits when stdin closes. Logs go to stderr; anything the model prints is sent to stderr too, so it
can never corrupt the frame stream. Only the standard library, mlflow, pandas and numpy are used.
"""

import base64
import datetime
import json
import math
import os
import platform
import struct
import sys
import traceback

# The answer side lives beside this script; put its folder first even where Python was told not to
# (PYTHONSAFEPATH), so that a model's own modules cannot shadow it.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flowops_pyfunc_llm import llm_input  # noqa: E402
from flowops_pyfunc_outputs import model_outputs  # noqa: E402
from flowops_pyfunc_schema import (  # noqa: E402
    nested_input_schema,
    request_schema,
    schema_cast_frame,
    schema_cast_inputs,
    schema_cast_instances,
    typed_column,
)

_HEADER = struct.Struct(">I")


def _claim_stdout():
    """Keeps the real stdout for frames and points fd 1 (and sys.stdout) at stderr for everything else."""
    frames = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return frames


def _log(message):
    sys.stderr.write(f"flowops-pyfunc-worker[{os.getpid()}]: {message}\n")
    sys.stderr.flush()


def _write_frame(out, message):
    body = json.dumps(message, allow_nan=False, default=str).encode("utf-8")
    out.write(_HEADER.pack(len(body)) + body)


def _read_exact(stream, size):
    chunks = []
    remaining = size
    while remaining > 0:
        chunk = stream.read(remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read_frame(stream):
    header = _read_exact(stream, _HEADER.size)
    if header is None:
        return None
    (length,) = _HEADER.unpack(header)
    body = _read_exact(stream, length)
    if body is None:
        return None
    return json.loads(body.decode("utf-8"))


def _error_info(error):
    info = {"type": type(error).__name__, "message": str(error) or type(error).__name__}
    code = getattr(error, "error_code", None)
    if isinstance(code, str):
        info["error_code"] = code
    mlflow_message = getattr(error, "flowops_message", None)
    if isinstance(mlflow_message, str):
        info["mlflow_message"] = mlflow_message
    # MLflow 3's MlflowException carries the class its raise site chose (SCHEMA_ENFORCEMENT_FAILED); MLflow 2's has none.
    error_class = getattr(error, "error_class", None)
    if isinstance(code, str) and isinstance(error_class, str):
        info["error_class"] = error_class
    if isinstance(error, ModuleNotFoundError) and error.name:
        info["missing_module"] = error.name.split(".")[0]
    return info


# ---- inputs ---------------------------------------------------------------------------------------------

_NUMPY_DTYPES = {
    "BOOL": "bool",
    "UINT8": "uint8",
    "UINT16": "uint16",
    "UINT32": "uint32",
    "UINT64": "uint64",
    "INT8": "int8",
    "INT16": "int16",
    "INT32": "int32",
    "INT64": "int64",
    "FP16": "float16",
    "FP32": "float32",
    "FP64": "float64",
    "BYTES": "object",
}

def _raw_array(np, datatype, raw):
    dtype = _NUMPY_DTYPES.get(datatype)
    if dtype is None or dtype == "object":
        raise ValueError(f"raw bytes sent for a {datatype} tensor")
    # BOOL bytes are read as uint8 first: any non-zero byte is True, as numpy's own casts have it.
    array = np.frombuffer(base64.b64decode(raw), dtype="uint8" if dtype == "bool" else dtype)
    # frombuffer views read-only bytes; a model may write into its input, as it can under MLflow.
    return array.astype(dtype, copy=True)


def _held_member(value):
    """A value inside a dict as json.loads made it: dicts and lists as such, {"float": x} a float."""
    if isinstance(value, list):
        return [_held_member(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "object" in value:
        return {key: _held_member(item) for key, item in value["object"]}
    return math.nan if value["float"] is None else float(value["float"])


def _held_value(np, value, arrays):
    """A "json" element as Python holds it: {"float": x} a float (null: NaN), {"array": v} np.array(v),
    {"object": pairs} a dict, {"json": t} json.loads(t) (a JSON Lines file's nested value as pandas.read_json's
    list or dict, -0.0 with its sign)."""
    if not isinstance(value, dict):
        return value
    if "json" in value:
        return json.loads(value["json"])
    if "object" in value:
        return _held_member(value)
    if "float" in value:
        return math.nan if value["float"] is None else float(value["float"])
    inner = _held_value(np, value["array"], arrays)
    # A DataFrame column (arrays False) takes the value itself, as pandas would from the records.
    return np.array(inner) if arrays else inner


def _held_values(np, values, arrays):
    if not any(isinstance(value, dict) for value in values):
        return values
    return [_held_value(np, value, arrays) for value in values]


def _tensor_array(np, tensor):
    if "json" in tensor:
        # Values Python holds as objects (text with numbers, nulls among numbers): numpy types them from the
        # values, as MLflow's scoring server calls np.array on the parsed body ([1, None] object, ["x", 1] str);
        # an `instances` records column of 0-d arrays with a null stays an object array of those arrays.
        return np.array(_held_values(np, tensor["json"], True)).reshape(tensor["shape"])
    if "raw" in tensor:
        return _raw_array(np, tensor["datatype"], tensor["raw"]).reshape(tensor["shape"])
    dtype = _NUMPY_DTYPES.get(tensor["datatype"], "object")
    data = tensor["data"]
    if dtype.startswith("float"):
        data = [math.nan if value is None else value for value in data]
    array = np.array(data, dtype=dtype)
    return array.reshape(tensor["shape"])


def _column_schema(model):
    schema = model.metadata.get_input_schema() if model.metadata is not None else None
    if schema is None or schema.is_tensor_spec():
        return {}
    types = {}
    for spec in schema.inputs:
        name = getattr(spec, "name", None)
        type_name = getattr(getattr(spec, "type", None), "name", None)
        if name is not None and isinstance(type_name, str):
            types[name] = type_name
    return types


def _column_values(np, column, missing_nan):
    if isinstance(column, dict):
        # Python values, not the typed array: pandas then infers int64/float64 as it does for MLflow's JSON
        # frames, and the signature's cast (typed_column) narrows them, as before the bytes were used. A file's
        # column read as pandas.read_parquet types it (float32, int8) keeps its dtype: "keep_dtype".
        array = _raw_array(np, column["datatype"], column["raw"])
        return array if column.get("keep_dtype") else array.tolist()
    column = _held_values(np, column, False)
    if missing_nan:
        return [math.nan if value is None else value for value in column]
    return column


def _pandas_column(np, pd, column):
    """A column with the dtype its file's reader gave it over more rows than this request holds (str, object, or
    datetime64 from ISO 8601 text, naive or at a fixed UTC offset)."""
    values = _held_values(np, column["values"], False)
    dtype = column["pandas_dtype"]
    if dtype != "datetime":
        return pd.Series(values, dtype=dtype)
    series = pd.to_datetime(pd.Series(values, dtype=object), format="ISO8601", utc=True)
    offset = column["utc_offset_minutes"]
    if offset is None:
        series = series.dt.tz_localize(None)
    elif offset != 0:
        series = series.dt.tz_convert(datetime.timezone(datetime.timedelta(minutes=offset)))
    return series.dt.as_unit(column["unit"])


def _json_value(np, tensor):
    """A tensor as json.loads gave it in the request: nested lists of Python values."""
    if "json" in tensor:
        flat = _held_values(np, tensor["json"], False)
    elif "raw" in tensor:
        flat = _raw_array(np, tensor["datatype"], tensor["raw"]).tolist()
    else:
        flat = tensor["data"]
    cells = np.empty(len(flat), dtype=object)
    cells[:] = flat
    return cells.reshape(tensor["shape"]).tolist()


def _schema_cast_inputs(np, request, schema):
    """`inputs` and `instances` as json.loads gave them, cast to the schema as MLflow's scoring server does.
    `instances` records arrive as a dict of columns, which are zipped back into the records MLflow casts."""
    if request.get("instance_records"):
        columns = {tensor["name"]: _json_value(np, tensor) for tensor in request["tensors"]}
        records = [dict(zip(columns, values)) for values in zip(*columns.values())]
        return schema_cast_instances(records, schema)
    if "records" in request:
        data = [{tensor["name"]: _json_value(np, tensor) for tensor in record} for record in request["records"]]
    else:
        tensors = request.get("tensors") or []
        if len(tensors) == 1 and tensors[0]["name"] == "":
            data = _json_value(np, tensors[0])
        else:
            data = {tensor["name"]: _json_value(np, tensor) for tensor in tensors}
    return schema_cast_inputs(data, schema)


def _model_input(np, pd, model, request, nested_schema):
    if "columns" in request:
        types = {} if nested_schema is not None else _column_schema(model)
        missing_nan = bool(request.get("missing_nan"))
        columns = {
            name: _pandas_column(np, pd, values)
            if isinstance(values, dict) and "pandas_dtype" in values
            else _column_values(np, values, missing_nan)
            for name, values in request["columns"].items()
        }
        frame = pd.DataFrame({name: typed_column(pd, values, types.get(name)) for name, values in columns.items()})
        if request.get("index") is not None:
            # dataframe_split's index, as MLflow builds the frame with orient="split".
            frame.index = pd.Index(request["index"])
        return frame if nested_schema is None else schema_cast_frame(frame, nested_schema)
    if nested_schema is not None:
        return _schema_cast_inputs(np, request, nested_schema)
    if "records" in request:
        # MLflow `inputs` records for a model without a signature: the list itself, each value np.array(value).
        return [{tensor["name"]: _tensor_array(np, tensor) for tensor in record} for record in request["records"]]
    tensors = request.get("tensors") or []
    arrays = {tensor["name"]: _tensor_array(np, tensor) for tensor in tensors}
    if len(arrays) == 1 and not request.get("keep_dict"):
        return next(iter(arrays.values()))
    return arrays


# ---- main loop ------------------------------------------------------------------------------------------


def _accepts_params(model):
    import inspect

    try:
        return "params" in inspect.signature(model.predict).parameters
    except (TypeError, ValueError):
        return False


def _serve(frames_in, frames_out, model, np, pd):
    from mlflow.exceptions import MlflowException

    with_params = _accepts_params(model)
    nested_schema = nested_input_schema(model)
    while True:
        request = _read_frame(frames_in)
        if request is None:
            return
        request_id = request.get("id")
        try:
            if request.get("llm_input"):
                data, params = llm_input(model, {t["name"]: _json_value(np, t) for t in request["tensors"]})
            else:
                data = _model_input(np, pd, model, request, request_schema(model, request, nested_schema))
                params = json.loads(request["params_json"]) if "params_json" in request else request.get("params")
            try:
                if params and with_params:
                    prediction = model.predict(data, params=params)
                else:
                    prediction = model.predict(data)
            except MlflowException as error:
                # The pyfunc's own schema enforcement: MLflow's scoring server answers with this message.
                error.flowops_message = f"Failed to predict data '{data}'. \nError: {error.message}"
                raise
            reply = {"type": "result", "id": request_id, "ok": True, "outputs": model_outputs(np, pd, prediction)}
        except Exception as error:  # noqa: BLE001 - every model error goes back to the caller
            _log(f"request {request_id} failed: {traceback.format_exc()}")
            reply = {"type": "result", "id": request_id, "ok": False, "error": _error_info(error)}
        _write_frame(frames_out, reply)


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: flowops_pyfunc_worker.py <model-dir>\n")
        return 2
    model_dir = argv[1]
    frames_out = _claim_stdout()
    frames_in = sys.stdin.buffer
    try:
        import mlflow.pyfunc
        import numpy as np
        import pandas as pd
    except Exception as error:  # noqa: BLE001 - reported to the parent, which names what to install
        _write_frame(frames_out, {"type": "startup_error", "stage": "import_mlflow", "error": _error_info(error)})
        return 1
    try:
        model = mlflow.pyfunc.load_model(model_dir)
    except Exception as error:  # noqa: BLE001
        _log(f"loading {model_dir} failed: {traceback.format_exc()}")
        _write_frame(frames_out, {"type": "startup_error", "stage": "load_model", "error": _error_info(error)})
        return 1
    signature = model.metadata.signature if model.metadata is not None else None
    _write_frame(
        frames_out,
        {
            "type": "ready",
            "signature": signature.to_dict() if signature is not None else None,
            "mlflow_version": mlflow.__version__,
            "python_version": platform.python_version(),
            "pid": os.getpid(),
        },
    )
    _log(f"serving {model_dir} (mlflow {mlflow.__version__}, python {platform.python_version()})")
    _serve(frames_in, frames_out, model, np, pd)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
