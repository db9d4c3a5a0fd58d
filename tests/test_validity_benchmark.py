"""``python -m benchmarks.validity``: a quick run, --report-only, and its reporting."""

import json
import math

import numpy as np
import pytest

from benchmarks import validity  # the repository's root is on sys.path (rootdir)
from sklr.lr_finder import SUGGESTION_RULES
from sklr.search import DEFAULT_LEARNING_RATES


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """The quick run's folder and JSON (3 tiny tasks, a few seconds)."""
    out = tmp_path_factory.mktemp("validity")
    validity.main(["--quick", "--n-jobs", "1", "--out", str(out)])
    return out, json.loads((out / "validity-quick.json").read_text())


def _rule_rows(text):
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| rule |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line.split("|")[1].strip())
    return rows


def test_quick_run_records_every_part_of_every_task(quick):
    _, results = quick
    grid = np.array(DEFAULT_LEARNING_RATES)
    assert {"platform", "cpu_count", "numpy", "scikit-learn", "sklr"} <= set(
        results["machine"]
    )
    assert len(results["tasks"]) == len(validity.QUICK_TASKS)
    for task in results["tasks"]:
        sweep, held, rt = task["sweep"], task["held_out"], task["range_test"]
        assert sweep["answer"], sweep["error"]
        assert np.isclose(grid, sweep["best_learning_rate"], rtol=1e-9).any()
        assert len(sweep["mean_test_score"]) == len(sweep["diagnosis"]) == len(grid)
        assert len(held["scores"]) == len(grid)
        assert held["best_learning_rate"] in held["learning_rates"]
        assert 0 < len(rt["learning_rates"]) == len(rt["smoothed_losses"]) <= 100
        assert rt["seconds"] > 0 and sweep["seconds"] > 0
    summary = results["summary"]
    assert summary["rules"] == list(SUGGESTION_RULES)
    assert summary["n_tasks"] == len(results["tasks"]) and summary["n_no_answer"] == 0
    for rule in SUGGESTION_RULES:
        s = summary["per_rule"][rule]
        for key in ("within_half_decade", "within_one_decade"):
            assert 0 <= s[key] <= 1
        assert s["within_half_decade"] <= s["within_one_decade"]
        assert len(s["offsets"]) == s["n_tasks"] == len(results["tasks"])
    assert all(row["regret"] >= 0 for row in summary["tasks"])


def test_recomputed_suggestions_are_those_of_lr_find(quick):
    _, results = quick
    for task, row in zip(results["tasks"], results["summary"]["tasks"]):
        stored = task["range_test"]["suggestions"]
        for rule in SUGGESTION_RULES:
            expected = np.nan if stored[rule] is None else stored[rule]
            got = (
                np.nan if row["suggestions"][rule] is None else row["suggestions"][rule]
            )
            assert got == pytest.approx(expected, nan_ok=True), (task["name"], rule)


def test_markdown_has_one_row_per_rule_and_per_task(quick):
    out, results = quick
    text = (out / "validity-quick.md").read_text()
    assert text.startswith("# Validity of the learning-rate recommendations")
    assert _rule_rows(text) == list(SUGGESTION_RULES)
    for task in results["tasks"]:
        assert f"| {task['name']} |" in text


def test_report_only_rebuilds_the_report_from_the_json(quick):
    out, results = quick
    before = (out / "validity-quick.md").read_text()
    (out / "validity-quick.md").unlink()
    rebuilt = validity.main(["--quick", "--report-only", "--out", str(out)])
    assert (out / "validity-quick.md").read_text() == before
    assert rebuilt["summary"] == results["summary"]


def _record(best, good_range, scores, smoothed):
    rates = np.logspace(-3, 0, len(scores)).tolist()
    ramp = np.logspace(-7, 1, len(smoothed)).tolist()
    return {
        "name": "toy",
        "sweep": {"answer": True, "best_learning_rate": best, "good_range": good_range},
        "held_out": {"learning_rates": rates, "scores": scores},
        "range_test": {
            "learning_rates": ramp,
            "smoothed_losses": smoothed,
            "steps_per_epoch": 4,
        },
    }


def test_task_summary_regret_range_and_offsets():
    # held-out scores at 1e-3, 1e-2, 1e-1, 1 (the last diverged)
    record = _record(0.01, [0.01, 0.1], [0.5, 0.8, 0.9, None], [3.0, 2.0, 1.0, 9.0])
    row = validity.task_summary(record, ["minimum"])
    assert row["held_out_best"] == pytest.approx(0.1)
    assert row["in_good_range"] is True
    assert row["regret"] == pytest.approx(0.1)
    # minimum: the rate of the lowest smoothed loss (1e-7 * 1e8 ** (2/3)) / 10
    assert row["suggestions"]["minimum"] == pytest.approx(10 ** (-7 + 16 / 3 - 1))
    assert row["offsets"]["minimum"] == pytest.approx(-7 + 16 / 3 - 1 + 2)
    assert row["range_test_epochs"] == 1


def test_rule_summary_counts_a_nan_suggestion_as_a_miss():
    offsets = [(0.5, 0.0), (-0.9, 0.6), (2.0, 0.1), (math.nan, math.nan)]
    rows = [
        {"answer": True, "offsets": {"r": o}, "held_out_offsets": {"r": h}}
        for o, h in offsets
    ] + [{"answer": False, "offsets": {"r": 0.0}, "held_out_offsets": {"r": 0.0}}]
    s = validity.rule_summary(rows, "r")
    assert s["n_tasks"] == 4 and s["n_nan"] == 1
    assert s["within_half_decade"] == 0.25 and s["within_one_decade"] == 0.5
    assert s["within_half_decade_of_held_out"] == 0.5
    assert s["median_offset"] == pytest.approx(0.5)


def test_no_answer_is_reported_not_scored():
    record = _record(None, [None, None], [0.5, 0.6], [3.0, 2.0, 1.0])
    record["sweep"]["answer"] = False
    summary = validity.summarise([record], ["minimum"])
    assert summary["n_no_answer"] == 1
    assert summary["per_rule"]["minimum"]["n_tasks"] == 0
    assert math.isnan(summary["per_rule"]["minimum"]["within_half_decade"])
    assert math.isnan(summary["tasks"][0]["regret"])
