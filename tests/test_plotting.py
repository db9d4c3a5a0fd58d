"""The displays draw the search results (checked on the Agg backend)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier, lr_find
from sklr.exceptions import NoUsableScoreError
from sklr.plotting import (
    CURVE_COLORS,
    DIAGNOSIS_COLORS,
    LearningRateBatchSizeDisplay,
    LearningRateSensitivityDisplay,
    LossCurveDisplay,
    LRFinderDisplay,
)

RATES = [1e-4, 1e-2, 1e-1, 1e3]


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _pipe(**params):
    base = dict(hidden_layer_sizes=(8,), max_iter=15, random_state=0, tol=0.0)
    return make_pipeline(StandardScaler(), MLPClassifier(**{**base, **params}))


@pytest.fixture(scope="module")
def search(iris):
    return LearningRateSearchCV(_pipe(), RATES, cv=3, return_train_score=True).fit(
        *iris
    )


def test_sensitivity_display_draws_the_search(search):
    d = LearningRateSensitivityDisplay.from_cv_results(search, show_train=True)
    assert d.ax_.get_xscale() == "log"
    x, y = d.lines_[0].get_data()
    np.testing.assert_allclose(x, RATES)
    mean = search.cv_results_["mean_test_score"]
    np.testing.assert_allclose(y[:3], mean[:3])
    assert np.isnan(y[3])  # the diverged rate has no point on the curve...
    offsets = d.diverged_markers_[0].get_offsets()
    assert offsets.shape == (1, 2) and offsets[0, 0] == 1e3  # ...but a mark in
    assert 0.9 < offsets[0, 1] < 1  # the strip at the top (axes coordinates)
    # the strip holds no score: the scores' range ends below it
    low, high = d.ax_.get_ylim()
    top = np.nanmax(d.mean + d.std)
    assert (top - low) / (high - low) <= 0.9 + 1e-9
    assert all(t <= top for t in d.ax_.get_yticks())
    # the legend names what is drawn, and nothing else
    legend = [t.get_text() for t in d.ax_.get_legend().get_texts()]
    assert "diverged" not in legend  # no dot: a diverged rate has no score
    assert "diverged, on one fold or more (top strip)" in legend
    shown = set(np.asarray(search.diagnosis_)[np.isfinite(mean)])
    assert {n for n in DIAGNOSIS_COLORS if n.replace("_", " ") in legend} == shown
    assert "too_low" not in legend  # written as words
    assert d.best_marker_.get_xdata()[0] == search.best_learning_rate_
    assert d.best_marker_.get_ydata()[0] == pytest.approx(search.best_score_)
    low, high = search.good_range_
    x0 = d.good_range_patch_.get_x()
    x1 = x0 + d.good_range_patch_.get_width()
    assert x0 < low <= high < x1
    assert x0 > low / 2 and x1 < high * 2
    colors = d.points_[0].get_facecolors()
    expected = [
        matplotlib.colors.to_rgba(DIAGNOSIS_COLORS[k]) for k in search.diagnosis_
    ]
    np.testing.assert_allclose(colors, expected)
    np.testing.assert_allclose(
        d.train_lines_[0].get_ydata()[:3], search.cv_results_["mean_train_score"][:3]
    )
    assert d.ax_.get_ylabel() == "mean test score (accuracy)"
    assert d.ax_.get_title() == "Learning-rate sensitivity (higher is better)"
    lo, hi = d.ax_.get_xlim()
    assert lo < min(RATES) and hi > max(RATES)


def test_sensitivity_display_loss_metric(search):
    d = LearningRateSensitivityDisplay.from_cv_results(search, metric="loss")
    y = d.lines_[0].get_ydata()
    held = search.validation_loss_curves_[:, :, -1].mean(axis=1)  # 15 epochs, tol=0
    np.testing.assert_allclose(y[:3], held[:3])
    assert d.lower_is_better


def test_sensitivity_display_one_curve_per_grid_point(iris):
    search = LearningRateSearchCV(
        _pipe(),
        [1e-3, 1e-1, 1e3],
        param_grid={"mlpclassifier__batch_size": [8, 64]},
        cv=2,
    ).fit(*iris)
    d = LearningRateSensitivityDisplay.from_cv_results(search)
    assert len(d.lines_) == 2
    assert [t.get_text() for t in d.ax_.get_legend().get_texts()][:2] == [
        "batch_size=8",
        "batch_size=64",
    ]
    np.testing.assert_allclose(
        d.lines_[1].get_ydata(), search.cv_results_["mean_test_score"][3:]
    )
    # a curve's colour is never a diagnosis colour
    diagnosis_rgba = {matplotlib.colors.to_rgba(c) for c in DIAGNOSIS_COLORS.values()}
    line_rgba = [matplotlib.colors.to_rgba(line.get_color()) for line in d.lines_]
    assert len(set(line_rgba)) == 2 and not set(line_rgba) & diagnosis_rgba
    palette = {matplotlib.colors.to_rgba(c) for c in CURVE_COLORS}
    assert not palette & diagnosis_rgba
    # each curve's diverged rates on a row of their own in the strip
    rows = [m.get_offsets()[:, 1] for m in d.diverged_markers_ if m is not None]
    assert len(rows) == 2 and len({float(r[0]) for r in rows}) == 2
    assert all(0.9 < y < 1 for r in rows for y in r)


def test_sensitivity_display_when_every_rate_diverges_single_fold(iris):
    X, y = iris
    folds = [(np.arange(0, 150, 2), np.arange(1, 150, 2))]
    search = LearningRateSearchCV(_pipe(momentum=0.0), [1e3, 1e4], cv=folds)
    with pytest.raises(NoUsableScoreError, match="diverged"):  # nothing to refit
        search.fit(X, y)
    # the per-rate results stay on the search, and can be drawn
    assert search.diverged_.all() and search.n_splits_ == 1
    assert not hasattr(search, "best_estimator_")
    d = LearningRateSensitivityDisplay.from_cv_results(search)
    assert d.diverged_markers_[0].get_offsets().shape == (2, 2)
    assert d.good_range_patch_ is None
    LossCurveDisplay.from_cv_results(search)


def test_sensitivity_from_estimator(iris):
    d = LearningRateSensitivityDisplay.from_estimator(
        _pipe(), *iris, learning_rates=[1e-3, 1e-1], cv=2
    )
    assert len(d.lines_[0].get_xdata()) == 2


def test_loss_curve_display_from_search(search):
    d = LossCurveDisplay.from_cv_results(search, fold=1)
    assert len(d.lines_) == 4
    for line, k in zip(d.lines_, np.argsort(RATES), strict=True):
        curve = search.loss_curves_[k, 1]
        epoch = search.diverged_epoch_[k, 1] or len(curve) + 1
        shown = curve[np.isfinite(curve)][: epoch - 1]  # up to the divergence
        np.testing.assert_allclose(line.get_ydata(), shown)
    # training and held-out losses in two panels that share their y axis
    train_ax, held_ax = d.axes_
    assert train_ax is d.ax_ and held_ax is not train_ax
    assert all(line.axes is held_ax for line in d.held_out_lines_)
    assert train_ax.get_ylim() == held_ax.get_ylim()
    assert held_ax.get_title() == "held-out loss (the test fold)"
    assert train_ax.get_ylabel() == "log-loss"  # the registered loss's label
    assert not hasattr(d, "colorbar_")
    # highlighted: the best, and one rate per other diagnosis, in its colour
    best = RATES.index(search.best_learning_rate_)
    diagnosis = np.asarray(search.diagnosis_)
    assert best in d.highlighted_
    assert len({diagnosis[k] for k in d.highlighted_}) == len(d.highlighted_)
    assert set(diagnosis[d.highlighted_]) == set(diagnosis)
    for line, k in zip(d.lines_, np.argsort(RATES), strict=True):
        expected = DIAGNOSIS_COLORS[diagnosis[k]] if k in d.highlighted_ else "0.78"
        assert line.get_color() == expected
    epoch = search.diverged_epoch_[3, 1]
    assert d.end_markers_["diverged"].get_offsets()[0, 0] == epoch
    labels = [t.get_text() for t in held_ax.get_legend().get_texts()]
    assert f"{search.best_learning_rate_:.3g}: good (best)" in labels
    assert "diverged (in that epoch)" in labels


def test_loss_curves_mark_a_stop_and_name_the_hidden_diverged_rates():
    nan = np.nan
    loss = np.array(
        [
            [2.0, 1.8, 1.7, 1.6, 1.5],  # too low: runs every epoch
            [2.0, 1.0, 0.6, nan, nan],  # good: stopped (no improvement)
            [2.0, 9e9, nan, nan, nan],  # diverged in epoch 2
            [2.0, np.inf, nan, nan, nan],  # diverged in epoch 2, not shown
        ]
    )
    d = LossCurveDisplay(
        learning_rates=np.array([0.01, 0.1, 1.0, 10.0]),
        loss=loss,
        diverged_epoch=np.array([0, 0, 2, 2]),
        diagnosis=np.array(["too_low", "good", "diverged", "diverged"]),
        best_rate=0.1,
        max_epochs=5,
    ).plot()
    assert d.highlighted_ == [0, 1, 2]  # one per diagnosis: 10 is faded
    assert d.end_markers_["stopped"].get_offsets().tolist() == [[3, 0.6]]
    top = d.ax_.get_ylim()[1]
    assert d.end_markers_["diverged"].get_offsets().tolist() == [[2, top]]
    assert 2.0 < top < 3.0  # set by the calm lines, not by 9e9 or inf
    labels = [t.get_text() for t in d.ax_.get_legend().get_texts()]
    assert "also diverged: 10" in labels
    assert "stopped early: the loss stopped improving" in labels


def test_loss_curves_of_a_regression_keep_its_range():
    """Losses about 30, seven rates diverged: a linear axis around 30, not one
    that runs to 1e-5, and one cross for the seven."""
    calm = 30 + 10 * np.exp(-np.arange(10) / 3)
    rows = [calm, calm + 2] + [np.r_[40.0, 1e-5, np.inf, [np.nan] * 7]] * 7
    d = LossCurveDisplay(
        learning_rates=np.logspace(-3, 0, 9),
        loss=np.array(rows),
        diverged_epoch=np.array([0, 0] + [3] * 7),
        diagnosis=np.array(["too_low", "good"] + ["diverged"] * 7),
        best_rate=np.logspace(-3, 0, 9)[1],
    ).plot()
    low, high = d.ax_.get_ylim()
    assert d.ax_.get_yscale() == "linear"
    assert 25 < low < 31 and 40 < high < 45
    assert len(d.end_markers_["diverged"].get_offsets()) == 1


def test_loss_curve_display_from_estimator_and_log_axis(iris):
    X, y = iris
    clf = MLPClassifier(
        hidden_layer_sizes=(8,),
        max_iter=40,
        random_state=0,
        early_stopping=True,
        learning_rate=0.3,
    ).fit(X, y)
    d = LossCurveDisplay.from_estimator(clf)
    np.testing.assert_allclose(d.lines_[0].get_ydata(), clf.loss_curve_)
    np.testing.assert_allclose(
        d.held_out_lines_[0].get_ydata(), clf.validation_loss_curve_
    )
    loss = np.array([[100.0, 10.0, 0.1], [1.0, 0.9, 0.8]])
    steep = LossCurveDisplay(learning_rates=np.array([1.0, 0.1]), loss=loss).plot()
    assert steep.ax_.get_yscale() == "log"
    flat = np.array([[1.0, 0.9, 0.8]])
    calm = LossCurveDisplay(learning_rates=np.array([0.1]), loss=flat).plot()
    assert calm.ax_.get_yscale() == "linear"
    with pytest.raises(ValueError, match="no loss_curve_"):
        LossCurveDisplay.from_estimator(MLPClassifier())


def test_lr_finder_display(iris):
    X, y = iris
    result = lr_find(_pipe(), X, y, start_lr=1e-4, end_lr=10, num_steps=40)
    plt.close("all")  # figures a doctest of the same worker may have left
    d = result.plot()
    assert isinstance(d, LRFinderDisplay)
    assert len(plt.get_fignums()) == 1  # drawn once, on one figure
    assert len(d.ax_.lines) == 5  # raw, moving average, centred mean, marker, line
    np.testing.assert_allclose(d.smoothed_line_.get_xdata(), result.learning_rates)
    np.testing.assert_allclose(d.raw_line_.get_ydata(), result.losses)
    assert d.suggestion_line_.get_xdata()[0] == result.suggestion
    assert d.ax_.get_xscale() == "log"
    assert "fall" in d.suggestion_marker_.get_label()
    d2 = LRFinderDisplay.from_estimator(_pipe(), X, y, num_steps=20)
    assert len(d2.raw_line_.get_xdata()) <= 20


def test_batch_size_heat_map(iris):
    search = LearningRateSearchCV(
        _pipe(momentum=0.0),
        [1e-3, 1e-1, 1e3],
        param_grid={"mlpclassifier__batch_size": [8, 64]},
        cv=2,
    ).fit(*iris)
    d = LearningRateBatchSizeDisplay.from_cv_results(search)
    image = d.image_.get_array()
    assert image.shape == (2, 3)
    means = search.cv_results_["mean_test_score"].reshape(2, 3)
    np.testing.assert_allclose(image[:, :2], means[:, :2])
    assert image.mask[:, 2].all()  # diverged: masked, drawn grey
    corners = np.array([box.get_xy() for box in d.best_markers_])
    best_cols = np.nanargmax(means, axis=1)
    np.testing.assert_allclose(corners + 0.45, np.c_[best_cols, [0, 1]])
    # the best cell of each row in bold, its label unlike its row's others
    texts = np.array(d.texts_, dtype=object).reshape(2, 3)
    for row, col in enumerate(best_cols):
        weights = [t.get_fontweight() for t in texts[row]]
        assert weights == ["bold" if j == col else "normal" for j in range(3)]
        labels = [t.get_text() for t in texts[row]]
        assert labels.count(labels[col]) == 1 and labels[2] == "diverged"
    assert [t.get_text() for t in d.ax_.get_yticklabels()] == ["8", "64"]


def test_batch_size_heat_map_needs_batch_size(search):
    with pytest.raises(ValueError, match="no batch_size"):
        LearningRateBatchSizeDisplay.from_cv_results(search)


def test_plot_accepts_an_axes(search):
    fig, (a, b) = plt.subplots(1, 2)
    d = LearningRateSensitivityDisplay.from_cv_results(search, ax=b)
    assert d.ax_ is b and d.figure_ is fig


def test_heat_map_names_the_score(iris):
    search = LearningRateSearchCV(
        _pipe(), [1e-2, 1e-1], param_grid={"mlpclassifier__batch_size": [8, 64]}, cv=2
    ).fit(*iris)
    d = LearningRateBatchSizeDisplay.from_cv_results(search)
    assert d.colorbar_.ax.get_ylabel() == "mean test score (accuracy)"


def test_loss_curves_keep_the_calm_curves_readable():
    loss = np.array([[2.0, 1.0, 0.5, 0.3], [2.0, 1e7, np.nan, np.nan]])
    d = LossCurveDisplay(
        learning_rates=np.array([0.1, 10.0]), loss=loss, diverged_epoch=np.array([0, 2])
    ).plot()
    low, high = d.ax_.get_ylim()
    assert 0.1 < low < 0.3 and 2.0 < high < 2.2  # the calm curve, padded
    assert d.end_markers_["diverged"].get_offsets().tolist() == [[2, high]]


def test_loss_curves_axis_covers_held_out_losses():
    """A regression whose held-out loss exploded (8e14) while its training loss
    stayed calm once gave a linear axis from -4e13 to 0 with every curve flat."""
    loss = np.array([[0.5, 0.2, 0.1], [0.5, 0.3, 0.2]])
    held_out = np.array([[0.6, 0.3, 0.2], [0.6, 8e14, 8e14]])
    d = LossCurveDisplay(
        learning_rates=np.array([0.01, 0.1]),
        loss=loss,
        held_out_loss=held_out,
        diverged_epoch=np.array([0, 0]),
    ).plot()
    low, high = d.ax_.get_ylim()
    assert d.ax_.get_yscale() == "linear"
    assert 0 <= low < 0.1 and 0.6 < high < 0.7  # the calm values, padded
    assert d.held_out_lines_[1].get_ydata().max() > high  # 8e14: off the axis


def test_lr_finder_display_draws_the_curve_rule_fall_reads():
    """The suggestion of rule 'fall' sits on the centred mean of the mini-batch
    losses (drawn), not on the lagging moving average."""
    rates = np.logspace(-6, 0, 60)
    losses = np.concatenate([np.full(20, 2.0), np.linspace(2.0, 0.2, 30), [9.0] * 10])
    ema = np.maximum.accumulate(losses[::-1])[::-1]  # any other curve
    d = LRFinderDisplay(
        learning_rates=rates,
        losses=losses,
        smoothed_losses=ema,
        suggestion=float(rates[42]),
        rule="fall",
    ).plot()
    assert d.rule_line_ is not None
    y = d.suggestion_marker_.get_ydata()[0]
    assert y == pytest.approx(d.rule_line_.get_ydata()[42])
    assert "centred mean" in d.rule_line_.get_label()
    nan = LRFinderDisplay(
        learning_rates=rates,
        losses=losses,
        smoothed_losses=ema,
        suggestion=np.nan,
        rule="valley",
    ).plot()
    assert nan.rule_line_ is None
    assert nan.suggestion_marker_.get_label() == "suggestion (valley): none"
    plt.close("all")


def test_sensitivity_display_draws_the_baseline(iris):
    X, y = iris
    search = LearningRateSearchCV(_pipe(), [1e-2, 1e-1], cv=2).fit(X, y)
    d = LearningRateSensitivityDisplay.from_cv_results(search)
    assert d.baseline_line_.get_ydata()[0] == pytest.approx(
        search.baseline_scores_[0].mean()
    )
    loss = LearningRateSensitivityDisplay.from_cv_results(search, metric="loss")
    assert loss.baseline_line_ is None  # a baseline score is no loss
    plt.close("all")


def _best_last(results):
    return len(results["params"]) - 1


def test_displays_of_a_multi_metric_search_with_a_callable_refit(iris):
    """The refit metric is chosen in one place (it once raised KeyError here)."""
    search = LearningRateSearchCV(
        _pipe(momentum=0.0),
        [1e-3, 1e-1],
        param_grid={"mlpclassifier__batch_size": [8, 64]},
        scoring=["accuracy", "balanced_accuracy"],
        refit=_best_last,
        cv=2,
    ).fit(*iris)
    d = LearningRateBatchSizeDisplay.from_cv_results(search)
    np.testing.assert_allclose(
        d.image_.get_array(),
        search.cv_results_["mean_test_accuracy"].reshape(2, 2),
    )
    s = LearningRateSensitivityDisplay.from_cv_results(search)
    assert "accuracy" in s.ax_.get_ylabel()


def test_displays_take_style_keywords(search):
    """scikit-learn's convention: *_kw dicts reach matplotlib over sklr's style."""
    s = LearningRateSensitivityDisplay.from_cv_results(search).plot(
        line_kw={"lw": 4, "color": "tab:purple"},
        fill_between_kw={"alpha": 0.5},
        scatter_kw={"s": 10},
    )
    assert s.lines_[0].get_linewidth() == 4
    assert s.lines_[0].get_color() == "tab:purple"
    assert s.bands_[0].get_alpha() == 0.5
    assert s.points_[0].get_sizes()[0] == 10
    loss = np.array([[1.0, 0.5, 0.2]])
    d = LossCurveDisplay(
        learning_rates=np.array([0.1]), loss=loss, held_out_loss=loss + 0.1
    ).plot(line_kw={"lw": 3}, held_out_line_kw={"ls": ":"})
    assert d.lines_[0].get_linewidth() == 3
    assert d.held_out_lines_[0].get_linestyle() == ":"
    rates = np.logspace(-4, 0, 20)
    f = LRFinderDisplay(
        learning_rates=rates, losses=rates, smoothed_losses=rates, suggestion=0.01
    ).plot(line_kw={"color": "k"}, smoothed_line_kw={"lw": 5})
    assert f.raw_line_.get_color() == "k" and f.smoothed_line_.get_linewidth() == 5
    plt.close("all")


def test_a_rate_diverged_on_a_minority_of_folds_is_the_mean_of_the_others(
    diabetes_scaled,
):
    """Folds leaving the mean as they diverge made the curve jump: the rate is
    drawn as the mean of the folds that did not diverge, and says so."""
    from sklr import MLPRegressor

    search = LearningRateSearchCV(
        MLPRegressor(hidden_layer_sizes=(16,), max_iter=20, random_state=0),
        [0.01, 0.4],
        cv=5,
        refit=False,
    ).fit(*diabetes_scaled)
    folds = search.diverged_[1]
    assert 0 < folds.sum() < 2.5  # a minority of the five folds diverged
    d = LossCurveDisplay.from_cv_results(search)
    kept = search.loss_curves_[1][~folds]
    np.testing.assert_allclose(d.lines_[1].get_ydata(), np.nanmean(kept, axis=0))
    label = d.lines_[1].get_label()
    assert f"on {folds.sum()} of 5 folds (the other {5 - folds.sum()} drawn)" in label


def test_heat_map_bolds_a_tie_with_the_best_and_boxes_the_chosen_one():
    d = LearningRateBatchSizeDisplay(
        learning_rates=np.array([1e-3, 1e-2, 1e-1]),
        batch_sizes=[8, 32],
        scores=np.array([[0.5, 0.98, 0.98], [0.3, 0.8, 0.85]]),
        best_rates=np.array([1e-2, 1e-1]),
    ).plot()
    weights = [t.get_fontweight() for t in d.texts_]
    assert weights == ["normal", "bold", "bold", "normal", "normal", "bold"]
    assert [box.get_xy()[0] + 0.45 for box in d.best_markers_] == [1, 2]


def test_an_oscillating_curve_below_the_range_is_said_to_be_clipped():
    """An oscillating line that dips under the calm ones leaves the range at the
    bottom: the axis says lines outside the range are clipped."""
    epochs = np.arange(20)
    calm = [0.7 - 0.01 * epochs, 0.65 - 0.007 * epochs]
    wild = 0.5 - 0.02 * epochs + 0.1 * (epochs % 2)  # down to 0.12
    d = LossCurveDisplay(
        learning_rates=np.array([0.01, 0.1, 1.0]),
        loss=np.array([*calm, wild]),
        diagnosis=np.array(["too_low", "good", "oscillating"]),
        best_rate=0.1,
    ).plot()
    assert d.ax_.get_ylim()[0] > wild.min()
    assert d.clipped_ and "outside the range are clipped" in d.ax_.get_ylabel()


def test_an_outlying_oscillating_curve_does_not_set_the_y_range():
    """Three calm curves at 0.5-0.7 and one oscillating from 6 to 2.3: the
    range is the calm curves', the outlier is clipped and the axis says so."""
    epochs = np.arange(20)
    calm = [0.7 - 0.01 * epochs, 0.65 - 0.007 * epochs, 0.6 - 0.005 * epochs]
    wild = 6 - 0.19 * epochs + 0.5 * (epochs % 2)
    d = LossCurveDisplay(
        learning_rates=np.array([0.001, 0.01, 0.1, 1.0]),
        loss=np.array([*calm, wild]),
        diagnosis=np.array(["too_low", "good", "good", "oscillating"]),
        best_rate=0.1,
    ).plot()
    low, high = d.ax_.get_ylim()
    assert high < 0.8 and low > 0.35
    assert (
        d.clipped_
        and d.ax_.get_ylabel() == "loss (lines outside the range are clipped)"
    )
    calm_only = LossCurveDisplay(
        learning_rates=np.array([0.001, 0.01, 0.1]), loss=np.array(calm)
    ).plot()
    assert not calm_only.clipped_ and calm_only.ax_.get_ylabel() == "loss"
