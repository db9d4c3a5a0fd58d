"""LearningRateSearchCV: equivalence with GridSearchCV, parallel backends, diagnosis."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_digits
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier, MLPRegressor
from sklr.search import DEFAULT_LEARNING_RATES
from sklr.search._diagnosis import _diagnose, _indistinguishable

from ._helpers import RecordTasks

RATES = [1e-4, 1e-2, 1e-1, 1.0]


def _pipe(**params):
    base = dict(hidden_layer_sizes=(16,), max_iter=15, random_state=0, tol=0.0)
    return make_pipeline(StandardScaler(), MLPClassifier(**{**base, **params}))


@pytest.fixture(scope="module")
def reference(digits_600):
    X, y = digits_600
    return LearningRateSearchCV(_pipe(), RATES, cv=3).fit(X, y)


def test_equivalent_to_grid_search(digits_600, reference):
    X, y = digits_600
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grid = GridSearchCV(_pipe(), {"mlpclassifier__learning_rate": RATES}, cv=3)
        grid.fit(X, y)
    np.testing.assert_allclose(
        reference.cv_results_["mean_test_score"],
        grid.cv_results_["mean_test_score"],
        rtol=1e-10,
    )
    for k in range(3):
        key = f"split{k}_test_score"
        np.testing.assert_allclose(reference.cv_results_[key], grid.cv_results_[key])
    assert reference.best_params_ == grid.best_params_
    assert reference.best_index_ == grid.best_index_
    np.testing.assert_array_equal(
        reference.cv_results_["rank_test_score"], grid.cv_results_["rank_test_score"]
    )
    np.testing.assert_array_equal(reference.predict(X), grid.best_estimator_.predict(X))


def test_cv_results_layout_matches_grid_search(reference):
    grid_keys = {
        "mean_fit_time",
        "std_fit_time",
        "mean_score_time",
        "std_score_time",
        "param_mlpclassifier__learning_rate",
        "params",
        "split0_test_score",
        "split1_test_score",
        "split2_test_score",
        "mean_test_score",
        "std_test_score",
        "rank_test_score",
    }
    assert grid_keys <= set(reference.cv_results_)
    assert isinstance(
        reference.cv_results_["param_mlpclassifier__learning_rate"], np.ma.MaskedArray
    )
    assert reference.n_splits_ == 3
    assert (
        reference.best_learning_rate_
        == reference.best_params_["mlpclassifier__learning_rate"]
    )
    assert reference.refit_time_ > 0
    assert reference.loss_curves_.shape == (4, 3, 15)
    assert reference.validation_loss_curves_.shape == (4, 3, 15)
    assert reference.diverged_.shape == reference.diverged_epoch_.shape == (4, 3)


def _assert_same_bits(a, b):
    np.testing.assert_array_equal(
        a.cv_results_["mean_test_score"], b.cv_results_["mean_test_score"]
    )
    np.testing.assert_array_equal(a.loss_curves_, b.loss_curves_)
    np.testing.assert_array_equal(a.validation_loss_curves_, b.validation_loss_curves_)
    assert a.best_params_ == b.best_params_


def test_rate_chunks_give_the_same_bits(digits_600, reference):
    """Rates split in chunks to balance the workers give the same bits."""
    X, y = digits_600
    from sklr.search._tasks import plan

    search = LearningRateSearchCV(_pipe(), RATES, cv=3, n_jobs=4)
    tasks = plan([{}], [(0, 1)] * 3, np.array(RATES), 0, n_jobs=4, stacked=True)
    assert len(tasks) == 12  # 3 folds x 4 chunks: 3 tasks per worker
    assert [t.rates_index.tolist() for t in tasks[:4]] == [[0], [1], [2], [3]]
    search.fit(X, y)
    _assert_same_bits(search, reference)


@pytest.mark.slow
def test_u_curve_and_diagnosis_on_digits():
    """Plain SGD, fixed budget, 1e-5 .. 10: interior best, both ends worse."""
    X, y = load_digits(return_X_y=True)
    pipe = _pipe(momentum=0.0, max_iter=20, hidden_layer_sizes=(32,))
    search = LearningRateSearchCV(pipe, cv=3, n_jobs=2).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    rates = search.learning_rates_
    np.testing.assert_array_equal(rates, DEFAULT_LEARNING_RATES)
    best = search.best_index_
    assert 0 < best < len(rates) - 1
    assert scores[0] < scores[best] - 0.5  # far too slow
    assert not scores[-1] >= scores[best]  # too fast: worse, or NaN (diverged)
    assert search.diagnosis_[0] == "too_low"
    assert search.diagnosis_[-1] in ("diverged", "oscillating")
    assert search.diagnosis_[best] == "good"
    low, high = search.good_range_
    assert low <= search.best_learning_rate_ <= high
    assert search.diverged_[-1].all()
    assert np.all(search.diverged_epoch_[-1] >= 1)
    ranks = search.cv_results_["rank_test_score"]
    assert ranks[-1] == ranks.max() > ranks[~np.isnan(scores)].max()  # NaN ranks last


def test_param_grid_gives_one_u_per_batch_size(iris):
    X, y = iris
    search = LearningRateSearchCV(
        _pipe(max_iter=10),
        [1e-3, 1e-1, 1.0],
        param_grid={"mlpclassifier__batch_size": [16, 64]},
        cv=3,
    ).fit(X, y)
    r = search.cv_results_
    assert len(r["params"]) == 6
    assert r["param_mlpclassifier__batch_size"].tolist() == [16, 16, 16, 64, 64, 64]
    assert r["param_mlpclassifier__learning_rate"].tolist() == [1e-3, 0.1, 1.0] * 2
    # smaller batches take more steps per epoch: the slow rate learns more
    assert r["mean_test_score"][0] > r["mean_test_score"][3]
    assert search.loss_curves_.shape[:2] == (6, 3)


def test_stacked_task_equals_separate_estimator(digits_600):
    """A candidate's fold fit is the fit of the estimator at that rate."""
    X, y = digits_600
    search = LearningRateSearchCV(_pipe(), [1e-2, 0.3], cv=KFold(3), refit=False)
    search.fit(X, y)
    train, _ = next(KFold(3).split(X, y))
    single = clone(_pipe(learning_rate=0.3)).fit(X[train], y[train])
    curve = search.loss_curves_[1, 0]
    np.testing.assert_allclose(
        curve[~np.isnan(curve)], single[-1].loss_curve_, rtol=1e-10
    )
    assert not hasattr(search, "best_estimator_")


def test_regressor_multimetric_and_train_scores():
    X, y = load_diabetes(return_X_y=True)
    y = (y - y.mean()) / y.std()
    est = make_pipeline(
        StandardScaler(),
        MLPRegressor(hidden_layer_sizes=(8,), max_iter=20, random_state=0),
    )
    search = LearningRateSearchCV(
        est,
        [1e-3, 1e-2, 1e-1],
        scoring=["r2", "neg_mean_squared_error"],
        refit="r2",
        return_train_score=True,
        cv=3,
    ).fit(X, y)
    r = search.cv_results_
    for key in [
        "mean_test_r2",
        "rank_test_r2",
        "mean_train_neg_mean_squared_error",
        "split2_train_r2",
        "std_test_neg_mean_squared_error",
    ]:
        assert key in r
    assert search.best_index_ == int(np.argmax(r["mean_test_r2"]))
    assert search.score(X, y) == pytest.approx(
        search.scorer_["r2"](search.best_estimator_, X, y)
    )
    assert search.predict(X).shape == y.shape


def test_refit_name_must_exist_with_several_metrics(iris):
    X, y = iris
    search = LearningRateSearchCV(_pipe(), RATES, scoring=["accuracy"], refit=True)
    with pytest.raises(ValueError, match="parameter refit must be set to a scorer key"):
        search.fit(X, y)


@pytest.mark.parametrize(
    "rates, match",
    [
        ([0.1], "at least 2"),
        ([0.1, -1.0], "positive and finite"),
        ([0.1, np.inf], "positive and finite"),
        (["a", "b"], "must be numbers"),
    ],
)
def test_bad_learning_rates(iris, rates, match):
    X, y = iris
    with pytest.raises(ValueError, match=match):
        LearningRateSearchCV(_pipe(), rates).fit(*iris)


def test_bad_estimator_and_grid(iris):
    X, y = iris
    from sklearn.linear_model import LogisticRegression

    with pytest.raises(ValueError, match="LogisticRegression has no step-size"):
        LearningRateSearchCV(LogisticRegression(), RATES).fit(X, y)
    with pytest.raises(ValueError, match="no\\s+learning rate"):
        LearningRateSearchCV(MLPClassifier(solver="lbfgs"), RATES).fit(X, y)
    with pytest.raises(ValueError, match="must not contain the learning rate"):
        LearningRateSearchCV(
            MLPClassifier(), RATES, param_grid={"learning_rate": [0.1]}
        ).fit(X, y)


def test_refine_adds_rates_around_the_best(iris):
    X, y = iris
    search = LearningRateSearchCV(
        _pipe(max_iter=10), [1e-4, 1e-2, 1.0], cv=3, refine=True, refine_points=4
    ).fit(X, y)
    rates = search.learning_rates_
    assert len(rates) > 3
    extra = rates[3:]
    best = search.cv_results_["params"][
        int(np.nanargmax(search.cv_results_["mean_test_score"][:3]))
    ]["mlpclassifier__learning_rate"]
    assert np.all(np.abs(np.log10(extra) - np.log10(best)) <= 0.5 + 1e-12)
    assert len(search.cv_results_["params"]) == len(rates)


def test_random_state_none_still_pairs_the_rates(iris):
    X, y = iris
    est = make_pipeline(
        StandardScaler(), MLPClassifier(hidden_layer_sizes=(5,), max_iter=5)
    )
    search = LearningRateSearchCV(est, [1e-2, 1e-1], cv=2, n_jobs=2).fit(X, y)
    seed = search.best_estimator_[-1].random_state
    assert isinstance(seed, int | np.integer)
    assert est[-1].random_state is None  # the user's estimator is untouched


def test_good_range_rule_is_a_paired_t_test():
    scores = np.array(
        [
            [0.50, 0.52, 0.51, 0.49, 0.50],  # clearly worse
            [0.90, 0.91, 0.89, 0.90, 0.92],  # best
            [0.90, 0.90, 0.90, 0.91, 0.91],  # indistinguishable
            [0.88, 0.87, 0.86, 0.88, 0.87],  # consistently 3 points lower
            [np.nan, 0.9, 0.9, 0.9, 0.9],  # diverged on one fold
        ]
    )
    assert _indistinguishable(scores, 1).tolist() == [False, True, True, False, False]


def test_diagnosis_rules():
    rates = np.array([1e-3, 1e-2, 1e-1, 1.0, 10.0])
    scores = np.array(
        [
            [0.2, 0.2, 0.21, 0.2, 0.19],
            [0.8, 0.81, 0.8, 0.79, 0.8],
            [0.9, 0.91, 0.9, 0.92, 0.9],
            [0.7, 0.6, 0.65, 0.7, 0.6],
            [0.1, np.nan, np.nan, 0.1, np.nan],
        ]
    )
    diverged = np.isnan(scores)
    falling = [np.linspace(1, 0.1, 10)] * 5
    zigzag = [np.tile([1.0, 1.5], 5)] * 5
    loss = np.stack([falling] * 3 + [zigzag, falling])
    (low, high), diagnosis = _diagnose(rates, scores, diverged, loss)
    assert (low, high) == (0.1, 0.1)
    assert diagnosis.tolist() == [
        "too_low",
        "too_low",
        "good",
        "oscillating",
        "diverged",
    ]


def test_learning_rate_curve_matches_validation_curve(iris):
    from sklearn.model_selection import validation_curve

    from sklr import learning_rate_curve

    X, y = iris
    rates = [1e-3, 1e-1, 1e3]
    est = _pipe(max_iter=10)
    train, test = learning_rate_curve(est, X, y, rates, cv=3)
    assert train.shape == test.shape == (3, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref_train, ref_test = validation_curve(
            est,
            X,
            y,
            param_name="mlpclassifier__learning_rate",
            param_range=rates[:2],
            cv=3,
        )
    np.testing.assert_allclose(test[:2], ref_test, rtol=1e-10)
    np.testing.assert_allclose(train[:2], ref_train, rtol=1e-10)
    assert np.isnan(test[2]).all()  # 1e3 diverges: error_score, not an exception


def test_callbacks_see_folds_and_epochs(iris):
    X, y = iris
    recorder = RecordTasks()
    search = LearningRateSearchCV(_pipe(max_iter=4), [1e-2, 1e-1], cv=3)
    search.set_callbacks(recorder)
    search.fit(X, y)
    # each fold's task merges with the stacked MLP fit it runs (3), plus the refit
    assert recorder.ended.count(("MLPClassifier", "fit")) == 3 + 1
    # 4 epochs in each of the 3 stacked fits, and in the refit
    assert recorder.ended.count(("MLPClassifier", "epoch")) == 4 * 3 + 4
    assert recorder.ended[-1] == ("LearningRateSearchCV", "fit")


def test_progress_bar(iris):
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    X, y = iris
    search = LearningRateSearchCV(_pipe(max_iter=3), [1e-2, 1e-1], cv=2, n_jobs=2)
    search.set_callbacks(ProgressBar()).fit(X, y)
    assert search.best_estimator_[-1].n_iter_ == 3


def test_checkpoints_resume_without_redoing_finished_tasks(iris, tmp_path, monkeypatch):
    import sklr.search._search as search_module

    X, y = iris
    est = make_pipeline(
        StandardScaler(), MLPClassifier(hidden_layer_sizes=(5,), max_iter=5)
    )  # seed: None
    first = LearningRateSearchCV(est, [1e-2, 1e-1], cv=3, checkpoint_dir=tmp_path)
    first.fit(X, y)
    files = sorted(tmp_path.glob("rate-*.npz"))  # one record per fold and rate
    assert len(files) == 6 and (tmp_path / "seed.txt").exists()
    files[0].unlink()  # as if the search had been interrupted before this one
    calls = []
    original = search_module.run_task

    def counting(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(search_module, "run_task", counting)
    again = LearningRateSearchCV(est, [1e-2, 1e-1], cv=3, checkpoint_dir=tmp_path)
    again.fit(X, y)
    assert len(calls) == 1  # only the missing rate of one fold ran
    _assert_same_bits(again, first)
    other = LearningRateSearchCV(est, [1e-2, 0.5], cv=3, checkpoint_dir=tmp_path)
    other.fit(X, y)  # 1e-2 is reused on every fold, 0.5 is new: one task per fold
    assert len(calls) == 4


def test_results_do_not_share_memory_with_the_default_grid(iris):
    X, y = iris
    before = DEFAULT_LEARNING_RATES.copy()
    search = LearningRateSearchCV(
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0),
        cv=2,
        refit=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    search.learning_rates_[0] = 123.0
    np.testing.assert_array_equal(DEFAULT_LEARNING_RATES, before)


def test_mean_curves_carry_a_stopped_fold_and_leave_out_a_diverged_one():
    """A fold that stopped keeps its last loss (no jump as it leaves the mean);
    a fold's losses from its divergence on are left out, and a candidate that
    diverged on a minority of folds is the mean of the others."""
    from sklr.search._sweep import mean_fold_curves

    nan = np.nan
    loss = np.array(
        [
            [[4.0, 3.0, 2.0, 1.0], [4.0, 2.0, nan, nan], [4.0, 3.0, 2.0, nan]],
            [[4.0, 9e9, nan, nan], [4.0, 3.0, 2.0, 1.0], [2.0, 2.0, 2.0, 2.0]],
        ]
    )
    diverged = np.array([[False, False, False], [True, False, False]])
    diverged_epoch = np.where(diverged, 2, 0)
    means = mean_fold_curves(loss, diverged_epoch)
    np.testing.assert_allclose(means[0], [4.0, 8 / 3, 2.0, (1 + 2 + 2) / 3])
    np.testing.assert_allclose(means[1], [3.0, 2.5, 2.0, 1.5])  # folds 2 and 3
    np.testing.assert_allclose(mean_fold_curves(loss + 1, diverged_epoch), means + 1)
