"""Repository-level checks run with the tests: style, and the layers of
docs/design.rst."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*cmd):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter absent")
def test_import_layers_contract():
    out = _run("lint-imports", "--config", str(ROOT / "pyproject.toml"))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "broken" not in out.stdout.split("Contracts:")[-1].replace("0 broken", "")


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff absent")
def test_ruff_lint_and_format():
    lint = _run("ruff", "check", "sklr", "tests", "examples", "benchmarks", "docs")
    assert lint.returncode == 0, lint.stdout
    fmt = _run("ruff", "format", "--check", "sklr", "tests", "examples", "benchmarks")
    assert fmt.returncode == 0, fmt.stdout


def test_quickstart_example_runs():
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "learning_rate=0.01" in out.stdout
    assert "DIVERGED" in out.stdout  # the rate of 10 diverges, and says so


@pytest.mark.slow
def test_displays_example_saves_every_png(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "plot_displays.py"),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    names = sorted(p.name for p in tmp_path.glob("*.png"))
    assert names == [
        "epoch_budgets.png",
        "loss_curves.png",
        "lr_batch_size.png",
        "lr_find.png",
        "sensitivity.png",
        "sensitivity_by_batch_size.png",
        "sensitivity_loss.png",
    ]
    assert all((tmp_path / n).stat().st_size > 10_000 for n in names)


def test_benchmark_suite_quick_path(tmp_path):
    """The benchmark suite's --quick path runs, so that it cannot rot."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    import json

    results = json.loads((tmp_path / "quick.json").read_text())
    assert set(results) >= {
        "machine",
        "single_fit",
        "search",
        "stacking",
        "scaling",
        "efficiency",
    }
    assert all(
        r["ratio"] > 0 and 0 <= r["sklr_score"] <= 1 for r in results["single_fit"]
    )
    assert (tmp_path / "quick.md").read_text().startswith("# Benchmarks (quick)")


def test_every_public_name_is_in_the_api_reference():
    import sklr
    import sklr.optim
    import sklr.plotting

    api = (ROOT / "docs" / "api.rst").read_text()
    names = [n for n in sklr.__all__ if n != "__version__"]
    names += [f"optim.{n}" for n in sklr.optim.__all__ if n != "Optimizer"]
    names += [f"plotting.{n}" for n in dir(sklr.plotting) if n.endswith("Display")]
    missing = [n for n in names if f"   {n}\n" not in api]
    assert not missing, missing


def test_profile_helper_reports_the_engine(monkeypatch):
    """``python -m benchmarks.profile`` profiles the training loop (cProfile path)."""
    monkeypatch.syspath_prepend(str(ROOT))
    from benchmarks.profile import profile

    report = profile("fold", epochs=1, use_pyinstrument=False)
    assert "_run_epoch" in report and "loss_and_grad" in report


def _imports_across_subpackages():
    """(module, imported module, names) for every import that crosses from one
    part of sklr to another (a subpackage, or the root's modules)."""
    import ast

    root = Path(__file__).resolve().parents[1] / "sklr"
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        module = ".".join(p for p in parts if p != "__init__")
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("sklr"):
                continue
            yield module, target, [a.name for a in node.names]


def _part(module):
    """The subpackage a module belongs to ("" for the root's own modules)."""
    parts = module.split(".")
    root = Path(__file__).resolve().parents[1] / "sklr"
    return parts[1] if len(parts) > 1 and (root / parts[1]).is_dir() else ""


def test_no_private_name_crosses_a_subpackage():
    """Subpackages meet through public names; the analyses reach the estimators
    through ``sklr.neural_network._stack``, the one documented internal API."""
    bad = []
    for module, target, names in _imports_across_subpackages():
        if _part(target) == "" or _part(target) == _part(module):
            continue  # the root's modules are leaves or entry points
        inner = target.split(".")[2:]
        private_path = any(p.startswith("_") for p in inner)
        if target == "sklr.neural_network._stack":
            private_path = False
        private_names = [n for n in names if n.startswith("_")]
        if private_path or private_names:
            bad.append(f"{module} imports {private_names or names} from {target}")
    assert bad == []


def test_every_public_class_and_function_has_an_example():
    """Methods are shown in their class's example; the doctests run them all."""
    import inspect

    import sklr
    import sklr.cli
    import sklr.exceptions
    import sklr.lr_finder
    import sklr.optim
    import sklr.plotting
    import sklr.search

    missing = []
    for module in (sklr, sklr.optim, sklr.plotting, sklr.search, sklr.lr_finder):
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                if "Examples\n" not in (obj.__doc__ or ""):
                    missing.append(f"{module.__name__}.{name}")
    for obj in (sklr.cli.main, *vars(sklr.exceptions).values()):
        if inspect.isclass(obj) or inspect.isfunction(obj):
            if obj.__module__.startswith("sklr") and "Examples\n" not in obj.__doc__:
                missing.append(obj.__qualname__)
    assert missing == []


def _modules(*parts):
    """(relative path, parsed module) of every module of sklr, or of ``parts``."""
    import ast

    root = ROOT / "sklr"
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if not parts or any(rel.startswith(f"sklr/{p}") for p in parts):
            yield rel, ast.parse(path.read_text())


def _private_sklearn_imports(tree):
    """The names of scikit-learn's private modules or objects ``tree`` imports."""
    import ast

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "sklearn"
        ):
            private = [a.name for a in node.names if a.name.startswith("_")]
            if any(p.startswith("_") for p in node.module.split(".")) or private:
                found.append(f"{node.module}: {[a.name for a in node.names]}")
        elif isinstance(node, ast.Import):
            found += [
                a.name
                for a in node.names
                if a.name.startswith("sklearn")
                and any(p.startswith("_") for p in a.name.split("."))
            ]
    return found


def test_private_scikit_learn_imports_live_in_one_module():
    """scikit-learn's private names (which change between its releases) are
    imported in ``sklr/_sklearn.py`` only, beside the versions it was tested with."""
    bad = {
        rel: names
        for rel, tree in _modules()
        if rel != "sklr/_sklearn.py" and (names := _private_sklearn_imports(tree))
    }
    assert bad == {}


def test_the_private_import_check_finds_one():
    import ast

    tree = ast.parse("from sklearn.utils._param_validation import Interval")
    assert _private_sklearn_imports(tree) == [
        "sklearn.utils._param_validation: ['Interval']"
    ]
    tree = ast.parse("from sklearn.model_selection import _search")
    assert len(_private_sklearn_imports(tree)) == 1
    assert _private_sklearn_imports(ast.parse("import sklearn.linear_model")) == []


#: words that name an estimator family (or its estimators) in a string test
_FAMILY_WORDS = ("boost", "xgb", "lgbm", "lightgbm", "sgd", "mlp", "perceptron")


def _family_string_tests(tree):
    """Comparisons (``==``, ``in``, ``startswith``...) with a string naming a
    family of estimators."""
    import ast

    found = []
    for node in ast.walk(tree):
        tested = isinstance(node, ast.Compare) or (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("startswith", "endswith", "find", "count")
        )
        strings = [
            n.value
            for n in ast.walk(node)
            if tested and isinstance(n, ast.Constant) and isinstance(n.value, str)
        ]
        if any(w in s.lower() for s in strings for w in _FAMILY_WORDS):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


def test_no_string_test_on_a_family_outside_the_registry():
    """What a family is (its step size, grid, curves, divergence, labels) is
    asked of its object in ``sklr/search/_families/``, never decided by testing
    a name. The command's ``--model`` values (``sklr/cli/``) are option names."""
    bad = {
        rel: found
        for rel, tree in _modules("search", "lr_finder", "plotting.py", "_engine")
        if not rel.startswith("sklr/search/_families/")
        and (found := _family_string_tests(tree))
    }
    assert bad == {}
    import ast

    sample = ast.parse("if 'Boosting' in type(model).__name__: pass")
    assert len(_family_string_tests(sample)) == 1


def _code_lines(source, node):
    """Lines of a function's code: no docstring, blank line or comment."""
    import ast

    lines = source.splitlines()[node.lineno - 1 : node.end_lineno]
    first = node.body[0]
    docstring = isinstance(first, ast.Expr) and isinstance(
        getattr(first, "value", None), ast.Constant
    )
    skipped = first.end_lineno - first.lineno + 1 if docstring else 0
    code = [line for line in lines if line.strip() and not line.strip().startswith("#")]
    return len(code) - skipped


def test_search_functions_and_results_stay_small():
    """In the search layer: functions of at most 50 lines of code, and no tuple
    of more than 3 fields returned (a record or a dataclass carries more)."""
    import ast

    long, wide = [], []
    for rel, tree in _modules("search", "cli", "lr_finder"):
        source = (ROOT / rel).read_text()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if (n := _code_lines(source, node)) > 50:
                    long.append(f"{rel}: {node.name} ({n} lines)")
            elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
                if len(node.value.elts) > 3:
                    wide.append(f"{rel}:{node.lineno} returns {len(node.value.elts)}")
    assert long == [] and wide == []
