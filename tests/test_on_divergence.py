"""``on_divergence``: a diverged fit warns (and is scored as it is) or raises a
``ValueError`` that scikit-learn's own tools record as ``error_score``."""

import warnings
from dataclasses import dataclass

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import GridSearchCV, cross_validate, validation_curve
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from sklr import LearningRateSearchCV, MLPClassifier, MLPRegressor, lr_find
from sklr.exceptions import DivergenceError, DivergenceWarning
from sklr.optim import Schedule

RATES = np.logspace(-5, 0, 6)  # raw diabetes targets: 1e-3 and above diverge


@pytest.fixture(scope="module")
def diabetes_raw():
    """Diabetes with its target in its own units (about 150): large rates diverge."""
    return load_diabetes(return_X_y=True)


def _pipe(on_divergence, **params):
    mlp = MLPRegressor(
        hidden_layer_sizes=(32,),
        max_iter=50,
        random_state=0,
        on_divergence=on_divergence,
        **params,
    )
    return make_pipeline(StandardScaler(), mlp)


@dataclass(frozen=True)
class _JumpAfter(Schedule):
    """The rate times 1e4 from update ``step`` on: a fit that diverges late."""

    step: int = 0

    def __call__(self, step):
        return 1.0 if step < self.step else 1e4


def test_a_diverged_network_goes_back_to_its_last_sound_epoch(diabetes_scaled):
    """Five sound epochs, then a rate that explodes: the weights kept are those
    of the end of epoch 5, bit for bit, and predict as well as they did."""
    X, y = diabetes_scaled
    kwargs = dict(hidden_layer_sizes=(8,), batch_size=64, random_state=0, tol=0.0)
    steps = 5 * -(-len(X) // 64)  # the first update of epoch 6
    with pytest.warns(DivergenceWarning, match="in epoch 6"):
        late = MLPRegressor(lr_schedule=_JumpAfter(steps), **kwargs).fit(X, y)
    five = MLPRegressor(max_iter=5, **kwargs).fit(X, y)
    assert late.diverged_ and five.n_iter_ == 5 and not five.diverged_
    for kept, sound in zip(
        late.coefs_ + late.intercepts_, five.coefs_ + five.intercepts_
    ):
        np.testing.assert_array_equal(kept, sound)


def test_weights_whose_own_loss_exploded_are_not_kept(diabetes_raw):
    """The rate that blows up in epoch 2 left weights at the end of epoch 1
    (mean loss 1.2e4, under the threshold) that score R^2 -847 on held-out
    rows: the network goes back to its initial weights instead (R^2 about -4,
    the untrained network's), as a rate too small to move them shows."""
    X, y = diabetes_raw
    est = MLPRegressor(learning_rate=0.0316, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DivergenceWarning)
        result = est._fit_learning_rates(X[:330], y[:330], [1e-300, 0.0316])
    assert result.diverged.tolist() == [False, True]
    assert result.stop_epoch[1] == 2
    for layer in result.coefs + result.intercepts:
        np.testing.assert_array_equal(layer[1], layer[0])  # the initial weights
    with pytest.warns(DivergenceWarning, match="in epoch 2"):
        est.fit(X[:330], y[:330])
    assert -10 < est.score(X[330:], y[330:]) < 0


def test_default_warns_and_keeps_sound_weights(diabetes_raw):
    X, y = diabetes_raw
    reg = MLPRegressor(hidden_layer_sizes=(8,), learning_rate=1.0, random_state=0)
    assert reg.on_divergence == "warn"
    with pytest.warns(DivergenceWarning, match="Training diverged in epoch"):
        reg.fit(StandardScaler().fit_transform(X), y)
    assert reg.diverged_
    assert np.isfinite(reg.predict(X)).all()


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_raise_raises_a_value_error_after_recording_the_outcome(Estimator, iris_scaled):
    X, y = iris_scaled
    est = Estimator(
        hidden_layer_sizes=(8,),
        learning_rate=1e3,
        random_state=0,
        on_divergence="raise",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", DivergenceWarning)  # raises instead of warning
        with pytest.raises(DivergenceError, match="smaller learning_rate") as info:
            est.fit(X, y * 100.0 if Estimator is MLPRegressor else y)
    assert isinstance(info.value, ValueError)
    assert info.value.learning_rate == pytest.approx(1e3)
    assert info.value.epoch == len(est.loss_curve_) >= 1
    assert est.diverged_  # fitted with its last finite weights
    assert np.isfinite(est.predict(X)).all()


def test_partial_fit_raises_too(diabetes_raw):
    X, y = diabetes_raw
    reg = MLPRegressor(
        hidden_layer_sizes=(8,), learning_rate=1.0, on_divergence="raise"
    )
    with pytest.raises(DivergenceError):
        for _ in range(5):
            reg.partial_fit(StandardScaler().fit_transform(X), y)


def test_a_fit_that_does_not_diverge_is_unchanged(diabetes_scaled):
    X, y = diabetes_scaled
    fits = [
        MLPRegressor(
            hidden_layer_sizes=(8,), max_iter=20, random_state=0, on_divergence=mode
        ).fit(X, y)
        for mode in ("warn", "raise")
    ]
    for a, b in zip(fits[0].coefs_, fits[1].coefs_, strict=True):
        np.testing.assert_array_equal(a, b)


def test_bad_value_names_the_parameter(iris_scaled):
    with pytest.raises(InvalidParameterError, match="'on_divergence' parameter"):
        MLPClassifier(on_divergence="ignore").fit(*iris_scaled)


def test_validation_curve_records_error_score(diabetes_raw):
    """The docs' example: ValidationCurveDisplay over mlpregressor__learning_rate."""
    X, y = diabetes_raw
    kw = {"param_name": "mlpregressor__learning_rate", "param_range": RATES, "cv": 3}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, warned = validation_curve(_pipe("warn"), X, y, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn 1.9's curve does not warn
        _, raised = validation_curve(_pipe("raise"), X, y, **kw)
    diverged = np.isnan(raised)
    assert diverged[-1].all() and not diverged[:2].any()
    # without it the diverged fits are scored on the weights they kept: their last
    # sound epoch's, here the untrained network's (R^2 about -4 on the raw target),
    # not a spike of minus billions as when the last finite weights were kept
    assert np.isfinite(warned).all()
    assert -10 < warned[diverged].min() and warned[diverged].max() < 0
    np.testing.assert_array_equal(raised[~diverged], warned[~diverged])
    assert raised[~diverged].max() > 0.3


def test_grid_search_never_picks_a_diverged_rate(diabetes_raw):
    X, y = diabetes_raw
    grid = {"mlpregressor__learning_rate": RATES}
    with pytest.warns(FitFailedWarning):
        search = GridSearchCV(_pipe("raise"), grid, cv=3).fit(X, y)
    means = search.cv_results_["mean_test_score"]
    assert np.isnan(means[3:]).all()  # error_score=np.nan, GridSearchCV's default
    assert search.best_params_["mlpregressor__learning_rate"] in RATES[:3]
    assert search.best_index_ == np.nanargmax(means)


def test_cross_validate_error_score(diabetes_raw):
    """Every fold diverges: scikit-learn's "all the fits failed" names the error;
    with error_score="raise" the error itself reaches the caller."""
    X, y = diabetes_raw
    pipe = _pipe("raise", learning_rate=1.0)
    with pytest.raises(ValueError, match=r"(?s)All the 3 fits failed.*DivergenceError"):
        cross_validate(pipe, X, y, cv=3, error_score=-1.0)
    with pytest.raises(DivergenceError, match="epoch 1 with learning rate 1:"):
        cross_validate(pipe, X, y, cv=3, error_score="raise")
    scores = cross_validate(_pipe("raise", learning_rate=1e-3), X, y, cv=3)
    assert (scores["test_score"] > 0.4).all()  # no divergence, no error


def test_the_search_and_the_range_test_ignore_it(diabetes_raw):
    """Divergence is one of their outcomes: the same results either way."""
    X, y = diabetes_raw
    searches = [
        LearningRateSearchCV(_pipe(mode), RATES, cv=3, refit=False).fit(X, y)
        for mode in ("warn", "raise")
    ]
    assert searches[1].diverged_.any()
    np.testing.assert_array_equal(searches[0].diverged_, searches[1].diverged_)
    np.testing.assert_array_equal(
        searches[0].cv_results_["mean_test_score"],
        searches[1].cv_results_["mean_test_score"],
    )
    ramps = [
        lr_find(_pipe(mode), X, y, start_lr=1e-5, end_lr=10, num_steps=40)
        for mode in ("warn", "raise")
    ]
    np.testing.assert_array_equal(ramps[0].losses, ramps[1].losses)


def test_the_warnings_point_at_the_callers_line(iris_scaled):
    """Not at scikit-learn's decorators around fit (sklearn/base.py)."""
    X, y = iris_scaled
    with pytest.warns(DivergenceWarning) as caught:
        MLPClassifier(hidden_layer_sizes=(4,), learning_rate=1e4).fit(X, y)
    assert caught[0].filename == __file__
    from sklearn.exceptions import ConvergenceWarning

    with pytest.warns(ConvergenceWarning) as caught:
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=2).fit(X, y)
    assert caught[0].filename == __file__
