"""The learning-rate analysis for estimators other than sklr's MLPs: the step
size is found by the estimator's parameters, every rate is fitted as
GridSearchCV fits it (same scores to 1e-10, same best), divergence is an
outcome, and the displays and the curve work the same."""

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import (
    AdaBoostClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
)
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import (
    LogisticRegression,
    Perceptron,
    SGDClassifier,
    SGDRegressor,
)
from sklearn.model_selection import GridSearchCV, validation_curve
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPRegressor, learning_rate_curve, lr_find
from sklr.plotting import LearningRateSensitivityDisplay, LossCurveDisplay
from sklr.search import GRIDS


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


# --------------------------------------------------------------- detection
@pytest.mark.parametrize(
    "estimator, name, stacked, family",
    [
        (MLPRegressor(), "learning_rate", True, "sklr MLP"),
        (SkMLPClassifier(), "learning_rate_init", False, "scikit-learn MLP"),
        (
            SkMLPRegressor(solver="adam"),
            "learning_rate_init",
            False,
            "scikit-learn MLP",
        ),
        (SGDClassifier(learning_rate="constant"), "eta0", False, "SGD linear model"),
        (SGDRegressor(), "eta0", False, "SGD linear model"),  # invscaling: uses eta0
        (Perceptron(), "eta0", False, "SGD linear model"),
        (HistGradientBoostingClassifier(), "learning_rate", False, "boosting"),
        (GradientBoostingRegressor(), "learning_rate", False, "boosting"),
        (AdaBoostClassifier(), "learning_rate", False, "boosting"),
        (
            make_pipeline(StandardScaler(), SGDClassifier(learning_rate="adaptive")),
            "sgdclassifier__eta0",
            False,
            "SGD linear model",
        ),
        (
            TransformedTargetRegressor(make_pipeline(StandardScaler(), MLPRegressor())),
            "regressor__mlpregressor__learning_rate",
            True,
            "sklr MLP",
        ),
    ],
)
def test_the_step_size_is_found_by_the_parameters(
    estimator, name, stacked, family, iris_scaled
):
    from sklr.search._families import step_size

    step = step_size(estimator)
    assert step.name == name
    assert step.family.stacked is stacked
    assert step.family.name == family
    np.testing.assert_array_equal(step.family.default_grid, GRIDS[family])


@pytest.mark.parametrize(
    "estimator, message",
    [
        (LogisticRegression(), "LogisticRegression has no step-size parameter"),
        (RandomForestClassifier(), "RandomForestClassifier has no step-size"),
        (SGDClassifier(), r"learning_rate='optimal'\) ignores eta0.*'constant'"),
        (SkMLPClassifier(solver="lbfgs"), "solver='lbfgs'\\) has no learning rate"),
    ],
)
def test_no_step_size_is_a_clear_error(estimator, message, iris_scaled):
    with pytest.raises(ValueError, match=message):
        LearningRateSearchCV(estimator, [1e-3, 1e-2], cv=2).fit(*iris_scaled)


def test_an_estimator_without_a_step_size_lists_the_parameters_that_might_be_one():
    from sklearn.linear_model import LinearRegression

    class Stepped(LinearRegression):
        def __init__(self, step_size=1.0, fit_intercept=True):
            self.step_size = step_size
            self.fit_intercept = fit_intercept

    with pytest.raises(ValueError, match=r"\['step_size'\] might be one: .*"):
        LearningRateSearchCV(Stepped(), [0.1, 1.0]).fit([[0.0], [1.0]] * 5, [0, 1] * 5)
    with pytest.raises(ValueError, match="has no parameter 'eta'"):
        LearningRateSearchCV(SGDRegressor(), [0.1, 1.0], param="eta").fit(
            [[0.0], [1.0]] * 5, [0, 1] * 5
        )


# ------------------------------------------------ the same as GridSearchCV
def _grid_search(estimator, param, rates, X, y, cv=3):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GridSearchCV(estimator, {param: rates}, cv=cv).fit(X, y)


CASES = {
    "sklearn-mlp in a Pipeline": lambda: make_pipeline(
        StandardScaler(),
        SkMLPClassifier(
            hidden_layer_sizes=(16,), max_iter=15, solver="sgd", random_state=0
        ),
    ),
    "SGDClassifier in a Pipeline": lambda: make_pipeline(
        StandardScaler(),
        SGDClassifier(learning_rate="constant", max_iter=15, tol=None, random_state=0),
    ),
    "HistGradientBoostingClassifier": lambda: HistGradientBoostingClassifier(
        max_iter=5, max_bins=32, random_state=0
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_classifiers_score_as_in_grid_search(case, digits_600):
    X, y = digits_600
    estimator = CASES[case]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = LearningRateSearchCV(estimator, cv=3, n_jobs=2).fit(X, y)
    grid = _grid_search(estimator, search.param_, search.learning_rates_, X, y)
    # equal wherever the fit did not blow up; where its training loss did (the
    # MLP's largest rates: a million times its first epoch's), GridSearchCV
    # scores the last weights and the search does not (the documented difference)
    blown = search.diverged_.any(axis=1)
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"][~blown],
        grid.cv_results_["mean_test_score"][~blown],
        rtol=0,
        atol=1e-10,
    )
    assert (grid.cv_results_["mean_test_score"][blown] < 0.5).all()
    assert blown.sum() <= 2
    assert search.best_params_ == grid.best_params_
    assert search.best_learning_rate_ == search.best_params_[search.param_]
    assert np.isfinite(search.good_range_).all()
    names = {"too_low", "good", "oscillating", "too_high", "diverged"}
    assert set(search.diagnosis_) <= names
    if search.loss_curves_.shape[-1] == 0:  # no curve: no oscillation claimed
        assert "oscillating" not in set(search.diagnosis_)


@pytest.mark.parametrize(
    "make",
    [
        lambda: make_pipeline(
            StandardScaler(),
            SGDRegressor(learning_rate="constant", max_iter=20, random_state=0),
        ),
        lambda: GradientBoostingRegressor(n_estimators=20, random_state=0),
    ],
    ids=["SGDRegressor in a Pipeline", "GradientBoostingRegressor"],
)
def test_regressors_score_as_in_grid_search(make, diabetes_scaled):
    X, y = diabetes_scaled
    estimator = make()
    rates = [1e-3, 1e-2, 0.1, 1.0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = LearningRateSearchCV(estimator, rates, cv=3).fit(X, y)
    grid = _grid_search(estimator, search.param_, rates, X, y)
    # equal where the fit did not blow up; SGD at rate 1 predicts 1e13 on a
    # standardised target (R^2 -6.5e25), which GridSearchCV scores, the search not
    blown = search.diverged_.any(axis=1)
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"][~blown],
        grid.cv_results_["mean_test_score"][~blown],
        rtol=0,
        atol=1e-10,
    )
    assert (grid.cv_results_["mean_test_score"][blown] < -1e6).all()
    assert search.best_params_ == grid.best_params_


def test_a_scikit_learn_mlp_that_diverges_is_diagnosed_not_failed(diabetes_scaled):
    """Up to 10: GridSearchCV records fit failures, the search diverged rates
    (never the best), and still answers."""
    X, y = diabetes_scaled
    mlp = SkMLPRegressor(hidden_layer_sizes=(16,), solver="sgd", max_iter=30)
    estimator = mlp.set_params(random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = LearningRateSearchCV(estimator, cv=3).fit(X, y)
    assert search.learning_rates_.max() == 10
    with pytest.warns(FitFailedWarning, match="non-finite parameter weights"):
        grid = GridSearchCV(
            estimator, {"learning_rate_init": search.learning_rates_}, cv=3
        ).fit(X, y)
    failed = np.isnan(grid.cv_results_["mean_test_score"])
    assert failed[-1] and failed.sum() >= 2
    np.testing.assert_array_equal(search.diagnosis_[failed], "diverged")
    assert search.diverged_[failed].any(axis=1).all()
    assert (search.diverged_epoch_[search.diverged_] >= 1).all()
    assert search.best_params_ == grid.best_params_
    assert search.diagnosis_[search.best_index_] == "good"
    low, high = search.good_range_
    assert low <= search.best_learning_rate_ <= high
    # its per-epoch loss before the divergence is kept
    assert search.loss_curves_.shape[-1] == 30
    assert np.isfinite(search.loss_curves_[~search.diverged_][:, 0]).all()


def test_curves_of_gradient_boosting_and_none_of_sgd(diabetes_scaled):
    X, y = diabetes_scaled
    gb = LearningRateSearchCV(
        GradientBoostingRegressor(n_estimators=12, random_state=0), [0.01, 0.1], cv=2
    ).fit(X, y)
    assert gb.loss_curves_.shape == (2, 2, 12)
    assert (np.diff(gb.loss_curves_, axis=-1) <= 1e-12).all()  # training deviance
    display = LossCurveDisplay.from_cv_results(gb)
    assert len(display.lines_) == 2
    assert display.axes_[0].get_xlabel() == "boosting round"
    # HistGradientBoosting*'s held-out curve is its own early-stopping split's,
    # and the figure says so (the MLPs': the test fold)
    hgb = HistGradientBoostingRegressor(
        max_iter=6, early_stopping=True, scoring="loss", random_state=0
    )
    hgb_search = LearningRateSearchCV(hgb, [0.1, 0.3], cv=2).fit(X, y)
    assert np.isfinite(hgb_search.validation_loss_curves_[..., 0]).all()
    display = LossCurveDisplay.from_cv_results(hgb_search)
    assert display.axes_[1].get_title() == "held-out loss (its early-stopping split)"
    sgd = LearningRateSearchCV(
        SGDRegressor(random_state=0), [0.001, 0.01], cv=2, refit=False
    ).fit(X, y)
    assert sgd.loss_curves_.shape[-1] == 0
    with pytest.raises(ValueError, match="SGDRegressor records no loss per"):
        LossCurveDisplay.from_cv_results(sgd)
    u = LearningRateSensitivityDisplay.from_cv_results(sgd)
    np.testing.assert_allclose(
        u.lines_[0].get_ydata(), sgd.cv_results_["mean_test_score"]
    )


def test_learning_rate_curve_equals_validation_curve(iris_scaled):
    X, y = iris_scaled
    estimator = SGDClassifier(learning_rate="constant", max_iter=10, random_state=0)
    rates = [1e-3, 1e-1, 10.0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        train, test = learning_rate_curve(estimator, X, y, rates, cv=3)
        ref_train, ref_test = validation_curve(
            estimator, X, y, param_name="eta0", param_range=rates, cv=3
        )
    np.testing.assert_allclose(test, ref_test, atol=1e-12)
    np.testing.assert_allclose(train, ref_train, atol=1e-12)


def test_range_test_says_it_is_for_sklr_mlps(iris_scaled):
    with pytest.raises(TypeError, match="LearningRateSearchCV\\(estimator\\) fits"):
        lr_find(SGDClassifier(), *iris_scaled)
    with pytest.raises(ValueError, match="'auto' runs the range test"):
        LearningRateSearchCV(SGDClassifier(learning_rate="constant"), "auto").fit(
            *iris_scaled
        )


def test_checkpoints_and_workers_give_the_same_results(iris_scaled, tmp_path):
    X, y = iris_scaled
    estimator = SGDClassifier(learning_rate="constant", max_iter=10, random_state=0)
    rates = [1e-3, 1e-2, 1e-1]
    kw = {"cv": 3, "refit": False}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = LearningRateSearchCV(estimator, rates, n_jobs=1, **kw).fit(X, y)
        two = LearningRateSearchCV(
            estimator, rates, n_jobs=2, checkpoint_dir=tmp_path, **kw
        ).fit(X, y)
        assert len(list(tmp_path.glob("rate-*.npz"))) == 9
        resumed = LearningRateSearchCV(
            estimator, rates, n_jobs=1, checkpoint_dir=tmp_path, **kw
        ).fit(X, y)
    for other in (two, resumed):
        np.testing.assert_array_equal(
            one.cv_results_["mean_test_score"], other.cv_results_["mean_test_score"]
        )


@pytest.mark.parametrize("library", ["xgboost", "lightgbm"])
def test_xgboost_and_lightgbm_score_as_in_grid_search(library, digits_600):
    module = pytest.importorskip(library)
    X, y = digits_600
    if library == "xgboost":
        estimator = module.XGBClassifier(
            n_estimators=10, max_depth=3, n_jobs=1, random_state=0
        )
    else:
        estimator = module.LGBMClassifier(
            n_estimators=10, num_leaves=8, n_jobs=1, random_state=0, verbose=-1
        )
    search = LearningRateSearchCV(estimator, cv=3).fit(X, y)
    assert search.param_ == "learning_rate"
    np.testing.assert_array_equal(search.learning_rates_, GRIDS["boosting"])
    grid = _grid_search(estimator, "learning_rate", search.learning_rates_, X, y)
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"],
        grid.cv_results_["mean_test_score"],
        rtol=0,
        atol=1e-10,
    )
    assert search.best_params_ == grid.best_params_
    # the training and test folds' losses per round, from the eval_set
    assert search.loss_curves_.shape == (8, 3, 10)
    assert np.isfinite(search.validation_loss_curves_).all()
    small, large = search.loss_curves_[0, 0], search.loss_curves_[4, 0]
    assert large[-1] < small[-1]  # 0.1 gets further than 0.001 in 10 rounds


def test_a_regressor_whose_predictions_blow_up_is_diverged(diabetes_scaled):
    """SGD at large rates on diabetes: finite weights, predictions a million
    times the largest target and R^2 down to -1e24: diverged, not oscillating;
    the U-curve's axis then holds the real scores."""
    estimator = SGDRegressor(learning_rate="constant", random_state=0)
    search = LearningRateSearchCV(estimator, [1e-3, 1.0, 10.0], cv=3).fit(
        *diabetes_scaled
    )
    assert search.diagnosis_.tolist()[1:] == ["diverged", "diverged"]
    assert search.diagnosis_[0] != "diverged"
    display = LearningRateSensitivityDisplay.from_cv_results(search)
    low, high = display.ax_.get_ylim()
    assert -10 < low and high < 10


def test_boosting_whose_loss_blows_up_is_diverged():
    """Gradient boosting at a rate of 3.16 on breast_cancer: its training loss
    goes 0.2, 2.9, 1e22, ... while its predictions stay finite; diagnosed
    "diverged" (in the stage it blew up), not "oscillating"."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.ensemble import GradientBoostingClassifier

    X, y = load_breast_cancer(return_X_y=True)
    search = LearningRateSearchCV(
        GradientBoostingClassifier(n_estimators=10, random_state=0),
        [0.1, 3.16],
        cv=3,
        refit=False,
    ).fit(X, y)
    assert search.diagnosis_.tolist() == ["good", "diverged"]
    blown = search.diverged_[1]
    assert blown.any() and not search.diverged_[0].any()
    assert (search.diverged_epoch_[1][blown] >= 2).all()  # after the first stage
    assert np.isnan(search.cv_results_["mean_test_score"][1])


def test_the_grid_points_leave_out_the_rate_whatever_its_name(iris_scaled):
    """point_params (the curves' labels) dropped parameters ending in
    "learning_rate" only: SGD's eta0 stayed in every point."""
    from sklr.search import point_params

    search = LearningRateSearchCV(
        SGDClassifier(learning_rate="constant", random_state=0),
        [0.01, 0.1],
        param_grid={"alpha": [1e-4, 1e-2]},
        cv=2,
        refit=False,
    ).fit(*iris_scaled)
    assert point_params(search) == [{"alpha": 1e-4}, {"alpha": 1e-2}]
    display = LearningRateSensitivityDisplay.from_cv_results(search)
    assert [line.get_label() for line in display.lines_] == [
        "alpha=0.0001",
        "alpha=0.01",
    ]
