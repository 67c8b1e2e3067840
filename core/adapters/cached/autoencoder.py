"""Caches of the autoencoder page: the test digits' codes and errors, the AE-vs-PCA table and the
PCA basis, the seed's presets, and what each view asks of the shared models.

The autoencoder page never calls a shared model itself: these functions do. Each holds
the bundle's lock around its model calls only (never while it asks another cache, which may take
the same lock), and is keyed on the view's small parameters - model name, seed, sample or test-digit
index, latent dimension, a value rounded to its slider's step, a digit's sha256 - so thirty students
on one view cost one model call. Arrays come back as copies (``st.cache_data``).
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from core.adapters.cached.generative import digits, generative_model
from core.adapters.cached.sharing import read_only, shared_resource
from core.maths import interpolation, latent_space


@st.cache_data(max_entries=4, show_spinner=False)
def test_codes(name: str) -> np.ndarray:
    """Codes ``(N_test, latent_dim)`` of the test digits under autoencoder ``name``."""
    from core.models import autoencoder as ae

    bundle = generative_model(name)
    with bundle.lock:
        return ae.encode(bundle.model, digits().x_test.astype(np.float32) / 255.0)


@st.cache_data(max_entries=4, show_spinner=False)
def test_errors(name: str) -> np.ndarray:
    """Per-image reconstruction MSE ``(N_test,)`` of the test digits under autoencoder ``name``."""
    from core.models import autoencoder as ae

    bundle = generative_model(name)
    with bundle.lock:
        return ae.reconstruction_error(bundle.model, digits().x_test.astype(np.float32) / 255.0)


@shared_resource(max_entries=1, show_spinner="Training the autoencoders of the AE-vs-PCA comparison ...")
def ae_vs_pca_table() -> dict:
    """:func:`core.training.experiments.find_or_compute_table` of the shipped AE-vs-PCA config: the
    shipped table, else one from the user cache, else computed now on :func:`digits` and cached."""
    from core.models.registry import shipped_configs
    from core.training.experiments import find_or_compute_table

    return find_or_compute_table(shipped_configs(family="table")["ae_vs_pca"], data_loader=digits)


@shared_resource(max_entries=1, show_spinner=False)
def pca_basis(n_components: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """``core.maths.latent_space.pca_fit`` of the training digits: mean ``(784,)`` and the top
    ``n_components`` components ``(n_components, 784)`` float64, read-only; slice ``[:k]`` for fewer."""
    mean, components = latent_space.pca_fit(digits().x_train.astype(np.float32) / 255.0, n_components=n_components)
    return read_only(mean), read_only(components)


@shared_resource(max_entries=1, show_spinner=False)
def preset_table() -> list[dict]:
    """:func:`core.models.tables.preset_table`: the seed's autoencoder presets with the parameter
    counts of the built Keras models."""
    from core.models import tables

    return tables.preset_table()


@st.cache_data(max_entries=1024, show_spinner=False)
def ae_decoded_point(name: str, x: float, y: float) -> np.ndarray:
    """What autoencoder ``name`` decodes the 2-D code ``(x, y)`` to: ``(28, 28)`` float32 in [0, 1].
    Round ``x`` and ``y`` to the sliders' step (0.01) first: they are the cache key."""
    from core.models import autoencoder as ae

    bundle = generative_model(name)
    with bundle.lock:
        return ae.decode(bundle.model, [x, y])[0]


@st.cache_data(max_entries=32, show_spinner=False)
def ae_manifold(name: str, x_range: tuple[float, float], y_range: tuple[float, float], n: int) -> np.ndarray:
    """``core.models.autoencoder.decode_manifold``: the ``n x n`` grid of codes over ``x_range`` x
    ``y_range`` decoded by autoencoder ``name``, one mosaic ``(28 n, 28 n)`` float32 in [0, 1]."""
    from core.models import autoencoder as ae

    bundle = generative_model(name)
    with bundle.lock:
        return ae.decode_manifold(bundle.model, x_range=x_range, y_range=y_range, n=n)


@st.cache_data(max_entries=16, show_spinner=False)
def ae_reconstructions(name: str, indices: tuple[int, ...]) -> np.ndarray:
    """Test digits ``digits().x_test[indices]`` rebuilt by model ``name``
    (``core.models.autoencoder.reconstruct``): ``(len(indices), 28, 28)`` float32 in [0, 1]."""
    from core.models import autoencoder as ae

    bundle = generative_model(name)
    x = digits().x_test[list(indices)].astype(np.float32) / 255.0
    with bundle.lock:
        return ae.reconstruct(bundle.model, x)


@st.cache_data(max_entries=256, show_spinner=False)
def ae_interpolation(name: str, index_a: int, index_b: int, frames: int) -> tuple[np.ndarray, np.ndarray]:
    """``core.maths.interpolation.lerp`` between the codes (:func:`test_codes`) of test digits
    ``index_a`` and ``index_b`` under model ``name``, and the decoded frames.

    Returns ``path`` ``(frames, latent_dim)`` float32 and ``images`` ``(frames, 28, 28)`` float32 in
    [0, 1]. Raises ``ValueError`` if ``frames`` < 2.
    """
    from core.models import autoencoder as ae

    codes = test_codes(name)
    path = interpolation.lerp(codes[index_a], codes[index_b], frames)
    bundle = generative_model(name)
    with bundle.lock:
        return path, ae.decode(bundle.model, path)


@st.cache_data(max_entries=64, show_spinner=False)
def ae_denoise(name: str, indices: tuple[int, ...], noise_factor: float, seed: int) -> tuple[np.ndarray, ...]:
    """Test digits ``digits().x_test[indices]``, corrupted by ``core.models.autoencoder.add_noise``
    (``noise_factor`` rounded to its slider's step, ``seed``) and restored by model ``name``.

    Returns ``(clean, noisy, restored)``, each ``(len(indices), 28, 28)`` float32 in [0, 1].
    Raises ``ValueError`` if ``noise_factor`` < 0.
    """
    from core.models import autoencoder as ae

    clean = digits().x_test[list(indices)].astype(np.float32) / 255.0
    noisy = ae.add_noise(clean, noise_factor=noise_factor, seed=seed)
    bundle = generative_model(name)
    with bundle.lock:
        return clean, noisy, ae.reconstruct(bundle.model, noisy)


def ae_project(name: str, digit: np.ndarray) -> dict:
    """A digit ``(28, 28)`` in [0, 1] through autoencoder ``name``, cached by the digit's sha256.

    Returns
    -------
    dict
        ``"code"``: ``(latent_dim,)`` float32 (``core.models.autoencoder.encode``); ``"reconstruction"``:
        ``(28, 28)`` float32 in [0, 1]; ``"error"``: float, the reconstruction MSE
        (``core.models.autoencoder.reconstruction_error``).

    Raises
    ------
    ValueError
        If ``digit`` does not hold 28 x 28 pixels.
    """
    import hashlib

    x = np.ascontiguousarray(digit, dtype=np.float32)
    if x.size != 28 * 28:
        raise ValueError(f"`digit` must be a 28 x 28 image, got shape {np.shape(digit)}.")
    return _ae_project(name, hashlib.sha256(x.tobytes()).hexdigest(), x.reshape(28, 28))


@st.cache_data(max_entries=256, show_spinner=False)
def _ae_project(name: str, digest: str, _digit: np.ndarray) -> dict:
    from core.models import autoencoder as ae

    bundle = generative_model(name)
    with bundle.lock:
        return {"code": ae.encode(bundle.model, _digit)[0],
                "reconstruction": ae.reconstruct(bundle.model, _digit)[0],
                "error": float(ae.reconstruction_error(bundle.model, _digit)[0])}
