"""The ``sklr`` command: the learning-rate analysis from a shell.

``sklr sweep [DATA]`` runs a cross-validated learning-rate sensitivity analysis
(``LearningRateSearchCV``) and ``sklr find [DATA]`` the range test
(``lr_find``), on a data set bundled with scikit-learn or a CSV / Parquet file.
Errors are one line on stderr and exit status 2; Ctrl-C keeps finished work,
which ``--resume`` continues.
"""

import argparse
import csv
import dataclasses
import io
import json
import math
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from . import __version__
from ._data import BUNDLED, DataError, load
from ._outdir import (
    OutputError,
    claim,
    read_json,
    release,
    replacing,
    write_text,
)
from .exceptions import NoUsableScoreError
from .lr_finder import SUGGESTION_RULES

#: Exit status of ``sklr sweep`` when no learning rate can be recommended.
NO_ANSWER = 3

#: The largest grid ``sklr sweep`` accepts.
MAX_RATES = 1000

SWEEP_EXAMPLE = """examples:
  sklr sweep                     # digits, 13 rates from 1e-5 to 10, 5 folds
  sklr sweep iris --epochs 100 --batch-size 16,64
  sklr sweep data.csv --target price --hidden 64,32 --out runs/price
  sklr sweep --resume            # continue an interrupted sweep
"""
FIND_EXAMPLE = """examples:
  sklr find                      # digits, 1e-7 .. 10 over 100 mini-batches
  sklr find data.csv --target label --start-lr 1e-5 --num-steps 200
"""


class CommandError(Exception):
    """A usage or input problem, reported in one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors on one line (not the whole usage block)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# --------------------------------------------------------------------- parsing
def _ints(text):
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers, got {text!r}"
        ) from None
    if not values or any(v <= 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


def _positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid value {text!r}") from None
        if not value > 0 or (kind is float and not math.isfinite(value)):
            raise argparse.ArgumentTypeError(f"must be positive, got {text!r}")
        return value

    return parse


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid value {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {text!r}")
    return value


def _common(parser):
    parser.add_argument(
        "data",
        nargs="?",
        default="digits",
        help=f"a bundled data set ({', '.join(BUNDLED)}; default: digits) or a "
        "CSV / Parquet file",
    )
    parser.add_argument("--target", help="target column of a file (default: the last)")
    parser.add_argument(
        "--task",
        choices=["auto", "classification", "regression"],
        default="auto",
        help="default: inferred from the target",
    )
    parser.add_argument(
        "--no-scale", action="store_true", help="do not standardise the features"
    )
    parser.add_argument(
        "--no-scale-target",
        action="store_true",
        help="do not standardise a regression target (by default it is, through "
        "TransformedTargetRegressor: scores and predictions stay in its units, "
        "losses are in its standard deviations)",
    )
    parser.add_argument(
        "--hidden",
        type=_ints,
        default=[100],
        help="hidden layer sizes, e.g. 100,50 (default: 100)",
    )
    parser.add_argument(
        "--activation", default="relu", choices=["identity", "logistic", "tanh", "relu"]
    )
    parser.add_argument("--solver", default="sgd", choices=["sgd", "adam"])
    parser.add_argument(
        "--momentum", type=_fraction, default=0.9, help="SGD momentum (default: 0.9)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument(
        "--float32",
        action="store_true",
        help="train in single precision: about twice as fast (default: float64)",
    )
    parser.add_argument(
        "--out",
        default="sklr-results",
        help="output directory (default: ./sklr-results)",
    )
    parser.add_argument(
        "--force", action="store_true", help="overwrite the results already in --out"
    )
    parser.add_argument("--quiet", action="store_true", help="print less, no progress")
    parser.add_argument("--no-plots", action="store_true", help="write no PNG")


def build_parser():
    """The argument parser of the ``sklr`` command."""
    parser = _Parser(
        prog="sklr",
        description="Get the learning rate right: sensitivity analysis "
        "and range test for scikit-learn MLPs.",
    )
    parser.add_argument("--version", action="version", version=f"sklr {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_sweep(sub)
    _add_find(sub)
    return parser


def _add_sweep(sub):
    sweep = sub.add_parser(
        "sweep",
        help="cross-validated learning-rate sensitivity analysis",
        description="Train an MLP at every rate of a log grid on every fold "
        "(stacked), and report the best rate, the good range and a diagnosis of "
        "each rate.",
        epilog=SWEEP_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(sweep)
    add = sweep.add_argument
    add(
        "--batch-size",
        type=_ints,
        default=["auto"],
        help="one size, or several (16,64,256) to study the interaction (default: "
        "min(200, samples))",
    )
    add(
        "--epochs",
        type=_positive(int),
        default=50,
        help="maximum epochs per fit (default: 50)",
    )
    add("--lr-min", type=_positive(float), default=1e-5)
    add("--lr-max", type=_positive(float), default=10.0)
    add("--points-per-decade", type=_positive(int), default=2)
    add("--cv", type=_positive(int), default=5, help="folds (default 5)")
    add("--scoring", help="a scikit-learn scorer name (default: accuracy or R^2)")
    add(
        "--n-jobs", type=int, default=-1, help="parallel tasks (default: -1, all cores)"
    )
    add(
        "--refine",
        action="store_true",
        help="add rates over the decade around the best",
    )
    add(
        "--auto-grid",
        action="store_true",
        help="run the range test first and sweep only the rates within 1.5 "
        "decades of its suggestion (6 or 7 rates; --lr-min, --lr-max and "
        "--points-per-decade are then ignored)",
    )
    add(
        "--scheduler",
        metavar="ADDRESS",
        help="run on this Dask scheduler (needs sklr[dask])",
    )
    add("--resume", action="store_true", help="continue the interrupted sweep in --out")
    sweep.set_defaults(func=run_sweep)


def _add_find(sub):
    find = sub.add_parser(
        "find",
        help="learning-rate range test",
        epilog=FIND_EXAMPLE,
        description="Raise the rate at every mini-batch and suggest one from the "
        "loss curve.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(find)
    add = find.add_argument
    add(
        "--batch-size",
        type=_positive(int),
        default=None,
        help="mini-batch size (default: min(200, samples))",
    )
    add("--start-lr", type=_positive(float), default=1e-7)
    add("--end-lr", type=_positive(float), default=10.0)
    add("--num-steps", type=_positive(int), default=100)
    add("--mode", choices=["exponential", "linear"], default="exponential")
    add(
        "--suggestion",
        choices=list(SUGGESTION_RULES),
        default="fall",
        help="the rule behind the suggested rate (default: fall)",
    )
    find.set_defaults(func=run_find)


# -------------------------------------------------------------------- building
def _pipeline(data, args, batch_size):
    from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

    from . import MLPClassifier, MLPRegressor

    Model = MLPClassifier if data.task == "classification" else MLPRegressor
    mlp = Model(
        hidden_layer_sizes=tuple(args.hidden),
        activation=args.activation,
        solver=args.solver,
        momentum=args.momentum,
        batch_size=batch_size,
        max_iter=getattr(args, "epochs", 200),
        random_state=args.seed,
    )
    steps = []
    numeric = [k for k in range(data.X.shape[1]) if k not in data.categorical]
    scaler = "passthrough" if args.no_scale else StandardScaler()
    if data.categorical:
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        steps.append(
            (
                "features",
                ColumnTransformer(
                    [
                        ("numeric", scaler, numeric),
                        ("categorical", encoder, data.categorical),
                    ]
                ),
            )
        )
    elif not args.no_scale:
        steps.append(("scale", StandardScaler()))
    if args.float32:  # the MLP keeps the dtype of its input
        steps.append(
            ("float32", FunctionTransformer(np.asarray, kw_args={"dtype": np.float32}))
        )
    pipe = Pipeline([*steps, ("mlp", mlp)])
    if _scales_target(data, args):
        return TransformedTargetRegressor(pipe, transformer=StandardScaler())
    return pipe


def _scales_target(data, args):
    return data.task == "regression" and not args.no_scale_target


def _prefix(data, args):
    """The prefix of the MLP's parameter names in the estimator of ``_pipeline``."""
    return "regressor__mlp__" if _scales_target(data, args) else "mlp__"


def _rates(args):
    if args.lr_max <= args.lr_min:
        raise CommandError(
            f"--lr-max ({args.lr_max:g}) must be larger than --lr-min ({args.lr_min:g})"
        )
    decades = math.log10(args.lr_max / args.lr_min)
    n = max(int(round(decades * args.points_per_decade)) + 1, 2)
    if n > MAX_RATES:
        raise CommandError(
            f"--lr-min, --lr-max and --points-per-decade give {n} rates; at most "
            f"{MAX_RATES}"
        )
    return np.logspace(math.log10(args.lr_min), math.log10(args.lr_max), n)


def _settings(args, data, rates):
    keys = [
        "hidden",
        "activation",
        "solver",
        "momentum",
        "seed",
        "batch_size",
        "epochs",
        "cv",
        "scoring",
        "refine",
        "no_scale",
        "no_scale_target",
        "task",
        "target",
        "float32",
    ]
    from joblib import hash as joblib_hash

    return {
        "data": args.data,
        "data_hash": joblib_hash((data.X, data.y)),
        "learning_rates": "auto"
        if isinstance(rates, str)
        else [float(r) for r in rates],
        **{k: getattr(args, k) for k in keys},
        "inferred_task": data.task,
    }


def _prepare_out(args, settings):
    """Claim --out for the sweep (see ``sklr._outdir``); on --resume, check that
    the settings are those of the run being continued."""
    out = Path(args.out)
    claim(out, "sweep", force=args.force, resume=args.resume)
    checkpoints = out / "checkpoints"
    if args.resume:
        previous = read_json(out / "settings.json")
        if not isinstance(previous, dict):
            raise CommandError(f"{out / 'settings.json'} is not sklr's settings")
        changed = [k for k in settings if previous.get(k) != settings[k]]
        if changed:
            detail = ", ".join(
                f"{k}: {previous.get(k)!r} -> {settings[k]!r}"
                for k in changed
                if k != "data_hash"
            )
            raise CommandError(
                f"cannot resume {out}: the settings differ from that run "
                f"({detail or 'the data changed'})"
            )
        return out, checkpoints
    write_text(out / "settings.json", json.dumps(settings, indent=2) + "\n")
    return out, checkpoints


# ----------------------------------------------------------------------- sweep
def _progress(search, args):
    if args.quiet or not sys.stderr.isatty():
        return
    try:
        import rich
        from sklearn.callback import ProgressBar
    except ImportError:  # pragma: no cover - rich is a dependency
        return
    rich.reconfigure(stderr=True)
    search.set_callbacks(ProgressBar(max_propagation_depth=None))


def _backend(args):
    """A context manager: joblib's Dask backend on --scheduler, else nothing."""
    import contextlib

    if not args.scheduler:
        return contextlib.nullcontext()
    try:
        import joblib
        from distributed import Client
    except ImportError:
        raise CommandError("--scheduler needs Dask: pip install 'sklr[dask]'") from None
    try:
        client = Client(args.scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise CommandError(
            f"cannot reach the Dask scheduler at {args.scheduler}: {exc}"
        ) from None
    stack = contextlib.ExitStack()
    stack.callback(client.close)
    stack.enter_context(joblib.parallel_backend("dask"))
    return stack


def run_sweep(args):
    """``sklr sweep``: run the analysis, print the table, write the results."""
    data = load(args.data, target=args.target, task=args.task)
    rates = "auto" if args.auto_grid else _rates(args)
    _check_scoring(args.scoring)
    if args.cv > len(data.y):
        raise CommandError(f"--cv {args.cv} is more folds than rows ({len(data.y)})")
    if args.cv < 2:
        raise CommandError(f"--cv must be at least 2, got {args.cv}")
    settings = _settings(args, data, rates)
    out, checkpoints = _prepare_out(args, settings)
    several = len(args.batch_size) > 1
    prefix = _prefix(data, args)
    search = _search(data, args, rates, checkpoints)
    finished = len(list(checkpoints.glob("rate-*.npz"))) if checkpoints.exists() else 0
    _say(
        args,
        f"sklr sweep: {data.name} ({len(data.y)} samples, {data.X.shape[1]} "
        f"features, {data.task}), "
        + (
            "rates chosen by the range test"
            if isinstance(rates, str)
            else f"{len(rates)} rates from {rates[0]:g} to {rates[-1]:g}"
        )
        + f", {args.cv} folds"
        + (f"; resuming {finished} saved result(s)" if args.resume else ""),
    )
    _progress(search, args)
    start = time.perf_counter()
    failure = None
    with _backend(args), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            search.fit(data.X, data.y)
        except NoUsableScoreError as exc:  # the per-rate results are still there
            failure = exc
        except ValueError as exc:  # e.g. an unknown --scoring
            raise CommandError(str(exc).splitlines()[0]) from None
    if hasattr(search, "range_test_"):
        grid, center = search.learning_rates_, search.range_test_.suggestion
        said = (
            f"range test suggested {center:.3g}"
            if math.isfinite(center)
            else "the range test had no suggestion (its loss did not fall)"
        )
        _say(
            args,
            f"{said}: swept {len(grid)} rates from {grid.min():.3g} to "
            f"{grid.max():.3g}",
        )
    rows = _rows(search, several, prefix)
    summary = _summary(search, data, args, time.perf_counter() - start, prefix)
    _print_table(rows, summary, several, args)
    _write(out, rows, summary, search, args, several, settings, failure is None)
    if failure is not None:
        print(f"sklr: no usable learning rate: {_why(failure, args)}", file=sys.stderr)
        return NO_ANSWER
    return 0


def _check_scoring(scoring):
    from sklearn.metrics import get_scorer_names

    if scoring is not None and scoring not in get_scorer_names():
        raise CommandError(
            f"--scoring {scoring!r} is not a scikit-learn scorer name (e.g. "
            "accuracy, f1_macro, roc_auc_ovr, r2, neg_mean_squared_error; all of "
            "them: sklearn.metrics.get_scorer_names())"
        )


def _search(data, args, rates, checkpoints):
    """The LearningRateSearchCV of ``sklr sweep``."""
    from . import LearningRateSearchCV

    several = len(args.batch_size) > 1
    return LearningRateSearchCV(
        _pipeline(data, args, args.batch_size[0]),
        rates,
        scoring=args.scoring,
        param_grid=(
            {f"{_prefix(data, args)}batch_size": args.batch_size} if several else None
        ),
        cv=args.cv,
        n_jobs=args.n_jobs,
        refit=False,
        refine=args.refine,
        checkpoint_dir=checkpoints,
    )


def _why(failure, args):
    """One line: why no rate can be recommended, and what to try."""
    scorer = args.scoring or "the default score"
    advice = {
        "diverged": "every rate diverged on at least one fold; try lower rates "
        f"(--lr-min below {args.lr_min:g}), fewer --epochs, or standardised data "
        "(without --no-scale / --no-scale-target)",
        "scoring_failed": f"the scorer ({scorer}) failed on every rate; choose a "
        "--scoring that fits the task",
        "both": f"every rate diverged or the scorer ({scorer}) failed on it; try "
        "lower rates (--lr-min) and a --scoring that fits the task",
    }
    return advice[failure.reason]


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
    from .search import last_recorded

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
    print(
        f"best learning rate: {summary['best_learning_rate']:.4g} "
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
    _say(args, f"wrote {', '.join(written)} to {out}")


def _save_png(figure, path):
    """Save a figure atomically: to a unique temporary file, then renamed."""
    with replacing(path) as tmp:
        figure.savefig(tmp, dpi=110, bbox_inches="tight", format="png")


def _plots(out, search, several):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plotting import (
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


# ------------------------------------------------------------------------ find
def run_find(args):
    """``sklr find``: the range test; print the suggestions, write JSON and PNG."""
    from . import lr_find

    if args.end_lr <= args.start_lr:
        raise CommandError(
            f"--end-lr ({args.end_lr:g}) must be larger than --start-lr "
            f"({args.start_lr:g})"
        )
    data = load(args.data, target=args.target, task=args.task)
    out = Path(args.out)
    claim(out, "find", force=args.force)  # before the test, not after it
    pipe = _pipeline(data, args, args.batch_size or "auto")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore")
        warnings.simplefilter("always", UserWarning)
        try:
            result = lr_find(
                pipe,
                data.X,
                data.y,
                start_lr=args.start_lr,
                end_lr=args.end_lr,
                num_steps=args.num_steps,
                mode=args.mode,
                suggestion=args.suggestion,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
    notes = list(dict.fromkeys(str(w.message) for w in caught))
    _say(
        args,
        f"sklr find: {data.name} ({len(data.y)} samples, {data.task}), "
        f"{len(result.losses)} steps ({result.n_epochs:.3g} epochs) from "
        f"{args.start_lr:g}"
        + (" (stopped early: the loss exploded)" if result.stopped_early else ""),
    )
    found = math.isfinite(result.suggestion)
    print(
        f"suggested learning rate ({result.rule}): "
        + (f"{result.suggestion:.4g}" if found else "none")
    )
    others = dataclasses.asdict(result.suggestions)
    _say(args, "  " + ", ".join(f"{k} {v:.4g}" for k, v in others.items()))
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    _write_find(out, result, args, notes, data)
    return 0 if found else NO_ANSWER


def _write_find(out, result, args, notes, data):
    out.mkdir(parents=True, exist_ok=True)

    def finite(values):
        return [v if math.isfinite(v) else None for v in values.tolist()]

    document = {
        "data": args.data,
        "suggestion": _finite(result.suggestion),
        "rule": result.rule,
        "suggestions": {
            k: _finite(v) for k, v in dataclasses.asdict(result.suggestions).items()
        },
        "stopped_early": result.stopped_early,
        "n_steps": len(result.losses),
        "n_epochs": result.n_epochs,
        "target_standardised": _scales_target(data, args),
        "warnings": notes,
        "learning_rates": result.learning_rates.tolist(),
        "losses": finite(result.losses),
        "smoothed_losses": finite(result.smoothed_losses),
    }
    write_text(out / "lr_find.json", json.dumps(document, indent=2) + "\n")
    written = ["lr_find.json"]
    if not args.no_plots:
        import matplotlib

        matplotlib.use("Agg")
        display = result.plot()
        _save_png(display.figure_, out / "lr_find.png")
        written.append("lr_find.png")
    _say(args, f"wrote {', '.join(written)} to {out}")


# ------------------------------------------------------------------------ main
def main(argv=None):
    """Run the ``sklr`` command; return its exit status.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    status : int
        0 on success, 2 for usage and input errors, 130 when interrupted.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _run_command(args)
    except (CommandError, DataError, OutputError) as exc:
        print(f"sklr: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        resumable = getattr(args, "resume", None) is not None  # sweep only
        print(
            f"sklr: interrupted; finished work is kept in {args.out} - run the same "
            "command with --resume to continue"
            if resumable
            else "sklr: interrupted",
            file=sys.stderr,
        )
        return 130


def _run_command(args):
    try:
        return args.func(args)
    finally:
        release()  # the output folder is free for the next run


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
