"""examples/pytorch-vision: train.py, run as a user runs it (plain, under torchrun, from a base model), records its
run through the official client, and the ONNX model it registers is served by `flowops serve` with the logits
the trained network computes.

PyTorch is not in tests/compat/requirements.txt (its wheels with CUDA libraries are gigabytes), so CI skips this
module; install torch, onnx and mlflow into the suite's venv to run it. The GPU test also needs a CUDA device.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

torch = pytest.importorskip("torch", reason="torch is not installed: CI does not install PyTorch (multi-GB wheels)")
for module in ("onnx", "onnxruntime"):
    pytest.importorskip(module, reason=f"{module} is not installed; examples/pytorch-vision/requirements.txt has it")

from conftest import REPO_ROOT, _free_port  # noqa: E402

EXAMPLE = REPO_ROOT / "examples" / "pytorch-vision"
TRAIN_SCRIPT = EXAMPLE / "train.py"
SHORT_RUN = ["--epochs", "2", "--samples", "400", "--batch-size", "32", "--seed", "3"]


def _load(module_name: str):
    spec = importlib.util.spec_from_file_location(module_name, EXAMPLE / f"{module_name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


small_cnn = _load("small_cnn")
vision_data = _load("vision_data")


@dataclass
class TrainedExample:
    run_id: str
    model_name: str
    version: str
    experiment: str
    out: Path
    summary: dict


def _train(command_prefix: list[str], args: list[str], tracking_uri: str, extra_env: dict | None = None) -> dict:
    env = {**os.environ, "MLFLOW_TRACKING_URI": tracking_uri, "OMP_NUM_THREADS": "1", **(extra_env or {})}
    env.pop("MLFLOW_RUN_ID", None)
    completed = subprocess.run(
        [*command_prefix, str(TRAIN_SCRIPT), *args],
        cwd=EXAMPLE,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, f"train.py failed:\n{completed.stdout}\n{completed.stderr}"
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _train_registered(flowops_server, tmp_path: Path, device: str, command_prefix: list[str]) -> TrainedExample:
    suffix = os.urandom(5).hex()
    name, experiment, out = f"vision-{suffix}", f"example-pytorch-vision-{suffix}", tmp_path / "out"
    args = [*SHORT_RUN, "--device", device, "--out", str(out), "--register", name, "--experiment", experiment]
    summary = _train(command_prefix, args, flowops_server.url)
    assert summary["model_uri"] == f"models:/{name}/{summary['version']}"
    return TrainedExample(summary["run_id"], name, summary["version"], experiment, out, summary)


@pytest.fixture(scope="module")
def trained_on_cpu(flowops_server, tmp_path_factory) -> TrainedExample:
    return _train_registered(flowops_server, tmp_path_factory.mktemp("vision-cpu"), "cpu", [sys.executable])


def _wait_until_ready(url: str, process: subprocess.Popen, log_path: Path, timeout_s: float = 180) -> None:
    # test_serving.py has the same loop, but importing it would pull in scikit-learn, which this module needs not.
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"flowops serve exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            if requests.get(f"{url}/ping", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"flowops serve was not ready within {timeout_s} s:\n{log_path.read_text()}")


def _expected_logits(onnx_file: Path, images) -> list[list[float]]:
    model = small_cnn.SmallCnn()
    small_cnn.load_onnx_weights(model, onnx_file)
    with torch.no_grad():
        return model.eval()(torch.from_numpy(images)).tolist()


def _served_logits(flowops_server, model_name: str, version: str, images, tmp_path: Path) -> list[list[float]]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    command = ["node", str(REPO_ROOT / "bin" / "flowops.js"), "serve", f"models:/{model_name}/{version}"]
    env = {**os.environ, "MLFLOW_TRACKING_URI": flowops_server.url, "FLOWOPS_HOME": str(tmp_path / "home")}
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            [*command, "--port", str(port)], cwd=REPO_ROOT, stdout=log_file, stderr=subprocess.STDOUT, env=env
        )
    try:
        _wait_until_ready(url, process, log_path)
        response = requests.post(
            f"{url}/v2/models/{model_name}/infer",
            json={
                "inputs": [
                    {"name": "images", "shape": list(images.shape), "datatype": "FP32", "data": images.ravel().tolist()}
                ]
            },
            timeout=60,
        )
        assert response.status_code == 200, response.text
        outputs = response.json()["outputs"]
        assert [output["name"] for output in outputs] == ["logits"]
        assert outputs[0]["shape"] == [images.shape[0], 10]
        data = outputs[0]["data"]
        return [data[row * 10 : (row + 1) * 10] for row in range(images.shape[0])]
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_pytorch_example_records_params_per_epoch_metrics_and_a_registered_onnx_model(trained_on_cpu, client):
    run = client.get_run(trained_on_cpu.run_id)
    assert run.info.status == "FINISHED"
    assert run.data.params["epochs"] == "2"
    assert run.data.params["device"] == "cpu"
    assert run.data.params["world_size"] == "1"
    for metric in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
        history = client.get_metric_history(trained_on_cpu.run_id, metric)
        assert sorted(point.step for point in history) == [0, 1]
        assert run.data.metrics[metric] == pytest.approx(trained_on_cpu.summary["metrics"][metric])
    # Ten classes: chance is 10 %; the generated images are learnable within two short epochs.
    assert run.data.metrics["val_accuracy"] > 0.3

    version = client.get_model_version(trained_on_cpu.model_name, trained_on_cpu.version)
    assert version.run_id == trained_on_cpu.run_id
    local = json.loads((trained_on_cpu.out / "metrics.json").read_text())
    assert local == pytest.approx(trained_on_cpu.summary["metrics"])


def test_flowops_serves_the_exported_onnx_with_the_networks_logits(trained_on_cpu, flowops_server, tmp_path):
    images, _ = vision_data.synthetic_cifar(12, seed=99)
    images = images[:3]
    served = _served_logits(flowops_server, trained_on_cpu.model_name, trained_on_cpu.version, images, tmp_path)
    expected = _expected_logits(trained_on_cpu.out / "model.onnx", images)
    for served_row, expected_row in zip(served, expected, strict=True):
        assert served_row == pytest.approx(expected_row, rel=1e-3, abs=1e-4)


def test_training_from_a_base_model_uri_starts_from_its_weights(trained_on_cpu, flowops_server, tmp_path):
    # A learning rate too small to move any weight: the export must then hold the base model's weights exactly.
    out = tmp_path / "retrained"
    base_uri = f"models:/{trained_on_cpu.model_name}/{trained_on_cpu.version}"
    args = ["--epochs", "1", "--samples", "100", "--lr", "1e-30", "--device", "cpu", "--out", str(out), "--no-mlflow"]
    _train([sys.executable], args, flowops_server.url, {"FLOWOPS_BASE_MODEL_URI": base_uri})
    base, retrained = small_cnn.SmallCnn(), small_cnn.SmallCnn()
    small_cnn.load_onnx_weights(base, trained_on_cpu.out / "model.onnx")
    small_cnn.load_onnx_weights(retrained, out / "model.onnx")
    for name, tensor in base.state_dict().items():
        assert torch.allclose(tensor, retrained.state_dict()[name]), f"{name} differs from the base model's"


def test_torchrun_on_two_cpu_processes_logs_one_run_from_rank_zero(flowops_server, client, tmp_path):
    experiment = f"example-pytorch-vision-ddp-{os.urandom(5).hex()}"
    port = str(_free_port())
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", port]
    summary = _train(
        torchrun, [*SHORT_RUN, "--device", "cpu", "--out", str(tmp_path), "--experiment", experiment], flowops_server.url
    )
    runs = client.search_runs([client.get_experiment_by_name(experiment).experiment_id])
    assert [run.info.run_id for run in runs] == [summary["run_id"]]
    assert runs[0].data.params["world_size"] == "2"
    assert len(client.get_metric_history(summary["run_id"], "val_accuracy")) == 2
    assert (tmp_path / "model.onnx").is_file()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device (torch.cuda.is_available() is False)")
def test_pytorch_example_trains_on_the_gpu_and_its_model_serves(flowops_server, client, tmp_path):
    trained = _train_registered(flowops_server, tmp_path, "cuda", [sys.executable])
    assert client.get_run(trained.run_id).data.params["device"] == "cuda"
    images, _ = vision_data.synthetic_cifar(10, seed=5)
    served = _served_logits(flowops_server, trained.model_name, trained.version, images[:2], tmp_path)
    expected = _expected_logits(trained.out / "model.onnx", images[:2])
    for served_row, expected_row in zip(served, expected, strict=True):
        assert served_row == pytest.approx(expected_row, rel=1e-3, abs=1e-4)
