"""report.html: one self-contained page per run of sklr sweep and sklr find."""

import base64
import contextlib
import csv
import io
import json
from html.parser import HTMLParser

import pytest
from sklearn.datasets import load_iris

from sklr._outdir import OutputError, claim, release
from sklr.cli import main

FAST = ["--epochs", "5", "--cv", "3", "--n-jobs", "1", "--hidden", "8"]
PNG = b"\x89PNG\r\n\x1a\n"
EVIL = "<script>alert(1)</script>"


class Page(HTMLParser):
    """What the tests read from a page: tags, attributes, texts by id, tables."""

    def __init__(self, text):
        super().__init__()
        self.tags, self.attrs, self.by_id = [], [], {}
        self.tables, self._open_ids, self._row, self._cell = [], [], None, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        self.attrs.append((tag, attrs))
        if "id" in attrs:
            self.by_id[attrs["id"]] = ""
            self._open_ids.append((tag, attrs["id"]))
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
            self.tables[-1].append(self._row)
        elif tag in ("td", "th"):
            self._cell = {"tag": tag, "text": "", "style": attrs.get("style", "")}
            self._row.append(self._cell)

    def handle_endtag(self, tag):
        if self._open_ids and self._open_ids[-1][0] == tag:
            self._open_ids.pop()
        if tag in ("td", "th"):
            self._cell = None

    def handle_data(self, data):
        for _, name in self._open_ids:
            self.by_id[name] += data
        if self._cell is not None:
            self._cell["text"] += data


def _run(argv):
    """Run sklr in-process; its exit status and what it printed."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = main(argv)
    return status, printed.getvalue().splitlines()


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """A sweep on iris from a file whose name and target column hold markup."""
    folder = tmp_path_factory.mktemp("report")
    X, y = load_iris(return_X_y=True)
    data = folder / "<script>alert(1).csv"  # a file name has no slash
    with open(data, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["a", "b", "c", "d", EVIL])
        writer.writerows([*row, target] for row, target in zip(X, y))
    out = folder / "out"
    argv = ["sweep", str(data), "--target", EVIL, *FAST, "--out", str(out)]
    status, lines = _run([*argv, "--lr-min", "1e-3", "--lr-max", "1"])
    assert status == 0
    return out, lines


def _read(out):
    text = (out / "report.html").read_text(encoding="utf-8")
    return text, Page(text)


def _recommendation(lines):
    """The sentence the report should say: the terminal's first answer lines."""
    first = next(i for i, line in enumerate(lines) if line.startswith("best learning"))
    answer = [lines[first]]
    if first + 1 < len(lines) and lines[first + 1].startswith("good range"):
        answer.append(lines[first + 1])
    sentence = "; ".join(answer)
    return sentence[0].upper() + sentence[1:]  # no final stop after a number


def _assert_self_contained(text, page):
    for tag, attrs in page.attrs:
        for name in ("src", "href"):
            if name in attrs:
                assert attrs[name].startswith(("data:", "#")), (tag, attrs[name])
    assert not {"script", "link", "iframe", "object", "embed"} & set(page.tags)
    lowered = text.lower()
    assert "url(" not in lowered and "@import" not in lowered
    assert "http://" not in lowered and "https://" not in lowered


def _assert_figures_embedded(out, page):
    images = [attrs["src"] for tag, attrs in page.attrs if tag == "img"]
    written = sorted(out.glob("*.png"))
    assert len(images) == len(written)
    embedded = []
    for src in images:
        head, data = src.split(",", 1)
        assert head == "data:image/png;base64"
        embedded.append(base64.b64decode(data, validate=True))
    assert all(png.startswith(PNG) for png in embedded)
    assert sorted(embedded) == sorted(p.read_bytes() for p in written)  # the bytes


def test_sweep_report_is_self_contained(sweep):
    out, _ = sweep
    text, page = _read(out)
    _assert_self_contained(text, page)
    assert "@media print" in text and "break-inside: avoid" in text


def test_sweep_report_embeds_every_figure_written(sweep):
    out, _ = sweep
    _, page = _read(out)
    _assert_figures_embedded(out, page)
    assert len(list(out.glob("*.png"))) == 2  # sensitivity, loss curves


def test_sweep_report_says_what_the_terminal_said(sweep):
    out, lines = sweep
    _, page = _read(out)
    said = _recommendation(lines)
    assert said.startswith("Best learning rate: ") and "; good range: " in said
    assert page.by_id["recommendation"] == said
    assert any(line.startswith("wrote ") and "report.html" in line for line in lines)


def test_sweep_report_table_has_one_row_per_rate(sweep):
    from matplotlib.colors import to_hex

    from sklr.plotting import DIAGNOSIS_COLORS

    out, _ = sweep
    _, page = _read(out)
    with open(out / "results.csv") as f:
        rows = list(csv.DictReader(f))
    header, *body = page.tables[0]
    assert [c["text"] for c in header] == [
        "rate",
        "accuracy (mean ± std)",
        "held-out log-loss",
        "epochs",
        "diagnosis",
    ]
    assert len(body) == len(rows) == 7
    for cells, row in zip(body, rows):
        assert cells[0]["text"] == f"{float(row['learning_rate']):.3g}"
        diagnosis = cells[-1]
        assert diagnosis["text"].removesuffix(" \u2605") == row["diagnosis"].replace(
            "_", " "
        )
        colour = to_hex(DIAGNOSIS_COLORS[row["diagnosis"]])
        assert f"background: {colour}" in diagnosis["style"]
    best = json.loads((out / "results.json").read_text())["best_index"]
    assert "★" in body[best][-1]["text"]
    assert sum("★" in cells[-1]["text"] for cells in body) == 1


def test_user_controlled_names_are_escaped(sweep):
    out, _ = sweep
    text, page = _read(out)
    assert "<script" not in text.lower()
    assert "script" not in page.tags
    assert "<title>sklr sweep: &lt;script&gt;alert(1).csv</title>" in text
    settings = {row[0]["text"]: row[1]["text"] for row in page.tables[1]}
    assert settings["target"] == EVIL  # shown as text, not markup
    versions = {row[0]["text"] for row in page.tables[2]}
    assert versions == {"sklr", "scikit-learn", "numpy", "python", "platform"}


def test_report_with_several_batch_sizes(tmp_path):
    out = tmp_path / "b"
    argv = ["sweep", "iris", *FAST, "--batch-size", "8,64", "--out", str(out)]
    status, lines = _run([*argv, "--lr-min", "1e-2", "--lr-max", "1"])
    assert status == 0
    text, page = _read(out)
    _assert_figures_embedded(out, page)
    assert len(list(out.glob("*.png"))) == 3  # with batch_size.png
    said = page.by_id["recommendation"]
    assert said == _recommendation(lines) and " with batch size " in said
    header, *body = page.tables[0]
    assert header[0]["text"] == "batch" and len(body) == 2 * 5
    assert [c[0]["text"] for c in body] == ["8"] * 5 + ["64"] * 5


def test_report_when_no_rate_has_a_score(tmp_path):
    """No figure is written (no usable rate): the page says so and embeds none."""
    out = tmp_path / "none"
    argv = ["sweep", "iris", *FAST, "--scoring", "roc_auc", "--out", str(out)]
    status, lines = _run(argv)
    assert status == 3
    text, page = _read(out)
    _assert_self_contained(text, page)
    assert "img" not in page.tags and not list(out.glob("*.png"))
    assert page.by_id["recommendation"] == (
        "Best learning rate: none (no rate has a usable score)"
    )
    assert page.by_id["recommendation"] == _recommendation(lines)
    assert len(page.tables[0]) == 1 + 13  # the header and every rate
    assert page.tables[0][0][1]["text"] == "roc_auc (mean ± std)"


def test_find_report(tmp_path):
    out = tmp_path / "f"
    argv = ["find", "iris", "--num-steps", "30", "--start-lr", "1e-4"]
    status, lines = _run([*argv, "--out", str(out)])
    assert status == 0
    text, page = _read(out)
    _assert_self_contained(text, page)
    _assert_figures_embedded(out, page)
    assert len(list(out.glob("*.png"))) == 1
    said = next(line for line in lines if line.startswith("suggested learning rate"))
    assert page.by_id["recommendation"] == said[0].upper() + said[1:]
    suggestions = json.loads((out / "lr_find.json").read_text())["suggestions"]
    rules = {row[0]["text"]: row[1]["text"] for row in page.tables[0]}
    assert rules == {
        k: "-" if v is None else f"{v:.4g}" for k, v in suggestions.items()
    }
    settings = {row[0]["text"]: row[1]["text"] for row in page.tables[1]}
    assert settings["num_steps"] == "30" and settings["start_lr"] == "0.0001"
    assert "report.html" in lines[-1]


@pytest.mark.parametrize("command", ["sweep", "find"])
def test_report_is_one_of_the_files_sklr_replaces(tmp_path, command):
    """A folder holding a report is refused without --force, and --force
    replaces it (the manifest knows the file is sklr's)."""
    out = tmp_path / "o"
    out.mkdir()
    (out / "sklr-manifest.json").write_text('{"written_by": "sklr"}\n')
    (out / "report.html").write_text("old")
    with pytest.raises(OutputError, match="report.html"):
        claim(out, command)
    try:
        claim(out, command, force=True)
    finally:
        release()
    assert not (out / "report.html").exists()
