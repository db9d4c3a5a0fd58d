"""Output layers and their losses, computed stably from the output pre-activation.

Each loss is paired with its canonical output activation (identity for squared
error, exp for Poisson, softmax for multiclass log-loss, logistic for binary and
multilabel log-loss), so that the derivative of the loss with respect to the
output pre-activation ``Z`` is simply ``P - Y``.

All functions take arrays with a leading axis of K stacked networks:
``Z``, ``P`` and ``Y`` are ``(K, n_samples, n_outputs)`` (``Y`` may be
``(n_samples, n_outputs)`` and is then broadcast).
"""

from collections.abc import Callable, Set
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.special import expit, xlogy


def _row_max(Z):
    """``Z.max(axis=-1, keepdims=True)``; a loop over the columns is 3-4x faster
    for large arrays with a short last axis, numpy's reduction for small ones."""
    if Z.size <= 4096:
        return np.maximum.reduce(Z, axis=-1, keepdims=True)
    m = Z[..., 0].copy()
    for j in range(1, Z.shape[-1]):
        np.maximum(m, Z[..., j], out=m)
    return m[..., None]


@lru_cache(maxsize=64)
def _ones(n, dtype):
    ones = np.ones(n, dtype=dtype)
    ones.flags.writeable = False
    return ones


@lru_cache(maxsize=8)
def _log_eps(dtype):
    return float(np.log(np.finfo(dtype).eps))


def _row_sum(A):
    """``A.sum(axis=-1)`` through BLAS, ~8x faster for a short last axis."""
    return A @ _ones(A.shape[-1], A.dtype)


def _clipped(log_p, dtype):
    # scikit-learn clips probabilities to [eps, 1 - eps]; in log space only the
    # lower bound matters (log(1 - eps) differs from 0 by eps).
    return np.maximum(log_p, _log_eps(np.dtype(dtype)), out=log_p)


def _identity_output(Z):
    return Z.copy(), None


def _exp_output(Z):
    # exp saturates at the largest finite value instead of overflowing
    return np.exp(np.minimum(Z, np.log(np.finfo(Z.dtype).max) - 1)), None


def _logistic_output(Z):
    return expit(Z), None


def _softmax_output(Z):
    """Softmax and its log, from the same log-sum-exp."""
    shifted = Z - _row_max(Z)
    P = np.exp(shifted)
    total = _row_sum(P)[..., None]
    P /= total
    shifted -= np.log(total)
    return P, shifted


def _half_squared_error(Y, Z, P, log_P):
    R = P - Y
    R *= R
    return 0.5 * _row_sum(R)


def _poisson_deviance(Y, Z, P, log_P):
    # y log(y / p) - y + p with log p = z, without evaluating log(p)
    return _row_sum(xlogy(Y, Y) - Y * Z - Y + P)


def _log_loss(Y, Z, P, log_P):
    if log_P is None:
        log_P = _softmax_output(Z)[1]
    per_sample = np.vecdot(np.maximum(log_P, _log_eps(np.dtype(Z.dtype))), Y)
    return np.negative(per_sample, out=per_sample)


def _binary_log_loss(Y, Z, P, log_P):
    log_p = _clipped(-np.logaddexp(0, -Z), Z.dtype)
    log_1mp = _clipped(-np.logaddexp(0, Z), Z.dtype)
    return -_row_sum(Y * log_p + (1 - Y) * log_1mp)


@dataclass(frozen=True)
class Loss:
    """A loss with its canonical output activation.

    Parameters
    ----------
    name : str
        The estimators' ``loss`` value (for a regression loss).
    label : str
        How plots and reports name the loss curves (``"half squared error"``).
    out_activation : str
        scikit-learn's name of the output activation (``out_activation_``).
    output : callable
        ``output(Z) -> (P, log P or None)``.
    per_sample : callable
        ``per_sample(Y, Z, P, log_P) -> (K, n_samples)``, summed over outputs.
    mean_over_outputs : bool, default=False
        Whether the reported loss averages the data term over outputs
        (scikit-learn's half squared error; see ``report_scale``).
    classification : bool, default=False
        Whether the loss is a classifier's (chosen from the target); the others
        are the values of ``MLPRegressor``'s ``loss`` parameter.

    Examples
    --------
    >>> import numpy as np
    >>> from sklr._core.losses import LOSSES
    >>> squared = LOSSES["squared_error"]
    >>> Z = np.array([[[1.0], [3.0]]])                 # K=1 network, 2 samples
    >>> P, _ = squared.output(Z)
    >>> squared.per_sample(np.array([[0.0], [1.0]]), Z, P, None).tolist()
    [[0.5, 2.0]]
    """

    name: str
    label: str
    out_activation: str
    output: Callable
    per_sample: Callable
    mean_over_outputs: bool = False
    classification: bool = False


#: Every loss, by name: adding one here is all the numerics need.
LOSSES = {
    loss.name: loss
    for loss in (
        Loss(
            "squared_error",
            "half squared error",
            "identity",
            _identity_output,
            _half_squared_error,
            mean_over_outputs=True,
        ),
        Loss(
            "poisson",
            "half Poisson deviance",
            "exp",
            _exp_output,
            _poisson_deviance,
        ),
        Loss(
            "log_loss",
            "log-loss",
            "softmax",
            _softmax_output,
            _log_loss,
            classification=True,
        ),
        Loss(
            "binary_log_loss",
            "log-loss",
            "logistic",
            _logistic_output,
            _binary_log_loss,
            classification=True,
        ),
    )
}


class RegressionLosses(Set):
    """The names of the registered regression losses, read from ``LOSSES``
    whenever asked (so that the constraint of ``MLPRegressor``'s ``loss``
    parameter is the registry's, never a copy of it).

    Examples
    --------
    >>> from sklr._core.losses import RegressionLosses
    >>> sorted(RegressionLosses())
    ['poisson', 'squared_error']
    """

    @classmethod
    def _from_iterable(cls, iterable):  # set operations give plain sets
        return frozenset(iterable)

    def _names(self):
        return sorted(n for n, loss in LOSSES.items() if not loss.classification)

    def __contains__(self, name):
        return name in self._names()

    def __iter__(self):
        return iter(self._names())

    def __len__(self):
        return len(self._names())


def get_loss(name):
    """The registered ``Loss`` called ``name``; ``ValueError`` if there is none."""
    try:
        return LOSSES[name]
    except KeyError:
        known = sorted(LOSSES)
        raise ValueError(f"Unknown loss {name!r}; known: {known}.") from None


def output(loss, Z):
    """Return the output activation ``P = f(Z)`` of ``loss`` (a new array)."""
    return get_loss(loss).output(Z)[0]


def output_and_log(loss, Z):
    """``P = f(Z)`` and, for the softmax, ``log P`` from the same log-sum-exp.

    The second item is None for the other losses.
    """
    return get_loss(loss).output(Z)


def sample_losses(loss, Y, Z, P, log_P=None):
    """Per-sample loss, summed over outputs, shape ``(K, n_samples)``.

    Parameters
    ----------
    loss : str
        One of ``LOSSES``.
    Y : ndarray of shape (n_samples, n_outputs) or (K, n_samples, n_outputs)
        Targets (one-hot / indicator for log-losses).
    Z : ndarray of shape (K, n_samples, n_outputs)
        Output pre-activation.
    P : ndarray of shape (K, n_samples, n_outputs)
        Output activation, ``output(loss, Z)``.
    log_P : ndarray, optional
        ``log P`` for the softmax (from ``output_and_log``), computed if omitted.
    """
    return get_loss(loss).per_sample(Y, Z, P, log_P)


def report_scale(loss, n_outputs):
    """Factor from the optimised data term to the reported loss.

    scikit-learn reports the half squared error *averaged* over outputs but
    back-propagates the gradient of its *sum* over outputs; sklr does the same so
    that ``loss_curve_`` and the weights match scikit-learn's. The optimised
    objective (whose gradient is exact) is the sum; the reported loss divides the
    data term by ``n_outputs``. All other losses are summed over outputs in both.
    """
    return 1.0 / n_outputs if get_loss(loss).mean_over_outputs else 1.0
