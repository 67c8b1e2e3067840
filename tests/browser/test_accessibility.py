"""Accessibility of the app's own content, in a real Chromium: axe-core (bundled by
``axe-playwright-python``) finds no serious or critical violation in the main area of any page,
on a laptop and in lecture mode. The sidebar and Streamlit's own page chrome are left out: they are
Streamlit's, not the app's.
"""

from __future__ import annotations

import pytest

from core.adapters.catalog import PAGES
from tests.browser.test_lecture_mode import LAPTOP, PROJECTOR, open_view

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SEVERE = ("serious", "critical")


def _slugs():
    return [pytest.param("", id="home"), *(pytest.param(p.url_path, id=p.url_path) for p in PAGES)]


def severe_violations(page) -> list[str]:
    """axe-core's serious and critical findings in the main area: ``"<rule>: <html>"`` per node."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, context={"include": [['[data-testid="stMain"]']]}).response
    return [
        f"{v['id']}: {n['html'][:120]} {n.get('failureSummary', '')[:160]}"
        for v in result["violations"]
        if v["impact"] in SEVERE
        for n in v["nodes"]
    ]


@pytest.mark.parametrize("slug", _slugs())
def test_no_serious_or_critical_axe_violation_in_the_content(browser_page, chromium, slug):
    pytest.importorskip("axe_playwright_python", reason="make test installs axe-playwright-python")
    url, _ = browser_page
    ctx, page = open_view(chromium, url, f"/{slug}", viewport=LAPTOP)
    try:
        found = severe_violations(page)
    finally:
        ctx.close()
    assert found == [], f"/{slug}: {len(found)} serious/critical axe violations:\n" + "\n".join(found)


@pytest.mark.parametrize("slug", ["convolution", "perceptron", "deep_features"])
def test_lecture_mode_keeps_the_content_accessible(browser_page, chromium, slug):
    pytest.importorskip("axe_playwright_python", reason="make test installs axe-playwright-python")
    url, _ = browser_page
    ctx, page = open_view(chromium, url, f"/{slug}?lecture=1", viewport=PROJECTOR)
    try:
        found = severe_violations(page)
    finally:
        ctx.close()
    assert found == [], f"/{slug} in lecture mode:\n" + "\n".join(found)
