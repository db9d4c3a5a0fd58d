"""The CSV files people have, through the command: a European spreadsheet's
CSV, an identifier column, missing values, and sklr find beside sklr sweep."""

import json

import numpy as np
import pytest

from sklr.cli import main
from sklr.cli._data import DataError, load

FAST = ["--epochs", "5", "--cv", "3", "--n-jobs", "1", "--hidden", "8", "--quiet"]


def _houses(n=120, seed=0):
    rng = np.random.default_rng(seed)
    area = rng.uniform(40, 250, n)
    rooms = rng.integers(1, 7, n)
    town = rng.choice(["north", "south", "east"], n)
    price = 3000 * area + 15000 * rooms + rng.normal(0, 20000, n) + 50000
    return area, rooms, town, price


def _write(path, header, rows, sep=","):
    path.write_text(
        sep.join(header) + "\n" + "\n".join(sep.join(map(str, r)) for r in rows) + "\n"
    )
    return path


def test_a_european_csv_reads_its_decimal_commas_as_numbers(tmp_path):
    area, rooms, town, price = _houses()
    comma = [f"{a:.1f}".replace(".", ",") for a in area]
    big = [f"{p:,.2f}".replace(",", " ").replace(".", ",") for p in price]  # 1 234,50
    rows = zip(comma, rooms, town, big, strict=True)
    european = _write(
        tmp_path / "eu.csv", ["area", "rooms", "town", "price"], rows, ";"
    )
    data = load(str(european), target="price")
    assert data.categorical == [2]  # only the town is text
    np.testing.assert_allclose(data.X[:, 0].astype(float), np.round(area, 1))
    np.testing.assert_allclose(data.y, np.round(price, 2))
    assert data.task == "regression"
    # the same numbers written the other way give the same data
    rows = zip(np.round(area, 1), rooms, town, np.round(price, 2), strict=True)
    plain = load(
        str(_write(tmp_path / "us.csv", ["area", "rooms", "town", "price"], rows))
    )
    np.testing.assert_array_equal(
        plain.X[:, :2].astype(float), data.X[:, :2].astype(float)
    )


def test_a_column_of_mixed_numbers_and_words_stays_text(tmp_path):
    rows = [[f"{i % 5},5", "x", i] for i in range(30)] + [["n/a?", "x", 1]]
    data = load(str(_write(tmp_path / "m.csv", ["a", "b", "y"], rows, ";")))
    assert 0 in data.categorical  # "n/a?" is no number: the column is text


def test_an_identifier_column_is_refused_with_its_name_and_the_fix(tmp_path, capsys):
    area, rooms, town, price = _houses(n=200)
    ids = [f"C{i:05d}" for i in range(200)]
    rows = zip(ids, area.round(1), town, price.round(0), strict=True)
    path = _write(tmp_path / "ids.csv", ["customer", "area", "town", "price"], rows)
    with pytest.raises(
        DataError, match=r"'customer' \(200 distinct values in 200 rows\)"
    ):
        load(str(path))
    assert main(["sweep", str(path), *FAST, "--out", str(tmp_path / "o")]) == 2
    assert "--drop customer" in capsys.readouterr().err
    out = tmp_path / "dropped"
    assert (
        main(["sweep", str(path), *FAST, "--drop", "customer", "--out", str(out)]) == 0
    )
    settings = json.loads((out / "settings.json").read_text())
    assert settings["drop"] == ["customer"]
    with pytest.raises(DataError, match="--drop: no column 'client'"):
        load(str(path), drop=["client"])


def test_missing_values_are_refused_or_imputed(tmp_path, capsys):
    area, rooms, town, price = _houses(n=150, seed=1)
    cells = [
        [f"{a:.1f}", r, t, f"{p:.0f}"] for a, r, t, p in zip(area, rooms, town, price)
    ]
    cells[4][0] = ""  # a missing area
    cells[9][2] = "NA"  # a missing town
    path = _write(tmp_path / "gaps.csv", ["area", "rooms", "town", "price"], cells)
    with pytest.raises(DataError, match=r"line 6 column 'area'.*--impute"):
        load(str(path))
    out = tmp_path / "o"
    argv = ["sweep", str(path), *FAST, "--epochs", "40", "--impute", "median"]
    argv += ["--out", str(out)]
    assert main(argv) == 0
    result = json.loads((out / "results.json").read_text())
    assert (
        result["answer"] == "recommended" and result["settings"]["impute"] == "median"
    )
    data = load(str(path), impute="median")
    assert np.isnan(float(data.X[4, 0])) and np.isnan(data.X[9, 2])


def test_find_and_sweep_default_to_different_folders(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["sweep", "iris", *FAST]) == 0
    assert main(["find", "iris", "--hidden", "8", "--quiet"]) == 0
    assert (tmp_path / "sklr-results" / "results.json").exists()
    assert (tmp_path / "sklr-find" / "lr_find.json").exists()
    # and the sweep's results are still there
    assert json.loads((tmp_path / "sklr-results" / "results.json").read_text())
