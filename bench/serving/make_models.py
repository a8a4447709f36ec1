"""Trains the serving benchmark's model and writes it twice: as an MLflow scikit-learn model (served by
`mlflow models serve` and by flowops' Python runtime) and as its ONNX export (served by flowops' ONNX runtime).

    bench/serving/.venv/bin/python bench/serving/make_models.py OUT_DIR [--features 20] [--hidden 32]

Writes OUT_DIR/sklearn (mlflow.sklearn.save_model, column signature f0..f19) and OUT_DIR/onnx
(mlflow.onnx.save_model of the skl2onnx export, zipmap off so outputs are plain tensors, same signature),
and prints a JSON line naming both and the ONNX input name. Deterministic: fixed seeds throughout.
"""

import argparse
import json
import os
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")

import mlflow.onnx  # noqa: E402
import mlflow.sklearn  # noqa: E402
from mlflow.models import infer_signature  # noqa: E402
from skl2onnx import to_onnx  # noqa: E402
from skl2onnx.common.data_types import FloatTensorType  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--hidden", type=int, default=32)
    args = parser.parse_args()

    x, y = make_classification(
        n_samples=5000, n_features=args.features, n_informative=10, n_classes=2, random_state=0
    )
    x = x.astype(np.float32)
    columns = [f"f{i}" for i in range(args.features)]
    frame = pd.DataFrame(x, columns=columns)
    model = MLPClassifier(hidden_layer_sizes=(args.hidden,), max_iter=200, random_state=0)
    model.fit(frame, y)

    sklearn_dir = os.path.join(args.out, "sklearn")
    signature = infer_signature(frame.head(100), model.predict(frame.head(100)))
    mlflow.sklearn.save_model(
        model,
        sklearn_dir,
        signature=signature,
        input_example=frame.head(1),
        # MLflow 3 saves with skops, which asks that the fitted optimizer's type be named as trusted.
        skops_trusted_types=["sklearn.neural_network._stochastic_optimizers.AdamOptimizer"],
    )

    input_name = "input"
    onnx_model = to_onnx(
        model,
        initial_types=[(input_name, FloatTensorType([None, args.features]))],
        options={id(model): {"zipmap": False}},
        target_opset=17,
    )
    onnx_dir = os.path.join(args.out, "onnx")
    onnx_signature = infer_signature(frame.head(100), model.predict_proba(frame.head(100)).astype(np.float32))
    mlflow.onnx.save_model(onnx_model, onnx_dir, signature=onnx_signature)
    onnx_file = os.path.join(onnx_dir, "model.onnx")
    print(
        json.dumps(
            {
                "sklearn": sklearn_dir,
                "onnx": onnx_dir,
                "onnx_file": onnx_file,
                "onnx_input": input_name,
                "columns": columns,
                "train_accuracy": float(model.score(frame, y)),
            }
        )
    )


if __name__ == "__main__":
    main()
