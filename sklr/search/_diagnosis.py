"""Turning a search's scores and curves into advice: the good range and the
diagnosis of every rate.

Each rule is a small pure function, tested without fitting anything and measured
on the validity benchmark (``benchmarks/validity.py``, ``docs/accuracy.rst``).
"""

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ._sweep import _carry_forward

#: Diagnoses, in the order the rules are applied.
DIAGNOSES = ("diverged", "unscored", "good", "oscillating", "too_high", "too_low")

#: Significance level of the one-sided paired t-test behind ``good_range_``.
GOOD_RANGE_ALPHA = 0.01

#: Significance level of the one-sided paired t-test that a rate beats the
#: baseline (``BASELINE_ALPHA``): "clearly above the baseline".
BASELINE_ALPHA = 0.05

#: A training loss "rises" in an epoch when it grows by more than this fraction.
RISE_TOLERANCE = 1e-3

#: A rate "oscillates" when its loss rises in at least this fraction of epochs.
OSCILLATION_FRACTION = 0.4

#: A best rate next to instability gives way to a lower stable rate of the good
#: range whose mean score is within this many standard errors (over the folds)
#: of its own (chosen on the validity benchmark: see ``stable_choice``).
STABLE_CHOICE_SE = 0.5

#: A rate is "next to" the next rate up of the grid when that one is at most
#: this factor larger (a decade; the default grid has two rates a decade).
NEIGHBOUR_FACTOR = 10.0


def _paired_p_value(d):
    """One-sided p-value of a paired t-test that the mean of ``d`` is > 0.

    With no spread, 0 when every difference is positive and 1 otherwise.
    """
    F = len(d)
    sd = d.std(ddof=1) if F > 1 else 0.0
    if sd == 0:
        return 0.0 if d.mean() > 0 else 1.0
    return float(stats.t.sf(d.mean() / (sd / np.sqrt(F)), F - 1))


def _indistinguishable(scores, best):
    """Rates whose fold scores are not significantly below those of ``best``.

    One-sided paired t-test over folds at level ``GOOD_RANGE_ALPHA``; a rate with
    any NaN score (diverged or failed) is never indistinguishable.
    """
    out = np.zeros(len(scores), dtype=bool)
    for r in range(len(scores)):
        if np.isnan(scores[r]).any():
            continue
        d = scores[best] - scores[r]
        out[r] = d.mean() <= 0 or _paired_p_value(d) >= GOOD_RANGE_ALPHA
    return out


def _above_baseline(scores, baseline):
    """Rates whose fold scores are significantly above the baseline's.

    One-sided paired t-test over folds at level ``BASELINE_ALPHA`` that the
    rate beats the baseline (a model that ignores the features, scored on the
    same folds). Where the baseline could not be scored, every rate passes.
    """
    baseline = np.asarray(baseline, dtype=float)
    if not np.isfinite(baseline).all():
        return np.ones(len(scores), dtype=bool)
    return np.array(
        [
            np.isfinite(row).all() and _paired_p_value(row - baseline) < BASELINE_ALPHA
            for row in scores
        ],
        dtype=bool,
    )


def _rise_fraction(curves):
    """Mean over folds of the fraction of epochs in which the loss rises."""
    fractions = []
    for curve in curves:
        values = curve[~np.isnan(curve)]
        if len(values) < 2:
            continue
        with np.errstate(invalid="ignore"):
            rises = values[1:] > values[:-1] + RISE_TOLERANCE * np.abs(values[:-1])
        fractions.append(rises.mean())
    return float(np.mean(fractions)) if fractions else 0.0


def _diagnose(rates, scores, diverged, loss, *, unusable=None, baseline=None):
    """Good range and diagnosis of every rate of one ``param_grid`` point.

    ``scores``, ``diverged`` and ``unusable`` (diverged, unscored or non-finite
    on a fold) are ``(R, F)``; ``loss`` is ``(R, F, n_epochs)``; ``baseline`` is
    the baseline's score per fold. The good range grows from the best usable rate
    over neighbours that are usable, indistinguishable from it, clearly above the
    baseline and do not oscillate, so that every rate inside it is diagnosed
    ``"good"``; it is ``(nan, nan)`` when the best rate is not clearly above the
    baseline or no rate is usable.
    """
    rates = np.asarray(rates, dtype=float)
    R = len(rates)
    unusable = diverged | np.isnan(scores) if unusable is None else unusable
    usable = ~unusable.any(axis=1)
    rising = np.array([_rise_fraction(c) >= OSCILLATION_FRACTION for c in loss])
    low = high = np.nan
    fast = np.zeros(R, dtype=bool)  # too fast: above the good range
    if usable.any():
        best = int(np.argmax(np.where(usable, scores.mean(axis=1), -np.inf)))
        above = (
            np.ones(R, bool) if baseline is None else _above_baseline(scores, baseline)
        )
        indistinguishable = _indistinguishable(scores, best)
        ok = indistinguishable & usable & above & ~rising
        if above[best]:
            ok[best] = True
            low, high = _run_around(rates, ok, best)
            fast = rates > high
        else:  # no good range: too fast only if clearly worse than the best
            fast = (rates > rates[best]) & ~indistinguishable
    diagnosis = np.empty(R, dtype=object)
    for r in range(R):
        if diverged[r].any():
            diagnosis[r] = "diverged"
        elif unusable[r].any():
            diagnosis[r] = "unscored"
        elif low <= rates[r] <= high:
            diagnosis[r] = "good"
        elif rising[r]:  # seen: its loss rises in many epochs
            diagnosis[r] = "oscillating"
        elif fast[r]:  # above the good range, with no rise seen (or no curve)
            diagnosis[r] = "too_high"
        else:
            diagnosis[r] = "too_low"
    return (low, high), diagnosis.astype(str)


def _unstable(scores_unusable, loss):
    """Rates that diverged, failed or have no finite score on a fold, or whose
    training loss rises in at least ``OSCILLATION_FRACTION`` of the epochs."""
    rising = np.array([_rise_fraction(c) >= OSCILLATION_FRACTION for c in loss])
    return scores_unusable.any(axis=1) | rising


def _next_up(rates):
    """For each rate, the index of the next rate up of the grid when it is at
    most ``NEIGHBOUR_FACTOR`` larger, else -1."""
    order = np.argsort(rates)
    up = np.full(len(rates), -1)
    close = rates[order[1:]] <= rates[order[:-1]] * NEIGHBOUR_FACTOR * (1 + 1e-9)
    up[order[:-1][close]] = order[1:][close]
    return up


def _stable_alternative(rates, scores, unstable, good_range, best):
    """The rate sklr recommends instead of ``best`` (the best mean score), or
    ``best`` itself: when the next rate above ``best`` is unstable, the lower
    rate of the good range with the highest mean score among those that are
    stable, whose next rate above is stable, and whose mean score is within
    ``STABLE_CHOICE_SE`` standard errors of ``best``'s (the one-standard-error
    rule of glmnet's ``lambda.1se``, at half a standard error)."""
    up = _next_up(rates)
    above = (up >= 0) & unstable[up]  # the next rate up is unstable
    if not above[best]:
        return best
    low, high = good_range
    F = scores.shape[1]
    spread = scores[best].std(ddof=1) / np.sqrt(F) if F > 1 else 0.0
    means = scores.mean(axis=1)
    close = means >= means[best] - STABLE_CHOICE_SE * spread
    inside = (rates >= low * (1 - 1e-9)) & (rates <= high * (1 + 1e-9))
    ok = close & inside & (rates < rates[best]) & ~unstable & ~above
    if not ok.any():
        return best
    return int(np.argmax(np.where(ok, means, -np.inf)))


def stable_choice(sweep, diagnosis, best):
    """The candidate sklr recommends: ``best`` (the best mean score, as
    ``GridSearchCV`` chooses), unless the next rate above it diverged,
    oscillated or failed on a fold, and a lower rate of the good range is
    stable, has a stable neighbour above, and scores within
    ``STABLE_CHOICE_SE`` standard errors of it (the highest-scoring such rate).

    Parameters
    ----------
    sweep : SweepResult
    diagnosis : Diagnosis
        ``diagnose(sweep)``.
    best : int
        The candidate with the best mean score.

    Returns
    -------
    int
        The recommended candidate (in ``cv_results_``'s order).
    """
    p, r = sweep.point_index[best], sweep.rate_index[best]
    unstable = _unstable(sweep.unusable[p], sweep.loss[p])
    rate = _stable_alternative(
        sweep.learning_rates,
        sweep.usable_scores()[p],
        unstable,
        diagnosis.good_range(p),
        r,
    )
    if rate == r:
        return best
    return int(np.flatnonzero((sweep.point_index == p) & (sweep.rate_index == rate))[0])


def next_rate_unstable(sweep, candidate):
    """The next rate above ``candidate``'s (at most ``NEIGHBOUR_FACTOR``
    larger, at its ``param_grid`` point) when it diverged, oscillated or failed
    on a fold; else None."""
    p, r = sweep.point_index[candidate], sweep.rate_index[candidate]
    up = _next_up(sweep.learning_rates)[r]
    if up < 0:
        return None
    unstable = _unstable(sweep.unusable[p], sweep.loss[p])
    return float(sweep.learning_rates[up]) if unstable[up] else None


@dataclass(frozen=True, repr=False)
class EpochBudgets:
    """The best rate for each epoch budget, from the held-out loss per epoch.

    Parameters
    ----------
    learning_rates : ndarray of shape (n_rates,)
        The rates, increasing.
    loss : ndarray of shape (n_rates, n_epochs)
        The mean over folds of the held-out loss after each epoch (a fold that
        stopped early keeps its last loss); NaN from the epoch a rate diverged
        on any fold.
    best_rates : ndarray of shape (n_epochs,)
        ``best_rates[e - 1]``: the rate with the lowest mean held-out loss after
        ``e`` epochs (NaN when none has one).

    Examples
    --------
    >>> import numpy as np
    >>> from sklr.search import EpochBudgets
    >>> budgets = EpochBudgets.of(
    ...     np.array([0.01, 0.1, 1.0]),
    ...     np.array([[[0.9, 0.5]], [[0.6, 0.3]], [[0.4, np.inf]]]),  # 1 fold
    ...     np.array([[0], [0], [2]]))
    >>> budgets.best_rates.tolist()   # 1 epoch: 1.0; 2 epochs: 1.0 diverged
    [1.0, 0.1]
    >>> budgets
    EpochBudgets(3 rates x 2 epochs, best at the end: 0.1)
    """

    learning_rates: np.ndarray
    loss: np.ndarray
    best_rates: np.ndarray

    def __repr__(self):
        n_rates, n_epochs = np.shape(self.loss)
        last = self.best_rates[-1] if len(self.best_rates) else np.nan
        shape = f"{n_rates} rates x {n_epochs} epochs"
        return f"EpochBudgets({shape}, best at the end: {last:.3g})"

    @classmethod
    def of(cls, rates, held_out, diverged_epoch):
        """The budgets of one ``param_grid`` point.

        Parameters
        ----------
        rates : ndarray of shape (n_rates,)
        held_out : ndarray of shape (n_rates, n_folds, n_epochs)
            The held-out loss per epoch (NaN after a fold stopped).
        diverged_epoch : ndarray of int of shape (n_rates, n_folds)
            The epoch (1-based) each fold diverged in, 0 if it did not.

        Returns
        -------
        EpochBudgets
        """
        order = np.argsort(rates)
        curves = np.array(held_out, dtype=float)[order]
        diverged = np.asarray(diverged_epoch)[order]
        n_epochs = curves.shape[-1]
        epoch = np.arange(1, n_epochs + 1)
        first = np.where(diverged > 0, diverged, n_epochs + 1).min(axis=1)
        curves = _carry_forward(curves)  # a stopped fold keeps its last loss
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            loss = curves.mean(axis=1)
        loss[epoch[None, :] >= first[:, None]] = np.nan
        loss[~np.isfinite(loss)] = np.nan
        best = np.full(n_epochs, np.nan)
        has = np.isfinite(loss).any(axis=0)
        best[has] = np.asarray(rates)[order][np.nanargmin(loss[:, has], axis=0)]
        return cls(np.asarray(rates, float)[order], loss, best)

    def at(self, budgets):
        """``{epochs: best rate}`` at the given budgets (finite ones only).

        Parameters
        ----------
        budgets : iterable of int
            Numbers of epochs, from 1.

        Returns
        -------
        dict
        """
        out = {}
        for e in budgets:
            if 1 <= e <= len(self.best_rates) and np.isfinite(self.best_rates[e - 1]):
                out[int(e)] = float(self.best_rates[e - 1])
        return out


def epoch_budgets(sweep, point=0):
    """The :class:`EpochBudgets` of a ``SweepResult`` at a ``param_grid`` point,
    or None when its family records no held-out loss per epoch."""
    held = sweep.held_out_loss[point]
    if held.shape[-1] == 0 or not np.isfinite(held).any():
        return None
    return EpochBudgets.of(sweep.learning_rates, held, sweep.diverged_epoch[point])


def _run_around(rates, ok, best):
    """The lowest and highest rate of the run of ``ok`` rates around ``best``."""
    order = np.argsort(rates)
    pos = int(np.flatnonzero(order == best)[0])
    lo = hi = pos
    while lo > 0 and ok[order[lo - 1]]:
        lo -= 1
    while hi < len(rates) - 1 and ok[order[hi + 1]]:
        hi += 1
    return float(rates[order[lo]]), float(rates[order[hi]])


@dataclass(frozen=True)
class Diagnosis:
    """The advice of a search, per ``param_grid`` point.

    Parameters
    ----------
    good_ranges : ndarray of shape (n_points, 2)
        The good range ``(low, high)`` of each point (NaN where there is none).
    labels : ndarray of str of shape (n_points, n_rates)
        The diagnosis of every rate (the search's ``diagnosis_`` has one per
        candidate).

    Examples
    --------
    >>> import numpy as np
    >>> from sklr.search import Diagnosis
    >>> advice = Diagnosis(np.array([[0.01, 0.1]]), np.array([["too_low", "good"]]))
    >>> advice.good_range(0)
    (0.01, 0.1)
    """

    good_ranges: np.ndarray
    labels: np.ndarray

    def good_range(self, point):
        """The good range of a point.

        Parameters
        ----------
        point : int
            The index of the ``param_grid`` point.

        Returns
        -------
        tuple of (float, float)
            ``(low, high)``, NaN where there is no good range.
        """
        low, high = self.good_ranges[point]
        return float(low), float(high)


def diagnose(sweep):
    """The :class:`Diagnosis` of a ``SweepResult``: a pure function of it."""
    scores = sweep.usable_scores()
    unusable = sweep.unusable
    baseline = sweep.baseline[sweep.refit_metric]
    ranges, labels = [], []
    for p in range(sweep.shape[0]):
        good, label = _diagnose(
            sweep.learning_rates,
            scores[p],
            sweep.diverged[p],
            sweep.loss[p],
            unusable=unusable[p],
            baseline=baseline[p],
        )
        ranges.append(good)
        labels.append(label)
    return Diagnosis(np.array(ranges, dtype=float).reshape(-1, 2), np.stack(labels))
