"""The residual block of ResNet and why it helps deep networks train, in NumPy.

Course notes, *CNN building blocks and classic networks*, *ResNet* (He et al. 2015)::

    z[l+2] = W[l+2] a[l+1] + b[l+2]
    a[l+2] = g(z[l+2] + a[l])          # the skip connection adds a[l] before the activation

With ``W[l+2] = 0`` and ``b[l+2] = 0`` and ``g = ReLU`` the block gives ``ReLU(a[l])``, which is
``a[l]`` itself whenever ``a[l] >= 0`` (after a ReLU it always is): "the identity function is easy
for a residual block to learn". The skip connection also "helps the gradient to
back-propagate": :func:`first_layer_gradients` measures the gradient that reaches the first
layer of a plain and of a residual stack of the same depth, with backpropagation written out
(``tests/core/test_residual.py`` checks it against TensorFlow's ``GradientTape``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CLASSIC_CNN_NOTES = "Course notes, *CNN building blocks and classic networks*"


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


@dataclass(frozen=True)
class BlockValues:
    """Every intermediate value of one residual block on one input vector.

    Attributes
    ----------
    a_l, z1, a1, z2, a2 : ndarray of shape (n,), float64
        ``a[l]``, ``z[l+1] = W1 a[l] + b1``, ``a[l+1] = g(z[l+1])``, ``z[l+2] = W2 a[l+1] + b2``,
        ``a[l+2] = g(z[l+2] + a[l])``.
    plain : ndarray of shape (n,), float64
        ``g(z[l+2])``: the same two layers without the skip connection.
    """

    a_l: np.ndarray
    z1: np.ndarray
    a1: np.ndarray
    z2: np.ndarray
    a2: np.ndarray
    plain: np.ndarray


def residual_block(a_l, w1, b1, w2, b2) -> BlockValues:
    """One residual block with ReLU, ``a[l+2] = ReLU(W2 ReLU(W1 a[l] + b1) + b2 + a[l])``.

    Parameters
    ----------
    a_l : array_like of shape (n,), float
    w1, w2 : array_like of shape (n, n), float
    b1, b2 : array_like of shape (n,), float

    Returns
    -------
    BlockValues

    Raises
    ------
    ValueError
        If the shapes do not match or a value is NaN or infinite.

    References
    ----------
    Course notes, *CNN building blocks and classic networks*, *ResNet*.
    """
    a = np.asarray(a_l, dtype=np.float64)
    arrays = [np.asarray(v, dtype=np.float64) for v in (w1, b1, w2, b2)]
    n = a.size
    if a.ndim != 1 or [v.shape for v in arrays] != [(n, n), (n,), (n, n), (n,)]:
        raise ValueError(
            f"`a_l` must be (n,), `w1`/`w2` (n, n) and `b1`/`b2` (n,); got {a.shape} and "
            f"{[v.shape for v in arrays]}."
        )
    if not all(np.isfinite(v).all() for v in (a, *arrays)):
        raise ValueError("The block's inputs and weights must be finite numbers (no NaN or infinity).")
    w1_, b1_, w2_, b2_ = arrays
    z1 = w1_ @ a + b1_
    a1 = relu(z1)
    z2 = w2_ @ a1 + b2_
    return BlockValues(a, z1, a1, z2, relu(z2 + a), relu(z2))


@dataclass(frozen=True)
class GradientComparison:
    """Gradient norms at the first layer of plain and residual stacks, per depth.

    Attributes
    ----------
    depths : tuple of int
        Number of weight layers (a residual stack has ``depth // 2`` blocks of two layers).
    plain, residual : tuple of float
        ``||dL/dW_1||`` (Frobenius norm) for ``L = 0.5 * ||output||^2``, averaged over the batch.
    """

    depths: tuple[int, ...]
    plain: tuple[float, ...]
    residual: tuple[float, ...]


def _forward_backward(x: np.ndarray, weights: list[np.ndarray], skip: bool) -> np.ndarray:
    """dL/dW_1 for ``L = mean over the batch of 0.5*||a_L||^2``; ``x`` is (N, n), weights (n, n).

    Plain: ``a_k = ReLU(a_{k-1} W_k)``. Residual: blocks of two layers,
    ``a_{k+1} = ReLU(ReLU(a_{k-1} W_k) W_{k+1} + a_{k-1})``.
    """
    acts, pre = [x], []
    layer = 0
    while layer < len(weights):
        if skip:
            z1 = acts[-1] @ weights[layer]
            h = relu(z1)
            z2 = h @ weights[layer + 1] + acts[-1]
            pre.append((z1, h, z2))
            acts.append(relu(z2))
            layer += 2
        else:
            z = acts[-1] @ weights[layer]
            pre.append((z,))
            acts.append(relu(z))
            layer += 1
    grad = acts[-1] / x.shape[0]  # dL/da_L
    for step in range(len(pre) - 1, -1, -1):
        a_in = acts[step]
        if skip:
            z1, h, z2 = pre[step]
            g2 = grad * (z2 > 0)  # through the ReLU after the addition
            gh = g2 @ weights[2 * step + 1].T
            g1 = gh * (z1 > 0)
            if step == 0:
                return a_in.T @ g1
            grad = g1 @ weights[2 * step].T + g2  # the skip path adds g2 unchanged
        else:
            (z,) = pre[step]
            g = grad * (z > 0)
            if step == 0:
                return a_in.T @ g
            grad = g @ weights[step].T
    raise ValueError("`weights` is empty.")


def stack_gradient(x, weights, *, residual: bool) -> np.ndarray:
    """dL/dW_1 of a plain or residual ReLU stack, ``L = mean over the batch of 0.5*||output||^2``.

    Parameters
    ----------
    x : array_like of shape (N, n), float
    weights : sequence of array_like of shape (n, n); an even number when ``residual``
    residual : bool

    Returns
    -------
    ndarray of shape (n, n), float64

    Raises
    ------
    ValueError
        Wrong shapes, an odd number of layers for a residual stack, or no layers.
    """
    xs = np.asarray(x, dtype=np.float64)
    ws = [np.asarray(w, dtype=np.float64) for w in weights]
    if xs.ndim != 2 or not ws or any(w.shape != (xs.shape[1], xs.shape[1]) for w in ws):
        raise ValueError(
            f"`x` must be (N, n) and every weight (n, n); got {xs.shape} and {[w.shape for w in ws]}."
        )
    if residual and len(ws) % 2:
        raise ValueError(f"A residual stack needs an even number of layers (blocks of two), got {len(ws)}.")
    return _forward_backward(xs, ws, residual)


def first_layer_gradients(
    depths=(2, 4, 8, 16, 32, 48),
    *,
    width: int = 16,
    batch: int = 64,
    weight_scale: float = 0.5,
    seed: int = 0,
) -> GradientComparison:
    """The gradient reaching the first layer of plain and residual stacks as depth grows.

    Both stacks use the same random weights ``N(0, weight_scale**2 / width)`` (LeCun-style:
    each ReLU layer roughly halves the signal's energy) and the same inputs ``N(0, 1)``. With the
    default 0.5 the plain stack's gradient shrinks by orders of magnitude with depth while the
    residual stack's stays near 1; with He's scale ``sqrt(2)`` the plain stack keeps its gradient
    and the residual one grows (real ResNets add batch normalisation).

    Parameters
    ----------
    depths : sequence of even int >= 2
    width, batch : int >= 1
    weight_scale : float > 0
    seed : int

    Returns
    -------
    GradientComparison

    Raises
    ------
    ValueError
        If a depth is odd or below 2, or ``width``, ``batch`` or ``weight_scale`` is not positive.
    """
    depths = tuple(int(d) for d in depths)
    if any(d < 2 or d % 2 for d in depths) or width < 1 or batch < 1 or not weight_scale > 0:
        raise ValueError(
            f"`depths` must be even numbers >= 2 and width, batch, weight_scale positive; "
            f"got {depths}, {width}, {batch}, {weight_scale}."
        )
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, width))
    weights = [
        rng.standard_normal((width, width)) * weight_scale / np.sqrt(width) for _ in range(max(depths))
    ]
    plain = tuple(float(np.linalg.norm(stack_gradient(x, weights[:d], residual=False))) for d in depths)
    res = tuple(float(np.linalg.norm(stack_gradient(x, weights[:d], residual=True))) for d in depths)
    return GradientComparison(depths, plain, res)
