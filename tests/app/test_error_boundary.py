"""No traceback reaches a student: a page, a fragment and a widget callback that raise each show one
line with an incident id (the same id as the server log's traceback), nothing of the exception, and
the rest of the page still renders. Every fragment and callback of the pages is guarded."""

from __future__ import annotations

import ast
import logging
import re
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.apptest import open_page

ROOT = Path(__file__).resolve().parents[2]
SECRET = "/srv/neural-explainer/secret.txt"  # what an exception message might leak: a server path
INCIDENT = re.compile(r"incident \*\*([0-9a-f]{8})\*\*")


def shown_text(at: AppTest) -> str:
    """Everything the app sent to the browser in the last run, as text (every element's message)."""
    out, stack = [], [at._tree]
    while stack:
        node = stack.pop()
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(str(proto))
        stack.extend(getattr(node, "children", {}).values())
    return "\n".join(out)


def incidents(at: AppTest) -> list[str]:
    return [m.group(1) for e in at.error for m in [INCIDENT.search(e.value)] if m]


def assert_no_stack(at: AppTest) -> None:
    text = shown_text(at)
    assert not at.exception, [e.message for e in at.exception]
    for leak in (SECRET, "Traceback", 'File "', str(ROOT), "site-packages"):
        assert leak not in text, leak


def logged(caplog, incident: str) -> logging.LogRecord:
    records = [
        r for r in caplog.records if r.name == "neural_explainer.incidents" and incident in r.getMessage()
    ]
    assert len(records) == 1, [r.getMessage() for r in caplog.records]
    return records[0]


# --- the three places, in a small script -------------------------------------------------------------


def _script():
    import streamlit as st

    from core.adapters.errors import error_boundary, guarded

    @guarded
    def explode() -> None:
        raise RuntimeError("/srv/neural-explainer/secret.txt in a callback")

    st.button("Callback", key="cb", on_click=explode)
    st.markdown("before the fragment")

    @st.fragment
    @guarded
    def part() -> None:
        st.markdown("fragment start")
        if st.session_state.get("break_fragment"):
            raise RuntimeError("/srv/neural-explainer/secret.txt in a fragment")
        st.markdown("fragment end")

    part()
    st.markdown("after the fragment")
    with error_boundary("page"):
        if st.session_state.get("break_page"):
            raise RuntimeError("/srv/neural-explainer/secret.txt in the page")
        st.markdown("page end")


@pytest.fixture
def small_app(caplog):
    caplog.set_level(logging.ERROR, logger="neural_explainer.incidents")
    at = AppTest.from_function(_script, default_timeout=30)
    at.run()
    assert [m.value for m in at.markdown] == [
        "before the fragment",
        "fragment start",
        "fragment end",
        "after the fragment",
        "page end",
    ]
    assert not at.error
    return at


def test_a_callback_that_raises_shows_one_line_with_the_logged_incident(small_app, caplog):
    small_app.button(key="cb").click().run()
    [incident] = incidents(small_app)
    assert_no_stack(small_app)
    assert [m.value for m in small_app.markdown][-1] == "page end"  # the page ran after the callback
    record = logged(caplog, incident)
    assert "explode" in record.getMessage() and record.exc_info[0] is RuntimeError  # the log keeps the stack
    small_app.run()  # the next run is clean
    assert not small_app.error


def test_a_fragment_that_raises_keeps_the_rest_of_the_page(small_app, caplog):
    small_app.session_state["break_fragment"] = True
    small_app.run()
    [incident] = incidents(small_app)
    assert_no_stack(small_app)
    assert [m.value for m in small_app.markdown] == [
        "before the fragment",
        "fragment start",
        "after the fragment",
        "page end",
    ]
    assert SECRET in str(logged(caplog, incident).exc_info[1])


def test_a_page_that_raises_shows_one_line(small_app, caplog):
    small_app.session_state["break_page"] = True
    small_app.run()
    [incident] = incidents(small_app)
    assert_no_stack(small_app)
    assert "page end" not in [m.value for m in small_app.markdown]
    logged(caplog, incident)


def test_control_flow_passes_through_the_boundary():
    def script():
        import streamlit as st

        from core.adapters.errors import error_boundary

        st.session_state.runs = st.session_state.get("runs", 0) + 1
        with error_boundary("page"):
            if st.session_state.runs == 1:
                st.rerun()
            st.markdown(f"run {st.session_state.runs}")
            st.stop()
        st.markdown("never")

    at = AppTest.from_function(script, default_timeout=30).run()
    assert [m.value for m in at.markdown] == ["run 2"] and not at.error


# --- the real app ----------------------------------------------------------------------------------


def test_a_real_page_that_raises_keeps_the_frame(monkeypatch, caplog):
    from core.maths import convolution

    def broken(*args, **kwargs):
        raise RuntimeError(SECRET)

    caplog.set_level(logging.ERROR, logger="neural_explainer.incidents")
    monkeypatch.setattr(convolution, "output_size", broken)  # the page's first calculation
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/layer_arithmetic.py").run()
    [incident] = incidents(at)
    assert_no_stack(at)
    assert at.title[0].value == "Layer arithmetic"  # drawn before the failure
    assert at.sidebar.toggle(key="lecture_toggle").label == "Lecture mode"  # the shared frame
    assert "page layer_arithmetic" in logged(caplog, incident).getMessage()


def test_a_real_fragment_that_raises_keeps_the_rest_of_the_page(monkeypatch, caplog):
    from core.maths import convolution

    def broken(*args, **kwargs):
        raise RuntimeError(SECRET)

    caplog.set_level(logging.ERROR, logger="neural_explainer.incidents")
    monkeypatch.setattr(convolution, "window_terms", broken)  # only the numbers view's fragment uses it
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/convolution.py").run()
    [incident] = incidents(at)
    assert_no_stack(at)
    assert "More from the course" in [s.value for s in at.header]  # drawn after the fragment
    assert "numbers_view" in logged(caplog, incident).getMessage()


def test_a_real_callback_that_raises_keeps_the_page(monkeypatch, caplog):
    from core.maths import layer_math

    def broken(*args, **kwargs):
        raise RuntimeError(SECRET)

    caplog.set_level(logging.ERROR, logger="neural_explainer.incidents")
    monkeypatch.setattr(
        layer_math, "random_size_question", broken
    )  # the "New random question" callback's call
    at = open_page("layer_arithmetic")
    at.toggle(key="arch_quiz").set_value(True).run()
    at.button(key="arch_new").click().run()
    [incident] = incidents(at)
    assert_no_stack(at)
    assert at.title[0].value == "Layer arithmetic" and at.number_input(key="arch_n").value == 6
    assert "new_question" in logged(caplog, incident).getMessage()


def test_streamlit_shows_no_error_details():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


# --- every fragment and callback is guarded ---------------------------------------------------------


def _unguarded(path: Path) -> list[str]:
    """Functions of ``path`` that are fragments or passed as a widget callback, without ``guarded``
    under ``st.fragment``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    callbacks = {
        kw.value.id
        for kw in ast.walk(tree)
        if isinstance(kw, ast.keyword)
        and kw.arg in ("on_click", "on_change", "on_select", "on_submit")
        and isinstance(kw.value, ast.Name)
    }
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef):
            continue
        decorators = [ast.unparse(d) for d in fn.decorator_list]
        fragment = [i for i, d in enumerate(decorators) if d.startswith("st.fragment")]
        guard = [i for i, d in enumerate(decorators) if d in ("guarded", "errors.guarded")]
        if (fragment or fn.name in callbacks) and not (guard and (not fragment or guard[0] > fragment[0])):
            found.append(f"{path.name}:{fn.lineno} {fn.name}")
    return found


def test_every_fragment_and_callback_is_guarded():
    files = [*sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "core" / "adapters").rglob("*.py"))]
    unguarded = [name for path in files for name in _unguarded(path)]
    assert unguarded == [], f"wrap these in core.adapters.errors.guarded (below @st.fragment): {unguarded}"


def test_the_guard_check_finds_an_unguarded_fragment(tmp_path):
    page = tmp_path / "probe.py"
    page.write_text(
        "import streamlit as st\n@st.fragment\ndef f():\n    pass\n"
        "@guarded\n@st.fragment\ndef g():\n    pass\n"
        "def cb():\n    pass\nst.button('x', on_click=cb)\n",
        encoding="utf-8",
    )
    assert [n.split()[-1] for n in _unguarded(page)] == ["f", "g", "cb"]
