"""The Keras ImageNet models, when the operator has put their weights in Keras' cache.

``load_imagenet_model`` loads MobileNetV2 or VGG16 with pre-trained weights from Keras' cache and
never downloads (without them it raises ``ModelLoadError`` saying that the operator's
``make data`` step installs them); ``download_imagenet_weights`` is that step;
``imagenet_preprocess`` prepares a photo and ``imagenet_top_classes`` names the most probable
classes.

References
----------
Course notes, *Introduction to deep learning* (pre-trained networks, transfer learning).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import keras
import numpy as np

from core.models.upload import ModelLoadError

#: Keras ImageNet models the pages offer: constructor, preprocessing module, weights file in
#: Keras' cache (``~/.keras/models``), download size in MB.
IMAGENET_MODELS: dict[str, dict] = {
    "MobileNetV2": {
        "module": "mobilenet_v2",
        "size": 224,
        "megabytes": 14,
        "file": "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5",
    },
    "VGG16": {
        "module": "vgg16",
        "size": 224,
        "megabytes": 528,
        "file": "vgg16_weights_tf_dim_ordering_tf_kernels.h5",
    },
}


def keras_models_dir() -> Path:
    """Keras' cache of downloaded application weights (``$KERAS_HOME/models``)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "models"


def imagenet_weights_cached(name: str) -> bool:
    """True when the ImageNet weights of ``name`` are already in Keras' cache."""
    return (keras_models_dir() / IMAGENET_MODELS[name]["file"]).is_file()


def imagenet_help(name: str) -> str:
    """What a student reads when the ImageNet weights of ``name`` are missing: who installs them
    and how (no server path; the operator's instructions are in the README)."""
    spec = IMAGENET_MODELS[name]
    return (
        f"{name}'s ImageNet weights ({spec['megabytes']} MB) are not installed on this server, and the "
        "app downloads nothing while it runs. The server's operator installs them with `make data` "
        f"(it runs `keras.applications.{name}(weights='imagenet')` once)."
    )


def load_imagenet_model(name: str) -> keras.Model:
    """A Keras ImageNet model with its pre-trained weights, from Keras' cache; never downloads.

    The network is built without weights and the cached file loaded into it, so no code path can
    reach the network (``keras.applications.X(weights="imagenet")`` fetches a missing or damaged
    file).

    Parameters
    ----------
    name : str
        A key of ``IMAGENET_MODELS`` ("MobileNetV2", "VGG16").

    Returns
    -------
    keras.Model
        Input (224, 224, 3), output 1,000 ImageNet class probabilities.

    Raises
    ------
    ValueError
        If ``name`` is unknown.
    ModelLoadError
        If the weights are not in Keras' cache or cannot be read, saying how the operator gets them.

    References
    ----------
    Course notes, *Introduction to deep learning* (pre-trained networks, transfer learning).
    """
    if name not in IMAGENET_MODELS:
        raise ValueError(f"name must be one of {sorted(IMAGENET_MODELS)}, got {name!r}")
    if not imagenet_weights_cached(name):
        raise ModelLoadError(imagenet_help(name))
    model = getattr(keras.applications, name)(weights=None)
    try:
        model.load_weights(keras_models_dir() / IMAGENET_MODELS[name]["file"])
    except Exception as exc:  # noqa: BLE001 - a partial or foreign file
        raise ModelLoadError(
            f"{imagenet_help(name)} (the installed file could not be read: {type(exc).__name__})"
        ) from exc
    return model


def download_imagenet_weights(name: str) -> Path:
    """The operator's step (``make data``): download ``name``'s ImageNet weights and the class
    index into Keras' cache (``$KERAS_HOME/models``) with Keras' own downloader. The app never
    calls this.

    Parameters
    ----------
    name : str
        A key of ``IMAGENET_MODELS``.

    Returns
    -------
    pathlib.Path
        The weights file.

    Raises
    ------
    ValueError
        If ``name`` is unknown.
    RuntimeError
        If the download fails, with the reason.
    """
    if name not in IMAGENET_MODELS:
        raise ValueError(f"name must be one of {sorted(IMAGENET_MODELS)}, got {name!r}")
    try:
        getattr(keras.applications, name)(weights="imagenet")
        keras.applications.imagenet_utils.decode_predictions(np.eye(1, 1000, dtype=np.float32), top=1)
    except Exception as exc:  # noqa: BLE001 - offline, proxy, disk full: say why
        raise RuntimeError(
            f"{name}'s ImageNet weights could not be downloaded: {type(exc).__name__}: {exc}"
        ) from exc
    return keras_models_dir() / IMAGENET_MODELS[name]["file"]


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
        (size, size), Image.Resampling.BILINEAR
    )
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
