"""The CNN activations page's model choice, with stand-in loaders (no Keras, no Streamlit)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.models import choice

DIGITS = {
    "mnist_cnn": "MNIST CNN (the course's)",
    "mnist_cnn_regularised": "MNIST CNN + batch norm + dropout",
}
IMAGENET = ["MobileNetV2", "VGG16"]
TRAINED = {"retrained:abc": ("Retrained: 1 epochs, dropout 0", '{"epochs": 1}')}


class Refused(Exception):
    """What a loader raises for a model the page cannot use (``ModelLoadError`` in the app)."""


class Loaders:
    """Loaders that record their calls and return ("kind", args...) as the bundle."""

    def __init__(self, fail: BaseException | None = None):
        self.calls: list[tuple] = []
        self.fail = fail

    def _load(self, *call):
        self.calls.append(call)
        if self.fail is not None and call[0] != "shipped":
            raise self.fail
        return call

    def build(self) -> choice.ModelLoaders:
        return choice.ModelLoaders(
            shipped=lambda name: self._load("shipped", name),
            trained=lambda config, title: self._load("trained", config, title),
            upload=lambda data: self._load("upload", data),
            imagenet=lambda name: self._load("imagenet", name),
            imagenet_help=lambda name: f"{name}'s weights are not in Keras' cache.",
            errors=(Refused,),
        )


def pick(key, loaders, **kwargs):
    return choice.choose_model(
        key, loaders.build(), digit_models=DIGITS, trained=TRAINED, imagenet_models=IMAGENET, **kwargs
    )


@pytest.mark.parametrize("key", list(DIGITS))
def test_a_shipped_digit_model_is_loaded_and_nothing_else(key):
    loaders = Loaders()
    picked = pick(key, loaders)
    assert (picked.bundle, picked.shown, picked.notice, picked.level) == (("shipped", key), key, "", "")
    assert loaders.calls == [("shipped", key)] and not picked.is_fallback


def test_a_retrained_model_loads_from_its_config():
    loaders = Loaders()
    picked = pick("retrained:abc", loaders)
    assert picked.bundle == ("trained", '{"epochs": 1}', "Retrained: 1 epochs, dropout 0")
    assert picked.shown == "retrained:abc" and loaders.calls == [picked.bundle]


def test_no_upload_yet_shows_the_course_cnn_and_asks_for_a_file():
    loaders = Loaders()
    picked = pick("upload", loaders)
    assert picked.bundle == ("shipped", "mnist_cnn") and picked.shown == choice.FALLBACK
    assert picked.level == "info" and picked.notice.startswith("Upload a `.keras` image model.")
    assert loaders.calls == [("shipped", "mnist_cnn")]


def test_an_uploaded_file_is_loaded_from_its_bytes():
    loaders = Loaders()
    picked = pick("upload", loaders, upload=b"PK\x03\x04model")
    assert (
        picked.bundle == ("upload", b"PK\x03\x04model") and picked.shown == "upload" and picked.notice == ""
    )


def test_a_refused_file_falls_back_with_the_loaders_reason():
    loaders = Loaders(fail=Refused("Lambda layers are refused (safe mode)"))
    picked = pick("upload", loaders, upload=b"bad")
    assert picked.level == "error" and picked.shown == choice.FALLBACK
    assert picked.notice == (
        "This model cannot be used: Lambda layers are refused (safe mode). The course's CNN is shown instead."
    )
    assert loaders.calls == [("upload", b"bad"), ("shipped", "mnist_cnn")]


def test_an_unexpected_error_is_not_hidden():
    with pytest.raises(RuntimeError, match="disk on fire"):
        pick("upload", Loaders(fail=RuntimeError("disk on fire")), upload=b"x")


def test_imagenet_without_weights_explains_and_never_loads_the_model():
    loaders = Loaders()
    picked = pick("VGG16", loaders)
    assert picked.level == "warning" and picked.bundle == ("shipped", "mnist_cnn")
    assert picked.notice == "VGG16's weights are not in Keras' cache. Until then the course's CNN is shown."
    assert ("imagenet", "VGG16") not in loaders.calls


def test_imagenet_with_weights_or_a_download_loads_it():
    loaders = Loaders()
    picked = pick("MobileNetV2", loaders, imagenet_ready=True)
    assert picked.bundle == ("imagenet", "MobileNetV2") and picked.shown == "MobileNetV2"
    offline = pick(
        "MobileNetV2", Loaders(fail=Refused("the download failed (offline?)")), imagenet_ready=True
    )
    assert offline.level == "error" and "the download failed (offline?)" in offline.notice


@pytest.mark.parametrize("key", ["retrained:gone", "ResNet50", "", "upload "])
def test_an_unknown_key_falls_back_with_a_message(key):
    picked = pick(key, Loaders())
    assert picked.level == "error" and picked.shown == choice.FALLBACK
    assert picked.notice == f"There is no model {key!r}. The course's CNN is shown instead."


def test_levels_are_the_documented_ones():
    seen = {
        pick(k, Loaders(), **kw).level
        for k, kw in [("mnist_cnn", {}), ("upload", {}), ("VGG16", {}), ("nope", {})]
    }
    assert seen == set(choice.LEVELS)


def test_the_menu_and_the_links():
    labels = choice.model_labels(DIGITS, TRAINED, IMAGENET)
    assert list(labels) == [
        "mnist_cnn",
        "mnist_cnn_regularised",
        "retrained:abc",
        "upload",
        "MobileNetV2",
        "VGG16",
    ]
    assert labels["retrained:abc"] == "Retrained: 1 epochs, dropout 0"
    assert labels["upload"] == "Your .keras model" and labels["VGG16"] == "VGG16 (ImageNet)"
    assert choice.linkable_models(DIGITS, IMAGENET) == [
        "mnist_cnn",
        "mnist_cnn_regularised",
        "upload",
        "MobileNetV2",
        "VGG16",
    ]


#: A retrained model's config as the queue has it (only ``key`` is read).
CONFIG = SimpleNamespace(key="k1")


def view(status, error=""):
    return SimpleNamespace(status=status, error=error, finished=status in ("done", "failed"))


@pytest.mark.parametrize("status", ["queued", "running"])
def test_a_running_job_changes_nothing(status):
    assert choice.training_outcome(view(status), config=CONFIG, title="t") is None


def test_a_finished_job_gives_the_model_to_show():
    done = choice.training_outcome(view("done"), config=CONFIG, title="Retrained: 2 epochs")
    assert done == choice.TrainingOutcome("retrained:k1", ("Retrained: 2 epochs", CONFIG), None)


def test_a_failed_job_gives_its_error():
    failed = choice.training_outcome(view("failed", "OSError: no space"), config=CONFIG, title="t")
    assert failed == choice.TrainingOutcome(None, None, "OSError: no space")
    assert (
        choice.training_outcome(view("failed"), config=CONFIG, title="t").error == "the job ended as 'failed'"
    )


def test_the_choice_needs_neither_keras_nor_streamlit():
    code = (
        "import sys, core.models.choice; "
        "print(sorted(m for m in ('keras', 'tensorflow', 'streamlit') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert out.stdout.strip() == "[]"
