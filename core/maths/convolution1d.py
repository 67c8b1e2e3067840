"""One-dimensional convolution and cross-correlation written out, the step before images.

Course notes, *Autoencoders and convolutional networks*, *CNNs: convolution* introduces convolution on a 1-D
signal with NumPy::

    x = np.array([0, 1, 2, 3, 4]); w = np.array([1, -1, 2])
    np.convolve(x, w)      # [0 1 1 3 5 2 8]

``np.convolve`` flips ``w`` and slides it over ``x`` ("full" mode by default: every position
where the two overlap at all, length ``n + k - 1``). ``np.correlate`` slides ``w`` without the flip,
which is what a convolutional layer computes (see :mod:`core.maths.convolution`). The routines
here do the same with an explicit loop over output positions so a page can show each partial sum;
``tests/core/test_convolution1d.py`` checks them against NumPy's.

Output length for a signal of length ``n`` and a kernel of length ``k`` (NumPy's modes):

* ``"full"``: ``n + k - 1`` (zero padding ``k - 1`` on both sides);
* ``"same"``: ``max(n, k)`` (centred as NumPy centres it);
* ``"valid"``: ``max(n, k) - min(n, k) + 1`` (only where they overlap completely).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.maths.typed_text import bounded_text, shortened

#: Most numbers a typed signal or kernel may hold, and the longest text read for one (64 numbers
#: of up to ~14 characters with separators).
MAX_TYPED_NUMBERS = 64
MAX_NUMBERS_CHARS = 1000

MODES_1D = ("full", "same", "valid")
AUTOENCODER_NOTES = "Course notes, *Autoencoders and convolutional networks*"


def _vector(values, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be a list of numbers, got {values!r}.") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"`{name}` must be a non-empty 1-D list of numbers, got shape {arr.shape}.")
    if not np.isfinite(arr).all():
        raise ValueError(f"`{name}` contains NaN or infinite values; use finite numbers.")
    return arr


def _mode(mode: str) -> str:
    if mode not in MODES_1D:
        raise ValueError(f"`mode` must be one of {MODES_1D}, got {mode!r}.")
    return mode


@dataclass(frozen=True)
class Step1D:
    """One output value of a 1-D convolution: which signal samples meet which weights.

    Attributes
    ----------
    index : int
        Position in the output.
    pairs : tuple of (signal index, signal value, weight)
        Only the pairs inside the signal (the zero padding adds nothing).
    value : float
        The sum of ``signal value * weight`` over ``pairs``.
    """

    index: int
    pairs: tuple[tuple[int, float, float], ...]
    value: float

    def expression(self) -> str:
        """The partial sum written out, e.g.
        ``"x[2]·w[0] + x[1]·w[1] + x[0]·w[2] = 2·1 + 1·(−1) + 0·2 = 1"``."""

        def num(v: float) -> str:
            text = f"{v:g}"
            return f"({text.replace('-', '−')})" if v < 0 else text

        if not self.pairs:
            return f"y[{self.index}] = 0 (no overlap)"
        terms = " + ".join(f"{num(x)}·{num(w)}" for _, x, w in self.pairs)
        return f"y[{self.index}] = {terms} = {num(self.value).strip('()')}"


def _steps(x, w, mode: str, flip: bool) -> list[Step1D]:
    xs, ws = _vector(x, "x"), _vector(w, "w")
    mode = _mode(mode)
    n, k = xs.size, ws.size
    kernel = ws[::-1] if flip else ws
    full = []
    for i in range(n + k - 1):  # the kernel's first tap sits at signal index i - (k - 1)
        start = i - (k - 1)
        pairs = tuple(
            (start + j, float(xs[start + j]), float(kernel[j])) for j in range(k) if 0 <= start + j < n
        )
        full.append(Step1D(i, pairs, float(sum(a * b for _, a, b in pairs))))
    if mode == "full":
        keep = range(len(full))
    elif mode == "same":
        size = max(n, k)
        extra = len(full) - size
        # NumPy centres with the odd sample at the end; np.correlate with a kernel longer than the
        # signal swaps the two and reverses, which puts the odd sample at the start.
        first = (extra + 1) // 2 if (not flip and k > n) else extra // 2
        keep = range(first, first + size)
    else:
        size = max(n, k) - min(n, k) + 1
        first = min(n, k) - 1
        keep = range(first, first + size)
    return [Step1D(out, full[i].pairs, full[i].value) for out, i in enumerate(keep)]


def convolve1d_steps(x, w, *, mode: str = "full") -> list[Step1D]:
    """Every output value of ``np.convolve(x, w, mode)`` with the products that make it.

    Parameters
    ----------
    x : array_like of shape (n,), float
        The signal.
    w : array_like of shape (k,), float
        The kernel; flipped before sliding (true convolution).
    mode : {"full", "same", "valid"}
        As :func:`numpy.convolve`.

    Returns
    -------
    list of :class:`Step1D`, one per output value (length as in the module docstring)

    Raises
    ------
    ValueError
        Empty, non-1-D or non-finite ``x`` or ``w``; unknown ``mode``.

    References
    ----------
    Course notes, *Autoencoders and convolutional networks*, *CNNs: convolution*:
    ``np.convolve([0,1,2,3,4], [1,-1,2])`` = ``[0 1 1 3 5 2 8]``.
    """
    return _steps(x, w, mode, flip=True)


def correlate1d_steps(x, w, *, mode: str = "valid") -> list[Step1D]:
    """As :func:`convolve1d_steps` without the flip: ``np.correlate(x, w, mode)`` (default "valid",
    as NumPy's)."""
    return _steps(x, w, mode, flip=False)


def convolve1d(x, w, *, mode: str = "full") -> np.ndarray:
    """``np.convolve(x, w, mode)`` computed by :func:`convolve1d_steps`; float64 array."""
    return np.array([s.value for s in convolve1d_steps(x, w, mode=mode)], dtype=np.float64)


def correlate1d(x, w, *, mode: str = "valid") -> np.ndarray:
    """``np.correlate(x, w, mode)`` computed by :func:`correlate1d_steps`; float64 array."""
    return np.array([s.value for s in correlate1d_steps(x, w, mode=mode)], dtype=np.float64)


def parse_numbers(text: str, name: str) -> np.ndarray:
    """A list of numbers typed by a student (``"0, 1, 2"`` or ``"0 1 2"`` or ``"[0, 1, 2]"``).

    Raises
    ------
    ValueError
        If the text is over :data:`MAX_NUMBERS_CHARS` characters (checked before it is split), a
        part is not a finite number, more than :data:`MAX_TYPED_NUMBERS` are given, or none; the
        message names ``name``.
    """
    text = bounded_text(text, max_chars=MAX_NUMBERS_CHARS, name=name)
    parts = [p for p in text.replace("[", " ").replace("]", " ").replace(",", " ").replace(";", " ").split()]
    if not parts:
        raise ValueError(f"{name}: type at least one number, e.g. 0, 1, 2.")
    if len(parts) > MAX_TYPED_NUMBERS:
        raise ValueError(f"{name}: at most {MAX_TYPED_NUMBERS} numbers, got {len(parts)}.")
    try:
        values = np.array([float(p.replace("−", "-")) for p in parts])
    except ValueError:
        raise ValueError(
            f"{name}: {shortened(text)} is not a list of numbers; separate them with commas."
        ) from None
    if not np.isfinite(values).all():
        raise ValueError(f"{name}: NaN and infinity are not allowed.")
    return values
