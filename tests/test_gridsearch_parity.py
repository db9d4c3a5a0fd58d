"""LearningRateSearchCV against GridSearchCV, side by side, over a matrix.

Each cell runs ``GridSearchCV(estimator, {**param_grid, "learning_rate": R})``
and ``LearningRateSearchCV(estimator, R, param_grid=...)`` on the same data and
compares everything a user can observe: the exception raised, the keys, dtypes,
masks and values of ``cv_results_`` (to 1e-10), the ``best_*`` attributes, the
attributes present, the predictions, and the warnings (category and gist). The
documented differences (``docs/sensitivity.rst``, "Differences from
GridSearchCV") are listed in ``DOCUMENTED``; every other cell must agree.
"""

import re
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier, MLPRegressor
from sklr.exceptions import (
    DivergedRatesWarning,
    EdgeOfStabilityWarning,
    NoGoodRangeWarning,
    NoUsableScoreError,
    RefitConvergenceWarning,
    TargetScaleWarning,
)

R = [0.01, 0.1]

#: sklr's own advice, which GridSearchCV does not give (documented), and the
#: candidates' ConvergenceWarnings, which sklr records in loss_curves_ instead.
SKLR_ONLY = (
    NoGoodRangeWarning,
    TargetScaleWarning,
    EdgeOfStabilityWarning,
    DivergedRatesWarning,
)
SKLR_ONLY_TEXT = ("is at an edge of the grid",)


# ----------------------------------------------------------------- scorers
def score_method(estimator, X, y):
    return estimator.score(X, y)


def two_metrics(estimator, X, y):
    s = estimator.score(X, y)
    return {"first": s, "second": -s}


def raises(estimator, X, y):
    raise RuntimeError("this scorer always fails")


def returns_nan(estimator, X, y):
    return np.nan


def weighted(estimator, X, y, sample_weight=None):
    """Accuracy or R^2 with the sample weights (it accepts them)."""
    return estimator.score(X, y, sample_weight=sample_weight)


def reads_a_column(estimator, X, y):
    """Needs the raw DataFrame and the whole Pipeline, as GridSearchCV gives."""
    return estimator.score(X, y) + 0.0 * X["a"].to_numpy().sum()


def fitted_state(estimator, X, y):
    """Reads what only a trained network has: updates, epochs, best loss."""
    mlp = estimator[-1] if isinstance(estimator, Pipeline) else estimator
    best = mlp.best_validation_score_ if mlp.early_stopping else mlp.best_loss_
    return mlp.t_ + mlp.n_iter_ + len(mlp.learning_rate_curve_) + best


class Stateless(TransformerMixin, BaseEstimator):
    """A transformer with no fitted attribute (check_is_fitted refuses it)."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        return np.asarray(X) * 2.0


def refit_last(results):
    return len(results["params"]) - 1


def refit_minus_one(results):
    return -1


def _scorings(task):
    name = "accuracy" if task == "clf" else "r2"
    other = "balanced_accuracy" if task == "clf" else "neg_mean_absolute_error"
    return {
        "default": None,
        "name": name,
        "list": [name, other],
        "callable": score_method,
        "dict-callable": two_metrics,
        "raises": raises,
        "nan": returns_nan,
        "one-of-two-raises": {"good": name, "bad": raises},
    }


def _refits(scoring):
    several = isinstance(scoring, list | dict) or scoring is two_metrics
    if isinstance(scoring, list):
        first = scoring[0]
    elif isinstance(scoring, dict):
        first = next(iter(scoring))
    else:
        first = "first"
    if several:
        return {"true": True, "false": False, "name": first, "callable": refit_last}
    return {"true": True, "false": False, "callable": refit_last}


# -------------------------------------------------------------------- data
def _data(task, n=60):
    if task == "clf":
        return make_classification(n, 4, random_state=0)
    X, y = make_regression(n, 4, noise=1.0, random_state=0)
    return X, y / y.std()


def _mlp(task, **kwargs):
    cls = MLPClassifier if task == "clf" else MLPRegressor
    return cls(hidden_layer_sizes=(8,), max_iter=5, random_state=0, **kwargs)


# ------------------------------------------------------------- comparison
def _run(make, X, y, fit_params):
    """(the fitted search or None, the exception or None, the warnings)."""
    search = make()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            search.fit(X, y, **fit_params)
            error = None
        except Exception as exc:  # compared below
            error = exc
    return search, error, caught


def _gist(message):
    """What a warning says, without its details (tracebacks, arrays, paths)."""
    text = str(message).strip()
    text = text.split("Details:")[0].split("Below are more details")[0]
    return re.sub(r"\[.*", "[...]", text, flags=re.S).strip()


def _warnings(caught, ours):
    out = set()
    for w in caught:
        if issubclass(w.category, ConvergenceWarning):
            continue  # candidate fits: recorded in loss_curves_ by sklr
        if ours and (
            issubclass(w.category, SKLR_ONLY)
            or any(t in str(w.message) for t in SKLR_ONLY_TEXT)
        ):
            continue
        out.add((w.category.__name__, _gist(w.message)))
    return out


EXTRA_KEYS = {"diagnosis", "diverged_fraction"}
ATTRIBUTES = (
    "best_index_",
    "best_score_",
    "best_params_",
    "best_estimator_",
    "refit_time_",
    "scorer_",
    "n_splits_",
    "multimetric_",
    "n_features_in_",
    "classes_",
    "feature_names_in_",
    "predict",
    "predict_proba",
)


def _same_value(a, b, key):
    if key == "params":
        return a == b
    if key.endswith(("_time",)):
        return np.shape(a) == np.shape(b)
    a_ma, b_ma = np.ma.isMaskedArray(a), np.ma.isMaskedArray(b)
    if a_ma != b_ma or np.asarray(a).dtype != np.asarray(b).dtype:
        return False
    if a_ma:
        if not np.array_equal(np.ma.getmaskarray(a), np.ma.getmaskarray(b)):
            return False
        a, b = a.compressed(), b.compressed()
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in "fc":
        return np.allclose(a, b, rtol=1e-10, atol=1e-10, equal_nan=True)
    return list(a) == list(b)


def differences(grid_run, search_run, X):
    """The names of everything observable that differs between the runs."""
    (grid, g_err, g_warn), (search, s_err, s_warn) = grid_run, search_run
    found = set()
    if (g_err is None) != (s_err is None):
        found.add(f"raises:{type(s_err or g_err).__name__}")
    elif g_err is not None:
        same_type = type(g_err) is type(s_err)
        same_text = (
            str(g_err).strip().split("\n")[0] == str(s_err).strip().split("\n")[0]
        )
        if not (same_type and same_text):
            found.add("exception")
    if _warnings(g_warn, False) != _warnings(s_warn, True):
        found.add("warnings")
    g_res = getattr(grid, "cv_results_", None)
    s_res = getattr(search, "cv_results_", None)
    if g_res is None or s_res is None:
        if (g_res is None) != (s_res is None):
            found.add("cv_results_")
        return found
    if set(g_res) != set(s_res) - EXTRA_KEYS:
        found.add("keys")
    for key in set(g_res) & set(s_res):
        if not _same_value(s_res[key], g_res[key], key):
            found.add(f"cv_results_[{key}]")
    if g_err is None and s_err is None:
        for name in ATTRIBUTES:
            if hasattr(grid, name) != hasattr(search, name):
                found.add(f"has {name}")
        for name in ("best_index_", "best_score_", "best_params_", "multimetric_"):
            if hasattr(grid, name) and hasattr(search, name):
                if not _same_value(
                    np.asarray(getattr(search, name), dtype=object),
                    np.asarray(getattr(grid, name), dtype=object),
                    "params",
                ) and getattr(search, name) != getattr(grid, name):
                    found.add(name)
        if hasattr(grid, "best_estimator_") and hasattr(search, "best_estimator_"):
            if not np.array_equal(grid.predict(X), search.predict(X)):
                found.add("predict")
    return found


def compare(
    estimator, X, y, *, param_grid=None, fit_params=None, cv=3, rates=R, **kwargs
):
    grid_params = [
        {**g, f"{_prefix(estimator)}learning_rate": rates}
        for g in (
            [{}]
            if param_grid is None
            else [param_grid]
            if isinstance(param_grid, dict)
            else param_grid
        )
    ]
    fit_params = fit_params or {}
    grid = _run(
        lambda: GridSearchCV(estimator, grid_params, cv=cv, **kwargs), X, y, fit_params
    )
    search = _run(
        lambda: LearningRateSearchCV(
            estimator, rates, param_grid=param_grid, cv=cv, **kwargs
        ),
        X,
        y,
        fit_params,
    )
    return differences(grid, search, X), grid, search


def _prefix(estimator):
    if isinstance(estimator, TransformedTargetRegressor):
        return "regressor__" + _prefix(estimator.regressor)
    if isinstance(estimator, Pipeline):
        return estimator.steps[-1][0] + "__"
    return ""


# ------------------------------------------------------------------ matrix
def _scoring_cells():
    for task in ("clf", "reg"):
        for sname, scoring in _scorings(task).items():
            for rname in _refits(scoring):
                for error_score in ("raise", np.nan, 0):
                    yield (task, sname, rname, error_score)


def _expected(task, sname, rname, error_score):
    """The documented differences of a cell (an empty set: none)."""
    if sname == "nan":  # every score is NaN: no candidate is usable
        return {"raises:NoUsableScoreError"}
    if sname == "raises" and error_score != "raise":  # nor when all fail
        return {"raises:NoUsableScoreError"}
    return set()


SCORING_CELLS = list(_scoring_cells())


@pytest.mark.parametrize(
    "task,sname,rname,error_score",
    SCORING_CELLS,
    ids=["-".join(map(str, c)) for c in SCORING_CELLS],
)
def test_scoring_matrix(task, sname, rname, error_score):
    X, y = _data(task)
    scoring = _scorings(task)[sname]
    refit = _refits(scoring)[rname]
    found, _, _ = compare(
        _mlp(task), X, y, scoring=scoring, refit=refit, error_score=error_score
    )
    assert found == _expected(task, sname, rname, error_score)


# ------------------------------------------------- estimators, data, routing
def _frame(task):
    X, y = _data(task)
    return pd.DataFrame(X, columns=list("abcd")), y


def _pipe(task, scaler=None):
    return Pipeline([("scale", scaler or StandardScaler()), ("mlp", _mlp(task))])


def _column_pipe(task):
    columns = ColumnTransformer([("num", StandardScaler(), ["a", "b", "c", "d"])])
    return Pipeline([("columns", columns), ("mlp", _mlp(task))])


def _groups():
    return np.repeat(np.arange(6), 10)


def _weights():
    return np.random.default_rng(0).uniform(0.1, 2.0, 60)


#: name -> (task, estimator, data, search settings, fit parameters)
ESTIMATOR_CELLS = {
    "pipeline": lambda t: (_pipe(t), _data(t), {}, {}),
    "pipeline-dataframe-column-scorer": lambda t: (
        _column_pipe(t),
        _frame(t),
        {"scoring": reads_a_column},
        {},
    ),
    "dataframe-feature-names": lambda t: (_column_pipe(t), _frame(t), {}, {}),
    "sample-weight-default-scorer": lambda t: (
        _mlp(t),
        _data(t),
        {},
        {"sample_weight": _weights()},
    ),
    "sample-weight-weighted-scorer": lambda t: (
        _mlp(t),
        _data(t),
        {"scoring": weighted},
        {"sample_weight": _weights()},
    ),
    "sample-weight-list-scoring": lambda t: (
        _mlp(t),
        _data(t),
        {"scoring": ["r2" if t == "reg" else "accuracy", "max_error"]}
        if t == "reg"
        else {"scoring": ["accuracy", "balanced_accuracy"], "refit": "accuracy"},
        {"sample_weight": _weights()},
    ),
    "groups": lambda t: (
        _mlp(t),
        _data(t),
        {"cv": GroupKFold(3)},
        {"groups": _groups()},
    ),
    "param-grid-estimators": lambda t: (
        _pipe(t),
        _data(t),
        {"param_grid": {"scale": [StandardScaler(), MinMaxScaler()]}},
        {},
    ),
    "param-grid-sorting-after-learning-rate": lambda t: (
        _pipe(t),
        _data(t),
        {"param_grid": {"mlp__momentum": [0.5, 0.9], "mlp__batch_size": [10, 30]}},
        {},
    ),
    "param-grid-list-of-dicts": lambda t: (
        _pipe(t),
        _data(t),
        {
            "param_grid": [
                {"mlp__batch_size": [10, 20]},
                {"mlp__momentum": [0.5], "mlp__nesterovs_momentum": [False]},
            ]
        },
        {},
    ),
    "fit-fails-for-one-value": lambda t: (
        _mlp(t),
        _data(t),
        {"param_grid": {"batch_size": [10, 0]}},
        {},
    ),
    "fit-fails-everywhere": lambda t: (
        _mlp(t, batch_size=0),
        _data(t),
        {},
        {},
    ),
    "return-train-score": lambda t: (
        _pipe(t),
        _data(t),
        {"return_train_score": True, "scoring": ["r2", "max_error"], "refit": "r2"}
        if t == "reg"
        else {"return_train_score": True},
        {},
    ),
    "transformed-target": lambda t: (
        TransformedTargetRegressor(_pipe("reg"), transformer=StandardScaler()),
        _data("reg"),
        {},
        {},
    ),
    "refit-minus-one": lambda t: (_mlp(t), _data(t), {"refit": refit_minus_one}, {}),
    "empty-cv": lambda t: (_mlp(t), _data(t), {"cv": []}, {}),
    "stateless-transformer": lambda t: (
        Pipeline([("double", Stateless()), ("mlp", _mlp(t))]),
        _data(t),
        {},
        {},
    ),
    "scorer-reads-fitted-state": lambda t: (
        _pipe(t),
        _data(t),
        {"scoring": fitted_state},
        {},
    ),
    "scorer-reads-early-stopping-state": lambda t: (
        _mlp(t, early_stopping=True, validation_fraction=0.25),
        _data(t),
        {"scoring": fitted_state},
        {},
    ),
    "pipeline-sample-weight": lambda t: (
        _pipe(t),
        _data(t),
        {},
        {"sample_weight": _weights()},
    ),
    "a-rate-diverges": lambda t: (_mlp(t), _data(t), {"rates": [0.01, 1e4]}, {}),
}

#: cells that differ from GridSearchCV, each for a documented reason
_DIVERGED_SCORES = {
    f"cv_results_[{key}]"
    for key in (
        "split0_test_score",
        "split1_test_score",
        "split2_test_score",
        "mean_test_score",
        "std_test_score",
    )
}
DOCUMENTED = {
    # GridSearchCV gives sample_weight to Pipeline.fit, which refuses it: every
    # fit fails and it raises; sklr gives it to the MLP step.
    ("pipeline-sample-weight", "clf"): {"raises:ValueError", "cv_results_"},
    ("pipeline-sample-weight", "reg"): {"raises:ValueError", "cv_results_"},
    # A diverged network scores error_score (NaN; sklr's DivergedRatesWarning
    # instead of GridSearchCV's non-finite warning), and is never the best:
    # GridSearchCV here picks the diverged rate 1e4 as the best classifier.
    ("a-rate-diverges", "reg"): _DIVERGED_SCORES | {"warnings"},
    ("a-rate-diverges", "clf"): _DIVERGED_SCORES
    | {
        "warnings",
        "cv_results_[rank_test_score]",
        "best_index_",
        "best_params_",
        "best_score_",
        "predict",
    },
}


def _cells():
    for name in ESTIMATOR_CELLS:
        for task in ("clf", "reg"):
            if name == "transformed-target" and task == "clf":
                continue
            yield name, task


@pytest.mark.parametrize("name,task", list(_cells()))
def test_estimator_matrix(name, task):
    estimator, (X, y), settings, fit_params = ESTIMATOR_CELLS[name](task)
    settings = {"error_score": np.nan, **settings}
    found, _, _ = compare(estimator, X, y, fit_params=fit_params, **settings)
    assert found == DOCUMENTED.get((name, task), set())


# ------------------------------------------- the reproductions, one by one
@pytest.fixture
def repro():
    X, y = make_classification(60, 4, random_state=0)
    mlp = MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    return X, y, mlp


def _both(estimator, X, y, grid=None, fit_params=None, **kwargs):
    """GridSearchCV and LearningRateSearchCV, fitted (warnings silenced)."""
    key = f"{_prefix(estimator)}learning_rate"
    grids = [grid or {}] if not isinstance(grid, list) else grid
    grid_params = [{**g, key: R} for g in grids]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = GridSearchCV(estimator, grid_params, cv=3, **kwargs)
        g.fit(X, y, **(fit_params or {}))
        s = LearningRateSearchCV(estimator, R, param_grid=grid, cv=3, **kwargs)
        s.fit(X, y, **(fit_params or {}))
    return g, s


def test_item_1_a_failing_scorer_gets_error_score_and_a_warning(repro):
    X, y, mlp = repro
    search = LearningRateSearchCV(mlp, R, scoring=raises, error_score=0, refit=False)
    with pytest.warns(UserWarning, match="Scoring failed.*set to 0"):
        with pytest.raises(NoUsableScoreError):  # documented: no advice
            search.fit(X, y)
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"], [0, 0])


def test_item_2_sample_weight_reaches_the_scorer(repro):
    X, y, mlp = repro
    sw = np.random.default_rng(0).uniform(0.1, 2.0, len(y))
    g, s = _both(mlp, X, y, fit_params={"sample_weight": sw})
    weighted_scores = s.cv_results_["split0_test_score"]
    np.testing.assert_array_equal(weighted_scores, g.cv_results_["split0_test_score"])
    _, unweighted = _both(mlp, X, y)
    assert not np.array_equal(
        weighted_scores, unweighted.cv_results_["split0_test_score"]
    )


def test_item_3_a_callable_scorer_gets_the_pipeline_and_the_raw_frame():
    X, y = _frame("clf")
    g, s = _both(_column_pipe("clf"), X, y, scoring=reads_a_column)
    assert np.isfinite(s.cv_results_["mean_test_score"]).all()
    np.testing.assert_array_equal(
        s.cv_results_["mean_test_score"], g.cv_results_["mean_test_score"]
    )


@pytest.mark.parametrize(
    "grid", [{"batch_size": [10, 0]}, {"activation": ["relu", "no-such"]}]
)
def test_item_4_a_failing_fit_scores_error_score_with_a_summary(repro, grid):
    X, y, mlp = repro
    search = LearningRateSearchCV(mlp, R, param_grid=grid, cv=3, error_score=-1)
    with pytest.warns(FitFailedWarning, match="6 fits failed out of a total of 12"):
        search.fit(X, y)
    failed = np.array(
        [
            p[next(iter(grid))] == grid[next(iter(grid))][1]
            for p in search.cv_results_["params"]
        ]
    )
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"][failed], -1)
    assert set(search.diagnosis_[failed]) == {"unscored"}


def test_item_5_a_callable_returning_a_dict(repro):
    X, y, mlp = repro
    g, s = _both(mlp, X, y, scoring=two_metrics, refit="first")
    assert s.multimetric_ and s.best_index_ == g.best_index_
    np.testing.assert_array_equal(
        s.cv_results_["mean_test_second"], g.cv_results_["mean_test_second"]
    )


def test_item_6_one_failing_metric_of_several_keeps_the_others(repro):
    X, y, mlp = repro
    scoring = {"good": "accuracy", "bad": raises}
    g, s = _both(mlp, X, y, scoring=scoring, refit="good", error_score=0)
    np.testing.assert_array_equal(s.cv_results_["mean_test_bad"], [0, 0])
    np.testing.assert_array_equal(
        s.cv_results_["mean_test_good"], g.cv_results_["mean_test_good"]
    )
    assert s.best_index_ == g.best_index_


def test_item_7_n_features_in(repro):
    X, y, mlp = repro
    _, s = _both(mlp, X, y)
    assert s.n_features_in_ == 4


def test_item_8_estimators_in_param_grid_are_not_fitted_in_place(repro):
    X, y, _ = repro
    scalers = [StandardScaler(), MinMaxScaler()]
    search = LearningRateSearchCV(
        _pipe("clf"), R, param_grid={"scale": scalers}, cv=3, n_jobs=None
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    assert not any(hasattr(s, "n_features_in_") for s in scalers)
    # the objects given (not fitted copies), in GridSearchCV's order
    assert [id(v) for v in search.cv_results_["param_scale"]] == [
        id(scalers[0]),
        id(scalers[1]),
        id(scalers[0]),
        id(scalers[1]),
    ]


def test_item_9_candidate_order_is_grid_search_order(repro):
    X, y, _ = repro
    g, s = _both(_pipe("clf"), X, y, grid={"mlp__momentum": [0.5, 0.9]})
    assert s.cv_results_["params"] == g.cv_results_["params"]
    assert [list(p) for p in s.cv_results_["params"]] == [
        list(p) for p in g.cv_results_["params"]
    ]
    assert s.best_index_ == g.best_index_


def test_item_10_a_callable_refit_is_checked_and_leaves_no_best_score(repro):
    X, y, mlp = repro
    with pytest.raises(IndexError, match="best_index_ index out of range"):
        LearningRateSearchCV(mlp, R, cv=3, refit=refit_minus_one).fit(X, y)
    _, s = _both(mlp, X, y, refit=refit_last)
    assert s.best_index_ == 1 and not hasattr(s, "best_score_")


def test_item_11_refit_false_has_no_predict(repro):
    X, y, mlp = repro
    _, s = _both(mlp, X, y, refit=False)
    assert not hasattr(s, "predict")
    with pytest.raises(AttributeError, match="has no attribute 'predict'") as info:
        s.predict(X)
    assert "refit=False" in str(info.value.__cause__)


def test_item_12_non_finite_scores_warn(repro):
    """Diverged rates: sklr's own warning names them, instead of scikit-learn's
    "One or more of the test scores are non-finite: [0.95 nan]" (shown once,
    not twice); a scorer that returns NaN still gets scikit-learn's."""
    X, y, mlp = repro
    search = LearningRateSearchCV(mlp, [0.01, 1e4], cv=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, y)
    texts = [str(w.message) for w in caught]
    assert not any("test scores are non-finite" in t for t in texts)
    ours = [w for w in caught if w.category is DivergedRatesWarning]
    assert len(ours) == 1
    assert str(ours[0].message).startswith(
        "1 learning rate(s) diverged on at least one fold (1e+04)"
    )

    def nan_scorer(estimator, X, y):
        return np.nan

    with pytest.warns(
        UserWarning, match="One or more of the test scores are non-finite"
    ):
        with pytest.raises(NoUsableScoreError):
            LearningRateSearchCV(mlp, [0.01, 0.1], cv=3, scoring=nan_scorer).fit(X, y)


def test_refit_convergence_warning_replaces_scikit_learns(repro):
    """The refit at the best rate stops at max_iter: one RefitConvergenceWarning
    that names the budget and the rate, not scikit-learn's bare
    ConvergenceWarning; as its subclass, a ConvergenceWarning filter hides it."""
    X, y, mlp = repro
    search = LearningRateSearchCV(mlp, R, cv=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, y)
    converged = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert [w.category for w in converged] == [RefitConvergenceWarning]
    text = str(converged[0].message)
    assert "max_iter=5" in text and f"({search.best_learning_rate_:.3g})" in text
    assert converged[0].filename == __file__
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]


def test_item_13_param_dtypes_with_sub_grids(repro):
    X, y, _ = repro
    grid = [{"mlp__batch_size": [10, 20]}, {"mlp__momentum": [0.5]}]
    g, s = _both(_pipe("clf"), X, y, grid=grid)
    for key in ("param_mlp__batch_size", "param_mlp__momentum"):
        assert s.cv_results_[key].dtype == g.cv_results_[key].dtype
    assert s.cv_results_["param_mlp__batch_size"].dtype == np.int64


def test_item_14_empty_cv_and_the_html_view(repro):
    X, y, mlp = repro
    with pytest.raises(ValueError, match="No fits were performed"):
        LearningRateSearchCV(mlp, R, cv=[]).fit(X, y)
    _, s = _both(mlp, X, y)
    assert "best_estimator_: MLPClassifier" in s._repr_html_()


# ----------------------------------------------------------------- edges
def test_every_network_diverging_keeps_the_metrics_layout(repro):
    X, y, mlp = repro
    search = LearningRateSearchCV(
        mlp,
        [1e4, 1e5],
        cv=3,
        scoring=["accuracy", "balanced_accuracy"],
        refit="accuracy",
    )
    with pytest.raises(NoUsableScoreError, match="diverged"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            search.fit(X, y)
    assert {"mean_test_accuracy", "mean_test_balanced_accuracy"} <= set(
        search.cv_results_
    )


def pipeline_only(estimator, X, y):
    """Fails on anything but a Pipeline (the dummy baseline is not one)."""
    return estimator[-1].score(estimator[:-1].transform(X), y)


def test_a_baseline_the_scorer_cannot_score_never_fails_the_search():
    X, y = _data("clf")
    scoring = {"pipe": pipeline_only, "acc": "accuracy"}  # raises with "raise"
    g, s = _both(_pipe("clf"), X, y, scoring=scoring, refit="pipe", error_score="raise")
    np.testing.assert_array_equal(
        s.cv_results_["mean_test_pipe"], g.cv_results_["mean_test_pipe"]
    )
    assert np.isfinite(s.baseline_scores_).all()  # the untrained network's


def test_a_scikit_learn_without_the_helpers_fails_clearly_at_import():
    code = (
        "import sklearn.model_selection._validation as v\n"
        "del v._warn_or_raise_about_fit_failures\n"
        "import sklr\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert out.returncode != 0
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: sklr's LearningRateSearchCV is built on")
    assert "tested with scikit-learn 1.9" in last and "pip install" in last


# -------------------------------------------------------- metadata routing
def _routed_pipe(scaler_request):
    scaler = StandardScaler()
    if scaler_request is not None:
        scaler.set_fit_request(sample_weight=scaler_request)
    mlp = _mlp("clf").set_fit_request(sample_weight=True)
    return Pipeline([("scale", scaler), ("mlp", mlp)])


@pytest.mark.parametrize("scaler_request", [False, True, None])
def test_metadata_routing_matrix(scaler_request):
    """With routing on, each step gets what it requests, the refit too; a step
    that leaves its request unset is the same error as in GridSearchCV."""
    X, y = _data("clf", n=80)
    weights = _weights() if len(y) == 60 else np.linspace(0.1, 2.0, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = sklearn.metrics.make_scorer(sklearn.metrics.accuracy_score)
        scorer.set_score_request(sample_weight=True)
        found, _, search = compare(
            _routed_pipe(scaler_request),
            X,
            y,
            scoring=scorer,
            fit_params={"sample_weight": weights},
        )
    assert found == set()
    if scaler_request is not None:
        assert search[1] is None and hasattr(search[0], "best_estimator_")
