"""Tensors as the course defines them: rank, shape, size, memory, reshaping and broadcasting.

* A tensor is a multidimensional array; its **rank** is the number of axes, its **shape** the
  length of each axis, its **size** "the total number of items in the tensor, the product of the
  shape vector's elements" (Course notes, *Convolution, pooling and tensors* §2.12; a rank-4 example of shape
  [3, 2, 4, 5]).
* Images travel as rank-4 batches ``[number of images, height, width, channels]``: Course notes, *CNNs and
  regularisation in Keras*, *CNNs: structure and components in Keras (I)* gives ``(25000, 300, 450, 3)``,
  which holds 25000·300·450·3 = 10,125,000,000 numbers (40.5 GB as float32); the MNIST example reshapes the
  digits to ``(60000, 28, 28, 1)``.
* Reshaping keeps the values in order and needs the same size (Course notes, *Convolution, pooling and
  tensors* §2.12: ``(3, 1)`` -> ``(1, 3)``); broadcasting stretches axes of length 1 (Course notes,
  *Convolution, pooling and tensors* §2.12: ``[1, 2, 3] * 2`` = ``[2, 4, 6]``). NumPy follows the same rules
  as TensorFlow; the tests check these routines against ``np.reshape`` and ``np.broadcast_shapes``.

Students type shapes and small arrays on the page; :func:`parse_shape` and :func:`parse_array`
turn the text into numbers and raise ``ValueError`` with a readable message otherwise. Both refuse
text over :data:`MAX_SHAPE_CHARS` / :data:`MAX_ARRAY_CHARS` characters before parsing it, and a
shape is bounded axis by axis (:data:`MAX_AXIS_LENGTH`) and in size (:data:`MAX_TENSOR_SIZE`), so
every number the page prints (bytes, GiB) stays an exact, printable quantity.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from math import prod

import numpy as np

from core.maths.typed_text import bounded_text, shortened

DTYPE_BYTES = {"float32": 4, "float16": 2, "float64": 8, "uint8": 1, "int32": 4, "int64": 8}
MAX_RANK = 8
MAX_ARRAY_VALUES = 256
#: Longest shape text read: 8 axes of 10 digits with separators fit in well under 100 characters.
MAX_SHAPE_CHARS = 100
#: Longest array text read: 256 values of up to ~12 characters with separators and brackets.
MAX_ARRAY_CHARS = 4000
#: Longest axis accepted in a typed shape (a billion; the seed's batch has 25,000 images).
MAX_AXIS_LENGTH = 10**9
#: Largest size (product of the shape) accepted: 10^15 values, 4 PB as float32, 400,000 times the
#: seed's 40.5 GB batch; every figure derived from it (bytes, GiB) is still exact as a float.
MAX_TENSOR_SIZE = 10**15
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
COURSE_IMAGE_BATCH = (25000, 300, 450, 3)
"""Course notes, *CNNs and regularisation in Keras*, *CNNs: structure and components in Keras (I)*: "Tensor
dims (25000, 300, 450, 3)"."""


@dataclass(frozen=True)
class TensorInfo:
    """Rank, size and memory of a tensor shape.

    Attributes
    ----------
    shape : tuple of int
    rank : int
        Number of axes (``len(shape)``); 0 for a scalar.
    size : int
        Product of the shape (1 for a scalar), an exact Python int.
    dtype : str
    nbytes : int
        ``size * bytes per value``.
    """

    shape: tuple[int, ...]
    rank: int
    size: int
    dtype: str
    nbytes: int

    def size_expression(self) -> str:
        """``"25,000 × 300 × 450 × 3 = 10,125,000,000"`` (``"1"`` for a scalar)."""
        if not self.shape:
            return "1 (a scalar has no axes)"
        return " × ".join(f"{d:,}" for d in self.shape) + f" = {self.size:,}"


def _dim(value, text: str) -> int:
    part = str(value).strip()
    if not _WHOLE_NUMBER.fullmatch(part):
        raise ValueError(f"Shape {shortened(text)}: {shortened(part)} is not a whole number.")
    digits = part.lstrip("+-").lstrip("0")
    if len(digits) > len(str(MAX_AXIS_LENGTH)):  # refused before int(): no huge numbers are built
        raise ValueError(
            f"Shape {shortened(text)}: each axis is at most {MAX_AXIS_LENGTH:,} long here, "
            f"got a {len(digits)}-digit number."
        )
    d = int(part)
    if d < 0:
        raise ValueError(f"Shape {shortened(text)}: axis lengths cannot be negative ({d}).")
    if d > MAX_AXIS_LENGTH:
        raise ValueError(
            f"Shape {shortened(text)}: each axis is at most {MAX_AXIS_LENGTH:,} long here, got {d:,}."
        )
    return d


def check_shape_size(dims, text: str = "") -> int:
    """The size (product) of ``dims``, refused above :data:`MAX_TENSOR_SIZE`.

    Parameters
    ----------
    dims : sequence of int, each in 0..MAX_AXIS_LENGTH (a -1, "infer", counts as 1)
    text : str
        The typed shape, for the message.

    Returns
    -------
    int
        The exact product (1 for ``()``).

    Raises
    ------
    ValueError
        If the product exceeds :data:`MAX_TENSOR_SIZE`; the message gives the limit.
    """
    size = prod(1 if d == -1 else d for d in dims)
    if size > MAX_TENSOR_SIZE:
        raise ValueError(
            f"Shape {shortened(text or str(tuple(dims)))}: at most {MAX_TENSOR_SIZE:,} values "
            f"(10^15) in all here, got about 10^{len(str(size)) - 1}. Use smaller axes."
        )
    return size


def parse_shape(text: str, *, allow_infer: bool = False) -> tuple[int, ...]:
    """A shape typed as ``"(25000, 300, 450, 3)"``, ``"[3, 2, 4, 5]"`` or ``"28 28 1"``.

    Parameters
    ----------
    text : str
    allow_infer : bool
        Accept one ``-1`` (reshape: "work this length out").

    Returns
    -------
    tuple of int, each in 0..MAX_AXIS_LENGTH (or one -1 when ``allow_infer``); ``()`` for ``"()"``
    (a scalar); the product is at most :data:`MAX_TENSOR_SIZE`.

    Raises
    ------
    ValueError
        Text over :data:`MAX_SHAPE_CHARS` characters (checked before anything else), a part that
        is not a whole number, a negative length, an axis over :data:`MAX_AXIS_LENGTH`, a size
        over :data:`MAX_TENSOR_SIZE`, more than :data:`MAX_RANK` axes, or more than one -1.
    """
    text = bounded_text(text, max_chars=MAX_SHAPE_CHARS, name="Shape")
    inner = text.strip().strip("()[]")
    parts = [p for p in inner.replace(",", " ").replace("×", " ").replace("x", " ").split()]
    if len(parts) > MAX_RANK:
        raise ValueError(f"Shape {shortened(text)}: at most {MAX_RANK} axes here, got {len(parts)}.")
    dims = []
    for p in parts:
        if allow_infer and p.strip() == "-1":
            dims.append(-1)
        else:
            dims.append(_dim(p, text))
    if dims.count(-1) > 1:
        raise ValueError(f"Shape {shortened(text)}: only one axis can be -1.")
    check_shape_size(dims, text)
    return tuple(dims)


def tensor_info(shape, dtype: str = "float32") -> TensorInfo:
    """Rank, size (product of the shape) and memory of ``shape``.

    Raises
    ------
    ValueError
        Unknown ``dtype`` (see :data:`DTYPE_BYTES`), a negative axis length, or a size over
        :data:`MAX_TENSOR_SIZE`.

    References
    ----------
    Course notes, *Convolution, pooling and tensors* §2.12 (rank, shape, size); Course notes, *CNNs and
    regularisation in Keras*, *CNNs: structure and components in Keras (I)* (``(25000, 300, 450, 3)``:
    10,125,000,000 values, 40,500,000,000 bytes as float32).
    """
    if dtype not in DTYPE_BYTES:
        raise ValueError(f"`dtype` must be one of {sorted(DTYPE_BYTES)}, got {dtype!r}.")
    dims = tuple(int(d) for d in shape)
    if any(d < 0 for d in dims):
        raise ValueError(f"`shape` cannot hold negative lengths, got {dims}.")
    size = check_shape_size(dims)
    return TensorInfo(dims, len(dims), size, dtype, size * DTYPE_BYTES[dtype])


def parse_array(text: str) -> np.ndarray:
    """A small array typed as a Python literal: ``"[[1], [2], [3]]"``, ``"[1, 2, 3]"`` or ``"2"``.

    Returns
    -------
    ndarray, float64 (int64 when every value is a whole number), any rank

    Raises
    ------
    ValueError
        Text over :data:`MAX_ARRAY_CHARS` characters (checked before the text is parsed), not a
        literal of numbers, ragged rows, or more than :data:`MAX_ARRAY_VALUES` values.
    """
    text = bounded_text(text, max_chars=MAX_ARRAY_CHARS, name="Array")
    try:
        value = ast.literal_eval(text.strip().replace("−", "-"))
        arr = np.array(value)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        raise ValueError(
            f"{shortened(text)} is not an array: write numbers in brackets, every row the same length, "
            "e.g. [[1], [2], [3]]."
        ) from None
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise ValueError(f"{shortened(text)}: every row needs the same length and only numbers are allowed.")
    if arr.size > MAX_ARRAY_VALUES:
        raise ValueError(f"At most {MAX_ARRAY_VALUES} values here, got {arr.size}.")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError("NaN and infinity are not allowed.")
    return arr.astype(np.int64) if arr.dtype.kind in "biu" else arr.astype(np.float64)


def reshape(values, new_shape) -> np.ndarray:
    """``np.reshape(values, new_shape)`` with a message a student can act on.

    Parameters
    ----------
    values : array_like
    new_shape : tuple of int, at most one -1 ("infer this length")

    Returns
    -------
    ndarray of ``new_shape``: the same values in the same (row-major) order.

    Raises
    ------
    ValueError
        If the sizes differ, e.g. "6 values cannot fill (4, 2), which holds 8".
    """
    arr = np.asarray(values)
    shape = tuple(int(d) for d in new_shape)
    known = prod(d for d in shape if d != -1)
    if -1 in shape:
        if known == 0 or arr.size % known:
            raise ValueError(
                f"{arr.size} values cannot be split into {shape}: the other axes hold {known}, "
                f"and {arr.size} is not a multiple of it."
            )
        shape = tuple(arr.size // known if d == -1 else d for d in shape)
    if prod(shape) != arr.size:
        raise ValueError(
            f"{arr.size} values cannot fill {shape}, which holds {prod(shape)}: "
            "the sizes (products of the shapes) must match."
        )
    return arr.reshape(shape)


@dataclass(frozen=True)
class Broadcast:
    """How two shapes broadcast, axis by axis from the right.

    Attributes
    ----------
    shape : tuple of int or None
        The result's shape; None when they do not broadcast.
    steps : tuple of str
        One line per axis, e.g. ``"axis −1: 3 and 1 → 3 (the 1 is stretched)"``.
    """

    shape: tuple[int, ...] | None
    steps: tuple[str, ...]


def broadcast(shape_a, shape_b) -> Broadcast:
    """Broadcast two shapes as NumPy and TensorFlow do: align on the right; two lengths agree
    when they are equal or one is 1 (stretched); a missing axis counts as 1.

    Returns
    -------
    Broadcast
        ``shape`` equals ``np.broadcast_shapes(shape_a, shape_b)``, or None where NumPy raises.

    References
    ----------
    Course notes, *Convolution, pooling and tensors* §2.12: ``[1, 2, 3] * 2``, shapes (3,) and () give (3,):
    ``[2, 4, 6]``.
    """
    a, b = tuple(int(d) for d in shape_a), tuple(int(d) for d in shape_b)
    rank = max(len(a), len(b))
    out, steps = [], []
    for axis in range(-1, -rank - 1, -1):
        da = a[axis] if -axis <= len(a) else None
        db = b[axis] if -axis <= len(b) else None
        la = "—" if da is None else str(da)
        lb = "—" if db is None else str(db)
        x, y = (1 if da is None else da), (1 if db is None else db)
        missing = "a" if da is None else "b" if db is None else None
        if x == y:
            out.append(x)
            why = "equal" if missing is None else f"{missing} has no such axis: it counts as 1"
        elif x == 1 or y == 1:
            out.append(max(x, y) if min(x, y) == 1 else 0)
            why = (
                "the 1 is stretched"
                if missing is None
                else f"{missing} has no such axis: it counts as 1 and is stretched"
            )
        else:
            steps.append(f"axis {axis}: {la} and {lb} → ✗ neither is 1, they do not broadcast")
            return Broadcast(None, tuple(steps))
        steps.append(f"axis {axis}: {la} and {lb} → {out[-1]} ({why})")
    return Broadcast(tuple(reversed(out)), tuple(steps))
