"""Model answers as the wire tensors flowops_pyfunc_worker.py sends back (see its protocol and
src/serving/runtimes/pythonWire.ts): numeric and BOOL arrays as "raw" native-order bytes that keep their dtype,
the rest as JSON text with "nulls", "json", "record_key" and "dict_key" where MLflow's own JSON answer needs them.
Kept apart from the worker's frame loop and input building; numpy and pandas are passed in, as the worker imports
them only once it has reported whether they load.

An output's "json" holds its elements (flat) as MLflow's scoring server writes them (json.dump with its
NumpyEncoder), where the tensor alone would not: Python values a model returned as lists, dicts or object
columns keep each element's own type. JSON.parse forgets that 7.0 was a float and rounds ints beyond 2^53, so
there a whole float is {"float": x} ("NaN", "Infinity", "-Infinity" for the non-finite), an int beyond 2^53 is
{"int": "digits"} and a dict is {"object": [[key, value], ...]}, see src/serving/runtimes/pythonOutputJson.ts.
"""

import base64
import json
import math

_EXACT_INT = 2**53


def _scalar_text(value):
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _is_missing(value):
    # None, NaN and pandas' NA in an object column: MLflow's JSON answer has null there, not the text "None".
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NAType", "NaTType")


def _output_tensor(np, name, values, record_key=None):
    tensor = _output_tensor_data(np, name, values)
    if record_key is not None:
        tensor["record_key"] = record_key
    return tensor


def _marked_float(value):
    # Only a whole float (7.0, 1e+16) reads back as an int, and JSON has no NaN: any other float's shortest digits
    # are Python's too, so it travels as the number, keeping small answers small.
    if not math.isfinite(value):
            return {"float": "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")}
    return {"float": value} if value.is_integer() else value


def _key_text(key):
    # json.dump writes a non-text key as its JSON (1 -> "1", None -> "null", 2.5 -> "2.5").
    return key if isinstance(key, str) else next(iter(json.loads(json.dumps({key: 0}))))


def _marked(np, value):
    """One value as MLflow's NumpyEncoder writes it, floats and big ints marked (see the module's note)."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is float:
        return _marked_float(value)
    if kind is int:
        return value if -_EXACT_INT <= value <= _EXACT_INT else {"int": str(value)}
    if isinstance(value, (list, tuple)):
        return [_marked(np, item) for item in value]
    if isinstance(value, dict):
        return {"object": [[_key_text(key), _marked(np, item)] for key, item in value.items()]}
    if isinstance(value, (np.ndarray, np.generic)):
        return _marked(np, value.tolist())
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, float):
        return _marked_float(float(value))
    if isinstance(value, int):
        return _marked(np, int(value))
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, (bytes, bytearray)):
        return base64.encodebytes(value).decode("ascii")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _text_default(value):
    item = getattr(value, "tolist", None)
    return item() if callable(item) else _scalar_text(value)


def _json_text(value):
    return json.dumps(value, default=_text_default)


def _raw_datatype(dtype):
    """The V2 datatype that keeps a numeric numpy dtype as it is (float32 stays FP32), or None for the rest."""
    bits = dtype.itemsize * 8
    if dtype.kind == "b":
        return "BOOL"
    if dtype.kind in "iu" and bits in (8, 16, 32, 64):
        return ("UINT" if dtype.kind == "u" else "INT") + str(bits)
    if dtype.kind == "f":
        return {16: "FP16", 32: "FP32"}.get(bits, "FP64")
    return None


def _python_leaves(values, depth, out):
    """The elements of nested Python lists `depth` deep, as np.asarray laid them out."""
    if depth == 0:
        out.append(values)
        return out
    for item in values:
        _python_leaves(item, depth - 1, out)
    return out


def _as_array(np, values):
    """np.asarray of the answer; ragged lists (which numpy refuses) as a 1-D object array of their items."""
    try:
        return np.asarray(values)
    except ValueError:
        cells = np.empty(len(values), dtype=object)
        cells[:] = list(values)
        return cells


def _numbers_match(np, kind, leaves):
    """Whether every leaf is what the array's tolist() gives back, so its bytes answer as MLflow writes them."""
    if kind == "f":
        return all(isinstance(leaf, (float, np.floating)) for leaf in leaves)
    if kind == "b":
        return all(isinstance(leaf, (bool, np.bool_)) for leaf in leaves)
    return all(isinstance(leaf, (int, np.integer)) and not isinstance(leaf, (bool, np.bool_)) for leaf in leaves)


def _output_tensor_data(np, name, values):
    # A scalar answer (a str, a number) keeps shape []: MLflow answers it as the bare value, not a list.
    held = not isinstance(values, np.ndarray)
    array = _as_array(np, values)
    shape = list(array.shape)
    flat = array.reshape(-1)
    kind = array.dtype.kind
    # A Python list answers as its own values ([1.0, 3] is not numpy's [1.0, 3.0]); an array as its tolist().
    # Only Python values are walked: a numeric array's bytes already answer as MLflow writes them.
    leaves = _python_leaves(values, array.ndim, []) if held and kind != "O" else None
    datatype = _raw_datatype(array.dtype)
    if datatype is not None:
        if datatype == "FP64" and array.dtype.itemsize != 8:
            array = array.astype("float64")  # long double: V2 has nothing wider
        native = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("="))
        raw = base64.b64encode(native.tobytes()).decode("ascii")
        tensor = {"name": name, "datatype": datatype, "shape": shape, "raw": raw}
        if leaves is not None and not _numbers_match(np, kind, leaves):
            tensor["json"] = [_marked(np, leaf) for leaf in leaves]
        return tensor
    if leaves is None:
        leaves = list(flat)
    if kind == "O" and len(flat) > 0 and all(isinstance(v, (list, tuple, dict, np.ndarray)) for v in flat):
        # Ragged or nested object columns (e.g. lists per row) are sent as JSON text per row for V2.
        data = [_json_text(v) for v in flat]
        return {"name": name, "datatype": "BYTES", "shape": shape, "data": data, "json": [_marked(np, v) for v in flat]}
    nulls = [index for index, value in enumerate(flat) if _is_missing(value)]
    missing = set(nulls)
    data = ["" if index in missing else _scalar_text(value) for index, value in enumerate(flat)]
    tensor = {"name": name, "datatype": "BYTES", "shape": shape, "data": data}
    if nulls:
        tensor["nulls"] = nulls
    if any(not isinstance(leaf, str) and leaf is not None for leaf in leaves):
        # Text mixed with numbers ([1.0, "a", None]) is text in a BYTES tensor for V2; MLflow's JSON keeps 1.0 a
        # float and NaN NaN, so the values travel as they are too, for /invocations.
        tensor["json"] = [_marked(np, leaf) for leaf in leaves]
    return tensor


def model_outputs(np, pd, prediction):
    # A DataFrame or Series is answered on /invocations as records, as MLflow's `_get_jsonable_obj` does
    # (`pd.DataFrame(series)` names an unnamed Series' column 0): each tensor carries its record key.
    if isinstance(prediction, pd.DataFrame):
        return [
            _output_tensor(np, str(column), prediction[column].to_numpy(), record_key=str(column))
            for column in prediction.columns
        ]
    if isinstance(prediction, pd.Series):
        key = "0" if prediction.name is None else str(prediction.name)
        return [_output_tensor(np, "predictions", prediction.to_numpy(), record_key=key)]
    if isinstance(prediction, dict):
        # Marked so that a one-key dict is still answered as {key: ...} on /invocations, not as a bare list.
        return [dict(_output_tensor(np, str(key), value), dict_key=True) for key, value in prediction.items()]
    return [_output_tensor(np, "predictions", prediction)]
