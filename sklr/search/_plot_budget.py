"""The best learning rate for each epoch budget: a rate x epochs map of the
held-out loss the search recorded, the best rate of each budget marked."""

from dataclasses import dataclass

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._figure import _axes


@dataclass(repr=False)
class LearningRateEpochsDisplay:
    """Held-out loss by learning rate and epoch budget, the best rate of each
    budget marked: smaller rates need more epochs.

    Build it with :meth:`from_cv_results` (no extra training: the search's
    held-out loss per epoch) or from arrays.

    Parameters
    ----------
    learning_rates : ndarray of shape (n_rates,)
        Increasing.
    loss : ndarray of shape (n_rates, n_epochs)
        Mean held-out loss after each epoch (NaN from the epoch a rate diverged).
    best_rates : ndarray of shape (n_epochs,)
        The rate with the lowest loss after each number of epochs.
    loss_name : str, default="held-out loss"
        The colour bar's label.
    x_label : str, default="epoch"
        What one step of the budget is (e.g. a boosting round).

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    image_ : matplotlib AxesImage
        The map (log10 of the loss).
    best_line_ : matplotlib Line2D
        The best rate of each budget.
    colorbar_ : matplotlib Colorbar

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklr.plotting import LearningRateEpochsDisplay
    >>> loss = np.array([[0.9, 0.7, 0.5], [0.6, 0.3, 0.2], [0.4, np.nan, np.nan]])
    >>> display = LearningRateEpochsDisplay(
    ...     np.array([0.01, 0.1, 1.0]), loss, np.array([1.0, 0.1, 0.1])).plot()
    >>> display.best_line_.get_ydata().tolist()   # rows of the map
    [2, 1, 1]
    """

    learning_rates: np.ndarray
    loss: np.ndarray
    best_rates: np.ndarray
    loss_name: str = "held-out loss"
    x_label: str = "epoch"

    @classmethod
    def from_cv_results(cls, search, *, ax=None):
        """Draw the map of a fitted :class:`~sklr.LearningRateSearchCV`.

        Parameters
        ----------
        search : LearningRateSearchCV
            A fitted search whose estimator records a held-out loss per epoch
            (sklr's MLPs; ``epoch_budgets_`` is then not None).
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : LearningRateEpochsDisplay
        """
        check_is_fitted(search, "sweep_result_")
        budgets = search.epoch_budgets_
        if budgets is None:
            raise ValueError(
                "The search recorded no held-out loss per epoch (epoch_budgets_ is "
                "None): its estimator's family does not record one."
            )
        layout = search.sweep_result_.layout
        return cls(
            budgets.learning_rates,
            budgets.loss,
            budgets.best_rates,
            loss_name=f"mean held-out {layout.loss_label}",
            x_label=layout.unit,
        ).plot(ax=ax)

    def plot(self, ax=None, *, cmap="viridis_r", title=None):
        """Draw the map.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        cmap : str, default="viridis_r"
            Low losses bright.
        title : str, default=None

        Returns
        -------
        self : LearningRateEpochsDisplay
        """
        import matplotlib as mpl

        ax, fig = _axes(ax)
        n_rates, n_epochs = self.loss.shape
        with np.errstate(divide="ignore", invalid="ignore"):
            shown = np.log10(np.where(self.loss > 0, self.loss, np.nan))
        colormap = mpl.colormaps[cmap].with_extremes(bad="0.85")
        extent = (0.5, n_epochs + 0.5, -0.5, n_rates - 0.5)
        self.image_ = ax.imshow(
            np.ma.masked_invalid(shown),
            cmap=colormap,
            aspect="auto",
            origin="lower",
            extent=extent,
            interpolation="nearest",
        )
        rows = {float(r): k for k, r in enumerate(self.learning_rates)}
        epochs = np.arange(1, n_epochs + 1)
        marked = np.isfinite(self.best_rates)
        (self.best_line_,) = ax.plot(
            epochs[marked],
            [rows[float(r)] for r in self.best_rates[marked]],
            color="red",
            marker="o",
            markersize=3,
            drawstyle="steps-mid",
            label="best rate after that many epochs",
        )
        ax.set_yticks(range(n_rates), [f"{r:.3g}" for r in self.learning_rates])
        ax.set_ylabel("learning rate")
        ax.set_xlabel(f"{self.x_label}s of training (the budget)")
        ax.set_title(title or "Best learning rate for each budget")
        self.colorbar_ = fig.colorbar(
            self.image_, ax=ax, label=f"log10 {self.loss_name} (grey: diverged)"
        )
        ax.legend(loc="upper right", fontsize="small")
        self.ax_, self.figure_ = ax, fig
        return self
