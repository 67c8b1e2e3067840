"""Receptive fields (``core.maths.receptive_field``) against a brute-force oracle and VGG16's table."""

import numpy as np
import pytest

from core.maths.receptive_field import VGG16_LAYERS, field_box, receptive_fields, vgg16_fields


def brute_force_fields(n: int, layers) -> list[list[tuple[int, int]]]:
    """For each layer, each output unit's (first, last) input pixel, by composing the windows in 1-D.

    Unit i of a layer reads positions i*s - p .. i*s - p + k - 1 of the layer below; a position in the
    padding (outside 0 .. len - 1) continues the regular grid of the layer below (its neighbours' fields
    shifted by their spacing), so fields may reach outside the image, as the formula's do.
    """
    spans = [(i, i) for i in range(n)]  # the input: a pixel sees itself

    def span(index: int) -> tuple[int, int]:
        if 0 <= index < len(spans):
            return spans[index]
        step = spans[1][0] - spans[0][0]
        ref = 0 if index < 0 else len(spans) - 1
        return spans[ref][0] + (index - ref) * step, spans[ref][1] + (index - ref) * step

    out = []
    for _, k, s, p in layers:
        size = (len(spans) + 2 * p - k) // s + 1
        spans = [(span(i * s - p)[0], span(i * s - p + k - 1)[1]) for i in range(size)]
        out.append(spans)
    return out


def test_vgg16_table_matches_the_hand_computation():
    rows = receptive_fields(VGG16_LAYERS)
    assert [r.size for r in rows] == [3, 5, 6, 10, 14, 16, 24, 32, 40, 44, 60, 76, 92, 100, 132, 164, 196]
    assert [r.jump for r in rows] == [1, 1, 2, 2, 2, 4, 4, 4, 4, 8, 8, 8, 8, 16, 16, 16, 16]
    conv = vgg16_fields()
    assert list(conv) == [
        "block1_conv1",
        "block1_conv2",
        "block2_conv1",
        "block2_conv2",
        "block3_conv1",
        "block3_conv2",
        "block3_conv3",
        "block4_conv1",
        "block4_conv2",
        "block4_conv3",
        "block5_conv1",
        "block5_conv2",
        "block5_conv3",
    ]
    assert conv["block5_conv3"].size == 196 and conv["block5_conv3"].jump == 16
    # unit 0 of block5_conv3 is centred at 7.5 and sees -90 .. 105 (the rest is padding)
    assert conv["block5_conv3"].field(0) == (-90.0, 105.0)


def test_the_pages_rule_counts_the_poolings_too():
    # The page's rule: every k x k layer adds (k - 1) x (stride so far); a 2 x 2 pooling adds 1 x before it
    # doubles the stride (5 -> 6, 14 -> 16, 40 -> 44, 92 -> 100). Leaving the poolings out gives 181, not 196.
    size, jump, without_pools = 1, 1, 1
    for _, kernel, stride, _ in VGG16_LAYERS:
        size += (kernel - 1) * jump
        without_pools += 2 * jump if kernel == 3 else 0
        jump *= stride
    assert size == receptive_fields(VGG16_LAYERS)[-1].size == 196
    assert without_pools == 181


@pytest.mark.parametrize("seed", range(20))
def test_fields_match_brute_force_on_random_stacks(seed):
    rng = np.random.default_rng(seed)
    layers = []
    for i in range(int(rng.integers(1, 6))):
        k = int(rng.integers(1, 6))
        s = int(rng.integers(1, 3))
        layers.append((f"l{i}", k, s, int(rng.integers(0, k))))
    n = 64
    brute = brute_force_fields(n, layers)
    for row, spans in zip(receptive_fields(layers), brute, strict=False):
        for i, (first, last) in enumerate(spans):
            assert row.field(i) == (first, last), (layers, row.name, i)
            assert last - first + 1 == row.size


def test_vgg16_fields_match_brute_force():
    brute = brute_force_fields(224, VGG16_LAYERS)
    for row, spans in zip(receptive_fields(VGG16_LAYERS), brute, strict=False):
        assert [row.field(i) for i in range(len(spans))] == [tuple(map(float, s)) for s in spans]


def test_field_box_is_clipped_to_the_image():
    f = vgg16_fields()["block5_conv3"]
    assert field_box(f, 5, 5) == (-10, -10, 196, 196)  # centre 7.5 + 5 * 16, half-width 97.5
    top, left, h, w = field_box(f, 0, 0, (100, 120))
    assert (top, left) == (0, 0) and (h, w) == (100, 106)
    assert field_box(vgg16_fields()["block1_conv1"], 10, 20, (64, 64)) == (9, 19, 3, 3)


@pytest.mark.parametrize("bad", [("x", 0, 1, 0), ("x", 3, 0, 1), ("x", 3, 1, -1), ("x", 3, 1)])
def test_bad_layers_raise_value_error(bad):
    with pytest.raises(ValueError):
        receptive_fields([bad])
