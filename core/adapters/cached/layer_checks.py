"""Caches of the Keras checks for the pooling and layer-arithmetic pages.

Models are built, measured and dropped in ``core.models`` (:mod:`core.models.layer_checks`,
:mod:`core.models.tables`); only the numbers are cached, so even VGG-16 costs memory only while its
table is computed.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.adapters.cached.sharing import shared_resource


@shared_resource(
    show_spinner="Loading TensorFlow for the checks against real Keras layers (the first visit "
    "after the server starts takes a few seconds) ..."
)
def _layer_checks():
    """:mod:`core.models.layer_checks`, imported once (the first call takes a few seconds: TensorFlow
    loads)."""
    from core.models import layer_checks

    return layer_checks


def _tables():
    """:mod:`core.models.tables`, after TensorFlow is loaded under :func:`_layer_checks`' spinner."""
    _layer_checks()
    from core.models import tables

    return tables


@shared_resource(max_entries=1, show_spinner=False)
def architectures() -> dict:
    """No key. ``core.models.architectures.ARCHITECTURES``: the course's networks by key (title, source,
    pinned counts; the builders import Keras only when a table is built), shared and read-only."""
    from core.models.architectures import ARCHITECTURES

    return ARCHITECTURES


def former_architecture_keys() -> dict:
    """No key. ``core.models.architectures.FORMER_ARCHITECTURE_KEYS``: former key → key, so links shared
    with a former key still open the same network."""
    from core.models.architectures import FORMER_ARCHITECTURE_KEYS

    return FORMER_ARCHITECTURE_KEYS


@st.cache_data(max_entries=20, show_spinner=False)
def architecture_table(key: str) -> list[dict]:
    """:func:`core.models.tables.architecture_table`: the layer table of registered model ``key``,
    batch size 1."""
    return _tables().architecture_table(key)


@st.cache_data(max_entries=16, show_spinner=False)
def example_count(key: str) -> int | None:
    """:func:`core.models.tables.example_count`: ``count_params()`` of the one-layer Keras model of a
    parameter example; None if too big."""
    return _tables().example_count(key)


@st.cache_data(max_entries=256, show_spinner=False)
def conv_output_shape(
    n: int, f: int, stride: int, padding: str, pad: int, dilation: int, channels: int = 1, filters: int = 1
) -> tuple[tuple | None, str, int]:
    """:func:`core.models.layer_checks.conv_output_shape`, shared by every session."""
    return _layer_checks().conv_output_shape(n, f, stride, padding, pad, dilation, channels, filters)


@st.cache_data(max_entries=64, show_spinner=False)
def keras_pool(
    values: bytes, shape: tuple[int, ...], kind: str, pool_size: int, stride: int, padding: str
) -> tuple[np.ndarray, int, tuple]:
    """:func:`core.models.layer_checks.keras_pool` on a float32 array given as bytes."""
    x = np.frombuffer(values, dtype=np.float32).reshape(shape)
    return _layer_checks().keras_pool(x, kind, pool_size, stride, padding)


@st.cache_data(max_entries=64, show_spinner=False)
def custom_layer_counts(
    side: int, channels: int, units: int, f: int, max_params: int = 50_000_000
) -> tuple[int | None, int | None]:
    """:func:`core.models.layer_checks.custom_layer_counts`, shared by every session."""
    return _layer_checks().custom_layer_counts(side, channels, units, f, max_params)
