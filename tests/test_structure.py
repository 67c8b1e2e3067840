"""The house rules that keep the app fast and maintainable, checked on the source."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


#: The layers of ``core``, bottom-up, and the layers each may import. Nothing imports upwards.
LAYERS = {
    "maths": set(),  # NumPy only: the teaching routines
    "data": {"maths"},  # images, datasets, the seeds' examples, files
    "models": {"maths", "data"},  # Keras: configs, builders, inspection
    "training": {"maths", "data", "models"},  # fit loops, the model store, the queue
    "figures": {"maths", "data"},  # Plotly, by topic
    "adapters": {"maths", "data", "models", "training", "figures"},  # Streamlit
}
#: Third-party packages only some layers may import (top level or inside a function).
RESTRICTED = {
    "streamlit": {"adapters"},
    "streamlit_drawable_canvas": {"adapters"},
    "keras": {"models", "training"},
    "tensorflow": {"models", "training"},
    "plotly": {"figures", "adapters"},
}
#: Imports a layer may make only inside a function: ``core.data.datasets`` calls the real
#: ``keras.datasets.mnist.load_data()`` download, never at import time.
LAZY_ONLY = {"data": {"keras"}}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def core_modules() -> list[Path]:
    return sorted((ROOT / "core").rglob("*.py"))


def imports_of(path: Path) -> list[tuple[str, bool]]:
    """Every absolute import in ``path`` as (dotted name, at module level?). ``from core.x import y``
    gives ``core.x.y`` when ``core/x/y.py`` exists, else ``core.x``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(n) for n in tree.body}
    top.update(id(c) for n in tree.body if isinstance(n, (ast.If, ast.Try)) for c in ast.walk(n))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, id(node) in top) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                sub = ROOT / Path(*node.module.split("."), a.name + ".py")
                found.append((f"{node.module}.{a.name}" if sub.is_file() else node.module, id(node) in top))
    return found


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_pages_define_no_classes_and_no_keras_models():
    for page in (ROOT / "pages").glob("*.py"):
        tree = ast.parse(page.read_text(encoding="utf-8"))
        classes = [n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
        assert classes == [], f"{page.name} defines classes {classes}"
        assert "keras" not in imported_modules(page) and "tensorflow" not in imported_modules(page), page.name


def test_pages_start_in_the_app_frame_and_never_set_page_config():
    """Every page starts with ``page_frame.start()`` (which calls ``require_app_frame``) before it draws."""
    for page in (ROOT / "pages").glob("*.py"):
        text = page.read_text(encoding="utf-8")
        first_call = next(
            n.value for n in ast.parse(text).body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)
        )
        assert ast.unparse(first_call) == "page_frame.start()", page.name
        assert "set_page_config" not in text and "st.navigation" not in text, page.name


def test_import_core_loads_neither_tensorflow_nor_streamlit():
    code = (
        "import sys, core, core.maths.convolution, core.maths.kernels, core.data.images, "
        "core.data.convolution_examples, core.figures.common, core.adapters.catalog;"
        "print(sorted(m for m in ('tensorflow', 'keras', 'streamlit') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_catalogued_page_has_a_unique_url_path():
    from core.adapters.catalog import PAGES, SECTIONS

    paths = [p.url_path for p in PAGES]
    assert len(paths) == len(set(paths))
    assert all(p.section in SECTIONS for p in PAGES)
    assert all(p.script == f"pages/{p.url_path}.py" for p in PAGES)
    assert all((ROOT / p.script).is_file() for p in PAGES)
    assert {p.name for p in (ROOT / "pages").glob("*.py")} == {"home.py"} | {
        Path(p.script).name for p in PAGES
    }


def test_streamlit_still_has_the_clean_up_that_app_replaces():
    """``core.adapters.streamlit_patches.keep_keras_state_between_runs`` replaces a private Streamlit
    function: this fails first when a Streamlit release renames it or stops calling it after each run."""
    import inspect

    from streamlit.runtime.scriptrunner import script_runner

    source = inspect.getsource(script_runner.ScriptRunner)
    assert "_clean_problem_modules" in source
    assert "clear_session" in inspect.getsource(script_runner)


def test_require_app_frame_still_frames_a_deep_links_first_run(monkeypatch):
    """``core.adapters.streamlit_patches.require_app_frame`` works around Streamlit's legacy ``pages/``
    routing, which runs a deep link's first run on a fresh server without ``app.py``. It relies on
    Streamlit 1.67 internals; this fails first when a release changes one of them:

    - the class flag ``PagesManager.uses_pages_directory``: ``ScriptRunner`` reads it to route a run by
      the folder, ``st.navigation`` clears it;
    - a run routed by the folder registers the entry script itself as a page
      (``get_script_run_ctx().pages_manager.get_pages()``: ``script_path``, ``url_pathname``).

    AppTest starts every run as a fresh server's first visit (it resets the flag), so switching pages
    before the first run is a deep link's first run, as in a browser.
    """
    import inspect

    import streamlit as st
    from streamlit.commands import navigation
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import script_runner
    from streamlit.testing.v1 import AppTest

    from core.adapters import streamlit_patches

    assert isinstance(PagesManager.__dict__.get("uses_pages_directory", 0), (bool, type(None)))
    assert "PagesManager.uses_pages_directory" in inspect.getsource(script_runner.ScriptRunner)
    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(navigation)

    def deep_link_first_run(page: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    reruns = []
    real_rerun = st.rerun

    def counted_rerun(*args, **kwargs):
        reruns.append(args)
        real_rerun(*args, **kwargs)

    monkeypatch.setattr(st, "rerun", counted_rerun)
    at = deep_link_first_run("convolution")
    assert len(reruns) == 1  # routed by the folder, started again ...
    assert [t.value for t in at.title] == ["Convolution and kernels"]
    assert "Lecture mode" in [t.label for t in at.toggle]  # ... inside app.py's frame
    assert PagesManager.uses_pages_directory is False

    # the control: no workaround, no frame
    monkeypatch.setattr(streamlit_patches, "require_app_frame", lambda: None)
    bare = deep_link_first_run("convolution")
    assert [t.value for t in bare.title] == ["Convolution and kernels"]
    assert "Lecture mode" not in [t.label for t in bare.toggle]


def test_pages_act_on_clicks_in_callbacks():
    """A button's True lasts one run, and ``require_app_frame`` may start a run again: pages pass
    ``on_click`` and never read what ``button`` / ``form_submit_button`` return."""
    offenders = []
    for page in sorted((ROOT / "pages").glob("*.py")):
        tree = ast.parse(page.read_text(encoding="utf-8"))
        discarded = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("button", "form_submit_button")
            ):
                if id(node) not in discarded or "on_click" not in {k.arg for k in node.keywords}:
                    offenders.append(f"{page.name}:{node.lineno}")
    assert offenders == []


def test_the_legacy_routing_workaround_lives_in_one_function():
    """Only ``core.adapters.streamlit_patches.require_app_frame`` touches Streamlit's page routing
    internals; no test patches them (``tests/app/apptest.py`` opens pages as a browser does)."""
    names = {"PagesManager", "uses_pages_directory"}
    found = set()
    for path in [
        ROOT / "app.py",
        *core_modules(),
        *(ROOT / "pages").glob("*.py"),
        *(ROOT / "tests").rglob("*.py"),
    ]:
        if path.resolve() == Path(__file__).resolve():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [f for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for node in ast.walk(tree):
            mentioned = {getattr(node, "id", None), getattr(node, "attr", None)} | {
                a.name for a in getattr(node, "names", ()) if isinstance(a, ast.alias)
            }
            if mentioned & names:  # the outermost function around it
                owner = next((f.name for f in functions if any(c is node for c in ast.walk(f))), "<module>")
                found.add((path.relative_to(ROOT).as_posix(), owner))
    assert found == {("core/adapters/streamlit_patches.py", "require_app_frame")}


def test_every_core_module_lives_in_a_layer_package():
    loose = [
        module_name(p)
        for p in core_modules()
        if len(p.relative_to(ROOT / "core").parts) == 1 and p.name != "__init__.py"
    ]
    assert loose == [], f"modules outside the layer packages: {loose}"
    packages = {p.name for p in (ROOT / "core").iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert packages == set(LAYERS)
    assert all((ROOT / "core" / name / "__init__.py").is_file() for name in LAYERS)


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "core" else None


def test_layers_import_only_the_layers_below_them():
    offenders = []
    for path in core_modules():
        layer = layer_of(module_name(path))
        if layer is None:
            continue
        for name, at_top in imports_of(path):
            target = layer_of(name) if name.startswith("core.") else None
            if target is not None and target != layer and target not in LAYERS[layer]:
                offenders.append(f"{module_name(path)} imports {name} ({layer} -> {target})")
            root = name.split(".")[0]
            if root in RESTRICTED and layer not in RESTRICTED[root]:
                if not (root in LAZY_ONLY.get(layer, ()) and not at_top):
                    offenders.append(f"{module_name(path)} imports {root}")
    assert offenders == []


def test_the_layer_rules_catch_an_upward_import(tmp_path, monkeypatch):
    """The checker itself: a maths module importing a figure must be reported."""
    fake = tmp_path / "core" / "maths" / "bad.py"
    fake.parent.mkdir(parents=True)
    fake.write_text("from core.figures import common\nimport streamlit\n")
    (tmp_path / "core" / "figures").mkdir()
    (tmp_path / "core" / "figures" / "common.py").write_text("")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    with pytest.raises(AssertionError, match="maths -> figures"):
        test_layers_import_only_the_layers_below_them()


#: What a page script (``pages/*.py``, ``app.py``) may import from ``core``: the adapters (Streamlit,
#: the caches, the training panel) and the NumPy layers it teaches from. Models and training are
#: reached only through the adapters, which own the caches, the locks and TensorFlow's import.
PAGE_LAYERS = {"maths", "data", "figures", "adapters"}


def page_scripts() -> list[Path]:
    return [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]


def test_pages_import_only_adapters_figures_maths_and_data():
    offenders = []
    for path in page_scripts():
        if not path.is_file():
            continue
        for name, _ in imports_of(path):
            parts = name.split(".")
            if parts[0] == "core" and (len(parts) < 2 or parts[1] not in PAGE_LAYERS):
                offenders.append(f"{path.relative_to(ROOT).as_posix()} imports {name}")
    assert offenders == [], "pages reach past the adapters:\n" + "\n".join(offenders)


def test_the_page_rule_catches_a_page_that_imports_a_model(tmp_path, monkeypatch):
    """The checker itself: a page importing ``core.models`` (at the top or inside a block) or
    ``core.training`` must be reported; one importing the allowed layers must not."""
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "good.py").write_text(
        "from core.adapters import cached\nfrom core.maths import losses\n"
    )
    (tmp_path / "pages" / "bad.py").write_text(
        "import core.training.jobs\nwith open('x'):\n    from core.models import gan\n"
    )
    (tmp_path / "core" / "models").mkdir(parents=True)
    (tmp_path / "core" / "models" / "gan.py").write_text("")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    with pytest.raises(AssertionError) as failed:
        test_pages_import_only_adapters_figures_maths_and_data()
    assert "pages/bad.py imports core.models.gan" in str(failed.value)
    assert "pages/bad.py imports core.training.jobs" in str(failed.value)
    assert "good.py" not in str(failed.value)


def test_sources_a_page_names_by_string_exist():
    """``page_frame.finish("core.models.hed:preprocess", ...)`` (or ``source_code.show_source``): a page
    names a function of a layer it does not import as ``module:qualified name``; each must be a function
    (or a class's method) of that module."""
    named = []
    for path in page_scripts():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) in ("show_source", "finish"):
                named += [(path.name, a.value) for a in node.args if isinstance(a, ast.Constant)]
    assert len(named) >= 8  # the model pages name theirs
    for page, text in named:
        module, _, qualname = text.partition(":")
        source = ROOT / Path(*module.split(".")).with_suffix(".py")
        assert source.is_file(), f"{page}: no module {module}"
        scope = ast.parse(source.read_text(encoding="utf-8")).body
        for part in qualname.split("."):
            found = [n for n in scope if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == part]
            assert found, f"{page}: {module} defines no {qualname}"
            scope = found[0].body


def core_import_graph() -> dict[str, set[str]]:
    """Which ``core`` modules each ``core`` module imports, at the top or inside a function."""
    modules = {module_name(p) for p in core_modules()}
    graph = {}
    for path in core_modules():
        me = module_name(path)
        deps = set()
        for name, _ in imports_of(path):
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name not in ("core", me) and name.count(".") >= 2:
                deps.add(name)
        graph[me] = deps
    return graph


def test_core_modules_import_each_other_without_cycles():
    graph = core_import_graph()
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for dep in sorted(graph.get(module, ())):
            assert state.get(dep) != "open", f"import cycle: {' -> '.join(path + [dep])}"
            if dep not in state:
                visit(dep, path + [dep])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert "core.data.datasets" in graph["core.training.fit"]  # the walk sees real edges


def private_imports(paths, root: Path = ROOT) -> list[str]:
    """``from core.x import _name`` anywhere in ``paths``: a private helper used outside its module."""
    found = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("core"):
                found += [
                    f"{path.relative_to(root)}: {node.module}.{a.name}"
                    for a in node.names
                    if a.name.startswith("_")
                ]
    return found


def test_no_module_imports_another_modules_private_helper(tmp_path):
    """A check or formatter two modules need is public (e.g. ``core.maths.checks``)."""
    paths = core_modules() + sorted((ROOT / "pages").glob("*.py")) + [ROOT / "app.py"]
    assert private_imports(paths) == []
    fake = tmp_path / "bad.py"  # the check sees the pattern it forbids
    fake.write_text(
        "from core.maths.checks import finite_number\nfrom core.maths.neurons import _scalar, input_rows\n"
    )
    assert private_imports([fake], tmp_path) == ["bad.py: core.maths.neurons._scalar"]
