"""Feature visualisation by gradient ascent (``core.models.feature_vis``), its CLI and the shipped images."""

import json

import numpy as np
import pytest

from core.data import feature_vis as shipped_vis
from core.training.feature_vis import parse_channels


@pytest.fixture(scope="module")
def model():
    from core.models import hed

    return hed.load_hed()


@pytest.mark.slow
@pytest.mark.parametrize("layer, channel", [("block1_conv2", 2), ("block3_conv3", 2), ("block5_conv3", 2)])
def test_ascent_without_jitter_raises_the_channels_mean_activation(model, layer, channel):
    from core.models.feature_vis import ascend

    result = ascend(model, layer, channel, size=32, steps=10, jitter=0, blur_every=0, seed=0)
    a = result.activations
    assert a.shape == (10,)
    assert a[-1] > a[0] and a[-1] > 2 * a[0] + 1e-3  # it climbs ...
    assert np.sum(np.diff(a) > 0) >= 7  # ... nearly every step
    again = ascend(model, layer, channel, size=32, steps=10, jitter=0, blur_every=0, seed=0)
    np.testing.assert_array_equal(again.rgb, result.rgb)  # the seed fixes the picture
    assert result.rgb.shape == (32, 32, 3) and result.rgb.dtype == np.uint8


@pytest.mark.slow
def test_bad_settings_are_refused(model):
    from core.models.feature_vis import ascend

    with pytest.raises(ValueError, match="channels"):
        ascend(model, "block1_conv1", 64, size=16, steps=1)
    with pytest.raises(ValueError, match="unknown layer"):
        ascend(model, "fc7", 0)
    with pytest.raises(ValueError, match="size"):
        ascend(model, "block1_conv1", 0, size=8)


@pytest.mark.slow
def test_cli_writes_pngs_and_a_manifest(model, tmp_path):
    from core.training.feature_vis import write

    entries = write(model, "block1_conv1", [0, 1], out_dir=tmp_path, size=24, steps=3)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert (
        [(e["layer"], e["channel"]) for e in manifest]
        == [("block1_conv1", 0), ("block1_conv1", 1)]
        == [(e["layer"], e["channel"]) for e in entries]
    )
    assert manifest[0]["steps"] == 3 and manifest[0]["jitter"] == 8 and manifest[0]["blur_sigma"] == 0.5
    assert shipped_vis.picture(manifest[1], tmp_path).shape == (24, 24, 3)
    write(model, "block1_conv1", [1], out_dir=tmp_path, size=24, steps=2)  # replaces, does not repeat
    assert [e["steps"] for e in shipped_vis.shipped(tmp_path)] == [3, 2]
    write(
        model,
        "block1_conv1",
        [0],
        out_dir=tmp_path,
        chosen="strongest on the Rocket sample",
        size=24,
        steps=1,
    )
    assert shipped_vis.shipped(tmp_path)[0]["chosen"] == "listed and strongest on the Rocket sample"


@pytest.mark.slow
def test_strongest_channels_are_active_on_the_sample(model):
    import numpy as np

    from core.data import images
    from core.models import hed
    from core.training.feature_vis import strongest_channels

    ks = strongest_channels(model, "block2_conv2", 3)
    maps = (
        hed.forward(
            model, hed.preprocess(images.load_sample("rocket") * np.float32(255.0), max_side=224).batch
        )
        .feature_maps["block2_conv2"]
        .astype(np.float32)
    )
    means = maps.mean(axis=(0, 1))
    assert len(set(ks)) == 3 and means[ks[0]] == means.max() and means[ks[2]] > 0
    assert means[ks[0]] >= means[ks[1]] >= means[ks[2]]


def test_channel_lists():
    assert parse_channels("0-3,9,2") == [0, 1, 2, 3, 9]
    for bad in ("a", "3-1", "-2", "0-600"):
        with pytest.raises(ValueError):
            parse_channels(bad)


def test_shipped_images_match_the_manifest():
    entries = shipped_vis.shipped()
    assert entries, "assets/feature_vis/manifest.json ships with the app"
    for e in entries:
        assert shipped_vis.picture(e).shape == (e["size"], e["size"], 3)
    layers = {e["layer"] for e in entries}
    assert layers == {"block1_conv2", "block2_conv2", "block3_conv3", "block4_conv3", "block5_conv3"}
    for layer in layers:  # maps 0-7 and the 4 strongest on the Rocket
        mine = [e for e in entries if e["layer"] == layer]
        assert {e["channel"] for e in mine} >= set(range(8)), layer
        assert sum("strongest" in e["chosen"] for e in mine) == 4, layer
        assert 2 * sum(map(shipped_vis.climbed, mine)) > len(mine), layer  # most maps climb
    assert len(entries) == 57 and sum(map(shipped_vis.climbed, entries)) == 48  # 9 stay at 0 near grey
    assert shipped_vis.climbed({"activation_first": 0.5, "activation_last": 40.0})
    assert not shipped_vis.climbed(
        {"activation_first": 0.0002, "activation_last": 0.0109}
    )  # a silent channel
    with pytest.raises(ValueError, match="plain"):
        shipped_vis.picture({"file": "../manifest.json"})
