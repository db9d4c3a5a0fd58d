"""Checkpoints are untrusted input: they never run code, are verified against
their task, survive concurrent writers and corruption, and are reused however the
rates were split between workers."""

import io
import json
import os
import pickle
import shutil
import warnings
import zipfile
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sklr.search._search as search_module
from sklr import LearningRateSearchCV, MLPClassifier
from sklr.search._checkpoint import callable_identity

RATES = [1e-3, 1e-2, 1e-1]


def _search(folder, **kwargs):
    est = make_pipeline(
        StandardScaler(),
        MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0),
    )
    return LearningRateSearchCV(
        est, RATES, cv=3, checkpoint_dir=folder, refit=False, **kwargs
    )


def _fit(search, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X, y)
    return [str(w.message) for w in caught]


def _count_tasks(monkeypatch):
    calls = []
    original = search_module.run_task

    def counting(*args, **kwargs):
        calls.append(len(args[1].rates))  # the number of rates of the task
        return original(*args, **kwargs)

    monkeypatch.setattr(search_module, "run_task", counting)
    return calls


def _same(a, b):
    for key in ("mean_test_score", "split0_test_score", "rank_test_score"):
        np.testing.assert_array_equal(a.cv_results_[key], b.cv_results_[key])
    np.testing.assert_array_equal(a.loss_curves_, b.loss_curves_)


def _damaged_resume(X, y, folder, damage):
    """Fit, apply ``damage`` to the first record, fit again: the first search,
    the second, the damaged record's path and the second fit's warnings."""
    first = _search(folder)
    _fit(first, X, y)
    path = sorted(folder.glob("rate-*.npz"))[0]
    damage(path)
    again = _search(folder)
    return first, again, path, _fit(again, X, y)


def _edit_record(path, meta=None, **arrays):
    """Rewrite a record with some fields of its document or arrays changed."""
    with np.load(path) as data:
        document = json.loads(str(data["meta"][()]))
        stored = {"loss": data["loss"], "held_out": data["held_out"]}
    document.update(meta or {})
    stored.update(arrays)
    np.savez(path, meta=np.array(json.dumps(document)), **stored)


class Payload:
    """A pickle that writes a marker file when it is loaded."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_malicious_files_run_no_code_and_change_no_result(iris, tmp_path):
    """Item 1 and the attack test: every file of the folder replaced by a pickle
    whose loading would create a file; resuming creates none, warns, and gives
    the results of a clean run."""
    X, y = iris
    clean = _search(tmp_path / "clean")
    _fit(clean, X, y)
    folder = tmp_path / "attacked"
    _fit(_search(folder), X, y)
    marker = tmp_path / "pwned"
    files = sorted(folder.iterdir())
    assert len(files) == 9  # one record per fold and rate
    for path in files:
        path.write_bytes(pickle.dumps(Payload(marker)))
    # also an npz whose arrays are pickled objects
    np.savez(files[0], meta=np.array([Payload(marker)], dtype=object))
    resumed = _search(folder)
    messages = _fit(resumed, X, y)
    assert not marker.exists()
    assert sum("is recomputed" in m for m in messages) == 9
    _same(resumed, clean)


def test_a_record_copied_over_another_is_detected(iris, tmp_path, monkeypatch):
    """Item 4: one fold's record over another's is not that task's record."""
    X, y = iris
    first = _search(tmp_path)
    _fit(first, X, y)
    a, b = sorted(tmp_path.glob("rate-*.npz"))[:2]
    shutil.copyfile(a, b)
    calls = _count_tasks(monkeypatch)
    again = _search(tmp_path)
    messages = _fit(again, X, y)
    assert calls == [1]  # only the overwritten record is recomputed
    assert any(b.name in m and "another task's" in m for m in messages)
    _same(again, first)


def test_a_scorer_whose_body_changed_is_not_reused(iris, tmp_path, monkeypatch):
    """Item 4: the key identifies a user's scorer by its code, not its name."""
    X, y = iris

    def make(offset):
        def score(estimator, X, y):
            return float(np.mean(estimator.predict(X) == y)) + offset

        return score

    _fit(_search(tmp_path, scoring=make(0.0)), X, y)
    calls = _count_tasks(monkeypatch)
    changed = _search(tmp_path, scoring=make(1.0))  # same name, other result
    _fit(changed, X, y)
    assert sum(calls) == 9  # every rate trained again
    assert changed.cv_results_["mean_test_score"].min() > 1.0
    same = _search(tmp_path, scoring=make(1.0))
    _fit(same, X, y)
    assert sum(calls) == 9  # and now reused


def test_callable_identity_follows_code_defaults_closures_and_callees():
    def helper(x):
        return x

    def f(x, k=1):
        return helper(x) * k

    def g(x, k=2):
        return helper(x) * k

    assert callable_identity(f) != callable_identity(g)  # defaults differ
    assert callable_identity(np.mean) == callable_identity(np.mean)
    first = callable_identity(f)

    def helper(x):  # noqa: F811 - a changed callee changes the caller's identity
        return x + 1

    def f(x, k=1):
        return helper(x) * k

    assert callable_identity(f) != first


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_reuse_does_not_depend_on_how_rates_were_split(
    iris, tmp_path, monkeypatch, n_jobs
):
    """Item 7: saved with n_jobs=2 (rates in chunks), resumed with n_jobs=1, and
    the other way round: nothing is trained again."""
    X, y = iris
    first = _search(tmp_path, n_jobs=3 - n_jobs)
    _fit(first, X, y)
    calls = _count_tasks(monkeypatch)
    again = _search(tmp_path, n_jobs=n_jobs)
    _fit(again, X, y)
    assert calls == []
    _same(again, first)


def _concurrent_fit(folder):
    X, y = load_iris(return_X_y=True)
    search = _search(folder)
    _fit(search, X, y)
    return search.cv_results_["mean_test_score"]


def test_concurrent_searches_on_one_folder(tmp_path):
    """Item 8: two processes writing the same records: no crash, same results,
    no temporary file left."""
    with ProcessPoolExecutor(2) as pool:
        results = list(pool.map(_concurrent_fit, [tmp_path] * 4))
    for r in results[1:]:
        np.testing.assert_array_equal(r, results[0])
    assert not list(tmp_path.glob(".*tmp"))
    assert len(list(tmp_path.glob("rate-*.npz"))) == 9


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b""),
        lambda p: p.write_bytes(p.read_bytes()[:50]),
        lambda p: p.write_text("not a checkpoint"),
        lambda p: np.savez(
            p, meta=np.array('{"key": 1}'), loss=np.zeros(1), held_out=np.zeros(1)
        ),
    ],
    ids=["empty", "truncated", "text", "wrong-fields"],
)
def test_a_corrupt_record_is_recomputed_with_a_warning(iris, tmp_path, damage):
    """Item 9: empty, truncated or foreign files are recomputed."""
    first, again, path, messages = _damaged_resume(*iris, tmp_path, damage)
    assert any(path.name in m and "recomputed" in m for m in messages)
    _same(again, first)


def test_a_corrupt_seed_file_is_replaced_with_a_warning(iris, tmp_path):
    X, y = iris
    est = MLPClassifier(hidden_layer_sizes=(5,), max_iter=3)  # seed: None
    (tmp_path / "seed.txt").write_text("import os")
    search = LearningRateSearchCV(est, RATES, cv=2, checkpoint_dir=tmp_path)
    messages = _fit(search, X, y)
    assert any("does not hold a seed" in m for m in messages)
    assert (tmp_path / "seed.txt").read_text().isdigit()
    assert os.path.getsize(tmp_path / "seed.txt") > 0


class _Unpicklable:
    """A scorer holding a lock: it cannot be hashed, so it cannot be identified."""

    def __init__(self):
        import threading

        self.lock = threading.Lock()

    def __call__(self, estimator, X, y):
        return float(np.mean(estimator.predict(X) == y))


def test_an_unidentifiable_scorer_disables_reuse_with_a_warning(iris, tmp_path):
    X, y = iris
    search = _search(tmp_path, scoring=_Unpicklable())
    messages = _fit(search, X, y)
    assert any("cannot be identified reliably" in m for m in messages)
    assert not list(tmp_path.glob("rate-*.npz"))


def test_the_seed_file_is_never_written_through_a_link(iris, tmp_path):
    X, y = iris
    precious = tmp_path / "config.txt"
    precious.write_text("precious")
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "seed.txt").symlink_to(precious)
    est = MLPClassifier(hidden_layer_sizes=(5,), max_iter=3)  # seed: None
    search = LearningRateSearchCV(est, RATES, cv=2, checkpoint_dir=folder)
    messages = _fit(search, X, y)
    assert precious.read_text() == "precious"
    assert any("does not hold a seed" in m for m in messages)
    assert not (folder / "seed.txt").is_symlink()


@pytest.mark.parametrize("kind", ["fifo", "folder", "symlink", "huge"])
def test_odd_files_in_place_of_a_record(iris, tmp_path, kind):
    """A pipe (once a hang), a folder (once IsADirectoryError), a link, or a small
    file declaring a huge array (once 4.9 GB of memory): recomputed or skipped
    with a warning, the same results."""

    def damage(path):
        path.unlink()
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "folder":
            path.mkdir()
        elif kind == "symlink":
            (tmp_path / "elsewhere").write_bytes(b"x")
            path.symlink_to(tmp_path / "elsewhere")
        else:
            header = np.lib.format.header_data_from_array_1_0(np.zeros(1))
            header["shape"] = (300_000_000,)
            member = io.BytesIO()
            np.lib.format.write_array_header_1_0(member, header)
            with zipfile.ZipFile(path, "w") as z:
                for name in ("meta", "loss", "held_out"):
                    z.writestr(f"{name}.npy", member.getvalue())

    first, again, path, messages = _damaged_resume(*iris, tmp_path, damage)
    assert any(path.name in m for m in messages)
    _same(again, first)


@pytest.mark.parametrize(
    "field, value",
    [
        ("test_scores", {"score": 0.5}),
        ("test_scores", 10**400),
        ("diverged_epoch", 10**30),
        ("diverged", "yes"),
    ],
)
def test_edited_fields_of_a_record_are_refused(iris, tmp_path, field, value):
    first, again, path, messages = _damaged_resume(
        *iris, tmp_path, lambda p: _edit_record(p, {field: value})
    )
    assert zipfile.is_zipfile(path)
    assert any(path.name in m and "recomputed" in m for m in messages)
    _same(again, first)


def test_a_loss_curve_longer_than_max_iter_is_refused(iris, tmp_path):
    """The record's identity is intact: only its shape gives it away."""
    *_, messages = _damaged_resume(
        *iris,
        tmp_path,
        lambda p: _edit_record(p, loss=np.zeros(5000), held_out=np.zeros(5000)),
    )
    assert any("wrong shape" in m for m in messages)


def test_a_complex_loss_curve_is_refused(iris, tmp_path):
    def complex_curves(path):
        with np.load(path) as data:
            loss = data["loss"]
        _edit_record(path, loss=loss + 1j, held_out=loss + 1j)

    *_, messages = _damaged_resume(*iris, tmp_path, complex_curves)
    assert any("not what a record holds" in m for m in messages)


def test_records_of_the_previous_format_are_recomputed_with_a_warning(
    iris, tmp_path, monkeypatch
):
    """Records another version of sklr wrote (format 4: ``test_score``, not
    this format's ``test_scores``) are never read: their tasks are trained
    again, with one warning, and the results are a fresh search's."""
    import sklr.search._checkpoint as checkpoint
    from sklr.exceptions import CheckpointWarning

    X, y = iris
    fresh = _search(None)
    _fit(fresh, X, y)
    with monkeypatch.context() as m:
        m.setattr(checkpoint, "FORMAT", checkpoint.FORMAT - 1)
        _fit(_search(tmp_path), X, y)
    assert all(
        json.loads(str(np.load(p)["meta"][()]))["format"] == checkpoint.FORMAT - 1
        for p in tmp_path.glob("rate-*.npz")
    )
    calls = _count_tasks(monkeypatch)
    again = _search(tmp_path)
    with pytest.warns(CheckpointWarning, match=r"9 record\(s\) written in another"):
        again.fit(X, y)
    assert sum(calls) == 9  # every rate of every fold trained again
    _same(again, fresh)
