"""``python -m benchmarks.torch_range_test``: torch-lr-finder's and fastai's
suggestions computed as those libraries compute them, and the comparison's
summary."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("skorch")
torch_lr_finder = pytest.importorskip("torch_lr_finder")

import matplotlib.pyplot as plt  # noqa: E402

from benchmarks import torch_range_test as T  # noqa: E402
from benchmarks import validity as V  # noqa: E402

RESULTS = Path(__file__).parents[1] / "benchmarks" / "results"


def test_torch_lr_finder_steepest_is_what_its_plot_suggests():
    task = V.Task("iris", "sgd", 16, (8,), 5)
    kind, parts = V._split(task)
    record = T.measure_torch_lr_finder(task, kind, parts[0], parts[2])
    rates, losses = record["learning_rates"], record["losses"]
    np.testing.assert_allclose(rates[:3], 1e-7 * (1e8 ** (np.arange(3) / 99)))
    finder = torch_lr_finder.LRFinder(
        torch.nn.Linear(1, 1), torch.optim.SGD([torch.zeros(1)], lr=1.0), None
    )
    finder.history = {"lr": rates, "loss": losses}
    _, ax = plt.subplots()
    _, suggested = finder.plot(ax=ax, suggest_lr=True)
    plt.close("all")
    assert record["suggestion"] == suggested
    assert T.torch_lr_finder_steepest(rates, losses) == suggested
    assert record["stopped_early"] == (len(rates) < T.NUM_ITER)


def test_torch_lr_finder_steepest_is_nan_where_its_plot_refuses():
    rates = np.logspace(-7, 1, 16)
    assert math.isnan(T.torch_lr_finder_steepest(rates, np.linspace(2, 1, 16)))
    rates = np.logspace(-7, 1, 17)
    assert not math.isnan(T.torch_lr_finder_steepest(rates, np.linspace(2, 1, 17)))


def test_fastai_valley_takes_two_thirds_of_the_longest_fall_after_fastais_skip():
    rates = np.logspace(-7, 1, 100)
    # flat, then a strict fall over points 40..69, then a rise
    losses = np.r_[np.full(40, 3.0), np.linspace(2.9, 1.0, 30), np.linspace(2, 6, 30)]
    kept = rates[10:-5]  # fastai drops num_it // 10 points at the start, 5 at the end
    # the fall's run covers kept points 29..59 (31 points); fastai's bookkeeping
    # puts its start at max_end - lds = 59 - 31 = 28
    start, end = 28, 59
    expected = kept[start + int((end - start) / 3) + int((end - start) / 3 / 2)]
    assert T.fastai_valley(rates, losses) == expected
    # non-finite points are dropped before fastai's skip
    with_nan = np.r_[losses, np.nan]
    assert T.fastai_valley(np.r_[rates, 20.0], with_nan) == expected
    assert math.isnan(T.fastai_valley(rates[:16], losses[:16]))


def _record(name, sweep_best, held_best, fall, tlf):
    steps = np.logspace(-7, 1, 100)
    losses = np.r_[np.full(40, 3.0), np.linspace(2.9, 1.0, 30), np.full(30, 9.0)]
    return {
        "name": name,
        "sweep": {"answer": sweep_best is not None, "best_learning_rate": sweep_best},
        "held_out": {"best_learning_rate": held_best},
        "range_test": {
            "learning_rates": list(steps),
            "smoothed_losses": list(losses),
            "losses": list(losses),
            "suggestions": {"fall": fall},
        },
        "torch_lr_finder": {"suggestion": tlf},
    }


def test_summary_counts_offsets_nan_as_miss_and_who_is_closer(monkeypatch):
    def fake(range_test, rules):
        return {r: range_test["suggestions"]["fall"] for r in rules}

    monkeypatch.setattr(V, "recompute_suggestions", fake)
    records = [
        _record("a", 0.1, 0.1, 0.2, 1.0),  # fall 0.3 decades off, tlf 1 decade
        _record("b", 0.01, 0.1, 0.01, 0.01),  # both exact to the sweep: a tie
        _record("c", 1.0, 1.0, 0.1, None),  # tlf has no answer: fall is closer
        _record("d", None, 1.0, 0.1, 0.1),  # no sweep answer: not counted
    ]
    s = T.summarise(records)
    assert (s["n_tasks"], s["n_records"]) == (3, 4)
    fall, tlf = s["per_rule"]["fall"], s["per_rule"]["torch_lr_finder"]
    assert fall["within_half_decade_of_sweep"] == pytest.approx(2 / 3)
    assert tlf["within_half_decade_of_sweep"] == pytest.approx(1 / 3)
    assert tlf["n_nan"] == 1 and fall["n_nan"] == 0
    assert fall["median_offset_to_sweep"] == 0.0  # median of +0.30, 0, -1
    assert fall["within_half_decade_of_held_out"] == pytest.approx(1 / 3)
    assert s["fall_versus"]["torch_lr_finder"]["sweep"] == {
        "closer": 2,
        "farther": 0,
        "tie": 1,
    }
    rows = T.table_rows(s)
    assert len(rows) == 1 + len(T.RULES) and rows[1][0] == T.LABELS["fall"]
    assert "closer than torch-lr-finder's suggestion" in T.versus_lines(s)[0]


def test_committed_results_cover_every_validity_task_and_are_reproducible():
    path = RESULTS / "torch_range_test.json"
    results = json.loads(path.read_text())
    assert [t["name"] for t in results["tasks"]] == [t.name for t in V.FULL_TASKS]
    fresh = T.summarise(results["tasks"])
    stored = results["summary"]
    for rule in T.RULES:
        assert fresh["per_rule"][rule] == pytest.approx(stored["per_rule"][rule])
    assert fresh["fall_versus"] == stored["fall_versus"]


def test_committed_results_support_the_documented_claims():
    """docs/accuracy.rst and docs/pytorch.rst: torch-lr-finder's suggestion sits
    above the sweep's best and the held-out best in the median task, sklr's
    ``fall`` is closer to both in more tasks (sign test p < 0.05), and fastai's
    valley and ``fall`` are level within chance (p > 0.05)."""
    s = json.loads((RESULTS / "torch_range_test.json").read_text())["summary"]
    tlf = s["per_rule"]["torch_lr_finder"]
    assert tlf["median_offset_to_sweep"] > 0 and tlf["median_offset_to_held_out"] > 0
    for ref in ("sweep", "held_out"):
        v = s["fall_versus"]["torch_lr_finder"][ref]
        assert v["closer"] > v["farther"] and T.sign_test(v) < 0.05
        assert T.sign_test(s["fall_versus"]["fastai_valley"][ref]) > 0.05
    valley, fall = s["per_rule"]["valley"], s["per_rule"]["fall"]
    assert valley["within_half_decade_of_sweep"] > fall["within_half_decade_of_sweep"]
    assert max(r["within_half_decade_of_sweep"] for r in s["per_rule"].values()) < 0.6
    # on sklr's own MLPs (the validity benchmark), fall is the closer rule
    mlp = V.summarise(
        json.loads((RESULTS / "validity.json").read_text())["tasks"], ["fall", "valley"]
    )["per_rule"]
    assert mlp["fall"]["within_half_decade"] > mlp["valley"]["within_half_decade"]
