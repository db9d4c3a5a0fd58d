"""The estimator families the search knows, and the step size of an estimator.

``FAMILIES`` is the registry: the first family whose ``step_size`` recognises
an estimator's final step is its family. Adding a family is one file (a
subclass of :class:`Family`, or of :class:`IndependentFamily` for one fit per
rate) and one line here; nothing else in sklr tests a family's name.
"""

import re
from dataclasses import dataclass

from ...neural_network._stack import unwrap
from ._base import (
    BOOSTING_GRID,
    DESCENT_GRID,
    EXPLOSION_FACTOR,
    Family,
    IndependentFamily,
    Trained,
)
from ._boosting import Boosting
from ._evals import LightGBM, XGBoost
from ._sgd import SGD
from ._sklearn_mlp import SklearnMLP
from ._skorch import Skorch
from ._stacked import StackedMLP

__all__ = [
    "BOOSTING_GRID",
    "DESCENT_GRID",
    "EXPLOSION_FACTOR",
    "FAMILIES",
    "Family",
    "IndependentFamily",
    "StepSize",
    "Trained",
    "default_grid",
    "family_of",
    "step_size",
]

#: The registry, in the order families are tried (the most specific first).
FAMILIES = (
    StackedMLP(),
    SklearnMLP(),
    Skorch(),
    SGD(),
    XGBoost(),
    LightGBM(),
    Boosting(),
)


class OtherParameter(IndependentFamily):
    """A parameter named by ``param`` that is not the step size its family
    knows (or of an estimator no family knows): fitted once per rate, with the
    curves, grid and labels of ``base`` when there is one."""

    def __init__(self, base=None):
        self.base = base
        if base is not None:
            self.name, self.unit, self.held_out = base.name, base.unit, base.held_out
            self.default_grid = base.default_grid
            self.target_scale_matters = base.target_scale_matters

    def step_size(self, step):
        return None

    def loss_label(self, step):
        return "loss" if self.base is None else self.base.loss_label(step)

    def curves(self, fitted):
        if self.base is None or self.base.stacked:  # sklr's MLPs: loss_curve_
            return Family.curves(self, fitted)
        return self.base.curves(fitted)

    def fit_params(self, fold, X_seen, y_seen):
        return {} if self.base is None else self.base.fit_params(fold, X_seen, y_seen)


def family_of(step):
    """``(family, parameter name)`` of a final step, or ``(None, None)``; the
    ValueError of a family that recognises ``step`` but cannot search it."""
    for family in FAMILIES:
        name = family.step_size(step)
        if name is not None:
            return family, name
    return None, None


@dataclass(frozen=True)
class StepSize:
    """The step-size parameter of an estimator.

    ``name`` is the full parameter name (with a Pipeline's or a
    ``TransformedTargetRegressor``'s prefix), ``prefix`` that prefix, ``family``
    the estimator family that trains it and ``step`` the estimator that has
    the parameter (the final step).
    """

    name: str
    prefix: str
    family: Family
    step: object


def step_size(estimator, param=None):
    """The :class:`StepSize` of ``estimator``: ``param`` when given (checked),
    else the one its family detects; a clear error when there is none."""
    parts = unwrap(estimator)
    step, prefix = parts.final, parts.prefix
    if param is not None:
        known = estimator.get_params(deep=True)
        if param not in known:
            close = [n for n in known if n.endswith(param.split("__")[-1])]
            raise ValueError(
                f"The 'param' parameter: {type(estimator).__name__} has no "
                f"parameter {param!r}"
                + (f"; did you mean {close[0]!r}?" if close else ".")
            )
        try:
            family, name = family_of(step)
        except ValueError:  # e.g. lbfgs: another parameter is still searchable
            family, name = None, None
        if family is None or param != prefix + name:
            family = OtherParameter(family)
        return StepSize(param, prefix, family, step)
    family, name = family_of(step)
    if family is None:
        raise ValueError(_no_step_size(step, prefix))
    return StepSize(prefix + name, prefix, family, step)


def default_grid(estimator):
    """The default grid of learning rates of ``estimator``'s family.

    What :class:`~sklr.LearningRateSearchCV` sweeps with ``learning_rates=None``
    (see ``sklr.search.GRIDS``).

    Parameters
    ----------
    estimator : estimator, Pipeline or TransformedTargetRegressor
        An estimator with a step size, as the search takes it.

    Returns
    -------
    ndarray of float

    Examples
    --------
    >>> from sklearn.ensemble import GradientBoostingClassifier
    >>> from sklr import MLPClassifier
    >>> from sklr.search import default_grid
    >>> float(default_grid(MLPClassifier())[0]), len(default_grid(MLPClassifier()))
    (1e-05, 13)
    >>> round(float(default_grid(GradientBoostingClassifier())[-1]), 3)
    3.162
    """
    return step_size(estimator).family.default_grid.copy()


def _no_step_size(step, prefix):
    """The error of an estimator with no step size sklr knows."""
    names = step.get_params(deep=False)
    pattern = re.compile(r"learning_rate|eta|(^|_)lr($|_)|step_size|shrinkage")
    candidates = sorted(name for name in names if pattern.search(name))
    return (
        f"{type(step).__name__} has no step-size parameter sklr knows "
        "(learning_rate_init, eta0 or a numeric learning_rate). "
        + (
            f"Its parameters {candidates} might be one: name it with "
            f"param='{prefix}{candidates[0]}'."
            if candidates
            else "Choose an estimator trained with a step size (gradient "
            "descent or boosting)."
        )
    )
