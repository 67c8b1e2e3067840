"""core.models.architectures and core.models.builders: the seeds' parameter counts and shapes, from
real Keras models."""

import subprocess
import sys

import pytest

from core.maths.layer_math import PARAMETER_EXAMPLES, format_bytes
from core.models import architectures as A
from core.models import builders as B
from core.models.architectures import ARCHITECTURES

# ---------------------------------------------------------------- registry (no TensorFlow)


def test_module_import_does_not_import_tensorflow():
    code = (
        "import sys; import core.models.architectures, core.models.builders, core.maths.layer_math, "
        "core.maths.pooling, core.data.pooling_examples, core.maths.translation; "
        "sys.exit(int(any(m in sys.modules for m in ('tensorflow', 'keras', 'streamlit'))))"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=A.__file__.rsplit("/core/", 1)[0]).returncode == 0


@pytest.mark.parametrize("call", [lambda: A.build("resnet9000"), lambda: B.lenet5("median")])
def test_errors(call):
    with pytest.raises(ValueError, match="`"):
        call()


def test_registry_specs():
    assert len(ARCHITECTURES) >= 10
    for key, spec in ARCHITECTURES.items():
        assert spec.key == key and spec.source and spec.title
        assert spec.source.startswith("Course notes, *")
    assert ARCHITECTURES["course_mnist_cnn"].course_total == 30_762
    assert ARCHITECTURES["iris"].course_total == 26
    assert sum(r[3] for r in ARCHITECTURES["course_mnist_cnn"].course_rows) == 30_762


# ---------------------------------------------------------------- real Keras models

keras = pytest.importorskip("keras")

LIGHT = [k for k, s in ARCHITECTURES.items() if not s.heavy]
HEAVY = [pytest.param(k, marks=pytest.mark.slow) for k, s in ARCHITECTURES.items() if s.heavy]


@pytest.fixture(scope="module")
def models():
    cache = {}

    def get(key):
        if key not in cache:
            cache[key] = A.build(key)
        return cache[key]

    return get


def _check_table(model):
    rows = A.layer_table(model)
    for row in rows:
        assert row["params"] == model.get_layer(row["name"]).count_params()
        if row["params"]:
            assert (
                row["formula"].endswith(f"= {row['params']:,}")
                or row["formula"].startswith("4·")
                and f"= {row['params']:,} " in row["formula"]
            )
    totals = A.table_totals(rows)
    assert totals["params"] == model.count_params()
    assert totals["trainable"] == sum(int(w.numpy().size) for w in model.trainable_weights)
    return rows


@pytest.mark.parametrize("key", LIGHT + HEAVY)
def test_parameter_counts_match_keras(key, models):
    model = models(key)
    assert model.count_params() == ARCHITECTURES[key].params
    _check_table(model)


def _shapes(model):
    return {r["name"]: r["output_shape"] for r in A.layer_table(model)}


def test_mnist_cnn_001_matches_the_seed_summary(models):
    rows = {r["name"]: r for r in A.layer_table(models("course_mnist_cnn"), batch_size=128)}
    for name, _seed_name, course_shape, course_params in ARCHITECTURES["course_mnist_cnn"].course_rows:
        assert str((None,) + rows[name]["output_shape"]) == course_shape
        assert rows[name]["params"] == course_params
    assert rows["conv1"]["formula"] == "(3·3·1 + 1)·16 = 160"
    assert rows["dense1"]["formula"] == "(800 + 1)·32 = 25,632"
    assert rows["pool1"]["params"] == 0 and "no weights" in rows["pool1"]["formula"]
    assert rows["conv1"]["activation_bytes"] == 128 * 26 * 26 * 16 * 4


#: The course's tables of two CNNs: the layers' names, their output shapes, and the parameter counts of
#: the layers with weights, in order.
COURSE_LAYERS = {
    "cifar10_cnn": (
        ("conv1", "pool1", "conv2", "pool2", "conv3", "flatten", "dense1", "logits"),
        [(30, 30, 32), (15, 15, 32), (13, 13, 64), (6, 6, 64), (4, 4, 64), (1024,), (64,), (10,)],
        [896, 18_496, 36_928, 65_600, 650],
    ),
    "lenet5": (
        ("C1", "S2", "C3", "S4", "flatten", "F5", "F6", "output"),
        [(28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16), (400,), (120,), (84,), (10,)],
        [156, 2_416, 48_120, 10_164, 850],
    ),
}


@pytest.mark.parametrize(
    "key, table", [("cifar10_cnn", "cifar10_cnn"), ("lenet5", "lenet5"), ("lenet5_max", "lenet5")]
)
def test_layer_shapes_and_parameter_counts_match_the_course(key, table, models):
    names, shapes, params = COURSE_LAYERS[table]
    rows = A.layer_table(models(key))
    by_name = {r["name"]: r["output_shape"] for r in rows}
    assert [by_name[name] for name in names] == shapes
    assert [r["params"] for r in rows if r["params"]] == params


def test_ng_sample_net(models):
    rows = A.layer_table(models("ng_sample_net"))
    s = {r["name"]: r["output_shape"] for r in rows}
    assert (s["conv1"], s["conv2"], s["conv3"], s["flatten"]) == (
        (37, 37, 10),
        (17, 17, 20),
        (7, 7, 40),
        (1960,),
    )
    assert [r["params"] for r in rows if r["params"]] == [280, 5_020, 20_040, 1_961]


def test_dense_models(models):
    assert [r["params"] for r in A.layer_table(models("tf_guide_dense")) if r["params"]] == [
        2_112,
        4_160,
        650,
    ]
    import numpy as np

    out = models("tf_guide_dense")(np.random.default_rng(0).random((1000, 32)), training=False)
    assert tuple(out.shape) == (1000, 10)  # 003 L307: result.shape
    assert [r["params"] for r in A.layer_table(models("iris")) if r["params"]] == [20, 6]


def test_other_seed_models(models):
    assert _shapes(models("cifar10_cnn_dropout"))["flatten"] == (2048,)
    assert _shapes(models("flowers_cnn"))["pool3"] == (22, 22, 64)
    assert _shapes(models("flowers_cnn"))["flatten"] == (30_976,)
    assert _shapes(models("mnist_cnn_keras_example"))["flatten"] == (9_216,)
    bn = A.table_totals(A.layer_table(models("bn_mnist_cnn")))
    assert (bn["trainable"], bn["non_trainable"]) == (596_330, 1_408)
    assert _shapes(models("bn_mnist_cnn"))["flatten"] == (1024,)
    gen = models("dcgan_generator")
    assert _shapes(gen)["image"] == (96, 96, 3)
    assert A.table_totals(A.layer_table(gen))["trainable"] == 2_451_075
    disc = A.table_totals(A.layer_table(models("dcgan_discriminator")))
    assert disc["trainable"] == 1_657_025
    assert _shapes(models("dcgan_discriminator"))["flatten"] == (86_528,)


@pytest.mark.slow
def test_alexnet_shapes(models):
    s = _shapes(models("alexnet"))
    assert [s[k][0] for k in ("conv1", "pool1", "conv2", "pool2", "conv3", "conv4", "conv5", "pool5")] == [
        55,
        27,
        27,
        13,
        13,
        13,
        13,
        6,
    ]
    assert s["flatten"] == (9216,)


@pytest.mark.slow
def test_vgg16_has_16_weight_layers(models):
    rows = A.layer_table(models("vgg16"))
    weighted = [r for r in rows if r["params"]]
    assert len(weighted) == 16
    assert sum(r["type"] == "Conv2D" for r in weighted) == 13
    assert _shapes(models("vgg16"))["block5_pool"] == (7, 7, 512)


@pytest.mark.parametrize("key", [k for k, e in PARAMETER_EXAMPLES.items() if e.buildable])
def test_parameter_examples_match_keras(key):
    example = PARAMETER_EXAMPLES[key]
    assert B.param_example_model(example).count_params() == example.params


def test_unbuildable_example_raises():
    with pytest.raises(ValueError, match="not built"):
        B.param_example_model(PARAMETER_EXAMPLES["dense_1000x1000x3"])


def test_pooling_layers_have_no_parameters():
    # 003_de28f4f738ce9072.txt L161-162
    for layer in (
        keras.layers.MaxPooling2D(2),
        keras.layers.AveragePooling2D(2),
        keras.layers.GlobalMaxPooling2D(),
    ):
        layer.build((None, 8, 8, 3))
        assert layer.count_params() == 0
    assert keras.layers.MaxPooling2D(pool_size=2).strides == (2, 2)  # 001 L208: stride = pool size
    assert keras.layers.MaxPooling2D().pool_size == (2, 2)


def test_seed_001_average_pooling_call_is_keras_2_code():
    # 001 L211 writes `AveragePooling2D()` "(default pool 2x2)": true in Keras 2; Keras 3 requires
    # pool_size for AveragePooling2D (MaxPooling2D keeps the 2x2 default).
    with pytest.raises(TypeError, match="pool_size"):
        keras.layers.AveragePooling2D()


def test_with_batch_size_and_format_bytes():
    rows = [{"name": "x", "output_shape": (26, 26, 16), "activation_bytes": 43_264}]
    assert A.with_batch_size(rows, 128)[0]["activation_bytes"] == 128 * 26 * 26 * 16 * 4
    assert rows[0]["activation_bytes"] == 43_264  # the input rows are not modified
    assert format_bytes(512) == "512 B" and format_bytes(1536) == "1.5 KB"
    assert format_bytes(138_357_544 * 4) == "553.4 MB"
    with pytest.raises(ValueError, match="batch_size"):
        A.with_batch_size(rows, 0)


def test_architecture_figures(models):
    from core.figures import layer_arithmetic as F

    rows = A.layer_table(models("course_mnist_cnn"))
    bars = F.params_figure(rows).data[0]
    assert list(bars.y) == ["conv1", "conv2", "dense1", "output"] and list(bars.x) == [160, 4640, 25632, 330]
    flow = F.shape_flow_figure(rows).data
    assert list(flow[0].y) == [28, 26, 13, 11, 5, 0, 0, 0] and list(flow[1].y)[:5] == [1, 16, 16, 32, 32]
    mem = F.memory_figure(rows, [1, 128]).data[0]
    assert mem.y[1] == pytest.approx(128 * 19_818 * 4 / 1e6)


def test_seed000_tf1_mnist_cnn_and_seed004_birth_weight(models):
    """000_05cde12013bfe355.txt L972-1038: 832 + 51,264 + 3,212,288 + 10,250 = 3,274,634, fc1 holds 98 %;
    004_36a7c4616778873b.txt l.1452-1479: 7 → 25 → 10 → 3 → 1 = 497."""
    tf1 = models("tf1_mnist_cnn")
    counts = {r["name"]: r["params"] for r in A.layer_table(tf1) if r["params"]}
    assert counts == {"conv1": 832, "conv2": 51_264, "fc1": 3_212_288, "logits": 10_250}
    assert sum(counts.values()) == 3_274_634 == tf1.count_params()
    assert round(100 * counts["fc1"] / tf1.count_params()) == 98
    assert _shapes(tf1)["pool2"] == (7, 7, 64)
    bw = models("birth_weight")
    assert [layer.count_params() for layer in bw.layers[1:]] == [200, 260, 33, 4]
    assert bw.count_params() == 497
    assert [layer.units for layer in bw.layers[1:]] == [25, 10, 3, 1]


def test_residual_gradient_figure():
    from core.figures.layer_arithmetic import residual_gradient_figure

    fig = residual_gradient_figure([2, 4], [1.0, 0.0], [1.0, 2.0])
    assert list(fig.data[0].y)[1] > 0 and list(fig.data[1].y) == [1.0, 2.0] and fig.layout.yaxis.type == "log"
