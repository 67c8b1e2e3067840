"""Plotly figures for the generative pages: latent planes, digit mosaics, curves, the toy GAN.

They return figures and never call Streamlit. Digits are grey images in [0, 1] (white ink on
black, MNIST's convention); the ten digit classes use Plotly's "T10" qualitative colours.
"""
from __future__ import annotations

import base64
import io

import numpy as np
import plotly.express as px
import plotly.graph_objects as go
from plotly.subplots import make_subplots

DIGIT_COLOURS = px.colors.qualitative.T10
REAL_COLOUR, FAKE_COLOUR = "#1b7837", "#762a83"   # GAN Lab's green (real) and purple (fake)


def mosaic(images, *, cols: int, pad: int = 2, pad_value: float = 0.3, row_gap: int | None = None) -> np.ndarray:
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
        out[top:top + h, left:left + w] = imgs[k]
    return out


def _png(gray01: np.ndarray) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.clip(np.rint(gray01 * 255), 0, 255).astype(np.uint8)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def images_figure(images, *, cols: int | None = None, titles=None, row_titles=None, title: str = "",
                  height: int | None = None, width_px: int = 760, pad: int = 2) -> go.Figure:
    """A grid of digits drawn pixel-exact as one PNG on white, with optional captions.

    Parameters
    ----------
    images : ndarray (N, 28, 28), float in [0, 1]
    cols : int, optional
        Tiles per row (default: all in one row).
    titles : sequence of N str, optional
        A caption above each tile.
    row_titles : sequence of str, optional
        One caption per row, above its first tile (instead of ``titles``).
    height : int, optional
        Figure height in pixels; default from the mosaic's aspect ratio at ``width_px`` wide.
    """
    imgs = np.asarray(images, dtype=np.float32)
    cols = cols or len(imgs)
    labelled = titles is not None or row_titles is not None
    gap = 12 if labelled else pad
    tiles = mosaic(imgs, cols=cols, pad=pad, row_gap=gap, pad_value=1.0)
    h, w = imgs.shape[1:]
    fig = go.Figure(go.Image(source=_png(tiles), hoverinfo="skip"))
    if row_titles is not None:
        labels = [(r * cols, text, "left", pad) for r, text in enumerate(row_titles)]
    else:
        labels = [(k, text, "center", pad + w / 2) for k, text in enumerate(titles or [])]
    for k, text, anchor, offset in labels:
        r, c = divmod(k, cols)
        fig.add_annotation(x=c * (w + pad) + offset, y=gap + r * (h + gap) - 1, text=str(text), showarrow=False,
                           xanchor=anchor, yanchor="bottom", font=dict(size=12, color="#333"))
    fig.update_xaxes(visible=False, range=[0, tiles.shape[1]])
    fig.update_yaxes(visible=False, range=[tiles.shape[0], 0], scaleanchor="x")
    top = 36 if title else 4
    auto = int(min(width_px, 4 * tiles.shape[1]) * tiles.shape[0] / tiles.shape[1]) + top + 4
    fig.update_layout(title=dict(text=title, x=0.5, xanchor="center"), dragmode=False,
                      height=height or max(120, auto), margin=dict(l=2, r=2, t=top, b=2))
    return fig


def latent_figure(codes, labels, *, x_range, y_range, point=None, marker=None, marker_label: str = "",
                  pick_n: int = 40, title: str = "", height: int = 520) -> go.Figure:
    """2-D codes coloured by digit, an invisible pick grid, the decoded point and the user's digit.

    Every trace is drawn in latent coordinates, so the ``x`` and ``y`` of a selected point
    (``st.plotly_chart(on_select=...)``) - a test digit or an empty spot of the plane, covered by
    an invisible ``pick_n`` x ``pick_n`` grid of markers - are a latent position.
    """
    codes = np.asarray(codes, dtype=np.float32)
    labels = np.asarray(labels)
    fig = go.Figure()
    xs, ys = np.linspace(*x_range, pick_n), np.linspace(*y_range, pick_n)
    gx, gy = np.meshgrid(xs, ys)
    fig.add_trace(go.Scatter(x=gx.ravel(), y=gy.ravel(), mode="markers", name="pick",
                             marker=dict(size=max(6, 480 // pick_n), color="rgba(0,0,0,0)"),
                             showlegend=False,
                             hovertemplate="decode (%{x:.2f}, %{y:.2f})<extra></extra>"))
    for d in range(10):
        sel = labels == d
        fig.add_trace(go.Scatter(x=codes[sel, 0], y=codes[sel, 1], mode="markers", name=str(d),
                                 marker=dict(size=5, color=DIGIT_COLOURS[d], opacity=0.75),
                                 hovertemplate=f"digit {d}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>"))
    for pos, symbol, colour, name in ((point, "x", "black", "decoded point"),
                                      (marker, "star", "#d7301f", marker_label or "your digit")):
        if pos is not None:
            fig.add_trace(go.Scatter(x=[pos[0]], y=[pos[1]], mode="markers", name=name,
                                     marker=dict(size=16, symbol=symbol, color=colour,
                                                 line=dict(width=1.5, color="white")),
                                     hovertemplate=f"{name}<extra></extra>"))
    fig.update_xaxes(range=list(x_range), title="code[0]", zeroline=False)
    fig.update_yaxes(range=list(y_range), title="code[1]", zeroline=False)
    fig.update_layout(title=dict(text=title, x=0.5, xanchor="center"), height=height, dragmode=False,
                      legend=dict(title="digit", itemsizing="constant"), margin=dict(l=50, r=10, t=40, b=40),
                      clickmode="event+select")
    return fig


def manifold_figure(tiles: np.ndarray, *, x_range, y_range, n: int, height: int = 520) -> go.Figure:
    """The decoded grid (``core.autoencoder.decode_manifold``) with latent coordinates on the axes."""
    xs, ys = np.linspace(*x_range, n), np.linspace(*y_range, n)[::-1]
    centres = 14 + 28 * np.arange(n)
    every = max(1, n // 6)
    fig = go.Figure(go.Image(source=_png(tiles), hoverinfo="skip"))
    fig.update_xaxes(tickvals=centres[::every], ticktext=[f"{v:.1f}" for v in xs[::every]], title="code[0]",
                     showgrid=False, range=[0, 28 * n])
    fig.update_yaxes(tickvals=centres[::every], ticktext=[f"{v:.1f}" for v in ys[::every]], title="code[1]",
                     showgrid=False, range=[28 * n, 0], scaleanchor="x")
    fig.update_layout(height=height, dragmode=False, margin=dict(l=50, r=10, t=10, b=40))
    return fig


def pca_vs_ae_figure(code_sizes, pca_mse, ae_mse, *, highlight: int | None = None) -> go.Figure:
    """Test reconstruction MSE against code size, PCA vs autoencoder (log-2 code axis)."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=code_sizes, y=pca_mse, mode="lines+markers", name="PCA (linear)",
                             line=dict(color="#636efa")))
    fig.add_trace(go.Scatter(x=code_sizes, y=ae_mse, mode="lines+markers", name="autoencoder (non-linear)",
                             line=dict(color="#ef553b")))
    if highlight is not None:
        fig.add_vline(x=highlight, line=dict(color="grey", dash="dot"))
    fig.update_xaxes(type="log", tickvals=list(code_sizes), ticktext=[str(k) for k in code_sizes],
                     title="code size (numbers kept per image)")
    fig.update_yaxes(title="test MSE per pixel", rangemode="tozero")
    fig.update_layout(height=360, margin=dict(l=60, r=10, t=20, b=50), legend=dict(x=0.55, y=0.95))
    return fig


def gan_history_figure(history: dict, *, epoch: int | None = None) -> go.Figure:
    """Per-epoch losses (left) and mean discriminator scores D(x), D(G(z)) (right)."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Losses", "Discriminator's mean P(real)"))
    epochs = np.arange(1, len(history.get("d_loss", [])) + 1)
    for key, name, colour, col in (("d_loss", "D loss", "#1f77b4", 1), ("g_loss", "G loss", "#ff7f0e", 1),
                                   ("d_real", "on real digits", REAL_COLOUR, 2),
                                   ("d_fake", "on generated digits", FAKE_COLOUR, 2)):
        if key in history:
            fig.add_trace(go.Scatter(x=epochs, y=history[key], mode="lines+markers", name=name,
                                     line=dict(color=colour)), row=1, col=col)
    if epoch:
        for col in (1, 2):
            fig.add_vline(x=epoch, line=dict(color="grey", dash="dot"), row=1, col=col)
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(range=[0, 1], row=1, col=2)
    fig.update_layout(height=320, margin=dict(l=40, r=10, t=40, b=40), legend=dict(orientation="h", y=-0.3))
    return fig


def scores_figure(fake_scores, real_scores) -> go.Figure:
    """The discriminator's P(real) for generated and real digits, one dot per image."""
    fig = go.Figure()
    for scores, name, colour in ((fake_scores, "generated", FAKE_COLOUR), (real_scores, "real (test)", REAL_COLOUR)):
        fig.add_trace(go.Box(x=np.asarray(scores), name=name, boxpoints="all", jitter=0.5, pointpos=0,
                             marker=dict(color=colour, size=5), line=dict(color=colour), fillcolor="rgba(0,0,0,0)",
                             hovertemplate="P(real) %{x:.3f}<extra></extra>"))
    fig.add_vline(x=0.5, line=dict(color="grey", dash="dot"))
    fig.update_xaxes(range=[0, 1], title="discriminator's P(real)")
    fig.update_layout(height=260, showlegend=False, margin=dict(l=90, r=10, t=10, b=40))
    return fig


def norms_figure(paths: dict) -> go.Figure:
    """Length ``|z|`` of each code along interpolation paths ``{name: (n, D) array}``."""
    fig = go.Figure()
    for name, path in paths.items():
        fig.add_trace(go.Scatter(y=np.linalg.norm(np.asarray(path), axis=1), mode="lines+markers", name=name))
    fig.update_xaxes(title="frame")
    fig.update_yaxes(title="|z|")
    fig.update_layout(height=260, margin=dict(l=50, r=10, t=10, b=40), legend=dict(orientation="h", y=1.15))
    return fig


def toy_gan_figure(view: dict, *, height: int = 480) -> go.Figure:
    """GAN Lab's picture: D's P(real) as a background map, real points green, generated purple."""
    fig = go.Figure(go.Heatmap(x=view["xs"], y=view["ys"], z=view["d_prob"], zmin=0, zmax=1,
                               colorscale=[[0, "#c2a5cf"], [0.5, "#f7f7f7"], [1, "#a6dba0"]],
                               colorbar=dict(title="D: P(real)", thickness=12),
                               hovertemplate="D(%{x:.2f}, %{y:.2f}) = %{z:.2f}<extra></extra>"))
    for key, name, colour in (("real", "real", REAL_COLOUR), ("fake", "generated", FAKE_COLOUR)):
        pts = np.asarray(view[key])
        fig.add_trace(go.Scatter(x=pts[:, 0], y=pts[:, 1], mode="markers", name=name,
                                 marker=dict(size=5, color=colour, opacity=0.7), hoverinfo="skip"))
    ext = [float(view["xs"][0]), float(view["xs"][-1])]
    fig.update_xaxes(range=ext, constrain="domain")
    fig.update_yaxes(range=ext, scaleanchor="x")
    fig.update_layout(height=height, margin=dict(l=40, r=10, t=30, b=40), dragmode=False,
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    return fig


def toy_history_figure(history: list) -> go.Figure:
    """Discriminator and generator loss at every toy-GAN step (ln 4 = 1.386 and ln 2 = 0.693 mark
    the equilibrium where D outputs 1/2 everywhere)."""
    steps = [h["step"] for h in history]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=steps, y=[h["d_loss"] for h in history], name="D loss", mode="lines"))
    fig.add_trace(go.Scatter(x=steps, y=[h["g_loss"] for h in history], name="G loss", mode="lines"))
    for y in (np.log(4), np.log(2)):
        fig.add_hline(y=y, line=dict(color="grey", dash="dot"))
    fig.update_xaxes(title="step")
    fig.update_layout(height=260, margin=dict(l=40, r=10, t=10, b=40), legend=dict(orientation="h", y=1.15))
    return fig


def param_table_rows(rows: list[dict]) -> list[dict]:
    """``core.gan.layer_table`` rows plus a total row, parameters formatted with thousands separators."""
    total = sum(r["params"] for r in rows)
    return [{**r, "params": f"{r['params']:,}"} for r in rows] + [
        {"layer": "total", "type": "", "output shape": "", "params": f"{total:,}"}]
