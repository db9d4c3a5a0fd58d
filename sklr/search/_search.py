"""``LearningRateSearchCV`` and ``learning_rate_curve``: the sensitivity analysis,
a ``BaseSearchCV`` whose tasks train every rate of a fold at once."""

import time
import warnings
from numbers import Integral, Real
from pathlib import Path

import numpy as np
import sklearn
from joblib import Parallel, delayed
from joblib import hash as joblib_hash
from sklearn.base import clone, is_classifier
from sklearn.callback import with_callbacks
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import ParameterGrid, check_cv
from sklearn.utils.validation import indexable

from .._outdir import write_text
from .._sklearn import (
    BaseSearchCV,
    HasMethods,
    Interval,
    StrOptions,
    _check_method_params,
    _insert_error_scores,
    _MultimetricScorer,
    _warn_or_raise_about_fit_failures,
)
from .._validation import check_learning_rates, tidy_rates
from ..exceptions import (
    BaselineWarning,
    CheckpointWarning,
    DivergedRatesWarning,
    EdgeOfStabilityWarning,
    GridEdgeWarning,
    NoGoodRangeWarning,
    NoUsableScoreError,
    RangeTestWarning,
    RefitConvergenceWarning,
    TargetScaleWarning,
)
from ..lr_finder import lr_find
from ..neural_network._stack import interrupts_propagate, target_scale_note, unwrap
from ._checkpoint import (
    Store,
    UnidentifiableError,
    _read_seed,
    callable_identity,
    reuse,
    save,
)
from ._diagnosis import diagnose, epoch_budgets, next_rate_unstable, stable_choice
from ._families import DESCENT_GRID, step_size
from ._results import _fill_diverged, _first_of_each
from ._scoring import Scoring
from ._sweep import Candidates, Layout, _rank, candidates, collect
from ._tasks import Fitting, Job, plan, run_task

#: Default grid: 1e-5 to 10, two points per decade (13 rates). Plain SGD on
#: standardised inputs learns somewhere in 1e-4 .. 1; the grid reaches a decade
#: beyond on each side so that both arms of the U are visible.
DEFAULT_LEARNING_RATES = DESCENT_GRID

#: learning_rates="auto": half the width, in decades, of the grid around the
#: range test's suggestion (chosen on the validity benchmark: +-1 decade found the
#: full grid's best within half a decade in 97% of the tasks, +-1.5 in 100%).
AUTO_HALF_WIDTH = 1.5

#: The callback task names of a search's tasks: scikit-learn's
#: "candidate-split-evaluation" where a task is one candidate on one split (one
#: fit per rate), and "stacked-split-evaluation" where it trains several
#: candidates (the rates of a split) at once.
TASK_NAMES = {False: "candidate-split-evaluation", True: "stacked-split-evaluation"}


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
    estimator : estimator, Pipeline or TransformedTargetRegressor
        Any scikit-learn estimator with a step size (or a Pipeline ending in
        one, or either inside a ``TransformedTargetRegressor``). sklr's
        ``MLPClassifier`` / ``MLPRegressor`` (solvers 'sgd' and 'adam') are
        trained as a stack: every rate of a fold at once, on shared
        mini-batches. Any other estimator is fitted once per fold and rate,
        exactly as ``GridSearchCV`` fits it; see ``param``.

    learning_rates : array-like of float, "auto" or None, default=None
        The grid of rates (positive, finite, at least 2). None means the
        default grid of the estimator's family (``sklr.search.GRIDS``): for
        step sizes of gradient descent (MLPs, SGD) ``DEFAULT_LEARNING_RATES``,
        1e-5 to 10 with two points per decade; for boosting 1e-3 to 3.16.
        ``"auto"`` (sklr's MLPs only) runs the range test
        (:func:`~sklr.lr_find`, rule "fall") on the whole data first, and sweeps
        the rates ``10**(k/2)`` within ``AUTO_HALF_WIDTH`` (1.5) decades of its
        suggestion: 6 or 7 rates instead
        of 13 (the default grid when the range test has no answer, with a
        warning). On sklr's validity benchmark its best rate is within half a
        decade of the full grid's best in every task.

    param : str, default=None
        The step-size parameter (with a Pipeline's ``step__`` prefix). None
        finds it by the estimator's parameters: ``learning_rate`` of sklr's
        MLPs, ``learning_rate_init`` of scikit-learn's MLPs, ``eta0`` of
        ``SGDClassifier`` / ``SGDRegressor`` / ``Perceptron`` (an error when
        ``learning_rate='optimal'`` ignores it), or a numeric (or None)
        ``learning_rate``: gradient boosting, AdaBoost, XGBoost, LightGBM,
        CatBoost. An estimator without one is an error that lists the
        parameters that might be one.

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

    choice : {'stable', 'top'}, default='stable'
        Which candidate is the best (``best_index_``, ``best_params_``, the
        refit). 'top': the best mean score, as ``GridSearchCV`` chooses.
        'stable': the same, unless the next rate above it diverged, oscillated
        or failed on a fold and a lower rate of the good range is stable, has a
        stable next rate, and scores within ``STABLE_CHOICE_SE`` (0.5) standard
        errors of it: the highest-scoring such rate, a step away from
        instability (the one-standard-error rule). ``top_learning_rate_`` keeps
        the top score's rate. A callable ``refit`` chooses by itself.

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
        After the grid, spread ``refine_points`` rates log-uniformly over the
        decade centred on the best rate, and evaluate and add to the results
        those that are not grid rates already. On the default grid (two rates a
        decade) both ends of that decade are grid rates when the best is inside
        the grid, so 4 of the 6 are added; at an edge, 5.

    refine_points : int, default=6
        Number of rates spread over the decade of the refinement, its two ends
        included.

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
        The learning rate of the best candidate (see ``choice``).
    epoch_budgets_ : EpochBudgets or None
        The best rate for each epoch budget (``epoch_budgets_.best_rates[e - 1]``:
        the lowest mean held-out loss after ``e`` epochs, among the rates that
        had not diverged by then), at the best candidate's ``param_grid`` point,
        from the curves the search recorded (no extra training); None when the
        family records no held-out loss per epoch. Smaller rates need more
        epochs: with a short budget the best rate is often larger.
    top_learning_rate_ : float
        The learning rate of the best mean score (``GridSearchCV``'s choice):
        ``best_learning_rate_`` unless ``choice='stable'`` stepped away from a
        rate next to instability.
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
        (the share of rising epochs averaged over the folds); ``"too_high"`` if
        its rate lies above the good range (with no good range: above the best
        rate and significantly worse than it) with no such rises seen, or no
        loss curve recorded; ``"too_low"``
        otherwise (learning too slowly).
    baseline_scores_ : ndarray of shape (n_param_grid_points, n_splits)
        The baseline's test score on each fold: the better of a model that
        ignores the features (``DummyClassifier()``, the class prior, or
        ``DummyRegressor()``, the mean) and the network at its initial weights
        (a rate that learns nothing), with the search's scorer.
    range_test_ : LRFinderResult
        With ``learning_rates="auto"``: the range test that chose the grid.
    sweep_result_ : SweepResult
        Every rate of every ``param_grid`` point on every fold, laid out once
        (arrays over points x rates x folds, per metric), from which every
        other fitted attribute, ``cv_results_``, the Displays and the command's
        files are read.
    loss_curves_ : ndarray of shape (n_candidates, n_splits, n_epochs)
        Training loss per epoch; NaN after a network stopped, ``inf`` or a value
        above the divergence threshold where it diverged. For other estimators,
        the per-iteration curve they expose: ``loss_curve_`` of scikit-learn's
        MLP, ``train_score_`` of gradient boosting (the loss of each stage),
        ``-train_score_`` of ``HistGradientBoosting*`` with early stopping on
        the loss, ``evals_result()`` of XGBoost / LightGBM (fitted with the
        training fold as an ``eval_set``); ``n_epochs`` is 0 when none has one.
    validation_loss_curves_ : ndarray of shape (n_candidates, n_splits, n_epochs)
        Held-out loss after each epoch, on what the family measures it
        (``sweep_result_.layout.held_out``: the test fold for sklr's MLPs and
        XGBoost's / LightGBM's second ``eval_set``; ``HistGradientBoosting*``'s
        early-stopping split); NaN where the family records none.
    diverged_ : ndarray of bool, shape (n_candidates, n_splits)
        Whether each fit diverged.
    diverged_epoch_ : ndarray of int, shape (n_candidates, n_splits)
        The epoch (1-based) in which it diverged; 0 if it did not.
    learning_rates_ : ndarray
        The rates evaluated (grid, then refinement).
    param_ : str
        The step-size parameter searched (the key of the rate in
        ``best_params_`` and ``cv_results_["params"]``).
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
        "param": [str, None],
        "param_grid": [dict, list, None],
        "scoring": [StrOptions(set()), str, callable, list, tuple, dict, None],
        "cv": ["cv_object"],
        "n_jobs": [Integral, None],
        "refit": ["boolean", str, callable],
        "choice": [StrOptions({"stable", "top"})],
        "return_train_score": ["boolean"],
        "verbose": ["verbose"],
        "error_score": [StrOptions({"raise"}), Real],
        "refine": ["boolean"],
        "refine_points": [Interval(Integral, 2, None, closed="left")],
        "checkpoint_dir": [str, Path, None],
    }

    def __init__(  # noqa: PLR0913 - scikit-learn: every hyperparameter is an __init__ argument
        self,
        estimator,
        learning_rates=None,
        *,
        param=None,
        param_grid=None,
        scoring=None,
        cv=5,
        n_jobs=None,
        refit=True,
        choice="stable",
        return_train_score=False,
        verbose=0,
        error_score=np.nan,
        refine=False,
        refine_points=6,
        checkpoint_dir=None,
    ):
        self.estimator = estimator
        self.learning_rates = learning_rates
        self.param = param
        self.param_grid = param_grid
        self.scoring = scoring
        self.cv = cv
        self.n_jobs = n_jobs
        self.refit = refit
        self.choice = choice
        self.return_train_score = return_train_score
        self.verbose = verbose
        self.error_score = error_score
        self.refine = refine
        self.refine_points = refine_points
        self.checkpoint_dir = checkpoint_dir

    # ------------------------------------------------------------------ fitting
    def _prepare_estimator(self):
        """A clone of the estimator with a fixed seed, the ``param_grid``
        points, and the step size (``param_``; ``self._step``), found on the
        estimator as the first point sets it (a Pipeline step may be None until
        ``param_grid`` sets it, as in ``GridSearchCV``)."""
        points = self._raw_points()
        probe = clone(self.estimator).set_params(**clone(points[0], safe=False))
        self._step = step_size(probe, self.param)
        self.param_ = self._step.name
        self._step.family.check(self._step.step)
        self._check_points(points)
        estimator = clone(self.estimator)
        seeded = self._step.step.get_params(deep=False).get("random_state", 0)
        name = self._step.prefix + "random_state"
        if seeded is None and name in estimator.get_params(deep=True):
            # one seed for every task and the refit: the paired design needs the
            # same initial weights and mini-batches in every task (kept with the
            # checkpoints, so that a resumed search reuses them); a step that
            # param_grid sets keeps its own
            estimator.set_params(**{name: self._seed()})
        return estimator, points

    def _raw_points(self):
        return [{}] if self.param_grid is None else list(ParameterGrid(self.param_grid))

    def _check_points(self, points):
        """Names are checked before any training (a bad value fails its fits,
        which score ``error_score``)."""
        for point in points:
            if self.param_ in point:
                raise ValueError(
                    "The 'param_grid' parameter must not contain the learning rate "
                    f"({self.param_}): give the rates as 'learning_rates'."
                )
            clone(self.estimator).set_params(**clone(point, safe=False))

    def __getstate__(self):
        """The state to pickle or save, without the step size found by ``fit``
        (a working value of the fit; ``param_`` keeps its name)."""
        state = dict(super().__getstate__())  # object's is the __dict__ itself
        state.pop("_step", None)
        return state

    def _seed(self):
        """One seed for the whole search (the estimator's own ``random_state``
        is None), drawn from a new ``np.random.default_rng()`` (fresh entropy,
        never numpy's global generator), so it is new at each fit, as an
        estimator's would be; kept in
        ``checkpoint_dir/seed.txt`` so that a resumed search draws the same one
        (a file that is not a seed is replaced, with a warning: the saved
        results then no longer match)."""
        if getattr(self, "_seed_value", None) is not None:
            return self._seed_value
        path = None
        if self.checkpoint_dir is not None:
            path = Path(self.checkpoint_dir) / "seed.txt"
            seed = _read_seed(path)
            if seed is not None:
                self._seed_value = seed
                return seed
        seed = int(np.random.default_rng().integers(np.iinfo(np.int32).max))
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:  # a new file renamed over the name: never written through a link
                write_text(path, str(seed))
            except OSError as exc:
                warnings.warn(
                    f"cannot save the seed in {path} ({exc.strerror}): a resumed "
                    "search will not reuse this one's results.",
                    CheckpointWarning,
                    stacklevel=5,
                )
        self._seed_value = seed
        return seed

    def _rates(self, estimator, X, y, sample_weight):
        """The grid of rates, checked (``"auto"`` runs the range test)."""
        family = self._step.family
        if isinstance(self.learning_rates, str):  # "auto"
            if not family.range_test:
                raise ValueError(
                    "learning_rates='auto' runs the range test, which trains sklr's "
                    f"MLPs only; give {type(self._step.step).__name__} a grid of "
                    "rates (or None for its family's default grid)."
                )
            grid = self._auto_grid(estimator, X, y, sample_weight)
        elif self.learning_rates is None:
            grid = family.default_grid
        else:
            grid = self.learning_rates
        rates = check_learning_rates(grid, "learning_rates", min_size=2)
        if len(np.unique(rates)) != len(rates):
            raise ValueError(
                f"The 'learning_rates' parameter contains duplicates: {rates.tolist()}."
            )
        return rates

    def _run_tasks(self, tasks, job, context):
        """Run the tasks in parallel; with ``checkpoint_dir``, reuse and save them.

        Each finished task is saved as one record per rate as soon as it arrives
        (an interrupted search keeps its finished work). Rates whose record
        exists and matches its task are not trained again, however the rates
        are split into tasks (see ``sklr.search._checkpoint``).
        """
        store = self._store(job)
        done, todo = [], []
        for task in tasks:
            reused, rest = reuse(store, task)
            done += reused
            if rest is not None:
                todo.append(rest)
        search_ctx = context.subcontext(
            task_name="search", max_subtasks=len(todo), sequential_subtasks=False
        ).call_on_fit_task_begin(estimator=self)
        name = TASK_NAMES[self._step.family.stacked]
        contexts = [
            search_ctx.subcontext(task_name=name, task_id=i) for i in range(len(todo))
        ]
        parallel = Parallel(
            n_jobs=self.n_jobs, verbose=self.verbose, return_as="generator_unordered"
        )
        outputs = parallel(
            delayed(run_task)(i, task, job, ctx, self)
            for i, (task, ctx) in enumerate(zip(todo, contexts))
        )
        for i, output in outputs:
            done.append(output)
            save(store, todo[i], output)
        search_ctx.call_on_fit_task_end(estimator=self)
        return done

    def _store(self, job):
        """The checkpoint store, or None (no ``checkpoint_dir``, or a scorer or
        estimator whose computation cannot be identified: then a warning)."""
        if self.checkpoint_dir is None:
            return None
        scoring, fitting = job.scoring, job.fitting
        try:
            common = joblib_hash(
                (
                    callable_identity(job.estimator.get_params(deep=True)),
                    job.X,
                    job.y,
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
                CheckpointWarning,
                stacklevel=5,
            )
            return None
        multimetric = isinstance(scoring.scorer, _MultimetricScorer)
        if callable(self.scoring):  # a callable may return a dict
            multimetric = None
        max_epochs = self._step.family.max_epochs(self._step.step)
        store = Store(self.checkpoint_dir, common, multimetric, max_epochs)
        store.warn_foreign()
        return store

    def _routed(self, X, groups, sample_weight, estimator):
        """What goes to the splitter, the scorer, the fits and the refit, routed
        as ``GridSearchCV`` routes it. Without metadata routing, only
        ``sample_weight`` is accepted, and it reaches the final step (not a
        Pipeline's other steps); with it, each step gets what it requests."""
        given = {"groups": groups, "sample_weight": sample_weight}
        params = _check_method_params(
            X, params={k: v for k, v in given.items() if v is not None}
        )
        routed = self._get_routed_params_for_fit(params)
        fit_params = dict(routed.estimator.fit)
        if sklearn.get_config()["enable_metadata_routing"]:
            parts = unwrap(estimator)
            requested = parts.final.get_metadata_routing().fit.requests.get(
                "sample_weight"
            )
            weights = fit_params.get("sample_weight") if requested else None
            return (
                routed,
                Fitting(weights, fit_params if parts.pipelines else {}),
                fit_params,
            )
        weights = fit_params.pop("sample_weight", None)
        if fit_params:
            raise ValueError(
                "LearningRateSearchCV passes only sample_weight to the MLP's fit; "
                f"got the fit parameters {sorted(fit_params)}."
            )
        weights = None if weights is None else np.asarray(weights)
        return routed, Fitting(weights, {}), None

    def _splits(self, X, y, split_params):
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        self.n_splits_ = cv.get_n_splits(X, y, **split_params)
        splits = list(cv.split(X, y, **split_params))
        if len(splits) != self.n_splits_:
            raise ValueError(
                "cv.split and cv.get_n_splits return inconsistent results. "
                f"Expected {self.n_splits_} splits, got {len(splits)}"
            )
        if not splits:
            raise ValueError(
                "No fits were performed. Was the CV iterator empty? "
                "Were there no candidates?"
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
            Sample weights, passed to the final step (not to preprocessing
            steps) and, as in ``GridSearchCV``, to the scorer when it accepts
            them.

        Returns
        -------
        self : LearningRateSearchCV
            The fitted search.
        """
        self._validate_params()
        self._seed_value = None
        estimator, points = self._prepare_estimator()
        rates = self._rates(estimator, X, y, sample_weight)
        scorers, refit_metric = self._get_scorers()
        self._scorers = scorers
        X, y = indexable(X, y)
        routed, fitting, refit_params = self._routed(
            X, groups, sample_weight, estimator
        )
        splits = self._splits(X, y, routed.splitter.split)
        self._warn_large_batches(points, splits)
        context = self._init_callback_context(
            max_subtasks=None if self.refine else 1 + (self.refit is not False)
        ).call_on_fit_task_begin(estimator=self, X=X, y=y)
        scoring = Scoring(
            scorers, routed.scorer.score, self.return_train_score, self.error_score
        )
        job = Job(estimator, X, y, self._step, scoring, fitting)
        sweep = self._sweep(job, points, splits, rates, context, refit_metric)
        note = target_scale_note(estimator, y)
        self._set_results(
            sweep, note if self._step.family.target_scale_matters else None
        )
        self.scorer_ = getattr(scorers, "_scorers", scorers)
        if self.refit:
            self._refit(
                estimator, X, y, self._refit_params(refit_params, fitting), context
            )
        context.call_on_fit_task_end(estimator=self, X=X, y=y)
        return self

    def _refit_params(self, refit_params, fitting):
        """What the refit's ``fit`` is given: the routed parameters, or the
        sample weights for the final step."""
        if refit_params is not None:
            return refit_params
        weights = fitting.sample_weight
        name = self._step.prefix.removeprefix("regressor__") + "sample_weight"
        return {} if weights is None else {name: weights}

    def _sweep(self, job, points, splits, rates, context, refit_metric):
        """Train and score the grid (and its refinement): the ``SweepResult``."""
        results = self._evaluate(job, points, splits, (rates, 0), context)
        sweep = self._collect(results, points, [rates], refit_metric)
        if self.refine:
            extra = self._refinement(self._grid_best_rate(sweep), rates)
            if len(extra):
                results += self._evaluate(
                    job, points, splits, (extra, len(rates)), context
                )
                sweep = self._collect(results, points, [rates, extra], refit_metric)
        return sweep

    def _evaluate(self, job, points, splits, grid, context):
        """Train and score one grid of rates (``(rates, offset)``: their
        position in ``learning_rates_``); fit failures warn (or raise) as in
        ``GridSearchCV``."""
        rates, offset = grid
        tasks = plan(
            points, splits, rates, offset, self.n_jobs, self._step.family.stacked
        )
        results = self._run_tasks(tasks, job, context)
        failed = [{"fit_error": r.fit_error} for t in results for r in t.records]
        _warn_or_raise_about_fit_failures(failed, self.error_score)
        return results

    def _collect(self, results, points, grids, refit_metric):
        """The ``SweepResult`` of the rounds' results (``grids``: the rates of
        each round, in order)."""
        params, where, offset = [], [], 0
        for rates in grids:
            p, w = candidates(self.param_grid, self.param_, rates, offset)
            params += p
            where.append(w)
            offset += len(rates)
        metrics, multimetric = self._metrics(results)
        key = refit_metric if refit_metric in metrics else metrics[0]
        if callable(self.scoring) and multimetric:
            self._check_refit_for_multimetric(dict.fromkeys(metrics))
            key = self.refit if isinstance(self.refit, str) else metrics[0]
        family = self._step.family
        layout = Layout(
            learning_rates=np.concatenate(grids),
            points=tuple(
                {k: v for k, v in params[c].items() if k != self.param_}
                for c in _first_of_each(np.concatenate(where)[:, 0])
            ),
            n_splits=self.n_splits_,
            param=self.param_,
            unit=family.unit,
            loss_label=family.loss_label(self._step.step),
            held_out=family.held_out,
            family=family.name,
            error_score=np.nan if self.error_score == "raise" else self.error_score,
        )
        cands = Candidates(params, np.concatenate(where), metrics, key, multimetric)
        return collect(results, layout, cands)

    def _metrics(self, results):
        """The metrics scored, and whether there are several (a callable
        scorer tells by what it returned)."""
        if isinstance(self._scorers, _MultimetricScorer):
            return tuple(self._scorers._scorers), True
        for t in results:
            for r in t.records:
                if isinstance(r.test_scores, dict):
                    return tuple(r.test_scores), True
        return ("score",), False

    def _results_of(self, sweep):
        """``cv_results_`` of a ``SweepResult``, formatted by scikit-learn's
        ``_format_results``, unusable candidates ranked last."""
        outcomes = sweep.outcomes()
        if callable(self.scoring):
            _insert_error_scores(outcomes, self.error_score)
        diverged = sweep.candidate(sweep.diverged).ravel()
        names = getattr(self._scorers, "_scorers", None)
        _fill_diverged(outcomes, diverged, self.error_score, names)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            results = self._format_results(sweep.params, sweep.n_splits, outcomes)
        self._say_non_finite(caught, sweep, diverged)
        unusable = sweep.candidate(sweep.unusable).any(axis=1)
        for m in sweep.metrics:  # the documented difference: unusable ranks last
            results[f"rank_test_{m}"] = _rank(results[f"mean_test_{m}"], unusable)
        return results

    def _say_non_finite(self, caught, sweep, diverged):
        """scikit-learn's warnings of ``_format_results``, except its "scores
        are non-finite" when the non-finite candidates are diverged rates:
        sklr's ``DivergedRatesWarning`` says which, in its words."""
        non_finite = ~np.isfinite(sweep.mean_scores())
        explained = bool(non_finite.any()) and bool(
            sweep.candidate(sweep.diverged).any(axis=1)[non_finite].all()
        )
        for w in caught:
            if explained and str(w.message).startswith("One or more of the"):
                continue
            warnings.warn(w.message, w.category, stacklevel=6)
        if explained:
            rates = sorted(
                {
                    float(p[self.param_])
                    for p, bad in zip(sweep.params, non_finite)
                    if bad
                }
            )
            warnings.warn(
                f"{len(rates)} learning rate(s) diverged on at least one fold "
                f"({', '.join(f'{r:.3g}' for r in rates)}): they score error_score "
                f"({self.error_score}) in cv_results_, are never chosen, and are "
                "diagnosed 'diverged' (diagnosis_, diverged_).",
                DivergedRatesWarning,
                stacklevel=6,
            )

    def _grid_best_rate(self, sweep):
        """The best rate of the grid (round one), NaN when there is none; no
        attribute is set, no warning given (the search gives them once, after
        the refinement)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = self._results_of(sweep)
        best = self._best_index(sweep, results)
        return np.nan if best is None else float(sweep.params[best][self.param_])

    def _best_index(self, sweep, results):
        """The best candidate as ``GridSearchCV`` chooses it, or None (none is
        usable, or ``refit=False`` with several metrics)."""
        if sweep.candidate(sweep.unusable).any(axis=1).all():
            return None
        if self.refit is False and sweep.multimetric:
            return None
        return int(self._select_best_index(self.refit, sweep.refit_metric, results))

    def _set_results(self, sweep, target_note):
        """Every fitted attribute, once, from the ``SweepResult`` and its
        diagnosis; then the warnings of an unclear answer."""
        diagnosis = diagnose(sweep)
        self.sweep_result_ = sweep
        self.multimetric_ = sweep.multimetric
        self._warn_scoring_failures(sweep)
        results = self._results_of(sweep)
        pi, ri = sweep.point_index, sweep.rate_index
        self.point_index_, self.rate_index_ = pi, ri
        self.learning_rates_ = sweep.learning_rates
        self.diverged_ = sweep.candidate(sweep.diverged)
        self.diverged_epoch_ = sweep.candidate(sweep.diverged_epoch)
        self.loss_curves_ = sweep.candidate(sweep.loss)
        self.validation_loss_curves_ = sweep.candidate(sweep.held_out_loss)
        self.diagnosis_ = diagnosis.labels[pi, ri]
        self.baseline_scores_ = sweep.baseline[sweep.refit_metric]
        results["diagnosis"] = self.diagnosis_
        results["diverged_fraction"] = self.diverged_.mean(axis=1)
        self.epoch_budgets_ = epoch_budgets(sweep, 0)  # (kept if no best is usable)
        self._choose_best(sweep, diagnosis, results, target_note)
        best = getattr(self, "best_index_", None)
        if best is not None and sweep.point_index[best] != 0:
            self.epoch_budgets_ = epoch_budgets(sweep, sweep.point_index[best])
        self.cv_results_ = results  # as GridSearchCV: only once a best is chosen
        self._warn_unclear_answers(sweep, target_note)

    def _choose_best(self, sweep, diagnosis, results, target_note):
        """``best_*`` as ``GridSearchCV`` sets them, and the good range of the
        best candidate's ``param_grid`` point; no candidate usable is an error,
        whatever ``refit``."""
        for name in (
            "best_index_",
            "best_score_",
            "best_params_",
            "best_learning_rate_",
            "top_learning_rate_",
        ):
            self.__dict__.pop(name, None)
        self.good_range_ = diagnosis.good_range(0)
        if sweep.candidate(sweep.unusable).any(axis=1).all():
            self.good_range_ = (np.nan, np.nan)
            self.cv_results_ = results  # kept, to show what failed
            unscored = sweep.candidate(sweep.unusable & ~sweep.diverged)
            raise self._no_usable_score(unscored, target_note)
        best = self._best_index(sweep, results)
        if best is None:
            return
        self.top_learning_rate_ = float(results["params"][best][self.param_])
        if self.choice == "stable" and not callable(self.refit):
            best = stable_choice(sweep, diagnosis, best)
        self.best_index_ = best
        if not callable(self.refit):
            key = f"mean_test_{sweep.refit_metric}"
            self.best_score_ = results[key][best]
        self.best_params_ = results["params"][best]
        self.best_learning_rate_ = float(self.best_params_[self.param_])
        self.good_range_ = diagnosis.good_range(sweep.point_index[best])

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
                stacklevel=5,
            )
            return DEFAULT_LEARNING_RATES
        half = np.arange(
            np.ceil(2 * (np.log10(center) - AUTO_HALF_WIDTH) - 1e-9),
            np.floor(2 * (np.log10(center) + AUTO_HALF_WIDTH) + 1e-9) + 1,
        )
        return tidy_rates(10.0 ** (half / 2))

    def _warn_large_batches(self, points, splits):
        """Once, here: a batch size larger than a training fold is clipped to
        it (an sklr MLP warns so in each fold's fit, which the tasks silence)."""
        default = self._step.family.batch_size(self._step.step)
        if default is None:
            return
        key = self._step.prefix + "batch_size"
        sizes = {point.get(key, default) for point in points}
        smallest = min(len(train) for train, _ in splits)
        large = sorted(b for b in sizes if b != "auto" and b > smallest)
        if large and self._step.family.stacked:
            warnings.warn(
                f"batch_size {', '.join(map(str, large))} is larger than the "
                f"smallest training fold ({smallest} samples): it is clipped to "
                "the fold's size, so those points train with full batches.",
                UserWarning,
                stacklevel=4,
            )

    def _warn_scoring_failures(self, sweep):
        """scikit-learn's "Scoring failed" warnings, given in the workers, and
        the tasks' notes (a baseline that could not be fitted), once each in
        this process (whatever the backend)."""
        messages = list(sweep.messages)
        self._first_score_error = messages[0] if messages else None
        for message in dict.fromkeys(messages):
            warnings.warn(message, UserWarning, stacklevel=5)
        for note in sweep.notes:
            warnings.warn(note, BaselineWarning, stacklevel=5)

    def _warn_unclear_answers(self, sweep, target_note):
        """Warn when no rate beats the baseline, when the best rate is at an edge
        of the grid, or when the target's scale is the cause of divergence."""
        best = getattr(self, "best_index_", None)
        rates = self.learning_rates_
        unstable = None if best is None else next_rate_unstable(sweep, best)
        if unstable is not None and np.isfinite(self.good_range_[0]):
            warnings.warn(
                f"The best learning rate ({self.best_learning_rate_:.3g}) is next to "
                f"a rate that diverged, oscillated or failed ({unstable:.3g}), and no "
                "lower rate of the good range scores as well: a little more rate, "
                "data or epochs may diverge. Check its loss curves "
                "(LossCurveDisplay).",
                EdgeOfStabilityWarning,
                stacklevel=5,
            )
        if best is not None and self.best_learning_rate_ in (rates.min(), rates.max()):
            warnings.warn(
                f"The best learning rate ({self.best_learning_rate_:.3g}) is at an "
                "edge of the grid: better rates may lie beyond it. Widen the grid.",
                GridEdgeWarning,
                stacklevel=5,
            )
        if target_note and (self.diagnosis_ == "diverged").mean() > 0.5:
            warnings.warn(
                f"Most learning rates diverged, and {target_note}: "
                "standardise it, e.g. with TransformedTargetRegressor(estimator, "
                "transformer=StandardScaler()), which LearningRateSearchCV accepts.",
                TargetScaleWarning,
                stacklevel=5,
            )
        if best is not None and np.isnan(self.good_range_[0]):
            point = sweep.point_index[best]
            warnings.warn(
                "No learning rate scored clearly better than the baseline (the "
                "better of a model that ignores the features and the network at its "
                f"initial weights; mean score {self.baseline_scores_[point].mean():.4g}"
                f", best candidate's {sweep.mean_scores()[best]:.4g}): good_range_ is "
                "(nan, nan) and no rate is diagnosed 'good'. Train longer (max_iter), "
                "widen the grid, or check that the features predict the target and "
                "that the scorer fits it.",
                NoGoodRangeWarning,
                stacklevel=5,
            )

    def _refinement(self, best_rate, rates):
        if not np.isfinite(best_rate):
            return np.array([])
        candidates = np.logspace(
            np.log10(best_rate) - 0.5, np.log10(best_rate) + 0.5, self.refine_points
        )
        known = np.isclose(candidates[:, None], rates[None, :], rtol=1e-9).any(axis=1)
        return tidy_rates(candidates[~known])

    def _refit(self, estimator, X, y, fit_params, context):
        """Refit the best candidate on all the data, as ``GridSearchCV`` does."""
        self.best_estimator_ = clone(estimator).set_params(
            **clone(self.best_params_, safe=False)
        )
        subcontext = context.subcontext(task_name="refit-with-best-params")
        with subcontext.propagate_callback_context(self.best_estimator_):
            subcontext.call_on_fit_task_begin(estimator=self, X=X, y=y)
            start = time.time()
            with warnings.catch_warnings(record=True) as caught, interrupts_propagate():
                warnings.simplefilter("always")
                self.best_estimator_.fit(X, y, **fit_params)
            self.refit_time_ = time.time() - start
        _reissue(caught, self._refit_budget_note)
        subcontext.call_on_fit_task_end(estimator=self, X=X, y=y)
        if hasattr(self.best_estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.best_estimator_.feature_names_in_

    def _refit_budget_note(self):
        """The words of a :class:`RefitConvergenceWarning` for this search."""
        rate = self.best_params_[self.param_]
        budget = next(
            (
                value
                for name, value in self.best_estimator_.get_params().items()
                if name.split("__")[-1] == "max_iter"
            ),
            None,
        )
        said = f"max_iter={budget}" if budget is not None else "its iteration budget"
        return (
            f"The refit at the best learning rate ({rate:.3g}) stopped at {said} "
            "while its loss was still falling (scikit-learn's ConvergenceWarning). "
            "Every rate was compared at this budget, so this is the best rate for "
            "it; with more epochs a lower rate may do better (epoch_budgets_ shows "
            "how the best rate moves with the budget)."
        )

    def _no_usable_score(self, unscored, target_note):
        """The error raised when no candidate has a usable score."""
        reason, what = _why_unusable(self.diverged_, unscored)
        advice = {
            "diverged": "lower the grid (it starts at "
            f"{self.learning_rates_.min():.3g}), standardise the features (if they "
            "are not)"
            + (
                f", and standardise the target ({target_note}: wrap the "
                "estimator in TransformedTargetRegressor(..., "
                "transformer=StandardScaler()))"
                if target_note
                else ""
            )
            + self._step.family.divergence_hint(self._step.step),
            "scoring_failed": "choose a scorer that fits the task (with more than "
            "two classes, e.g. 'f1_macro' rather than 'f1', 'roc_auc_ovr' rather "
            "than 'roc_auc'), and for scorers that need every class in every test "
            "fold (e.g. 'neg_log_loss') shuffled stratified folds "
            "(StratifiedKFold(shuffle=True)); the first error was "
            + (
                getattr(self, "_first_score_error", None)
                or "none: the scores were not finite"
            ),
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


def _why_unusable(diverged, unscored):
    """``(reason, what happened)`` when no candidate is usable: ``diverged``
    and ``unscored`` are ``(n_candidates, n_splits)``."""
    n = len(diverged)
    some_diverged = diverged.any(axis=1)
    some_unscored = unscored.any(axis=1)
    if not some_unscored.any():
        return (
            "diverged",
            f"every one of the {n} candidates diverged on at least one fold",
        )
    if unscored[~diverged].all():
        also = (
            f" ({int(some_diverged.sum())} diverged on some fold)"
            if some_diverged.any()
            else ""
        )
        return "scoring_failed", (
            "the scorer failed (or gave no finite score) on every fit of the "
            f"{n} candidates{also}"
        )
    return "both", (
        f"of the {n} candidates, {int(some_diverged.sum())} diverged and "
        f"the scorer failed (or gave no finite score) on "
        f"{int(some_unscored.sum())}"
    )


def learning_rate_curve(  # noqa: PLR0913 - mirrors sklearn.model_selection.validation_curve
    estimator,
    X,
    y,
    learning_rates=None,
    *,
    param=None,
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
    (``param_name="learning_rate"``): same inputs, same outputs, but a diverged
    rate gets ``error_score`` instead of an error, and for sklr's MLPs every rate
    of a fold is trained at once on the stacked engine (other estimators with a
    step size are fitted one rate at a time, as ``validation_curve`` fits them).

    Parameters
    ----------
    estimator : estimator with a step size, or a Pipeline ending in one
        As in :class:`LearningRateSearchCV`.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    learning_rates : array-like of float, default=None
        None means the default grid of the estimator's family (for sklr's MLPs
        ``DEFAULT_LEARNING_RATES``, 1e-5 to 10, two per decade).
    param : str, default=None
        The step-size parameter, as in :class:`LearningRateSearchCV`.
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
        param=param,
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
    results = search.cv_results_  # scikit-learn's columns: error_score inserted
    splits = range(search.n_splits_)
    train = np.column_stack([results[f"split{k}_train_score"] for k in splits])
    test = np.column_stack([results[f"split{k}_test_score"] for k in splits])
    return train, test


def _reissue(caught, budget_note):
    """Show again the warnings a refit raised, scikit-learn's
    ``ConvergenceWarning`` as sklr's :class:`RefitConvergenceWarning` (once,
    in the words ``budget_note()`` gives)."""
    converged_said = False
    for record in caught:
        if issubclass(record.category, ConvergenceWarning) and not issubclass(
            record.category, RefitConvergenceWarning
        ):
            if not converged_said:
                warnings.warn(budget_note(), RefitConvergenceWarning, stacklevel=5)
            converged_said = True
            continue
        warnings.warn_explicit(
            record.message, record.category, record.filename, record.lineno
        )
