"""The best rate keeps a step away from instability (``choice="stable"``):
the pure rule on hand-made scores, then the validity benchmark's worst case
through the public API."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPRegressor
from sklr.exceptions import EdgeOfStabilityWarning
from sklr.search._diagnosis import STABLE_CHOICE_SE, _stable_alternative

RATES = np.array([0.001, 0.01, 0.1, 1.0])
GOOD = (0.001, 0.1)


def _scores(means, spread=0.01):
    """Five fold scores per rate with the given means and a known spread."""
    folds = np.array([-2, -1, 0, 1, 2]) * spread
    return np.array(means, float)[:, None] + folds[None, :]


def _se(spread=0.01):
    return np.std(np.array([-2, -1, 0, 1, 2]) * spread, ddof=1) / np.sqrt(5)


@pytest.mark.parametrize(
    "means, unstable, good, expected, why",
    [
        # 0.1 is best, 1 diverged: 0.01 is within half a standard error
        ([0.5, 0.9 - 0.4 * _se(), 0.9, np.nan], [0, 0, 0, 1], GOOD, 1, "moved"),
        # ... but not when it is further below than half a standard error
        ([0.5, 0.9 - 0.6 * _se(), 0.9, np.nan], [0, 0, 0, 1], GOOD, 2, "too far"),
        # the next rate up is stable: the best stays
        ([0.5, 0.9 - 0.1 * _se(), 0.9, 0.2], [0, 0, 0, 0], GOOD, 2, "stable"),
        # the lower rate is outside the good range
        ([0.5, 0.9 - 0.1 * _se(), 0.9, np.nan], [0, 0, 0, 1], (0.1, 0.1), 2, "range"),
        # a lower rate that is itself unstable is never chosen
        ([0.5, 0.9 - 0.1 * _se(), 0.9, np.nan], [0, 1, 0, 1], GOOD, 2, "unstable"),
    ],
)
def test_the_rule_on_hand_made_scores(means, unstable, good, expected, why):
    scores = _scores(means)
    chosen = _stable_alternative(RATES, scores, np.array(unstable, bool), good, 2)
    assert chosen == expected, why


def test_a_lower_rate_next_to_instability_is_not_a_refuge():
    # 0.01's next rate up (0.1) oscillates too: only 0.001 is a step away
    rates = np.array([0.001, 0.01, 0.1, 0.316])
    scores = _scores([0.9 - 0.2 * _se(), 0.9 - 0.1 * _se(), 0.9, np.nan])
    unstable = np.array([0, 0, 0, 1], bool)
    assert _stable_alternative(rates, scores, unstable, (0.001, 0.1), 2) == 1
    unstable = np.array([0, 0, 1, 1], bool)  # 0.1 oscillates (yet scores best)
    assert _stable_alternative(rates, scores, unstable, (0.001, 0.1), 2) == 0
    assert STABLE_CHOICE_SE == 0.5


@pytest.fixture(scope="module")
def diabetes_adam():
    """The validity benchmark's worst case (held-out regret 0.255): diabetes,
    Adam, batch 256, (16, 16), 40 epochs, its split and standardised target."""
    X, y = load_diabetes(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0)
    mean, std = y_tr.mean(), y_tr.std()
    mlp = MLPRegressor(
        hidden_layer_sizes=(16, 16),
        solver="adam",
        batch_size=256,
        max_iter=40,
        tol=0.0,
        n_iter_no_change=41,
        random_state=0,
    )
    return make_pipeline(StandardScaler(), mlp), X_tr, (y_tr - mean) / std


def test_the_benchmark_worst_case_steps_away_from_the_rate_next_to_divergence(
    diabetes_adam,
):
    pipe, X, y = diabetes_adam
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = LearningRateSearchCV(pipe, cv=5, n_jobs=2).fit(X, y)
        top = LearningRateSearchCV(pipe, cv=5, choice="top").fit(X, y)
        grid = GridSearchCV(
            pipe, {"mlpregressor__learning_rate": search.learning_rates_}, cv=5
        ).fit(X, y)
    # GridSearchCV (and choice="top") take 0.1, next to 0.316, which diverged
    assert top.best_learning_rate_ == pytest.approx(0.1)
    assert top.best_params_ == grid.best_params_
    rates = search.learning_rates_
    k = int(np.flatnonzero(np.isclose(rates, 0.316, rtol=1e-2))[0])
    assert search.diagnosis_[k] == "diverged"
    # the stable choice: 0.00316, as good within half a standard error
    assert search.top_learning_rate_ == pytest.approx(0.1)
    assert search.best_learning_rate_ == pytest.approx(10**-2.5)
    low, high = search.good_range_
    assert low <= search.best_learning_rate_ <= high
    assert search.best_estimator_[-1].learning_rate == search.best_learning_rate_
    scores = search.cv_results_["mean_test_score"]
    std = search.cv_results_["std_test_score"]
    top_k = top.best_index_
    se = std[top_k] * np.sqrt(5 / 4) / np.sqrt(5)  # ddof=1 from numpy's ddof=0
    assert scores[search.best_index_] >= scores[top_k] - STABLE_CHOICE_SE * se


def test_a_best_rate_next_to_divergence_with_nowhere_safer_warns(diabetes_adam):
    pipe, X, y = diabetes_adam
    rates = [1e-4, 0.1, 0.316]  # nothing lower scores as well as 0.1
    with pytest.warns(EdgeOfStabilityWarning, match=r"\(0.1\) is next to .*0.316"):
        search = LearningRateSearchCV(pipe, rates, cv=5, refit=False).fit(X, y)
    assert search.best_learning_rate_ == search.top_learning_rate_ == 0.1
