"""The learning-rate sensitivity analysis: every rate of a fold trained at once.

:class:`LearningRateSearchCV` cross-validates an sklr MLP (or a Pipeline ending
in one) over a grid of learning rates, optionally crossed with a grid of other
parameters. Each task — one fold, one point of ``param_grid``, and all its
rates (or a chunk of them) — trains a stack of networks that share the initial
weights and the mini-batch order (a paired design), so that rates are compared
on equal terms and the Python overhead of a mini-batch is paid once for all of
them. Tasks run through ``joblib.Parallel``: ``n_jobs`` and any active joblib
backend (loky, threading, Dask, Ray) apply, and the results are the same bits
whatever the backend, because every task runs its BLAS on one thread.
"""

import time
import warnings
from dataclasses import dataclass
from numbers import Integral, Real
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from joblib import hash as joblib_hash
from scipy import stats
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.callback import CallbackSupportMixin, with_callbacks
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import check_scoring
from sklearn.model_selection import ParameterGrid, check_cv
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils._indexing import _safe_indexing
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, indexable
from threadpoolctl import threadpool_limits

from ._checkpoints import Store, UnidentifiableError, callable_identity
from ._outdir import write_text
from ._validation import check_learning_rates
from .exceptions import (
    DivergenceWarning,
    NoGoodRangeWarning,
    NoUsableScoreError,
    RangeTestWarning,
    TargetScaleWarning,
)
from .lr_finder import lr_find
from .neural_network import _final_mlp, split_target, target_scale_note

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
    """What one task (fold x param_grid point x rate chunk) returns."""

    point: int
    fold: int
    rates_index: np.ndarray
    test_scores: list
    test_errors: list
    train_scores: list | None
    train_errors: list | None
    untrained_score: float | dict
    dummy_score: float | dict
    loss: np.ndarray
    held_out_loss: np.ndarray
    diverged: np.ndarray
    diverged_epoch: np.ndarray
    fit_time: float
    score_time: float


def _score(scorer, estimator, X, y, multimetric, error_score):
    """``(score, None)``, or ``(nan, message)`` when the scorer fails."""
    try:
        value = scorer(estimator, X, y)
    except Exception as exc:
        if error_score == "raise":
            raise
        return np.nan, f"{type(exc).__name__}: {exc}"
    if multimetric:
        return {k: float(v) for k, v in value.items()}, None
    return float(value), None


def _score_stack(networks, X, y, scorer, multimetric, error_score):
    """Scores and scoring errors (None where it worked) of every network."""
    pairs = [_score(scorer, net, X, y, multimetric, error_score) for net in networks]
    return [p[0] for p in pairs], [p[1] for p in pairs]


@dataclass
class _Fold:
    """One fold's data: raw (for scoring), and as the MLP sees it (for fitting)."""

    X_train: object
    X_test: object
    y_train: object
    y_test: object
    fit_X_train: object
    fit_X_test: object
    fit_y_train: object
    fit_y_test: object
    sample_weight: object


def _split_fold(model, target, X, y, train, test, sample_weight):
    """Index a fold, fit the target transformation and the Pipeline's
    preprocessing on its training part (shared by every rate of the stack)."""
    X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
    X_test, y_test = _safe_indexing(X, test), _safe_indexing(y, test)
    fit_y_train, fit_y_test = y_train, y_test
    if target is not None:  # TransformedTargetRegressor: fitted on the fold
        fit_y_train = target.fit_transform(y_train)
        fit_y_test = target.transform(y_test)
    fit_X_train, fit_X_test = X_train, X_test
    if isinstance(model, Pipeline) and len(model.steps) > 1:
        pre = model[:-1]
        fit_X_train = pre.fit_transform(X_train, fit_y_train)
        fit_X_test = pre.transform(X_test)
    sw = None if sample_weight is None else _safe_indexing(sample_weight, train)
    return _Fold(
        X_train,
        X_test,
        y_train,
        y_test,
        fit_X_train,
        fit_X_test,
        fit_y_train,
        fit_y_test,
        sw,
    )


def _score_networks(mlp, result, target, fold, scored, return_train_score):
    """Test (and train) scores and errors of every network of ``result``, and the
    test score of the untrained network (``mlp`` keeps its initial weights)."""
    networks = [mlp._network(result, k) for k in range(len(result.learning_rates))]
    networks.append(mlp)
    if target is not None:
        networks = [target.wrap(net, np.ndim(fold.y_train)) for net in networks]
    test_scores, test_errors = _score_stack(
        networks, fold.fit_X_test, fold.y_test, *scored
    )
    untrained = test_scores.pop()
    test_errors.pop()
    networks.pop()
    train_scores = train_errors = None
    if return_train_score:
        train_scores, train_errors = _score_stack(
            networks, fold.fit_X_train, fold.y_train, *scored
        )
    return test_scores, test_errors, train_scores, train_errors, untrained


def _train_stack(mlp, fold, rates, context, caller):
    """Train the stack of rates on the fold; its result and held-out losses."""
    with context.propagate_callback_context(mlp), warnings.catch_warnings():
        context.call_on_fit_task_begin(
            estimator=caller, X=fold.fit_X_train, y=fold.y_train
        )
        warnings.simplefilter("ignore", DivergenceWarning)
        warnings.simplefilter("ignore", ConvergenceWarning)
        return mlp._fit_learning_rates(
            fold.fit_X_train,
            fold.fit_y_train,
            rates,
            sample_weight=fold.sample_weight,
            X_held_out=fold.fit_X_test,
            y_held_out=fold.fit_y_test,
        )


def _fit_task(
    task_id,
    task,
    estimator,
    X,
    y,
    scorer,
    multimetric,
    return_train_score,
    error_score,
    fit_params,
    context,
    caller,
):
    """Train a stack of rates on one fold and score every network."""
    point, fold_index, train, test, rates_index, rates, params = task
    with threadpool_limits(limits=1, user_api="blas"):
        start = time.perf_counter()
        model, target = split_target(clone(estimator).set_params(**params))
        mlp, _ = _final_mlp(model)
        fold = _split_fold(
            model, target, X, y, train, test, fit_params.get("sample_weight")
        )
        dummy = _dummy_score(estimator, fold, scorer, multimetric)
        result, held_out = _train_stack(mlp, fold, rates, context, caller)
        fit_time = time.perf_counter() - start
        start = time.perf_counter()
        scores = _score_networks(
            mlp,
            result,
            target,
            fold,
            (scorer, multimetric, error_score),
            return_train_score,
        )
        score_time = time.perf_counter() - start
    context.call_on_fit_task_end(estimator=caller, X=fold.fit_X_train, y=fold.y_train)
    diverged = result.diverged
    return task_id, _TaskResult(
        point,
        fold_index,
        rates_index,
        *scores,
        dummy,
        result.history.as_arrays()[0],
        held_out,
        diverged,
        np.where(diverged, result.stop_epoch, 0),
        fit_time,
        score_time,
    )


def _score_errors(outputs):
    """The messages of every failed scoring (test and train) of the tasks."""
    return [
        e
        for o in outputs
        for e in (*o.test_errors, *(o.train_errors or ()))
        if e is not None
    ]


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


def _reuse(store, task):
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
            reused.append(_from_record(record, point, fold, index))
    if not missing:
        return reused, None
    rest = (point, fold, train, test, rates_index[missing], rates[missing], params)
    return reused, rest


def _save(store, task, output):
    """Save one record per rate of a finished task."""
    point, fold, train, test, rates_index, rates, params = task
    n = len(rates_index)
    for k, rate in enumerate(rates):
        loss = np.empty(0) if output.loss is None else output.loss[:, k]
        held = output.held_out_loss
        store.save(
            store.key(params, (train, test), rate),
            {
                "test_score": output.test_scores[k],
                "test_error": output.test_errors[k],
                "train_score": None
                if output.train_scores is None
                else output.train_scores[k],
                "train_error": None
                if output.train_errors is None
                else output.train_errors[k],
                "untrained": output.untrained_score,
                "dummy": output.dummy_score,
                "loss": loss,
                "held_out": np.full(len(loss), np.nan) if held is None else held[:, k],
                "diverged": bool(output.diverged[k]),
                "diverged_epoch": int(output.diverged_epoch[k]),
                "fit_time": float(output.fit_time / n),
                "score_time": float(output.score_time / n),
            },
        )


def _from_record(record, point, fold, index):
    """A saved record as the result of a one-rate task."""
    train = record["train_score"]
    return _TaskResult(
        point,
        fold,
        np.array([index]),
        [record["test_score"]],
        [record["test_error"]],
        None if train is None else [train],
        None if train is None else [record["train_error"]],
        record["untrained"],
        record["dummy"],
        record["loss"][:, None],
        record["held_out"][:, None],
        np.array([record["diverged"]]),
        np.array([record["diverged_epoch"]]),
        record["fit_time"],
        record["score_time"],
    )


@dataclass
class _Gathered:
    """The task outputs as arrays over (param_grid point, rate, fold)."""

    test: dict
    train: dict
    fit_time: np.ndarray
    score_time: np.ndarray
    diverged: np.ndarray
    unscored: np.ndarray
    diverged_epoch: np.ndarray
    untrained: dict
    dummy: dict
    loss: np.ndarray
    held_out: np.ndarray


def _gather(outputs, shape, metrics, multimetric):
    """Place every task's output in arrays of ``shape`` = (P, R, F) (scores NaN
    where a fit diverged or failed to score; losses with an epoch axis)."""
    P, R, F = shape
    n_epochs = max(len(o.loss) if o.loss is not None else 0 for o in outputs)
    g = _Gathered(
        *({m: np.full(shape, np.nan) for m in metrics} for _ in range(2)),
        np.zeros(shape),
        np.zeros(shape),
        np.zeros(shape, dtype=bool),
        np.zeros(shape, dtype=bool),
        np.zeros(shape, dtype=int),
        *({m: np.full((P, F), np.nan) for m in metrics} for _ in range(2)),
        np.full((*shape, n_epochs), np.nan),
        np.full((*shape, n_epochs), np.nan),
    )

    def pick(value, metric):
        return value[metric] if multimetric and isinstance(value, dict) else value

    for o in outputs:
        idx = (o.point, o.rates_index, o.fold)
        g.diverged[idx] = o.diverged
        g.unscored[idx] = [e is not None for e in o.test_errors]
        g.diverged_epoch[idx] = o.diverged_epoch
        g.fit_time[idx] = o.fit_time / len(o.rates_index)
        g.score_time[idx] = o.score_time / len(o.rates_index)
        if o.loss is not None:
            g.loss[o.point, o.rates_index, o.fold, : len(o.loss)] = o.loss.T
            g.held_out[o.point, o.rates_index, o.fold, : len(o.loss)] = (
                o.held_out_loss.T
            )
        for m in metrics:
            g.untrained[m][o.point, o.fold] = pick(o.untrained_score, m)
            g.dummy[m][o.point, o.fold] = pick(o.dummy_score, m)
            for store, scores, errors in (
                (g.test, o.test_scores, o.test_errors),
                (g.train, o.train_scores, o.train_errors),
            ):
                if scores is not None:
                    values = [
                        np.nan if e is not None else pick(v, m)
                        for v, e in zip(scores, errors)
                    ]
                    store[m][idx] = np.where(o.diverged, np.nan, values)
    return g


class LearningRateSearchCV(CallbackSupportMixin, MetaEstimatorMixin, BaseEstimator):
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
        Score given to a diverged network, and to a fit or scoring that fails
        ('raise' re-raises such failures; a diverged network then gets NaN).
        Whatever its value, a candidate that diverged or failed to score on any
        fold ranks after every other one and is never in ``good_range_``; when
        no candidate is left, ``fit`` raises ``NoUsableScoreError``.

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
        ``GridSearchCV``'s layout (``params``, ``param_*``,
        ``split{k}_test_score``, ``mean_test_score``, ``std_test_score``,
        ``rank_test_score``, fit and score times, train scores when asked; with
        several metrics, one set per metric), plus ``diagnosis`` and
        ``diverged_fraction``. One candidate per (param_grid point, rate); the fit
        time of a candidate is its task's time shared equally among its rates.
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
        ``"unscored"`` if the scorer failed (or gave NaN) on any fold;
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

    def _param_points(self, prefix):
        if self.param_grid is None:
            return [{}]
        points = list(ParameterGrid(self.param_grid))
        for point in points:
            if prefix + "learning_rate" in point or "learning_rate" in point:
                raise ValueError(
                    "The 'param_grid' parameter must not contain the learning rate: "
                    "give the rates as 'learning_rates'."
                )
        return points

    def _tasks(self, points, splits, rates, offset):
        """One task per (param_grid point, fold), its rates split in chunks when
        that balances the workers better.

        Chunks interleave the rates (every n-th rate), so that fast-diverging
        and slow-learning rates are spread evenly; the stacked computation of a
        network does not depend on its chunk, so neither do the results.
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

    def _run_tasks(
        self, tasks, estimator, X, y, scorer, multimetric, fit_params, context
    ):
        """Run the tasks in parallel; with ``checkpoint_dir``, reuse and save them.

        Each finished task is saved as one record per rate as soon as it arrives
        (an interrupted search keeps its finished work). Rates whose record
        exists and matches its task are not trained again, however the rates
        are split into tasks (see ``sklr._checkpoints``).
        """
        store = self._store(estimator, X, y, scorer, fit_params)
        done, todo = [], []
        for task in tasks:
            reused, rest = _reuse(store, task)
            done += reused
            if rest is not None:
                todo.append(rest)
        contexts = [context.subcontext(task_name="fold-rates") for _ in todo]
        parallel = Parallel(
            n_jobs=self.n_jobs, verbose=self.verbose, return_as="generator_unordered"
        )
        outputs = parallel(
            delayed(_fit_task)(
                i,
                task,
                estimator,
                X,
                y,
                scorer,
                multimetric,
                self.return_train_score,
                self.error_score,
                fit_params,
                ctx,
                self,
            )
            for i, (task, ctx) in enumerate(zip(todo, contexts))
        )
        for i, output in outputs:
            done.append(output)
            if store is not None:
                _save(store, todo[i], output)
        return done

    def _store(self, estimator, X, y, scorer, fit_params):
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
                    fit_params,
                    callable_identity(scorer),
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
        mlp, _ = _final_mlp(split_target(estimator)[0])
        return Store(self.checkpoint_dir, common, self.multimetric_, mlp.max_iter)

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
            Sample weights, passed to the MLP (not to preprocessing steps).

        Returns
        -------
        self : LearningRateSearchCV
            The fitted search.
        """
        self._validate_params()
        estimator, prefix = self._prepare_estimator()
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
        points = self._param_points(prefix)
        for point in points:  # bad names or values fail here, before any training
            clone(estimator).set_params(**point)
        X, y, groups = indexable(X, y, groups)
        fit_params = (
            {}
            if sample_weight is None
            else {"sample_weight": np.asarray(sample_weight)}
        )
        cv = check_cv(self.cv, y, classifier=is_classifier(estimator))
        splits = list(cv.split(X, y, groups))
        self.n_splits_ = len(splits)
        self.multimetric_ = isinstance(self.scoring, list | tuple | dict)
        scorer = check_scoring(estimator, self.scoring)
        self._scorer_names = list(getattr(scorer, "_scorers", {"score": None}))
        self._check_refit()
        context = self._init_callback_context(max_subtasks=None).call_on_fit_task_begin(
            estimator=self, X=X, y=y
        )

        self._target_note = target_scale_note(estimator, y)
        run = (estimator, X, y, scorer, self.multimetric_, fit_params, context)
        outputs = self._run_tasks(self._tasks(points, splits, rates, 0), *run)
        if self.refine:
            self._first_score_error = next(iter(_score_errors(outputs)), None)
            best_rate = self._collect(outputs, points, rates, prefix)
            extra = self._refinement(best_rate, rates)
            if len(extra):
                outputs += self._run_tasks(
                    self._tasks(points, splits, extra, len(rates)), *run
                )
                rates = np.concatenate([rates, extra])
        self._warn_scoring_failures(outputs)  # once, for the grid and refinement
        self._collect(outputs, points, rates, prefix)
        self._warn_unclear_answers()
        self.scorer_ = getattr(scorer, "_scorers", scorer)
        if self.refit:
            self._refit(estimator, X, y, prefix, fit_params, context)
        context.call_on_fit_task_end(estimator=self, X=X, y=y)
        return self

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
                stacklevel=3,
            )
            return DEFAULT_LEARNING_RATES
        half = np.arange(
            np.ceil(2 * (np.log10(center) - AUTO_HALF_WIDTH) - 1e-9),
            np.floor(2 * (np.log10(center) + AUTO_HALF_WIDTH) + 1e-9) + 1,
        )
        return 10.0 ** (half / 2)

    def _warn_scoring_failures(self, outputs):
        """One warning, as GridSearchCV's, for the fits whose scoring failed."""
        errors = _score_errors(outputs)
        self._first_score_error = errors[0] if errors else None
        if errors:
            n_fits = sum(len(o.test_errors) for o in outputs)
            warnings.warn(
                f"Scoring failed on {len(errors)} of {n_fits} fits (test and "
                "train scores counted together). The score of these fits is "
                f"set to error_score={self.error_score}. The first error: "
                f"{errors[0]}",
                UserWarning,
                stacklevel=3,
            )

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
            point = self.best_index_ // len(self.learning_rates_)
            warnings.warn(
                "No learning rate scored clearly better than the baseline (the "
                "better of a model that ignores the features and the network at its "
                f"initial weights; mean score {self.baseline_scores_[point].mean():.4g}"
                ", best candidate's "
                f"{self.best_score_:.4g}): good_range_ is (nan, nan) and no rate is "
                "diagnosed 'good'. Train longer (max_iter), widen the grid, or check "
                "that the features predict the target and that the scorer fits it.",
                NoGoodRangeWarning,
                stacklevel=3,
            )

    def _check_refit(self):
        if self.multimetric_ and self.refit is not False and not callable(self.refit):
            names = (
                list(self.scoring)
                if not isinstance(self.scoring, dict)
                else list(self.scoring.keys())
            )
            if not isinstance(self.refit, str) or self.refit not in names:
                raise ValueError(
                    "With several metrics in 'scoring', the 'refit' parameter must be "
                    f"False, a callable or one of {names}; got {self.refit!r}."
                )

    def _refinement(self, best_rate, rates):
        if not np.isfinite(best_rate):
            return np.array([])
        candidates = np.logspace(
            np.log10(best_rate) - 0.5, np.log10(best_rate) + 0.5, self.refine_points
        )
        known = np.isclose(candidates[:, None], rates[None, :], rtol=1e-9).any(axis=1)
        return candidates[~known]

    def _refit(self, estimator, X, y, prefix, fit_params, context):
        self.best_estimator_ = clone(estimator).set_params(
            **clone(self.best_params_, safe=False)
        )
        routed = {prefix + k: v for k, v in fit_params.items()}
        subcontext = context.subcontext(task_name="refit-with-best-params")
        with subcontext.propagate_callback_context(self.best_estimator_):
            subcontext.call_on_fit_task_begin(estimator=self, X=X, y=y)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                self.best_estimator_.fit(X, y, **routed)
            self.refit_time_ = time.perf_counter() - start
        subcontext.call_on_fit_task_end(estimator=self, X=X, y=y)
        if hasattr(self.best_estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.best_estimator_.feature_names_in_

    # --------------------------------------------------------------- results
    def _collect(self, outputs, points, rates, prefix):
        """Turn task outputs into the fitted attributes; return the best rate."""
        P, R, F = len(points), len(rates), self.n_splits_
        metrics = self._metric_names(outputs)
        g = _gather(outputs, (P, R, F), metrics, self.multimetric_)
        key = self._refit_metric(metrics)
        # the better, fold by fold, of the dummy and the untrained network
        self.baseline_scores_ = np.fmax(g.dummy[key], g.untrained[key])
        raw = g.test[key]  # before error_score: NaN where diverged or unscored
        unusable = g.diverged | g.unscored | ~np.isfinite(raw)
        failed = np.nan if self.error_score == "raise" else float(self.error_score)
        for scores in (*g.test.values(), *g.train.values()):
            scores[g.diverged | g.unscored] = failed
        n_epochs = g.loss.shape[-1]
        self.learning_rates_ = rates
        self.diverged_ = g.diverged.reshape(P * R, F)
        self.diverged_epoch_ = g.diverged_epoch.reshape(P * R, F)
        self.loss_curves_ = g.loss.reshape(P * R, F, n_epochs)
        self.validation_loss_curves_ = g.held_out.reshape(P * R, F, n_epochs)
        ranges, diagnosis = zip(
            *(
                _diagnose(
                    rates,
                    g.test[key][p],
                    g.diverged[p],
                    g.loss[p],
                    unusable=unusable[p],
                    baseline=self.baseline_scores_[p],
                )
                for p in range(P)
            )
        )
        self.diagnosis_ = np.concatenate(diagnosis)
        unusable = unusable.reshape(P * R, F)
        self.cv_results_ = self._format_results(
            points, rates, prefix, g.test, g.train, g.fit_time, g.score_time, unusable
        )
        self.cv_results_["diagnosis"] = self.diagnosis_
        self.cv_results_["diverged_fraction"] = self.diverged_.mean(axis=1)
        self.good_range_ = (np.nan, np.nan)  # if no candidate is usable
        self._choose_best(key, unusable.any(axis=1), g.unscored.reshape(P * R, F))
        best_point = self.best_index_ // R if hasattr(self, "best_index_") else 0
        self.good_range_ = ranges[best_point]
        return self.best_learning_rate_ if hasattr(self, "best_index_") else np.nan

    def _no_usable_score(self, unscored):
        """The error raised when no candidate has a usable score."""
        n = len(self.diverged_)
        some_diverged = self.diverged_.any(axis=1)
        some_unscored = unscored.any(axis=1)
        if not some_unscored.any():
            reason = "diverged"
            what = f"every one of the {n} candidates diverged on at least one fold"
        elif some_unscored.all():
            reason = "scoring_failed"
            what = f"the scorer failed on every one of the {n} candidates"
        else:
            reason = "both"
            what = (
                f"of the {n} candidates, {int(some_diverged.sum())} diverged and "
                f"the scorer failed on {int(some_unscored.sum())}"
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
            f"than 'roc_auc'); the first error was {self._first_score_error}",
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

    def _metric_names(self, outputs):
        if not self.multimetric_:
            return ["score"]
        for o in outputs:  # the first scoring that worked names the metrics
            for value in o.test_scores:
                if isinstance(value, dict):
                    return list(value)
        return list(self._scorer_names)

    def _refit_metric(self, metrics):
        if self.multimetric_ and isinstance(self.refit, str):
            return self.refit
        return metrics[0]

    def _format_results(
        self, points, rates, prefix, test, train, fit_time, score_time, unusable
    ):
        P, R, F = len(points), len(rates), self.n_splits_
        params = [
            {**point, prefix + "learning_rate": float(rate)}
            for point in points
            for rate in rates
        ]
        results = {}
        for name, times in (("fit_time", fit_time), ("score_time", score_time)):
            flat = times.reshape(P * R, F)
            results[f"mean_{name}"] = flat.mean(axis=1)
            results[f"std_{name}"] = flat.std(axis=1)
        for key in sorted({k for p in params for k in p}):
            values = [p.get(key) for p in params]
            mask = [key not in p for p in params]
            try:
                arr = np.array(
                    values, dtype=float if key.endswith("learning_rate") else None
                )
                if arr.ndim != 1 or arr.dtype.kind not in "biuf":
                    raise ValueError
            except (ValueError, TypeError):
                arr = np.empty(len(values), dtype=object)
                arr[:] = values
            results[f"param_{key}"] = np.ma.MaskedArray(arr, mask=mask)
        results["params"] = params
        for split_name, scores in (("test", test), ("train", train)):
            if split_name == "train" and not self.return_train_score:
                continue
            for metric, values in scores.items():
                suffix = "score" if not self.multimetric_ else metric
                flat = values.reshape(P * R, F)
                for f in range(F):
                    results[f"split{f}_{split_name}_{suffix}"] = flat[:, f]
                results[f"mean_{split_name}_{suffix}"] = flat.mean(axis=1)
                results[f"std_{split_name}_{suffix}"] = flat.std(axis=1)
                if split_name == "test":
                    results[f"rank_test_{suffix}"] = _rank(
                        flat.mean(axis=1), unusable.any(axis=1)
                    )
        return results

    def _choose_best(self, key, unusable, unscored):
        suffix = "score" if not self.multimetric_ else key
        if self.refit is False and self.multimetric_:
            return
        if unusable.all():
            raise self._no_usable_score(unscored)
        if callable(self.refit):
            self.best_index_ = int(self.refit(self.cv_results_))
        else:
            self.best_index_ = int(np.argmin(self.cv_results_[f"rank_test_{suffix}"]))
        self.best_params_ = self.cv_results_["params"][self.best_index_]
        self.best_score_ = float(
            self.cv_results_[f"mean_test_{suffix}"][self.best_index_]
        )
        self.best_learning_rate_ = float(
            self.cv_results_["params"][self.best_index_][
                next(k for k in self.best_params_ if k.endswith("learning_rate"))
            ]
        )

    # ------------------------------------------------------------ delegation
    def _check_refitted(self):
        check_is_fitted(self, "best_estimator_")
        return True

    @available_if(lambda self: self._estimator_has("predict"))
    def predict(self, X):
        """Predict with the refitted best estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray
        """
        self._check_refitted()
        return self.best_estimator_.predict(X)

    @available_if(lambda self: self._estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities from the refitted best estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_prob : ndarray of shape (n_samples, n_classes)
        """
        self._check_refitted()
        return self.best_estimator_.predict_proba(X)

    @available_if(lambda self: self._estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities from the refitted best estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_prob : ndarray of shape (n_samples, n_classes)
        """
        self._check_refitted()
        return self.best_estimator_.predict_log_proba(X)

    def score(self, X, y=None):
        """Score of the refitted best estimator with the refit metric.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)

        Returns
        -------
        score : float
        """
        self._check_refitted()
        scorer = self.scorer_
        if self.multimetric_:
            scorer = scorer[self.refit]
        return scorer(self.best_estimator_, X, y)

    @property
    def classes_(self):
        """Class labels of the refitted best estimator."""
        self._check_refitted()
        return self.best_estimator_.classes_

    def _estimator_has(self, attr):
        if hasattr(self, "best_estimator_"):
            return hasattr(self.best_estimator_, attr)
        return hasattr(self.estimator, attr)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        sub = self.estimator.__sklearn_tags__()
        tags.estimator_type = sub.estimator_type
        tags.classifier_tags = sub.classifier_tags
        tags.regressor_tags = sub.regressor_tags
        tags.input_tags.sparse = sub.input_tags.sparse
        return tags


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


def _dummy_score(estimator, fold, scorer, multimetric):
    """Test score of a model that ignores the features, with ``scorer``.

    ``DummyClassifier()`` (the class prior) or ``DummyRegressor()`` (the mean),
    trained on the fold's raw training part; NaN (or NaN values) when the scorer
    fails.
    """
    dummy = DummyClassifier() if is_classifier(estimator) else DummyRegressor()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dummy.fit(fold.X_train, fold.y_train, sample_weight=fold.sample_weight)
        value, _ = _score(scorer, dummy, fold.X_test, fold.y_test, multimetric, np.nan)
    return value


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
