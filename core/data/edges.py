"""Hand-made edge detectors on a photo, to compare with learned ones (the Deep features page): the
photo's luminance through :func:`core.maths.image_gradients.sobel_magnitude` (the Sobel detector's one
home, in NumPy) and scikit-image's Canny. NumPy and scikit-image only: no TensorFlow.
"""

from __future__ import annotations

import numpy as np

from core.data.images import to_grayscale
from core.maths.image_gradients import sobel_magnitude


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
        ``"sobel"``: float32 (H, W) in [0, 1], :func:`core.maths.image_gradients.sobel_magnitude` (edge
        pixels repeated, so the photo's border is not an edge) divided by its maximum; ``"canny"``: float32
        (H, W) of 0/1, scikit-image's Canny.
    """
    from skimage.feature import canny

    gray = to_grayscale(rgb)
    magnitude = sobel_magnitude(gray, pad_mode="edge")
    sobel = magnitude / max(float(magnitude.max()), 1e-12)
    edges = canny(gray / 255.0, sigma=canny_sigma)
    return {"sobel": sobel.astype(np.float32), "canny": edges.astype(np.float32)}
