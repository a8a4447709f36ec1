"""What MLflow's scoring server does with a request before predict for a model whose signature has nested columns
(array, object, map, any), or with a JSON object or list in a scalar column's cell: it casts the parsed JSON to the
input schema (mlflow.utils.proto_json_utils), and a refusal there is its answer, worded as the exception's own
message. FlowOps sends such a request as parsed for a model without a signature; these functions then apply
MLflow's own casts to it, so the model gets what `mlflow models serve` gives it and its pyfunc predict enforces
the schema as there.
"""


def nested_input_schema(model):
    """The input schema when it has nested columns, which FlowOps does not cast itself; else None."""
    from mlflow.types.schema import DataType

    schema = model.metadata.get_input_schema() if model.metadata is not None else None
    if schema is None or schema.is_tensor_spec():
        return None
    return None if all(isinstance(spec.type, DataType) for spec in schema.inputs) else schema


def request_schema(model, request, nested_schema):
    """The schema a request is cast to here: a nested one always; a scalar one when FlowOps sent the request as for
    a model without a signature ("schema_cast") because a cell held a JSON object or list, which MLflow's casts
    keep (string), make True (boolean) or refuse with Python's own TypeError (numbers)."""
    if nested_schema is not None or not request.get("schema_cast"):
        return nested_schema
    return model.metadata.get_input_schema()


def _as_answer(cast, data, schema):
    from mlflow.exceptions import MlflowException

    try:
        return cast(data, schema)
    except MlflowException as error:
        # The worker answers with this message as it stands, as MLflow's HTTP handler does.
        error.flowops_message = error.message
        raise


def schema_cast_frame(frame, schema):
    """A dataframe_split / dataframe_records frame, as infer_and_parse_data casts it."""
    from mlflow.utils.proto_json_utils import cast_df_types_according_to_schema

    return _as_answer(cast_df_types_according_to_schema, frame, schema)


def schema_cast_inputs(data, schema):
    """`inputs` as json.loads gave them (a dict of columns, a list of records, or one value), as
    parse_tf_serving_input casts them."""
    from mlflow.utils.proto_json_utils import _cast_schema_type

    return _as_answer(_cast_schema_type, data, schema)


def schema_cast_instances(records, schema):
    """`instances` records (a list of dicts), as parse_instances_data casts each record's value."""
    from mlflow.utils.proto_json_utils import parse_instances_data

    return _as_answer(parse_instances_data, {"instances": records}, schema)


# MLflow column types (mlflow.types.DataType names) to the pandas dtype the scoring server would give them.
_COLUMN_DTYPES = {
    "double": "float64",
    "float": "float32",
    "long": "int64",
    "integer": "int32",
    "boolean": "bool",
    "string": "object",
}


def typed_column(pd, values, type_name):
    """Casts one column as MLflow's scoring server does when it parses JSON with a signature
    (cast_df_types_according_to_schema): text pandas 3 holds in its "str" dtype stays there, as MLflow skips the
    cast to object that would make it an object column again."""
    import base64

    series = pd.Series(values)
    try:
        if type_name == "binary":
            return series.map(lambda v: base64.b64decode(v) if isinstance(v, str) else v)
        if type_name == "datetime":
            return pd.to_datetime(series)
        dtype = _COLUMN_DTYPES.get(type_name)
        if dtype == "object" and isinstance(series.dtype, pd.StringDtype):
            return series
        if dtype is not None and not (dtype.startswith("int") and series.isna().any()):
            return series.astype(dtype)
    except (TypeError, ValueError):
        # Left as sent: MLflow's own schema enforcement then reports the mismatch with its message.
        pass
    return series
