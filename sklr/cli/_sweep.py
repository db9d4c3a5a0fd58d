"""``sklr sweep``: the cross-validated learning-rate sensitivity analysis."""

import json
import math
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from .._outdir import (
    claim,
    read_json,
    write_text,
)
from .._sklearn import callback_transport
from .._validation import tidy_rates
from ..exceptions import NoUsableScoreError
from ._base import MAX_RATES, NO_ANSWER, CommandError
from ._data import load_for
from ._model import MLP_MODELS, _pipeline, _prefix, resolve
from ._output import _print_table, _rows, _say, _summary, _write
from ._progress import SweepProgress


def _rates(args):
    """The grid of --lr-min, --lr-max and --points-per-decade (completed by
    ``resolve``: their defaults depend on --model)."""
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
    return tidy_rates(np.logspace(math.log10(args.lr_min), math.log10(args.lr_max), n))


def _settings(args, data, rates):
    mlp = ["hidden", "activation", "solver", "momentum", "batch_size"]
    keys = [
        *(mlp if args.model in MLP_MODELS else []),
        "seed",
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
        **({} if args.model == "mlp" else {"model": args.model}),
        "learning_rates": "auto"
        if isinstance(rates, str)
        else [float(r) for r in rates],
        **{k: getattr(args, k) for k in keys},
        # only when used, so that the settings of earlier runs still match
        **({"drop": args.drop} if args.drop else {}),
        **({"impute": args.impute} if args.impute else {}),
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
def _progress(search, args, console=None):
    """Show the progress on stderr when it is a terminal (or on ``console``): an
    overall bar and a line per running task, gone when the sweep ends."""
    if args.quiet or (console is None and not sys.stderr.isatty()):
        return None
    if callback_transport() is None:  # pragma: no cover - the installed version
        return None
    if console is None:
        from rich.console import Console

        console = Console(stderr=True)
    progress = SweepProgress(console)
    search.set_callbacks(progress)
    return progress


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
        _refused(args.scheduler)
        client = Client(args.scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise CommandError(
            f"cannot reach the Dask scheduler at {args.scheduler}: {exc}"
        ) from None
    stack = contextlib.ExitStack()
    stack.callback(client.close)
    stack.enter_context(joblib.parallel_backend("dask"))
    return stack


def _refused(address):
    """Raise ``ConnectionRefusedError`` at once when nothing listens at a
    ``tcp://host:port`` address (Dask's client would retry until its timeout)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    if parts.scheme != "tcp" or parts.hostname is None or parts.port is None:
        return  # another protocol: Dask's client tells
    socket.create_connection((parts.hostname, parts.port), timeout=5).close()


def _checked(args):
    """The data and the grid of the sweep, every option checked before any work."""
    resolve(args)
    if args.auto_grid and args.model != "mlp":
        raise CommandError(
            "--auto-grid runs the range test, which trains sklr's MLP only: give "
            f"--model {args.model} a grid (--lr-min, --lr-max)"
        )
    data = load_for(args)
    rates = "auto" if args.auto_grid else _rates(args)
    _check_scoring(args.scoring)
    if args.cv > len(data.y):
        raise CommandError(f"--cv {args.cv} is more folds than rows ({len(data.y)})")
    if args.cv < 2:
        raise CommandError(f"--cv must be at least 2, got {args.cv}")
    return data, rates


def _announce(args, data, rates, checkpoints):
    """The first line: the data, the grid, the folds (and what is resumed)."""
    finished = len(list(checkpoints.glob("rate-*.npz"))) if checkpoints.exists() else 0
    _say(
        args,
        f"sklr sweep: {data.name} ({len(data.y)} samples, {data.X.shape[1]} "
        f"features{_encoded(data)}, {data.task}), "
        + ("" if args.model == "mlp" else f"model {args.model}, ")
        + (
            "rates chosen by the range test"
            if isinstance(rates, str)
            else f"{len(rates)} rates from {rates[0]:.3g} to {rates[-1]:.3g}"
        )
        + f", {args.cv} folds"
        + (_resuming(finished, rates, args) if args.resume else ""),
    )


def _encoded(data):
    """' (2 text columns one-hot encoded)' when there are any."""
    n = len(data.categorical)
    return f" ({n} text column{'s' * (n > 1)} one-hot encoded)" if n else ""


def _resuming(finished, rates, args):
    """'; resuming 52 of 195 results' (of a grid point, fold and rate each)."""
    if isinstance(rates, str):  # the grid is chosen by the range test
        return f"; resuming {finished} saved result(s)"
    total = len(rates) * args.cv * len(getattr(args, "batch_size", None) or [None])
    return f"; resuming {finished} of {total} results"


def _fit(search, data, args):
    """Fit the search; return the NoUsableScoreError (its results stay on the
    search) or None, and the notes to print after the table. Other ValueErrors
    are the command's one-line errors."""
    failure = None
    with _backend(args), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore")
        warnings.filterwarnings("always", message="batch_size")  # said as a note
        try:
            search.fit(data.X, data.y)
        except NoUsableScoreError as exc:  # the per-rate results are still there
            failure = exc
        except ValueError as exc:  # e.g. an unknown --scoring
            lines = [line for line in str(exc).splitlines() if line.strip()]
            raise CommandError(lines[0] if lines else repr(exc)) from None
    notes = [f"note: {note}" for note in dict.fromkeys(str(w.message) for w in caught)]
    if args.cv < 5:
        notes.append(
            f"note: with {args.cv} folds the paired t-test behind the good range has "
            "little power, so the range is wide; use --cv 5 or more"
        )
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
    return failure, notes


def run_sweep(args):
    """``sklr sweep``: run the analysis, print the table, write the results."""
    data, rates = _checked(args)
    settings = _settings(args, data, rates)
    out, checkpoints = _prepare_out(args, settings)
    several = len(args.batch_size) > 1
    prefix = _prefix(data, args)
    search = _search(data, args, rates, checkpoints)
    _announce(args, data, rates, checkpoints)
    _progress(search, args)
    start = time.perf_counter()
    failure, notes = _fit(search, data, args)
    rows = _rows(search, several, prefix)
    summary = _summary(search, data, args, time.perf_counter() - start, prefix)
    _print_table(rows, summary, several, args)
    for note in notes:
        _say(args, note)
    summary["notes"] = notes  # in results.json and the report too
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
    from .. import LearningRateSearchCV

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
