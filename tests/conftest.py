"""Shared data fixtures: one name per data set and preparation, so that a test
says which it uses (the raw data, a scaled one, or a slice)."""

import pytest
from sklearn.datasets import load_diabetes, load_digits, load_iris
from sklearn.preprocessing import StandardScaler


@pytest.fixture(scope="session")
def iris():
    """Iris, raw: 150 x 4, three classes."""
    return load_iris(return_X_y=True)


@pytest.fixture(scope="session")
def iris_scaled(iris):
    """Iris with standardised features."""
    X, y = iris
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="session")
def digits():
    """Digits, raw and whole: 1797 x 64, ten classes."""
    return load_digits(return_X_y=True)


@pytest.fixture(scope="session")
def digits_600(digits):
    """The first 600 rows of digits, raw."""
    X, y = digits
    return X[:600], y[:600]


@pytest.fixture(scope="session")
def digits_400_scaled(digits):
    """The first 400 rows of digits, standardised."""
    X, y = digits
    return StandardScaler().fit_transform(X[:400]), y[:400]


@pytest.fixture(scope="session")
def diabetes_scaled():
    """Diabetes with standardised features and target."""
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), (y - y.mean()) / y.std()
