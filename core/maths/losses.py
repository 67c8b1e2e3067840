"""The numbers of training, in NumPy: softmax, cross-entropy, one gradient step, dropout masks with
inverted scaling and the batch-normalization forward pass.

Each routine is checked against Keras in ``tests/core/test_losses.py`` (``keras.losses``,
``tf.GradientTape``, ``keras.layers.Dropout`` / ``SpatialDropout2D`` / ``BatchNormalization``).

References
----------
- Course notes, *Autoencoders and convolutional networks*, *CNN: training* (forward pass: an untrained network
  gives every class 0.1; cross-entropy against the target "7" = [0 0 0 0 0 0 0 1 0 0]; backward pass dE/dW)
  and the weight update ``w = w_i - η · dL/dW``. The course prints the uniform output with 13 entries; MNIST
  has 10 classes, so the uniform output is 0.1 ten times and the loss is -ln 0.1 = 2.302585.
- *CNN: dropout* (overfitting, dropout with rate p resampled every step, none at test time),
  *Batch normalization* (batch normalization, ``momentum=0.99, epsilon=0.001``).
- Course notes, *CNNs and regularisation in Keras*, *CNNs: batch normalization and spatial dropout 2D*
  (SpatialDropout2D drops whole channels).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

#: Number of classes of MNIST.
NUM_CLASSES = 10
#: The seed's target: the one-hot vector of the digit "7" (Course notes, *Autoencoders and convolutional networks*, *CNN: training*).
SEED_TARGET_LABEL = 7
#: Keras' BatchNormalization defaults, as the seed prints them (Course notes, *Autoencoders and convolutional networks*, *Batch normalization*).
BN_MOMENTUM = 0.99
BN_EPSILON = 1e-3


def _check_finite(name: str, values: np.ndarray) -> np.ndarray:
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} must be finite numbers (no NaN or infinity)")
    return values


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
    z = _check_finite("logits", np.asarray(logits, dtype=np.float64))
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
    z = _check_finite("logits", np.asarray(logits, dtype=np.float64))
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
    t = _check_finite("target", np.asarray(target, dtype=np.float64))
    p = _check_finite("probs", np.asarray(probs, dtype=np.float64))
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
    t = _check_finite("target", np.asarray(target, dtype=np.float64))
    return -(t * log_softmax(logits)).sum(axis=-1)


def probabilities_with(p_target: float, *, label: int = SEED_TARGET_LABEL,
                       num_classes: int = NUM_CLASSES) -> np.ndarray:
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


# --------------------------------------------------------------------------- one gradient step
def dense_softmax_forward(x, weights, bias) -> tuple[np.ndarray, np.ndarray]:
    """One dense layer with a softmax: ``z = x W + b``, ``p = softmax(z)``.

    Parameters
    ----------
    x : array of shape (D,)
        One flattened image (D = 784 for a 28 × 28 digit), values in [0, 1].
    weights : array of shape (D, C)
    bias : array of shape (C,)

    Returns
    -------
    (logits, probs) : two ndarrays of shape (C,), float64

    Raises
    ------
    ValueError
        If the shapes do not fit together.
    """
    x, w, b = (np.asarray(a, dtype=np.float64) for a in (x, weights, bias))
    if x.ndim != 1 or w.shape != (x.size, b.size):
        raise ValueError(f"need x (D,), weights (D, C), bias (C,); got {x.shape}, {w.shape}, {b.shape}")
    logits = x @ w + b
    return logits, softmax(logits)


def dense_softmax_gradient(x, target, weights, bias) -> tuple[np.ndarray, np.ndarray]:
    """dL/dW and dL/db of the cross-entropy of :func:`dense_softmax_forward` (backpropagation by hand).

    With ``p = softmax(xW + b)`` and ``L = -Σ t ln p``: ``dL/dz = p - t``, so
    ``dL/dW = outer(x, p - t)`` (shape (D, C)) and ``dL/db = p - t`` (shape (C,)). Each column of
    dL/dW is the image itself times one number: the step ``W ← W - η dL/dW`` adds ``η (1 - p_7) x``
    to the target's column and subtracts ``η p_j x`` from every other column.
    """
    _, probs = dense_softmax_forward(x, weights, bias)
    delta = probs - np.asarray(target, dtype=np.float64)
    return np.outer(np.asarray(x, dtype=np.float64), delta), delta


def gradient_step(weights, gradient, learning_rate: float) -> np.ndarray:
    """``w ← w - η · dL/dW`` (Course notes, *Autoencoders and convolutional networks*, *CNN: training*), a new
    array.

    Raises ValueError unless ``learning_rate`` is a finite number > 0.
    """
    learning_rate = float(learning_rate)
    if not (np.isfinite(learning_rate) and learning_rate > 0):
        raise ValueError(f"learning_rate must be a finite number > 0, got {learning_rate!r}")
    return np.asarray(weights, dtype=np.float64) - learning_rate * np.asarray(gradient, dtype=np.float64)


def finite_difference(loss: Callable[[np.ndarray], float], weights, index: tuple, *, h: float = 1e-4) -> float:
    """Central difference ``(L(w + h e_i) - L(w - h e_i)) / 2h`` of ``loss`` at one weight ``index``:
    a check of a backpropagated gradient that needs no calculus (error O(h²))."""
    w = np.array(weights, dtype=np.float64)
    plus, minus = w.copy(), w.copy()
    plus[index] += h
    minus[index] -= h
    return float((loss(plus) - loss(minus)) / (2 * h))


def quadratic_bowl(w, curvatures=(1.0, 10.0)) -> np.ndarray:
    """A 2-D loss surface ``L(w) = ½ Σ_k a_k w_k²``, w of shape (..., 2): an elongated valley
    (a steep and a shallow direction), as real loss surfaces are near a minimum."""
    w = np.asarray(w, dtype=np.float64)
    return 0.5 * (np.asarray(curvatures) * w ** 2).sum(axis=-1)


def descend_bowl(start, learning_rate: float, steps: int, curvatures=(1.0, 10.0)) -> np.ndarray:
    """Gradient descent on :func:`quadratic_bowl`: the path, shape (steps + 1, 2).

    Each step multiplies coordinate k by ``1 - η a_k``: it converges when ``η < 2 / max(a)``
    (0.2 for curvatures (1, 10)), zig-zags across the valley near that limit and diverges above it;
    a tiny η crawls along the shallow direction.
    """
    a = np.asarray(curvatures, dtype=np.float64)
    path = [np.asarray(start, dtype=np.float64)]
    for _ in range(int(steps)):
        path.append(gradient_step(path[-1], a * path[-1], learning_rate))
    return np.array(path)


# --------------------------------------------------------------------------- dropout
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


def dropout(x, rate: float, *, training: bool, mask: np.ndarray | None = None,
            rng: np.random.Generator | None = None) -> np.ndarray:
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


# --------------------------------------------------------------------------- batch normalization
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
    x = _check_finite("x", np.asarray(x, dtype=np.float64))
    if x.ndim < 2:
        raise ValueError(f"x must be a batch (N, ..., C), got shape {x.shape}")
    axes = tuple(range(x.ndim - 1))
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    normalized = (x - mean) / np.sqrt(var + epsilon)
    return {"mean": mean, "var": var, "normalized": normalized,
            "output": np.asarray(gamma) * normalized + np.asarray(beta)}


def moving_average(moving, batch_value, *, momentum: float = BN_MOMENTUM) -> np.ndarray:
    """BN's running statistic after one training batch: ``momentum · moving + (1 - momentum) · batch``.

    Keras keeps the moving mean and variance (the 2 non-trainable numbers per channel) this way
    and uses them at inference (``training=False``) instead of the batch's statistics.
    """
    return momentum * np.asarray(moving, dtype=np.float64) + (1 - momentum) * np.asarray(batch_value, dtype=np.float64)


def batch_norm_parameters(channels: int) -> dict:
    """BatchNormalization's numbers per layer: 4 per channel (γ, β trainable; moving mean and moving
    variance not trainable). E.g. 16 channels: 64 parameters, 32 trainable."""
    if int(channels) < 1:
        raise ValueError(f"channels must be >= 1, got {channels!r}")
    return {"total": 4 * int(channels), "trainable": 2 * int(channels), "non_trainable": 2 * int(channels)}


def early_stopping_epoch(val_loss, *, patience: int) -> dict:
    """Where ``keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
    restore_best_weights=True)`` stops on a validation-loss history.

    Returns
    -------
    dict
        ``best`` (1-based epoch of the lowest validation loss so far when it stops), ``stop`` (the
        last epoch it trains, 1-based; the history's length if it never stops).
    """
    losses = _check_finite("val_loss", np.asarray(val_loss, dtype=np.float64).reshape(-1))
    if losses.size == 0 or int(patience) < 1:
        raise ValueError("need a non-empty val_loss and patience >= 1")
    best, wait = 0, 0
    for epoch in range(1, losses.size):
        if losses[epoch] < losses[best]:
            best, wait = epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return {"best": best + 1, "stop": epoch + 1}
    return {"best": best + 1, "stop": int(losses.size)}


def one_gradient_step(x, label: int, learning_rate: float, *, checked: tuple = (), weights=None,
                      bias=None) -> dict:
    """One step of gradient descent for a dense softmax layer on one image, with every number.

    Parameters
    ----------
    x : array of shape (D,)
        The flattened image, values in [0, 1].
    label : int
        The true class.
    learning_rate : float > 0
    checked : tuple of (row, column) weight indices
        Weights whose backpropagated gradient is compared with :func:`finite_difference`.
    weights, bias : arrays of shape (D, C) and (C,), optional
        The starting point; default zeros, the untrained network whose output is the uniform 0.1 of the seed
        (Course notes, *Autoencoders and convolutional networks*, *CNN: training*), so the loss starts at -ln
        0.1 = 2.3026.

    Returns
    -------
    dict
        ``probs_before``, ``loss_before``, ``grad_w`` (D, C), ``grad_b`` (C,), ``finite`` (one float
        per ``checked`` index), ``weights_after``, ``bias_after``, ``probs_after``, ``loss_after``.
    """
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    target = one_hot(label)
    w = np.zeros((x.size, target.size)) if weights is None else np.asarray(weights, dtype=np.float64)
    b = np.zeros(target.size) if bias is None else np.asarray(bias, dtype=np.float64)

    def loss_at(w_):
        return float(cross_entropy(target, dense_softmax_forward(x, w_, b)[1], eps=0.0))

    probs = dense_softmax_forward(x, w, b)[1]
    grad_w, grad_b = dense_softmax_gradient(x, target, w, b)
    w_after, b_after = gradient_step(w, grad_w, learning_rate), gradient_step(b, grad_b, learning_rate)
    probs_after = dense_softmax_forward(x, w_after, b_after)[1]
    return {"probs_before": probs, "loss_before": loss_at(w), "grad_w": grad_w, "grad_b": grad_b,
            "finite": [finite_difference(loss_at, w, tuple(i)) for i in checked],
            "weights_after": w_after, "bias_after": b_after, "probs_after": probs_after,
            "loss_after": float(cross_entropy(target, probs_after, eps=0.0))}
