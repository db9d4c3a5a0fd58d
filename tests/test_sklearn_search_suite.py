"""Differences found by running scikit-learn's own GridSearchCV tests
(``sklearn/model_selection/tests/test_search.py``) against LearningRateSearchCV,
one test each, and the rules of docs/design.rst that the search layer keeps."""

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier
from sklr.exceptions import BaselineWarning, NoUsableScoreError

from ._helpers import RecordTasks


@pytest.fixture(scope="module")
def data():
    return make_classification(90, 5, random_state=0)


def test_a_one_step_pipeline_is_searched_as_gridsearchcv_searches_it(data):
    """make_pipeline(MLP) has no preprocessing: every fit failed with "This
    'Pipeline' has no attribute 'fit_transform'"."""
    X, y = data
    pipe = make_pipeline(MLPClassifier(max_iter=20, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = LearningRateSearchCV(pipe, [0.01, 0.1], cv=3).fit(X, y)
        grid = GridSearchCV(pipe, {"mlpclassifier__learning_rate": [0.01, 0.1]}, cv=3)
        grid.fit(X, y)
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"], grid.cv_results_["mean_test_score"]
    )
    assert search.best_params_ == grid.best_params_


def test_a_step_set_by_param_grid_is_searched_with_it(data):
    """A Pipeline step that is None until param_grid sets it: GridSearchCV sets
    the step and its parameter together, and so does the search."""
    X, y = data
    pipe = Pipeline([("scale", StandardScaler()), ("clf", None)])
    grid = {"clf": [SGDClassifier(learning_rate="constant", random_state=0)]}
    rates = [1e-3, 1e-2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = LearningRateSearchCV(
            pipe, rates, param="clf__eta0", param_grid=grid, cv=3, scoring="accuracy"
        ).fit(X, y)
        reference = GridSearchCV(
            pipe, {**grid, "clf__eta0": rates}, cv=3, scoring="accuracy"
        ).fit(X, y)
    assert search.param_ == "clf__eta0"
    np.testing.assert_array_equal(
        search.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
    )


class _AnyTarget(ClassifierMixin, BaseEstimator):
    """A classifier with a step size that takes any target, even a 3-D one."""

    def __init__(self, step_size=0.1):
        self.step_size = step_size

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        self.coef_ = np.full(np.shape(X)[1], self.step_size)
        return self

    def predict(self, X):
        return (np.asarray(X) @ self.coef_ > 0).astype(int)

    def score(self, X, y):
        return float(self.step_size)


def test_a_baseline_that_cannot_be_fitted_is_skipped_with_a_warning(data):
    """The baseline's DummyClassifier cannot take a 3-D target: the search goes
    on without it (a BaselineWarning), it never aborts."""
    X, _ = data
    y = np.zeros((len(X), 2, 2), dtype=int)
    search = LearningRateSearchCV(
        _AnyTarget(), [0.1, 0.2], param="step_size", cv=3, refit=False
    )
    with pytest.warns(BaselineWarning, match="DummyClassifier.*could not be fitted"):
        search.fit(X, y)
    assert search.best_learning_rate_ == 0.2
    assert np.isnan(search.baseline_scores_).all()


class _RecordMergedTasks(RecordTasks):
    """Tasks as the search names them: a sub-estimator's root task (its ``fit``)
    is the search's task it was merged with, and ends as that task."""

    def on_fit_task_end(self, estimator, context):
        owner = context.source_estimator_name or context.estimator_name
        self.ended.append((owner, context.source_task_name or context.task_name))


def _task_names(search, X, y):
    recorder = _RecordMergedTasks()
    search.set_callbacks(recorder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    return [name for owner, name in recorder.ended if owner == type(search).__name__]


def test_callback_tasks_have_gridsearchcv_names_and_levels(data):
    """A search of one fit per rate has GridSearchCV's task tree: the fit, one
    "search" level, one "candidate-split-evaluation" per (candidate, split),
    the refit; the stacked search names its tasks "stacked-split-evaluation"
    (each evaluates every rate of a split at once)."""
    X, y = data
    sgd = SGDClassifier(learning_rate="constant", random_state=0)
    rates = [1e-3, 1e-2]
    grid = _task_names(GridSearchCV(sgd, {"eta0": rates}, cv=3), X, y)
    ours = _task_names(LearningRateSearchCV(sgd, rates, cv=3), X, y)
    assert sorted(ours) == sorted(grid)
    assert ours.count("candidate-split-evaluation") == 6
    assert ours.count("search") == 1 and ours[-1] == "fit"
    mlp = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    stacked = _task_names(LearningRateSearchCV(mlp, rates, cv=3), X, y)
    assert stacked.count("stacked-split-evaluation") == 3
    assert stacked.count("search") == 1
    assert stacked.count("refit-with-best-params") == 1


def test_every_candidate_diverged_is_an_error_with_several_metrics_and_no_refit(
    data,
):
    X, y = data
    mlp = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    search = LearningRateSearchCV(
        mlp, [1e4, 1e5], scoring=["accuracy", "f1"], refit=False, cv=3
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(NoUsableScoreError, match="diverged"):
            search.fit(X, y)
    assert search.diverged_.all()


def test_the_search_seed_leaves_the_global_generator_alone(data):
    """An estimator with random_state=None gets a seed the search draws from a
    generator of its own, never numpy's global one."""
    X, y = data
    mlp = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2)
    # the legacy global generator is what this test watches
    np.random.seed(0)  # noqa: NPY002
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        LearningRateSearchCV(mlp, [0.01, 0.1], cv=2, refit=False).fit(X, y)
    after = np.random.get_state()[1]  # noqa: NPY002
    np.testing.assert_array_equal(after, before)


class _ThreadCounter(SGDClassifier):
    """SGDClassifier that records how many threads its BLAS may use."""

    def fit(self, X, y, **kwargs):
        from threadpoolctl import threadpool_info

        blas = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
        self.blas_threads_ = max(blas, default=1)
        return super().fit(X, y, **kwargs)

    def score(self, X, y, sample_weight=None):  # the fit's BLAS threads, as a score
        return float(self.blas_threads_)


def test_another_estimator_is_fitted_with_one_blas_thread(data):
    X, y = data
    est = _ThreadCounter(learning_rate="constant", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = LearningRateSearchCV(est, [1e-3, 1e-2], cv=2, refit=False).fit(X, y)
    assert (search.cv_results_["mean_test_score"] == 1.0).all()
