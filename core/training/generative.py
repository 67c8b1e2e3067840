"""Training of the generative models (dense and convolutional autoencoders, VAE, DCGAN).

:func:`train_generative` is the ``train_fn`` of ``core.training.store.get_or_train`` for a
``core.models.generative_configs.GenerativeConfig`` (the shipped ones are
``core.models.registry.shipped_configs(family="generative")``): it returns a
``core.training.fit.FitResult``, with the DCGAN's time-lapse (:mod:`core.training.timelapse`) in
its ``files``; progress goes through ``progress(epoch, batch, loss, metrics, fraction_done)``.
:func:`load_generative` finds a shipped model (else the cached one, else trains it once) and makes it
ready for the pages. ``python -m core.training.cli`` trains and saves them.

No TensorFlow at import: each function imports Keras on its first call.
"""

from __future__ import annotations

import time

import numpy as np

from core.maths.latent_space import knn_accuracy
from core.models.generative_configs import GenerativeConfig
from core.training.timelapse import TIMELAPSE_SUFFIX, frames_sha256, timelapse_noise, timelapse_npz


def _train_autoencoder(config, model, x_train, x_test, progress) -> dict:
    import keras

    from core.training.fit import fit_epochs

    steps = int(np.ceil(len(x_train) / config.batch_size)) * config.epochs
    rate = keras.optimizers.schedules.CosineDecay(config.learning_rate, decay_steps=steps, alpha=0.05)
    fit_model = model
    if config.kind != "vae" and config.noise_factor > 0:
        # Denoising: corrupt inputs during training only (GaussianNoise is off at inference),
        # optionally clipped to [0, 1] like core.models.autoencoder.add_noise (ReLU(max_value=1) clips).
        image = keras.Input(model.input_shape[1:], name="clean")
        noisy = keras.layers.GaussianNoise(config.noise_factor, seed=config.seed, name="noise")(image)
        if config.clip_noise:
            noisy = keras.layers.ReLU(max_value=1.0, name="clip")(noisy)
        fit_model = keras.Model(image, model(noisy), name=f"{config.name}_denoising")
    if config.kind == "vae":
        fit_model.compile(optimizer=keras.optimizers.Adam(rate))
    else:
        fit_model.compile(optimizer=keras.optimizers.Adam(rate), loss="mse")
    history, _ = fit_epochs(
        fit_model, config, x_train, x_train, validation_data=(x_test, x_test), progress=progress
    )
    return history


def _train_dcgan(config, model, x_train, progress) -> tuple[dict, np.ndarray]:
    import keras

    from core.models import gan
    from core.training.fit import fit_epochs

    # The seed's optimisers: Adam(1.5e-4, beta_1=0.5) for both networks. XLA compilation costs
    # more than it saves for these small networks on a CPU.
    model.compile(
        g_optimizer=keras.optimizers.Adam(config.learning_rate, beta_1=gan.BETA_1),
        d_optimizer=keras.optimizers.Adam(config.learning_rate, beta_1=gan.BETA_1),
        jit_compile=False,
    )
    snaps = gan.GridSnapshots(model.generator, timelapse_noise(config))
    history, _ = fit_epochs(model, config, x_train * 2.0 - 1.0, progress=progress, callbacks=[snaps])
    return history, np.stack(snaps.frames)


def train_generative(config: GenerativeConfig, data, *, progress=None):
    """Train a fresh model for ``config`` on ``data`` (``core.data.datasets.MnistData``).

    Autoencoders minimise the MSE (the seed's ``loss='mse'``; the VAE its own loss), validated
    on the test split; the DCGAN trains on the training images scaled to [-1, 1].

    Returns
    -------
    core.training.fit.FitResult
        ``metrics``: ``n_train``, ``n_test`` and per kind ``test_mse`` (autoencoders: mean
        squared error per pixel on the clean test images), ``knn_accuracy`` (2-D codes, k=5),
        ``test_mse_noisy_input`` (denoising), ``d_loss``/``g_loss`` (last epoch). For the DCGAN
        the time-lapse frames ``(epochs + 1, 64, 28, 28)`` uint8 are in
        ``files[TIMELAPSE_SUFFIX]`` (an ``.npz``, see ``core.training.timelapse``) and their sha256 in
        ``extra["timelapse_sha256"]``.

    Raises
    ------
    ValueError
        If ``data.key`` differs from ``config.data_source``.
    """
    import keras

    from core.data.datasets import to_model_input
    from core.models import autoencoder as ae
    from core.training.fit import FitResult, check_data_source

    check_data_source(config, data)
    keras.utils.set_random_seed(config.seed)
    n = data.n_train if config.train_size is None else min(config.train_size, data.n_train)
    x_train, x_test = to_model_input(data.x_train[:n]), to_model_input(data.x_test)
    model = config.build()
    metrics: dict = {"n_train": int(n), "n_test": int(data.n_test)}
    extra: dict = {}
    files: dict = {}
    start = time.perf_counter()
    if config.kind == "dcgan":
        history, frames = _train_dcgan(config, model, x_train, progress)
        seconds = time.perf_counter() - start
        extra["timelapse_sha256"] = frames_sha256(frames)
        files[TIMELAPSE_SUFFIX] = timelapse_npz(frames)
        metrics.update({k: round(float(v[-1]), 6) for k, v in history.items()})
    else:
        history = _train_autoencoder(config, model, x_train, x_test, progress)
        seconds = time.perf_counter() - start
        metrics["test_mse"] = round(float(ae.reconstruction_error(model, x_test).mean()), 6)
        if config.latent_dim == 2:
            metrics["knn_accuracy"] = knn_accuracy(
                ae.encode(model, x_train), data.y_train[:n], ae.encode(model, x_test), data.y_test
            )
        if config.noise_factor > 0 and config.clip_noise:
            noisy = ae.add_noise(x_test, noise_factor=config.noise_factor, seed=1)
            out = ae.reconstruct(model, noisy)
            metrics["test_mse_noisy_input"] = round(float(np.mean((out - x_test[..., 0]) ** 2)), 6)
            metrics["noisy_input_mse"] = round(float(np.mean((noisy - x_test) ** 2)), 6)
    if config.kind in ("vae", "dcgan"):
        # A compiled subclassed model saves its optimisers' slots with its weights (3x the
        # size); ship a fresh, uncompiled copy holding the trained weights instead.
        trained, model = model, config.build()
        model.set_weights(trained.get_weights())
    return FitResult.trained_here(model, data, history, metrics, seconds, extra=extra, files=files)


def load_generative(name: str, *, data_loader):
    """Shipped model ``name`` of ``core.models.registry.shipped_configs(family="generative")``
    ("ae2d", "vae2d", "denoising_ae", "dcgan") from the model store (shipped weights, else the
    per-user cache, else trained once on ``data_loader()``), with Keras' compiled inference traced
    for any batch size, as a ``core.models.generative_bundle.GenerativeBundle`` (the DCGAN's with its
    time-lapse frames, :func:`core.training.timelapse.find_timelapse`).

    Raises
    ------
    KeyError
        If ``name`` is not a shipped generative model.
    """
    from core.models.generative_bundle import GenerativeBundle
    from core.models.registry import shipped_configs
    from core.training import store as model_store
    from core.training.timelapse import find_timelapse

    config = shipped_configs(family="generative")[name]
    found = model_store.get_or_train(config, data_loader=data_loader, train_fn=train_generative)
    timelapse = None
    if config.kind == "dcgan":
        timelapse = find_timelapse(found)
        for n in (
            1,
            2,
        ):  # trace Keras' compiled inference here, for any batch size (a second size relaxes it)
            found.model.generator.predict_on_batch(np.zeros((n, config.latent_dim), np.float32))
            found.model.discriminator.predict_on_batch(np.zeros((n, 28, 28, 1), np.float32))
    else:
        found.model(np.zeros((1, 28, 28, 1), np.float32), training=False)
    return GenerativeBundle(name, found.model, found.manifest, found.status, tuple(found.warnings), timelapse)
