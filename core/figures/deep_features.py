"""Figures of the Deep features page: preprocessing panels, ranked feature-map grids, a unit's
receptive field on the photo, VGG16's first-layer filters beside hand-made kernels, edge maps.

Built from plain dicts (not re-validated, like ``core.figures.feature_maps``); pictures travel as PNG/JPEG
(``core.figures.common.encode_raster``), never as per-pixel JSON, except the enlarged single map,
whose values hover when it is small (``matrix_figure``). They never call Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.figures.common import DIVERGING, encode_raster, matrix_figure, panel_title, picture_layout
from core.figures.feature_maps import MapMosaic, feature_maps_mosaic, mosaic_figure

#: Colour of a receptive-field box and of the picked unit.
FIELD_COLOUR = "#d7301f"
UNIT_COLOUR = "#1a9850"


def _figure(data: list, layout: dict) -> go.Figure:
    return go.Figure(dict(data=data, layout=layout), _validate=False)


def to_rgb8(
    values: np.ndarray, *, lo: float = 0.0, hi: float = 1.0, invert: bool = False, colormap: str | None = None
) -> np.ndarray:
    """(H, W) values -> (H, W, 3) uint8 grey (or through a Matplotlib ``colormap``), ``lo``..``hi``
    mapped to black..white (white..black if ``invert``)."""
    norm = np.clip((np.asarray(values, np.float32) - lo) / max(hi - lo, 1e-12), 0.0, 1.0)
    if invert:
        norm = 1.0 - norm
    if colormap is not None:
        from matplotlib import colormaps

        return (colormaps[colormap](norm)[:, :, :3] * 255 + 0.5).astype(np.uint8)
    grey = (norm * 255 + 0.5).astype(np.uint8)
    return np.dstack([grey] * 3)


def panels_figure(
    panels: Sequence[tuple[str, np.ndarray]], *, cols: int = 4, panel_height: int = 220
) -> go.Figure:
    """Pictures side by side in a grid, each titled.

    Parameters
    ----------
    panels : sequence of (title, ndarray (H, W, 3) uint8)
        All drawn at their own aspect ratio; ``title`` may hold ``<br>``.
    cols : int
        Panels per row.
    panel_height : int
        Height of one row of panels, pixels (plus 40 for the titles).
    """
    n = len(panels)
    cols = max(1, min(cols, n))
    rows = -(-n // cols)
    total = rows * (panel_height + 44) + 10
    gap_x, gap_y = 0.02, 44 / (total - 44)  # 44 px between rows: the next row's two-line titles
    width, height = (1.0 - gap_x * (cols - 1)) / cols, (1.0 - gap_y * (rows - 1)) / rows
    data, layout = (
        [],
        dict(
            height=total,
            margin=dict(l=4, r=4, t=40, b=4),
            annotations=[],
            template={},
            dragmode=False,
            plot_bgcolor="rgba(0,0,0,0)",
        ),
    )
    for i, (title, rgb) in enumerate(panels):
        suffix = "" if i == 0 else str(i + 1)
        left, top = (i % cols) * (width + gap_x), 1.0 - (i // cols) * (height + gap_y)
        h, w = rgb.shape[:2]
        data.append(
            dict(
                type="image",
                source=encode_raster(rgb),
                hoverinfo="skip",
                xaxis=f"x{suffix}",
                yaxis=f"y{suffix}",
            )
        )
        layout[f"xaxis{suffix}"] = dict(
            domain=[left, left + width],
            visible=False,
            range=[-0.5, w - 0.5],
            constrain="domain",
            anchor=f"y{suffix}",
        )
        layout[f"yaxis{suffix}"] = dict(
            domain=[max(0.0, top - height), top],  # not below 0 by rounding
            visible=False,
            range=[h - 0.5, -0.5],
            scaleanchor=f"x{suffix}",
            constrain="domain",
            anchor=f"x{suffix}",
        )
        layout["annotations"].append(panel_title(title, left + width / 2, y=top, size=13))
    return _figure(data, layout)


def preprocessing_panels(
    original: np.ndarray, rgb: np.ndarray, bgr: np.ndarray, batch: np.ndarray
) -> list[tuple[str, np.ndarray]]:
    """The steps from the photo to the network's input, as pictures for :func:`panels_figure`.

    Parameters
    ----------
    original : ndarray (H0, W0, 3), 0-255
    rgb : ndarray (H, W, 3), uint8 (resized)
    bgr : ndarray (H, W, 3), float32 0-255 (channels reversed)
    batch : ndarray (1, H, W, 3), float32 (BGR minus the mean pixel)

    Returns
    -------
    list of (title, uint8 picture)
        Original, resized, the BGR array drawn as if it were RGB (red and blue swap), and the three
        mean-subtracted channels on a diverging scale (blue < 0 < red, ±128).
    """

    def shape(a) -> str:
        return " × ".join(map(str, np.shape(a)))

    original8 = np.clip(np.asarray(original, np.float32) + 0.5, 0, 255).astype(np.uint8)
    panels = [
        (f"1. your photo<br>{shape(original8)}", original8),
        (f"2. resized (Lanczos)<br>{shape(rgb)}", rgb),
        ("3. RGB → BGR<br>(drawn as RGB: red ↔ blue)", np.clip(bgr + 0.5, 0, 255).astype(np.uint8)),
    ]
    for k, (name, mean) in enumerate(zip("BGR", (104.00699, 116.66877, 122.67892), strict=False)):
        panels.append(
            (
                f"4{'abc'[k]}. {name} − {mean:g}<br>range {batch[0, :, :, k].min():.0f} … "
                f"{batch[0, :, :, k].max():.0f}",
                to_rgb8(batch[0, :, :, k], lo=-128, hi=128, colormap=DIVERGING),
            )
        )
    return panels


def ranked_mosaic(maps: np.ndarray, order: np.ndarray, *, count: int, cols: int) -> MapMosaic:
    """The ``count`` strongest maps of a layer (in ``order``) as one picture, each on its own scale.

    Parameters
    ----------
    maps : ndarray (h, w, C), float16 or float32
    order : ndarray (C,), int
        From ``core.models.hed.ranked_maps``.
    """
    chosen = np.asarray(maps[:, :, np.asarray(order[:count])], np.float32)
    return feature_maps_mosaic(chosen, scale="per map", cols=cols, max_maps=count)


def ranked_maps_figure(mosaic: MapMosaic, labels: Sequence[str]) -> go.Figure:
    """:func:`core.figures.feature_maps.mosaic_figure` with a label in each map's top-left corner
    (e.g. "map 17 · mean 3.2"), in the mosaic's order; about 100 px a row of maps, for a grid in half a
    laptop's page or across a phone."""
    h, w = mosaic.map_shape
    spec = mosaic_figure(mosaic, height=int(min(900, 100 * mosaic.rows * h / max(w, 1) + 12))).to_dict()
    size = 11 if w >= 60 else 9
    spec["layout"]["annotations"] = [
        dict(
            text=text,
            x=(k % mosaic.cols) * (w + 1) - 0.5,
            y=(k // mosaic.cols) * (h + 1) - 0.5,
            xref="x",
            yref="y",
            xanchor="left",
            yanchor="top",
            showarrow=False,
            font=dict(size=size, color="#111"),
            bgcolor="rgba(255,255,255,0.75)",
            borderpad=1,
        )
        for k, text in enumerate(labels)
    ]
    return go.Figure(spec, _validate=False)


def unit_map_figure(fmap: np.ndarray, unit: tuple[int, int], *, title: str = "") -> go.Figure:
    """One feature map (h, w), enlarged and clickable (a pick grid), the chosen unit outlined in green.

    Hover gives the values when the map is at most 64 pixels a side (``matrix_figure``)."""
    fmap = np.asarray(fmap, np.float32)
    hi = float(fmap.max())
    return matrix_figure(
        fmap,
        zmin=0.0,
        zmax=hi if hi > 0 else 1.0,
        title=title,
        pick_grid=True,
        boxes=[((unit[0], unit[1], 1, 1), UNIT_COLOUR)],
        height=_half_width_height(fmap.shape),
    )


def receptive_field_figure(rgb: np.ndarray, box: tuple[int, int, int, int], *, title: str = "") -> go.Figure:
    """The network's input photo (H, W, 3) uint8 with the receptive field ``box`` (top, left, height,
    width; clipped to the photo) outlined in red."""
    gray = np.asarray(rgb, np.float32).mean(axis=2)
    return matrix_figure(
        gray,
        zmin=0,
        zmax=255,
        rgb=np.asarray(rgb, np.uint8),
        title=title,
        boxes=[(box, FIELD_COLOUR)],
        height=_half_width_height(gray.shape),
    )


def _half_width_height(shape: tuple[int, ...]) -> int:
    """Height (px) of a titled picture of ``shape`` (h, w, ...) drawn in half a laptop's page (~440 px
    wide): the picture's own aspect plus the title, at most 460 (no empty band under a wide map)."""
    return int(min(460, 90 + 420 * shape[0] / max(shape[1], 1)))


def filters_beside_kernels_figure(
    filters: np.ndarray,
    kernels: Sequence[np.ndarray],
    titles: Sequence[str],
    *,
    cols: int = 8,
    cell: int = 16,
) -> go.Figure:
    """Learned RGB filters, each beside the hand-made kernel it resembles, as one picture.

    Parameters
    ----------
    filters : ndarray (3, 3, 3, N), float
        (row, col, R/G/B, filter). Each is drawn as a colour patch: 0.5 + w / (2 max|w|), so grey = 0,
        a reddish pixel = a weight that likes red there.
    kernels : sequence of N ndarray (3, 3)
        Drawn on ``RdBu_r`` (blue negative, red positive), each on its own scale.
    titles : sequence of N str
        Above each pair.
    cell : int
        Screen pixels per weight.
    """
    from matplotlib import colormaps

    filters = np.asarray(filters, np.float32)
    n = filters.shape[3]
    if len(kernels) != n or len(titles) != n:
        raise ValueError(
            f"kernels and titles need {n} entries (one per filter), got {len(kernels)}, {len(titles)}"
        )
    side, gap, pad, head = 3 * cell, cell // 2, cell, 34
    pair_w, pair_h = 2 * side + gap + pad, side + head + pad // 2
    rows = -(-n // cols)
    canvas = np.full((rows * pair_h, cols * pair_w, 3), 255, np.uint8)
    cmap, annotations = colormaps[DIVERGING], []
    for i in range(n):
        top, left = (i // cols) * pair_h + head, (i % cols) * pair_w
        f = filters[:, :, :, i]
        patch = (np.clip(0.5 + f / (2 * max(float(np.abs(f).max()), 1e-12)), 0, 1) * 255 + 0.5).astype(
            np.uint8
        )
        k = np.asarray(kernels[i], np.float32)
        hand = (cmap(0.5 + k / (2 * max(float(np.abs(k).max()), 1e-12)))[:, :, :3] * 255 + 0.5).astype(
            np.uint8
        )
        canvas[top : top + side, left : left + side] = np.kron(patch, np.ones((cell, cell, 1), np.uint8))
        canvas[top : top + side, left + side + gap : left + 2 * side + gap] = np.kron(
            hand, np.ones((cell, cell, 1), np.uint8)
        )
        annotations.append(panel_title(titles[i], left + side + gap / 2, y=top - 2, size=10, on_axes=True))
    h, w = canvas.shape[:2]
    layout = picture_layout(w, h, height=h + 10, annotations=annotations)
    return _figure(
        [dict(type="image", source=encode_raster(canvas, lossless=True), hoverinfo="skip")], layout
    )


def edges_figure(
    edges: Sequence[tuple[str, np.ndarray]], *, cols: int = 4, panel_height: int = 220
) -> go.Figure:
    """Edge maps (title, (H, W) in [0, 1]) drawn as in the HED paper: dark edges on white."""
    return panels_figure(
        [(t, to_rgb8(e, invert=True)) for t, e in edges], cols=cols, panel_height=panel_height
    )


def first_filter_panels(matches: Sequence[dict]) -> tuple[list[np.ndarray], list[str]]:
    """The right-hand kernel and the title of each pair in :func:`filters_beside_kernels_figure`.

    Parameters
    ----------
    matches : sequence of dict
        ``core.models.hed.first_filter_matches``: ``filter``, ``kernel``, ``correlation``, ``kind``
        ("named", "colour-opponent" or "no match") and ``colour_share``.

    Returns
    -------
    kernels : list of ndarray (3, 3)
        The hand-made kernel for a named match, zeros (drawn white: nothing) otherwise.
    titles : list of str
        "12: Sobel<br>r = +0.93", "5: colour-<br>opponent 84 %" or "7: no match<br>r = +0.55".
    """
    from core.maths.kernels import KERNELS

    kernels, titles = [], []
    for m in matches:
        if m["kind"] == "named":
            kernels.append(KERNELS[m["kernel"]].values)
            titles.append(
                f"{m['filter']}: {KERNELS[m['kernel']].title.split(' (')[0][:16]}<br>"
                f"r = {m['correlation']:+.2f}"
            )
        else:
            kernels.append(np.zeros((3, 3)))
            titles.append(
                f"{m['filter']}: colour-<br>opponent {m['colour_share']:.0%}"
                if m["kind"] == "colour-opponent"
                else f"{m['filter']}: no match<br>r = {m['correlation']:+.2f}"
            )
    return kernels, titles
