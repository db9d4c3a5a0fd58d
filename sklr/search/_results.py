"""A search's outcomes as arrays and as ``GridSearchCV``'s candidates.

The tasks give outcomes per (param_grid point, rate, fold); ``_candidates``
orders them as ``GridSearchCV`` orders its candidates, ``_gather`` lays them out
as arrays for the diagnosis, and ``by_point`` / ``point_params`` give a fitted
search's per-candidate values back by point and rate (what the Displays read).
"""

import copy
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import ParameterGrid


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


def last_recorded(curves):
    """The last recorded (non-NaN) value of each curve along the last axis.

    Applied to ``loss_curves_`` or ``validation_loss_curves_`` of a search, it
    gives the loss after the last epoch each fit trained; NaN where nothing
    was recorded.

    Parameters
    ----------
    curves : array-like of shape (..., n_epochs)
        Curves with NaN after they stopped.

    Returns
    -------
    ndarray of shape (...)

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
            if k != search.param_  # the rate searched, whatever its name
        }
        for p in range(len(first))
    ]


def mean_curves(search, held_out=False, rows=None):
    """The mean over folds of each candidate's loss per epoch, as drawn and
    reported.

    A fold that stopped early (its loss stopped improving) keeps its last
    weights, so it keeps its last loss: it is carried forward to the longest
    fold's end, and the mean is over the same folds at every epoch. A fold's
    losses from the epoch it diverged on are left out; a candidate that diverged
    on a minority of folds (``mostly_diverged`` is False) is the mean of the
    folds that did not diverge.

    Parameters
    ----------
    search : LearningRateSearchCV
        A fitted search.
    held_out : bool, default=False
        The held-out losses (``validation_loss_curves_``) instead of the
        training losses (``loss_curves_``).
    rows : array of int, default=None
        Which candidates (all by default).

    Returns
    -------
    ndarray of shape (n_rows, n_epochs)
        NaN where no fold is drawn.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklr import LearningRateSearchCV, MLPClassifier
    >>> from sklr.search import mean_curves
    >>> X, y = load_iris(return_X_y=True)
    >>> search = LearningRateSearchCV(
    ...     MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0),
    ...     [0.01, 0.1], cv=2, refit=False).fit(X, y)
    >>> mean_curves(search).shape
    (2, 5)
    """
    rows = np.arange(len(search.diverged_)) if rows is None else np.asarray(rows)
    curves = search.validation_loss_curves_ if held_out else search.loss_curves_
    curves = np.array(curves[rows], dtype=float)
    div_epoch = search.diverged_epoch_[rows]
    epoch = np.arange(1, curves.shape[-1] + 1)
    out = (div_epoch[..., None] > 0) & (epoch >= div_epoch[..., None])
    out |= ((div_epoch > 0) & ~mostly_diverged(search, rows)[:, None])[..., None]
    curves[out] = np.nan
    stopped = (div_epoch == 0)[..., None] & np.isnan(curves)
    if curves.shape[-1] == 0:  # a model that records no curve
        return np.full(curves.shape[:1] + curves.shape[2:], np.nan)
    ran = np.where(np.isnan(curves), 0, epoch).max(axis=(1, 2))  # longest fold
    carried = _carry_forward(curves)
    fill = stopped & (epoch <= ran[:, None, None])
    curves[fill] = carried[fill]
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(curves, axis=1)


def _carry_forward(curves):
    """Each curve with its NaNs replaced by its last value before them."""
    index = np.where(np.isnan(curves), 0, np.arange(curves.shape[-1]))
    index = np.maximum.accumulate(index, axis=-1)
    return np.take_along_axis(curves, index, axis=-1)


#: A candidate is drawn (and reported) as diverged when it diverged on at least
#: this fraction of the folds.
DIVERGED_MAJORITY = 0.5


def mostly_diverged(search, rows=slice(None)):
    """Whether each candidate (of ``rows``) diverged on at least
    ``DIVERGED_MAJORITY`` of the folds.

    Parameters
    ----------
    search : LearningRateSearchCV
        A fitted search.
    rows : slice or array of int, default=slice(None)
        Which candidates.

    Returns
    -------
    ndarray of bool

    Examples
    --------
    >>> import warnings
    >>> from sklearn.datasets import load_iris
    >>> from sklr import LearningRateSearchCV, MLPClassifier
    >>> from sklr.search import mostly_diverged, refit_metric
    >>> X, y = load_iris(return_X_y=True)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     search = LearningRateSearchCV(
    ...         MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0),
    ...         [0.01, 1e4], cv=2, refit=False).fit(X, y)
    >>> mostly_diverged(search).tolist(), refit_metric(search)
    ([False, True], 'score')
    """
    return search.diverged_[rows].mean(axis=1) >= DIVERGED_MAJORITY


def refit_metric(search):
    """The ``cv_results_`` suffix of the metric that chose the best candidate
    (``"score"`` with one metric; with several, ``refit`` when it names one, else
    the first metric).

    Parameters
    ----------
    search : LearningRateSearchCV
        A fitted search.

    Returns
    -------
    str

    Examples
    --------
    See :func:`mostly_diverged`.
    """
    return search._refit_key
