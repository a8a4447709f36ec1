"""Model answers as the wire tensors flowops_pyfunc_worker.py sends back (see its protocol and
src/serving/runtimes/pythonWire.ts): numeric and BOOL arrays as "raw" native-order bytes that keep their dtype,
the rest as JSON text with "nulls", "json", "record_key" and "dict_key" where MLflow's own JSON answer needs them.
Kept apart from the worker's frame loop and input building; numpy and pandas are passed in, as the worker imports
them only once it has reported whether they load.
"""

import base64
import json
import math


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


def _plain(value):
    """One element of an object array as MLflow's JSON encoder writes it (numbers stay numbers)."""
    if _is_missing(value):
        return None
    if isinstance(value, (bool, int, float, str)):
        return value
    item = getattr(value, "item", None)
    if callable(item):
        plain = item()
        if isinstance(plain, (bool, int, float, str)):
            return None if isinstance(plain, float) and not math.isfinite(plain) else plain
    return _scalar_text(value)


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


def _output_tensor_data(np, name, values):
    # A scalar answer (a str, a number) keeps shape []: MLflow answers it as the bare value, not a list.
    array = np.asarray(values)
    shape = list(array.shape)
    flat = array.reshape(-1)
    kind = array.dtype.kind
    datatype = _raw_datatype(array.dtype)
    if datatype is not None:
        if datatype == "FP64" and array.dtype.itemsize != 8:
            array = array.astype("float64")  # long double: V2 has nothing wider
        native = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("="))
        raw = base64.b64encode(native.tobytes()).decode("ascii")
        return {"name": name, "datatype": datatype, "shape": shape, "raw": raw}
    if kind == "O" and all(isinstance(v, (list, tuple, np.ndarray)) for v in flat) and len(flat) > 0:
        # Ragged or nested object columns (e.g. lists per row) are sent as JSON text per row.
        data = [json.dumps(np.asarray(v).tolist()) for v in flat]
        return {"name": name, "datatype": "BYTES", "shape": shape, "data": data}
    nulls = [index for index, value in enumerate(flat) if _is_missing(value)]
    missing = set(nulls)
    data = ["" if index in missing else _scalar_text(value) for index, value in enumerate(flat)]
    tensor = {"name": name, "datatype": "BYTES", "shape": shape, "data": data}
    if nulls:
        tensor["nulls"] = nulls
    if kind == "O" and any(isinstance(_plain(value), (bool, int, float)) for value in flat):
        # A list mixing numbers with text ([1, "a", None]) is text in a BYTES tensor; MLflow's JSON keeps 1 a
        # number, so the values travel as they are too, for /invocations.
        tensor["json"] = [_plain(value) for value in flat]
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
