"""Gradient magnitude with a complex kernel: the course's image-filtering code, in NumPy.

Course notes, *Autoencoders and convolutional networks*, *Convolution in TensorFlow and SciPy* converts a
photo to grey (``convert("L")``), calls ``scipy.signal.convolve2d(arr, kernel, mode='same', boundary='symm')``
and shows ``np.absolute(grad)`` as "GRADIENT MAGNITUDE - Feature map", then a brightened copy
``np.absolute(grad) + 100`` clipped at 255. ``kernel`` is not defined in the course; the code is SciPy's
documentation example, whose kernel is the Scharr pair packed into one complex array
(:data:`core.maths.kernels.SCHARR_COMPLEX`): the real part is the horizontal gradient, the imaginary part the
vertical one, so ``|grad| = sqrt(gx**2 + gy**2)``.

``scipy.signal.convolve2d`` is true convolution (the kernel is flipped); ``boundary='symm'``
mirrors the image *with* its edge pixel, which NumPy calls ``"symmetric"``. NumPy's
``"reflect"`` leaves the edge pixel out (see :data:`core.maths.convolution.PAD_MODE_NAMES`).
``tests/core/test_image_gradients.py`` checks :func:`complex_convolve2d` and :func:`sobel_magnitude` (the
hand-made edge detector the Deep features page compares with learned ones) against SciPy.
"""

from __future__ import annotations

import numpy as np

from core.maths.convolution import PAD_MODES, convolve2d, cross_correlate2d
from core.maths.kernels import KERNELS, SCHARR_COMPLEX

#: SciPy's ``boundary`` names -> NumPy's ``np.pad`` modes.
SCIPY_BOUNDARIES = {"symm": "symmetric", "fill": "constant"}


def _boundary(boundary: str) -> str:
    mode = SCIPY_BOUNDARIES.get(boundary, boundary)
    if mode not in PAD_MODES:
        raise ValueError(
            f"`boundary` must be one of {PAD_MODES} or SciPy's 'symm' / 'fill', got {boundary!r}."
        )
    return mode


def complex_convolve2d(image, kernel=SCHARR_COMPLEX, *, boundary: str = "symmetric") -> np.ndarray:
    """True convolution of a real image with a complex kernel, same size as the image.

    ``scipy.signal.convolve2d(image, kernel, mode='same', boundary='symm')`` for the default
    ``boundary``; the real and imaginary parts are two real convolutions.

    Parameters
    ----------
    image : array_like of shape (H, W), float (grey values, e.g. 0-255)
    kernel : array_like of shape (kh, kw), complex or float, kh and kw odd
        Default: :data:`core.maths.kernels.SCHARR_COMPLEX`.
    boundary : {"symmetric", "reflect", "edge", "constant"} or SciPy's "symm" / "fill"
        What the border padding of ``(k - 1) / 2`` pixels holds (NumPy's ``np.pad`` names).

    Returns
    -------
    grad : ndarray of shape (H, W), complex128
        Real part: horizontal gradient (positive where it gets brighter to the right, for the
        Scharr kernel); imaginary part: vertical gradient.

    Raises
    ------
    ValueError
        If ``image`` is not 2-D or not finite, ``kernel`` is not 2-D with odd sides, or
        ``boundary`` is unknown.

    References
    ----------
    Course notes, *Autoencoders and convolutional networks*, *Convolution in TensorFlow and SciPy* (the call);
    the kernel from SciPy's ``convolve2d`` docs.
    """
    img = np.asarray(image, dtype=np.float64)
    if img.ndim != 2:
        raise ValueError(f"`image` must be a grey (H, W) image, got shape {img.shape}.")
    k = np.asarray(kernel, dtype=np.complex128)
    if k.ndim != 2 or k.shape[0] % 2 == 0 or k.shape[1] % 2 == 0:
        raise ValueError(f"`kernel` must be 2-D with odd sides (3×3, 5×5 ...), got shape {k.shape}.")
    mode = _boundary(boundary)
    ph, pw = k.shape[0] // 2, k.shape[1] // 2
    pads = (ph, ph, pw, pw)
    real = convolve2d(img, k.real, padding=pads, pad_mode=mode).astype(np.float64)
    imag = convolve2d(img, k.imag, padding=pads, pad_mode=mode).astype(np.float64)
    return real + 1j * imag


def gradient_magnitude(image, kernel=SCHARR_COMPLEX, *, boundary: str = "symmetric") -> np.ndarray:
    """``np.absolute(complex_convolve2d(image, kernel, boundary=boundary))``: float32 (H, W), >= 0.

    Raises ``ValueError`` as :func:`complex_convolve2d`.
    """
    return np.abs(complex_convolve2d(image, kernel, boundary=boundary)).astype(np.float32)


def brightened(magnitude, *, offset: float = 100.0, ceiling: float = 255.0) -> np.ndarray:
    """The seed's brighter display: ``magnitude + offset``, values above ``ceiling`` set to it.

    Course notes, *Autoencoders and convolutional networks*, *Convolution in TensorFlow and SciPy*:
    ``grad_biases = np.absolute(grad) + 100; grad_biases[grad_biases > 255] = 255``. Returns float32 of
    ``magnitude``'s shape.
    """
    return np.minimum(np.asarray(magnitude, dtype=np.float32) + np.float32(offset), np.float32(ceiling))


def sobel_magnitude(gray, *, pad_mode: str = "edge") -> np.ndarray:
    """Sobel gradient magnitude ``sqrt(Gx² + Gy²)`` of a grey image, with the Convolution page's kernels.

    ``Gx`` and ``Gy`` are :func:`core.maths.convolution.cross_correlate2d` with ``sobel_vertical`` and
    ``sobel_horizontal`` (:data:`core.maths.kernels.KERNELS`) and 'same' padding.

    Parameters
    ----------
    gray : array_like of shape (H, W), float, in pixel units (0-255)
    pad_mode : str
        How the border is padded (:data:`core.maths.convolution.PAD_MODES`); the default ``"edge"``
        repeats the edge pixels, so a photo's border is not an edge.

    Returns
    -------
    magnitude : ndarray of shape (H, W), float32, >= 0
        Up to ``4·255·sqrt(2) ≈ 1442`` for 0-255 input.

    Raises
    ------
    ValueError
        If ``gray`` is not 2-D or ``pad_mode`` is unknown (as :func:`cross_correlate2d`).

    References
    ----------
    Course notes, *CNNs and regularisation in Keras*, *More filters* (the Sobel kernels); Sobel and Feldman's
    operator as in ``scipy.ndimage.sobel`` (the test's oracle).
    """
    img = np.asarray(gray, dtype=np.float32)
    if img.ndim != 2:
        raise ValueError(
            f"`gray` must be a grey image of shape (H, W), got shape {img.shape}; "
            "convert a colour photo with core.data.images.to_grayscale first."
        )
    gx = cross_correlate2d(img, KERNELS["sobel_vertical"].values, padding="same", pad_mode=pad_mode)
    gy = cross_correlate2d(img, KERNELS["sobel_horizontal"].values, padding="same", pad_mode=pad_mode)
    return np.hypot(gx, gy).astype(np.float32)
