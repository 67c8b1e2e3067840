"""Plotly figures of the "Training a CNN" page: the loss against p(7), probabilities, the 2-D loss
surface with descent paths, training vs validation curves, dropout masks, batch-norm histograms,
weight histograms and grids of digits. They return figures and never call Streamlit."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from core.figures.common import encode_raster, xy_trace

#: One colour per configuration in the comparison curves (colour-blind-safe Tableau 10).
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)


def _figure(data: list, layout: dict) -> go.Figure:
    base = dict(margin=dict(l=50, r=10, t=40, b=45), legend=dict(orientation="h", y=-0.22))
    return go.Figure(dict(data=data, layout={**base, **layout}))


def _overlaid_bars(data: list, *, height: int, title: str, x_title: str, yaxis: dict) -> go.Figure:
    """Bars or histograms drawn over one another (``barmode="overlay"``), with a title and an x-axis title."""
    layout = dict(height=height, barmode="overlay", title=dict(text=title), yaxis=yaxis)
    return _figure(data, dict(layout, xaxis=dict(title=dict(text=x_title))))


def loss_curve_figure(
    p_values, losses, *, current: float, current_loss: float, mixup_losses=None
) -> go.Figure:
    """Cross-entropy ``-ln p(7)`` against p(7), the current point marked; optionally the loss of the
    softmax-output + ``from_logits=True`` mix-up on the same outputs (dashed)."""
    curves = [(losses, "−ln p(7) (correct)", dict(color=PALETTE[0], width=3))]
    if mixup_losses is not None:
        curves.append(
            (mixup_losses, "softmax output + from_logits=True (mix-up)", dict(color=PALETTE[2], dash="dash"))
        )
    data = [
        dict(type="scatter", x=list(p_values), y=list(values), mode="lines", name=name, line=line)
        for values, name, line in curves
    ]
    data.append(
        dict(
            type="scatter",
            x=[current],
            y=[current_loss],
            mode="markers+text",
            name="your output",
            text=[f"  {current_loss:.4f}"],
            textposition="middle right",
            marker=dict(size=13, color="black"),
        )
    )
    return _figure(
        data,
        dict(
            height=400,  # as tall as the slider and the output beside it on the page
            title=dict(text="Cross-entropy loss for the target 7"),
            xaxis=dict(title=dict(text="p(7), the network's probability of the true class"), range=[0, 1]),
            yaxis=dict(title=dict(text="loss (nats)"), rangemode="tozero"),
            # The legend wraps to three lines in a narrow column: below the axis title, in its own margin.
            margin=dict(l=50, r=10, t=40, b=125),
            legend=dict(orientation="h", yref="container", y=0, yanchor="bottom"),
        ),
    )


def probabilities_figure(probs, target, *, title: str = "") -> go.Figure:
    """The output probabilities as bars next to the one-hot target (outlined)."""
    classes = [str(i) for i in range(len(probs))]
    data = [
        dict(
            type="bar",
            x=classes,
            y=list(np.asarray(target, float)),
            name="target (one-hot)",
            marker=dict(color="rgba(0,0,0,0)", line=dict(color="black", width=2)),
        ),
        dict(
            type="bar",
            x=classes,
            y=list(np.asarray(probs, float)),
            name="softmax output",
            marker=dict(color=PALETTE[0]),
            text=[f"{p:.3f}" for p in probs],
            textposition="outside",
        ),
    ]
    return _overlaid_bars(data, height=300, title=title, x_title="class", yaxis=dict(range=[0, 1.15]))


def loss_surface_figure(curvatures, paths: dict) -> go.Figure:
    """Contours of ``½ Σ a_k w_k²`` with one gradient-descent path per learning rate.

    paths : dict of label to ndarray (steps + 1, 2)
    """
    a = np.asarray(curvatures, float)
    axis = np.linspace(-3.2, 3.2, 81)
    w1, w2 = np.meshgrid(axis, axis)
    z = 0.5 * (a[0] * w1**2 + a[1] * w2**2)
    data = [
        dict(
            type="contour",
            x=axis,
            y=axis,
            z=z,
            showscale=False,
            colorscale="Greys",
            opacity=0.35,
            contours=dict(start=0, end=60, size=2.5),
            hoverinfo="skip",
            name="loss",
        )
    ]
    for i, (label, path) in enumerate(paths.items()):
        outside = np.flatnonzero(np.abs(path).max(axis=1) > 3.2)
        shown = np.clip(path[: outside[0] + 1] if outside.size else path, -3.2, 3.2)  # stop where it leaves
        line = dict(color=PALETTE[i + 1], width=2)
        data.append(xy_trace(shown, mode="lines+markers", name=label, line=line, marker=dict(size=6)))
    return _figure(
        data,
        dict(
            height=440,
            title=dict(text="Gradient descent on a 2-D loss surface"),
            xaxis=dict(title=dict(text="w₁ (shallow direction)"), range=[-3.2, 3.2], constrain="domain"),
            yaxis=dict(title=dict(text="w₂ (steep direction)"), range=[-3.2, 3.2], scaleanchor="x"),
        ),
    )


def curves_figure(
    results: list[dict], *, metric: str = "loss", mark_best: bool = True, y_max: float | None = None
) -> go.Figure:
    """Training (dashed) and validation (solid) curves of several runs, one colour per run; a
    diamond marks each run's lowest validation loss (where early stopping would keep the weights).

    ``metric="loss"`` draws the cross-entropy (``history["cross_entropy"]`` and
    ``["val_cross_entropy"]``, without any L2 penalty, so runs compare), or Keras' ``loss`` for
    results that lack it; ``"accuracy"`` the accuracy. ``y_max`` clips the y axis at that value (to
    show the late part of the curves; the first epochs then leave the top of the plot).
    """
    data = []
    for i, result in enumerate(results):
        color, name, h = PALETTE[i % len(PALETTE)], result["config"]["name"], result["history"]
        key = "cross_entropy" if metric == "loss" and "val_cross_entropy" in h else metric
        for prefix, dash, label in (("", "dash", "training"), ("val_", "solid", "validation")):
            values = h.get(prefix + key, [])
            data.append(
                dict(
                    type="scatter",
                    x=list(range(1, len(values) + 1)),
                    y=values,
                    mode="lines",
                    name=f"{name} · {label}",
                    legendgroup=name,
                    line=dict(color=color, dash=dash),
                )
            )
        if mark_best and metric == "loss":
            best = int(np.argmin(h["val_" + key]))
            data.append(
                dict(
                    type="scatter",
                    x=[best + 1],
                    y=[h["val_" + key][best]],
                    mode="markers",
                    marker=dict(symbol="diamond", size=12, color=color, line=dict(color="black", width=1)),
                    name=f"{name} · lowest validation loss (epoch {best + 1})",
                    legendgroup=name,
                )
            )
    title = {"loss": "Cross-entropy per epoch", "accuracy": "Accuracy per epoch"}.get(metric, metric)
    y_title = "cross-entropy (nats)" if metric == "loss" else metric
    return _figure(
        data,
        dict(
            height=460,
            title=dict(text=title + " — dashed: training, solid: validation"),
            xaxis=dict(title=dict(text="epoch")),
            yaxis=dict(title=dict(text=y_title), **({} if y_max is None else {"range": [0, y_max]})),
            legend=dict(orientation="v", x=1.02, y=1),
        ),
    )


def ranges_figure(
    labels: list[str],
    spreads: list[dict],
    *,
    title: str,
    x_title: str,
    percent: bool = True,
    reference: int | None = None,
) -> go.Figure:
    """One row per configuration: the mean over seeds (dot) and the min–max range (bar), so that a
    reader sees which ranges overlap; ``reference`` (a row index) shades that row's range across
    the plot.

    labels : list of str, one per row (top to bottom)
    spreads : list of dict with ``mean``, ``min``, ``max``, ``n`` (``core.maths.run_summary.spread``)
    """
    scale = 100.0 if percent else 1.0
    means = [s["mean"] * scale for s in spreads]
    data = [
        dict(
            type="scatter",
            x=means,
            y=labels,
            mode="markers",
            name="mean over seeds",
            marker=dict(size=12, color=PALETTE[0]),
            error_x=dict(
                type="data",
                symmetric=False,
                thickness=3,
                width=6,
                color=PALETTE[0],
                array=[s["max"] * scale - m for s, m in zip(spreads, means, strict=False)],
                arrayminus=[m - s["min"] * scale for s, m in zip(spreads, means, strict=False)],
            ),
            customdata=[[s["min"] * scale, s["max"] * scale, s["n"]] for s in spreads],
            hovertemplate="%{y}: mean %{x:.1f}, min %{customdata[0]:.1f}, max %{customdata[1]:.1f} "
            "(%{customdata[2]} seeds)<extra></extra>",
        )
    ]
    shapes = (
        []
        if reference is None
        else [
            dict(
                type="rect",
                xref="x",
                yref="paper",
                x0=spreads[reference]["min"] * scale,
                x1=spreads[reference]["max"] * scale,
                y0=0,
                y1=1,
                fillcolor=PALETTE[0],
                opacity=0.12,
                line=dict(width=0),
                layer="below",
            )
        ]
    )
    return _figure(
        data,
        dict(
            height=80 + 38 * len(labels),
            title=dict(text=title),
            showlegend=False,
            shapes=shapes,
            margin=dict(l=170, r=10, t=40, b=45),
            xaxis=dict(title=dict(text=x_title)),
            yaxis=dict(autorange="reversed"),
        ),
    )


def masks_figure(values: np.ndarray, *, titles: list[str], zmax: float) -> go.Figure:
    """Several small 2-D arrays side by side (dropout outputs: 0 = dropped), numbers in the cells.

    values : ndarray of shape (K, H, W)
    """
    k, h, w = values.shape
    z = np.full((h, k * (w + 1) - 1), np.nan)
    for i in range(k):
        z[:, i * (w + 1) : i * (w + 1) + w] = values[i]
    text = [["" if not np.isfinite(v) else f"{v:.3g}" for v in row] for row in z]
    annotations = [
        dict(
            text=t, x=i * (w + 1) + (w - 1) / 2, y=-0.9, xref="x", yref="y", showarrow=False, yanchor="bottom"
        )
        for i, t in enumerate(titles)
    ]
    heat = dict(
        type="heatmap",
        z=z,
        zmin=0,
        zmax=zmax,
        colorscale="Blues",
        showscale=False,
        xgap=2,
        ygap=2,
        text=text,
        texttemplate="%{text}",
        hoverongaps=False,
        hovertemplate="%{z:.3g}<extra></extra>",
    )
    return _figure(
        [heat],
        dict(
            height=60 + 34 * h,
            margin=dict(l=4, r=4, t=30, b=4),
            annotations=annotations,
            xaxis=dict(visible=False),
            yaxis=dict(visible=False, autorange="reversed"),
        ),
    )


def histograms_figure(series: dict, *, title: str, x_title: str, bins=None) -> go.Figure:
    """Overlaid histograms (or pre-binned counts): ``series`` maps a label to raw values, or, with
    ``bins`` (edges), to counts per bin."""
    data = []
    for i, (label, values) in enumerate(series.items()):
        color = PALETTE[i % len(PALETTE)]
        if bins is None:
            data.append(
                dict(
                    type="histogram",
                    x=list(np.asarray(values, float)),
                    name=label,
                    opacity=0.6,
                    marker=dict(color=color),
                    nbinsx=40,
                )
            )
        else:
            centres = (np.asarray(bins[:-1]) + np.asarray(bins[1:])) / 2
            data.append(
                dict(
                    type="bar",
                    x=list(centres),
                    y=list(values),
                    name=label,
                    opacity=0.6,
                    marker=dict(color=color),
                    width=float(bins[1] - bins[0]),
                )
            )
    return _overlaid_bars(
        data, height=320, title=title, x_title=x_title, yaxis=dict(title=dict(text="count"))
    )


def digits_grid_figure(
    images: np.ndarray, *, cols: int, titles: list[str] | None = None, scale: int = 3
) -> go.Figure:
    """A grid of grey 28 × 28 digits (values in [0, 1], shape (N, H, W)) as one PNG picture."""
    n, h, w = images.shape
    rows = -(-n // cols)
    canvas = np.full((rows * (h + 2), cols * (w + 2)), 0.35)
    for i in range(n):
        r, c = divmod(i, cols)
        canvas[r * (h + 2) + 1 : r * (h + 2) + 1 + h, c * (w + 2) + 1 : c * (w + 2) + 1 + w] = np.clip(
            images[i], 0, 1
        )
    big = np.kron(canvas, np.ones((scale, scale)))
    rgb = np.repeat((big * 255).astype(np.uint8)[..., None], 3, axis=2)
    annotations = (
        []
        if titles is None
        else [
            dict(
                text=t,
                x=((i % cols) * (w + 2) + 1 + w / 2) * scale,
                y=((i // cols) * (h + 2)) * scale,
                xref="x",
                yref="y",
                showarrow=False,
                font=dict(color="white", size=11),
                yanchor="top",
            )
            for i, t in enumerate(titles)
        ]
    )
    image = dict(type="image", source=encode_raster(rgb, lossless=True), hoverinfo="skip")
    return _figure(
        [image],
        dict(
            height=int(big.shape[0] * 1.0) + 20,
            margin=dict(l=0, r=0, t=10, b=10),
            annotations=annotations,
            xaxis=dict(visible=False),
            yaxis=dict(visible=False, scaleanchor="x"),
        ),
    )
