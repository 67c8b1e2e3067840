"""Two-class training sets for the single-neuron learning rules: the course's fruit, blobs, gates.

Labels are 1 for the positive class (C1, the neuron should fire) and 0 for the other;
:meth:`TrainingSet.targets` converts them to a rule's convention (:data:`CONVENTIONS`: bipolar ±1
or binary 0/1).

References
----------
Course notes, *Introduction to deep learning*: the fruit data §2.3.1 and §2.3.4; the
start weights, bias and learning rate §2.3.2; see :data:`FRUIT_TYPO_NOTE` for the
book's misprint in 2.3.2.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.maths.perceptron import CONVENTIONS

INTRO_DL_NOTES = "Course notes, *Introduction to deep learning*"

FRUIT_X = ((121.0, 16.8), (114.0, 15.2), (210.0, 9.4), (195.0, 8.1))  # weight in g, length in cm
FRUIT_TARGETS = (1, 1, -1, -1)  # C1 -> +1, C2 -> -1
FRUIT_INITIAL_WEIGHTS = (-30.0, 300.0)
FRUIT_INITIAL_BIAS = -1230.0
FRUIT_LEARNING_RATE = 0.01
FRUIT_QUERIES = (((180.0, 10.0), "C2"), ((140.0, 20.0), "C1"), ((140.0, 17.9), "C1"))
FRUIT_TYPO_NOTE = (
    "The book prints w(2) = [-1229.08, -27.72, 300.304] (§2.3.2). The bias is -1230 + 0.01 × 2 × 1 "
    "= -1229.98, as the book's own program prints (§2.3.3): -1229.08 is a typo."
)


@dataclass(frozen=True, eq=False)
class TrainingSet:
    """Two-class points. ``labels`` is 1 for the positive class (C1, fires) and 0 for the other.

    Attributes
    ----------
    name : str
    x : ndarray of float64, shape (N, 2)
    labels : ndarray of int64, shape (N,)
    feature_names : (str, str)
    class_names : (str, str)   -- names of label 1 and label 0
    source : str
    """

    name: str
    x: np.ndarray
    labels: np.ndarray
    feature_names: tuple = ("x₁", "x₂")
    class_names: tuple = ("class 1", "class 0")
    source: str = ""

    def targets(self, convention: str = "bipolar") -> np.ndarray:
        """Targets in a rule's convention: label 1 -> +1 / 1, label 0 -> −1 / 0 (float64, shape (N,))."""
        if convention not in CONVENTIONS:
            raise ValueError(f"`convention` must be 'bipolar' or 'binary', got {convention!r}.")
        low, high = CONVENTIONS[convention]
        return np.where(self.labels == 1, high, low)

    def class_name(self, output: float) -> str:
        """Class name for a neuron output (+1 or 1 -> ``class_names[0]``, else ``class_names[1]``)."""
        return self.class_names[0] if output > 0 else self.class_names[1]


TRAINING_SETS = ("fruit", "blobs", "AND", "OR", "XOR")
_BOOLEAN_LABELS = {"AND": (0, 0, 0, 1), "OR": (0, 1, 1, 1), "XOR": (0, 1, 1, 0)}


def make_training_set(
    x,
    labels,
    *,
    name: str = "custom",
    feature_names=("x₁", "x₂"),
    class_names=("class 1", "class 0"),
    source: str = "",
) -> TrainingSet:
    """Validate user points into a :class:`TrainingSet`.

    Parameters
    ----------
    x : array_like of shape (N, 2), finite floats, N >= 1
    labels : array_like of shape (N,), values in {0, 1} (also accepts −1 for 0)

    Raises
    ------
    ValueError
        If a shape is wrong, a coordinate is not finite or a label is not 0/1/−1.
    """
    xs = np.asarray(x, dtype=np.float64)
    if xs.ndim != 2 or xs.shape[1] != 2 or xs.shape[0] == 0 or not np.all(np.isfinite(xs)):
        raise ValueError(f"`x` must be a non-empty (N, 2) array of finite numbers, got shape {xs.shape}.")
    lab = np.asarray(labels, dtype=np.float64)
    if lab.shape != (len(xs),) or not np.isin(lab, (-1, 0, 1)).all():
        raise ValueError(f"`labels` must hold {len(xs)} class labels, each 1 or 0 (or -1), got {labels!r}.")
    return TrainingSet(
        name, xs, (lab == 1).astype(np.int64), tuple(feature_names), tuple(class_names), source
    )


def training_set(name: str, *, seed: int = 0, n_per_class: int = 15) -> TrainingSet:
    """One of the built-in training sets (:data:`TRAINING_SETS`).

    Parameters
    ----------
    name : {"fruit", "blobs", "AND", "OR", "XOR"}
        "fruit": the seed's four fruits (2.3.1), weight in g and length in cm, C1 = label 1. "blobs": two
        Gaussian clouds, linearly separable by construction (points closer than 0.15 to a random line through
        their middle are redrawn), in shuffled order. "AND"/"OR"/"XOR": the four binary rows.
    seed : int, default 0
        For "blobs": ``np.random.default_rng(seed)``.
    n_per_class : int, 1..200, default 15
        For "blobs".

    Raises
    ------
    ValueError
        If ``name`` is unknown or ``n_per_class`` out of range.

    References
    ----------
    fruit data, Course notes, *Introduction to deep learning* §2.3.1, 2.3.4.
    """
    if name == "fruit":
        return make_training_set(
            FRUIT_X,
            (1, 1, 0, 0),
            name="fruit",
            feature_names=("weight (g)", "length (cm)"),
            class_names=("C1", "C2"),
            source=f"{INTRO_DL_NOTES} 2.3.1",
        )
    if name in _BOOLEAN_LABELS:
        rows = ((0, 0), (0, 1), (1, 0), (1, 1))
        return make_training_set(
            rows,
            _BOOLEAN_LABELS[name],
            name=name,
            class_names=(f"{name} = 1", f"{name} = 0"),
            source=f"{INTRO_DL_NOTES} 1.2",
        )
    if name != "blobs":
        raise ValueError(f"`name` must be one of {', '.join(TRAINING_SETS)}; got {name!r}.")
    if not isinstance(n_per_class, (int, np.integer)) or not 1 <= n_per_class <= 200:
        raise ValueError(f"`n_per_class` must be an int from 1 to 200, got {n_per_class!r}.")
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, 2 * np.pi)
    normal = np.array([np.cos(angle), np.sin(angle)])
    centre = rng.uniform(-1, 1, size=2)
    points, labels = [], []
    for label, side in ((1, 1.0), (0, -1.0)):
        kept = np.empty((0, 2))
        while len(kept) < n_per_class:
            cand = centre + side * 0.6 * normal + rng.normal(0, 0.8, size=(n_per_class, 2))
            kept = np.vstack([kept, cand[side * ((cand - centre) @ normal) >= 0.15]])
        points.append(kept[:n_per_class])
        labels += [label] * n_per_class
    mix = rng.permutation(2 * n_per_class)  # interleave the classes
    # two decimals keep the page's arithmetic readable; the 0.15 margin survives the rounding
    return make_training_set(
        np.round(np.vstack(points)[mix], 2),
        np.array(labels)[mix],
        name="blobs",
        class_names=("class 1", "class 0"),
        source="generated (seeded)",
    )


__all__ = [
    "CONVENTIONS",
    "FRUIT_INITIAL_BIAS",
    "FRUIT_INITIAL_WEIGHTS",
    "FRUIT_LEARNING_RATE",
    "FRUIT_QUERIES",
    "FRUIT_TARGETS",
    "FRUIT_TYPO_NOTE",
    "FRUIT_X",
    "TRAINING_SETS",
    "TrainingSet",
    "make_training_set",
    "training_set",
]
