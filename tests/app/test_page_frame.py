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
