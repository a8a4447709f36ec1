"""KServe V2 with Triton's own HTTP client: `tritonclient.http` calls `flowops serve` on an ONNX model, with the
binary tensor data extension (binary inputs and outputs, FP16 included) and with plain JSON, and reads its errors."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import requests

# tests/compat/requirements.txt installs tritonclient; the mlflow 2.x run of this suite uses its own, smaller
# requirements file, and the protocol under test does not depend on the mlflow version.
httpclient = pytest.importorskip("tritonclient.http", reason="tritonclient is not in this venv's requirements")
from tritonclient.utils import InferenceServerException  # noqa: E402

from conftest import REPO_ROOT, _free_port

MODEL = "half"

# x FP32 [-1,2] -> doubled = x + x; h FP16 [-1,2] -> half = h, half_as_fp32 = float(h). Written with the
# compiled ONNX writer so the suite needs no onnx package.
_WRITE_MODEL = """
import { writeFileSync } from "node:fs";
import { encodeOnnxModel } from %(writer)s;
writeFileSync(%(path)s, encodeOnnxModel({
  name: "half",
  inputs: [{ name: "x", datatype: "FP32", shape: [-1, 2] }, { name: "h", datatype: "FP16", shape: [-1, 2] }],
  outputs: [
    { name: "doubled", datatype: "FP32", shape: [-1, 2] },
    { name: "half", datatype: "FP16", shape: [-1, 2] },
    { name: "half_as_fp32", datatype: "FP32", shape: [-1, 2] },
  ],
  nodes: [
    { opType: "Add", inputs: ["x", "x"], outputs: ["doubled"] },
    { opType: "Identity", inputs: ["h"], outputs: ["half"] },
    { opType: "Cast", inputs: ["h"], outputs: ["half_as_fp32"], attributes: { to: { int: 1 } } },
  ],
}));
"""


def _write_model(model_dir: Path) -> None:
    model_dir.mkdir(parents=True)
    writer = (REPO_ROOT / "dist" / "serving" / "onnx" / "onnxModelWriter.js").as_uri()
    script = _WRITE_MODEL % {"writer": json.dumps(writer), "path": json.dumps(str(model_dir / "model.onnx"))}
    subprocess.run(["node", "--input-type=module", "-e", script], check=True, cwd=REPO_ROOT)


def _wait_until_ready(url: str, process: subprocess.Popen, log_path: Path, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"flowops serve exited with {process.returncode}:\n{log_path.read_text()}")
        try:
            if requests.get(f"{url}/v2/health/ready", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"flowops serve was not ready within {timeout_s} s:\n{log_path.read_text()}")


@pytest.fixture(scope="module")
def triton(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpclient.InferenceServerClient]:
    work = tmp_path_factory.mktemp("v2-tritonclient")
    model_dir = work / MODEL
    _write_model(model_dir)
    port = _free_port()
    log_path = work / "serve.log"
    command = ["node", str(REPO_ROOT / "bin" / "flowops.js"), "serve", str(model_dir), "--port", str(port)]
    command += ["--workers", "1"]
    env = {**os.environ, "FLOWOPS_HOME": str(work / "home")}
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=log_file, stderr=subprocess.STDOUT, env=env)
    client = None
    try:
        _wait_until_ready(f"http://127.0.0.1:{port}", process, log_path)
        client = httpclient.InferenceServerClient(url=f"127.0.0.1:{port}")
        yield client
    finally:
        if client is not None:
            client.close()
        process.terminate()
        process.wait(timeout=30)


X = np.array([[1.0, 2.5], [-3.0, 0.125]], dtype=np.float32)
H = np.array([[1.5, -2.0], [0.25, 8.0]], dtype=np.float16)


def _inputs(binary: bool) -> list[httpclient.InferInput]:
    x = httpclient.InferInput("x", list(X.shape), "FP32")
    x.set_data_from_numpy(X, binary_data=binary)
    h = httpclient.InferInput("h", list(H.shape), "FP16")
    # FP16 has no JSON form: tritonclient always sends it as binary data.
    h.set_data_from_numpy(H, binary_data=True)
    return [x, h]


def test_tritonclient_sees_a_live_ready_server_with_the_binary_extension(triton):
    assert triton.is_server_live()
    assert triton.is_server_ready()
    assert triton.is_model_ready(MODEL)
    assert "binary_tensor_data" in triton.get_server_metadata()["extensions"]


def test_tritonclient_reads_the_model_metadata(triton):
    metadata = triton.get_model_metadata(MODEL)
    assert metadata["name"] == MODEL
    assert [(i["name"], i["datatype"], i["shape"]) for i in metadata["inputs"]] == [
        ("x", "FP32", [-1, 2]),
        ("h", "FP16", [-1, 2]),
    ]
    assert [o["name"] for o in metadata["outputs"]] == ["doubled", "half", "half_as_fp32"]


def test_tritonclient_infers_with_binary_inputs_and_every_output_binary_by_default(triton):
    result = triton.infer(MODEL, _inputs(binary=True), request_id="bin-1")
    response = result.get_response()
    assert response["id"] == "bin-1"
    assert all("binary_data_size" in output["parameters"] for output in response["outputs"])
    np.testing.assert_array_equal(result.as_numpy("doubled"), X * 2)
    half = result.as_numpy("half")
    assert half.dtype == np.float16
    np.testing.assert_array_equal(half, H)
    np.testing.assert_array_equal(result.as_numpy("half_as_fp32"), H.astype(np.float32))


def test_tritonclient_mixes_binary_and_json_outputs(triton):
    outputs = [
        httpclient.InferRequestedOutput("half", binary_data=True),
        httpclient.InferRequestedOutput("doubled", binary_data=False),
    ]
    result = triton.infer(MODEL, _inputs(binary=False), outputs=outputs)
    by_name = {output["name"]: output for output in result.get_response()["outputs"]}
    assert set(by_name) == {"half", "doubled"}
    assert by_name["doubled"]["data"] == (X * 2).flatten().tolist()
    np.testing.assert_array_equal(result.as_numpy("doubled"), X * 2)
    np.testing.assert_array_equal(result.as_numpy("half"), H)


def test_tritonclient_infers_with_json_outputs_only(triton):
    outputs = [httpclient.InferRequestedOutput("half_as_fp32", binary_data=False)]
    result = triton.infer(MODEL, _inputs(binary=False), outputs=outputs)
    output = result.get_response()["outputs"][0]
    assert output["data"] == H.astype(np.float32).flatten().tolist()
    np.testing.assert_array_equal(result.as_numpy("half_as_fp32"), H.astype(np.float32))


def test_tritonclient_raises_the_servers_error_for_a_wrong_shape(triton):
    x = httpclient.InferInput("x", [2, 3], "FP32")
    x.set_data_from_numpy(np.zeros((2, 3), dtype=np.float32))
    with pytest.raises(InferenceServerException) as raised:
        triton.infer(MODEL, [x, _inputs(binary=True)[1]])
    assert raised.value.status() == "400"
    assert "input 'x': shape [2,3] does not match [-1,2]" in raised.value.message()


def test_tritonclient_raises_the_servers_error_for_an_unknown_model(triton):
    with pytest.raises(InferenceServerException) as raised:
        triton.infer("no-such-model", _inputs(binary=True))
    assert raised.value.status() == "404"
