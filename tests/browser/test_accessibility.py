"""Accessibility of the app's own content, in a real Chromium: axe-core (bundled by
``axe-playwright-python``) finds no serious or critical violation in the main area of any page,
on a laptop and in lecture mode, and headings in order (axe's moderate ``heading-order``: sections
are h2 under the page's h1); every chart has a text alternative and no Tab stop inside it (Plotly's
toolbar shows only under the pointer). The sidebar and Streamlit's own page chrome are left out:
they are Streamlit's, not the app's.
"""

from __future__ import annotations

import pytest

from core.adapters.catalog import PAGES
from tests.browser.test_lecture_mode import open_view
from tests.browser.views import LAPTOP, PROJECTOR

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SEVERE = ("serious", "critical")
#: Rules of lower impact that the app's content also passes on every page.
ALSO_CHECKED = ("heading-order",)

#: Per chart in the main area: its accessible name, and the Tab stops inside it.
_CHARTS_JS = """() => [...document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stPlotlyChart"]')].map(c => ({
  alt: c.getAttribute('aria-label') || '',
  tabStops: [...c.querySelectorAll('a[href],button,input,select,textarea,[tabindex]')].filter(e =>
    e.tabIndex >= 0 && !e.disabled && e.getClientRects().length > 0 &&
    getComputedStyle(e).visibility !== 'hidden').length}))"""


#: Pages also checked in lecture mode, on the projector.
LECTURE_PAGES = ("convolution", "perceptron", "deep_features")


def _views():
    """Every page on a laptop, and :data:`LECTURE_PAGES` in lecture mode on the projector."""
    laptop = [("", "home"), *((p.url_path, p.url_path) for p in PAGES)]
    return [
        *(pytest.param(f"/{slug}", LAPTOP, id=name) for slug, name in laptop),
        *(pytest.param(f"/{slug}?lecture=1", PROJECTOR, id=f"{slug}-lecture") for slug in LECTURE_PAGES),
    ]


def severe_violations(page) -> list[str]:
    """axe-core's serious and critical findings in the main area: ``"<rule>: <html>"`` per node."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, context={"include": [['[data-testid="stMain"]']]}).response
    return [
        f"{v['id']}: {n['html'][:120]} {n.get('failureSummary', '')[:160]}"
        for v in result["violations"]
        if v["impact"] in SEVERE or v["id"] in ALSO_CHECKED
        for n in v["nodes"]
    ]


def chart_problems(page) -> list[str]:
    """Charts without a text alternative, or with Tab stops inside (the pointer is off the charts)."""
    page.mouse.move(0, 0)
    charts = page.evaluate(_CHARTS_JS)
    return [
        f"chart {i}: " + ("no text alternative" if not c["alt"] else f"{c['tabStops']} Tab stops")
        for i, c in enumerate(charts)
        if not c["alt"] or c["tabStops"]
    ]


@pytest.mark.parametrize("path, view", _views())
def test_no_serious_or_critical_axe_violation_in_the_content(browser_page, chromium, path, view):
    pytest.importorskip("axe_playwright_python", reason="make test installs axe-playwright-python")
    url, _ = browser_page
    ctx, page = open_view(chromium, url, path, **view)
    try:
        found = severe_violations(page) + chart_problems(page)
    finally:
        ctx.close()
    assert found == [], f"{path}: {len(found)} serious/critical axe violations:\n" + "\n".join(found)
