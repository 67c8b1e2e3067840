"""Caches of the Deep features page's gradient views: a VGG16 unit's gradient with respect to the
photo (its effective receptive field) and the layer's average effective field.

``st.cache_data`` keyed on ``image_key`` (``"sample:<name>"`` or the upload's content hash), the size
and the unit: students on one unit share one computation. The model is the page's shared HED
(:func:`core.adapters.cached.deep_features.hed_model`); ``core.models.receptive_gradients`` holds its
own lock, one gradient at a time per process. Each view returns its result and the seconds its first
computation took (the value cached).
"""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from core.adapters.cached.deep_features import hed_model


@st.cache_data(max_entries=24, show_spinner=False)
def unit_gradient(
    image_key: str, max_side: int, layer: str, channel: int, row: int, col: int, _batch: np.ndarray
):
    """Keys: ``image_key``, ``max_side``, ``layer``, ``channel``, ``row``, ``col``.
    ``core.models.receptive_gradients.unit_gradient``: (UnitGradient, seconds)."""
    from core.models import receptive_gradients

    start = time.perf_counter()
    value = receptive_gradients.unit_gradient(hed_model(), _batch, layer, channel, row, col)
    return value, time.perf_counter() - start


@st.cache_data(max_entries=32, show_spinner=False)
def layer_average(image_key: str, max_side: int, layer: str, _batch: np.ndarray, _maps: np.ndarray):
    """Keys: ``image_key``, ``max_side``, ``layer``. ``core.models.receptive_gradients.layer_average``:
    (units, mean effective side, seconds)."""
    from core.models import receptive_gradients

    start = time.perf_counter()
    units, mean = receptive_gradients.layer_average(hed_model(), _batch, layer, _maps)
    return units, mean, time.perf_counter() - start


@st.cache_data(max_entries=16, show_spinner=False)
def feature_vis_pictures(layer: str) -> list[tuple[dict, np.ndarray]]:
    """Key: ``layer``. The shipped feature visualisations of ``layer`` (``core.data.feature_vis``):
    (manifest entry, (size, size, 3) uint8) per channel, in channel order; [] if none are shipped."""
    from core.data import feature_vis

    return [(e, feature_vis.picture(e)) for e in feature_vis.shipped() if e["layer"] == layer]
