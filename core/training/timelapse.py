"""The DCGAN's training time-lapse: its fixed noise grid and its file beside the weights.

During training (``core.training.generative.train_generative``) the generator draws the same 8x8
grid of noise vectors (:func:`timelapse_noise`) before the first epoch and after every epoch
(``core.models.gan.GridSnapshots``). The frames ``(epochs + 1, 64, 28, 28)`` uint8 are returned in
``FitResult.files[TIMELAPSE_SUFFIX]`` as a compressed ``.npz`` (:func:`timelapse_npz`), saved by the
model store as ``<stem>.timelapse.npz`` beside ``<stem>.weights.h5``, and checked against the
sha256 the manifest records (``manifest["extra"]["timelapse_sha256"]``, :func:`frames_sha256`)
when they are read back (:func:`find_timelapse`, :func:`load_timelapse`).
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import numpy as np

#: ``FitResult.files`` key of the DCGAN's time-lapse, saved as ``<stem>.timelapse.npz``.
TIMELAPSE_SUFFIX = "timelapse.npz"


def timelapse_noise(config) -> np.ndarray:
    """The fixed 8x8 noise grid of the time-lapse: ``(64, latent_dim)``, seed ``config.seed``."""
    from core.models.gan import sample_latent

    return sample_latent(64, latent_dim=config.latent_dim, seed=config.seed)


def frames_sha256(frames: np.ndarray) -> str:
    """sha256 of the frames' shape and bytes (what the manifest records)."""
    frames = np.ascontiguousarray(frames, dtype=np.uint8)
    return hashlib.sha256(str(frames.shape).encode() + frames.tobytes()).hexdigest()


def timelapse_path(weights_path: str | os.PathLike) -> Path:
    """``<stem>.timelapse.npz`` beside ``<stem>.weights.h5``."""
    from core.training.store import extra_file_path

    return extra_file_path(weights_path, TIMELAPSE_SUFFIX)


def timelapse_npz(frames: np.ndarray) -> bytes:
    """The frames (uint8) as a compressed ``.npz`` file's bytes, array name ``"frames"``."""
    buf = io.BytesIO()
    np.savez_compressed(buf, frames=np.asarray(frames, np.uint8))
    return buf.getvalue()


def _read_timelapse(file, manifest: dict) -> np.ndarray | None:
    try:
        with np.load(file, allow_pickle=False) as f:
            frames = f["frames"]
    except Exception:  # noqa: BLE001 - missing or corrupt: no time-lapse, not a crash
        return None
    if frames_sha256(frames) != manifest.get("extra", {}).get("timelapse_sha256"):
        return None
    return frames


def load_timelapse(weights_path, manifest: dict) -> np.ndarray | None:
    """Frames ``(E + 1, 64, 28, 28)`` uint8, or None when the file is missing, unreadable or
    does not match the manifest's checksum (never raises)."""
    return _read_timelapse(timelapse_path(weights_path), manifest)


def find_timelapse(found) -> np.ndarray | None:
    """The time-lapse of a ``core.training.store.StoreResult``: from the files of a model trained
    now (even if saving them failed), else from the file beside its weights; None when there is
    none or it does not match the manifest (never raises)."""
    data = found.files.get(TIMELAPSE_SUFFIX)
    if data is not None:
        return _read_timelapse(io.BytesIO(data), found.manifest)
    return None if found.path is None else load_timelapse(found.path, found.manifest)
