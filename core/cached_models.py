"""Streamlit caches for the trained-model pages: data, digit CNNs, uploaded and ImageNet models.

Models are shared by every visitor (``st.cache_resource``): treat them as read-only and call
them through ``activations`` / ``trunk_maps``. Loaders are keyed on small hashable values (a
config's canonical JSON, a model name, the uploaded bytes), bounded with ``max_entries``, and warm
the models up once. Training is never cached here: ``train_digit_model`` runs in the visitor's
own script thread, reports progress through a callback, and leaves the weights in the model
store's disk cache, where ``digit_model`` then finds them.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import streamlit as st

from core import datasets, model_store, models
from core.datasets import MnistData, load_mnist


@dataclass(eq=False)
class ModelBundle:
    """A loaded model with the views a page needs.

    Attributes
    ----------
    title : str
        Label for the page.
    kind : str
        "digits" (28x28 MNIST CNN), "user" (uploaded .keras) or "imagenet".
    model, activations : keras.Model
        The model and its activation model (dict of layer outputs).
    trunk : keras.Model or None
        Fully convolutional copy of the conv trunk (any image size), if the model has one.
    layers : list of dict
        ``core.models.layer_table`` rows.
    manifest : dict or None
        Training manifest (digit models from the store).
    status : str
        "shipped", "cache", "trained", "uploaded" or "imagenet".
    warnings : tuple of str
        From the model store (corrupt files found and replaced).
    class_names : list of str or None
    """

    title: str
    kind: str
    model: object
    activations: object
    trunk: object | None
    layers: list
    manifest: dict | None = None
    status: str = ""
    warnings: tuple = ()
    class_names: list | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def input_shape(self) -> tuple:
        """(H, W, C) of one input; None where the model accepts any size."""
        return tuple(self.model.inputs[0].shape[1:])


def _bundle(model, *, title, kind, layer_names=None, **extra) -> ModelBundle:
    acts = models.activation_model(model, layer_names=layer_names)
    try:
        trunk = models.fully_convolutional_trunk(model)
    except ValueError:
        trunk = None
    bundle = ModelBundle(title=title, kind=kind, model=model, activations=acts, trunk=trunk,
                         layers=models.layer_table(model), **extra)
    shape = tuple(d or 32 for d in bundle.input_shape)
    acts(np.zeros((1, *shape), np.float32), training=False)  # warm-up: trace once, here
    if trunk is not None:
        trunk(np.zeros((1, 64, 64, shape[-1]), np.float32), training=False)
    return bundle


#: The digit models the page offers, with their labels (weights shipped in assets/models/).
DIGIT_MODELS = {"mnist_cnn": "MNIST CNN (seed 001)",
                "mnist_cnn_regularised": "MNIST CNN + batch norm + dropout"}


def shipped_digit_model(name: str) -> ModelBundle:
    """One of ``DIGIT_MODELS`` with its shipped weights."""
    return digit_model(config_key(models.shipped_configs()[name]), DIGIT_MODELS[name])


@st.cache_resource(max_entries=2, show_spinner="Loading MNIST digits ...")
def mnist(npz_path: str = "") -> MnistData:
    """``core.datasets.load_mnist(source="auto")``, shared; ``npz_path`` "" means none."""
    return load_mnist(source="auto", npz_path=npz_path or None)


def _data_loader(config) -> Callable[[], MnistData]:
    return lambda: load_mnist(source=config.data_source)


@st.cache_resource(max_entries=6, show_spinner="Loading the trained CNN ...")
def digit_model(config_json: str, title: str = "MNIST CNN") -> ModelBundle:
    """A trained MNIST CNN from the model store (shipped, cached, else trained), with views.

    Parameters
    ----------
    config_json : str
        ``json.dumps(config.to_dict(), sort_keys=True)`` (see ``config_key``).
    """
    config = models.config_from_dict(json.loads(config_json))
    found = model_store.get_or_train(config, data_loader=_data_loader(config))
    return _bundle(found.model, title=title, kind="digits", manifest=found.manifest,
                   status=found.status, warnings=tuple(found.warnings),
                   class_names=[str(i) for i in range(10)])


def config_key(config) -> str:
    """The cache key of a config: its canonical JSON."""
    return json.dumps(config.to_dict(), sort_keys=True)


def train_digit_model(config, progress: Callable) -> model_store.StoreResult:
    """Train (or find) ``config`` through the model store, reporting ``progress``; not cached.

    Several visitors asking for the same config train it once (the store's locks).
    """
    return model_store.get_or_train(config, data_loader=_data_loader(config), progress=progress)


@st.cache_resource(max_entries=2, show_spinner="Loading your model ...")
def user_model(data: bytes) -> ModelBundle:
    """An uploaded ``.keras`` model (safe mode). Raises ``model_store.ModelLoadError``."""
    model = model_store.load_user_model(data)
    if len(model.inputs[0].shape) != 4:
        raise model_store.ModelLoadError("only image models with an (H, W, C) input can be shown")
    names = models.activation_layer_names(model)
    if len(names) > 12:
        names = models.representative_layers(model)
    return _bundle(model, title=f"Your model ({model.name})", kind="user", layer_names=names,
                   status="uploaded")


@st.cache_resource(max_entries=1, show_spinner="Loading the ImageNet model ...")
def imagenet_model(name: str, download: bool = False) -> ModelBundle:
    """A Keras ImageNet model. Raises ``model_store.ModelLoadError`` when weights are missing."""
    model = model_store.load_imagenet_model(name, download=download)
    return _bundle(model, title=f"{name} (ImageNet)", kind="imagenet",
                   layer_names=models.representative_layers(model), status="imagenet")


def activations(bundle: ModelBundle, batch: np.ndarray) -> dict[str, np.ndarray]:
    """Every exposed layer's output for one input batch (1, H, W, C), batch axis dropped."""
    with bundle.lock:
        out = bundle.activations(np.asarray(batch, np.float32), training=False)
    return {name: np.asarray(value)[0] for name, value in out.items()}


def trunk_maps(bundle: ModelBundle, image: np.ndarray) -> dict[str, np.ndarray]:
    """The conv trunk's maps for an image (H, W) or (H, W, C) in [0, 1] at its own size."""
    channels = bundle.input_shape[-1]
    x = datasets.fit_image_to_input(image, (None, None, channels))
    with bundle.lock:
        out = bundle.trunk(x, training=False)
    return {name: np.asarray(value)[0] for name, value in out.items()}
