"""Bad input, everywhere: a clear error naming the problem, before any training.

Each row: what is wrong, a call that must fail, the exception type and a pattern
of its message. Rows marked "fallback" document inputs that are accepted on
purpose, with the behaviour the test asserts instead.
"""

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from sklr import (
    DivergenceWarning,
    LearningRateSearchCV,
    MLPClassifier,
    MLPRegressor,
    lr_find,
)
from sklr.optim import Schedule
from sklr.plotting import (
    LearningRateBatchSizeDisplay,
    LearningRateSensitivityDisplay,
    LossCurveDisplay,
)

X, Y = load_iris(return_X_y=True)
R = np.random.RandomState(0)
FAST = dict(hidden_layer_sizes=(4,), max_iter=3)


class _Negative(Schedule):
    def __call__(self, step):
        return -1.0 if step >= 2 else 1.0


class _NaN(Schedule):
    def __call__(self, step):
        return float("nan")


def _with(X_, index, value):
    X_ = X_.astype(object if isinstance(value, str) else X_.dtype).copy()
    X_[index] = value
    return X_


def _sparse_nan():
    M = sp.csr_matrix(X)
    M.data[0] = np.nan
    return M


def _fitted_clf():
    return MLPClassifier(**FAST).fit(X, Y)


def _unfitted_search():
    return LearningRateSearchCV(MLPClassifier(), [0.1, 0.2])


def _search(rates=(1e-3, 1e-1), **kw):
    return LearningRateSearchCV(MLPClassifier(**FAST), list(rates), cv=3, **kw)


CASES = [
    # --- estimators: data
    (
        "NaN in X",
        lambda: MLPClassifier(**FAST).fit(_with(X, (0, 0), np.nan), Y),
        ValueError,
        "NaN",
    ),
    (
        "inf in X",
        lambda: MLPClassifier(**FAST).fit(_with(X, (3, 1), np.inf), Y),
        ValueError,
        "infinity",
    ),
    (
        "NaN in sparse X",
        lambda: MLPClassifier(**FAST).fit(_sparse_nan(), Y),
        ValueError,
        "NaN",
    ),
    (
        "NaN in y",
        lambda: MLPRegressor(**FAST).fit(X, _with(X[:, 0], 5, np.nan)),
        ValueError,
        "NaN",
    ),
    (
        "inf in y",
        lambda: MLPRegressor(**FAST).fit(X, _with(X[:, 0], 5, np.inf)),
        ValueError,
        "infinity",
    ),
    (
        "empty X",
        lambda: MLPClassifier(**FAST).fit(np.empty((0, 4)), []),
        ValueError,
        "0 sample",
    ),
    (
        "1-D X",
        lambda: MLPClassifier(**FAST).fit(X[:, 0], Y),
        ValueError,
        "Expected 2D array, got 1D",
    ),
    (
        "3-D X",
        lambda: MLPClassifier(**FAST).fit(X.reshape(150, 2, 2), Y),
        ValueError,
        "dim 3",
    ),
    (
        "complex X",
        lambda: MLPClassifier(**FAST).fit(X + 1j, Y),
        ValueError,
        "Complex data not supported",
    ),
    (
        "string in X",
        lambda: MLPClassifier(**FAST).fit(_with(X, (2, 2), "abc"), Y),
        ValueError,
        "could not convert",
    ),
    (
        "mismatched lengths",
        lambda: MLPClassifier(**FAST).fit(X, Y[:-1]),
        ValueError,
        "inconsistent numbers of samples",
    ),
    (
        "wrong number of features at predict",
        lambda: _fitted_clf().predict(X[:, :3]),
        ValueError,
        "features",
    ),
    (
        "unseen label in partial_fit",
        lambda: (
            MLPClassifier(**FAST)
            .partial_fit(X, Y, classes=[0, 1, 2])
            .partial_fit(X, Y + 5)
        ),
        ValueError,
        "classes not in",
    ),
    (
        "predict before fit",
        lambda: MLPClassifier().predict(X),
        NotFittedError,
        "not fitted",
    ),
    (
        "negative sample weight",
        lambda: MLPClassifier(**FAST).fit(X, Y, sample_weight=-np.ones(150)),
        ValueError,
        "Negative values",
    ),
    (
        "sample weight of the wrong length",
        lambda: MLPClassifier(**FAST).fit(X, Y, sample_weight=np.ones(3)),
        ValueError,
        "sample_weight",
    ),
    (
        "negative target for poisson",
        lambda: MLPRegressor(loss="poisson", **FAST).fit(X, X[:, 0] - 10),
        ValueError,
        "non-negative",
    ),
    # --- estimators: parameters
    (
        "learning rate NaN",
        lambda: MLPClassifier(learning_rate=np.nan).fit(X, Y),
        ValueError,
        "'learning_rate' parameter",
    ),
    (
        "learning rate inf",
        lambda: MLPClassifier(learning_rate=np.inf).fit(X, Y),
        ValueError,
        "'learning_rate' parameter",
    ),
    (
        "learning rate 0",
        lambda: MLPClassifier(learning_rate=0).fit(X, Y),
        ValueError,
        "'learning_rate' parameter",
    ),
    (
        "learning rate negative",
        lambda: MLPClassifier(learning_rate=-1).fit(X, Y),
        ValueError,
        "'learning_rate' parameter",
    ),
    (
        "batch size 0",
        lambda: MLPClassifier(batch_size=0).fit(X, Y),
        ValueError,
        "'batch_size' parameter",
    ),
    (
        "hidden layer of 0 units",
        lambda: MLPClassifier((0,)).fit(X, Y),
        ValueError,
        "'hidden_layer_sizes' parameter",
    ),
    (
        "hidden layer of 2.5 units",
        lambda: MLPClassifier((2.5,)).fit(X, Y),
        ValueError,
        "'hidden_layer_sizes' parameter",
    ),
    (
        "unknown schedule",
        lambda: MLPClassifier(lr_schedule="warp").fit(X, Y),
        ValueError,
        "'lr_schedule' parameter",
    ),
    (
        "schedule with a negative multiplier",
        lambda: MLPClassifier(lr_schedule=_Negative(), **FAST).fit(X, Y),
        ValueError,
        "multiplier -1.0 at step 2",
    ),
    (
        "schedule with a NaN multiplier",
        lambda: MLPClassifier(lr_schedule=_NaN(), **FAST).fit(X, Y),
        ValueError,
        "multiplier nan at step 0",
    ),
    (
        "momentum above 1",
        lambda: MLPClassifier(momentum=1.5).fit(X, Y),
        ValueError,
        "'momentum' parameter",
    ),
    (
        "unknown activation",
        lambda: MLPClassifier(activation="gelu").fit(X, Y),
        ValueError,
        "'activation' parameter",
    ),
    (
        "tiny early-stopping split",
        lambda: MLPClassifier(
            early_stopping=True, validation_fraction=0.01, **FAST
        ).fit(X[:50], Y[:50]),
        ValueError,
        "validation set is too small",
    ),
    # --- LearningRateSearchCV
    ("grid of one rate", lambda: _search([0.1]).fit(X, Y), ValueError, "at least 2"),
    (
        "grid with duplicates",
        lambda: _search([0.1, 0.1, 1.0]).fit(X, Y),
        ValueError,
        "duplicates",
    ),
    (
        "grid with NaN",
        lambda: _search([0.1, np.nan]).fit(X, Y),
        ValueError,
        "positive and finite",
    ),
    (
        "grid with inf",
        lambda: _search([0.1, np.inf]).fit(X, Y),
        ValueError,
        "positive and finite",
    ),
    (
        "grid with 0",
        lambda: _search([0.0, 0.1]).fit(X, Y),
        ValueError,
        "positive and finite",
    ),
    (
        "grid of strings",
        lambda: _search(["a", "b"]).fit(X, Y),
        ValueError,
        "must be numbers",
    ),
    (
        "bad param_grid key",
        lambda: _search(param_grid={"batch_sise": [8]}).fit(X, Y),
        ValueError,
        "Invalid parameter 'batch_sise'",
    ),
    (
        "bad param_grid value",
        lambda: _search(param_grid={"batch_size": [0]}).fit(X, Y),
        ValueError,
        "'batch_size' parameter",
    ),
    (
        "learning rate in param_grid",
        lambda: _search(param_grid={"learning_rate": [0.1]}).fit(X, Y),
        ValueError,
        "must not contain the learning rate",
    ),
    (
        "more folds than samples",
        lambda: LearningRateSearchCV(MLPClassifier(**FAST), [0.1, 1], cv=KFold(20)).fit(
            X[:10], Y[:10]
        ),
        ValueError,
        "n_splits=20 greater than the number of samples",
    ),
    (
        "an estimator without a step size",
        lambda: LearningRateSearchCV(LogisticRegression(), [0.1, 1]).fit(X, Y),
        ValueError,
        "LogisticRegression has no step-size parameter",
    ),
    (
        "lbfgs has no rate",
        lambda: LearningRateSearchCV(MLPClassifier(solver="lbfgs"), [0.1, 1]).fit(X, Y),
        ValueError,
        "no\\s+learning rate",
    ),
    (
        "refit name not among the metrics",
        lambda: _search(scoring=["accuracy"], refit="f1").fit(X, Y),
        ValueError,
        "parameter refit must be set to a scorer key",
    ),
    (
        "predict before fit",
        lambda: _unfitted_search().predict(X),
        NotFittedError,
        "not fitted",
    ),
    # --- lr_find
    (
        "start_lr above end_lr",
        lambda: lr_find(MLPClassifier(), X, Y, start_lr=1.0, end_lr=0.1),
        ValueError,
        "'end_lr'",
    ),
    (
        "NaN in X for lr_find",
        lambda: lr_find(MLPClassifier(), _with(X, (0, 0), np.nan), Y),
        ValueError,
        "NaN",
    ),
    (
        "one step",
        lambda: lr_find(MLPClassifier(), X, Y, num_steps=1),
        ValueError,
        "'num_steps'",
    ),
    # --- displays
    (
        "loss curve of an unfitted estimator",
        lambda: LossCurveDisplay.from_estimator(MLPClassifier()),
        ValueError,
        "no loss_curve_",
    ),
    (
        "sensitivity display of an unfitted search",
        lambda: LearningRateSensitivityDisplay.from_cv_results(_unfitted_search()),
        NotFittedError,
        "not fitted",
    ),
    (
        "batch-size map without batch sizes",
        lambda: LearningRateBatchSizeDisplay.from_cv_results(_search().fit(X, Y)),
        ValueError,
        "no batch_size",
    ),
]


@pytest.mark.parametrize("what, call, error, match", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gives_a_clear_error(what, call, error, match):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error, match=match):
            call()


def test_there_are_at_least_40_bad_inputs():
    assert len(CASES) >= 40


# --------------------------------------------------------- documented fallbacks
def test_fallback_batch_size_larger_than_data_is_clipped_with_a_warning():
    with pytest.warns(UserWarning, match="clipped to 150"):
        est = MLPClassifier(batch_size=1000, **FAST).fit(X, Y)
    assert est.n_iter_ == 3


def test_fallback_no_hidden_layer_is_a_linear_model():
    est = MLPClassifier(hidden_layer_sizes=(), max_iter=50).fit(X, Y)
    assert est.n_layers_ == 2 and [c.shape for c in est.coefs_] == [(4, 3)]


def test_fallback_single_class_predicts_it():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = MLPClassifier(**FAST).fit(X, np.full(150, 7))
    assert set(est.predict(X)) == {7}


def test_fallback_single_sample_and_constant_feature():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = MLPRegressor(**FAST).fit(X[:1], [1.0])
        const = MLPRegressor(**FAST).fit(np.c_[X, np.ones(150)], X[:, 0])
    assert (
        np.isfinite(one.predict(X)).all()
        and np.isfinite(const.predict(np.c_[X, np.ones(150)])).all()
    )


def test_fallback_huge_values_diverge_and_predict_finite():
    huge = X * 1e300
    with pytest.warns(DivergenceWarning):
        est = MLPRegressor(**FAST).fit(huge, X[:, 0])
    assert est.diverged_
    assert np.isfinite(est.predict(X)).all()


# ------------------------------------------------------------- numerical faults
def test_extreme_rates_and_scales_are_outcomes_not_errors():
    """Rates 1e-12 .. 1e6 on inputs scaled to 1e6: the search returns, reports
    the divergences, and every kept network has finite weights."""
    rates = np.logspace(-12, 6, 7)
    search = LearningRateSearchCV(
        MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0),
        rates,
        cv=3,
        refit=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow noise either
        search.fit(X * 1e6, Y)
    assert search.diverged_[-1].all()  # 1e6 explodes everywhere
    assert not search.diverged_[0].any()  # 1e-12 is merely too slow
    assert search.diagnosis_[-1] == "diverged"
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores[-1]) and np.isfinite(scores[0])
    for rate in rates:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = MLPClassifier(
                hidden_layer_sizes=(8,), max_iter=5, random_state=0, learning_rate=rate
            ).fit(X * 1e6, Y)
        assert all(np.isfinite(c).all() for c in est.coefs_ + est.intercepts_)
        assert np.isfinite(est.predict_proba(X * 1e6)).all()


def test_loss_becoming_nan_mid_epoch_is_caught():
    """A NaN appears mid-epoch (a poisoned weight): training returns, flags it,
    and keeps the last weights that gave a finite loss."""
    from sklr._engine import Hook

    class Poison(Hook):
        def on_batch_end(self, run, batch_loss):
            if run.step == 5:
                run.coefs[0][0, 0, 0] = np.nan  # next batch's loss becomes NaN

    est = MLPClassifier(
        hidden_layer_sizes=(8,), batch_size=16, max_iter=3, random_state=0
    )
    result = est._fit_learning_rates(X, Y, [0.01], extra_hooks=[Poison()])
    assert result.status.tolist() == ["diverged"]
    assert all(np.isfinite(c).all() for c in result.coefs + result.intercepts)
    assert result.stop_epoch[0] == 1
