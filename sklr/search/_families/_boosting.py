"""Gradient boosting and its kin with a numeric ``learning_rate`` (shrinkage):
scikit-learn's ``GradientBoosting*``, ``HistGradientBoosting*``, ``AdaBoost*``,
CatBoost; one fit per fold and rate, the loss per boosting round as the curve."""

import numpy as np

from ._base import BOOSTING_GRID, IndependentFamily, numeric_learning_rate


class Boosting(IndependentFamily):
    """A numeric (or None) ``learning_rate``: boosting's shrinkage."""

    name = "boosting"
    unit = "boosting round"
    held_out = "its early-stopping split"  # HistGradientBoosting*'s own
    default_grid = BOOSTING_GRID
    target_scale_matters = False  # trees split on any scale

    def step_size(self, step):
        return "learning_rate" if numeric_learning_rate(step) else None

    def curves(self, fitted):
        """``train_score_`` (the training loss of each stage) of gradient
        boosting; ``-train_score_`` and ``-validation_score_`` (its held-out
        split) of ``HistGradientBoosting*`` with early stopping on the loss."""
        train_score = getattr(fitted, "train_score_", None)
        if train_score is None or not len(train_score):
            return None, None
        if hasattr(fitted, "validation_score_"):  # HistGradientBoosting*
            if getattr(fitted, "scoring", None) != "loss":
                return None, None  # scores of another metric: not a loss
            held = np.asarray(fitted.validation_score_, float)
            return -np.asarray(train_score, float)[1:], -held[1:]
        return np.asarray(train_score, float), None
