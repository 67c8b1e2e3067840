"""The shared generative bundle (``core.models.generative_bundle``): each call gives what the model
functions give, and each call on a Keras model waits for the bundle's lock (the caches never take it)."""

import threading

import numpy as np
import pytest

from core.maths import interpolation
from core.models import autoencoder as ae
from core.models import gan
from core.models.generative_bundle import GenerativeBundle


@pytest.fixture(scope="module")
def ae_bundle():
    model = ae.build_dense_autoencoder(latent_dim=2, hidden_units=(16,))
    return GenerativeBundle("ae2d", model, manifest={}, status="test")


@pytest.fixture(scope="module")
def gan_bundle():
    model = gan.DCGAN(
        gan.build_generator(latent_dim=8, filters=(4, 4)), gan.build_discriminator(filters=(4, 4))
    )
    return GenerativeBundle("dcgan", model, manifest={}, status="test")


@pytest.fixture(scope="module")
def digits():
    return np.random.default_rng(0).random((3, 28, 28)).astype(np.float32)


def test_project_is_encode_reconstruct_and_their_error(ae_bundle, digits):
    out = ae_bundle.project(digits[1])
    np.testing.assert_allclose(out["code"], ae.encode(ae_bundle.model, digits[1:2])[0], rtol=1e-6)
    np.testing.assert_allclose(
        out["reconstruction"], ae.reconstruct(ae_bundle.model, digits[1:2])[0], rtol=1e-6
    )
    assert out["error"] == pytest.approx(float(np.mean((out["reconstruction"] - digits[1]) ** 2)), rel=1e-5)
    assert out["code"].shape == (2,) and out["reconstruction"].shape == (28, 28)
    with pytest.raises(ValueError, match="28 x 28"):
        ae_bundle.project(np.zeros((27, 27)))


def test_decode_line_runs_from_one_code_to_the_other(ae_bundle):
    path, images = ae_bundle.decode_line([0.0, -1.0], [2.0, 3.0], 5)
    np.testing.assert_allclose(path[[0, 2, -1]], [[0, -1], [1, 1], [2, 3]], atol=1e-6)
    np.testing.assert_allclose(images, ae.decode(ae_bundle.model, path), rtol=1e-6)
    with pytest.raises(ValueError):
        ae_bundle.decode_line([0.0, 0.0], [1.0, 1.0], 1)


def test_denoise_restores_the_noise_add_noise_makes(ae_bundle, digits):
    clean, noisy, restored = ae_bundle.denoise(digits, noise_factor=0.5, seed=3)
    np.testing.assert_array_equal(noisy, ae.add_noise(digits, noise_factor=0.5, seed=3))
    assert np.abs(noisy - clean).max() > 0.1
    np.testing.assert_allclose(restored, ae.reconstruct(ae_bundle.model, noisy), rtol=1e-6)


def test_samples_are_the_seeds_noise_generated_and_scored(gan_bundle):
    images, scores = gan_bundle.samples(6, seed=4)
    z = gan.sample_latent(6, latent_dim=8, seed=4)
    np.testing.assert_allclose(images, gan.generate(gan_bundle.model.generator, z), rtol=1e-6)
    np.testing.assert_allclose(
        scores, gan.discriminator_score(gan_bundle.model.discriminator, images), rtol=1e-6
    )
    np.testing.assert_array_equal(gan_bundle.latent(3, seed=4), z[:3])  # sample i is row i, any n
    assert gan_bundle.gan_sizes() == {
        "latent_dim": 8,
        "generator_params": gan_bundle.model.generator.count_params(),
        "discriminator_params": gan_bundle.model.discriminator.count_params(),
    }


def test_interpolate_splits_one_generator_call_into_both_paths(gan_bundle):
    z = gan_bundle.latent(2, seed=1)
    out = gan_bundle.interpolate(z[0], z[1], 4)
    for method, make in (("lerp", interpolation.lerp), ("slerp", interpolation.slerp)):
        path, images = out[method]
        np.testing.assert_allclose(path, make(z[0], z[1], 4), rtol=1e-6)
        np.testing.assert_allclose(
            images, gan.generate(gan_bundle.model.generator, path), rtol=1e-5, atol=1e-6
        )
    with pytest.raises(ValueError):
        gan_bundle.interpolate(z[0], z[1], 1)


def test_vary_dimension_generates_each_value(gan_bundle):
    z = gan_bundle.latent(1, seed=2)[0]
    images = gan_bundle.vary_dimension(z, dim=3, values=(-1.0, 2.0))
    np.testing.assert_allclose(
        images,
        gan.generate(gan_bundle.model.generator, gan.vary_dimension(z, dim=3, values=[-1.0, 2.0])),
        rtol=1e-6,
    )


AE_CALLS = {
    "encode": lambda b, x: b.encode(x),
    "decode": lambda b, x: b.decode([[0.0, 0.0]]),
    "reconstruct": lambda b, x: b.reconstruct(x),
    "error": lambda b, x: b.reconstruction_error(x),
    "project": lambda b, x: b.project(x[0]),
    "manifold": lambda b, x: b.decode_manifold((0, 1), (0, 1), 2),
}
GAN_CALLS = {
    "generate": lambda b, x: b.generate(np.zeros((1, 8))),
    "score": lambda b, x: b.score(x),
    "sizes": lambda b, x: b.gan_sizes(),
}


@pytest.mark.parametrize("name", [*AE_CALLS, *GAN_CALLS])
def test_every_model_call_waits_for_the_bundles_lock(ae_bundle, gan_bundle, digits, name):
    """While another thread holds a bundle's lock, a call on its model does not run; it runs once released."""
    bundle, call = (ae_bundle, AE_CALLS[name]) if name in AE_CALLS else (gan_bundle, GAN_CALLS[name])
    done = []
    with bundle.lock:
        worker = threading.Thread(target=lambda: done.append(call(bundle, digits)))
        worker.start()
        worker.join(timeout=0.3)
        assert worker.is_alive() and not done  # blocked on the lock, not finished
    worker.join(timeout=60)
    assert len(done) == 1
