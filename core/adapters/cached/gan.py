"""Caches of the GAN page: the DCGAN's samples, edits, interpolations and scores, the nearest real
digits, the seed's 96x96 DCGAN tables and the toy 2-D GAN.

Each wrapper only caches: the model calls are methods of the shared
:class:`core.models.generative_bundle.GenerativeBundle`, which take the bundle's lock themselves;
the toy GAN's replay is :func:`core.maths.toy_gan.toy_gan_after`. Each cache is keyed on the view's
small parameters (its docstring says which) - model name, noise seed, sample index, latent
dimension, values rounded to their slider's step - so thirty students on one view cost one model
call. Arrays come back as copies (``st.cache_data``).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.adapters.cached.generative import digits, generative_model
from core.adapters.cached.sharing import shared_resource
from core.data.images import to_unit_range
from core.maths import latent_space, toy_gan

#: Samples per seed on the GAN page (an 8 x 8 grid): sample ``i`` of a seed is row ``i`` of
#: :func:`gan_codes`.
GAN_SAMPLES = 64


@st.cache_data(max_entries=4, show_spinner=False)
def gan_summary(name: str) -> dict:
    """Key: model ``name``. ``{"latent_dim", "generator_params", "discriminator_params"}``, ints."""
    return generative_model(name).gan_sizes()


@st.cache_data(max_entries=64, show_spinner=False)
def gan_codes(name: str, seed: int) -> np.ndarray:
    """Key: model ``name`` and noise ``seed``. The noise of the seed's :data:`GAN_SAMPLES` samples,
    ``(GAN_SAMPLES, latent_dim)`` float32 (``core.models.gan.sample_latent``)."""
    return generative_model(name).latent(GAN_SAMPLES, seed=seed)


@st.cache_data(max_entries=64, show_spinner=False)
def gan_samples(name: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Key: model ``name`` and noise ``seed``. The seed's :data:`GAN_SAMPLES` digits
    ``(GAN_SAMPLES, 28, 28)`` float32 in [0, 1] and the discriminator's P(real) of each ``(GAN_SAMPLES,)``."""
    return generative_model(name).samples(GAN_SAMPLES, seed=seed)


@st.cache_data(max_entries=256, show_spinner=False)
def gan_vary_dimension(name: str, seed: int, index: int, dim: int, values: tuple[float, ...]) -> np.ndarray:
    """Key: model ``name``, ``seed``, sample ``index``, latent ``dim`` and ``values`` (rounded by the
    caller to the slider's step). The sample with coordinate ``dim`` set to each value:
    ``(len(values), 28, 28)`` float32 in [0, 1]. Raises ``ValueError`` for ``dim`` outside the code."""
    return generative_model(name).vary_dimension(gan_codes(name, seed)[index], dim=dim, values=values)


@st.cache_data(max_entries=128, show_spinner=False)
def gan_interpolation(name: str, seed: int, index_a: int, index_b: int, frames: int) -> dict:
    """Key: model ``name``, ``seed``, two sample indices and ``frames``. Both paths between the two
    samples' noise and their images (``GenerativeBundle.interpolate``: ``{"lerp": (path, images),
    "slerp": (path, images)}``). Raises ``ValueError`` if ``frames`` < 2."""
    return generative_model(name).interpolate(
        gan_codes(name, seed)[index_a], gan_codes(name, seed)[index_b], frames
    )


@st.cache_data(max_entries=4, show_spinner=False)
def gan_real_scores(name: str, n: int = GAN_SAMPLES) -> np.ndarray:
    """Key: model ``name`` and ``n``. The discriminator's P(real) of the first ``n`` test digits of
    :func:`digits`: ``(n,)`` float32."""
    return generative_model(name).score(to_unit_range(digits().x_test[:n]))


@st.cache_data(max_entries=256, show_spinner=False)
def gan_nearest(name: str, seed: int, index: int, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Key: model ``name``, ``seed``, sample ``index`` and ``k``. ``core.models.gan.nearest_real`` of
    the sample among the training digits: indices ``(k,)`` int64 into ``digits().x_train`` and
    distances ``(k,)`` float64, nearest first."""
    from core.models import gan

    return gan.nearest_real(gan_samples(name, seed)[0][index], digits().x_train, k=k)


@st.cache_data(max_entries=1, show_spinner=False)
def real_nearest_distance(n: int = 100) -> float:
    """Key: ``n``. ``core.maths.latent_space.median_nearest_distance`` from the first ``n`` real test
    digits to the training digits (pixels in [0, 1]): the yardstick for the samples' distances."""
    return latent_space.median_nearest_distance(
        to_unit_range(digits().x_test[:n]), to_unit_range(digits().x_train)
    )


@shared_resource(max_entries=1, show_spinner=False)
def course_dcgan_tables() -> dict:
    """No key. :func:`core.models.tables.course_dcgan_tables`: layer tables of the seed's 96x96 DCGAN."""
    from core.models import tables

    return tables.course_dcgan_tables()


@st.cache_data(max_entries=256, show_spinner=False)
def toy_gan_state(seed: int, actions: tuple) -> dict:
    """Key: ``seed`` and the button presses ``actions`` (a tuple of ``(mode, steps)``).
    :func:`core.maths.toy_gan.toy_gan_after`, given this cache for the history before the last press,
    so students who pressed the same buttons share one computation and a new press costs its own
    steps only."""
    return toy_gan.toy_gan_after(seed, actions, before=toy_gan_state)
