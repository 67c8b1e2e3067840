"""The toy 2-D GAN: mixture data, gradients against TensorFlow, training steps, mode coverage."""

import numpy as np
import pytest

from core.maths import toy_gan


def test_mixture_of_gaussians_modes():
    pts = toy_gan.mixture_of_gaussians(4000, n_modes=4, radius=1.0, std=0.05, seed=0)
    angles = np.degrees(np.arctan2(pts[:, 1], pts[:, 0])) % 360
    counts = np.histogram(angles, bins=[0, 90, 180, 270, 360])[0]
    assert np.all(np.abs(counts - 1000) < 120)  # 45, 135, 225, 315 degrees
    np.testing.assert_allclose(np.linalg.norm(pts, axis=1).mean(), 1.0, atol=0.01)


def test_toy_gradients_match_tensorflow():
    import tensorflow as tf

    state = toy_gan.toy_gan_init(hidden=8, seed=3)
    rng = np.random.default_rng(0)
    real, z = toy_gan.mixture_of_gaussians(32, seed=1), rng.standard_normal((32, 2))
    out = toy_gan.toy_gan_losses(state, real, z)
    g_vars = [tf.Variable(p) for p in state["g"]]
    d_vars = [tf.Variable(p) for p in state["d"]]

    def mlp(params, x):
        for i in range(0, len(params), 2):
            x = tf.matmul(x, params[i]) + params[i + 1]
            x = tf.tanh(x) if i + 2 < len(params) else x
        return x

    with tf.GradientTape(persistent=True) as tape:
        lf, lr_ = mlp(d_vars, mlp(g_vars, tf.constant(z))), mlp(d_vars, tf.constant(real))
        d_loss = tf.reduce_mean(tf.nn.softplus(-lr_)) + tf.reduce_mean(tf.nn.softplus(lf))
        g_loss = tf.reduce_mean(tf.nn.softplus(-lf))
    assert out["d_loss"] == pytest.approx(float(d_loss), rel=1e-10)
    assert out["g_loss"] == pytest.approx(float(g_loss), rel=1e-10)
    for ours, ref in zip(out["d_grads"], tape.gradient(d_loss, d_vars), strict=False):
        np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-7, atol=1e-12)
    for ours, ref in zip(out["g_grads"], tape.gradient(g_loss, g_vars), strict=False):
        np.testing.assert_allclose(ours, ref.numpy(), rtol=1e-7, atol=1e-12)


def test_toy_steps_change_only_the_chosen_network():
    state = toy_gan.toy_gan_init(seed=0)
    rng = np.random.default_rng(9)
    real, z = toy_gan.mixture_of_gaussians(256, seed=9), rng.standard_normal((256, 2))
    d_only = toy_gan.toy_gan_train(state, steps=20, mode="discriminator")
    assert all(np.array_equal(a, b) for a, b in zip(d_only["g"], state["g"], strict=False))
    assert not np.array_equal(d_only["d"][0], state["d"][0])
    assert (
        toy_gan.toy_gan_losses(d_only, real, z)["d_loss"] < toy_gan.toy_gan_losses(state, real, z)["d_loss"]
    )
    g_only = toy_gan.toy_gan_train(d_only, steps=20, mode="generator")
    assert all(np.array_equal(a, b) for a, b in zip(g_only["d"], d_only["d"], strict=False))
    assert (
        toy_gan.toy_gan_losses(g_only, real, z)["g_loss"] < toy_gan.toy_gan_losses(d_only, real, z)["g_loss"]
    )
    assert state["steps"] == 0 and len(g_only["history"]) == 40  # inputs are not modified
    again = toy_gan.toy_gan_train(
        toy_gan.toy_gan_train(state, steps=20, mode="discriminator"), steps=20, mode="generator"
    )
    np.testing.assert_array_equal(again["g"][0], g_only["g"][0])  # same presses, same result
    with pytest.raises(ValueError, match="mode"):
        toy_gan.toy_gan_train(state, mode="neither")


def test_toy_gan_learns_the_modes():
    state = toy_gan.toy_gan_train(toy_gan.toy_gan_init(seed=0), steps=400, mode="both")
    view = toy_gan.toy_gan_view(state, n=400, grid=30)
    assert view["d_prob"].shape == (30, 30) and view["xs"].shape == (30,)
    centres = np.array([[np.cos(a), np.sin(a)] for a in np.pi / 4 + np.pi / 2 * np.arange(4)])
    dist = np.linalg.norm(view["fake"][:, None] - centres[None], axis=2)
    close = dist.min(axis=1) < 0.3
    assert close.mean() > 0.7
    assert np.all(np.bincount(dist.argmin(axis=1)[close], minlength=4) > 40)  # every mode covered


def test_toy_figures_pass_plotlys_validator_and_show_the_view():
    import plotly.graph_objects as go

    from core.figures.generative import toy_gan_figure, toy_history_figure

    state = toy_gan.toy_gan_train(toy_gan.toy_gan_init(seed=0), steps=3, mode="both")
    view = toy_gan.toy_gan_view(state, n=50, grid=12)
    fig = toy_gan_figure(view)
    go.Figure(fig.to_dict())  # built without validation: validate here
    heat, real, fake = fig.data
    np.testing.assert_allclose(heat.z, view["d_prob"], atol=1e-6)  # float32 on the wire
    np.testing.assert_allclose(fake.x, view["fake"][:, 0], atol=1e-6)
    assert (real.name, fake.name) == ("real", "generated")
    history = toy_history_figure(state["history"])
    go.Figure(history.to_dict())
    np.testing.assert_array_equal(history.data[0].x, [1, 2, 3])
    np.testing.assert_allclose(history.data[1].y, [h["g_loss"] for h in state["history"]], rtol=1e-6)
    assert [s.y0 for s in history.layout.shapes] == [pytest.approx(np.log(4)), pytest.approx(np.log(2))]


@pytest.mark.slow
def test_after_10000_steps_of_both_d_is_one_half_only_where_the_data_are():
    # The GAN page: "the map fades to 0.5 where the data are; elsewhere D stays near 0" (seed 0, the page's
    # default)
    state = toy_gan.toy_gan_train(toy_gan.toy_gan_init(seed=0), steps=10_000, mode="both")
    angles = np.pi / 4 + np.arange(4) * np.pi / 2  # the four blob centres
    centres = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    at_blobs = toy_gan._sigmoid(toy_gan._mlp_forward(state["d"], centres)[-1]).ravel()
    assert np.all((0.45 < at_blobs) & (at_blobs < 0.56))  # 0.48-0.53
    d_prob = toy_gan.toy_gan_view(state)["d_prob"]
    assert 0.85 < float((d_prob < 0.1).mean()) < 0.95  # 89 % of the 40 x 40 grid


def test_toy_gan_after_is_the_presses_trained_in_order():
    presses = (("discriminator", 3), ("both", 2), ("generator", 1))
    state = toy_gan.toy_gan_init(seed=5)
    for mode, steps in presses:
        state = toy_gan.toy_gan_train(state, mode=mode, steps=steps)
    after = toy_gan.toy_gan_after(5, presses)
    assert after["steps"] == state["steps"] == 6
    for a, b in zip(after["g"] + after["d"], state["g"] + state["d"], strict=False):
        np.testing.assert_array_equal(a, b)
    assert toy_gan.toy_gan_after(5, ())["steps"] == 0


def test_toy_gan_after_continues_from_what_before_gives_and_replays_on_recursion_error():
    asked = []

    def cached(seed, actions):  # a cache that has the history before the last press
        asked.append(actions)
        return toy_gan.toy_gan_after(seed, actions)

    presses = (("both", 4), ("discriminator", 2))
    direct = toy_gan.toy_gan_after(1, presses)
    assert asked == [] and toy_gan.toy_gan_after(1, presses, before=cached)["steps"] == direct["steps"]
    assert asked == [(("both", 4),)]

    def too_deep(seed, actions):
        raise RecursionError

    replayed = toy_gan.toy_gan_after(1, presses, before=too_deep)
    for a, b in zip(replayed["g"], direct["g"], strict=False):
        np.testing.assert_array_equal(a, b)
