"""Gradient descent in NumPy: a dense softmax layer's forward pass and hand-made gradient, the update
``w ← w - η · dL/dW``, a finite-difference check, and descent on a 2-D quadratic bowl.

Checked against ``tf.GradientTape`` in ``tests/core/test_losses.py``.

References
----------
Course notes, *Autoencoders and convolutional networks*, *CNN: training* (forward pass: an untrained network
gives every class 0.1; backward pass dE/dW; the weight update ``w = w_i - η · dL/dW``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from core.maths.losses import cross_entropy, one_hot, softmax


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


def finite_difference(
    loss: Callable[[np.ndarray], float], weights, index: tuple, *, h: float = 1e-4
) -> float:
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
    return 0.5 * (np.asarray(curvatures) * w**2).sum(axis=-1)


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


def one_gradient_step(
    x, label: int, learning_rate: float, *, checked: tuple = (), weights=None, bias=None
) -> dict:
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
    return {
        "probs_before": probs,
        "loss_before": loss_at(w),
        "grad_w": grad_w,
        "grad_b": grad_b,
        "finite": [finite_difference(loss_at, w, tuple(i)) for i in checked],
        "weights_after": w_after,
        "bias_after": b_after,
        "probs_after": probs_after,
        "loss_after": float(cross_entropy(target, probs_after, eps=0.0)),
    }
