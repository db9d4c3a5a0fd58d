"""Repository-level checks run with the tests: style, and the layers of DESIGN.md."""

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
