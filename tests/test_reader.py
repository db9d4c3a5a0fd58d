"""The command's file reader: every problem is one line and exit 2, never a
traceback or a silently wrong data set (items 5, 6 and 11, and a fuzz test)."""

import string
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklr.cli import main
from sklr.cli._data import DataError, load

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")


def _frame(n=30):
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {"a": rng.normal(size=n), "b": rng.normal(size=n), "y": np.arange(n) % 2}
    )


@pytest.mark.parametrize("column", ["a", "y"])
@pytest.mark.parametrize("dtype", ["Int64", "Float64"])
def test_parquet_nullable_missing_values_are_missing(tmp_path, column, dtype):
    """Item 5: pd.NA once became the category (or class) "<NA>"."""
    frame = _frame()
    frame[column] = frame[column].round().astype(dtype)
    frame.loc[3, column] = pd.NA
    path = tmp_path / "d.parquet"
    frame.to_parquet(path)
    what = "target column 'y'" if column == "y" else "features have 1 missing"
    with pytest.raises(DataError, match=what):
        load(str(path))


@pytest.mark.parametrize(
    "value, message",
    [
        ("1e300", "too large to standardise"),
        ("-1e300", "too large to standardise"),
        ("inf", "infinite"),
        ("1e400", "infinite"),
    ],
)
def test_extreme_values_name_their_line_and_column(tmp_path, value, message):
    """Item 6: once "Input X contains NaN" (the scaler overflowed) with no column."""
    rows = ["a,b,y"] + [f"{i},{i % 3},{i % 2}" for i in range(20)]
    rows[5] = f"1,{value},0"  # line 6 of the file
    path = tmp_path / "d.csv"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(DataError, match=f"{message}.*line 6 column 'b'"):
        load(str(path))


def test_a_byte_order_mark_is_not_part_of_the_first_name(tmp_path):
    """Item 11: a UTF-8 BOM hid the first column's name."""
    path = tmp_path / "d.csv"
    rows = ["label,a,b"] + [f"{i % 2},{i},{i % 3}" for i in range(20)]
    path.write_bytes(("\n".join(rows) + "\n").encode("utf-8-sig"))
    data = load(str(path), target="label")
    assert data.feature_names == ["a", "b"]


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_other_separators_are_read(tmp_path, sep):
    """Item 11: a ';'-separated file once had "a single column"."""
    path = tmp_path / "d.csv"
    rows = [sep.join(["a", "b", "y"])] + [
        sep.join([f"{i}.5", str(i % 3), str(i % 2)]) for i in range(20)
    ]
    path.write_text("\n".join(rows) + "\n")
    data = load(str(path))
    assert data.X.shape == (20, 2) and data.feature_names == ["a", "b"]


def test_single_class_message_shows_the_value(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,y\n" + "".join(f"{i},0\n" for i in range(12)))
    with pytest.raises(DataError, match=r"single class \(0\.0\)"):
        load(str(path))


# ------------------------------------------------------------------ fuzz test
cells = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(
        ["", "NA", "nan", "?", "null", "x", "y", "é", "\u00a0", '"q,uoted"']
    ),
    st.text(string.ascii_letters + string.digits + " ,;\"'\t", max_size=6),
)


@st.composite
def csv_files(draw):
    n_cols = draw(st.integers(1, 4))
    names = draw(
        st.lists(
            st.text(string.ascii_letters + 'é ü_;,"', min_size=0, max_size=5),
            min_size=n_cols,
            max_size=n_cols,
        )
    )
    sep = draw(st.sampled_from([",", ";", "\t"]))
    rows = draw(
        st.lists(
            st.lists(cells, min_size=n_cols, max_size=n_cols), min_size=0, max_size=25
        )
    )
    text = "\n".join(sep.join(r) for r in [names, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8")


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(content=csv_files())
def test_fuzzed_files_load_or_raise_one_line(tmp_path, content):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    try:
        data = load(str(path))
    except DataError as exc:
        message = str(exc)
        assert message and "\n" not in message
        return
    assert len(data.y) == data.X.shape[0] >= 10
    numeric = [k for k in range(data.X.shape[1]) if k not in data.categorical]
    values = data.X[:, numeric].astype(float)
    assert np.isfinite(values).all() and (np.abs(values) <= 1e150).all()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    values=st.lists(
        st.one_of(st.none(), st.floats(allow_nan=True), st.integers(-5, 5)),
        min_size=12,
        max_size=30,
    ),
    dtype=st.sampled_from(["Int64", "Float64", "object", "string"]),
)
def test_fuzzed_parquet_load_or_raise_one_line(tmp_path, values, dtype):
    frame = pd.DataFrame({"a": values, "y": [i % 2 for i in range(len(values))]})
    try:
        frame["a"] = frame["a"].astype(dtype)
    except (TypeError, ValueError, OverflowError):
        return
    path = tmp_path / "f.parquet"
    frame.to_parquet(path)
    try:
        data = load(str(path))
    except DataError as exc:
        assert "\n" not in str(exc)
        return
    assert "<NA>" not in {str(v) for v in data.X.ravel()}


def test_the_command_never_shows_a_traceback_on_a_bad_file(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a;b;y\n" + "1;1e400;0\n" * 12)
    result = subprocess.run(
        [sys.executable, "-m", "sklr", "sweep", str(bad), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "infinite" in result.stderr
    assert main  # the in-process entry point is the same


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(content=csv_files())
def test_fuzzed_files_through_the_command(tmp_path_factory, content):
    """The whole command on fuzzed files: exit 0 (or 3, no usable rate) with the
    results written, or exit 2 with one line; never a traceback."""
    import contextlib
    import io

    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "f.csv"
    path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(
            [
                "sweep",
                str(path),
                "--out",
                str(folder / "o"),
                "--epochs",
                "1",
                "--cv",
                "2",
                "--hidden",
                "2",
                "--n-jobs",
                "1",
                "--lr-min",
                "0.01",
                "--lr-max",
                "0.1",
                "--points-per-decade",
                "1",
                "--no-plots",
                "--quiet",
            ]
        )
    if status == 2:
        lines = err.getvalue().strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("sklr: error: ")
    else:
        assert status in (0, 3) and (folder / "o" / "results.csv").exists()
