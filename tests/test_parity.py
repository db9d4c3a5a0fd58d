"""sklr and scikit-learn's MLP agree step for step from the same initial weights."""

import numpy as np
import pytest
from sklearn import neural_network as sk
from sklearn.datasets import load_iris, make_multilabel_classification, make_regression
from sklearn.preprocessing import StandardScaler

import sklr

N_EPOCHS = 6


def _data(kind):
    if kind in ("multiclass", "binary"):
        X, y = load_iris(return_X_y=True)
        X = StandardScaler().fit_transform(X)
        return (X, y) if kind == "multiclass" else (X, (y == 1).astype(int))
    if kind == "multilabel":
        return make_multilabel_classification(120, 6, n_classes=3, random_state=0)
    X, y = make_regression(120, 5, n_targets=2, noise=1.0, random_state=0)
    y = y / 100
    if kind == "regression-1d":
        return X, y[:, 0]
    if kind == "poisson":
        return X, np.abs(y[:, 0])
    return X, y


def _fit_pair(kind, params, sample_weight):
    X, y = _data(kind)
    sw = np.random.RandomState(0).uniform(0.2, 2, len(y)) if sample_weight else None
    is_clf = kind in ("multiclass", "binary", "multilabel")
    SkCls = sk.MLPClassifier if is_clf else sk.MLPRegressor
    LrCls = sklr.MLPClassifier if is_clf else sklr.MLPRegressor
    lr = params.pop("lr")
    common = dict(
        hidden_layer_sizes=(6, 4),
        shuffle=False,
        tol=0.0,
        max_iter=N_EPOCHS,
        warm_start=True,
        random_state=0,
        **params,
    )
    ours = LrCls(learning_rate=lr, **common).fit(X[::6], y[::6])  # sets shapes, classes
    theirs = SkCls(learning_rate_init=lr, **common).fit(X[::6], y[::6])
    rng = np.random.RandomState(42)
    coefs = [rng.uniform(-0.5, 0.5, c.shape) for c in ours.coefs_]
    intercepts = [rng.uniform(-0.5, 0.5, b.shape) for b in ours.intercepts_]
    for est in (ours, theirs):
        est.coefs_ = [c.copy() for c in coefs]
        est.intercepts_ = [b.copy() for b in intercepts]
        est.fit(X, y, sample_weight=sw)
    return ours, theirs


CASES = [
    ("multiclass", dict(lr=0.1, solver="sgd", momentum=0.0)),
    ("multiclass", dict(lr=0.1, solver="sgd", momentum=0.9, nesterovs_momentum=False)),
    (
        "multiclass",
        dict(
            lr=0.1,
            solver="sgd",
            momentum=0.9,
            nesterovs_momentum=True,
            batch_size=32,
            activation="tanh",
        ),
    ),
    ("multiclass", dict(lr=0.01, solver="adam", batch_size=16, alpha=0.01)),
    ("binary", dict(lr=0.1, solver="sgd", batch_size=16, activation="logistic")),
    ("multilabel", dict(lr=0.05, solver="sgd", batch_size=16)),
    ("multilabel", dict(lr=0.01, solver="adam", batch_size=32)),
    ("regression", dict(lr=0.01, solver="sgd", batch_size=16)),
    ("regression-1d", dict(lr=0.01, solver="adam", batch_size=16, alpha=0.1)),
    ("poisson", dict(lr=0.001, solver="sgd", batch_size=16, loss="poisson")),
]


@pytest.mark.parametrize("sample_weight", [False, True])
@pytest.mark.parametrize("kind, params", CASES)
def test_same_weights_and_loss_curve_as_scikit_learn(kind, params, sample_weight):
    ours, theirs = _fit_pair(kind, dict(params), sample_weight)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        ours.loss_curve_[-N_EPOCHS:], theirs.loss_curve_[-N_EPOCHS:], rtol=1e-9
    )
    assert ours.n_iter_ == theirs.n_iter_ == N_EPOCHS


def test_same_random_state_gives_scikit_learns_fit_with_shuffling():
    """Same seed: same initial draws and mini-batch order as scikit-learn."""
    X, y = _data("multiclass")
    params = dict(
        hidden_layer_sizes=(8,),
        max_iter=8,
        batch_size=20,
        tol=0.0,
        random_state=3,
        solver="sgd",
    )
    ours = sklr.MLPClassifier(learning_rate=0.05, **params).fit(X, y)
    theirs = sk.MLPClassifier(learning_rate_init=0.05, **params).fit(X, y)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    np.testing.assert_allclose(ours.coefs_[0], theirs.coefs_[0], rtol=1e-9, atol=1e-12)
