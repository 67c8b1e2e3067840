"""Receptive fields: which input pixels a unit of a deep feature map can see.

For a stack of layers, each a window of ``kernel`` pixels moved by ``stride`` over an input padded
by ``padding`` pixels before its first row/column, three numbers describe every unit of layer l
(Araujo, Norris & Sim, "Computing Receptive Fields of Convolutional Neural Networks", Distill 2019;
Dumoulin & Visin, "A guide to convolution arithmetic", 2016):

* ``size`` r_l : pixels of the input one unit sees, along one axis;
* ``jump`` j_l : input pixels between two neighbouring units (the product of the strides);
* ``start`` s_l : input coordinate of the centre of unit 0's field (may be half-integer or negative).

They follow layer by layer, from r_0 = 1, j_0 = 1, s_0 = 0 (a pixel sees itself)::

    r_l = r_{l-1} + (k_l - 1) * j_{l-1}
    j_l = j_{l-1} * s_l
    start_l = start_{l-1} + ((k_l - 1) / 2 - p_l) * j_{l-1}

Unit i of layer l then sees input pixels ``start_l + i * j_l - (r_l - 1) / 2`` to
``start_l + i * j_l + (r_l - 1) / 2`` (inclusive; parts may lie in the padding, outside the image).
NumPy only; the numbers are the same along rows and columns for square kernels.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: VGG16's 13 convolutions and 4 inner poolings as (name, kernel, stride, padding before), in order:
#: 3 × 3 convolutions with stride 1 and 'same' padding (1 pixel), 2 × 2 max poolings with stride 2
#: (no padding before; Keras' 'same' pooling of an odd size pads after, which moves no field).
#: Source: Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
#: Recognition", ICLR 2015, table 1 (configuration D); the layer names are Keras' ``VGG16``.
VGG16_LAYERS: tuple[tuple[str, int, int, int], ...] = (
    ("block1_conv1", 3, 1, 1),
    ("block1_conv2", 3, 1, 1),
    ("block2_pool_in", 2, 2, 0),
    ("block2_conv1", 3, 1, 1),
    ("block2_conv2", 3, 1, 1),
    ("block3_pool_in", 2, 2, 0),
    ("block3_conv1", 3, 1, 1),
    ("block3_conv2", 3, 1, 1),
    ("block3_conv3", 3, 1, 1),
    ("block4_pool_in", 2, 2, 0),
    ("block4_conv1", 3, 1, 1),
    ("block4_conv2", 3, 1, 1),
    ("block4_conv3", 3, 1, 1),
    ("block5_pool_in", 2, 2, 0),
    ("block5_conv1", 3, 1, 1),
    ("block5_conv2", 3, 1, 1),
    ("block5_conv3", 3, 1, 1),
)


@dataclass(frozen=True)
class FieldRow:
    """The receptive field of one layer's units.

    Attributes
    ----------
    name : str
        Layer name.
    kernel, stride, padding : int
        The layer's window size, step and padding before the first row/column, in its input's pixels.
    size : int
        Receptive field size r, in input-image pixels (along one axis).
    jump : int
        Input pixels between neighbouring units (product of the strides so far).
    start : float
        Input coordinate of the centre of unit 0's field.
    """

    name: str
    kernel: int
    stride: int
    padding: int
    size: int
    jump: int
    start: float

    def field(self, index: int) -> tuple[float, float]:
        """First and last input coordinate (inclusive) seen by unit ``index`` along this axis.

        Returns
        -------
        (first, last) : tuple of float
            Integers for every stack of odd kernels or even strides (VGG16); may lie outside
            ``[0, n - 1]`` (the padding).
        """
        centre = self.start + index * self.jump
        half = (self.size - 1) / 2
        return centre - half, centre + half


def receptive_fields(layers: Iterable[Sequence]) -> list[FieldRow]:
    """Receptive-field size, jump and start after each layer of a stack (see the module docstring).

    Parameters
    ----------
    layers : iterable of (name, kernel, stride, padding)
        In order from the input; ``kernel`` >= 1, ``stride`` >= 1, ``padding`` >= 0 pixels added
        before the first row/column (``(kernel - 1) // 2`` for Keras 'same' with stride 1, 0 for
        'valid').

    Returns
    -------
    list of FieldRow
        One per layer.

    Raises
    ------
    ValueError
        If a layer has a kernel or stride below 1, a negative padding, or not 4 entries.

    Examples
    --------
    >>> receptive_fields(VGG16_LAYERS)[-1].size      # block5_conv3
    196
    """
    rows, size, jump, start = [], 1, 1, 0.0
    for layer in layers:
        if len(layer) != 4:
            raise ValueError(f"each layer must be (name, kernel, stride, padding), got {layer!r}")
        name, kernel, stride, padding = layer
        if int(kernel) < 1 or int(stride) < 1 or int(padding) < 0:
            raise ValueError(
                f"layer {name!r}: kernel and stride must be >= 1 and padding >= 0, "
                f"got kernel={kernel}, stride={stride}, padding={padding}"
            )
        start = start + ((kernel - 1) / 2 - padding) * jump
        size = size + (kernel - 1) * jump
        jump = jump * stride
        rows.append(
            FieldRow(str(name), int(kernel), int(stride), int(padding), int(size), int(jump), float(start))
        )
    return rows


def field_box(
    row: FieldRow, unit_row: int, unit_col: int, image_shape: tuple[int, int] | None = None
) -> tuple[int, int, int, int]:
    """The input rectangle seen by unit ``(unit_row, unit_col)`` of a layer, as (top, left, height, width).

    Parameters
    ----------
    row : FieldRow
        The layer's receptive field (from :func:`receptive_fields`).
    unit_row, unit_col : int
        The unit's position in the layer's feature map.
    image_shape : (H, W), optional
        If given, the rectangle is clipped to the image (the rest lies in the padding).

    Returns
    -------
    (top, left, height, width) : tuple of int
        In input pixels; ``height == width == row.size`` unless clipped.
    """
    r0, r1 = row.field(unit_row)
    c0, c1 = row.field(unit_col)
    top, left, bottom, right = int(round(r0)), int(round(c0)), int(round(r1)), int(round(c1))
    if image_shape is not None:
        top, left = max(top, 0), max(left, 0)
        bottom, right = min(bottom, image_shape[0] - 1), min(right, image_shape[1] - 1)
    return top, left, max(bottom - top + 1, 0), max(right - left + 1, 0)


def vgg16_fields() -> dict[str, FieldRow]:
    """The 13 convolution layers of VGG16 with their receptive fields, by layer name
    (block1_conv1: 3 px ... block5_conv3: 196 px); the poolings are left out of the dict."""
    return {r.name: r for r in receptive_fields(VGG16_LAYERS) if "conv" in r.name}
