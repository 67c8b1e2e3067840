"""The preprocessing that turns any picture of a digit into a model input, keeping every step.

``preprocess_digit`` prepares a photo or drawing as NIST/LeCun prepared MNIST (white digit on
black, longer side scaled to 20 pixels, centred by mass in 28x28); ``fit_image_to_input``
resizes an image to any model's (H, W, C) input; ``digit_model_input`` chains the two.

This module imports neither TensorFlow nor Streamlit; Pillow is imported when an image is resized.
"""

from __future__ import annotations

import numpy as np

from core.data.datasets import MNIST_BOX, MNIST_SIZE
from core.data.images import to_unit_range


def _to_gray(image: np.ndarray) -> np.ndarray:
    """Any (H, W), (H, W, 3) or (H, W, 4) image to float32 grey levels in [0, 1]."""
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] == 4:  # RGBA (a drawing canvas): composite on white
        rgba = to_unit_range(img, dtype=np.float64) if img.dtype == np.uint8 else img.astype(np.float64)
        img = rgba[..., :3] * rgba[..., 3:4] + (1.0 - rgba[..., 3:4])
    elif img.dtype == np.uint8:
        img = to_unit_range(img, dtype=np.float64)
    else:
        img = img.astype(np.float64)
        if img.size and np.nanmax(img) > 1.0:
            img = img / 255.0
    if img.ndim == 3 and img.shape[2] == 3:
        img = img @ np.array([0.299, 0.587, 0.114])  # ITU-R BT.601 luma, as Pillow's "L"
    elif img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    if img.ndim != 2:
        raise ValueError(f"image must have shape (H, W), (H, W, 3) or (H, W, 4), got {image.shape}")
    return np.clip(np.nan_to_num(img), 0.0, 1.0).astype(np.float32)


def _resize(img: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    from PIL import Image

    out = Image.fromarray(img.astype(np.float32), mode="F").resize(
        (shape[1], shape[0]),
        resample=Image.Resampling.BOX if img.shape[0] > shape[0] else Image.Resampling.BILINEAR,
    )
    return np.clip(np.asarray(out, dtype=np.float32), 0.0, 1.0)


def preprocess_digit(
    image: np.ndarray, *, invert: str | bool = "auto", threshold: float = 0.2
) -> list[tuple[str, np.ndarray]]:
    """Turn any picture of a digit into the MNIST CNN's 28x28 input, keeping every step.

    Steps, as NIST/LeCun prepared MNIST: grey levels; inversion to a white digit on black when the
    background is light; crop to the digit's bounding box; scale the longer side to 20 pixels
    (aspect kept); paste into 28x28 so that the centre of mass sits at the centre; values in [0, 1].

    Parameters
    ----------
    image : ndarray of shape (H, W), (H, W, 3) or (H, W, 4)
        uint8 0..255 or float (values above 1 are read as 0..255). RGBA is composited on white.
    invert : {"auto", True, False}, optional
        "auto" inverts when the mean of the border pixels is above 0.5 (light background).
    threshold : float, optional
        Ink level in (0, 1) that counts as digit when finding the bounding box.

    Returns
    -------
    steps : list of (str, ndarray)
        ``[("grayscale", (H, W)), ("inverted" or "not inverted", (H, W)), ("cropped", (h, w)),
        ("resized", (h', w') with max 20), ("centered 28x28", (28, 28)), ("scaled", (28, 28))]``,
        all float32; the last array is the model input in [0, 1] (add batch and channel axes).

    Raises
    ------
    ValueError
        If the image has the wrong shape, ``invert`` or ``threshold`` is invalid, or no pixel
        reaches ``threshold`` (a blank image: draw or upload a digit).
    """
    if invert not in ("auto", True, False):
        raise ValueError(f"invert must be 'auto', True or False, got {invert!r}")
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1), got {threshold!r}")
    gray = _to_gray(image)
    if min(gray.shape) < 2:
        raise ValueError(f"image must be at least 2x2 pixels, got {gray.shape}")
    steps: list[tuple[str, np.ndarray]] = [("grayscale", gray)]
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    do_invert = bool(border.mean() > 0.5) if invert == "auto" else bool(invert)
    ink = 1.0 - gray if do_invert else gray.copy()
    steps.append(("inverted" if do_invert else "not inverted", ink))
    rows = np.flatnonzero((ink >= threshold).any(axis=1))
    cols = np.flatnonzero((ink >= threshold).any(axis=0))
    if rows.size == 0:
        raise ValueError("image: no digit found (no pixel reaches the ink threshold); draw or upload a digit")
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    crop = np.where(crop >= threshold / 2, crop, 0.0).astype(np.float32)  # drop faint noise
    steps.append(("cropped", crop))
    h, w = crop.shape
    scale = MNIST_BOX / max(h, w)
    small = _resize(crop, (max(1, round(h * scale)), max(1, round(w * scale))))
    steps.append(("resized", small))
    canvas = np.zeros((MNIST_SIZE, MNIST_SIZE), np.float32)
    total = small.sum()
    cy, cx = (
        (np.indices(small.shape) * small).reshape(2, -1).sum(axis=1) / total
        if total > 0
        else ((small.shape[0] - 1) / 2, (small.shape[1] - 1) / 2)
    )
    top = int(np.clip(round((MNIST_SIZE - 1) / 2 - cy), 0, MNIST_SIZE - small.shape[0]))
    left = int(np.clip(round((MNIST_SIZE - 1) / 2 - cx), 0, MNIST_SIZE - small.shape[1]))
    canvas[top : top + small.shape[0], left : left + small.shape[1]] = small
    steps.append(("centered 28x28", canvas))
    peak = float(canvas.max())
    steps.append(("scaled", (canvas / peak if peak > 0 else canvas).astype(np.float32)))
    return steps


def fit_image_to_input(image: np.ndarray, input_shape: tuple) -> np.ndarray:
    """Resize an image in [0, 1] to a model's (H, W, C) input and add a batch axis.

    Parameters
    ----------
    image : ndarray of shape (H, W) or (H, W, 3), float in [0, 1]
    input_shape : tuple
        The model input's shape without the batch axis, e.g. (28, 28, 1); None sizes keep the
        image's own size.

    Returns
    -------
    ndarray of shape (1, H', W', C), float32
        Grey is replicated to 3 channels or RGB averaged to 1 as needed.

    Raises
    ------
    ValueError
        If the input shape is not (H, W, C) with C in (1, 3) or the image is not 2-D/3-D.
    """
    from PIL import Image

    if len(input_shape) != 3 or input_shape[-1] not in (1, 3):
        raise ValueError(f"input_shape must be (H, W, 1) or (H, W, 3), got {input_shape}")
    img = np.asarray(image, dtype=np.float32)
    if img.ndim not in (2, 3):
        raise ValueError(f"image must have shape (H, W) or (H, W, 3), got {img.shape}")
    h = input_shape[0] or img.shape[0]
    w = input_shape[1] or img.shape[1]
    channels = [img] if img.ndim == 2 else [img[:, :, i] for i in range(img.shape[2])]
    resized = [
        np.asarray(Image.fromarray(ch, mode="F").resize((w, h), Image.Resampling.BILINEAR)) for ch in channels
    ]
    out = np.stack(resized, axis=-1)
    if input_shape[-1] == 1 and out.shape[-1] != 1:
        out = out.mean(axis=-1, keepdims=True)
    elif input_shape[-1] == 3 and out.shape[-1] == 1:
        out = np.repeat(out, 3, axis=-1)
    return np.clip(out, 0.0, 1.0)[None].astype(np.float32)


def digit_model_input(
    picture: np.ndarray, *, input_shape: tuple = (28, 28, 1), is_mnist: bool = False
) -> tuple[list[tuple[str, np.ndarray]], np.ndarray]:
    """Any picture of a digit to a batch for a digit model, with the preprocessing steps.

    Parameters
    ----------
    picture : ndarray of shape (H, W), (H, W, 3) or (H, W, 4)
        An MNIST image in [0, 1] when ``is_mnist`` (used as it is), else any photo or drawing
        (see ``preprocess_digit``).
    input_shape : tuple
        The model's (H, W, C); the 28x28 result is resized to it.

    Returns
    -------
    steps : list of (str, ndarray)
        ``[("test image", picture)]`` for MNIST images, else ``preprocess_digit``'s steps.
    batch : ndarray of shape (1, H, W, C), float32 in [0, 1]

    Raises
    ------
    ValueError
        From ``preprocess_digit`` (blank image) or for a bad shape.
    """
    steps = [("test image", np.asarray(picture, np.float32))] if is_mnist else preprocess_digit(picture)
    return steps, fit_image_to_input(steps[-1][1], input_shape)
