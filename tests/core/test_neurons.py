"""Threshold neurons: the seed's gates and numbers, the XOR network, Madaline's OR unit and the
decision line."""

import numpy as np
import pytest

from core.maths import boolean_functions as bf
from core.maths import neurons as nn
from core.maths import separability as sep


def outputs_of(name):
    return bf.BOOLEAN_FUNCTIONS[name].outputs


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
    np.testing.assert_array_equal(
        nn.truth_table(nn.GATES["NOT"].weights, nn.GATES["NOT"].bias).outputs, [1, 0]
    )


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


def test_xor_two_layer_network_with_hidden_values():
    t = nn.two_layer_table()
    np.testing.assert_array_equal(t.hidden[:, 0], [0, 0, 1, 0])  # z1 = x1 AND NOT x2
    np.testing.assert_array_equal(t.hidden[:, 1], [0, 1, 0, 0])  # z2 = NOT x1 AND x2
    np.testing.assert_allclose(t.hidden_potentials, [[-0.5, -0.5], [-1.5, 0.5], [0.5, -1.5], [-0.5, -0.5]])
    np.testing.assert_allclose(t.output_potentials, [-0.5, 0.5, 0.5, -0.5])
    np.testing.assert_array_equal(t.outputs, outputs_of("XOR"))
    # in hidden space (z1, z2) XOR becomes linearly separable
    assert sep.separate_points(t.hidden, t.outputs).separable
    assert not sep.separate_points(t.inputs, t.outputs).separable


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
    assert (
        (xa, xb) == (110, 220)
        and ya == pytest.approx(14.2495, abs=1e-4)
        and yb == pytest.approx(24.4032, abs=1e-4)
    )


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="`weights`"):
        nn.truth_table([], 0)
    with pytest.raises(ValueError, match="`truth_table`"):
        sep.is_linearly_separable([0, 1, 1])
    with pytest.raises(ValueError, match="`truth_table`"):
        sep.is_linearly_separable([0, 1, 2, 0])
    with pytest.raises(ValueError, match="`name`"):
        bf.boolean_function("IMPLIES")
    with pytest.raises(ValueError, match="`n_inputs`"):
        nn.input_rows(0)
    with pytest.raises(ValueError, match="`x`"):
        nn.potential([1, 2, 3], (1, 1), 0)
    with pytest.raises(ValueError, match="`inhibitory`"):
        nn.mcculloch_pitts([1, 0], inhibitory=(2,), threshold=1)
    with pytest.raises(ValueError, match="`x_range`"):
        nn.decision_segment((1, 1), 0, x_range=(1, 0))
    with pytest.raises(ValueError, match="`step_size`"):
        sep.count_grid_solutions([0, 0, 0, 1], step_size=0)
    with pytest.raises(ValueError, match="`hidden_weights`"):
        nn.two_layer_table(hidden_weights=(1, 1))
    with pytest.raises(ValueError, match="`labels`"):
        sep.separate_points([[0, 0], [1, 1]], [0, 2])
    with pytest.raises(TypeError, match="`bias`"):
        nn.truth_table((1, 1), "x")


def test_mcculloch_pitts_gates_from_the_course():
    """004_36a7c4616778873b.txt 1.1.6 (l.141-144): y = 1 if excitatory − inhibitory ≥ b. AND b = 2, OR b = 1,
    NOT b = 0 (inhibitory), x1 ∧ ¬x2 = [x1 − x2 ≥ 1]."""
    from core.maths.boolean_functions import BOOLEAN_FUNCTIONS
    from core.maths.neurons import MCCULLOCH_PITTS_GATES as MP
    from core.maths.neurons import input_rows, mcculloch_pitts, mcculloch_pitts_rows

    assert {n: (g.threshold, g.inhibitory) for n, g in MP.items()} == {
        "AND": (2, ()),
        "OR": (1, ()),
        "NOT": (0, (0,)),
        "x1 AND NOT x2": (1, (1,)),
    }
    for name in ("AND", "OR"):
        out = mcculloch_pitts(input_rows(2), threshold=MP[name].threshold)
        assert tuple(out) == BOOLEAN_FUNCTIONS[name].outputs
    assert list(mcculloch_pitts(input_rows(1), inhibitory=(0,), threshold=0)) == [1, 0]
    assert [r[2] for r in mcculloch_pitts_rows(MP["x1 AND NOT x2"])] == [0, 0, 1, 0]
    assert mcculloch_pitts_rows(MP["x1 AND NOT x2"])[2][1] == "x₁ − x₂ = 1 − 0 = 1 ≥ 1"
    assert mcculloch_pitts_rows(MP["NOT"])[1][1] == "−x₁ = −1 = −1 < 0"
    assert mcculloch_pitts_rows(MP["AND"])[3][1] == "x₁ + x₂ = 1 + 1 = 2 ≥ 2"


def test_the_1943_veto_rule_and_the_courses_subtraction():
    # McCulloch & Pitts (1943): one active inhibitory input prevents firing; the course subtracts it instead
    from core.maths.neurons import MCCULLOCH_PITTS_GATES as MP
    from core.maths.neurons import input_rows, mcculloch_pitts

    for gate in MP.values():  # the page's four gates: same table
        rows = input_rows(gate.n_inputs)
        np.testing.assert_array_equal(
            mcculloch_pitts(rows, inhibitory=gate.inhibitory, threshold=gate.threshold),
            mcculloch_pitts(rows, inhibitory=gate.inhibitory, threshold=gate.threshold, veto=True),
        )
    # x1 + x2 − x3 >= 1 at (1, 1, 1): the course's sum 1 fires, the 1943 neuron does not
    assert int(mcculloch_pitts([1, 1, 1], inhibitory=(2,), threshold=1)) == 1
    assert int(mcculloch_pitts([1, 1, 1], inhibitory=(2,), threshold=1, veto=True)) == 0
    np.testing.assert_array_equal(
        mcculloch_pitts(input_rows(3), inhibitory=(2,), threshold=1, veto=True), [0, 0, 1, 0, 1, 0, 1, 0]
    )


def test_or_note_explains_the_seeds_potentials():
    from core.maths.neurons import GATES, potential

    assert "bias -1" in GATES["OR"].note
    rows = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    assert list(potential(rows, [1, 1], -1)) == [-1, 0, 0, 1]  # the seed's printed φ(−1), φ(0), φ(0), φ(1)
    assert list(potential(rows, [1, 1], GATES["OR"].bias)) == [-0.5, 0.5, 0.5, 1.5]
