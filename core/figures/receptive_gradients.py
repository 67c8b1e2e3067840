"""Figure of a VGG16 unit's effective receptive field: the photo around the unit's theoretical field,
in grey, with the gradient's magnitude in colour on top, the theoretical field outlined in red and the
square holding 90 % of the gradient's energy in white."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.common import matrix_figure
from core.figures.deep_features import FIELD_COLOUR
from core.figures.gradients import heat_overlay_rgb

#: Outline of the effective field (the 90 %-energy square).
EFFECTIVE_COLOUR = "#ffffff"
#: Input pixels shown around the theoretical field (at least, on each side).
MARGIN = 12


def effective_field_figure(
    rgb: np.ndarray,
    energy: np.ndarray,
    box: tuple[int, int, int, int],
    centre: tuple[float, float],
    effective: int,
    *,
    title: str = "",
    height: int = 460,
) -> go.Figure:
    """The photo ``rgb`` (H, W, 3) uint8 cropped to the field ``box`` (top, left, height, width) plus a
    margin, with ``sqrt(energy)`` (|∂y/∂x| over the colours, (H, W)) as a heat overlay, full colour at its
    99th percentile over the non-zero pixels, the field in red and the centred square of side ``effective``
    in white. Hovering shows
    |∂y/∂x| as a share of that percentile (at most 1)."""
    h, w = energy.shape
    top, left, bh, bw = box
    pad = max(MARGIN, max(bh, bw) // 4)
    r0, c0 = max(top - pad, 0), max(left - pad, 0)
    r1, c1 = min(top + bh + pad, h), min(left + bw + pad, w)
    magnitude = np.sqrt(np.asarray(energy, np.float64)[r0:r1, c0:c1])
    nonzero = magnitude[magnitude > 0]
    top = float(np.percentile(nonzero, 99)) if nonzero.size else 1.0  # a few spikes would hide the rest
    heat = np.clip(magnitude / max(top, 1e-30), 0, 1).astype(np.float32)
    grey = np.asarray(rgb, np.float32)[r0:r1, c0:c1].mean(axis=2) / 255.0
    half = (effective - 1) / 2
    e_top, e_left = int(round(centre[0] - half)), int(round(centre[1] - half))
    e_box = (
        max(e_top, 0) - r0,
        max(e_left, 0) - c0,
        min(effective, h - max(e_top, 0)),
        min(effective, w - max(e_left, 0)),
    )
    return matrix_figure(
        heat,
        zmin=0.0,
        zmax=1.0,
        rgb=heat_overlay_rgb(grey, heat, alpha=0.6),
        title=title,
        show_numbers=False,
        height=height,
        boxes=[((top - r0, left - c0, bh, bw), FIELD_COLOUR), (e_box, EFFECTIVE_COLOUR)],
    )
