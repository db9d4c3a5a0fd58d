"""Reading a fitted search: its per-candidate values by point and rate, its
mean loss curves, which candidates diverged, the metric that chose the best
(all read from ``sweep_result_``); and the two rules that make scikit-learn's
outcomes sklr's (diverged fits get ``error_score``; unusable candidates rank
last).
"""

import copy

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._sweep import _rank  # noqa: F401 - the ranking rule, read by the search


def _first_of_each(values):
    """The position of the first occurrence of each value 0, 1, ... in
    ``values``."""
    first = {}
    for i, v in enumerate(values):
        first.setdefault(int(v), i)
    return [first[v] for v in range(len(first))]


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
    return _sweep(search).by_point(values)


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
    return [dict(point) for point in _sweep(search).points]


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
    return _sweep(search).mean_curves(held_out=held_out, rows=rows)


def mostly_diverged(search, rows=slice(None)):
    """Whether each candidate (of ``rows``) diverged on at least
    ``DIVERGED_MAJORITY`` (0.5) of the folds.

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
    return _sweep(search).mostly_diverged(rows)


def unstable_neighbour(search, candidate=None):
    """The next rate above a candidate's (at most a decade above, at its
    ``param_grid`` point) when it diverged, oscillated or failed on a fold.

    Parameters
    ----------
    search : LearningRateSearchCV
        A fitted search.
    candidate : int, default=None
        The candidate (``cv_results_``'s order); the best one by default.

    Returns
    -------
    float or None
        That rate, or None when the next rate up is stable (or there is none).

    Examples
    --------
    >>> import warnings
    >>> from sklearn.datasets import load_iris
    >>> from sklr import LearningRateSearchCV, MLPClassifier
    >>> from sklr.search import unstable_neighbour
    >>> X, y = load_iris(return_X_y=True)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     search = LearningRateSearchCV(
    ...         MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0),
    ...         [0.01, 0.1, 1.0], cv=2, refit=False).fit(X, y)
    >>> search.diagnosis_.tolist()
    ['too_low', 'too_low', 'diverged']
    >>> unstable_neighbour(search, 0), unstable_neighbour(search, 1)
    (None, 1.0)
    """
    from ._diagnosis import next_rate_unstable

    best = search.best_index_ if candidate is None else candidate
    return next_rate_unstable(_sweep(search), best)


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
    return _sweep(search).refit_metric


def _sweep(search):
    """The ``SweepResult`` of a fitted search."""
    check_is_fitted(search, "sweep_result_")
    return search.sweep_result_
