"""The browser tests' shared fixtures: one real ``streamlit run app.py`` and one Chromium page for
the whole session (every test file in tests/browser uses them), and helpers to wait for a rerun."""
import os
from pathlib import Path

import pytest

from tests.browser.server import CHROMIUM_ARGS, ROOT, chromium_path, streamlit_server

ARTIFACTS = ROOT / "artifacts"


def _require_browser():
    path = chromium_path()
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium and Playwright are required in CI (make test installs them).")
        pytest.skip("Debian's chromium (or Playwright) is not installed: `make test` installs it with apt-get.")
    return path


@pytest.fixture(scope="session")
def browser_page():
    executable = _require_browser()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with streamlit_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2400})
        page.set_default_timeout(90_000)
        yield url, page
        browser.close()


def wait_idle(page, ms: int = 1500):
    """Wait for Streamlit's rerun to finish (status widget gone), then a moment for Plotly to draw."""
    page.wait_for_timeout(500)
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=90_000)
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0",
                           timeout=90_000)
    page.wait_for_timeout(ms)


def real_photo() -> Path:
    """A real camera JPEG (640×427) that ships with scikit-image: the rocket launch photo."""
    from skimage import data

    return Path(data.data_dir) / "rocket.jpg"


