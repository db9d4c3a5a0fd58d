"""The command line's arguments: the parser of ``sklr sweep`` and ``sklr find``."""

import argparse
import math

from .. import __version__
from ..lr_finder import SUGGESTION_RULES
from ._data import BUNDLED, IMPUTE
from ._find import run_find
from ._model import MODELS
from ._sweep import run_sweep

SWEEP_EXAMPLE = """examples:
  sklr sweep                     # digits, 13 rates from 1e-5 to 10, 5 folds
  sklr sweep iris --epochs 100 --batch-size 16,64
  sklr sweep data.csv --target price --hidden 64,32 --out runs/price
  sklr sweep --resume            # continue an interrupted sweep
"""

SWEEP_DESCRIPTION = """\
Train the model (--model: sklr's MLP by default, all rates of a fold at once)
at every rate of a log grid on every fold, and report the best rate, the good
range and a diagnosis of each rate. Per rate, the table
gives the mean test score over the folds (accuracy, R^2, or --scoring) with its
standard deviation, the held-out loss after the last epoch (log-loss, or half
the mean squared error for a regression), the mean number of epochs the folds
ran, and the diagnosis. Writes results.csv, results.json, settings.json, the
PNG figures and report.html (all of it on one self-contained page) to --out.
"""

FIND_EXAMPLE = """examples:
  sklr find                      # digits, 1e-7 .. 10 over 100 mini-batches
  sklr find data.csv --target label --start-lr 1e-5 --num-steps 200
"""


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors on one line (not the whole usage block)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


# --------------------------------------------------------------------- parsing
def _names(text):
    """Comma-separated column names."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected column names, got {text!r}")
    return names


def _ints(text):
    try:
        values = [int(v) for v in text.split(",")]  # "64,,32": an empty size
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


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid integer {text!r}") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"must be in [0, 2**32 - 1], got {text!r}")
    return value


def _n_jobs(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid integer {text!r}") from None
    if value == 0:
        raise argparse.ArgumentTypeError(
            "must be a number of workers (1, 2, ...) or -1 for all cores, got '0'"
        )
    return value


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid value {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {text!r}")
    return value


def _common(parser, out):
    """The arguments both commands take: the data, the model, the output
    (``out``: the default folder, one per command, so that they never clash)."""
    _data_arguments(parser)
    _model_arguments(parser)
    _output_arguments(parser, out)


def _data_arguments(parser):
    parser.add_argument(
        "data",
        nargs="?",
        default="digits",
        help=f"a bundled data set ({', '.join(BUNDLED)}; default: digits) or a "
        "CSV / Parquet file",
    )
    parser.add_argument("--target", help="target column of a file (default: the last)")
    parser.add_argument(
        "--drop",
        type=_names,
        default=[],
        metavar="COLUMNS",
        help="columns of a file to leave out, e.g. id,date (default: none)",
    )
    parser.add_argument(
        "--impute",
        choices=list(IMPUTE),
        default=None,
        help="fill missing feature values in the model (scikit-learn's "
        "SimpleImputer with missing-value indicators; text columns: most_frequent)"
        " instead of refusing them (default)",
    )
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
        "losses are those of the standardised target)",
    )


def _model_arguments(parser):
    parser.add_argument(
        "--hidden",
        type=_ints,
        default=None,
        help="hidden layer sizes of an MLP, e.g. 100,50 (default: 100)",
    )
    parser.add_argument(
        "--activation",
        default=None,
        choices=["identity", "logistic", "tanh", "relu"],
        help="hidden activation of an MLP (default: relu)",
    )
    parser.add_argument(
        "--solver",
        default=None,
        choices=["sgd", "adam"],
        help="an MLP's solver: sgd (with --momentum, Nesterov) or adam (default: sgd)",
    )
    parser.add_argument(
        "--momentum",
        type=_fraction,
        default=None,
        help="SGD momentum (default: 0.9)",
    )
    parser.add_argument(
        "--seed", type=_seed, default=0, help="random seed (default: 0)"
    )
    parser.add_argument(
        "--float32",
        action="store_true",
        help="train in single precision, faster (measured: docs/scaling.rst; "
        "default: float64)",
    )


def _output_arguments(parser, out):
    parser.add_argument(
        "--out",
        default=out,
        help=f"output directory (default: ./{out})",
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
        description=SWEEP_DESCRIPTION,
        epilog=SWEEP_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(sweep, "sklr-results")
    _grid_arguments(sweep.add_argument)
    _run_arguments(sweep.add_argument)
    sweep.set_defaults(func=run_sweep)


def _grid_arguments(add):
    """What the sweep trains: batch sizes, epochs and the grid of rates."""
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
        help="maximum epochs per fit (default: 50); the table's epochs column is "
        "the mean number of epochs the folds ran (a tolerance stop or divergence "
        "ends a fold early)",
    )
    add(
        "--model",
        choices=list(MODELS),
        default="mlp",
        help="the model whose rate is swept (default: mlp): "
        + "; ".join(f"{name}: {what}" for name, what in MODELS.items()),
    )
    add(
        "--lr-min",
        type=_positive(float),
        default=None,
        help="lowest rate of the grid (default: 1e-5; 1e-3 for the boosting models)",
    )
    add(
        "--lr-max",
        type=_positive(float),
        default=None,
        help="highest rate of the grid (default: 10; 3.16 for the boosting models)",
    )
    add(
        "--points-per-decade",
        type=_positive(int),
        default=2,
        help="rates per factor of 10, log-spaced (default: 2: 13 rates)",
    )
    add(
        "--auto-grid",
        action="store_true",
        help="run the range test first and sweep only the rates within 1.5 "
        "decades of its suggestion (6 or 7 rates; --lr-min, --lr-max and "
        "--points-per-decade are then ignored)",
    )


def _run_arguments(add):
    """How the sweep runs: folds, scorer, workers, refinement, resumption."""
    add("--cv", type=_positive(int), default=5, help="folds (default: 5)")
    add("--scoring", help="a scikit-learn scorer name (default: accuracy or R^2)")
    add(
        "--n-jobs",
        type=_n_jobs,
        default=-1,
        help="parallel tasks (default: -1, all cores)",
    )
    add(
        "--refine",
        action="store_true",
        help="add rates over the decade around the best",
    )
    add(
        "--scheduler",
        metavar="ADDRESS",
        help="run on this Dask scheduler (needs sklr[dask])",
    )
    add("--resume", action="store_true", help="continue the interrupted sweep in --out")


def _add_find(sub):
    find = sub.add_parser(
        "find",
        help="learning-rate range test",
        epilog=FIND_EXAMPLE,
        description="Raise the rate at every mini-batch and suggest one from the "
        "loss curve.\nWrites lr_find.json, lr_find.png and report.html to --out.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(find, "sklr-find")
    add = find.add_argument
    add(
        "--batch-size",
        type=_positive(int),
        default=None,
        help="mini-batch size (default: min(200, samples))",
    )
    add(
        "--start-lr",
        type=_positive(float),
        default=1e-7,
        help="rate of the first mini-batch (default: 1e-7)",
    )
    add(
        "--end-lr",
        type=_positive(float),
        default=10.0,
        help="rate of the last mini-batch (default: 10)",
    )
    add(
        "--num-steps",
        type=_positive(int),
        default=100,
        help="mini-batches of the ramp, one rate each (default: 100)",
    )
    add(
        "--mode",
        choices=["exponential", "linear"],
        default="exponential",
        help="how the rate grows from step to step (default: exponential)",
    )
    add(
        "--suggestion",
        choices=list(SUGGESTION_RULES),
        default="fall",
        help="the rule behind the suggested rate (default: fall)",
    )
    find.set_defaults(func=run_find)
