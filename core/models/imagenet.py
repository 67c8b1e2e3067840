"""The Keras ImageNet models, when their weights are in Keras' cache or can be downloaded.

``load_imagenet_model`` loads MobileNetV2 or VGG16 with pre-trained weights (offline it raises
``ModelLoadError`` saying how to get them), ``imagenet_preprocess`` prepares a photo and
``imagenet_top_classes`` names the most probable classes.

Source: seed ``004_36a7c4616778873b.txt`` (pre-trained networks, transfer learning).
"""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import keras
import numpy as np

from core.models.upload import ModelLoadError


#: Keras ImageNet models the pages offer: constructor, preprocessing module, weights file in
#: Keras' cache (``~/.keras/models``), download size in MB.
IMAGENET_MODELS: dict[str, dict] = {
    "MobileNetV2": {"module": "mobilenet_v2", "size": 224, "megabytes": 14,
                    "file": "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5"},
    "VGG16": {"module": "vgg16", "size": 224, "megabytes": 528,
              "file": "vgg16_weights_tf_dim_ordering_tf_kernels.h5"},
}


def keras_models_dir() -> Path:
    """Keras' cache of downloaded application weights (``$KERAS_HOME/models``)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "models"


def imagenet_weights_cached(name: str) -> bool:
    """True when the ImageNet weights of ``name`` are already in Keras' cache."""
    return (keras_models_dir() / IMAGENET_MODELS[name]["file"]).is_file()


def imagenet_help(name: str) -> str:
    """How to get the ImageNet weights of ``name`` onto an offline machine."""
    spec = IMAGENET_MODELS[name]
    return (f"{name}'s ImageNet weights ({spec['megabytes']} MB) are not in Keras' cache. On a "
            f"machine with internet run `python -c \"import keras; keras.applications.{name}"
            f"(weights='imagenet')\"`, or copy `{spec['file']}` into `{keras_models_dir()}`.")


def load_imagenet_model(name: str, *, download: bool = False,
                        timeout_s: float = 300.0) -> keras.Model:
    """A Keras ImageNet model with its pre-trained weights.

    Parameters
    ----------
    name : str
        A key of ``IMAGENET_MODELS`` ("MobileNetV2", "VGG16").
    download : bool, optional
        Allow Keras to download missing weights; False loads only from Keras' cache.
    timeout_s : float, optional
        Seconds to wait for a download.

    Returns
    -------
    keras.Model
        Input (224, 224, 3), output 1,000 ImageNet class probabilities.

    Raises
    ------
    ValueError
        If ``name`` is unknown.
    ModelLoadError
        If the weights are neither cached nor downloadable (offline), with instructions.

    Source: seed ``004_36a7c4616778873b.txt`` (pre-trained networks, transfer learning).
    """
    if name not in IMAGENET_MODELS:
        raise ValueError(f"name must be one of {sorted(IMAGENET_MODELS)}, got {name!r}")
    if not download and not imagenet_weights_cached(name):
        raise ModelLoadError(imagenet_help(name))
    box: dict[str, object] = {}

    def _load() -> None:
        try:
            box["model"] = getattr(keras.applications, name)(weights="imagenet")
        except BaseException as exc:  # noqa: BLE001
            box["error"] = exc

    worker = threading.Thread(target=_load, name=f"imagenet-{name}", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive() or "error" in box:
        reason = "timed out" if worker.is_alive() else f"{box['error']}"[:200]
        raise ModelLoadError(f"{imagenet_help(name)} (loading failed: {reason})")
    return box["model"]


def imagenet_preprocess(name: str, image: np.ndarray) -> np.ndarray:
    """An RGB image in [0, 1] of any size to the model's input batch (1, 224, 224, 3).

    Raises
    ------
    ValueError
        If ``name`` is unknown or ``image`` is not (H, W, 3).
    """
    if name not in IMAGENET_MODELS:
        raise ValueError(f"name must be one of {sorted(IMAGENET_MODELS)}, got {name!r}")
    image = np.asarray(image, dtype=np.float32)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image must have shape (H, W, 3), got {image.shape}")
    from PIL import Image

    size = IMAGENET_MODELS[name]["size"]
    pil = Image.fromarray(np.clip(image * 255.0, 0, 255).astype(np.uint8)).resize(
        (size, size), Image.Resampling.BILINEAR)
    module = getattr(keras.applications, IMAGENET_MODELS[name]["module"])
    return module.preprocess_input(np.asarray(pil, dtype=np.float32)[None])


def imagenet_top_classes(name: str, probs: np.ndarray, *, top: int = 5) -> list[tuple[str, float]]:
    """Top ImageNet classes as (label, probability); labels come from Keras' cached class index
    when present, else "class <index>" (offline)."""
    probs = np.asarray(probs).reshape(-1)
    order = np.argsort(probs)[::-1][:top]
    labels = {}
    index_file = keras_models_dir() / "imagenet_class_index.json"
    if index_file.is_file():
        try:
            labels = {int(k): v[1] for k, v in json.loads(index_file.read_text()).items()}
        except (OSError, ValueError, TypeError, IndexError):
            labels = {}
    return [(labels.get(int(i), f"class {int(i)}"), float(probs[i])) for i in order]
