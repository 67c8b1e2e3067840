"""URL state (``core.adapters.url_state``): the declared parameters read a hand-edited link safely, write
what the widgets show, and every page mirrors its link in at most one call per script part."""

from __future__ import annotations

import ast
import math
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st_
from streamlit.testing.v1 import AppTest

from core.adapters.url_state import MAX_TEXT_CHARS, UrlParam

ROOT = Path(__file__).resolve().parents[2]

STRIDE = UrlParam("stride", "conv_stride", 1, kind=int, lo=1, hi=8)
WEIGHT = UrlParam("w1", "bool_w1", 1.0, kind=float, lo=-3.0, hi=3.0, step=0.05)
RATE = UrlParam("lr", "train_lr", 0.01, kind=float, choices=[0.0001, 0.001, 0.01, 0.1, 1.0])
DIGIT = UrlParam("digit", "act_class", 7, kind=int, choices=range(10))
FLIP = UrlParam("flip", "conv_flip", False, kind=bool)
PADDING = UrlParam("padding", "conv_padding", "valid", choices=("valid", "same", "full"))
COMPARE = UrlParam("compare", "pick", ["a", "b"], kind=list, choices=("a", "b", "c"))


# --- reading a link ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, value",
    [("3", 3), ("2147483648", 8), ("-1", 1), ("9" * 5000, 1), ("2.5", 1), ("", 1), ("abc", 1), (None, 1)],
)
def test_an_int_is_clamped_into_the_widget_range_and_garbage_gives_the_default(text, value):
    assert STRIDE.parse(text) == value


@pytest.mark.parametrize(
    "text, value",
    [
        ("0.15", 0.15),
        ("0.1499", 0.15),
        ("1e308", 3.0),
        ("-7", -3.0),
        ("nan", 1.0),
        ("inf", 1.0),
        ("-inf", 1.0),
        ("0x10", 1.0),
    ],
)
def test_a_float_is_snapped_to_the_grid_and_clamped_and_nan_gives_the_default(text, value):
    assert WEIGHT.parse(text) == value


def test_a_float_without_a_range_keeps_a_huge_value_for_the_page_to_clamp():
    free = UrlParam("y", "ae_y", None, kind=float)
    assert free.parse("1e308") == 1e308 and free.parse("nan") is None and free.parse("-0.5") == -0.5
    assert UrlParam("y", "k", None, kind=float, step=0.01).parse("1e308") is None  # not on any grid


@pytest.mark.parametrize(
    "param, text, value",
    [
        (RATE, "0.1", 0.1),
        (RATE, "7", 0.01),
        (RATE, "1e-4", 0.0001),
        (DIGIT, "3", 3),
        (DIGIT, "42", 7),
        (DIGIT, "-1", 7),
        (PADDING, "same", "same"),
        (PADDING, "sideways", "valid"),
        (PADDING, "Same", "valid"),
    ],
)
def test_a_value_among_no_choice_gives_the_default(param, text, value):
    assert param.parse(text) == value


@pytest.mark.parametrize(
    "text, value",
    [
        ("1", True),
        ("true", True),
        ("True", True),
        ("0", False),
        ("False", False),
        ("yes", False),
        ("", False),
    ],
)
def test_a_bool_reads_1_and_true_and_anything_unknown_is_the_default(text, value):
    assert FLIP.parse(text) is value


def test_a_list_keeps_the_known_items_in_order_and_falls_back_when_none_is_left():
    assert COMPARE.parse("c,zz,a") == ["c", "a"]
    assert COMPARE.parse("<script>") == ["a", "b"] and COMPARE.parse("") == ["a", "b"]
    assert COMPARE.parse("a," * MAX_TEXT_CHARS) == ["a", "b"]  # too long: not even split
    free = UrlParam("compare", "pick", ("x",), kind=list)
    assert free.default == ["x"] and free.parse("p,,q") == ["p", "q"]


def test_a_former_choice_reads_as_the_choice_it_was_renamed_to():
    renamed = UrlParam(
        "example", "conv_example", "none", choices=("none", "patch_308"), aliases={"seed002_308": "patch_308"}
    )
    assert renamed.parse("seed002_308") == "patch_308" == renamed.parse("patch_308")
    assert renamed.parse("seed002_999") == "none"  # an unknown former text: the default
    assert renamed.text("patch_308") == "patch_308"  # the link is written with the new name
    with pytest.raises(ValueError, match="aliases.*stand for no valid value"):
        UrlParam("example", "conv_example", "none", choices=("none",), aliases={"old": "missing"})


def test_a_long_free_text_gives_the_default():
    text = UrlParam("note", "k", "")
    longest = "a" * MAX_TEXT_CHARS
    assert text.parse(longest) == longest and text.parse(longest + "a") == ""


# --- writing it back --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "param, value, text",
    [
        (STRIDE, 3, "3"),
        (WEIGHT, 0.15000000000000002, "0.15"),
        (WEIGHT, -1.5, "-1.5"),
        (FLIP, True, "1"),
        (FLIP, False, "0"),
        (RATE, 0.0001, "0.0001"),
        (COMPARE, ["c", "a"], "c,a"),
        (STRIDE, 99, "8"),
        (RATE, 0.5, "0.01"),
        (DIGIT, "upload", "7"),
    ],
)
def test_the_link_shows_the_cleaned_value_or_the_default(param, value, text):
    assert param.text(value) == text


def test_nothing_is_written_before_the_page_sets_a_data_dependent_default():
    assert UrlParam("x", "ae_x", None, kind=float).text(None) is None


@given(st_.integers())
def test_an_int_round_trips_through_the_link_clamped(value):
    assert STRIDE.parse(str(value)) == min(max(value, 1), 8)
    assert STRIDE.parse(STRIDE.text(value)) == STRIDE.clean(value)


@given(st_.floats(allow_nan=True, allow_infinity=True))
def test_a_float_read_from_the_link_is_a_slider_value_and_reads_back_the_same(value):
    read = WEIGHT.parse(repr(value))
    assert -3.0 <= read <= 3.0 and math.isclose(read * 20, round(read * 20), abs_tol=1e-9)
    assert WEIGHT.parse(WEIGHT.text(read)) == read


@given(st_.text(max_size=60))
def test_any_text_reads_as_a_valid_value_and_reading_is_idempotent(text):
    for param in (STRIDE, WEIGHT, RATE, DIGIT, FLIP, PADDING, COMPARE):
        value = param.parse(text)
        assert param.clean(value) == value
        assert param.parse(param.text(value)) == value


# --- declarations that cannot work are refused ------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"kind": dict}, "kind must be"),
        ({"kind": int, "lo": 5, "hi": 1}, "swap them"),
        ({"lo": 0}, "lo, hi and step are for int and float"),
        ({"kind": float, "step": 0}, "step must be positive"),
        ({"choices": ()}, "choices is empty"),
        ({"choices": ("a", "b")}, "not a valid value"),
        ({"kind": int, "lo": 3}, "not a valid value"),
        ({"when": "arch_part"}, "when must be a"),
    ],
)
def test_an_impossible_declaration_raises_a_value_error_that_says_what_to_fix(kwargs, words):
    default = {int: 1, float: 1.0}.get(kwargs.get("kind"), "x")
    with pytest.raises(ValueError, match=words):
        UrlParam("p", "k", default, **kwargs)


# --- sync, in a real script run ---------------------------------------------------------------------


def _script() -> None:
    import streamlit as st

    from core.adapters import url_state
    from core.adapters.url_state import UrlParam

    url = (
        UrlParam("mode", "t_mode", "a", choices=("a", "b")),
        UrlParam("stride", "t_stride", 1, kind=int, lo=1, hi=8),
        UrlParam("kernel", "t_kernel_a", "k1", choices=("k1", "k2"), when=("t_mode", "a")),
        UrlParam("kernel", "t_kernel_b", "k1", choices=("k1", "k2"), when=("t_mode", "b")),
        UrlParam("x", "t_x", None, kind=float),
    )
    url_state.sync(url)
    st.radio("Mode", ["a", "b"], key="t_mode")
    st.slider("Stride", 1, 8, key="t_stride")
    st.selectbox("Kernel", ["k1", "k2"], key="t_kernel_a" if st.session_state.t_mode == "a" else "t_kernel_b")


def test_sync_reads_the_link_clamped_and_writes_what_the_widgets_show():
    at = AppTest.from_function(_script)
    at.query_params.update({"stride": "2147483648", "kernel": "k2", "x": "nan", "junk": "1"})
    at.run()
    assert not at.exception
    assert at.slider(key="t_stride").value == 8 and at.selectbox(key="t_kernel_a").value == "k2"
    assert at.query_params["stride"] in ("8", ["8"]) and at.query_params["mode"] in ("a", ["a"])
    assert "t_x" not in at.session_state  # no valid value, no default: the page sets one
    at.slider(key="t_stride").set_value(3).run()
    assert at.query_params["stride"] in ("3", ["3"])


def test_two_controls_of_different_modes_share_one_parameter_without_fighting():
    at = AppTest.from_function(_script)
    at.run()
    at.selectbox(key="t_kernel_a").set_value("k2").run()
    assert at.query_params["kernel"] in ("k2", ["k2"])
    at.radio(key="t_mode").set_value("b").run()  # b keeps its own kernel, and only b's is written
    assert at.selectbox(key="t_kernel_b").value == "k1"
    assert at.query_params["kernel"] in ("k1", ["k1"]) and at.query_params["mode"] in ("b", ["b"])
    shared = AppTest.from_function(_script)  # the link opens b with its kernel
    shared.query_params.update({"mode": "b", "kernel": "k2"})
    shared.run()
    assert shared.selectbox(key="t_kernel_b").value == "k2"


# --- every page declares its link once ------------------------------------------------------------

URL_CALLS = {"seed", "sync"}


def _calls(tree: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)]


def _is_url_call(call: ast.Call) -> bool:
    f = call.func
    return (
        isinstance(f, ast.Attribute)
        and f.attr in URL_CALLS | {"url_default", "sync_url"}
        and isinstance(f.value, ast.Name)
        and f.value.id == "url_state"
    )


def _fragments(tree: ast.AST) -> int:
    def is_fragment(d: ast.expr) -> bool:
        d = d.func if isinstance(d, ast.Call) else d
        return isinstance(d, ast.Attribute) and d.attr == "fragment"

    return sum(
        any(is_fragment(d) for d in n.decorator_list)
        for n in ast.walk(tree)
        if isinstance(n, ast.FunctionDef)
    )


PAGES = sorted((ROOT / "pages").glob("*.py"))
#: The adapters that draw widgets of their own: each declares and mirrors its own parameters. Left out:
#: url_state itself, and the page frame, which writes the one app-wide flag (``?lecture=1``) on every page.
SECTIONS = [
    p for p in sorted((ROOT / "core" / "adapters").glob("*.py")) if p.stem not in ("url_state", "page_frame")
]
SCRIPTS = PAGES + SECTIONS


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.stem)
def test_a_page_mirrors_its_link_in_at_most_two_calls_plus_one_per_fragment(path):
    tree = ast.parse(path.read_text())
    calls = [c for c in _calls(tree) if _is_url_call(c)]
    assert all(c.func.attr in URL_CALLS for c in calls), "declare UrlParams and call url_state.sync"
    if path in PAGES:
        limit = 2 + _fragments(tree)
        assert len(calls) <= limit, f"{path.name}: {len(calls)} url_state calls, at most {limit}"
    for function in (n for n in tree.body if isinstance(n, ast.FunctionDef)):  # a section: one call
        assert sum(_is_url_call(c) for c in _calls(function)) <= 1, f"{path.name}: {function.name}"


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.stem)
def test_pages_write_the_link_only_through_url_state_and_reuse_a_name_only_across_modes(path):
    tree = ast.parse(path.read_text())
    writes = [
        n
        for n in ast.walk(tree)
        if isinstance(n, (ast.Assign, ast.Delete))
        and any(isinstance(t, ast.Subscript) and "query_params" in ast.unparse(t.value) for t in n.targets)
    ]
    assert not writes, f"{path.name} writes st.query_params itself: declare a UrlParam"
    declared = [c for c in _calls(tree) if isinstance(c.func, ast.Name) and c.func.id == "UrlParam"]
    names = Counter(ast.literal_eval(c.args[0]) for c in declared)
    for c in declared:
        if names[ast.literal_eval(c.args[0])] > 1:
            assert any(k.arg == "when" for k in c.keywords), f"{path.name}: {ast.unparse(c.args[0])} twice"


def test_the_count_sees_every_page_that_has_a_link():
    counted = {p.stem for p in SCRIPTS if any(_is_url_call(c) for c in _calls(ast.parse(p.read_text())))}
    assert {"convolution", "pooling", "autoencoder", "training", "perceptron", "layer_arithmetic"} <= counted


# --- the pages read hand-edited links through their declarations -----------------------------------


def test_perceptron_clamps_numbers_its_inputs_would_refuse():
    from core.data.perceptron_sets import FRUIT_LEARNING_RATE
    from tests.app.apptest import open_page

    at = open_page(
        "perceptron", query={"order": "99999", "epochs": "0", "w1": "nan", "lr": "0.5", "rule": "x"}
    )
    assert at.number_input(key="perc_order").value == 9999 and at.number_input(key="perc_epochs").value == 1
    assert at.number_input(key="perc_w1").value == -30.0  # NaN: the default
    assert at.select_slider(key="perc_lr").value == FRUIT_LEARNING_RATE  # not one of the slider's rates
    assert at.selectbox(key="perc_rule").value == "perceptron"
    assert at.query_params["order"] in ("9999", ["9999"]) and at.query_params["epochs"] in ("1", ["1"])


def test_layer_arithmetic_clamps_the_size_inputs_and_writes_only_the_shown_part():
    from tests.app.apptest import open_page

    at = open_page(
        "layer_arithmetic",
        query={"part": "size", "n": "100000", "f": "0", "padding": "explicit", "p": "-3", "model": "nope"},
    )
    assert [at.number_input(key=k).value for k in ("arch_n", "arch_f", "arch_p")] == [512, 1, 0]
    assert at.query_params["n"] in ("512", ["512"])
    assert at.query_params["model"] in ("nope", ["nope"])  # the architectures' part is not shown: left alone
