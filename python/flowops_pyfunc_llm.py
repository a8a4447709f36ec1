"""MLflow's unified LLM body (a JSON object of `messages`, `prompt` or `input` beside other members, with no
format key): what its scoring server's _split_data_and_params_for_llm_input makes of it before predict."""


def llm_input(model, members):
    """The members (each as json.loads gave it) its params schema names are params, the others the model's input
    as a dict, with no cast to the signature."""
    schema = model.metadata.get_params_schema() if model.metadata is not None else None
    names = {param.name for param in schema.params} if schema is not None else set()
    data = {name: value for name, value in members.items() if name not in names}
    return data, {name: value for name, value in members.items() if name in names}
