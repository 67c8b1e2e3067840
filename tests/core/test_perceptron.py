"""Learning rules: the seed's fruit perceptron epoch by epoch, Hebb's failure, Adaline against least
squares, and the perceptron convergence theorem's mistake bound on random separable data."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.data import perceptron_sets as tsets
from core.maths import perceptron as pc
from core.maths.neurons import decision_segment


@pytest.fixture(scope="module")
def fruit():
    return pc.train_perceptron(
        tsets.FRUIT_X,
        tsets.FRUIT_TARGETS,
        weights=tsets.FRUIT_INITIAL_WEIGHTS,
        bias=tsets.FRUIT_INITIAL_BIAS,
        learning_rate=tsets.FRUIT_LEARNING_RATE,
    )


def test_fruit_epoch_one_potentials_and_the_single_update(fruit):
    e1 = [r for r in fruit.history if r.epoch == 1]
    assert [r.potential for r in e1] == pytest.approx([180.0, -90.0, -4228.3224, -4202.9176], abs=1e-9)
    assert [r.output for r in e1] == [1, -1, -1, -1]
    assert [r.updated for r in e1] == [False, True, False, False]
    up = e1[1]
    assert up.index == 1 and up.sample == (114, 15.2) and up.target == 1 and up.error == 2
    assert up.delta_weights == pytest.approx((2.28, 0.304)) and up.delta_bias == pytest.approx(0.02)
    assert (up.weights_before, up.bias_before) == ((-30, 300), -1230)
    assert up.weights_after == pytest.approx((-27.72, 300.304), abs=1e-12)
    assert up.bias_after == pytest.approx(-1229.98, abs=1e-12)


def test_fruit_epoch_two_makes_no_update_and_converges(fruit):
    e2 = [r for r in fruit.history if r.epoch == 2]
    assert [r.potential for r in e2] == pytest.approx([461.0072, 174.5608, -4228.3224, -4202.9176], abs=1e-9)
    assert not any(r.updated for r in e2)
    assert fruit.converged and fruit.stopped == "converged" and fruit.epochs == 2
    assert fruit.errors_per_epoch == (1, 0) and fruit.updates == 1 and fruit.mistakes == 1
    assert fruit.weights == pytest.approx((-27.72, 300.304)) and fruit.bias == pytest.approx(-1229.98)


def test_book_typo_is_flagged_not_copied(fruit):
    assert fruit.bias != pytest.approx(-1229.08)
    assert "-1229.08" in tsets.FRUIT_TYPO_NOTE and "-1229.98" in tsets.FRUIT_TYPO_NOTE


def test_fruit_classification_of_new_fruit(fruit):
    ts = tsets.training_set("fruit")
    potentials, outputs = pc.predict(
        [q for q, _ in tsets.FRUIT_QUERIES], weights=fruit.weights, bias=fruit.bias
    )
    assert [ts.class_name(y) for y in outputs] == [c for _, c in tsets.FRUIT_QUERIES] == ["C2", "C1", "C1"]
    np.testing.assert_allclose(potentials, [-3216.54, 895.30, 264.6616], atol=1e-6)
    # with the initial weights (140, 17.9) would be C2 (potential -60)
    v, y = pc.predict((140, 17.9), weights=tsets.FRUIT_INITIAL_WEIGHTS, bias=tsets.FRUIT_INITIAL_BIAS)
    assert v == pytest.approx(-60) and ts.class_name(y) == "C2"


def test_fruit_update_written_out(fruit):
    w_line, b_line = pc.update_equation(fruit.history[1], rule="perceptron", learning_rate=0.01)
    assert w_line == r"w \leftarrow [-30,\ 300] + 0.01\cdot(1 - (-1))\cdot[114,\ 15.2] = [-27.72,\ 300.304]"
    assert b_line == r"b \leftarrow -1230 + 0.01\cdot(1 - (-1)) = -1229.98"


def test_state_at_and_epoch_end(fruit):
    assert fruit.state_at(0) == ((-30, 300), -1230)
    assert fruit.state_at(2)[0] == pytest.approx((-27.72, 300.304))
    assert fruit.epoch_end(0) == 4 and fruit.epoch_end(4) == 8 and fruit.epoch_end(8) == 8
    with pytest.raises(ValueError, match="`k`"):
        fruit.state_at(9)


def test_final_separating_line_passes_between_the_classes(fruit):
    (_, y110), (_, y220) = decision_segment(fruit.weights, fruit.bias, x_range=(110, 220), y_range=(0, 40))
    assert (y110, y220) == pytest.approx((14.2495, 24.4032), abs=1e-4)


def test_binary_convention_moves_by_eta_x():
    ts = tsets.training_set("AND")
    r = pc.train_perceptron(ts.x, ts.targets("binary"), learning_rate=0.5, convention="binary")
    first = r.history[0]  # sample 00, potential 0 fires (phi(0) = 1) but target 0
    assert (first.potential, first.output, first.error, first.delta_bias) == (0, 1, -1, -0.5)
    assert r.converged
    np.testing.assert_array_equal(
        pc.predict(ts.x, weights=r.weights, bias=r.bias, convention="binary")[1], [0, 0, 0, 1]
    )


def test_xor_does_not_converge_with_a_clear_message():
    ts = tsets.training_set("XOR")
    r = pc.train_perceptron(ts.x, ts.targets(), max_epochs=50)
    assert not r.converged and r.stopped == "max_epochs" and r.epochs == 50 and len(r.history) == 200
    assert r.message.startswith("Did not converge within 50 epochs") and "not linearly separable" in r.message


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(5, 40), eta=st.floats(0.01, 10), shuffle=st.booleans())
def test_mistakes_never_exceed_the_convergence_theorem_bound(seed, n, eta, shuffle):
    rng = np.random.default_rng(seed)
    w_true, b_true = rng.normal(size=2), rng.uniform(-0.5, 0.5)
    x = rng.uniform(-1, 1, size=(4 * n, 2))
    margin = x @ w_true + b_true
    x = x[np.abs(margin) > 0.1 * np.linalg.norm(np.r_[w_true, b_true])][:n]
    labels = (x @ w_true + b_true > 0).astype(int)
    r_, gamma, bound = pc.mistake_bound(x, labels, weights=w_true, bias=b_true)
    assert gamma >= 0.1 - 1e-12
    result = pc.train_perceptron(
        x,
        np.where(labels == 1, 1, -1),
        learning_rate=eta,
        max_epochs=1000,
        order_seed=seed if shuffle else None,
    )
    assert result.converged
    assert result.mistakes <= bound
    assert result.mistakes <= pc.mistake_bound(x, labels)[2] + 1e-9  # with the LP's own separator


def test_hebb_fails_on_and_and_or_from_zero():
    for name in ("AND", "OR"):
        ts = tsets.training_set(name)
        r = pc.train_hebb(ts.x, ts.targets("binary"))
        # 00 fires (potential 0), target 0: the bias drops to -1; afterwards nothing ever fires
        assert r.history[0].delta_bias == -1 and r.history[0].delta_weights == (0, 0)
        assert (r.weights, r.bias) == ((0, 0), -1)
        assert r.stopped == "stuck" and not r.converged and r.epochs == 2
        assert "never corrected" in r.message


def test_hebb_rule_exactly_as_printed():
    # y = 1 and y_d = 1: only weights of active inputs (and the bias, x0 = 1) grow by delta
    r = pc.train_hebb([[1, 0, 1]], [1], delta=0.5)
    assert r.history[0].delta_weights == (0.5, 0, 0.5) and r.history[0].delta_bias == 0.5
    # y = 0: nothing happens even though the target is 1
    r = pc.train_hebb([[1, 1]], [1], bias=-5)
    assert not r.history[0].updated and r.stopped == "stuck"
    with pytest.raises(ValueError, match="binary"):
        pc.train_hebb(tsets.FRUIT_X, [1, 1, 0, 0])


def test_adaline_update_and_least_squares_limit():
    ts = tsets.training_set("AND")
    r = pc.train_adaline(ts.x, ts.targets(), learning_rate=0.02, max_epochs=2000, tolerance=1e-10)
    first = r.history[0]  # sample 00 from zeros: v = 0, error t - v = -1, only the bias moves
    assert (first.potential, first.error, first.delta_bias, first.delta_weights) == (0, -1, -0.02, (0, 0))
    aug = np.hstack([ts.x, np.ones((4, 1))])
    lstsq = np.linalg.lstsq(aug, ts.targets(), rcond=None)[0]
    np.testing.assert_allclose(lstsq, [1, 1, -1.5], atol=1e-12)  # the seed's AND weights
    np.testing.assert_allclose(r.weights + (r.bias,), lstsq, atol=0.05)
    assert r.converged and r.mse_per_epoch[-1] == pytest.approx(0.25, abs=0.005)
    assert r.mse_initial == 1.0 and r.mse_per_epoch[-1] < r.mse_per_epoch[0] < r.mse_initial
    assert pc.DELTA_RULE_NOTE in r.notes


def test_adaline_diverges_on_raw_fruit_with_the_perceptrons_rate():
    r = pc.train_adaline(tsets.FRUIT_X, tsets.FRUIT_TARGETS, learning_rate=0.01)
    assert r.stopped == "diverged" and "too large" in r.message


def test_order_seed_shuffles_reproducibly():
    ts = tsets.training_set("blobs", seed=3)
    a = pc.train_perceptron(ts.x, ts.targets(), order_seed=7)
    b = pc.train_perceptron(ts.x, ts.targets(), order_seed=7)
    assert [r.index for r in a.history] == [r.index for r in b.history]
    assert [r.index for r in a.history[: len(ts.x)]] != list(range(len(ts.x)))


def test_train_dispatches_and_maps_hebb_step():
    ts = tsets.training_set("AND")
    r = pc.train("hebb", ts.x, ts.targets(pc.RULE_CONVENTION["hebb"]), learning_rate=2.0)
    assert r.rule == "hebb" and r.history[0].delta_bias == -2.0


def test_errors_name_the_argument():
    ts = tsets.training_set("AND")
    with pytest.raises(ValueError, match="`targets`"):
        pc.train_perceptron(ts.x, ts.targets("binary"))  # 0/1 targets under the bipolar convention
    with pytest.raises(ValueError, match="`weights`"):
        pc.train_perceptron(ts.x, ts.targets(), weights=(1, 2, 3))
    with pytest.raises(ValueError, match="`learning_rate`"):
        pc.train_adaline(ts.x, ts.targets(), learning_rate=0)
    with pytest.raises(ValueError, match="`max_epochs`"):
        pc.train_perceptron(ts.x, ts.targets(), max_epochs=0)
    with pytest.raises(ValueError, match="`x`"):
        pc.train_perceptron([1, 2, 3], [1, 1, 1])
    with pytest.raises(ValueError, match="`rule`"):
        pc.train("backprop", ts.x, ts.targets())
    with pytest.raises(ValueError, match="`name`"):
        tsets.training_set("iris")
    with pytest.raises(ValueError, match="`labels`"):
        tsets.make_training_set([[0, 0], [1, 1]], [1, 3])
    with pytest.raises(ValueError, match="`x`"):
        tsets.make_training_set([[0, 0, 0]], [1])
    with pytest.raises(ValueError, match="not linearly separable"):
        pc.mistake_bound(ts.x, tsets.training_set("XOR").labels)


@pytest.mark.parametrize("rule", pc.RULES)
def test_every_rule_takes_the_shared_options_with_the_same_defaults(rule):
    ts = tsets.training_set("AND")
    t = ts.targets(pc.RULE_CONVENTION[rule])
    default = pc.train(rule, ts.x, t)
    spelled = pc.train(rule, ts.x, t, weights=(0, 0), bias=0.0, max_epochs=100, order_seed=None)
    assert default == spelled and default.initial_weights == (0.0, 0.0) and default.max_epochs == 100
    shuffled = pc.train(rule, ts.x, t, weights=(0.5, -0.5), bias=0.25, max_epochs=3, order_seed=1)
    assert shuffled.initial_weights == (0.5, -0.5) and shuffled.initial_bias == 0.25
    in_order = [k % 4 for k in range(len(shuffled.history))]
    assert shuffled.epochs <= 3 and [r.index for r in shuffled.history] != in_order
    with pytest.raises(TypeError, match="momentum"):
        pc.train(rule, ts.x, t, momentum=0.9)
