"""Generative adversarial networks: a small DCGAN for 28x28 digits, the seed's 96x96 DCGAN, sampling
and interpolation helpers.

A GAN trains two networks against each other (Course notes, *Introduction to deep learning* §7.1.4–7.1.5): a
*generator* turns random noise ``z`` into an image, a *discriminator* outputs the probability that an image is
real. The course's DCGAN (§7.2.2) uses Adam (learning rate 1.5e-4, beta_1 = 0.5) for both, batch normalisation
(momentum 0.8), LeakyReLU 0.2 in
the discriminator, a tanh output (images scaled to [-1, 1] by ``x / 127.5 - 1``) and the losses::

    D: BCE(1, D(x)) + BCE(0, D(G(z)))        G: BCE(1, D(G(z)))   (non-saturating)

:class:`DCGAN` follows that training recipe (losses, Adam settings, batch-norm momentum) for
MNIST-sized digits, in a Keras 3 ``Model`` with a custom ``train_step``, but not the seed's
generator layers: :func:`build_generator` upsamples with transposed convolutions and uses
LeakyReLU 0.2, where the seed's generator upsamples (``UpSampling2D``) and then convolves, with
ReLU, keeping LeakyReLU for the discriminator; :func:`build_course_generator` and
:func:`build_course_discriminator` rebuild the seed's own 96x96x3 networks (parameter counts
2,452,611 and 1,658,945) whose tomato data set is not available. Images given to and returned by
the helpers here are float32 in [0, 1] (MNIST's white digit on black); the networks see [-1, 1].

The toy GAN on 2-D points (GAN Lab's view, in NumPy) lives in :mod:`core.maths.toy_gan`; the latent paths
Interpolation between codes (lerp, slerp) is :mod:`core.maths.interpolation`, shared with the autoencoder.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from core.data.images import to_unit_range
from core.models.nested_models import InnerModelsConfig

INTRO_DL_NOTES = "Course notes, *Introduction to deep learning*"
IMAGE_SHAPE = (28, 28, 1)
LATENT_DIM = 64
#: Parameter counts of the seed's DCGAN (seed-notes facts 40-41, recounted with Keras).
COURSE_GENERATOR_PARAMS = 2_452_611
COURSE_DISCRIMINATOR_PARAMS = 1_658_945
#: The course's optimiser settings (§7.2.2): Adam(1.5e-4, beta_1=0.5) for both networks.
LEARNING_RATE = 1.5e-4
BETA_1 = 0.5


# --------------------------------------------------------------------------- 28x28 DCGAN
def build_generator(*, latent_dim: int = LATENT_DIM, filters=(64, 32), name: str = "generator"):
    """DCGAN generator: noise ``(N, latent_dim)`` -> image ``(N, 28, 28, 1)`` in [-1, 1].

    ``Dense(7*7*F1)`` ("project") -> batch norm -> LeakyReLU 0.2 -> reshape 7x7xF1 ->
    ``Conv2DTranspose(F2, 4, strides=2)`` 14x14 -> batch norm -> LeakyReLU 0.2 ->
    ``Conv2DTranspose(1, 4, strides=2)`` 28x28 with tanh (``"image"``). Batch norm uses the
    seed's momentum 0.8. Parameters: ``latent_dim*49*F1 + 4*49*F1 + 16*F1*F2 + 4*F2 + 16*F2 + 1``.

    Raises
    ------
    ValueError
        If ``latent_dim`` or a filter count is below 1, or ``filters`` does not hold two counts.
    """
    f = tuple(int(v) for v in filters)
    if len(f) != 2 or min(f) < 1 or int(latent_dim) < 1:
        raise ValueError(
            f"`latent_dim` must be >= 1 and `filters` two counts >= 1, got {latent_dim!r} and {filters!r}."
        )
    z = keras.Input((int(latent_dim),), name="noise")
    h = layers.Dense(7 * 7 * f[0], use_bias=False, name="project")(z)
    h = layers.BatchNormalization(momentum=0.8, name="bn0")(h)
    h = layers.LeakyReLU(negative_slope=0.2, name="lrelu0")(h)
    h = layers.Reshape((7, 7, f[0]), name="reshape")(h)
    h = layers.Conv2DTranspose(f[1], 4, strides=2, padding="same", use_bias=False, name="deconv1")(h)
    h = layers.BatchNormalization(momentum=0.8, name="bn1")(h)
    h = layers.LeakyReLU(negative_slope=0.2, name="lrelu1")(h)
    out = layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh", name="image")(h)
    return keras.Model(z, out, name=name)


def build_discriminator(*, filters=(32, 64), dropout: float = 0.25, name: str = "discriminator"):
    """DCGAN discriminator: image ``(N, 28, 28, 1)`` in [-1, 1] -> P(real) ``(N, 1)``.

    ``Conv2D(F1, 4, strides=2)`` 14x14 -> LeakyReLU 0.2 -> dropout -> ``Conv2D(F2, 4, strides=2)``
    7x7 -> batch norm (momentum 0.8) -> LeakyReLU 0.2 -> dropout -> flatten -> ``Dense(1,
    sigmoid)`` (``"score"``), the course's pattern (§7.2.2) at MNIST size.

    Raises
    ------
    ValueError
        If a filter count is below 1 or ``dropout`` is not in [0, 1).
    """
    f = tuple(int(v) for v in filters)
    if len(f) != 2 or min(f) < 1:
        raise ValueError(f"`filters` must hold two counts >= 1, got {filters!r}.")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"`dropout` must be in [0, 1), got {dropout!r}.")
    x = keras.Input(IMAGE_SHAPE, name="image")
    h = layers.Conv2D(f[0], 4, strides=2, padding="same", name="conv1")(x)
    h = layers.LeakyReLU(negative_slope=0.2, name="lrelu1")(h)
    h = layers.Dropout(dropout, name="drop1")(h)
    h = layers.Conv2D(f[1], 4, strides=2, padding="same", name="conv2")(h)
    h = layers.BatchNormalization(momentum=0.8, name="bn2")(h)
    h = layers.LeakyReLU(negative_slope=0.2, name="lrelu2")(h)
    h = layers.Dropout(dropout, name="drop2")(h)
    h = layers.Flatten(name="flatten")(h)
    return keras.Model(x, layers.Dense(1, activation="sigmoid", name="score")(h), name=name)


@keras.saving.register_keras_serializable(package="neural_explainer")
class DCGAN(InnerModelsConfig, keras.Model):
    """Generator and discriminator trained together by ``fit(real_images)`` (images in [-1, 1]).

    ``train_step`` follows the course's loop (Course notes, *Introduction to deep learning* §7.2.2): one batch
    of noise, one forward pass, two gradient tapes, both networks updated from the same pass (simultaneous
    updates), BCE losses on probabilities. It reports ``d_loss``, ``g_loss`` and the mean scores ``d_real`` =
    mean D(x) and ``d_fake`` = mean D(G(z)). ``model(z)`` generates images.
    """

    INNER_MODELS, SCALARS = ("generator", "discriminator"), ("seed",)

    def __init__(self, generator, discriminator, *, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(generator.input_shape[-1])
        self.seed = int(seed)
        self.seed_generator = keras.random.SeedGenerator(self.seed)
        self.trackers = {k: keras.metrics.Mean(name=k) for k in ("d_loss", "g_loss", "d_real", "d_fake")}
        self.built = True  # both halves are built functional models

    @property
    def metrics(self):
        return list(self.trackers.values())

    def compile(self, *, g_optimizer=None, d_optimizer=None, **kwargs):
        """Adam(1.5e-4, beta_1=0.5) for both networks unless optimisers are given (the seed's)."""
        super().compile(**kwargs)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(LEARNING_RATE, beta_1=BETA_1)
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(LEARNING_RATE, beta_1=BETA_1)

    def call(self, z, training=False):
        return self.generator(z, training=training)

    def losses_on(self, real, z, training=False):
        """Discriminator and generator losses and mean scores for one batch (no update)."""
        fake = self.generator(z, training=training)
        p_real = self.discriminator(real, training=training)
        p_fake = self.discriminator(fake, training=training)
        bce = keras.losses.binary_crossentropy
        d_loss = tf.reduce_mean(bce(tf.ones_like(p_real), p_real)) + tf.reduce_mean(
            bce(tf.zeros_like(p_fake), p_fake)
        )
        g_loss = tf.reduce_mean(bce(tf.ones_like(p_fake), p_fake))
        return d_loss, g_loss, tf.reduce_mean(p_real), tf.reduce_mean(p_fake)

    def train_step(self, data):
        real = data[0] if isinstance(data, tuple) else data
        z = keras.random.normal((tf.shape(real)[0], self.latent_dim), seed=self.seed_generator)
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            d_loss, g_loss, d_real, d_fake = self.losses_on(real, z, training=True)
        g_vars, d_vars = self.generator.trainable_weights, self.discriminator.trainable_weights
        self.g_optimizer.apply_gradients(zip(g_tape.gradient(g_loss, g_vars), g_vars, strict=False))
        self.d_optimizer.apply_gradients(zip(d_tape.gradient(d_loss, d_vars), d_vars, strict=False))
        for key, value in zip(self.trackers, (d_loss, g_loss, d_real, d_fake), strict=False):
            self.trackers[key].update_state(value)
        return {k: m.result() for k, m in self.trackers.items()}


class GridSnapshots(keras.callbacks.Callback):
    """Render the generator on a fixed noise batch before training and after every epoch.

    ``frames`` collects uint8 arrays ``(n, 28, 28)`` (0 = black), one per epoch plus epoch 0, for
    the time-lapse; the seed saves such a 5x5 preview as ``train-{epoch}.png`` (§7.2.2).
    """

    def __init__(self, generator, noise):
        super().__init__()
        self.generator = generator
        self.noise = np.asarray(noise, np.float32)
        self.frames: list[np.ndarray] = []

    def _grab(self):
        self.frames.append(to_uint8(generate(self.generator, self.noise)))

    def on_train_begin(self, logs=None):
        if not self.frames:
            self._grab()

    def on_epoch_end(self, epoch, logs=None):
        self._grab()


# --------------------------------------------------------------------------- the seed's DCGAN
def build_course_generator(*, seed_size: int = 200, channels: int = 3, gen_res: int = 3):
    """The course's ``create_generator`` (§7.2.2): noise 200 -> 96x96x3 tanh image.

    Dense(4*4*256, relu) -> (4, 4, 256) -> 3 x [UpSampling2D -> Conv2D(256, 256, 128; 3x3, same)
    -> BatchNorm(momentum 0.8) -> ReLU] (8, 16, 32) -> UpSampling2D(gen_res) -> Conv2D(128) ->
    BatchNorm -> ReLU (96) -> Conv2D(channels, 3x3) -> tanh. The seed's generator upsamples and
    convolves rather than using transposed convolutions. With the defaults it has 2,452,611
    parameters (2,451,075 trainable; 1,536 are batch-norm moving statistics), as
    :data:`COURSE_GENERATOR_PARAMS` (seed-notes fact 40).

    Raises
    ------
    ValueError
        If an argument is below 1.
    """
    if min(seed_size, channels, gen_res) < 1:
        raise ValueError(
            "`seed_size`, `channels` and `gen_res` must all be >= 1, got "
            f"{seed_size!r}, {channels!r}, {gen_res!r}."
        )
    z = keras.Input((seed_size,), name="noise")
    h = layers.Dense(4 * 4 * 256, activation="relu", name="dense")(z)
    h = layers.Reshape((4, 4, 256), name="reshape")(h)
    blocks = [(256, 2), (256, 2), (128, 2)] + ([(128, gen_res)] if gen_res > 1 else [])
    for i, (n, size) in enumerate(blocks, start=1):
        h = layers.UpSampling2D(size=size, name=f"up{i}")(h)
        h = layers.Conv2D(n, 3, padding="same", name=f"conv{i}")(h)
        h = layers.BatchNormalization(momentum=0.8, name=f"bn{i}")(h)
        h = layers.Activation("relu", name=f"relu{i}")(h)
    h = layers.Conv2D(channels, 3, padding="same", name="conv_out")(h)
    return keras.Model(z, layers.Activation("tanh", name="tanh")(h), name="course_generator")


def build_course_discriminator(*, image_shape=(96, 96, 3)):
    """The course's ``create_discriminator`` (§7.2.2): 96x96x3 image -> P(real).

    Conv2D 32 (s2) 48 -> LeakyReLU 0.2 -> Dropout 0.25 -> Conv2D 64 (s2) 24 -> ZeroPadding
    ((0, 1), (0, 1)) 25 -> BN 0.8 -> LReLU -> Dropout -> Conv2D 128 (s2) 13 -> BN -> LReLU ->
    Dropout -> Conv2D 256 -> BN -> LReLU -> Dropout -> Conv2D 512 -> BN -> LReLU -> Dropout ->
    Flatten (13*13*512 = 86,528) -> Dense(1, sigmoid); all kernels 3x3, padding same. 1,658,945
    parameters (1,657,025 trainable), :data:`COURSE_DISCRIMINATOR_PARAMS` (seed-notes fact 41).
    """
    x = keras.Input(tuple(image_shape), name="image")
    h = layers.Conv2D(32, 3, strides=2, padding="same", name="conv1")(x)
    h = layers.LeakyReLU(negative_slope=0.2, name="lrelu1")(h)
    h = layers.Dropout(0.25, name="drop1")(h)
    h = layers.Conv2D(64, 3, strides=2, padding="same", name="conv2")(h)
    h = layers.ZeroPadding2D(padding=((0, 1), (0, 1)), name="pad2")(h)
    for i, (n, s) in enumerate([(64, None), (128, 2), (256, 1), (512, 1)], start=2):
        if s is not None:
            h = layers.Conv2D(n, 3, strides=s, padding="same", name=f"conv{i}")(h)
        h = layers.BatchNormalization(momentum=0.8, name=f"bn{i}")(h)
        h = layers.LeakyReLU(negative_slope=0.2, name=f"lrelu{i}")(h)
        h = layers.Dropout(0.25, name=f"drop{i}")(h)
    h = layers.Flatten(name="flatten")(h)
    return keras.Model(x, layers.Dense(1, activation="sigmoid", name="score")(h), name="course_discriminator")


# --------------------------------------------------------------------------- using a generator
def sample_latent(n: int, *, latent_dim: int = LATENT_DIM, seed: int = 0) -> np.ndarray:
    """Standard-normal noise ``(n, latent_dim)`` float32; the same seed gives the same noise."""
    if int(n) < 1 or int(latent_dim) < 1:
        raise ValueError(f"`n` and `latent_dim` must be >= 1, got {n!r} and {latent_dim!r}.")
    rng = np.random.default_rng(seed)
    return rng.standard_normal((int(n), int(latent_dim))).astype(np.float32)


def to_model_range(images) -> np.ndarray:
    """Images in [0, 1] (``(N, 28, 28)`` or ``(N, 28, 28, 1)``) -> ``(N, 28, 28, 1)`` in [-1, 1]
    (the seed's ``x / 127.5 - 1`` for 8-bit images)."""
    x = np.asarray(images, dtype=np.float32)
    if x.ndim == 2:
        x = x[None]
    if x.ndim == 3:
        x = x[..., None]
    if x.shape[1:] != IMAGE_SHAPE:
        raise ValueError(f"`images` must have shape (N, 28, 28[, 1]), got {np.shape(images)}.")
    return x * 2.0 - 1.0


def generate(generator, z) -> np.ndarray:
    """Images for noise ``z`` ``(N, latent_dim)``: ``(N, 28, 28)`` float32 in [0, 1] (the seed's
    ``0.5 * x + 0.5`` on the tanh output)."""
    z = np.atleast_2d(np.asarray(z, dtype=np.float32))
    want = generator.input_shape[-1]
    if z.shape[1] != want:
        raise ValueError(f"`z` must have shape (N, {want}), got {z.shape}.")
    out = np.asarray(generator.predict_on_batch(z))  # Keras' compiled inference: ~2.5× faster than eager
    return np.clip(0.5 * out[..., 0] + 0.5, 0.0, 1.0)


def to_uint8(images) -> np.ndarray:
    """[0, 1] floats to uint8 0..255 (rounded)."""
    return np.clip(np.rint(np.asarray(images) * 255.0), 0, 255).astype(np.uint8)


def discriminator_score(discriminator, images) -> np.ndarray:
    """P(real) the discriminator gives each image ``(N, 28, 28[, 1])`` in [0, 1]: ``(N,)``."""
    return np.asarray(discriminator.predict_on_batch(to_model_range(images)))[:, 0]


def vary_dimension(z, *, dim: int, values) -> np.ndarray:
    """Copies of one code ``z`` ``(D,)`` with coordinate ``dim`` set to each of ``values``:
    ``(len(values), D)`` float32."""
    z = np.asarray(z, np.float32).ravel()
    if not 0 <= int(dim) < z.size:
        raise ValueError(f"`dim` must be in 0..{z.size - 1}, got {dim!r}.")
    out = np.repeat(z[None], len(values), axis=0)
    out[:, int(dim)] = np.asarray(values, np.float32)
    return out


def nearest_real(image, real_images, *, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` real images closest to ``image`` in pixel space (Euclidean distance).

    Parameters
    ----------
    image : ndarray (28, 28), float in [0, 1]
    real_images : ndarray (N, 28, 28), uint8 0..255 or float in [0, 1]

    Returns
    -------
    indices : ndarray (k,), int64, nearest first
    distances : ndarray (k,), float64, L2 distance in [0, 1] pixel units (at most 28)
    """
    real = np.asarray(real_images)
    flat = (to_unit_range(real) if real.dtype == np.uint8 else real.astype(np.float32)).reshape(len(real), -1)
    q = np.asarray(image, np.float32).reshape(-1)
    if q.size != flat.shape[1]:
        raise ValueError(f"`image` must have {flat.shape[1]} pixels, got {q.size}.")
    diff = flat - q  # direct differences: no cancellation, an exact copy is at distance 0
    dist = np.sqrt(np.einsum("ij,ij->i", diff, diff, dtype=np.float64))
    idx = np.argsort(dist, kind="stable")[: min(int(k), len(flat))]
    return idx.astype(np.int64), dist[idx]
