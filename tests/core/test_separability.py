"""Linear separability: exact verdicts (14/16 and 104/256 oracles), the certificates, the grid search
and the seed's XOR proof."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.maths import boolean_functions as bf
from core.maths import neurons as nn
from core.maths import separability as sep


def outputs_of(name):
    return bf.BOOLEAN_FUNCTIONS[name].outputs


def test_sixteen_functions_and_fourteen_separable():
    names = bf.TWO_INPUT_FUNCTIONS
    assert len(names) == 16
    assert sorted(bf.BOOLEAN_FUNCTIONS[n].outputs for n in names) == sorted(
        itertools.product((0, 1), repeat=4)
    )
    results = {n: sep.is_linearly_separable(bf.BOOLEAN_FUNCTIONS[n]) for n in names}
    assert sum(r.separable for r in results.values()) == 14
    assert {n for n, r in results.items() if not r.separable} == {"XOR", "XNOR"}
    for n, r in results.items():
        if r.separable:  # the returned neuron computes the function, with phi(0) = 1
            np.testing.assert_array_equal(nn.truth_table(r.weights, r.bias).outputs, outputs_of(n), err_msg=n)


def test_separating_weights_for_and_or_are_the_seeds():
    for outputs, bias in (((0, 0, 0, 1), -1.5), ((0, 1, 1, 1), -0.5)):  # AND, OR
        r = sep.is_linearly_separable(outputs)
        assert (r.weights, r.bias) == ((1, 1), bias)


def test_three_inputs_104_of_256_separable_majority_yes_parity_no():
    # 104 = number of threshold functions of 3 variables (OEIS A000609)
    count = 0
    for outputs in itertools.product((0, 1), repeat=8):
        r = sep.is_linearly_separable(outputs)
        if r.separable:
            count += 1
            np.testing.assert_array_equal(nn.truth_table(r.weights, r.bias).outputs, outputs)
    assert count == 104
    maj = sep.is_linearly_separable(bf.BOOLEAN_FUNCTIONS["MAJORITY"])
    assert maj.separable and (maj.weights, maj.bias) == ((1, 1, 1), -1.5)
    assert not sep.is_linearly_separable(bf.BOOLEAN_FUNCTIONS["PARITY"]).separable


@pytest.mark.parametrize("name", ["XOR", "XNOR", "PARITY"])
def test_non_separable_certificate_is_valid(name):
    out = np.array(outputs_of(name))
    r = sep.is_linearly_separable(out)
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
    assert sep.count_grid_solutions(outputs_of("XOR")) == 0
    assert sep.count_grid_solutions(outputs_of("XNOR")) == 0
    for name in bf.TWO_INPUT_FUNCTIONS:
        if name not in ("XOR", "XNOR"):
            assert sep.count_grid_solutions(outputs_of(name)) > 0, name


def test_xor_contradiction_as_the_seed_argues():
    proof = sep.xor_contradiction()
    assert proof.inequalities == (
        r"w_1\cdot 0 + w_2\cdot 0 + w_0 < 0",
        r"w_1\cdot 0 + w_2\cdot 1 + w_0 \ge 0",
        r"w_1\cdot 1 + w_2\cdot 0 + w_0 \ge 0",
        r"w_1\cdot 1 + w_2\cdot 1 + w_0 < 0",
    )
    assert proof.substitution == "h = -w_0"
    assert proof.substituted == ("0 < h", r"w_2 \ge h", r"w_1 \ge h", r"w_1 + w_2 < h")
    assert proof.source == "Course notes, *Introduction to deep learning* §1.2.3"


def test_row_inequalities_of_and():
    assert sep.row_inequalities(outputs_of("AND"))[3] == r"w_1\cdot 1 + w_2\cdot 1 + w_0 \ge 0"


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 3), data=st.data())
def test_any_neuron_computes_a_separable_function(n, data):
    w = data.draw(st.lists(st.floats(-3, 3, allow_nan=False), min_size=n, max_size=n))
    b = data.draw(st.floats(-3, 3, allow_nan=False))
    out = nn.truth_table(w, b).outputs
    r = sep.is_linearly_separable(out)
    assert r.separable
    np.testing.assert_array_equal(nn.truth_table(r.weights, r.bias).outputs, out)
