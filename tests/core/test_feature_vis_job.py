"""Feature visualisation as a shared job on the training queue (``core.training.feature_vis_job``):
the config a student's click builds is bounded before anything is queued and again when the consumer
rebuilds it from JSON; the same map is one job; the job counts in the one-waiting-job-per-session
rule with the training jobs; and a real consumer process (``python -m core.training.worker``)
computes a tiny ascent into the model cache, where the page finds it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.models.feature_vis_config import LAYER_CHANNELS, MAX_STEPS, FeatureVisConfig
from core.models.regularisation import RegularisationConfig
from core.training import feature_vis_job, jobs, queue_codec, regularisation
from tests.core.queue_backends import running_worker, worker_env

ROOT = Path(__file__).resolve().parents[2]


def private_queue(folder: Path) -> jobs.TrainingQueue:
    """A queue on ``folder``'s storage that nobody consumes (the counts stay exact)."""
    return jobs.TrainingQueue(jobs.queue_storage(f"sqlite:///{folder / 'queue.sqlite'}"), consume=False)


def test_the_layers_and_their_map_counts():
    assert len(LAYER_CHANNELS) == 13
    assert LAYER_CHANNELS["block1_conv1"] == 64 and LAYER_CHANNELS["block2_conv2"] == 128
    assert LAYER_CHANNELS["block3_conv3"] == 256 and LAYER_CHANNELS["block5_conv3"] == 512


@pytest.mark.parametrize(
    "fields, message",
    [
        (
            dict(layer="block1_conv1", channel=64),
            "block1_conv1 has 64 maps: channel must be an integer in 0–63",
        ),
        (dict(layer="block5_conv3", channel=-1), "channel must be an integer in 0–511"),
        (dict(layer="block6_conv1", channel=0), "unknown layer 'block6_conv1'"),
        (dict(layer="../../etc/passwd", channel=0), "unknown layer"),
        (
            dict(layer="block1_conv1", channel=0, steps=MAX_STEPS + 1),
            f"steps must be an integer in 1–{MAX_STEPS}",
        ),
        (dict(layer="block1_conv1", channel=0, steps=10**9), "steps must be"),
        (dict(layer="block1_conv1", channel=0, size=4096), "size must be an integer in 16–224"),
        (dict(layer="block1_conv1", channel=True), "channel must be"),
        (dict(layer="block1_conv1", channel=2.0), "channel must be"),
    ],
)
def test_out_of_range_configs_are_refused_when_built_and_when_read_from_the_queue(fields, message):
    with pytest.raises(ValueError, match=message):
        FeatureVisConfig(**fields)
    spec = queue_codec.allowed("feature-vis")  # the consumer's path: JSON from the storage
    with pytest.raises(ValueError, match=message):
        queue_codec.config_from_data(spec, {"kind": "FeatureVisConfig", **fields})


def test_the_config_travels_as_json_under_its_allow_listed_name():
    config = FeatureVisConfig("block4_conv3", 511, steps=48)
    spec = queue_codec.spec_for(feature_vis_job.feature_vis_job, config)
    assert spec.name == "feature-vis"
    data = json.loads(json.dumps(queue_codec.config_to_data(config)))
    assert data == {
        "kind": "FeatureVisConfig",
        "layer": "block4_conv3",
        "channel": 511,
        "steps": 48,
        "size": 112,
        "version": 1,
    }
    rebuilt = queue_codec.config_from_data(spec, data)
    assert rebuilt == config and rebuilt.key == config.key and len(config.key) == 16
    assert config.name == f"block4_conv3_511-{config.key}"
    assert FeatureVisConfig("block4_conv3", 510, steps=48).key != config.key
    with pytest.raises(ValueError, match="do not match"):
        queue_codec.config_from_data(spec, dict(data, path="/tmp/x"))  # no field beyond the dataclass's


def test_the_same_map_is_one_job_and_counts_in_the_one_waiting_job_per_session_rule(tmp_path):
    queue = private_queue(tmp_path)
    task = feature_vis_job.feature_vis_job
    a, b = FeatureVisConfig("block3_conv3", 7), FeatureVisConfig("block3_conv3", 8)
    first = queue.submit(a, task, session="student-1")
    second = queue.submit(FeatureVisConfig("block3_conv3", 7), task, session="student-2")
    assert first.key == second.key == a.key and second.status == "queued" and second.position == 1
    assert queue.pending_count() == 1  # two students, one job
    queue.submit(b, task, session="student-1")  # student-1 moves on; a stays for student-2
    assert queue.status(a.key).status == "queued" and queue.pending_count() == 2
    # A training job of the same session replaces its waiting feature visualisation.
    training = RegularisationConfig("dropout", dropout=0.5, epochs=3)
    queue.submit(training, regularisation.train_result_job, session="student-1")
    assert queue.status(b.key) is None and queue.status(training.key).status == "queued"
    assert queue.pending_count() == 2
    # ... and the other way round.
    queue.submit(b, task, session="student-1")
    assert queue.status(training.key) is None and queue.pending_count() == 2


@pytest.mark.slow
def test_a_real_worker_computes_a_tiny_map_once_into_the_model_cache(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    url = f"sqlite:///{tmp_path / 'queue.sqlite'}"
    monkeypatch.setenv("NEURAL_EXPLAINER_CACHE", str(cache))
    env = worker_env(url, NEURAL_EXPLAINER_CACHE=str(cache))
    config = FeatureVisConfig("block1_conv1", 5, steps=4, size=24)
    queue = jobs.TrainingQueue(jobs.queue_storage(url), consume=False)
    queue.submit(config, feature_vis_job.feature_vis_job, session="student-1")
    log = tmp_path / "worker.log"
    with running_worker(env, log, "--workers", "1"):
        view = queue.wait(config.key, timeout=180)
    assert view.status == "done", (view.error, log.read_text()[-2000:])
    entry = view.result
    assert entry["status"] == "computed" and entry["file"] == f"{config.name}.png"
    assert (entry["layer"], entry["channel"], entry["steps"], entry["size"]) == ("block1_conv1", 5, 4, 24)
    # Progress was reported as a training job's: the last step's activation as its "loss".
    assert view.fraction == 1.0 and view.message.startswith("epoch 4 · loss ")
    assert float(view.message.rsplit(" ", 1)[1]) == pytest.approx(entry["activation_last"], abs=1e-3)
    # The picture is in the model cache, where the page looks.
    with Image.open(cache / "feature-vis" / entry["file"]) as image:
        rgb = np.asarray(image.convert("RGB"))
    assert rgb.shape == (24, 24, 3) and rgb.std() > 0
    assert feature_vis_job.find(config)["key"] == config.key
    assert [e["channel"] for e in feature_vis_job.computed("block1_conv1")] == [5]
    # Another student asking for the same map gets the same finished job: nothing is queued.
    again = queue.submit(
        FeatureVisConfig("block1_conv1", 5, steps=4, size=24), feature_vis_job.feature_vis_job, session="s2"
    )
    assert again.status == "done" and again.result == entry and queue.pending_count() == 0
    # Run again after the job record expired: the stored picture is found, not computed again.
    calls = []
    found = feature_vis_job.feature_vis_job(config, lambda *args: calls.append(args))
    assert found["status"] == "cache" and found["seconds"] == entry["seconds"] and calls == []
