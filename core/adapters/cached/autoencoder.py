"""Caches of the autoencoder page: the test digits' codes and errors, the AE-vs-PCA table and the
PCA basis, the seed's presets, and what each view asks of the shared models.

Each wrapper only caches: the model calls are methods of the shared
:class:`core.models.generative_bundle.GenerativeBundle`, which take the bundle's lock themselves,
and the pixels are scaled by :func:`core.data.images.to_unit_range`. Each cache is keyed on the
view's small parameters (its docstring says which): model name, test-digit indices, a value
rounded to its slider's step, a noise seed, or the digit itself (Streamlit hashes a small array by
its content), so thirty students on one view cost one model call. Arrays come back as copies
(``st.cache_data``).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.adapters.cached.generative import digits, generative_model
from core.adapters.cached.sharing import read_only, shared_resource
from core.data.images import to_unit_range
from core.maths import latent_space


@st.cache_data(max_entries=4, show_spinner=False)
def test_codes(name: str) -> np.ndarray:
    """Key: model ``name``. Codes ``(N_test, latent_dim)`` of the test digits (``encode``)."""
    return generative_model(name).encode(to_unit_range(digits().x_test))


@st.cache_data(max_entries=4, show_spinner=False)
def test_errors(name: str) -> np.ndarray:
    """Key: model ``name``. Per-image reconstruction MSE ``(N_test,)`` of the test digits."""
    return generative_model(name).reconstruction_error(to_unit_range(digits().x_test))


@shared_resource(max_entries=1, show_spinner="Training the autoencoders of the AE-vs-PCA comparison ...")
def ae_vs_pca_table() -> dict:
    """No key (one table). :func:`core.training.experiments.find_or_compute_table` of the shipped
    AE-vs-PCA config: the shipped table, else one from the user cache, else computed now on
    :func:`digits` and cached."""
    from core.models.registry import shipped_configs
    from core.training.experiments import find_or_compute_table

    return find_or_compute_table(shipped_configs(family="table")["ae_vs_pca"], data_loader=digits)


@st.cache_data(max_entries=8, show_spinner=False)
def ae_vs_pca_rows(k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Key: code size ``k`` (one of the table's). :func:`core.training.experiments.comparison_rows`:
    the table's test digits, rebuilt by PCA with ``k`` components and by the autoencoder with a code
    of ``k``, each ``(n, 28, 28)`` float32 in [0, 1]."""
    from core.training.experiments import comparison_rows

    table = ae_vs_pca_table()
    return comparison_rows(table, digits(), pca_basis(max(table["code_sizes"])), k)


@shared_resource(max_entries=1, show_spinner=False)
def pca_basis(n_components: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """Key: ``n_components``. ``core.maths.latent_space.pca_fit`` of the training digits: mean
    ``(784,)`` and the top ``n_components`` components ``(n_components, 784)`` float64, read-only."""
    mean, components = latent_space.pca_fit(to_unit_range(digits().x_train), n_components=n_components)
    return read_only(mean), read_only(components)


@shared_resource(max_entries=1, show_spinner=False)
def preset_table() -> list[dict]:
    """No key. :func:`core.models.tables.preset_table`: the seed's autoencoder presets with the
    parameter counts of the built Keras models."""
    from core.models import tables

    return tables.preset_table()


@st.cache_data(max_entries=2, show_spinner=False)
def noise_digit(seed: int) -> np.ndarray:
    """Key: ``seed``. A "digit" of pure noise, ``core.models.autoencoder.add_noise`` (factor 0.5) on
    a black 28 x 28 image: ``(28, 28)`` float32 in [0, 1], the anomaly a model should flag."""
    from core.models import autoencoder as ae

    return ae.add_noise(np.zeros((28, 28)), noise_factor=0.5, seed=seed)


@st.cache_data(max_entries=1024, show_spinner=False)
def ae_decoded_point(name: str, x: float, y: float) -> np.ndarray:
    """Key: model ``name`` and the 2-D code ``(x, y)``, rounded by the caller to the sliders' step
    (0.01). What the model decodes it to: ``(28, 28)`` float32 in [0, 1]."""
    return generative_model(name).decode([x, y])[0]


@st.cache_data(max_entries=32, show_spinner=False)
def ae_manifold(name: str, x_range: tuple[float, float], y_range: tuple[float, float], n: int) -> np.ndarray:
    """Key: model ``name``, the ranges and ``n``. The ``n x n`` grid of codes decoded into one mosaic
    ``(28 n, 28 n)`` float32 in [0, 1] (``decode_manifold``)."""
    return generative_model(name).decode_manifold(x_range, y_range, n)


@st.cache_data(max_entries=16, show_spinner=False)
def ae_reconstructions(name: str, indices: tuple[int, ...]) -> np.ndarray:
    """Key: model ``name`` and test-digit ``indices``. ``digits().x_test[indices]`` rebuilt by the
    model: ``(len(indices), 28, 28)`` float32 in [0, 1]."""
    return generative_model(name).reconstruct(to_unit_range(digits().x_test[list(indices)]))


@st.cache_data(max_entries=256, show_spinner=False)
def ae_interpolation(name: str, index_a: int, index_b: int, frames: int) -> tuple[np.ndarray, np.ndarray]:
    """Key: model ``name``, two test-digit indices and ``frames``. The straight line between their
    codes (:func:`test_codes`) and the decoded frames (``decode_line``): path ``(frames, latent_dim)``
    float32, images ``(frames, 28, 28)`` float32 in [0, 1]. Raises ``ValueError`` if ``frames`` < 2."""
    return generative_model(name).decode_line(test_codes(name)[index_a], test_codes(name)[index_b], frames)


@st.cache_data(max_entries=64, show_spinner=False)
def ae_denoise(name: str, indices: tuple[int, ...], noise_factor: float, seed: int) -> tuple[np.ndarray, ...]:
    """Key: model ``name``, test-digit ``indices``, ``noise_factor`` (rounded by the caller to its
    slider's step) and ``seed``. ``(clean, noisy, restored)``, each ``(len(indices), 28, 28)`` float32
    in [0, 1] (``denoise``). Raises ``ValueError`` if ``noise_factor`` < 0."""
    return generative_model(name).denoise(
        to_unit_range(digits().x_test[list(indices)]), noise_factor=noise_factor, seed=seed
    )


@st.cache_data(max_entries=256, show_spinner=False)
def ae_project(name: str, digit: np.ndarray) -> dict:
    """Key: model ``name`` and the digit's pixels (a small array: Streamlit hashes its content). A
    digit ``(28, 28)`` in [0, 1] through the model (``project``): ``{"code", "reconstruction",
    "error"}``. Raises ``ValueError`` if ``digit`` does not hold 28 x 28 pixels."""
    return generative_model(name).project(digit)
