"""Persistence (pickle, joblib, skops), and faults in parallel work."""

import io
import os
import pickle
import warnings

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier, MLPRegressor
from sklr.optim import Cosine, warmup
from sklr.persistence import TRUSTED_TYPES

X, Y = load_iris(return_X_y=True)
XR, YR = load_diabetes(return_X_y=True)
YR = (YR - YR.mean()) / YR.std()


def _models():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [
            MLPClassifier((5,), max_iter=10, random_state=0).fit(X, Y),
            MLPRegressor(
                (5,),
                solver="adam",
                max_iter=10,
                random_state=0,
                lr_schedule=warmup(5, Cosine(n_steps=20)),
            ).fit(XR, YR),
            MLPClassifier(
                (5,),
                max_iter=10,
                random_state=0,
                early_stopping=True,
                lr_schedule="adaptive",
            ).fit(X, Y),
            LearningRateSearchCV(
                make_pipeline(
                    StandardScaler(), MLPClassifier((4,), max_iter=5, random_state=0)
                ),
                [0.01, 0.1],
                cv=2,
            ).fit(X, Y),
        ]


def _predict(model):
    data = XR if isinstance(model, MLPRegressor) else X
    return model.predict(data)


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_round_trips_give_identical_predictions(dump):
    for model in _models():
        if dump == "pickle":
            again = pickle.loads(pickle.dumps(model))
        else:
            buffer = io.BytesIO()
            joblib.dump(model, buffer)
            buffer.seek(0)
            again = joblib.load(buffer)
        np.testing.assert_array_equal(_predict(again), _predict(model))


def test_partial_fit_continues_identically_after_a_round_trip():
    a = MLPClassifier((5,), solver="adam", random_state=0, shuffle=False)
    a.partial_fit(X, Y, classes=[0, 1, 2])
    b = pickle.loads(pickle.dumps(a))
    a.partial_fit(X, Y)
    b.partial_fit(X, Y)
    for p, q in zip(a.coefs_, b.coefs_):
        np.testing.assert_array_equal(p, q)


def test_skops_round_trip_trusts_only_documented_types():
    sio = pytest.importorskip("skops.io")
    for model in _models():
        data = sio.dumps(model)
        untrusted = sio.get_untrusted_types(data=data)
        assert set(untrusted) <= set(TRUSTED_TYPES), set(untrusted) - set(TRUSTED_TYPES)
        again = sio.loads(data, trusted=untrusted)
        np.testing.assert_array_equal(_predict(again), _predict(model))


def test_skops_refuses_untrusted_types_by_default():
    sio = pytest.importorskip("skops.io")
    data = sio.dumps(_models()[0])
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        sio.loads(data)


# ------------------------------------------------------------- parallel faults
class KillingAccuracy:
    """Accuracy that kills its worker process on the last fold (iris, KFold(3))
    while ``flag`` exists. The flag's path travels with the pickled scorer, so
    it reaches workers started before the test (loky reuses them)."""

    def __init__(self, flag):
        self.flag = str(flag)

    def __call__(self, estimator, X_test, y_test):
        if os.path.exists(self.flag) and set(np.unique(y_test)) == {2}:
            os._exit(1)
        return float(np.mean(estimator.predict(X_test) == y_test))


def test_killed_worker_is_a_clear_error_and_loses_no_finished_task(tmp_path):
    flag = tmp_path / "kill"
    flag.write_text("1")
    scorer = KillingAccuracy(flag)
    store = tmp_path / "checkpoints"
    est = MLPClassifier((4,), max_iter=5, random_state=0)

    def search():
        return LearningRateSearchCV(
            est,
            [0.01, 0.1],
            cv=KFold(3),
            scoring=scorer,
            n_jobs=2,
            checkpoint_dir=store,
        )

    from joblib.externals.loky.process_executor import TerminatedWorkerError

    with pytest.raises(TerminatedWorkerError, match="unexpectedly terminated"):
        search().fit(X, Y)
    saved = sorted(store.glob("rate-*.npz"))
    assert 1 <= len(saved) < 6  # of 3 folds x 2 rates: those done are kept
    flag.unlink()
    resumed = search().fit(X, Y)
    clean = LearningRateSearchCV(
        est, [0.01, 0.1], cv=KFold(3), scoring=scorer, n_jobs=1
    ).fit(X, Y)
    np.testing.assert_array_equal(
        resumed.cv_results_["mean_test_score"], clean.cv_results_["mean_test_score"]
    )


def _configurations():
    from sklearn.callback import ProgressBar
    from sklearn.model_selection import KFold, StratifiedKFold

    from sklr import LearningRateSearchCV

    def mlp():
        return MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0)

    with_bar = mlp()
    with_bar.set_callbacks(ProgressBar())
    return {
        "scoring=accuracy": LearningRateSearchCV(
            mlp(), [0.01, 0.1], scoring="accuracy"
        ),
        "multimetric": LearningRateSearchCV(
            mlp(), [0.01, 0.1], scoring=["accuracy", "f1_macro"], refit="f1_macro"
        ),
        "cv=KFold(3)": LearningRateSearchCV(mlp(), [0.01, 0.1], cv=KFold(3)),
        "cv=StratifiedKFold": LearningRateSearchCV(
            mlp(), [0.01, 0.1], cv=StratifiedKFold(3, shuffle=True, random_state=0)
        ),
        "ProgressBar": with_bar,
        "search with ProgressBar": LearningRateSearchCV(
            mlp(), [0.01, 0.1], cv=2
        ).set_callbacks(ProgressBar()),
    }


@pytest.mark.parametrize("name", list(_configurations()))
def test_skops_check_of_the_readme_holds(name):
    """Item 13: what a fitted search or estimator keeps is in TRUSTED_TYPES, so
    the README's check passes, and the loaded model predicts the same."""
    sio = pytest.importorskip("skops.io")
    X, y = load_iris(return_X_y=True)
    model = _configurations()[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    data = sio.dumps(model)
    unknown = sio.get_untrusted_types(data=data)
    assert set(unknown) <= set(TRUSTED_TYPES), set(unknown) - set(TRUSTED_TYPES)
    loaded = sio.loads(data, trusted=unknown)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_a_scorer_of_ones_own_is_reported():
    sio = pytest.importorskip("skops.io")
    from sklr import LearningRateSearchCV

    X, y = load_iris(return_X_y=True)
    search = LearningRateSearchCV(
        MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0),
        [0.01, 0.1],
        scoring=_my_scorer,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    unknown = set(sio.get_untrusted_types(data=sio.dumps(search)))
    assert unknown - set(TRUSTED_TYPES) == {f"{__name__}._my_scorer"}


def _my_scorer(estimator, X, y):
    return float(np.mean(estimator.predict(X) == y))


def test_every_sklr_type_a_fitted_object_may_hold_is_registered():
    """A new schedule, optimiser state or engine state must be listed in
    SKLR_TYPES (or skops reports it as untrusted); every listed name exists."""
    import importlib
    import inspect

    from sklr.optim import optimizers, schedules
    from sklr.persistence import SKLR_TYPES

    for name in SKLR_TYPES:
        module, _, cls = name.rpartition(".")
        assert inspect.isclass(getattr(importlib.import_module(module), cls)), name

    def defined(module, keep):
        return {
            f"{c.__module__}.{c.__qualname__}"
            for c in vars(module).values()
            if inspect.isclass(c) and c.__module__ == module.__name__ and keep(c)
        }

    schedule_types = defined(
        schedules,
        lambda c: issubclass(c, schedules.Schedule) and c is not schedules.Schedule,
    )
    state_types = defined(
        optimizers,
        lambda c: (
            c.__name__.endswith("State")
            or (issubclass(c, optimizers.Optimizer) and c is not optimizers.Optimizer)
        ),
    )
    assert schedule_types and state_types
    assert schedule_types | state_types <= set(SKLR_TYPES)


def test_every_schedule_name_builds_and_is_documented():
    from sklr.neural_network._multilayer_perceptron import _PARAMS_DOC
    from sklr.optim.schedules import SCHEDULE_NAMES, Schedule, get_schedule

    for name in SCHEDULE_NAMES:
        assert isinstance(get_schedule(name, n_steps=100, steps_per_epoch=5), Schedule)
        assert f'"{name}"' in _PARAMS_DOC or f"'{name}'" in _PARAMS_DOC, name
