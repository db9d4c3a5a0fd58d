"""Warnings and errors raised by sklr."""

from sklearn.exceptions import ConvergenceWarning


class DivergenceWarning(UserWarning):
    """Training of a network diverged.

    Raised when a network's loss became non-finite, or grew beyond the divergence
    threshold (``sklr.neural_network.DIVERGENCE_FACTOR`` times its loss at the initial
    weights), during training. Training of that network stops and its weights go
    back to those of the end of its last epoch whose loss, measured at those
    weights, is under the threshold (of the last ``KEPT_EPOCHS`` epochs; the
    initial weights if none is), so that it predicts about as well as then.

    Examples
    --------
    >>> import warnings
    >>> from sklr.exceptions import DivergenceWarning
    >>> issubclass(DivergenceWarning, UserWarning)
    True
    """


class DivergenceError(ValueError):
    """Training of a network diverged, under ``on_divergence='raise'``.

    Raised by the estimators' ``fit`` and ``partial_fit`` when ``on_divergence``
    is ``'raise'`` and training diverged (see :class:`DivergenceWarning`). The
    estimator is left fitted with those weights and ``diverged_`` set.
    A ``ValueError``, so that scikit-learn's ``GridSearchCV``,
    ``validation_curve`` and ``cross_validate`` record ``error_score`` for the
    fit, as they do for scikit-learn's MLP.

    Parameters
    ----------
    message : str
    epoch : int
        The epoch (1-based) in which training diverged.
    learning_rate : float
        The learning rate of the update that diverged (``learning_rate`` times
        the schedule's multiplier).

    Examples
    --------
    >>> from sklr import MLPRegressor
    >>> from sklr.exceptions import DivergenceError
    >>> X, y = [[0.0], [1.0], [2.0], [3.0]], [0.0, 1.0, 2.0, 3.0]
    >>> reg = MLPRegressor(learning_rate=50.0, on_divergence="raise", random_state=0)
    >>> try:
    ...     reg.fit(X, y)
    ... except DivergenceError as error:
    ...     print(error.epoch, reg.diverged_)
    2 True
    """

    def __init__(self, message, *, epoch, learning_rate):
        super().__init__(message)
        self.epoch = epoch
        self.learning_rate = learning_rate


class NoUsableScoreError(ValueError):
    """No candidate of a learning-rate search has a usable score.

    Raised by :class:`~sklr.LearningRateSearchCV` (and the ``sklr sweep`` command)
    when every candidate either diverged on at least one fold or could not be
    scored, so that no learning rate can be recommended. The search still holds
    its per-rate results (``cv_results_``, ``diagnosis_``, ``loss_curves_``,
    ``diverged_``), and so does the error (``cv_results``).

    Parameters
    ----------
    message : str
    reason : {"diverged", "scoring_failed", "both"}
        Whether every candidate diverged, the scorer failed on every candidate,
        or some of each.
    cv_results : dict
        The search's ``cv_results_``.

    Examples
    --------
    >>> from sklr.exceptions import NoUsableScoreError
    >>> error = NoUsableScoreError("no usable score", reason="diverged",
    ...                            cv_results={})
    >>> isinstance(error, ValueError), error.reason
    (True, 'diverged')
    """

    def __init__(self, message, *, reason, cv_results):
        super().__init__(message)
        self.reason = reason
        self.cv_results = cv_results


class NoGoodRangeWarning(UserWarning):
    """No learning rate scored clearly better than the baseline.

    Issued by :class:`~sklr.LearningRateSearchCV` when no rate's test scores are
    significantly above those of a model that ignores the features (the
    baseline); ``good_range_`` is then ``(nan, nan)`` and no rate is diagnosed
    ``"good"``.

    Examples
    --------
    >>> from sklr.exceptions import NoGoodRangeWarning
    >>> issubclass(NoGoodRangeWarning, UserWarning)
    True
    """


class TargetScaleWarning(UserWarning):
    """A regression target far from unit scale made most learning rates diverge.

    The remedy is to standardise the target, e.g. with
    ``sklearn.compose.TransformedTargetRegressor(regressor,
    transformer=StandardScaler())``, which the learning-rate analyses accept.

    Examples
    --------
    >>> from sklr.exceptions import TargetScaleWarning
    >>> issubclass(TargetScaleWarning, UserWarning)
    True
    """


class RangeTestWarning(UserWarning):
    """A learning-rate range test whose curve cannot support a suggestion.

    Issued by :func:`~sklr.lr_find` when the loss never rose (the ramp ended
    too low), when the test had too few steps, or when a rule found no answer
    on the curve (its suggestion is then NaN).

    Examples
    --------
    >>> from sklr.exceptions import RangeTestWarning
    >>> issubclass(RangeTestWarning, UserWarning)
    True
    """


class GridEdgeWarning(UserWarning):
    """The best learning rate of a search is at an edge of its grid: better
    rates may lie beyond it.

    Examples
    --------
    >>> import warnings
    >>> from sklr.exceptions import GridEdgeWarning
    >>> warnings.simplefilter("ignore", GridEdgeWarning)
    """


class DivergedRatesWarning(UserWarning):
    """Some learning rates of a search diverged: they score ``error_score`` in
    ``cv_results_`` and are never chosen. It replaces scikit-learn's "One or
    more of the test scores are non-finite" when the non-finite scores are
    those of diverged rates (a search over a wide grid expects some).

    Examples
    --------
    >>> import warnings
    >>> from sklr.exceptions import DivergedRatesWarning
    >>> warnings.simplefilter("ignore", DivergedRatesWarning)
    """


class EdgeOfStabilityWarning(UserWarning):
    """The best learning rate of a search is next to a rate that diverged,
    oscillated or failed, and no lower rate of the good range scores as well
    (``choice='stable'`` found nowhere safer to step to): a little more rate,
    data or epochs may make it diverge.

    Examples
    --------
    >>> import warnings
    >>> from sklr.exceptions import EdgeOfStabilityWarning
    >>> warnings.simplefilter("ignore", EdgeOfStabilityWarning)
    """


class TrainSplitWarning(UserWarning):
    """A skorch net keeps part of its training data for its own validation
    (``train_split`` not None): each fit of the search, or the range test,
    trains on less than the data given to it.

    Examples
    --------
    >>> import warnings
    >>> from sklr.exceptions import TrainSplitWarning
    >>> warnings.simplefilter("ignore", TrainSplitWarning)
    """


class RefitConvergenceWarning(ConvergenceWarning):
    """The refit of a search's best rate stopped at its epoch budget
    (``max_iter``) while its loss was still falling. It replaces scikit-learn's
    ``ConvergenceWarning`` of the refit, and is a subclass of it (a filter on
    ``ConvergenceWarning`` still applies): every rate was compared at the same
    budget, so the best rate is the best for that budget, and with more epochs a
    lower rate may do better (``epoch_budgets_`` shows how the best rate moves
    with the budget).

    Examples
    --------
    >>> import warnings
    >>> from sklr.exceptions import RefitConvergenceWarning
    >>> warnings.simplefilter("ignore", RefitConvergenceWarning)
    """


class BaselineWarning(UserWarning):
    """The baseline of a search (a model that ignores the features) could not
    be fitted or scored on the data: the good range is judged without it.

    Examples
    --------
    >>> import warnings
    >>> from sklr.exceptions import BaselineWarning
    >>> warnings.simplefilter("ignore", BaselineWarning)
    """


class CheckpointWarning(UserWarning):
    """A search's ``checkpoint_dir`` cannot be used as asked: a record that is
    unreadable, of another format or not of its task (it is recomputed), a seed
    or record that cannot be saved, or an estimator that cannot be identified.
    Results are never read from a record that fails its checks.

    Examples
    --------
    >>> import warnings
    >>> from sklr.exceptions import CheckpointWarning
    >>> warnings.simplefilter("ignore", CheckpointWarning)
    """
