"""Plotly figure builders for the Boolean-neuron and perceptron pages. They return figures and
never call Streamlit.

Colours follow the seed's fruit plot (Course notes, *Introduction to deep learning* §2.3.4: class C1 red, C2
blue) and the app's diverging scale: red = the class the neuron fires for (target 1 / +1), blue = the other;
the region where the neuron outputs 1 is shaded light red, the rest light blue. Wrongly classified points
carry a black cross, so no answer is given by colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from core.figures.common import pick_points_trace
from core.maths.activation_functions import get_activation
from core.maths.neurons import TwoLayerTable, decision_segment

RED, BLUE = "#d7301f", "#2166ac"
RED_FILL, BLUE_FILL = "rgba(215,48,31,0.12)", "rgba(33,102,172,0.08)"
HIDDEN_COLOURS = ("#1b9e77", "#d95f02")  # z1, z2
#: Where an activation jumps: drawn with a filled dot (the value taken) and a hollow one (the limit).
JUMPS = {"step": (0.0,), "bipolar_sign": (0.0,)}


def padded_range(values, *, pad: float = 0.15) -> tuple[float, float]:
    """``(low, high)`` around ``values`` with ``pad`` of the span (at least 1) added on each side."""
    v = np.asarray(values, dtype=np.float64)
    lo, hi = float(v.min()), float(v.max())
    span = max(hi - lo, 1.0)
    return lo - pad * span, hi + pad * span


def _halfplane(weights, bias: float, x_range, y_range) -> list[tuple[float, float]]:
    """Vertices of the part of the rectangle where ``w·x + b >= 0`` (Sutherland–Hodgman, one edge)."""
    (x0, x1), (y0, y1) = x_range, y_range
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    f = [weights[0] * x + weights[1] * y + bias for x, y in corners]
    out = []
    for i in range(4):
        (p, fp), (q, fq) = (corners[i], f[i]), (corners[(i + 1) % 4], f[(i + 1) % 4])
        if fp >= 0:
            out.append(p)
        if (fp >= 0) != (fq >= 0):
            s = fp / (fp - fq)
            out.append((p[0] + s * (q[0] - p[0]), p[1] + s * (q[1] - p[1])))
    return out


def _region_traces(weights, bias, x_range, y_range) -> list[go.Scatter]:
    if weights[0] == 0 and weights[1] == 0:  # no line: the neuron outputs phi(b) everywhere
        rect = [
            (x_range[0], y_range[0]),
            (x_range[1], y_range[0]),
            (x_range[1], y_range[1]),
            (x_range[0], y_range[1]),
        ]
        parts = [(rect, RED_FILL if bias >= 0 else BLUE_FILL)]
    else:
        parts = [
            (_halfplane([-weights[0], -weights[1]], -bias, x_range, y_range), BLUE_FILL),
            (_halfplane(weights, bias, x_range, y_range), RED_FILL),
        ]
    traces = []
    for poly, fill in parts:
        if len(poly) >= 3:
            xs, ys = zip(*(poly + poly[:1]), strict=False)
            traces.append(
                go.Scatter(
                    x=xs, y=ys, fill="toself", fillcolor=fill, mode="none", hoverinfo="skip", showlegend=False
                )
            )
    return traces


def _line_trace(
    weights, bias, x_range, y_range, *, name: str, color: str, dash: str = "solid", width: int = 3
) -> go.Scatter | None:
    seg = decision_segment(weights, bias, x_range=x_range, y_range=y_range)
    if seg is None:
        return None
    (xa, ya), (xb, yb) = seg
    return go.Scatter(
        x=[xa, xb],
        y=[ya, yb],
        mode="lines",
        line=dict(color=color, dash=dash, width=width),
        name=name,
        hoverinfo="name",
    )


def decision_figure(
    points,
    labels,
    weights,
    bias: float,
    *,
    class_names=("1", "0"),
    x_range=(-0.5, 1.5),
    y_range=(-0.5, 1.5),
    axis_titles=("x₁", "x₂"),
    previous=None,
    highlight: int | None = None,
    wrong=None,
    point_text: Sequence[str] | None = None,
    pick_grid: int = 0,
    equal_axes: bool = True,
    title: str = "",
    height: int = 440,
) -> go.Figure:
    """Points of two classes, the line ``w·x + b = 0`` and the shaded region where the neuron fires.

    Parameters
    ----------
    points : array_like of shape (N, 2); labels : array_like of shape (N,), 1 (red) or 0 (blue)
    weights : pair of float; bias : float
    class_names : (name of label 1, name of label 0)
    x_range, y_range : pair of float
    previous : ((w1, w2), b), optional
        The line before the last update, drawn dashed grey.
    highlight : int, optional
        Index of the sample just presented (a large ring).
    wrong : array_like of bool, shape (N,), optional
        Points the neuron gets wrong (black cross).
    point_text : sequence of str, optional
        Labels written next to the points.
    pick_grid : int, default 0
        If > 0, an invisible ``pick_grid × pick_grid`` grid of markers whose ``customdata`` is
        ``(x, y)``, so a click (``st.plotly_chart(on_select=...)``) can add a point there.
    """
    pts, lab = np.asarray(points, dtype=np.float64).reshape(-1, 2), np.asarray(labels)
    fig = go.Figure(_region_traces(weights, bias, x_range, y_range))
    if pick_grid:
        gx, gy = np.meshgrid(np.linspace(*x_range, pick_grid), np.linspace(*y_range, pick_grid))
        fig.add_trace(
            pick_points_trace(
                gx.ravel(),
                gy.ravel(),
                size=14,
                customdata=np.c_[gx.ravel(), gy.ravel()],
                hovertemplate="click to add (%{x:.3g}, %{y:.3g})<extra></extra>",
            )
        )
    if previous is not None:
        line = _line_trace(
            *previous, x_range, y_range, name="line before the update", color="#888", dash="dash"
        )
        if line is not None:
            fig.add_trace(line)
    line = _line_trace(weights, bias, x_range, y_range, name="w·x + b = 0", color="black")
    if line is not None:
        fig.add_trace(line)
    for value, color, cname in ((1, RED, class_names[0]), (0, BLUE, class_names[1])):
        m = lab == value
        text = None if point_text is None else [t for t, k in zip(point_text, m, strict=False) if k]
        fig.add_trace(
            go.Scatter(
                x=pts[m, 0],
                y=pts[m, 1],
                mode="markers+text" if text else "markers",
                marker=dict(size=14, color=color, line=dict(color="white", width=1)),
                text=text,
                textposition="top right",
                name=cname,
                hovertemplate=f"{cname}: (%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
            )
        )
    if wrong is not None and np.any(wrong):
        bad = np.asarray(wrong, dtype=bool)
        fig.add_trace(
            go.Scatter(
                x=pts[bad, 0],
                y=pts[bad, 1],
                mode="markers",
                name="wrong",
                marker=dict(symbol="x-thin", size=18, line=dict(color="black", width=3)),
                hoverinfo="skip",
            )
        )
    if highlight is not None and 0 <= highlight < len(pts):
        fig.add_trace(
            go.Scatter(
                x=[pts[highlight, 0]],
                y=[pts[highlight, 1]],
                mode="markers",
                name="sample just presented",
                hoverinfo="name",
                marker=dict(size=30, color="rgba(0,0,0,0)", line=dict(color="#fdae61", width=4)),
            )
        )
    fig.update_xaxes(range=list(x_range), title=axis_titles[0], zeroline=False, constrain="domain")
    fig.update_yaxes(
        range=list(y_range),
        title=axis_titles[1],
        zeroline=False,
        constrain="domain",
        **({"scaleanchor": "x", "scaleratio": 1} if equal_axes else {}),
    )
    fig.update_layout(
        title=title,
        height=height,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10),
        legend=dict(orientation="h", y=-0.18),
        plot_bgcolor="white",
        dragmode=False,
    )
    return fig


def hidden_lines_figure(
    table: TwoLayerTable, hidden_weights, hidden_bias, *, title: str = "Input space"
) -> go.Figure:
    """The four inputs coloured by the network's target, with each hidden unit's line and the side where it
    fires."""
    hw, hb = np.asarray(hidden_weights, dtype=np.float64), np.asarray(hidden_bias, dtype=np.float64)
    box = (-0.5, 1.5)
    fig = go.Figure()
    for j, color in enumerate(HIDDEN_COLOURS):
        poly = _halfplane(hw[j], hb[j], box, box)
        if len(poly) >= 3:
            xs, ys = zip(*(poly + poly[:1]), strict=False)
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    fill="toself",
                    fillcolor=color,
                    opacity=0.15,
                    mode="none",
                    name=f"z{j + 1} = 1",
                    hoverinfo="name",
                )
            )
        line = _line_trace(hw[j], hb[j], box, box, name=f"z{j + 1} line", color=color)
        if line is not None:
            fig.add_trace(line)
    names = ["".join(map(str, r)) for r in table.inputs]
    for value, color in ((1, RED), (0, BLUE)):
        m = table.outputs == value
        fig.add_trace(
            go.Scatter(
                x=table.inputs[m, 0],
                y=table.inputs[m, 1],
                mode="markers+text",
                text=[f"{n} → y={value}" for n, k in zip(names, m, strict=False) if k],
                textposition="top center",
                marker=dict(size=14, color=color),
                name=f"y = {value}",
            )
        )
    fig.update_xaxes(range=list(box), title="x₁", constrain="domain")
    fig.update_yaxes(range=list(box), title="x₂", scaleanchor="x", scaleratio=1, constrain="domain")
    fig.update_layout(
        title=title,
        height=400,
        margin=dict(l=10, r=10, t=40, b=10),
        plot_bgcolor="white",
        legend=dict(orientation="h", y=-0.2),
        dragmode=False,
    )
    return fig


def hidden_space_figure(
    table: TwoLayerTable,
    output_weights,
    output_bias: float,
    *,
    target=None,
    title: str = "Hidden space (z₁, z₂)",
) -> go.Figure:
    """Each input row placed at its hidden values ``(z1, z2)``, with the output unit's line.

    Rows that land on the same hidden point are written together ("00, 11").
    """
    labels = table.outputs if target is None else np.asarray(target)
    groups: dict = {}
    for name, z, y in zip(("00", "01", "10", "11"), map(tuple, table.hidden), labels, strict=False):
        groups.setdefault((z, int(y)), []).append(name)
    pts = np.array([z for z, _ in groups], dtype=np.float64)
    lab = np.array([y for _, y in groups])
    text = [", ".join(v) for v in groups.values()]
    # the same hidden point can carry both classes (then no output unit can fix it); offset them a little
    for i in range(len(pts)):
        if any((pts[j] == pts[i]).all() for j in range(i)):
            pts[i] += 0.06
    return decision_figure(
        pts,
        lab,
        output_weights,
        output_bias,
        class_names=("y = 1", "y = 0"),
        axis_titles=("z₁", "z₂"),
        point_text=text,
        title=title,
        height=400,
    )


def network_figure(
    hidden_weights,
    hidden_bias,
    output_weights,
    output_bias: float,
    *,
    table: TwoLayerTable | None = None,
    row: int | None = None,
) -> go.Figure:
    """Node-link diagram of the 2–2–1 threshold network with every weight and bias written on it.

    With ``table`` and ``row``, the nodes show that input row's values (inputs, hidden, output).
    """
    hw, hb = np.asarray(hidden_weights, dtype=np.float64), np.asarray(hidden_bias, dtype=np.float64)
    ow = np.asarray(output_weights, dtype=np.float64)
    pos = {"x₁": (0, 1.5), "x₂": (0, 0.5), "z₁": (1, 1.5), "z₂": (1, 0.5), "y": (2, 1.0)}
    edges = [
        ("x₁", "z₁", hw[0, 0]),
        ("x₂", "z₁", hw[0, 1]),
        ("x₁", "z₂", hw[1, 0]),
        ("x₂", "z₂", hw[1, 1]),
        ("z₁", "y", ow[0]),
        ("z₂", "y", ow[1]),
    ]
    fig = go.Figure()
    for a, b, w in edges:
        (xa, ya), (xb, yb) = pos[a], pos[b]
        fig.add_trace(
            go.Scatter(
                x=[xa, xb],
                y=[ya, yb],
                mode="lines",
                hoverinfo="skip",
                showlegend=False,
                line=dict(color=RED if w > 0 else BLUE if w < 0 else "#bbb", width=1 + 2 * min(abs(w), 3)),
            )
        )
        t = 0.3 if (a, b) in (("x₁", "z₂"), ("x₂", "z₁")) else 0.5  # keep the crossing edges' labels apart
        fig.add_annotation(
            x=xa + t * (xb - xa),
            y=ya + t * (yb - ya),
            text=f"{w:g}",
            showarrow=False,
            bgcolor="white",
            font=dict(size=14),
        )
    values = {}
    if table is not None and row is not None:
        values = {
            "x₁": table.inputs[row, 0],
            "x₂": table.inputs[row, 1],
            "z₁": table.hidden[row, 0],
            "z₂": table.hidden[row, 1],
            "y": table.outputs[row],
        }
    biases = {"z₁": hb[0], "z₂": hb[1], "y": float(output_bias)}
    names = list(pos)
    fig.add_trace(
        go.Scatter(
            x=[pos[n][0] for n in names],
            y=[pos[n][1] for n in names],
            mode="markers+text",
            showlegend=False,
            marker=dict(
                size=54,
                color=["#fee08b" if values.get(n, 0) == 1 else "#f7f7f7" for n in names],
                line=dict(color="black", width=2),
            ),
            text=[f"{n}={values[n]}" if n in values else n for n in names],
            textfont=dict(size=15),
            hovertext=[f"bias {biases[n]:g}" if n in biases else "input" for n in names],
            hoverinfo="text",
        )
    )
    for n, b in biases.items():
        fig.add_annotation(
            x=pos[n][0], y=pos[n][1] - 0.32, text=f"b = {b:g}", showarrow=False, font=dict(size=13)
        )
    fig.update_xaxes(visible=False, range=[-0.4, 2.4])
    fig.update_yaxes(visible=False, range=[0, 2])
    fig.update_layout(height=300, margin=dict(l=4, r=4, t=10, b=4), plot_bgcolor="white", dragmode=False)
    return fig


def activation_figure(
    name: str,
    *,
    params: dict | None = None,
    z_range=(-4.0, 4.0),
    show_derivative: bool = True,
    z_mark: float | None = None,
    height: int = 380,
) -> go.Figure:
    """The activation ``name`` (and its derivative, dotted) over ``z_range``; jumps drawn with open/filled
    dots.

    Raises
    ------
    ValueError
        If ``name`` is not registered in :data:`core.maths.activation_functions.ACTIVATIONS`.
    """
    act = get_activation(name)
    params = dict(act.params, **(params or {}))
    f = lambda v: act.function(v, **params)  # noqa: E731
    jumps = [j for j in JUMPS.get(name, ()) if z_range[0] < j < z_range[1]]
    edges = [float(z_range[0]), *jumps, float(z_range[1])]
    zs, ys = [], []
    for a, b in zip(
        edges[:-1], edges[1:], strict=False
    ):  # one piece per continuous stretch, NaN between pieces
        seg = np.linspace(a, b, 400)
        if b in jumps:
            seg[-1] = b - 1e-9
        zs += [*seg, np.nan]
        ys += [*f(seg), np.nan]
    fig = go.Figure(go.Scatter(x=zs, y=ys, mode="lines", name=act.label, line=dict(color=RED, width=3)))
    if jumps:
        taken = [float(f(j)) for j in jumps]
        other = [
            float(f(j - 1e-9)) if float(f(j - 1e-9)) != t else float(f(j + 1e-9))
            for j, t in zip(jumps, taken, strict=False)
        ]
        jump_dots = (  # the value taken at the jump filled, the value left open
            (taken, dict(size=10, color=RED), dict(hovertemplate="f(%{x}) = %{y}<extra></extra>")),
            (other, dict(size=10, color="white", line=dict(color=RED, width=2)), dict(hoverinfo="skip")),
        )
        for values, marker, hover in jump_dots:
            fig.add_trace(
                go.Scatter(x=jumps, y=values, mode="markers", marker=marker, showlegend=False, **hover)
            )
    if show_derivative:
        zz = np.asarray(zs)
        undefined = np.isnan(zz) | np.isin(zz, jumps)  # no derivative at a jump
        slope = np.where(undefined, np.nan, act.derivative(np.nan_to_num(zz), **params))
        fig.add_trace(
            go.Scatter(
                x=zz, y=slope, mode="lines", name="derivative", line=dict(color=BLUE, width=2, dash="dot")
            )
        )
    if z_mark is not None:
        fig.add_trace(
            go.Scatter(
                x=[z_mark],
                y=[float(f(z_mark))],
                mode="markers",
                marker=dict(size=14, color="black", symbol="diamond"),
                name=f"z = {z_mark:g}",
            )
        )
    fig.update_xaxes(title="z (internal potential)", zeroline=True, zerolinecolor="#999")
    fig.update_yaxes(title="f(z)", zeroline=True, zerolinecolor="#999")
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=10, b=10),
        plot_bgcolor="white",
        legend=dict(orientation="h", y=-0.25),
    )
    return fig


def epoch_figure(
    errors_per_epoch, *, mse_per_epoch=(), current_epoch: int | None = None, height: int = 300
) -> go.Figure:
    """Misclassified samples per epoch (bars) and, for Adaline, the mean squared error (line, right axis)."""
    epochs = np.arange(1, len(errors_per_epoch) + 1)
    colors = ["#fdae61" if e == current_epoch else "#969696" for e in epochs]
    fig = go.Figure(
        go.Bar(
            x=epochs,
            y=list(errors_per_epoch),
            marker_color=colors,
            name="misclassified",
            hovertemplate="epoch %{x}: %{y} wrong<extra></extra>",
        )
    )
    if len(mse_per_epoch):
        fig.add_trace(
            go.Scatter(
                x=epochs,
                y=list(mse_per_epoch),
                mode="lines+markers",
                name="mean squared error",
                yaxis="y2",
                line=dict(color=RED, width=3),
            )
        )
        fig.update_layout(yaxis2=dict(title="MSE", overlaying="y", side="right", rangemode="tozero"))
    fig.update_xaxes(title="epoch", dtick=1 if len(epochs) <= 20 else None)
    fig.update_layout(
        yaxis=dict(title="misclassified samples", rangemode="tozero"),
        height=height,
        margin=dict(l=10, r=10, t=10, b=10),
        plot_bgcolor="white",
        legend=dict(orientation="h", y=-0.35),
        bargap=0.3,
    )
    return fig
