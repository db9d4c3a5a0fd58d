"""The range test on PyTorch networks: sklr's rules against torch-lr-finder's and
fastai's, on the tasks of the validity benchmark (issue: PyTorch models through
skorch).

    python -m benchmarks.torch_range_test                # 60 tasks (~25 min, 2 cores)
    python -m benchmarks.torch_range_test --quick        # 3 tiny tasks: a smoke run
    python -m benchmarks.torch_range_test --report-only  # the report, from the JSON

Every task of ``benchmarks.validity`` is expressed as a torch network: the same
data and split, ``Pipeline(StandardScaler(), TorchMLPClassifier/Regressor)``
with the task's hidden layers (ReLU), batch size, epochs and optimiser (plain
SGD, SGD with Nesterov momentum 0.9, Adam), ``random_state=0``; cross-entropy
on the logits or the mean squared error. The torch module can express all of
them. For each task, on the torch network itself:

1. the sweep: ``LearningRateSearchCV`` over the default grid with 5 folds on the
   training part (its best rate);
2. the held-out truth: every rate trained on the training part and scored on
   the test part (the rate with the best held-out score);
3. sklr's range test, ``lr_find`` at its defaults (1e-7 to 10 in 100 steps,
   bias-corrected smoothing 0.98, stop at 4x the best: fastai's ramp), read by
   each rule of ``sklr.lr_finder.SUGGESTION_RULES`` and by fastai's ``valley``
   exactly as fastai computes it (:func:`fastai_valley`);
4. torch-lr-finder's range test on the same module (the same initial weights:
   torch seeded with 0 before the module is built, as the net does), the same
   standardised data and the same ramp (``start_lr=1e-7``, ``end_lr=10``,
   ``num_iter=100``, ``step_mode="exp"``), at its own defaults otherwise
   (smoothing 0.05, stop at 5x the best), with its suggestion as ``plot``
   computes it (:func:`torch_lr_finder_steepest`). Its mini-batches are drawn by
   its own ``DataLoader`` (shuffled, seeded 0), not in the net's order.

The report gives, per rule, how often the suggestion is within half a decade of
the sweep's best and of the held-out best, and the median offset in decades.
Results go to ``benchmarks/results/torch_range_test.json`` and ``.md``.
"""

import argparse
import contextlib
import datetime
import importlib.metadata
import io
import json
import math
import os
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from scipy.stats import binomtest
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

from sklr._torch import torch_threads
from sklr.lr_finder import SUGGESTION_RULES
from sklr.skorch import TorchMLP, TorchMLPClassifier, TorchMLPRegressor

from . import validity as V

RESULTS = Path(__file__).parent / "results"
COMMAND = "python -m benchmarks.torch_range_test"
NAME = "torch_range_test"
#: the ramp of both range tests (sklr's lr_find defaults)
START_LR, END_LR, NUM_ITER = 1e-7, 10.0, 100
#: the rules compared: sklr's four on sklr's curve, fastai's valley on the same
#: curve, torch-lr-finder's steepest gradient on its own run
RULES = (*SUGGESTION_RULES, "fastai_valley", "torch_lr_finder")
LABELS = {
    "fall": "sklr ``fall`` (lr_find's default)",
    "valley": "sklr ``valley``",
    "steepest": "sklr ``steepest``",
    "minimum": "sklr ``minimum``",
    "fastai_valley": "fastai ``valley`` (on sklr's curve)",
    "torch_lr_finder": "torch-lr-finder, steepest gradient (its own run)",
}

OPTIMISERS: dict[str, dict[str, Any]] = {
    "sgd": {"optimizer": torch.optim.SGD},
    "nag": {
        "optimizer": torch.optim.SGD,
        "optimizer__momentum": 0.9,
        "optimizer__nesterov": True,
    },
    "adam": {"optimizer": torch.optim.Adam},
}


# ---------------------------------------------------------------- the rules
def fastai_valley(rates: Sequence[float], losses: Sequence[float], num_it=NUM_ITER):
    """fastai's ``valley`` suggestion, as ``Learner.lr_find`` computes it.

    fastai drops the first ``num_it // 10`` and the last 5 recorded points, then
    takes the longest strictly decreasing run of the smoothed loss and returns
    the rate two thirds of the way along it (``fastai.callback.schedule.valley``,
    with its bookkeeping inside the inner loop). Non-finite points are dropped
    first. NaN when fewer than 2 points remain.

    Examples
    --------
    >>> rates = np.logspace(-7, 1, 100)
    >>> losses = np.r_[np.full(30, 2.0), np.linspace(2, 0.2, 50), np.full(20, 5.0)]
    >>> 1e-4 < fastai_valley(rates, losses) < 1e-2
    True
    """
    rates, losses = np.asarray(rates, float), np.asarray(losses, float)
    keep = np.isfinite(losses)
    rates, losses = rates[keep], losses[keep]
    rates, losses = rates[num_it // 10 : -5], losses[num_it // 10 : -5]
    n = len(losses)
    if n < 2:
        return np.nan
    max_start = max_end = 0
    lds = [1] * n
    for i in range(1, n):
        for j in range(i):
            if losses[i] < losses[j] and lds[i] < lds[j] + 1:
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    return float(rates[max_start + int(sections) + int(sections / 2)])


def torch_lr_finder_steepest(
    rates: Sequence[float], losses: Sequence[float], skip_start=10, skip_end=5
):
    """torch-lr-finder's suggestion, as ``LRFinder.plot(suggest_lr=True)``
    computes it: the rate of the most negative ``np.gradient`` of its (smoothed)
    loss history, after dropping ``skip_start`` and ``skip_end`` points. NaN
    where ``plot`` refuses (fewer than ``skip_start + skip_end + 2`` points).

    Examples
    --------
    >>> rates = np.logspace(-7, 1, 100)
    >>> losses = np.r_[np.full(40, 2.0), np.linspace(2, 0.2, 40), np.full(20, 5.0)]
    >>> 1e-4 < torch_lr_finder_steepest(rates, losses) < 1e-1
    True
    """
    if len(rates) < skip_start + skip_end + 2:
        return np.nan
    lrs = list(rates)[skip_start:-skip_end] if skip_end else list(rates)[skip_start:]
    loss = list(losses)[skip_start:-skip_end] if skip_end else list(losses)[skip_start:]
    return float(lrs[int(np.gradient(np.array(loss)).argmin())])


# ---------------------------------------------------------------- measuring
def _net(task: V.Task, kind: str):
    Net = TorchMLPClassifier if kind == "classification" else TorchMLPRegressor
    return Net(
        module__hidden_layer_sizes=task.hidden,
        batch_size=task.batch_size,
        max_epochs=task.epochs,
        random_state=0,
        **OPTIMISERS[task.optimiser],
    )


def measure_torch_lr_finder(task: V.Task, kind: str, X, y) -> dict:
    """torch-lr-finder's range test of the task's module on the training part.

    Returns
    -------
    record : dict
        ``learning_rates``, ``losses`` (its smoothed history), ``suggestion``,
        ``stopped_early``, ``error`` and ``seconds``.
    """
    from torch_lr_finder import LRFinder

    start = time.perf_counter()
    X = torch.as_tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
    if kind == "classification":
        codes = np.unique(y, return_inverse=True)[1].ravel()
        target, n_out = torch.as_tensor(codes, dtype=torch.int64), int(codes.max()) + 1
        criterion = torch.nn.CrossEntropyLoss()
    else:
        target = torch.as_tensor(np.reshape(y, (len(y), -1)), dtype=torch.float32)
        n_out, criterion = target.shape[1], torch.nn.MSELoss()
    options = {
        k.removeprefix("optimizer__"): v
        for k, v in OPTIMISERS[task.optimiser].items()
        if k != "optimizer"
    }
    record: dict[str, Any] = {"error": None}
    with torch.random.fork_rng(devices=[]), torch_threads(1):
        torch.manual_seed(0)  # the net's seed: the same initial weights
        module = TorchMLP(X.shape[1], n_out, hidden_layer_sizes=task.hidden)
        optimizer = OPTIMISERS[task.optimiser]["optimizer"](
            module.parameters(), lr=START_LR, **options
        )
        loader = DataLoader(
            TensorDataset(X, target),
            batch_size=min(task.batch_size, len(X)),
            shuffle=True,
            generator=torch.Generator().manual_seed(0),
        )
        finder = LRFinder(module, optimizer, criterion, device="cpu")
        quiet = io.StringIO()
        with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
            finder.range_test(
                loader,
                start_lr=START_LR,
                end_lr=END_LR,
                num_iter=NUM_ITER,
                step_mode="exp",
            )
    rates = [float(r) for r in finder.history["lr"]]
    losses = [float(v) for v in finder.history["loss"]]
    record.update(
        learning_rates=rates,
        losses=losses,
        suggestion=torch_lr_finder_steepest(rates, losses),
        stopped_early=len(rates) < NUM_ITER,
        seconds=time.perf_counter() - start,
    )
    return record


def measure_task(task: V.Task, n_jobs: int) -> dict:
    """Sweep, held-out scores and both range tests of one task's torch network."""
    kind, parts = V._split(task)
    pipe: Pipeline = make_pipeline(StandardScaler(), _net(task, kind))
    X_tr, _, y_tr, _ = parts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # recorded by the measures themselves
        return {
            "name": task.name,
            "data": task.data,
            "optimiser": task.optimiser,
            "batch_size": task.batch_size,
            "hidden": list(task.hidden),
            "epochs": task.epochs,
            "kind": kind,
            "sweep": V.measure_sweep(pipe, X_tr, y_tr, n_jobs),
            "held_out": V.measure_held_out(parts, pipe, n_jobs),
            "range_test": V.measure_range_test(pipe, X_tr, y_tr),
            "torch_lr_finder": measure_torch_lr_finder(task, kind, X_tr, y_tr),
        }


# ---------------------------------------------------------------- reporting
def suggestions(record: dict) -> dict[str, float]:
    """Every compared rule's suggestion for one stored task (NaN: none)."""
    rt = record["range_test"]
    out = V.recompute_suggestions(rt, SUGGESTION_RULES)
    rates = V._floats(rt.get("learning_rates"))
    out["fastai_valley"] = (
        fastai_valley(rates, V._floats(rt["smoothed_losses"])) if len(rates) else np.nan
    )
    out["torch_lr_finder"] = V._number(record["torch_lr_finder"].get("suggestion"))
    return out


def _closer(a: Sequence[float], b: Sequence[float]) -> dict[str, int]:
    """Tasks where offsets ``a`` are closer to 0 than ``b`` (a NaN is farthest);
    equal within 1e-9 decades is a tie."""
    wins = losses = ties = 0
    for x, z in zip(a, b, strict=True):
        x = abs(x) if math.isfinite(x) else math.inf
        z = abs(z) if math.isfinite(z) else math.inf
        if x == z or abs(x - z) <= 1e-9:
            ties += 1
        elif x < z:
            wins += 1
        else:
            losses += 1
    return {"closer": wins, "farther": losses, "tie": ties}


def summarise(records: Sequence[dict]) -> dict:
    """Per rule: shares within half a decade (and one) of the sweep's best and of
    the held-out best, median offsets, no-answer counts; and how often sklr's
    default rule is closer than torch-lr-finder's and fastai's valley.

    Over the tasks whose sweep has an answer and whose held-out scores have a
    best; a NaN suggestion counts as a miss.

    Examples
    --------
    >>> summarise([])["n_tasks"]
    0
    """
    rows = []
    for r in records:
        sweep = r["sweep"]
        best = V._number(sweep.get("best_learning_rate")) if sweep["answer"] else np.nan
        truth = V._number(r["held_out"].get("best_learning_rate"))
        if not (math.isfinite(best) and math.isfinite(truth)):
            continue
        s = suggestions(r)
        rows.append(
            {
                "name": r["name"],
                "sweep_best": best,
                "held_out_best": truth,
                "suggestions": s,
                "sweep_offset": {k: V.log_offset(v, best) for k, v in s.items()},
                "held_out_offset": {k: V.log_offset(v, truth) for k, v in s.items()},
            }
        )
    per_rule = {}
    for rule in RULES:
        to_sweep = [row["sweep_offset"][rule] for row in rows]
        to_held = [row["held_out_offset"][rule] for row in rows]
        per_rule[rule] = {
            "n_nan": sum(not math.isfinite(o) for o in to_sweep),
            "within_half_decade_of_sweep": V._share(
                [abs(o) <= V.HALF_DECADE for o in to_sweep]
            ),
            "within_one_decade_of_sweep": V._share(
                [abs(o) <= V.ONE_DECADE for o in to_sweep]
            ),
            "median_offset_to_sweep": V._median(to_sweep),
            "within_half_decade_of_held_out": V._share(
                [abs(o) <= V.HALF_DECADE for o in to_held]
            ),
            "median_offset_to_held_out": V._median(to_held),
        }
    versus = {
        other: {
            ref: _closer(
                [row[f"{ref}_offset"]["fall"] for row in rows],
                [row[f"{ref}_offset"][other] for row in rows],
            )
            for ref in ("sweep", "held_out")
        }
        for other in ("torch_lr_finder", "fastai_valley")
    }
    return {
        "n_tasks": len(rows),
        "n_records": len(records),
        "per_rule": per_rule,
        "fall_versus": versus,
        "sweep_within_half_decade_of_held_out": V._share(
            [
                abs(V.log_offset(row["sweep_best"], row["held_out_best"]))
                <= V.HALF_DECADE
                for row in rows
            ]
        ),
        "tasks": rows,
    }


def _pct(value: float) -> str:
    return "n/a" if value != value else f"{100 * value:.0f}%"


def table_rows(summary: dict) -> list[list[str]]:
    """The comparison table: a header row, then one row per rule."""
    rows = [
        [
            "rule",
            "within half a decade of the sweep's best",
            "median offset to the sweep's best (decades)",
            "within half a decade of the held-out best",
            "median offset to the held-out best (decades)",
            "no answer",
        ]
    ]
    for rule in RULES:
        r = summary["per_rule"][rule]
        rows.append(
            [
                LABELS[rule],
                _pct(r["within_half_decade_of_sweep"]),
                f"{r['median_offset_to_sweep']:+.2f}",
                _pct(r["within_half_decade_of_held_out"]),
                f"{r['median_offset_to_held_out']:+.2f}",
                str(r["n_nan"]),
            ]
        )
    return rows


def sign_test(counts: dict[str, int]) -> float:
    """Two-sided sign test of "closer" against "farther" (ties dropped): the
    chance of a split at least this uneven if neither rule were closer.

    Examples
    --------
    >>> round(sign_test({"closer": 35, "farther": 19, "tie": 6}), 3)
    0.04
    """
    n = counts["closer"] + counts["farther"]
    return float(binomtest(counts["closer"], n).pvalue) if n else np.nan


def versus_lines(summary: dict) -> list[str]:
    """Sentences: in how many tasks sklr's default is closer than the others."""
    out = []
    for other, label in (
        ("torch_lr_finder", "torch-lr-finder's suggestion"),
        ("fastai_valley", "fastai's valley"),
    ):
        v = summary["fall_versus"][other]
        out.append(
            f"sklr's ``fall`` is closer than {label} to the sweep's best in "
            f"{v['sweep']['closer']} tasks, farther in {v['sweep']['farther']}, tied "
            f"in {v['sweep']['tie']} (sign test p = {sign_test(v['sweep']):.2g}); to "
            f"the held-out best: closer in {v['held_out']['closer']}, farther in "
            f"{v['held_out']['farther']}, tied in {v['held_out']['tie']} (p = "
            f"{sign_test(v['held_out']):.2g}; of {summary['n_tasks']} tasks)."
        )
    return out


def markdown(results: dict) -> str:
    s = results["summary"]
    m = results["machine"]
    rows = table_rows(s)
    lines = [
        "# The range test on torch networks: sklr, torch-lr-finder, fastai",
        "",
        f"{results['date']}; {m['platform']}, {m['cpu_count']} cores, torch "
        f"{results['torch']}, torch-lr-finder {results['torch_lr_finder']}; "
        f"{s['n_tasks']} of {s['n_records']} tasks with an answer; "
        f"{results['duration_s']:.0f} s. Reproduce: `{results['command']}`.",
        "",
        "| " + " | ".join(rows[0]) + " |",
        "|" + "---|" * len(rows[0]),
        *("| " + " | ".join(r).replace("``", "`") + " |" for r in rows[1:]),
        "",
        *(f"- {line}".replace("``", "`") for line in versus_lines(s)),
        f"- The torch sweep's best is within half a decade of its held-out best in "
        f"{_pct(s['sweep_within_half_decade_of_held_out'])} of the tasks.",
        "",
        "| task | sweep best | held-out best | " + " | ".join(RULES) + " |",
        "|" + "---|" * (3 + len(RULES)),
    ]
    for row in s["tasks"]:
        cells = [f"{row['suggestions'][r]:.3g}" for r in RULES]
        lines.append(
            f"| {row['name']} | {row['sweep_best']:.3g} | {row['held_out_best']:.3g} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines) + "\n"


def write(results: dict, out: Path, name: str) -> None:
    results["summary"] = summarise(results["tasks"])
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(
        json.dumps(V._jsonable(results), indent=1, allow_nan=True) + "\n"
    )
    (out / f"{name}.md").write_text(markdown(results))


def run(tasks: Sequence[V.Task], n_jobs: int, command: str) -> dict:
    revision = V._revision()  # before the run: edits made during it are not in it
    start = time.perf_counter()
    records = []
    for task in tasks:
        records.append(measure_task(task, n_jobs))
        r = records[-1]
        print(
            f"{task.name}: sweep best {r['sweep'].get('best_learning_rate')}, "
            f"held-out best {r['held_out']['best_learning_rate']:.3g}, sklr fall "
            f"{r['range_test']['suggestions'].fall:.3g}, torch-lr-finder "
            f"{r['torch_lr_finder']['suggestion']:.3g} "
            f"({time.perf_counter() - start:.0f} s, load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    return {
        "name": NAME,
        "command": command,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {**V._machine(), "revision": revision},
        "torch": torch.__version__,
        "torch_lr_finder": importlib.metadata.version("torch-lr-finder"),
        "grid": V.GRID,
        "cv": V.CV,
        "n_jobs": n_jobs,
        "duration_s": time.perf_counter() - start,
        "tasks": records,
    }


def main(argv: Sequence[str] | None = None) -> dict:
    """Command line: ``python -m benchmarks.torch_range_test [--quick]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 tiny tasks")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--out", default=str(RESULTS), help="results folder")
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args(argv)
    name = NAME + ("-quick" if args.quick else "")
    out = Path(args.out)
    if args.report_only:
        results = json.loads((out / f"{name}.json").read_text())
    else:
        command = COMMAND + (" --quick" if args.quick else "")
        tasks = V.QUICK_TASKS if args.quick else V.FULL_TASKS
        results = run(tasks, args.n_jobs, command)
    write(results, out, name)
    return results


if __name__ == "__main__":
    main()
