"""scikit-learn's MLP tests (sklearn/neural_network/tests/test_mlp.py) that
found a difference when run against sklr's MLPs, rewritten for sklr.

sklr's defaults differ on purpose (``solver="sgd"``, ``learning_rate=0.01``;
README, "Differences from scikit-learn"), so a test of scikit-learn's defaults
passes ``solver="adam", learning_rate=0.001`` here. Each test failed before its
fix: float32 drifted 14x further from float64 than scikit-learn's (Adam's moment
updates rewritten as ``b * (m - g) + g`` lost up to 1000 ulp to cancellation),
the stratified split named the encoded class ``'1.0'``, and weights assigned by
hand gave ``AttributeError: '_reference_loss'`` in ``partial_fit``.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_almost_equal
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor

from sklr import MLPClassifier, MLPRegressor

SKLEARN_DEFAULTS = dict(solver="adam", learning_rate=0.001)


def test_mlp_regressor_dtypes_casting():
    X, y = load_digits(n_class=2, return_X_y=True)
    kwargs = dict(alpha=1e-5, hidden_layer_sizes=(5, 3), random_state=1, tol=1e-3)
    ours = dict(max_iter=150, **kwargs, **SKLEARN_DEFAULTS)
    pred_64 = MLPRegressor(**ours).fit(X[:300], y[:300]).predict(X[300:])
    X32 = X.astype(np.float32)
    pred_32 = MLPRegressor(**ours).fit(X32[:300], y[:300]).predict(X32[300:])
    assert pred_32.dtype == np.float32
    assert_allclose(pred_64, pred_32, rtol=5e-4)  # scikit-learn's tolerance
    # and float32 training is scikit-learn's float32 training (4.7e-6 measured;
    # 1.2e-3 before the fix)
    theirs = SkMLPRegressor(max_iter=150, **kwargs).fit(X32[:300], y[:300])
    assert_allclose(pred_32, theirs.predict(X32[300:]), rtol=5e-5)


@pytest.mark.parametrize(
    "y, named",
    [
        ([0, 0, 0, 1], r"\[1\]"),
        (["a", "b", "b", "b"], r"\['a'\]"),
        ([1, 1, 0, 1], r"\[0\]"),
    ],
)
def test_early_stopping_stratified_names_the_label(y, named):
    """Differs from scikit-learn on purpose: it names the binarized value
    ('True'), sklr the class label the user gave."""
    X = [[1, 2], [2, 3], [3, 4], [4, 5]]
    with pytest.raises(ValueError, match="Classes with too few members are: " + named):
        MLPClassifier(early_stopping=True).fit(X, y)
    with pytest.raises(ValueError, match=r"early_stopping=True .*validation_fraction"):
        MLPClassifier(early_stopping=True).fit(X, y)


def test_early_stopping_stratified_split_is_scikit_learns():
    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    labels = np.array(["benign", "malignant"])[y]
    kwargs = dict(hidden_layer_sizes=(6,), early_stopping=True, random_state=0)
    ours = MLPClassifier(max_iter=8, **kwargs, **SKLEARN_DEFAULTS).fit(X, labels)
    theirs = SkMLPClassifier(max_iter=8, **kwargs).fit(X, labels)
    assert_allclose(ours.validation_scores_, theirs.validation_scores_, rtol=0)
    assert_allclose(ours.coefs_[0], theirs.coefs_[0], rtol=1e-9, atol=1e-12)


def _hand_set(mlp):
    mlp.coefs_ = [
        np.array([[0.1, 0.2], [0.3, 0.1], [0.5, 0]]),
        np.array([[0.1], [0.2]]),
    ]
    mlp.intercepts_ = [np.array([0.1, 0.1]), np.array([1.0])]
    return mlp


def test_fit_worked_example_from_hand_set_weights():
    """scikit-learn's ``test_fit``: weights assigned on an unfitted MLP, one
    ``partial_fit`` step, compared with the example worked out by hand."""
    X, y = np.array([[0.6, 0.8, 0.7]]), np.array([0])
    mlp = _hand_set(
        MLPClassifier(
            solver="sgd",
            learning_rate=0.1,
            alpha=0.1,
            activation="logistic",
            random_state=1,
            max_iter=1,
            hidden_layer_sizes=2,
            momentum=0,
        )
    )
    mlp.partial_fit(X, y, classes=[0, 1])
    expected = [[0.098, 0.195756], [0.2956664, 0.096008], [0.4939998, -0.002244]]
    assert_almost_equal(mlp.coefs_[0], np.array(expected), decimal=3)
    assert_almost_equal(mlp.coefs_[1], np.array([[0.04706], [0.154089]]), decimal=3)
    assert_almost_equal(mlp.intercepts_[0], np.array([0.098333, 0.09626]), decimal=3)
    assert_almost_equal(mlp.intercepts_[1], np.array(0.9235), decimal=3)
    assert_almost_equal(mlp.predict_proba(X)[0, 1], 0.739, decimal=3)
    assert (mlp.n_iter_, len(mlp.loss_curve_), mlp.diverged_) == (1, 1, False)


def test_hand_set_weights_of_the_wrong_shape_are_refused():
    mlp = _hand_set(MLPRegressor(hidden_layer_sizes=3))
    with pytest.raises(ValueError, match="shapes of coefs_ / intercepts_"):
        mlp.partial_fit(np.ones((2, 3)), [0.0, 1.0])
