"""``python -m benchmarks.stack_profile``: the parts of a stacked epoch add up to
it, and the committed results carry what docs/scaling.rst quotes."""

import json
from pathlib import Path

import pytest

from benchmarks import stack_profile

RESULTS = Path(__file__).parents[1] / "benchmarks" / "results"


def test_parts_add_up_to_the_epoch_and_products_are_timed():
    row = stack_profile.profile("small", 2, repeat=1)
    parts = [row[f"{p}_s"] for p in stack_profile.PARTS]
    assert sum(parts) == pytest.approx(row["epoch_s"])
    assert row["products_s"] > 0 and row["optimiser_s"] > 0 and row["held_out_s"] > 0
    assert row["n_batches"] == -(-int(0.8 * 150) // 8)


def test_committed_results_have_every_setting_and_stack_size():
    results = json.loads((RESULTS / "stack_profile.json").read_text())
    got = {(r["setting"], r["K"]) for r in results["rows"]}
    assert got == {(s, k) for s in stack_profile.SETTINGS for k in (1, 4, 16)}
    text = stack_profile.markdown(results)
    assert text.count("| default |") == 3 and text.count("| small |") == 3


def test_committed_sweep_phases_add_up_to_the_wall_time():
    """benchmarks/sweep_phases.py: where `sklr sweep digits` spends its time."""
    from benchmarks import sweep_phases

    results = json.loads((RESULTS / "sweep_phases.json").read_text())
    assert results["command"] == "sklr sweep digits"
    for run in results["runs"]:
        phases = sum(run[p] for p in sweep_phases.PHASES)
        assert phases == pytest.approx(run["wall"])
        assert run["sweep"] > run["figures"] > 0 and run["imports"] > 0
