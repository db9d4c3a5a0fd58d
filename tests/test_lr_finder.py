import dataclasses
import math
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_iris, load_wine
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier, MLPRegressor, lr_find
from sklr.exceptions import RangeTestWarning, TargetScaleWarning
from sklr.lr_finder import SUGGESTION_RULES, RangeRamp, suggest


def _pipe(**params):
    return make_pipeline(
        StandardScaler(),
        MLPClassifier(**{"momentum": 0.0, "random_state": 0, **params}),
    )


def test_range_ramp_closed_forms():
    np.testing.assert_allclose(RangeRamp(1e-4, 1.0, 5).values(5), np.logspace(0, 4, 5))
    lin = RangeRamp(1.0, 5.0, 5, mode="linear").values(5)
    np.testing.assert_allclose(lin, [1, 2, 3, 4, 5])


def test_rates_rise_every_step_and_losses_are_recorded(digits):
    X, y = digits
    result = lr_find(_pipe(), X, y, start_lr=1e-4, end_lr=1.0, num_steps=30)
    rates = result.learning_rates
    assert len(rates) == len(result.losses) == len(result.smoothed_losses) == 30
    np.testing.assert_allclose(rates, np.logspace(-4, 0, 30), rtol=1e-12)
    assert not result.stopped_early
    # bias-corrected EMA: the first smoothed value is the first loss
    assert result.smoothed_losses[0] == pytest.approx(result.losses[0])
    ema, expected = 0.0, []
    for i, loss in enumerate(result.losses):
        ema = 0.98 * ema + 0.02 * loss
        expected.append(ema / (1 - 0.98 ** (i + 1)))
    np.testing.assert_allclose(result.smoothed_losses, expected, rtol=1e-12)


def test_stops_early_when_loss_explodes(digits):
    X, y = digits
    result = lr_find(_pipe(), X, y, start_lr=1e-3, end_lr=1e4, num_steps=200)
    assert result.stopped_early
    assert len(result.losses) < 200
    smoothed = result.smoothed_losses
    assert not smoothed[-1] <= 4.0 * np.nanmin(smoothed)


def test_suggestion_is_inside_the_good_range_of_the_search(digits):
    """The README's example: plain SGD on standardised digits, the range test's
    suggestion (0.46) lies inside the sweep's good range (0.316 .. 1)."""
    X, y = digits
    pipe = _pipe(hidden_layer_sizes=(32,), max_iter=20)
    search = LearningRateSearchCV(pipe, cv=3, n_jobs=2).fit(X, y)
    result = lr_find(pipe, X, y, start_lr=1e-5, end_lr=10, num_steps=100)
    low, high = search.good_range_
    assert (low, high) == pytest.approx((10**-0.5, 1.0))
    assert round(result.suggestion, 2) == 0.46
    assert low <= result.suggestion <= high
    assert result.n_epochs == pytest.approx(100 / 9)


def test_estimator_is_not_changed(digits):
    X, y = digits
    pipe = _pipe()
    before = clone(pipe).get_params()
    lr_find(pipe, X, y, num_steps=20)
    assert pipe.get_params().keys() == before.keys()
    assert pipe[-1].learning_rate == 0.01 and pipe[-1].lr_schedule == "constant"
    assert not hasattr(pipe[-1], "coefs_") and not hasattr(pipe[0], "mean_")


def test_every_rule_and_regressor():
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    result = lr_find(
        MLPRegressor(random_state=0),
        X,
        (y - y.mean()) / y.std(),
        start_lr=1e-5,
        end_lr=1.0,
        num_steps=40,
        suggestion="steepest",
    )
    s = result.suggestions
    assert result.suggestion == s.steepest
    assert result.rule == "steepest"
    for value in (s.valley, s.steepest, s.minimum):
        assert 1e-5 <= value <= 1.0


def test_suggest_drops_non_finite_and_needs_enough_points():
    rates = np.logspace(-4, 0, 6)
    smoothed = np.array([1.0, 0.9, 0.5, 0.3, np.inf, np.nan])
    assert suggest(rates, smoothed, "minimum") == pytest.approx(rates[3] / 10)
    with pytest.raises(ValueError, match="rule 'valley'.*at least 3 finite points"):
        suggest(rates[:2], smoothed[:2], "valley")
    with pytest.raises(ValueError, match="'suggestion' parameter"):
        suggest(rates, smoothed, "magic")


def test_valley_rule_matches_fastai():
    # fastai's valley on a curve that falls from index 2 to 8 then rises
    losses = np.array([3, 3.1, 3, 2.5, 2, 1.5, 1, 0.8, 0.7, 2, 5.0])
    rates = np.logspace(-5, 0, len(losses))
    # longest decreasing subsequence ends at index 8 with length 8 (3.1, 3, 2.5,
    # ..., 0.7), so start = 8 - 8 = 0; sections = 8 / 3 -> index 0 + 2 + 1 = 3
    assert suggest(rates, losses, "valley") == pytest.approx(rates[3])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"start_lr": 0}, "'start_lr'"),
        ({"end_lr": 1e-9}, "'end_lr'"),
        ({"num_steps": 1}, "'num_steps'"),
        ({"mode": "cubic"}, "'mode'"),
        ({"smoothing": 1.0}, "'smoothing'"),
        ({"diverge_threshold": 1.0}, "'diverge_threshold'"),
        ({"suggestion": "best"}, "'suggestion'"),
    ],
)
def test_bad_parameters(kwargs, match):
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match=match):
        lr_find(MLPClassifier(), X, y, **kwargs)


def test_bad_estimator():
    X, y = load_iris(return_X_y=True)
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(TypeError, match="lr_find trains sklr's MLPClassifier"):
        lr_find(LogisticRegression(), X, y)
    with pytest.raises(ValueError, match="lbfgs"):
        lr_find(MLPClassifier(solver="lbfgs"), X, y)


# ------------------------------------------- rules that stay on the ramp (case 5)
@pytest.mark.parametrize("loader", [load_breast_cancer, load_wine])
def test_no_rule_answers_outside_the_ramp_or_in_its_first_5_percent(loader):
    """Standardised breast_cancer and wine, batch 16, no momentum: 'steepest' once
    answered the start of the ramp (1.7e-7) and 'minimum' below it (1e-8)."""
    X, y = loader(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    est = MLPClassifier(
        hidden_layer_sizes=(32,), momentum=0.0, batch_size=16, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RangeTestWarning)
        result = lr_find(est, X, y)
    rates = result.learning_rates
    floor = rates[math.ceil(0.05 * len(rates))]
    for rule, value in dataclasses.asdict(result.suggestions).items():
        assert floor <= value <= rates[-1], (rule, value)
    # the default rule lands where the sweep finds good rates for this network
    assert 0.01 <= result.suggestion <= 1.0


def test_every_rule_returns_nan_with_a_warning_when_the_curve_has_no_answer():
    rates = np.logspace(-6, 0, 40)
    rising = np.linspace(1.0, 3.0, 40)  # lowest at the start: the loss never fell
    for rule in SUGGESTION_RULES:
        with pytest.warns(RangeTestWarning, match=f"no answer for rule '{rule}'"):
            assert np.isnan(suggest(rates, rising, rule))
    # a fall inside the first 5% only is no answer either
    early = np.concatenate([[3.0, 1.0], np.full(38, 1.0)])
    with pytest.warns(RangeTestWarning):
        assert np.isnan(suggest(rates, early, "minimum"))


def test_fall_rule_on_a_known_curve():
    """Flat at 2, falls linearly to 0 between steps 20 and 60, stays there, then
    explodes: three quarters of the fall are made at step 50."""
    rates = np.logspace(-7, 1, 91)
    losses = np.concatenate(
        [np.full(20, 2.0), np.linspace(2.0, 0.0, 41), np.zeros(10), np.full(20, 9.0)]
    )
    # the centred mean of a straight line is the line: step 50 exactly
    assert suggest(rates, losses, "fall") == pytest.approx(rates[50])
    # noise around the curve moves it by a step or two at most
    noisy = losses + np.random.default_rng(0).normal(0, 0.05, len(losses))
    assert abs(np.log10(suggest(rates, noisy, "fall", losses=noisy) / rates[50])) < 0.25


# ------------------------------------------------ the range test's claims (case 6)
def test_reports_its_cost_in_epochs(digits):
    X, y = digits  # 1797 rows, batch 200: 9 mini-batches an epoch
    result = lr_find(_pipe(), X, y, start_lr=1e-5, end_lr=10, num_steps=90)
    assert len(result.losses) == 90 or result.stopped_early
    assert result.n_epochs == pytest.approx(len(result.losses) / 9)


def test_warns_when_the_loss_never_rises(digits):
    X, y = digits
    with pytest.warns(RangeTestWarning, match="never rose.*Raise end_lr"):
        result = lr_find(_pipe(), X, y, start_lr=1e-4, end_lr=1e-2, num_steps=40)
    assert not result.stopped_early


def test_warns_when_the_loss_neither_falls_nor_rises(digits):
    """1e-7 .. 1e-4: nothing happens; rule 'fall' has no answer."""
    X, y = digits
    with pytest.warns(RangeTestWarning, match="no answer for rule 'fall'"):
        result = lr_find(_pipe(), X, y, end_lr=1e-4)
    assert np.isnan(result.suggestion)


def test_warns_when_there_are_too_few_steps(digits):
    X, y = digits
    with pytest.warns(RangeTestWarning, match="only 5 steps"):
        lr_find(_pipe(), X, y, num_steps=5)


def test_a_lucky_first_batch_does_not_stop_the_test():
    """A first mini-batch loss far below the next ones once stopped the test after
    6 steps (friedman1, batch 8): no stop is possible in the first 5%."""
    from sklr.lr_finder._range_test import _RangeRecorder

    recorder = _RangeRecorder(1e-7, RangeRamp(1e-7, 10, 100), 100, 0.0, 4.0)
    active = np.array([True])
    for step, loss in enumerate([0.2, 1.0, 1.1, 0.9, 1.0]):  # 5x the first: no stop
        assert recorder(step, np.array([loss]), active) is False
    assert recorder(5, np.array([50.0]), active) is True  # past 5%: an explosion


def test_target_scale_warning_and_transformed_target_regressor():
    from sklearn.compose import TransformedTargetRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = 3e5 + 1e5 * X[:, 0]
    mlp = MLPRegressor(hidden_layer_sizes=(8,), random_state=0, batch_size=16)
    with pytest.warns(TargetScaleWarning, match="TransformedTargetRegressor"):
        lr_find(mlp, X, y, start_lr=1e-5)
    ttr = TransformedTargetRegressor(mlp, transformer=StandardScaler())
    with warnings.catch_warnings():
        warnings.simplefilter("error", TargetScaleWarning)
        result = lr_find(ttr, X, y, start_lr=1e-5)
    assert 1e-3 <= result.suggestion <= 1.0


def test_warnings_point_at_the_caller(digits):
    X, y = digits
    with pytest.warns(RangeTestWarning) as record:
        lr_find(_pipe(), X, y, end_lr=1e-4)
    assert {w.filename for w in record} == {__file__}


def test_lr_find_accepts_lists_and_explains_empty_input_and_tiny_start():
    X, y = load_iris(return_X_y=True)
    est = MLPClassifier(random_state=0)
    from_list = lr_find(est, X.tolist(), y.tolist(), num_steps=20)
    from_array = lr_find(est, X, y, num_steps=20)
    np.testing.assert_array_equal(from_list.losses, from_array.losses)
    with pytest.raises(ValueError, match="0 sample"):
        lr_find(est, np.empty((0, 4)), np.empty(0))
    with pytest.raises(ValueError, match="'start_lr' parameter is too small"):
        lr_find(est, X, y, start_lr=1e-320)


def test_a_ramp_the_divergence_guard_ends_is_stopped_early():
    """One mini-batch an epoch: the guard ends the run at an epoch's end (loss
    above ten times the initial), where the recorder is not called again; the
    result says it stopped early and does not warn that the loss never rose."""
    import warnings

    from sklearn.datasets import make_classification

    from sklr import MLPClassifier, lr_find
    from sklr.exceptions import RangeTestWarning

    X, y = make_classification(150, 6, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = lr_find(MLPClassifier(hidden_layer_sizes=(8,), random_state=0), X, y)
    assert len(result.losses) == 98 and result.stopped_early
    assert not any(
        w.category is RangeTestWarning and "never rose" in str(w.message)
        for w in caught
    )


def test_the_result_repr_shows_the_answer_not_the_curves():
    from sklearn.datasets import load_iris

    from sklr import MLPClassifier, lr_find

    X, y = load_iris(return_X_y=True)
    result = lr_find(MLPClassifier((8,), random_state=0), X, y, num_steps=40)
    text = repr(result)
    assert len(text) < 400 and "suggestion=" in text and "rule='fall'" in text
    assert "learning_rates" not in text and "array(" not in text
