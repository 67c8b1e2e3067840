"""Threshold neurons: the seed's gates and numbers, exact separability (14/16 and 104/256 oracles),
the XOR proof and network, Madaline's OR unit."""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import neurons as nn


def outputs_of(name):
    return nn.BOOLEAN_FUNCTIONS[name].outputs


def test_step_convention_fires_at_zero():
    assert nn.threshold_unit((1, 1), (1, 1), -2) == 1  # potential exactly 0 -> 1
    assert nn.threshold_unit((0, 0), (1, 1), 0, bipolar=True) == 1
    assert nn.threshold_unit((1, 1), (1, 1), -2.0001) == 0


def test_input_rows_order():
    np.testing.assert_array_equal(nn.input_rows(2), [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(nn.input_rows(2, bipolar=True), [[-1, -1], [-1, 1], [1, -1], [1, 1]])
    assert nn.input_rows(3).tolist()[3] == [0, 1, 1]


def test_and_neuron_as_in_the_seed():
    # w1 = w2 = 1, w0 = -1.5 (l.233); worked case x = (0, 1): phi(-0.5) = 0 (l.240)
    gate = nn.GATES["AND"]
    assert (gate.weights, gate.bias) == ((1.0, 1.0), -1.5)
    assert nn.potential((0, 1), gate.weights, gate.bias) == -0.5
    table = nn.truth_table(gate.weights, gate.bias)
    np.testing.assert_allclose(table.potentials, [-1.5, -0.5, -0.5, 0.5])  # l.276-282
    np.testing.assert_array_equal(table.outputs, [0, 0, 0, 1])
    assert table.matches(outputs_of("AND")).all()
    assert table.matches(outputs_of("OR")).tolist() == [True, False, False, True]


def test_or_neuron_and_the_seeds_bias_minus_one_table():
    gate = nn.GATES["OR"]
    table = nn.truth_table(gate.weights, gate.bias)
    np.testing.assert_allclose(table.potentials, [-0.5, 0.5, 0.5, 1.5])
    np.testing.assert_array_equal(table.outputs, [0, 1, 1, 1])
    # the book's table shows phi(-1), phi(0), phi(0), phi(1): bias -1, still OR because phi(0) = 1
    book = nn.truth_table((1, 1), -1)
    np.testing.assert_allclose(book.potentials, [-1, 0, 0, 1])
    np.testing.assert_array_equal(book.outputs, [0, 1, 1, 1])
    assert "bias -1" in gate.note


@pytest.mark.parametrize("name", ["AND", "OR", "NAND", "NOR", "x1 AND NOT x2", "NOT x1 AND x2"])
def test_two_input_presets_compute_their_function(name):
    gate = nn.GATES[name]
    np.testing.assert_array_equal(nn.truth_table(gate.weights, gate.bias).outputs, outputs_of(name))


def test_not_gate_has_one_input():
    np.testing.assert_array_equal(nn.truth_table(nn.GATES["NOT"].weights, nn.GATES["NOT"].bias).outputs, [1, 0])


def test_madaline_or_unit():
    # v1 = v2 = b3 = 1/2 (l.1026), bipolar step: y_in = -0.5, 0.5, 0.5, 1.5 -> -1, 1, 1, 1
    gate = nn.GATES["Madaline OR"]
    assert (gate.weights, gate.bias, gate.bipolar) == ((0.5, 0.5), 0.5, True)
    table = nn.truth_table(gate.weights, gate.bias, bipolar=True)
    np.testing.assert_array_equal(table.inputs, [[-1, -1], [-1, 1], [1, -1], [1, 1]])
    np.testing.assert_allclose(table.potentials, [-0.5, 0.5, 0.5, 1.5])
    np.testing.assert_array_equal(table.outputs, [-1, 1, 1, 1])


def test_mcculloch_pitts_thresholds():
    x = nn.input_rows(2)
    np.testing.assert_array_equal(nn.mcculloch_pitts(x, threshold=2), [0, 0, 0, 1])  # AND
    np.testing.assert_array_equal(nn.mcculloch_pitts(x, threshold=1), [0, 1, 1, 1])  # OR
    np.testing.assert_array_equal(nn.mcculloch_pitts(x, inhibitory=(1,), threshold=1), [0, 0, 1, 0])
    np.testing.assert_array_equal(nn.mcculloch_pitts([[0], [1]], inhibitory=(0,), threshold=0), [1, 0])  # NOT


def test_sixteen_functions_and_fourteen_separable():
    names = nn.TWO_INPUT_FUNCTIONS
    assert len(names) == 16
    assert sorted(nn.BOOLEAN_FUNCTIONS[n].outputs for n in names) == sorted(itertools.product((0, 1), repeat=4))
    results = {n: nn.is_linearly_separable(nn.BOOLEAN_FUNCTIONS[n]) for n in names}
    assert sum(r.separable for r in results.values()) == 14
    assert {n for n, r in results.items() if not r.separable} == {"XOR", "XNOR"}
    for n, r in results.items():
        if r.separable:  # the returned neuron computes the function, with phi(0) = 1
            np.testing.assert_array_equal(nn.truth_table(r.weights, r.bias).outputs, outputs_of(n), err_msg=n)


def test_separating_weights_for_and_or_are_the_seeds():
    for outputs, bias in (((0, 0, 0, 1), -1.5), ((0, 1, 1, 1), -0.5)):  # AND, OR
        r = nn.is_linearly_separable(outputs)
        assert (r.weights, r.bias) == ((1, 1), bias)


def test_three_inputs_104_of_256_separable_majority_yes_parity_no():
    # 104 = number of threshold functions of 3 variables (OEIS A000609)
    count = 0
    for outputs in itertools.product((0, 1), repeat=8):
        r = nn.is_linearly_separable(outputs)
        if r.separable:
            count += 1
            np.testing.assert_array_equal(nn.truth_table(r.weights, r.bias).outputs, outputs)
    assert count == 104
    maj = nn.is_linearly_separable(nn.BOOLEAN_FUNCTIONS["MAJORITY"])
    assert maj.separable and (maj.weights, maj.bias) == ((1, 1, 1), -1.5)
    assert not nn.is_linearly_separable(nn.BOOLEAN_FUNCTIONS["PARITY"]).separable


@pytest.mark.parametrize("name", ["XOR", "XNOR", "PARITY"])
def test_non_separable_certificate_is_valid(name):
    out = np.array(outputs_of(name))
    r = nn.is_linearly_separable(out)
    x = nn.input_rows(int(np.log2(out.size)))
    c = np.array(r.hull_weights)
    assert (c >= -1e-12).all()
    assert c[out == 1].sum() == pytest.approx(1) and c[out == 0].sum() == pytest.approx(1)
    np.testing.assert_allclose(c[out == 1] @ x[out == 1], r.common_point, atol=1e-9)
    np.testing.assert_allclose(c[out == 0] @ x[out == 0], r.common_point, atol=1e-9)
    if name == "XOR":
        assert r.common_point == pytest.approx((0.5, 0.5))
        assert "1/2·(row 01) + 1/2·(row 10)" in r.explanation[0]
        assert "w₁·1/2 + w₂·1/2 + w₀ ≥ 0" in r.explanation[0]


def test_grid_search_finds_no_xor_neuron():
    # w1, w2, w0 in [-3, 3] step 0.25 (25^3 points): no XOR solution (seed notes), many for AND and OR
    assert nn.count_grid_solutions(outputs_of("XOR")) == 0
    assert nn.count_grid_solutions(outputs_of("XNOR")) == 0
    for name in nn.TWO_INPUT_FUNCTIONS:
        if name not in ("XOR", "XNOR"):
            assert nn.count_grid_solutions(outputs_of(name)) > 0, name


def test_xor_contradiction_as_the_seed_argues():
    proof = nn.xor_contradiction()
    assert proof.inequalities == (r"w_1\cdot 0 + w_2\cdot 0 + w_0 < 0", r"w_1\cdot 0 + w_2\cdot 1 + w_0 \ge 0",
                                  r"w_1\cdot 1 + w_2\cdot 0 + w_0 \ge 0", r"w_1\cdot 1 + w_2\cdot 1 + w_0 < 0")
    assert proof.substitution == "h = -w_0"
    assert proof.substituted == ("0 < h", r"w_2 \ge h", r"w_1 \ge h", r"w_1 + w_2 < h")
    assert "004_36a7c4616778873b.txt" in proof.source


def test_row_inequalities_of_and():
    assert nn.row_inequalities(outputs_of("AND"))[3] == r"w_1\cdot 1 + w_2\cdot 1 + w_0 \ge 0"


def test_xor_two_layer_network_with_hidden_values():
    t = nn.two_layer_table()
    np.testing.assert_array_equal(t.hidden[:, 0], [0, 0, 1, 0])  # z1 = x1 AND NOT x2
    np.testing.assert_array_equal(t.hidden[:, 1], [0, 1, 0, 0])  # z2 = NOT x1 AND x2
    np.testing.assert_allclose(t.hidden_potentials, [[-0.5, -0.5], [-1.5, 0.5], [0.5, -1.5], [-0.5, -0.5]])
    np.testing.assert_allclose(t.output_potentials, [-0.5, 0.5, 0.5, -0.5])
    np.testing.assert_array_equal(t.outputs, outputs_of("XOR"))
    # in hidden space (z1, z2) XOR becomes linearly separable
    assert nn.separate_points(t.hidden, t.outputs).separable
    assert not nn.separate_points(t.inputs, t.outputs).separable


def test_two_layer_table_with_other_weights_computes_xnor():
    t = nn.two_layer_table(output_weights=(-1, -1), output_bias=0.5)  # NOR of z1, z2
    np.testing.assert_array_equal(t.outputs, outputs_of("XNOR"))


def test_decision_segment():
    assert nn.decision_segment((1, 1), -1.5) == ((1.5, 0.0), (0.0, 1.5))
    assert nn.decision_segment((1, 0), -0.5) == ((0.5, -0.5), (0.5, 1.5))  # vertical
    assert nn.decision_segment((0, 0), 1) is None
    assert nn.decision_segment((1, 1), -10) is None  # misses the square
    # the fruit's final separating line from x = 110 to 220 (seed 2.3.4, values derived)
    (xa, ya), (xb, yb) = nn.decision_segment((-27.72, 300.304), -1229.98, x_range=(110, 220), y_range=(0, 30))
    assert (xa, xb) == (110, 220) and ya == pytest.approx(14.2495, abs=1e-4) and yb == pytest.approx(24.4032, abs=1e-4)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 3), data=st.data())
def test_any_neuron_computes_a_separable_function(n, data):
    w = data.draw(st.lists(st.floats(-3, 3, allow_nan=False), min_size=n, max_size=n))
    b = data.draw(st.floats(-3, 3, allow_nan=False))
    out = nn.truth_table(w, b).outputs
    r = nn.is_linearly_separable(out)
    assert r.separable
    np.testing.assert_array_equal(nn.truth_table(r.weights, r.bias).outputs, out)


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="`weights`"):
        nn.truth_table([], 0)
    with pytest.raises(ValueError, match="`truth_table`"):
        nn.is_linearly_separable([0, 1, 1])
    with pytest.raises(ValueError, match="`truth_table`"):
        nn.is_linearly_separable([0, 1, 2, 0])
    with pytest.raises(ValueError, match="`name`"):
        nn.boolean_function("IMPLIES")
    with pytest.raises(ValueError, match="`n_inputs`"):
        nn.input_rows(0)
    with pytest.raises(ValueError, match="`x`"):
        nn.potential([1, 2, 3], (1, 1), 0)
    with pytest.raises(ValueError, match="`inhibitory`"):
        nn.mcculloch_pitts([1, 0], inhibitory=(2,), threshold=1)
    with pytest.raises(ValueError, match="`x_range`"):
        nn.decision_segment((1, 1), 0, x_range=(1, 0))
    with pytest.raises(ValueError, match="`step_size`"):
        nn.count_grid_solutions([0, 0, 0, 1], step_size=0)
    with pytest.raises(ValueError, match="`hidden_weights`"):
        nn.two_layer_table(hidden_weights=(1, 1))
    with pytest.raises(ValueError, match="`labels`"):
        nn.separate_points([[0, 0], [1, 1]], [0, 2])
    with pytest.raises(TypeError, match="`bias`"):
        nn.truth_table((1, 1), "x")
