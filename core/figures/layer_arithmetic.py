"""Plotly figures for the Layer arithmetic page. They return figures, never call Streamlit.

Layer types are coloured as in the course's VGG16 figure (Course notes, *CNNs and regularisation in Keras*,
*CNNs: transfer learning (II)*): grey convolutions, red pooling, blue fully connected, green output.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import prod

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.figures.common import encode_raster, matrix_figure

WINDOW_COLOR = "#ff7f0e"  # the drawn window / output cell
_CELL_FILL = "rgba(255,127,14,0.55)"  # a window tap or the output cell it makes
TYPE_COLORS = {
    "conv": "#7f7f7f",
    "pool": "#d62728",
    "dense": "#1f77b4",
    "output": "#2ca02c",
    "other": "#bcbd22",
}


def _layer_group(row: dict, last: bool) -> str:
    kind = row["type"]
    if last and row["params"]:
        return "output"
    if "Conv" in kind:
        return "conv"
    if "Pooling" in kind:
        return "pool"
    if kind == "Dense":
        return "dense"
    return "other"


def _spatial(shape: Sequence[int]) -> tuple[int, int]:
    """(spatial side, channels) of an output shape: (H, W, C) -> (H, C); (N,) -> (1, N)."""
    if len(shape) >= 3:
        return int(shape[0]), int(shape[-1])
    return 1, int(shape[-1]) if shape else 1


def shape_flow_figure(rows: list[dict], *, height: int = 420) -> go.Figure:
    """Spatial size (bars) shrinking and channels (line, log scale) growing, layer by layer.

    Layers with a flat output (Flatten, Dense) have no spatial size; their feature count is drawn as
    separate square markers on the channel axis.
    """
    names = [r["name"] for r in rows]
    shapes = ["×".join(str(d) for d in r["output_shape"]) for r in rows]
    spatial = [len(r["output_shape"]) >= 3 for r in rows]
    side = [r["output_shape"][0] if sp else 0 for r, sp in zip(rows, spatial, strict=False)]
    channels = [r["output_shape"][-1] if sp else None for r, sp in zip(rows, spatial, strict=False)]
    units = [None if sp else r["output_shape"][-1] for r, sp in zip(rows, spatial, strict=False)]
    hover = dict(x=names, customdata=shapes, hovertemplate="%{x}: %{customdata}<extra></extra>")
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    labels = dict(text=shapes if len(rows) <= 12 else None, textposition="outside", cliponaxis=False)
    bars = go.Bar(y=side, name="height = width (pixels)", marker_color="#9ecae1", **labels, **hover)
    fig.add_trace(bars, secondary_y=False)
    channel_line = dict(line=dict(color=TYPE_COLORS["pool"], width=3))
    unit_marks = dict(marker=dict(symbol="square", size=10, color=TYPE_COLORS["dense"]))
    for y, name, mode, style in (
        (channels, "channels", "lines+markers", channel_line),
        (units, "features (flat layers)", "markers", unit_marks),
    ):
        fig.add_trace(go.Scatter(y=y, name=name, mode=mode, **style, **hover), secondary_y=True)
    fig.update_yaxes(title_text="height = width", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(
        title_text="channels / features (log)", type="log", dtick=1, secondary_y=True, showgrid=False
    )
    fig.update_layout(
        height=height,
        margin=dict(l=4, r=4, t=30, b=4),
        bargap=0.3,
        legend=dict(orientation="h", y=1.1, x=0),
        xaxis=dict(tickangle=-45),
    )
    return fig


def _log_bars_figure(
    labels: Sequence[str],
    counts: Sequence[int],
    colors: Sequence[str],
    *,
    hovertemplate: str,
    headroom: float,
    height: int,
    customdata: Sequence[str] | None = None,
) -> go.Figure:
    """Parameter counts as horizontal bars on a log axis, each labelled with its count, the first on top.

    ``headroom`` is how many decades the axis runs past the largest count (room for the labels).
    """
    bars = go.Bar(
        y=list(labels),
        x=list(counts),
        orientation="h",
        marker_color=list(colors),
        text=[f"{c:,}" for c in counts],
        textposition="outside",
        cliponaxis=False,
        customdata=customdata,
        hovertemplate=hovertemplate,
    )
    fig = go.Figure(bars)
    top = max(counts, default=10)
    fig.update_xaxes(
        type="log", dtick=1, title_text="parameters (log scale)", range=[0, np.log10(top) + headroom]
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=height, margin=dict(l=4, r=4, t=10, b=4))
    return fig


def _mark_cell(fig: go.Figure, row: int, col: int, line: dict) -> None:
    """Fill the cell ``(row, col)`` of a grid drawn a unit a cell in translucent orange."""
    fig.add_shape(
        type="rect",
        x0=col - 0.45,
        x1=col + 0.45,
        y0=row - 0.45,
        y1=row + 0.45,
        fillcolor=_CELL_FILL,
        line=line,
    )


def params_figure(rows: list[dict], *, height: int = 420) -> go.Figure:
    """Parameters per layer (layers with weights), horizontal bars on a log scale, with formulas."""
    weighted = [r for r in rows if r["params"]]
    last = weighted[-1]["name"] if weighted else None
    groups = [_layer_group(r, r["name"] == last) for r in weighted]
    return _log_bars_figure(
        [r["name"] for r in weighted],
        [r["params"] for r in weighted],
        [TYPE_COLORS[g] for g in groups],
        customdata=[r["formula"] for r in weighted],
        hovertemplate="%{y}: %{customdata}<extra></extra>",
        headroom=1.3,
        height=max(height, 28 * len(weighted) + 80),
    )


def memory_figure(
    rows: list[dict], batch_sizes: Sequence[int], *, marked: int | None = None, height: int = 340
) -> go.Figure:
    """Float32 memory of all layer outputs for one batch, and of the weights, vs batch size (log-log)."""
    per_image = sum(prod(r["output_shape"]) for r in rows) * 4
    params = sum(r["params"] for r in rows) * 4
    xs = list(batch_sizes)
    curves = [
        (xs, [b * per_image / 1e6 for b in xs], "layer outputs (forward pass)", "lines+markers"),
        (xs, [params / 1e6] * len(xs), "weights", "lines"),
    ]
    styles = [
        dict(line=dict(color="#1f77b4", width=3)),
        dict(line=dict(color="#7f7f7f", dash="dash", width=2)),
    ]
    if marked is not None:
        curves.append(([marked], [marked * per_image / 1e6], f"batch {marked}", "markers"))
        styles.append(dict(marker=dict(size=14, color=WINDOW_COLOR)))
    fig = go.Figure()
    for (x, y, name, mode), style in zip(curves, styles, strict=True):
        fig.add_trace(go.Scatter(x=x, y=y, mode=mode, name=name, **style))
    fig.update_xaxes(type="log", title_text="batch size", tickvals=xs)
    fig.update_yaxes(type="log", dtick=1, title_text="MB (float32)")
    fig.update_layout(
        height=height, margin=dict(l=4, r=4, t=10, b=4), legend=dict(orientation="h", y=1.12, x=0)
    )
    return fig


#: Above this padded side, :func:`padded_grid_figure` draws the grid as one picture.
GRID_CELLS_MAX_SIDE = 64
_PAD_RGB, _INPUT_RGB, _ANCHOR_RGB = (242, 242, 242), (158, 202, 225), (8, 48, 107)


def padded_grid_figure(
    n: int,
    f: int,
    pads: tuple[int, int],
    stride: int,
    dilation: int,
    position: tuple[int, int],
    out: int,
    *,
    height: int = 460,
) -> go.Figure:
    """The padded input grid, every position of the kernel's top-left tap, and one window's taps.

    Parameters
    ----------
    n : int
        Input side (the input is n × n).
    f, stride, dilation : int
    pads : (before, after)
        Padding on the top/left and on the bottom/right.
    position : (row, col)
        The output cell whose window is drawn.
    out : int
        Output side (number of positions per axis).
    """
    before, after = pads
    size = n + before + after
    z = np.zeros((size, size), np.float32)
    z[before : before + n, before : before + n] = 1
    anchors = np.arange(max(out, 0)) * stride
    ar, ac = np.meshgrid(anchors, anchors, indexing="ij")
    if size > GRID_CELLS_MAX_SIDE:
        # Too many cells to draw one by one: the grid travels as one lossless picture, a pixel a
        # cell (padding grey, input blue, the kernel's top-left positions dark blue).
        rgb = np.where(z[:, :, None] > 0, np.array(_INPUT_RGB, np.uint8), np.array(_PAD_RGB, np.uint8))
        rgb[ar.ravel(), ac.ravel()] = _ANCHOR_RGB
        fig = go.Figure(go.Image(source=encode_raster(rgb, lossless=True), hoverinfo="skip"))
    else:
        fig = go.Figure(
            go.Heatmap(
                z=z,
                zmin=0,
                zmax=1,
                colorscale=[[0, "#f2f2f2"], [1, "#9ecae1"]],
                showscale=False,
                xgap=1,
                ygap=1,
                hoverinfo="skip",
            )
        )
        if 0 < size <= 40:
            pad_r, pad_c = np.nonzero(z == 0)
            fig.add_trace(
                go.Scatter(
                    x=pad_c,
                    y=pad_r,
                    mode="text",
                    text=["0"] * len(pad_r),
                    textfont=dict(color="#999999", size=10),
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
        fig.add_trace(
            go.Scatter(
                x=ac.ravel(),
                y=ar.ravel(),
                mode="markers",
                name="kernel positions",
                marker=dict(size=7, color="#08306b"),
                hoverinfo="skip",
            )
        )
    r, c = position
    for i in range(f):
        for j in range(f):
            _mark_cell(
                fig, r * stride + i * dilation, c * stride + j * dilation, dict(color=WINDOW_COLOR, width=2)
            )
    fig.update_xaxes(visible=False, range=[-0.5, size - 0.5], constrain="domain")
    fig.update_yaxes(visible=False, range=[size - 0.5, -0.5], scaleanchor="x", constrain="domain")
    title = f"Input: {n} × {n}" + (f", padded to {size} × {size}" if size != n else "")
    fig.update_layout(
        height=height,
        margin=dict(l=4, r=4, t=40, b=4),
        showlegend=False,
        plot_bgcolor="rgba(0,0,0,0)",
        title=dict(text=title, x=0.5, xanchor="center"),
    )
    return fig


def param_compare_figure(
    labels: Sequence[str], counts: Sequence[int], kinds: Sequence[str], *, height: int = 360
) -> go.Figure:
    """Parameter counts of the seeds' example layers on a log scale (dense blue, conv grey)."""
    colors = [TYPE_COLORS["dense" if k == "dense" else "conv"] for k in kinds]
    return _log_bars_figure(
        labels, counts, colors, hovertemplate="%{y}: %{x:,}<extra></extra>", headroom=1.6, height=height
    )


def output_grid_figure(out: int, position: tuple[int, int], *, height: int = 300) -> go.Figure:
    """The ``out × out`` output grid, the cell made by the drawn window in orange."""
    z = np.zeros((max(out, 1), max(out, 1)), np.float32)
    fig = matrix_figure(
        z,
        zmin=0,
        zmax=1,
        colorscale=[[0, "#d9f0d3"], [1, "#d9f0d3"]],
        show_numbers=False,
        title=f"Output: {out} × {out}",
        boxes=[((position[0], position[1], 1, 1), WINDOW_COLOR)],
        height=height,
    )
    fig.update_traces(xgap=1, ygap=1, selector=dict(type="heatmap"))
    _mark_cell(fig, *position, dict(width=0))
    return fig


def residual_gradient_figure(
    depths: Sequence[int], plain: Sequence[float], residual: Sequence[float], *, height: int = 360
) -> go.Figure:
    """Gradient norm at the first layer against depth, plain vs residual, on a log scale.

    Parameters
    ----------
    depths : sequence of int
        Number of weight layers.
    plain, residual : sequence of float
        ``||dL/dW_1||`` (:func:`core.maths.residual.first_layer_gradients`); zeros are drawn at the
        smallest positive float64.
    """
    floor = np.finfo(np.float64).tiny
    fig = go.Figure()
    for values, name, color in (
        (plain, "plain stack", TYPE_COLORS["conv"]),
        (residual, "residual stack (skip every 2 layers)", TYPE_COLORS["output"]),
    ):
        fig.add_trace(
            go.Scatter(
                x=list(depths),
                y=[max(float(v), floor) for v in values],
                mode="lines+markers",
                name=name,
                line=dict(color=color, width=3),
                hovertemplate="depth %{x}: %{y:.3g}<extra>" + name + "</extra>",
            )
        )
    fig.update_xaxes(title_text="depth (weight layers)", tickvals=list(depths))
    fig.update_yaxes(type="log", title_text="‖dL/dW₁‖ (log scale)", exponentformat="power")
    fig.update_layout(
        height=height, margin=dict(l=4, r=4, t=10, b=4), legend=dict(orientation="h", y=1.15, x=0)
    )
    return fig
