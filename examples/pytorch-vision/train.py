"""Trains a small CNN on CIFAR-10-shaped images (3x32x32, 10 classes) and records it with the official mlflow
client: parameters, per-epoch metrics, and the model exported to ONNX (input "images" float32 [N, 3, 32, 32],
output "logits" [N, 10]), which `flowops serve` runs in-process without Python.

    python train.py                                   # CPU, or the one GPU there is
    torchrun --nproc_per_node 2 train.py              # DistributedDataParallel: NCCL on GPUs, gloo on CPUs

The data are synthetic unless --data names a directory of .npz/.npy files (vision_data.py): nothing is
downloaded. With --base-model or $FLOWOPS_BASE_MODEL_URI (a path to an .onnx file or model directory, or a
models:/ or runs:/ URI) training starts from that model's weights, as FlowOps' retraining loop asks.
Only rank 0 logs, exports and registers. The last line on stdout is a JSON summary.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Subset, TensorDataset
from torch.utils.data.distributed import DistributedSampler

sys.path.insert(0, str(Path(__file__).resolve().parent))

from small_cnn import SmallCnn, export_onnx, load_onnx_weights  # noqa: E402
from vision_data import CLASSES, DataError, read_image_directory, synthetic_cifar  # noqa: E402

BASE_MODEL_ENV = "FLOWOPS_BASE_MODEL_URI"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=5, help="passes over the training data (default 5)")
    parser.add_argument("--batch-size", type=int, default=64, help="images per step and process (default 64)")
    parser.add_argument("--lr", type=float, default=0.003, help="Adam learning rate (default 0.003)")
    parser.add_argument("--samples", type=int, default=5000, help="synthetic images to generate (default 5000)")
    parser.add_argument("--val-share", type=float, default=0.2, help="share held out for validation (default 0.2)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data, split and weights (default 0)")
    parser.add_argument("--data", type=Path, help="directory of .npz (images, labels) or images.npy + labels.npy")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto", help="default: auto")
    parser.add_argument("--out", type=Path, default=Path("."), help="where model.onnx and metrics.json go")
    parser.add_argument(
        "--base-model",
        default=os.environ.get(BASE_MODEL_ENV) or None,
        help=f"start from this model's weights (default ${BASE_MODEL_ENV})",
    )
    parser.add_argument("--tracking-uri", default=os.environ.get("MLFLOW_TRACKING_URI"), help="$MLFLOW_TRACKING_URI")
    parser.add_argument("--experiment", default="pytorch-vision", help="experiment name (default pytorch-vision)")
    parser.add_argument("--register", metavar="NAME", help="register the logged model under NAME")
    parser.add_argument("--no-mlflow", action="store_true", help="train and export only; log nothing")
    args = parser.parse_args(argv)
    if args.epochs < 1 or args.batch_size < 1 or args.lr <= 0 or not 0 < args.val_share < 1:
        parser.error("--epochs and --batch-size must be at least 1, --lr positive, --val-share between 0 and 1")
    return args


@dataclass
class Processes:
    """Where this process sits: one process unless started by torchrun (WORLD_SIZE > 1)."""

    rank: int
    world_size: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0


def start_processes(requested: str) -> Processes:
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if requested == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda: torch sees no CUDA device (torch.cuda.is_available() is False)")
    use_cuda = requested == "cuda" or (requested == "auto" and torch.cuda.is_available())
    if world_size == 1:
        return Processes(0, 1, torch.device("cuda" if use_cuda else "cpu"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if use_cuda:
        torch.cuda.set_device(local_rank)
    dist.init_process_group(backend="nccl" if use_cuda else "gloo")
    device = torch.device(f"cuda:{local_rank}" if use_cuda else "cpu")
    return Processes(dist.get_rank(), dist.get_world_size(), device)


def load_data(args: argparse.Namespace) -> tuple[Subset, Subset]:
    images, labels = read_image_directory(args.data) if args.data else synthetic_cifar(args.samples, args.seed)
    order = np.random.default_rng(args.seed).permutation(len(labels))
    held_out = max(1, int(len(labels) * args.val_share))
    val, train = order[:held_out], order[held_out:]
    dataset = TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
    return Subset(dataset, train.tolist()), Subset(dataset, val.tolist())


def base_model_file(reference: str) -> Path:
    """The .onnx file of a path or an MLflow model URI (downloaded through the tracking server)."""
    if "://" not in reference and ":/" not in reference:
        path = Path(reference)
    else:
        import mlflow.artifacts

        path = Path(mlflow.artifacts.download_artifacts(artifact_uri=reference))
    if path.is_file():
        return path
    candidates = sorted(path.glob("*.onnx"))
    if len(candidates) != 1:
        raise SystemExit(f"base model {reference}: expected one .onnx file in {path}, found {len(candidates)}")
    return candidates[0]


def run_epoch(model, loader, optimizer, device, processes: Processes) -> dict[str, float]:
    """One pass; with an optimizer it trains, without it evaluates. Sums are all-reduced across processes."""
    training = optimizer is not None
    model.train(training)
    totals = torch.zeros(3, dtype=torch.float64, device=device)  # loss sum, correct, count
    loss_function = nn.CrossEntropyLoss()
    with torch.set_grad_enabled(training):
        for images, labels in loader:
            images, labels = images.to(device, non_blocking=True), labels.to(device, non_blocking=True)
            logits = model(images)
            loss = loss_function(logits, labels)
            if training:
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
            totals[0] += loss.detach().double() * labels.shape[0]
            totals[1] += (logits.argmax(dim=1) == labels).sum().double()
            totals[2] += labels.shape[0]
    if processes.world_size > 1:
        dist.all_reduce(totals)
    loss_sum, correct, count = totals.tolist()
    return {"loss": loss_sum / count, "accuracy": correct / count}


def shard(dataset, processes: Processes):
    """Every process evaluates its own slice of the validation set; no padding, so sums are exact."""
    return Subset(dataset, list(range(processes.rank, len(dataset), processes.world_size)))


def train(args: argparse.Namespace, processes: Processes, log_metrics) -> tuple[SmallCnn, dict[str, float]]:
    torch.manual_seed(args.seed)
    train_set, val_set = load_data(args)
    model = SmallCnn(CLASSES)
    if args.base_model and processes.is_main:
        # DistributedDataParallel broadcasts rank 0's weights to the others when it wraps the model.
        load_onnx_weights(model, base_model_file(args.base_model))
    model.to(processes.device)
    wrapped = model
    if processes.world_size > 1:
        device_ids = [processes.device.index] if processes.device.type == "cuda" else None
        wrapped = DistributedDataParallel(model, device_ids=device_ids)
    sampler = (
        DistributedSampler(train_set, num_replicas=processes.world_size, rank=processes.rank, seed=args.seed)
        if processes.world_size > 1
        else None
    )
    pin = processes.device.type == "cuda"
    train_loader = DataLoader(
        train_set, batch_size=args.batch_size, shuffle=sampler is None, sampler=sampler, pin_memory=pin
    )
    val_loader = DataLoader(shard(val_set, processes), batch_size=256, pin_memory=pin)
    optimizer = torch.optim.Adam(wrapped.parameters(), lr=args.lr)
    final: dict[str, float] = {}
    for epoch in range(args.epochs):
        if sampler is not None:
            sampler.set_epoch(epoch)
        trained = run_epoch(wrapped, train_loader, optimizer, processes.device, processes)
        validated = run_epoch(wrapped, val_loader, None, processes.device, processes)
        final = {
            "train_loss": trained["loss"],
            "train_accuracy": trained["accuracy"],
            "val_loss": validated["loss"],
            "val_accuracy": validated["accuracy"],
        }
        if processes.is_main:
            log_metrics(final, epoch)
            print(f"epoch {epoch + 1}/{args.epochs} " + " ".join(f"{k}={v:.4f}" for k, v in final.items()))
    return model, final


def run_params(args: argparse.Namespace, processes: Processes) -> dict[str, object]:
    return {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "samples": args.samples if args.data is None else "from --data",
        "val_share": args.val_share,
        "seed": args.seed,
        "data": str(args.data) if args.data else "synthetic",
        "device": processes.device.type,
        "world_size": processes.world_size,
        "base_model": args.base_model or "none",
        "optimizer": "adam",
    }


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    processes = start_processes(args.device)
    try:
        return train_and_record(args, processes)
    except DataError as error:
        # A user's data problem: its message names the file and what was expected; a traceback adds nothing.
        print(f"train.py: {error}", file=sys.stderr)
        return 2
    finally:
        if processes.world_size > 1:
            dist.destroy_process_group()


def train_and_record(args: argparse.Namespace, processes: Processes) -> int:
    mlflow = None
    if processes.is_main and not args.no_mlflow:
        import mlflow

        if args.tracking_uri:
            mlflow.set_tracking_uri(args.tracking_uri)
            mlflow.set_registry_uri(args.tracking_uri)
        # Inside `flowops repro` the stage's run already exists (MLFLOW_RUN_ID) and keeps its own experiment.
        if not os.environ.get("MLFLOW_RUN_ID"):
            mlflow.set_experiment(args.experiment)
        mlflow.start_run(run_name="small-cnn")
        mlflow.log_params(run_params(args, processes))

    def log_metrics(metrics: dict[str, float], epoch: int) -> None:
        if mlflow is not None:
            mlflow.log_metrics(metrics, step=epoch)

    try:
        model, metrics = train(args, processes, log_metrics)
        if not processes.is_main:
            return 0
        args.out.mkdir(parents=True, exist_ok=True)
        onnx_path = args.out / "model.onnx"
        graph = export_onnx(model, onnx_path)
        (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
        summary: dict[str, object] = {"onnx": str(onnx_path), "metrics": metrics}
        if mlflow is not None:
            summary.update(log_onnx_model(mlflow, graph, args.register))
            summary["run_id"] = mlflow.active_run().info.run_id
            mlflow.end_run()
        print(json.dumps(summary))
        return 0
    except BaseException:
        if mlflow is not None and mlflow.active_run() is not None:
            mlflow.end_run(status="FAILED")
        raise


def log_onnx_model(mlflow, graph, register: str | None) -> dict[str, object]:
    """Logs the ONNX graph in MLflow model format (onnx flavour), registered under `register` when given."""
    import mlflow.onnx
    from mlflow.models import ModelSignature
    from mlflow.types import Schema, TensorSpec

    signature = ModelSignature(
        inputs=Schema([TensorSpec(np.dtype(np.float32), (-1, 3, 32, 32), "images")]),
        outputs=Schema([TensorSpec(np.dtype(np.float32), (-1, CLASSES), "logits")]),
    )
    # MLflow 3 names a logged model with `name`; 2.x only knows `artifact_path`.
    location = {"name": "model"} if int(mlflow.__version__.split(".")[0]) >= 3 else {"artifact_path": "model"}
    # One self-contained .onnx file: FlowOps (like any ONNX runtime) then needs no side files to load it.
    info = mlflow.onnx.log_model(
        graph, signature=signature, registered_model_name=register, save_as_external_data=False, **location
    )
    logged: dict[str, object] = {"model_uri": info.model_uri}
    if register:
        version = str(info.registered_model_version)
        logged.update({"registered_model": register, "version": version})
        logged["model_uri"] = f"models:/{register}/{version}"
    return logged


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
