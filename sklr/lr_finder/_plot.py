"""The range test's Display, in scikit-learn's Display convention (matplotlib is
imported inside ``plot`` only)."""

from dataclasses import dataclass

import numpy as np

from .._figure import _axes
from ._range_test import lr_find
from ._rules import FALL_WINDOW, _centered_mean


def _rule_curve(losses):
    """The centred mean of the mini-batch losses read by rule "fall"."""
    losses = np.asarray(losses, dtype=float)
    out = np.full(len(losses), np.nan)
    finite = np.isfinite(losses)
    if finite.any():
        out[finite] = _centered_mean(losses[finite], FALL_WINDOW)
    return out


@dataclass(kw_only=True, repr=False)
class LRFinderDisplay:
    """The range test: raw and smoothed loss against rate, suggestion marked.

    Parameters
    ----------
    learning_rates, losses, smoothed_losses : ndarray of shape (n_steps,)
    suggestion : float
    rule : str

    Attributes
    ----------
    ax_, figure_, raw_line_, smoothed_line_, suggestion_line_, suggestion_marker_
    rule_line_ : Line2D or None
        With rule "fall": the centred mean of the mini-batch losses that the rule
        reads (the moving average lags behind the ramp).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklr.plotting import LRFinderDisplay
    >>> rates = np.logspace(-4, 0, 20)
    >>> loss = 1 / (1 + 20 * rates) + rates**2
    >>> display = LRFinderDisplay(learning_rates=rates, losses=loss,
    ...                           smoothed_losses=loss, suggestion=0.05).plot()
    >>> display.suggestion_line_.get_xdata()[0]
    0.05
    """

    learning_rates: np.ndarray
    losses: np.ndarray
    smoothed_losses: np.ndarray
    suggestion: float
    rule: str = "fall"

    @classmethod
    def from_result(cls, result, *, ax=None):
        """Draw an :class:`~sklr.lr_finder.LRFinderResult`.

        Parameters
        ----------
        result : LRFinderResult
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : LRFinderDisplay
        """
        return cls(
            learning_rates=result.learning_rates,
            losses=result.losses,
            smoothed_losses=result.smoothed_losses,
            suggestion=result.suggestion,
            rule=result.rule,
        ).plot(ax=ax)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, ax=None, **kwargs):
        """Run :func:`~sklr.lr_find` and draw it.

        Parameters
        ----------
        estimator : MLPClassifier, MLPRegressor or Pipeline ending in one
        X, y : array-like
        ax : matplotlib Axes, default=None
        **kwargs
            Passed to :func:`~sklr.lr_find`.

        Returns
        -------
        display : LRFinderDisplay
        """
        return cls.from_result(lr_find(estimator, X, y, **kwargs), ax=ax)

    def plot(self, ax=None, *, title=None, line_kw=None, smoothed_line_kw=None):
        """Draw the test.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        title : str, default=None
        line_kw, smoothed_line_kw : dict, default=None
            Keywords passed to ``ax.plot`` for the mini-batch losses and for
            their moving average, over sklr's.

        Returns
        -------
        self : LRFinderDisplay
        """
        ax, fig = _axes(ax)
        rates = np.asarray(self.learning_rates)
        raw, smooth = np.asarray(self.losses), np.asarray(self.smoothed_losses)
        raw_style = {
            "color": "0.6",
            "lw": 0.8,
            "alpha": 0.7,
            "label": "mini-batch loss",
        }
        (self.raw_line_,) = ax.plot(rates, raw, **{**raw_style, **(line_kw or {})})
        smooth_style = {
            "color": "tab:purple",  # never a diagnosis colour
            "lw": 2,
            "label": "moving average (lags)",
        }
        smooth_style.update(smoothed_line_kw or {})
        (self.smoothed_line_,) = ax.plot(rates, smooth, **smooth_style)
        read = smooth  # the curve the suggestion is read on
        self.rule_line_ = None
        if self.rule == "fall":  # rule "fall" reads a centred mean: no lag
            read = _rule_curve(raw)
            (self.rule_line_,) = ax.plot(
                rates, read, color="k", lw=1.4, label="centred mean (rule 'fall')"
            )
        finite = np.isfinite(smooth)
        if finite.any():  # keep the explosion from flattening the interesting part
            low = np.nanmin(smooth[finite])
            ax.set_ylim(
                min(np.nanmin(raw[np.isfinite(raw)]), low) * 0.95,
                max(smooth[finite][0], low) * 1.6,
            )
        self._mark_suggestion(ax, rates, read, finite)
        ax.set_xscale("log")
        ax.set_xlabel("learning rate (raised every mini-batch)")
        ax.set_ylabel("training loss")
        ax.set_title(title or "Learning-rate range test")
        ax.legend(fontsize="small")
        self.ax_, self.figure_ = ax, fig
        return self

    def _mark_suggestion(self, ax, rates, read, finite):
        """The suggestion's line, and its star on the curve the rule read."""
        self.suggestion_line_ = ax.axvline(self.suggestion, color="0.3", ls="--", lw=1)
        ok = finite & np.isfinite(read)
        y = (
            np.interp(np.log10(self.suggestion), np.log10(rates[ok]), read[ok])
            if ok.any()
            else np.nan
        )
        said = f"{self.suggestion:.3g}" if np.isfinite(self.suggestion) else "none"
        (self.suggestion_marker_,) = ax.plot(
            [self.suggestion],
            [y],
            "*",
            color="gold",
            mec="k",
            ms=15,
            zorder=5,
            label=f"suggestion ({self.rule}): {said}",
        )
