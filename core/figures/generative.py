"""Plotly figures for the generative pages: latent planes, digit mosaics, curves, the toy GAN.

They return figures and never call Streamlit. Digits are grey images in [0, 1] (white ink on
black, MNIST's convention); the ten digit classes use Plotly's "T10" qualitative colours.

Every figure is assembled from plain dicts and not re-validated by Plotly, as
``core.figures.common.matrix_figure`` is: these builders run on the click path, and validating Plotly
objects one property at a time (64 ``add_annotation`` calls validate the whole annotation list 64
times) cost more than the rest of a page run. ``tests/core/test_gan.py``,
``tests/core/test_autoencoder.py`` and ``tests/core/test_toy_gan.py`` validate their output.
Arrays travel as float32 where the display needs no more precision (half the bytes per click).
"""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative

from core.figures.common import panel_title, pick_points_trace, xy_trace

DIGIT_COLOURS = qualitative.T10
REAL_COLOUR, FAKE_COLOUR = "#1b7837", "#762a83"  # GAN Lab's green (real) and purple (fake)


def _figure(data: list[dict], layout: dict) -> go.Figure:
    """A figure from trace and layout dicts, not validated (see the module docstring)."""
    return go.Figure(dict(data=data, layout=layout), _validate=False)


def _vline(x: float, *, xref: str = "x", yref: str = "y") -> dict:
    """A dotted grey vertical line at ``x`` across the whole plot (``fig.add_vline``'s shape)."""
    return dict(
        type="line",
        x0=x,
        x1=x,
        xref=xref,
        y0=0,
        y1=1,
        yref=f"{yref} domain",
        line=dict(color="grey", dash="dot"),
    )


def _hline(y: float) -> dict:
    """A dotted grey horizontal line at ``y`` across the whole plot (``fig.add_hline``'s shape)."""
    return dict(
        type="line", x0=0, x1=1, xref="x domain", y0=y, y1=y, yref="y", line=dict(color="grey", dash="dot")
    )


def mosaic(
    images, *, cols: int, pad: int = 2, pad_value: float = 0.3, row_gap: int | None = None
) -> np.ndarray:
    """Tile ``(N, h, w)`` images into one ``(rows * (h + row_gap) + pad, cols * (w + pad) + pad)``
    array, image ``k`` at row ``k // cols``, column ``k % cols``; gaps filled with ``pad_value``."""
    imgs = np.asarray(images, dtype=np.float32)
    if imgs.ndim != 3 or len(imgs) == 0:
        raise ValueError(f"`images` must have shape (N, h, w) with N >= 1, got {imgs.shape}.")
    n, h, w = imgs.shape
    cols = max(1, min(int(cols), n))
    rows = -(-n // cols)
    gap = pad if row_gap is None else row_gap
    out = np.full((rows * (h + gap) + pad, cols * (w + pad) + pad), pad_value, np.float32)
    for k in range(n):
        r, c = divmod(k, cols)
        top, left = gap + r * (h + gap), pad + c * (w + pad)
        out[top : top + h, left : left + w] = imgs[k]
    return out


def _png(gray01: np.ndarray) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.clip(np.rint(gray01 * 255), 0, 255).astype(np.uint8)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def images_figure(
    images,
    *,
    cols: int | None = None,
    titles=None,
    row_titles=None,
    title: str = "",
    height: int | None = None,
    width_px: int = 760,
    pad: int = 2,
) -> go.Figure:
    """A grid of digits drawn pixel-exact as one PNG on white, with optional captions.

    The captions are one list of layout annotations built at once (not one validated
    ``add_annotation`` per tile), so 64 captions cost microseconds.

    Parameters
    ----------
    images : ndarray (N, h, w), float in [0, 1]
        Tile ``k`` goes to row ``k // cols``, column ``k % cols``.
    cols : int, optional
        Tiles per row (default: all in one row).
    titles : sequence of N str, optional
        A caption above each tile, centred (annotation ``k`` belongs to tile ``k``).
    row_titles : sequence of str, optional
        One caption per row, above its first tile, left-aligned (instead of ``titles``).
    height : int, optional
        Figure height in pixels; default from the mosaic's aspect ratio at ``width_px`` wide.

    Returns
    -------
    go.Figure
        One ``image`` trace (a PNG data URI of :func:`mosaic` with white gaps, 12 px above each
        row when captioned) on hidden axes in pixel units, y pointing down; the captions are
        ``layout.annotations`` anchored at the bottom, just above their tile.

    Raises
    ------
    ValueError
        If ``images`` is not a non-empty ``(N, h, w)`` stack (from :func:`mosaic`).
    """
    imgs = np.asarray(images, dtype=np.float32)
    cols = cols or len(imgs)
    labelled = titles is not None or row_titles is not None
    gap = 12 if labelled else pad
    tiles = mosaic(imgs, cols=cols, pad=pad, row_gap=gap, pad_value=1.0)
    h, w = imgs.shape[1:]
    if row_titles is not None:
        labels = [(r * cols, text, "left", pad) for r, text in enumerate(row_titles)]
    else:
        labels = [(k, text, "center", pad + w / 2) for k, text in enumerate(titles or [])]
    annotations = []
    for k, text, anchor, offset in labels:
        r, c = divmod(k, cols)
        annotations.append(
            dict(
                x=c * (w + pad) + offset,
                y=gap + r * (h + gap) - 1,
                text=str(text),
                showarrow=False,
                xanchor=anchor,
                yanchor="bottom",
                font=dict(size=12, color="#333"),
            )
        )
    top = 36 if title else 4
    auto = int(min(width_px, 4 * tiles.shape[1]) * tiles.shape[0] / tiles.shape[1]) + top + 4
    layout = dict(
        title=dict(text=title, x=0.5, xanchor="center"),
        dragmode=False,
        annotations=annotations,
        height=height or max(120, auto),
        margin=dict(l=2, r=2, t=top, b=2),
        xaxis=dict(visible=False, range=[0, tiles.shape[1]]),
        yaxis=dict(visible=False, range=[tiles.shape[0], 0], scaleanchor="x"),
    )
    return _figure([dict(type="image", source=_png(tiles), hoverinfo="skip")], layout)


def latent_figure(
    codes,
    labels,
    *,
    x_range,
    y_range,
    point=None,
    marker=None,
    marker_label: str = "",
    pick_n: int = 40,
    title: str = "",
    height: int = 520,
) -> go.Figure:
    """2-D codes coloured by digit, an invisible pick grid, the decoded point and the user's digit.

    Every trace is drawn in latent coordinates, so the ``x`` and ``y`` of a selected point
    (``st.plotly_chart(on_select=...)``) - a test digit or an empty spot of the plane, covered by
    an invisible ``pick_n`` x ``pick_n`` grid of markers - are a latent position.

    Parameters
    ----------
    codes : ndarray (N, 2), float
        Sent as float32.
    labels : ndarray (N,), int in 0..9
        One trace per digit, named ``"0"`` .. ``"9"``.
    x_range, y_range : (float, float)
        The axes' ranges; the pick grid spans them.
    point, marker : (float, float), optional
        The decoded point (a black cross, trace ``"decoded point"``) and the user's digit (a red
        star, trace ``marker_label``), drawn at exactly these coordinates.
    """
    codes = np.asarray(codes, dtype=np.float32)
    labels = np.asarray(labels)
    xs = np.linspace(*x_range, pick_n, dtype=np.float32)
    ys = np.linspace(*y_range, pick_n, dtype=np.float32)
    gx, gy = np.meshgrid(xs, ys)
    data = [
        pick_points_trace(
            gx.ravel(),
            gy.ravel(),
            size=max(6, 480 // pick_n),
            hovertemplate="decode (%{x:.2f}, %{y:.2f})<extra></extra>",
        )
    ]
    for d in range(10):
        data.append(
            xy_trace(
                codes[labels == d],
                mode="markers",
                name=str(d),
                marker=dict(size=5, color=DIGIT_COLOURS[d], opacity=0.75),
                hovertemplate=f"digit {d}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
            )
        )
    for pos, symbol, colour, name in (
        (point, "x", "black", "decoded point"),
        (marker, "star", "#d7301f", marker_label or "your digit"),
    ):
        if pos is not None:
            data.append(
                dict(
                    type="scatter",
                    x=[float(pos[0])],
                    y=[float(pos[1])],
                    mode="markers",
                    name=name,
                    marker=dict(size=16, symbol=symbol, color=colour, line=dict(width=1.5, color="white")),
                    hovertemplate=f"{name}<extra></extra>",
                )
            )
    layout = dict(
        title=dict(text=title, x=0.5, xanchor="center"),
        height=height,
        dragmode=False,
        legend=dict(title=dict(text="digit"), itemsizing="constant"),
        margin=dict(l=50, r=10, t=40, b=40),
        clickmode="event+select",
        xaxis=dict(range=list(x_range), title=dict(text="code[0]"), zeroline=False),
        yaxis=dict(range=list(y_range), title=dict(text="code[1]"), zeroline=False),
    )
    return _figure(data, layout)


def manifold_figure(tiles: np.ndarray, *, x_range, y_range, n: int, height: int = 520) -> go.Figure:
    """The decoded grid (``core.models.autoencoder.decode_manifold``, ``(28 n, 28 n)`` in [0, 1]) as one
    PNG, with the latent coordinates of every few tiles on the axes."""
    xs, ys = np.linspace(*x_range, n), np.linspace(*y_range, n)[::-1]
    centres = [14 + 28 * i for i in range(n)]
    every = max(1, n // 6)
    layout = dict(
        height=height,
        dragmode=False,
        margin=dict(l=50, r=10, t=10, b=40),
        xaxis=dict(
            tickvals=centres[::every],
            ticktext=[f"{v:.1f}" for v in xs[::every]],
            title=dict(text="code[0]"),
            showgrid=False,
            range=[0, 28 * n],
        ),
        yaxis=dict(
            tickvals=centres[::every],
            ticktext=[f"{v:.1f}" for v in ys[::every]],
            title=dict(text="code[1]"),
            showgrid=False,
            range=[28 * n, 0],
            scaleanchor="x",
        ),
    )
    return _figure([dict(type="image", source=_png(tiles), hoverinfo="skip")], layout)


def pca_vs_ae_figure(code_sizes, pca_mse, ae_mse, *, highlight: int | None = None) -> go.Figure:
    """Test reconstruction MSE against code size, PCA vs autoencoder (log-2 code axis)."""
    sizes = [int(k) for k in code_sizes]
    data = [
        dict(
            type="scatter",
            x=sizes,
            y=[float(v) for v in values],
            mode="lines+markers",
            name=name,
            line=dict(color=colour),
        )
        for values, name, colour in (
            (pca_mse, "PCA (linear)", "#636efa"),
            (ae_mse, "autoencoder (non-linear)", "#ef553b"),
        )
    ]
    layout = dict(
        height=360,
        margin=dict(l=60, r=10, t=20, b=50),
        legend=dict(x=0.55, y=0.95),
        shapes=[] if highlight is None else [_vline(highlight)],
        xaxis=dict(
            type="log",
            tickvals=sizes,
            ticktext=[str(k) for k in sizes],
            title=dict(text="code size (numbers kept per image)"),
        ),
        yaxis=dict(title=dict(text="test MSE per pixel"), rangemode="tozero"),
    )
    return _figure(data, layout)


def gan_history_figure(history: dict, *, epoch: int | None = None) -> go.Figure:
    """Per-epoch losses (left) and mean discriminator scores D(x), D(G(z)) (right).

    Two side-by-side plots as ``make_subplots(rows=1, cols=2, subplot_titles=...)`` lays them
    out (x domains [0, 0.45] and [0.55, 1], titles as paper annotations), built directly;
    ``epoch`` (when > 0) draws a dotted line on both.
    """
    epochs = list(range(1, len(history.get("d_loss", [])) + 1))
    data = []
    for key, name, colour, col in (
        ("d_loss", "D loss", "#1f77b4", 1),
        ("g_loss", "G loss", "#ff7f0e", 1),
        ("d_real", "on real digits", REAL_COLOUR, 2),
        ("d_fake", "on generated digits", FAKE_COLOUR, 2),
    ):
        if key in history:
            axes = dict(xaxis="x", yaxis="y") if col == 1 else dict(xaxis="x2", yaxis="y2")
            data.append(
                dict(
                    type="scatter",
                    x=epochs,
                    y=[float(v) for v in history[key]],
                    mode="lines+markers",
                    name=name,
                    line=dict(color=colour),
                    **axes,
                )
            )
    titles = [
        panel_title(text, x) for text, x in (("Losses", 0.225), ("Discriminator's mean P(real)", 0.775))
    ]
    layout = dict(
        height=320,
        margin=dict(l=40, r=10, t=40, b=40),
        legend=dict(orientation="h", y=-0.3),
        annotations=titles,
        shapes=[_vline(epoch, xref=x, yref=y) for x, y in (("x", "y"), ("x2", "y2"))] if epoch else [],
        xaxis=dict(anchor="y", domain=[0.0, 0.45], title=dict(text="epoch")),
        yaxis=dict(anchor="x", domain=[0.0, 1.0]),
        xaxis2=dict(anchor="y2", domain=[0.55, 1.0], title=dict(text="epoch")),
        yaxis2=dict(anchor="x2", domain=[0.0, 1.0], range=[0, 1]),
    )
    return _figure(data, layout)


def scores_figure(fake_scores, real_scores) -> go.Figure:
    """The discriminator's P(real) for generated and real digits, one dot per image."""
    data = [
        dict(
            type="box",
            x=np.asarray(scores, dtype=np.float32),
            name=name,
            boxpoints="all",
            jitter=0.5,
            pointpos=0,
            marker=dict(color=colour, size=5),
            line=dict(color=colour),
            fillcolor="rgba(0,0,0,0)",
            hovertemplate="P(real) %{x:.3f}<extra></extra>",
        )
        for scores, name, colour in (
            (fake_scores, "generated", FAKE_COLOUR),
            (real_scores, "real (test)", REAL_COLOUR),
        )
    ]
    layout = dict(
        height=260,
        showlegend=False,
        margin=dict(l=90, r=10, t=10, b=40),
        shapes=[_vline(0.5)],
        xaxis=dict(range=[0, 1], title=dict(text="discriminator's P(real)")),
    )
    return _figure(data, layout)


def norms_figure(paths: dict) -> go.Figure:
    """Length ``|z|`` of each code along interpolation paths ``{name: (n, D) array}``."""
    data = [
        dict(
            type="scatter",
            y=np.linalg.norm(np.asarray(path, dtype=np.float64), axis=1),
            mode="lines+markers",
            name=name,
        )
        for name, path in paths.items()
    ]
    layout = dict(
        height=260,
        margin=dict(l=50, r=10, t=10, b=40),
        legend=dict(orientation="h", y=1.15),
        xaxis=dict(title=dict(text="frame")),
        yaxis=dict(title=dict(text="|z|")),
    )
    return _figure(data, layout)


def interpolation_figures(paths: dict, *, frames_height: int = 150) -> tuple[go.Figure, go.Figure, go.Figure]:
    """The GAN page's interpolation: one row of images per path, and the length ``|z|`` along each.

    Parameters
    ----------
    paths : dict
        ``{"lerp": (path, images), "slerp": (path, images)}`` (``core.adapters.cached.gan_interpolation``):
        each path ``(frames, latent_dim)`` and its images ``(frames, 28, 28)`` in [0, 1].
    frames_height : int
        Height in pixels of each row of images.

    Returns
    -------
    (linear, spherical, norms) : three figures
        :func:`images_figure` titled "Linear" and "Spherical (slerp)", and :func:`norms_figure`
        with the traces "linear" and "spherical (slerp)".
    """
    (lerp, lerp_images), (slerp, slerp_images) = paths["lerp"], paths["slerp"]
    frames = len(lerp)
    return (
        images_figure(lerp_images, cols=frames, title="Linear", height=frames_height),
        images_figure(slerp_images, cols=frames, title="Spherical (slerp)", height=frames_height),
        norms_figure({"linear": lerp, "spherical (slerp)": slerp}),
    )


def toy_gan_figure(view: dict, *, height: int = 480) -> go.Figure:
    """GAN Lab's picture: D's P(real) as a background map, real points green, generated purple.

    ``view`` is :func:`core.maths.toy_gan.toy_gan_view`'s dict; its arrays are sent as float32.
    """
    f32 = lambda key: np.asarray(view[key], dtype=np.float32)  # noqa: E731
    data = [
        dict(
            type="heatmap",
            x=f32("xs"),
            y=f32("ys"),
            z=f32("d_prob"),
            zmin=0,
            zmax=1,
            colorscale=[[0, "#c2a5cf"], [0.5, "#f7f7f7"], [1, "#a6dba0"]],
            colorbar=dict(title=dict(text="D: P(real)"), thickness=12),
            hovertemplate="D(%{x:.2f}, %{y:.2f}) = %{z:.2f}<extra></extra>",
        )
    ]
    for key, name, colour in (("real", "real", REAL_COLOUR), ("fake", "generated", FAKE_COLOUR)):
        marker = dict(size=5, color=colour, opacity=0.7)
        data.append(xy_trace(f32(key), mode="markers", name=name, marker=marker, hoverinfo="skip"))
    ext = [float(view["xs"][0]), float(view["xs"][-1])]
    layout = dict(
        height=height,
        margin=dict(l=40, r=10, t=30, b=40),
        dragmode=False,
        legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
        xaxis=dict(range=ext, constrain="domain"),
        yaxis=dict(range=ext, scaleanchor="x"),
    )
    return _figure(data, layout)


def toy_history_figure(history: list) -> go.Figure:
    """Discriminator and generator loss at every toy-GAN step (ln 4 = 1.386 and ln 2 = 0.693 mark
    the equilibrium where D outputs 1/2 everywhere); losses sent as float32."""
    steps = np.asarray([h["step"] for h in history], dtype=np.int32)
    data = [
        dict(
            type="scatter",
            x=steps,
            y=np.asarray([h[key] for h in history], dtype=np.float32),
            name=name,
            mode="lines",
        )
        for key, name in (("d_loss", "D loss"), ("g_loss", "G loss"))
    ]
    layout = dict(
        height=260,
        margin=dict(l=40, r=10, t=10, b=40),
        legend=dict(orientation="h", y=1.15),
        shapes=[_hline(float(np.log(4))), _hline(float(np.log(2)))],
        xaxis=dict(title=dict(text="step")),
    )
    return _figure(data, layout)


def param_table_rows(rows: list[dict]) -> list[dict]:
    """``core.models.architectures.layer_table`` rows as a table to show (layer, type, Keras' output shape
    with its batch axis, parameters with thousands separators) plus a total row."""
    total = sum(r["params"] for r in rows)
    return [
        {
            "layer": r["name"],
            "type": r["type"],
            "output shape": str((None, *r["output_shape"])),
            "params": f"{r['params']:,}",
        }
        for r in rows
    ] + [{"layer": "total", "type": "", "output shape": "", "params": f"{total:,}"}]
