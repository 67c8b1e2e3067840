"""AppTest of the Boolean neurons page: the seed's gates, the separability verdicts, the XOR network,
the activation explorer; and a check that the page's imports do not pull in TensorFlow."""

import ast
import subprocess
import sys
from pathlib import Path

from tests.app.apptest import page_fixture

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")


page = page_fixture("boolean_neurons")


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def truth(at):
    return next(d.value for d in at.dataframe if "w·x + b, written out" in d.value.columns)


def test_default_is_the_seeds_and_neuron(page):
    table = truth(page)
    assert list(table["w·x + b, written out"]) == [
        "1·0 + 1·0 − 1.5 = −1.5",
        "1·0 + 1·1 − 1.5 = −0.5",
        "1·1 + 1·0 − 1.5 = −0.5",
        "1·1 + 1·1 − 1.5 = 0.5",
    ]
    assert list(table["y = φ(v)"]) == [0, 0, 0, 1]
    assert metric(page, "Rows right") == "4 / 4"
    assert any("computes **AND**" in s.value for s in page.success)
    assert any("One neuron can: w = (1, 1), w₀ = b = -1.5" in s.value for s in page.success)


def test_sliders_make_nand_and_the_url_follows(page):
    page.selectbox(key="bool_fn").set_value("NAND").run()
    assert metric(page, "Rows right") == "0 / 4"
    page.slider(key="bool_w1").set_value(-1.0).run()
    page.slider(key="bool_w2").set_value(-1.0).run()
    page.slider(key="bool_b").set_value(1.5).run()
    assert metric(page, "Rows right") == "4 / 4"
    assert list(truth(page)["y = φ(v)"]) == [1, 1, 1, 0]
    assert page.query_params["fn"] == "NAND" and page.query_params["b"] == "1.5"


def test_preset_and_reveal_set_the_weights(page):
    page.selectbox(key="bool_preset").set_value("OR").run()
    assert (page.slider(key="bool_w1").value, page.slider(key="bool_b").value) == (1.0, -0.5)
    assert page.selectbox(key="bool_fn").value == "OR" and metric(page, "Rows right") == "4 / 4"
    page.selectbox(key="bool_fn").set_value("NOT x1 OR x2").run()
    page.button(key="bool_reveal").click().run()
    assert (
        page.slider(key="bool_w1").value,
        page.slider(key="bool_w2").value,
        page.slider(key="bool_b").value,
    ) == (-1.0, 1.0, 0.5)
    assert metric(page, "Rows right") == "4 / 4"


def test_xor_is_not_separable_and_the_proof_is_shown(page):
    page.selectbox(key="bool_fn").set_value("XOR").run()
    assert metric(page, "Rows right") == "1 / 4"
    assert page.error[0].value == "No — XOR is not linearly separable."
    assert any("1/2·(row 01) + 1/2·(row 10)" in m.value for m in page.markdown)
    assert any(r"w_1 + w_2 < h" in x.value for x in page.latex)
    assert not page.exception


def test_sixteen_functions_table_counts_fourteen(page):
    table = next(d.value for d in page.dataframe if "one neuron?" in d.value.columns)
    assert len(table) == 16 and (table["one neuron?"] == "✓").sum() == 14
    assert set(table.loc[table["one neuron?"] != "✓", "function"]) == {"XOR", "XNOR"}


def test_three_input_parity_and_majority(page):
    page.selectbox(key="bool_fn").set_value("MAJORITY").run()
    assert (
        len(truth(page)) == 8 and metric(page, "Rows right") == "8 / 8"
    )  # w = (1, 1, 1), b = −1.5 is majority
    assert any(s.value.startswith("Yes — MAJORITY") for s in page.success)
    page.selectbox(key="bool_fn").set_value("PARITY").run()
    assert page.error[0].value == "No — PARITY is not linearly separable."


def test_xor_network_hidden_values(page):
    table = next(d.value for d in page.dataframe if "z1 = φ(x1 − x2 − 0.5)" in d.value.columns)
    assert list(table["z1 = φ(x1 − x2 − 0.5)"]) == ["φ(-0.5) = 0", "φ(-1.5) = 0", "φ(0.5) = 1", "φ(-0.5) = 0"]
    assert list(table["y = φ(z1 + z2 − 0.5)"]) == ["φ(-0.5) = 0", "φ(0.5) = 1", "φ(0.5) = 1", "φ(-0.5) = 0"]
    page.radio(key="bool_row").set_value(2).run()
    assert not page.exception


def test_madaline_or_table(page):
    table = next(d.value for d in page.dataframe if "y_in = ½ + ½z1 + ½z2" in d.value.columns)
    assert list(table["y"]) == [-1, 1, 1, 1]
    assert list(table["y_in = ½ + ½z1 + ½z2"])[0] == "0.5·(−1) + 0.5·(−1) + 0.5 = −0.5"


def test_activation_explorer_values(page):
    page.selectbox(key="act_name").set_value("piecewise_linear").run()
    page.slider(key="act_z").set_value(0.5).run()
    assert metric(page, "f(0.5)") == "0.5"  # max(−1, min(1, z)): no jump at z = 1/2 (the course's slip)
    page.slider(key="act_z").set_value(1.5).run()
    assert metric(page, "f(1.5)") == "1" and metric(page, "f′(1.5)") == "0"
    assert any("max(−1, min(1, z))" in c.value and "jumps at ±½: a slip" in c.value for c in page.caption)
    page.selectbox(key="act_name").set_value("sigmoid").run()
    page.slider(key="act_alpha").set_value(2.0).run()
    page.slider(key="act_z").set_value(0.0).run()
    assert metric(page, "f(0)") == "0.5" and metric(page, "f′(0)") == "0.5"  # α s (1 − s) = 2·0.25


def page_imports_without_tensorflow(script: str) -> list[str]:
    """Import every module the page script imports, in a fresh interpreter; return TF/Keras modules loaded."""
    tree = ast.parse((ROOT / script).read_text())
    modules = sorted(
        {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        | {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    )
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "core.maths.neurons" in modules or "core.maths.perceptron" in modules
    return eval(out.stdout.strip().splitlines()[-1])


def test_page_does_not_import_tensorflow():
    assert page_imports_without_tensorflow("pages/boolean_neurons.py") == []


def test_mcculloch_pitts_section(page):
    """004_36a7c4616778873b.txt 1.1.6 (l.141-144): AND b = 2, OR b = 1, NOT b = 0,
    x1 ∧ ¬x2 = [x1 − x2 ≥ 1]."""
    frame = next(d.value for d in page.dataframe if "excitatory − inhibitory vs b" in d.value.columns)
    assert (
        list(frame["y"]) == [0, 0, 0, 1]
        and frame["excitatory − inhibitory vs b"][3] == "x₁ + x₂ = 1 + 1 = 2 ≥ 2"
    )
    rule = next(m.value for m in page.markdown if "The 1943 logical neuron" in m.value)
    assert "McCulloch & Pitts (1943)" in rule and "**vetoes** firing" in rule  # absolute inhibition, not −1
    assert "the course's neuron gives y = 1, the 1943 neuron y = 0" in rule
    page.radio(key="bool_mp").set_value("x1 AND NOT x2").run()
    frame = next(d.value for d in page.dataframe if "excitatory − inhibitory vs b" in d.value.columns)
    assert list(frame["y"]) == [0, 0, 1, 0]
    assert any("**x1 AND NOT x2**: fires when **x₁ − x₂ ≥ 1**" in m.value for m in page.markdown)
    page.radio(key="bool_mp").set_value("NOT").run()
    frame = next(d.value for d in page.dataframe if "excitatory − inhibitory vs b" in d.value.columns)
    assert list(frame["y"]) == [1, 0] and list(frame.columns)[0] == "x1"


def test_or_note_and_the_activation_wording(page):
    assert not any("course's OR table" in i.value for i in page.info)
    page.selectbox(key="bool_fn").set_value("OR").run()
    note = next(i.value for i in page.info if "course's OR table" in i.value)
    assert "φ(-1), φ(0), φ(0), φ(1)" in note and "bias -1" in note and "−0.5, 0.5, 0.5, 1.5" in note
    text = " ".join(m.value for m in page.markdown)
    assert "differentiable almost everywhere" in text and "needs a smooth one" not in text
