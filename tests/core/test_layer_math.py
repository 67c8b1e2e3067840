"""core.maths.layer_math: the seeds' parameter counts, formulas and output sizes, without TensorFlow."""

import pytest

from core.maths.layer_math import (
    PARAMETER_EXAMPLES,
    SIZE_PRESETS,
    batchnorm_formula,
    conv_formula,
    conv_params,
    dense_formula,
    dense_params,
    random_size_question,
)

# ---------------------------------------------------------------- parameter counts and formulas


def test_seed_001_mlp_vs_cnn():
    # 001_0ab6af07a5a8fe8c.txt L152: 32x32x256+256 = 262400 and 9x256+256 = 2560
    assert dense_params(32 * 32, 256) == 262_400
    assert conv_params(3, 1, 256) == 2_560
    # the same layers on an RGB image (not in the seed, F-2): 786,688 and 7,168
    assert dense_params(32 * 32 * 3, 256) == 786_688 and conv_params(3, 3, 256) == 7_168


def test_seed_003_counts():
    assert conv_params(3, 3, 10) == 280  # L131-135
    assert conv_params(5, 3, 6) == 456  # L170
    assert conv_params(5, 3, 6, bias=False) == 450
    assert dense_params(3072, 4704, bias=False) == 14_450_688  # L169 ("14 million")
    assert dense_params(1000 * 1000 * 3, 1000, bias=False) == 3_000_000_000  # L40
    assert conv_params(3, 3, 10) + 5020 + 20040 == conv_params(3, 3, 10) + conv_params(
        5, 10, 20
    ) + conv_params(5, 20, 40)  # Ng sample net (F-50)
    assert conv_params((1, 7), 3, 2) == (1 * 7 * 3 + 1) * 2


def test_formulas():
    assert conv_formula(3, 1, 16) == "(3·3·1 + 1)·16 = 160"
    assert conv_formula(3, 16, 32) == "(3·3·16 + 1)·32 = 4,640"
    assert conv_formula(5, 3, 6, bias=False) == "5·5·3·6 = 450"
    assert dense_formula(800, 32) == "(800 + 1)·32 = 25,632"
    assert batchnorm_formula(32).startswith("4·32 = 128")


@pytest.mark.parametrize(
    "call",
    [
        lambda: conv_params(0, 1, 1),
        lambda: conv_params(3, 1.5, 1),
        lambda: conv_params(3, 1, True),
        lambda: dense_params(-1, 3),
        lambda: conv_params((3, 3, 3), 1, 1),
    ],
)
def test_errors(call):
    with pytest.raises(ValueError, match="`"):
        call()


def test_flowers_with_the_ocr_extra_pool_would_count_less():
    # 002 L145-146: with a fourth pool, 11x11x64 -> Dense128 991,360 -> total 1,015,589
    assert dense_params(11 * 11 * 64, 128) + 448 + 4_640 + 18_496 + 645 == 1_015_589


# ---------------------------------------------------------------- the seeds' examples


def test_parameter_examples():
    ex = PARAMETER_EXAMPLES
    assert ex["mlp_32x32_256"].params == 262_400 and ex["cnn_32x32_256"].params == 2_560
    assert ex["quiz_32"].params == ex["quiz_1000"].params == 280
    assert ex["dense_64x64x3"].n_inputs == 12_288
    assert ex["dense_1000x1000x3"].n_inputs == 3_000_000
    assert ex["dense_1000x1000x3"].weights_only == 3_000_000_000
    assert ex["dense_32x32x3_28x28x6"].weights_only == 14_450_688
    assert ex["conv_5x5x3_6"].params == 456
    assert ex["mlp_32x32_256"].formula == "(1,024 + 1)·256 = 262,400"


def test_size_presets_and_random_questions():
    from core.maths.convolution import output_size

    for p in SIZE_PRESETS.values():
        padding = p.pad if p.padding == "explicit" else p.padding
        assert output_size(p.n, p.f, stride=p.stride, padding=padding, dilation=p.dilation)[0] == p.expected
    for seed in range(20):
        q = random_size_question(seed)
        assert q.expected == (q.n + 2 * q.pad - q.f) // q.stride + 1 >= 1
    assert random_size_question(3) == random_size_question(3)
