"""The AE-vs-PCA experiment: test reconstruction error against code size, and its table's files.

Not a model but a table (``core.models.generative_configs.AeVsPcaConfig``): it trains small dense
autoencoders, one per code size, and compares them with PCA. The table is saved as
``ae_vs_pca-<key>.json`` in the model store's folders (shipped in ``assets/models/``, else the
per-user cache): :func:`find_or_compute_table` reads it or computes it once. The example
reconstructions travel in the JSON as base64 text of their uint8 pixels (:func:`encode_uint8`,
:func:`decode_uint8`).

No TensorFlow at import (the autoencoder page imports :func:`decode_uint8` before its title);
:func:`ae_vs_pca` imports Keras.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from core.models.generative_configs import AeVsPcaConfig


def ae_vs_pca(config: AeVsPcaConfig, data, *, progress=None) -> dict:
    """Test reconstruction MSE against code size for PCA (NumPy) and for autoencoders.

    For each code size ``k`` a dense autoencoder 784-``hidden``-k-``hidden``-784 (ReLU hidden layers, linear
    code, sigmoid output) is trained on the training split with the MSE; PCA keeps the top ``k`` principal
    components of the same images (``core.maths.latent_space.pca_reconstruction_mse``). Course notes,
    *Autoencoders and convolutional networks*, *Autoencoders in deep learning*: autoencoders beat PCA thanks
    to non-linear layers.

    Parameters
    ----------
    config : AeVsPcaConfig
    data : core.data.datasets.MnistData
    progress : callable, optional
        ``progress(i, 0, ae_mse, {"code_size": k}, fraction_done)`` after each code size.

    Returns
    -------
    dict
        ``code_sizes``, ``pca_mse``, ``ae_mse`` (lists of float, per pixel, [0, 1] units),
        ``examples`` (indices into the test split) and ``ae_reconstructions`` (per code size, the
        examples' reconstructions, :func:`encode_uint8` text), ``training_time_s``, ``config``,
        ``key``, ``data``.
    """
    import keras

    from core.data.datasets import to_model_input
    from core.maths.latent_space import pca_reconstruction_mse
    from core.models import autoencoder as ae

    n = data.n_train if config.train_size is None else min(config.train_size, data.n_train)
    x_train, x_test = to_model_input(data.x_train[:n]), to_model_input(data.x_test)
    examples = [int(np.flatnonzero(data.y_test == d)[0]) for d in range(config.n_examples)]
    pca = pca_reconstruction_mse(x_train, x_test, code_sizes=config.code_sizes)
    ae_mse, recons, start = [], [], time.perf_counter()
    for i, k in enumerate(config.code_sizes):
        keras.utils.set_random_seed(config.seed)
        model = ae.build_dense_autoencoder(latent_dim=k, hidden_units=(config.hidden,))
        steps = int(np.ceil(n / config.batch_size)) * config.epochs
        rate = keras.optimizers.schedules.CosineDecay(config.learning_rate, steps, alpha=0.05)
        model.compile(optimizer=keras.optimizers.Adam(rate), loss="mse")
        model.fit(
            x_train, x_train, batch_size=config.batch_size, epochs=config.epochs, shuffle=True, verbose=0
        )
        ae_mse.append(round(float(ae.reconstruction_error(model, x_test).mean()), 6))
        recons.append(encode_uint8(ae.reconstruct(model, x_test[examples])))
        if progress is not None:
            progress(i, 0, ae_mse[-1], {"code_size": k}, (i + 1) / len(config.code_sizes))
    return {
        "config": config.to_dict(),
        "key": config.key,
        "code_sizes": list(config.code_sizes),
        "pca_mse": [round(float(v), 6) for v in pca],
        "ae_mse": ae_mse,
        "examples": examples,
        "ae_reconstructions": recons,
        "training_time_s": round(time.perf_counter() - start, 2),
        "data": {"key": data.key, "source": data.source, "n_train": int(n), "n_test": int(data.n_test)},
    }


# --------------------------------------------------------------------------- the pixels in JSON
def encode_uint8(images) -> str:
    """Images in [0, 1] ``(N, 28, 28)`` as base64 text of their uint8 bytes (for JSON)."""
    data = np.clip(np.rint(np.asarray(images) * 255.0), 0, 255).astype(np.uint8)
    return base64.b64encode(data.tobytes()).decode("ascii")


def decode_uint8(text: str) -> np.ndarray:
    """Inverse of :func:`encode_uint8`: ``(N, 28, 28)`` uint8."""
    return np.frombuffer(base64.b64decode(text), dtype=np.uint8).reshape(-1, 28, 28)


def comparison_rows(
    table: dict, data, basis: tuple[np.ndarray, np.ndarray], k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three rows of the AE-vs-PCA figure for code size ``k``.

    Parameters
    ----------
    table : dict
        :func:`ae_vs_pca`'s table (``"examples"``, ``"code_sizes"``, ``"ae_reconstructions"``).
    data : core.data.datasets.MnistData
        The digits the table was computed on (its ``x_test`` holds the examples).
    basis : (mean (784,), components (K, 784))
        ``core.maths.latent_space.pca_fit`` of the training digits with K >= ``k``.
    k : int
        One of ``table["code_sizes"]``.

    Returns
    -------
    examples, pca, autoencoder : ndarray (n, 28, 28), float32 in [0, 1]
        The test digits, PCA's rebuilding with ``k`` components (clipped to [0, 1]) and the
        autoencoder's with a code of ``k`` (stored as 8-bit pixels in the table).

    Raises
    ------
    ValueError
        If ``k`` is not one of the table's code sizes or the basis has fewer than ``k`` components.
    """
    from core.data.images import to_unit_range
    from core.maths.latent_space import pca_reconstruct

    sizes = list(table["code_sizes"])
    mean, components = basis
    if k not in sizes or len(components) < k:
        raise ValueError(
            f"`k` must be one of the table's code sizes {sizes} (and at most the basis' "
            f"{len(components)} components), got {k!r}."
        )
    examples = to_unit_range(data.x_test[table["examples"]])
    pca = np.clip(pca_reconstruct(examples, mean, components[:k]), 0, 1).astype(np.float32)
    return examples, pca, to_unit_range(decode_uint8(table["ae_reconstructions"][sizes.index(k)]))


# --------------------------------------------------------------------------- the table's files
def table_path(directory, config: AeVsPcaConfig) -> Path:
    """``<directory>/ae_vs_pca-<key>.json``."""
    return Path(directory) / f"{config.stem}.json"


def save_table(table: dict, directory, config: AeVsPcaConfig) -> Path:
    """Write the comparison table atomically (temporary file, then rename). Raises ``OSError``."""
    from core.data.files import atomic_write_text

    return atomic_write_text(table_path(directory, config), json.dumps(table, separators=(",", ":")))


def load_table(directory, config: AeVsPcaConfig) -> dict | None:
    """The saved table for ``config``, or None if missing, unreadable or for another config."""
    try:
        table = json.loads(table_path(directory, config).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = (
        isinstance(table, dict)
        and table.get("key") == config.key
        and len(table.get("ae_mse", [])) == len(config.code_sizes)
    )
    return table if ok else None


def find_or_compute_table(
    config: AeVsPcaConfig, *, data_loader: Callable, shipped_dir=None, cache_dir=None
) -> dict:
    """The table for ``config``: shipped, else from the per-user cache, else computed now
    (:func:`ae_vs_pca` on ``data_loader()``) and saved in the cache (a failed save is ignored:
    the table is still returned).

    ``shipped_dir`` and ``cache_dir`` default to ``core.training.store.SHIPPED_DIR`` and
    ``core.training.store.default_cache_dir()``.
    """
    from core.training import store as model_store

    shipped_dir = model_store.SHIPPED_DIR if shipped_dir is None else shipped_dir
    cache_dir = model_store.default_cache_dir() if cache_dir is None else cache_dir
    for directory in (shipped_dir, cache_dir):
        table = load_table(directory, config)
        if table is not None:
            return table
    table = ae_vs_pca(config, data_loader())
    try:
        save_table(table, cache_dir, config)
    except OSError:
        pass
    return table
