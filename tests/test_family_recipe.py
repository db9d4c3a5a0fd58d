"""CONTRIBUTING's "Add an estimator family", followed as a contributor would:
one class implementing the protocol, registered in ``FAMILIES``, and nothing
else. The search, its fitted attributes, the Displays and ``default_grid``
then know the family."""

import warnings

import matplotlib
import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.datasets import make_regression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sklr.search._families as families
from sklr import LearningRateSearchCV
from sklr.plotting import LearningRateSensitivityDisplay, LossCurveDisplay
from sklr.search import default_grid

matplotlib.use("Agg")


class Ridgeish(RegressorMixin, BaseEstimator):
    """A linear regressor trained by full-batch gradient descent with step size
    ``step``, recording its mean squared error per pass in ``mse_``."""

    def __init__(self, step=0.1, passes=8):
        self.step = step
        self.passes = passes

    def fit(self, X, y):
        X, y = np.asarray(X, float), np.asarray(y, float)
        self.coef_, self.intercept_ = np.zeros(X.shape[1]), 0.0
        self.mse_ = []
        with np.errstate(all="ignore"):
            for _ in range(self.passes):
                error = X @ self.coef_ + self.intercept_ - y
                self.mse_.append(float(np.mean(error**2)))
                self.coef_ = self.coef_ - self.step * X.T @ error / len(y)
                self.intercept_ -= self.step * error.mean()
        return self

    def predict(self, X):
        return np.asarray(X, float) @ self.coef_ + self.intercept_


class GradientDescentRegressors(families.IndependentFamily):
    """The recipe's family: its name, unit, grid, step size, loss and curves."""

    name = "gradient-descent regressor"
    unit = "pass"
    default_grid = np.array([0.01, 0.1, 1.0, 10.0])

    def step_size(self, step):
        return "step" if isinstance(step, Ridgeish) else None

    def loss_label(self, step):
        return "mean squared error"

    def curves(self, fitted):
        return np.asarray(fitted.mse_, float), None


@pytest.fixture
def registered(monkeypatch):
    monkeypatch.setattr(
        families, "FAMILIES", (*families.FAMILIES, GradientDescentRegressors())
    )


@pytest.fixture(scope="module")
def data():
    X, y = make_regression(120, 4, noise=5.0, random_state=0)
    return X, (y - y.mean()) / y.std()


def test_an_unregistered_estimator_has_no_step_size(data):
    with pytest.raises(ValueError, match="Ridgeish has no step-size parameter"):
        LearningRateSearchCV(Ridgeish()).fit(*data)


def test_a_registered_family_is_searched_as_gridsearchcv_searches_it(registered, data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), Ridgeish())
    np.testing.assert_array_equal(default_grid(pipe), [0.01, 0.1, 1.0, 10.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = LearningRateSearchCV(pipe, cv=3).fit(X, y)  # no param, no grid
        grid = GridSearchCV(
            pipe, {"ridgeish__step": [0.01, 0.1, 1.0]}, cv=3, error_score=np.nan
        ).fit(X, y)
    assert search.param_ == "ridgeish__step"
    np.testing.assert_array_equal(search.learning_rates_, [0.01, 0.1, 1.0, 10.0])
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"][:3],
        grid.cv_results_["mean_test_score"],
        rtol=0,
        atol=1e-12,
    )
    # a step of 10 overshoots (|1 - 10 * eigenvalue| > 1): its loss explodes
    assert search.diverged_[3].all() and not search.diverged_[:3].any()
    assert search.best_learning_rate_ == 1.0
    sweep = search.sweep_result_
    assert (sweep.layout.unit, sweep.layout.loss_label) == (
        "pass",
        "mean squared error",
    )
    assert sweep.layout.family == "gradient-descent regressor"
    assert sweep.loss.shape == (1, 4, 3, 8)
    loss = LossCurveDisplay.from_cv_results(search)
    assert "pass" in loss.axes_[0].get_xlabel()
    assert "mean squared error" in loss.axes_[0].get_ylabel()
    u = LearningRateSensitivityDisplay.from_cv_results(search, metric="loss")
    assert u.ax_.get_ylabel() == "held-out loss after the last pass"
