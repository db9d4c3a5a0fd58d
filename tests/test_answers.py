"""Trustworthy answers: a recommendation is right, or the search says it cannot tell.

Each test reproduces a case where the search once gave a confident wrong answer.
"""

import re
import warnings

import numpy as np
import pytest
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier, MLPRegressor
from sklr.exceptions import NoGoodRangeWarning, NoUsableScoreError, TargetScaleWarning
from sklr.search._diagnosis import _above_baseline, _diagnose
from sklr.search._results import _rank


@pytest.fixture(scope="module")
def big_target():
    """A regression target in its own units: y ~ 3e5 + 1e5 x."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    return X, 3e5 + 1e5 * X[:, 0] + 1e3 * rng.normal(size=200)


def test_a_scorer_that_fails_everywhere_is_an_error_not_a_recommendation(iris):
    """Case 1: 'f1' on three classes fails on every fit."""
    X, y = iris
    search = LearningRateSearchCV(
        MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0),
        cv=3,
        scoring="f1",
    )
    with pytest.warns(UserWarning, match=r"Scoring failed\. The score on this"):
        with pytest.raises(NoUsableScoreError, match="scorer failed") as info:
            search.fit(X, y)
    assert info.value.reason == "scoring_failed"
    assert "f1_macro" in str(info.value) and "multiclass" in str(info.value)
    # the per-rate results stay inspectable, on the error and on the search
    assert info.value.cv_results is search.cv_results_
    assert len(search.cv_results_["mean_test_score"]) == 13
    assert set(search.diagnosis_) <= {"unscored", "diverged"}
    assert not hasattr(search, "best_learning_rate_")


def _picky(estimator, X, y):
    """Accuracy, but a failure for rates above 0.05 (it is given the Pipeline)."""
    if estimator[-1].learning_rate > 0.05:
        raise RuntimeError("no score for large rates")
    return float(np.mean(estimator.predict(X) == y))


def _picky_search(**kwargs):
    return LearningRateSearchCV(
        make_pipeline(StandardScaler(), MLPClassifier(max_iter=20, random_state=0)),
        [1e-3, 1e-2, 1e-1],
        cv=3,
        scoring=_picky,
        **kwargs,
    )


def test_scoring_failures_on_some_fits_warn_and_use_error_score(iris):
    """A scorer failing for some rates only: those get error_score, with a warning."""
    X, y = iris
    search = _picky_search(error_score=-1.0)
    with pytest.warns(UserWarning, match="(?s)Scoring failed.*set to -1.0.*no score"):
        search.fit(X, y)
    np.testing.assert_array_equal(search.cv_results_["split0_test_score"][2], -1.0)
    assert search.diagnosis_[2] == "unscored"
    assert search.best_learning_rate_ == 0.01


def test_every_rate_diverging_is_an_error_that_names_the_target(big_target):
    """Case 2: a target in its own units makes every default rate diverge."""
    X, y = big_target
    search = LearningRateSearchCV(
        MLPRegressor(hidden_layer_sizes=(8,), max_iter=20, random_state=0), cv=3
    )
    with pytest.raises(NoUsableScoreError, match="diverged") as info:
        search.fit(X, y)
    assert info.value.reason == "diverged"
    message = str(info.value)
    assert re.search(r"standard deviation 1\.\d+e\+05", message)
    assert "TransformedTargetRegressor" in message
    assert search.diverged_.all() and not hasattr(search, "best_estimator_")
    assert (search.diagnosis_ == "diverged").all()


def test_transformed_target_regressor_is_the_remedy(big_target):
    """The same data through TransformedTargetRegressor: a good range, scored in
    the user's units, and the same scores as GridSearchCV."""
    X, y = big_target
    mlp = MLPRegressor(hidden_layer_sizes=(8,), max_iter=20, random_state=0, tol=0)
    ttr = TransformedTargetRegressor(mlp, transformer=StandardScaler())
    rates = [1e-3, 1e-2, 1e-1]
    with warnings.catch_warnings():
        warnings.simplefilter("error", TargetScaleWarning)
        search = LearningRateSearchCV(ttr, rates, cv=3).fit(X, y)
    grid = GridSearchCV(ttr, {"regressor__learning_rate": rates}, cv=3).fit(X, y)
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"],
        grid.cv_results_["mean_test_score"],
        rtol=1e-9,
    )
    assert search.cv_results_["mean_test_score"].max() > 0.9
    assert search.best_params_ == grid.best_params_
    assert "good" in search.diagnosis_
    assert search.score(X, y) > 0.9  # the refitted best, in the user's units


def test_a_numeric_error_score_never_makes_a_diverged_rate_the_best():
    """Case 3: with error_score=0, diverged rates (score 0) beat negative R^2."""
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    search = LearningRateSearchCV(
        MLPRegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=0),
        np.logspace(-4, 2, 7),
        cv=3,
        error_score=0,
    )
    with pytest.warns(TargetScaleWarning):
        search.fit(X, y)
    r = search.cv_results_
    diverged = search.diverged_.any(axis=1)
    assert diverged.sum() >= 3
    assert (r["mean_test_score"][diverged] == 0).all()  # error_score is used ...
    assert not diverged[search.best_index_]  # ... but a diverged rate never wins
    assert r["rank_test_score"][diverged].min() > r["rank_test_score"][~diverged].max()
    low, high = search.good_range_
    rates = search.learning_rates_
    assert not np.any(diverged & (rates >= low) & (rates <= high))


@pytest.mark.parametrize("seed", [0, 1])
def test_rates_that_learn_nothing_are_not_good(iris, seed):
    """Case 4: in 5 epochs of Adam, rates 1e-12 .. 1e-3 leave the network where
    it started. Seed 0 starts at chance (1/3); seed 1 starts at 2/3, above the
    dummy but not above the untrained network: 'too_low' either way."""
    X, y = iris
    search = LearningRateSearchCV(
        MLPClassifier(
            solver="adam", hidden_layer_sizes=(4,), max_iter=5, random_state=seed
        ),
        np.logspace(-12, 12, 9),
        cv=3,
    )
    with pytest.warns(NoGoodRangeWarning):
        search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    baseline = search.baseline_scores_[0].mean()  # the dummy's 1/3, or 2/3
    assert baseline == pytest.approx([1 / 3, 2 / 3][seed], abs=0.02)
    assert (scores[:4] <= baseline + 1e-12).all()  # learnt nothing
    assert (search.diagnosis_[:4] == "too_low").all()
    assert np.isnan(search.good_range_).all()


def test_no_rate_above_the_baseline_warns_and_has_no_good_range(iris):
    X, y = iris
    search = LearningRateSearchCV(
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0),
        [1e-7, 1e-6],
        cv=3,
    )
    with pytest.warns(NoGoodRangeWarning, match="baseline"):
        search.fit(X, y)
    assert np.isnan(search.good_range_).all()
    assert "good" not in search.diagnosis_
    assert search.best_learning_rate_ in (1e-7, 1e-6)  # still GridSearchCV's best


def test_rank_puts_unusable_candidates_last_with_ties():
    means = np.array([0.5, 0.9, 0.0, np.nan, 0.9, 0.7])
    unusable = np.array([False, False, True, True, False, True])
    # usable: 0.9, 0.9 (tie, rank 1), 0.5 (3); unusable after: 0.7, 0.0, NaN
    assert _rank(means, unusable).tolist() == [3, 1, 5, 6, 1, 4]
    # without unusable candidates, GridSearchCV's ranking (NaN last)
    assert _rank(np.array([0.2, np.nan, 0.4])).tolist() == [2, 3, 1]


def test_above_baseline_is_a_paired_t_test():
    baseline = np.array([0.33, 0.33, 0.34, 0.33, 0.33])
    scores = np.array(
        [
            [0.33, 0.33, 0.34, 0.33, 0.33],  # the baseline itself
            [0.90, 0.92, 0.91, 0.90, 0.93],  # far above
            [0.30, 0.60, 0.20, 0.70, 0.35],  # above on average, not clearly
            [0.35, 0.36, 0.35, 0.36, 0.35],  # a little above, on every fold
        ]
    )
    assert _above_baseline(scores, baseline).tolist() == [False, True, False, True]
    # an unscorable baseline does not veto anything
    assert _above_baseline(scores, [np.nan] * 5).all()


def test_diagnosis_with_a_baseline():
    rates = np.array([1e-3, 1e-2, 1e-1, 1.0])
    baseline = np.full(4, 0.5)
    scores = np.array(
        [
            [0.50, 0.50, 0.50, 0.50],  # at the baseline: too slow
            [0.91, 0.90, 0.89, 0.90],  # indistinguishable
            [0.90, 0.91, 0.90, 0.90],  # best
            [0.90, 0.90, 0.89, 0.91],  # diverged on one fold below
        ]
    )
    diverged = np.zeros((4, 4), dtype=bool)
    diverged[3, 2] = True
    loss = np.stack([[np.linspace(1, 0.1, 10)] * 4] * 4)
    (low, high), diagnosis = _diagnose(rates, scores, diverged, loss, baseline=baseline)
    assert (low, high) == (1e-2, 1e-1)
    assert diagnosis.tolist() == ["too_low", "good", "good", "diverged"]


def test_auto_grid_sweeps_around_the_range_test(iris):
    X, y = iris
    pipe = make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(16,), max_iter=30, random_state=0),
    )
    auto = LearningRateSearchCV(pipe, "auto", cv=3).fit(X, y)
    center = np.log10(auto.range_test_.suggestion)
    exponents = np.log10(auto.learning_rates_)
    assert 6 <= len(exponents) <= 7
    np.testing.assert_allclose(exponents * 2, np.round(exponents * 2))  # 10**(k/2)
    assert np.all(np.abs(exponents - center) <= 1.5 + 1e-9)
    full = LearningRateSearchCV(pipe, cv=3).fit(X, y)
    # the auto grid's scores are the full grid's, rate for rate (paired design)
    shared = np.isin(
        np.round(full.learning_rates_, 12), np.round(auto.learning_rates_, 12)
    )
    np.testing.assert_allclose(
        full.cv_results_["mean_test_score"][shared],
        auto.cv_results_["mean_test_score"],
        rtol=1e-12,
    )
    assert abs(np.log10(auto.best_learning_rate_ / full.best_learning_rate_)) <= 0.5


def test_auto_grid_falls_back_to_the_default_grid(iris, monkeypatch):
    import dataclasses

    import sklr.search
    from sklr.exceptions import RangeTestWarning

    real = sklr.search._search.lr_find

    def no_answer(*args, **kwargs):
        return dataclasses.replace(real(*args, **kwargs), suggestion=np.nan)

    monkeypatch.setattr(sklr.search._search, "lr_find", no_answer)
    X, y = iris
    search = LearningRateSearchCV(
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0),
        "auto",
        cv=2,
        refit=False,
    )
    with pytest.warns(RangeTestWarning, match="default grid"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NoGoodRangeWarning)
            search.fit(X, y)
    assert len(search.learning_rates_) == 13


def test_learning_rate_curve_returns_unusable_scores_like_validation_curve(iris):
    from sklr import learning_rate_curve

    X, y = iris
    train, test = learning_rate_curve(
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0),
        X,
        y,
        [1e3, 1e4],  # both diverge
        cv=3,
    )
    assert train.shape == test.shape == (2, 3)
    assert np.isnan(test).all()


def test_best_rate_at_an_edge_of_the_grid_warns(iris):
    X, y = iris
    search = LearningRateSearchCV(
        make_pipeline(StandardScaler(), MLPClassifier(max_iter=20, random_state=0)),
        [1e-4, 1e-3, 1e-2],
        cv=3,
    )
    with pytest.warns(UserWarning, match=r"best learning rate \(0.01\) is at an edge"):
        search.fit(X, y)
    assert search.best_learning_rate_ == 0.01


def test_checkpoints_of_another_layout_are_not_reused(iris, tmp_path, monkeypatch):
    import sklr.search._checkpoint

    X, y = iris
    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0)

    def search():
        return LearningRateSearchCV(est, [0.01, 0.1], cv=2, checkpoint_dir=tmp_path)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        monkeypatch.setattr(sklr.search._checkpoint, "FORMAT", 1)
        search().fit(X, y)
        old = set(tmp_path.glob("rate-*.npz"))
        monkeypatch.setattr(sklr.search._checkpoint, "FORMAT", 2)
        search().fit(X, y)
    assert len(old) == 4 and len(set(tmp_path.glob("rate-*.npz")) - old) == 4


def test_scoring_failures_warn_once_with_refine(iris):
    X, y = iris
    search = _picky_search(refine=True, refine_points=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, y)
    failed = [w for w in caught if "Scoring failed" in str(w.message)]
    assert len(failed) == 1  # the same failure, for the grid and the refinement
    assert "no score for large rates" in str(failed[0].message)


def test_no_usable_score_with_refine_keeps_the_results_on_the_search(iris):
    X, y = iris
    search = LearningRateSearchCV(
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0),
        [1e-3, 1e-2],
        cv=2,
        scoring="f1",  # binary-only: fails on three classes
        refine=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(NoUsableScoreError):
            search.fit(X, y)
    assert len(search.cv_results_["params"]) == 2  # no refinement without a best
