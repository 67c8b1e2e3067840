"""Argument checks shared by the maths modules: a number, a vector of numbers, a finite array, a count;
and :func:`keyed`, which builds a registry of records whose keys are checked to be unique.

Each check returns the value converted (``float``, float64 ndarray, ``int``) and raises an error whose
message names the argument, so a module checks its inputs in one line and a page can show the message
as it is. They are public so that no module imports another module's private helper.
"""

from __future__ import annotations

import numpy as np


def finite_number(value, name: str) -> float:
    """``value`` as a finite ``float``.

    Parameters
    ----------
    value : object
        Anything ``float()`` accepts (int, float, NumPy scalar, numeric string).
    name : str
        The argument's name, quoted in the message.

    Returns
    -------
    float

    Raises
    ------
    TypeError
        If ``float(value)`` fails ("`bias` must be a number, got 'a'.").
    ValueError
        If the number is NaN or infinite ("`bias` must be a finite number, got inf.").
    """
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"`{name}` must be a number, got {value!r}.") from exc
    if not np.isfinite(number):
        raise ValueError(f"`{name}` must be a finite number, got {value!r}.")
    return number


def finite_vector(values, name: str) -> np.ndarray:
    """``values`` as a non-empty 1-D float64 array of finite numbers, shape (n,).

    Raises
    ------
    TypeError
        If ``values`` cannot be read as numbers.
    ValueError
        If it is not 1-D, is empty, or holds NaN or infinity.
    """
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"`{name}` must be a sequence of numbers, got {values!r}.") from exc
    if arr.ndim == 1 and arr.size and np.all(np.isfinite(arr)):
        return arr
    raise ValueError(f"`{name}` must be a non-empty 1-D sequence of finite numbers, got {values!r}.")


def finite_array(values, name: str) -> np.ndarray:
    """``values`` as a float64 array of any shape with no NaN or infinity.

    Raises
    ------
    ValueError
        If an entry is NaN or infinite ("`logits` must be finite numbers (no NaN or infinity)").
    """
    arr = np.asarray(values, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"`{name}` must be finite numbers (no NaN or infinity).")
    return arr


def positive_int(value, name: str) -> int:
    """``value`` itself when it is an ``int`` >= 1 (not a bool, not a float such as 3.0).

    Raises
    ------
    ValueError
        Otherwise ("`channels` must be an int >= 1, got 0.").
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"`{name}` must be an int >= 1, got {value!r}.")
    return int(value)


def keyed(*entries, by: str = "key") -> dict:
    """A registry of ``entries`` under their attribute ``by``, in their order, each key once.

    Parameters
    ----------
    *entries : objects with the attribute ``by``
        The table's records (frozen dataclasses: presets, examples, architectures).
    by : str, default "key"
        The attribute that names a record, such as ``"key"`` or ``"name"``.

    Returns
    -------
    dict of str to entry

    Raises
    ------
    ValueError
        If two entries share a key (a copied record left unrenamed would silently replace the first).
    """
    registry: dict = {}
    for entry in entries:
        name = getattr(entry, by)
        if name in registry:
            raise ValueError(f"two entries have {by} {name!r}; give each entry its own {by}.")
        registry[name] = entry
    return registry
