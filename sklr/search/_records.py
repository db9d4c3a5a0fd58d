"""What a task of a search returns: one record per rate, and the fold's baseline.

These are the only shapes a rate's outcome takes between the workers and the
search: a task returns a :class:`TaskResult`, a checkpoint stores a
:class:`RateRecord` with its :class:`Baseline`, and ``collect``
(``sklr.search._sweep``) lays the records out as a ``SweepResult``.
"""

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Baseline:
    """The baseline's test scores on one fold (a number, or a dict with several
    metrics; NaN where it could not be scored).

    ``untrained`` is the network at its initial weights (NaN for an estimator
    that is not a stack of networks), ``dummy`` a model that ignores the
    features (``DummyClassifier()`` / ``DummyRegressor()``).
    """

    untrained: float | dict = np.nan
    dummy: float | dict = np.nan


@dataclass(frozen=True)
class RateRecord:
    """The outcome of one rate on one fold (and ``param_grid`` point).

    ``test_scores`` and ``train_scores`` are what scikit-learn's ``_score``
    returned (a number, or a dict with several metrics; ``error_score`` where
    the scorer failed; NaN where the network diverged and was not scored);
    ``unscored`` names the metrics whose scoring failed (``"*"``: all of them),
    ``messages`` the "Scoring failed" warnings scikit-learn gave, ``fit_error``
    the traceback of a fit that raised. ``loss`` and ``held_out`` are the
    training and held-out loss per epoch (NaN after the fit stopped);
    ``diverged_epoch`` is 1-based, 0 when it did not diverge.
    """

    rate_index: int
    test_scores: float | dict
    train_scores: float | dict | None
    unscored: tuple = ()
    messages: tuple = ()
    fit_error: str | None = None
    loss: np.ndarray = field(default_factory=lambda: np.zeros(0))
    held_out: np.ndarray = field(default_factory=lambda: np.zeros(0))
    diverged: bool = False
    diverged_epoch: int = 0
    fit_time: float = 0.0
    score_time: float = 0.0

    def failed(self, metric):
        """Whether ``metric`` has no score from this fit (its fit or its
        scoring failed)."""
        return self.fit_error is not None or bool(
            {"*", metric}.intersection(self.unscored)
        )


@dataclass(frozen=True)
class TaskResult:
    """What one task (a fold, a ``param_grid`` point, some rates) returns.

    ``notes`` are messages for the search to give once in the calling process
    (e.g. a baseline that could not be fitted), whatever the backend.
    """

    point: int
    fold: int
    n_test: int
    records: tuple
    baseline: Baseline
    notes: tuple = ()
