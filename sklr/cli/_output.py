"""What the command prints and writes: the table, the answer, the JSON and CSV
results and the PNG plots."""

import csv
import io
import json
import math
import platform
import sys
import warnings
from dataclasses import dataclass, field

import numpy as np

from .. import __version__
from .._outdir import (
    replacing,
    write_text,
)
from ..search import DIAGNOSIS_NAMES, unstable_neighbour
from ._model import _scales_target


def _rows(search, several, prefix):
    """One row per candidate, read from the search's ``sweep_result_``."""
    sweep = search.sweep_result_
    diverged = sweep.candidate(sweep.diverged)
    final_loss = _final_mean(sweep.candidate(sweep.held_out_loss), diverged)
    loss = sweep.candidate(sweep.loss)
    epochs = (~np.isnan(loss)).sum(axis=2).mean(axis=1)
    if loss.shape[-1] == 0:  # a model that records no epochs
        epochs = np.full(len(epochs), np.nan)
    mean, std, rank = sweep.mean_scores(), sweep.std_scores(), sweep.rank()
    rows = []
    for i, params in enumerate(sweep.params):
        rows.append(
            {
                **(
                    {"batch_size": int(params[f"{prefix}batch_size"])}
                    if several
                    else {}
                ),
                "learning_rate": float(params[search.param_]),
                "mean_test_score": float(mean[i]),
                "std_test_score": float(std[i]),
                "mean_final_loss": float(final_loss[i]),
                "mean_epochs": float(epochs[i]),
                "diverged_fraction": float(diverged[i].mean()),
                "diagnosis": str(search.diagnosis_[i]),
                "rank_test_score": int(rank[i]),
            }
        )
    return rows


def _final_mean(curves, diverged):
    """Mean over folds of the last held-out loss; NaN where a fold diverged."""
    from ..search import last_recorded

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(np.where(diverged, np.nan, last_recorded(curves)), axis=1)


def _finite(value):
    """A float for JSON: None when it is not finite (JSON has no NaN)."""
    value = float(value)
    return value if math.isfinite(value) else None


def _summary(search, data, args, seconds, prefix):
    sweep = search.sweep_result_
    best = getattr(search, "best_index_", None)
    best = None if best is None else int(best)
    low, high = search.good_range_
    point = 0 if best is None else int(sweep.point_index[best])
    if best is None:
        answer = "none"
    elif math.isfinite(low):
        answer = "recommended"
    else:
        answer = "no rate clearly above the baseline"
    best_rate = None if best is None else float(search.best_learning_rate_)
    exponent = math.floor(math.log10(best_rate)) if answer == "recommended" else None
    top = None if best is None else _top(search, sweep)
    return {
        "data": {
            "name": data.name,
            "n_samples": int(len(data.y)),
            "n_features": int(data.X.shape[1]),
            "task": data.task,
        },
        "model": getattr(args, "model", "mlp"),
        "unit": search.sweep_result_.layout.unit,
        "scoring": _score_name(args, data.task),
        "held_out_loss": held_out_loss(data.task, getattr(args, "model", "mlp")),
        "answer": answer,
        "best_index": best,
        "best_learning_rate": best_rate,
        "best_params": None
        if best is None
        else {
            k.removeprefix(prefix): (v.item() if isinstance(v, np.generic) else v)
            for k, v in search.best_params_.items()
        },
        "best_score": None if best is None else _finite(search.best_score_),
        "top_learning_rate": None if top is None else top[0],
        "top_next_to": None if top is None else top[1],
        "best_next_to": None if best is None else unstable_neighbour(search, best),
        "epoch_budgets": _budgets(search),
        "good_range_at_edge": _range_edge(low, high, sweep.learning_rates),
        "best_at_edge": best_rate
        in (float(sweep.learning_rates.min()), float(sweep.learning_rates.max())),
        "good_range": [_finite(low), _finite(high)],
        "order_of_magnitude": None if exponent is None else f"1e{exponent}",
        "baseline_score": _finite(np.mean(sweep.baseline[sweep.refit_metric][point])),
        "target_standardised": _scales_target(data, args),
        "seconds": round(seconds, 3),
        "versions": _versions(getattr(args, "model", "mlp")),
    }


def _range_edge(low, high, rates):
    """ "lowest" or "highest" when the good range reaches that end of the grid."""
    if not math.isfinite(low):
        return None
    if low <= float(rates.min()):
        return "lowest"
    return "highest" if high >= float(rates.max()) else None


def _budgets(search):
    """``{"5": rate, ...}``: the best rate (lowest held-out loss) after a tenth,
    a fifth, half and all of the epochs; {} when nothing records a curve."""
    budgets = search.epoch_budgets_
    if budgets is None:
        return {}
    n = len(budgets.best_rates)
    at = sorted({max(1, round(n * share)) for share in (0.1, 0.2, 0.5, 1.0)})
    return {str(e): rate for e, rate in budgets.at(at).items()}


def _top(search, sweep):
    """The rate of the top mean score and its unstable neighbour, when the
    search stepped away from it (``choice='stable'``); else None."""
    top = float(search.top_learning_rate_)
    if top == float(search.best_learning_rate_):
        return None
    point = sweep.point_index[search.best_index_]
    rates = sweep.learning_rates
    k = int(np.flatnonzero(np.isclose(rates, top, rtol=1e-12))[0])
    candidate = int(
        np.flatnonzero((sweep.point_index == point) & (sweep.rate_index == k))[0]
    )
    return top, unstable_neighbour(search, candidate)


def _versions(model="mlp"):
    """The versions a result depends on (torch and skorch for ``--model
    torch-mlp``), and the platform it ran on."""
    import sklearn

    versions = {
        "sklr": __version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
    }
    if model == "torch-mlp":
        for name in ("torch", "skorch"):
            versions[name] = getattr(sys.modules.get(name), "__version__", "?")
    return {
        **versions,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _say(args, text):
    if not args.quiet:
        print(text)


#: The held-out losses recorded in ``validation_loss_curves_``, by their name in
#: the files: the column header, what the report calls it, and whether it holds
#: the L2 term (scikit-learn's reported loss; a torch net's criterion has none).
HELD_OUT_LOSSES = {
    "log_loss": ("held-out log-loss", "log-loss", True),
    "half_mse": ("held-out half-MSE", "half mean squared error", True),
    "cross_entropy": ("held-out log-loss", "log-loss (cross-entropy)", False),
    "mse": ("held-out MSE", "mean squared error", False),
}


def held_out_loss(task, model):
    """The name of the held-out loss of a task and a ``--model``: scikit-learn's
    reported loss, or a torch net's criterion (``CrossEntropyLoss``,
    ``MSELoss``: the whole squared error, not its half)."""
    if model == "torch-mlp":
        return "cross_entropy" if task == "classification" else "mse"
    return "log_loss" if task == "classification" else "half_mse"


def _score_name(args, task):
    """The scorer's name in the files: --scoring, or the default's."""
    return args.scoring or ("accuracy" if task == "classification" else "r2")


def _score_label(summary):
    """The scorer's name for people: "R^2" for the regressors' default."""
    return "R^2" if summary["scoring"] == "r2" else summary["scoring"]


def _headers(summary):
    """The column headers of the table (the terminal's and the report's), by the
    row's key; ``epochs`` is the mean number of epochs the folds ran."""
    return {
        "batch_size": "batch",
        "learning_rate": "rate",
        "score": f"{_score_label(summary)} (mean ± std)",
        "mean_final_loss": HELD_OUT_LOSSES[summary["held_out_loss"]][0],
        "mean_epochs": _plural(summary.get("unit", "epoch")).split()[-1],
        "diagnosis": "diagnosis",
    }


def _plural(unit):
    """ "epochs", "boosting rounds": the unit of a model's curves, plural."""
    return f"{unit}s"


def _column_names(summary):
    """The name of each row key in results.csv and results.json."""
    score, loss = summary["scoring"], summary["held_out_loss"]
    return {
        "mean_test_score": f"mean_test_{score}",
        "std_test_score": f"std_test_{score}",
        "mean_final_loss": f"mean_final_held_out_{loss}",
        "mean_epochs": "mean_epochs_run",
        "rank_test_score": f"rank_test_{score}",
    }


def _named(rows, summary):
    """The rows with the column names of the files."""
    names = _column_names(summary)
    return [{names.get(k, k): v for k, v in row.items()} for row in rows]


def _cells(row):
    """The table's cells of one row, as text (the terminal's and the report's)."""
    score = (
        f"{row['mean_test_score']:.4f} ± {row['std_test_score']:.4f}"
        if math.isfinite(row["mean_test_score"])
        else "no score"
    )
    return {
        "batch_size": str(row.get("batch_size", "")),
        "learning_rate": f"{row['learning_rate']:.3g}",
        "score": score,
        "mean_final_loss": _loss_cell(
            row["mean_final_loss"] if math.isfinite(row["mean_test_score"]) else np.nan
        ).strip(),  # no score (a fold diverged): no loss either
        "mean_epochs": f"{row['mean_epochs']:.1f}"
        if math.isfinite(row["mean_epochs"])
        else "-",
        "diagnosis": DIAGNOSIS_NAMES.get(row["diagnosis"], row["diagnosis"]),
    }


def _shown_keys(rows, headers, several):
    """The table's columns: the batch size only when there are several; the
    held-out loss and the epochs only when the model records them."""
    keys = [k for k in headers if several or k != "batch_size"]
    for key in ("mean_final_loss", "mean_epochs"):
        if not any(math.isfinite(row[key]) for row in rows):
            keys.remove(key)
    return keys


def _print_table(rows, summary, several, args):
    headers = _headers(summary)
    widths = {
        "batch_size": 6,
        "learning_rate": 10,
        "score": max(20, len(headers["score"])),
        "mean_final_loss": max(10, len(headers["mean_final_loss"])),
        "mean_epochs": 6,
    }
    keys = _shown_keys(rows, headers, several)

    def line(cells):
        return "  ".join(
            f"{cells[k]:>{widths[k]}}" if k in widths else cells[k] for k in keys
        )

    if not args.quiet:
        head = line(headers)
        print(head)
        print("-" * len(head))
        for i, row in enumerate(rows):
            mark = " *" if i == summary["best_index"] else ""
            print(line(_cells(row)) + mark)
        if summary["target_standardised"]:
            print(
                "(the target is standardised on each training fold: scores are "
                "computed in its own units, losses are those of the standardised "
                "target)"
            )
    for text in _answer_lines(summary):
        print(text)


def _loss_cell(loss):
    """Ten characters: 4 decimals, or 4 significant digits for large losses."""
    if not math.isfinite(loss):
        return f"{'-':>10}"
    return f"{loss:>10.4f}" if abs(loss) < 1e4 else f"{loss:>10.4g}"


@dataclass(frozen=True)
class Answer:
    """The command's answer: the recommendation (the best rate, and the good
    range or why there is none; one line when no rate has a usable score) and
    what follows it (the order of magnitude, a note at the grid's edge)."""

    recommendation: list
    more: list = field(default_factory=list)

    @property
    def lines(self):
        """Every line, as the terminal prints them."""
        return [*self.recommendation, *self.more]


def _answer(summary):
    """The :class:`Answer` of a summary."""
    baseline = summary["baseline_score"]
    said = "-" if baseline is None else f"{baseline:.4f}"
    if summary["answer"] == "none":
        return Answer(["best learning rate: none (no rate has a usable score)"])
    batch = ""
    if "batch_size" in (summary["best_params"] or {}):  # several batch sizes
        batch = f" with batch size {summary['best_params']['batch_size']}"
    head = [
        f"best learning rate: {summary['best_learning_rate']:.4g}{batch} "
        f"(score {summary['best_score']:.4f}; baseline {said})"
    ]
    more = []
    if summary["answer"] == "recommended":
        low, high = summary["good_range"]
        span = (
            f"{low:.3g} only (no other rate scores as well)"
            if low == high
            else f"{low:.3g} .. {high:.3g}"
        )
        head.append(f"good range{batch.replace(' with', ' at')}: {span}")
        more.append(f"best order of magnitude: {summary['order_of_magnitude']}")
    else:
        head.append(
            f"good range: none - no rate scored clearly above the baseline ({said}, "
            "a model that ignores the features or the untrained network); train "
            "longer (--epochs), widen the grid, or check that the features predict "
            "the target"
        )
    return Answer(head, more + _notes_of(summary))


def _notes_of(summary):
    """The lines after the answer: the best rate by budget when the budget
    changes it, why the best is not the top score or is next to instability,
    and the grid's edge."""
    notes = []
    budgets = summary.get("epoch_budgets") or {}
    best = summary.get("best_learning_rate")
    last = list(budgets.values())[-1] if budgets else None
    differs = (
        last is not None
        and best is not None
        and not math.isclose(last, best, rel_tol=1e-9)
    )
    if len(set(budgets.values())) > 1 or differs:  # say what the budget changes
        unit = summary.get("unit", "epoch")
        notes.append(
            f"lowest held-out loss by {unit} budget: "
            + ", ".join(
                f"{e} {unit if str(e) == '1' else unit + 's'} {r:.3g}"
                for e, r in budgets.items()
            )
            + (
                f" (at the full budget the lowest loss is at {last:.3g}, the best "
                f"score at {best:.3g}: the best rate is chosen by score)"
                if differs
                else ""
            )
        )
    if summary.get("top_learning_rate") is not None:
        notes.append(
            f"note: the top mean score is at {summary['top_learning_rate']:.3g}, next "
            f"to {summary['top_next_to']:.3g}, which diverged or oscillated; "
            f"{summary['best_learning_rate']:.3g} scores within half a standard "
            "error of it, a step away from instability"
        )
    elif summary.get("best_next_to") is not None:
        notes.append(
            f"note: the best rate is next to {summary['best_next_to']:.3g}, which "
            "diverged or oscillated, and no lower rate scores as well: a little "
            "more rate, data or epochs may diverge"
        )
    edge = summary.get("good_range_at_edge")
    if edge and not summary["best_at_edge"]:
        notes.append(
            f"note: the good range reaches the {edge} rate of the grid; it may go "
            "on beyond it (widen --lr-min / --lr-max)"
        )
    if summary["best_at_edge"]:
        notes.append(
            "note: the best rate is at an edge of the grid; better rates may lie "
            "beyond it (widen --lr-min / --lr-max)"
        )
    return notes


def _answer_lines(summary):
    """The answer's lines, as printed (:class:`Answer`)."""
    return _answer(summary).lines


def _write(out, rows, summary, search, args, several, settings, plots=True):
    """Write results.csv, results.json, the PNG plots and report.html."""
    named = _named(rows, summary)
    table = io.StringIO()
    writer = csv.DictWriter(table, fieldnames=list(named[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(named)
    write_text(out / "results.csv", table.getvalue())
    document = {
        **summary,
        "settings": settings,
        "candidates": [  # JSON has no NaN: null where a value is not finite
            {k: _finite(v) if isinstance(v, float) else v for k, v in row.items()}
            for row in named
        ],
        "mean_train_loss_curves": _mean_curves(search, held_out=False),
        "mean_held_out_loss_curves": _mean_curves(search, held_out=True),
    }
    text = json.dumps(document, indent=2, allow_nan=False)  # strict JSON, or fail
    write_text(out / "results.json", text + "\n")
    written = ["results.csv", "results.json"]
    figures = _plots(out, search, several) if plots and not args.no_plots else {}
    written += list(figures)
    from ._report import sweep_report

    answer = _answer(summary)
    answer = Answer(answer.recommendation, answer.more + summary.get("notes", []))
    page = sweep_report(rows, summary, settings, figures, several, answer)
    write_text(out / "report.html", page)
    written.append("report.html")
    _say(
        args,
        f"wrote {', '.join(written)} to {out} (with settings.json, and "
        "checkpoints/ for --resume)",
    )


def _mean_curves(search, held_out):
    """Per candidate, the mean over folds of a loss per epoch, as the figure
    draws it (``sklr.search.mean_curves``); None where no fold is drawn or the
    mean is not finite (JSON has no NaN)."""
    from ..search import mean_curves

    return [[_finite(v) for v in curve] for curve in mean_curves(search, held_out)]


def _save_png(figure, path):
    """Save a figure atomically (to a unique temporary file, then renamed) and
    return its PNG bytes, for the report."""
    buffer = io.BytesIO()
    figure.savefig(buffer, dpi=110, bbox_inches="tight", format="png")
    png = buffer.getvalue()
    with replacing(path) as tmp, open(tmp, "wb") as f:
        f.write(png)
    return png


def _plots(out, search, several):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plotting import (
        LearningRateBatchSizeDisplay,
        LearningRateSensitivityDisplay,
        LossCurveDisplay,
    )

    figures = {}
    sweep = search.sweep_result_
    best_point = int(sweep.point_index[search.best_index_])
    curves = sweep.loss.shape[-1] > 0  # not every model records them
    for name, draw in (
        [
            (
                "sensitivity.png",
                lambda: LearningRateSensitivityDisplay.from_cv_results(search),
            ),
        ]
        + (
            [
                (
                    "loss_curves.png",
                    lambda: LossCurveDisplay.from_cv_results(
                        search, param_index=best_point
                    ),
                )
            ]
            if curves
            else []
        )
        + (
            [
                (
                    "batch_size.png",
                    lambda: LearningRateBatchSizeDisplay.from_cv_results(search),
                )
            ]
            if several
            else []
        )
    ):
        display = draw()
        figures[name] = _save_png(display.figure_, out / name)
        plt.close(display.figure_)
    return figures
