"""Hand-made edge detectors for a photo, to compare with learned ones (the Deep features page):
Sobel magnitude from the Convolution page's kernels and our own cross-correlation, and scikit-image's
Canny. NumPy and scikit-image only: no TensorFlow.
"""
from __future__ import annotations

import numpy as np

from core.data.images import LUMA_WEIGHTS
from core.maths import convolution
from core.maths.kernels import KERNELS


def hand_made_edges(rgb: np.ndarray, *, canny_sigma: float = 2.0) -> dict[str, np.ndarray]:
    """Sobel magnitude and Canny edges of a photo, on its luminance.

    Parameters
    ----------
    rgb : ndarray (H, W, 3), uint8 or 0-255
    canny_sigma : float
        Gaussian smoothing of ``skimage.feature.canny`` (pixels).

    Returns
    -------
    dict
        ``"sobel"``: float32 (H, W) in [0, 1], sqrt(Gx² + Gy²) with the Convolution page's kernels
        ``sobel_vertical`` / ``sobel_horizontal`` (Course notes, *CNNs and regularisation in Keras*, *More
        filters*), 'same' padding that repeats the edge pixels (so the photo's border is not an edge), divided
        by its maximum; ``"canny"``: float32 (H, W) of 0/1, scikit-image's Canny.
    """
    from skimage.feature import canny

    gray = np.tensordot(np.asarray(rgb, np.float32), LUMA_WEIGHTS, axes=([2], [0]))
    gx = convolution.cross_correlate2d(gray, KERNELS["sobel_vertical"].values, padding="same", pad_mode="edge")
    gy = convolution.cross_correlate2d(gray, KERNELS["sobel_horizontal"].values, padding="same", pad_mode="edge")
    magnitude = np.hypot(gx, gy)
    sobel = magnitude / max(float(magnitude.max()), 1e-12)
    edges = canny(gray / 255.0, sigma=canny_sigma)
    return {"sobel": sobel.astype(np.float32), "canny": edges.astype(np.float32)}
