"""Batch normalization in NumPy: the training forward pass, the moving statistics and the parameter count.

Checked against ``keras.layers.BatchNormalization`` in ``tests/core/test_losses.py``.

References
----------
Course notes, *Autoencoders and convolutional networks*, *Batch normalization* (``momentum=0.99,
epsilon=0.001``).
"""

from __future__ import annotations

import numpy as np

from core.maths.checks import finite_array

# : Keras' BatchNormalization defaults, as the course prints them
# (Course notes, *Autoencoders and convolutional networks*, *Batch normalization*).
BN_MOMENTUM = 0.99
BN_EPSILON = 1e-3


def batch_norm_train(x, gamma=1.0, beta=0.0, *, epsilon: float = BN_EPSILON) -> dict:
    """Batch normalization of one training batch, per channel (the last axis), as
    ``keras.layers.BatchNormalization(...)(x, training=True)``.

    ``x̂ = (x - μ_B) / sqrt(σ²_B + ε)`` with the batch's mean and (biased) variance over every axis
    but the last, then ``y = γ x̂ + β``.

    Parameters
    ----------
    x : array of shape (N, C) or (N, H, W, C)
    gamma, beta : float or array of shape (C,)
        The two trainable parameters per channel (initially 1 and 0).
    epsilon : float
        Keras' default 0.001 (Course notes, *Autoencoders and convolutional networks*, *Batch normalization*).

    Returns
    -------
    dict
        ``mean``, ``var`` (shape (C,)), ``normalized`` (x̂), ``output`` (y), float64.

    Raises
    ------
    ValueError
        If ``x`` has fewer than 2 dimensions or holds NaN.
    """
    x = finite_array(x, "x")
    if x.ndim < 2:
        raise ValueError(f"x must be a batch (N, ..., C), got shape {x.shape}")
    axes = tuple(range(x.ndim - 1))
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    normalized = (x - mean) / np.sqrt(var + epsilon)
    return {
        "mean": mean,
        "var": var,
        "normalized": normalized,
        "output": np.asarray(gamma) * normalized + np.asarray(beta),
    }


def moving_average(moving, batch_value, *, momentum: float = BN_MOMENTUM) -> np.ndarray:
    """BN's running statistic after one training batch: ``momentum · moving + (1 - momentum) · batch``.

    Keras keeps the moving mean and variance (the 2 non-trainable numbers per channel) this way
    and uses them at inference (``training=False``) instead of the batch's statistics.
    """
    return momentum * np.asarray(moving, dtype=np.float64) + (1 - momentum) * np.asarray(
        batch_value, dtype=np.float64
    )


def batch_norm_parameters(channels: int) -> dict:
    """BatchNormalization's numbers per layer: 4 per channel (γ, β trainable; moving mean and moving
    variance not trainable). E.g. 16 channels: 64 parameters, 32 trainable."""
    if int(channels) < 1:
        raise ValueError(f"channels must be >= 1, got {channels!r}")
    return {"total": 4 * int(channels), "trainable": 2 * int(channels), "non_trainable": 2 * int(channels)}
