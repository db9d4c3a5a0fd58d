"""The learning-rate sensitivity analysis: every rate of a fold trained at once.

:class:`LearningRateSearchCV` is a ``BaseSearchCV``: scikit-learn's own code
validates the scorers and ``refit``, formats ``cv_results_`` from one outcome
per (candidate, split), chooses the best candidate, refits it and delegates
``predict``, ``score``, ``classes_``, ``n_features_in_`` and the HTML view to it.
What only sklr does is how the outcomes are computed: each task — one fold, one
point of ``param_grid``, and all its rates (or a chunk of them) — fits the
fold's preprocessing once and trains a stack of networks that share the initial
weights and the mini-batch order (a paired design), then scores every network
with scikit-learn's ``_score``, through the whole fitted estimator (Pipeline,
TransformedTargetRegressor) on the raw test fold, exactly as ``GridSearchCV``
does. Every network's arithmetic is that of a separate fit (one BLAS product per
network, one BLAS thread), so the results are the same bits whatever ``n_jobs``,
the chunking of the rates or the joblib backend (loky, threading, Dask, Ray).

The documented differences from ``GridSearchCV`` (``docs/sensitivity.rst``) are
deliberate: a diverged network scores ``error_score`` without being scored, a
candidate with no usable score ranks last, and a search with no usable candidate
raises ``NoUsableScoreError``.
"""

import copy
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from pathlib import Path
from traceback import format_exc

import numpy as np
import sklearn
from joblib import Parallel, delayed, effective_n_jobs
from joblib import hash as joblib_hash
from scipy import stats
from sklearn.base import clone, is_classifier
from sklearn.callback import with_callbacks
from sklearn.compose import TransformedTargetRegressor
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import ParameterGrid, check_cv
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils._indexing import _safe_indexing
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metadata_routing import process_routing
from sklearn.utils.validation import _num_samples, check_array, indexable

from ._checkpoints import Store, UnidentifiableError, callable_identity
from ._outdir import write_text
from ._threads import one_blas_thread
from ._validation import check_learning_rates
from .exceptions import (
    DivergenceWarning,
    NoGoodRangeWarning,
    NoUsableScoreError,
    RangeTestWarning,
    TargetScaleWarning,
)
from .lr_finder import lr_find
from .neural_network import _final_mlp, target_scale_note

#: The scikit-learn versions whose private search helpers sklr is tested with.
SKLEARN_TESTED = ((1, 9), (1, 9))

try:  # private helpers: the same code GridSearchCV runs
    from sklearn.metrics._scorer import _MultimetricScorer
    from sklearn.model_selection._search import BaseSearchCV
    from sklearn.model_selection._validation import (
        _insert_error_scores,
        _score,
        _warn_or_raise_about_fit_failures,
    )
    from sklearn.utils.validation import _check_method_params
except ImportError as exc:  # pragma: no cover - depends on the installed version
    raise ImportError(
        "sklr's LearningRateSearchCV is built on scikit-learn's search machinery "
        f"and is tested with scikit-learn {SKLEARN_TESTED[0][0]}.{SKLEARN_TESTED[0][1]}"
        f"; scikit-learn {sklearn.__version__} lacks a helper it uses ({exc}). "
        "Install a tested version: pip install 'scikit-learn>=1.9,<1.10'."
    ) from exc

#: Default grid: 1e-5 to 10, two points per decade (13 rates). Plain SGD on
#: standardised inputs learns somewhere in 1e-4 .. 1; the grid reaches a decade
#: beyond on each side so that both arms of the U are visible.
DEFAULT_LEARNING_RATES = np.logspace(-5, 1, 13)

#: learning_rates="auto": half the width, in decades, of the grid around the
#: range test's suggestion (chosen on the validity benchmark: +-1 decade found the
#: full grid's best within half a decade in 97% of the tasks, +-1.5 in 100%).
AUTO_HALF_WIDTH = 1.5

#: Diagnoses, in the order the rules are applied.
DIAGNOSES = ("diverged", "unscored", "good", "oscillating", "too_low")


#: Significance level of the one-sided paired t-test behind ``good_range_``.
GOOD_RANGE_ALPHA = 0.01

#: Significance level of the one-sided paired t-test that a rate beats the
#: baseline (``BASELINE_ALPHA``): "clearly above the baseline".
BASELINE_ALPHA = 0.05

#: A training loss "rises" in an epoch when it grows by more than this fraction.
RISE_TOLERANCE = 1e-3

#: A rate "oscillates" when its loss rises in at least this fraction of epochs.
OSCILLATION_FRACTION = 0.4


@dataclass
class _TaskResult:
    """What one task (fold x param_grid point x rate chunk) returns.

    ``outcomes`` holds one dict per rate in the format of scikit-learn's
    ``_fit_and_score`` (``fit_error``, ``test_scores``, ``train_scores``,
    ``n_test_samples``, ``fit_time``, ``score_time``); per rate, ``unscored``
    lists the metrics whose scoring failed on the test fold (``"*"``: all of
    them) and ``messages`` the warnings scikit-learn's ``_score`` gave
    (re-emitted by the parent, whatever the backend).
    """

    point: int
    fold: int
    rates_index: np.ndarray
    outcomes: list
    unscored: list
    messages: list
    untrained_score: float | dict
    dummy_score: float | dict
    loss: np.ndarray | None
    held_out_loss: np.ndarray | None
    diverged: np.ndarray
    diverged_epoch: np.ndarray


class _WatchedScorer(_MultimetricScorer):
    """A multi-metric scorer that remembers which metrics failed in its last call
    (scikit-learn's ``_score`` then gives them ``error_score``)."""

    def __call__(self, estimator, *args, **kwargs):
        scores = super().__call__(estimator, *args, **kwargs)
        self.failed = [name for name, v in scores.items() if isinstance(v, str)]
        return scores


def _score_logged(estimator, X, y, scorer, score_params, error_score):
    """scikit-learn's ``_score``; the messages of the warnings it gave (a scoring
    that failed); and the metrics that failed (``"*"``: the whole scorer)."""
    watched = scorer
    if isinstance(scorer, _MultimetricScorer):
        watched = _WatchedScorer(scorers=scorer._scorers, raise_exc=scorer._raise_exc)
        watched.failed = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = _score(estimator, X, y, watched, score_params, error_score)
    messages = []
    for w in caught:
        if str(w.message).startswith("Scoring failed"):
            messages.append(str(w.message))
        else:  # not ours to swallow
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if watched is not scorer:
        return value, messages, watched.failed
    return value, messages, ["*"] if messages else []


class _FoldFit:
    """A fold's clone of the estimator, fitted up to its MLP, as ``fit`` does.

    The target transformation of a ``TransformedTargetRegressor`` and the
    preprocessing steps of a Pipeline are fitted once, with scikit-learn's own
    code, and shared by every rate; :meth:`assemble` puts a trained network
    where the MLP was, giving the fitted estimator ``GridSearchCV`` would score.
    """

    def __init__(self, model, X_train, y_train, sample_weight, pre_params=None):
        self.ttr = model if isinstance(model, TransformedTargetRegressor) else None
        inner, fit_y = model, y_train
        if self.ttr is not None:
            y = check_array(
                y_train,
                input_name="y",
                ensure_all_finite=True,
                ensure_2d=False,
                dtype="numeric",
                allow_nd=True,
            )
            self.ttr._training_dim = y.ndim
            self.ttr._fit_transformer(y.reshape(-1, 1) if y.ndim == 1 else y)
            fit_y = self.transform_y(y)
            inner = clone(self.ttr.regressor)
        self.pipeline = inner if isinstance(inner, Pipeline) else None
        self.X_train, self.fit_y = X_train, fit_y
        if self.pipeline is not None:
            self.pre = inner[:-1]
            if pre_params:  # metadata routing: what the steps before the MLP request
                process_routing(inner, "fit", **pre_params)  # Pipeline.fit's checks
                wanted = self.pre.get_metadata_routing().consumes(
                    method="fit_transform", params=set(pre_params)
                )
                pre_params = {k: v for k, v in pre_params.items() if k in wanted}
            self.X_train = self.pre.fit_transform(X_train, fit_y, **(pre_params or {}))
        self.mlp, _ = _final_mlp(inner)
        self.sample_weight = sample_weight

    def transform_y(self, y):
        """A target as the MLP sees it (transformed as ``ttr.fit`` does)."""
        if self.ttr is None:
            return y
        y = np.asarray(y)
        y_trans = self.ttr.transformer_.transform(
            y.reshape(-1, 1) if y.ndim == 1 else y
        )
        if y_trans.ndim == 2 and y_trans.shape[1] == 1 and y.ndim == 1:
            y_trans = y_trans.squeeze(axis=1)
        return y_trans

    def transform_X(self, X):
        """``X`` through the fitted preprocessing steps (called step by step:
        ``Pipeline.transform`` would refuse a step with no fitted attribute)."""
        if self.pipeline is not None:
            for _, step in self.pre.steps:
                if step is not None and step != "passthrough":
                    X = step.transform(X)
        return X

    def assemble(self, network):
        """The fitted estimator whose MLP is ``network``."""
        est = network
        if self.pipeline is not None:
            est = copy.copy(self.pipeline)
            est.steps = [*self.pre.steps, (self.pipeline.steps[-1][0], network)]
        if self.ttr is not None:
            ttr = copy.copy(self.ttr)
            ttr.regressor_ = est
            if hasattr(est, "feature_names_in_"):
                ttr.feature_names_in_ = est.feature_names_in_
            est = ttr
        return est


def _pipeline_of(estimator):
    """The Pipeline of ``estimator`` (itself, or a TransformedTargetRegressor's
    regressor), or None."""
    if isinstance(estimator, TransformedTargetRegressor):
        estimator = estimator.regressor
    return estimator if isinstance(estimator, Pipeline) else None


def _train_stack(fold, X_test, y_test, rates, context, caller):
    """Train the stack of rates on the fold; its result and held-out losses."""
    mlp = fold.mlp
    with context.propagate_callback_context(mlp), warnings.catch_warnings():
        context.call_on_fit_task_begin(estimator=caller, X=fold.X_train, y=fold.fit_y)
        warnings.simplefilter("ignore", DivergenceWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        return mlp._fit_learning_rates(
            fold.X_train,
            fold.fit_y,
            rates,
            sample_weight=fold.sample_weight,
            X_held_out=fold.transform_X(X_test),
            y_held_out=fold.transform_y(y_test),
        )


@dataclass
class _Scoring:
    """How a task scores: the scorer and what ``GridSearchCV`` passes it."""

    scorer: object
    score_params: dict
    return_train_score: bool
    error_score: object


def _failed_task(task, scoring, error, fit_time):
    """The outcome of a task whose fit raised, as ``_fit_and_score``'s."""
    point, fold, _, test, rates_index, _, _ = task
    scorer, error_score = scoring.scorer, scoring.error_score
    if isinstance(scorer, _MultimetricScorer):
        failed = {name: error_score for name in scorer._scorers}
    else:
        failed = error_score
    K = len(rates_index)
    outcome = {
        "fit_error": error,
        "test_scores": failed,
        "n_test_samples": len(test),
        "fit_time": fit_time / K,
        "score_time": 0.0,
    }
    if scoring.return_train_score:
        outcome["train_scores"] = copy.copy(failed)
    return _TaskResult(
        point,
        fold,
        rates_index,
        [copy.deepcopy(outcome) for _ in range(K)],
        [["*"]] * K,
        [[]] * K,
        np.nan,
        np.nan,
        None,
        None,
        np.zeros(K, dtype=bool),
        np.zeros(K, dtype=int),
    )


def _score_task(fold, result, data, scoring):
    """Outcomes, unscored flags and messages of every network of ``result``."""
    X_train, y_train, params_train, X_test, y_test, params_test = data
    outcomes, unscored, messages = [], [], []
    for k in range(len(result.learning_rates)):
        start = time.perf_counter()
        outcome = {"fit_error": None, "n_test_samples": _num_samples(X_test)}
        failed, messages_k = [], []
        if result.diverged[k]:  # not scored: error_score (set by the parent)
            outcome["test_scores"] = np.nan
            if scoring.return_train_score:
                outcome["train_scores"] = np.nan
        else:
            est = fold.assemble(fold.mlp._network(result, k))
            outcome["test_scores"], messages_k, failed = _score_logged(
                est, X_test, y_test, scoring.scorer, params_test, scoring.error_score
            )

            if scoring.return_train_score:
                outcome["train_scores"], train_messages, _ = _score_logged(
                    est,
                    X_train,
                    y_train,
                    scoring.scorer,
                    params_train,
                    scoring.error_score,
                )
                messages_k += train_messages
        outcome["score_time"] = time.perf_counter() - start
        outcomes.append(outcome)
        unscored.append(failed)
        messages.append(messages_k)
    return outcomes, unscored, messages


def _baseline_scores(estimator, fold, data, scoring):
    """Test scores of the network at its initial weights and of a model that
    ignores the features (``DummyClassifier()`` or ``DummyRegressor()``), NaN
    where the scorer fails; no warning."""
    X_train, y_train, _, X_test, y_test, params = data
    dummy = DummyClassifier() if is_classifier(estimator) else DummyRegressor()
    scores = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dummy.fit(X_train, y_train, sample_weight=fold.sample_weight)
        for est in (fold.assemble(fold.mlp), dummy):
            try:  # a baseline never fails the search, even with error_score="raise"
                scores.append(
                    _score(est, X_test, y_test, scoring.scorer, params, np.nan)
                )
            except Exception:
                scores.append(np.nan)
    return scores


@dataclass
class _Fitting:
    """What the fits of a task are given: the MLP's sample weights, and (with
    metadata routing) the parameters routed to a Pipeline's preprocessing."""

    sample_weight: np.ndarray | None
    pre_params: dict


def _fit_task(task_id, task, estimator, X, y, scoring, fitting, context, caller):
    """Train a stack of rates on one fold and score every network.

    A fit that raises (of the preprocessing, or of the stack) gives every rate
    of the task ``error_score`` and its traceback, as ``_fit_and_score`` does.
    """
    point, fold_index, train, test, rates_index, rates, params = task
    with one_blas_thread():
        start = time.perf_counter()
        model = clone(estimator).set_params(**clone(params, safe=False))
        X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
        X_test, y_test = _safe_indexing(X, test), _safe_indexing(y, test)
        sw = fitting.sample_weight
        sw = None if sw is None else _safe_indexing(sw, train)
        pre_params = _check_method_params(X, fitting.pre_params, indices=train)
        try:
            fold = _FoldFit(model, X_train, y_train, sw, pre_params)
            result, held_out = _train_stack(
                fold, X_test, y_test, rates, context, caller
            )
        except Exception:
            if scoring.error_score == "raise":
                raise
            fit_time = time.perf_counter() - start
            return task_id, _failed_task(task, scoring, format_exc(), fit_time)
        fit_time = time.perf_counter() - start
        data = (
            X_train,
            y_train,
            _check_method_params(X, scoring.score_params, indices=train),
            X_test,
            y_test,
            _check_method_params(X, scoring.score_params, indices=test),
        )
        outcomes, unscored, messages = _score_task(fold, result, data, scoring)
        untrained, dummy = _baseline_scores(estimator, fold, data, scoring)
    context.call_on_fit_task_end(estimator=caller, X=fold.X_train, y=fold.fit_y)
    for outcome in outcomes:
        outcome["fit_time"] = fit_time / len(outcomes)
    diverged = np.asarray(result.diverged)
    return task_id, _TaskResult(
        point,
        fold_index,
        rates_index,
        outcomes,
        unscored,
        messages,
        untrained,
        dummy,
        result.history.as_arrays()[0],
        held_out,
        diverged,
        np.where(diverged, result.stop_epoch, 0),
    )


def _read_seed(path):
    """The seed saved in ``path``; None if there is none or it is not a seed."""
    if not (path.exists() or path.is_symlink()):
        return None
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 64:
            raise OSError("not a small regular file")
        text = path.read_text(encoding="ascii").strip()
        if text.isdigit() and int(text) < np.iinfo(np.int32).max:
            return int(text)
    except (OSError, UnicodeDecodeError):
        pass
    warnings.warn(
        f"{path} does not hold a seed; a new one is drawn, and the saved results "
        "made with the old one are not reused.",
        UserWarning,
        stacklevel=5,
    )
    return None


def _reuse(store, task, n_test):
    """Records of ``task``'s rates found in ``store`` (as one-rate task results),
    and the task restricted to the other rates (None if none is left)."""
    if store is None:
        return [], task
    point, fold, train, test, rates_index, rates, params = task
    reused, missing = [], []
    for j, (index, rate) in enumerate(zip(rates_index, rates)):
        record = store.load(store.key(params, (train, test), rate))
        if record is None:
            missing.append(j)
        else:
            reused.append(_from_record(record, point, fold, index, n_test))
    if not missing:
        return reused, None
    rest = (point, fold, train, test, rates_index[missing], rates[missing], params)
    return reused, rest


def _save(store, task, output):
    """Save one record per rate of a finished task (not of a failed fit: a
    resumed search tries it again)."""
    point, fold, train, test, rates_index, rates, params = task
    if output.loss is None:
        return
    for k, rate in enumerate(rates):
        outcome = output.outcomes[k]
        store.save(
            store.key(params, (train, test), rate),
            {
                "test_score": outcome["test_scores"],
                "test_error": "\n".join(output.messages[k]) or None,
                "test_failed": list(output.unscored[k]),
                "train_score": outcome.get("train_scores"),
                "untrained": output.untrained_score,
                "dummy": output.dummy_score,
                "loss": output.loss[:, k],
                "held_out": output.held_out_loss[:, k],
                "diverged": bool(output.diverged[k]),
                "diverged_epoch": int(output.diverged_epoch[k]),
                "fit_time": float(outcome["fit_time"]),
                "score_time": float(outcome["score_time"]),
            },
        )


def _from_record(record, point, fold, index, n_test):
    """A saved record as the result of a one-rate task."""
    outcome = {
        "fit_error": None,
        "test_scores": record["test_score"],
        "n_test_samples": n_test,
        "fit_time": record["fit_time"],
        "score_time": record["score_time"],
    }
    if record["train_score"] is not None:
        outcome["train_scores"] = record["train_score"]
    error = record["test_error"]
    return _TaskResult(
        point,
        fold,
        np.array([index]),
        [outcome],
        [record["test_failed"]],
        [[] if error is None else [error]],
        record["untrained"],
        record["dummy"],
        record["loss"][:, None],
        record["held_out"][:, None],
        np.array([record["diverged"]]),
        np.array([record["diverged_epoch"]]),
    )


def _candidates(param_grid, lr_key, rates):
    """GridSearchCV's candidates for ``param_grid`` with ``lr_key: rates`` added
    to every sub-grid, in its order, and the (point, rate) index of each: the
    points are those of ``ParameterGrid(param_grid)``."""
    grids = [{}] if param_grid is None else param_grid
    grids = [grids] if isinstance(grids, Mapping) else list(grids)
    params, where, offset = [], [], 0
    rates = [float(r) for r in rates]
    for grid in grids:
        index_grid = {k: range(len(v)) for k, v in grid.items()}
        points = list(ParameterGrid(index_grid))
        position = {tuple(sorted(p.items())): i for i, p in enumerate(points)}
        augmented = {**index_grid, lr_key: range(len(rates))}
        for c in ParameterGrid(augmented):
            r = c.pop(lr_key)
            where.append((offset + position[tuple(sorted(c.items()))], r))
        params += list(ParameterGrid({**grid, lr_key: rates}))
        offset += len(points)
    return params, np.array(where, dtype=int).reshape(-1, 2)


@dataclass
class _Gathered:
    """Task outputs as arrays over (param_grid point, rate, fold)."""

    raw: dict  # test scores per metric, NaN where diverged, failed or unscored
    diverged: np.ndarray
    unusable: np.ndarray
    diverged_epoch: np.ndarray
    baseline: dict
    loss: np.ndarray
    held_out: np.ndarray


def _pick(value, metric):
    return value.get(metric, np.nan) if isinstance(value, dict) else value


def _gather(outputs, shape, metrics, key):
    """Place every task's output in arrays of ``shape`` = (P, R, F); a network
    is unusable when it diverged or has no finite ``key`` score."""
    P, R, F = shape
    n_epochs = max((len(o.loss) for o in outputs if o.loss is not None), default=0)
    g = _Gathered(
        {m: np.full(shape, np.nan) for m in metrics},
        np.zeros(shape, dtype=bool),
        np.zeros(shape, dtype=bool),
        np.zeros(shape, dtype=int),
        {m: np.full((P, F), np.nan) for m in metrics},
        np.full((*shape, n_epochs), np.nan),
        np.full((*shape, n_epochs), np.nan),
    )
    for o in outputs:
        idx = (o.point, o.rates_index, o.fold)
        g.diverged[idx] = o.diverged
        g.diverged_epoch[idx] = o.diverged_epoch
        if o.loss is not None:
            g.loss[o.point, o.rates_index, o.fold, : len(o.loss)] = o.loss.T
            g.held_out[o.point, o.rates_index, o.fold, : len(o.loss)] = (
                o.held_out_loss.T
            )
        for m in metrics:
            untrained, dummy = _pick(o.untrained_score, m), _pick(o.dummy_score, m)
            g.baseline[m][o.point, o.fold] = np.fmax(untrained, dummy)
            failed = [
                out["fit_error"] is not None or "*" in u or m in u
                for u, out in zip(o.unscored, o.outcomes)
            ]
            values = [_pick(out["test_scores"], m) for out in o.outcomes]
            g.raw[m][idx] = np.where(o.diverged | failed, np.nan, values)
    g.unusable = g.diverged | ~np.isfinite(g.raw[key])
    return g


def _fill_diverged(outcomes, diverged, error_score, names=None):
    """Give diverged networks ``error_score`` (NaN for 'raise'), in the form of
    the other scores (a dict of ``names``, or of the metrics a callable
    returned, or a number), as scikit-learn's ``_insert_error_scores`` does for
    failed fits."""
    value = np.nan if error_score == "raise" else error_score
    form = names or next(
        (
            o["test_scores"]
            for o, d in zip(outcomes, diverged)
            if not d and o["fit_error"] is None
        ),
        None,
    )
    failed = {name: value for name in form} if isinstance(form, dict) else value
    for outcome, d in zip(outcomes, diverged):
        if d:
            outcome["test_scores"] = copy.copy(failed)
            if "train_scores" in outcome:
                outcome["train_scores"] = copy.copy(failed)


class LearningRateSearchCV(BaseSearchCV):
    """Cross-validated learning-rate sensitivity analysis, all rates trained at once.

    For each fold (and each point of ``param_grid``), all learning rates are
    trained together as a stack of networks sharing the initial weights and the
    mini-batch order. Preprocessing steps of a Pipeline are fitted once per fold
    and shared by all rates. Diverging rates are frozen and recorded, never
    errors. The result has the layout of ``GridSearchCV`` plus what a grid search
    does not give: the best order of magnitude (``good_range_``), loss curves
    per rate, divergence records and a diagnosis of each rate.

    Parameters
    ----------
    estimator : MLPClassifier, MLPRegressor or Pipeline
        An sklr MLP, or a Pipeline whose last step is one (the rate is that
        step's ``learning_rate``). Solvers 'sgd' and 'adam'.

    learning_rates : array-like of float, "auto" or None, default=None
        The grid of rates (positive, finite, at least 2). None means
        ``DEFAULT_LEARNING_RATES``: 1e-5 to 10 with two points per decade.
        ``"auto"`` runs the range test (:func:`~sklr.lr_find`, rule "fall") on
        the whole data first, and sweeps the rates ``10**(k/2)`` within
        ``AUTO_HALF_WIDTH`` (1.5) decades of its suggestion: 6 or 7 rates instead
        of 13 (the default grid when the range test has no answer, with a
        warning). On sklr's validity benchmark its best rate is within half a
        decade of the full grid's best in every task.

    param_grid : dict or list of dicts, default=None
        A grid over other parameters of ``estimator`` (e.g. ``batch_size``,
        ``momentum``, ``max_iter``; Pipeline names with ``step__``). Each point
        gets the whole learning-rate stack.

    scoring : str, callable, list, tuple or dict, default=None
        As in ``GridSearchCV``; None is the estimator's ``score``.

    cv : int, cross-validation generator or iterable, default=5
        As in ``GridSearchCV``.

    n_jobs : int, default=None
        Number of parallel tasks (joblib); -1 means all processors. Any active
        joblib backend applies, e.g. ``joblib.parallel_backend("dask")``.

    refit : bool, str or callable, default=True
        Refit the best candidate on the whole data (``best_estimator_``). With
        several metrics, the name of the one that chooses the best.

    return_train_score : bool, default=False
        Also score every candidate on its training folds.

    verbose : int, default=0
        joblib's verbosity.

    error_score : 'raise' or float, default=np.nan
        Score given to a fit or a scoring that fails, as in ``GridSearchCV``
        ('raise' re-raises the failure), and to a diverged network, which is not
        scored (NaN with 'raise'). Whatever its value, a candidate that diverged,
        failed or has no finite score on any fold ranks after every other one
        and is never in ``good_range_``; when no candidate is left, ``fit``
        raises ``NoUsableScoreError``. See "Differences from GridSearchCV" in
        the user guide.

    refine : bool, default=False
        After the grid, evaluate ``refine_points`` more rates spread
        log-uniformly over the decade centred on the best rate, and add them to
        the results.

    refine_points : int, default=6
        Number of rates of the refinement.

    checkpoint_dir : str or Path, default=None
        A directory where the result of every fold and rate is saved as soon
        as its task completes (one ``.npz`` record each, read with
        ``allow_pickle=False``). A later ``fit`` with the same data and settings
        loads the records that match their task instead of recomputing them,
        whatever ``n_jobs`` or backend, so an interrupted search (Ctrl-C, a lost
        worker) resumes where it stopped. Corrupt or foreign records are
        recomputed with a warning.

    Attributes
    ----------
    cv_results_ : dict of ndarray
        ``GridSearchCV``'s, formatted by scikit-learn's own code, for the
        candidates of ``GridSearchCV(estimator, {**param_grid, "learning_rate":
        rates})`` in its order (then those of the refinement), plus
        ``diagnosis`` and ``diverged_fraction``. The fit time of a candidate is
        its task's time shared equally among its rates.
    point_index_, rate_index_ : ndarray of int, shape (n_candidates,)
        The ``param_grid`` point and the index in ``learning_rates_`` of each
        candidate (see :func:`sklr.search.by_point`).
    best_index_, best_params_, best_score_ : int, dict, float
        The best candidate, as in ``GridSearchCV``.
    best_learning_rate_ : float
        The learning rate of the best candidate.
    best_estimator_ : estimator
        The best candidate refitted on all the data (when ``refit``).
    good_range_ : tuple of float
        ``(low, high)``: the contiguous run of rates, around the best one (for the
        best candidate's ``param_grid`` point), that are usable (no fold diverged
        or failed to score), not significantly worse than the best — a one-sided
        paired t-test over the folds at level ``GOOD_RANGE_ALPHA`` (1%) does not
        reject equality — and clearly better than the baseline (see
        ``baseline_scores_``; paired t-test at ``BASELINE_ALPHA``, 5%), and
        that do not oscillate (see ``diagnosis_``). ``(nan, nan)`` when the best
        rate is not clearly better than the baseline, with a
        ``NoGoodRangeWarning``: then no rate is recommended.
    diagnosis_ : ndarray of str, shape (n_candidates,)
        For each candidate, the first rule that applies, within its
        ``param_grid`` point: ``"diverged"`` if it diverged on any fold;
        ``"unscored"`` if its fit or the scorer failed (or gave NaN) on any fold;
        ``"good"`` if its rate lies in the good range; ``"oscillating"`` if its
        training loss rises (by more than 0.1%) in at least 40% of the epochs
        (mean over folds), or if its rate lies above the good range (with no
        good range: above the best rate and significantly worse than it);
        ``"too_low"`` otherwise (learning too slowly).
    baseline_scores_ : ndarray of shape (n_param_grid_points, n_splits)
        The baseline's test score on each fold: the better of a model that
        ignores the features (``DummyClassifier()``, the class prior, or
        ``DummyRegressor()``, the mean) and the network at its initial weights
        (a rate that learns nothing), with the search's scorer.
    range_test_ : LRFinderResult
        With ``learning_rates="auto"``: the range test that chose the grid.
    loss_curves_ : ndarray of shape (n_candidates, n_splits, n_epochs)
        Training loss per epoch; NaN after a network stopped, ``inf`` or a value
        above the divergence threshold where it diverged.
    validation_loss_curves_ : ndarray of shape (n_candidates, n_splits, n_epochs)
        Loss on the test fold after each epoch.
    diverged_ : ndarray of bool, shape (n_candidates, n_splits)
        Whether each fit diverged.
    diverged_epoch_ : ndarray of int, shape (n_candidates, n_splits)
        The epoch (1-based) in which it diverged; 0 if it did not.
    learning_rates_ : ndarray
        The rates evaluated (grid, then refinement).
    n_splits_ : int
    scorer_ : callable or dict
    multimetric_ : bool
    refit_time_ : float
    n_features_in_ : int
        Of the refitted best estimator (``refit`` only).
    classes_ : ndarray
        Of the refitted best estimator (``refit`` only, classifiers).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklr import LearningRateSearchCV, MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> pipe = make_pipeline(StandardScaler(),
    ...                      MLPClassifier(hidden_layer_sizes=(8,), max_iter=50,
    ...                                    random_state=0))
    >>> search = LearningRateSearchCV(pipe, [1e-4, 1e-2, 1e-1, 1e3], cv=3).fit(X, y)
    >>> search.best_learning_rate_
    0.1
    >>> search.diagnosis_.tolist()
    ['too_low', 'good', 'good', 'diverged']
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "get_params"])],
        "learning_rates": ["array-like", StrOptions({"auto"}), None],
        "param_grid": [dict, list, None],
        "scoring": [StrOptions(set()), str, callable, list, tuple, dict, None],
        "cv": ["cv_object"],
        "n_jobs": [Integral, None],
        "refit": ["boolean", str, callable],
        "return_train_score": ["boolean"],
        "verbose": ["verbose"],
        "error_score": [StrOptions({"raise"}), Real],
        "refine": ["boolean"],
        "refine_points": [Interval(Integral, 2, None, closed="left")],
        "checkpoint_dir": [str, Path, None],
    }

    def __init__(
        self,
        estimator,
        learning_rates=None,
        *,
        param_grid=None,
        scoring=None,
        cv=5,
        n_jobs=None,
        refit=True,
        return_train_score=False,
        verbose=0,
        error_score=np.nan,
        refine=False,
        refine_points=6,
        checkpoint_dir=None,
    ):
        self.estimator = estimator
        self.learning_rates = learning_rates
        self.param_grid = param_grid
        self.scoring = scoring
        self.cv = cv
        self.n_jobs = n_jobs
        self.refit = refit
        self.return_train_score = return_train_score
        self.verbose = verbose
        self.error_score = error_score
        self.refine = refine
        self.refine_points = refine_points
        self.checkpoint_dir = checkpoint_dir

    # ------------------------------------------------------------------ fitting
    def _prepare_estimator(self):
        mlp, prefix = _final_mlp(self.estimator)
        if mlp.solver == "lbfgs":
            raise ValueError(
                "LearningRateSearchCV needs solver='sgd' or 'adam': 'lbfgs' has no "
                "learning rate."
            )
        estimator = clone(self.estimator)
        if mlp.random_state is None:
            # one seed for every task and the refit: the paired design needs the
            # same initial weights and mini-batches in every task (kept with the
            # checkpoints, so that a resumed search reuses them)
            estimator.set_params(**{prefix + "random_state": self._seed()})
        return estimator, prefix

    def _seed(self):
        """One seed for the whole search; kept in ``checkpoint_dir/seed.txt`` so
        that a resumed search draws the same one (a file that is not a seed is
        replaced, with a warning: the saved results then no longer match)."""
        path = None
        if self.checkpoint_dir is not None:
            path = Path(self.checkpoint_dir) / "seed.txt"
            seed = _read_seed(path)
            if seed is not None:
                return seed
        seed = int(check_random_state(None).randint(np.iinfo(np.int32).max))
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:  # a new file renamed over the name: never written through a link
                write_text(path, str(seed))
            except OSError as exc:
                warnings.warn(
                    f"cannot save the seed in {path} ({exc.strerror}): a resumed "
                    "search will not reuse this one's results.",
                    UserWarning,
                    stacklevel=4,
                )
        return seed

    def _rates(self, estimator, X, y, sample_weight):
        """The grid of rates, checked (``"auto"`` runs the range test)."""
        if isinstance(self.learning_rates, str):  # "auto"
            grid = self._auto_grid(estimator, X, y, sample_weight)
        elif self.learning_rates is None:
            grid = DEFAULT_LEARNING_RATES
        else:
            grid = self.learning_rates
        rates = check_learning_rates(grid, "learning_rates", min_size=2)
        if len(np.unique(rates)) != len(rates):
            raise ValueError(
                f"The 'learning_rates' parameter contains duplicates: {rates.tolist()}."
            )
        return rates

    def _param_points(self, estimator, prefix):
        """The points of ``param_grid``; names are checked before any training
        (a bad value fails its fits, which score ``error_score``)."""
        if self.param_grid is None:
            return [{}]
        points = list(ParameterGrid(self.param_grid))
        for point in points:
            if prefix + "learning_rate" in point or "learning_rate" in point:
                raise ValueError(
                    "The 'param_grid' parameter must not contain the learning rate: "
                    "give the rates as 'learning_rates'."
                )
            clone(estimator).set_params(**clone(point, safe=False))
        return points

    def _tasks(self, points, splits, rates, offset):
        """One task per (param_grid point, fold), its rates split in chunks when
        that balances the workers better.

        Chunks interleave the rates (every n-th rate), so that fast-diverging
        and slow-learning rates are spread evenly; a network's arithmetic does
        not depend on its chunk, so neither do the results.
        """
        n_tasks = len(points) * len(splits)
        workers = effective_n_jobs(self.n_jobs)
        n_chunks = 1
        if workers > 1 and n_tasks % workers:
            # fewest chunks that give every worker the same number of tasks
            n_chunks = next(
                (c for c in range(2, len(rates) + 1) if (n_tasks * c) % workers == 0),
                1,
            )
        order = np.arange(len(rates))
        chunks = [order[i::n_chunks] for i in range(n_chunks)]
        return [
            (p, f, train, test, chunk + offset, rates[chunk], point)
            for p, point in enumerate(points)
            for f, (train, test) in enumerate(splits)
            for chunk in chunks
        ]

    def _run_tasks(self, tasks, run):
        """Run the tasks in parallel; with ``checkpoint_dir``, reuse and save them.

        Each finished task is saved as one record per rate as soon as it arrives
        (an interrupted search keeps its finished work). Rates whose record
        exists and matches its task are not trained again, however the rates
        are split into tasks (see ``sklr._checkpoints``).
        """
        estimator, X, y, scoring, fitting, context = run
        store = self._store(estimator, X, y, scoring, fitting)
        done, todo = [], []
        for task in tasks:
            reused, rest = _reuse(store, task, _num_samples(task[3]))
            done += reused
            if rest is not None:
                todo.append(rest)
        contexts = [context.subcontext(task_name="fold-rates") for _ in todo]
        parallel = Parallel(
            n_jobs=self.n_jobs, verbose=self.verbose, return_as="generator_unordered"
        )
        outputs = parallel(
            delayed(_fit_task)(i, task, estimator, X, y, scoring, fitting, ctx, self)
            for i, (task, ctx) in enumerate(zip(todo, contexts))
        )
        for i, output in outputs:
            done.append(output)
            if store is not None:
                _save(store, todo[i], output)
        return done

    def _store(self, estimator, X, y, scoring, fitting):
        """The checkpoint store, or None (no ``checkpoint_dir``, or a scorer or
        estimator whose computation cannot be identified: then a warning)."""
        if self.checkpoint_dir is None:
            return None
        try:
            common = joblib_hash(
                (
                    callable_identity(estimator.get_params(deep=True)),
                    X,
                    y,
                    fitting.sample_weight,
                    fitting.pre_params,
                    scoring.score_params,
                    callable_identity(scoring.scorer),
                    self.return_train_score,
                    self.error_score,
                )
            )
        except UnidentifiableError as exc:
            warnings.warn(
                "checkpoint_dir is not used: the estimator or the scorer cannot be "
                f"identified reliably ({exc}), so saved results could be stale.",
                UserWarning,
                stacklevel=4,
            )
            return None
        mlp, _ = _final_mlp(estimator)
        multimetric = isinstance(scoring.scorer, _MultimetricScorer)
        if callable(self.scoring):  # a callable may return a dict
            multimetric = None
        return Store(self.checkpoint_dir, common, multimetric, mlp.max_iter)

    def _routed(self, X, groups, sample_weight, estimator):
        """What goes to the splitter, the scorer, the fits and the refit, routed
        as ``GridSearchCV`` routes it. Without metadata routing, only
        ``sample_weight`` is accepted, and it reaches the MLP (not a Pipeline's
        other steps); with it, each step gets what it requests."""
        given = {"groups": groups, "sample_weight": sample_weight}
        params = _check_method_params(
            X, params={k: v for k, v in given.items() if v is not None}
        )
        routed = self._get_routed_params_for_fit(params)
        fit_params = dict(routed.estimator.fit)
        if sklearn.get_config()["enable_metadata_routing"]:
            mlp, _ = _final_mlp(estimator)
            requested = mlp.get_metadata_routing().fit.requests.get("sample_weight")
            weights = fit_params.get("sample_weight") if requested else None
            fitting = _Fitting(weights, fit_params if _pipeline_of(estimator) else {})
            return routed, fitting, fit_params
        weights = fit_params.pop("sample_weight", None)
        if fit_params:
            raise ValueError(
                "LearningRateSearchCV passes only sample_weight to the MLP's fit; "
                f"got the fit parameters {sorted(fit_params)}."
            )
        weights = None if weights is None else np.asarray(weights)
        return routed, _Fitting(weights, {}), None

    def _splits(self, X, y, split_params):
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        self.n_splits_ = cv.get_n_splits(X, y, **split_params)
        splits = list(cv.split(X, y, **split_params))
        if len(splits) != self.n_splits_:
            raise ValueError(
                "cv.split and cv.get_n_splits return inconsistent results. "
                f"Expected {self.n_splits_} splits, got {len(splits)}"
            )
        return splits

    @with_callbacks
    def fit(self, X, y=None, *, groups=None, sample_weight=None):
        """Train every learning rate on every fold and choose the best.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        groups : array-like of shape (n_samples,), default=None
            Group labels for group-aware ``cv`` splitters.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, passed to the MLP (not to preprocessing steps) and,
            as in ``GridSearchCV``, to the scorer when it accepts them.

        Returns
        -------
        self : LearningRateSearchCV
            The fitted search.
        """
        self._validate_params()
        estimator, prefix = self._prepare_estimator()
        rates = self._rates(estimator, X, y, sample_weight)
        points = self._param_points(estimator, prefix)
        scorers, refit_metric = self._get_scorers()
        self._scorers = scorers
        X, y = indexable(X, y)
        routed, fitting, refit_params = self._routed(
            X, groups, sample_weight, estimator
        )
        splits = self._splits(X, y, routed.splitter.split)
        if not splits or not points:
            raise ValueError(
                "No fits were performed. Was the CV iterator empty? "
                "Were there no candidates?"
            )
        context = self._init_callback_context(max_subtasks=None).call_on_fit_task_begin(
            estimator=self, X=X, y=y
        )
        self._target_note = target_scale_note(estimator, y)
        scoring = _Scoring(
            scorers, routed.scorer.score, self.return_train_score, self.error_score
        )
        run = (estimator, X, y, scoring, fitting, context)
        lr_key = prefix + "learning_rate"
        rounds = [self._evaluate(points, splits, rates, 0, lr_key, run)]
        if self.refine:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # warned once, at the end
                best_rate = self._collect(rounds, rates, refit_metric)
            extra = self._refinement(best_rate, rates)
            if len(extra):
                rounds.append(
                    self._evaluate(points, splits, extra, len(rates), lr_key, run)
                )
                rates = np.concatenate([rates, extra])
        self._warn_scoring_failures(rounds)
        self._collect(rounds, rates, refit_metric)
        self._warn_unclear_answers()
        self.scorer_ = getattr(scorers, "_scorers", scorers)
        if self.refit:
            if refit_params is None:  # the sample weights go to the MLP
                weights = fitting.sample_weight
                name = prefix.removeprefix("regressor__") + "sample_weight"
                refit_params = {} if weights is None else {name: weights}
            self._refit(estimator, X, y, refit_params, context)
        context.call_on_fit_task_end(estimator=self, X=X, y=y)
        return self

    def _evaluate(self, points, splits, rates, offset, lr_key, run):
        """Train and score one grid of rates: its candidates (GridSearchCV's
        order), their (point, rate) indices, their outcomes per split and the
        task outputs. Fit failures warn (or raise) as in ``GridSearchCV``."""
        outputs = self._run_tasks(self._tasks(points, splits, rates, offset), run)
        params, where = _candidates(self.param_grid, lr_key, rates)
        where[:, 1] += offset
        located = {
            (o.point, int(r), o.fold): (o, k)
            for o in outputs
            for k, r in enumerate(o.rates_index)
        }
        outcomes, diverged = [], []
        for p, r in where:
            for f in range(len(splits)):
                output, k = located[(p, r, f)]
                outcomes.append(output.outcomes[k])
                diverged.append(bool(output.diverged[k]))
        _warn_or_raise_about_fit_failures(outcomes, self.error_score)
        return params, where, outcomes, diverged, outputs

    def _auto_grid(self, estimator, X, y, sample_weight):
        """The rates 10**(k/2) within ``AUTO_HALF_WIDTH`` decades of the range
        test's suggestion (``range_test_``); the default grid if it has none."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RangeTestWarning)
            self.range_test_ = lr_find(estimator, X, y, sample_weight=sample_weight)
        center = self.range_test_.suggestion
        if not np.isfinite(center):
            warnings.warn(
                "learning_rates='auto': the range test has no suggestion (see "
                "range_test_); sweeping the default grid instead.",
                RangeTestWarning,
                stacklevel=4,
            )
            return DEFAULT_LEARNING_RATES
        half = np.arange(
            np.ceil(2 * (np.log10(center) - AUTO_HALF_WIDTH) - 1e-9),
            np.floor(2 * (np.log10(center) + AUTO_HALF_WIDTH) + 1e-9) + 1,
        )
        return 10.0 ** (half / 2)

    def _warn_scoring_failures(self, rounds):
        """scikit-learn's "Scoring failed" warnings, given in the workers, once
        each in this process (whatever the backend)."""
        messages = [m for r in rounds for o in r[4] for ms in o.messages for m in ms]
        self._first_score_error = messages[0] if messages else None
        for message in dict.fromkeys(messages):
            warnings.warn(message, UserWarning, stacklevel=3)

    def _warn_unclear_answers(self):
        """Warn when no rate beats the baseline, when the best rate is at an edge
        of the grid, or when the target's scale is the cause of divergence."""
        if hasattr(self, "best_index_") and self.best_learning_rate_ in (
            self.learning_rates_.min(),
            self.learning_rates_.max(),
        ):
            warnings.warn(
                f"The best learning rate ({self.best_learning_rate_:.3g}) is at an "
                "edge of the grid: better rates may lie beyond it. Widen the grid.",
                UserWarning,
                stacklevel=3,
            )
        if self._target_note and (self.diagnosis_ == "diverged").mean() > 0.5:
            warnings.warn(
                f"Most learning rates diverged, and {self._target_note}: "
                "standardise it, e.g. with TransformedTargetRegressor(estimator, "
                "transformer=StandardScaler()), which LearningRateSearchCV accepts.",
                TargetScaleWarning,
                stacklevel=3,
            )
        if hasattr(self, "best_index_") and np.isnan(self.good_range_[0]):
            point = self.point_index_[self.best_index_]
            best = self.cv_results_[f"mean_test_{self._refit_key}"][self.best_index_]
            warnings.warn(
                "No learning rate scored clearly better than the baseline (the "
                "better of a model that ignores the features and the network at its "
                f"initial weights; mean score {self.baseline_scores_[point].mean():.4g}"
                f", best candidate's {best:.4g}): good_range_ is (nan, nan) and no "
                "rate is diagnosed 'good'. Train longer (max_iter), widen the grid, "
                "or check that the features predict the target and that the scorer "
                "fits it.",
                NoGoodRangeWarning,
                stacklevel=3,
            )

    def _refinement(self, best_rate, rates):
        if not np.isfinite(best_rate):
            return np.array([])
        candidates = np.logspace(
            np.log10(best_rate) - 0.5, np.log10(best_rate) + 0.5, self.refine_points
        )
        known = np.isclose(candidates[:, None], rates[None, :], rtol=1e-9).any(axis=1)
        return candidates[~known]

    def _refit(self, estimator, X, y, fit_params, context):
        """Refit the best candidate on all the data, as ``GridSearchCV`` does."""
        self.best_estimator_ = clone(estimator).set_params(
            **clone(self.best_params_, safe=False)
        )
        subcontext = context.subcontext(task_name="refit-with-best-params")
        with subcontext.propagate_callback_context(self.best_estimator_):
            subcontext.call_on_fit_task_begin(estimator=self, X=X, y=y)
            start = time.time()
            self.best_estimator_.fit(X, y, **fit_params)
            self.refit_time_ = time.time() - start
        subcontext.call_on_fit_task_end(estimator=self, X=X, y=y)
        if hasattr(self.best_estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.best_estimator_.feature_names_in_

    # --------------------------------------------------------------- results
    def _collect(self, rounds, rates, refit_metric):
        """Turn the rounds' outcomes into the fitted attributes, with
        scikit-learn's ``_format_results``; return the best rate."""
        params = [c for r in rounds for c in r[0]]
        where = np.concatenate([r[1] for r in rounds])
        outcomes = [o for r in rounds for o in r[2]]
        diverged = [d for r in rounds for d in r[3]]
        outputs = [o for r in rounds for o in r[4]]
        if callable(self.scoring):
            _insert_error_scores(outcomes, self.error_score)
        names = getattr(self._scorers, "_scorers", None)
        _fill_diverged(outcomes, diverged, self.error_score, names)
        self.multimetric_ = isinstance(outcomes[0]["test_scores"], dict)
        if callable(self.scoring) and self.multimetric_:
            self._check_refit_for_multimetric(outcomes[0]["test_scores"])
            refit_metric = self.refit
        metrics = list(outcomes[0]["test_scores"]) if self.multimetric_ else ["score"]
        key = refit_metric if refit_metric in metrics else metrics[0]
        self._refit_key = key
        P, R, F = int(where[:, 0].max()) + 1, len(rates), self.n_splits_
        g = _gather(outputs, (P, R, F), metrics, key)
        self.baseline_scores_ = g.baseline[key]
        ranges, diagnosis = zip(
            *(
                _diagnose(
                    rates,
                    g.raw[key][p],
                    g.diverged[p],
                    g.loss[p],
                    unusable=g.unusable[p],
                    baseline=g.baseline[key][p],
                )
                for p in range(P)
            )
        )
        pi, ri = where[:, 0], where[:, 1]
        self.point_index_, self.rate_index_ = pi, ri
        self.learning_rates_ = rates
        self.diverged_ = g.diverged[pi, ri]
        self.diverged_epoch_ = g.diverged_epoch[pi, ri]
        self.loss_curves_ = g.loss[pi, ri]
        self.validation_loss_curves_ = g.held_out[pi, ri]
        self.diagnosis_ = np.stack(diagnosis)[pi, ri]
        unusable = g.unusable[pi, ri]
        results = self._format_results(params, F, outcomes)
        for m in metrics:  # the documented difference: unusable ranks last
            results[f"rank_test_{m}"] = _rank(
                results[f"mean_test_{m}"], unusable.any(axis=1)
            )
        results["diagnosis"] = self.diagnosis_
        results["diverged_fraction"] = self.diverged_.mean(axis=1)
        self._choose_best(results, refit_metric, unusable, ranges)
        self.cv_results_ = results  # as GridSearchCV: only once a best is chosen
        return self.best_learning_rate_ if hasattr(self, "best_index_") else np.nan

    def _choose_best(self, results, refit_metric, unusable, ranges):
        """``best_*`` as ``GridSearchCV`` sets them, and the good range of the
        best candidate's ``param_grid`` point; no candidate usable is an error."""
        for name in (
            "best_index_",
            "best_score_",
            "best_params_",
            "best_learning_rate_",
        ):
            self.__dict__.pop(name, None)
        self.good_range_ = ranges[0]
        if self.refit is False and self.multimetric_:
            return
        if unusable.any(axis=1).all():
            self.good_range_ = (np.nan, np.nan)
            self.cv_results_ = results  # kept, to show what failed
            raise self._no_usable_score(unusable & ~self.diverged_)
        self.best_index_ = self._select_best_index(self.refit, refit_metric, results)
        if not callable(self.refit):
            self.best_score_ = results[f"mean_test_{refit_metric}"][self.best_index_]
        self.best_params_ = results["params"][self.best_index_]
        self.best_learning_rate_ = float(
            next(v for k, v in self.best_params_.items() if k.endswith("learning_rate"))
        )
        self.good_range_ = ranges[self.point_index_[self.best_index_]]

    def _no_usable_score(self, unscored):
        """The error raised when no candidate has a usable score."""
        n = len(self.diverged_)
        some_diverged = self.diverged_.any(axis=1)
        some_unscored = unscored.any(axis=1)
        if not some_unscored.any():
            reason = "diverged"
            what = f"every one of the {n} candidates diverged on at least one fold"
        elif unscored[~self.diverged_].all():
            reason = "scoring_failed"
            what = (
                "the scorer failed (or gave no finite score) on every fit of the "
                f"{n} candidates"
            ) + (
                f" ({int(some_diverged.sum())} diverged on some fold)"
                if some_diverged.any()
                else ""
            )
        else:
            reason = "both"
            what = (
                f"of the {n} candidates, {int(some_diverged.sum())} diverged and "
                f"the scorer failed (or gave no finite score) on "
                f"{int(some_unscored.sum())}"
            )
        advice = {
            "diverged": "lower the grid (it starts at "
            f"{self.learning_rates_.min():.3g}), standardise the features (if they "
            "are not)"
            + (
                f", and standardise the target ({self._target_note}: wrap the "
                "estimator in TransformedTargetRegressor(..., "
                "transformer=StandardScaler()))"
                if self._target_note
                else ""
            ),
            "scoring_failed": "choose a scorer that fits the task (with more than "
            "two classes, e.g. 'f1_macro' rather than 'f1', 'roc_auc_ovr' rather "
            "than 'roc_auc'), and for scorers that need every class in every test "
            "fold (e.g. 'neg_log_loss') shuffled stratified folds "
            "(StratifiedKFold(shuffle=True)); the first error was "
            + (self._first_score_error or "none: the scores were not finite"),
        }
        advice["both"] = f"{advice['diverged']}; {advice['scoring_failed']}"
        return NoUsableScoreError(
            f"No learning rate can be recommended: {what}. To fix it, "
            f"{advice[reason]}. The per-rate results are in cv_results_, "
            "diagnosis_ and loss_curves_ of the search, and in this error's "
            "cv_results.",
            reason=reason,
            cv_results=self.cv_results_,
        )


def last_recorded(curves):
    """The last recorded (non-NaN) value of each curve along the last axis.

    Applied to ``loss_curves_`` or ``validation_loss_curves_`` of a search, it
    gives the loss after the last epoch each fit trained; NaN where nothing
    was recorded.

    Examples
    --------
    >>> import numpy as np
    >>> from sklr.search import last_recorded
    >>> last_recorded(np.array([[3.0, 2.0, np.nan], [np.nan, np.nan, np.nan]]))
    array([ 2., nan])
    """
    curves = np.asarray(curves, dtype=float)
    recorded = ~np.isnan(curves)
    if curves.shape[-1] == 0:
        return np.full(curves.shape[:-1], np.nan)
    last = curves.shape[-1] - 1 - np.argmax(recorded[..., ::-1], axis=-1)
    values = np.take_along_axis(curves, last[..., None], axis=-1)[..., 0]
    return np.where(recorded.any(axis=-1), values, np.nan)


def _rank(means, unusable=None):
    """GridSearchCV's ranking (1 is best, ties share the lowest rank, NaN last),
    with every unusable candidate (diverged or unscored on some fold) after every
    usable one, whatever its ``error_score``."""
    means = np.asarray(means, dtype=float)
    usable = np.ones(len(means), bool) if unusable is None else ~np.asarray(unusable)
    value = np.where(np.isnan(means), -np.inf, means)
    same = usable[:, None] == usable[None, :]
    better = (usable[:, None] & ~usable[None, :]) | (same & (value[:, None] > value))
    return (1 + better.sum(axis=0)).astype(np.int32)


def _paired_p_value(d):
    """One-sided p-value of a paired t-test that the mean of ``d`` is > 0.

    With no spread, 0 when every difference is positive and 1 otherwise.
    """
    F = len(d)
    sd = d.std(ddof=1) if F > 1 else 0.0
    if sd == 0:
        return 0.0 if d.mean() > 0 else 1.0
    return float(stats.t.sf(d.mean() / (sd / np.sqrt(F)), F - 1))


def _indistinguishable(scores, best):
    """Rates whose fold scores are not significantly below those of ``best``.

    One-sided paired t-test over folds at level ``GOOD_RANGE_ALPHA``; a rate with
    any NaN score (diverged or failed) is never indistinguishable.
    """
    out = np.zeros(len(scores), dtype=bool)
    for r in range(len(scores)):
        if np.isnan(scores[r]).any():
            continue
        d = scores[best] - scores[r]
        out[r] = d.mean() <= 0 or _paired_p_value(d) >= GOOD_RANGE_ALPHA
    return out


def _above_baseline(scores, baseline):
    """Rates whose fold scores are significantly above the baseline's.

    One-sided paired t-test over folds at level ``BASELINE_ALPHA`` that the
    rate beats the baseline (a model that ignores the features, scored on the
    same folds). Where the baseline could not be scored, every rate passes.
    """
    baseline = np.asarray(baseline, dtype=float)
    if not np.isfinite(baseline).all():
        return np.ones(len(scores), dtype=bool)
    return np.array(
        [
            np.isfinite(row).all() and _paired_p_value(row - baseline) < BASELINE_ALPHA
            for row in scores
        ],
        dtype=bool,
    )


def _rise_fraction(curves):
    """Mean over folds of the fraction of epochs in which the loss rises."""
    fractions = []
    for curve in curves:
        values = curve[~np.isnan(curve)]
        if len(values) < 2:
            continue
        with np.errstate(invalid="ignore"):
            rises = values[1:] > values[:-1] + RISE_TOLERANCE * np.abs(values[:-1])
        fractions.append(rises.mean())
    return float(np.mean(fractions)) if fractions else 0.0


def _diagnose(rates, scores, diverged, loss, *, unusable=None, baseline=None):
    """Good range and diagnosis of every rate of one ``param_grid`` point.

    ``scores``, ``diverged`` and ``unusable`` (diverged, unscored or non-finite
    on a fold) are ``(R, F)``; ``loss`` is ``(R, F, n_epochs)``; ``baseline`` is
    the baseline's score per fold. The good range grows from the best usable rate
    over neighbours that are usable, indistinguishable from it, clearly above the
    baseline and do not oscillate, so that every rate inside it is diagnosed
    ``"good"``; it is ``(nan, nan)`` when the best rate is not clearly above the
    baseline or no rate is usable.
    """
    rates = np.asarray(rates, dtype=float)
    R = len(rates)
    unusable = diverged | np.isnan(scores) if unusable is None else unusable
    usable = ~unusable.any(axis=1)
    rising = np.array([_rise_fraction(c) >= OSCILLATION_FRACTION for c in loss])
    low = high = np.nan
    fast = np.zeros(R, dtype=bool)  # too fast: above the good range
    if usable.any():
        best = int(np.argmax(np.where(usable, scores.mean(axis=1), -np.inf)))
        above = (
            np.ones(R, bool) if baseline is None else _above_baseline(scores, baseline)
        )
        indistinguishable = _indistinguishable(scores, best)
        ok = indistinguishable & usable & above & ~rising
        if above[best]:
            ok[best] = True
            low, high = _run_around(rates, ok, best)
            fast = rates > high
        else:  # no good range: too fast only if clearly worse than the best
            fast = (rates > rates[best]) & ~indistinguishable
    diagnosis = np.empty(R, dtype=object)
    for r in range(R):
        if diverged[r].any():
            diagnosis[r] = "diverged"
        elif unusable[r].any():
            diagnosis[r] = "unscored"
        elif low <= rates[r] <= high:
            diagnosis[r] = "good"
        elif rising[r] or fast[r]:
            diagnosis[r] = "oscillating"
        else:
            diagnosis[r] = "too_low"
    return (low, high), diagnosis.astype(str)


def _run_around(rates, ok, best):
    """The lowest and highest rate of the run of ``ok`` rates around ``best``."""
    order = np.argsort(rates)
    pos = int(np.flatnonzero(order == best)[0])
    lo = hi = pos
    while lo > 0 and ok[order[lo - 1]]:
        lo -= 1
    while hi < len(rates) - 1 and ok[order[hi + 1]]:
        hi += 1
    return float(rates[order[lo]]), float(rates[order[hi]])


def learning_rate_curve(
    estimator,
    X,
    y,
    learning_rates=None,
    *,
    groups=None,
    cv=5,
    scoring=None,
    n_jobs=None,
    verbose=0,
    error_score=np.nan,
    sample_weight=None,
):
    """Train and test scores for a range of learning rates, computed stacked.

    The learning-rate counterpart of ``sklearn.model_selection.validation_curve``
    (``param_name="learning_rate"``): same inputs, same outputs, but every rate
    of a fold is trained at once on the stacked engine, and a diverged rate gets
    ``error_score`` instead of an error.

    Parameters
    ----------
    estimator : MLPClassifier, MLPRegressor or Pipeline ending in one
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    learning_rates : array-like of float, default=None
        None means ``DEFAULT_LEARNING_RATES`` (1e-5 to 10, two per decade).
    groups : array-like, default=None
    cv : int, cross-validation generator or iterable, default=5
    scoring : str or callable, default=None
    n_jobs : int, default=None
    verbose : int, default=0
    error_score : 'raise' or float, default=np.nan
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    train_scores : ndarray of shape (n_rates, n_splits)
    test_scores : ndarray of shape (n_rates, n_splits)

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklr import MLPClassifier, learning_rate_curve
    >>> X, y = load_iris(return_X_y=True)
    >>> train, test = learning_rate_curve(
    ...     MLPClassifier(hidden_layer_sizes=(8,), max_iter=20, random_state=0),
    ...     X, y, [1e-4, 1e-2], cv=3)
    >>> test.shape
    (2, 3)
    >>> bool(test[1].mean() > test[0].mean())
    True
    """
    search = LearningRateSearchCV(
        estimator,
        learning_rates,
        scoring=scoring,
        cv=cv,
        n_jobs=n_jobs,
        refit=False,
        return_train_score=True,
        verbose=verbose,
        error_score=error_score,
    )
    try:
        search.fit(X, y, groups=groups, sample_weight=sample_weight)
    except NoUsableScoreError:  # like validation_curve: the scores, NaN and all
        pass
    results = search.cv_results_
    splits = range(search.n_splits_)
    train = np.column_stack([results[f"split{k}_train_score"] for k in splits])
    test = np.column_stack([results[f"split{k}_test_score"] for k in splits])
    return train, test


def by_point(search, values):
    """Per-candidate ``values`` of a fitted search laid out by grid point and rate.

    Candidates come in ``GridSearchCV``'s order (``cv_results_["params"]``);
    ``search.point_index_`` and ``search.rate_index_`` say which ``param_grid``
    point and which rate of ``learning_rates_`` each one is.

    Parameters
    ----------
    search : LearningRateSearchCV
        A fitted search.
    values : array-like of shape (n_candidates, ...)
        One value (or array) per candidate.

    Returns
    -------
    ndarray of shape (n_points, n_rates, ...)
        Row p, column r: the candidate of point p and rate ``learning_rates_[r]``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklr import LearningRateSearchCV, MLPClassifier
    >>> from sklr.search import by_point
    >>> X, y = load_iris(return_X_y=True)
    >>> search = LearningRateSearchCV(
    ...     MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0),
    ...     [0.01, 0.1], param_grid={"batch_size": [16, 32, 64]}, cv=2,
    ...     refit=False).fit(X, y)
    >>> by_point(search, search.cv_results_["mean_test_score"]).shape
    (3, 2)
    """
    values = np.asarray(values)
    n_points = int(search.point_index_.max()) + 1
    out = np.empty(
        (n_points, len(search.learning_rates_), *values.shape[1:]), dtype=values.dtype
    )
    out[search.point_index_, search.rate_index_] = values
    return out


def point_params(search):
    """The ``param_grid`` point of each row of :func:`by_point`.

    Parameters
    ----------
    search : LearningRateSearchCV
        A fitted search.

    Returns
    -------
    list of dict
        One dict per point, the parameters without the learning rate.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklr import LearningRateSearchCV, MLPClassifier
    >>> from sklr.search import point_params
    >>> X, y = load_iris(return_X_y=True)
    >>> search = LearningRateSearchCV(
    ...     MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0),
    ...     [0.01, 0.1], param_grid={"batch_size": [16, 32]}, cv=2,
    ...     refit=False).fit(X, y)
    >>> point_params(search)
    [{'batch_size': 16}, {'batch_size': 32}]
    """
    first = {}
    for c, p in enumerate(search.point_index_):
        first.setdefault(int(p), c)
    return [
        {
            k: v
            for k, v in search.cv_results_["params"][first[p]].items()
            if not k.endswith("learning_rate")
        }
        for p in range(len(first))
    ]
