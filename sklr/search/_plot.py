"""Displays of a search, in scikit-learn's Display convention.

A Display holds data and draws it with ``plot(ax=None, ...)``, which returns the
display and sets ``ax_``, ``figure_`` and the artists. ``from_*`` classmethods
compute the data with the search, which needs no matplotlib; matplotlib is
imported inside ``plot`` only.
"""

import warnings
from dataclasses import dataclass

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import check_is_fitted

from .._figure import _axes
from ._results import (
    by_point,
    last_recorded,
    mostly_diverged,
    point_params,
    refit_metric,
)
from ._search import LearningRateSearchCV

#: colour of each diagnosis in the displays
DIAGNOSIS_COLORS = {
    "too_low": "tab:blue",
    "good": "tab:green",
    "oscillating": "tab:orange",
    "diverged": "tab:red",
    "unscored": "tab:gray",
}


def _point_labels(search):
    """One label per param_grid point ("" when there is a single point)."""
    return [
        ", ".join(f"{k.split('__')[-1]}={v}" for k, v in point.items())
        for point in point_params(search)
    ]


def _score_label(search, name):
    """A readable name of the score: the scoring string, or the default's name."""
    if search.multimetric_:
        return name
    if isinstance(search.scoring, str):
        return search.scoring
    if search.scoring is None:
        return "accuracy" if is_classifier(search.estimator) else "R^2"
    return "score"


def _fold_values(search, metric, show_train):
    """Per-(candidate, fold) values of ``metric``, train values, label, direction."""
    if metric == "loss":
        test = last_recorded(search.validation_loss_curves_)
        train = last_recorded(search.loss_curves_) if show_train else None
        return test, train, "held-out loss after the last epoch", True
    name = "score" if metric == "score" else metric
    if name == "score":
        name = refit_metric(search)
    suffix = name if search.multimetric_ else "score"
    folds = range(search.n_splits_)

    def column(split):
        return np.column_stack(
            [search.cv_results_[f"split{k}_{split}_{suffix}"] for k in folds]
        )

    train = column("train") if show_train else None
    label = f"mean test score ({_score_label(search, name)})"
    return column("test"), train, label, False


@dataclass(kw_only=True)
class LearningRateSensitivityDisplay:
    """The U-curve: loss or score against learning rate, on a log axis.

    One curve per ``param_grid`` point: the mean over folds with a band of one
    standard deviation, points coloured by diagnosis, diverged rates marked
    with a red cross at the top edge, the best rate marked with a star and the
    good range shaded.

    Parameters
    ----------
    learning_rates : ndarray of shape (n_rates,)
    mean, std : ndarray of shape (n_curves, n_rates)
        Mean and standard deviation over folds (NaN where diverged).
    diagnosis : ndarray of str, shape (n_curves, n_rates)
    diverged : ndarray of bool, shape (n_curves, n_rates)
        Whether the rate diverged on at least half of the folds.
    labels : list of str
        One label per curve.
    best_rate : float
    best_value : float
    good_range : tuple of float
    ylabel : str
    lower_is_better : bool
    train_mean, train_std : ndarray or None
        Training scores, drawn dashed when present.
    baseline : float or None
        The score of the baseline (a model that ignores the features, or the
        untrained network), drawn as a dotted line when given.

    Attributes
    ----------
    ax_, figure_ : matplotlib Axes and Figure
    lines_ : list of Line2D
        One line per curve (mean).
    bands_ : list of PolyCollection
    points_ : list of PathCollection
        Points coloured by diagnosis.
    diverged_markers_ : list of PathCollection or None
    best_marker_ : Line2D
    good_range_patch_ : Polygon or None
    baseline_line_ : Line2D or None

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklr import LearningRateSearchCV, MLPClassifier
    >>> from sklr.plotting import LearningRateSensitivityDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> search = LearningRateSearchCV(
    ...     MLPClassifier(hidden_layer_sizes=(8,), max_iter=30, random_state=0),
    ...     [1e-4, 1e-2, 1e-1, 1e3], cv=3).fit(X, y)
    >>> display = LearningRateSensitivityDisplay.from_cv_results(search)
    >>> display.ax_.get_xscale()
    'log'
    """

    learning_rates: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    diagnosis: np.ndarray
    diverged: np.ndarray
    labels: list
    best_rate: float
    best_value: float
    good_range: tuple
    ylabel: str
    lower_is_better: bool = False
    train_mean: np.ndarray | None = None
    train_std: np.ndarray | None = None
    baseline: float | None = None

    @classmethod
    def from_cv_results(cls, search, *, metric="score", show_train=False, ax=None):
        """Draw the U-curve of a fitted :class:`~sklr.LearningRateSearchCV`.

        Parameters
        ----------
        search : LearningRateSearchCV
            A fitted search.
        metric : "score", "loss" or a metric name, default="score"
            "score": the mean test score of the refit metric; "loss": the
            held-out loss after the last epoch of each fold; with several
            metrics, the name of one of them.
        show_train : bool, default=False
            Also draw the training score (needs ``return_train_score=True``)
            or, for "loss", the training loss.
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : LearningRateSensitivityDisplay
        """
        check_is_fitted(search, "cv_results_")
        rates = np.asarray(search.learning_rates_, dtype=float)
        test, train, ylabel, lower = _fold_values(search, metric, show_train)
        diverged = mostly_diverged(search)
        test = np.where(search.diverged_, np.nan, test)

        def shape(a):
            return by_point(search, a)

        def stats(values):
            with np.errstate(invalid="ignore"):
                return shape(values.mean(axis=1)), shape(values.std(axis=1))

        mean, std = stats(test)
        train_mean = train_std = None
        if train is not None:
            train_mean, train_std = stats(np.where(search.diverged_, np.nan, train))
        best = getattr(search, "best_index_", None)  # none when nothing is usable
        baseline = None
        if metric == "score" and hasattr(search, "baseline_scores_"):
            point = 0 if best is None else search.point_index_[best]
            baseline = float(np.mean(search.baseline_scores_[point]))
        display = cls(
            learning_rates=rates,
            mean=mean,
            std=std,
            diagnosis=shape(np.asarray(search.diagnosis_)),
            diverged=shape(diverged),
            labels=_point_labels(search),
            best_rate=np.nan if best is None else float(search.best_learning_rate_),
            best_value=np.nan
            if best is None
            else float(mean[search.point_index_[best], search.rate_index_[best]]),
            good_range=tuple(search.good_range_),
            ylabel=ylabel,
            lower_is_better=lower,
            train_mean=train_mean,
            train_std=train_std,
            baseline=baseline,
        )
        return display.plot(ax=ax)

    @classmethod
    def from_estimator(  # noqa: PLR0913 - mirrors LearningRateSearchCV's arguments
        cls,
        estimator,
        X,
        y,
        *,
        learning_rates=None,
        cv=5,
        param_grid=None,
        scoring=None,
        n_jobs=None,
        metric="score",
        show_train=False,
        ax=None,
    ):
        """Run a :class:`~sklr.LearningRateSearchCV` and draw its U-curve.

        Parameters
        ----------
        estimator : MLPClassifier, MLPRegressor or Pipeline ending in one
        X, y : array-like
        learning_rates : array-like, default=None
        cv, param_grid, scoring, n_jobs
            As in :class:`~sklr.LearningRateSearchCV`.
        metric, show_train, ax
            As in :meth:`from_cv_results`.

        Returns
        -------
        display : LearningRateSensitivityDisplay
        """
        search = LearningRateSearchCV(
            estimator,
            learning_rates,
            param_grid=param_grid,
            scoring=scoring,
            cv=cv,
            n_jobs=n_jobs,
            refit=False,
            return_train_score=show_train,
        ).fit(X, y)
        return cls.from_cv_results(search, metric=metric, show_train=show_train, ax=ax)

    def plot(
        self,
        ax=None,
        *,
        title=None,
        line_kw=None,
        fill_between_kw=None,
        scatter_kw=None,
    ):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure if None.
        title : str, default=None
        line_kw, fill_between_kw, scatter_kw : dict, default=None
            Keywords passed to ``ax.plot`` (the mean curves),
            ``ax.fill_between`` (the bands of one standard deviation) and
            ``ax.scatter`` (the points coloured by diagnosis), over sklr's.

        Returns
        -------
        self : LearningRateSensitivityDisplay
        """
        ax, fig = _axes(ax)
        order = np.argsort(self.learning_rates)
        r = self.learning_rates[order]
        self.lines_, self.bands_, self.points_ = [], [], []
        self.diverged_markers_, self.train_lines_ = [], []
        style = (line_kw or {}, fill_between_kw or {}, scatter_kw or {})
        for c in range(len(self.mean)):
            self._draw_curve(ax, c, order, style)
        self._draw_best(ax)
        self.baseline_line_ = None
        if self.baseline is not None and np.isfinite(self.baseline):
            self.baseline_line_ = ax.axhline(
                self.baseline,
                color="0.45",
                ls=":",
                lw=1.3,
                zorder=1,
                label=f"baseline {self.baseline:.3g} (no learning)",
            )
        ax.set_xscale("log")
        ax.set_xlim(r.min() / 10**0.25, r.max() * 10**0.25)  # diverged rates too
        ax.set_xlabel("learning rate")
        ax.set_ylabel(self.ylabel)
        ax.set_title(title or "Learning-rate sensitivity")
        self._draw_legend(ax)
        self.ax_, self.figure_ = ax, fig
        return self

    def _draw_curve(self, ax, c, order, style=({}, {}, {})):
        """Mean, band, diagnosis-coloured points and divergence marks of curve c
        (``style``: the user's keywords for the line, the band and the points)."""
        import matplotlib.transforms as mtransforms

        several = len(self.mean) > 1
        r = self.learning_rates[order]
        mean, std = self.mean[c][order], self.std[c][order]
        label = self.labels[c] if several else "test (mean over folds)"
        line_kw, band_kw, point_kw = style
        (line,) = ax.plot(r, mean, "-", **{"lw": 1.5, "zorder": 2, **line_kw})
        line.set_label(line_kw.get("label", label))
        color = line_kw.get("color", line.get_color() if several else "0.3")
        line.set_color(color)
        self.lines_.append(line)
        band = {"color": color, "alpha": 0.15, "lw": 0, **band_kw}
        self.bands_.append(ax.fill_between(r, mean - std, mean + std, **band))
        colors = [DIAGNOSIS_COLORS.get(d, "k") for d in self.diagnosis[c][order]]
        points = {"c": colors, "s": 36, "zorder": 3, "edgecolors": "white", **point_kw}
        self.points_.append(ax.scatter(r, mean, **points))
        if self.train_mean is not None:
            train_label = f"{label} (train)" if several else "train (mean over folds)"
            (tl,) = ax.plot(
                r, self.train_mean[c][order], "--", color=color, lw=1, label=train_label
            )
            self.train_lines_.append(tl)
        div = self.diverged[c][order]
        top = mtransforms.blended_transform_factory(ax.transData, ax.transAxes)
        self.diverged_markers_.append(
            ax.scatter(
                r[div],
                np.full(div.sum(), 0.97),
                marker="x",
                s=60,
                color=DIAGNOSIS_COLORS["diverged"],
                transform=top,
                zorder=4,
                clip_on=False,
            )
            if div.any()
            else None
        )

    def _draw_best(self, ax):
        low, high = self.good_range
        self.good_range_patch_ = None
        if np.isfinite(low) and np.isfinite(high):  # widened: visible if low == high
            self.good_range_patch_ = ax.axvspan(
                low / 10**0.08,
                high * 10**0.08,
                color="tab:green",
                alpha=0.12,
                zorder=0,
            )
        (self.best_marker_,) = ax.plot(
            [self.best_rate],
            [self.best_value],
            "*",
            ms=16,
            color="gold",
            mec="k",
            zorder=5,
        )

    def _draw_legend(self, ax):
        from matplotlib.lines import Line2D

        several = len(self.mean) > 1
        shown = set(np.asarray(self.diagnosis).ravel()) | {"too_low", "good"}
        handles = [
            Line2D([], [], ls="", marker="o", color=col, label=name)
            for name, col in DIAGNOSIS_COLORS.items()
            if name in shown or name != "unscored"
        ]
        handles += [
            Line2D(
                [],
                [],
                ls="",
                marker="*",
                ms=12,
                color="gold",
                mec="k",
                label=f"best rate {self.best_rate:.3g}",
            ),
            Line2D(
                [],
                [],
                ls="",
                marker="s",
                ms=10,
                color="tab:green",
                alpha=0.3,
                label=(
                    "good range: none (no rate clearly beats the baseline)"
                    if not np.isfinite(self.good_range[0])
                    else "good range (of the best curve)"
                    if several
                    else "good range"
                ),
            ),
            Line2D(
                [],
                [],
                ls="",
                marker="x",
                color="tab:red",
                label="diverged (at top edge)",
            ),
        ]
        ax.legend(
            handles=ax.get_legend_handles_labels()[0] + handles,
            fontsize="small",
            loc="center left",
            bbox_to_anchor=(1.02, 0.5),
            frameon=False,
        )


@dataclass(kw_only=True)
class LossCurveDisplay:
    """Loss per epoch, one line per learning rate, coloured on a log scale.

    Parameters
    ----------
    learning_rates : ndarray of shape (n_lines,)
    loss : ndarray of shape (n_lines, n_epochs)
        Training loss (NaN after a network stopped; ``inf`` or a value above the
        divergence threshold in the epoch where it diverged).
    held_out_loss : ndarray of shape (n_lines, n_epochs) or None
    diverged_epoch : ndarray of int, shape (n_lines,)
        Epoch (1-based) where each line diverged, 0 if it did not.

    Attributes
    ----------
    ax_, figure_, lines_, held_out_lines_, divergence_markers_, colorbar_

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_iris
    >>> from sklr import MLPClassifier
    >>> from sklr.plotting import LossCurveDisplay
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=30,
    ...                     random_state=0).fit(X, y)
    >>> display = LossCurveDisplay.from_estimator(clf)
    >>> len(display.lines_[0].get_xdata()) == clf.n_iter_
    True
    """

    learning_rates: np.ndarray
    loss: np.ndarray
    held_out_loss: np.ndarray | None = None
    diverged_epoch: np.ndarray | None = None

    @classmethod
    def from_estimator(cls, estimator, *, ax=None):
        """Draw the loss curve of a fitted sklr MLP (or Pipeline ending in one).

        Parameters
        ----------
        estimator : fitted MLPClassifier, MLPRegressor or Pipeline
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : LossCurveDisplay
        """
        mlp = estimator[-1] if hasattr(estimator, "steps") else estimator
        if not hasattr(mlp, "loss_curve_"):
            raise ValueError(
                "The estimator has no loss_curve_: fit it first, with solver 'sgd' "
                "or 'adam'."
            )
        loss = np.array([mlp.loss_curve_], dtype=float)
        held = getattr(mlp, "validation_loss_curve_", None)
        held = None if held is None else np.array([held], dtype=float)
        diverged = np.array([len(mlp.loss_curve_) if mlp.diverged_ else 0])
        return cls(
            learning_rates=np.array([mlp.learning_rate]),
            loss=loss,
            held_out_loss=held,
            diverged_epoch=diverged,
        ).plot(ax=ax)

    @classmethod
    def from_cv_results(cls, search, *, fold=None, param_index=0, ax=None):
        """Draw the loss curves of every rate of a fitted search.

        Parameters
        ----------
        search : LearningRateSearchCV
        fold : int, default=None
            Draw this fold's curves; None draws the mean over folds (over the
            folds still training at each epoch).
        param_index : int, default=0
            Which ``param_grid`` point.
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : LossCurveDisplay
        """
        check_is_fitted(search, "cv_results_")
        rows = np.flatnonzero(search.point_index_ == param_index)
        rows = rows[np.argsort(search.rate_index_[rows])]  # learning_rates_ order
        train = search.loss_curves_[rows]
        held = search.validation_loss_curves_[rows]
        div_epoch = search.diverged_epoch_[rows]
        if fold is None:
            with np.errstate(invalid="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                train, held = np.nanmean(train, axis=1), np.nanmean(held, axis=1)
            div_epoch = np.where(
                mostly_diverged(search, rows),
                np.where(div_epoch > 0, div_epoch, 10**9).min(axis=1),
                0,
            )
        else:
            train, held, div_epoch = train[:, fold], held[:, fold], div_epoch[:, fold]
        return cls(
            learning_rates=np.asarray(search.learning_rates_, float),
            loss=train,
            held_out_loss=held,
            diverged_epoch=div_epoch,
        ).plot(ax=ax)

    def _ceiling(self):
        """Twice the largest first-epoch loss of the curves that did not
        diverge (None if every curve diverged): the top of the y axis when
        other curves go higher."""
        if self.diverged_epoch is None:
            return None
        calm = self.loss[np.asarray(self.diverged_epoch) == 0]
        firsts = [c[np.isfinite(c)][0] for c in calm if np.isfinite(c).any()]
        return 2 * max(firsts) if firsts else None

    def _scale_y(self, ax, log_y):
        """Log or linear y axis, its top at the ceiling when curves (training or
        held-out) shoot above it, its bottom at 0 when linear (losses are >= 0)."""
        curves = [self.loss]
        if self.held_out_loss is not None:
            curves.append(self.held_out_loss)
        values = np.concatenate([np.ravel(c) for c in curves])
        values = values[np.isfinite(values)]
        ceiling = self._ceiling()
        positive = values[values > 0]
        if ceiling is not None:  # diverged curves shoot up: keep the rest readable
            positive = positive[positive <= ceiling]
        spread = positive.max() / positive.min() if positive.size else 1.0
        log = log_y is True or (log_y == "auto" and spread > 100)
        if log:
            ax.set_yscale("log")
        if ceiling is not None and values.size and values.max() > ceiling:
            ax.set_ylim(top=ceiling)
        if not log:
            ax.set_ylim(bottom=0)

    def plot(
        self, ax=None, *, log_y="auto", title=None, line_kw=None, held_out_line_kw=None
    ):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        log_y : bool or "auto", default="auto"
            "auto" uses a log y axis when the finite losses (training and
            held-out, below the ceiling) span more than two orders of magnitude.
        title : str, default=None
        line_kw, held_out_line_kw : dict, default=None
            Keywords passed to ``ax.plot`` for the training and the held-out
            curves, over sklr's (the colour is the rate's unless given).

        Returns
        -------
        self : LossCurveDisplay
        """
        import matplotlib as mpl
        import matplotlib.transforms as mtransforms
        from matplotlib.lines import Line2D

        ax, fig = _axes(ax)
        rates = self.learning_rates
        norm = mpl.colors.LogNorm(
            vmin=rates.min(), vmax=max(rates.max(), rates.min() * 1.0001)
        )
        cmap = mpl.colormaps["viridis"]
        self.lines_, self.held_out_lines_, self.divergence_markers_ = [], [], []
        top = mtransforms.blended_transform_factory(ax.transData, ax.transAxes)
        for k in np.argsort(rates):
            color = cmap(norm(rates[k]))
            curve = self.loss[k]
            epochs = np.flatnonzero(~np.isnan(curve)) + 1
            values = curve[epochs - 1]
            shown = np.isfinite(values)
            style = {"color": color, "lw": 1.5, **(line_kw or {})}
            (line,) = ax.plot(epochs[shown], values[shown], **style)
            self.lines_.append(line)
            if self.held_out_loss is not None:
                h = self.held_out_loss[k]
                h_epochs = np.flatnonzero(np.isfinite(h)) + 1
                held = {"ls": "--", "color": color, "lw": 1, **(held_out_line_kw or {})}
                (hl,) = ax.plot(h_epochs, h[h_epochs - 1], **held)
                self.held_out_lines_.append(hl)
            epoch = 0 if self.diverged_epoch is None else int(self.diverged_epoch[k])
            if epoch:
                self.divergence_markers_.append(
                    ax.scatter(
                        [epoch],
                        [0.97],
                        marker="x",
                        s=60,
                        color=color,
                        transform=top,
                        clip_on=False,
                        zorder=4,
                    )
                )
        self._scale_y(ax, log_y)
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss")
        ax.set_title(title or "Loss per epoch")
        sm = mpl.cm.ScalarMappable(norm=norm, cmap=cmap)
        self.colorbar_ = fig.colorbar(sm, ax=ax, label="learning rate")
        handles = [Line2D([], [], color="0.3", label="training loss")]
        if self.held_out_loss is not None:
            handles.append(Line2D([], [], color="0.3", ls="--", label="held-out loss"))
        if self.divergence_markers_:
            handles.append(
                Line2D([], [], color="0.3", ls="", marker="x", label="diverged (epoch)")
            )
        ax.legend(handles=handles, fontsize="small")
        self.ax_, self.figure_ = ax, fig
        return self


@dataclass(kw_only=True)
class LearningRateBatchSizeDisplay:
    """Heat map of the mean test score over learning rate x batch size.

    Parameters
    ----------
    learning_rates : ndarray of shape (n_rates,)
        Sorted ascending.
    batch_sizes : list
        One per row.
    scores : ndarray of shape (n_batch_sizes, n_rates)
        Mean test score; NaN where the rate diverged.
    best_rates : ndarray of shape (n_batch_sizes,)
        The best rate of each batch size (NaN if all diverged).
    score_label : str

    Attributes
    ----------
    ax_, figure_, image_, best_markers_, colorbar_

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from sklr.plotting import LearningRateBatchSizeDisplay
    >>> d = LearningRateBatchSizeDisplay(
    ...     learning_rates=np.array([1e-3, 1e-2, 1e-1]), batch_sizes=[16, 64],
    ...     scores=np.array([[0.5, 0.9, np.nan], [0.3, 0.8, 0.85]]),
    ...     best_rates=np.array([1e-2, 1e-1]), score_label="accuracy").plot()
    >>> d.image_.get_array().shape
    (2, 3)
    """

    learning_rates: np.ndarray
    batch_sizes: list
    scores: np.ndarray
    best_rates: np.ndarray
    score_label: str = "mean test score"

    @classmethod
    def from_cv_results(cls, search, *, ax=None):
        """Draw the heat map of a search with a ``batch_size`` in ``param_grid``.

        Other ``param_grid`` parameters, if any, must have a single value.

        Parameters
        ----------
        search : LearningRateSearchCV
        ax : matplotlib Axes, default=None

        Returns
        -------
        display : LearningRateBatchSizeDisplay
        """
        check_is_fitted(search, "cv_results_")
        results = search.cv_results_
        key = next(
            (k for k in results if k.startswith("param_") and k.endswith("batch_size")),
            None,
        )
        if key is None:
            raise ValueError(
                "The search has no batch_size in its param_grid: use "
                "param_grid={'batch_size': [...]} (or 'step__batch_size')."
            )
        rates = np.asarray(search.learning_rates_, dtype=float)
        mean = np.where(
            mostly_diverged(search),
            np.nan,
            results[f"mean_test_{refit_metric(search)}"],
        )
        sizes = [point[key.removeprefix("param_")] for point in point_params(search)]
        order = np.argsort(rates)
        scores = by_point(search, mean)[:, order]
        best = np.array(
            [
                rates[order][np.nanargmax(row)] if np.isfinite(row).any() else np.nan
                for row in scores
            ]
        )
        label = _score_label(search, refit_metric(search))
        return cls(
            learning_rates=rates[order],
            batch_sizes=sizes,
            scores=scores,
            best_rates=best,
            score_label=f"mean test score ({label})",
        ).plot(ax=ax)

    def plot(self, ax=None, *, cmap="viridis", title=None, imshow_kw=None):
        """Draw the heat map.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
        cmap : str, default="viridis"
        title : str, default=None
        imshow_kw : dict, default=None
            Keywords passed to ``ax.imshow``, over sklr's.

        Returns
        -------
        self : LearningRateBatchSizeDisplay
        """
        import matplotlib as mpl

        ax, fig = _axes(ax)
        colormap = mpl.colormaps[cmap].with_extremes(bad="0.85")
        data = np.ma.masked_invalid(self.scores)
        style = {"cmap": colormap, "aspect": "auto", "origin": "lower"}
        self.image_ = ax.imshow(data, **{**style, **(imshow_kw or {})})
        n_rows, n_cols = self.scores.shape
        ax.set_xticks(
            range(n_cols),
            [f"{r:.2g}" for r in self.learning_rates],
            rotation=45,
            ha="right",
        )
        ax.set_yticks(range(n_rows), [str(b) for b in self.batch_sizes])
        for i in range(n_rows):
            for j in range(n_cols):
                value = self.scores[i, j]
                text = "div." if not np.isfinite(value) else f"{value:.2f}"
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize="x-small",
                    color="k"
                    if not np.isfinite(value) or value > np.nanmean(self.scores)
                    else "w",
                )
        cols = [
            int(np.flatnonzero(self.learning_rates == r)[0]) if np.isfinite(r) else -1
            for r in self.best_rates
        ]
        rows = [i for i, c in enumerate(cols) if c >= 0]
        self.best_markers_ = ax.scatter(
            [cols[i] for i in rows],
            rows,
            marker="s",
            s=320,
            facecolors="none",
            edgecolors="red",
            linewidths=2,
            label="best rate per batch size",
        )
        ax.set_xlabel("learning rate")
        ax.set_ylabel("batch size")
        ax.set_title(title or "Learning rate x batch size")
        self.colorbar_ = fig.colorbar(self.image_, ax=ax, label=self.score_label)
        ax.legend(
            loc="upper left", bbox_to_anchor=(0, -0.22), fontsize="small", frameon=False
        )
        self.ax_, self.figure_ = ax, fig
        return self
