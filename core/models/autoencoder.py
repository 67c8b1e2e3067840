"""Autoencoders on 28x28 digits: builders, a VAE, encoding and decoding.

An autoencoder encodes an image into a short *code* (the bottleneck, ``latent_dim`` numbers) and decodes it
back; it is trained to reproduce its own input (Course notes, *Autoencoders and convolutional networks*,
*Autoencoders in deep learning*: code size, number of layers, nodes per layer, MSE or binary cross-entropy
loss).

Every model here takes images of shape ``(N, 28, 28, 1)``, float32 in [0, 1] (channels-last), and
is a functional Keras model made of two named sub-models, ``"encoder"`` (its code layer is named
``"latent"``) and ``"decoder"`` (its last weighted layer is named ``"decoder_out"``), so pages can
call either half alone::

    encoder = model.get_layer("encoder"); decoder = model.get_layer("decoder")

Models: the seed's presets (:data:`PRESETS`, parameter counts of seed fact 48), a dense
autoencoder with a 2-D code (the latent-plane model; the shipped one, ``ae2d`` in
:mod:`core.models.registry`, is trained as a *denoising* autoencoder: Gaussian input noise of
std 0.3, clean targets), a convolutional autoencoder, its denoising
training (:func:`add_noise`), and - beyond the seeds, which contain no variational autoencoder - a
VAE with a 2-D latent space (:class:`VAE`, trained with a custom ``train_step``).

The NumPy around them (the code plane, the anomaly percentile, PCA) lives in
:mod:`core.maths.latent_space`; call it from there.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from core.maths.checks import keyed
from core.maths.latent_space import latent_grid
from core.models.nested_models import InnerModelsConfig

AUTOENCODER_NOTES = "Course notes, *Autoencoders and convolutional networks*"
IMAGE_SHAPE = (28, 28, 1)
N_PIXELS = 28 * 28


@dataclass(frozen=True)
class AutoencoderPreset:
    """One of the seed's dense autoencoders (Course notes, *Autoencoders and convolutional networks*).

    ``hidden_units`` are the encoder's layers before the code; the decoder mirrors them.
    ``params`` is the count the seed's code gives (recomputed by hand).
    """

    key: str
    label: str
    hidden_units: tuple[int, ...]
    latent_dim: int
    activity_l1: float
    params: int
    source: str


PRESETS: dict[str, AutoencoderPreset] = keyed(
    AutoencoderPreset(
        "tf_tutorial",
        "TF tutorial, code 64",
        (),
        64,
        0.0,
        101_200,
        "Course notes, *Autoencoders and convolutional networks*, *Autoencoders: reconstruction on "
        "MNIST* (code A): Flatten, Dense 64 relu, Dense 784 sigmoid",
    ),
    AutoencoderPreset(
        "keras_blog",
        "Keras blog, code 32",
        (),
        32,
        0.0,
        50_992,
        "Course notes, *Autoencoders and convolutional networks*, *Autoencoders: reconstruction on "
        "MNIST* (code B): Dense 32 relu, Dense 784 sigmoid",
    ),
    AutoencoderPreset(
        "vanilla",
        "Vanilla 784-64-784",
        (),
        64,
        0.0,
        101_200,
        "Course notes, *Autoencoders and convolutional networks*, *Different architectures of the "
        "models*: getVanilaAE",
    ),
    AutoencoderPreset(
        "deep",
        "Deep 784-512-256-128-64",
        (512, 256, 128),
        64,
        0.0,
        1_149_520,
        "Course notes, *Autoencoders and convolutional networks*, *Different architectures of the "
        "models*: getDeepAE (mirrored decoder)",
    ),
    AutoencoderPreset(
        "sparse_deep",
        "Sparse over-complete 784-1024x5-784",
        (1024, 1024),
        1024,
        1e-5,
        5_805_840,
        "Course notes, *Autoencoders and convolutional networks*, *Different architectures of the "
        "models*: sparse deep net, code Dense 1024 with "
        "activity_regularizer=l1(1e-5)",
    ),
)


# --------------------------------------------------------------------------- builders
def _check_units(hidden_units, latent_dim: int) -> tuple[int, ...]:
    units = tuple(int(u) for u in hidden_units)
    if any(u < 1 for u in units):
        raise ValueError(f"`hidden_units` must be positive layer sizes, got {hidden_units!r}.")
    if int(latent_dim) < 1:
        raise ValueError(f"`latent_dim` must be at least 1, got {latent_dim!r}.")
    return units


def _dense_encoder_trunk(units: tuple[int, ...]):
    """The encoder's input ``"image"`` (28, 28, 1), flattened, then ReLU ``Dense`` layers
    ``enc_dense1`` ... of ``units``: (the input, the last hidden tensor)."""
    image = keras.Input(IMAGE_SHAPE, name="image")
    h = layers.Flatten(name="flatten")(image)
    for i, u in enumerate(units):
        h = layers.Dense(u, activation="relu", name=f"enc_dense{i + 1}")(h)
    return image, h


def build_dense_decoder(*, latent_dim: int, hidden_units=(64, 256), name: str = "decoder"):
    """Dense decoder: code ``(N, latent_dim)`` -> image ``(N, 28, 28, 1)`` in [0, 1].

    ``hidden_units`` run from the code outwards (e.g. ``(64, 256)`` for a 256-64 encoder); the
    output layer ``"decoder_out"`` is ``Dense(784, sigmoid)`` followed by a reshape.
    """
    units = _check_units(hidden_units, latent_dim)
    code = keras.Input((int(latent_dim),), name="code")
    h = code
    for i, u in enumerate(units):
        h = layers.Dense(u, activation="relu", name=f"dec_dense{i + 1}")(h)
    out = layers.Dense(N_PIXELS, activation="sigmoid", name="decoder_out")(h)
    return keras.Model(code, layers.Reshape(IMAGE_SHAPE, name="reconstruction")(out), name=name)


def build_dense_autoencoder(
    *,
    latent_dim: int = 2,
    hidden_units=(256, 64),
    latent_activation: str | None = None,
    activity_l1: float = 0.0,
    name: str = "dense_autoencoder",
):
    """Symmetric dense autoencoder ``784 -> hidden_units -> latent_dim -> reversed -> 784``.

    Parameters
    ----------
    latent_dim : int >= 1
        Code size (the seed's "code size": nodes in the middle layer).
    hidden_units : sequence of int
        Encoder layers before the code (ReLU); the decoder uses them in reverse order.
    latent_activation : str or None
        Activation of the code layer ``"latent"``: ``None`` (linear, used for the 2-D plane so
        codes may be negative) or ``"relu"`` as in the seed's presets.
    activity_l1 : float >= 0
        L1 activity penalty on the code (sparse autoencoder); 0 disables it.

    Returns
    -------
    keras.Model
        ``(N, 28, 28, 1)`` float32 -> ``(N, 28, 28, 1)`` float32 in [0, 1], made of the
        sub-models ``"encoder"`` and ``"decoder"``. Parameters (no hidden layers):
        ``2 * 784 * latent_dim + latent_dim + 784``.

    Raises
    ------
    ValueError
        If a layer size is below 1 or ``activity_l1`` is negative.

    References
    ----------
    Course notes, *Autoencoders and convolutional networks*, *Autoencoders: reconstruction on MNIST* and
    *Different architectures of the models* (the course's three Keras autoencoders).
    """
    units = _check_units(hidden_units, latent_dim)
    if activity_l1 < 0:
        raise ValueError(f"`activity_l1` must be >= 0, got {activity_l1!r}.")
    image, h = _dense_encoder_trunk(units)
    reg = keras.regularizers.L1(activity_l1) if activity_l1 > 0 else None
    code = layers.Dense(
        int(latent_dim), activation=latent_activation, activity_regularizer=reg, name="latent"
    )(h)
    encoder = keras.Model(image, code, name="encoder")
    decoder = build_dense_decoder(latent_dim=latent_dim, hidden_units=units[::-1])
    inp = keras.Input(IMAGE_SHAPE, name="image")
    return keras.Model(inp, decoder(encoder(inp)), name=name)


def build_preset(key: str):
    """Build one of the seed's presets (:data:`PRESETS`), ReLU code layer as in the seed.

    Raises
    ------
    ValueError
        If ``key`` is not a key of :data:`PRESETS`.
    """
    if key not in PRESETS:
        raise ValueError(f"`key` must be one of {sorted(PRESETS)}, got {key!r}.")
    p = PRESETS[key]
    return build_dense_autoencoder(
        latent_dim=p.latent_dim,
        hidden_units=p.hidden_units,
        latent_activation="relu",
        activity_l1=p.activity_l1,
        name=f"preset_{p.key}",
    )


def build_conv_autoencoder(*, latent_dim: int = 16, filters=(16, 32), name: str = "conv_autoencoder"):
    """Convolutional autoencoder: two stride-2 3x3 convolutions down to 7x7, a dense code, and
    two transposed convolutions back up.

    Shapes: 28x28x1 -> 14x14xF1 -> 7x7xF2 -> ``latent_dim`` -> 7x7xF2 -> 14x14xF1 -> 28x28x1
    (``"decoder_out"``: ``Conv2DTranspose(1, 3, strides=2)`` with a sigmoid). Trained on noisy
    inputs (:func:`add_noise`) it is the denoising autoencoder of seed
    Course notes, *Autoencoders and convolutional networks*, *Autoencoders in deep learning*.

    Raises
    ------
    ValueError
        If ``latent_dim`` or a filter count is below 1, or ``filters`` does not hold two counts.
    """
    f = _check_units(filters, latent_dim)
    if len(f) != 2:
        raise ValueError(f"`filters` must hold two filter counts, got {filters!r}.")
    image = keras.Input(IMAGE_SHAPE, name="image")
    h = layers.Conv2D(f[0], 3, strides=2, padding="same", activation="relu", name="conv1")(image)
    h = layers.Conv2D(f[1], 3, strides=2, padding="same", activation="relu", name="conv2")(h)
    h = layers.Flatten(name="flatten")(h)
    encoder = keras.Model(image, layers.Dense(int(latent_dim), name="latent")(h), name="encoder")
    code = keras.Input((int(latent_dim),), name="code")
    h = layers.Dense(7 * 7 * f[1], activation="relu", name="dec_dense")(code)
    h = layers.Reshape((7, 7, f[1]), name="dec_reshape")(h)
    h = layers.Conv2DTranspose(f[0], 3, strides=2, padding="same", activation="relu", name="deconv1")(h)
    out = layers.Conv2DTranspose(1, 3, strides=2, padding="same", activation="sigmoid", name="decoder_out")(h)
    decoder = keras.Model(code, out, name="decoder")
    inp = keras.Input(IMAGE_SHAPE, name="image")
    return keras.Model(inp, decoder(encoder(inp)), name=name)


def add_noise(images, *, noise_factor: float, seed: int = 0) -> np.ndarray:
    """Corrupt images with Gaussian noise: ``clip(x + noise_factor * N(0, 1), 0, 1)``.

    Parameters
    ----------
    images : ndarray, float, values in [0, 1]
    noise_factor : float >= 0
        Standard deviation of the added noise (Keras blog denoising example uses 0.5).

    Returns
    -------
    ndarray, same shape, float32 in [0, 1]

    Raises
    ------
    ValueError
        If ``noise_factor`` is negative.
    """
    if noise_factor < 0:
        raise ValueError(f"`noise_factor` must be >= 0, got {noise_factor!r}.")
    x = np.asarray(images, dtype=np.float32)
    noise = np.random.default_rng(seed).standard_normal(x.shape).astype(np.float32)
    return np.clip(x + np.float32(noise_factor) * noise, 0.0, 1.0)


# --------------------------------------------------------------------------- VAE
@keras.saving.register_keras_serializable(package="neural_explainer")
class Sampling(layers.Layer):
    """Reparameterisation trick: ``z = mean + exp(log_var / 2) * eps``, ``eps ~ N(0, I)``."""

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        eps = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * eps

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@keras.saving.register_keras_serializable(package="neural_explainer")
class VAE(InnerModelsConfig, keras.Model):
    """Variational autoencoder (Kingma & Welling 2014; beyond the seeds).

    The encoder gives a mean ``"latent"`` and a log-variance ``"z_log_var"`` per code dimension;
    training samples ``z`` around the mean and minimises the per-image loss
    ``sum_pixels BCE(x, x_hat) + beta * KL(N(mean, var) || N(0, I))``, with
    ``KL = -0.5 * sum(1 + log_var - mean**2 - exp(log_var))``. The KL term pulls codes towards a
    standard normal, so the latent plane has no holes and any point near the origin decodes to a
    plausible digit. ``model(x)`` returns the reconstruction from the mean (deterministic).
    """

    INNER_MODELS, SCALARS = ("encoder", "decoder"), ("beta",)

    def __init__(self, encoder, decoder, *, beta: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.beta = float(beta)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.recon_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_tracker = keras.metrics.Mean(name="kl_loss")

    @property
    def metrics(self):
        return [self.loss_tracker, self.recon_tracker, self.kl_tracker]

    def call(self, inputs, training=False):
        z_mean, _, _ = self.encoder(inputs, training=training)
        return self.decoder(z_mean, training=training)

    def loss_terms(self, x, training=False):
        z_mean, z_log_var, z = self.encoder(x, training=training)
        x_hat = self.decoder(z, training=training)
        bce = keras.losses.binary_crossentropy(
            ops.reshape(x, (-1, N_PIXELS)), ops.reshape(x_hat, (-1, N_PIXELS))
        )
        recon = ops.mean(bce) * N_PIXELS
        kl = -0.5 * ops.mean(ops.sum(1 + z_log_var - z_mean**2 - ops.exp(z_log_var), axis=1))
        return recon + self.beta * kl, recon, kl

    def _track(self, total, recon, kl):
        self.loss_tracker.update_state(total)
        self.recon_tracker.update_state(recon)
        self.kl_tracker.update_state(kl)
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data):
        x = data[0] if isinstance(data, tuple) else data
        with tf.GradientTape() as tape:
            total, recon, kl = self.loss_terms(x, training=True)
        grads = tape.gradient(total, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights, strict=False))
        return self._track(total, recon, kl)

    def test_step(self, data):
        x = data[0] if isinstance(data, tuple) else data
        return self._track(*self.loss_terms(x, training=False))


def build_vae(
    *, latent_dim: int = 2, hidden_units=(256, 64), beta: float = 1.0, seed: int = 0, name: str = "vae"
) -> VAE:
    """Dense VAE with the same layer sizes as :func:`build_dense_autoencoder` (beyond the seeds).

    Returns
    -------
    VAE
        Built (weights created); encoder ``(N, 28, 28, 1) -> [z_mean, z_log_var, z]`` each
        ``(N, latent_dim)``; decoder ``(N, latent_dim) -> (N, 28, 28, 1)``.

    Raises
    ------
    ValueError
        If a layer size is below 1 or ``beta`` is negative.
    """
    units = _check_units(hidden_units, latent_dim)
    if beta < 0:
        raise ValueError(f"`beta` must be >= 0, got {beta!r}.")
    image, h = _dense_encoder_trunk(units)
    z_mean = layers.Dense(int(latent_dim), name="latent")(h)
    z_log_var = layers.Dense(int(latent_dim), name="z_log_var")(h)
    z = Sampling(seed=seed, name="z")([z_mean, z_log_var])
    encoder = keras.Model(image, [z_mean, z_log_var, z], name="encoder")
    decoder = build_dense_decoder(latent_dim=latent_dim, hidden_units=units[::-1])
    vae = VAE(encoder, decoder, beta=beta, name=name)
    vae(np.zeros((1, *IMAGE_SHAPE), np.float32))
    return vae


# --------------------------------------------------------------------------- using a model
def _as_images(images) -> np.ndarray:
    x = np.asarray(images, dtype=np.float32)
    if x.ndim == 2 and x.shape[1] == N_PIXELS:
        x = x.reshape(-1, 28, 28)
    if x.ndim == 2 and x.shape == (28, 28):
        x = x[None]
    if x.ndim == 3:
        x = x[..., None]
    if x.shape[1:] != IMAGE_SHAPE:
        raise ValueError(f"`images` must have shape (N, 28, 28[, 1]) or (N, 784), got {x.shape}.")
    return x


def _batched(fn, x: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    if len(x) <= batch_size:
        return np.asarray(fn(x, training=False))
    return np.concatenate(
        [np.asarray(fn(x[i : i + batch_size], training=False)) for i in range(0, len(x), batch_size)]
    )


def encode(model, images) -> np.ndarray:
    """Codes of ``images``: ``(N, 28, 28[, 1])`` or ``(N, 784)`` in [0, 1] -> ``(N, latent_dim)``
    float32 (for a :class:`VAE`, the mean of each image's code distribution)."""
    encoder = model.get_layer("encoder") if not isinstance(model, VAE) else model.encoder
    x = _as_images(images)
    if len(encoder.outputs) > 1:  # a VAE's encoder gives [z_mean, z_log_var, z]: keep the mean
        return _batched(lambda b, training: encoder(b, training=training)[0], x)
    return _batched(encoder, x)


def decode(model, codes) -> np.ndarray:
    """Images for codes ``(N, latent_dim)`` (or one code ``(latent_dim,)``): ``(N, 28, 28)``
    float32 in [0, 1]."""
    decoder = model.decoder if isinstance(model, VAE) else model.get_layer("decoder")
    z = np.atleast_2d(np.asarray(codes, dtype=np.float32))
    want = decoder.input_shape[-1]
    if z.ndim != 2 or z.shape[1] != want:
        raise ValueError(f"`codes` must have shape (N, {want}), got {np.shape(codes)}.")
    return _batched(decoder, z).reshape(-1, 28, 28)


def reconstruct(model, images) -> np.ndarray:
    """Decoded codes of ``images``: ``(N, 28, 28)`` float32 in [0, 1]."""
    return _batched(model, _as_images(images)).reshape(-1, 28, 28)


def reconstruction_error(model, images) -> np.ndarray:
    """Per-image mean squared reconstruction error, ``(N,)`` float32 (pixel units of [0, 1]).

    An autoencoder reconstructs well only data like its training data (Course notes, *Autoencoders and
    convolutional networks*, *Autoencoders in deep learning*), so a large error flags an anomaly.
    """
    x = _as_images(images)
    return np.mean((reconstruct(model, x) - x[..., 0]) ** 2, axis=(1, 2)).astype(np.float32)


def decode_manifold(model, *, x_range, y_range, n: int = 15) -> np.ndarray:
    """Decode :func:`latent_grid` into one mosaic image ``(28 n, 28 n)`` float32 in [0, 1]."""
    tiles = decode(model, latent_grid(x_range, y_range, n)).reshape(n, n, 28, 28)
    return tiles.transpose(0, 2, 1, 3).reshape(28 * n, 28 * n)


#: The public names, with the NumPy helpers that moved to :mod:`core.maths.latent_space` (the code
#: plane, the anomaly percentile, PCA), which pages still reach as ``ae.<name>``.
__all__ = [
    "AUTOENCODER_NOTES",
    "IMAGE_SHAPE",
    "N_PIXELS",
    "AutoencoderPreset",
    "PRESETS",
    "build_dense_decoder",
    "build_dense_autoencoder",
    "build_preset",
    "build_conv_autoencoder",
    "add_noise",
    "Sampling",
    "VAE",
    "build_vae",
    "encode",
    "decode",
    "reconstruct",
    "reconstruction_error",
    "decode_manifold",
]
