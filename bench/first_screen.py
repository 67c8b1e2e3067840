"""Where each content page's main figure starts on a laptop and on a phone, and how far its main
control is from it.

Run: ``.venv/bin/python bench/first_screen.py [--pages convolution perceptron ...] [--shots DIR]``

Starts a real ``streamlit run app.py`` and Debian's Chromium, opens every page at a laptop's size
(1366 × 768) and a phone's (390 × 844, touch), waits for it to finish drawing, and measures at the
top of the page (no scrolling):

- ``figure`` — the main figure's top edge in CSS px from the top of the screen (:data:`MAIN`
  names each page's main figure by a text it shows);
- ``screens`` — the same in screen heights (the reference: the laptop's first screen is 1.0);
- ``gap`` — the vertical distance between the main control and the figure's box (0: beside it or
  overlapping), which should stay under one screen.

Targets (issue "the point of the page first"): laptop ``figure < 400`` (the upper part of the first
screen), phone ``figure < 1266`` (1.5 screens). ``--shots`` writes a full-page screenshot per page and
viewport (Streamlit scrolls inside its own container, so the viewport is grown to the content).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.first_screen import MAIN, TARGET, VIEWS, measure, open_settled  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", nargs="*", default=list(MAIN))
    parser.add_argument("--shots", type=Path, help="folder for full-page screenshots")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from tests.browser.server import CHROMIUM_ARGS, chromium_path, streamlit_server
    from tests.browser.test_lecture_mode import full_screenshot

    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    print(
        f"{'page':18} {'view':6} {'figure px':>9} {'screens':>7} {'target':>6} {'gap px':>7} "
        f"{'page px':>7}  main figure"
    )
    with sync_playwright() as p, streamlit_server() as url:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for slug in args.pages:
            for view, context in VIEWS.items():
                ctx, page = open_settled(browser, url, slug, context)
                try:
                    m = measure(page, slug)
                    if args.shots:
                        full_screenshot(page, args.shots / f"first_screen_{view}_{slug}.png")
                finally:
                    ctx.close()
                screen = context["viewport"]["height"]
                fig = "-" if m["figure"] is None else f"{m['figure']:.0f}"
                screens = "-" if m["figure"] is None else f"{m['figure'] / screen:.2f}"
                ok = "ok" if m["figure"] is not None and m["figure"] < TARGET[view] else "MISS"
                gap = "-" if m["gap"] is None else f"{m['gap']:.0f}"
                print(
                    f"{slug:18} {view:6} {fig:>9} {screens:>7} {ok:>6} {gap:>7} {m['length']:>7.0f}  "
                    f"{MAIN[slug][1]}",
                    flush=True,
                )
        browser.close()


if __name__ == "__main__":
    main()
