"""Checkpoints of a learning-rate search: one file per (grid point, fold, rate).

Every file in a checkpoint folder is untrusted input. A record is an ``.npz``
file read with ``allow_pickle=False`` (so reading it cannot run code): two float
arrays (the training and held-out loss per epoch) and a JSON document with the
scores and the record's identity. A record is reused only when its file name
and the identity inside it both equal the key of the task being run — a hash of
everything the result depends on (format, data, estimator parameters, fold
indices, rate, scorer) — and its contents have the expected types and shapes;
anything else is recomputed, with a warning. One record per rate makes reuse
independent of how the rates were split between workers (``n_jobs``, backend).
Writes go to a unique temporary file, are flushed to disk, then renamed into
place, so concurrent searches on one folder never see a partial record.
"""

import hashlib
import json
import math
import os
import tempfile
import types
import warnings
import zipfile
from pathlib import Path

import numpy as np
from joblib import hash as joblib_hash

from ..exceptions import CheckpointWarning
from ._records import Baseline, RateRecord, TaskResult

#: Version of the layout of a record (part of every key, and kept in the record:
#: records of another format are never read, and a search says how many it
#: found).
FORMAT = 5

#: Modules whose functions are identified by name: their code does not change
#: under a running search (a user's own function is identified by its code).
_BY_NAME = ("sklearn.", "sklr.", "numpy.", "scipy.", "builtins", "functools")


class UnidentifiableError(ValueError):
    """A scorer whose computation cannot be identified reliably."""


def callable_identity(obj, _seen=None):
    """A digest of what a callable computes, not only of its name.

    Functions of a user's own modules are identified by their code (bytecode,
    constants, defaults, closure values) and, recursively, by the user functions
    they call by global name; functions of installed libraries by their
    qualified name; other objects by their type and their attributes.

    Raises
    ------
    UnidentifiableError
        When an object's attributes cannot be hashed.

    Examples
    --------
    >>> from sklr.search._checkpoint import callable_identity
    >>> def a(x):
    ...     return x + 1
    >>> def b(x):
    ...     return x + 2
    >>> callable_identity(a) == callable_identity(b)
    False
    """
    seen = set() if _seen is None else _seen
    if id(obj) in seen:
        return "cycle"
    seen.add(id(obj))
    if isinstance(obj, types.FunctionType):
        module = obj.__module__ or ""
        if module.startswith(_BY_NAME):
            return f"{module}.{obj.__qualname__}"
        return _code_identity(obj, seen)
    if isinstance(obj, types.BuiltinFunctionType | type):
        return f"{getattr(obj, '__module__', '')}.{obj.__qualname__}"
    if isinstance(obj, types.MethodType):
        return callable_identity(obj.__func__, seen) + callable_identity(
            obj.__self__, seen
        )
    if isinstance(obj, dict | list | tuple):
        items = obj.items() if isinstance(obj, dict) else enumerate(obj)
        return _digest([(repr(k), callable_identity(v, seen)) for k, v in items])
    if obj is None or isinstance(obj, str | int | float | bool | np.generic):
        return repr(obj)
    if isinstance(obj, np.ndarray) or not hasattr(obj, "__dict__"):
        return _digest(obj)
    return _object_identity(obj, seen)


def _code_identity(func, seen):
    code = func.__code__
    parts = [
        code.co_code,
        repr(code.co_names),
        [c if not isinstance(c, types.CodeType) else c.co_code for c in code.co_consts],
        [callable_identity(d, seen) for d in func.__defaults__ or ()],
        [callable_identity(c.cell_contents, seen) for c in func.__closure__ or ()],
    ]
    for name in code.co_names:  # user functions it calls by global name
        target = func.__globals__.get(name)
        if isinstance(target, types.FunctionType):
            parts.append(callable_identity(target, seen))
    return _digest(parts)


def _object_identity(obj, seen):
    cls = type(obj)
    call = cls.__dict__.get("__call__")
    parts = [f"{cls.__module__}.{cls.__qualname__}"]
    if isinstance(call, types.FunctionType) and not cls.__module__.startswith(_BY_NAME):
        parts.append(_code_identity(call, seen))
    state = vars(obj)
    parts.append({k: callable_identity(v, seen) for k, v in sorted(state.items())})
    return _digest(parts)


def _digest(value):
    try:
        return joblib_hash(value)
    except Exception as exc:  # e.g. an object that cannot be pickled
        raise UnidentifiableError(f"{type(exc).__name__}: {exc}") from None


class Store:
    """The records of one search in one folder.

    Parameters
    ----------
    folder : path
        Created if needed.
    common : str
        The part of every key shared by all tasks of the search.
    multimetric : bool or None
        Whether scores are dicts (several metrics); None when either form may
        come (a callable scorer).
    max_epochs : int
        The most epochs a record's loss curves may hold.
    """

    def __init__(self, folder, common, multimetric=False, max_epochs=10**6):
        self.folder = Path(folder)
        if self.folder.exists() and not self.folder.is_dir():
            raise ValueError(
                f"The 'checkpoint_dir' parameter must be a folder; {folder} is a file."
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        self.common = common
        self.multimetric = multimetric
        self.max_epochs = max_epochs

    def warn_foreign(self):
        """Warn once when the folder holds records of another format (written
        by another version of sklr): they are never read, and the results of
        their tasks are recomputed."""
        foreign = [p for p in self.folder.glob("rate-*.npz") if _format_of(p) != FORMAT]
        if foreign:
            warnings.warn(
                f"checkpoint_dir {self.folder} holds {len(foreign)} record(s) written "
                f"in another format than this sklr's ({FORMAT}): they are not read, "
                "and the results of their tasks are recomputed.",
                CheckpointWarning,
                stacklevel=5,
            )

    def key(self, point, fold_indices, rate):
        """The key of one (grid point, fold, rate) record."""
        train, test = fold_indices
        return hashlib.sha256(
            json.dumps(
                [
                    FORMAT,
                    self.common,
                    joblib_hash(point),
                    joblib_hash((np.asarray(train), np.asarray(test))),
                    float(rate).hex(),
                ]
            ).encode()
        ).hexdigest()[:40]

    def path(self, key):
        return self.folder / f"rate-{key}.npz"

    def load(self, key):
        """The record saved under ``key``, or None (missing, corrupt or not its
        own: then a warning says so, and the caller recomputes it).

        Only a regular file is read (not a link, pipe or device), and no array
        larger than its own bytes in the file is allocated.
        """
        path = self.path(key)
        if not (path.exists() or path.is_symlink()):
            return None
        try:
            if path.is_symlink() or not path.is_file():
                raise ValueError("not a regular file")
            arrays = _read_npz(path)
            meta = json.loads(str(arrays["meta"][()]))
            loss = np.asarray(arrays["loss"], dtype=float)
            held_out = np.asarray(arrays["held_out"], dtype=float)
            return _checked(
                meta, loss, held_out, key, self.multimetric, self.max_epochs
            )
        except Exception as exc:  # any file content: never trusted, never fatal
            warnings.warn(
                f"Checkpoint {path.name} is unreadable or not the record of its "
                f"task ({type(exc).__name__}: {exc}); it is recomputed.",
                CheckpointWarning,
                stacklevel=4,
            )
            return None

    def save(self, key, record):
        """Write ``record`` atomically under ``key`` (safe with other writers)."""
        meta = {k: v for k, v in record.items() if k not in ("loss", "held_out")}
        meta["key"], meta["format"] = key, FORMAT
        target = self.path(key)
        if target.is_symlink() or (target.exists() and not target.is_file()):
            warnings.warn(
                f"{target} is not a file sklr wrote; the record is not saved.",
                CheckpointWarning,
                stacklevel=4,
            )
            return
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".rate-", suffix=".tmp")
        try:
            os.chmod(tmp, 0o644)
            with os.fdopen(fd, "wb") as f:
                np.savez(
                    f,
                    meta=np.array(json.dumps(meta)),
                    loss=np.asarray(record["loss"], dtype=float),
                    held_out=np.asarray(record["held_out"], dtype=float),
                )
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def count(self):
        """How many records the folder holds."""
        return len(list(self.folder.glob("rate-*.npz")))


_SCALARS = {
    "diverged": bool,
    "diverged_epoch": int,
    "fit_time": float,
    "score_time": float,
}

#: The members of a record, the most bytes each may hold, and its dtype kind
#: (text for the JSON document, real floats for the loss curves).
_MEMBERS = {"meta": (1 << 20, "U"), "loss": (1 << 28, "f"), "held_out": (1 << 28, "f")}


def _read_npz(path):
    """The arrays of a record, read without pickle, each checked against the
    size it declares before it is allocated."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for name, (limit, kind) in _MEMBERS.items():
            info = archive.getinfo(f"{name}.npy")
            if info.file_size > limit:
                raise ValueError(f"member {name!r} is too large")
            with archive.open(info) as f:
                version = np.lib.format.read_magic(f)
                read = (
                    np.lib.format.read_array_header_1_0
                    if version == (1, 0)
                    else np.lib.format.read_array_header_2_0
                )
                shape, _, dtype = read(f)
                too_big = math.prod(shape) * dtype.itemsize > limit
                if dtype.kind != kind or too_big:
                    raise ValueError(f"member {name!r} is not what a record holds")
            with archive.open(info) as f:
                arrays[name] = np.lib.format.read_array(f, allow_pickle=False)
    return arrays


def _checked(meta, loss, held_out, key, multimetric, max_epochs):
    """The record, after checking every field's type, range and shape."""
    if not isinstance(meta, dict) or meta.get("key") != key:
        raise ValueError("its identity is another task's")
    if meta.get("format") != FORMAT:
        raise ValueError(f"it is not of format {FORMAT}")
    for name, kind in _SCALARS.items():
        value = meta.get(name)
        if not isinstance(value, kind) or (
            kind is not bool and isinstance(value, bool)
        ):
            raise ValueError(f"field {name!r} is not a {kind.__name__}")
    if loss.ndim != 1 or held_out.shape != loss.shape or len(loss) > max_epochs:
        raise ValueError("the loss curves have the wrong shape")
    if not 0 <= meta["diverged_epoch"] <= max_epochs:
        raise ValueError("field 'diverged_epoch' is out of range")
    _check_score(meta.get("test_scores"), multimetric, False)
    _check_score(meta.get("train_scores"), multimetric, True)
    for name in ("unscored", "messages"):
        value = meta.get(name)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"field {name!r} is not a list of text")
    for name in ("untrained", "dummy"):
        _check_score(meta.get(name), multimetric, False)
    return {**meta, "loss": loss, "held_out": held_out}


def _check_score(value, multimetric, optional):
    """A score: a number (NaN when it failed), or with several metrics a dict
    of numbers (or NaN when the whole scoring failed); ``multimetric`` None
    (a callable scorer, which may return a dict) accepts either form."""
    if value is None and optional:
        return
    form_known = multimetric is not None
    if form_known and isinstance(value, dict) != multimetric and not _is_nan(value):
        raise ValueError("a score has the wrong form")
    values = value.values() if isinstance(value, dict) else [value]
    for v in values:
        if not isinstance(v, float | int) or isinstance(v, bool):
            raise ValueError("a score is not a number")
        if not (_is_nan(v) or abs(v) <= 1e300):
            raise ValueError("a score is out of range")


def _is_nan(value):
    return isinstance(value, float) and math.isnan(value)


def _read_seed(path):
    """The seed saved in ``path``; None if there is none or it is not a seed."""
    if not (path.exists() or path.is_symlink()):
        return None
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 64:
            raise OSError("not a small regular file")
        text = path.read_text(encoding="ascii").strip()
        if text.isdigit() and int(text) < np.iinfo(np.int32).max:
            return int(text)
    except (OSError, UnicodeDecodeError):
        pass
    warnings.warn(
        f"{path} does not hold a seed; a new one is drawn, and the saved results "
        "made with the old one are not reused.",
        CheckpointWarning,
        stacklevel=5,
    )
    return None


def _format_of(path):
    """The format a record file declares (None: unreadable, or none)."""
    try:
        if path.is_symlink() or not path.is_file():
            return None
        meta = json.loads(str(_read_npz(path)["meta"][()]))
        return meta.get("format") if isinstance(meta, dict) else None
    except Exception:  # any content: never trusted, never fatal
        return None


def reuse(store, task):
    """Records of ``task``'s rates found in ``store`` (as one-rate task results),
    and the task restricted to the other rates (None if none is left)."""
    if store is None:
        return [], task
    reused, missing = [], []
    for j, (index, rate) in enumerate(zip(task.rates_index, task.rates)):
        record = store.load(store.key(task.params, (task.train, task.test), rate))
        if record is None:
            missing.append(j)
        else:
            reused.append(_from_record(record, task, int(index)))
    if not missing:
        return reused, None
    return reused, task.restricted(missing)


def save(store, task, result):
    """Save one record per rate of a finished task (not of a failed fit: a
    resumed search tries it again)."""
    if store is None or any(r.fit_error is not None for r in result.records):
        return
    for rate, record in zip(task.rates, result.records):
        store.save(
            store.key(task.params, (task.train, task.test), rate),
            {
                "test_scores": record.test_scores,
                "train_scores": record.train_scores,
                "unscored": list(record.unscored),
                "messages": list(record.messages),
                "untrained": result.baseline.untrained,
                "dummy": result.baseline.dummy,
                "loss": record.loss,
                "held_out": record.held_out,
                "diverged": bool(record.diverged),
                "diverged_epoch": int(record.diverged_epoch),
                "fit_time": float(record.fit_time),
                "score_time": float(record.score_time),
            },
        )


def _from_record(saved, task, index):
    """A saved record as the result of a one-rate task."""
    record = RateRecord(
        rate_index=index,
        test_scores=saved["test_scores"],
        train_scores=saved["train_scores"],
        unscored=tuple(saved["unscored"]),
        messages=tuple(saved["messages"]),
        loss=saved["loss"],
        held_out=saved["held_out"],
        diverged=saved["diverged"],
        diverged_epoch=saved["diverged_epoch"],
        fit_time=saved["fit_time"],
        score_time=saved["score_time"],
    )
    baseline = Baseline(saved["untrained"], saved["dummy"])
    return TaskResult(task.point, task.fold, len(task.test), (record,), baseline)
