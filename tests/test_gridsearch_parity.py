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
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier, MLPRegressor
from sklr.exceptions import NoGoodRangeWarning, TargetScaleWarning

R = [0.01, 0.1]

#: sklr's own advice, which GridSearchCV does not give (documented), and the
#: candidates' ConvergenceWarnings, which sklr records in loss_curves_ instead.
SKLR_ONLY = (NoGoodRangeWarning, TargetScaleWarning)
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
    # A diverged network scores error_score (NaN: GridSearchCV's non-finite
    # warning, not the candidate's DivergenceWarning), and is never the best:
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
