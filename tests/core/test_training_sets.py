"""Training sets: the seed's fruit data and start values, and the seeded separable blobs."""

import numpy as np

from core.data import perceptron_sets as tsets
from core.maths import perceptron as pc


def test_fruit_constants_are_the_seeds():
    assert tsets.FRUIT_X == ((121, 16.8), (114, 15.2), (210, 9.4), (195, 8.1))
    start = (tsets.FRUIT_INITIAL_WEIGHTS, tsets.FRUIT_INITIAL_BIAS, tsets.FRUIT_LEARNING_RATE)
    assert start == ((-30, 300), -1230, 0.01)
    ts = tsets.training_set("fruit")
    np.testing.assert_array_equal(ts.targets("bipolar"), tsets.FRUIT_TARGETS)  # C1 -> +1, C2 -> -1
    assert ts.class_names == ("C1", "C2")


def test_blobs_are_separable_and_seeded():
    a, b = (
        tsets.training_set("blobs", seed=1, n_per_class=20),
        tsets.training_set("blobs", seed=1, n_per_class=20),
    )
    np.testing.assert_array_equal(a.x, b.x)
    assert a.x.shape == (40, 2) and a.labels.sum() == 20
    assert pc.train_perceptron(a.x, a.targets(), max_epochs=500).converged
