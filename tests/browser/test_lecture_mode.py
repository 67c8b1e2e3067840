"""The projector and the phone, in a real Chromium: lecture mode reads from the back row (no text in
the main area under 20 CSS px, metric values no smaller than on a laptop, no header band, the
sidebar closed), and on a phone Plotly's toolbar stays off the chart titles and code wraps.

Each view gets its own browser context (viewport, touch) against the session's one server
(``browser_page``). Screenshots go to ``artifacts/lecture_*.png`` and ``artifacts/phone_*.png``.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.views import LAPTOP, PHONE, PROJECTOR

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: The smallest text a back row reads (CSS px), as the house style asks of lecture mode.
MIN_LECTURE_PX = 20

#: Every piece of visible text in the main area: (size in CSS px, text, where). HTML text and the SVG
#: text of Plotly charts through their computed font size (times any CSS zoom); the cells of data
#: frames, which Glide draws on a canvas, through the font the grid is given (``--gdg-*-font-style``).
_TEXT_SIZES_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const out = [];
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  const shown = el => {
    for (let e = el; e && e !== main; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden' || parseFloat(cs.opacity) === 0) return false;
    }
    const r = el.getBoundingClientRect();
    return r.width >= 1 && r.height >= 1;
  };
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!el || seen.has(el) || !walker.currentNode.textContent.trim()) continue;
    seen.add(el);
    if (el.closest('style, script, .hoverlayer, .modebar-container') || !shown(el)) continue;
    const where = el.closest('[data-testid]');
    out.push({size: parseFloat(getComputedStyle(el).fontSize) * (el.currentCSSZoom || 1),
              text: walker.currentNode.textContent.trim().slice(0, 50), svg: el instanceof SVGElement,
              where: where ? where.dataset.testid : el.tagName, table: !!el.closest('table.lecture-table')});
  }
  for (const grid of main.querySelectorAll('[data-testid="stDataFrame"] [style*="--gdg-base-font-style"]')) {
    if (!shown(grid)) continue;
    for (const v of ['--gdg-base-font-style', '--gdg-header-font-style']) {
      const m = grid.style.getPropertyValue(v).match(/([0-9.]+)px/);
      out.push({size: m ? parseFloat(m[1]) : 0, text: v, svg: false, where: 'stDataFrame'});
    }
  }
  return out.sort((a, b) => a.size - b.size);
}"""

#: Font size of each metric value's text (the innermost element holding it).
_METRIC_SIZES_JS = """() => [...document.querySelectorAll(
    '[data-testid="stMain"] [data-testid="stMetricValue"]')]
  .map(m => { let e = m; while (e.firstElementChild) e = e.firstElementChild;
              return [m.innerText.trim(), parseFloat(getComputedStyle(e).fontSize)]; })"""


def open_view(chromium, url: str, path: str, **context):
    """A new browser context on ``url + path``, once Streamlit has finished the run and Plotly has drawn."""
    ctx = chromium.new_context(**context)
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    page.goto(url + path)
    settle(page)
    return ctx, page


def settle(page, *, steady_ms: int = 2000) -> None:
    """Wait until the page's script has run and drawn: its title shown, no spinner ("Loading
    TensorFlow ...") or skeleton left, every Plotly chart's SVG drawn, and the main area unchanged
    (same number of elements) for ``steady_ms``."""
    page.wait_for_selector('[data-testid="stMain"] h1', state="attached")
    page.wait_for_function(
        """(steady) => {
        const main = document.querySelector('[data-testid="stMain"]');
        const busy = document.querySelector(
            '[data-testid="stSpinner"], [data-testid="stSkeleton"], [data-testid="stStatusWidget"]')
          || ![...main.querySelectorAll('[data-testid="stPlotlyChart"]')].every(
            c => c.querySelector('svg.main-svg'));
        const count = busy ? -1 : main.getElementsByTagName('*').length;
        const now = Date.now();
        if (count !== window.__settleCount) { window.__settleCount = count; window.__settleSince = now; }
        return count >= 0 && now - window.__settleSince >= steady;
    }""",
        arg=steady_ms,
        polling=250,
    )


def full_screenshot(page, path) -> None:
    """The whole page: Streamlit scrolls inside its own container, so grow the viewport to the content."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 12_000)})
    page.wait_for_timeout(1000)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)


@pytest.mark.parametrize("slug", ["convolution", "perceptron", "deep_features"])
def test_lecture_mode_has_no_text_under_20_px(browser_page, chromium, slug):
    url, _ = browser_page
    ctx, page = open_view(chromium, url, f"/{slug}?lecture=1", **PROJECTOR)
    try:
        sizes = page.evaluate(_TEXT_SIZES_JS)
        full_screenshot(page, ARTIFACTS / f"lecture_{slug}.png")
    finally:
        ctx.close()
    svg = [s for s in sizes if s["svg"]]
    assert len(svg) >= 20, f"too few chart texts measured ({len(svg)}): did the figures draw?"
    if slug in ("perceptron", "deep_features"):  # their tables: HTML tables in lecture mode
        assert any(s.get("table") for s in sizes), "the page's tables were not measured"
    assert not any(s["where"] == "stDataFrame" for s in sizes), "a canvas data frame in lecture mode"
    small = [s for s in sizes if s["size"] < MIN_LECTURE_PX]
    assert not small, (
        f"{slug}: {len(small)} texts under {MIN_LECTURE_PX} px in lecture mode, e.g. {small[:5]}"
    )


def test_lecture_mode_keeps_metric_values_at_least_as_large_as_on_a_laptop(browser_page, chromium):
    url, _ = browser_page
    sizes = {}
    for mode, path, view in (
        ("laptop", "/perceptron", LAPTOP),
        ("lecture", "/perceptron?lecture=1", PROJECTOR),
    ):
        ctx, page = open_view(chromium, url, path, **view)
        try:
            sizes[mode] = page.evaluate(_METRIC_SIZES_JS)
        finally:
            ctx.close()
    assert len(sizes["laptop"]) >= 5 and len(sizes["lecture"]) == len(sizes["laptop"])
    laptop = min(size for _, size in sizes["laptop"])
    assert laptop >= 30  # st.metric's own size, not a paragraph's
    assert all(size >= laptop for _, size in sizes["lecture"]), sizes


def test_lecture_mode_drops_the_header_band_and_starts_with_the_sidebar_closed(browser_page, chromium):
    url, _ = browser_page
    ctx, page = open_view(chromium, url, "/convolution?lecture=1", **PROJECTOR)
    try:
        header = page.locator('[data-testid="stHeader"]').bounding_box()
        sidebar = page.locator('[data-testid="stSidebar"]')
        title_top = page.locator('[data-testid="stMain"] h1').first.bounding_box()["y"]
        assert header is None or header["height"] <= 1
        assert sidebar.get_attribute("data-collapsed") == "true"
        main_left = page.locator('[data-testid="stMain"]').bounding_box()["x"]
        assert main_left < 50  # the main area has the projector's width
        assert title_top < 80, f"the title starts {title_top:.0f} px down"
        # The lecturer can still open the sidebar (to switch page or mode).
        page.locator('[data-testid="stExpandSidebarButton"]').click()
        page.wait_for_timeout(800)
        assert sidebar.get_attribute("data-collapsed") == "false"
        assert page.get_by_text("Lecture mode").is_visible()
    finally:
        ctx.close()


def test_lecture_mode_switched_on_in_the_sidebar_leaves_the_sidebar_open(browser_page, chromium):
    url, _ = browser_page
    ctx, page = open_view(chromium, url, "/perceptron", **PROJECTOR)
    try:
        page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]').first.click()
        page.wait_for_timeout(1500)
        page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached")
        assert "lecture=1" in page.url
        assert page.locator('[data-testid="stSidebar"]').get_attribute("data-collapsed") == "false"
        sizes = page.evaluate(_METRIC_SIZES_JS)
        assert sizes and min(size for _, size in sizes) >= 36
    finally:
        ctx.close()


@pytest.mark.parametrize("slug", ["convolution", "perceptron", "deep_features"])
def test_phone_shows_no_plotly_toolbar_and_wraps_code(browser_page, chromium, slug):
    url, _ = browser_page
    ctx, page = open_view(chromium, url, f"/{slug}", **PHONE)
    try:
        charts = page.locator('[data-testid="stPlotlyChart"]').count()
        bars = page.evaluate("""() => [...document.querySelectorAll(
                                  '[data-testid="stPlotlyChart"] .modebar-container')]
                                .filter(e => getComputedStyle(e).display !== 'none').length""")
        wide_code = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stCode"] pre')]
                                     .filter(p => p.getBoundingClientRect().width > 0 &&
                                                  p.scrollWidth > p.clientWidth + 1)
                                     .map(p => p.innerText.slice(0, 60))""")
        sideways = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        full_screenshot(page, ARTIFACTS / f"phone_{slug}.png")
    finally:
        ctx.close()
    assert charts >= 2
    assert bars == 0, f"{bars} Plotly toolbars shown on a phone"
    assert wide_code == [], f"code blocks that scroll sideways: {wide_code}"
    assert sideways <= 0
