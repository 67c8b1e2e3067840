"""The "Training a CNN" page in a real browser: it opens on the shipped results with the seed's
2.3026, the gradient table, the curves and the results table; a link with p(7) changes the loss."""

import pytest

from tests.browser.conftest import ARTIFACTS, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_training_page_opens_on_shipped_results_and_follows_its_link(browser_page):
    url, page = browser_page
    page.goto(url + "/training")
    page.wait_for_selector("text=Training a CNN")
    page.wait_for_selector("text=Results of every configuration trained so far")
    wait_idle(page, 2500)
    body = page.inner_text("body")
    assert "−ln 0.10 = 2.3026" in body and "Traceback" not in body
    assert "tf.GradientTape" in body and "above its minimum" in body
    assert page.locator('[data-testid="stPlotlyChart"]').count() >= 6
    page.screenshot(path=str(ARTIFACTS / "training.png"), full_page=True)

    page.goto(url + "/training?p7=0.9&lr=0.1")
    page.wait_for_selector("text=−ln 0.90 = 0.1054")
    wait_idle(page)
    assert "Traceback" not in page.inner_text("body")
