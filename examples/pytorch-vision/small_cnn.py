"""The example's model, a small CNN for 3x32x32 images and 10 classes, with its two ONNX crossings: export
(input "images" float32 [N, 3, 32, 32] with a dynamic batch axis, output "logits" [N, 10]) and loading the
weights of a model exported earlier, so retraining can start from the deployed model's ONNX file.

No BatchNorm on purpose: exporters fold it into the convolutions, and then the ONNX initializers no longer map
one-to-one onto the PyTorch parameters that `load_onnx_weights` restores.
"""

from __future__ import annotations

from pathlib import Path

import onnx
import torch
from onnx import numpy_helper
from torch import nn

INPUT_NAME = "images"
OUTPUT_NAME = "logits"
OPSET = 18


class SmallCnn(nn.Module):
    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 16x16
            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 8x8
            nn.Conv2d(32, 64, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
        )
        self.classifier = nn.Linear(64, classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.features(images), 1))


def export_onnx(model: nn.Module, path: Path) -> onnx.ModelProto:
    """Writes `model` (on the CPU, in eval mode) to `path` and returns the checked ONNX graph."""
    model = model.to("cpu").eval()
    example = torch.zeros(2, 3, 32, 32, dtype=torch.float32)
    # The TorchScript exporter keeps every parameter as an initializer under its own name, which is what
    # load_onnx_weights needs; newer torch releases that dropped it take the dynamo path below.
    try:
        torch.onnx.export(
            model,
            (example,),
            str(path),
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
            opset_version=OPSET,
            dynamo=False,
        )
    except TypeError:
        batch = torch.export.Dim("batch")
        torch.onnx.export(
            model,
            (example,),
            str(path),
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            dynamic_shapes={"images": {0: batch}},
            opset_version=OPSET,
            external_data=False,
        )
    graph = onnx.load(str(path))
    onnx.checker.check_model(graph)
    inputs = [value.name for value in graph.graph.input]
    outputs = [value.name for value in graph.graph.output]
    if inputs != [INPUT_NAME] or outputs != [OUTPUT_NAME]:
        raise RuntimeError(f"{path}: exported inputs {inputs} and outputs {outputs}; expected images -> logits")
    return graph


def load_onnx_weights(model: nn.Module, onnx_file: Path) -> None:
    """Copies the initializers of an ONNX file this script exported into `model`, by parameter name.

    Fails, naming the file, when a parameter is missing or has another shape: a model of another architecture
    cannot be a starting point.
    """
    initializers = {tensor.name: tensor for tensor in onnx.load(str(onnx_file)).graph.initializer}
    state = model.state_dict()
    loaded = {}
    for name, current in state.items():
        tensor = initializers.get(name)
        if tensor is None:
            raise ValueError(f"{onnx_file}: no initializer named '{name}'; was it exported by this example?")
        array = numpy_helper.to_array(tensor)
        if tuple(array.shape) != tuple(current.shape):
            raise ValueError(
                f"{onnx_file}: initializer '{name}' has shape {list(array.shape)}; expected {list(current.shape)}"
            )
        loaded[name] = torch.from_numpy(array.copy()).to(current.dtype)
    model.load_state_dict(loaded)
