"""What one task of a search does, in a worker: fit a fold's preprocessing once,
train the stack of its rates, and score every network as ``GridSearchCV`` would.

A task returns one outcome per rate in the format of scikit-learn's
``_fit_and_score``; from there on, scikit-learn's code formats the results.
"""

import copy
import dataclasses
import time
import warnings
from dataclasses import dataclass
from traceback import format_exc

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.compose import TransformedTargetRegressor
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline
from sklearn.utils._indexing import _safe_indexing
from sklearn.utils.metadata_routing import process_routing
from sklearn.utils.validation import _num_samples

from .._threads import one_blas_thread
from ..exceptions import DivergenceWarning
from ..neural_network._stack import (
    fit_learning_rates,
    network_at,
    split_target,
)
from ._estimators import final_step
from ._sklearn import _check_method_params, _MultimetricScorer, _score


@dataclass(frozen=True)
class _Task:
    """One task: a ``param_grid`` point, a fold, and the rates to train on it."""

    point: int
    fold: int
    train: np.ndarray
    test: np.ndarray
    rates_index: np.ndarray  # positions in the search's learning_rates_
    rates: np.ndarray
    params: dict  # the point's parameters

    def restricted(self, keep):
        """The same task with only the rates at positions ``keep``."""
        return dataclasses.replace(
            self, rates_index=self.rates_index[keep], rates=self.rates[keep]
        )


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
    """A fold's clone of the estimator, fitted up to its final step (``final``:
    an sklr MLP, or any estimator with a step size), as ``fit`` does.

    The target transformation of a ``TransformedTargetRegressor`` and the
    preprocessing steps of a Pipeline are fitted once, with scikit-learn's own
    code, and shared by every rate; :meth:`assemble` puts a trained network
    where the MLP was, giving the fitted estimator ``GridSearchCV`` would score.
    """

    def __init__(self, model, X_train, y_train, sample_weight, pre_params=None):
        model, self.target = split_target(model)
        inner, fit_y = model, y_train
        if self.target is not None:
            fit_y = self.target.fit_transform(y_train)
            inner = clone(model)
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
        self.final, _ = final_step(inner)  # an sklr MLP, or any estimator
        self.sample_weight = sample_weight

    def transform_y(self, y):
        """A target as the MLP sees it (transformed as ``ttr.fit`` does)."""
        return y if self.target is None else self.target.transform(y)

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
        if self.target is not None:
            ttr = copy.copy(self.target.ttr)
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
    """Train the stack of rates on the fold (a ``StackFit``)."""
    mlp = fold.final
    with context.propagate_callback_context(mlp), warnings.catch_warnings():
        context.call_on_fit_task_begin(estimator=caller, X=fold.X_train, y=fold.fit_y)
        warnings.simplefilter("ignore", DivergenceWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        # said once by the search, not once per fold from the workers
        warnings.filterwarnings("ignore", message="Got `batch_size`")
        return fit_learning_rates(
            mlp,
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


@dataclass
class _Fitting:
    """What the fits of a task are given: the MLP's sample weights, and (with
    metadata routing) the parameters routed to a Pipeline's preprocessing."""

    sample_weight: np.ndarray | None
    pre_params: dict
    rate_param: str | None = None  # None: sklr's stacked MLPs; else fitted one by one


def _failed_task(task, scoring, error, fit_time):
    """The outcome of a task whose fit raised, as ``_fit_and_score``'s."""
    point, fold, test, rates_index = task.point, task.fold, task.test, task.rates_index
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


def _score_task(fitted, data, scoring):
    """Outcomes, unscored flags and messages of every fitted estimator (None
    where it diverged: not scored, the parent gives it ``error_score``)."""
    X_train, y_train, params_train, X_test, y_test, params_test = data
    outcomes, unscored, messages = [], [], []
    for est in fitted:
        start = time.perf_counter()
        outcome = {"fit_error": None, "n_test_samples": _num_samples(X_test)}
        failed, messages_k = [], []
        if est is None:
            outcome["test_scores"] = np.nan
            if scoring.return_train_score:
                outcome["train_scores"] = np.nan
        else:
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


def _baseline_scores(estimator, fold, data, scoring, untrained=True):
    """Test scores of the network at its initial weights (NaN when
    ``untrained`` is False: an estimator that is not a stack of networks) and of
    a model that ignores the features (``DummyClassifier()`` or
    ``DummyRegressor()``), NaN where the scorer fails; no warning."""
    X_train, y_train, _, X_test, y_test, params = data
    dummy = DummyClassifier() if is_classifier(estimator) else DummyRegressor()
    scores = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dummy.fit(X_train, y_train, sample_weight=fold.sample_weight)
        for est in (fold.assemble(fold.final) if untrained else None, dummy):
            if est is None:
                scores.append(np.nan)
                continue
            try:  # a baseline never fails the search, even with error_score="raise"
                scores.append(
                    _score(est, X_test, y_test, scoring.scorer, params, np.nan)
                )
            except Exception:
                scores.append(np.nan)
    return scores


def _fold_data(task, X, y, fitting):
    """A task's training and test data, the MLP's (or final step's) sample
    weights and the parameters routed to a Pipeline's preprocessing."""
    train, test = task.train, task.test
    X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
    X_test, y_test = _safe_indexing(X, test), _safe_indexing(y, test)
    sw = fitting.sample_weight
    sw = None if sw is None else _safe_indexing(sw, train)
    pre_params = _check_method_params(X, fitting.pre_params, indices=train)
    return X_train, y_train, X_test, y_test, sw, pre_params


def _score_data(task, X, split, scoring):
    """What the scorer is given on the training and the test folds."""
    X_train, y_train, X_test, y_test = split
    return (
        X_train,
        y_train,
        _check_method_params(X, scoring.score_params, indices=task.train),
        X_test,
        y_test,
        _check_method_params(X, scoring.score_params, indices=task.test),
    )


def _fit_task(task_id, task, estimator, X, y, scoring, fitting, context, caller):  # noqa: PLR0913 - one picklable call per joblib task
    """Train a stack of rates on one fold and score every network.

    A fit that raises (of the preprocessing, or of the stack) gives every rate
    of the task ``error_score`` and its traceback, as ``_fit_and_score`` does.
    """
    rates = task.rates
    with one_blas_thread():
        start = time.perf_counter()
        model = clone(estimator).set_params(**clone(task.params, safe=False))
        X_train, y_train, X_test, y_test, sw, pre_params = _fold_data(
            task, X, y, fitting
        )
        try:
            fold = _FoldFit(model, X_train, y_train, sw, pre_params)
            result = _train_stack(fold, X_test, y_test, rates, context, caller)
        except Exception:
            if scoring.error_score == "raise":
                raise
            fit_time = time.perf_counter() - start
            return task_id, _failed_task(task, scoring, format_exc(), fit_time)
        fit_time = time.perf_counter() - start
        data = _score_data(task, X, (X_train, y_train, X_test, y_test), scoring)
        fitted = (  # one network at a time, as it is scored
            None
            if result.diverged[k]
            else fold.assemble(network_at(fold.final, result, k))
            for k in range(len(result.learning_rates))
        )
        outcomes, unscored, messages = _score_task(fitted, data, scoring)
        untrained, dummy = _baseline_scores(estimator, fold, data, scoring)
    context.call_on_fit_task_end(estimator=caller, X=fold.X_train, y=fold.fit_y)
    for outcome in outcomes:
        outcome["fit_time"] = fit_time / len(outcomes)
    diverged = np.asarray(result.diverged)
    return task_id, _TaskResult(
        task.point,
        task.fold,
        task.rates_index,
        outcomes,
        unscored,
        messages,
        untrained,
        dummy,
        result.loss,
        result.held_out_loss,
        diverged,
        np.where(diverged, result.stop_epoch, 0),
    )
