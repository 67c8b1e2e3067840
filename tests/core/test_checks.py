"""core.maths.checks: each check returns the converted value and names the argument when it refuses."""

import numpy as np
import pytest

from core.maths.checks import finite_array, finite_number, finite_vector, keyed, positive_int


def test_finite_number_converts_and_names_the_argument():
    assert finite_number("2.5", "bias") == 2.5 and isinstance(finite_number(np.int64(3), "bias"), float)
    with pytest.raises(TypeError, match="`bias` must be a number"):
        finite_number("a", "bias")
    with pytest.raises(ValueError, match="`bias` must be a finite number"):
        finite_number(float("inf"), "bias")


def test_finite_vector_and_array():
    np.testing.assert_array_equal(finite_vector([1, 2], "w"), [1.0, 2.0])
    for bad in ([], [[1.0]], [np.nan]):
        with pytest.raises(ValueError, match="`w`"):
            finite_vector(bad, "w")
    assert finite_array([[1, 2]], "x").shape == (1, 2)
    with pytest.raises(ValueError, match="`x` must be finite"):
        finite_array([1.0, -np.inf], "x")


@pytest.mark.parametrize("bad", [0, -1, True, 2.0, "3"])
def test_positive_int_refuses_what_is_not_a_count(bad):
    with pytest.raises(ValueError, match="`n` must be an int >= 1"):
        positive_int(bad, "n")


def test_positive_int_keeps_numpy_ints():
    assert positive_int(np.int32(4), "n") == 4 and type(positive_int(np.int32(4), "n")) is int


def test_keyed_registers_in_order_and_refuses_a_key_twice():
    from types import SimpleNamespace as Record

    relu, tanh = Record(name="relu", n=1), Record(name="tanh", n=2)
    registry = keyed(tanh, relu, by="name")
    assert list(registry) == ["tanh", "relu"] and registry["relu"] is relu
    assert keyed(Record(key="a")) == {"a": Record(key="a")}
    with pytest.raises(ValueError, match="two entries have name 'relu'"):
        keyed(relu, tanh, Record(name="relu", n=3), by="name")
