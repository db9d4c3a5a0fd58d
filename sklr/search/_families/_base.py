"""The estimator-family protocol: what the search needs to know of a family of
estimators, and the independent fit that every family but sklr's MLPs shares.

A family is one object (a subclass of :class:`Family`) that knows how to detect
its step-size parameter, its default grid, the unit of its curves' x axis and the
name of its loss, how to read a fitted estimator's curves, how to tell that a fit
diverged, and how to train the rates of one task. The registry
(``sklr.search._families.FAMILIES``) is the only place where families are told
apart; the search, the Displays and the command read a family's attributes.
"""

import re
import warnings
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
from sklearn.base import is_regressor
from sklearn.exceptions import ConvergenceWarning

from ..._validation import tidy_rates

#: The default grid of step sizes of gradient descent: 1e-5 .. 10, two rates a
#: decade (plain SGD on standardised inputs learns somewhere in 1e-4 .. 1; the
#: grid reaches a decade beyond on each side so that both arms of the U show).
DESCENT_GRID = tidy_rates(np.logspace(-5, 1, 13))

#: The default grid of boosting's shrinkage, useful between about 0.01 and 1.
BOOSTING_GRID = tidy_rates(np.logspace(-3, 0.5, 8))

#: A fit has blown up, even when its numbers stay finite, when its training loss
#: grows to this many times its first epoch's (gradient boosting at a rate of 3:
#: 0.2, 2.9, 1e22, ..., 1e142), or when a regressor predicts values this many
#: times larger than any target it was trained on (SGDRegressor at a rate of 1
#: on diabetes: R^2 of -1e24). Far above sklr's own DIVERGENCE_FACTOR (10), which
#: stops a network as it happens: here the fit has run to its end, and a loss
#: that merely rose (LightGBM at 3: 2.3 to 22) is scored, as GridSearchCV scores it.
EXPLOSION_FACTOR = 1e6


@dataclass(frozen=True)
class Trained:
    """The rates of one task, trained on its fold.

    ``loss`` and ``held_out`` are ``(n_epochs, K)`` (NaN where none was
    recorded, and after a fit stopped or diverged); ``fitted(k)`` is the fitted
    final step of rate k (called only for rates that did not diverge);
    ``untrained`` is the final step at its initial weights, for the baseline
    (None when the family has no such thing).
    """

    loss: np.ndarray
    held_out: np.ndarray
    diverged: np.ndarray
    diverged_epoch: np.ndarray
    fitted: Any
    untrained: Any = None


class Family:
    """An estimator family: the protocol every family implements.

    Class attributes: ``name`` (what the family is called), ``stacked`` (every
    rate of a fold trained at once, as one task; otherwise one fit per rate),
    ``unit`` (one step of the curves' x axis), ``held_out`` (what the held-out
    curve is measured on, as figures say it), ``default_grid``, ``range_test``
    (``learning_rates="auto"`` can run), ``target_scale_matters`` (a regression
    target far from unit scale makes its rates diverge).
    """

    name = "estimator"
    stacked = False
    unit = "epoch"
    held_out = "the test fold"
    default_grid = DESCENT_GRID
    range_test = False
    target_scale_matters = True

    def step_size(self, step):
        """The name of ``step``'s step-size parameter when ``step`` is of this
        family, else None; a ValueError when it is of this family but its step
        size is not used (e.g. ``solver='lbfgs'``)."""
        raise NotImplementedError

    def check(self, step):
        """Warn, once per search, about a setting of ``step`` that changes what
        the search measures (nothing by default)."""

    def divergence_hint(self, step):
        """More advice for a search in which every rate diverged (appended to
        the error's; "" by default)."""
        return ""

    def loss_label(self, step):
        """The name of the loss ``step`` minimises, as figures and tables say it."""
        return "loss"

    def max_epochs(self, step):
        """The most epochs a curve of ``step`` may hold (checkpoints check it)."""
        return 10**6

    def batch_size(self, step):
        """``step``'s mini-batch size (a number, "auto"), or None."""
        return None

    def curves(self, fitted):
        """``(training, held_out)`` losses per iteration that a fitted estimator
        of the family exposes (1-D arrays, or None where it has none)."""
        curve = getattr(fitted, "loss_curve_", None)
        return (None, None) if curve is None else (np.asarray(curve, float), None)

    def fit_params(self, fold, X_seen, y_seen):
        """Extra ``fit`` parameters of a task's final step (e.g. an
        ``eval_set``); ``X_seen``/``y_seen`` are the test fold as it sees it."""
        return {}

    def train(self, fold, data, rates, context, caller):
        """Train ``rates`` on the fold: a :class:`Trained`."""
        raise NotImplementedError


class IndependentFamily(Family):
    """A family fitted once per fold and rate, as ``GridSearchCV`` fits it.

    A fit that raises because its numbers blew up (``is_divergence``), whose
    training loss explodes (``EXPLOSION_FACTOR``), or whose weights or outputs
    are not finite, is diverged; any other failure is a fit error.
    """

    def train(self, fold, data, rates, context, caller):
        final = fold.final
        X_seen = fold.transform_X(data.X_test)
        params = {}
        if fold.sample_weight is not None:
            params["sample_weight"] = fold.sample_weight
        params.update(self.fit_params(fold, X_seen, fold.transform_y(data.y_test)))
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore", ConvergenceWarning)
                warnings.simplefilter("ignore", RuntimeWarning)  # overflow: an outcome
                final.fit(fold.X_train, fold.fit_y, **params)
        except Exception as exc:
            if not is_divergence(exc):
                raise
            loss, held_out = self._curve_arrays(final)  # what it recorded before
            epoch = max(epoch_of(exc) or len(loss), 1)
        else:
            loss, held_out = self._curve_arrays(final)
            epoch = exploded(loss[:, 0])
            if not epoch and has_non_finite(final, X_seen, fold.fit_y):
                epoch = max(len(loss), 1)
        if epoch:
            loss[epoch:], held_out[epoch:] = np.nan, np.nan
        return Trained(
            loss, held_out, np.array([bool(epoch)]), np.array([epoch]), lambda k: final
        )

    def _curve_arrays(self, final):
        """The task's (training, held-out) loss curves, shaped (n_epochs, 1)."""
        try:
            training, held = self.curves(final)
        except (AttributeError, TypeError, ValueError):  # a fit that raised midway
            training, held = None, None
        training = np.zeros(0) if training is None else np.array(training, float)
        if held is None or len(held) != len(training):
            held = np.full(len(training), np.nan)
        return training[:, None], np.array(held, dtype=float)[:, None]  # copies


# ----------------------------------------------------------------- divergence
_DIVERGENCE = re.compile(
    r"non-finite|overflow|not finite|infinity|\bnan\b|\binf\b", re.IGNORECASE
)


def is_divergence(error):
    """Whether a fit's exception says that its numbers blew up (scikit-learn's
    MLP: "Solver produced non-finite parameter weights"; SGD: "Floating-point
    under-/overflow occurred at epoch #3"; sklr: ``DivergenceError``)."""
    if isinstance(error, FloatingPointError | OverflowError):
        return True
    return isinstance(error, ValueError) and bool(_DIVERGENCE.search(str(error)))


def epoch_of(error):
    """The epoch a divergence message names ("epoch #3", "epoch 3"), else 0."""
    match = re.search(r"epoch #?(\d+)", str(error))
    return int(match.group(1)) if match else 0


def exploded(training):
    """The first epoch (1-based) whose training loss is not finite or exceeds
    ``EXPLOSION_FACTOR`` times the first epoch's, else 0."""
    if training is None or not len(training):
        return 0
    with np.errstate(invalid="ignore", over="ignore"):
        bad = ~np.isfinite(training) | (
            np.abs(training) > EXPLOSION_FACTOR * abs(training[0])
        )
    return int(np.argmax(bad)) + 1 if bad.any() else 0


_PARAMETERS = ("coefs_", "intercepts_", "coef_", "intercept_")


def has_non_finite(fitted_step, X, y=None):
    """Whether a fitted estimator's weights, or its outputs on ``X``, are not
    finite, or (a regressor, given its training target ``y``) its predictions
    are more than ``EXPLOSION_FACTOR`` times the largest target: a fit that
    diverged without raising."""
    for name in _PARAMETERS:
        value = getattr(fitted_step, name, None)
        if value is None:
            continue
        arrays = value if isinstance(value, list) else [value]
        if not all(np.isfinite(np.asarray(a, dtype=float)).all() for a in arrays):
            return True
    if y is not None and is_regressor(fitted_step):  # one prediction checks both
        return _predicts_too_far(fitted_step, X, y)
    return _outputs_not_finite(fitted_step, X)


def _predicts_too_far(regressor, X, y):
    scale = np.abs(np.asarray(y, dtype=float)).max(initial=0.0) or 1.0
    with np.errstate(all="ignore"):
        output = np.abs(np.asarray(regressor.predict(X), dtype=float))
    return bool(
        not np.isfinite(output).all()
        or output.max(initial=0.0) > (EXPLOSION_FACTOR * scale)
    )


def _outputs_not_finite(fitted_step, X):
    """Whether the first of its decision function, probabilities or
    predictions that it has is not finite."""
    for method in ("decision_function", "predict_proba", "predict"):
        if hasattr(fitted_step, method):
            try:
                output = np.asarray(getattr(fitted_step, method)(X))
            except Exception:  # e.g. predict_proba of a loss without probabilities
                continue
            if output.dtype.kind in "fc":
                return not np.isfinite(output).all()
            return False
    return False


def own_parameter(step, name, unused=None):
    """``name`` when ``step`` has that parameter, else None; ``unused`` is
    ``(parameter, value, message)``: ``ValueError(message)`` when ``step``'s
    ``parameter`` is ``value`` (a setting that ignores the step size)."""
    params = step.get_params(deep=False)
    if name not in params:
        return None
    if unused is not None and params.get(unused[0]) == unused[1]:
        raise ValueError(unused[2])
    return name


def numeric_learning_rate(step):
    """Whether ``step`` has a ``learning_rate`` parameter that is a number or
    None (boosting's shrinkage), not a schedule's name."""
    rate = step.get_params(deep=False).get("learning_rate", "absent")
    return rate is None or (isinstance(rate, Real) and not isinstance(rate, bool))
