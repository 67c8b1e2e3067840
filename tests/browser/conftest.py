"""The browser tests' shared fixtures: one real ``streamlit run app.py`` and one Chromium page for
the whole session (every test file in tests/browser uses them), and helpers to wait for a rerun."""

from pathlib import Path

import pytest

from tests.browser.server import ROOT, streamlit_server

ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="session")
def browser_page(chromium):
    """(url, page): a fresh ``streamlit run app.py`` and one page of the session's Chromium."""
    ARTIFACTS.mkdir(exist_ok=True)
    with streamlit_server() as url:
        page = chromium.new_page(viewport={"width": 1400, "height": 2400})
        page.set_default_timeout(90_000)
        yield url, page
        page.close()


def wait_idle(page, ms: int = 1500):
    """Wait for Streamlit's rerun to finish (status widget gone), then a moment for Plotly to draw."""
    page.wait_for_timeout(500)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=90_000)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0", timeout=90_000
    )
    page.wait_for_timeout(ms)


def wait_for_text(page, text: str, ms: int = 1500) -> None:
    """Wait until ``text`` shows on the page, then for the rerun to finish (:func:`wait_idle`)."""
    page.wait_for_selector(f"text={text}")
    wait_idle(page, ms)


def open_at(page, address: str, text: str, ms: int = 1500) -> None:
    """Go to ``address`` and wait until ``text`` shows and the run has finished."""
    page.goto(address)
    wait_for_text(page, text, ms)


def real_photo() -> Path:
    """A real camera JPEG (640×427) that ships with scikit-image: the rocket launch photo."""
    from skimage import data

    return Path(data.data_dir) / "rocket.jpg"


#: Screen position of a point of the "pick" grid (the clickable cells) of the chart whose text holds
#: ``title``; ``fraction`` and ``offset`` choose which point.
_PICK_POINT_JS = """([title, fraction, offset]) => {
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  const chart = charts.find(c => c.innerText.includes(title));
  chart.scrollIntoView();
  const gd = chart.querySelector('.js-plotly-plot');
  const fl = gd._fullLayout, trace = gd._fullData.find(t => t.name === 'pick');
  const i = Math.floor(trace.x.length * fraction) + offset;
  const r = gd.getBoundingClientRect();
  return {px: r.left + fl.xaxis._offset + fl.xaxis.l2p(trace.x[i]),
          py: r.top + fl.yaxis._offset + fl.yaxis.l2p(trace.y[i]), col: trace.x[i], row: trace.y[i]};
}"""


def pick_point(page, title: str, *, fraction: float, offset: int) -> dict:
    """Where to click on a figure's pick grid: ``{"px", "py"}`` on screen and the cell's ``row``/``col``."""
    return page.evaluate(_PICK_POINT_JS, [title, fraction, offset])
