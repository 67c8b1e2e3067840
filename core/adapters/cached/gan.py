"""Caches of the GAN page: the DCGAN's samples, edits, interpolations and scores, the nearest real
digits, the seed's 96x96 DCGAN tables and the toy 2-D GAN.

The GAN page never calls a shared model itself: these functions do. Each holds
the bundle's lock around its model calls only (never while it asks another cache, which may take
the same lock), and is keyed on the view's small parameters - model name, seed, sample or test-digit
index, latent dimension, a value rounded to its slider's step, a digit's sha256 - so thirty students
on one view cost one model call. Arrays come back as copies (``st.cache_data``).
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from core.adapters.cached.generative import digits, generative_model
from core.adapters.cached.sharing import shared_resource
from core.maths import interpolation, latent_space

#: Samples per seed on the GAN page (an 8 x 8 grid): sample ``i`` of a seed is row ``i`` of
#: ``core.models.gan.sample_latent(GAN_SAMPLES, latent_dim=..., seed=seed)``.
GAN_SAMPLES = 64


@st.cache_data(max_entries=4, show_spinner=False)
def gan_summary(name: str) -> dict:
    """Sizes of the GAN ``name`` (``generative_model(name)``, a ``core.models.gan.DCGAN``):
    ``{"latent_dim", "generator_params", "discriminator_params"}``, ints."""
    bundle = generative_model(name)
    with bundle.lock:
        model = bundle.model
        return {"latent_dim": int(model.latent_dim), "generator_params": int(model.generator.count_params()),
                "discriminator_params": int(model.discriminator.count_params())}


@st.cache_data(max_entries=64, show_spinner=False)
def gan_samples(name: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The :data:`GAN_SAMPLES` digits GAN ``name`` draws from noise seed ``seed``.

    Returns
    -------
    images : ndarray (GAN_SAMPLES, 28, 28), float32 in [0, 1]
        ``core.models.gan.generate`` of ``core.models.gan.sample_latent(GAN_SAMPLES, seed=seed)``.
    scores : ndarray (GAN_SAMPLES,), float32 in [0, 1]
        The discriminator's P(real) of each image (``core.models.gan.discriminator_score``).
    """
    from core.models import gan

    bundle = generative_model(name)
    z = gan.sample_latent(GAN_SAMPLES, latent_dim=gan_summary(name)["latent_dim"], seed=int(seed))
    with bundle.lock:
        images = gan.generate(bundle.model.generator, z)
        return images, gan.discriminator_score(bundle.model.discriminator, images)


@st.cache_data(max_entries=256, show_spinner=False)
def gan_vary_dimension(name: str, seed: int, index: int, dim: int, values: tuple[float, ...]) -> np.ndarray:
    """Sample ``index`` of seed ``seed`` (see :func:`gan_samples`) with latent coordinate ``dim``
    set to each of ``values`` (round them to the slider's step: they are the cache key).

    Returns ``(len(values), 28, 28)`` float32 in [0, 1]: ``core.models.gan.generate`` of
    ``core.models.gan.vary_dimension``. Raises ``ValueError`` for ``dim`` outside ``0..latent_dim - 1``.
    """
    from core.models import gan

    bundle = generative_model(name)
    z = gan.sample_latent(GAN_SAMPLES, latent_dim=gan_summary(name)["latent_dim"], seed=int(seed))[index]
    codes = gan.vary_dimension(z, dim=dim, values=list(values))
    with bundle.lock:
        return gan.generate(bundle.model.generator, codes)


@st.cache_data(max_entries=128, show_spinner=False)
def gan_interpolation(name: str, seed: int, index_a: int, index_b: int, frames: int) -> dict:
    """Both paths from sample ``index_a`` to sample ``index_b`` of seed ``seed`` and their images
    (one generator call for the two).

    Returns
    -------
    dict
        ``{"lerp": (path, images), "slerp": (path, images)}``: ``core.models.interpolation.lerp`` (straight line) and
        ``core.models.interpolation.slerp`` (great circle), each path ``(frames, latent_dim)`` float32 and its images
        ``(frames, 28, 28)`` float32 in [0, 1].

    Raises
    ------
    ValueError
        If ``frames`` < 2.
    """
    from core.models import gan

    bundle = generative_model(name)
    z = gan.sample_latent(GAN_SAMPLES, latent_dim=gan_summary(name)["latent_dim"], seed=int(seed))
    paths = {"lerp": interpolation.lerp(z[index_a], z[index_b], frames), "slerp": interpolation.slerp(z[index_a], z[index_b], frames)}
    with bundle.lock:
        images = gan.generate(bundle.model.generator, np.concatenate(list(paths.values())))
    return {method: (path, images[i * frames:(i + 1) * frames]) for i, (method, path) in enumerate(paths.items())}


@st.cache_data(max_entries=4, show_spinner=False)
def gan_real_scores(name: str, n: int = GAN_SAMPLES) -> np.ndarray:
    """The discriminator's P(real) of the first ``n`` test digits of :func:`digits`: ``(n,)`` float32."""
    from core.models import gan

    bundle = generative_model(name)
    real = digits().x_test[:n].astype(np.float32) / 255.0
    with bundle.lock:
        return gan.discriminator_score(bundle.model.discriminator, real)


@st.cache_data(max_entries=256, show_spinner=False)
def gan_nearest(name: str, seed: int, index: int, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """``core.models.gan.nearest_real`` of sample ``index`` of seed ``seed`` among the training digits:
    indices ``(k,)`` int64 into ``digits().x_train`` and distances ``(k,)`` float64, nearest first."""
    from core.models import gan

    images, _ = gan_samples(name, seed)
    return gan.nearest_real(images[index], digits().x_train, k=k)


@st.cache_data(max_entries=1, show_spinner=False)
def real_nearest_distance(n: int = 100) -> float:
    """Median distance from the first ``n`` real test digits to their nearest training digit (pixels
    in [0, 1], ``core.maths.latent_space.median_nearest_distance``): the yardstick for
    ``core.models.gan.nearest_real`` distances of generated samples."""
    data = digits()
    return latent_space.median_nearest_distance(data.x_test[:n].astype(np.float32) / 255.0,
                                                data.x_train.astype(np.float32) / 255.0)


@shared_resource(max_entries=1, show_spinner=False)
def seed_dcgan_tables() -> dict:
    """:func:`core.models.tables.seed_dcgan_tables`: layer tables of the seed's 96x96 DCGAN, built once."""
    from core.models import tables

    return tables.seed_dcgan_tables()


@st.cache_data(max_entries=256, show_spinner=False)
def toy_gan_state(seed: int, actions: tuple) -> dict:
    """The toy GAN (``core.maths.toy_gan``) after the button presses ``actions`` — a tuple of
    ``(mode, steps)`` — from ``toy_gan_init(seed=seed)``. Training is deterministic (each step's
    batch comes from ``default_rng([seed, step])``), so students who pressed the same buttons
    share one computation; a new press costs only its own steps when the history before it is
    cached, else the whole history is trained again."""
    from core.maths.toy_gan import toy_gan_init, toy_gan_train

    if not actions:
        return toy_gan_init(seed=seed)
    try:
        state = toy_gan_state(seed, actions[:-1])
    except RecursionError:          # a long history none of which is cached any more: replay it
        state = toy_gan_init(seed=seed)
        for mode, steps in actions[:-1]:
            state = toy_gan_train(state, mode=mode, steps=steps)
    mode, steps = actions[-1]
    return toy_gan_train(state, mode=mode, steps=steps)
