"""The rules that read a range test's loss curve and suggest a rate.

Each rule is named, documented with its source and measured on the validity
benchmark; ``suggest`` applies one to any curve.
"""

import math
import warnings

import numpy as np

from ..exceptions import RangeTestWarning

SUGGESTION_RULES = ("fall", "valley", "steepest", "minimum")

#: No rule answers in the first 5% of the ramp (where the smoothed loss still
#: carries its start-up transient).
SKIP_FRACTION = 0.05

#: Rule "fall": window of the centred mean, fraction of the fall, and the least
#: relative fall of the loss that counts as falling.
FALL_WINDOW = 11

FALL_FRACTION = 0.75

MIN_FALL = 0.05


def _skip(n):
    """Number of leading points no rule may answer in: the first 5% of the ramp."""
    return math.ceil(SKIP_FRACTION * n)


def _lowest(smoothed):
    """Index of the lowest point after the first 5% of the ramp."""
    k0 = _skip(len(smoothed))
    return k0 + int(np.argmin(smoothed[k0:]))


def _valley(rates, smoothed, losses):
    n = len(smoothed)
    lds = np.ones(n, dtype=int)
    max_start = max_end = 0
    for i in range(1, n):
        for j in range(i):
            if smoothed[i] < smoothed[j] and lds[i] < lds[j] + 1:
                lds[i] = lds[j] + 1
        if lds[max_end] < lds[i]:
            max_end = i
            max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    index = max_start + int(sections) + int(sections / 2)
    return float(rates[index]) if index >= _skip(n) else np.nan


def _steepest(rates, smoothed, losses):
    k0, low = _skip(len(smoothed)), _lowest(smoothed)
    slope = np.gradient(smoothed, np.log10(rates))[k0 : low + 1]
    if not len(slope) or slope.min() >= 0:
        return np.nan  # the loss never falls after the start
    return float(rates[k0 + int(np.argmin(slope))])


def _minimum(rates, smoothed, losses):
    value = rates[_lowest(smoothed)] / 10
    return float(value) if value >= rates[_skip(len(rates))] else np.nan


def _fall(rates, smoothed, losses):
    curve = _centered_mean(losses, FALL_WINDOW)
    k0 = _skip(len(curve))
    low = _lowest(curve)
    start = float(np.median(curve[: max(k0, 3)]))
    if not curve[low] < start * (1 - MIN_FALL):
        return np.nan  # the loss did not fall
    target = start - FALL_FRACTION * (start - curve[low])
    index = int(np.flatnonzero(curve[: low + 1] <= target)[0])
    return float(rates[index]) if index >= k0 else np.nan


def _centered_mean(values, window):
    """Mean over a window centred on each point (shorter at the ends): no lag."""
    half = window // 2
    sums = np.concatenate([[0.0], np.cumsum(values)])
    idx = np.arange(len(values))
    lo, hi = np.maximum(idx - half, 0), np.minimum(idx + half + 1, len(values))
    return (sums[hi] - sums[lo]) / (hi - lo)


_RULES = {"fall": _fall, "valley": _valley, "steepest": _steepest, "minimum": _minimum}


def suggest(learning_rates, smoothed_losses, rule="fall", *, losses=None):
    """Suggest a rate from a range test's curve.

    Non-finite points are dropped first. No rule answers outside the ramp or in
    its first 5% (``SKIP_FRACTION``): where a rule finds no answer on the curve
    (the loss never fell, or was lowest at the start), it returns NaN with a
    ``RangeTestWarning``.

    Parameters
    ----------
    learning_rates, smoothed_losses : array-like of shape (n_steps,)
    rule : {"fall", "valley", "steepest", "minimum"}, default="fall"
        See ``LRFinderSuggestions``.
    losses : array-like of shape (n_steps,), default=None
        The raw mini-batch losses, which rule "fall" smooths without lag (a
        centred mean); None means the smoothed losses.

    Returns
    -------
    rate : float
        NaN when the curve has no answer for this rule.

    Raises
    ------
    ValueError
        If fewer than 3 finite points remain.

    Examples
    --------
    >>> import numpy as np
    >>> from sklr.lr_finder import suggest
    >>> rates = np.logspace(-4, 0, 5)
    >>> suggest(rates, [1.0, 0.8, 0.3, 0.2, 5.0], rule="minimum")
    0.01
    """
    if rule not in _RULES:
        raise ValueError(
            f"The 'suggestion' parameter must be one of {list(SUGGESTION_RULES)}, "
            f"got {rule!r}."
        )
    rates = np.asarray(learning_rates, dtype=float)
    smoothed = np.asarray(smoothed_losses, dtype=float)
    raw = smoothed if losses is None else np.asarray(losses, dtype=float)
    finite = np.isfinite(smoothed) & np.isfinite(rates) & np.isfinite(raw)
    if finite.sum() < 3:
        raise ValueError(
            f"Cannot suggest a learning rate with rule {rule!r}: it needs at least "
            f"3 finite points, got {int(finite.sum())}. Lower start_lr, raise "
            "num_steps, or raise diverge_threshold."
        )
    value = _RULES[rule](rates[finite], smoothed[finite], raw[finite])
    if np.isnan(value):
        warnings.warn(_no_answer(rule), RangeTestWarning, stacklevel=2)
    return value


def _no_answer(rule):
    return (
        f"The range test's curve has no answer for rule {rule!r}: the loss did not "
        "fall after the first 5% of the ramp. The ramp may not reach the rates that "
        "matter (raise end_lr), start above them (lower start_lr), have too few "
        "steps (raise num_steps), or the features may not predict the target. The "
        "suggestion is NaN."
    )
