"""Students read the course cited by title: every page, in every view where a citation appears, shows no
course file name, no "seed 00N" and no line range; the registry (``core.data.course``) formats the
citations and refuses what a reader could not look up."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from google.protobuf import text_format

from core.adapters.sources import sources_lines
from core.data.course import DOCUMENTS, REFERENCES, cite, plain, reference

ROOT = Path(__file__).resolve().parents[1]

#: What a student must never read: a course file name, "seed 000".."seed 009", a line range.
FILE_NAME = re.compile(r"\d{3}_[0-9a-f]{16}")
SEED_NUMBER = re.compile(r"\bseeds?[\s_-]*00\d", re.I)
LINE_RANGE = re.compile(r"\bL\d+\s*[–-]\s*L?\d+")
#: Other ways the old citations gave line numbers: "(L96)", "l.121–144", "lines 269-346" (never "L2" or "L1").
LINE_NUMBER = re.compile(r"\bL\d{2,}\b|\bl\.\s?\d{2,}|\blines? \d+(\s*[–-]\s*\d+)?\b")
FORBIDDEN = (FILE_NAME, SEED_NUMBER, LINE_RANGE, LINE_NUMBER)
#: "Course notes, *Title*" as pages, data and docstrings write it.
CITED_TITLE = re.compile(r"Course notes, \*([^*]+)\*")


def cited_titles(text: str) -> set[str]:
    """The titles cited as "Course notes, *Title*", whitespace (and escaped newlines) collapsed."""
    return {" ".join(m.group(1).replace("\\n", " ").split()) for m in CITED_TITLE.finditer(text)}


def forbidden_in(text: str) -> list[str]:
    """Every forbidden match in ``text``, in order, overlapping matches counted once."""
    hits = sorted((m.start(), -m.end(), m.group(0)) for pattern in FORBIDDEN for m in pattern.finditer(text))
    found, end = [], -1
    for start, neg_stop, hit in hits:
        stop = -neg_stop
        if start >= end:
            found.append(hit)
        end = max(end, stop)
    return found


# --- the patterns themselves ------------------------------------------------------------------------
def test_the_patterns_catch_course_references_and_spare_random_seeds_and_l2():
    assert forbidden_in("Source: 001_0ab6af07a5a8fe8c.txt L91–95") == ["001_0ab6af07a5a8fe8c", "L91–95"]
    assert forbidden_in("(seed 000, L871-L895)") == ["seed 000", "L871-L895"]
    assert forbidden_in("Seed 001's CNN") == ["Seed 001"]
    assert forbidden_in("(seed 003, L96) · 1.1.6 (l.141–144) · lines 269-346") == [
        "seed 003",
        "L96",
        "l.141",
        "lines 269-346",
    ]
    assert (
        forbidden_in(
            "Random seed 42 · seed 7 · L2 penalty · L2-norm pooling · L1 = 1e-5 · seed-to-seed spread"
        )
        == []
    )


# --- the registry -----------------------------------------------------------------------------------
def test_the_five_course_documents_have_distinct_readable_titles():
    assert len(DOCUMENTS) == 5
    titles = [d.title for d in DOCUMENTS.values()]
    assert len(set(titles)) == 5
    for doc in DOCUMENTS.values():
        assert doc.title[0].isupper() and 3 <= len(doc.title) <= 60 and "*" not in doc.title
        assert not forbidden_in(doc.title) and not re.search(r"\d{3}|\.txt|seed", doc.title, re.I)
        assert doc.covers
    assert {k for k, d in DOCUMENTS.items() if d.numbered} == {"conv_notes", "intro_dl"}


def test_cite_by_section_heading_or_whole_document():
    assert cite("intro_dl", "1.1.7") == "Course notes, *Introduction to deep learning* §1.1.7"
    assert cite("intro_dl", "1.1.5–1.1.6") == "Course notes, *Introduction to deep learning* §1.1.5–1.1.6"
    assert cite("conv_notes", "2.3") == "Course notes, *Convolution, pooling and tensors* §2.3"
    assert (
        cite("cnn_classics", "Padding")
        == "Course notes, *CNN building blocks and classic networks*, *Padding*"
    )
    assert cite("ae_cnn") == "Course notes, *Autoencoders and convolutional networks*"
    assert (
        cite("keras_cnn", "More filters", markdown=False)
        == "Course notes, “CNNs and regularisation in Keras”, “More filters”"
    )
    assert (
        plain(cite("cnn_classics", "ResNet"))
        == "Course notes, “CNN building blocks and classic networks”, “ResNet”"
    )


@pytest.mark.parametrize(
    "key, where, message",
    [
        ("lecture_3", None, "unknown course document 'lecture_3'"),
        ("000", "Pooling", "unknown course document '000'"),
        ("intro_dl", "Perceptron", "numbers its sections"),  # a heading for a numbered document
        ("ae_cnn", "2.3", "slide deck"),  # a number for a slide deck
        ("ae_cnn", "L694-L696", "line numbers"),
        ("intro_dl", "l.121", "line numbers"),
        ("ae_cnn", "000_05cde12013bfe355.txt", "file"),
        ("cnn_classics", "  ", "non-empty"),
    ],
)
def test_cite_refuses_what_a_reader_cannot_look_up(key, where, message):
    with pytest.raises(ValueError, match=message):
        cite(key, where)


def test_references_are_formatted_with_a_link_and_unknown_ones_raise():
    he = reference("he2016")
    assert he.startswith("He, Zhang, Ren & Sun (2016), *Deep residual learning for image recognition*")
    assert he.endswith("(https://arxiv.org/abs/1512.03385)")
    assert (
        reference("he2016", markdown=False)
        == "He, Zhang, Ren & Sun (2016), Deep residual learning for image recognition"
    )
    assert all(r.url.startswith("https://") and r.text for r in REFERENCES.values())
    with pytest.raises(ValueError, match="unknown reference"):
        reference("nobody2099")


def test_sources_panel_lines_list_documents_with_their_places_then_references():
    lines = sources_lines({"intro_dl": ["1.1.5–1.1.6", "1.2"], "cnn_classics": "Padding"}, ["he2016"])
    assert lines[0].startswith(
        "- Course notes, *Introduction to deep learning*: §1.1.5–1.1.6; §1.2 — textbook"
    )
    assert lines[1].startswith(
        "- Course notes, *CNN building blocks and classic networks*: *Padding* — slides"
    )
    assert lines[2].startswith("- He, Zhang, Ren & Sun (2016)")
    assert sources_lines(["ae_cnn"])[0].startswith(
        "- Course notes, *Autoencoders and convolutional networks* — "
    )
    with pytest.raises(ValueError):
        sources_lines({"intro_dl": ["Perceptron"]})


# --- the source tree --------------------------------------------------------------------------------
def _python_files():
    return [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "core").rglob("*.py"))]


def test_no_course_file_name_in_the_code_pages_or_docstrings():
    found = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in _python_files()
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if FILE_NAME.search(line)
    ]
    assert found == []


def test_docstrings_cite_no_line_ranges_or_seed_numbers():
    found = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                doc = ast.get_docstring(node) or ""
                found += [
                    f"{path.relative_to(ROOT)}:{getattr(node, 'name', '<module>')}: {hit}"
                    for hit in forbidden_in(doc)
                ]
    assert found == []


def test_every_cited_title_is_a_registered_document():
    titles = {d.title for d in DOCUMENTS.values()}
    cited = {
        (p.relative_to(ROOT).as_posix(), " ".join(m.group(1).split()))
        for p in _python_files()
        if p.name != "course.py"
        for m in CITED_TITLE.finditer(p.read_text(encoding="utf-8"))
    }
    assert cited, "no citation found at all"
    assert {(p, t) for p, t in cited if t not in titles} == set()


def test_every_data_source_a_page_shows_is_a_readable_citation():
    from core.data.convolution_examples import WORKED_EXAMPLES
    from core.data.pooling_examples import POOLING_PRESETS
    from core.data.volume_examples import cs231n_walkthrough, rgb_two_kernels
    from core.maths.activation_functions import ACTIVATIONS
    from core.maths.kernels import KERNELS
    from core.maths.layer_math import PARAMETER_EXAMPLES, SIZE_PRESETS
    from core.maths.neurons import GATES, MCCULLOCH_PITTS_GATES
    from core.models.architectures import ARCHITECTURES
    from core.models.autoencoder import PRESETS

    shown = {}
    for name, table in (
        ("kernel", KERNELS),
        ("example", WORKED_EXAMPLES),
        ("pooling", POOLING_PRESETS),
        ("size", SIZE_PRESETS),
        ("params", PARAMETER_EXAMPLES),
        ("architecture", ARCHITECTURES),
        ("activation", ACTIVATIONS),
        ("gate", GATES),
        ("mcculloch_pitts", MCCULLOCH_PITTS_GATES),
        ("autoencoder", PRESETS),
    ):
        for key, item in table.items():
            shown[f"{name} {key}"] = " · ".join(
                str(getattr(item, a, "")) for a in ("title", "label", "source", "note")
            )
    for example in (rgb_two_kernels(), cs231n_walkthrough(0)):
        shown[f"volume {example.title}"] = f"{example.title} · {example.source} · {example.note}"
    assert {k: forbidden_in(v) for k, v in shown.items() if forbidden_in(v)} == {}
    course_sources = [
        i.source
        for t in (WORKED_EXAMPLES, POOLING_PRESETS, ARCHITECTURES, GATES, MCCULLOCH_PITTS_GATES)
        for i in t.values()
    ]
    assert all("Course notes, *" in s for s in course_sources)


# --- every page, rendered ---------------------------------------------------------------------------
def _dict_keys(page: str, name: str) -> list[str]:
    """The keys of the dict literal ``name = {...}`` in ``pages/<page>.py`` (the page's own choices)."""
    tree = ast.parse((ROOT / "pages" / f"{page}.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return [k.value for k in node.value.keys]
    raise LookupError(f"{name} not found in pages/{page}.py")


def rendered_text(at) -> str:
    """Everything an AppTest run put on the page: the text of every element (markdown, captions, labels,
    options, code, alerts, metrics, expander labels) and the cells of every dataframe."""
    parts = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            if getattr(node, "type", "") in ("arrow_data_frame", "arrow_table", "dataframe", "table"):
                try:
                    parts.append(node.value.to_string())
                except Exception:  # noqa: BLE001 - a frame AppTest cannot decode
                    pass
            else:
                parts.append(text_format.MessageToString(proto, as_utf8=True))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(getattr(at, "_tree", at))
    return "\n".join(parts)


def _views() -> list[tuple[str, dict]]:
    from core.data.convolution_examples import WORKED_EXAMPLES
    from core.data.pooling_examples import POOLING_PRESETS
    from core.maths.activation_functions import ACTIVATIONS
    from core.models.architectures import ARCHITECTURES

    views = [
        ("home", {}),
        ("perceptron", {}),
        ("autoencoder", {}),
        ("gan", {}),
        ("cnn_activations", {}),
        ("deep_features", {}),
    ]
    views += [("convolution", {"example": key}) for key in ["none", *WORKED_EXAMPLES]]
    views += [("convolution", {"more": more}) for more in _dict_keys("convolution", "MORE")]
    views += [("convolution", {"more": "volume", "volume": "cs231n"})]
    views += [("pooling", {"mode": mode}) for mode in ("numbers", "image", "shift")]
    views += [("pooling", {"mode": "numbers", "preset": key}) for key in POOLING_PRESETS]
    views += [("layer_arithmetic", {"part": part}) for part in _dict_keys("layer_arithmetic", "PARTS")]
    views += [
        pytest.param(
            "layer_arithmetic", {"part": "arch", "model": key}, marks=[pytest.mark.slow] if spec.heavy else []
        )
        for key, spec in ARCHITECTURES.items()
    ]
    views += [("training", {"reg": reg}) for reg in _dict_keys("training", "REGULARISERS")]
    views += [("boolean_neurons", {"fn": fn}) for fn in ("AND", "OR", "XOR")]
    views += [("boolean_neurons", {"act": act}) for act in ACTIVATIONS]
    return views


def _view_id(view) -> str:
    page, query = view.values if hasattr(view, "values") else view
    return page + "".join(f"-{k}={v}" for k, v in query.items())


VIEWS = _views()


@pytest.mark.parametrize("page, query", VIEWS, ids=[_view_id(v) for v in VIEWS])
def test_rendered_page_names_no_course_file_seed_number_or_line_range(page, query):
    from tests.app.apptest import open_page

    at = open_page(page, query=query)
    text = rendered_text(at)
    assert len(text) > 500, "the page rendered almost nothing"
    assert forbidden_in(text) == []
    titles = {d.title for d in DOCUMENTS.values()}
    assert cited_titles(text) <= titles
    if page != "home":  # every content page ends with its Sources panel
        panels = [e for e in at.expander if e.label == "Sources"]
        assert len(panels) == 1
        cited = cited_titles(rendered_text(panels[0]))
        assert cited and cited <= titles
