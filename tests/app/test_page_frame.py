"""The page frame's style sheets reach the browser: ``st.html`` sanitises its HTML (DOMPurify) and
drops a ``<style>`` element whose text holds anything that looks like a tag (``<h2>`` in a CSS
comment was enough to lose every rule: caption contrast, the toolbar's Tab stops, heading sizes)."""

from __future__ import annotations

import re

import pytest

from core.adapters.lecture_mode import LECTURE_CSS
from core.adapters.page_frame import BASE_CSS

#: DOMPurify's test for markup inside an element's text (``/<[/\w]/``).
LOOKS_LIKE_A_TAG = re.compile(r"<[/\w]")


@pytest.mark.parametrize("sheet", [BASE_CSS, LECTURE_CSS], ids=["base", "lecture"])
def test_style_sheets_hold_one_style_element_and_nothing_like_a_tag(sheet):
    inner = sheet.strip()
    assert inner.startswith("<style>") and inner.endswith("</style>")
    body = inner.removeprefix("<style>").removesuffix("</style>")
    assert LOOKS_LIKE_A_TAG.findall(body) == []


def test_the_checker_sees_a_tag_in_a_comment():
    assert LOOKS_LIKE_A_TAG.search("/* sections are <h2> */")


def _page_end():
    from core.adapters import page_frame
    from core.maths.convolution import cross_correlate2d

    page_frame.start()  # AppTest runs the script alone, not through a pages/ folder: a no-op
    page_frame.finish(
        cross_correlate2d,
        "core.maths.pooling:max_pool2d",
        course={"intro_dl": ["2.1"]},
        references=["cs231n"],
    )


def test_finish_shows_the_named_functions_source_then_the_sources_panel():
    from streamlit.testing.v1 import AppTest

    from core.data.course import cite, reference

    at = AppTest.from_function(_page_end).run()
    assert not at.exception
    assert [e.label for e in at.expander] == ["Show the code that computes this", "Sources"]
    codes = [c.value for c in at.code]
    assert codes[0].startswith("def cross_correlate2d(") and codes[1].startswith("def max_pool2d(")
    panel = at.markdown[-1].value
    assert panel.startswith(f"- {cite('intro_dl')}: §2.1 — ") and panel.endswith(f"- {reference('cs231n')}")
