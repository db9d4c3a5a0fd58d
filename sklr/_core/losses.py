"""Output layers and their losses, computed stably from the output pre-activation.

Each loss is paired with its canonical output activation (identity for squared
error, exp for Poisson, softmax for multiclass log-loss, logistic for binary and
multilabel log-loss), so that the derivative of the loss with respect to the
output pre-activation ``Z`` is simply ``P - Y``.

All functions take arrays with a leading axis of K stacked networks:
``Z``, ``P`` and ``Y`` are ``(K, n_samples, n_outputs)`` (``Y`` may be
``(n_samples, n_outputs)`` and is then broadcast).
"""

from functools import lru_cache

import numpy as np
from scipy.special import expit, xlogy

#: output activation of each loss
OUT_ACTIVATIONS = {
    "squared_error": "identity",
    "poisson": "exp",
    "log_loss": "softmax",
    "binary_log_loss": "logistic",
}


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


def output(loss, Z):
    """Return the output activation ``P = f(Z)`` of ``loss`` (a new array)."""
    return output_and_log(loss, Z)[0]


def output_and_log(loss, Z):
    """``P = f(Z)`` and, for the softmax, ``log P`` from the same log-sum-exp.

    The second item is None for the other losses.
    """
    if loss == "squared_error":
        return Z.copy(), None
    if loss == "poisson":
        # exp saturates at the largest finite value instead of overflowing
        return np.exp(np.minimum(Z, np.log(np.finfo(Z.dtype).max) - 1)), None
    if loss == "binary_log_loss":
        return expit(Z), None
    if loss == "log_loss":
        shifted = Z - _row_max(Z)
        P = np.exp(shifted)
        total = _row_sum(P)[..., None]
        P /= total
        shifted -= np.log(total)
        return P, shifted
    raise ValueError(f"Unknown loss {loss!r}.")


def _clipped(log_p, dtype):
    # scikit-learn clips probabilities to [eps, 1 - eps]; in log space only the
    # lower bound matters (log(1 - eps) differs from 0 by eps).
    return np.maximum(log_p, _log_eps(np.dtype(dtype)), out=log_p)


def sample_losses(loss, Y, Z, P, log_P=None):
    """Per-sample loss, summed over outputs, shape ``(K, n_samples)``.

    Parameters
    ----------
    loss : str
        One of ``OUT_ACTIVATIONS``.
    Y : ndarray of shape (n_samples, n_outputs) or (K, n_samples, n_outputs)
        Targets (one-hot / indicator for log-losses).
    Z : ndarray of shape (K, n_samples, n_outputs)
        Output pre-activation.
    P : ndarray of shape (K, n_samples, n_outputs)
        Output activation, ``output(loss, Z)``.
    log_P : ndarray, optional
        ``log P`` for the softmax (from ``output_and_log``), computed if omitted.
    """
    dtype = Z.dtype
    if loss == "squared_error":
        R = P - Y
        R *= R
        return 0.5 * _row_sum(R)
    if loss == "poisson":
        # y log(y / p) - y + p with log p = z, without evaluating log(p)
        return _row_sum(xlogy(Y, Y) - Y * Z - Y + P)
    if loss == "log_loss":
        if log_P is None:
            log_P = output_and_log(loss, Z)[1]
        per_sample = np.vecdot(np.maximum(log_P, _log_eps(np.dtype(dtype))), Y)
        return np.negative(per_sample, out=per_sample)
    if loss == "binary_log_loss":
        log_p = _clipped(-np.logaddexp(0, -Z), dtype)
        log_1mp = _clipped(-np.logaddexp(0, Z), dtype)
        return -_row_sum(Y * log_p + (1 - Y) * log_1mp)
    raise ValueError(f"Unknown loss {loss!r}.")


def report_scale(loss, n_outputs):
    """Factor from the optimised data term to the reported loss.

    scikit-learn reports the half squared error *averaged* over outputs but
    back-propagates the gradient of its *sum* over outputs; sklr does the same so
    that ``loss_curve_`` and the weights match scikit-learn's. The optimised
    objective (whose gradient is exact) is the sum; the reported loss divides the
    data term by ``n_outputs``. All other losses are summed over outputs in both.
    """
    return 1.0 / n_outputs if loss == "squared_error" else 1.0
