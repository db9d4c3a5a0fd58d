"""The best rate for each epoch budget, from the held-out loss the search
recorded: the pure computation, the attribute, the Display and the command's
line."""

import warnings

import matplotlib
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier
from sklr.cli._output import _answer
from sklr.plotting import LearningRateEpochsDisplay
from sklr.search import EpochBudgets

from ._helpers import answer_summary

matplotlib.use("Agg")


def test_budgets_on_hand_made_curves():
    rates = np.array([1.0, 0.01, 0.1])  # any order
    held = np.array(
        [
            [[0.4, 0.2, np.inf], [0.5, 0.25, 0.3]],  # 1.0: diverges in epoch 3
            [[0.9, 0.7, 0.5], [0.9, 0.7, 0.5]],  # 0.01: slow
            [[0.6, 0.3, np.nan], [0.6, 0.3, 0.2]],  # 0.1: fold 0 stopped at 2
        ]
    )
    diverged = np.array([[3, 0], [0, 0], [0, 0]])
    b = EpochBudgets.of(rates, held, diverged)
    np.testing.assert_array_equal(b.learning_rates, [0.01, 0.1, 1.0])
    np.testing.assert_allclose(b.loss[1], [0.6, 0.3, 0.25])  # 0.3 carried forward
    assert np.isnan(b.loss[2, 2])  # diverged on a fold: never the best from then on
    np.testing.assert_array_equal(b.best_rates, [1.0, 1.0, 0.1])
    assert b.at([1, 3, 7]) == {1: 1.0, 3: 0.1}


@pytest.fixture(scope="module")
def search():
    X, y = load_digits(return_X_y=True)
    pipe = make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(16,), max_iter=20, random_state=0),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return LearningRateSearchCV(pipe, cv=3, n_jobs=2).fit(X[:600], y[:600])


def test_shorter_budgets_want_larger_rates(search):
    b = search.epoch_budgets_
    assert b.loss.shape == (13, 20)
    first, last = b.best_rates[0], b.best_rates[-1]
    assert first > last  # "smaller rates need more epochs"
    # the budget of all the epochs: the lowest mean final held-out loss
    final = search.sweep_result_.mean_curves(held_out=True)[:, -1]
    finite = np.isfinite(final) & ~search.diverged_.any(axis=1)
    expected = search.learning_rates_[finite][np.argmin(final[finite])]
    assert last == expected


def test_the_display_draws_the_map_and_the_best_rate_of_each_budget(search):
    d = LearningRateEpochsDisplay.from_cv_results(search)
    b = search.epoch_budgets_
    shown = d.image_.get_array()
    np.testing.assert_allclose(shown.filled(np.nan), np.log10(b.loss), equal_nan=True)
    rows = [list(b.learning_rates).index(r) for r in b.best_rates]
    np.testing.assert_array_equal(d.best_line_.get_ydata(), rows)
    assert d.ax_.get_xlabel() == "epochs of training (the budget)"
    assert "log-loss" in d.colorbar_.ax.get_ylabel()
    assert d.ax_.get_yticklabels()[0].get_text() == "1e-05"


def test_no_curves_no_budgets():
    X, y = load_digits(return_X_y=True)
    sgd = SGDClassifier(learning_rate="constant", max_iter=5, tol=None, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = LearningRateSearchCV(sgd, [0.001, 0.01], cv=2).fit(X[:300], y[:300])
    assert search.epoch_budgets_ is None
    with pytest.raises(ValueError, match="no held-out loss per epoch"):
        LearningRateEpochsDisplay.from_cv_results(search)


def test_the_command_says_the_best_rate_by_budget_when_it_changes():
    budgets = {"5": 1.0, "10": 1.0, "25": 0.316, "50": 0.316}
    summary = answer_summary(
        0.316, 0.9, 0.1, 0.316, unit="epoch", epoch_budgets=budgets
    )
    assert _answer(summary).lines[-1] == (
        "lowest held-out loss by epoch budget: 5 epochs 1, 10 epochs 1, "
        "25 epochs 0.316, 50 epochs 0.316"
    )
    same = {**summary, "epoch_budgets": {"5": 0.316, "50": 0.316}}
    assert not any("budget" in line for line in _answer(same).lines)
    # the full budget's lowest loss is not the best score's rate: said, and why
    other = {**summary, "epoch_budgets": {"1": 1.0, "50": 1.0}}
    assert _answer(other).lines[-1] == (
        "lowest held-out loss by epoch budget: 1 epoch 1, 50 epochs 1 (at the full "
        "budget the lowest loss is at 1, the best score at 0.316: the best rate is "
        "chosen by score)"
    )
