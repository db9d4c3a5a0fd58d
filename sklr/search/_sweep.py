"""A search's result, laid out once: the :class:`SweepResult`.

``collect`` places the records of every task in arrays over (``param_grid``
point, rate, fold) and orders the candidates as ``GridSearchCV`` orders them.
The diagnosis, the fitted attributes, ``cv_results_`` (through scikit-learn's
``_format_results``), the Displays, the command's table and files are all read
from it.
"""

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import ParameterGrid

#: A candidate is drawn (and reported) as diverged when it diverged on at least
#: this fraction of the folds.
DIVERGED_MAJORITY = 0.5


def candidates(param_grid, param, rates, offset=0):
    """GridSearchCV's candidates for ``param_grid`` with ``param: rates`` added
    to every sub-grid, in its order, and the (point, rate) index of each (rate
    indices start at ``offset``): the points are those of
    ``ParameterGrid(param_grid)``."""
    grids = [{}] if param_grid is None else param_grid
    grids = [grids] if isinstance(grids, Mapping) else list(grids)
    params, where, first = [], [], 0
    rates = [float(r) for r in rates]
    for grid in grids:
        index_grid = {k: range(len(v)) for k, v in grid.items()}
        points = list(ParameterGrid(index_grid))
        position = {tuple(sorted(p.items())): i for i, p in enumerate(points)}
        for c in ParameterGrid({**index_grid, param: range(len(rates))}):
            r = c.pop(param)
            where.append((first + position[tuple(sorted(c.items()))], r + offset))
        params += list(ParameterGrid({**grid, param: rates}))
        first += len(points)
    return params, np.array(where, dtype=int).reshape(-1, 2)


def _pick(value, metric):
    return value.get(metric, np.nan) if isinstance(value, dict) else value


@dataclass(frozen=True)
class Layout:
    """What a search is over: its rates, ``param_grid`` points and folds, the
    parameter searched, and the family's labels."""

    learning_rates: np.ndarray
    points: tuple
    n_splits: int
    param: str
    unit: str = "epoch"
    loss_label: str = "loss"
    held_out: str = "the test fold"
    family: str = "estimator"
    error_score: float = np.nan  # what a diverged fit scores (NaN for "raise")


@dataclass(frozen=True)
class SweepResult:
    """Every rate of every ``param_grid`` point on every fold: the one result of
    a search (``LearningRateSearchCV.sweep_result_``).

    Built by the search (not by hand). Arrays are over ``(n_points, n_rates,
    n_splits)`` (``P, R, F``), rates in the order of ``learning_rates`` (the
    grid, then the refinement); candidates are in ``GridSearchCV``'s order.

    Parameters
    ----------
    layout : Layout
        The rates, ``param_grid`` points, number of folds, the parameter
        searched and the family's labels (``unit``, ``loss_label``, ``held_out``).
    metrics : tuple of str
        The metrics scored (``("score",)`` with one metric).
    refit_metric : str
        The metric that chooses the best candidate.
    multimetric : bool
        Whether the scorer gave several metrics.
    params : list of dict
        Each candidate's parameters, as ``cv_results_["params"]``.
    point_index, rate_index : ndarray of shape (n_candidates,)
        Each candidate's ``param_grid`` point and rate.
    scores : dict of str to ndarray of shape (P, R, F)
        The test scores per metric as the scorer gave them: ``error_score``
        where a fit or its scoring failed, NaN where it diverged.
    train_scores : dict of str to ndarray of shape (P, R, F) or None
        The training scores, with ``return_train_score=True``.
    failed : dict of str to ndarray of bool of shape (P, R, F)
        Per metric, where the fit or its scorer gave no score.
    diverged : ndarray of bool of shape (P, R, F)
        Where the fit diverged.
    diverged_epoch : ndarray of int of shape (P, R, F)
        The (1-based) epoch it diverged on; 0 where it did not.
    loss, held_out_loss : ndarray of shape (P, R, F, n_epochs)
        The training and held-out loss per epoch (NaN where nothing was
        recorded).
    baseline : dict of str to ndarray of shape (P, F)
        Per metric, the better of the untrained model and the dummy model.
    fit_time, score_time : ndarray of shape (P, R, F)
        Seconds per fit and per scoring.
    n_test : ndarray of int of shape (P, F)
        The number of test samples of each fold.
    fit_errors : tuple of (int, int, int, str)
        ``(point, rate, fold, traceback)`` of each fit that raised.
    messages : tuple of str
        The warnings the fits gave.
    notes : tuple of str
        What the search noticed on the way (a baseline it could not fit, ...).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklr import LearningRateSearchCV, MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> search = LearningRateSearchCV(
    ...     MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0),
    ...     [0.01, 0.1], param_grid={"batch_size": [16, 32]}, cv=2,
    ...     refit=False).fit(X, y)
    >>> result = search.sweep_result_
    >>> result.scores["score"].shape, result.loss.shape
    ((2, 2, 2), (2, 2, 2, 5))
    >>> result.by_point(result.mean_scores()).shape
    (2, 2)
    """

    layout: Layout
    metrics: tuple
    refit_metric: str
    multimetric: bool
    params: list
    point_index: np.ndarray
    rate_index: np.ndarray
    scores: dict
    train_scores: dict | None
    failed: dict
    diverged: np.ndarray
    diverged_epoch: np.ndarray
    loss: np.ndarray
    held_out_loss: np.ndarray
    baseline: dict
    fit_time: np.ndarray
    score_time: np.ndarray
    n_test: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), int))
    fit_errors: tuple = ()
    messages: tuple = ()
    notes: tuple = ()

    # ------------------------------------------------------------ the layout
    @property
    def learning_rates(self):
        """The rates, in the order of the arrays' rate axis."""
        return self.layout.learning_rates

    @property
    def points(self):
        """The ``param_grid`` points (dicts without the rate)."""
        return self.layout.points

    @property
    def n_splits(self):
        """The number of folds."""
        return self.layout.n_splits

    @property
    def shape(self):
        """``(n_points, n_rates, n_splits)``."""
        return self.diverged.shape

    def candidate(self, values):
        """Values over (point, rate, ...) as one row per candidate.

        Parameters
        ----------
        values : array-like of shape (P, R, ...)
            Values per point and rate.

        Returns
        -------
        ndarray of shape (n_candidates, ...)
            The values in the candidates' order.
        """
        return np.asarray(values)[self.point_index, self.rate_index]

    def by_point(self, values):
        """Per-candidate ``values`` laid out per point and rate.

        Parameters
        ----------
        values : array-like of shape (n_candidates, ...)
            Values in the candidates' order (as a ``cv_results_`` column).

        Returns
        -------
        ndarray of shape (P, R, ...)
            The values per ``param_grid`` point and rate.
        """
        values = np.asarray(values)
        out = np.empty((*self.shape[:2], *values.shape[1:]), dtype=values.dtype)
        out[self.point_index, self.rate_index] = values
        return out

    # ------------------------------------------------------------ the scores
    def usable_scores(self, metric=None):
        """The test scores the diagnosis reads.

        Parameters
        ----------
        metric : str, default=None
            The metric (the refit metric by default).

        Returns
        -------
        ndarray of shape (P, R, F)
            The scores, NaN where a fold diverged, failed or has no finite
            score.
        """
        metric = metric or self.refit_metric
        return np.where(self.failed[metric], np.nan, self.scores[metric])

    @property
    def unusable(self):
        """``(P, R, F)``: diverged, or no finite score of the refit metric."""
        return self.diverged | ~np.isfinite(self.usable_scores())

    def fold_scores(self, metric=None, train=False):
        """Each candidate's scores per fold, as ``cv_results_`` reports them.

        Parameters
        ----------
        metric : str, default=None
            The metric (the refit metric by default).
        train : bool, default=False
            The training scores instead of the test scores.

        Returns
        -------
        ndarray of shape (n_candidates, n_splits)
            ``cv_results_``'s ``split{k}_test_{metric}`` (or ``train``)
            columns: ``error_score`` where a fit diverged or failed.
        """
        metric = metric or self.refit_metric
        source = self.train_scores if train else self.scores
        if source is None:
            raise ValueError(
                "the search has no training scores: fit it with return_train_score=True"
            )
        values = np.where(self.diverged, self.layout.error_score, source[metric])
        return self.candidate(values)

    def mean_scores(self, metric=None):
        """The mean over folds of each candidate's ``fold_scores``.

        Parameters
        ----------
        metric : str, default=None
            The metric (the refit metric by default).

        Returns
        -------
        ndarray of shape (n_candidates,)
            ``cv_results_``'s ``mean_test_{metric}``.
        """
        with np.errstate(invalid="ignore"):
            return self.fold_scores(metric).mean(axis=1)

    def std_scores(self, metric=None):
        """The standard deviation over folds of each candidate's
        ``fold_scores`` (scikit-learn's formula).

        Parameters
        ----------
        metric : str, default=None
            The metric (the refit metric by default).

        Returns
        -------
        ndarray of shape (n_candidates,)
            ``cv_results_``'s ``std_test_{metric}``.
        """
        values = self.fold_scores(metric)
        with np.errstate(invalid="ignore"):
            mean = np.average(values, axis=1)
            return np.sqrt(np.average((values - mean[:, None]) ** 2, axis=1))

    def rank(self, metric=None):
        """Each candidate's rank.

        Parameters
        ----------
        metric : str, default=None
            The metric (the refit metric by default).

        Returns
        -------
        ndarray of int32 of shape (n_candidates,)
            ``cv_results_``'s ``rank_test_{metric}``: 1 is best, every
            candidate that diverged or has no finite score on a fold after
            every other.
        """
        with np.errstate(invalid="ignore"):
            means = np.average(self.fold_scores(metric), axis=1)
        return _rank(means, self.candidate(self.unusable).any(axis=1))

    # ------------------------------------------------------------ the curves
    def mostly_diverged(self, rows=slice(None)):
        """Whether each candidate diverged on most folds.

        Parameters
        ----------
        rows : slice or array-like of int, default=slice(None)
            The candidates (all by default).

        Returns
        -------
        ndarray of bool of shape (n_rows,)
            Whether each diverged on at least ``DIVERGED_MAJORITY`` of the
            folds.
        """
        return self.candidate(self.diverged)[rows].mean(axis=1) >= DIVERGED_MAJORITY

    def mean_curves(self, held_out=False, rows=None):
        """The mean over folds of each candidate's loss per epoch, as drawn
        and reported (see :func:`sklr.search.mean_curves`).

        Parameters
        ----------
        held_out : bool, default=False
            The held-out loss instead of the training loss.
        rows : array-like of int, default=None
            The candidates (all by default).

        Returns
        -------
        ndarray of shape (n_rows, n_epochs)
            The mean curves.
        """
        rows = np.arange(len(self.point_index)) if rows is None else np.asarray(rows)
        curves = self.candidate(self.held_out_loss if held_out else self.loss)
        return mean_fold_curves(curves[rows], self.candidate(self.diverged_epoch)[rows])

    # ------------------------------------------------ scikit-learn's outcomes
    def outcomes(self, rows=None):
        """The outcome of every (candidate, split), in scikit-learn's format.

        Parameters
        ----------
        rows : iterable of int, default=None
            The candidates, in order (all by default).

        Returns
        -------
        list of dict
            One dict per (candidate, split) as scikit-learn's
            ``_fit_and_score`` returns it (diverged fits have NaN scores, which
            the search replaces by ``error_score``).
        """
        rows = range(len(self.point_index)) if rows is None else rows
        errors = {(p, r, f): text for p, r, f, text in self.fit_errors}
        out = []
        for c in rows:
            p, r = int(self.point_index[c]), int(self.rate_index[c])
            for f in range(self.n_splits):
                outcome = {
                    "fit_error": errors.get((p, r, f)),
                    "test_scores": self._scores_at(self.scores, (p, r, f)),
                    "n_test_samples": int(self.n_test[p, f]),
                    "fit_time": float(self.fit_time[p, r, f]),
                    "score_time": float(self.score_time[p, r, f]),
                }
                if self.train_scores is not None:
                    outcome["train_scores"] = self._scores_at(
                        self.train_scores, (p, r, f)
                    )
                out.append(outcome)
        return out

    def _scores_at(self, scores, idx):
        """One cell's scores in the scorer's form: a dict with several
        metrics, else a number."""
        if self.multimetric:
            return {m: float(scores[m][idx]) for m in self.metrics}
        return float(scores[self.metrics[0]][idx])


def mean_fold_curves(curves, diverged_epoch):
    """The mean over folds of curves ``(n, n_folds, n_epochs)``, as drawn.

    A fold that stopped early keeps its last loss, carried forward to the
    longest fold's end; a fold's losses from the epoch it diverged on
    (``diverged_epoch``, ``(n, n_folds)``, 0 where it did not) are left out, and
    a candidate that diverged on fewer than ``DIVERGED_MAJORITY`` of its folds
    is the mean of the folds that did not diverge.
    """
    curves = np.array(curves, dtype=float)
    if curves.shape[-1] == 0:  # a model that records no curve
        return np.full(curves.shape[:1] + curves.shape[2:], np.nan)
    mostly = (diverged_epoch > 0).mean(axis=1) >= DIVERGED_MAJORITY
    epoch = np.arange(1, curves.shape[-1] + 1)
    out = (diverged_epoch[..., None] > 0) & (epoch >= diverged_epoch[..., None])
    out |= ((diverged_epoch > 0) & ~mostly[:, None])[..., None]
    curves[out] = np.nan
    stopped = (diverged_epoch == 0)[..., None] & np.isnan(curves)
    ran = np.where(np.isnan(curves), 0, epoch).max(axis=(1, 2))  # longest fold
    carried = _carry_forward(curves)
    fill = stopped & (epoch <= ran[:, None, None])
    curves[fill] = carried[fill]
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(curves, axis=1)


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


def _carry_forward(curves):
    """Each curve with its NaNs replaced by its last value before them."""
    index = np.where(np.isnan(curves), 0, np.arange(curves.shape[-1]))
    index = np.maximum.accumulate(index, axis=-1)
    return np.take_along_axis(curves, index, axis=-1)


# ------------------------------------------------------------------ collect
@dataclass(frozen=True)
class Candidates:
    """The candidates of a search, in ``GridSearchCV``'s order, and which
    metrics it scores."""

    params: list
    where: np.ndarray  # (n_candidates, 2): point and rate index
    metrics: tuple
    refit_metric: str
    multimetric: bool


def collect(results, layout, cands):
    """The :class:`SweepResult` of the task results ``results``."""
    records, baseline_of = {}, {}
    shape = (len(layout.points), len(layout.learning_rates), layout.n_splits)
    n_test = np.zeros((shape[0], shape[2]), dtype=int)
    for result in results:
        n_test[result.point, result.fold] = result.n_test
        baseline_of.setdefault((result.point, result.fold), result.baseline)
        for record in result.records:
            records[result.point, record.rate_index, result.fold] = record
    return SweepResult(
        layout=layout,
        metrics=cands.metrics,
        refit_metric=cands.refit_metric,
        multimetric=cands.multimetric,
        params=cands.params,
        point_index=cands.where[:, 0],
        rate_index=cands.where[:, 1],
        baseline=_baselines(baseline_of, shape, cands.metrics),
        n_test=n_test,
        fit_errors=tuple(
            (*idx, r.fit_error) for idx, r in records.items() if r.fit_error
        ),
        messages=tuple(m for r in records.values() for m in r.messages),
        notes=tuple(dict.fromkeys(n for r in results for n in r.notes)),
        **_arrays(records, shape, cands.metrics),
    )


def _arrays(records, shape, metrics):
    """The per-(point, rate, fold) arrays of :class:`SweepResult`."""
    n_epochs = max((len(r.loss) for r in records.values()), default=0)
    a = {
        "scores": {m: np.full(shape, np.nan) for m in metrics},
        "failed": {m: np.zeros(shape, dtype=bool) for m in metrics},
        "diverged": np.zeros(shape, dtype=bool),
        "diverged_epoch": np.zeros(shape, dtype=int),
        "loss": np.full((*shape, n_epochs), np.nan),
        "held_out_loss": np.full((*shape, n_epochs), np.nan),
        "fit_time": np.zeros(shape),
        "score_time": np.zeros(shape),
    }
    has_train = any(r.train_scores is not None for r in records.values())
    a["train_scores"] = (
        {m: np.full(shape, np.nan) for m in metrics} if has_train else None
    )
    for idx, r in records.items():
        a["diverged"][idx], a["diverged_epoch"][idx] = r.diverged, r.diverged_epoch
        a["fit_time"][idx], a["score_time"][idx] = r.fit_time, r.score_time
        a["loss"][idx][: len(r.loss)] = r.loss
        a["held_out_loss"][idx][: len(r.held_out)] = r.held_out
        for m in metrics:
            a["scores"][m][idx] = np.nan if r.diverged else _pick(r.test_scores, m)
            a["failed"][m][idx] = r.failed(m)
            if has_train and r.train_scores is not None:
                a["train_scores"][m][idx] = (
                    np.nan if r.diverged else _pick(r.train_scores, m)
                )
    return a


def _baselines(baseline_of, shape, metrics):
    """The baseline score per metric, ``(n_points, n_splits)``: the better of
    the untrained network and the dummy model."""
    out = {m: np.full((shape[0], shape[2]), np.nan) for m in metrics}
    for (p, f), b in baseline_of.items():
        for m in metrics:
            out[m][p, f] = np.fmax(_pick(b.untrained, m), _pick(b.dummy, m))
    return out
