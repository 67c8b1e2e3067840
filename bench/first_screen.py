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

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
VIEWS = {"laptop": LAPTOP, "phone": PHONE}
#: Upper bound of the main figure's top edge (CSS px): the upper half of a laptop's first screen,
#: one and a half screens on a phone.
TARGET = {"laptop": 400, "phone": 1266}

#: Per page: (a text the main figure shows, what it is, a text of the main control's label).
MAIN = {
    "convolution": ("Feature map", "the input and its feature map", "Kernel"),
    "perceptron": ("w·x", "the data with the decision line", "One step"),
    "pooling": ("Pooled", "the input with its window and the pooled matrix", "Pool size"),
    "layer_arithmetic": ("Input:", "the input with the kernel's position and the output", "Kernel f"),
    "boolean_neurons": ("w·x", "the four inputs with the neuron's line", "w₁"),
    "cnn_activations": ("Class probabilities", "the digit's class probabilities", "Digit"),
    "deep_features": ("1. your photo", "the photo's way into the network", "Sample"),
    "autoencoder": ("digit 0 1", "the latent plane of the test digits", "code[0]"),
    "gan": ("#0 ·", "the generated samples", "Seed"),
    "training": ("−ln p", "the loss of one prediction", "probability for the true class"),
}

_FIGURES = ('[data-testid="stPlotlyChart"], [data-testid="stImage"], [data-testid="stPyplot"], '
            '[data-testid="stVegaLiteChart"]')
_WIDGETS = ('[data-testid="stSlider"], [data-testid="stButton"], [data-testid="stSelectbox"], '
            '[data-testid="stRadio"], [data-testid="stNumberInput"], [data-testid="stSegmentedControl"], '
            '[data-testid="stButtonGroup"], [data-testid="stSelectSlider"], [data-testid="stCheckbox"]')

#: ``{figure, bottom, control, control_bottom}`` in CSS px from the top of the page (scrolled to
#: the top), or nulls where nothing matches. A figure matches when its text holds the needle
#: (Plotly's SVG text counts, white space as single spaces); the first in page order wins.
_MEASURE_JS = """([figSel, wSel, needle, label]) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const shown = e => e.getBoundingClientRect().height > 0;
  const fig = [...main.querySelectorAll(figSel)].filter(shown)
    .find(e => e.innerText.replace(/\s+/g, ' ').includes(needle) || (e.querySelector('img') || {}).alt === needle);
  const ctl = [...main.querySelectorAll(wSel)].filter(shown).find(e => e.innerText.includes(label));
  const box = e => e ? e.getBoundingClientRect() : null;
  const f = box(fig), c = box(ctl);
  return {figure: f && f.top, bottom: f && f.bottom, control: c && c.top, control_bottom: c && c.bottom,
          height: main.scrollHeight};
}"""


def measure(page, slug: str) -> dict:
    """The main figure's and control's positions on ``page`` (already open on ``slug`` and settled).

    Returns
    -------
    dict
        ``figure`` (top, CSS px), ``gap`` (px between control and figure, 0 if they overlap
        vertically), ``length`` (page height), ``None`` where the figure or control is missing.
    """
    needle, _, label = MAIN[slug]
    page.wait_for_function("""([sel, needle]) => [...document.querySelectorAll(sel)]
        .some(e => e.innerText.replace(/\\s+/g, ' ').includes(needle) && e.querySelector('svg.main-svg, img'))""",
                           arg=[_FIGURES, needle], timeout=120_000)   # fragments draw after the page's run
    page.wait_for_timeout(1000)
    page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
    m = page.evaluate(_MEASURE_JS, [_FIGURES, _WIDGETS, needle, label])
    gap = None
    if m["figure"] is not None and m["control"] is not None:
        gap = max(0.0, m["control"] - m["bottom"], m["figure"] - m["control_bottom"])
    return {"figure": m["figure"], "gap": gap, "length": m["height"]}


def open_settled(browser, url: str, slug: str, context: dict):
    """A new context and page on ``url/slug``, once the script has run and the figures have drawn."""
    from tests.browser.test_lecture_mode import settle

    ctx = browser.new_context(**context)
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    page.goto(f"{url}/{slug}")
    settle(page)
    return ctx, page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", nargs="*", default=list(MAIN))
    parser.add_argument("--shots", type=Path, help="folder for full-page screenshots")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from tests.browser.server import CHROMIUM_ARGS, chromium_path, streamlit_server
    from tests.browser.test_lecture_mode import full_screenshot

    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    print(f"{'page':18} {'view':6} {'figure px':>9} {'screens':>7} {'target':>6} {'gap px':>7} {'page px':>7}  main figure")
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
                print(f"{slug:18} {view:6} {fig:>9} {screens:>7} {ok:>6} {gap:>7} {m['length']:>7.0f}  {MAIN[slug][1]}",
                      flush=True)
        browser.close()


if __name__ == "__main__":
    main()
