"""Displays of a search, in scikit-learn's Display convention.

A Display holds data and draws it with ``plot(ax=None, ...)``, which returns the
display and sets ``ax_``, ``figure_`` and the artists. ``from_*`` classmethods
compute the data with the search, which needs no matplotlib; matplotlib is
imported inside ``plot`` only.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils.validation import check_is_fitted

from .._figure import _axes
from ._plot_loss import CURVE_COLORS, DIAGNOSIS_COLORS, DIAGNOSIS_NAMES
from ._results import (
    by_point,
    last_recorded,
    mostly_diverged,
    point_params,
    refit_metric,
)
from ._search import LearningRateSearchCV


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


@dataclass(frozen=True)
class _FoldValues:
    """Per-(candidate, fold) values of a metric, as the U-curve draws them."""

    test: np.ndarray
    train: np.ndarray | None
    label: str
    lower_is_better: bool


def _fold_values(search, metric, show_train):
    """The :class:`_FoldValues` of ``metric`` ("score", "loss" or a metric)."""
    sweep = search.sweep_result_
    if metric == "loss":
        test = last_recorded(sweep.candidate(sweep.held_out_loss))
        train = last_recorded(sweep.candidate(sweep.loss)) if show_train else None
        label = f"held-out loss after the last {sweep.layout.unit}"
        return _FoldValues(test, train, label, True)
    name = sweep.refit_metric if metric == "score" else metric
    if name not in sweep.metrics:
        known = ["score", "loss", *(sweep.metrics if sweep.multimetric else [])]
        raise ValueError(
            f"The 'metric' parameter: the search has no metric {metric!r}; it "
            f"has {known}."
        )
    train = sweep.fold_scores(name, train=True) if show_train else None
    label = f"mean test score ({_score_label(search, name)})"
    return _FoldValues(sweep.fold_scores(name), train, label, False)


_STRIP = 0.1  # the height of the diverged rates' strip, in axes fractions


@dataclass(kw_only=True, repr=False)  # repr: the object, not its arrays
class LearningRateSensitivityDisplay:
    """The U-curve: loss or score against learning rate, on a log axis.

    One curve per ``param_grid`` point: the mean over folds with a band of one
    standard deviation, points coloured by diagnosis, the best rate marked with
    a star and the good range shaded. Rates that diverged on a fold have no
    mean score: they are marked with crosses in a strip of their own at the top of
    the axes (one row per curve). Curves are told apart by colours that are
    never diagnosis colours (``CURVE_COLORS``).

    Parameters
    ----------
    learning_rates : ndarray of shape (n_rates,)
    mean, std : ndarray of shape (n_curves, n_rates)
        Mean and standard deviation over folds (NaN where diverged).
    diagnosis : ndarray of str, shape (n_curves, n_rates)
    diverged : ndarray of bool, shape (n_curves, n_rates)
        Whether the rate diverged on at least one fold (it then has no mean
        score, and is marked in the strip).
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
        Per curve, the crosses of its diverged rates (None when none).
    diverged_strip_ : Rectangle or None
        The strip where diverged rates are marked (None when none diverged).
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
        check_is_fitted(search, "sweep_result_")
        sweep = search.sweep_result_
        rates = np.asarray(sweep.learning_rates, dtype=float)
        values = _fold_values(search, metric, show_train)
        test, train = values.test, values.train
        ylabel, lower = values.label, values.lower_is_better
        diverged_fold = sweep.candidate(sweep.diverged)
        diverged = diverged_fold.any(axis=1)  # no mean score
        test = np.where(diverged_fold, np.nan, test)

        def shape(a):
            return by_point(search, a)

        def stats(values):
            with np.errstate(invalid="ignore"):
                return shape(values.mean(axis=1)), shape(values.std(axis=1))

        mean, std = stats(test)
        train_mean = train_std = None
        if train is not None:
            train_mean, train_std = stats(np.where(diverged_fold, np.nan, train))
        best = getattr(search, "best_index_", None)  # none when nothing is usable
        baseline = None
        if metric == "score" and hasattr(search, "baseline_scores_"):
            point = 0 if best is None else sweep.point_index[best]
            baseline = float(np.mean(sweep.baseline[sweep.refit_metric][point]))
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
            else float(mean[sweep.point_index[best], sweep.rate_index[best]]),
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
        self.lines_, self.bands_, self.points_, self.train_lines_ = [], [], [], []
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
        self._draw_diverged(ax, order)
        ax.set_xlabel("learning rate")
        ax.set_ylabel(self.ylabel)
        better = "lower is better" if self.lower_is_better else "higher is better"
        ax.set_title(title or f"Learning-rate sensitivity ({better})")
        self._draw_legend(ax)
        self.ax_, self.figure_ = ax, fig
        return self

    def _draw_curve(self, ax, c, order, style=({}, {}, {})):
        """Mean, band and diagnosis-coloured points of curve c (``style``: the
        user's keywords for the line, the band and the points)."""
        several = len(self.mean) > 1
        r = self.learning_rates[order]
        mean, std = self.mean[c][order], self.std[c][order]
        label = self.labels[c] if several else "test: mean ± 1 std over folds"
        line_kw, band_kw, point_kw = style
        color = CURVE_COLORS[c % len(CURVE_COLORS)] if several else "0.3"
        line_style = {"lw": 1.5, "zorder": 2, "color": color, "label": label}
        (line,) = ax.plot(r, mean, "-", **{**line_style, **line_kw})
        color = line.get_color()
        self.lines_.append(line)
        band = {"color": color, "alpha": 0.08 if several else 0.15, "lw": 0}
        self.bands_.append(
            ax.fill_between(r, mean - std, mean + std, **{**band, **band_kw})
        )
        colors = [DIAGNOSIS_COLORS.get(d, "k") for d in self.diagnosis[c][order]]
        points = {"c": colors, "s": 36, "zorder": 3, "edgecolors": "white"}
        self.points_.append(ax.scatter(r, mean, **{**points, **point_kw}))
        if self.train_mean is not None:
            train_label = f"{label} (train)" if several else "train (mean over folds)"
            (tl,) = ax.plot(
                r, self.train_mean[c][order], "--", color=color, lw=1, label=train_label
            )
            self.train_lines_.append(tl)

    def _draw_diverged(self, ax, order):
        """The strip at the top of the axes where diverged rates are marked: one
        row per curve, none when no rate diverged (no score, so no height)."""
        import matplotlib.transforms as mtransforms
        from matplotlib.patches import Rectangle

        self.diverged_strip_ = None
        self.diverged_markers_ = [None] * len(self.mean)
        if not np.asarray(self.diverged).any():
            return
        bottom, top = ax.get_ylim()  # the scores' range, autoscaled
        span = (top - bottom) or 1.0
        ax.set_ylim(bottom, bottom + span / (1 - _STRIP))  # the scores stay below
        ax.set_yticks([t for t in ax.get_yticks() if bottom <= t <= top])
        if self.good_range_patch_ is not None:
            self.good_range_patch_.set_height(1 - _STRIP)  # out of the strip
        strip = mtransforms.blended_transform_factory(ax.transData, ax.transAxes)
        self.diverged_strip_ = ax.add_patch(
            Rectangle(
                (0, 1 - _STRIP),
                1,
                _STRIP,
                transform=ax.transAxes,
                color=DIAGNOSIS_COLORS["diverged"],
                alpha=0.07,
                lw=0,
            )
        )
        ax.text(
            0.01,
            1 - _STRIP / 2,
            "diverged: no score",
            transform=ax.transAxes,
            va="center",
            fontsize="x-small",
            color=DIAGNOSIS_COLORS["diverged"],
        )
        self._mark_diverged(ax, order, strip)

    def _mark_diverged(self, ax, order, strip):
        """One row of crosses in the strip per curve, at its diverged rates."""
        n = len(self.mean)
        r = self.learning_rates[order]
        for c in range(n):
            div = np.asarray(self.diverged[c])[order]
            if not div.any():
                continue
            y = 1 - _STRIP * (c + 0.5) / n
            self.diverged_markers_[c] = ax.scatter(
                r[div],
                np.full(div.sum(), y),
                marker="x",
                s=50,
                linewidths=2,
                color=CURVE_COLORS[c % len(CURVE_COLORS)]
                if n > 1
                else DIAGNOSIS_COLORS["diverged"],
                transform=strip,
                zorder=4,
                clip_on=False,
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
        """Only what the axes show: the diagnoses of scored points, the best rate,
        the good range, the diverged marks."""
        from matplotlib.lines import Line2D

        scored = np.isfinite(np.asarray(self.mean, dtype=float))
        shown = set(np.asarray(self.diagnosis)[scored])
        handles = [
            Line2D([], [], ls="", marker="o", color=color, label=DIAGNOSIS_NAMES[name])
            for name, color in DIAGNOSIS_COLORS.items()
            if name in shown
        ]
        if np.isfinite(self.best_rate):
            star = {"marker": "*", "ms": 12, "color": "gold", "mec": "k"}
            label = f"best rate {self.best_rate:.3g}"
            handles.append(Line2D([], [], ls="", **star, label=label))
        if self.good_range_patch_ is not None:
            label = "good range" + (
                " (of the best curve)" if len(self.mean) > 1 else ""
            )
            square = {"marker": "s", "ms": 10, "color": "tab:green", "alpha": 0.3}
            handles.append(Line2D([], [], ls="", **square, label=label))
        elif np.isfinite(self.best_rate):
            handles.append(
                Line2D(
                    [],
                    [],
                    ls="",
                    label="no good range: no rate clearly beats the baseline",
                )
            )
        if self.diverged_strip_ is not None:
            several = len(self.mean) > 1  # then the crosses take the curves' colours
            color = "0.3" if several else DIAGNOSIS_COLORS["diverged"]
            cross = {"marker": "x", "color": color, "mew": 2}
            label = "diverged, on one fold or more (top strip)"
            handles.append(Line2D([], [], ls="", **cross, label=label))
        ax.legend(
            handles=ax.get_legend_handles_labels()[0] + handles,
            fontsize="small",
            loc="center left",
            bbox_to_anchor=(1.02, 0.5),
            frameon=False,
        )


@dataclass(kw_only=True, repr=False)
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
    ax_, figure_, image_, colorbar_
    best_markers_ : list of Rectangle
        The outline of each batch size's best cell.
    texts_ : list of Text
        The label of each cell (row by row), the best of each row in bold.

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
        check_is_fitted(search, "sweep_result_")
        sweep = search.sweep_result_
        key = next(
            (k for p in sweep.points for k in p if k.split("__")[-1] == "batch_size"),
            None,
        )
        if key is None:
            raise ValueError(
                "The search has no batch_size in its param_grid: use "
                "param_grid={'batch_size': [...]} (or 'step__batch_size')."
            )
        rates = np.asarray(sweep.learning_rates, dtype=float)
        mean = np.where(mostly_diverged(search), np.nan, sweep.mean_scores())
        sizes = [point[key] for point in sweep.points]
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

    def _decimals(self, cols):
        """The fewest decimals (2 to 4) with which each row's best score reads
        differently from every other score of its row."""
        for decimals in (2, 3, 4):
            distinct = True
            for row, best in zip(self.scores, cols, strict=True):
                if best < 0:
                    continue
                text = np.round(row[np.isfinite(row)], decimals)
                distinct &= np.sum(text == round(row[best], decimals)) == np.sum(
                    row[np.isfinite(row)] == row[best]
                )
            if distinct:
                return decimals
        return 4

    def _label_cells(self, ax, cols):
        """Each cell's score ("diverged" where none), the best of each row (and
        any tie with it) in bold, in a colour readable on the cell. Where the
        cells are too narrow for every score (the axes' share of the figure,
        about), only the best of each row is written: the colours give the
        rest."""
        decimals = self._decimals(cols)
        middle = np.nanmean(self.scores) if np.isfinite(self.scores).any() else 0
        width = ax.get_position().width * ax.figure.get_figwidth() * 72 * 0.85
        per_cell = width / self.scores.shape[1]
        size = float(np.clip(per_cell / (0.6 * (decimals + 1)), 5.5, 8))
        sparse = per_cell < 0.6 * size * (decimals + 1)
        self.texts_ = []
        for (i, j), value in np.ndenumerate(self.scores):
            row = self.scores[i]
            finite = np.isfinite(value)
            # a tie with the row's best is bold too (the box marks the one chosen)
            best = j == cols[i] or (cols[i] >= 0 and finite and value == row[cols[i]])
            text = f"{value:.{decimals}f}" if finite else "diverged"
            if finite and 0 <= value < 1:
                text = text[1:]  # .933: a digit less to fit
            self.texts_.append(
                ax.text(
                    j,
                    i,
                    "" if sparse and finite and not best else text,
                    ha="center",
                    va="center",
                    fontsize=size,
                    rotation=0 if finite else 90,
                    fontweight="bold" if best else "normal",
                    color="k" if not finite or value > middle else "w",
                )
            )

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
        from matplotlib.patches import Rectangle

        ax, fig = _axes(ax)
        colormap = mpl.colormaps[cmap].with_extremes(bad="0.85")
        data = np.ma.masked_invalid(self.scores)
        style = {"cmap": colormap, "aspect": "auto", "origin": "lower"}
        self.image_ = ax.imshow(data, **{**style, **(imshow_kw or {})})
        n_rows, n_cols = self.scores.shape
        ax.set_xticks(
            range(n_cols),
            [f"{r:.3g}" for r in self.learning_rates],
            rotation=45,
            ha="right",
        )
        ax.set_yticks(range(n_rows), [str(b) for b in self.batch_sizes])
        cols = [
            int(np.flatnonzero(self.learning_rates == r)[0]) if np.isfinite(r) else -1
            for r in self.best_rates
        ]
        self._label_cells(ax, cols)
        self.best_markers_ = [
            ax.add_patch(
                Rectangle(
                    (col - 0.45, row - 0.45),
                    0.9,
                    0.9,
                    fill=False,
                    edgecolor="red",
                    lw=2,
                    label="best rate per batch size (bold)" if row == 0 else None,
                )
            )
            for row, col in enumerate(cols)
            if col >= 0
        ]
        ax.set_xlabel("learning rate")
        ax.set_ylabel("batch size")
        ax.set_title(title or "Learning rate x batch size")
        self.colorbar_ = fig.colorbar(self.image_, ax=ax, label=self.score_label)
        if self.best_markers_:
            ax.legend(
                handles=self.best_markers_[:1],
                labels=["best rate per batch size (bold)"],
                loc="upper left",
                bbox_to_anchor=(0, -0.22),
                fontsize="small",
                frameon=False,
            )
        self.ax_, self.figure_ = ax, fig
        return self
