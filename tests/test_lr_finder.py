import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits, load_iris
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier, MLPRegressor, lr_find
from sklr.lr_finder import RangeRamp, suggest


@pytest.fixture(scope="module")
def digits():
    return load_digits(return_X_y=True)


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


def test_suggestion_is_within_a_factor_10_of_the_search(digits):
    """Plain SGD on standardised digits: the range test agrees with the search."""
    X, y = digits
    pipe = _pipe(hidden_layer_sizes=(32,), max_iter=20, tol=0.0)
    search = LearningRateSearchCV(pipe, cv=3, n_jobs=2).fit(X, y)
    result = lr_find(pipe, X, y, start_lr=1e-5, end_lr=10, num_steps=100)
    ratio = result.suggestion / search.best_learning_rate_
    assert 0.1 <= ratio <= 10, (result.suggestion, search.best_learning_rate_)


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

    with pytest.raises(TypeError, match="'estimator' parameter"):
        lr_find(LogisticRegression(), X, y)
    with pytest.raises(ValueError, match="lbfgs"):
        lr_find(MLPClassifier(solver="lbfgs"), X, y)
