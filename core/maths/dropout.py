"""Dropout in NumPy: masks (per unit and per channel, as SpatialDropout2D) and inverted scaling.

Checked against ``keras.layers.Dropout`` / ``SpatialDropout2D`` in ``tests/core/test_losses.py``.

References
----------
- Course notes, *Autoencoders and convolutional networks*, *CNN: dropout* (overfitting, dropout with rate p
  resampled every step, none at test time).
- Course notes, *CNNs and regularisation in Keras*, *CNNs: batch normalization and spatial dropout 2D*
  (SpatialDropout2D drops whole channels).
"""

from __future__ import annotations

import numpy as np


def dropout_mask(shape: tuple, rate: float, *, rng: np.random.Generator) -> np.ndarray:
    """A dropout mask: each unit kept (1.0) with probability ``1 - rate``, else dropped (0.0).

    Raises ValueError unless ``0 <= rate < 1``.
    """
    if not 0.0 <= float(rate) < 1.0:
        raise ValueError(f"rate must be in [0, 1), got {rate!r}")
    return (rng.random(shape) >= rate).astype(np.float64)


def spatial_dropout_mask(shape: tuple, rate: float, *, rng: np.random.Generator) -> np.ndarray:
    """SpatialDropout2D's mask for feature maps of shape (H, W, C) or (N, H, W, C): one draw per
    channel (per image), broadcast over H and W, so a whole feature map is kept or dropped
    (Course notes, *CNNs and regularisation in Keras*, *CNNs: batch normalization and spatial dropout 2D*)."""
    shape = tuple(shape)
    if len(shape) not in (3, 4):
        raise ValueError(f"shape must be (H, W, C) or (N, H, W, C), got {shape}")
    per_channel = shape[:-3] + (1, 1, shape[-1])
    return np.broadcast_to(dropout_mask(per_channel, rate, rng=rng), shape).copy()


def dropout(
    x, rate: float, *, training: bool, mask: np.ndarray | None = None, rng: np.random.Generator | None = None
) -> np.ndarray:
    """Inverted dropout, as ``keras.layers.Dropout``: in training ``x · mask / (1 - rate)``; at
    inference ``x`` unchanged.

    Scaling the kept units by ``1 / (1 - rate)`` during training keeps each unit's expected value equal to its
    inference value, so nothing is rescaled at test time. The original paper (Srivastava et al. 2014, linked
    in Course notes, *Autoencoders and convolutional networks*, *CNN: dropout*) used the older convention: no
    scaling in training and weights multiplied by ``1 - rate`` at test time. Both give the same expected
    activations.

    Parameters
    ----------
    x : array
    rate : float in [0, 1)
    training : bool
    mask : array of x's shape, optional
        0/1 mask to use (e.g. :func:`spatial_dropout_mask`); default a fresh :func:`dropout_mask`.
    rng : numpy Generator, optional
        Needed when ``training`` and no ``mask``.
    """
    x = np.asarray(x, dtype=np.float64)
    if not 0.0 <= float(rate) < 1.0:
        raise ValueError(f"rate must be in [0, 1), got {rate!r}")
    if not training or rate == 0:
        return x.copy()
    if mask is None:
        if rng is None:
            raise ValueError("pass rng (or a mask) for dropout in training")
        mask = dropout_mask(x.shape, rate, rng=rng)
    return x * mask / (1.0 - rate)
