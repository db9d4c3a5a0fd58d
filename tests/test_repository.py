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
