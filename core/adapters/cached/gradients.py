"""Caches of the gradient views (saliency, SmoothGrad, Grad-CAM, FGSM) on the course's CNNs.

Every view is ``st.cache_data`` keyed on ``model_key`` (``bundle.key``), ``picture_key`` (the
input: ``"test:<data>:<digit>:<index>"`` or the content hash of a drawing or photo) and the
target class, plus the view's own parameters: students on one digit share one computation.
Arguments starting with "_" are not hashed (the keys name them). The gradient graphs of a model
are one shared resource per ``model_key`` and hold the bundle's lock (``core.models.gradients``).
Each view returns its result and the seconds its first computation took (the value cached; the
model's first gradient view in a process includes tracing its gradients, about 0.3–0.5 s).
"""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from core.adapters.cached.sharing import shared_resource


@shared_resource(max_entries=6, show_spinner="Tracing the model's gradients ...")
def gradient_model(model_key: str, _bundle):
    """Key: ``model_key``. ``core.models.gradients.gradient_model`` of the bundle's model, sharing
    its lock; traced once per model."""
    from core.models import gradients

    return gradients.gradient_model(_bundle.model, lock=_bundle.lock)


def _timed(fn, model_key: str, bundle, *args, **kwargs):
    """``fn(gradient_model(...), *args, **kwargs)`` and the seconds it took, the tracing of the model's
    gradients included when this is the model's first gradient view in the process."""
    start = time.perf_counter()
    value = fn(gradient_model(model_key, bundle), *args, **kwargs)
    return value, time.perf_counter() - start


@st.cache_data(max_entries=128, show_spinner=False)
def saliency(model_key: str, picture_key: str, target: int, _bundle, _batch: np.ndarray):
    """Keys: ``model_key``, ``picture_key``, ``target``. ``core.models.gradients.saliency``:
    (Saliency, seconds)."""
    from core.models import gradients

    return _timed(gradients.saliency, model_key, _bundle, _batch, target=target)


@st.cache_data(max_entries=128, show_spinner=False)
def smoothgrad(
    model_key: str,
    picture_key: str,
    target: int,
    noise_level: float,
    n_samples: int,
    seed: int,
    _bundle,
    _batch: np.ndarray,
):
    """Keys: ``model_key``, ``picture_key``, ``target``, ``noise_level``, ``n_samples``, ``seed``.
    ``core.models.gradients.smoothgrad``: (Saliency, seconds)."""
    from core.models import gradients

    return _timed(
        gradients.smoothgrad,
        model_key,
        _bundle,
        _batch,
        target=target,
        noise_level=noise_level,
        n_samples=n_samples,
        seed=seed,
    )


@st.cache_data(max_entries=128, show_spinner=False)
def grad_cam(model_key: str, picture_key: str, target: int, _bundle, _batch: np.ndarray):
    """Keys: ``model_key``, ``picture_key``, ``target``. ``core.models.gradients.grad_cam`` on the
    last convolution layer: (GradCam, seconds)."""
    from core.models import gradients

    return _timed(gradients.grad_cam, model_key, _bundle, _batch, target=target)


@st.cache_data(max_entries=128, show_spinner=False)
def fgsm_sweep(model_key: str, picture_key: str, label: int, _bundle, _batch: np.ndarray):
    """Keys: ``model_key``, ``picture_key``, ``label``. ``core.models.gradients.fgsm_sweep`` over
    ``EPSILON_GRID`` (0.01 … 0.30): every ε of the slider at once, (FgsmSweep, seconds)."""
    from core.models import gradients

    return _timed(gradients.fgsm_sweep, model_key, _bundle, _batch, label=label)
