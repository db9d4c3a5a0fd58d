"""Sphinx configuration of the sklr documentation."""

import os
import sys
import warnings

sys.path.insert(0, os.path.abspath(".."))  # sklr and benchmarks

import sklr

project = "sklr"
author = "The sklr developers"
copyright = "2026, The sklr developers"
release = version = sklr.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_validation_checks = {"GL08", "PR01", "PR02", "RT01"}
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.json",
]
html_theme = "furo"
html_title = f"sklr {version}"
nitpicky = False

# The examples run in this process. A diverged rate scores NaN by design (see
# "Differences from GridSearchCV" in sensitivity.rst), and scikit-learn then warns,
# with a path on the build machine, on every search page: the pages print the
# diagnoses instead.
warnings.filterwarnings(
    "ignore",
    message="One or more of the test scores are non-finite",
    category=UserWarning,
)

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "ignore_pattern": r"quickstart\.py|plot_displays\.py",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    # the examples print what they mean to; a Display returned last is not shown
    "capture_repr": (),
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "within_subsection_order": "FileNameSortKey",
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("sklr",),
}


# -------------------------------------------------------------------------------
# "How accurate is the recommendation?": the tables are computed at build time from
# the validity benchmark's stored records (benchmarks/results/validity.json), with
# the rules of the sklr being documented.
def _stable_choice_line(c):
    """What ``choice="stable"`` changed on the benchmark, with the split-half
    check, from validity.json."""

    def stats(d):
        return (
            f"median {d['median']:.4f}, 95th percentile {d['p95']:.3f}, "
            f"largest {d['max']:.3f}"
        )

    return (
        f'* ``choice="stable"`` moved {c["n_moved"]} of the tasks a step away from '
        f"instability. Held-out regret with it: {stats(c['all']['stable'])}; with the "
        'top mean score (``choice="top"``, GridSearchCV\'s): '
        f"{stats(c['all']['top'])}. "
        f"On the even-numbered tasks: {stats(c['even']['stable'])} against "
        f"{stats(c['even']['top'])}; on the odd-numbered: {stats(c['odd']['stable'])} "
        f"against {stats(c['odd']['top'])}."
    )


def _validity_tables():
    import json
    from pathlib import Path

    import numpy as np

    from benchmarks.validity import summarise, targets
    from sklr.lr_finder import SUGGESTION_RULES

    root = Path(__file__).parent
    results = json.loads((root / "../benchmarks/results/validity.json").read_text())
    s = summarise(results["tasks"], SUGGESTION_RULES)
    s["targets"] = targets(s)
    m = results["machine"]

    def pct(value):
        return "n/a" if value is None or value != value else f"{100 * value:.0f}%"

    lines = [
        f"Measured on {results['date'][:10]} ({m['platform']}, {m['cpu_count']} "
        f"cores, Python {m['python']}, scikit-learn {m['scikit-learn']}, sklr "
        f"revision {m['revision']}): {s['n_tasks']} tasks, a 5-fold sweep over "
        f"{len(results['grid'])} rates each, {results['duration_s']:.0f} s in all. "
        "Reproduce with ``python -m benchmarks.validity``.",
        "",
        ".. list-table:: Targets",
        "   :header-rows: 1",
        "",
        "   * - what",
        "     - measured",
        "     - target",
        "     - verdict",
    ]
    for t in s["targets"]:
        value = f"{t['value']:.4f}" if "regret" in t["target"] else pct(t["value"])
        goal = f"{t['goal']:.3f}" if "regret" in t["target"] else pct(t["goal"])
        lines += [
            f"   * - {t['target']}",
            f"     - {value}",
            f"     - {t['op']} {goal}",
            f"     - {'met' if t['passed'] else 'missed'}",
        ]
    lines += [
        "",
        ".. list-table:: Range-test rules against the sweep's best rate",
        "   :header-rows: 1",
        "",
        "   * - rule",
        "     - within half a decade",
        "     - within one decade",
        "     - median offset (decades)",
        "     - inside the good range (+- 1/4 decade)",
        "     - no answer (NaN)",
    ]
    for rule in SUGGESTION_RULES:
        r = s["per_rule"][rule]
        lines += [
            f"   * - ``{rule}``"
            + (" (default)" if rule == SUGGESTION_RULES[0] else ""),
            f"     - {pct(r['within_half_decade'])}",
            f"     - {pct(r['within_one_decade'])}",
            f"     - {r['median_offset']:+.2f}",
            f"     - {pct(r['in_good_range'])}",
            f"     - {r['n_nan']}",
        ]
    a = s["auto"]
    widths = np.array(
        [
            np.log10(t["sweep"]["good_range"][1] / t["sweep"]["good_range"][0])
            for t in results["tasks"]
            if t["sweep"].get("answer") and None not in t["sweep"]["good_range"]
        ]
    )
    lines += [
        "",
        f"* The sweep's good range holds the held-out best rate in "
        f"{pct(s['good_range_holds_held_out_best'])} of the tasks (a tie for the "
        "best held-out score counts); the sweep's best is within half a decade of "
        f"the held-out best in {pct(s['sweep_within_half_decade_of_held_out'])}.",
        f"* The good range is {np.median(widths):.2g} decade(s) wide in the median "
        f"task, two decades or more in {pct(np.mean(widths >= 2))} of them.",
        f"* Regret of the sweep's choice on held-out data: median "
        f"{s['regret_median']:.4f}, 95th percentile {s['regret_p95']:.3f}, largest "
        f"{s['regret_max']:.3f}.",
        _stable_choice_line(s["stable_choice"]),
        f"* Tasks with no answer: {s['n_no_answer']}; with no good range: "
        f"{s['n_no_good_range']}.",
        f'* ``learning_rates="auto"``: best within half a decade of the full grid\'s '
        f"best in {pct(a['within_half_decade'])} of the tasks (the same rate in "
        f"{pct(a['same_best'])}), sweeping a median of {a['n_rates_median']:.0f} "
        f"rates instead of {len(results['grid'])}, in a median "
        f"{a['time_ratio_median']:.2f}x the time of the full sweep (largest "
        f"{a['time_ratio_max']:.2f}x).",
        "",
    ]
    out = root / "generated"
    out.mkdir(exist_ok=True)
    (out / "validity.rst.inc").write_text("\n".join(lines))


_validity_tables()


def _torch_range_test_table():
    """The range test on torch networks: sklr's rules, fastai's valley and
    torch-lr-finder's suggestion, from benchmarks/results/torch_range_test.json."""
    import json
    from pathlib import Path

    from benchmarks.torch_range_test import summarise, table_rows, versus_lines

    root = Path(__file__).parent
    path = root / "../benchmarks/results/torch_range_test.json"
    results = json.loads(path.read_text())
    s = summarise(results["tasks"])
    m = results["machine"]
    rows = table_rows(s)
    lines = [
        f"Measured on {results['date'][:10]} ({m['platform']}, {m['cpu_count']} "
        f"cores, torch {results['torch']}, torch-lr-finder "
        f"{results['torch_lr_finder']}, sklr revision {m['revision']}): "
        f"{s['n_tasks']} of {s['n_records']} tasks with an answer, "
        f"{results['duration_s']:.0f} s in all. Reproduce with "
        "``python -m benchmarks.torch_range_test``.",
        "",
        ".. list-table:: Range-test suggestions on torch networks",
        "   :header-rows: 1",
        "",
    ]
    for row in rows:
        lines += [f"   * - {row[0]}", *(f"     - {cell}" for cell in row[1:])]
    lines += ["", *(f"* {line}" for line in versus_lines(s))]
    lines += [
        "* The torch sweep's best is within half a decade of its held-out best in "
        f"{100 * s['sweep_within_half_decade_of_held_out']:.0f}% of the tasks.",
        "",
    ]
    (root / "generated" / "torch_range_test.rst.inc").write_text("\n".join(lines))


_torch_range_test_table()


# -------------------------------------------------------------------------------
# Figures the pages quote from the committed benchmark results
# (benchmarks/results/full.json and validity.json), as substitutions: |name| in any
# page. Times are ranges over the benchmark's runs, with the machine.
def _benchmark_substitutions():
    import json
    from pathlib import Path

    root = Path(__file__).parent / ".." / "benchmarks" / "results"
    full = json.loads((root / "full.json").read_text())
    validity = json.loads((root / "validity.json").read_text())
    m = full["machine"]
    fits = full["single_fit"]

    def span(values, unit=""):
        return f"{min(values):.2f}-{max(values):.2f}{unit}"

    def ratios(dtype):
        return [r["ratio"] for r in fits if r["dtype"] == dtype]

    commands = {r["command"]: r for r in full.get("commands", [])}

    def took(name):
        r = commands[name]
        return f"{r['min_s']:.1f}-{r['max_s']:.1f} s"

    search, efficiency = full["search"][0], full["efficiency"][0]
    sweep = commands["sklr sweep"]["median_s"]
    single = commands["sklr sweep --float32"]["median_s"]
    values = {
        "bench_machine": f"a {m['cpu_count']}-core VM ({m['platform']}, Python "
        f"{m['python']}, OpenBLAS)",
        "bench_commands_date": full.get("dates", {}).get("commands", "n/a"),
        "bench_fit_float64": span(ratios("float64"), "x"),
        "bench_fit_float32": span(ratios("float32"), "x"),
        "bench_search_vs_grid": f"{search['ratio_vs_grid_sklr']:.2f}x",
        "bench_search_vs_sklearn": f"{search['ratio_vs_grid_sklearn']:.2f}x",
        "bench_matmul_fraction": f"{efficiency['fraction_of_matmul_rate']:.2f}",
        "sweep_time": took("sklr sweep"),
        "commands_runs": str(len(commands["sklr sweep"]["times_s"])),
        "sweep_float32_time": took("sklr sweep --float32"),
        "sweep_float32_speedup": f"{sweep / single:.1f}x",
        "validity_minutes": f"{validity['duration_s'] / 60:.1f} minutes",
    }
    torch = json.loads((root / "skorch.json").read_text())
    seconds = torch["median_seconds"]
    values.update(
        skorch_search_s=f"{seconds['sklr_skorch']:.2f} s",
        skorch_grid_s=f"{seconds['gridsearch_skorch']:.2f} s",
        skorch_mlp_s=f"{seconds['sklr_mlp']:.2f} s",
        skorch_vs_grid=f"{torch['ratio_to_gridsearch']:.2f}x",
        skorch_vs_mlp=f"{torch['ratio_to_sklr_mlp']:.1f}x",
        skorch_gap=f"{torch['max_score_gap_at_non_diverged_rates']:.1e}",
        skorch_repeats=str(torch["setting"]["repeats"]),
    )
    rows = json.loads((root / "stack_profile.json").read_text())["rows"]
    at = {(r["setting"], r["K"]): r for r in rows}
    top = max(r["K"] for r in rows)
    for setting in ("default", "small"):
        one, many = at[setting, 1], at[setting, top]
        values[f"stack_{setting}_epoch_ratio"] = (
            f"{many['epoch_s'] / one['epoch_s']:.1f}x"
        )
        values[f"stack_{setting}_vs_separate"] = (
            f"{many['epoch_s'] / (top * one['epoch_s']):.2f}"
        )
        values[f"stack_{setting}_products_vs_separate"] = (
            f"{many['products_s'] / (top * one['epoch_s']):.2f}"
        )
    values["stack_default_products_share"] = (
        f"{100 * at['default', top]['products_s'] / at['default', top]['epoch_s']:.0f}%"
    )
    values["stack_k"] = str(top)
    versus = json.loads((root / "torch_range_test.json").read_text())["summary"][
        "fall_versus"
    ]["torch_lr_finder"]["sweep"]
    values.update(
        torch_rt_fall_closer=str(versus["closer"]),
        torch_rt_fall_farther=str(versus["farther"]),
        torch_rt_fall_tie=str(versus["tie"]),
    )
    return "\n".join(f".. |{k}| replace:: {v}" for k, v in values.items())


rst_epilog = _benchmark_substitutions()


# -------------------------------------------------------------------------------
# The constants the pages cite, with their values read from sklr (api.rst).
CONSTANTS = {
    "sklr.neural_network.DIVERGENCE_FACTOR": "A network has diverged when its epoch "
    "loss exceeds this multiple of its loss at the initial weights (or when a "
    "mini-batch loss or a weight is non-finite).",
    "sklr.neural_network.CHECK_ROWS": "At most this many evenly spaced training rows "
    "are used to measure the loss at the initial weights (the divergence reference), "
    "to check the final weights of a fit, and to measure the weights a diverged "
    "network may go back to.",
    "sklr.neural_network.KEPT_EPOCHS": "A diverged network goes back to the weights "
    "at the end of the most recent of this many last epochs whose loss, at those "
    "weights, is under the divergence threshold (else to its initial weights).",
    "sklr.search.DEFAULT_LEARNING_RATES": "The grid of "
    ":class:`~sklr.LearningRateSearchCV` and ``sklr sweep`` when none is given.",
    "sklr.search.GRIDS": "The default grid of each estimator family, by the "
    "family's name (the table 'Any estimator with a step size' of the user guide "
    "says which estimators each family covers).",
    "sklr.search.STABLE_CHOICE_SE": "With choice='stable', a best rate next to "
    "instability gives way to a lower stable rate of the good range whose mean "
    "score is within this many standard errors of its own.",
    "sklr.search.DIVERGED_MAJORITY": "A candidate is drawn and reported as "
    "diverged when it diverged on at least this fraction of the folds.",
    "sklr.search.EXPLOSION_FACTOR": "Another estimator's fit has blown up when its "
    "training loss grows to this multiple of its first epoch's, or a regressor "
    "predicts this multiple of its largest training target.",
    "sklr.search.GOOD_RANGE_ALPHA": "Level of the one-sided paired t-test over the "
    "folds behind ``good_range_``: a rate is not significantly worse than the best "
    "when the test does not reject equality at this level.",
    "sklr.persistence.TRUSTED_TYPES": "The names of every type a fitted sklr object "
    "may hold besides numpy arrays and Python scalars, for "
    "``skops.io.load(..., trusted=...)``: sklr's own classes (the estimators, the "
    "search and its ``SweepResult`` (with its ``Layout``), the optimisers, their "
    "state records and the schedules, and two private "
    "records of the training loop that a fitted estimator keeps, "
    "``sklr._engine._run.Resume`` and ``sklr._engine._hooks.Plateau``), and the "
    "scikit-learn scorers, metric functions, cross-validation splitters and "
    "callbacks a fitted search or estimator may keep.",
}


def _constants():
    import importlib
    from pathlib import Path

    import numpy as np

    lines = []
    for name, text in CONSTANTS.items():
        module, attr = name.rsplit(".", 1)
        value = getattr(importlib.import_module(module), attr)
        if isinstance(value, np.ndarray):
            shown = f"{len(value)} rates: " + ", ".join(f"{v:.3g}" for v in value)
        elif isinstance(value, dict):
            shown = "; ".join(
                f"{k}: {len(v)} rates, {v[0]:.3g} .. {v[-1]:.3g}"
                for k, v in value.items()
            )
        elif isinstance(value, tuple):
            shown = f"a tuple of {len(value)} names"
        else:
            shown = repr(value)
        lines += [f".. py:data:: {name}", f"   :value: {shown}", "", f"   {text}", ""]
    out = Path(__file__).parent / "generated"
    out.mkdir(exist_ok=True)
    (out / "constants.rst.inc").write_text("\n".join(lines))


_constants()
