"""The loss curves of a search (or of one fit): loss per epoch, one line per rate.

Training and held-out losses in two panels that share their y axis; a few rates
highlighted in the colour of their diagnosis (the best, and the rate nearest to it
of each other diagnosis), the others faded; a marker at the end of each highlighted
curve that ended early (diverged, or stopped when the loss stopped improving); the
y range set by the curves that did not diverge.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._figure import _axes
from ..neural_network._stack import loss_label, unwrap
from ._results import mean_curves, mostly_diverged, point_params

#: colour of each diagnosis (the same in every display)
DIAGNOSIS_COLORS = {
    "too_low": "tab:blue",
    "good": "tab:green",
    "oscillating": "tab:orange",
    "too_high": "#fdb863",  # a lighter orange: too fast, without the rises seen
    "diverged": "tab:red",
    "unscored": "tab:gray",
}
#: how figures and tables write each diagnosis (``diagnosis_`` holds the keys)
DIAGNOSIS_NAMES = {name: name.replace("_", " ") for name in DIAGNOSIS_COLORS}
#: colours of curves that are not told apart by their diagnosis: never one of
#: DIAGNOSIS_COLORS, so that a curve's colour is never read as a diagnosis
CURVE_COLORS = ("tab:purple", "tab:brown", "tab:pink", "tab:cyan", "tab:olive", "0.2")
_FADED = {"color": "0.78", "lw": 0.8, "zorder": 1}
_END_MARKERS = {
    "diverged": {"marker": "x", "s": 55, "linewidths": 2},
    "stopped": {"marker": "o", "s": 30, "facecolors": "white", "linewidths": 1.5},
}
_END_LABELS = {
    "diverged": "diverged (in that {x})",
    "stopped": "stopped early: the loss stopped improving",
}


def _point_note(search, param_index):
    """The ``param_grid`` point drawn, when there are several (e.g.
    "batch_size=8")."""
    points = point_params(search)
    if len(points) < 2:
        return ""
    return ", ".join(f"{k.split('__')[-1]}={v}" for k, v in points[param_index].items())


def _auto_highlight(rates, diagnosis, best_rate):
    """Indices of the rates to highlight: the best, and for each other diagnosis
    the rate nearest to the best (or, without diagnoses, at most five rates evenly
    spread over the grid)."""
    order = np.argsort(rates)
    if diagnosis is None:
        if len(rates) <= 5:
            return [int(k) for k in order]
        return [int(order[i]) for i in np.linspace(0, len(rates) - 1, 5).round()]
    chosen = []
    if best_rate is not None and np.isfinite(best_rate):
        chosen.append(int(np.argmin(np.abs(np.log(rates / best_rate)))))
    centre = rates[chosen[0]] if chosen else np.sqrt(rates.min() * rates.max())
    for name in DIAGNOSIS_COLORS:
        members = [k for k in np.flatnonzero(diagnosis == name) if k not in chosen]
        if members and not any(diagnosis[k] == name for k in chosen):
            chosen.append(min(members, key=lambda k: abs(np.log(rates[k] / centre))))
    return sorted(chosen, key=lambda k: rates[k])


@dataclass(kw_only=True, repr=False)
class LossCurveDisplay:
    """Loss per epoch, one line per learning rate.

    The training and held-out losses are drawn in two panels that share their y
    axis. A few rates are highlighted, coloured by diagnosis (the best rate, and
    for each other diagnosis the rate nearest to it), the others drawn faded. A
    curve that ended early ends with a marker: a cross where it diverged, an open
    circle where it stopped because the loss stopped improving. The y range is
    that of the curves that did not diverge.

    Parameters
    ----------
    learning_rates : ndarray of shape (n_lines,)
    loss : ndarray of shape (n_lines, n_epochs)
        Training loss (NaN after a network stopped; ``inf`` or a value above the
        divergence threshold in the epoch where it diverged).
    held_out_loss : ndarray of shape (n_lines, n_epochs) or None
    diverged_epoch : ndarray of int, shape (n_lines,) or None
        Epoch (1-based) where each line diverged, 0 if it did not.
    diagnosis : ndarray of str, shape (n_lines,) or None
        The diagnosis of each rate; colours the highlighted curves.
    best_rate : float or None
    max_epochs : int or None
        The epochs a network was allowed (``max_iter``); a curve that ended
        before, without diverging, stopped early. None: the longest curve's.
    loss_name : str, default="loss"
        The y axis label, e.g. "log-loss".
    n_folds : int or None
        When the curves are means over folds, their number (for the title).
    diverged_fraction : ndarray of shape (n_lines,) or None
        The fraction of folds on which each rate diverged (named in the legend
        when it is not all of them: the mean is then that of the other folds).
    x_label : str, default="epoch"
        What one step of the x axis is (e.g. a boosting round).
    title_note : str, default=""
        Added to the title, e.g. the ``param_grid`` point drawn.
    held_out_on : str, default="the test fold"
        What the held-out loss is measured on (the second panel's title).

    Attributes
    ----------
    ax_ : matplotlib Axes
        The training-loss axes.
    axes_ : list of matplotlib Axes
        The training-loss and (when drawn apart) the held-out axes.
    figure_ : matplotlib Figure
    lines_, held_out_lines_ : list of Line2D
        One per rate, in ``learning_rates`` order sorted ascending.
    highlighted_ : list of int
        The indices (into ``learning_rates``) of the highlighted rates.
    end_markers_ : dict
        "diverged" and "stopped": the PathCollection of those markers, or None.
    clipped_ : bool
        Whether a line rises above the y range, which the lines that neither
        diverged nor oscillate set (the y label then says so).

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
    diagnosis: np.ndarray | None = None
    best_rate: float | None = None
    max_epochs: int | None = None
    loss_name: str = "loss"
    n_folds: int | None = None
    diverged_fraction: np.ndarray | None = None
    x_label: str = "epoch"
    title_note: str = ""
    held_out_on: str = "the test fold"

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
        mlp = unwrap(estimator).final
        if not hasattr(mlp, "loss_curve_"):
            raise ValueError(
                "The estimator has no loss_curve_: fit it first, with solver 'sgd' "
                "or 'adam'."
            )
        held = getattr(mlp, "validation_loss_curve_", None)
        return cls(
            learning_rates=np.array([mlp.learning_rate], dtype=float),
            loss=np.array([mlp.loss_curve_], dtype=float),
            held_out_loss=None if held is None else np.array([held], dtype=float),
            diverged_epoch=np.array([len(mlp.loss_curve_) if mlp.diverged_ else 0]),
            max_epochs=mlp.max_iter,
            loss_name=loss_label(mlp),
        ).plot(ax=ax)

    @classmethod
    def from_cv_results(cls, search, *, fold=None, param_index=0, ax=None):
        """Draw the loss curves of every rate of a fitted search.

        Parameters
        ----------
        search : LearningRateSearchCV
        fold : int, default=None
            Draw this fold's curves; None draws the mean over folds (over the
            folds that did not diverge, a fold that stopped early counting with its
            last loss).
        param_index : int, default=0
            Which ``param_grid`` point.
        ax : matplotlib Axes or sequence of two Axes, default=None
            As in :meth:`plot`.

        Returns
        -------
        display : LossCurveDisplay
        """
        check_is_fitted(search, "sweep_result_")
        sweep = search.sweep_result_
        if sweep.loss.shape[-1] == 0:
            step = unwrap(search.estimator).final
            raise ValueError(
                f"{type(step).__name__} records no loss per "
                f"{sweep.layout.unit}, so there are no loss curves to draw "
                "(LearningRateSensitivityDisplay draws its scores); the user guide's "
                'table "Any estimator with a step size" lists the curves of each.'
            )
        rows = np.flatnonzero(sweep.point_index == param_index)
        rows = rows[np.argsort(sweep.rate_index[rows])]  # learning_rates_ order
        div_epoch = sweep.candidate(sweep.diverged_epoch)[rows]
        if fold is None:  # the mean over folds, as results.json reports it
            train = mean_curves(search, held_out=False, rows=rows)
            held = mean_curves(search, held_out=True, rows=rows)
            div_epoch = np.where(
                mostly_diverged(search, rows),
                np.where(div_epoch > 0, div_epoch, 10**9).min(axis=1),
                0,
            )
        else:
            train = sweep.candidate(sweep.loss)[rows, fold]
            held = sweep.candidate(sweep.held_out_loss)[rows, fold]
            div_epoch = div_epoch[:, fold]
        best = getattr(search, "best_index_", None)
        return cls(
            learning_rates=np.asarray(sweep.learning_rates, float),
            loss=train,
            held_out_loss=held,
            diverged_epoch=div_epoch,
            diagnosis=np.asarray(search.diagnosis_)[rows],
            best_rate=None
            if best is None or sweep.point_index[best] != param_index
            else float(search.best_learning_rate_),
            max_epochs=sweep.loss.shape[-1],
            loss_name=sweep.layout.loss_label,
            n_folds=sweep.n_splits if fold is None else None,
            diverged_fraction=sweep.candidate(sweep.diverged)[rows].mean(axis=1),
            x_label=sweep.layout.unit,
            title_note=_point_note(search, param_index),
            held_out_on=sweep.layout.held_out,
        ).plot(ax=ax)

    # ------------------------------------------------------------------- layout
    def _has_held_out(self):
        held = self.held_out_loss
        return held is not None and bool(np.isfinite(np.asarray(held, float)).any())

    def _panels(self, ax):
        """The training and held-out axes (the same one when drawn together)."""
        import matplotlib.pyplot as plt

        if ax is None and self._has_held_out():
            fig, axes = plt.subplots(
                1, 2, figsize=(10.5, 4.2), sharey=True, layout="constrained"
            )
            return list(axes), fig
        if ax is not None and np.ndim(ax) == 1:
            axes = list(ax)
            return axes, axes[0].figure
        ax, fig = _axes(ax)
        return [ax, ax], fig

    def _epochs_run(self, k):
        """(epochs, values) of the finite training losses of line k before it
        diverged."""
        curve = self.loss[k]
        epochs = np.flatnonzero(np.isfinite(curve)) + 1
        stop = self._diverged_at(k)
        if stop:
            epochs = epochs[epochs < stop]
        return epochs, curve[epochs - 1]

    def _diverged_at(self, k):
        return 0 if self.diverged_epoch is None else int(self.diverged_epoch[k])

    def _ended(self, k):
        """Why line k ended: "diverged", "stopped" (before max_epochs) or None."""
        if self._diverged_at(k):
            return "diverged"
        length = np.flatnonzero(~np.isnan(self.loss[k]))
        limit = self.max_epochs or self.loss.shape[1]
        if length.size and length[-1] + 1 < limit:
            return "stopped"
        return None

    def _calm_values(self):
        """The finite losses of the lines that did not diverge or oscillate
        (both panels), up to twice their largest first-epoch loss (a held-out
        loss can explode while the training loss stays calm): the y range, which
        an outlying line does not set (it is clipped, and the axis says so)."""
        calm = [k for k in range(len(self.loss)) if not self._diverged_at(k)]
        if self.diagnosis is not None:
            steady = [k for k in calm if str(self.diagnosis[k]) != "oscillating"]
            calm = steady or calm
        if not calm:  # every line diverged: their losses before it
            calm = list(range(len(self.loss)))
        curves = [self.loss[calm]]
        if self.held_out_loss is not None:
            curves.append(self.held_out_loss[calm])
        firsts = [c[np.isfinite(c)][0] for c in curves[0] if np.isfinite(c).any()]
        values = np.concatenate([np.ravel(c) for c in curves])
        keep = np.isfinite(values) & (values > 0)
        if firsts:
            keep &= values <= 2 * max(firsts)
        return values[keep]

    def _scale_y(self, ax, log_y):
        """Log or linear y axis; its range that of the lines that did not diverge
        (lines that diverged are clipped at the top)."""
        values = self._calm_values()
        if not values.size:
            return
        low, high = values.min(), values.max()
        log = log_y is True or (log_y == "auto" and high / low > 30)
        if log:
            ax.set_yscale("log")
            ax.set_ylim(low / 1.4, high * 1.4)
        else:
            pad = 0.06 * (high - low) or 0.1 * high
            ax.set_ylim(max(low - pad, 0.0), high + pad)
        self.clipped_ = self.clipped_ or bool(self._outside(*ax.get_ylim()))

    def _say_off_the_top(self):
        """A highlighted line drawn wholly above the y range says so in its
        legend label (the range is the steady lines')."""
        for line in self.lines_:
            label, y = line.get_label(), np.asarray(line.get_ydata(), float)
            top = line.axes.get_ylim()[1]
            if label and not label.startswith("_") and y.size and np.nanmin(y) > top:
                line.set_label(f"{label} (above the range, min {np.nanmin(y):.3g})")

    def _outside(self, low, top):
        """Whether a line that did not diverge leaves ``[low, top]`` (clipped:
        above, or below where an oscillating line, which does not set the
        range, dips under the others)."""
        lines = [self.loss] + ([self.held_out_loss] if self._has_held_out() else [])
        calm = [k for k in range(len(self.loss)) if not self._diverged_at(k)]
        with np.errstate(invalid="ignore"):
            return any(
                np.nanmax(c[calm], initial=-np.inf) > top
                or np.nanmin(c[calm], initial=np.inf) < low
                for c in lines
            )

    # --------------------------------------------------------------------- draw
    def _style(self, k, rank):
        """Colour and label of highlighted line k (its rank among them)."""
        rate = f"{self.learning_rates[k]:.3g}"
        if self.diagnosis is None:
            return CURVE_COLORS[rank % len(CURVE_COLORS)], f"rate {rate}"
        name = str(self.diagnosis[k])
        best = self.best_rate is not None and np.isclose(
            self.learning_rates[k], self.best_rate
        )
        shown = DIAGNOSIS_NAMES.get(name, name)
        label = f"{rate}: {shown}" + (" (best)" if best else "")
        fraction = 1.0 if self.diverged_fraction is None else self.diverged_fraction[k]
        if name == "diverged" and self.n_folds and fraction < 1:
            n = round(fraction * self.n_folds)
            label += f" on {n} of {self.n_folds} folds"
            if fraction < 0.5:  # drawn: the mean of the folds that did not
                label += f" (the other {self.n_folds - n} drawn)"
        return DIAGNOSIS_COLORS.get(name, "k"), label

    def _draw_line(self, ax, k, curve, style):
        """Line k of ``curve`` (training or held-out) in ``style``; returns it."""
        epochs = np.flatnonzero(np.isfinite(curve)) + 1
        stop = self._diverged_at(k)
        if stop:
            epochs = epochs[epochs < stop]
        (line,) = ax.plot(epochs, curve[epochs - 1], **style)
        return line

    def _draw_end(self, ax, k, color, ends):
        """The end-of-curve marker of highlighted line k on the training panel."""
        why = self._ended(k)
        if why is None:
            return
        epochs, values = self._epochs_run(k)
        if why == "diverged":
            top = ax.get_ylim()[1]
            last = self.loss[k][self._diverged_at(k) - 1]
            y = last if np.isfinite(last) and last <= top else top
            ends[why].append((self._diverged_at(k), y, color))
            if epochs.size:  # the step that diverged, from the last finite loss
                ax.plot(
                    [epochs[-1], self._diverged_at(k)],
                    [values[-1], y],
                    ls=":",
                    color=color,
                    lw=1.5,
                )
        elif epochs.size:
            ends[why].append((epochs[-1], values[-1], color))

    def _scatter_ends(self, ax, ends):
        self.end_markers_ = {}
        for why, points in ends.items():
            if not points:
                self.end_markers_[why] = None
                continue
            x, y, colors = zip(*points, strict=True)
            style = dict(_END_MARKERS[why], zorder=5, clip_on=False)
            key = "edgecolors" if why == "stopped" else "c"
            style[key] = list(colors)
            self.end_markers_[why] = ax.scatter(x, y, **style)

    def plot(
        self,
        ax=None,
        *,
        highlight="auto",
        log_y="auto",
        title=None,
        line_kw=None,
        held_out_line_kw=None,
    ):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, sequence of two Axes, or None, default=None
            None: a new figure, with the held-out losses in a second panel when
            there are any. One Axes: everything on it (held-out dashed). Two:
            the training and the held-out panels.
        highlight : "auto", "all" or array-like of float, default="auto"
            The rates drawn in colour; the others are faded. "auto": the best
            rate and, for each other diagnosis, the rate nearest to it (without
            diagnoses: up to five rates spread over the grid).
        log_y : bool or "auto", default="auto"
            "auto" uses a log y axis when the finite losses of the lines that did
            not diverge span more than a factor of 30.
        title : str, default=None
        line_kw, held_out_line_kw : dict, default=None
            Keywords passed to ``ax.plot`` for the training and the held-out
            curves, over sklr's.

        Returns
        -------
        self : LossCurveDisplay
        """
        axes, fig = self._panels(ax)
        rates = self.learning_rates
        chosen = self._chosen(highlight)
        self.highlighted_ = chosen
        self.lines_, self.held_out_lines_ = [], []
        ends = {"diverged": [], "stopped": []}
        together = axes[0] is axes[1]
        for k in np.argsort(rates):
            highlighted = k in chosen
            if highlighted:
                color, label = self._style(k, chosen.index(k))
                style = {"color": color, "lw": 2, "zorder": 3, "label": label}
            else:
                style = dict(_FADED)
            self.lines_.append(
                self._draw_line(axes[0], k, self.loss[k], {**style, **(line_kw or {})})
            )
            if self._has_held_out():
                held = {**style, "label": None, **(held_out_line_kw or {})}
                if together:
                    held.setdefault("ls", "--")
                self.held_out_lines_.append(
                    self._draw_line(axes[1], k, self.held_out_loss[k], held)
                )
        self.clipped_ = False
        for a in {id(a): a for a in axes}.values():
            self._scale_y(a, log_y)
        self._say_off_the_top()
        for k in chosen:
            self._draw_end(axes[0], k, self._style(k, chosen.index(k))[0], ends)
        self._scatter_ends(axes[0], ends)
        self._label(axes, fig, title, together, ax is None)
        self.ax_, self.axes_, self.figure_ = axes[0], axes, fig
        return self

    def _chosen(self, highlight):
        rates = self.learning_rates
        if isinstance(highlight, str) and highlight == "all":
            return list(np.argsort(rates))
        if isinstance(highlight, str):
            return _auto_highlight(rates, self.diagnosis, self.best_rate)
        wanted = np.atleast_1d(np.asarray(highlight, dtype=float))
        return sorted(
            {int(np.argmin(np.abs(np.log(rates / r)))) for r in wanted},
            key=lambda k: rates[k],
        )

    def _label(self, axes, fig, title, together, own_figure):
        """Axis labels, titles, the note on the other diverged rates, the legend."""
        clipped = " (lines outside the range are clipped)" if self.clipped_ else ""
        axes[0].set_ylabel(self.loss_name + clipped)
        for a in axes:
            a.set_xlabel(self.x_label)
        if not together:
            axes[0].set_title("training loss")
            axes[1].set_title(f"held-out loss ({self.held_out_on})")
        mean = f", mean over {self.n_folds} folds" if self.n_folds else ""
        note = f" ({self.title_note})" if self.title_note else ""
        heading = title or f"Loss per {self.x_label}{mean}{note}"
        if own_figure and not together:
            fig.suptitle(heading)
        else:
            axes[0].set_title(heading if together else axes[0].get_title())
        self._legend(axes, together)

    def _others_diverged(self):
        """A note naming the diverged rates that are not highlighted."""
        hidden = [
            k
            for k in np.argsort(self.learning_rates)
            if self._diverged_at(k) and k not in self.highlighted_
        ]
        if not hidden:
            return None
        rates = ", ".join(f"{self.learning_rates[k]:.3g}" for k in hidden)
        return f"also diverged: {rates}"

    def _legend(self, axes, together):
        from matplotlib.lines import Line2D

        handles = [
            line
            for line in self.lines_
            if line.get_label() and not line.get_label().startswith("_")
        ]
        if len(self.highlighted_) < len(self.learning_rates):
            handles.append(Line2D([], [], **_FADED, label="other rates"))
        if together and self.held_out_lines_:
            handles.append(Line2D([], [], color="0.3", ls="--", label="held-out loss"))
        for why, marker in self.end_markers_.items():
            if marker is not None:
                marker = _END_MARKERS[why]["marker"]
                style = {"marker": marker, "ls": "", "color": "0.3"}
                if why == "stopped":
                    style["mfc"] = "white"
                label = _END_LABELS[why].format(x=self.x_label)
                handles.append(Line2D([], [], **style, label=label))
        note = self._others_diverged()
        if note:
            handles.append(Line2D([], [], ls="", label=note))
        axes[-1].legend(
            handles=handles,
            title="learning rate: diagnosis" if self.diagnosis is not None else None,
            title_fontsize="small",
            alignment="left",
            fontsize="small",
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            frameon=False,
        )
