"""Shape arguments shared by the NumPy layers: an int or a pair of ints (NumPy only).

Keras accepts ``strides=2`` and ``strides=(2, 1)`` alike; :func:`int_pair` turns either into
``(rows, cols)`` for :mod:`core.maths.convolution` (stride, dilation) and :mod:`core.maths.pooling`
(pool size, stride).
"""

from __future__ import annotations

import numpy as np

IntPair = int | tuple[int, int]


def int_pair(value: IntPair, name: str) -> tuple[int, int]:
    """``value`` as ``(rows, cols)``, two ints >= 1.

    Parameters
    ----------
    value : int or pair of int
        One int for both directions, or ``(rows, cols)``.
    name : str
        The argument's name, used in the error message (``"stride"``, ``"pool_size"``, ...).

    Returns
    -------
    tuple of (int, int)

    Raises
    ------
    ValueError
        If ``value`` is not an int or a pair of ints (bools are not ints here), or either
        entry is below 1.
    """
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"`{name}` must be an int or a pair of ints, got {value!r}.")
    if isinstance(value, (int, np.integer)):
        pair = (int(value), int(value))
    elif (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value)
    ):
        pair = (int(value[0]), int(value[1]))
    else:
        raise ValueError(f"`{name}` must be an int or a pair of ints, got {value!r}.")
    if min(pair) < 1:
        raise ValueError(f"`{name}` must be at least 1 in each direction, got {value!r}.")
    return pair
