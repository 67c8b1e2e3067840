"""The effective receptive field of HED's VGG16 units (``core.models.receptive_gradients``): the
gradient's support is exactly the theoretical field, its 90 %-energy square is smaller, and the
gradient agrees with finite differences."""

import numpy as np
import pytest

from core.maths.receptive_field import vgg16_fields
from core.models.receptive_gradients import effective_side, interior_units

pytestmark = pytest.mark.slow  # imports TensorFlow and runs VGG16


@pytest.fixture(scope="module")
def model():
    from core.models import hed

    return hed.load_hed()


@pytest.fixture(scope="module")
def prep():
    from skimage import data

    from core.models import hed

    return hed.preprocess(data.astronaut()[100:324, 150:374], max_side=224)  # a real 224 x 224 photo


@pytest.mark.parametrize("layer", ["block1_conv2", "block3_conv3", "block5_conv3"])
def test_support_is_the_theoretical_field_and_the_effective_field_is_smaller(model, prep, layer):
    from core.models import hed
    from core.models.receptive_gradients import unit_gradient

    maps = hed.forward(model, prep.batch).feature_maps[layer]
    r, c = maps.shape[0] // 2, maps.shape[1] // 2  # interior: the whole field lies in the photo
    k = int(np.argmax(maps[r, c]))  # an active unit (ReLU on)
    unit = unit_gradient(model, prep.batch, layer, k, r, c)
    top, left, bh, bw = unit.box
    assert (bh, bw) == (unit.theoretical, unit.theoretical) == (vgg16_fields()[layer].size,) * 2
    rows, cols = np.nonzero(unit.energy > 0)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (top, top + bh - 1, left, left + bw - 1)
    assert unit.share_in_box == 1.0  # nothing outside the field
    assert np.mean(unit.energy[top : top + bh, left : left + bw] > 0) > 0.99
    if layer == "block1_conv2":
        assert unit.effective == unit.theoretical == 5  # two 3 x 3 layers: all of 5 x 5 matters
    else:
        assert unit.effective < unit.theoretical  # concentrated near the centre
    if layer == "block5_conv3":
        assert unit.theoretical == 196 and unit.effective <= 120


def test_gradient_matches_finite_differences(model):
    """Central differences along a random direction, on a tiny 16 x 16 input, in float64 arithmetic of the
    float32 network (step 0.5 on pixel values of ±128)."""
    from core.models.receptive_gradients import features_to, unit_gradient

    rng = np.random.default_rng(0)
    batch = rng.uniform(-100, 100, (1, 16, 16, 3)).astype(np.float32)
    layer, k, r, c = "block2_conv1", 3, 4, 4
    maps = features_to(model, batch, layer).numpy()
    k = int(np.argmax(maps[0, r, c]))
    grad = unit_gradient(model, batch, layer, k, r, c).gradient
    for seed in range(3):
        v = np.random.default_rng(seed + 1).normal(size=batch.shape).astype(np.float32)
        h = 0.5
        up = float(features_to(model, batch + h * v, layer).numpy()[0, r, c, k])
        down = float(features_to(model, batch - h * v, layer).numpy()[0, r, c, k])
        numeric, analytic = (up - down) / (2 * h), float(np.sum(grad * v[0]))
        assert numeric == pytest.approx(analytic, rel=2e-2, abs=1e-2)


def test_unit_outside_the_map_is_refused(model, prep):
    from core.models.receptive_gradients import unit_gradient

    with pytest.raises(ValueError, match="outside"):
        unit_gradient(model, prep.batch, "block5_conv3", 0, 14, 0)  # 224 px: 14 x 14 units
    with pytest.raises(ValueError, match="unknown layer"):
        unit_gradient(model, prep.batch, "block6_conv1", 0, 0, 0)


def test_effective_side_of_known_energies():
    energy = np.zeros((9, 9))
    energy[4, 4] = 1.0
    assert effective_side(energy, (4, 4)) == 1
    energy[:, :] = 1.0  # uniform: 90 % of 81 needs a 9 x 9 square
    assert effective_side(energy, (4, 4)) == 9
    assert effective_side(energy, (4, 4), share=0.1) == 3  # 9 of 81 pixels >= 10 %
    half = np.ones((8, 8))
    assert effective_side(half, (3.5, 3.5)) == 8  # half-integer centre: even sides
    assert effective_side(np.zeros((3, 3)), (1, 1)) == 0
    with pytest.raises(ValueError, match="share"):
        effective_side(energy, (4, 4), share=0)


def test_interior_units_have_their_whole_field_in_the_photo():
    field = vgg16_fields()["block5_conv3"]
    units = interior_units(field, (20, 20), (320, 320))
    assert len(units) == 4
    for r, c in units:
        for i in (r, c):
            assert field.field(i)[0] >= 0 and field.field(i)[1] <= 319


def test_interior_units_fall_back_to_the_middle_when_the_field_is_larger_than_the_photo():
    field = vgg16_fields()["block5_conv3"]  # 196 px
    units = interior_units(field, (10, 14), (149, 224))  # no row of units sees only the photo
    assert len(units) == 4 and sorted({r for r, _ in units}) == [4, 5]
