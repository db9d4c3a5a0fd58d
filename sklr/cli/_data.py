"""Loading a data set for the command line: a bundled one, or a CSV / Parquet file.

Everything that can be wrong with a user's file is reported as a
:class:`DataError` with a one-line message (the command prints it and exits
with status 2).
"""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BUNDLED = ("digits", "iris", "wine", "breast_cancer", "diabetes")
_MISSING = {"", "na", "nan", "null", "none", "?"}
_MAX_CLASSES = 20  # integer targets with at most this many values are classes
_LARGEST = 1e150  # larger values overflow when squared (standardisation)
#: a number written with a decimal comma (and optional "." or " " thousands)
_DECIMAL_COMMA = re.compile(r"^[+-]?(\d+|\d{1,3}([. ]\d{3})+)(,\d+)?$")
#: a text column is an identifier, not a category, when more than this share
#: of its rows (and more than _ID_MIN of them) hold distinct values
_ID_SHARE, _ID_MIN = 0.5, 20
#: --impute: scikit-learn's SimpleImputer strategies for numeric columns
IMPUTE = ("mean", "median", "most_frequent")


class DataError(ValueError):
    """A problem with the input data, explained in one line."""


@dataclass(frozen=True)
class Dataset:
    """Features, target and what the command needs to know about them."""

    X: np.ndarray  # float, or object when some columns are categorical
    y: np.ndarray
    feature_names: list
    categorical: list  # indices of the categorical columns
    task: str  # "classification" or "regression"
    name: str


def load(spec, *, target=None, task="auto", drop=(), impute=None):
    """Load ``spec`` (a bundled name or a file path) as a :class:`Dataset`,
    without the columns ``drop``; with ``impute`` (one of ``IMPUTE``), missing
    feature values are allowed (the model imputes them)."""
    if spec in BUNDLED:
        for option, value in (("--target", target), ("--drop", drop or None)):
            if value is not None:
                raise DataError(
                    f"{option} applies to files, not to the bundled {spec!r}"
                )
        X, y, names = _bundled(spec)
        columns = {"X": X, "y": y}
        inferred = "regression" if spec == "diabetes" else "classification"
        return _finish(columns["X"], y, names, [], _task(task, y, inferred), spec)
    path = Path(spec)
    if not path.exists():
        raise DataError(
            f"no such file or bundled data set: {spec!r} "
            f"(bundled: {', '.join(BUNDLED)})"
        )
    if path.is_dir():
        raise DataError(f"{spec!r} is a directory, not a CSV or Parquet file")
    if not path.is_file():  # a pipe or a device would block or never end
        raise DataError(f"{spec!r} is not a regular file (a pipe or a device?)")
    header, columns = (
        _read_parquet(path) if path.suffix == ".parquet" else _read_csv(path)
    )
    header, columns = _dropped(header, columns, drop, target, path.name)
    return _from_columns(header, columns, target, task, path.name, impute)


def _dropped(header, columns, drop, target, name):
    """The header and columns without those named by --drop."""
    unknown = [c for c in drop if c not in header]
    if unknown:
        raise DataError(
            f"--drop: no column {unknown[0]!r} in {name}; the columns are: "
            f"{', '.join(header)}"
        )
    if target in drop:
        raise DataError(f"--drop: {target!r} is the target column")
    keep = [j for j, h in enumerate(header) if h not in drop]
    return [header[j] for j in keep], [columns[j] for j in keep]


def load_for(args):
    """The :class:`Dataset` the command's options name (data, --target,
    --task, --drop, --impute)."""
    return load(
        args.data,
        target=args.target,
        task=args.task,
        drop=args.drop,
        impute=args.impute,
    )


def _bundled(name):
    from sklearn import datasets

    bunch = getattr(datasets, f"load_{name}")()
    names = [
        str(n) for n in getattr(bunch, "feature_names", range(bunch.data.shape[1]))
    ]
    return bunch.data.astype(float), bunch.target, names


def _read_csv(path):
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:  # BOM or not
            text = f.read()
    except UnicodeDecodeError:
        raise DataError(
            f"cannot read {path.name}: not a UTF-8 text (CSV) file"
        ) from None
    except OSError as exc:
        raise DataError(f"cannot read {path.name}: {exc.strerror}") from None
    lines = text.splitlines()
    rows = [
        r
        for r in csv.reader(lines, delimiter=_delimiter(lines))
        if any(c.strip() for c in r)
    ]
    if len(rows) < 2:
        raise DataError(f"{path.name} is empty: it needs a header line and data rows")
    header = [h.strip() for h in rows[0]]
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DataError(
                f"{path.name}: line {line} has {len(row)} fields, the header has "
                f"{len(header)}"
            )
    columns = [[row[j].strip() for row in rows[1:]] for j in range(len(header))]
    return header, columns


def _delimiter(lines):
    """ "," unless the header has none and holds ";", tab or "|" (a file saved
    with another separator, as spreadsheets in many locales do)."""
    header = next((line for line in lines if line.strip()), "")
    if "," in header:
        return ","
    for other in (";", "\t", "|"):
        if other in header:
            return other
    return ","


def _read_parquet(path):
    try:
        import pandas as pd

        frame = pd.read_parquet(path)
    except ImportError:
        raise DataError(
            "reading Parquet needs pandas and pyarrow: pip install pandas pyarrow"
        ) from None
    except Exception as exc:  # pyarrow raises many types for a bad file
        raise DataError(f"cannot read {path.name}: {exc}") from None
    if frame.empty:
        raise DataError(f"{path.name} is empty")
    return [str(c) for c in frame.columns], [
        ["" if _is_missing(v, pd) else str(v) for v in frame[c].tolist()]
        for c in frame.columns
    ]


def _is_missing(value, pd):
    """None, NaN, pd.NA and NaT (nullable Int64 / Float64 columns hold pd.NA)."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # an array-like cell
        return False


def _parse(values):
    """Column values as floats (NaN for missing), or None if not all numeric.
    Numbers written with a decimal comma (``1,5``, ``1.234,5``: a European
    spreadsheet's CSV) are read as such when every value of the column is."""
    out = np.empty(len(values))
    for i, v in enumerate(values):
        if v.lower() in _MISSING:
            out[i] = np.nan
            continue
        try:
            out[i] = float(v)
        except ValueError:
            return _parse_decimal_comma(values)
    return out


def _parse_decimal_comma(values):
    present = [v for v in values if v.lower() not in _MISSING]
    if not present or not all(_DECIMAL_COMMA.match(v) for v in present):
        return None
    return np.array(
        [
            np.nan
            if v.lower() in _MISSING
            else float(v.replace(".", "").replace(" ", "").replace(",", "."))
            for v in values
        ]
    )


def _from_columns(header, columns, target, task, name, impute=None):
    if target is None:
        t = len(header) - 1
    elif target in header:
        t = header.index(target)
    else:
        raise DataError(
            f"no column {target!r} in {name}; the columns are: {', '.join(header)}"
        )
    if len(header) < 2:
        raise DataError(
            f"{name} has a single column: it needs features and a target, "
            "separated by commas (or by ';', tabs or '|' throughout)"
        )
    y_raw = columns[t]
    missing_y = [i + 2 for i, v in enumerate(y_raw) if v.lower() in _MISSING]
    if missing_y:
        raise DataError(
            f"the target column {header[t]!r} has {len(missing_y)} missing value(s), "
            f"first at line(s) {', '.join(map(str, missing_y[:5]))}"
        )
    y_num = _parse(y_raw)
    y = np.asarray(y_raw, dtype=object) if y_num is None else y_num
    if y_num is None and task == "regression":
        raise DataError(
            f"the target column {header[t]!r} is not numeric: it cannot be "
            "used for regression"
        )
    features = [j for j in range(len(header)) if j != t]
    parsed = {j: _parse(columns[j]) for j in features}
    categorical = [k for k, j in enumerate(features) if parsed[j] is None]
    X = np.empty((len(y), len(features)), dtype=object if categorical else float)
    for k, j in enumerate(features):
        X[:, k] = parsed[j] if parsed[j] is not None else columns[j]
    names = [header[j] for j in features]
    _check_identifiers(X, names, categorical)
    if impute is None:
        _check_missing(X, names, categorical)
    else:
        _mark_missing(X, categorical)
    _check_extreme(X, names, categorical, "features")
    if y_num is not None:
        _check_extreme(y_num[:, None], [header[t]], [], "target")
    return _finish(X, y, names, categorical, _task(task, y, None), name)


def _check_identifiers(X, names, categorical):
    """Refuse text columns with a different value in (nearly) every row: as
    categories they would add a feature per row and carry no pattern."""
    n = X.shape[0]
    distinct = {names[k]: len(set(X[:, k])) for k in categorical}
    ids = [(c, d) for c, d in distinct.items() if d > max(_ID_MIN, _ID_SHARE * n)]
    if ids:
        listed = ", ".join(f"{c!r} ({d} distinct values in {n} rows)" for c, d in ids)
        raise DataError(
            f"text column(s) with a distinct value in more than half of the rows, "
            f"like an identifier: {listed}; one-hot encoded they would add as many "
            f"features and predict nothing. Leave them out with --drop "
            f"{','.join(c for c, _ in ids)}"
        )


def _mark_missing(X, categorical):
    """Missing values as NaN in every column (the model's imputer fills them)."""
    for k in categorical:
        X[:, k] = [np.nan if str(v).lower() in _MISSING else v for v in X[:, k]]


def _check_missing(X, names, categorical):
    missing = np.zeros(X.shape, dtype=bool)
    for k in range(X.shape[1]):
        col = X[:, k]
        if k in categorical:
            missing[:, k] = [str(v).lower() in _MISSING for v in col]
        else:
            missing[:, k] = np.isnan(col.astype(float))
    if missing.any():
        rows = np.nonzero(missing)[0]
        raise DataError(
            f"the features have {missing.sum()} missing (NaN) value(s) in "
            f"{len(set(rows))} row(s): {_where(missing, names)}; fill or drop them "
            "first, or let the model impute them (--impute mean, median or "
            "most_frequent)"
        )


def _check_extreme(X, names, categorical, what):
    """Infinite values, or values too large to standardise (their squares
    overflow), with the line and column of the first ones."""
    for kind, test in (
        ("infinite value(s)", np.isinf),
        (f"value(s) too large to standardise (|x| > {_LARGEST:g})", _too_large),
    ):
        bad = np.zeros(X.shape, dtype=bool)
        for k in range(X.shape[1]):
            if k not in categorical:
                bad[:, k] = test(X[:, k].astype(float))
        if bad.any():
            raise DataError(
                f"the {what} have {bad.sum()} {kind}: {_where(bad, names)}; rescale "
                "or drop them first"
            )


def _where(mask, names):
    """The file line and column of the first three cells of ``mask``."""
    rows, cols = np.nonzero(mask)
    where = ", ".join(
        f"line {r + 2} column {names[c]!r}" for r, c in zip(rows[:3], cols[:3])
    )
    return where + (", ..." if len(rows) > 3 else "")


def _too_large(values):
    with np.errstate(invalid="ignore"):
        return np.isfinite(values) & (np.abs(values) > _LARGEST)


def _task(task, y, inferred):
    if task != "auto":
        return task
    if inferred is not None:
        return inferred
    if y.dtype == object:
        return "classification"
    integer = np.all(np.mod(y, 1) == 0)
    return (
        "classification"
        if integer and len(np.unique(y)) <= _MAX_CLASSES
        else ("regression")
    )


def _plain(value):
    """A numpy scalar as the Python value it holds (for messages)."""
    return value.item() if isinstance(value, np.generic) else value


def _finish(X, y, names, categorical, task, name):
    if task == "classification":
        classes = np.unique(y.astype(str) if y.dtype == object else y)
        if len(classes) < 2:
            raise DataError(
                f"the target has a single class ({_plain(classes[0])!r}): a classifier "
                "needs "
                "at least two"
            )
    if len(y) < 10:
        raise DataError(f"{name} has {len(y)} rows: too few to cross-validate")
    return Dataset(X, y, names, categorical, task, name)
