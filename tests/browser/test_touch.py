"""Touch on a phone (390×844, touch, mobile Chromium): a tap on a figure picks what a mouse click
picks (``core.adapters.tap``), on the Convolution feature map (a typed matrix and a photo) and on the
Perceptron's "your points" plot, the Autoencoder's latent plane, Pooling's output, the GAN's samples
grid and CNN activations' map mosaics (by tap and by mouse click). Screenshots of the phone view before and
after each tap land in
``artifacts/touch_*.png``."""

import pytest

from tests.browser.conftest import ARTIFACTS, open_at, pick_point, wait_idle
from tests.browser.views import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: The points the Perceptron plot draws (both classes), not its invisible pick grid.
_POINTS_JS = """() => {
  const box = document.querySelector('.st-key-perc_plot .js-plotly-plot');
  return box._fullData.filter(t => t.name.startsWith('class ')).reduce((n, t) => n + t.x.length, 0);
}"""


@pytest.fixture
def phone(chromium, browser_page):
    """(url, page): a touch phone's page on the browser tests' server."""
    url, _ = browser_page
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(90_000)
    yield url, page
    context.close()


def open_chart(page, address: str, key: str) -> None:
    """Open ``address`` and wait until the chart of widget ``key`` is drawn and the run has finished."""
    page.goto(address)
    page.wait_for_selector(f".st-key-{key} .js-plotly-plot")
    wait_idle(page, 2500)


def arithmetic(page) -> str:
    heading = page.locator("h2").filter(has_text="The arithmetic at output").first
    return (
        heading.inner_text()
        + "\n"
        + page.locator('[data-testid="stCode"]').filter(has_text="=").last.inner_text()
    )


@pytest.mark.parametrize(
    "query, name", [("src=Type%20a%20matrix", "matrix"), ("src=Sample%20photo", "photo")]
)
def test_a_tap_on_the_feature_map_explains_that_output_pixel(phone, query, name):
    url, page = phone
    open_at(page, f"{url}/convolution?{query}", "The arithmetic at output (0, 0)")
    before = arithmetic(page)
    target = pick_point(page, "Feature map", fraction=0.6, offset=1)
    assert (target["row"], target["col"]) != (0, 0)
    page.screenshot(path=str(ARTIFACTS / f"touch_convolution_{name}_before.png"))
    page.touchscreen.tap(target["px"] + 2, target["py"] - 2)  # a finger is never on the centre
    page.wait_for_selector(f"text=The arithmetic at output ({target['row']}, {target['col']})")
    wait_idle(page)
    after = arithmetic(page)
    assert after != before and f"({target['row']}, {target['col']})" in after
    page.screenshot(path=str(ARTIFACTS / f"touch_convolution_{name}_after.png"))
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_tap_adds_a_perceptron_point(phone):
    url, page = phone
    open_chart(page, url + "/perceptron?data=your%20points", "perc_plot")
    before = page.evaluate(_POINTS_JS)
    target = pick_point(page, "", fraction=0.3, offset=5)  # the plot's pick grid (the only one on the page)
    page.screenshot(path=str(ARTIFACTS / "touch_perceptron_before.png"))
    page.touchscreen.tap(target["px"], target["py"])
    page.wait_for_function(f"() => ({_POINTS_JS})() === {before + 1}")
    wait_idle(page)
    assert page.evaluate(_POINTS_JS) == before + 1
    page.screenshot(path=str(ARTIFACTS / "touch_perceptron_after.png"))
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_swipe_over_the_feature_map_picks_nothing(phone):
    """Scrolling the page with a finger on the figure is not a tap."""
    url, page = phone
    open_at(page, url + "/convolution?src=Type%20a%20matrix", "The arithmetic at output (0, 0)")
    target = pick_point(page, "Feature map", fraction=0.6, offset=1)
    session = page.context.new_cdp_session(page)
    x, y = target["px"], target["py"]
    for kind, dy in (("touchStart", 0), ("touchMove", -30), ("touchMove", -60), ("touchEnd", -60)):
        points = [] if kind == "touchEnd" else [{"x": x, "y": y + dy}]
        session.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})
    wait_idle(page)
    assert page.locator("h2").filter(has_text="The arithmetic at output (0, 0)").count() == 1


#: Centre on screen of tile (row, col) of the picture chart with key ``key`` (rows × cols tiles).
_TILE_JS = """([key, row, col, rows, cols]) => {
  const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`);
  gd.scrollIntoView({block: "center"});
  const fl = gd._fullLayout, r = gd.getBoundingClientRect(),
        [x0, x1] = fl.xaxis.range, [y1, y0] = fl.yaxis.range;
  const x = x0 + (col + 0.5) * (x1 - x0) / cols, y = y0 + (row + 0.5) * (y1 - y0) / rows;
  return {px: r.left + fl.xaxis._offset + fl.xaxis.l2p(x), py: r.top + fl.yaxis._offset + fl.yaxis.l2p(y)};
}"""


def tile_centre(page, key: str, tile: tuple[int, int], grid: tuple[int, int]) -> dict:
    """Screen position (``px``, ``py``) of the centre of tile ``(row, col)`` of the ``(rows, cols)``
    picture chart of widget ``key``, scrolled into view."""
    return page.evaluate(_TILE_JS, [key, *tile, *grid])


def wait_for_chart_title(page, title: str) -> None:
    """Wait until a chart's title reads exactly ``title``, then for the run to finish."""
    page.wait_for_function(
        "(t) => [...document.querySelectorAll('.gtitle')].some(e => e.textContent === t)", arg=title
    )
    wait_idle(page)


def test_a_tap_on_the_latent_plane_decodes_that_point(phone):
    url, page = phone
    open_chart(page, url + "/autoencoder", "ae_plane")
    target = pick_point(page, "", fraction=0.8, offset=7)  # the plane is the page's first chart
    page.touchscreen.tap(target["px"], target["py"])
    page.wait_for_function(f"() => location.search.includes('x={round(target['col'], 2):g}')")
    wait_idle(page)
    title = f"decoder({target['col']:.2f}, {target['row']:.2f})"
    assert page.locator(".st-key-ae_decoded").inner_text().find(title) >= 0
    page.screenshot(path=str(ARTIFACTS / "touch_autoencoder_after.png"))


def test_a_tap_on_the_pooled_output_picks_that_window(phone):
    url, page = phone
    page.goto(url + "/pooling")
    page.wait_for_selector("text=output (0, 0) =")
    wait_idle(page)
    target = pick_point(page, "Pooled", fraction=1.0, offset=-1)  # the last cell
    page.touchscreen.tap(target["px"], target["py"])
    page.wait_for_selector(f"text=output ({target['row']}, {target['col']}) =")
    assert (target["row"], target["col"]) != (0, 0)


def test_a_tap_on_the_gan_grid_picks_that_sample(phone):
    url, page = phone
    open_chart(page, url + "/gan", "gan_grid")
    target = tile_centre(page, "gan_grid", (4, 5), (8, 8))  # sample #37 (8 × 8 tiles)
    page.screenshot(path=str(ARTIFACTS / "touch_gan_before.png"))
    page.touchscreen.tap(target["px"], target["py"])
    page.wait_for_function("() => document.querySelector('.st-key-gan_pick input').value === '37'")
    wait_idle(page)
    page.screenshot(path=str(ARTIFACTS / "touch_gan_after.png"))


def test_a_mouse_click_on_a_cnn_map_enlarges_it(browser_page):
    url, page = browser_page
    open_chart(page, url + "/cnn_activations", "act_fm_conv1")
    target = tile_centre(page, "act_fm_conv1", (2, 2), (4, 4))  # conv1: 16 maps, 4 x 4
    page.mouse.click(target["px"], target["py"])
    wait_for_chart_title(page, "conv1, map 10")
    assert page.locator('[data-testid="stException"]').count() == 0


#: The width in CSS px of one tile of a ``cols``-column picture chart, as drawn.
_TILE_WIDTH_JS = """([key, cols]) => document.querySelector(`.st-key-${key} .js-plotly-plot`)
  ._fullLayout.xaxis._length / cols"""


def test_a_tap_on_a_cnn_map_enlarges_it_and_the_maps_are_finger_sized(phone):
    url, page = phone
    open_chart(page, url + "/cnn_activations", "act_fm_conv2")
    for key in ("act_fm_conv1", "act_fm_conv2"):  # 16 and 32 maps, 4 a row on a phone
        assert page.evaluate(_TILE_WIDTH_JS, [key, 4]) >= 44
    target = tile_centre(page, "act_fm_conv2", (5, 3), (8, 4))  # conv2: 32 maps, 8 x 4: map 23
    page.touchscreen.tap(target["px"], target["py"])
    wait_for_chart_title(page, "conv2, map 23")
    page.screenshot(path=str(ARTIFACTS / "touch_cnn_after.png"))


def test_a_tap_on_a_ranked_deep_feature_map_picks_that_map(phone):
    url, page = phone
    open_chart(page, url + "/deep_features?src=Sample%20photo&sample=rocket&size=224", "dfe_maps")
    label = page.evaluate(  # the tile's own label, "map K · mean"
        "() => document.querySelector('.st-key-dfe_maps .js-plotly-plot').layout.annotations[10].text"
    )
    title = f"block3_conv3, {label.split(' · ')[0]}: click a unit"
    assert page.locator(".gtitle").filter(has_text=title).count() == 0
    target = tile_centre(page, "dfe_maps", (2, 2), (4, 4))  # ranks 1-16, 4 x 4: rank 11
    page.touchscreen.tap(target["px"], target["py"])
    wait_for_chart_title(page, title)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / "touch_deep_features_after.png"))
