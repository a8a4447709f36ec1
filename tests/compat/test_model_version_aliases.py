"""Where MLflow's SQL store lists a model version's aliases: reads of one version (get, get by alias) and
get-latest-versions list them; search-model-versions (REST and GraphQL) and a registered model's
latest_versions (get and search) leave them out, even where the version has aliases.
"""

from __future__ import annotations

import requests


def test_search_results_and_latest_versions_leave_aliases_out(flowops_server, client, experiment_id: str, unique: str):
    name = f"aliases-{unique}"
    run = client.create_run(experiment_id)
    client.create_registered_model(name)
    for path in ("x", "y"):
        client.create_model_version(name, f"runs:/{run.info.run_id}/{path}", run_id=run.info.run_id)
    client.set_registered_model_alias(name, "champ", "1")
    client.set_registered_model_alias(name, "alpha", "1")
    client.set_registered_model_alias(name, "beta", "2")

    api = f"{flowops_server.url}/api/2.0/mlflow"
    got = requests.get(f"{api}/model-versions/get", params={"name": name, "version": "1"}, timeout=30).json()
    assert got["model_version"]["aliases"] == ["alpha", "champ"]
    by_alias = requests.get(f"{api}/registered-models/alias", params={"name": name, "alias": "champ"}, timeout=30)
    assert by_alias.json()["model_version"]["aliases"] == ["alpha", "champ"]
    latest = requests.post(f"{api}/registered-models/get-latest-versions", json={"name": name}, timeout=30).json()
    assert [v["aliases"] for v in latest["model_versions"]] == [["beta"]]

    searched = requests.get(f"{api}/model-versions/search", params={"filter": f"name='{name}'"}, timeout=30).json()
    assert [(v["version"], v.get("aliases", [])) for v in searched["model_versions"]] == [("2", []), ("1", [])]
    model = requests.get(f"{api}/registered-models/get", params={"name": name}, timeout=30).json()["registered_model"]
    found = requests.get(f"{api}/registered-models/search", params={"filter": f"name='{name}'"}, timeout=30).json()
    for registered in (model, found["registered_models"][0]):
        assert [a["alias"] for a in registered["aliases"]] == ["alpha", "beta", "champ"]
        assert [v.get("aliases", []) for v in registered["latest_versions"]] == [[]]

    query = 'query { mlflowSearchModelVersions(input: {filter: "name=\'%s\'"}) { modelVersions { version aliases } } }'
    graphql = requests.post(f"{flowops_server.url}/graphql", json={"query": query % name}, timeout=30).json()
    versions = graphql["data"]["mlflowSearchModelVersions"]["modelVersions"]
    assert [(v["version"], v["aliases"]) for v in versions] == [("2", []), ("1", [])]

    assert [v.aliases for v in client.search_model_versions(f"name='{name}'")] == [[], []]
    assert client.get_model_version(name, "1").aliases == ["alpha", "champ"]
