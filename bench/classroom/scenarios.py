"""What the students do: the pages they open and, per page, the widgets they click (by widget key).

When a page renames a widget key, its entry here must follow: the table's ``fb`` column counts the
clicks that found no such widget (they are sent as plain reruns instead).
"""

from __future__ import annotations

import random
from typing import Any

APP = "app.py"
BARE_SCRIPT = "bench/bare_page.py"  # the reference page: one slider, one line of text
BARE = "bare"
#: The reference runs as Streamlit ships, with its full garbage collection after every run
#: (``runner.postScriptGC``), which the app's ``.streamlit/config.toml`` turns off
#: (``core/adapters/heap.py`` collects every few seconds instead): the bare page measures Streamlit's
#: own cost of a click, not the app's settings.
BARE_ENV = {"STREAMLIT_RUNNER_POST_SCRIPT_GC": "true"}
DEFAULT_PAGES = ["convolution", "cnn_activations", "autoencoder", "gan"]

# One click = (widget key, value). Values: slider, number -> the number (clamped to the widget's
# range); selectbox, radio, select_slider -> the option's label as shown (str(value) is tried
# first), else an int is an index into the options; toggle, checkbox -> bool; button -> True.
# Students walk the list in order (cycling); with --diverse each click is a random entry. A click to
# the value the widget already has still sends a rerun (a browser would send none).
CLICK_SCRIPTS: dict[str, list[tuple[str, Any]]] = {
    BARE: [("bare_x", 10), ("bare_x", 20), ("bare_x", 30), ("bare_x", 40)],
    "home": [("lecture_toggle", True), ("lecture_toggle", False)],
    "convolution": [  # conv_kernel by index of KERNELS: 7 laplacian_8, 15 gaussian_5x5, ...
        ("conv_kernel", 7),
        ("conv_stride", 2),
        ("conv_row", 100),
        ("conv_kernel", 15),
        ("conv_stride", 3),
        ("conv_col", 50),
        ("conv_kernel", 16),
        ("conv_stride", 1),
    ],
    "cnn_activations": [  # act_zoom_map lives in the layer_explorer fragment
        ("act_class", 3),
        ("act_zoom_map", 5),
        ("act_class", 1),
        ("act_index", 2),
        ("act_zoom_map", 10),
        ("act_class", 8),
    ],
    "autoencoder": [  # ae_x / ae_y live in the latent_plane fragment
        ("ae_x", 1.0),
        ("ae_grid", 10),
        ("ae_from", 3),
        ("ae_y", -1.0),
        ("ae_noise", 0.8),
        ("ae_k", 8),
    ],
    "gan": [  # gan_toy_both is a button in the toy_gan fragment
        ("gan_seed", 1),
        ("gan_epoch", 5),
        ("gan_toy_both", True),
        ("gan_seed", 2),
        ("gan_pick", 3),
        ("gan_epoch", 10),
    ],
    "deep_features": [  # dfe_layer .. dfe_col live in the layer_explorer fragment; dfe_map by rank
        ("dfe_map", 1),
        ("dfe_row", 10),
        ("dfe_layer", "block5_conv3"),
        ("dfe_col", 5),
        ("dfe_erf", True),  # a unit's gradient: computed once, then shared
        ("dfe_map", 2),
        ("dfe_layer", "block3_conv3"),
        ("dfe_row", 20),
    ],
    "pooling": [("pool_kind", 1), ("pool_size", 3), ("pool_stride", 2), ("pool_padding", "same")],
    "layer_arithmetic": [("arch_n", 28), ("arch_f", 5), ("arch_s", 2), ("arch_n", 224)],
    "boolean_neurons": [("bool_w1", 0.5), ("bool_fn", 1), ("bool_w2", -1.0), ("bool_fn", 3)],
    "perceptron": [("perc_step", 3), ("perc_rule", 1), ("perc_step", 1), ("perc_rule", 0)],
}

TRAIN_PAGE, TRAIN_FORM = "cnn_activations", "act_retrain"
# Each --train-during phase asks for another config, so the model store really trains each time.
TRAIN_CONFIGS = [
    {"act_rt_epochs": 1, "act_rt_dropout": d, "act_rt_bn": bn}
    for bn in (False, True)
    for d in ("0.0", "0.1", "0.25", "0.5")
]


def click_plan(page: str, clicks: int, rng: random.Random, diverse: bool) -> list[tuple[str, Any]]:
    """The ``clicks`` clicks of one student on ``page``: its script in order (cycling), or random
    entries with ``diverse``; a page without a script gets plain reruns."""
    script = CLICK_SCRIPTS.get(page) or [("__no_script__", 0)]
    if diverse:
        return [rng.choice(script) for _ in range(clicks)]
    return [script[i % len(script)] for i in range(clicks)]
