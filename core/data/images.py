"""Loading images safely, sample photos that work offline, and synthetic teaching images.

Uploaded bytes are decoded with Pillow; sample photos come from scikit-image's bundled data
(no download). Every loader returns float32 RGB in [0, 1] with shape ``(H, W, 3)``.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

#: Largest number of pixels (width × height) we agree to decode: 50 megapixels.
MAX_PIXELS = 50_000_000
#: Largest upload accepted, in bytes (the page's limit is set in .streamlit/config.toml).
MAX_BYTES = 25 * 1024 * 1024
SUPPORTED_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF", "MPO")

#: ITU-R 601-2 luma weights, as Pillow's ``convert("L")`` (the course's image-filter example).
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)


class ImageLoadError(ValueError):
    """An upload that cannot be turned into an image; the message is meant for the user."""


def _to_rgb_float(img: Image.Image) -> np.ndarray:
    """Pillow image of any mode → float32 (H, W, 3) in [0, 1]."""
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        arr = np.asarray(img, dtype=np.float32) / 65535.0
        return np.repeat(np.clip(arr, 0, 1)[:, :, None], 3, axis=2)
    if mode in ("I", "F"):
        arr = np.asarray(img, dtype=np.float32)
        top = 65535.0 if arr.max(initial=0) > 255 else 255.0
        arr = np.clip(arr / top, 0, 1)
        return np.repeat(arr[:, :, None], 3, axis=2)
    if mode in ("1", "L"):
        arr = to_unit_range(np.asarray(img.convert("L")))
        return np.repeat(arr[:, :, None], 3, axis=2)
    if mode == "P":
        img = img.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    return to_unit_range(np.asarray(img.convert("RGB")))


def load_image(data: bytes, *, max_side: int = 512) -> np.ndarray:
    """Decode an uploaded image file into float32 RGB.

    Parameters
    ----------
    data : bytes
        The file's content: PNG, JPEG, WebP, BMP, GIF (first frame) or TIFF.
    max_side : int, default 512
        Images larger than this on their longer side are downscaled (Lanczos) to fit.

    Returns
    -------
    image : ndarray of shape (H, W, 3), float32, values in [0, 1]
        EXIF orientation applied; transparency composited on white; palette, 16-bit, CMYK and
        grayscale images converted.

    Raises
    ------
    ImageLoadError
        Empty, over :data:`MAX_BYTES`, not an image, an unsupported format, truncated or corrupt,
        or more than :data:`MAX_PIXELS` pixels (checked from the header, before decoding).
    """
    if not data:
        raise ImageLoadError("The file is empty (0 bytes). Choose an image file.")
    if len(data) > MAX_BYTES:
        raise ImageLoadError(f"The file is {len(data) / 2**20:.1f} MB; the limit is {MAX_BYTES // 2**20} MB.")
    if max_side < 1:
        raise ValueError(f"`max_side` must be at least 1, got {max_side}.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ImageLoadError(
            f"The image has far too many pixels; the limit is {MAX_PIXELS / 1e6:.0f} MP. Resize it first."
        ) from None
    except UnidentifiedImageError:
        raise ImageLoadError(
            "This file is not an image Pillow can read (PNG, JPEG, WebP, BMP, GIF or TIFF)."
        ) from None
    except Exception as exc:  # noqa: BLE001 - any decoder failure is a bad upload
        raise ImageLoadError(f"This file could not be read as an image ({type(exc).__name__}).") from None
    if img.format not in SUPPORTED_FORMATS:
        raise ImageLoadError(f"{img.format} images are not supported; use PNG, JPEG, WebP, BMP, GIF or TIFF.")
    width, height = img.size
    if width < 1 or height < 1:
        raise ImageLoadError("The image has no pixels.")
    if width * height > MAX_PIXELS:
        raise ImageLoadError(
            f"The image is {width}×{height} pixels ({width * height / 1e6:.0f} MP); "
            f"the limit is {MAX_PIXELS / 1e6:.0f} MP. Resize it first."
        )
    try:
        if img.format == "JPEG":
            img.draft("RGB", (max_side, max_side))  # decode at a reduced scale when possible
        img.load()
        img = ImageOps.exif_transpose(img)
        if max(img.size) > max_side:
            if img.mode not in ("RGB", "RGBA", "L", "LA"):
                img = img.convert("RGBA" if "A" in img.getbands() or img.mode == "P" else "RGB")
            img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        return _to_rgb_float(img)
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageLoadError(f"The image file is truncated or corrupt ({exc}).") from None


def to_grayscale(image) -> np.ndarray:
    """ITU-R 601-2 luma of an RGB image (Pillow's ``convert("L")`` weights).

    Parameters
    ----------
    image : array_like of shape (H, W, 3) or (H, W), float

    Returns
    -------
    gray : ndarray of shape (H, W), float32, same unit as the input
    """
    arr = np.asarray(image, dtype=np.float32)
    if arr.ndim == 2:
        return arr
    if arr.ndim == 3 and arr.shape[2] == 1:
        return arr[:, :, 0]
    if arr.ndim != 3 or arr.shape[2] < 3:
        raise ValueError(f"`image` must have shape (H, W), (H, W, 1) or (H, W, 3), got {arr.shape}.")
    return arr[:, :, :3] @ LUMA_WEIGHTS


def to_unit_range(pixels, *, dtype=np.float32) -> np.ndarray:
    """8-bit pixels as floats in [0, 1]: ``pixels / 255``, the one place the app scales them.

    Parameters
    ----------
    pixels : array_like of any shape, uint8 in 0..255
        MNIST digits ``(N, 28, 28)``, a decoded image ``(H, W, 3)``, a time-lapse frame ...
    dtype : float dtype, optional
        Of the result (float32, as Keras models take; float64 for NumPy checks).

    Returns
    -------
    ndarray of the same shape, ``dtype``, in [0, 1]
        0 → 0.0 and 255 → 1.0 exactly.

    Raises
    ------
    TypeError
        If ``pixels`` is not uint8: floats may already be in [0, 1] (scaling them again would
        darken them 255 times), so convert them knowingly (``np.asarray(x, np.uint8)``) first.

    References
    ----------
    Course notes, *CNNs and regularisation in Keras*, *CNN example in Keras: written character recognition
    (I)*
    (``x_train / 255``).
    """
    arr = np.asarray(pixels)
    if arr.dtype != np.uint8:
        raise TypeError(
            f"`pixels` must be uint8 (0..255), got {arr.dtype}: images already in floats "
            "need no scaling; convert 8-bit data with np.asarray(x, np.uint8) first."
        )
    return arr.astype(dtype) / 255.0  # a Python float keeps float32 float32


def content_key(array) -> str:
    """A cache key for an array's content: sha256 of its dtype, shape and bytes (16 hex digits).

    Two arrays get the same key exactly when they have the same dtype, shape and values, so a
    drawing, a photo or an upload can key a cache shared by every session.

    Parameters
    ----------
    array : array_like, any shape and dtype (not object)

    Returns
    -------
    str
        16 lowercase hex digits.
    """
    import hashlib

    array = np.ascontiguousarray(array)
    digest = hashlib.sha256(f"{array.dtype.str}{array.shape}".encode())
    digest.update(array.data)
    return digest.hexdigest()[:16]


def to_uint8(image, *, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    """Map values in [low, high] to uint8 [0, 255], clipping outside."""
    arr = (np.asarray(image, dtype=np.float32) - low) / max(high - low, 1e-12)
    return (np.clip(arr, 0, 1) * 255 + 0.5).astype(np.uint8)


def encode_png(image) -> bytes:
    """PNG bytes of a uint8 (H, W) or (H, W, 3) array."""
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(image, dtype=np.uint8)).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def npy_bytes(array) -> bytes:
    """The ``.npy`` file content of an array (for downloads)."""
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array))
    return buffer.getvalue()


# --- sample photos (scikit-image, bundled) ------------------------------------------------------


def _skimage(name: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        from skimage import data  # imported lazily: it is slow to import

        arr = np.asarray(getattr(data, name)())
        arr = arr.astype(np.float32) / (255.0 if arr.dtype == np.uint8 else 1.0)
        return np.repeat(arr[:, :, None], 3, axis=2) if arr.ndim == 2 else arr[:, :, :3]

    return load


@dataclass(frozen=True)
class Sample:
    """A named sample image: ``loader()`` returns float32 (H, W, 3) in [0, 1]."""

    name: str
    title: str
    loader: Callable[[], np.ndarray]
    source: str


def _skimage_sample(name: str, title: str, credit: str = "bundled") -> Sample:
    """scikit-image's ``data.<name>()``: a :class:`Sample` from ``scikit-image data.<name> (<credit>)``."""
    return Sample(name, title, _skimage(name), f"scikit-image data.{name} ({credit})")


SAMPLES: dict[str, Sample] = {
    s.name: s
    for s in [
        _skimage_sample("camera", "Cameraman"),
        _skimage_sample("astronaut", "Astronaut (Eileen Collins)", "NASA, public domain"),
        _skimage_sample("coffee", "Coffee cup"),
        _skimage_sample("chelsea", "Chelsea the cat"),
        _skimage_sample("coins", "Coins"),
        _skimage_sample("checkerboard", "Checkerboard"),
        _skimage_sample("rocket", "Rocket"),
        _skimage_sample("text", "Text"),
    ]
}


def load_sample(name: str) -> np.ndarray:
    """Float32 RGB (H, W, 3) in [0, 1] of a sample in :data:`SAMPLES`.

    Raises
    ------
    ValueError
        If ``name`` is unknown.
    """
    if name not in SAMPLES:
        raise ValueError(f"Unknown sample {name!r}; choose one of {', '.join(SAMPLES)}.")
    return SAMPLES[name].loader()


# --- synthetic teaching images -------------------------------------------------------------------


def line_image(angle: int, size: int = 5, *, value: float = 1.0) -> np.ndarray:
    """A 1-pixel line through the centre of a zero ``(size, size)`` image.

    ``angle`` is 0 (horizontal), 45 ('/', bottom-left to top-right), 90 (vertical) or 135 ('\\'). Used with
    the course's line detectors (*CNNs and regularisation in Keras*): each gives 6 on its own line, 0 on the
    others.
    """
    if angle not in (0, 45, 90, 135):
        raise ValueError(f"`angle` must be 0, 45, 90 or 135, got {angle}.")
    if size < 3:
        raise ValueError(f"`size` must be at least 3, got {size}.")
    img = np.zeros((size, size), np.float32)
    c = size // 2
    idx = np.arange(size)
    if angle == 0:
        img[c, :] = value
    elif angle == 90:
        img[:, c] = value
    elif angle == 45:
        img[idx, size - 1 - idx] = value
    else:
        img[idx, idx] = value
    return img


def step_edge(height: int = 6, width: int = 6, *, left: float = 10.0, right: float = 0.0) -> np.ndarray:
    """Vertical step edge: the left half ``left``, the right half ``right``.

    The default 6×6 10|0 image is the course's "another example" (*CNN building blocks and
    classic networks*, *Edge detection*): the vertical-edge kernel
    gives rows ``0 30 30 0``; swapping the sides gives ``0 −30 −30 0``.
    """
    img = np.full((height, width), right, np.float32)
    img[:, : width // 2] = left
    return img


def impulse(size: int = 7) -> np.ndarray:
    """A single 1 in the centre of a zero image: 'same' correlation returns the kernel flipped."""
    img = np.zeros((size, size), np.float32)
    img[size // 2, size // 2] = 1.0
    return img


def x_and_o(which: str = "x") -> np.ndarray:
    """Brandon Rohrer's 9×9 ±1 images of an X or an O (Course notes, *Autoencoders and convolutional
    networks*, *CNN simple example*)."""
    n = 9
    img = -np.ones((n, n), np.float32)
    idx = np.arange(1, n - 1)
    if which == "x":
        img[idx, idx] = 1
        img[idx, n - 1 - idx] = 1
    elif which == "o":
        img[1, 3:6] = img[7, 3:6] = 1
        img[3:6, 1] = img[3:6, 7] = 1
        img[2, 2] = img[2, 6] = img[6, 2] = img[6, 6] = 1
    else:
        raise ValueError(f"`which` must be 'x' or 'o', got {which!r}.")
    return img


SYNTHETIC: dict[str, tuple[str, Callable[[], np.ndarray]]] = {
    "line_0": ("Horizontal line (9×9)", lambda: line_image(0, 9)),
    "line_45": ("45° line '/' (9×9)", lambda: line_image(45, 9)),
    "line_90": ("Vertical line (9×9)", lambda: line_image(90, 9)),
    "line_135": ("135° line '\\' (9×9)", lambda: line_image(135, 9)),
    "step_light_dark": ("Step edge, light → dark (course example)", lambda: step_edge()),
    "step_dark_light": ("Step edge, dark → light", lambda: step_edge(left=0.0, right=10.0)),
    "x": ("X (9×9, ±1)", lambda: x_and_o("x")),
    "o": ("O (9×9, ±1)", lambda: x_and_o("o")),
    "impulse": ("Single impulse (7×7)", lambda: impulse()),
}
"""Name → (title, loader returning a float32 (H, W) image in its own units)."""
