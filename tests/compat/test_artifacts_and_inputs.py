"""Run artifacts through the server's artifact proxy, and dataset inputs logged with log_input."""

from __future__ import annotations

import mlflow
import pandas as pd


def test_log_artifact_and_download_it_back(client, experiment_id, tmp_path):
    source = tmp_path / "notes.txt"
    source.write_text("hello artifacts\n")
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(source))
        mlflow.log_artifact(str(source), artifact_path="docs")
    assert run.info.artifact_uri.startswith("mlflow-artifacts:/")
    root = {f.path: f for f in client.list_artifacts(run.info.run_id)}
    assert set(root) == {"notes.txt", "docs"}
    assert root["docs"].is_dir
    assert root["notes.txt"].file_size == len("hello artifacts\n")
    downloaded = mlflow.artifacts.download_artifacts(
        run_id=run.info.run_id, artifact_path="docs/notes.txt", dst_path=str(tmp_path / "out")
    )
    assert open(downloaded).read() == "hello artifacts\n"


def test_log_artifacts_uploads_a_directory_tree_and_downloads_it_whole(client, experiment_id, tmp_path):
    tree = tmp_path / "tree"
    (tree / "sub" / "deeper").mkdir(parents=True)
    (tree / "a.txt").write_text("a")
    (tree / "sub" / "b.json").write_text('{"b": 1}')
    (tree / "sub" / "deeper" / "c.bin").write_bytes(bytes(range(256)) * 40)
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(tree), artifact_path="bundle")
    listed = [f.path for f in client.list_artifacts(run.info.run_id, "bundle/sub")]
    assert sorted(listed) == ["bundle/sub/b.json", "bundle/sub/deeper"]
    out = mlflow.artifacts.download_artifacts(
        artifact_uri=f"runs:/{run.info.run_id}/bundle", dst_path=str(tmp_path / "copy")
    )
    copied = tmp_path / "copy" / "bundle"
    assert str(copied) == out.rstrip("/")
    assert (copied / "a.txt").read_text() == "a"
    assert (copied / "sub" / "b.json").read_text() == '{"b": 1}'
    assert (copied / "sub" / "deeper" / "c.bin").read_bytes() == bytes(range(256)) * 40


def test_log_text_and_log_dict_are_loadable(experiment_id):
    with mlflow.start_run() as run:
        mlflow.log_text("some text", "texts/t.txt")
        mlflow.log_dict({"k": [1, 2]}, "config.json")
    assert mlflow.artifacts.load_text(f"runs:/{run.info.run_id}/texts/t.txt") == "some text"
    assert mlflow.artifacts.load_dict(f"runs:/{run.info.run_id}/config.json") == {"k": [1, 2]}


def test_list_artifacts_of_a_missing_path_is_empty(client, experiment_id):
    with mlflow.start_run() as run:
        mlflow.log_text("x", "present.txt")
    assert client.list_artifacts(run.info.run_id, "absent") == []


def test_log_input_records_the_dataset_with_context_and_tags(client, experiment_id, tiny_dataset):
    features, target = tiny_dataset
    frame = pd.concat([features, target], axis=1)
    source = "https://example.com/data/tiny.csv"
    train = mlflow.data.from_pandas(frame.iloc[:40], source=source, name="tiny-train", targets="label")
    evaluation = mlflow.data.from_pandas(frame.iloc[40:], source=source, name="tiny-eval", targets="label")
    with mlflow.start_run() as run:
        mlflow.log_input(train, context="training", tags={"split": "train"})
        mlflow.log_input(evaluation, context="evaluation")
    inputs = {i.dataset.name: i for i in client.get_run(run.info.run_id).inputs.dataset_inputs}
    assert set(inputs) == {"tiny-train", "tiny-eval"}
    logged = inputs["tiny-train"].dataset
    assert logged.digest == train.digest
    assert logged.source_type == train.source._get_source_type()
    assert "label" in logged.schema
    assert '"num_rows": 40' in logged.profile
    tags = {t.key: t.value for t in inputs["tiny-train"].tags}
    assert tags == {"mlflow.data.context": "training", "split": "train"}
    assert {t.key: t.value for t in inputs["tiny-eval"].tags} == {"mlflow.data.context": "evaluation"}


def test_logging_the_same_dataset_twice_keeps_one_input(client, experiment_id, tiny_dataset):
    features, _ = tiny_dataset
    dataset = mlflow.data.from_pandas(features, source="https://example.com/data/features.csv", name="features")
    with mlflow.start_run() as run:
        mlflow.log_input(dataset, context="training")
        mlflow.log_input(dataset, context="training")
    assert len(client.get_run(run.info.run_id).inputs.dataset_inputs) == 1
