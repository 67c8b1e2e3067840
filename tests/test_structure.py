"""The house rules that keep the app fast and maintainable, checked on the source."""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STREAMLIT_ADAPTERS = {"ui.py", "cached.py"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_the_adapters_import_streamlit():
    offenders = [p.name for p in (ROOT / "core").glob("*.py")
                 if "streamlit" in imported_modules(p) and p.name not in STREAMLIT_ADAPTERS]
    assert offenders == [], f"core modules importing streamlit: {offenders}"


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
    code = ("import sys, core, core.convolution, core.kernels, core.images, core.presets, core.figures, core.catalog;"
            "print(sorted(m for m in ('tensorflow', 'keras', 'streamlit') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_catalogued_page_has_a_unique_url_path():
    from core.catalog import PAGES, SECTIONS

    paths = [p.url_path for p in PAGES]
    assert len(paths) == len(set(paths))
    assert all(p.section in SECTIONS for p in PAGES)
    assert all(p.script == f"pages/{p.url_path}.py" for p in PAGES)
    assert all((ROOT / p.script).is_file() for p in PAGES)
    assert {p.name for p in (ROOT / "pages").glob("*.py")} == {"home.py"} | {Path(p.script).name for p in PAGES}


def test_streamlit_still_has_the_clean_up_that_app_replaces():
    """``core.ui.keep_keras_state_between_runs`` replaces a private Streamlit function: this fails
    first when a Streamlit release renames it or stops calling it after each run."""
    import inspect

    from streamlit.runtime.scriptrunner import script_runner

    source = inspect.getsource(script_runner.ScriptRunner)
    assert "_clean_problem_modules" in source
    assert "clear_session" in inspect.getsource(script_runner)


def test_streamlit_still_has_the_legacy_pages_flag_that_require_app_frame_switches_off():
    """``core.ui.require_app_frame`` turns off Streamlit's legacy ``pages/`` routing for a deep
    link's first run on a fresh server; this fails first when a release removes the flag."""
    import inspect

    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import script_runner

    assert hasattr(PagesManager, "uses_pages_directory")
    assert "PagesManager.uses_pages_directory" in inspect.getsource(script_runner.ScriptRunner)


def core_import_graph() -> dict[str, set[str]]:
    """Which ``core`` modules each ``core`` module imports, at the top or inside a function."""
    graph = {}
    for path in (ROOT / "core").glob("*.py"):
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "core":
                deps.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("core."):
                deps.add(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                deps.update(a.name.split(".")[1] for a in node.names if a.name.startswith("core."))
        graph[path.stem] = deps - {path.stem}
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
    assert "train" not in graph["train_generative"]
