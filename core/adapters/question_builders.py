"""The ready-made "predict, then reveal" questions: one builder per page, in one registry.

A builder takes the lecturer's session state (a mapping: the page's control keys, and the facts the
page noted with :func:`core.adapters.live_questions.note` under :data:`FACTS_KEY`) and returns a
:class:`~core.data.room_questions.Question` whose ``answer`` the app computed with its own core
functions; the store keeps the answer hidden until the reveal. A builder returns None when the current
view has no question (another part of the page, the page not drawn yet). No Streamlit here: the
builders are unit-tested with plain dicts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from core.data.room_questions import Question
from core.maths.boolean_functions import BOOLEAN_FUNCTIONS
from core.maths.convolution import output_size
from core.maths.layer_math import conv_params
from core.maths.perceptron import train
from core.maths.pooling import pool2d
from core.maths.separability import is_linearly_separable

#: Session key of the facts pages note for their question: ``{page url path: {name: value}}``.
FACTS_KEY = "liveq_facts"

Builder = Callable[[Mapping], "Question | None"]


def facts(state: Mapping, page: str) -> dict | None:
    """What ``page`` noted about its current view, or None if it noted nothing (yet)."""
    return (state.get(FACTS_KEY) or {}).get(page)


def _padding(name: str, amount: int):
    return int(amount) if name == "explicit" else name


def convolution_question(state: Mapping) -> Question | None:
    """Convolution: the feature map's width for this image, kernel, stride, padding and dilation."""
    noted = facts(state, "convolution")
    if noted is None:
        return None
    (h, w), (kh, kw) = noted["image_shape"], noted["kernel_shape"]
    stride, dilation = int(state.get("conv_stride", 1)), int(state.get("conv_dilation", 1))
    name = state.get("conv_padding", "valid")
    padding = _padding(name, state.get("conv_pad", 0))
    out, _ = output_size(int(w), int(kw), stride=stride, padding=padding, dilation=dilation)
    pad_text = f"{name} padding" + (f" ({padding} px each side)" if name == "explicit" else "")
    return Question(
        f"Input {h} × {w}, kernel {kh} × {kw}, stride {stride}, {pad_text}"
        + (f", dilation {dilation}" if dilation > 1 else "")
        + ": how many pixels wide is the feature map?",
        "numeric",
        answer=max(out, 0),
    )


def layer_arithmetic_question(state: Mapping) -> Question | None:
    """Layer arithmetic: the output size (part "Output size") or the parameter count of the
    convolution under "Your own layer" (part "Parameters")."""
    part = state.get("arch_part", "size")
    if part == "size":
        n, f = int(state.get("arch_n", 6)), int(state.get("arch_f", 3))
        s, d = int(state.get("arch_s", 1)), int(state.get("arch_d", 1))
        name = state.get("arch_padding", "valid")
        out, _ = output_size(n, f, stride=s, padding=_padding(name, state.get("arch_p", 0)), dilation=d)
        return Question(
            f"Input {n} × {n}, kernel {f} × {f}, stride {s}, dilation {d}, {name} padding: "
            "how many pixels wide is the output?",
            "numeric",
            answer=max(out, 0),
        )
    if part == "params":
        c, units, f = (
            int(state.get("arch_channels", 3)),
            int(state.get("arch_units", 10)),
            int(state.get("arch_kernel", 3)),
        )
        return Question(
            f"A Conv2D layer with {units} filters of {f} × {f} on {c} input channels (with biases): "
            "how many parameters does it learn?",
            "numeric",
            answer=conv_params(f, c, units),
        )
    return None


def pooling_question(state: Mapping) -> Question | None:
    """Pooling (numbers): the pooled value of the chosen output cell's window."""
    noted = facts(state, "pooling")
    if noted is None or state.get("pool_mode", "numbers") != "numbers":
        return None
    kind, size = state.get("pool_kind", "max"), int(state.get("pool_size", 2))
    stride, padding = int(state.get("pool_stride", size)), state.get("pool_padding", "valid")
    pooled = pool2d(
        np.asarray(noted["matrix"], dtype=np.float64), size, kind=kind, stride=stride, padding=padding
    )
    row = min(max(int(state.get("pool_row", 0)), 0), pooled.shape[0] - 1)
    col = min(max(int(state.get("pool_col", 0)), 0), pooled.shape[1] - 1)
    value = float(np.round(pooled[row, col], 2))
    name = {"max": "max", "average": "average", "l2": "L2-norm"}.get(kind, kind)
    return Question(
        f"{name.capitalize()} pooling, {size} × {size} windows, stride {stride}, {padding} padding: "
        f"what is output ({row}, {col})?" + (" (2 decimals)" if kind != "max" else ""),
        "numeric",
        answer=value,
    )


def cnn_activations_question(state: Mapping) -> Question | None:
    """CNN activations (a digits CNN): the digit it will predict for this picture."""
    noted = facts(state, "cnn_activations")
    if noted is None or noted.get("kind") != "digits":
        return None
    predicted = int(np.argmax(np.asarray(noted["probabilities"], dtype=np.float64)))
    return Question("Which digit (0–9) will the CNN predict for this picture?", "numeric", answer=predicted)


def perceptron_question(state: Mapping) -> Question | None:
    """Perceptron: the epoch in which this run converges, 0 if it does not within its epochs."""
    noted = facts(state, "perceptron")
    if noted is None:
        return None
    result = train(
        noted["rule"], np.asarray(noted["x"], float), np.asarray(noted["targets"], float), **noted["options"]
    )
    epochs = int(noted["options"]["max_epochs"])
    return Question(
        f"In which epoch does this run converge? Type 0 if it does not within {epochs} epochs.",
        "numeric",
        answer=result.epochs if result.converged else 0,
    )


def boolean_neurons_question(state: Mapping) -> Question | None:
    """Boolean neurons: whether the target function is linearly separable (one neuron computes it)."""
    name = state.get("bool_fn", "AND")
    if name not in BOOLEAN_FUNCTIONS:
        return None
    separable = is_linearly_separable(BOOLEAN_FUNCTIONS[name]).separable
    return Question(
        f"Can one threshold neuron compute {name} (is it linearly separable)?",
        "choice",
        ("Yes", "No"),
        "Yes" if separable else "No",
    )


#: The ready-made question of each page (url path → builder).
BUILDERS: dict[str, Builder] = {
    "convolution": convolution_question,
    "layer_arithmetic": layer_arithmetic_question,
    "pooling": pooling_question,
    "cnn_activations": cnn_activations_question,
    "perceptron": perceptron_question,
    "boolean_neurons": boolean_neurons_question,
}


def page_question(page: str, state: Mapping) -> Question | None:
    """The ready-made question about ``page``'s current view, or None if it has none now."""
    builder = BUILDERS.get(page)
    return None if builder is None else builder(state)
