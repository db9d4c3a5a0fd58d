"""Behaviour of MLPClassifier / MLPRegressor that users rely on."""

import pickle
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.callback import ScoringMonitor
from sklearn.datasets import load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import (
    GridSearchCV,
    HalvingGridSearchCV,
    RandomizedSearchCV,
    cross_validate,
    validation_curve,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import MLPClassifier, MLPRegressor
from sklr.optim import Cosine, warmup

from ._helpers import RecordTasks

SMALL = dict(hidden_layer_sizes=(10,), max_iter=30, random_state=0)


def _both(iris_scaled, diabetes_scaled):
    return [(MLPClassifier, *iris_scaled), (MLPRegressor, *diabetes_scaled)]


@pytest.fixture(params=["classifier", "regressor"])
def est_data(request, iris_scaled, diabetes_scaled):
    if request.param == "classifier":
        return MLPClassifier, iris_scaled[0], iris_scaled[1]
    return MLPRegressor, diabetes_scaled[0], diabetes_scaled[1]


# ---------------------------------------------------------------- parameters
@pytest.mark.parametrize(
    "params, match",
    [
        (
            dict(learning_rate=-0.1),
            "'learning_rate' parameter .* must be a float in the range \\(0.0, inf\\)",
        ),
        (dict(learning_rate=0.0), "'learning_rate' parameter"),
        (
            dict(hidden_layer_sizes=(0,)),
            "'hidden_layer_sizes' parameter must contain positive",
        ),
        (dict(hidden_layer_sizes=(10, -1)), "'hidden_layer_sizes'"),
        (dict(lr_schedule="warp"), "'lr_schedule' parameter"),
        (dict(batch_size=0), "'batch_size' parameter"),
        (dict(momentum=1.5), "'momentum' parameter"),
        (dict(solver="newton"), "'solver' parameter"),
        (dict(validation_fraction=1.0), "'validation_fraction' parameter"),
        (dict(max_iter=0), "'max_iter' parameter"),
    ],
)
def test_bad_parameters_raise_before_any_work(est_data, params, match):
    Est, X, y = est_data
    est = Est(**params)
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)
    assert not hasattr(est, "coefs_")


def test_constructor_stores_parameters_untouched():
    schedule = warmup(3, Cosine(n_steps=10))
    est = MLPClassifier(
        hidden_layer_sizes=[5, 4], learning_rate=0.3, lr_schedule=schedule
    )
    assert est.hidden_layer_sizes == [5, 4]
    assert est.lr_schedule is schedule
    assert clone(est).get_params()["learning_rate"] == 0.3


def test_poisson_rejects_negative_targets(diabetes_scaled):
    X, y = diabetes_scaled
    with pytest.raises(ValueError, match="non-negative"):
        MLPRegressor(loss="poisson").fit(X, y)


def test_nan_in_input_is_a_clear_error(iris_scaled):
    X, y = iris_scaled
    X = X.copy()
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MLPClassifier().fit(X, y)


# ------------------------------------------------------------------- fitting
def test_fitted_attributes(est_data):
    Est, X, y = est_data
    est = Est(**SMALL).fit(X, y)
    assert est.n_iter_ == len(est.loss_curve_) == len(est.learning_rate_curve_)
    assert est.t_ == est.n_iter_ * X.shape[0]
    assert est.loss_ == est.loss_curve_[-1]
    assert est.best_loss_ == min(est.loss_curve_)
    assert est.n_layers_ == 3 and est.n_features_in_ == X.shape[1]
    assert [c.shape for c in est.coefs_] == [(X.shape[1], 10), (10, est.n_outputs_)]
    assert est.diverged_ is False
    assert est.validation_scores_ is None and est.validation_loss_curve_ is None
    assert np.all(np.diff(est.loss_curve_[:5]) < 0)  # a sane rate learns


def test_learning_rate_is_the_step_size(iris_scaled):
    """Doubling the rate of plain SGD doubles the first update."""
    X, y = iris_scaled
    p = dict(
        hidden_layer_sizes=(4,),
        max_iter=1,
        batch_size=150,
        momentum=0.0,
        random_state=0,
        alpha=0.0,
    )
    init = MLPClassifier(learning_rate=1e-300, **p).fit(X, y)
    a = MLPClassifier(learning_rate=1e-3, **p).fit(X, y)
    b = MLPClassifier(learning_rate=2e-3, **p).fit(X, y)
    np.testing.assert_allclose(
        b.coefs_[1] - init.coefs_[1], 2 * (a.coefs_[1] - init.coefs_[1]), rtol=1e-9
    )


def test_schedule_changes_learning_rate_curve(iris_scaled):
    X, y = iris_scaled
    est = MLPClassifier(
        lr_schedule="cosine",
        batch_size=50,
        learning_rate=0.1,
        tol=0.0,
        n_iter_no_change=1000,
        **SMALL,
    ).fit(X, y)
    steps = np.arange(30) * 3  # 3 updates per epoch
    expected = 0.1 * 0.5 * (1 + np.cos(np.pi * steps / 90))
    np.testing.assert_allclose(est.learning_rate_curve_, expected)


def test_adaptive_schedule_divides_rate_by_five_on_plateau(iris_scaled):
    X, y = iris_scaled
    est = MLPClassifier(
        lr_schedule="adaptive",
        learning_rate=0.05,
        tol=1.0,
        n_iter_no_change=2,
        hidden_layer_sizes=(5,),
        max_iter=12,
        random_state=0,
    ).fit(X, y)
    rates = np.array(est.learning_rate_curve_)
    assert rates[0] == 0.05
    ratios = rates[1:] / rates[:-1]
    assert set(np.round(ratios, 12)) <= {1.0, 0.2}
    assert np.sum(np.isclose(ratios, 0.2)) >= 2


def test_early_stopping_records_and_restores_best(est_data):
    Est, X, y = est_data
    est = Est(
        early_stopping=True, validation_fraction=0.2, n_iter_no_change=3, **SMALL
    ).fit(X, y)
    assert len(est.validation_scores_) == len(est.validation_loss_curve_) == est.n_iter_
    assert est.best_validation_score_ == max(est.validation_scores_)
    assert est.best_loss_ is None


def test_partial_fit_continues_optimizer_state(est_data):
    Est, X, y = est_data
    kw = {"classes": np.unique(y)} if Est is MLPClassifier else {}
    est = Est(hidden_layer_sizes=(8,), shuffle=False, random_state=0, solver="adam")
    est.partial_fit(X, y, **kw)
    est.partial_fit(X, y)
    assert est.n_iter_ == 2 and len(est.loss_curve_) == 2
    assert est._resume.opt_state.count == 2 * int(
        np.ceil(X.shape[0] / min(200, X.shape[0]))
    )
    full = Est(
        hidden_layer_sizes=(8,),
        shuffle=False,
        random_state=0,
        solver="adam",
        max_iter=2,
        tol=0.0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        full.fit(X, y)
    for a, b in zip(est.coefs_, full.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_partial_fit_classifier_needs_classes(iris_scaled):
    X, y = iris_scaled
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        MLPClassifier().partial_fit(X, y)


def test_partial_fit_unavailable_for_lbfgs():
    assert not hasattr(MLPClassifier(solver="lbfgs"), "partial_fit")
    # with early stopping it exists, and says why it cannot run (as scikit-learn)
    assert hasattr(MLPRegressor(early_stopping=True), "partial_fit")


def test_warm_start_uses_assigned_weights(iris_scaled):
    X, y = iris_scaled
    est = MLPClassifier(
        hidden_layer_sizes=(3,),
        max_iter=1,
        warm_start=True,
        learning_rate=1e-300,
        random_state=0,
    ).fit(X, y)
    est.coefs_ = [np.full_like(c, 0.01) for c in est.coefs_]
    est.fit(X, y)
    np.testing.assert_allclose(est.coefs_[0], 0.01)
    est.coefs_ = [np.full((2, 2), 0.01), est.coefs_[1]]
    with pytest.raises(ValueError, match="shapes of coefs_"):
        est.fit(X, y)


def test_lbfgs_reference(iris_scaled):
    X, y = iris_scaled
    est = MLPClassifier(
        solver="lbfgs", hidden_layer_sizes=(10,), random_state=0, max_iter=500
    ).fit(X, y)
    assert est.score(X, y) > 0.97
    assert not hasattr(est, "loss_curve_")
    assert est.loss_ < 0.1


def test_linear_network_trained_to_convergence_matches_least_squares():
    """Oracle: no hidden layer, identity output, alpha=0 -> ordinary least squares."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.7 + 0.1 * rng.normal(size=200)
    est = MLPRegressor(
        hidden_layer_sizes=(),
        activation="identity",
        alpha=0.0,
        solver="lbfgs",
        tol=1e-12,
        max_iter=1000,
        random_state=0,
    ).fit(X, y)
    A = np.c_[X, np.ones(200)]
    beta = np.linalg.lstsq(A, y, rcond=None)[0]
    np.testing.assert_allclose(
        est.coefs_[0].ravel(), beta[:4], rtol=1e-4
    )  # L-BFGS-B stops on ftol: ~1e-5 from the optimum
    np.testing.assert_allclose(est.intercepts_[0], beta[4:], rtol=1e-4)
    sgd = MLPRegressor(
        hidden_layer_sizes=(),
        activation="identity",
        alpha=0.0,
        learning_rate=0.01,
        batch_size=200,
        momentum=0.9,
        max_iter=2000,
        tol=1e-12,
        n_iter_no_change=50,
        random_state=0,
    ).fit(X, y)
    np.testing.assert_allclose(sgd.coefs_[0].ravel(), beta[:4], rtol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_trains_in_float32(iris_scaled, dtype):
    X, y = iris_scaled
    est = MLPClassifier(learning_rate=0.1, **SMALL).fit(X.astype(dtype), y)
    assert all(c.dtype == dtype for c in est.coefs_ + est.intercepts_)
    assert est.predict_proba(X.astype(dtype)).dtype == dtype
    assert est.score(X.astype(dtype), y) > 0.9


def test_sparse_input_equals_dense(iris_scaled):
    X, y = iris_scaled
    dense = MLPClassifier(**SMALL).fit(X, y)
    sparse = MLPClassifier(**SMALL).fit(sp.csr_matrix(X), y)
    for a, b in zip(dense.coefs_, sparse.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-9)
    np.testing.assert_allclose(
        dense.predict_proba(X), sparse.predict_proba(sp.csr_matrix(X))
    )


def test_predict_proba_and_log_proba(iris_scaled):
    X, y = iris_scaled
    est = MLPClassifier(**SMALL).fit(X, (y == 1))
    proba = est.predict_proba(X)
    assert proba.shape == (150, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    np.testing.assert_allclose(np.exp(est.predict_log_proba(X)), proba)


def test_multilabel_classification():
    X, y = make_classification(200, 10, random_state=0)
    Y = np.c_[y, 1 - y, (X[:, 0] > 0)]
    est = MLPClassifier(**SMALL).fit(X, Y)
    assert est.out_activation_ == "logistic"
    assert est.predict(X).shape == (200, 3)


def test_reproducible_for_fixed_random_state(est_data):
    Est, X, y = est_data
    a = Est(**SMALL).fit(X, y)
    b = Est(**SMALL).fit(X, y)
    assert a.loss_curve_ == b.loss_curve_
    for p, q in zip(a.coefs_, b.coefs_):
        np.testing.assert_array_equal(p, q)


def test_verbose_prints_each_epoch(iris_scaled, capsys):
    X, y = iris_scaled
    est = MLPClassifier(
        verbose=True, hidden_layer_sizes=(5,), max_iter=3, random_state=0, tol=0.0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    out = capsys.readouterr().out
    assert len(re.findall(r"Iteration \d+, loss = \d+\.\d{8}", out)) == 3


def test_max_iter_warns_convergence(iris_scaled):
    X, y = iris_scaled
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(2\)"):
        MLPClassifier(max_iter=2, hidden_layer_sizes=(3,), random_state=0).fit(X, y)


# --------------------------------------------------------------- integration
def test_pipeline_grid_search_over_learning_rate(iris_scaled):
    X, y = iris_scaled
    pipe = make_pipeline(StandardScaler(), MLPClassifier(**SMALL))
    grid = GridSearchCV(
        pipe, {"mlpclassifier__learning_rate": [1e-4, 1e-2, 1e-1]}, cv=3
    )
    grid.fit(X, y)
    assert grid.best_params_["mlpclassifier__learning_rate"] in (1e-2, 1e-1)
    scores = grid.cv_results_["mean_test_score"]
    assert scores[0] < scores[2]  # 1e-4 is too slow for 30 epochs


def test_randomized_search_with_loguniform(diabetes_scaled):
    X, y = diabetes_scaled
    search = RandomizedSearchCV(
        MLPRegressor(**SMALL),
        {"learning_rate": loguniform(1e-4, 1e-1)},
        n_iter=3,
        cv=2,
        random_state=0,
    ).fit(X, y)
    rates = search.cv_results_["param_learning_rate"]
    assert all(1e-4 <= r <= 1e-1 for r in rates)


def test_validation_curve_over_learning_rate(iris_scaled):
    X, y = iris_scaled
    rates = [1e-5, 1e-2]
    train, test = validation_curve(
        MLPClassifier(**SMALL),
        X,
        y,
        param_name="learning_rate",
        param_range=rates,
        cv=3,
    )
    assert train.shape == test.shape == (2, 3)
    assert test[1].mean() > test[0].mean()


def test_halving_grid_search_with_max_iter_resource(iris_scaled):
    X, y = iris_scaled
    search = HalvingGridSearchCV(
        MLPClassifier(hidden_layer_sizes=(8,), random_state=0),
        {"learning_rate": [1e-3, 1e-2, 1e-1]},
        resource="max_iter",
        min_resources=5,
        max_resources=40,
        cv=3,
        factor=2,
        random_state=0,
    ).fit(X, y)
    assert search.n_resources_[-1] <= 40
    assert search.best_params_["learning_rate"] in (1e-2, 1e-1)


def test_cross_validate_and_clone(diabetes_scaled):
    X, y = diabetes_scaled
    out = cross_validate(MLPRegressor(**SMALL), X, y, cv=3, return_estimator=True)
    assert len(out["test_score"]) == 3 and np.all(out["test_score"] > 0.2)
    fitted = out["estimator"][0]
    fresh = clone(fitted)
    assert not hasattr(fresh, "coefs_")


def test_pickle_roundtrip(est_data):
    Est, X, y = est_data
    est = Est(lr_schedule=warmup(5, Cosine(n_steps=50)), **SMALL).fit(X, y)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict(X), est.predict(X))
    assert again.loss_curve_ == est.loss_curve_


def test_pandas_input_keeps_feature_names(iris_scaled):
    pd = pytest.importorskip("pandas")
    X, y = iris_scaled
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    est = MLPClassifier(**SMALL).fit(df, pd.Series(y))
    assert est.feature_names_in_.tolist() == ["a", "b", "c", "d"]
    with pytest.warns(UserWarning, match="feature names"):
        est.predict(X)


# ----------------------------------------------------------------- callbacks
def test_scoring_monitor_records_one_entry_per_epoch(iris_scaled):
    X, y = iris_scaled
    monitor = ScoringMonitor(scoring="accuracy")
    est = MLPClassifier(hidden_layer_sizes=(5,), max_iter=4, tol=0.0, random_state=0)
    est.set_callbacks(monitor)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    rows = [r for r in monitor.get_logs().data if r["task_name"] == "epoch"]
    assert len(rows) == 4
    assert all(0 <= r["accuracy"] <= 1 for r in rows)
    assert rows[-1]["accuracy"] == pytest.approx(est.score(X, y))


class _StopAfter:
    def __init__(self, n):
        self.n = n

    def setup(self, estimator, context):
        self.seen = 0

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context):
        if context.task_name == "epoch":
            self.seen += 1
            return self.seen >= self.n
        return False


def test_callback_can_stop_training(iris_scaled):
    X, y = iris_scaled
    est = MLPClassifier(max_iter=50, tol=0.0, random_state=0).set_callbacks(
        _StopAfter(3)
    )
    est.fit(X, y)
    assert est.n_iter_ == 3 and len(est.loss_curve_) == 3


def test_import_sklr_does_not_import_matplotlib():
    code = "import sys, sklr; print('matplotlib' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_callbacks_propagate_epochs_through_grid_search(iris_scaled):
    X, y = iris_scaled
    recorder = RecordTasks()
    grid = GridSearchCV(
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, tol=0.0, random_state=0),
        {"learning_rate": [0.01, 0.1]},
        cv=2,
    )
    grid.set_callbacks(recorder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X, y)
    epochs = [t for t in recorder.ended if t == ("MLPClassifier", "epoch")]
    assert len(epochs) == 3 * (2 * 2 + 1)  # 3 epochs x (4 CV fits + refit)


def test_progress_bar_in_grid_search(iris_scaled):
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    X, y = iris_scaled
    grid = GridSearchCV(
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0),
        {"learning_rate": [0.01, 0.1]},
        cv=2,
    ).set_callbacks(ProgressBar())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        grid.fit(X, y)
    assert grid.best_estimator_.n_iter_ == 2


def test_same_results_whatever_n_jobs(diabetes_scaled):
    X, y = diabetes_scaled
    est = MLPRegressor(**SMALL)
    one = cross_validate(est, X, y, cv=3, n_jobs=1, return_estimator=True)
    two = cross_validate(est, X, y, cv=3, n_jobs=2, return_estimator=True)
    np.testing.assert_array_equal(one["test_score"], two["test_score"])
    for a, b in zip(one["estimator"], two["estimator"]):
        assert a.loss_curve_ == b.loss_curve_


# ----------------------------------------------- edge cases (issue: crashes left)
def test_partial_fit_may_switch_solver_between_calls():
    """sgd -> adam once raised TypeError, adam -> sgd AttributeError; the new
    optimiser now starts from zero state and training goes on."""

    X, y = load_iris(return_X_y=True)
    for first, second in (("sgd", "adam"), ("adam", "sgd")):
        m = MLPClassifier(solver=first, random_state=0)
        m.partial_fit(X, y, classes=[0, 1, 2])
        m.set_params(solver=second)
        m.partial_fit(X, y)
        assert m.t_ == 2 * len(X) and np.isfinite(m.loss_)
    m = MLPClassifier(momentum=0.0, random_state=0).partial_fit(X, y, classes=[0, 1, 2])
    m.set_params(momentum=0.9).partial_fit(X, y)  # a velocity appears
    assert np.isfinite(m.loss_)


def test_n_iter_no_change_may_be_infinite():

    X, y = load_iris(return_X_y=True)
    m = MLPClassifier(n_iter_no_change=np.inf, max_iter=7, random_state=0)
    m.fit(X, y)
    assert m.n_iter_ == 7  # never stops on a plateau


def test_partial_fit_with_early_stopping_says_why():

    X, y = load_iris(return_X_y=True)
    m = MLPClassifier(early_stopping=True)
    assert hasattr(m, "partial_fit")
    with pytest.raises(ValueError, match="early_stopping=True.*Set early_stopping"):
        m.partial_fit(X, y, classes=[0, 1, 2])


def test_learning_rate_may_be_any_real():
    from fractions import Fraction

    X, y = load_iris(return_X_y=True)
    a = MLPClassifier(learning_rate=Fraction(1, 10), max_iter=5, random_state=0)
    b = MLPClassifier(learning_rate=0.1, max_iter=5, random_state=0)
    np.testing.assert_array_equal(a.fit(X, y).coefs_[0], b.fit(X, y).coefs_[0])


def test_an_optimiser_object_as_solver(iris_scaled):
    """solver=SGD(0.5, nesterov=True) is solver="sgd", momentum=0.5, bit for bit."""
    from sklr.optim import SGD, Adam

    X, y = iris_scaled
    base = dict(hidden_layer_sizes=(8,), max_iter=20, random_state=0)
    by_name = MLPClassifier(solver="sgd", momentum=0.5, **base).fit(X, y)
    sgd = SGD(momentum=0.5, nesterov=True)
    by_object = MLPClassifier(solver=sgd, momentum=0.9, **base).fit(X, y)
    for a, b in zip(by_name.coefs_, by_object.coefs_):
        np.testing.assert_array_equal(a, b)
    adam = MLPClassifier(solver=Adam(beta_1=0.8), **base).fit(X, y)
    named = MLPClassifier(solver="adam", beta_1=0.8, **base).fit(X, y)
    np.testing.assert_array_equal(adam.coefs_[0], named.coefs_[0])
    assert hasattr(adam, "partial_fit")
    assert clone(adam).solver == Adam(beta_1=0.8)
    with pytest.raises(ValueError, match="solver"):
        MLPClassifier(solver=object()).fit(X, y)
