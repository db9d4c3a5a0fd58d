"""Which parameter of an estimator is its step size, and what a fit of it shows.

The search trains sklr's own MLPs as a stack (every rate of a fold at once); any
other estimator with a step size is fitted once per fold and rate, as
``GridSearchCV`` fits it. This module finds that parameter (by the estimator's
parameter names, never by importing optional libraries), gives each family its
default grid, tells a diverged fit from a failed one, and reads the per-iteration
curves a fitted estimator exposes.
"""

import re
from dataclasses import dataclass
from numbers import Real

import numpy as np
from sklearn.base import is_regressor
from sklearn.compose import TransformedTargetRegressor

from .._validation import tidy_rates
from ..neural_network import MLPClassifier, MLPRegressor

#: Default grids by family: SGD-like step sizes span 1e-5 .. 10 (two rates a
#: decade); boosting's shrinkage is useful between about 0.01 and 1.
GRIDS = {
    "sgd": tidy_rates(np.logspace(-5, 1, 13)),
    "boosting": tidy_rates(np.logspace(-3, 0.5, 8)),
}


@dataclass(frozen=True)
class StepSize:
    """The step-size parameter of an estimator.

    ``name`` is the full parameter name (with a Pipeline's or a
    ``TransformedTargetRegressor``'s prefix), ``prefix`` that prefix, ``stacked``
    whether the estimator is an sklr MLP (trained as a stack), ``family`` the
    default grid's family (a key of ``GRIDS``) and ``step`` the estimator that
    has the parameter.
    """

    name: str
    prefix: str
    stacked: bool
    family: str
    step: object

    @property
    def default_grid(self):
        return GRIDS[self.family]


def final_step(estimator):
    """The last step of ``estimator`` and the prefix of its parameter names
    (through Pipelines and ``TransformedTargetRegressor``)."""
    if isinstance(estimator, TransformedTargetRegressor):
        if estimator.regressor is not None:
            step, prefix = final_step(estimator.regressor)
            return step, f"regressor__{prefix}"
    steps = getattr(estimator, "steps", None)
    if steps:
        step, prefix = final_step(steps[-1][1])
        return step, f"{steps[-1][0]}__{prefix}"
    return estimator, ""


def _candidates(step):
    """The parameter names of ``step`` that could be a step size."""
    names = step.get_params(deep=False)
    pattern = re.compile(r"learning_rate|eta|(^|_)lr($|_)|step_size|shrinkage")
    return sorted(name for name in names if pattern.search(name))


def _detected(step):
    """``(name, family)`` of the step size of ``step``, found by its parameters,
    or None."""
    params = step.get_params(deep=False)
    if isinstance(step, MLPClassifier | MLPRegressor):
        return "learning_rate", "sgd"
    if "learning_rate_init" in params:  # scikit-learn's MLP
        if params.get("solver") == "lbfgs":
            raise ValueError(
                f"{type(step).__name__}(solver='lbfgs') has no learning rate: "
                "learning_rate_init is ignored. Use solver='sgd' or 'adam'."
            )
        return "learning_rate_init", "sgd"
    if "eta0" in params:  # SGDClassifier, SGDRegressor, Perceptron
        if params.get("learning_rate") == "optimal":
            raise ValueError(
                f"{type(step).__name__}(learning_rate='optimal') ignores eta0: its "
                "step size is computed from alpha. Use learning_rate='constant', "
                "'invscaling' or 'adaptive' to search eta0."
            )
        return "eta0", "sgd"
    rate = params.get("learning_rate", "absent")
    if rate is None or (isinstance(rate, Real) and not isinstance(rate, bool)):
        return "learning_rate", "boosting"  # boosting, XGBoost, LightGBM, CatBoost
    return None


def step_size(estimator, param=None):
    """The :class:`StepSize` of ``estimator``: ``param`` when given (checked),
    else the one found by its parameters; a clear error when there is none."""
    step, prefix = final_step(estimator)
    stacked = isinstance(step, MLPClassifier | MLPRegressor)
    if param is not None:
        known = estimator.get_params(deep=True)
        if param not in known:
            close = [n for n in known if n.endswith(param.split("__")[-1])]
            raise ValueError(
                f"The 'param' parameter: {type(estimator).__name__} has no "
                f"parameter {param!r}"
                + (f"; did you mean {close[0]!r}?" if close else ".")
            )
        stacked = stacked and param == prefix + "learning_rate"
        family = "boosting" if _detected_family(step) == "boosting" else "sgd"
        return StepSize(param, prefix, stacked, family, step)
    found = _detected(step)
    if found is None:
        candidates = _candidates(step)
        raise ValueError(
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
    name, family = found
    return StepSize(prefix + name, prefix, stacked, family, step)


def _detected_family(step):
    try:
        found = _detected(step)
    except ValueError:
        return None
    return None if found is None else found[1]


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


_PARAMETERS = ("coefs_", "intercepts_", "coef_", "intercept_")


#: A fit has blown up, even when its numbers stay finite, when its training loss
#: grows to this many times its first epoch's (gradient boosting at a rate of 3:
#: 0.2, 2.9, 1e22, ..., 1e142), or when a regressor predicts values this many
#: times larger than any target it was trained on (SGDRegressor at a rate of 1
#: on diabetes: R^2 of -1e24). Far above sklr's own DIVERGENCE_FACTOR (10), which
#: stops a network as it happens: here the fit has run to its end, and a loss
#: that merely rose (LightGBM at 3: 2.3 to 22) is scored, as GridSearchCV scores it.
EXPLOSION_FACTOR = 1e6


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


# --------------------------------------------------------------------- curves
def curves(fitted_step):
    """``(training, held_out)`` per-iteration losses a fitted estimator exposes
    (1-D arrays, NaN where it has none), and what they are.

    - scikit-learn's MLP: ``loss_curve_`` (training loss per epoch);
    - gradient boosting: ``train_score_`` (the training loss of each stage);
      ``HistGradientBoosting*`` with early stopping on the loss:
      ``-train_score_`` and ``-validation_score_`` (its held-out split);
    - XGBoost / LightGBM fitted with an ``eval_set``: ``evals_result()`` /
      ``evals_result_``, the first metric of the first and the last sets.
    """
    loss_curve = getattr(fitted_step, "loss_curve_", None)
    if loss_curve is not None:
        return np.asarray(loss_curve, float), None
    train_score = getattr(fitted_step, "train_score_", None)
    if train_score is not None and len(train_score):
        if hasattr(fitted_step, "validation_score_"):  # HistGradientBoosting*
            if getattr(fitted_step, "scoring", None) != "loss":
                return None, None  # scores of another metric: not a loss
            held = np.asarray(fitted_step.validation_score_, float)
            return -np.asarray(train_score, float)[1:], -held[1:]
        return np.asarray(train_score, float), None
    return _evals_result(fitted_step)


def _evals_result(fitted_step):
    """XGBoost's ``evals_result()`` or LightGBM's ``evals_result_``."""
    try:
        results = getattr(fitted_step, "evals_result_", None)
        if results is None and callable(getattr(fitted_step, "evals_result", None)):
            results = fitted_step.evals_result()
    except Exception:  # not fitted with an eval_set
        return None, None
    if not isinstance(results, dict) or not results:
        return None, None
    sets = list(results.values())
    first = [np.asarray(next(iter(s.values())), float) for s in sets if s]
    if not first:
        return None, None
    return first[0], (first[-1] if len(first) > 1 else None)
