"""Where a page's main figure starts and how far its main control is from it, in a real Chromium:
shared by ``tests/browser/test_first_screen.py`` and ``bench/first_screen.py`` (which prints the
table for every page).

The page must be open and settled; :func:`measure` waits for the main figure to be drawn (a page's
fragments draw after its run), scrolls to the top and measures there.
"""

from __future__ import annotations

from tests.browser.views import LAPTOP, PHONE, VIEWS

__all__ = ["LAPTOP", "MAIN", "PHONE", "TARGET", "VIEWS", "measure", "open_settled"]

#: Upper bound of the main figure's top edge (CSS px): the upper half of a laptop's first screen,
#: one and a half screens on a phone.
TARGET = {"laptop": 400, "phone": 1266}

#: Per page: (a text the main figure shows, or several: the first figure showing one of them; what it is;
#: a text of the main control's label).
MAIN = {
    "convolution": (("Input", "Feature map"), "the input and its feature map", "Kernel"),
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

_FIGURES = (
    '[data-testid="stPlotlyChart"], [data-testid="stImage"], [data-testid="stPyplot"], '
    '[data-testid="stVegaLiteChart"]'
)
_WIDGETS = (
    '[data-testid="stSlider"], [data-testid="stButton"], [data-testid="stSelectbox"], '
    '[data-testid="stRadio"], [data-testid="stNumberInput"], [data-testid="stSegmentedControl"], '
    '[data-testid="stButtonGroup"], [data-testid="stSelectSlider"], [data-testid="stCheckbox"]'
)

#: ``{figure, bottom, control, control_bottom}`` in CSS px from the top of the page (scrolled to
#: the top), or nulls where nothing matches. A figure matches when its text holds a needle
#: (Plotly's SVG text counts, white space as single spaces); the first in page order wins.
_MEASURE_JS = """([figSel, wSel, needles, label]) => {
  const main = document.querySelector('[data-testid="stMain"]');
  const shown = e => e.getBoundingClientRect().height > 0;
  const fig = [...main.querySelectorAll(figSel)].filter(shown)
    .find(e => needles.some(n => e.innerText.replace(/\\s+/g, ' ').includes(n)));
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
    needles, _, label = MAIN[slug]
    needles = [needles] if isinstance(needles, str) else list(needles)
    page.wait_for_function(
        """([sel, needles]) => [...document.querySelectorAll(sel)].some(e =>
        needles.some(n => e.innerText.replace(/\\s+/g, ' ').includes(n)) &&
        e.querySelector('svg.main-svg, img'))""",
        arg=[_FIGURES, needles],
        timeout=120_000,
    )  # fragments draw after the page's run
    page.wait_for_timeout(1000)
    page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
    m = page.evaluate(_MEASURE_JS, [_FIGURES, _WIDGETS, needles, label])
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
