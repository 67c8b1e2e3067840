"""The shipped feature visualisations of HED's VGG16 channels (``assets/feature_vis``), made by
``python -m core.training.feature_vis``: the manifest's entries and their pictures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

FEATURE_VIS_DIR = Path(__file__).resolve().parents[2] / "assets" / "feature_vis"


def shipped(directory: Path = FEATURE_VIS_DIR) -> list[dict]:
    """The manifest's entries (layer, channel, size, steps, learning_rate, jitter, blur_every, blur_sigma,
    seed, file, activation_first, activation_last, seconds), sorted by layer and channel; [] if none."""
    path = Path(directory) / "manifest.json"
    if not path.exists():
        return []
    return sorted(json.loads(path.read_text()), key=lambda e: (e["layer"], e["channel"]))


def picture(entry: dict, directory: Path = FEATURE_VIS_DIR) -> np.ndarray:
    """The PNG of a manifest ``entry`` as (size, size, 3) uint8.

    Raises
    ------
    ValueError
        If the entry's file name is not a plain name inside ``directory``.
    """
    from PIL import Image

    name = str(entry["file"])
    if Path(name).name != name or not name.endswith(".png"):
        raise ValueError(f"feature-visualisation file must be a plain .png name, got {name!r}")
    with Image.open(Path(directory) / name) as image:
        return np.asarray(image.convert("RGB"))


#: An ascent "climbed" when the channel's mean activation ends above this and above 10 × its start.
CLIMB_FLOOR = 0.1


def climbed(entry: dict) -> bool:
    """Whether the ascent of a manifest ``entry`` found an input the channel responds to: a channel
    that is 0 on the noisy start and on every nearby input has no gradient to climb (a ReLU at 0),
    and its picture shows only the blurred start."""
    first, last = float(entry["activation_first"]), float(entry["activation_last"])
    return last > CLIMB_FLOOR and last > 10 * first
