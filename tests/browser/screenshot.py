"""Screenshots of app pages in headless Chromium, for looking at what a page shows.

Usage (from the repository root; W and H set the viewport, default 1400×3000)::

    .venv/bin/python -m tests.browser.screenshot /convolution?kernel=laplacian_8 artifacts/conv.png [URL OUT
    ...]
"""

import os
import sys

from playwright.sync_api import sync_playwright

from tests.browser.server import CHROMIUM_ARGS, chromium_path, streamlit_server


def main() -> None:
    pairs = sys.argv[1:]
    width, height = int(os.environ.get("W", 1400)), int(os.environ.get("H", 3000))
    with streamlit_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        for i in range(0, len(pairs), 2):
            page.goto(url + pairs[i])
            page.wait_for_selector('[data-testid="stApp"]', timeout=60000)
            page.wait_for_selector("text=Lecture mode", timeout=90000)
            page.wait_for_timeout(3000)
            try:
                page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=90000)
            except Exception:
                pass
            page.wait_for_function(
                "() => document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0", timeout=90000
            )
            page.wait_for_timeout(2000)
            page.screenshot(path=pairs[i + 1], full_page=True)
            print("saved", pairs[i + 1])
        browser.close()


if __name__ == "__main__":
    main()
