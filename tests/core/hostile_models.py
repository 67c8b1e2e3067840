"""Hostile ``.keras`` files, written with ``json`` and ``zipfile`` alone (no Keras): what a student
could upload to the CNN activations page to make the server allocate gigabytes. Used by
``tests/core/test_upload_hostile.py`` and ``bench/bench_hostile_models.py``.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

METADATA = {"keras_version": "3.15.1", "date_saved": "2026-01-01@00:00:00"}


def layer(class_name: str, name: str, **config) -> dict:
    """A saved Keras 3 layer entry with only what its constructor needs (Keras fills the defaults)."""
    return {
        "module": "keras.layers",
        "class_name": class_name,
        "config": {"name": name, **config},
        "registered_name": None,
    }


def sequential(input_shape: tuple, *layers: dict, name: str = "hostile") -> dict:
    inp = layer("InputLayer", "input", batch_shape=[None, *input_shape])
    return {
        "module": "keras",
        "class_name": "Sequential",
        "registered_name": None,
        "config": {"name": name, "layers": [inp, *layers]},
    }


def write_keras(path: Path, config: dict, *, weights: bytes | None = None, weights_zeros: int = 0) -> Path:
    """A ``.keras`` zip (deflated) holding ``config`` and, when given, a ``model.weights.h5`` made of
    ``weights`` followed by ``weights_zeros`` zero bytes (streamed, so it is never in memory)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("metadata.json", json.dumps(METADATA))
        z.writestr("config.json", json.dumps(config, separators=(",", ":")))
        if weights is not None:
            with z.open("model.weights.h5", "w", force_zip64=True) as f:
                f.write(weights)
                chunk = bytes(16 * 2**20)
                left = weights_zeros
                while left > 0:
                    f.write(chunk[: min(left, len(chunk))])
                    left -= len(chunk)
    return path


def wide_dense(path: Path) -> Path:
    """A tiny file (about 1 kB) whose config asks for ``Dense(100000)`` after a conv trunk:
    13 · 13 · 32 · 100,000 ≈ 541 M parameters (2.2 GB as float32), and no weights file."""
    return write_keras(
        path,
        sequential(
            (28, 28, 1),
            layer("Conv2D", "conv", filters=32, kernel_size=[3, 3], activation="relu"),
            layer("MaxPooling2D", "pool", pool_size=[2, 2]),
            layer("Flatten", "flatten"),
            layer("Dense", "wide", units=100_000),
        ),
    )


def huge_input(path: Path) -> Path:
    """A 4096 × 4096 × 1 input, conv → flatten → dense: 4094² · 8 · 10 ≈ 1.34 G parameters."""
    return write_keras(
        path,
        sequential(
            (4096, 4096, 1),
            layer("Conv2D", "conv", filters=8, kernel_size=[3, 3]),
            layer("Flatten", "flatten"),
            layer("Dense", "out", units=10),
        ),
    )


def small_config() -> dict:
    """The config of :func:`weights_bomb`'s model: 28 × 28 × 1 → Conv2D(4, 3) → Flatten → Dense(10)."""
    return sequential(
        (28, 28, 1),
        layer("Conv2D", "conv", filters=4, kernel_size=[3, 3]),
        layer("Flatten", "flatten"),
        layer("Dense", "out", units=10),
        name="small",
    )


def weights_bomb(path: Path, real_weights: bytes, *, total: int = 2**30) -> Path:
    """A small model (27,090 parameters) whose weights file is its real HDF5 weights padded with
    zeros to ``total`` bytes (1 GiB): about 1 MB on disk, deflated."""
    return write_keras(path, small_config(), weights=real_weights, weights_zeros=total - len(real_weights))
