"""Loaded models with the views the model pages need: activations of every layer, the conv trunk
on a photo at its own size, the digit models the CNN activations page offers, and the bundles of
the generative pages.

No Streamlit here: ``core.cached`` wraps the loaders in ``st.cache_resource``. A bundle is shared
by every visitor: treat its models as read-only and call them through :func:`activations` /
:func:`trunk_maps`, which hold the bundle's lock.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from core import datasets, digit_input, model_store, models


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


def make_bundle(model, *, title, kind, layer_names=None, **extra) -> ModelBundle:
    """Wrap ``model`` with its activation model and (when it has one) its conv trunk, warmed up once."""
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


def data_loader(config) -> Callable[[], "datasets.MnistData"]:
    """The data a config trains on (``config.data_source``), loaded when called."""
    return lambda: datasets.load_mnist(source=config.data_source)


def config_key(config) -> str:
    """The cache key of a config: its canonical JSON."""
    return json.dumps(config.to_dict(), sort_keys=True)


def train_digit_model(config, progress: Callable) -> model_store.StoreResult:
    """Train (or find) ``config`` through the model store, reporting ``progress``; not cached.

    Several visitors asking for the same config train it once (the store's locks).
    """
    return model_store.get_or_train(config, data_loader=data_loader(config), progress=progress)


def activations(bundle: ModelBundle, batch: np.ndarray) -> dict[str, np.ndarray]:
    """Every exposed layer's output for one input batch (1, H, W, C), batch axis dropped."""
    with bundle.lock:
        out = bundle.activations(np.asarray(batch, np.float32), training=False)
    return {name: np.asarray(value)[0] for name, value in out.items()}


def trunk_maps(bundle: ModelBundle, image: np.ndarray) -> dict[str, np.ndarray]:
    """The conv trunk's maps for an image (H, W) or (H, W, C) in [0, 1] at its own size."""
    channels = bundle.input_shape[-1]
    x = digit_input.fit_image_to_input(image, (None, None, channels))
    with bundle.lock:
        out = bundle.trunk(x, training=False)
    return {name: np.asarray(value)[0] for name, value in out.items()}


@dataclass(eq=False)
class GenerativeBundle:
    """A loaded generative model with what the pages show about it.

    Attributes
    ----------
    name : str
        Key of ``core.train_generative.SHIPPED``.
    model : keras.Model
        Autoencoder, ``core.autoencoder.VAE`` or ``core.gan.DCGAN``.
    manifest : dict
        The model store's manifest (config, metrics, per-epoch history, data, time, device).
    status : str
        "shipped", "cache" or "trained".
    warnings : tuple of str
        Files the model store found damaged and replaced.
    timelapse : ndarray (epochs + 1, 64, 28, 28), uint8, or None
        DCGAN only: the fixed noise grid after every epoch.
    """

    name: str
    model: object
    manifest: dict
    status: str
    warnings: tuple = ()
    timelapse: np.ndarray | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
