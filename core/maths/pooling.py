"""Pooling layers written out in NumPy: max, average and global pooling, and the windows they read.

A pooling layer slides a window over each feature map and keeps one statistic per window: the maximum, the
mean, or the L2 norm (Course notes, *Autoencoders and convolutional networks*, *Pooling* names all three). It
has no weights ("there's nothing for gradient descent to learn", Course notes, *CNN building blocks and
classic networks*, *Pooling layer*); it shrinks height and width and keeps the depth, each channel pooled on
its own (Course notes, *Autoencoders and convolutional networks*, *Pooling*).

Conventions follow Keras ``MaxPooling2D`` / ``AveragePooling2D``:

* channels-last ``(H, W)`` or ``(H, W, C)`` inputs, float32 results;
* ``stride`` defaults to ``pool_size`` (Course notes, *CNNs and regularisation in Keras*, *CNNs: structure and
  components in Keras (II)*);
* ``padding="valid"`` keeps only whole windows, ``out = floor((n - f) / s) + 1`` (11 -> 5 with f = s = 2,
  Course notes, *CNNs and regularisation in Keras*, *CNN example in Keras: written character recognition
  (II)*);
* ``padding="same"`` gives ``out = ceil(n / s)``; the missing cells are added half before, half
  after, the odd one at the bottom/right (TensorFlow's placement). Padded cells never win a max
  and are left out of an average's count, exactly like ``tf.nn.max_pool2d`` / ``tf.nn.avg_pool2d``.

Everything is vectorized with :func:`numpy.lib.stride_tricks.sliding_window_view`; nothing here
imports TensorFlow. The translation test (conv vs conv + pool under a shift) lives in
:mod:`core.maths.translation`, the seeds' worked examples in :mod:`core.data.pooling_examples`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from core.maths.convolution import resolve_padding
from core.maths.shapes import IntPair, int_pair

POOL_PADDINGS = ("valid", "same")
POOL_TYPES = ("max", "average", "l2")


def _padding_name(padding) -> str:
    if not isinstance(padding, str) or padding.lower() not in POOL_PADDINGS:
        raise ValueError(f"`padding` must be 'valid' or 'same' for pooling, got {padding!r}.")
    return padding.lower()


def _as_maps(x) -> tuple[np.ndarray, bool]:
    """``x`` as float32 ``(H, W, C)`` and whether it was 2-D; checks ndim, size and finiteness."""
    try:
        arr = np.asarray(x, dtype=np.float32)
    except (TypeError, ValueError) as err:
        raise ValueError(f"`x` must be an array of numbers: {err}") from None
    if arr.ndim not in (2, 3):
        raise ValueError(
            f"`x` must have shape (H, W) or (H, W, C), got shape {arr.shape}; "
            "pool one image at a time (no batch axis)."
        )
    if min(arr.shape) < 1:
        raise ValueError(f"`x` is empty (shape {arr.shape}).")
    if not np.isfinite(arr).all():
        raise ValueError("`x` contains NaN or infinite values; replace them with finite numbers.")
    return (arr[:, :, None], True) if arr.ndim == 2 else (arr, False)


def pool_output_size(n: int, pool_size: int = 2, *, stride: int | None = None, padding: str = "valid") -> int:
    """Length of a pooled axis.

    Parameters
    ----------
    n : int >= 1
        Input length in pixels.
    pool_size : int >= 1
        Window length ``f``.
    stride : int >= 1, optional
        Step ``s``; defaults to ``pool_size`` as in Keras.
    padding : {"valid", "same"}

    Returns
    -------
    int
        ``floor((n - f) / s) + 1`` for "valid", ``ceil(n / s)`` for "same".

    Raises
    ------
    ValueError
        If a size or the stride is below 1, ``padding`` is unknown, or the window is longer than
        the input with "valid" padding.

    References
    ----------
    Course notes, *CNNs and regularisation in Keras*, *CNN example in Keras: written character recognition
    (II)*: 11 -> 5 with a 2x2 pool (the floor drops the last row); Course notes, *Autoencoders and
    convolutional networks*, *Convolution NN on MNIST dataset (TensorFlow)* (2×2 pools with 'SAME' padding, 28
    -> 14 -> 7); on 7 × 7: 7 -> 3 ("valid"), 7 -> 4 ("same").
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"`n` must be an int >= 1, got {n!r}.")
    f = int_pair(pool_size, "pool_size")[0]
    s = f if stride is None else int_pair(stride, "stride")[0]
    if _padding_name(padding) == "same":
        return -(-int(n) // s)
    if f > n:
        raise ValueError(
            f"`pool_size` {f} is larger than the input ({n}); use padding='same' or a smaller pool."
        )
    return (int(n) - f) // s + 1


@dataclass(frozen=True)
class _Windows:
    values: np.ndarray  # (out_h, out_w, C, ph, pw) view of the padded input
    real: np.ndarray  # (out_h, out_w, 1, ph, pw) bool: the cell lies inside the input
    pads: tuple[int, int, int, int]
    squeeze: bool


def _windows(x, pool_size, stride, padding, fill: float) -> _Windows:
    arr, squeeze = _as_maps(x)
    ph, pw = int_pair(pool_size, "pool_size")
    sh, sw = (ph, pw) if stride is None else int_pair(stride, "stride")
    name = _padding_name(padding)
    h, w = arr.shape[:2]
    if name == "valid" and (ph > h or pw > w):
        raise ValueError(
            f"`pool_size` {ph}x{pw} is larger than the input {h}x{w}; use a smaller pool or padding='same'."
        )
    pads = resolve_padding((h, w), (ph, pw), stride=(sh, sw), padding=name)
    top, bottom, left, right = pads
    padded = np.pad(arr, ((top, bottom), (left, right), (0, 0)), constant_values=fill)
    mask = np.pad(np.ones((h, w, 1), bool), ((top, bottom), (left, right), (0, 0)))
    # sliding_window_view gives every window; [::s] keeps the strided ones. (H', W', C, ph, pw)
    values = sliding_window_view(padded, (ph, pw), axis=(0, 1))[::sh, ::sw]
    real = sliding_window_view(mask, (ph, pw), axis=(0, 1))[::sh, ::sw]
    return _Windows(values, real, pads, squeeze)


def _finish(out: np.ndarray, squeeze: bool) -> np.ndarray:
    out = np.ascontiguousarray(out, dtype=np.float32)
    return out[:, :, 0] if squeeze else out


def max_pool2d(
    x,
    pool_size: IntPair = 2,
    *,
    stride: IntPair | None = None,
    padding: str = "valid",
    return_indices: bool = False,
):
    """Max pooling: the largest value in each window, each channel on its own.

    Parameters
    ----------
    x : array_like of shape (H, W) or (H, W, C), float
        Feature map(s), any unit; must be finite.
    pool_size : int or (int, int), >= 1
        Window height and width ``f``.
    stride : int or (int, int), >= 1, optional
        Step between windows; defaults to ``pool_size`` (Keras).
    padding : {"valid", "same"}
        "same" pads so that ``out = ceil(n / s)``; padded cells never win.
    return_indices : bool
        Also return where each window's winner sits in ``x``.

    Returns
    -------
    pooled : ndarray of shape (H', W') or (H', W', C), float32
        ``H' = floor((H - f) / s) + 1`` ("valid") or ``ceil(H / s)`` ("same"), likewise ``W'``.
    (rows, cols) : pair of ndarray of int64, same shape as ``pooled``, only if ``return_indices``
        Row and column of each winner in ``x``'s coordinates (ties: the first in row-major
        order), so ``x[rows, cols] == pooled`` for 2-D input.

    Raises
    ------
    ValueError
        If ``x`` is not 2-D/3-D, empty or not finite; ``pool_size``/``stride`` are below 1 or
        malformed; ``padding`` is unknown; the pool is larger than ``x`` with "valid" padding.

    References
    ----------
    Course notes, *CNN building blocks and classic networks*, *Pooling layer* (Ng's figures:
    ``[[1,3,2,1],[2,9,1,1],[1,3,2,3], [5,6,1,2]]`` -> ``[[9,2],[6,3]]``; the 5x5, f=3, s=1 example ->
    ``[[9,9,5],[9,9,5],[8,6,9]]``).
    """
    win = _windows(x, pool_size, stride, padding, fill=-np.inf)
    pooled = win.values.max(axis=(3, 4))
    if not return_indices:
        return _finish(pooled, win.squeeze)
    oh, ow, c, ph, pw = win.values.shape
    flat = win.values.reshape(oh, ow, c, ph * pw).argmax(axis=3)
    sh, sw = (ph, pw) if stride is None else int_pair(stride, "stride")
    rows = np.arange(oh)[:, None, None] * sh + flat // pw - win.pads[0]
    cols = np.arange(ow)[None, :, None] * sw + flat % pw - win.pads[2]
    rows, cols = rows.astype(np.int64), cols.astype(np.int64)
    if win.squeeze:
        rows, cols = rows[:, :, 0], cols[:, :, 0]
    return _finish(pooled, win.squeeze), (rows, cols)


def avg_pool2d(
    x, pool_size: IntPair = 2, *, stride: IntPair | None = None, padding: str = "valid"
) -> np.ndarray:
    """Average pooling: the mean of each window, each channel on its own.

    Parameters
    ----------
    x : array_like of shape (H, W) or (H, W, C), float
    pool_size, stride, padding
        As :func:`max_pool2d`. With "same" padding the padded cells are left out of the mean:
        a border window holding 2 real cells is divided by 2 (``tf.nn.avg_pool2d``'s rule).

    Returns
    -------
    pooled : ndarray of shape (H', W') or (H', W', C), float32

    Raises
    ------
    ValueError
        As :func:`max_pool2d`.

    References
    ----------
    Course notes, *CNN building blocks and classic networks*, *Pooling layer* (Ng's figure:
    ``[[1,3,2,1],[2,9,1,1],[1,4,2,3], [5,6,1,2]]`` -> ``[[3.75,1.25],[4,2]]``); Course notes, *CNNs and
    regularisation in Keras*, *CNNs: structure and components in Keras (II)*.
    """
    win = _windows(x, pool_size, stride, padding, fill=0.0)
    sums = win.values.sum(axis=(3, 4), dtype=np.float64)
    counts = win.real.sum(axis=(3, 4))
    return _finish(sums / counts, win.squeeze)


def l2_pool2d(
    x, pool_size: IntPair = 2, *, stride: IntPair | None = None, padding: str = "valid"
) -> np.ndarray:
    """L2-norm pooling: the square root of the sum of squares in each window, each channel on its own.

    ``out = sqrt(sum over the window of x**2)``; it lies between the window's largest absolute
    value and ``f`` times it, so like max pooling it follows the strongest response, but every
    cell contributes. Keras has no L2-pooling layer; it equals
    ``sqrt(count * AveragePooling2D(x**2))`` with ``count`` the real cells of the window
    (``tests/core/test_pooling.py`` checks that with ``tf.nn.avg_pool2d``).

    Parameters, shapes and errors are those of :func:`avg_pool2d`, except that with "same" padding the
    padded cells add 0 to the sum; ``pooled`` is >= 0.

    References
    ----------
    Course notes, *Autoencoders and convolutional networks*, *Pooling* ("mean (average) pooling or L2-norm
    pooling"). On Ng's 4×4 matrix (Course notes, *CNN building blocks and classic networks*, *Pooling layer*),
    2×2 stride 2: ``[[√95, √7], [√71, √18]]`` = ``[[9.747, 2.646], [8.426, 4.243]]``.
    """
    win = _windows(x, pool_size, stride, padding, fill=0.0)
    squares = (win.values.astype(np.float64) ** 2).sum(axis=(3, 4))
    return _finish(np.sqrt(squares), win.squeeze)


def _global(x, reducer, keepdims: bool) -> np.ndarray:
    arr, squeeze = _as_maps(x)
    out = reducer(arr.astype(np.float64), axis=(0, 1), keepdims=keepdims)
    out = np.asarray(out, dtype=np.float32)
    if squeeze:
        out = out[..., 0]
    return out


def global_max_pool2d(x, *, keepdims: bool = False) -> np.ndarray:
    """The largest value of each whole feature map (Keras ``GlobalMaxPooling2D``).

    Parameters
    ----------
    x : array_like of shape (H, W) or (H, W, C), float
    keepdims : bool
        Keep the spatial axes as size 1.

    Returns
    -------
    ndarray of shape (C,) (``(1, 1, C)`` with ``keepdims``); 0-d for 2-D input, float32

    Raises
    ------
    ValueError
        If ``x`` is not 2-D/3-D, empty or not finite.
    """
    return _global(x, np.max, keepdims)


def global_avg_pool2d(x, *, keepdims: bool = False) -> np.ndarray:
    """The mean of each whole feature map (Keras ``GlobalAveragePooling2D``).

    Parameters and errors as :func:`global_max_pool2d`.
    """
    return _global(x, np.mean, keepdims)


def pool2d(
    x, pool_size: IntPair = 2, *, kind: str = "max", stride: IntPair | None = None, padding: str = "valid"
) -> np.ndarray:
    """:func:`max_pool2d`, :func:`avg_pool2d` or :func:`l2_pool2d` chosen by ``kind``
    ("max", "average" or "l2")."""
    if kind == "max":
        return max_pool2d(x, pool_size, stride=stride, padding=padding)
    if kind in ("average", "avg"):
        return avg_pool2d(x, pool_size, stride=stride, padding=padding)
    if kind == "l2":
        return l2_pool2d(x, pool_size, stride=stride, padding=padding)
    raise ValueError(f"`kind` must be one of {POOL_TYPES}, got {kind!r}.")


def pool_window(
    x_shape: tuple[int, ...],
    row: int,
    col: int,
    pool_size: IntPair = 2,
    *,
    stride: IntPair | None = None,
    padding: str = "valid",
) -> tuple[int, int, int, int]:
    """Input rows/columns covered by output cell ``(row, col)``, clipped to the input.

    Returns
    -------
    (r0, r1, c0, c1) : int
        The window is ``x[r0:r1, c0:c1]`` (half-open), in ``x``'s coordinates.

    Raises
    ------
    ValueError
        If ``(row, col)`` is outside the pooled map, or the options are invalid.
    """
    h, w = int(x_shape[0]), int(x_shape[1])
    (ph, pw), (sh, sw), (oh, ow) = _window_grid(x_shape, pool_size, stride, padding)
    if not (0 <= row < oh and 0 <= col < ow):
        raise ValueError(f"(`row`, `col`) = ({row}, {col}) is outside the {oh}x{ow} pooled map.")
    top, _, left, _ = resolve_padding((h, w), (ph, pw), stride=(sh, sw), padding=_padding_name(padding))
    r0, c0 = row * sh - top, col * sw - left
    return max(r0, 0), min(r0 + ph, h), max(c0, 0), min(c0 + pw, w)


def pool_windows(
    x_shape: tuple[int, ...], pool_size: IntPair = 2, *, stride: IntPair | None = None, padding: str = "valid"
) -> list[tuple[int, int, int, int]]:
    """:func:`pool_window` of every output cell, row by row.

    Raises
    ------
    ValueError
        As :func:`pool_window`.
    """
    (ph, pw), (sh, sw), (oh, ow) = _window_grid(x_shape, pool_size, stride, padding)
    return [
        pool_window(x_shape, r, c, (ph, pw), stride=(sh, sw), padding=padding)
        for r in range(oh)
        for c in range(ow)
    ]


def _window_grid(
    x_shape, pool_size, stride, padding
) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    """(pool size, strides (default: the pool size), output size) as int pairs."""
    ph, pw = int_pair(pool_size, "pool_size")
    sh, sw = (ph, pw) if stride is None else int_pair(stride, "stride")
    return (
        (ph, pw),
        (sh, sw),
        (
            pool_output_size(int(x_shape[0]), ph, stride=sh, padding=padding),
            pool_output_size(int(x_shape[1]), pw, stride=sw, padding=padding),
        ),
    )


def pool_expression(
    x,
    row: int,
    col: int,
    pool_size: IntPair = 2,
    *,
    kind: str = "max",
    stride: IntPair | None = None,
    padding: str = "valid",
) -> str:
    """The arithmetic of one pooled value written out, e.g. ``"max(1, 3, 2, 9) = 9"``.

    Average pooling shows the sum over the window's real cells divided by their count, as
    ``tf.nn.avg_pool2d`` computes it: ``"(1 + 3 + 2 + 9) / 4 = 3.75"``; L2 pooling the root of
    the sum of squares: ``"√(1² + 3² + 2² + 9²) = √95 = 9.747"``. Only 2-D ``x``.

    Raises
    ------
    ValueError
        As :func:`pool_window`; if ``x`` is not 2-D or ``kind`` is unknown.
    """
    arr = np.asarray(x, dtype=np.float32)
    if arr.ndim != 2:
        raise ValueError(f"`x` must be 2-D (H, W) here, got shape {arr.shape}.")
    r0, r1, c0, c1 = pool_window(arr.shape, row, col, pool_size, stride=stride, padding=padding)
    cells = [f"{v:g}" for v in arr[r0:r1, c0:c1].ravel()]
    if kind == "max":
        return f"max({', '.join(cells)}) = {max(float(v) for v in cells):g}"
    if kind in ("average", "avg"):
        mean = float(np.mean(arr[r0:r1, c0:c1], dtype=np.float64))
        return f"({' + '.join(cells)}) / {len(cells)} = {mean:.4g}".replace("+ -", "− ")
    if kind == "l2":
        total = float(np.sum(arr[r0:r1, c0:c1].astype(np.float64) ** 2))
        squares = " + ".join(f"{c}²" if not c.startswith("-") else f"({c})²" for c in cells)
        return f"√({squares}) = √{total:.6g} = {np.sqrt(total):.4g}"
    raise ValueError(f"`kind` must be one of {POOL_TYPES}, got {kind!r}.")


def compare_pooling(
    x, pool_size: IntPair = 2, *, stride: IntPair | None = None, padding: str = "valid"
) -> dict[str, np.ndarray]:
    """Max, average and L2-norm pooling of the same input: kind -> pooled array (float32).

    The three kinds Course notes, *Autoencoders and convolutional networks*, *Pooling* names, side by side.

    Raises
    ------
    ValueError
        As :func:`max_pool2d`.
    """
    return {kind: pool2d(x, pool_size, kind=kind, stride=stride, padding=padding) for kind in POOL_TYPES}


def window_counts(
    x_shape: tuple[int, ...], pool_size: IntPair = 2, *, stride: IntPair | None = None, padding: str = "valid"
) -> np.ndarray:
    """How many real (not padded) cells each pooling window holds: int64 ``(H', W')``.

    ``l2_pool2d(x) == sqrt(window_counts(...) * avg_pool2d(x**2))``, which is how the page checks
    L2 pooling with Keras' ``AveragePooling2D`` (Keras has no L2-pooling layer).

    Raises
    ------
    ValueError
        As :func:`pool_window`.
    """
    sizes, strides, out_shape = _window_grid(x_shape, pool_size, stride, padding)
    counts = [
        (r1 - r0) * (c1 - c0)
        for r0, r1, c0, c1 in pool_windows(x_shape, sizes, stride=strides, padding=padding)
    ]
    return np.asarray(counts, dtype=np.int64).reshape(out_shape)
