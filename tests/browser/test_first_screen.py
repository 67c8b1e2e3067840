"""The point of the page first, in a real Chromium: on a laptop (1366 × 768) each fixed page's main
figure starts in the upper part of the first screen, on a phone (390 × 844, touch) within one and a
half screens, and its main control is within one screen of it.

The main figures and controls are named in :data:`tests.browser.first_screen.MAIN`;
``bench/first_screen.py`` prints the same numbers for every page. Screenshots of the first screen go
to ``artifacts/first_screen_<view>_<page>.png``.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS
from tests.browser.first_screen import TARGET, VIEWS, measure, open_settled

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: The pages rearranged so that their figure comes first, per view (bench/first_screen.py measures all).
PAGES = {
    "laptop": [
        "convolution",
        "perceptron",
        "pooling",
        "layer_arithmetic",
        "autoencoder",
        "cnn_activations",
        "deep_features",
        "boolean_neurons",
        "training",
        "gan",
    ],
    "phone": [
        "convolution",
        "perceptron",
        "pooling",
        "layer_arithmetic",
        "autoencoder",
        "boolean_neurons",
        "training",
        "gan",
        "cnn_activations",
        "deep_features",
    ],
}


@pytest.mark.parametrize(("view", "slug"), [(view, slug) for view, slugs in PAGES.items() for slug in slugs])
def test_main_figure_starts_on_the_first_screen(browser_page, chromium, slug, view):
    url, _ = browser_page
    ctx, page = open_settled(chromium, url, slug, VIEWS[view])
    try:
        m = measure(page, slug)
        page.screenshot(path=str(ARTIFACTS / f"first_screen_{view}_{slug}.png"))
    finally:
        ctx.close()
    screen = VIEWS[view]["viewport"]["height"]
    assert m["figure"] is not None, f"{slug}: no main figure found on the {view}"
    assert m["figure"] > 0, f"{slug}: the main figure starts above the page ({m['figure']:.0f} px)"
    assert m["figure"] < TARGET[view], (
        f"{slug} on a {view}: the main figure starts at {m['figure']:.0f} px, "
        f"the target is under {TARGET[view]} px"
    )
    assert m["gap"] is not None and m["gap"] < screen, (
        f"{slug}: the main control is {m['gap']} px from its figure"
    )
