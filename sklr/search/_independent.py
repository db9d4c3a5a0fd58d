"""The task of a search over any estimator that is not an sklr MLP: one fold, one
rate, fitted as ``GridSearchCV`` fits it.

The fold's preprocessing (a Pipeline's steps, a ``TransformedTargetRegressor``'s
target transformation) is fitted with scikit-learn's own code, then the final
step at the task's rate; a fit that raises because its numbers blew up, or whose
weights or outputs are not finite, is "diverged" (not scored), any other failure
is a fit error (``error_score``), and the estimator's per-iteration curves, when
it has any, become the task's loss curves.
"""

import time
import warnings
from traceback import format_exc

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from ._estimators import (
    EXPLOSION_FACTOR,
    curves,
    epoch_of,
    has_non_finite,
    is_divergence,
)
from ._tasks import (
    _baseline_scores,
    _failed_task,
    _fold_data,
    _FoldFit,
    _score_data,
    _score_task,
    _TaskResult,
)


def _eval_set(final, fold, X_seen, y_test):
    """XGBoost's and LightGBM's fit record the losses of an ``eval_set``
    (training and test fold) per round, which changes nothing of the model
    without early stopping; known by the class's module, not by importing it.
    ``X_seen`` is the test fold as the final step sees it."""
    module = type(final).__module__.split(".")[0]
    if module not in ("xgboost", "lightgbm"):
        return {}
    evals = [(fold.X_train, fold.fit_y), (X_seen, fold.transform_y(y_test))]
    return {"eval_set": evals, **({"verbose": False} if module == "xgboost" else {})}


def _fit_final(fold, X_test, y_test):
    """Fit the fold's final step; return ``(diverged, epoch, loss, held_out)``:
    whether it blew up, in which epoch (1-based), and its curves (nothing after
    that epoch, as for sklr's networks)."""
    final = fold.final
    X_seen = fold.transform_X(X_test)
    params = {} if fold.sample_weight is None else {"sample_weight": fold.sample_weight}
    params.update(_eval_set(final, fold, X_seen, y_test))
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)  # overflow: an outcome
            final.fit(fold.X_train, fold.fit_y, **params)
    except Exception as exc:
        if not is_divergence(exc):
            raise
        loss, held_out = _curve_arrays(final)  # what it recorded before
        epoch = max(epoch_of(exc) or len(loss), 1)
    else:
        loss, held_out = _curve_arrays(final)
        epoch = _exploded(loss[:, 0])
        if not epoch and has_non_finite(final, X_seen, fold.fit_y):
            epoch = max(len(loss), 1)
    if epoch:
        loss[epoch:], held_out[epoch:] = np.nan, np.nan
    return bool(epoch), epoch, loss, held_out


def _exploded(training):
    """The first epoch (1-based) whose training loss is not finite or exceeds
    ``EXPLOSION_FACTOR`` times the first epoch's, else 0."""
    if training is None or not len(training):
        return 0
    with np.errstate(invalid="ignore", over="ignore"):
        bad = ~np.isfinite(training) | (
            np.abs(training) > EXPLOSION_FACTOR * abs(training[0])
        )
    return int(np.argmax(bad)) + 1 if bad.any() else 0


def _curve_arrays(final):
    """The task's (training, held-out) loss curves, shaped (n_epochs, 1): what
    the fitted estimator recorded (before it blew up, when it did)."""
    try:
        training, held = curves(final)
    except (AttributeError, TypeError, ValueError):  # a fit that raised midway
        training, held = None, None
    training = np.zeros(0) if training is None else np.array(training, dtype=float)
    if held is None or len(held) != len(training):
        held = np.full(len(training), np.nan)
    return training[:, None], np.array(held, dtype=float)[:, None]  # copies


def _fit_one(task_id, task, estimator, X, y, scoring, fitting, context, caller):  # noqa: PLR0913 - one picklable call per joblib task, as _fit_task
    """Fit ``estimator`` at the task's one rate on its fold, and score it.

    A fit that raises for another reason gives the rate ``error_score`` and its
    traceback, as ``_fit_and_score`` does (``error_score="raise"`` re-raises).
    """
    start = time.perf_counter()
    params = {**clone(task.params, safe=False), fitting.rate_param: task.rates[0]}
    model = clone(estimator).set_params(**params)
    X_train, y_train, X_test, y_test, sw, pre_params = _fold_data(task, X, y, fitting)
    context.call_on_fit_task_begin(estimator=caller, X=X_train, y=y_train)
    try:
        fold = _FoldFit(model, X_train, y_train, sw, pre_params)
        diverged, epoch, loss, held_out = _fit_final(fold, X_test, y_test)
    except Exception:
        if scoring.error_score == "raise":
            raise
        return task_id, _failed_task(
            task, scoring, format_exc(), time.perf_counter() - start
        )
    fit_time = time.perf_counter() - start
    data = _score_data(task, X, (X_train, y_train, X_test, y_test), scoring)
    fitted = [None if diverged else fold.assemble(fold.final)]
    outcomes, unscored, messages = _score_task(fitted, data, scoring)
    outcomes[0]["fit_time"] = fit_time
    _, dummy = _baseline_scores(estimator, fold, data, scoring, untrained=False)
    context.call_on_fit_task_end(estimator=caller, X=X_train, y=y_train)
    return task_id, _TaskResult(
        task.point,
        task.fold,
        task.rates_index,
        outcomes,
        unscored,
        messages,
        np.nan,
        dummy,
        loss,
        held_out,
        np.array([diverged]),
        np.array([epoch]),
    )
