"""The house rules that keep the app fast and maintainable, checked on the source."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


#: The layers of ``core``, bottom-up, and the layers each may import. Nothing imports upwards.
LAYERS = {
    "maths": set(),                                   # NumPy only: the teaching routines
    "data": {"maths"},                                # images, datasets, the seeds' examples, files
    "models": {"maths", "data"},                      # Keras: configs, builders, inspection
    "training": {"maths", "data", "models"},          # fit loops, the model store, the queue
    "figures": {"maths", "data"},                     # Plotly, by topic
    "adapters": {"maths", "data", "models", "training", "figures"},  # Streamlit
}
#: Third-party packages only some layers may import (top level or inside a function).
RESTRICTED = {
    "streamlit": {"adapters"}, "streamlit_drawable_canvas": {"adapters"},
    "keras": {"models", "training"}, "tensorflow": {"models", "training"},
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


def test_pages_call_require_app_frame_and_never_set_page_config():
    for page in (ROOT / "pages").glob("*.py"):
        text = page.read_text(encoding="utf-8")
        assert "ui.require_app_frame()" in text, page.name
        assert "set_page_config" not in text and "st.navigation" not in text, page.name


def test_import_core_loads_neither_tensorflow_nor_streamlit():
    code = ("import sys, core, core.maths.convolution, core.maths.kernels, core.data.images, core.data.convolution_examples, core.figures.common, core.adapters.catalog;"
            "print(sorted(m for m in ('tensorflow', 'keras', 'streamlit') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_catalogued_page_has_a_unique_url_path():
    from core.adapters.catalog import PAGES, SECTIONS

    paths = [p.url_path for p in PAGES]
    assert len(paths) == len(set(paths))
    assert all(p.section in SECTIONS for p in PAGES)
    assert all(p.script == f"pages/{p.url_path}.py" for p in PAGES)
    assert all((ROOT / p.script).is_file() for p in PAGES)
    assert {p.name for p in (ROOT / "pages").glob("*.py")} == {"home.py"} | {Path(p.script).name for p in PAGES}


def test_streamlit_still_has_the_clean_up_that_app_replaces():
    """``core.adapters.ui.keep_keras_state_between_runs`` replaces a private Streamlit function: this fails
    first when a Streamlit release renames it or stops calling it after each run."""
    import inspect

    from streamlit.runtime.scriptrunner import script_runner

    source = inspect.getsource(script_runner.ScriptRunner)
    assert "_clean_problem_modules" in source
    assert "clear_session" in inspect.getsource(script_runner)


def test_streamlit_still_has_the_legacy_pages_flag_that_require_app_frame_switches_off():
    """``core.adapters.ui.require_app_frame`` turns off Streamlit's legacy ``pages/`` routing for a deep
    link's first run on a fresh server; this fails first when a release removes the flag."""
    import inspect

    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import script_runner

    assert hasattr(PagesManager, "uses_pages_directory")
    assert "PagesManager.uses_pages_directory" in inspect.getsource(script_runner.ScriptRunner)


def test_every_core_module_lives_in_a_layer_package():
    loose = [module_name(p) for p in core_modules()
             if len(p.relative_to(ROOT / "core").parts) == 1 and p.name != "__init__.py"]
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
    assert "core.data.datasets" in graph["core.training.fit"]   # the walk sees real edges
