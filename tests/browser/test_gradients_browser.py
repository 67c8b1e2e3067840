"""In Chromium: draw a digit on the CNN activations page's canvas, open Grad-CAM, then move the FGSM ε
slider with the keyboard; the section answers each step (screenshots in artifacts/)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import ARTIFACTS, wait_idle

pytestmark = pytest.mark.slow


def draw_a_one(page) -> None:
    """A vertical stroke down the middle of the drawing canvas (fabric.js' upper canvas takes the mouse)."""
    canvas = page.locator('[data-testid="stMain"] canvas').last
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x = box["x"] + box["width"] * 0.5
    page.mouse.move(x, box["y"] + box["height"] * 0.18)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(x + step * 0.4, box["y"] + box["height"] * (0.18 + 0.032 * step))
    page.mouse.up()


def section_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def test_draw_then_grad_cam_then_the_epsilon_slider(browser_page):
    url, page = browser_page
    page.goto(url + "/cnn_activations?input=Draw+a+digit")
    page.wait_for_selector('[data-testid="stMain"] canvas', timeout=90_000)
    wait_idle(page)
    draw_a_one(page)
    page.wait_for_selector("text=Where the network looks: gradients", timeout=90_000)
    wait_idle(page)
    predicted = re.search(r"Why (\d)\?", section_text(page)).group(1)
    assert "A bright pixel" in section_text(page)

    page.get_by_text("Grad-CAM", exact=True).first.click()
    page.wait_for_selector(f"text=Grad-CAM of {predicted} over the input", timeout=90_000)
    wait_idle(page)
    assert "on the last convolution layer, conv2" in section_text(page)
    page.get_by_text("Grad-CAM of", exact=False).first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "gradients_grad_cam.png"), full_page=True)

    page.get_by_text("Adversarial example (FGSM)", exact=True).first.click()
    page.wait_for_selector("text=Prediction at ε = 0.10", timeout=90_000)
    wait_idle(page)
    slider = page.locator('input[type="range"][aria-label^="ε: how far"]')
    slider.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_selector("text=Prediction at ε = 0.15", timeout=90_000)
    wait_idle(page)
    assert "eps=0.15" in page.url and "explain=fgsm" in page.url
    assert "Largest pixel change after clipping" in section_text(page)
    page.screenshot(path=str(ARTIFACTS / "gradients_fgsm.png"), full_page=True)
