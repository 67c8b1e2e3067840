"""Pooling layers written out in NumPy: max, average and global pooling, plus a translation test.

A pooling layer slides a window over each feature map and keeps one statistic per window: the
maximum or the mean. It has no weights ("there's nothing for gradient descent to learn",
``003_de28f4f738ce9072.txt`` L161-162); it shrinks height and width and keeps the depth, each
channel pooled on its own (``000_05cde12013bfe355.txt`` L700).

Conventions follow Keras ``MaxPooling2D`` / ``AveragePooling2D``:

* channels-last ``(H, W)`` or ``(H, W, C)`` inputs, float32 results;
* ``stride`` defaults to ``pool_size`` (``001_0ab6af07a5a8fe8c.txt`` L208);
* ``padding="valid"`` keeps only whole windows, ``out = floor((n - f) / s) + 1`` (11 -> 5 with
  f = s = 2, seed 001 L276);
* ``padding="same"`` gives ``out = ceil(n / s)``; the missing cells are added half before, half
  after, the odd one at the bottom/right (TensorFlow's placement). Padded cells never win a max
  and are left out of an average's count, exactly like ``tf.nn.max_pool2d`` / ``tf.nn.avg_pool2d``.

Everything is vectorized with :func:`numpy.lib.stride_tricks.sliding_window_view`; nothing here
imports TensorFlow.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from core.convolution import cross_correlate2d, resolve_padding

IntPair = Union[int, tuple[int, int]]
POOL_PADDINGS = ("valid", "same")
POOL_TYPES = ("max", "average")


def _pair(value, name: str) -> tuple[int, int]:
    """``value`` as a pair of ints >= 1, or a ValueError naming ``name``."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"`{name}` must be an int or a pair of ints, got {value!r}.")
    if isinstance(value, (int, np.integer)):
        pair = (int(value), int(value))
    elif (isinstance(value, (tuple, list)) and len(value) == 2
          and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value)):
        pair = (int(value[0]), int(value[1]))
    else:
        raise ValueError(f"`{name}` must be an int or a pair of ints, got {value!r}.")
    if min(pair) < 1:
        raise ValueError(f"`{name}` must be at least 1 in each direction, got {value!r}.")
    return pair


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
        raise ValueError(f"`x` must have shape (H, W) or (H, W, C), got shape {arr.shape}; "
                         "pool one image at a time (no batch axis).")
    if min(arr.shape) < 1:
        raise ValueError(f"`x` is empty (shape {arr.shape}).")
    if not np.isfinite(arr).all():
        raise ValueError("`x` contains NaN or infinite values; replace them with finite numbers.")
    return (arr[:, :, None], True) if arr.ndim == 2 else (arr, False)


def pool_output_size(n: int, pool_size: int = 2, *, stride: int | None = None,
                     padding: str = "valid") -> int:
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

    Source
    ------
    ``001_0ab6af07a5a8fe8c.txt`` L276: 11 -> 5 with a 2x2 pool (the floor drops the last row);
    ``000_05cde12013bfe355.txt`` 4.3 fact 45: 7 -> 3 ("valid"), 7 -> 4 ("same").
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"`n` must be an int >= 1, got {n!r}.")
    f = _pair(pool_size, "pool_size")[0]
    s = f if stride is None else _pair(stride, "stride")[0]
    if _padding_name(padding) == "same":
        return -(-int(n) // s)
    if f > n:
        raise ValueError(f"`pool_size` {f} is larger than the input ({n}); use padding='same' "
                         "or a smaller pool.")
    return (int(n) - f) // s + 1


@dataclass(frozen=True)
class _Windows:
    values: np.ndarray      # (out_h, out_w, C, ph, pw) view of the padded input
    real: np.ndarray        # (out_h, out_w, 1, ph, pw) bool: the cell lies inside the input
    pads: tuple[int, int, int, int]
    squeeze: bool


def _windows(x, pool_size, stride, padding, fill: float) -> _Windows:
    arr, squeeze = _as_maps(x)
    ph, pw = _pair(pool_size, "pool_size")
    sh, sw = (ph, pw) if stride is None else _pair(stride, "stride")
    name = _padding_name(padding)
    h, w = arr.shape[:2]
    if name == "valid" and (ph > h or pw > w):
        raise ValueError(f"`pool_size` {ph}x{pw} is larger than the input {h}x{w}; "
                         "use a smaller pool or padding='same'.")
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


def max_pool2d(x, pool_size: IntPair = 2, *, stride: IntPair | None = None, padding: str = "valid",
               return_indices: bool = False):
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

    Source
    ------
    Seed ``003_de28f4f738ce9072.txt`` L150-162 (Ng's figures: ``[[1,3,2,1],[2,9,1,1],[1,3,2,3],
    [5,6,1,2]]`` -> ``[[9,2],[6,3]]``; the 5x5, f=3, s=1 example -> ``[[9,9,5],[9,9,5],[8,6,9]]``).
    """
    win = _windows(x, pool_size, stride, padding, fill=-np.inf)
    pooled = win.values.max(axis=(3, 4))
    if not return_indices:
        return _finish(pooled, win.squeeze)
    oh, ow, c, ph, pw = win.values.shape
    flat = win.values.reshape(oh, ow, c, ph * pw).argmax(axis=3)
    sh, sw = (ph, pw) if stride is None else _pair(stride, "stride")
    rows = np.arange(oh)[:, None, None] * sh + flat // pw - win.pads[0]
    cols = np.arange(ow)[None, :, None] * sw + flat % pw - win.pads[2]
    rows, cols = rows.astype(np.int64), cols.astype(np.int64)
    if win.squeeze:
        rows, cols = rows[:, :, 0], cols[:, :, 0]
    return _finish(pooled, win.squeeze), (rows, cols)


def avg_pool2d(x, pool_size: IntPair = 2, *, stride: IntPair | None = None,
               padding: str = "valid") -> np.ndarray:
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

    Source
    ------
    Seed ``003_de28f4f738ce9072.txt`` L150-162 (Ng's figure: ``[[1,3,2,1],[2,9,1,1],[1,4,2,3],
    [5,6,1,2]]`` -> ``[[3.75,1.25],[4,2]]``); ``001_0ab6af07a5a8fe8c.txt`` L204-211.
    """
    win = _windows(x, pool_size, stride, padding, fill=0.0)
    sums = win.values.sum(axis=(3, 4), dtype=np.float64)
    counts = win.real.sum(axis=(3, 4))
    return _finish(sums / counts, win.squeeze)


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


def pool2d(x, pool_size: IntPair = 2, *, kind: str = "max", stride: IntPair | None = None,
           padding: str = "valid") -> np.ndarray:
    """:func:`max_pool2d` or :func:`avg_pool2d` chosen by ``kind`` ("max" or "average")."""
    if kind == "max":
        return max_pool2d(x, pool_size, stride=stride, padding=padding)
    if kind in ("average", "avg"):
        return avg_pool2d(x, pool_size, stride=stride, padding=padding)
    raise ValueError(f"`kind` must be one of {POOL_TYPES}, got {kind!r}.")


def pool_window(x_shape: tuple[int, ...], row: int, col: int, pool_size: IntPair = 2, *,
                stride: IntPair | None = None, padding: str = "valid") -> tuple[int, int, int, int]:
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
    ph, pw = _pair(pool_size, "pool_size")
    sh, sw = (ph, pw) if stride is None else _pair(stride, "stride")
    oh = pool_output_size(h, ph, stride=sh, padding=padding)
    ow = pool_output_size(w, pw, stride=sw, padding=padding)
    if not (0 <= row < oh and 0 <= col < ow):
        raise ValueError(f"(`row`, `col`) = ({row}, {col}) is outside the {oh}x{ow} pooled map.")
    top, _, left, _ = resolve_padding((h, w), (ph, pw), stride=(sh, sw), padding=_padding_name(padding))
    r0, c0 = row * sh - top, col * sw - left
    return max(r0, 0), min(r0 + ph, h), max(c0, 0), min(c0 + pw, w)


def pool_windows(x_shape: tuple[int, ...], pool_size: IntPair = 2, *, stride: IntPair | None = None,
                 padding: str = "valid") -> list[tuple[int, int, int, int]]:
    """:func:`pool_window` of every output cell, row by row.

    Raises
    ------
    ValueError
        As :func:`pool_window`.
    """
    ph, pw = _pair(pool_size, "pool_size")
    sh, sw = (ph, pw) if stride is None else _pair(stride, "stride")
    oh = pool_output_size(int(x_shape[0]), ph, stride=sh, padding=padding)
    ow = pool_output_size(int(x_shape[1]), pw, stride=sw, padding=padding)
    return [pool_window(x_shape, r, c, (ph, pw), stride=(sh, sw), padding=padding)
            for r in range(oh) for c in range(ow)]


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


def translation_sensitivity(image, kernel, shift: IntPair, pool_size: IntPair = 2, *,
                            stride: IntPair | None = None, kind: str = "max",
                            relu: bool = True) -> TranslationReport:
    """Compare conv-only and conv+pool outputs when the input moves by ``shift`` pixels.

    Pooling makes a CNN tolerant of small translations (``001_0ab6af07a5a8fe8c.txt`` L207): a
    feature that moves inside one pooling window leaves the pooled value as it was, while the
    convolution output moves with the input. This measures both effects.

    Parameters
    ----------
    image : array_like of shape (H, W) or (H, W, C), float
    kernel : array_like of shape (kh, kw) or (kh, kw, C), float
        Applied with :func:`core.convolution.cross_correlate2d` ("valid", stride 1).
    shift : int or (int, int)
        ``(dy, dx)`` in pixels (down, right); an int moves the image right by that many pixels.
    pool_size : int or (int, int), >= 1
    stride : int or (int, int), >= 1, optional
        Pooling stride; defaults to ``pool_size``.
    kind : {"max", "average"}
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
        As :func:`core.convolution.cross_correlate2d` and :func:`max_pool2d`; if ``shift`` is
        malformed or so large that nothing overlaps.
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
    ph, pw = _pair(pool_size, "pool_size")
    sh, sw = (ph, pw) if stride is None else _pair(stride, "stride")
    # pooled cell i covers conv cells i*s .. i*s+f-1: keep those fully inside the overlap.
    p_rows = slice(-(-rows.start // sh), max((rows.stop - ph) // sh + 1, 0))
    p_cols = slice(-(-cols.start // sw), max((cols.stop - pw) // sw + 1, 0))
    conv_diff, conv_same = _compare(conv, conv_s, rows, cols)
    pool_diff, pool_same = _compare(pooled, pooled_s, p_rows, p_cols)
    return TranslationReport(conv, conv_s, pooled, pooled_s, conv_diff, pool_diff, conv_same, pool_same,
                             (rows.start, rows.stop, cols.start, cols.stop),
                             (p_rows.start, p_rows.stop, p_cols.start, p_cols.stop))


def pool_expression(x, row: int, col: int, pool_size: IntPair = 2, *, kind: str = "max",
                    stride: IntPair | None = None, padding: str = "valid") -> str:
    """The arithmetic of one pooled value written out, e.g. ``"max(1, 3, 2, 9) = 9"``.

    Average pooling shows the sum over the window's real cells divided by their count, as
    ``tf.nn.avg_pool2d`` computes it: ``"(1 + 3 + 2 + 9) / 4 = 3.75"``. Only 2-D ``x``.

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
    raise ValueError(f"`kind` must be one of {POOL_TYPES}, got {kind!r}.")


@dataclass(frozen=True)
class StageResult:
    """One CNN stage: convolution, ReLU, pooling (``conv`` and ``activated`` are None without a kernel)."""

    conv: np.ndarray | None
    activated: np.ndarray | None
    pooled: np.ndarray


def cnn_stage(image, kernel=None, *, pool_size: IntPair = 2, kind: str = "max",
              stride: IntPair | None = None, padding: str = "valid", relu: bool = True,
              repeat: int = 1) -> StageResult:
    """conv -> ReLU -> pool on one image, the pattern of seed 001 L162-166 and seed 000 L812-814.

    Parameters
    ----------
    image : array_like of shape (H, W) or (H, W, C), float
    kernel : array_like (kh, kw) or (kh, kw, C), optional
        Without a kernel the image itself is pooled, each channel on its own.
    pool_size, kind, stride, padding
        As :func:`pool2d`; the convolution is "same" (Keras' usual choice before pooling).
    relu : bool
    repeat : int >= 1
        Pooling layers applied one after the other (each divides the size by the stride).

    Returns
    -------
    StageResult

    Raises
    ------
    ValueError
        As :func:`core.convolution.cross_correlate2d` and :func:`pool2d`.
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


def translation_curve(image, kernel, shifts, pool_size: IntPair = 2, *, kind: str = "max",
                      horizontal: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`translation_sensitivity` for several shifts along one axis.

    Returns
    -------
    (shifts, conv_difference, pooled_difference) : three ndarrays of shape (len(shifts),), float64
    """
    pairs = [(0, int(k)) if horizontal else (int(k), 0) for k in shifts]
    reports = [translation_sensitivity(image, kernel, p, pool_size, kind=kind) for p in pairs]
    return (np.asarray(list(shifts), dtype=np.float64),
            np.array([r.conv_difference for r in reports]), np.array([r.pooled_difference for r in reports]))


# ---------------------------------------------------------------- the seeds' worked examples


def xo_feature_map() -> np.ndarray:
    """Rohrer's X image filtered with the diagonal feature: the seed's 7×7 map (match score / 9).

    Values are truncated to 2 decimals as the seed prints them (7/9 -> 0.77, 5/9 -> 0.55).

    Returns
    -------
    ndarray of shape (7, 7), float32

    Source
    ------
    ``000_05cde12013bfe355.txt`` L826-830 (the 48 printed values after the leading 0.77).
    """
    from core.images import x_and_o

    feature = np.array([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]], np.float32)
    score = cross_correlate2d(x_and_o("x"), feature).astype(np.float64) / 9.0
    return (np.trunc(np.round(score * 100, 6)) / 100).astype(np.float32)


@dataclass(frozen=True)
class PoolingPreset:
    """A seed's pooling example: the matrix, the settings and the printed (or derived) result."""

    key: str
    title: str
    matrix: np.ndarray
    kind: str
    pool_size: int
    stride: int
    padding: str
    expected: np.ndarray
    source: str
    note: str = ""


def _presets() -> dict[str, PoolingPreset]:
    f = lambda a: np.asarray(a, dtype=np.float32)  # noqa: E731
    ng4 = [[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]]
    ng4_avg = [[1, 3, 2, 1], [2, 9, 1, 1], [1, 4, 2, 3], [5, 6, 1, 2]]
    ng5 = [[1, 3, 2, 1, 3], [2, 9, 1, 1, 5], [1, 3, 2, 3, 2], [8, 3, 5, 1, 0], [5, 6, 1, 2, 9]]
    xo = np.maximum(xo_feature_map(), 0)
    items = (
        PoolingPreset("ng_max", "Max pooling 2×2, stride 2 (Ng, seed 003)", f(ng4), "max", 2, 2, "valid",
                      f([[9, 2], [6, 3]]), "003_de28f4f738ce9072.txt L150-162 (course figure, external)"),
        PoolingPreset("ng_avg", "Average pooling 2×2, stride 2 (Ng, seed 003)", f(ng4_avg), "average", 2, 2,
                      "valid", f([[3.75, 1.25], [4, 2]]),
                      "003_de28f4f738ce9072.txt L150-162 (course figure, external)",
                      "The figure has 4 where the max-pool figure has 3, at row 2, column 1."),
        PoolingPreset("ng_max_3x3", "Max pooling 3×3, stride 1 (Ng, seed 003)", f(ng5), "max", 3, 1, "valid",
                      f([[9, 9, 5], [9, 9, 5], [8, 6, 9]]),
                      "003_de28f4f738ce9072.txt L150-162 (course figure, external)",
                      "Overlapping windows: one large value (9) wins several windows."),
        PoolingPreset("xo_map", "X/O feature map after ReLU, 2×2 'same' (seed 000)", xo, "max", 2, 2, "same",
                      f([[1.00, 0.33, 0.55, 0.33], [0.33, 1.00, 0.33, 0.55], [0.55, 0.33, 1.00, 0.11],
                         [0.33, 0.55, 0.11, 0.77]]),
                      "000_05cde12013bfe355.txt L786-830 (pooled result derived)",
                      "7×7 → 4×4 with 'same': the partial windows on the last row and column are kept."),
    )
    return {p.key: p for p in items}


POOLING_PRESETS: dict[str, PoolingPreset] = _presets()
"""Key -> :class:`PoolingPreset`, in display order."""
