"""Why pooling makes a CNN tolerant of small shifts: move the input, compare conv and conv + pool.

A convolution's output moves with its input, so at any fixed position its numbers change; a feature that moves
inside one pooling window leaves the pooled value as it was (Course notes, *CNNs and regularisation in Keras*,
*CNNs: structure and components in Keras (II)*). :func:`translation_sensitivity` measures both effects on one
image, :func:`translation_curve` for a range of shifts, and :func:`cnn_stage` runs the conv -> ReLU -> pool
stage they are built on (Course notes, *CNNs and regularisation in Keras*, *CNNs: structure and components*,
Course notes, *Autoencoders and convolutional networks*, *CNN simple example*).

Channels-last ``(H, W)`` or ``(H, W, C)`` inputs, float32 maps; nothing here imports TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.maths.convolution import cross_correlate2d
from core.maths.pooling import pool2d
from core.maths.shapes import IntPair, int_pair


def shift_image(x, dy: int, dx: int, *, fill: float = 0.0) -> np.ndarray:
    """Move the content of ``x`` down by ``dy`` and right by ``dx`` pixels (negative: up/left).

    Parameters
    ----------
    x : array_like of shape (H, W) or (H, W, C), float
    dy, dx : int
        Shift in pixels; content moved past the border is lost.
    fill : float
        Value of the uncovered border (0 = black).

    Returns
    -------
    ndarray, same shape as ``x``, float32

    Raises
    ------
    ValueError
        If ``x`` is not 2-D/3-D or a shift is not an int.
    """
    arr = np.asarray(x, dtype=np.float32)
    if arr.ndim not in (2, 3):
        raise ValueError(f"`x` must have shape (H, W) or (H, W, C), got shape {arr.shape}.")
    for name, v in (("dy", dy), ("dx", dx)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise ValueError(f"`{name}` must be an int number of pixels, got {v!r}.")
    h, w = arr.shape[:2]
    out = np.full_like(arr, np.float32(fill))
    src_r, dst_r = slice(max(-dy, 0), h - max(dy, 0)), slice(max(dy, 0), h - max(-dy, 0))
    src_c, dst_c = slice(max(-dx, 0), w - max(dx, 0)), slice(max(dx, 0), w - max(-dx, 0))
    if abs(dy) < h and abs(dx) < w:
        out[dst_r, dst_c] = arr[src_r, src_c]
    return out


@dataclass(frozen=True)
class TranslationReport:
    """How much a feature map changes when the input moves, before and after pooling.

    Attributes
    ----------
    feature_map, feature_map_shifted : ndarray (H', W') float32
        Conv (+ ReLU) of the image and of the shifted image.
    pooled, pooled_shifted : ndarray (H'', W'') float32
        The same maps after pooling.
    conv_difference, pooled_difference : float
        ``mean |a - b| / (mean |a| + mean |b|)`` over the two maps at the *same* positions, in
        [0, 1]: 0 = unchanged, 1 = nothing in common (every value moved to where the other map is
        0). Only cells computed from real pixels in both inputs are compared.
    conv_unchanged, pooled_unchanged : float
        Share of compared cells (0..1) whose value did not change.
    conv_region, pooled_region : (r0, r1, c0, c1)
        The compared cells of each map (half-open row and column ranges).
    """

    feature_map: np.ndarray
    feature_map_shifted: np.ndarray
    pooled: np.ndarray
    pooled_shifted: np.ndarray
    conv_difference: float
    pooled_difference: float
    conv_unchanged: float
    pooled_unchanged: float
    conv_region: tuple[int, int, int, int] = (0, 0, 0, 0)
    pooled_region: tuple[int, int, int, int] = (0, 0, 0, 0)


def _compare(a: np.ndarray, b: np.ndarray, rows: slice, cols: slice) -> tuple[float, float]:
    a, b = a[rows, cols].astype(np.float64), b[rows, cols].astype(np.float64)
    if a.size == 0:
        return float("nan"), float("nan")
    scale = float(np.mean(np.abs(a)) + np.mean(np.abs(b)))
    diff = np.abs(a - b)
    tol = 1e-6 * max(scale, 1e-12)
    rel = float(diff.mean() / scale) if scale > 0 else 0.0
    return rel, float(np.mean(diff <= tol))


def _overlap(n: int, shift: int) -> slice:
    """Positions along an axis whose input was real in both the original and the shifted image."""
    return slice(max(shift, 0), n + min(shift, 0))


def translation_sensitivity(
    image,
    kernel,
    shift: IntPair,
    pool_size: IntPair = 2,
    *,
    stride: IntPair | None = None,
    kind: str = "max",
    relu: bool = True,
) -> TranslationReport:
    """Compare conv-only and conv+pool outputs when the input moves by ``shift`` pixels.

    Pooling makes a CNN tolerant of small translations (Course notes, *CNNs and regularisation in Keras*,
    *CNNs: structure and components in Keras (II)*): a feature that moves inside one pooling window leaves the
    pooled value as it was, while the convolution output moves with the input. This measures both effects.

    Parameters
    ----------
    image : array_like of shape (H, W) or (H, W, C), float
    kernel : array_like of shape (kh, kw) or (kh, kw, C), float
        Applied with :func:`core.maths.convolution.cross_correlate2d` ("valid", stride 1).
    shift : int or (int, int)
        ``(dy, dx)`` in pixels (down, right); an int moves the image right by that many pixels.
    pool_size : int or (int, int), >= 1
    stride : int or (int, int), >= 1, optional
        Pooling stride; defaults to ``pool_size``.
    kind : {"max", "average", "l2"}
    relu : bool
        Apply ReLU between convolution and pooling (one CNN stage).

    Returns
    -------
    TranslationReport
        Both maps, both pooled maps, and the relative differences on the overlapping region
        (positions whose inputs were real pixels in both images; pooled cells whose whole window
        lies in that region).

    Raises
    ------
    ValueError
        As :func:`core.maths.convolution.cross_correlate2d` and :func:`core.maths.pooling.max_pool2d`; if
        ``shift`` is malformed or so large that nothing overlaps.
    """
    if isinstance(shift, (int, np.integer)) and not isinstance(shift, bool):
        dy, dx = 0, int(shift)
    elif isinstance(shift, (tuple, list)) and len(shift) == 2:
        dy, dx = (int(v) for v in shift)
    else:
        raise ValueError(f"`shift` must be an int or a pair (dy, dx), got {shift!r}.")
    arr = np.asarray(image, dtype=np.float32)
    conv = cross_correlate2d(arr, kernel)
    conv_s = cross_correlate2d(shift_image(arr, dy, dx), kernel)
    if relu:
        conv, conv_s = np.maximum(conv, 0), np.maximum(conv_s, 0)
    rows, cols = _overlap(conv.shape[0], dy), _overlap(conv.shape[1], dx)
    if rows.start >= rows.stop or cols.start >= cols.stop:
        raise ValueError(f"`shift` {shift!r} moves the image out of the frame; use a smaller shift.")
    pooled = pool2d(conv, pool_size, kind=kind, stride=stride)
    pooled_s = pool2d(conv_s, pool_size, kind=kind, stride=stride)
    ph, pw = int_pair(pool_size, "pool_size")
    sh, sw = (ph, pw) if stride is None else int_pair(stride, "stride")
    # pooled cell i covers conv cells i*s .. i*s+f-1: keep those fully inside the overlap.
    p_rows = slice(-(-rows.start // sh), max((rows.stop - ph) // sh + 1, 0))
    p_cols = slice(-(-cols.start // sw), max((cols.stop - pw) // sw + 1, 0))
    conv_diff, conv_same = _compare(conv, conv_s, rows, cols)
    pool_diff, pool_same = _compare(pooled, pooled_s, p_rows, p_cols)
    return TranslationReport(
        conv,
        conv_s,
        pooled,
        pooled_s,
        conv_diff,
        pool_diff,
        conv_same,
        pool_same,
        (rows.start, rows.stop, cols.start, cols.stop),
        (p_rows.start, p_rows.stop, p_cols.start, p_cols.stop),
    )


@dataclass(frozen=True)
class StageResult:
    """One CNN stage: convolution, ReLU, pooling (``conv`` and ``activated`` are None without a kernel)."""

    conv: np.ndarray | None
    activated: np.ndarray | None
    pooled: np.ndarray


def cnn_stage(
    image,
    kernel=None,
    *,
    pool_size: IntPair = 2,
    kind: str = "max",
    stride: IntPair | None = None,
    padding: str = "valid",
    relu: bool = True,
    repeat: int = 1,
) -> StageResult:
    """conv -> ReLU -> pool on one image, the pattern of Course notes, *CNNs and regularisation in Keras*,
    *CNNs: structure and components* and Course notes, *Autoencoders and convolutional networks*, *CNN simple
    example*.

    Parameters
    ----------
    image : array_like of shape (H, W) or (H, W, C), float
    kernel : array_like (kh, kw) or (kh, kw, C), optional
        Without a kernel the image itself is pooled, each channel on its own.
    pool_size, kind, stride, padding
        As :func:`core.maths.pooling.pool2d`; the convolution is "same" (Keras' usual choice before pooling).
    relu : bool
    repeat : int >= 1
        Pooling layers applied one after the other (each divides the size by the stride).

    Returns
    -------
    StageResult

    Raises
    ------
    ValueError
        As :func:`core.maths.convolution.cross_correlate2d` and :func:`core.maths.pooling.pool2d`.
    """
    if isinstance(repeat, bool) or not isinstance(repeat, (int, np.integer)) or repeat < 1:
        raise ValueError(f"`repeat` must be an int >= 1, got {repeat!r}.")
    conv = activated = None
    pooled = image
    if kernel is not None:
        conv = cross_correlate2d(image, kernel, padding="same")
        pooled = activated = np.maximum(conv, 0) if relu else conv
    for _ in range(int(repeat)):
        pooled = pool2d(pooled, pool_size, kind=kind, stride=stride, padding=padding)
    return StageResult(conv, activated, pooled)


def translation_curve(
    image, kernel, shifts, pool_size: IntPair = 2, *, kind: str = "max", horizontal: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`translation_sensitivity` for several shifts along one axis.

    Returns
    -------
    (shifts, conv_difference, pooled_difference) : three ndarrays of shape (len(shifts),), float64
    """
    pairs = [(0, int(k)) if horizontal else (int(k), 0) for k in shifts]
    reports = [translation_sensitivity(image, kernel, p, pool_size, kind=kind) for p in pairs]
    return (
        np.asarray(list(shifts), dtype=np.float64),
        np.array([r.conv_difference for r in reports]),
        np.array([r.pooled_difference for r in reports]),
    )
