"""CIFAR-10-shaped image data for train.py: 3x32x32 float32 images in [0, 1] and labels 0-9.

Either generated (no download is allowed at run time) or read from a directory of .npz/.npy files the user
supplies. Generated images carry class-dependent colour and stripe patterns under noise, so a small CNN can
actually learn them and a broken training loop shows as accuracy near 10 %.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

CLASSES = 10
IMAGE_SHAPE = (3, 32, 32)


class DataError(ValueError):
    """A user-supplied data file that is not CIFAR-shaped; the message names the file and what was expected."""


def synthetic_cifar(samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`samples` images of shape [3, 32, 32] (float32, 0..1) and their int64 labels, reproducible from `seed`.

    Class k has its own mean colour and stripes at its own angle and frequency; noise, a random phase and a
    random brightness make every image different, so the task is learnable but not trivial.
    """
    if samples < CLASSES:
        raise DataError(f"--samples must be at least {CLASSES} (one image per class), got {samples}")
    rng = np.random.default_rng(seed)
    labels = np.arange(samples, dtype=np.int64) % CLASSES
    rng.shuffle(labels)
    # Fixed palette and stripe geometry per class: independent of `seed`, so two seeds draw the same task.
    palette = np.random.default_rng(1234).uniform(0.2, 0.8, size=(CLASSES, 3)).astype(np.float32)
    angles = np.linspace(0.0, np.pi, CLASSES, endpoint=False)
    frequencies = 0.25 + 0.05 * (np.arange(CLASSES) % 4)

    ys, xs = np.mgrid[0:32, 0:32].astype(np.float32)
    direction = np.cos(angles)[:, None, None] * xs + np.sin(angles)[:, None, None] * ys  # [10, 32, 32]
    phases = rng.uniform(0, 2 * np.pi, size=samples).astype(np.float32)
    stripes = np.sin(frequencies[labels, None, None] * direction[labels] + phases[:, None, None])  # [N, 32, 32]
    brightness = rng.uniform(0.8, 1.2, size=(samples, 1, 1, 1)).astype(np.float32)
    images = palette[labels][:, :, None, None] * brightness + 0.15 * stripes[:, None, :, :]
    images += rng.normal(0.0, 0.08, size=images.shape).astype(np.float32)
    return np.clip(images, 0.0, 1.0).astype(np.float32), labels


def read_image_directory(directory: Path) -> tuple[np.ndarray, np.ndarray]:
    """Every .npz in `directory` (arrays `images` and `labels`, or `x` and `y`), or `images.npy` + `labels.npy`.

    Images may be [N, 3, 32, 32] or CIFAR's raw [N, 32, 32, 3]; uint8 images are scaled to 0..1.
    """
    if not directory.is_dir():
        raise DataError(f"--data {directory}: not a directory")
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    for npz in sorted(directory.glob("*.npz")):
        with np.load(npz) as archive:
            image_key = _first_key(archive.files, ("images", "x"), npz)
            label_key = _first_key(archive.files, ("labels", "y"), npz)
            parts.append(_checked(archive[image_key], archive[label_key], f"{npz}"))
    if not parts and (directory / "images.npy").is_file():
        labels_file = directory / "labels.npy"
        if not labels_file.is_file():
            raise DataError(f"{directory / 'images.npy'}: found no labels.npy beside it")
        parts.append(_checked(np.load(directory / "images.npy"), np.load(labels_file), f"{directory}/images.npy"))
    if not parts:
        raise DataError(f"--data {directory}: no .npz files and no images.npy + labels.npy")
    return np.concatenate([images for images, _ in parts]), np.concatenate([labels for _, labels in parts])


def _first_key(keys: list[str], wanted: tuple[str, ...], source: Path) -> str:
    for key in wanted:
        if key in keys:
            return key
    raise DataError(f"{source}: expected an array named {' or '.join(wanted)}; found {', '.join(keys) or 'none'}")


def _checked(images: np.ndarray, labels: np.ndarray, source: str) -> tuple[np.ndarray, np.ndarray]:
    if images.ndim == 4 and images.shape[1:] == (32, 32, 3):
        images = images.transpose(0, 3, 1, 2)
    if images.ndim != 4 or images.shape[1:] != IMAGE_SHAPE:
        raise DataError(f"{source}: images have shape {list(images.shape)}; expected [N, 3, 32, 32] or [N, 32, 32, 3]")
    labels = labels.reshape(-1)
    if labels.shape[0] != images.shape[0]:
        raise DataError(f"{source}: {images.shape[0]} images but {labels.shape[0]} labels")
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 or labels.max() >= CLASSES:
        raise DataError(f"{source}: labels must be integers 0..{CLASSES - 1}")
    scaled = images.astype(np.float32) / 255.0 if images.dtype == np.uint8 else images.astype(np.float32)
    return np.ascontiguousarray(scaled), labels.astype(np.int64)
