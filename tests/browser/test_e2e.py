"""End to end in a real browser: Debian's Chromium, driven by Playwright, against `streamlit run app.py`.

Skipped with a visible reason where Chromium or Playwright is missing, except in CI (CI=true), where
a missing browser is a failure. Screenshots go to artifacts/ (git-ignored).
"""

import pytest

from tests.browser.conftest import ARTIFACTS, open_at, pick_point, real_photo, wait_for_text, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def feature_map_src(page) -> str:
    """The PNG data behind the feature-map figure (Plotly image trace)."""
    charts = page.locator('[data-testid="stPlotlyChart"]')
    for i in range(charts.count()):
        chart = charts.nth(i)
        if "Feature map" in chart.inner_text():
            return chart.locator("image").first.get_attribute("href") or ""
    return ""


def test_home_then_convolution_with_an_uploaded_photo(browser_page, tmp_path):
    url, page = browser_page
    open_at(page, url + "/", "Lecture mode")
    assert page.get_by_role("heading", name="Neural Explainer").is_visible()
    page.screenshot(path=str(ARTIFACTS / "e2e_home.png"))

    page.get_by_role("link", name="Convolution and kernels").first.click()
    page.wait_for_url("**/convolution*")  # the home page's own text says "Output sizes" too
    wait_for_text(page, "Output size")
    assert "/convolution" in page.url

    page.get_by_text("Your photo", exact=True).click()
    wait_idle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(real_photo()))
    wait_for_text(page, "Your photo: rocket.jpg (512×342)")
    assert "Input 342 × 512" in page.inner_text("body")
    before = feature_map_src(page)
    assert before.startswith("data:image/jpeg")  # a photo-sized map travels as a JPEG

    page.locator('[data-testid="stSelectbox"]').filter(has_text="Kernel").locator(
        "div[role=combobox], input"
    ).first.click()
    page.get_by_role("option", name="Laplacian (8-neighbour) · from the course").click()
    wait_idle(page)
    assert "kernel=laplacian_8" in page.url
    after = feature_map_src(page)
    assert after.startswith("data:image/jpeg") and after != before
    body = page.inner_text("body")
    assert "Traceback" not in body
    page.screenshot(path=str(ARTIFACTS / "e2e_convolution.png"), full_page=True)


def test_bad_upload_shows_a_message_not_a_traceback(browser_page, tmp_path):
    url, page = browser_page
    open_at(page, url + "/convolution?src=Your%20photo", "Output size")
    bad = tmp_path / "not_really.png"
    bad.write_bytes(b"this is a text file with a .png name")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(bad))
    wait_for_text(page, "Could not use")
    body = page.inner_text("body")
    assert "not an image" in body and "Traceback" not in body
    assert "Output size" in body  # the rest of the page still works


def test_cnn_activations_with_an_uploaded_photo(browser_page):
    url, page = browser_page
    open_at(page, url + "/cnn_activations?input=Your%20photo", "Every layer's output")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(real_photo()))
    wait_for_text(page, "Photo: rocket.jpg (512 × 342)", 2500)
    body = page.inner_text("body")
    assert "whole 342 × 512 photo" in body and "340 × 510 × 16" in body
    assert "conv1 · Conv2D · output 26 × 26 × 16 · 160 parameters" in body
    trunk = page.locator('[data-testid="stPlotlyChart"]').filter(has=page.locator("image"))
    assert trunk.last.locator("image").first.get_attribute("href").startswith("data:image/png")
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / "e2e_cnn_activations_photo.png"), full_page=True)


def test_clicking_the_feature_map_shows_that_pixels_arithmetic(browser_page):
    url, page = browser_page
    open_at(
        page,
        url + "/convolution?src=Synthetic&synthetic=x&kernel=lines_135",
        "The arithmetic at output (0, 0)",
    )
    target = pick_point(page, "Feature map", fraction=0.6, offset=3)
    page.mouse.click(target["px"], target["py"])
    heading = f"The arithmetic at output ({target['row']}, {target['col']})"
    wait_for_text(page, heading)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_gan_page_trains_the_toy_gan_and_draws_new_samples(browser_page):
    url, page = browser_page
    open_at(page, url + "/gan", "Samples from a seed", 2500)
    page.get_by_role("button", name="New samples").click()
    wait_idle(page)
    assert "seed=1" in page.url
    for _ in range(2):
        page.get_by_role("button", name="Train both").click()
        wait_idle(page)
    body = page.inner_text("body")
    assert "Traceback" not in body and page.locator('[data-testid="stException"]').count() == 0
    steps = page.locator('[data-testid="stMetric"]').filter(has_text="Steps trained")
    assert steps.locator('[data-testid="stMetricValue"]').inner_text().strip() == "100"
    page.screenshot(path=str(ARTIFACTS / "e2e_gan_toy.png"), full_page=True)


def test_lecture_mode_survives_navigation(browser_page):
    url, page = browser_page
    open_at(page, url + "/", "Lecture mode")
    page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]').first.click()
    wait_idle(page)
    assert "lecture=1" in page.url
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Convolution and kernels").click()
    page.wait_for_url("**/convolution*")
    wait_for_text(page, "Output size")
    assert page.locator('[data-testid="stSidebar"] input[type=checkbox]').first.is_checked()
    assert "lecture=1" in page.url
    page.set_viewport_size({"width": 1280, "height": 2000})
    page.screenshot(path=str(ARTIFACTS / "e2e_convolution_lecture.png"))
    page.set_viewport_size({"width": 1400, "height": 2400})


def _page_params():
    from core.adapters.catalog import PAGES

    return [pytest.param(p, id=p.url_path) for p in PAGES]


@pytest.mark.parametrize("info", _page_params())
def test_every_page_opens_from_a_deep_link(browser_page, info):
    url, page = browser_page
    page.goto(f"{url}/{info.url_path}")
    page.wait_for_selector(f"h1:has-text('{info.title}')")
    wait_idle(page, 2500)
    body = page.inner_text("body")
    assert "Traceback" not in body and page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stSidebarNav"]').get_by_text(info.title).count() >= 1
    page.screenshot(path=str(ARTIFACTS / f"e2e_{info.url_path}.png"), full_page=True)
