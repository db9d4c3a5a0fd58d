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

from .._sklearn import SKLEARN_TESTED
from ._diagnosis import (
    BASELINE_ALPHA,
    DIAGNOSES,
    GOOD_RANGE_ALPHA,
    OSCILLATION_FRACTION,
    RISE_TOLERANCE,
    STABLE_CHOICE_SE,
    Diagnosis,
    EpochBudgets,
)
from ._families import EXPLOSION_FACTOR, FAMILIES, default_grid
from ._plot import LearningRateBatchSizeDisplay, LearningRateSensitivityDisplay
from ._plot_budget import LearningRateEpochsDisplay
from ._plot_loss import (
    CURVE_COLORS,
    DIAGNOSIS_COLORS,
    DIAGNOSIS_NAMES,
    LossCurveDisplay,
)
from ._results import (
    by_point,
    last_recorded,
    mean_curves,
    mostly_diverged,
    point_params,
    refit_metric,
    unstable_neighbour,
)
from ._search import (
    AUTO_HALF_WIDTH,
    DEFAULT_LEARNING_RATES,
    LearningRateSearchCV,
    learning_rate_curve,
)
from ._sweep import DIVERGED_MAJORITY, SweepResult

#: The default grid of each estimator family, by the family's name.
GRIDS = {family.name: family.default_grid for family in FAMILIES}

__all__ = [
    "AUTO_HALF_WIDTH",
    "BASELINE_ALPHA",
    "DEFAULT_LEARNING_RATES",
    "CURVE_COLORS",
    "DIAGNOSIS_COLORS",
    "DIAGNOSIS_NAMES",
    "DIAGNOSES",
    "DIVERGED_MAJORITY",
    "Diagnosis",
    "EpochBudgets",
    "EXPLOSION_FACTOR",
    "GOOD_RANGE_ALPHA",
    "GRIDS",
    "OSCILLATION_FRACTION",
    "RISE_TOLERANCE",
    "SKLEARN_TESTED",
    "STABLE_CHOICE_SE",
    "LearningRateBatchSizeDisplay",
    "LearningRateEpochsDisplay",
    "LearningRateSearchCV",
    "LearningRateSensitivityDisplay",
    "LossCurveDisplay",
    "SweepResult",
    "by_point",
    "default_grid",
    "last_recorded",
    "learning_rate_curve",
    "mean_curves",
    "mostly_diverged",
    "point_params",
    "refit_metric",
    "unstable_neighbour",
]
