"""Displays of the learning-rate analyses, in scikit-learn's Display convention.

A Display holds data and draws it with ``plot(ax=None, ...)``, which returns the
display and sets ``ax_``, ``figure_`` and the artists. ``from_*`` classmethods
compute the data with sklr's public functions (``LearningRateSearchCV``,
``lr_find``), which need no matplotlib; matplotlib is imported inside ``plot``
only, so ``import sklr`` never imports it.
"""

from .lr_finder import LRFinderDisplay
from .search import (
    CURVE_COLORS,
    DIAGNOSIS_COLORS,
    LearningRateBatchSizeDisplay,
    LearningRateEpochsDisplay,
    LearningRateSensitivityDisplay,
    LossCurveDisplay,
)

__all__ = [
    "CURVE_COLORS",
    "DIAGNOSIS_COLORS",
    "LRFinderDisplay",
    "LearningRateBatchSizeDisplay",
    "LearningRateEpochsDisplay",
    "LearningRateSensitivityDisplay",
    "LossCurveDisplay",
]
