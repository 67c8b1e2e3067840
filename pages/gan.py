"""GAN sampling: digits from noise, latent walks, the discriminator's view and a toy GAN trained live."""

import numpy as np
import streamlit as st

from core.adapters import cached, display, page_frame, url_state
from core.adapters.errors import guarded
from core.adapters.lecture_mode import is_lecture, session_seed
from core.adapters.tap import show_clickable_grid
from core.adapters.url_state import UrlParam
from core.data.images import to_unit_range
from core.figures.common import matrix_figure
from core.figures.generative import (
    gan_history_figure,
    images_figure,
    interpolation_figures,
    param_table_rows,
    scores_figure,
    toy_gan_figure,
    toy_history_figure,
)
from core.maths.interpolation import slerp
from core.maths.toy_gan import toy_gan_losses, toy_gan_view

page_frame.start()

st.title("GAN sampling")
st.markdown(
    "Two networks trained against each other: a **generator** turns random noise *z* into digits, a "
    "**discriminator** tries to tell them from real ones. Every picture below is a generated one."
)
about = st.expander("More about this GAN and its training")
about.markdown(
    "A **generative adversarial network** trains two networks against each other. The **generator** turns "
    "random noise *z* into an image; the **discriminator** outputs the probability that an image is real. "
    "The discriminator learns to tell real digits from generated ones, the generator learns to fool it. "
    "This is a small **DCGAN** trained on handwritten digits. Its generator upsamples with **transposed "
    "convolutions** (batch norm, LeakyReLU 0.2, tanh output), its discriminator uses strided convolutions "
    "with "
    "LeakyReLU 0.2, and both train with Adam 1.5e-4, β₁ = 0.5 and the course's losses. The **course's "
    "DCGAN** "
    "(Course notes, *Introduction to deep learning* §7.2.2, below) keeps DCGAN's activations (Radford et "
    "al. 2015): "
    "**ReLU in the generator**, LeakyReLU 0.2 only in the discriminator; it upsamples with UpSampling2D "
    "and then "
    "convolves. It is this page's generator that departs from DCGAN, with LeakyReLU instead of ReLU as in "
    "TensorFlow's DCGAN tutorial for digits: a small slope for negative inputs keeps every unit's gradient "
    "alive."
)
MODEL = "dcgan"
with (
    page_frame.loading_models()
):  # TensorFlow and the trained models: after the title, shown at once on a first visit
    data = cached.digits()
    bundle = cached.generative_model(MODEL)
for warning in bundle.warnings:
    st.warning(f"Model store: {warning} — it was retrained.")
sizes = cached.gan_summary(MODEL)
LATENT = sizes["latent_dim"]
man = bundle.manifest
about.caption(
    f"Trained on **{data.source.split(' (')[0]}** ({man['data']['n_train']:,} training digits) for "
    f"{man['config']['epochs']} epochs in {man['training_time_s']:.0f} s ({man['device']}) · generator "
    f"{sizes['generator_params']:,} parameters, discriminator {sizes['discriminator_params']:,} · noise z: "
    f"{LATENT} numbers drawn from N(0, 1) · weights: {bundle.status}"
)

# --- a grid of samples from a seed --------------------------------------------------------------
URL = (UrlParam("seed", "gan_seed", session_seed(0), kind=int, lo=0, hi=1_000_000),)
url_state.sync(URL)


@guarded
def reset_value() -> None:
    """Put the z[dim] slider back on the chosen sample's own value (seed, sample or dimension changed)."""
    state = st.session_state
    seed_, pick_, dim_ = (int(state.get(k, 0)) for k in ("gan_seed", "gan_pick", "gan_dim"))
    z_ = cached.gan_codes(MODEL, seed_)
    state.gan_value = float(np.clip(round(float(z_[pick_, dim_]), 1), -3, 3))


@guarded
def new_samples() -> None:
    st.session_state.gan_seed = (int(st.session_state.gan_seed) + 1) % 1_000_001  # stays in the input's range
    reset_value()


#: The grid of samples. On a laptop or a phone: 8 × 8 tiles beside (on a phone: below) the controls, in
#: a figure GRID_HEIGHT px tall, so that a phone's width (about 360 px) still gives each tile a
#: fingertip's 44 px. On the projector: 16 × 4 tiles across the screen, captions at its 20 px.
lecture = is_lecture()
COLS, GRID_HEIGHT, LABEL_SIZE = (16, 410, 20) if lecture else (8, 490, 10)
controls, grid_column = (st.container(), st.container()) if lecture else st.columns([2, 3])
with controls:
    st.header("Samples from a seed")
    c1, c2, *c3 = st.columns([2, 2, 3] if lecture else [3, 2], vertical_alignment="bottom")
    seed = int(
        c1.number_input(
            "Seed",
            0,
            1_000_000,
            key="gan_seed",
            on_change=reset_value,
            help="The same seed always gives the same noise.",
        )
    )
    c2.button("New samples", on_click=new_samples, key="gan_new")
    show_scores = (c3[0] if c3 else st).toggle(
        "Show the discriminator's score", value=True, key="gan_show_scores"
    )
    about_grid = (
        f"64 digits generated from seed {seed}. The number after each index is the discriminator's "
        "P(real) for that image. Click or tap a digit to vary it below."
    )
    if not lecture:  # beside the grid; on the projector, below it
        st.caption(about_grid)
samples, scores = cached.gan_samples(MODEL, seed)


def pick_sample(row: int, col: int) -> None:
    """A click or a tap on the grid: that sample is the one varied and compared below."""
    st.session_state.gan_pick = min(row * COLS + col, len(samples) - 1)
    reset_value()


def sample_grid():
    fig = images_figure(
        samples,
        cols=COLS,
        titles=[f"#{i} · {s:.2f}" if show_scores else f"#{i}" for i, s in enumerate(scores)],
        height=GRID_HEIGHT,
    )
    return fig.update_annotations(font_size=LABEL_SIZE)  # one caption per 44 px tile on a phone


with grid_column:
    show_clickable_grid(
        cached.shared_view(("gan_grid", MODEL, seed, show_scores, COLS), sample_grid),
        key="gan_grid",
        rows=-(-len(samples) // COLS),
        cols=COLS,
        on_pick=pick_sample,
    )
    if lecture:
        st.caption(about_grid)

# --- one sample, one latent dimension ----------------------------------------------------------
st.header("One sample, one latent dimension at a time")
c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
pick = int(c1.number_input("Sample #", 0, 63, 0, key="gan_pick", on_change=reset_value))
c2.caption("The sample is also the one compared with the training digits further down.")
SWEEP = tuple(float(v) for v in np.linspace(-3, 3, 9))


@st.fragment
@guarded
def latent_dimension(seed: int, pick: int) -> None:
    """Only this part reruns while a student moves the dimension or its value."""
    if "gan_value" not in st.session_state:
        reset_value()
    c1, c2 = st.columns(2)
    dim = int(
        c1.number_input(
            f"Latent dimension (0–{LATENT - 1})", 0, LATENT - 1, 0, key="gan_dim", on_change=reset_value
        )
    )
    value = round(c2.slider(f"z[{dim}]", -3.0, 3.0, step=0.1, key="gan_value"), 1)
    c1, c2 = st.columns([1, 3])
    with c1:
        display.show_figure(
            cached.shared_view(
                ("gan_edit", MODEL, seed, pick, dim, value),
                lambda: matrix_figure(
                    cached.gan_vary_dimension(MODEL, seed, pick, dim, (value,))[0],
                    zmin=0,
                    zmax=1,
                    show_numbers=False,
                    height=260,
                    title=f"z[{dim}] = {value:+.1f}",
                ),
            ),
            key="gan_edit",
        )
    with c2:
        display.show_figure(
            cached.shared_view(
                ("gan_sweep", MODEL, seed, pick, dim),
                lambda: images_figure(
                    cached.gan_vary_dimension(MODEL, seed, pick, dim, SWEEP),
                    cols=9,
                    titles=[f"{v:+.2f}" for v in SWEEP],
                ),
            ),
            key="gan_sweep",
        )
        st.caption(
            f"Sample #{pick} with only z[{dim}] changed from −3 to +3. Single dimensions of a GAN's noise "
            "rarely mean one thing (stroke width, slant ...): features are spread over many dimensions."
        )


latent_dimension(seed, pick)

# --- interpolation ------------------------------------------------------------------------------
st.header("Interpolation between two samples")


@st.fragment
@guarded
def interpolation(seed: int) -> None:
    c1, c2, c3 = st.columns(3)
    a = int(c1.number_input("From sample #", 0, 63, 0, key="gan_a"))
    b = int(c2.number_input("To sample #", 0, 63, 1, key="gan_b"))
    frames = c3.slider("Frames", 3, 12, 8, key="gan_frames")
    linear, spherical, norms = cached.shared_view(
        ("gan_paths", MODEL, seed, a, b, frames),
        lambda: interpolation_figures(cached.gan_interpolation(MODEL, seed, a, b, frames)),
    )
    display.show_figure(linear, key="gan_path_lin")
    display.show_figure(spherical, key="gan_path_sph")
    display.show_figure(norms, key="gan_norms")
    st.caption(
        f"Noise with {LATENT} independent N(0, 1) numbers almost always has length close to "
        f"√{LATENT} = {np.sqrt(LATENT):.1f}. The straight line between two samples dips towards the origin "
        "(shorter, untypical noise); the spherical path keeps the length and stays where the generator was "
        "trained."
    )


interpolation(seed)

# --- the discriminator ---------------------------------------------------------------------------
st.header("What the discriminator thinks")
real_scores = cached.gan_real_scores(MODEL)
display.show_figure(
    cached.shared_view(("gan_scores", MODEL, seed), lambda: scores_figure(scores, real_scores)),
    key="gan_scores",
)
m1, m2 = st.columns(2)
m1.metric("Mean P(real), generated", f"{scores.mean():.2f}")
m2.metric("Mean P(real), real test digits", f"{real_scores.mean():.2f}")
st.caption(
    "At the game's equilibrium the discriminator cannot tell them apart and says 0.5 to everything; "
    "a trained pair usually stays a little away from it."
)

# --- time-lapse ---------------------------------------------------------------------------------
st.header("Training time-lapse")


@st.fragment
@guarded
def time_lapse(timelapse, history: dict) -> None:
    """The epoch slider reruns only the time-lapse and the loss curves."""
    if timelapse is None:
        st.info("The time-lapse file is missing for these weights; the loss curves are below.")
        epoch = None
    else:
        epoch = st.slider("Epoch", 0, len(timelapse) - 1, len(timelapse) - 1, key="gan_epoch")
        display.show_figure(
            cached.shared_view(
                ("gan_lapse", MODEL, epoch),
                lambda: images_figure(
                    to_unit_range(timelapse[epoch]),
                    cols=16,
                    title=f"The same 64 noise vectors after epoch {epoch}"
                    if epoch
                    else "Before training (epoch 0)",
                ),
            ),
            key="gan_lapse",
        )
    display.show_figure(
        cached.shared_view(("gan_history", MODEL, epoch), lambda: gan_history_figure(history, epoch=epoch)),
        key="gan_history",
    )
    st.caption(
        "D loss = BCE(1, D(x)) + BCE(0, D(G(z))); G loss = BCE(1, D(G(z))) (the non-saturating loss of the "
        "course)."
    )


time_lapse(bundle.timelapse, man["history"])

# --- memorisation -------------------------------------------------------------------------------
st.header("Is it copying? The nearest training digit")
idx, dist = cached.gan_nearest(MODEL, seed, pick, k=5)
display.show_figure(
    cached.shared_view(
        ("gan_nearest", MODEL, seed, pick),
        lambda: images_figure(
            np.concatenate([samples[pick : pick + 1], to_unit_range(data.x_train[idx])]),
            cols=6,
            titles=[f"sample #{pick}"] + [f"distance {d:.2f}" for d in dist],
        ),
    ),
    key="gan_nearest",
)
ref = cached.real_nearest_distance()
st.caption(
    f"The 5 training digits closest to sample #{pick} in pixel space (Euclidean distance, pixels in [0, 1]). "
    f"For comparison, a real test digit's nearest training digit is typically {ref:.2f} away. A GAN "
    "that only memorised its training set would produce near-copies at distances close to 0."
)

# --- the course's DCGAN -------------------------------------------------------------------------
st.header("The course's DCGAN: 200 numbers → 96 × 96 colour image")
tables = cached.course_dcgan_tables()
t1, t2 = st.columns(2)
for col, key, flow in (
    (t1, "generator", "noise 200 → 4 × 4 × 256 → 8 → 16 → 32 → 96 × 96 × 3 (tanh)"),
    (t2, "discriminator", "96 × 96 × 3 → 48 → 24 → 25 (padding) → 13 → 13 → 13 → P(real)"),
):
    total = sum(r["params"] for r in tables[key])
    col.markdown(f"**{key.capitalize()}** — {total:,} parameters  \n{flow}")
    with col:  # an HTML table at the lecture font on the projector
        display.show_table(param_table_rows(tables[key]), hide_index=True, height=300)
st.caption(
    "Rebuilt layer by layer from the course's code (Course notes, *Introduction to deep learning* §7.2.2). "
    "Its tomato images "
    "are not available, so this network is shown, not trained. Its generator is UpSampling2D → Conv2D → "
    "batch norm → ReLU per stage; the digits model above uses Conv2DTranspose with LeakyReLU instead."
)

# --- toy GAN ------------------------------------------------------------------------------------
st.header("A GAN you can train step by step (beyond the course)")
st.markdown(
    "Like **GAN Lab**: the real data are 2-D points from four Gaussian blobs (green), the generator "
    "turns 2-D noise into points (purple), and the background shows where the discriminator says *real* "
    "(green) or *fake* (purple). Train one network at a time and watch the other react."
)


@guarded
def reset_toy() -> None:
    st.session_state.gan_toy = {"seed": session_seed(0), "actions": ()}  # the presses so far


@guarded
def train_toy(mode: str) -> None:
    toy = st.session_state.gan_toy
    st.session_state.gan_toy = {
        **toy,
        "actions": (*toy["actions"], (mode, int(st.session_state.get("gan_toy_steps", 50)))),
    }


@st.fragment
@guarded
def toy_gan() -> None:
    if "gan_toy" not in st.session_state:
        reset_toy()
    c = st.columns([2, 2, 2, 2, 3], vertical_alignment="bottom")
    c[4].select_slider("Steps per click", [1, 10, 50, 200], value=50, key="gan_toy_steps")
    for col, label, mode in (
        (c[0], "Train D", "discriminator"),
        (c[1], "Train G", "generator"),
        (c[2], "Train both", "both"),
    ):
        col.button(label, key=f"gan_toy_{mode}", on_click=train_toy, args=(mode,))
    c[3].button("Reset", key="gan_toy_reset", on_click=reset_toy)
    # Training is deterministic, so everyone who pressed the same buttons shares one computation.
    toy = st.session_state.gan_toy
    state = cached.toy_gan_state(toy["seed"], toy["actions"])
    left, right = st.columns([3, 2])
    with left:
        display.show_figure(
            cached.shared_view(
                ("gan_toy", toy["seed"], toy["actions"]), lambda: toy_gan_figure(toy_gan_view(state))
            ),
            key="gan_toy_fig",
        )
    with right:
        st.metric("Steps trained", state["steps"])
        if state["history"]:
            display.show_figure(toy_history_figure(state["history"]), key="gan_toy_hist")
        st.caption(
            "Train D alone: the map sharpens around the real blobs. Train G alone: purple points slide "
            "towards green regions. Both, long enough: the points cover the blobs and the map fades to "
            "0.5 **where the data are**; elsewhere D stays near 0 (after 10,000 steps of both: 0.48–0.53 at "
            "the four blobs, below 0.1 over about 90 % of the square). A toy GAN can also collapse onto "
            "fewer blobs (Metz et al. 2017, *Unrolled GANs*)."
        )


toy_gan()
page_frame.finish(
    "core.models.gan:DCGAN.train_step",
    slerp,
    "core.models.gan:nearest_real",
    toy_gan_losses,
    course={"intro_dl": ["7.1", "7.2.2"]},
    references=["goodfellow2014", "radford2015", "metz2017", "keras_dcgan"],
)
