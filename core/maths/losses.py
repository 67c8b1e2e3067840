"""Losses in NumPy: one-hot targets, softmax, cross-entropy (from probabilities and from logits) and the
course's softmax-twice mistake.

Each routine is checked against Keras in ``tests/core/test_losses.py`` (``keras.losses``). The gradient
step lives in :mod:`core.maths.gradient_descent`, dropout in :mod:`core.maths.dropout`, batch normalization
in :mod:`core.maths.batch_norm` and early stopping in :mod:`core.maths.early_stopping`.

References
----------
- Course notes, *Autoencoders and convolutional networks*, *CNN: training* (forward pass: an untrained network
  gives every class 0.1; cross-entropy against the target "7" = [0 0 0 0 0 0 0 1 0 0]; backward pass dE/dW)
  The course prints the uniform output with 13 entries; MNIST
  has 10 classes, so the uniform output is 0.1 ten times and the loss is -ln 0.1 = 2.302585.
"""

from __future__ import annotations

import numpy as np

from core.maths.checks import finite_array

#: Number of classes of MNIST.
NUM_CLASSES = 10
# : The course's target: the one-hot vector of the digit "7"
# (Course notes, *Autoencoders and convolutional networks*, *CNN: training*).
COURSE_TARGET_LABEL = 7


def one_hot(label: int, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """The one-hot target of ``label``: shape (num_classes,), float64, a single 1.

    Raises ValueError if ``label`` is not in ``[0, num_classes)``.

    References
    ----------
    Course notes, *Autoencoders and convolutional networks*, *CNN: training* (``[0 0 0 0 0 0 0 1 0 0]``
    represents the digit 7).
    """
    if not 0 <= int(label) < num_classes:
        raise ValueError(f"label must be in [0, {num_classes}), got {label!r}")
    target = np.zeros(num_classes)
    target[int(label)] = 1.0
    return target


def softmax(logits, axis: int = -1) -> np.ndarray:
    """Probabilities ``exp(z_i) / Σ_j exp(z_j)`` along ``axis`` (any shape, float64).

    The maximum is subtracted first (same result, no overflow for large logits).
    Raises ValueError for NaN or infinite logits.
    """
    z = finite_array(logits, "logits")
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def score_text(p: float) -> str:
    """A softmax score as a percentage to 0.1 %, never rounded up to "100.0%" or down to "0.0%".

    Parameters
    ----------
    p : float in [0, 1]
        One softmax output.

    Returns
    -------
    str
        ``"> 99.9%"`` when ``p >= 0.9995`` (it would print as 100.0 % although p < 1), ``"< 0.1%"`` when
        ``0 < p < 0.0005``, else ``f"{p:.1%}"`` (e.g. ``"87.3%"``).

    Raises
    ------
    ValueError
        If ``p`` is not a number in [0, 1].

    Notes
    -----
    A softmax score is not a calibrated probability: networks trained with cross-entropy are often
    over-confident (Guo et al., "On calibration of modern neural networks", ICML 2017).
    """
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be a softmax score in [0, 1], got {p!r}")
    if p >= 0.9995:
        return "> 99.9%"
    if 0.0 < p < 0.0005:
        return "< 0.1%"
    return f"{p:.1%}"


def log_softmax(logits, axis: int = -1) -> np.ndarray:
    """``log(softmax(logits))`` computed as ``z - logsumexp(z)``: exact also where softmax underflows."""
    z = finite_array(logits, "logits")
    m = z.max(axis=axis, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=axis, keepdims=True))


def cross_entropy(target, probs, *, eps: float = 1e-7) -> np.ndarray:
    """Categorical cross-entropy ``-Σ_i t_i ln p_i`` over the last axis (natural log, nats).

    Parameters
    ----------
    target : array of shape (..., C)
        One-hot (or any distribution) over the C classes.
    probs : array of shape (..., C)
        The network's probabilities (a softmax output), each in [0, 1].
    eps : float
        Probabilities are clipped to ``[eps, 1 - eps]`` as ``keras.losses.categorical_crossentropy``
        does (Keras' ``epsilon()`` = 1e-7), so p = 0 gives a large finite loss, not infinity.

    Returns
    -------
    ndarray of shape (...,), float64
        For the course's "7" against the uniform 0.1: ``-ln 0.1 = 2.302585``.

    Raises
    ------
    ValueError
        If the shapes differ, a value is NaN, or a probability is outside [0, 1].
    """
    t = finite_array(target, "target")
    p = finite_array(probs, "probs")
    if t.shape != p.shape:
        raise ValueError(f"target and probs must have the same shape, got {t.shape} and {p.shape}")
    if p.min() < 0 or p.max() > 1 + 1e-9:
        raise ValueError("probs must be probabilities in [0, 1]; pass logits to cross_entropy_from_logits")
    return -(t * np.log(np.clip(p, eps, 1 - eps))).sum(axis=-1)


def cross_entropy_from_logits(target, logits) -> np.ndarray:
    """Cross-entropy of ``softmax(logits)`` against ``target``, via :func:`log_softmax` (shape (...,)).

    This is ``keras.losses.CategoricalCrossentropy(from_logits=True)``: the loss applies the
    softmax itself, so the model must end with the ``Dense(10)`` logits, *without* a softmax.
    """
    t = finite_array(target, "target")
    return -(t * log_softmax(logits)).sum(axis=-1)


def probabilities_with(
    p_target: float, *, label: int = COURSE_TARGET_LABEL, num_classes: int = NUM_CLASSES
) -> np.ndarray:
    """An output distribution with ``p_target`` on ``label`` and the rest shared equally.

    ``p_target = 0.1`` gives the untrained network's uniform output (Course notes, *Autoencoders and
    convolutional networks*, *CNN: training*). Raises ValueError unless ``0 < p_target < 1``.
    """
    p_target = float(p_target)
    if not (np.isfinite(p_target) and 0.0 < p_target < 1.0):
        raise ValueError(f"p_target must be strictly between 0 and 1, got {p_target!r}")
    probs = np.full(num_classes, (1.0 - p_target) / (num_classes - 1))
    probs[one_hot(label, num_classes).astype(bool)] = p_target
    return probs


def softmax_twice_loss(target, probs) -> np.ndarray:
    """The course's mix-up: a model that already ends in softmax compiled with ``from_logits=True``
    (Course notes, *Autoencoders and convolutional networks*, *Convolution NN on MNIST dataset with Keras*: a
    softmax output layer compiled with ``SparseCategoricalCrossentropy(from_logits=True)``). The loss treats
    the probabilities as logits and applies softmax again, ``CE(t, softmax(p))``: every softmax(p) lies
    between e^0/(e^1 + 9) and e^1/(e^1 + 9) for C = 10, so the loss stays between 1.46 and 2.46 however sure
    and right the network is: the gradient that should push p(7) up almost vanishes."""
    return cross_entropy_from_logits(target, probs)
