"""The catalogue of named Boolean functions of one neuron's inputs: all 16 of two inputs, four of three.

A function is given by its outputs over :func:`core.maths.neurons.input_rows`, in counting order with
``x1`` as the most significant bit (``00, 01, 10, 11``): XOR is ``(0, 1, 1, 0)``.

References
----------
The gates and XOR, ``y = (x1 ∧ ¬x2) ∨ (¬x1 ∧ x2)``: Course notes, *Introduction to deep learning* §1.2
(XOR in §1.2.5); the other functions complete the table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BooleanFunction:
    """A Boolean function given by its outputs over :func:`core.maths.neurons.input_rows` (0/1)."""

    name: str
    outputs: tuple[int, ...]
    formula: str

    @property
    def n_inputs(self) -> int:
        return int(np.log2(len(self.outputs)))


BOOLEAN_FUNCTIONS: dict[str, BooleanFunction] = {
    f.name: f
    for f in (
        # the 16 two-input functions, outputs for rows 00, 01, 10, 11
        BooleanFunction("FALSE", (0, 0, 0, 0), "0"),
        BooleanFunction("AND", (0, 0, 0, 1), "x1 ∧ x2"),
        BooleanFunction("x1 AND NOT x2", (0, 0, 1, 0), "x1 ∧ ¬x2"),
        BooleanFunction("x1", (0, 0, 1, 1), "x1"),
        BooleanFunction("NOT x1 AND x2", (0, 1, 0, 0), "¬x1 ∧ x2"),
        BooleanFunction("x2", (0, 1, 0, 1), "x2"),
        BooleanFunction("XOR", (0, 1, 1, 0), "(x1 ∧ ¬x2) ∨ (¬x1 ∧ x2)"),
        BooleanFunction("OR", (0, 1, 1, 1), "x1 ∨ x2"),
        BooleanFunction("NOR", (1, 0, 0, 0), "¬(x1 ∨ x2)"),
        BooleanFunction("XNOR", (1, 0, 0, 1), "x1 ⇔ x2"),
        BooleanFunction("NOT x2", (1, 0, 1, 0), "¬x2"),
        BooleanFunction("x1 OR NOT x2", (1, 0, 1, 1), "x2 ⇒ x1"),
        BooleanFunction("NOT x1", (1, 1, 0, 0), "¬x1"),
        BooleanFunction("NOT x1 OR x2", (1, 1, 0, 1), "x1 ⇒ x2"),
        BooleanFunction("NAND", (1, 1, 1, 0), "¬(x1 ∧ x2)"),
        BooleanFunction("TRUE", (1, 1, 1, 1), "1"),
        # three inputs, rows 000 ... 111
        BooleanFunction("AND3", (0, 0, 0, 0, 0, 0, 0, 1), "x1 ∧ x2 ∧ x3"),
        BooleanFunction("OR3", (0, 1, 1, 1, 1, 1, 1, 1), "x1 ∨ x2 ∨ x3"),
        BooleanFunction("MAJORITY", (0, 0, 0, 1, 0, 1, 1, 1), "at least two of x1, x2, x3"),
        BooleanFunction("PARITY", (0, 1, 1, 0, 1, 0, 0, 1), "x1 ⊕ x2 ⊕ x3"),
    )
}
TWO_INPUT_FUNCTIONS: tuple[str, ...] = tuple(n for n, f in BOOLEAN_FUNCTIONS.items() if f.n_inputs == 2)


def boolean_function(name: str) -> BooleanFunction:
    """Return the Boolean function called ``name`` (a key of :data:`BOOLEAN_FUNCTIONS`).

    Raises
    ------
    ValueError
        If ``name`` is unknown; the message lists the valid names.
    """
    try:
        return BOOLEAN_FUNCTIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"`name` must be one of {', '.join(BOOLEAN_FUNCTIONS)}; got {name!r}.") from None


__all__ = ["BOOLEAN_FUNCTIONS", "BooleanFunction", "TWO_INPUT_FUNCTIONS", "boolean_function"]
