"""Autoencoder latent space: click in a 2-D code plane and see the digit it decodes to."""

import numpy as np
import streamlit as st

from core.adapters import cached, display, image_input, page_frame, url_state
from core.adapters.errors import guarded
from core.adapters.lecture_mode import is_lecture, session_seed
from core.adapters.tap import show_pickable
from core.adapters.url_state import UrlParam
from core.adapters.widgets import canvas
from core.data.course import cite
from core.data.digit_input import preprocess_digit
from core.data.images import to_unit_range
from core.figures.common import matrix_figure
from core.figures.generative import images_figure, latent_figure, manifold_figure, pca_vs_ae_figure
from core.maths.interpolation import lerp
from core.maths.latent_space import anomaly_percentile, latent_range, pca_reconstruction_mse

page_frame.start()

st.title("Autoencoder latent space")
st.markdown(
    "Each digit squeezed into **two numbers**: a point in a plane. Click or tap anywhere in it and the "
    "decoder draws that point's digit."
)
about = st.expander("More about autoencoders, the digits and these models")
about.markdown(
    "An **autoencoder** squeezes each 28 × 28 digit (784 numbers) through a bottleneck, the **code**, "
    "and learns to rebuild the digit from it: the encoder decides which features matter most. Here the "
    "code has just **two numbers**, so every digit is a point in a plane. The decoder turns *any* point "
    "of that plane into an image — click anywhere and watch."
)
with (
    page_frame.loading_models()
):  # TensorFlow and the trained models: after the title, shown at once on a first visit
    data = cached.digits()
about.caption(
    f"Digits: **{data.source}**; the plane shows the {data.n_test:,} test digits, which the "
    "models never saw while training."
)

MODELS = {
    "ae2d": "Denoising autoencoder, 2-D code",
    "vae2d": "Variational autoencoder, 2-D (beyond the course)",
}
URL = (
    UrlParam("model", "ae_model", "ae2d", choices=MODELS),
    UrlParam("x", "ae_x", None, kind=float),  # default and range: the model's plane, set below
    UrlParam("y", "ae_y", None, kind=float),
)
url_state.sync(URL)
heading, model_pick = st.columns([1, 2], vertical_alignment="bottom")  # one row: the plane starts higher
heading.header("The latent plane")
name = model_pick.radio("Model", list(MODELS), key="ae_model", format_func=MODELS.get, horizontal=True)
bundle = cached.generative_model(name)
for warning in bundle.warnings:
    st.warning(f"Model store: {warning} — it was retrained.")
cfg, met = bundle.manifest["config"], bundle.manifest["metrics"]
about.caption(
    f"784 → {' → '.join(map(str, cfg['hidden_units']))} → **2** → "
    f"{' → '.join(map(str, cfg['hidden_units'][::-1]))} "
    f"→ 784 · {bundle.manifest['parameters']:,} parameters · trained {cfg['epochs']} epochs in "
    f"{bundle.manifest['training_time_s']:.0f} s ({bundle.manifest['device']}) · test MSE "
    f"{met['test_mse']:.4f} · "
    f"5-nearest-neighbour accuracy on the 2-D test codes **{met['knn_accuracy']:.0%}** · weights: "
    f"{bundle.status}"
)
if cfg.get("noise_factor", 0) > 0:
    about.caption(
        f"Trained as a **denoising autoencoder**: each training digit got Gaussian noise of standard "
        f"deviation "
        f"{cfg['noise_factor']:g} (x + {cfg['noise_factor']:g}·N(0, 1)"
        + (", clipped to [0, 1]" if cfg.get("clip_noise", True) else ", not clipped")
        + f") and the clean digit was the target ({cite('ae_cnn', 'Autoencoders in deep learning')}). "
        "The plane shows the codes of "
        "the clean test digits."
    )
codes = cached.test_codes(name)
x_range, y_range = latent_range(codes)
centre = np.median(codes[data.y_test == 0], axis=0)  # start inside the cluster of zeros
st.session_state.setdefault("ae_x", round(float(centre[0]), 2))
st.session_state.setdefault("ae_y", round(float(centre[1]), 2))


@guarded
def pick_point(points: list) -> None:
    """A click or a tap on the plane: decode that latent point."""
    if points and "x" in points[0]:  # every trace of the plane is drawn in latent coordinates
        st.session_state.ae_x, st.session_state.ae_y = (
            round(float(points[0]["x"]), 2),
            round(float(points[0]["y"]), 2),
        )


@st.fragment
@guarded
def latent_plane(marker) -> None:
    """Clicks and slider moves rerun only the plane; ``marker`` is the user's digit's code (or None)."""
    for key, (lo, hi) in (("ae_x", x_range), ("ae_y", y_range)):
        st.session_state[key] = float(np.clip(st.session_state[key], round(lo, 2), round(hi, 2)))
    url_state.sync(URL)  # a click or a slider reruns only this fragment
    left, right = st.columns([3, 2])
    with right:
        x = st.slider("code[0]", round(x_range[0], 2), round(x_range[1], 2), key="ae_x", step=0.01)
        y = st.slider("code[1]", round(y_range[0], 2), round(y_range[1], 2), key="ae_y", step=0.01)
        image = cached.ae_decoded_point(name, round(x, 2), round(y, 2))
        display.show_figure(
            matrix_figure(
                image, zmin=0, zmax=1, show_numbers=False, height=330, title=f"decoder({x:.2f}, {y:.2f})"
            ),
            key="ae_decoded",
        )
        st.session_state.ae_shown = (x, y, float(image.mean()))
    with left:
        fig = latent_figure(
            codes,
            data.y_test,
            x_range=x_range,
            y_range=y_range,
            point=(x, y),
            marker=marker,
            marker_label="your digit",
        )
        show_pickable(fig, key="ae_plane", on_pick=pick_point)
        st.caption(
            "Click or tap a dot or any empty spot (or move the sliders): the decoder draws that point. "
            "Regions between clusters decode to blends of digits."
        )


plane = st.container()  # drawn below, once the digit of "Your digit in the plane" (its red star) is known


@st.fragment
@guarded
def manifold() -> None:
    n = st.select_slider("Grid size", [8, 10, 12, 15, 20], value=12 if is_lecture() else 15, key="ae_grid")
    st.markdown(
        f"The decoder applied to a {n} × {n} grid of codes spanning the plane above: the images morph "
        "smoothly into each other because the decoder is a continuous function — everywhere, also in the "
        "gaps between the clusters where no digit was coded, so a smooth morph does not make every image a "
        "plausible digit. A plain autoencoder has no distribution over codes to sample from (it compresses, "
        "it is not a generative model); the VAE below adds one."
    )
    display.show_figure(
        cached.shared_view(
            ("ae_manifold", name, n),
            lambda: manifold_figure(
                cached.ae_manifold(name, x_range, y_range, n), x_range=x_range, y_range=y_range, n=n
            ),
        ),
        key="ae_manifold",
    )


st.header("The decoded manifold")
manifold()

st.header("Original → code → reconstruction")
first = tuple(int(np.flatnonzero(data.y_test == d)[0]) for d in range(10))
display.show_figure(
    cached.shared_view(
        ("ae_rows", name),
        lambda: images_figure(
            np.concatenate([to_unit_range(data.x_test[list(first)]), cached.ae_reconstructions(name, first)]),
            cols=10,
            titles=[f"digit {d}" for d in range(10)] + [f"({a:.1f}, {b:.1f})" for a, b in codes[list(first)]],
        ),
    ),
    key="ae_rows",
)
st.caption("Top: test digits. Bottom: what the decoder rebuilds from just the two numbers above each image.")


@st.fragment
@guarded
def interpolation() -> None:
    c1, c2, c3 = st.columns(3)
    a = c1.selectbox("From digit", range(10), index=1, key="ae_from")
    b = c2.selectbox("To digit", range(10), index=7, key="ae_to")
    frames = c3.slider("Frames", 3, 12, 8, key="ae_frames")
    path, images = cached.ae_interpolation(name, first[a], first[b], frames)
    display.show_figure(
        cached.shared_view(
            ("ae_interp", name, a, b, frames),
            lambda: images_figure(images, cols=frames, titles=[f"({p[0]:.1f}, {p[1]:.1f})" for p in path]),
        ),
        key="ae_interp",
    )
    st.caption(
        "Equal steps on the straight line between the two codes; the ends are the codes of the two digits."
    )


st.header("Interpolation between two test digits")
interpolation()

st.header("Your digit in the plane: an anomaly score")
SOURCES = ["A test digit", "Draw a digit", "Your photo", "Random noise (not a digit)"]
source = st.radio("Input", SOURCES, key="ae_input", horizontal=True)
picture = None
if source == "A test digit":
    idx = st.columns(3)[0].number_input(
        f"Test image (0–{data.n_test - 1})", 0, data.n_test - 1, 0, key="ae_index"
    )
    picture = to_unit_range(data.x_test[idx])
elif source == "Draw a digit":
    picture = canvas.digit_canvas("ae_canvas", size=224, upload_prefix="ae")
elif source == "Your photo":
    image_input.upload_widget("ae")
    picture = image_input.shared_image()[1] if image_input.shared_image() else None
else:
    picture = cached.noise_digit(session_seed(0))
projection = None
if picture is None:
    st.info("Draw or upload a digit to project it into the plane.")
else:
    try:
        digit = picture if picture.shape == (28, 28) else preprocess_digit(picture)[-1][1]
    except ValueError as exc:
        st.warning(str(exc))
    else:
        projection = cached.ae_project(name, digit)
        c1, c2, c3 = st.columns([2, 2, 3])
        with c1:
            display.show_figure(
                matrix_figure(digit, zmin=0, zmax=1, show_numbers=False, height=230, title="Model input"),
                key="ae_in",
            )
        with c2:
            display.show_figure(
                matrix_figure(
                    projection["reconstruction"],
                    zmin=0,
                    zmax=1,
                    show_numbers=False,
                    height=230,
                    title="Reconstruction",
                ),
                key="ae_out",
            )
        err, code = projection["error"], projection["code"]
        c3.metric("Reconstruction error (MSE)", f"{err:.4f}", help="Mean squared difference per pixel.")
        c3.metric(
            "Anomaly score",
            f"{anomaly_percentile(err, cached.test_errors(name)):.1f} %",
            help="Share of test digits reconstructed better than this input.",
        )
        c3.caption(
            f"Code ({code[0]:.2f}, {code[1]:.2f}) — the red star in the plane. An autoencoder only rebuilds "
            "well what resembles its training data, so a large error flags an unusual input."
        )
with plane:
    latent_plane(None if projection is None else projection["code"].tolist())

st.header("Autoencoder vs PCA")
table = cached.ae_vs_pca_table()


def pca_figures(k: int) -> tuple:
    """The MSE curves with code size ``k`` marked, and test digits rebuilt by PCA and the autoencoder."""
    sizes = table["code_sizes"]
    ex, pca_rec, ae_rec = cached.ae_vs_pca_rows(k)
    return (
        pca_vs_ae_figure(sizes, table["pca_mse"], table["ae_mse"], highlight=k),
        images_figure(
            np.concatenate([ex, pca_rec, ae_rec]),
            cols=len(ex),
            row_titles=["test digits", f"PCA with {k} components", f"autoencoder with a code of {k}"],
        ),
    )


@st.fragment
@guarded
def pca_comparison() -> None:
    sizes = table["code_sizes"]
    k = st.select_slider("Code size", sizes, value=2, key="ae_k")
    curves, rows = cached.shared_view(("ae_pca", k), lambda: pca_figures(k))
    display.show_figure(curves, key="ae_pca")
    display.show_figure(rows, key="ae_pca_rows")
    wins = [c for c, a_, p_ in zip(sizes, table["ae_mse"], table["pca_mse"], strict=False) if a_ < p_]
    overtakes = next(
        (
            (c, p_, a_)
            for c, a_, p_ in zip(sizes, table["ae_mse"], table["pca_mse"], strict=False)
            if p_ <= a_
        ),
        None,
    )
    hidden = table["config"]["hidden"]
    st.caption(
        f"PCA keeps the {k} directions of largest variance (a linear projection); the autoencoder "
        f"784 → {hidden} → {k} → {hidden} → 784 learns a non-linear "
        f"code (trained {table['config']['epochs']} epochs per code size on the same "
        f"{table['data']['n_train']:,} digits). It rebuilds the test digits better for code sizes "
        f"{', '.join(map(str, wins))} — the course's point that autoencoders beat linear reduction"
        + (
            f" — but **PCA overtakes at {overtakes[0]}** (MSE {overtakes[1]:.4f} vs {overtakes[2]:.4f}): "
            f"with "
            "more numbers per image and this little data the non-linear code has no edge left, and a linear "
            "autoencoder could at best find PCA's subspace (Baldi & Hornik 1989)."
            if overtakes
            else "."
        )
    )


pca_comparison()

st.header("Denoising")
den = cached.generative_model("denoising_ae")


@st.fragment
@guarded
def denoising() -> None:
    noise = st.slider("Noise factor", 0.0, 1.0, 0.5, 0.05, key="ae_noise")
    clean, noisy, restored = cached.ae_denoise("denoising_ae", first[:8], round(noise, 2), session_seed(1))
    display.show_figure(
        cached.shared_view(
            ("ae_denoise", round(noise, 2), session_seed(1)),
            lambda: images_figure(
                np.concatenate([clean, noisy, restored]),
                cols=8,
                row_titles=["clean", f"noisy (factor {noise:.2f})", "denoised"],
            ),
        ),
        key="ae_denoise",
    )
    d1, d2 = st.columns(2)
    d1.metric("Noisy input vs clean (MSE)", f"{np.mean((noisy - clean) ** 2):.4f}")
    d2.metric("Denoised vs clean (MSE)", f"{np.mean((restored - clean) ** 2):.4f}")


denoising()
st.caption(
    f"A convolutional autoencoder (code of {den.manifest['config']['latent_dim']} numbers) trained on "
    f"digits corrupted with noise factor {den.manifest['config']['noise_factor']} and the clean digit as "
    "the target: x_noisy = clip(x + factor · N(0, 1), 0, 1)."
)

st.header("Autoencoder vs variational autoencoder")
plain_cfg = cached.generative_model("ae2d").manifest["config"]
st.markdown(
    "A **VAE** (beyond the course) encodes each digit as a small Gaussian cloud and is penalised "
    "(KL divergence) when the clouds stray from a standard normal. That term **encourages** a centred, "
    "compact plane without empty gaps, so most random points near the centre decode to plausible digits — "
    "it does not guarantee it (gaps and blurry blends can remain; look at the plane). The plane on "
    f"the left is the first plane's model, the **2-D dense denoising autoencoder** (784 → "
    f"{' → '.join(map(str, plain_cfg['hidden_units']))} → 2, Gaussian noise σ = "
    f"{plain_cfg['noise_factor']:g} "
    f"on its inputs, {'clipped' if plain_cfg.get('clip_noise', True) else 'not clipped'}, no KL term), not "
    "the convolutional denoiser of the section above: its plane is spread out freely, with holes between "
    "the clusters."
)


def overview(key: str):
    """The test digits' codes under model ``key``, titled with its kNN accuracy (built once)."""
    c = cached.test_codes(key)
    xr, yr = latent_range(c)
    return latent_figure(
        c,
        data.y_test,
        x_range=xr,
        y_range=yr,
        pick_n=2,
        height=420,
        title=f"{MODELS[key]} · kNN {cached.generative_model(key).manifest['metrics']['knn_accuracy']:.0%}",
    )


v1, v2 = st.columns(2)
for col, key in ((v1, "ae2d"), (v2, "vae2d")):
    with col:
        display.show_figure(
            cached.shared_view(("ae_cmp", key), lambda key=key: overview(key)), key=f"ae_cmp_{key}"
        )

with st.expander("The course's autoencoder presets (parameter counts)"):
    display.show_table(cached.preset_table(), hide_index=True)
    st.caption(
        "Built with Keras from the course's code "
        f"({cite('ae_cnn', 'Autoencoders: reconstruction on MNIST')} and *Different architectures of the "
        f"models*); the sparse "
        "over-complete one penalises the code's activity with L1 = 1e-5."
    )

page_frame.finish(
    "core.models.autoencoder:decode",
    lerp,
    "core.models.autoencoder:reconstruction_error",
    pca_reconstruction_mse,
    course={
        "ae_cnn": [
            "Autoencoders in deep learning",
            "Autoencoders use-cases",
            "Autoencoders: reconstruction on MNIST",
            "Different architectures of the models",
        ]
    },
    references=[
        "hinton2006",
        "vincent2008",
        "baldi_hornik1989",
        "kingma_welling2014",
        "keras_autoencoder",
        "keras_vae",
    ],
)
