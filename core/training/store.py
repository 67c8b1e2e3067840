"""Find trained weights for a model config, or train once and save them atomically.

``get_or_train(config, data_loader=...)`` looks in (1) the weights shipped in ``assets/models/``,
(2) the per-user cache (``$NEURAL_EXPLAINER_CACHE``, else ``$XDG_CACHE_HOME/neural-explainer``,
else ``~/.cache/neural-explainer``), and otherwise trains, then writes ``<name>-<key>.weights.h5``
and a JSON manifest (config, data source and size, metrics, training time, device, library
versions, per-epoch history), plus any extra files the trainer returns (``FitResult.files``,
e.g. the DCGAN's ``<stem>.timelapse.npz``), each through a temporary file and ``os.replace``
(:mod:`core.data.files`). A corrupt, truncated or mismatched file is reported in
``StoreResult.warnings`` and replaced by training, never raised.
Several threads or processes asking for the same untrained model train it once (a per-key thread
lock plus an operating-system file lock in the cache directory, :func:`core.data.files.file_lock_for`).
Uploaded ``.keras`` files are loaded by :mod:`core.models.upload`.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import keras
import numpy as np

from core.data.files import atomic_write, atomic_write_bytes, atomic_write_text, file_lock_for
from core.data.shared_store import CACHE_ENV_VAR, default_cache_dir  # noqa: F401 - the per-user cache

#: Weights committed with the repository.
SHIPPED_DIR = Path(__file__).resolve().parents[2] / "assets" / "models"
#: Manifest layout version.
MANIFEST_FORMAT = 1


@dataclass
class StoreResult:
    """What ``get_or_train`` returns.

    Attributes
    ----------
    model : keras.Model
        Ready for inference (treat it as read-only when shared).
    manifest : dict
        The JSON manifest saved with the weights.
    status : str
        "shipped", "cache" or "trained" (trained now).
    path : Path or None
        Weights file used or written (None if saving failed).
    warnings : list of str
        Files found corrupt or mismatched, save failures; empty when all went well.
    files : dict of str to bytes
        The extra files of a model trained now (``FitResult.files``), also when saving them
        failed; empty for a model loaded from disk (read them beside ``path``).
    """

    model: keras.Model
    manifest: dict
    status: str
    path: Path | None
    warnings: list[str] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)


def weights_path(directory: str | os.PathLike, config) -> Path:
    """``<directory>/<name>-<key>.weights.h5``."""
    return Path(directory) / f"{config.stem}.weights.h5"


def manifest_path(directory: str | os.PathLike, config) -> Path:
    """``<directory>/<name>-<key>.json``."""
    return Path(directory) / f"{config.stem}.json"


def extra_file_path(weights: str | os.PathLike, suffix: str) -> Path:
    """``<stem>.<suffix>`` beside ``<stem>.weights.h5`` (e.g. suffix ``"timelapse.npz"``)."""
    p = Path(weights)
    return p.with_name(f"{p.name.removesuffix('.weights.h5')}.{suffix}")


def file_sha256(path: str | os.PathLike) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def library_versions() -> dict:
    """Versions of Python, TensorFlow, Keras and NumPy, for manifests."""
    import tensorflow as tf

    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
    }


def _load_from(directory: Path, config, build: Callable) -> tuple[keras.Model, dict] | str | None:
    """Model and manifest from ``directory``; None if absent; a reason string if unusable."""
    wpath, mpath = weights_path(directory, config), manifest_path(directory, config)
    if not wpath.exists() and not mpath.exists():
        return None
    where = f"{config.stem} in {directory}"
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
        if not isinstance(manifest, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        return f"{where}: manifest missing or unreadable ({exc})"
    if manifest.get("key") != config.key or manifest.get("config") != config.to_dict():
        return f"{where}: manifest describes another config"
    if not wpath.is_file():
        return f"{where}: weights file missing"
    if file_sha256(wpath) != manifest.get("weights_sha256"):
        return f"{where}: weights checksum differs from the manifest (truncated or changed file)"
    try:
        model = build()
        model.load_weights(wpath)
    except Exception as exc:  # noqa: BLE001 - any load failure means "retrain"
        return f"{where}: weights do not load ({type(exc).__name__}: {exc})"
    return model, manifest


def save_trained(result, config, directory: str | os.PathLike) -> tuple[Path, dict]:
    """Save a ``core.training.fit.FitResult`` as weights + extra files + manifest, atomically.

    The weights and ``result.files`` (each as ``<stem>.<suffix>``, see :func:`extra_file_path`)
    are written first and the manifest (holding the weights' sha256) last, so an interrupted
    save leaves no matching manifest and is detected as incomplete.

    Returns
    -------
    (Path, dict)
        The weights path and the manifest written.

    Raises
    ------
    OSError
        If the directory is not writable.
    """
    directory = Path(directory)
    wpath, mpath = weights_path(directory, config), manifest_path(directory, config)
    # Keras only writes weights to names ending in ".weights.h5".
    atomic_write(wpath, lambda tmp: result.model.save_weights(tmp), suffix=".weights.h5")
    for suffix, data in result.files.items():
        atomic_write_bytes(extra_file_path(wpath, suffix), data)
    manifest = {
        "format": MANIFEST_FORMAT,
        "name": config.name,
        "key": config.key,
        "config": config.to_dict(),
        "weights_file": wpath.name,
        "weights_sha256": file_sha256(wpath),
        "weights_bytes": wpath.stat().st_size,
        "parameters": int(result.model.count_params()),
        "data": {
            "key": config.data_source,
            "source": result.data_source,
            "n_train": result.metrics.get("n_train"),
            "n_test": result.metrics.get("n_test"),
        },
        "metrics": result.metrics,
        "history": {k: [round(float(v), 6) for v in vals] for k, vals in result.history.items()},
        "training_time_s": round(float(result.training_time_s), 3),
        "device": result.device,
        "versions": library_versions(),
        "extra": result.extra,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    text = json.dumps(manifest, indent=1, sort_keys=True)
    atomic_write_text(mpath, text, suffix=".json")
    return wpath, manifest


def prune(
    directory: Path,
    keep_stems: set[str],
    names: set[str],
    *,
    suffixes: tuple[str, ...] = (".weights.h5", ".json"),
) -> list[Path]:
    """Delete the files ``<name>-<key><suffix>`` in ``directory`` of the models ``names`` whose
    stem ``<name>-<key>`` is not in ``keep_stems``; returns the paths removed."""
    removed = []
    for path in sorted(Path(directory).glob("*")):
        suffix = next((s for s in suffixes if path.name.endswith(s)), None)
        if suffix is None:
            continue
        stem = path.name.removesuffix(suffix)
        if stem.rsplit("-", 1)[0] in names and stem not in keep_stems:
            path.unlink()
            removed.append(path)
    return removed


# --------------------------------------------------------------------------- train once

_KEY_LOCKS: dict[str, threading.Lock] = {}
_KEY_LOCKS_GUARD = threading.Lock()


def _key_lock(key: str) -> threading.Lock:
    with _KEY_LOCKS_GUARD:
        return _KEY_LOCKS.setdefault(key, threading.Lock())


def _default_train(config, data, *, progress=None):
    from core.training.fit import train

    return train(config, data, progress=progress)


def train_and_save(
    config,
    *,
    data_loader: Callable[[], object],
    directory: str | os.PathLike,
    progress: Callable | None = None,
    train_fn: Callable | None = None,
):
    """Train ``config`` now (no lookup) and save it into ``directory``.

    Parameters
    ----------
    config : a model config (``core.models.mnist_cnn.MnistCnnConfig`` or one with the same protocol:
        ``name``, ``key``, ``stem``, ``data_source``, ``to_dict()``, ``build()``)
    data_loader : callable returning ``core.data.datasets.MnistData``
        Called once, only here; its ``key`` must equal ``config.data_source``.
    directory : path
        Where ``<stem>.weights.h5`` and ``<stem>.json`` go.
    progress : callable, optional
        ``progress(epoch, batch, loss, metrics, fraction_done)``.
    train_fn : callable, optional
        ``train_fn(config, data, *, progress)`` returning a ``core.training.fit.FitResult``; default
        ``core.training.fit.train``.

    Returns
    -------
    (FitResult, Path, dict)
        The result, the weights path and the manifest.
    """
    result = (train_fn or _default_train)(config, data_loader(), progress=progress)
    path, manifest = save_trained(result, config, directory)
    return result, path, manifest


def get_or_train(
    config,
    *,
    data_loader: Callable[[], object],
    progress: Callable | None = None,
    shipped_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    train_fn: Callable | None = None,
    lock_timeout_s: float = 900.0,
) -> StoreResult:
    """Trained model for ``config``: shipped weights, else cached weights, else train and cache.

    Parameters
    ----------
    config : model config
        See ``train_and_save``; ``config.key`` names the files.
    data_loader : callable returning ``core.data.datasets.MnistData``
        Called only when training is needed.
    progress : callable, optional
        Training progress callback (see ``core.training.fit.ProgressFn``).
    shipped_dir, cache_dir : path, optional
        Default ``SHIPPED_DIR`` and ``default_cache_dir()``.
    train_fn : callable, optional
        Default ``core.training.fit.train``.
    lock_timeout_s : float, optional
        Seconds to wait for another process training the same config before training anyway.

    Returns
    -------
    StoreResult
        ``warnings`` lists corrupt or mismatched files that were skipped and failed saves.

    Raises
    ------
    Exception
        Only what ``data_loader`` or training raise (bad data, the progress callback stopping
        it); a damaged file never raises.
    """
    shipped = Path(shipped_dir) if shipped_dir is not None else SHIPPED_DIR
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    warnings: list[str] = []

    def lookup(directories) -> StoreResult | None:
        for status, directory in directories:
            found = _load_from(directory, config, config.build)
            if isinstance(found, str):
                if found not in warnings:
                    warnings.append(found)
            elif found is not None:
                model, manifest = found
                return StoreResult(model, manifest, status, weights_path(directory, config), warnings)
        return None

    hit = lookup([("shipped", shipped), ("cache", cache)])
    if hit is not None:
        return hit
    with _key_lock(config.key):
        hit = lookup([("cache", cache)])  # another thread may have trained it meanwhile
        if hit is not None:
            return hit
        try:
            file_lock = file_lock_for(cache / f".{config.stem}.lock", timeout_s=lock_timeout_s)
            file_lock.acquire()
        except (OSError, TimeoutError) as exc:
            warnings.append(f"training without the cache lock: {exc}")
            file_lock = None
        try:
            if file_lock is not None:
                hit = lookup([("cache", cache)])  # another process may have trained it
                if hit is not None:
                    return hit
            result = (train_fn or _default_train)(config, data_loader(), progress=progress)
            try:
                path, manifest = save_trained(result, config, cache)
            except OSError as exc:
                warnings.append(f"trained model not saved to {cache}: {exc}")
                path, manifest = (
                    None,
                    {
                        "config": config.to_dict(),
                        "key": config.key,
                        "metrics": result.metrics,
                        "history": result.history,
                    },
                )
            return StoreResult(result.model, manifest, "trained", path, warnings, dict(result.files))
        finally:
            if file_lock is not None:
                file_lock.release()
