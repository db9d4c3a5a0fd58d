"""Property-based tests: on any valid input, fit works and predictions are finite."""

import warnings

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sklr import MLPClassifier, MLPRegressor  # noqa: E402

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def problems(draw):
    n = draw(st.integers(2, 40))
    f = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.RandomState(seed)
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3]))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    X = (rng.standard_normal((n, f)) * scale).astype(dtype)
    params = dict(
        hidden_layer_sizes=tuple(draw(st.lists(st.integers(1, 8), max_size=2))),
        activation=draw(st.sampled_from(["identity", "logistic", "tanh", "relu"])),
        solver=draw(st.sampled_from(["sgd", "adam"])),
        learning_rate=10 ** draw(st.floats(-5, 2)),
        batch_size=draw(st.one_of(st.just("auto"), st.integers(1, 64))),
        momentum=draw(st.sampled_from([0.0, 0.5, 0.9])),
        alpha=draw(st.sampled_from([0.0, 1e-4, 1.0])),
        lr_schedule=draw(
            st.sampled_from(
                ["constant", "cosine", "onecycle", "adaptive", "invscaling"]
            )
        ),
        max_iter=draw(st.integers(1, 5)),
        random_state=seed,
    )
    return X, rng, params


@SETTINGS
@given(problems(), st.integers(2, 4))
def test_classifier_fits_and_predicts_finite(problem, n_classes):
    X, rng, params = problem
    y = rng.randint(n_classes, size=len(X))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = MLPClassifier(**params).fit(X, y)
    proba = est.predict_proba(X)
    assert proba.shape == (len(X), max(len(np.unique(y)), 2))
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-4)
    assert set(est.predict(X)) <= set(y)
    assert all(np.all(np.isfinite(c)) for c in est.coefs_ + est.intercepts_)
    assert all(c.dtype == X.dtype for c in est.coefs_)


@SETTINGS
@given(problems(), st.sampled_from(["squared_error", "poisson"]))
def test_regressor_fits_and_predicts_finite(problem, loss):
    X, rng, params = problem
    y = rng.poisson(3.0, size=len(X)).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = MLPRegressor(loss=loss, **params).fit(X, y)
    pred = est.predict(X)
    assert pred.shape == (len(X),)
    assert np.all(np.isfinite(pred))
    assert len(est.loss_curve_) == est.n_iter_ <= params["max_iter"]
    assert est.diverged_ or np.all(np.isfinite(est.loss_curve_))
