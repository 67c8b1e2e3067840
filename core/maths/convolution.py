"""Two-dimensional convolution as deep-learning layers compute it, written out in NumPy.

What a convolutional layer calls "convolution" is *cross-correlation*: the kernel slides over the image
without being flipped (Keras ``Conv2D``, ``tf.nn.conv2d``; the course notes *Convolution, pooling and tensors*
and *CNN building blocks and classic networks* compute it this way). The textbook convolution of Course notes,
*CNNs and regularisation in Keras*, *Convolution operation: filters, kernels*
(``G[i,j] = sum_k sum_l F[i-k, j-l] W[k,l]``) flips the kernel by 180 degrees first; :func:`convolve2d` does
that.

Conventions: channels-last, ``(H, W)`` or ``(H, W, C)`` images, ``(kh, kw)`` or ``(kh, kw, C)``
kernels, float32 results. Output size along one axis, with total padding ``P``, kernel size ``K``,
dilation ``D`` and stride ``S``::

    out = floor((n + P - D*(K-1) - 1) / S) + 1

The vectorized path loops over the kernel's taps (at most ``kh*kw*C`` NumPy operations on whole
strided views), never over pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.maths.shapes import int_pair

PadSpec = str | int | tuple
PAD_MODES = ("constant", "reflect", "symmetric", "edge")
#: What each padding mode is called elsewhere. NumPy's ``reflect`` mirrors without repeating the
#: edge pixel (``d c b | a b c d``), ``symmetric`` repeats it (``c b a | a b c d``). SciPy names
#: them differently: ``scipy.signal.convolve2d(..., boundary='symm')`` is NumPy's ``symmetric``
# : (Course notes, *Autoencoders and convolutional networks*, *Convolution in TensorFlow and SciPy*), and
# ``scipy.ndimage`` calls NumPy's ``reflect``
#: ``'mirror'`` and NumPy's ``symmetric`` ``'reflect'``.
PAD_MODE_NAMES = {
    "constant": "zeros (NumPy 'constant', SciPy signal 'fill')",
    "reflect": "mirror without the edge pixel (NumPy 'reflect', scipy.ndimage 'mirror')",
    "symmetric": "mirror with the edge pixel (NumPy 'symmetric', scipy.signal 'symm')",
    "edge": "repeat the edge pixel (NumPy 'edge', scipy.ndimage 'nearest')",
}
PADDING_NAMES = ("valid", "same", "full")


def _axis_padding(n: int, k: int, s: int, d: int, padding: str) -> tuple[int, int]:
    """Padding (before, after) along one axis for a named padding."""
    span = d * (k - 1) + 1
    if padding == "valid":
        return 0, 0
    if padding == "full":
        return span - 1, span - 1
    # "same": Keras/TensorFlow placement; output = ceil(n / s), extra padding at the end.
    out = -(-n // s)
    total = max((out - 1) * s + span - n, 0)
    return total // 2, total - total // 2


def resolve_padding(
    image_hw: tuple[int, int],
    kernel_hw: tuple[int, int],
    *,
    stride=1,
    padding: PadSpec = "valid",
    dilation=1,
) -> tuple[int, int, int, int]:
    """Return the padding ``(top, bottom, left, right)`` in pixels that ``padding`` means.

    Parameters
    ----------
    image_hw, kernel_hw : pair of int
        Spatial sizes ``(H, W)`` of the image and ``(kh, kw)`` of the kernel.
    stride, dilation : int or pair of int, >= 1
    padding : {"valid", "same", "full"}, int >= 0, or (top, bottom, left, right)
        ``"same"`` follows Keras (output ``ceil(n / s)``, the odd pixel of padding at the
        bottom/right); ``"full"`` pads ``D*(K-1)`` on every side; an int pads every side.

    Raises
    ------
    ValueError
        If ``padding`` is not one of the forms above or holds a negative number.
    """
    sh, sw = int_pair(stride, "stride")
    dh, dw = int_pair(dilation, "dilation")
    if isinstance(padding, str):
        name = padding.lower()
        if name not in PADDING_NAMES:
            raise ValueError(f"`padding` must be one of {PADDING_NAMES}, an int or 4 ints, got {padding!r}.")
        top, bottom = _axis_padding(image_hw[0], kernel_hw[0], sh, dh, name)
        left, right = _axis_padding(image_hw[1], kernel_hw[1], sw, dw, name)
        return top, bottom, left, right
    if isinstance(padding, (int, np.integer)):
        pads = (int(padding),) * 4
    elif isinstance(padding, (tuple, list)) and len(padding) == 4:
        pads = tuple(int(p) for p in padding)
    else:
        raise ValueError(
            f"`padding` must be 'valid', 'same', 'full', an int or (top, bottom, left, right), got "
            f"{padding!r}."
        )
    if min(pads) < 0:
        raise ValueError(f"`padding` must not be negative, got {padding!r}.")
    return pads  # type: ignore[return-value]


def output_size(
    n: int, kernel_size: int, *, stride: int = 1, padding: PadSpec = "valid", dilation: int = 1
) -> tuple[int, tuple[int, int]]:
    """Output length along one axis and the padding ``(before, after)`` used.

    ``out = floor((n + p_total - d*(k-1) - 1) / s) + 1``; Course notes, *CNN building blocks and classic
    networks*, *Strided convolutions* writes it ``floor((n + 2p - f)/s + 1)`` for symmetric padding and no
    dilation.

    Parameters
    ----------
    n : int >= 1
        Input length in pixels.
    kernel_size : int >= 1
    stride, dilation : int >= 1
    padding : {"valid", "same", "full"}, int, or pair ``(before, after)``

    Returns
    -------
    (out, (before, after)) : int, pair of int
        ``out`` may be 0 or negative when the kernel does not fit; callers decide.

    Raises
    ------
    ValueError
        If a size, stride or dilation is below 1, or ``padding`` is malformed.
    """
    if n < 1 or kernel_size < 1:
        raise ValueError(f"`n` and `kernel_size` must be at least 1, got n={n}, kernel_size={kernel_size}.")
    if isinstance(padding, (tuple, list)) and len(padding) == 2:
        padding = (padding[0], padding[1], 0, 0)
    top, bottom, _, _ = resolve_padding(
        (n, 1), (kernel_size, 1), stride=(stride, 1), padding=padding, dilation=(dilation, 1)
    )
    out = (n + top + bottom - dilation * (kernel_size - 1) - 1) // stride + 1
    return out, (top, bottom)


def _as_image(image) -> np.ndarray:
    arr = np.asarray(image, dtype=np.float32)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3:
        raise ValueError(f"`image` must have shape (H, W) or (H, W, C), got shape {arr.shape}.")
    if arr.shape[0] < 1 or arr.shape[1] < 1 or arr.shape[2] < 1:
        raise ValueError(f"`image` is empty (shape {arr.shape}).")
    if not np.isfinite(arr).all():
        raise ValueError("`image` contains NaN or infinite values; replace them with numbers.")
    return arr


def _as_kernel(kernel, channels: int) -> np.ndarray:
    k = np.asarray(kernel, dtype=np.float32)
    if k.ndim == 2:
        k = k[:, :, None]
    if k.ndim != 3 or min(k.shape) < 1:
        raise ValueError(f"`kernel` must have shape (kh, kw) or (kh, kw, C), got shape {k.shape}.")
    if not np.isfinite(k).all():
        raise ValueError("`kernel` contains NaN or infinite values; every weight must be a finite number.")
    if k.shape[2] == 1 and channels > 1:
        # A 2-D kernel on a multi-channel image: the same weights on every channel (summed).
        k = np.repeat(k, channels, axis=2)
    if k.shape[2] != channels:
        raise ValueError(
            f"`kernel` has {k.shape[2]} channels but `image` has {channels}; "
            "the kernel's depth must equal the number of input channels."
        )
    return k


def pad_image(image, pads: tuple[int, int, int, int], pad_mode: str = "constant") -> np.ndarray:
    """Pad an ``(H, W)`` or ``(H, W, C)`` image by ``(top, bottom, left, right)`` pixels.

    ``pad_mode``: ``"constant"`` (zeros), ``"reflect"`` (mirror, edge pixel not repeated),
    ``"symmetric"`` (mirror, edge pixel repeated: SciPy's ``boundary='symm'``) or ``"edge"``
    (repeat the edge pixel); see :data:`PAD_MODE_NAMES`. Returns float32 of the input's ndim.

    Raises
    ------
    ValueError
        Unknown ``pad_mode``, negative padding, or reflect padding as large as the image.
    """
    img = _as_image(image)
    if min(pads) < 0:
        raise ValueError(f"`pads` must not be negative, got {pads}.")
    out = _pad(img, tuple(int(p) for p in pads), pad_mode)
    return out[:, :, 0] if np.ndim(image) == 2 else out


def output_size_formula(
    n: int, kernel_size: int, *, stride: int, dilation: int, pads: tuple[int, int], label: str = "n"
) -> str:
    """The output-size formula with the numbers filled in, e.g.
    ``⌊(512 + 1 + 1 − 1·(3 − 1) − 1) / 2⌋ + 1 = 256``."""
    before, after = pads
    out = (n + before + after - dilation * (kernel_size - 1) - 1) // stride + 1
    return f"⌊({n} + {before} + {after} − {dilation}·({kernel_size} − 1) − 1) / {stride}⌋ + 1 = {out}"


def _pad(image: np.ndarray, pads: tuple[int, int, int, int], pad_mode: str) -> np.ndarray:
    if pad_mode not in PAD_MODES:
        raise ValueError(f"`pad_mode` must be one of {PAD_MODES}, got {pad_mode!r}.")
    top, bottom, left, right = pads
    if not any(pads):
        return image
    width = ((top, bottom), (left, right), (0, 0))
    if pad_mode == "reflect" and (max(top, bottom) >= image.shape[0] or max(left, right) >= image.shape[1]):
        raise ValueError(
            "`pad_mode='reflect'` needs padding smaller than the image on each side; "
            "use 'edge' or 'constant' for this much padding."
        )
    return np.pad(image, width, mode=pad_mode)


@dataclass(frozen=True)
class _Plan:
    padded: np.ndarray  # (Hp, Wp, C) float32
    kernel: np.ndarray  # (kh, kw, C) float32
    stride: tuple[int, int]
    dilation: tuple[int, int]
    pads: tuple[int, int, int, int]
    out_hw: tuple[int, int]


def _plan(image, kernel, stride, padding, dilation, pad_mode) -> _Plan:
    img = _as_image(image)
    k = _as_kernel(kernel, img.shape[2])
    s = int_pair(stride, "stride")
    d = int_pair(dilation, "dilation")
    pads = resolve_padding(img.shape[:2], k.shape[:2], stride=s, padding=padding, dilation=d)
    padded = _pad(img, pads, pad_mode)
    span_h = d[0] * (k.shape[0] - 1) + 1
    span_w = d[1] * (k.shape[1] - 1) + 1
    if span_h > padded.shape[0] or span_w > padded.shape[1]:
        raise ValueError(
            f"`kernel` (reach {span_h}x{span_w} with dilation {d}) is larger than the padded "
            f"image ({padded.shape[0]}x{padded.shape[1]}); use a smaller kernel or dilation, "
            "or more padding."
        )
    out_h = (padded.shape[0] - span_h) // s[0] + 1
    out_w = (padded.shape[1] - span_w) // s[1] + 1
    if out_h < 1 or out_w < 1:
        raise ValueError("The output would be empty; reduce the stride or the kernel size.")
    return _Plan(padded, k, s, d, pads, (out_h, out_w))


def _correlate_planned(p: _Plan, bias: float) -> np.ndarray:
    """Sum over kernel taps of weight * (strided view of the padded image)."""
    out_h, out_w = p.out_hw
    (sh, sw), (dh, dw) = p.stride, p.dilation
    out = np.full((out_h, out_w), np.float32(bias), dtype=np.float32)
    kh, kw, channels = p.kernel.shape
    for i in range(kh):
        r0 = i * dh
        rows = slice(r0, r0 + (out_h - 1) * sh + 1, sh)
        for j in range(kw):
            c0 = j * dw
            cols = slice(c0, c0 + (out_w - 1) * sw + 1, sw)
            window = p.padded[rows, cols, :]  # (out_h, out_w, C) view
            weights = p.kernel[i, j, :]
            if channels == 1:
                if weights[0] != 0:
                    out += weights[0] * window[:, :, 0]
            else:
                out += window @ weights  # sums the channels in one BLAS call
    return out


def _check_bias(bias) -> float:
    b = float(bias)
    if not np.isfinite(b):
        raise ValueError(f"`bias` must be a finite number, got {bias!r}.")
    return b


def cross_correlate2d(
    image,
    kernel,
    *,
    stride=1,
    padding: PadSpec = "valid",
    dilation=1,
    bias: float = 0.0,
    pad_mode: str = "constant",
) -> np.ndarray:
    """Slide ``kernel`` over ``image`` without flipping it: what ``Conv2D`` computes.

    ``feature_map[r, c] = bias + sum_{i,j,ch} padded[r*S + i*D, c*S + j*D, ch] * kernel[i, j, ch]``

    Parameters
    ----------
    image : array_like of shape (H, W) or (H, W, C), float
        Pixel values in any unit (0-255 or 0-1); the output is in the same unit.
    kernel : array_like of shape (kh, kw) or (kh, kw, C), float
        A 2-D kernel on a C-channel image is applied to every channel and the channels are summed.
    stride, dilation : int or (int, int), >= 1
    padding : {"valid", "same", "full"}, int, or (top, bottom, left, right)
        ``"same"`` matches Keras: extra padding at the bottom/right for even sizes.
    bias : float
        Added to every output value (one bias per feature map, as in a conv layer).
    pad_mode : {"constant", "reflect", "symmetric", "edge"}
        What fills the padding: zeros, a mirror image without the edge pixel (NumPy "reflect"),
        a mirror image with it (NumPy "symmetric" = SciPy ``boundary='symm'``), or the edge pixel.

    Returns
    -------
    feature_map : ndarray of shape (H', W'), float32
        ``H' = (H + top + bottom - D*(kh-1) - 1) // S + 1``, likewise ``W'``.

    Raises
    ------
    ValueError
        Wrong ``ndim``; kernel/image channel mismatch; kernel larger than the padded image;
        stride or dilation < 1; NaN or infinite kernel values, image values or bias; empty output;
        unknown ``padding`` or ``pad_mode``.

    References
    ----------
    Course notes, *Convolution, pooling and tensors* §2.3 (the 308 example) and *CNN building blocks and
    classic networks*, *Edge detection* compute this operation.
    """
    b = _check_bias(bias)
    return _correlate_planned(_plan(image, kernel, stride, padding, dilation, pad_mode), b)


def flip_kernel(kernel) -> np.ndarray:
    """Rotate a ``(kh, kw)`` or ``(kh, kw, C)`` kernel by 180 degrees (both spatial axes)."""
    k = np.asarray(kernel, dtype=np.float32)
    if k.ndim not in (2, 3):
        raise ValueError(f"`kernel` must have shape (kh, kw) or (kh, kw, C), got shape {k.shape}.")
    return k[::-1, ::-1, ...].copy()


def convolve2d(image, kernel, **options) -> np.ndarray:
    """True (flipped-kernel) convolution: :func:`cross_correlate2d` with ``kernel`` rotated 180°.

    ``options`` are the keyword options of :func:`cross_correlate2d` (``stride``, ``padding``,
    ``dilation``, ``bias``, ``pad_mode``) with its defaults; the returns and errors are the same.

    References
    ----------
    Course notes, *CNNs and regularisation in Keras*, *Convolution operation: filters, kernels*:
    ``G[i,j] = sum_k sum_l F[i-k, j-l] W[k,l]``. On the 308 patch of *Convolution, pooling and tensors* §2.3
    the flipped kernel gives -151.
    """
    return cross_correlate2d(image, flip_kernel(kernel), **options)


def conv2d_layer(
    image,
    kernels,
    biases=None,
    *,
    stride=1,
    padding: PadSpec = "valid",
    dilation=1,
    pad_mode: str = "constant",
) -> np.ndarray:
    """A convolutional layer without activation: F kernels, one feature map each.

    Parameters
    ----------
    image : array_like of shape (H, W) or (H, W, C), float
    kernels : array_like of shape (kh, kw, C, F), float (Keras' ``Conv2D`` kernel layout)
    biases : array_like of shape (F,), float, optional (zeros)

    Returns
    -------
    feature_maps : ndarray of shape (H', W', F), float32

    Raises
    ------
    ValueError
        As :func:`cross_correlate2d`, and if ``kernels`` is not 4-D or ``biases`` is not ``(F,)``.
    """
    k = np.asarray(kernels, dtype=np.float32)
    if k.ndim != 4:
        raise ValueError(f"`kernels` must have shape (kh, kw, C, F), got shape {k.shape}.")
    n_filters = k.shape[3]
    b = np.zeros(n_filters, np.float32) if biases is None else np.asarray(biases, dtype=np.float32)
    if b.shape != (n_filters,):
        raise ValueError(f"`biases` must have shape ({n_filters},), got shape {b.shape}.")
    maps = [
        cross_correlate2d(
            image,
            k[:, :, :, f],
            stride=stride,
            padding=padding,
            dilation=dilation,
            bias=float(b[f]),
            pad_mode=pad_mode,
        )
        for f in range(n_filters)
    ]
    return np.stack(maps, axis=-1)


@dataclass(frozen=True)
class WindowTerms:
    """The arithmetic behind one output value (the numbers view).

    Attributes
    ----------
    row, col : int
        Output position.
    top, left : int
        Top-left corner of the window in *padded* image coordinates.
    rows, cols : ndarray of int, shape (kh,) and (kw,)
        Input coordinates (unpadded; negative or >= size means a padding cell) of each tap.
    patch : ndarray (kh, kw, C) float32
        Input values under the kernel, padding included.
    kernel : ndarray (kh, kw, C) float32
    products : ndarray (kh, kw, C) float32
        ``patch * kernel``.
    channel_sums : ndarray (C,) float32
    total : float
        Sum of all products.
    bias : float
    value : float
        ``total + bias``: the feature-map value at (row, col).
    """

    row: int
    col: int
    top: int
    left: int
    rows: np.ndarray
    cols: np.ndarray
    patch: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    channel_sums: np.ndarray
    total: float
    bias: float
    value: float

    def expression(self, channel: int = 0, *, decimals: int = 2) -> str:
        """The weighted sum written out, e.g. ``0·−1 + 0·−1 + … + 154·1 = 308`` (Course notes, *Convolution,
        pooling and tensors* §2.3)."""

        def fmt(v: float) -> str:
            text = f"{v:.{decimals}f}".rstrip("0").rstrip(".")
            return "0" if text in ("-0", "") else text.replace("-", "−")

        p, k = self.patch[:, :, channel].ravel(), self.kernel[:, :, channel].ravel()
        terms = " + ".join(f"{fmt(a)}·{fmt(b)}" for a, b in zip(p, k, strict=False))
        return f"{terms} = {fmt(float(self.channel_sums[channel]))}"


def window_terms(
    image,
    kernel,
    row: int,
    col: int,
    *,
    stride=1,
    padding: PadSpec = "valid",
    dilation=1,
    bias: float = 0.0,
    pad_mode: str = "constant",
) -> WindowTerms:
    """Input patch, products, sums, bias and output value at output position ``(row, col)``.

    Parameters are those of :func:`cross_correlate2d`; ``row``/``col`` index the feature map.

    Returns
    -------
    WindowTerms
        ``value`` equals ``cross_correlate2d(...)[row, col]`` (to float32 rounding).

    Raises
    ------
    ValueError
        As :func:`cross_correlate2d`, and if ``(row, col)`` lies outside the feature map.
    """
    b = _check_bias(bias)
    p = _plan(image, kernel, stride, padding, dilation, pad_mode)
    out_h, out_w = p.out_hw
    if not (0 <= row < out_h and 0 <= col < out_w):
        raise ValueError(f"(`row`, `col`) = ({row}, {col}) is outside the {out_h}x{out_w} feature map.")
    (sh, sw), (dh, dw) = p.stride, p.dilation
    kh, kw, _ = p.kernel.shape
    top, left = row * sh, col * sw
    r_idx = top + dh * np.arange(kh)
    c_idx = left + dw * np.arange(kw)
    patch = p.padded[np.ix_(r_idx, c_idx)].astype(np.float32)
    products = patch * p.kernel
    channel_sums = products.sum(axis=(0, 1), dtype=np.float64).astype(np.float32)
    total = float(products.sum(dtype=np.float64))
    return WindowTerms(
        row=row,
        col=col,
        top=top,
        left=left,
        rows=r_idx - p.pads[0],
        cols=c_idx - p.pads[2],
        patch=patch,
        kernel=p.kernel,
        products=products,
        channel_sums=channel_sums,
        total=total,
        bias=b,
        value=total + b,
    )
