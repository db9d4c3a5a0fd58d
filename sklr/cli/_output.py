"""What the command prints and writes: the table, the answer, the JSON and CSV
results and the PNG plots."""

import csv
import io
import json
import math
import platform
import warnings

import numpy as np

from .. import __version__
from .._outdir import (
    replacing,
    write_text,
)
from ._model import _scales_target


def _rows(search, several, prefix):
    r = search.cv_results_
    final_loss = _final_mean(search.validation_loss_curves_, search.diverged_)
    epochs = (~np.isnan(search.loss_curves_)).sum(axis=2).mean(axis=1)
    rows = []
    for i, params in enumerate(r["params"]):
        rows.append(
            {
                **(
                    {"batch_size": int(params[f"{prefix}batch_size"])}
                    if several
                    else {}
                ),
                "learning_rate": float(params[f"{prefix}learning_rate"]),
                "mean_test_score": float(r["mean_test_score"][i]),
                "std_test_score": float(r["std_test_score"][i]),
                "mean_final_loss": float(final_loss[i]),
                "mean_epochs": float(epochs[i]),
                "diverged_fraction": float(r["diverged_fraction"][i]),
                "diagnosis": str(search.diagnosis_[i]),
                "rank_test_score": int(r["rank_test_score"][i]),
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
    import sklearn

    best = getattr(search, "best_index_", None)
    best = None if best is None else int(best)
    low, high = search.good_range_
    point = 0 if best is None else int(search.point_index_[best])
    if best is None:
        answer = "none"
    elif math.isfinite(low):
        answer = "recommended"
    else:
        answer = "no rate clearly above the baseline"
    best_rate = None if best is None else float(search.best_learning_rate_)
    exponent = math.floor(math.log10(best_rate)) if answer == "recommended" else None
    return {
        "data": {
            "name": data.name,
            "n_samples": int(len(data.y)),
            "n_features": int(data.X.shape[1]),
            "task": data.task,
        },
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
        "best_at_edge": best_rate
        in (float(search.learning_rates_.min()), float(search.learning_rates_.max())),
        "good_range": [_finite(low), _finite(high)],
        "order_of_magnitude": None if exponent is None else f"1e{exponent}",
        "baseline_score": _finite(np.mean(search.baseline_scores_[point])),
        "target_standardised": _scales_target(data, args),
        "seconds": round(seconds, 3),
        "versions": {
            "sklr": __version__,
            "scikit-learn": sklearn.__version__,
            "numpy": np.__version__,
            "python": platform.python_version(),
        },
    }


def _say(args, text):
    if not args.quiet:
        print(text)


def _print_table(rows, summary, several, args):
    head = (f"{'batch':>6} " if several else "") + (
        f"{'rate':>10}  {'score (mean ± std)':>20}  {'final loss':>10}  "
        f"{'epochs':>6}  diagnosis"
    )
    if not args.quiet:
        print(head)
        print("-" * len(head))
        for i, row in enumerate(rows):
            mark = " *" if i == summary["best_index"] else ""
            score = (
                f"{row['mean_test_score']:.4f} ± {row['std_test_score']:.4f}"
                if math.isfinite(row["mean_test_score"])
                else "no score"
            )
            loss = row["mean_final_loss"]
            print(
                (f"{row['batch_size']:>6} " if several else "")
                + f"{row['learning_rate']:>10.3g}  {score:>20}  "
                + _loss_cell(loss)
                + f"  {row['mean_epochs']:>6.1f}  {row['diagnosis']}{mark}"
            )
        if summary["target_standardised"]:
            print(
                "(the target is standardised on each training fold: scores are in "
                "its units, losses are those of the standardised target)"
            )
    _print_answer(summary)


def _loss_cell(loss):
    """Ten characters: 4 decimals, or 4 significant digits for large losses."""
    if not math.isfinite(loss):
        return f"{'-':>10}"
    return f"{loss:>10.4f}" if abs(loss) < 1e4 else f"{loss:>10.4g}"


def _print_answer(summary):
    baseline = summary["baseline_score"]
    said = "-" if baseline is None else f"{baseline:.4f}"
    if summary["answer"] == "none":
        print("best learning rate: none (no rate has a usable score)")
        return
    batch = ""
    if "batch_size" in (summary["best_params"] or {}):  # several batch sizes
        batch = f" with batch size {summary['best_params']['batch_size']}"
    print(
        f"best learning rate: {summary['best_learning_rate']:.4g}{batch} "
        f"(score {summary['best_score']:.4f}; baseline {said})"
    )
    if summary["answer"] == "recommended":
        low, high = summary["good_range"]
        print(f"good range: {low:.3g} .. {high:.3g}")
        print(f"best order of magnitude: {summary['order_of_magnitude']}")
    else:
        print(
            f"good range: none - no rate scored clearly above the baseline ({said}, "
            "a model that ignores the features or the untrained network); train "
            "longer (--epochs), widen the grid, or check that the features predict "
            "the target"
        )
    if summary["best_at_edge"]:
        print(
            "note: the best rate is at an edge of the grid; better rates may lie "
            "beyond it (widen --lr-min / --lr-max)"
        )


def _write(out, rows, summary, search, args, several, settings, plots=True):
    table = io.StringIO()
    writer = csv.DictWriter(table, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_text(out / "results.csv", table.getvalue())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        curves = np.nanmean(search.loss_curves_, axis=1)
    document = {
        **summary,
        "settings": settings,
        "candidates": rows,
        "mean_loss_curves": [
            [None if not math.isfinite(v) else float(v) for v in c] for c in curves
        ],
    }
    write_text(out / "results.json", json.dumps(document, indent=2) + "\n")
    written = ["results.csv", "results.json"]
    if plots and not args.no_plots:
        written += _plots(out, search, several)
    _say(
        args,
        f"wrote {', '.join(written)} to {out} (with settings.json, and "
        "checkpoints/ for --resume)",
    )


def _save_png(figure, path):
    """Save a figure atomically: to a unique temporary file, then renamed."""
    with replacing(path) as tmp:
        figure.savefig(tmp, dpi=110, bbox_inches="tight", format="png")


def _plots(out, search, several):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..plotting import (
        LearningRateBatchSizeDisplay,
        LearningRateSensitivityDisplay,
        LossCurveDisplay,
    )

    names = []
    best_point = int(search.point_index_[search.best_index_])
    for name, draw in [
        (
            "sensitivity.png",
            lambda: LearningRateSensitivityDisplay.from_cv_results(search),
        ),
        (
            "loss_curves.png",
            lambda: LossCurveDisplay.from_cv_results(search, param_index=best_point),
        ),
    ] + (
        [
            (
                "batch_size.png",
                lambda: LearningRateBatchSizeDisplay.from_cv_results(search),
            )
        ]
        if several
        else []
    ):
        display = draw()
        _save_png(display.figure_, out / name)
        plt.close(display.figure_)
        names.append(name)
    return names
