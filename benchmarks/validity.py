"""Validity benchmark: do sklr's learning-rate recommendations predict what works?

    python -m benchmarks.validity                # 60 tasks (about 3 minutes on 2 cores)
    python -m benchmarks.validity --quick        # 3 tiny tasks: a smoke run (3 s)
    python -m benchmarks.validity --report-only  # rebuild the report from the JSON

A task is a data set (bundled or synthetic, at most 2000 rows) and an sklr
estimator configuration (optimiser, batch size, hidden layers, epochs), always
``Pipeline(StandardScaler(), MLP)`` with ``random_state=0``; regression targets
are standardised with the mean and deviation of the training part. Each task is
split once (``train_test_split``, 25 % test, stratified for classifiers), then:

1. the sweep: ``LearningRateSearchCV`` over ``DEFAULT_LEARNING_RATES`` with 5
   folds on the training part (best rate, good range, mean scores, diagnosis);
2. the held-out truth: every rate of the grid trained on the training part and
   scored on the test part (one split of the same search, stacked);
3. the range test: ``lr_find`` at its defaults on the training part (curves,
   suggestions and the warnings it emits);
4. ``learning_rates="auto"``: ``LearningRateSearchCV`` with 5 folds on the
   training part, its grid chosen around the range test's suggestion (best rate,
   grid, wall seconds with the range test).

The report opens with the issue's targets (measured, PASS or MISS), compares
every suggestion rule of ``sklr.lr_finder.SUGGESTION_RULES`` with the sweep's
best rate (in decades) and with its good range, checks that the sweep's good
range holds a held-out best rate (ties count: any rate of the best held-out
score), measures the regret of the sweep's choice on held-out data, and compares
``"auto"`` with the full sweep (best rate, time, held-out regret). The
suggestions are recomputed from the stored curves when the report is written, so
``--report-only`` rebuilds it for new or changed rules without training
anything. Results go to ``benchmarks/results/<name>.json`` and
``<name>.md`` (``--name``, default ``validity`` or ``validity-quick``; ``--out``
for another folder), with the machine and package versions.
"""

import argparse
import dataclasses
import datetime
import inspect
import json
import math
import statistics
import subprocess
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
    make_classification,
    make_friedman1,
    make_regression,
)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

import sklr
from sklr.lr_finder import SUGGESTION_RULES, suggest
from sklr.search import DEFAULT_LEARNING_RATES
from sklr.search._diagnosis import _rise_fraction

from .run import _machine

RESULTS = Path(__file__).parent / "results"
GRID = DEFAULT_LEARNING_RATES
CV = 5
HALF_DECADE, ONE_DECADE = 0.5 + 1e-9, 1.0 + 1e-9
TIE = 1e-12  # held-out scores this close to the best are tied with it
WIDEN = 0.25  # decades added on each side of the good range for the suggestions
COMMAND = "python -m benchmarks.validity"

OPTIMISERS: dict[str, dict[str, Any]] = {
    "sgd": dict(solver="sgd", momentum=0.0),
    "nag": dict(solver="sgd", momentum=0.9, nesterovs_momentum=True),
    "adam": dict(solver="adam"),
}

Loader = Callable[[], tuple[np.ndarray, np.ndarray]]
DATASETS: dict[str, tuple[str, Loader]] = {
    "digits": ("classification", lambda: load_digits(return_X_y=True)),
    "iris": ("classification", lambda: load_iris(return_X_y=True)),
    "wine": ("classification", lambda: load_wine(return_X_y=True)),
    "cancer": ("classification", lambda: load_breast_cancer(return_X_y=True)),
    "diabetes": ("regression", lambda: load_diabetes(return_X_y=True)),
    "clf2": (
        "classification",
        lambda: make_classification(1000, 20, n_informative=8, random_state=0),
    ),
    "clf4": (
        "classification",
        lambda: make_classification(
            1500, 30, n_informative=12, n_classes=4, random_state=1
        ),
    ),
    "clf6": (
        "classification",
        lambda: make_classification(
            2000, 40, n_informative=16, n_classes=6, random_state=2
        ),
    ),
    "reg": (
        "regression",
        lambda: make_regression(1000, 20, n_informative=10, noise=10.0, random_state=0),
    ),
    "friedman": (
        "regression",
        lambda: make_friedman1(1000, 10, noise=1.0, random_state=0),
    ),
}


@dataclasses.dataclass(frozen=True)
class Task:
    """A data set and an estimator configuration."""

    data: str
    optimiser: str
    batch_size: int
    hidden: tuple[int, ...]
    epochs: int

    @property
    def name(self) -> str:
        """Short readable name, e.g. ``digits-sgd-b32-h64-e20``."""
        hidden = "x".join(str(h) for h in self.hidden)
        return (
            f"{self.data}-{self.optimiser}-b{self.batch_size}-h{hidden}-e{self.epochs}"
        )


# (data, optimiser, batch size, hidden layers, epochs): every data set with every
# optimiser twice, batch sizes 8..512, one to three hidden layers, 5..50 epochs
FULL_TASKS = [
    Task(*row)
    for row in [
        ("digits", "sgd", 32, (64,), 20),
        ("digits", "sgd", 8, (32,), 5),
        ("digits", "nag", 128, (64, 32), 30),
        ("digits", "nag", 32, (32, 32, 32), 10),
        ("digits", "adam", 256, (32,), 10),
        ("digits", "adam", 64, (128,), 20),
        ("iris", "sgd", 8, (16,), 50),
        ("iris", "sgd", 32, (32, 32), 20),
        ("iris", "nag", 16, (16, 16), 30),
        ("iris", "nag", 8, (8,), 10),
        ("iris", "adam", 32, (8,), 50),
        ("iris", "adam", 16, (16, 16, 16), 30),
        ("wine", "sgd", 16, (32,), 30),
        ("wine", "sgd", 64, (16, 16), 50),
        ("wine", "nag", 8, (16, 16, 16), 20),
        ("wine", "nag", 32, (64,), 10),
        ("wine", "adam", 64, (32,), 50),
        ("wine", "adam", 8, (16,), 10),
        ("cancer", "sgd", 64, (32,), 20),
        ("cancer", "sgd", 8, (16, 16), 5),
        ("cancer", "nag", 32, (32, 16), 10),
        ("cancer", "nag", 128, (64,), 50),
        ("cancer", "adam", 128, (16, 16, 16), 30),
        ("cancer", "adam", 32, (64, 32), 15),
        ("diabetes", "sgd", 32, (32,), 30),
        ("diabetes", "sgd", 128, (64, 64, 64), 50),
        ("diabetes", "nag", 64, (16, 16), 50),
        ("diabetes", "nag", 16, (32,), 10),
        ("diabetes", "adam", 8, (32,), 20),
        ("diabetes", "adam", 256, (16, 16), 40),
        ("clf2", "sgd", 128, (32, 32), 20),
        ("clf2", "sgd", 32, (64,), 5),
        ("clf2", "nag", 512, (64,), 50),
        ("clf2", "nag", 8, (16, 16), 10),
        ("clf2", "adam", 16, (16,), 10),
        ("clf2", "adam", 256, (32, 32, 32), 40),
        ("clf4", "sgd", 256, (64, 64, 64), 40),
        ("clf4", "sgd", 64, (32,), 10),
        ("clf4", "nag", 16, (32,), 5),
        ("clf4", "nag", 128, (64, 64, 64), 30),
        ("clf4", "adam", 64, (64, 32), 20),
        ("clf4", "adam", 512, (32,), 50),
        ("clf6", "sgd", 512, (64,), 50),
        ("clf6", "sgd", 128, (32, 32), 20),
        ("clf6", "nag", 64, (64, 64), 15),
        ("clf6", "nag", 256, (128,), 40),
        ("clf6", "adam", 32, (32, 32, 32), 10),
        ("clf6", "adam", 8, (64,), 5),
        ("reg", "sgd", 16, (32,), 20),
        ("reg", "sgd", 512, (64, 32), 50),
        ("reg", "nag", 256, (64, 64), 40),
        ("reg", "nag", 32, (16,), 10),
        ("reg", "adam", 128, (32, 32, 32), 30),
        ("reg", "adam", 16, (64, 64), 10),
        ("friedman", "sgd", 64, (64, 32), 40),
        ("friedman", "sgd", 8, (16,), 10),
        ("friedman", "nag", 32, (32, 32, 32), 30),
        ("friedman", "nag", 128, (64,), 20),
        ("friedman", "adam", 512, (64,), 50),
        ("friedman", "adam", 64, (32, 32), 30),
    ]
]

QUICK_TASKS = [
    Task("iris", "sgd", 16, (8,), 5),
    Task("wine", "nag", 32, (8, 8), 5),
    Task("diabetes", "adam", 64, (8,), 5),
]


# ---------------------------------------------------------------- measuring
def _split(task: Task) -> tuple[str, list[np.ndarray]]:
    """The task's kind and its fixed split (targets standardised for regression).

    Parameters
    ----------
    task : Task

    Returns
    -------
    kind : {"classification", "regression"}
    parts : list of ndarray
        ``[X_train, X_test, y_train, y_test]``.
    """
    kind, load = DATASETS[task.data]
    X, y = load()
    stratify = y if kind == "classification" else None
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=stratify
    )
    if kind == "regression":
        mean, std = y_tr.mean(), y_tr.std()
        y_tr, y_te = (y_tr - mean) / std, (y_te - mean) / std
    return kind, [X_tr, X_te, y_tr, y_te]


def _pipeline(task: Task, kind: str) -> Pipeline:
    """``StandardScaler`` then the task's sklr MLP, trained for all its epochs."""
    cls = sklr.MLPClassifier if kind == "classification" else sklr.MLPRegressor
    mlp = cls(
        hidden_layer_sizes=task.hidden,
        batch_size=task.batch_size,
        max_iter=task.epochs,
        tol=0.0,
        n_iter_no_change=task.epochs + 1,
        random_state=0,
        **OPTIMISERS[task.optimiser],
    )
    return make_pipeline(StandardScaler(), mlp)


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


def _messages(caught: Sequence[warnings.WarningMessage]) -> list[dict[str, str]]:
    """Category and message of each recorded warning, each distinct one once."""
    seen = {(w.category.__name__, str(w.message)): None for w in caught}
    return [{"category": c, "message": m} for c, m in seen]


def measure_sweep(pipe: Pipeline, X: np.ndarray, y: np.ndarray, n_jobs: int) -> dict:
    """The 5-fold sweep over the grid on the training part.

    Parameters
    ----------
    pipe : Pipeline
    X, y : ndarray
        The training part.
    n_jobs : int

    Returns
    -------
    record : dict
        ``answer`` (False when the search raised a ``ValueError`` or no rate has
        a finite mean score), ``best_learning_rate``, ``good_range``,
        ``no_good_range`` (the good range is NaN), ``mean_test_score``,
        ``split_test_scores`` (rates x folds), ``diverged`` (rates x folds),
        ``rise_fraction`` (share of epochs whose loss rose, per rate),
        ``baseline_scores``,
        ``diagnosis``, the ``warnings`` it emitted, ``error`` and ``seconds``.
    """
    search = sklr.LearningRateSearchCV(
        pipe, learning_rates=GRID, cv=CV, n_jobs=n_jobs, refit=False
    )
    error, messages, seconds = _fit(search, X, y)
    record: dict[str, Any] = {
        "learning_rates": GRID,
        "answer": False,
        "error": error,
        "warnings": messages,
        "seconds": seconds,
    }
    if error is None:
        scores = search.cv_results_["mean_test_score"]
        record["answer"] = bool(np.isfinite(scores).any())
        if not record["answer"]:
            record["error"] = "no rate has a finite mean test score"
        folds = range(search.n_splits_)
        record.update(
            best_learning_rate=search.best_learning_rate_ if record["answer"] else None,
            # the top mean score's rate (GridSearchCV's choice; choice="top")
            top_learning_rate=search.top_learning_rate_ if record["answer"] else None,
            good_range=list(search.good_range_),
            no_good_range=not np.isfinite(search.good_range_).all(),
            mean_test_score=scores,
            split_test_scores=np.column_stack(
                [search.cv_results_[f"split{k}_test_score"] for k in folds]
            ),
            diverged=search.diverged_,
            rise_fraction=[_rise_fraction(c) for c in search.loss_curves_],
            baseline_scores=search.baseline_scores_[0],
            diagnosis=search.diagnosis_,
        )
    return record


def _fit(search, X, y):
    """Fit ``search``: the error (None, or the text of a ``ValueError``: no rate
    with a usable score), the warnings it emitted, and the seconds it took."""
    error = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        try:
            search.fit(X, y)
        except ValueError as exc:
            error = _error(exc)
        seconds = time.perf_counter() - start
    return error, _messages(caught), seconds


def measure_held_out(parts: list[np.ndarray], pipe: Pipeline, n_jobs: int) -> dict:
    """Every rate trained on the training part and scored on the test part.

    Parameters
    ----------
    parts : list of ndarray
        ``[X_train, X_test, y_train, y_test]``.
    pipe : Pipeline
    n_jobs : int

    Returns
    -------
    record : dict
        ``learning_rates``, ``scores`` (``split0_test_score``, NaN for diverged
        rates), ``best_learning_rate`` (argmax, NaN ignored), ``top_learning_rates``
        (every rate tied with the best score), ``error`` and ``seconds``.
    """
    X_tr, X_te, y_tr, y_te = parts
    X, y = np.concatenate([X_tr, X_te]), np.concatenate([y_tr, y_te])
    cv = [(np.arange(len(X_tr)), np.arange(len(X_tr), len(X)))]
    start = time.perf_counter()
    scores, error = np.full(len(GRID), np.nan), None
    try:
        search = sklr.LearningRateSearchCV(
            pipe, learning_rates=GRID, cv=cv, n_jobs=n_jobs, refit=False
        ).fit(X, y)
        scores = search.cv_results_["split0_test_score"]
    except ValueError as exc:
        error = _error(exc)
    return {
        "learning_rates": GRID,
        "scores": scores,
        "best_learning_rate": held_out_best(GRID, scores),
        "top_learning_rates": held_out_top(GRID, scores),
        "error": error,
        "seconds": time.perf_counter() - start,
    }


def _lr_find(pipe: Pipeline, X: np.ndarray, y: np.ndarray) -> tuple[Any, str | None]:
    """``lr_find`` at its defaults; if its default rule cannot suggest (it raises),
    the same run again with another rule, so that the curves are kept."""
    try:
        return sklr.lr_find(pipe, X, y), None
    except ValueError as exc:
        error = _error(exc)
    for rule in SUGGESTION_RULES:
        try:
            return sklr.lr_find(pipe, X, y, suggestion=rule), error
        except ValueError:
            continue
    return None, error


def measure_range_test(pipe: Pipeline, X: np.ndarray, y: np.ndarray) -> dict:
    """The range test at its defaults on the training part.

    Parameters
    ----------
    pipe : Pipeline
    X, y : ndarray
        The training part.

    Returns
    -------
    record : dict
        Every field of the ``LRFinderResult`` (``learning_rates``, ``losses``,
        ``smoothed_losses``, ``stopped_early``, ``suggestions``...), its
        ``n_epochs`` (None when it has none), ``steps_per_epoch``, the
        ``warnings`` it emitted, ``error`` and ``seconds``.
    """
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result, error = _lr_find(pipe, X, y)
    record: dict[str, Any] = {"learning_rates": [], "smoothed_losses": []}
    if result is not None:
        record = {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
        record["n_epochs"] = getattr(result, "n_epochs", None)
    batch = min(pipe[-1].batch_size, len(X))
    record.update(
        steps_per_epoch=-(-len(X) // batch),
        warnings=[
            {"category": w.category.__name__, "message": str(w.message)} for w in caught
        ],
        error=error,
        seconds=time.perf_counter() - start,
    )
    return record


def measure_auto(pipe: Pipeline, X: np.ndarray, y: np.ndarray, n_jobs: int) -> dict:
    """``LearningRateSearchCV(learning_rates="auto")`` with 5 folds on the training
    part.

    Parameters
    ----------
    pipe : Pipeline
    X, y : ndarray
        The training part.
    n_jobs : int

    Returns
    -------
    record : dict
        ``answer`` (False when the search raised a ``ValueError``),
        ``best_learning_rate``, ``learning_rates`` (its grid, empty when it has
        none), ``suggestion`` (of its range test), the ``warnings`` it emitted,
        ``error`` and ``seconds`` (the whole fit, range test included).
    """
    search = sklr.LearningRateSearchCV(
        pipe, learning_rates="auto", cv=CV, n_jobs=n_jobs, refit=False
    )
    error, messages, seconds = _fit(search, X, y)
    range_test = getattr(search, "range_test_", None)
    return {
        "answer": error is None,
        "best_learning_rate": None if error else search.best_learning_rate_,
        "learning_rates": getattr(search, "learning_rates_", []),
        "suggestion": getattr(range_test, "suggestion", None),
        "warnings": messages,
        "error": error,
        "seconds": seconds,
    }


def measure_task(task: Task, n_jobs: int) -> dict:
    """Sweep, held-out scores, range test and ``"auto"`` search of one task.

    Parameters
    ----------
    task : Task
    n_jobs : int

    Returns
    -------
    record : dict
    """
    kind, parts = _split(task)
    pipe = _pipeline(task, kind)
    X_tr, _, y_tr, _ = parts
    return {
        "name": task.name,
        **dataclasses.asdict(task),
        "kind": kind,
        "n_train": len(X_tr),
        "n_test": len(parts[1]),
        "n_features": X_tr.shape[1],
        "sweep": measure_sweep(pipe, X_tr, y_tr, n_jobs),
        "held_out": measure_held_out(parts, pipe, n_jobs),
        "range_test": measure_range_test(pipe, X_tr, y_tr),
        "auto": measure_auto(pipe, X_tr, y_tr, n_jobs),
    }


# ---------------------------------------------------------------- reporting
def _floats(values: Sequence[Any] | None) -> np.ndarray:
    """Stored numbers (None for non-finite) as a float array."""
    values = [] if values is None else values
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _number(value: Any) -> float:
    return np.nan if value is None else float(value)


def held_out_best(rates: Sequence[float], scores: Sequence[Any]) -> float:
    """The rate of the best held-out score (NaN ignored; NaN if all are).

    Examples
    --------
    >>> held_out_best([0.1, 1.0, 10.0], [0.5, 0.9, None])
    1.0
    """
    scores = _floats(scores)
    if not np.isfinite(scores).any():
        return np.nan
    return float(_floats(rates)[int(np.nanargmax(scores))])


def held_out_top(
    rates: Sequence[float], scores: Sequence[Any], tol: float = TIE
) -> list[float]:
    """Every rate whose held-out score equals the best within ``tol`` (NaN ignored).

    Examples
    --------
    >>> held_out_top([0.1, 1.0, 10.0], [1.0, 1.0, None])
    [0.1, 1.0]
    >>> held_out_top([0.1, 1.0], [None, None])
    []
    """
    scores = _floats(scores)
    if not np.isfinite(scores).any():
        return []
    top = np.nan_to_num(scores, nan=-np.inf) >= np.nanmax(scores) - tol
    return _floats(rates)[top].tolist()


def in_range(rate: float, low: float, high: float, widen: float = 0.0) -> bool:
    """Whether ``rate`` lies in [low, high] widened by ``widen`` decades on each
    side (relative tolerance 1e-9); False when any of them is NaN.

    Examples
    --------
    >>> in_range(0.06, 0.1, 1.0, widen=0.25), in_range(0.05, 0.1, 1.0, widen=0.25)
    (True, False)
    >>> in_range(0.1, float("nan"), float("nan"))
    False
    """
    factor = 10.0**widen
    return bool(low / factor * (1 - 1e-9) <= rate <= high * factor * (1 + 1e-9))


def good_range_holds(top: Sequence[float], low: float, high: float) -> bool:
    """Whether any of the tied held-out best rates ``top`` lies in [low, high].

    Examples
    --------
    >>> good_range_holds([0.01, 0.1], 0.1, 1.0), good_range_holds([0.01], 0.1, 1.0)
    (True, False)
    """
    return any(in_range(rate, low, high) for rate in top)


def log_offset(rate: float, reference: float) -> float:
    """``log10(rate / reference)``; NaN when either is not a positive number.

    Examples
    --------
    >>> log_offset(0.01, 0.1)
    -1.0
    """
    if not (rate > 0 and reference > 0 and math.isfinite(rate * reference)):
        return np.nan
    return float(np.log10(rate / reference))


def recompute_suggestions(range_test: dict, rules: Sequence[str]) -> dict[str, float]:
    """Every rule's suggestion from the stored curves (NaN when it cannot suggest).

    Parameters
    ----------
    range_test : dict
        A stored range-test record (``learning_rates``, ``smoothed_losses``,
        and ``losses``, passed on when ``suggest`` accepts them).
    rules : sequence of str

    Returns
    -------
    suggestions : dict of str to float
    """
    rates = _floats(range_test.get("learning_rates"))
    smoothed = _floats(range_test.get("smoothed_losses"))
    raw = {}  # the raw losses, where ``suggest`` takes them
    if "losses" in inspect.signature(suggest).parameters:
        raw = {"losses": _floats(range_test.get("losses", smoothed))}
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a rule without an answer is NaN here
        for rule in rules:
            try:
                out[rule] = float(suggest(rates, smoothed, rule, **raw))
            except ValueError:
                out[rule] = np.nan
    return out


def _score_at(rates: np.ndarray, scores: np.ndarray, rate: float) -> float:
    match = np.flatnonzero(np.isclose(rates, rate, rtol=1e-9, atol=0))
    return float(scores[match[0]]) if len(match) else np.nan


def _range_test_epochs(range_test: dict) -> float:
    """The range test's epochs: its ``n_epochs``, else steps / steps per epoch."""
    if range_test.get("n_epochs") is not None:
        return float(range_test["n_epochs"])
    steps = len(range_test.get("learning_rates") or [])
    per_epoch = range_test.get("steps_per_epoch")
    return steps / per_epoch if steps and per_epoch else np.nan


def task_summary(record: dict, rules: Sequence[str]) -> dict:
    """The report's row of one stored task.

    Parameters
    ----------
    record : dict
        A task record as stored in the JSON.
    rules : sequence of str
        The suggestion rules to recompute.

    Returns
    -------
    row : dict
        ``answer``, ``sweep_best``, ``good_range``, ``no_good_range`` (the good
        range is NaN), ``held_out_best`` (the argmax), ``held_out_top`` (every
        rate tied with the best held-out score), ``in_good_range`` (a tied best
        rate lies in the good range; None without an answer or a held-out
        best), ``argmax_in_good_range`` (the same for the argmax alone),
        ``regret`` (NaN when the sweep's rate has no held-out score),
        ``suggestions``, ``offsets`` (log10(suggestion / sweep best)),
        ``held_out_offsets`` (log10(suggestion / held-out best)),
        ``suggestion_in_good_range`` (per rule: within the good range widened by
        ``WIDEN`` decades on each side), ``sweep_held_out_offset`` (log10(sweep
        best / held-out best)), ``range_test_epochs``, the ``sweep_seconds``
        and ``range_test_seconds``, and the columns of :func:`auto_row`.
    """
    sweep, held = record["sweep"], record["held_out"]
    answer = bool(sweep.get("answer"))
    best = _number(sweep.get("best_learning_rate")) if answer else np.nan
    low, high = (_floats(sweep.get("good_range")).tolist() + [np.nan] * 2)[:2]
    rates, scores = _floats(held["learning_rates"]), _floats(held["scores"])
    truth, top = held_out_best(rates, scores), held_out_top(rates, scores)
    scored = answer and math.isfinite(truth)
    top_rate = _number(sweep.get("top_learning_rate", best)) if answer else np.nan
    regret = top_regret = np.nan
    if scored:
        regret = _score_at(rates, scores, truth) - _score_at(rates, scores, best)
        top_regret = _score_at(rates, scores, truth) - _score_at(
            rates, scores, top_rate
        )
    suggestions = recompute_suggestions(record["range_test"], rules)
    sweep_seconds = _number(sweep.get("seconds"))
    return {
        "name": record["name"],
        "answer": answer,
        "sweep_best": best,
        "good_range": [low, high],
        "no_good_range": not (math.isfinite(low) and math.isfinite(high)),
        "held_out_best": truth,
        "held_out_top": top,
        "in_good_range": good_range_holds(top, low, high) if scored else None,
        "argmax_in_good_range": in_range(truth, low, high) if scored else None,
        "regret": regret,
        "top_learning_rate": top_rate,
        "top_regret": top_regret,
        "suggestions": suggestions,
        "offsets": {r: log_offset(v, best) for r, v in suggestions.items()},
        "held_out_offsets": {r: log_offset(v, truth) for r, v in suggestions.items()},
        "suggestion_in_good_range": {
            r: in_range(v, low, high, WIDEN) for r, v in suggestions.items()
        },
        "sweep_held_out_offset": log_offset(best, truth),
        "range_test_epochs": _range_test_epochs(record["range_test"]),
        "sweep_seconds": sweep_seconds,
        "range_test_seconds": _number(record["range_test"].get("seconds")),
        **auto_row(record.get("auto"), best, sweep_seconds, rates, scores),
    }


def auto_row(
    auto: dict | None,
    sweep_best: float,
    sweep_seconds: float,
    rates: np.ndarray,
    scores: np.ndarray,
) -> dict:
    """The ``learning_rates="auto"`` columns of one task's row.

    Parameters
    ----------
    auto : dict or None
        The stored ``auto`` record (None when the run did not measure it).
    sweep_best, sweep_seconds : float
        The full sweep's best rate (NaN without an answer) and its seconds.
    rates, scores : ndarray
        The held-out scores of the full grid.

    Returns
    -------
    row : dict
        ``auto_measured``, ``auto_answer``, ``auto_best`` (NaN without an
        answer), ``auto_n_rates``, ``auto_seconds``, ``auto_time_ratio`` (auto
        seconds / full-sweep seconds), ``auto_offset`` (log10(auto best / sweep
        best)), ``auto_same_best`` and ``auto_regret`` (held-out score of the
        held-out best minus that at the auto best; NaN when the auto best is
        outside the stored grid or has no held-out score).
    """
    auto = auto or {}
    answer = bool(auto.get("answer"))
    best = _number(auto.get("best_learning_rate")) if answer else np.nan
    seconds = _number(auto.get("seconds"))
    offset = log_offset(best, sweep_best)
    top_score = np.nanmax(scores) if np.isfinite(scores).any() else np.nan
    return {
        "auto_measured": bool(auto),
        "auto_answer": answer,
        "auto_best": best,
        "auto_n_rates": len(auto.get("learning_rates") or []),
        "auto_seconds": seconds,
        "auto_time_ratio": seconds / sweep_seconds if sweep_seconds > 0 else np.nan,
        "auto_offset": offset,
        "auto_same_best": bool(abs(offset) <= 1e-6),
        "auto_regret": float(top_score - _score_at(rates, scores, best)),
    }


def _share(flags: Sequence[bool]) -> float:
    return float(np.mean(flags)) if len(flags) else np.nan


def _median(values: Sequence[float]) -> float:
    finite = [v for v in values if math.isfinite(v)]
    return float(statistics.median(finite)) if finite else np.nan


def rule_summary(rows: Sequence[dict], rule: str) -> dict:
    """How close one rule comes to the sweep's best, over the tasks with an answer.

    A NaN suggestion counts as a miss.

    Parameters
    ----------
    rows : sequence of dict
        Rows of :func:`task_summary`.
    rule : str

    Returns
    -------
    summary : dict
        ``n_tasks``, ``n_nan``, ``within_half_decade``, ``within_one_decade``
        (shares in [0, 1], NaN without tasks), ``median_offset``, ``offsets``,
        ``within_half_decade_of_held_out`` (share of the tasks with an answer
        whose suggestion is within half a decade of the held-out best) and
        ``in_good_range`` (share whose suggestion lies in the sweep's good range
        widened by ``WIDEN`` decades on each side; no good range is a miss).
    """
    answered = [r for r in rows if r["answer"]]
    offsets = [r["offsets"][rule] for r in answered]
    held = [r["held_out_offsets"][rule] for r in answered]
    return {
        "n_tasks": len(offsets),
        "n_nan": sum(not math.isfinite(o) for o in offsets),
        "within_half_decade": _share([abs(o) <= HALF_DECADE for o in offsets]),
        "within_one_decade": _share([abs(o) <= ONE_DECADE for o in offsets]),
        "median_offset": _median(offsets),
        "offsets": offsets,
        "within_half_decade_of_held_out": _share([abs(o) <= HALF_DECADE for o in held]),
        "in_good_range": _share(
            [r["suggestion_in_good_range"][rule] for r in answered]
        ),
    }


def auto_summary(rows: Sequence[dict]) -> dict:
    """``learning_rates="auto"`` against the full sweep.

    Over the tasks where ``"auto"`` was measured and the full sweep has an
    answer; an ``"auto"`` without an answer counts as a miss.

    Parameters
    ----------
    rows : sequence of dict
        Rows of :func:`task_summary`.

    Returns
    -------
    summary : dict
        ``n_tasks``, ``n_no_answer``, ``within_half_decade`` and ``same_best``
        (shares), ``time_ratio_median``, ``time_ratio_max``, ``n_rates_median``
        (over the tasks with a grid), ``regret_median``, ``regret_max`` and
        ``n_regret_undefined`` (over the tasks with an ``"auto"`` answer).
    """
    rows = [r for r in rows if r["answer"] and r["auto_measured"]]
    ratios = [r["auto_time_ratio"] for r in rows if math.isfinite(r["auto_time_ratio"])]
    regrets = [r["auto_regret"] for r in rows if r["auto_answer"]]
    finite = [g for g in regrets if math.isfinite(g)]
    return {
        "n_tasks": len(rows),
        "n_no_answer": sum(not r["auto_answer"] for r in rows),
        "within_half_decade": _share(
            [abs(r["auto_offset"]) <= HALF_DECADE for r in rows]
        ),
        "same_best": _share([r["auto_same_best"] for r in rows]),
        "time_ratio_median": _median(ratios),
        "time_ratio_max": max(ratios) if ratios else np.nan,
        "n_rates_median": _median(
            [r["auto_n_rates"] for r in rows if r["auto_n_rates"]]
        ),
        "regret_median": _median(finite),
        "regret_max": max(finite) if finite else np.nan,
        "n_regret_undefined": len(regrets) - len(finite),
    }


def targets(summary: dict) -> list[dict]:
    """The issue's targets, measured: PASS or MISS (a NaN value misses).

    Parameters
    ----------
    summary : dict
        :func:`summarise`'s summary (``targets`` not needed).

    Returns
    -------
    targets : list of dict
        ``target``, ``value``, ``op`` (">=" or "<="), ``goal``, ``passed`` and
        ``note``.
    """
    rule = summary["rules"][0]
    default, auto = summary["per_rule"][rule], summary["auto"]
    rows = [
        (
            f"range-test rule '{rule}' within 1/2 decade of the sweep's best",
            default["within_half_decade"],
            ">=",
            0.80,
            "",
        ),
        (
            f"range-test rule '{rule}' within 1 decade of the sweep's best",
            default["within_one_decade"],
            ">=",
            0.95,
            "",
        ),
        (
            "good range holds the held-out best (ties count)",
            summary["good_range_holds_held_out_best"],
            ">=",
            0.90,
            "",
        ),
        (
            "median held-out regret of the sweep's choice",
            summary["regret_median"],
            "<=",
            0.005,
            "",
        ),
        (
            "learning_rates='auto' best within 1/2 decade of the full grid's best",
            auto["within_half_decade"],
            ">=",
            0.90,
            f"median time auto / full sweep {_fmt(auto['time_ratio_median'], '.2f')}",
        ),
    ]
    return [
        {
            "target": target,
            "value": value,
            "op": op,
            "goal": goal,
            "passed": bool(value >= goal if op == ">=" else value <= goal),
            "note": note,
        }
        for target, value, op, goal, note in rows
    ]


def summarise(records: Sequence[dict], rules: Sequence[str]) -> dict:
    """The summary of the stored task records.

    Parameters
    ----------
    records : sequence of dict
        Task records as stored in the JSON.
    rules : sequence of str
        The suggestion rules (``SUGGESTION_RULES`` when the report is written).

    Returns
    -------
    summary : dict
        ``rules``, ``per_rule``, ``n_tasks``, ``n_no_answer``,
        ``good_range_holds_held_out_best`` (share; ties count),
        ``argmax_in_good_range`` (share, the argmax alone), ``regret_median``,
        ``regret_max``, ``n_regret_undefined`` (the sweep's rate diverged on
        held-out data), ``n_no_good_range`` (tasks whose good range is NaN,
        with or without an answer), ``sweep_within_half_decade_of_held_out``
        (share), the median seconds of a sweep and of a range test, ``auto``
        (:func:`auto_summary`), ``targets`` (:func:`targets`) and ``tasks``
        (the rows of :func:`task_summary`).
    """
    rows = [task_summary(r, rules) for r in records]
    answered = [r for r in rows if r["answer"]]
    regrets = [r["regret"] for r in answered]
    finite = [g for g in regrets if math.isfinite(g)]
    sweep_offsets = [r["sweep_held_out_offset"] for r in answered]
    scored = [r for r in answered if r["in_good_range"] is not None]
    summary = {
        "rules": list(rules),
        "per_rule": {rule: rule_summary(rows, rule) for rule in rules},
        "n_tasks": len(rows),
        "n_no_answer": len(rows) - len(answered),
        "good_range_holds_held_out_best": _share([r["in_good_range"] for r in scored]),
        "argmax_in_good_range": _share([r["argmax_in_good_range"] for r in scored]),
        "regret_median": _median(finite),
        "regret_p95": float(np.percentile(finite, 95)) if finite else np.nan,
        "regret_max": max(finite) if finite else np.nan,
        "n_regret_undefined": len(regrets) - len(finite),
        "stable_choice": stable_choice_summary(answered),
        "n_no_good_range": sum(r["no_good_range"] for r in rows),
        "sweep_within_half_decade_of_held_out": _share(
            [abs(o) <= HALF_DECADE for o in sweep_offsets]
        ),
        "sweep_seconds_median": _median([r["sweep_seconds"] for r in rows]),
        "range_test_seconds_median": _median([r["range_test_seconds"] for r in rows]),
        "auto": auto_summary(rows),
        "tasks": rows,
    }
    return {**summary, "targets": targets(summary)}


def _regret_stats(rows: Sequence[dict], key: str) -> dict[str, float]:
    finite = [r[key] for r in rows if math.isfinite(r[key])]
    if not finite:
        return {"median": np.nan, "p95": np.nan, "max": np.nan}
    return {
        "median": float(np.median(finite)),
        "p95": float(np.percentile(finite, 95)),
        "max": float(max(finite)),
    }


def stable_choice_summary(answered: Sequence[dict]) -> dict[str, Any]:
    """What ``choice="stable"`` changed: the tasks it moved, and the held-out
    regret of the stable and of the top choice, on all tasks and on each half
    (even and odd task numbers: the split-half check).

    Parameters
    ----------
    answered : sequence of dict
        The rows of :func:`task_summary` of the tasks with an answer.

    Returns
    -------
    dict
        ``n_moved``, ``moved`` (name, top, stable, both regrets), and per set
        of tasks (``all``, ``even``, ``odd``) the regret statistics of each
        choice (``stable``, ``top``: ``median``, ``p95``, ``max``).
    """
    moved = [
        r for r in answered if not np.isclose(r["top_learning_rate"], r["sweep_best"])
    ]
    halves = {"all": answered, "even": answered[0::2], "odd": answered[1::2]}
    return {
        "n_moved": len(moved),
        "moved": [
            {
                "name": r["name"],
                "top": r["top_learning_rate"],
                "stable": r["sweep_best"],
                "top_regret": r["top_regret"],
                "stable_regret": r["regret"],
            }
            for r in moved
        ],
        **{
            name: {
                "stable": _regret_stats(rows, "regret"),
                "top": _regret_stats(rows, "top_regret"),
            }
            for name, rows in halves.items()
        },
    }


def _fmt(value: Any, spec: str = ".3g") -> str:
    value = _number(value)
    return "NaN" if math.isnan(value) else format(value, spec)


def _rule_table(summary: dict) -> list[str]:
    lines = [
        "| rule | tasks | within 1/2 decade | within 1 decade | median offset "
        "(decades) | NaN suggestions | within 1/2 decade of held-out best | "
        "in good range +-1/4 decade |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rule, s in summary["per_rule"].items():
        lines.append(
            f"| {rule} | {s['n_tasks']} | {_fmt(s['within_half_decade'], '.2f')} | "
            f"{_fmt(s['within_one_decade'], '.2f')} | "
            f"{_fmt(s['median_offset'], '+.2f')} | {s['n_nan']} | "
            f"{_fmt(s['within_half_decade_of_held_out'], '.2f')} | "
            f"{_fmt(s['in_good_range'], '.2f')} |"
        )
    return lines


def _task_table(summary: dict) -> list[str]:
    rules = summary["rules"]
    lines = [
        "| task | sweep best | good range | held-out best | regret | "
        + " | ".join(rules)
        + " | range-test epochs | auto best (rates) | auto / sweep time |",
        "|---" * (8 + len(rules)) + "|",
    ]
    for r in summary["tasks"]:
        low, high = r["good_range"]
        ties = len(r["held_out_top"]) - 1
        auto = "no answer" if r["auto_measured"] else "not measured"
        if r["auto_answer"]:
            auto = f"{_fmt(r['auto_best'])} ({r['auto_n_rates']})"
        cells = [
            r["name"],
            _fmt(r["sweep_best"]) if r["answer"] else "no answer",
            f"{_fmt(low)} .. {_fmt(high)}",
            _fmt(r["held_out_best"]) + (f" (+{ties} tied)" if ties > 0 else ""),
            _fmt(r["regret"], ".3f"),
            *(_fmt(r["suggestions"][rule]) for rule in rules),
            _fmt(r["range_test_epochs"], ".2g"),
            auto,
            _fmt(r["auto_time_ratio"], ".2f"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _headline(s: dict) -> list[str]:
    """The sweep against the held-out truth, and the timings, as a list."""
    return [
        "## The sweep against held-out data",
        "",
        f"- The sweep's good range holds the held-out best rate in "
        f"{_fmt(s['good_range_holds_held_out_best'], '.2f')} of the tasks. Ties "
        f"count: the range holds it when any rate whose held-out score equals the "
        f"best (within {TIE:g}) lies in it (the argmax alone, the lowest tied "
        f"rate: {_fmt(s['argmax_in_good_range'], '.2f')}).",
        f"- Tasks where the sweep has no good range (NaN, a miss above): "
        f"{s['n_no_good_range']} of {s['n_tasks']}.",
        f"- The sweep's best is within half a decade of the held-out best in "
        f"{_fmt(s['sweep_within_half_decade_of_held_out'], '.2f')} of the tasks.",
        f"- Regret of the sweep's rate on held-out data (score of the held-out "
        f"best minus score at the sweep's best): median "
        f"{_fmt(s['regret_median'], '.4f')}, max {_fmt(s['regret_max'], '.4f')} "
        f"({s['n_regret_undefined']} undefined: the sweep's rate diverged on "
        "held-out data).",
        f"- Tasks with no answer: {s['n_no_answer']} of {s['n_tasks']}.",
        f"- Median seconds: 5-fold sweep {_fmt(s['sweep_seconds_median'], '.2f')}, "
        f"range test {_fmt(s['range_test_seconds_median'], '.2f')}.",
    ]


def _auto_section(s: dict) -> list[str]:
    """``learning_rates="auto"`` against the full sweep, as a list."""
    a = s["auto"]
    return [
        "## learning_rates='auto'",
        "",
        '`LearningRateSearchCV(pipe, learning_rates="auto", cv=5)` on the training '
        "part: the range test, then the rates 10**(k/2) within 1.5 decades of its "
        f"suggestion. Over the {a['n_tasks']} tasks where it was measured and the "
        "full sweep has an answer (an auto search without an answer is a miss):",
        "",
        f"- Best within half a decade of the full 5-fold sweep's best: "
        f"{_fmt(a['within_half_decade'], '.2f')}; the same best: "
        f"{_fmt(a['same_best'], '.2f')}.",
        "- Wall time, auto (range test included) / full sweep: median "
        f"{_fmt(a['time_ratio_median'], '.2f')}, "
        f"max {_fmt(a['time_ratio_max'], '.2f')}.",
        f"- Rates swept: median {_fmt(a['n_rates_median'], 'g')} (full grid: "
        f"{len(GRID)}).",
        f"- Held-out regret of the auto choice (score of the held-out best minus "
        f"score at the auto best): median {_fmt(a['regret_median'], '.4f')}, max "
        f"{_fmt(a['regret_max'], '.4f')} ({a['n_regret_undefined']} undefined: the "
        "auto best is outside the stored grid or diverged on held-out data).",
        f"- No answer (ValueError): {a['n_no_answer']} of {a['n_tasks']}.",
    ]


def _targets(s: dict) -> list[str]:
    """The issue's targets, one line each: measured value, goal, PASS or MISS."""
    lines = ["## Targets", ""]
    for t in s["targets"]:
        spec = ".2f" if t["op"] == ">=" else ".4f"
        goal = format(t["goal"], ".2f" if t["op"] == ">=" else "g")
        note = f"; {t['note']}" if t["note"] else ""
        lines.append(
            f"- {t['target']}: {_fmt(t['value'], spec)} (target {t['op']} {goal}): "
            f"{'PASS' if t['passed'] else 'MISS'}{note}"
        )
    return lines


def _notes(results: dict) -> list[str]:
    """Errors (no answer, a failed range test) and the warnings recorded."""
    lines = []
    for task in results["tasks"]:
        for part in ("sweep", "held_out", "range_test", "auto"):
            record = task.get(part, {})
            if record.get("error"):
                lines.append(f"- {task['name']}, {part}: {record['error']}")
            for w in record.get("warnings", []):
                lines.append(
                    f"- {task['name']}, {part} warned: {w['category']}: {w['message']}"
                )
    return ["## Notes", "", *(lines or ["- none"]), ""]


def markdown(results: dict) -> str:
    """The Markdown report of the results (with their ``summary``).

    Parameters
    ----------
    results : dict

    Returns
    -------
    text : str
    """
    m, s = results["machine"], results["summary"]
    offsets = [
        f"- {rule}: " + ", ".join(_fmt(o, "+.2f") for o in v["offsets"])
        for rule, v in s["per_rule"].items()
    ]
    return "\n".join(
        [
            f"# Validity of the learning-rate recommendations ({results['name']})",
            "",
            f"Reproduce: `{results.get('command', COMMAND)}`. "
            f"Date (UTC): {results.get('date', 'unknown')}.",
            "",
            f"Machine: {m['platform']}, {m['cpu_count']} cores; Python "
            f"{m['python']}, numpy {m['numpy']}, scipy {m['scipy']}, scikit-learn "
            f"{m['scikit-learn']}, sklr {m['sklr']} ({m['revision']}). "
            f"{s['n_tasks']} tasks, {results['cv']}-fold sweep over "
            f"{len(results['grid'])} rates, n_jobs={results['n_jobs']}: "
            f"duration {results['duration_s']:.1f} s.",
            "",
            *_targets(s),
            "",
            "## Range-test suggestions against the sweep's best rate",
            "",
            "Offset: log10(suggestion / sweep best), over the tasks with an answer; "
            "a NaN suggestion counts as a miss. Good range +-1/4 decade: the "
            "suggestion lies in the sweep's good range widened by a quarter decade "
            "on each side (no good range is a miss).",
            "",
            *_rule_table(s),
            "",
            *_headline(s),
            "",
            *_auto_section(s),
            "",
            "## Per task",
            "",
            *_task_table(s),
            "",
            "## Offsets per rule (decades, task order)",
            "",
            *offsets,
            "",
            *_notes(results),
        ]
    )


# ---------------------------------------------------------------- running
def _revision() -> str:
    """``git describe --always --dirty`` of the repository, or "unknown"."""
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            cwd=Path(__file__).parent,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return out.stdout.strip()


def _jsonable(value: Any) -> Any:
    """Plain JSON values: arrays to lists, non-finite floats to None."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if value is None or isinstance(value, str):
        return value
    return str(value)


def write(results: dict, out: Path) -> None:
    """Add the summary (recomputed from the records) and write the JSON and .md.

    Parameters
    ----------
    results : dict
        With ``name``, ``machine``, ``tasks`` and the run's settings.
    out : Path
        The results folder.
    """
    results = _jsonable(results)  # the same plain data as --report-only reads
    results["summary"] = _jsonable(summarise(results["tasks"], SUGGESTION_RULES))
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{results['name']}.json").write_text(json.dumps(results, indent=1) + "\n")
    (out / f"{results['name']}.md").write_text(markdown(results))
    print(f"wrote {out / results['name']}.json and .md")


def run(tasks: Sequence[Task], name: str, n_jobs: int, command: str = COMMAND) -> dict:
    """Measure every task.

    Parameters
    ----------
    tasks : sequence of Task
    name : str
    n_jobs : int
    command : str, default=COMMAND
        The command line that reproduces the run, for the report.

    Returns
    -------
    results : dict
    """
    machine = {**_machine(), "scipy": scipy.__version__, "joblib": joblib.__version__}
    machine["revision"] = _revision()
    date = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    start = time.perf_counter()
    records = []
    for task in tasks:
        records.append(measure_task(task, n_jobs))
        r = records[-1]
        print(
            f"{task.name}: sweep best {r['sweep'].get('best_learning_rate')} "
            f"({r['sweep']['seconds']:.1f} s), held-out best "
            f"{r['held_out']['best_learning_rate']:.3g}, range test "
            f"{r['range_test']['seconds']:.1f} s, auto best "
            f"{r['auto']['best_learning_rate']} ({r['auto']['seconds']:.1f} s)",
            flush=True,
        )
    return {
        "name": name,
        "command": command,
        "date": date,
        "machine": machine,
        "grid": GRID,
        "cv": CV,
        "n_jobs": n_jobs,
        "duration_s": time.perf_counter() - start,
        "tasks": records,
    }


def _command(args: argparse.Namespace) -> str:
    """The command line of a run with these arguments (``--out`` left out)."""
    options = ["--quick"] if args.quick else []
    if args.n_jobs != 2:
        options.append(f"--n-jobs {args.n_jobs}")
    if args.name:
        options.append(f"--name {args.name}")
    return " ".join([COMMAND, *options])


def main(argv: Sequence[str] | None = None) -> dict:
    """Command line: ``python -m benchmarks.validity [--quick] [--report-only]``.

    Parameters
    ----------
    argv : sequence of str, default=None

    Returns
    -------
    results : dict
        As written to the JSON.
    """
    parser = argparse.ArgumentParser(description="validity of sklr's LR advice")
    parser.add_argument("--quick", action="store_true", help="3 tiny tasks")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--name", default=None)
    parser.add_argument("--out", default=str(RESULTS), help="results folder")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rebuild the summary and .md from the stored JSON, no training",
    )
    args = parser.parse_args(argv)
    name = args.name or ("validity-quick" if args.quick else "validity")
    out = Path(args.out)
    if args.report_only:
        results = json.loads((out / f"{name}.json").read_text())
    else:
        tasks = QUICK_TASKS if args.quick else FULL_TASKS
        results = run(tasks, name, args.n_jobs, _command(args))
    write(results, out)
    return json.loads((out / f"{name}.json").read_text())


if __name__ == "__main__":
    main()
