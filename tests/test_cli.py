"""The sklr command, through main(argv) and in subprocesses."""

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from sklearn.datasets import load_diabetes

from sklr import __version__
from sklr.cli import main

from ._helpers import answer_summary, interruptible_child
from ._helpers import run_sklr as _run

FAST = ["--epochs", "5", "--cv", "3", "--n-jobs", "1", "--hidden", "8", "--quiet"]


def _rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


@pytest.fixture
def regression_csv(tmp_path):
    X, y = load_diabetes(return_X_y=True)
    path = tmp_path / "diabetes.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([f"x{j}" for j in range(X.shape[1])] + ["region", "progression"])
        for i, (row, target) in enumerate(zip(X, y)):
            w.writerow([*row.round(6), ["north", "south", "east"][i % 3], target])
    return path


@pytest.mark.slow
def test_default_sweep_in_a_subprocess(tmp_path):
    out = tmp_path / "res"
    done = _run("sweep", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("sklr sweep: digits (1797 samples, 64 features")
    best = [line for line in lines if line.startswith("best learning rate:")]
    assert len(best) == 1
    assert any(line.startswith("good range:") for line in lines)
    assert any(line.startswith("best order of magnitude: 1e") for line in lines)
    rows = _rows(out / "results.csv")
    assert len(rows) == 13
    assert {r["diagnosis"] for r in rows} <= {
        "too_low",
        "good",
        "oscillating",
        "too_high",
        "diverged",
    }
    doc = json.loads((out / "results.json").read_text())
    assert doc["settings"]["seed"] == 0 and doc["versions"]["sklr"] == __version__
    assert f"{doc['best_learning_rate']:.4g}" in best[0]
    for png in ("sensitivity.png", "loss_curves.png"):
        assert (out / png).stat().st_size > 10_000


def test_best_rate_is_stable_for_a_seed(tmp_path, capsys):
    outputs = []
    for k in range(2):
        assert (
            main(
                [
                    "sweep",
                    "iris",
                    *FAST,
                    "--out",
                    str(tmp_path / str(k)),
                    "--n-jobs",
                    "2",
                ]
            )
            == 0
        )
        outputs.append(json.loads((tmp_path / str(k) / "results.json").read_text()))
    assert outputs[0]["best_learning_rate"] == outputs[1]["best_learning_rate"]
    assert outputs[0]["candidates"] == outputs[1]["candidates"]


def test_csv_regression_with_a_categorical_column(regression_csv, tmp_path, capsys):
    out = tmp_path / "r"
    status = main(
        [
            "sweep",
            str(regression_csv),
            *FAST,
            "--out",
            str(out),
            "--lr-min",
            "1e-4",
            "--lr-max",
            "1",
            "--no-plots",
        ]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "best learning rate:" in printed
    doc = json.loads((out / "results.json").read_text())
    assert doc["data"] == {
        "name": "diabetes.csv",
        "n_samples": 442,
        "n_features": 11,
        "task": "regression",
    }
    rows = _rows(out / "results.csv")
    assert [float(r["learning_rate"]) for r in rows] == pytest.approx(
        np.logspace(-4, 0, 9)
    )
    assert not (out / "sensitivity.png").exists()


def test_several_batch_sizes(tmp_path, capsys):
    out = tmp_path / "b"
    assert (
        main(
            [
                "sweep",
                "iris",
                *FAST,
                "--batch-size",
                "8,64",
                "--out",
                str(out),
                "--lr-min",
                "1e-3",
                "--lr-max",
                "1",
            ]
        )
        == 0
    )
    rows = _rows(out / "results.csv")
    assert [int(r["batch_size"]) for r in rows] == [8] * 7 + [64] * 7
    assert (out / "batch_size.png").stat().st_size > 10_000
    best = json.loads((out / "results.json").read_text())["best_params"]["batch_size"]
    printed = capsys.readouterr().out
    assert f"with batch size {best} (score" in printed  # the answer names its batch


def test_find(tmp_path, capsys):
    out = tmp_path / "f"
    assert (
        main(
            [
                "find",
                "iris",
                "--num-steps",
                "30",
                "--start-lr",
                "1e-4",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "suggested learning rate (fall):" in printed
    doc = json.loads((out / "lr_find.json").read_text())
    assert len(doc["learning_rates"]) == len(doc["losses"]) <= 30
    assert (out / "lr_find.png").exists()
    assert main(["find", "iris", "--out", str(out)]) == 2  # not overwritten


def test_version_and_help(capsys):
    # in this process: the entry point itself runs in the subprocess tests
    for args in (["--version"], ["sweep", "--help"], ["find", "--help"]):
        with pytest.raises(SystemExit) as info:
            main(args)
        assert info.value.code == 0
        text = capsys.readouterr().out
        if args == ["--version"]:
            assert text.strip() == f"sklr {__version__}"
        else:
            assert "examples:" in text and f"sklr {args[0]}" in text


@pytest.mark.slow
def test_interrupted_sweep_resumes_without_redoing_work(tmp_path):
    out = tmp_path / "i"
    args = [
        sys.executable,
        "-m",
        "sklr",
        "sweep",
        "--out",
        str(out),
        "--n-jobs",
        "1",
        "--cv",
        "3",
        "--epochs",
        "20",
        "--no-plots",
    ]
    proc = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=interruptible_child,
    )
    deadline = time.time() + 120
    while time.time() < deadline and not list((out / "checkpoints").glob("rate-*.npz")):
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err
    finished = len(list((out / "checkpoints").glob("rate-*.npz")))
    assert 1 <= finished < 39  # 3 folds x 13 rates, one record each
    assert not (out / "results.csv").exists()
    refused = _run(*args[3:])  # same command without --resume: refuses
    assert refused.returncode == 2 and "--resume" in refused.stderr
    differs = _run(*args[3:], "--resume", "--epochs", "15")
    assert differs.returncode == 2
    assert "settings differ" in differs.stderr and "epochs: 20 -> 15" in differs.stderr
    resumed = _run(*args[3:], "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming {finished} of 39 results" in resumed.stdout
    assert len(_rows(out / "results.csv")) == 13


@pytest.mark.parametrize(
    "content, args, message",
    [
        (None, ["missing.csv"], "no such file or bundled data set: 'missing.csv'"),
        ("", ["data.csv"], "data.csv is empty"),
        (b"\xff\xfe\x00binary", ["data.csv"], "not a UTF-8 text"),
        ("a,b,c\n1,2,0\n", ["data.csv", "--target", "z"], "no column 'z' in data.csv"),
        (
            "a,b\n" + "1,x\n" * 12,
            ["data.csv", "--task", "regression"],
            "is not numeric: it cannot be used for regression",
        ),
        ("a,b\n" + "1,0\n" * 12, ["data.csv"], "single class"),
        (
            "a,b,y\n" + "1,2,0\n" * 5 + "1,,1\nNaN,3,0\n" + "2,2,1\n" * 5,
            ["data.csv"],
            "2 missing (NaN) value(s) in 2 row(s): line 7 column 'b'",
        ),
        ("a,b\n1,2\n3\n", ["data.csv"], "line 3 has 1 fields, the header has 2"),
        (None, ["iris", "--epochs", "-3"], "--epochs: must be positive"),
        (None, ["iris", "--hidden", "10,x"], "--hidden: expected comma-separated"),
        (None, ["iris", "--lr-min", "1", "--lr-max", "0.1"], "--lr-max (0.1) must be"),
        (
            None,
            ["iris", "--scheduler", "tcp://127.0.0.1:9", "--epochs", "1"],
            "cannot reach the Dask scheduler at tcp://127.0.0.1:9",
        ),
        (None, ["iris", "--scoring", "nonsense", "--epochs", "1"], "nonsense"),
        (None, ["iris", "--seed", "-1"], "--seed: must be in [0, 2**32 - 1]"),
    ],
)
def test_errors_are_one_line_and_exit_2(
    tmp_path, monkeypatch, capsys, content, args, message
):
    """In-process (``main(argv)``); the subprocess test below checks one case
    end to end."""
    if content is not None:
        path = tmp_path / "data.csv"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    monkeypatch.chdir(tmp_path)
    argv = ["sweep", *args, "--out", str(tmp_path / "o"), "--n-jobs", "1", "--quiet"]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err
    assert lines[-1].startswith(("sklr: error:", "sklr sweep: error:"))
    assert message in err
    assert len(lines) == 1


def test_an_error_in_a_real_process_is_one_line_and_exit_2(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "sklr", "sweep", "missing.csv", "--out", "o"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("sklr: error: no such file or bundled data set")


def test_existing_out_is_not_overwritten_silently(tmp_path, capsys):
    out = tmp_path / "o"
    out.mkdir()
    (out / "mine.txt").write_text("precious")
    assert main(["sweep", "iris", *FAST, "--out", str(out)]) == 2
    assert "holds files sklr did not write" in capsys.readouterr().err
    # --force does not make it sklr's: refused too, nothing touched
    assert main(["sweep", "iris", *FAST, "--out", str(out), "--force"]) == 2
    assert sorted(p.name for p in out.iterdir()) == ["mine.txt"]
    assert (out / "mine.txt").read_text() == "precious"
    # sklr's own folder: refused without --force, replaced with it
    ours = tmp_path / "ours"
    assert main(["sweep", "iris", *FAST, "--out", str(ours), "--no-plots"]) == 0
    assert main(["sweep", "iris", *FAST, "--out", str(ours)]) == 2
    assert "already holds results" in capsys.readouterr().err
    assert main(["sweep", "iris", *FAST, "--out", str(ours), "--force"]) == 0


def test_parquet_input(tmp_path, capsys):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    X, y = load_diabetes(return_X_y=True)
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(10)])
    frame["target"] = y
    path = tmp_path / "d.parquet"
    frame.to_parquet(path)
    assert (
        main(
            [
                "sweep",
                str(path),
                *FAST,
                "--out",
                str(tmp_path / "p"),
                "--no-plots",
                "--lr-min",
                "1e-3",
                "--lr-max",
                "1e-1",
            ]
        )
        == 0
    )
    doc = json.loads((tmp_path / "p" / "results.json").read_text())
    assert doc["data"]["task"] == "regression" and doc["data"]["n_features"] == 10


def test_float32_option_trains_in_single_precision(tmp_path, capsys):
    import numpy as np

    from sklr.cli import build_parser
    from sklr.cli._data import load
    from sklr.cli._model import _pipeline, resolve

    argv = ["sweep", "digits", "--float32", "--hidden", "8"]
    args = resolve(build_parser().parse_args(argv))
    data = load("digits")
    pipe = _pipeline(data, args, 64).set_params(mlp__max_iter=2)
    pipe.fit(data.X, data.y)
    assert all(c.dtype == np.float32 for c in pipe[-1].coefs_)
    out = tmp_path / "f32"
    assert main(["sweep", "iris", *FAST, "--float32", "--out", str(out)]) == 0
    results = json.loads((out / "results.json").read_text())
    assert results["settings"]["float32"] is True
    # --resume refuses a run made in another precision
    assert main(["sweep", "iris", *FAST, "--out", str(out), "--resume"]) == 2
    assert "float32" in capsys.readouterr().err


# ------------------------------------------------- answers or "cannot tell"
def test_a_scorer_that_fails_everywhere_exits_3_with_the_table(tmp_path, capsys):
    """Case 1: `sklr sweep iris --scoring roc_auc` once printed a best rate."""
    out = tmp_path / "auc"
    status = main(["sweep", "iris", *FAST, "--scoring", "roc_auc", "--out", str(out)])
    assert status == 3
    captured = capsys.readouterr()
    error = captured.err.strip().splitlines()
    assert error == [
        "sklr: no usable learning rate: the scorer (roc_auc) failed on every rate; "
        "choose a --scoring that fits the task"
    ]
    assert "best learning rate: none" in captured.out
    rows = _rows(out / "results.csv")  # the per-rate table is still written
    assert len(rows) == 13
    assert {r["diagnosis"] for r in rows} <= {"unscored", "diverged"}
    doc = json.loads((out / "results.json").read_text())
    assert doc["answer"] == "none" and doc["best_learning_rate"] is None
    assert not (out / "sensitivity.png").exists()


@pytest.fixture
def big_target_csv(tmp_path):
    """y ~ 3e5 + 1e5 x: a regression target in its own units."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = 3e5 + 1e5 * X[:, 0] + 1e3 * rng.normal(size=300)
    path = tmp_path / "price.csv"
    np.savetxt(
        path, np.column_stack([X, y]), delimiter=",", header="a,b,c,price", comments=""
    )
    return path


def test_a_regression_target_is_standardised_by_default(
    big_target_csv, tmp_path, capsys
):
    """Case 2: every rate diverged on a target in its own units."""
    args = [
        "sweep",
        str(big_target_csv),
        "--epochs",
        "20",
        "--cv",
        "3",
        "--hidden",
        "8",
        "--n-jobs",
        "1",
        "--no-plots",
    ]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    printed = capsys.readouterr().out
    assert "target is standardised" in printed
    doc = json.loads((tmp_path / "a" / "results.json").read_text())
    assert doc["answer"] == "recommended" and doc["target_standardised"]
    assert doc["best_score"] > 0.9  # R^2, in the target's own units
    # without it, nothing is usable: exit 3, one line, the table still written
    status = main([*args, "--no-scale-target", "--out", str(tmp_path / "b")])
    assert status == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "every rate diverged" in err[0]
    assert "--no-scale-target" in err[0]
    assert len(_rows(tmp_path / "b" / "results.csv")) == 13


def test_auto_grid(tmp_path, capsys):
    out = tmp_path / "auto"
    assert (
        main(["sweep", "iris", *FAST, "--auto-grid", "--out", str(out), "--no-plots"])
        == 0
    )
    doc = json.loads((out / "results.json").read_text())
    rates = [r["learning_rate"] for r in doc["candidates"]]
    assert 6 <= len(rates) <= 7
    np.testing.assert_allclose(np.diff(np.log10(rates)), 0.5)
    assert doc["settings"]["learning_rates"] == "auto"


def test_find_reports_epochs_and_warnings(tmp_path, capsys):
    out = tmp_path / "f"
    status = main(
        [
            "find",
            "digits",
            "--end-lr",
            "1e-4",
            "--quiet",
            "--out",
            str(out),
            "--no-plots",
        ]
    )
    assert status == 3  # the curve has no answer for the default rule
    captured = capsys.readouterr()
    assert "suggested learning rate (fall): none" in captured.out
    assert "note: the range test's curve has no answer for rule 'fall'" in captured.err
    doc = json.loads((out / "lr_find.json").read_text())
    assert doc["suggestion"] is None and doc["rule"] == "fall"
    assert doc["n_epochs"] == pytest.approx(100 / 9)
    assert set(doc["suggestions"]) == {"fall", "valley", "steepest", "minimum"}
    assert any("no answer" in w for w in doc["warnings"])


def test_unknown_scoring_is_one_line_before_any_work(tmp_path, capsys):
    out = tmp_path / "s"
    assert main(["sweep", "iris", *FAST, "--scoring", "foo", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert (
        len(lines) == 1 and "--scoring 'foo' is not a scikit-learn scorer" in lines[0]
    )
    assert len(lines[0]) < 250
    assert not out.exists()


@pytest.mark.parametrize("command", ["sweep", "find"])
def test_ctrl_c_advises_resume_only_where_it_exists(
    command, tmp_path, monkeypatch, capsys
):
    import sklr.cli

    def interrupted(args):
        raise KeyboardInterrupt

    import sklr.cli._args

    monkeypatch.setattr(sklr.cli._args, f"run_{command}", interrupted)
    code = sklr.cli.main([command, "iris", "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 130 and err.startswith("sklr: interrupted")
    assert ("--resume" in err) == (command == "sweep")


def test_every_option_says_what_it_does_and_its_default(capsys):
    """Issue 16: --lr-min, --lr-max, --points-per-decade, --start-lr, --end-lr,
    --num-steps, --activation and --solver had no help text."""
    from sklr.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices
    for command, parser_ in sub.items():
        for action in parser_._actions:
            if action.option_strings and action.dest not in ("help", "version"):
                assert action.help, (command, action.option_strings)
                if action.default not in (None, False) and action.nargs != "?":
                    assert "default" in action.help, (command, action.option_strings)


@pytest.mark.parametrize("hidden", ["64,,32", ",64", "64,"])
def test_hidden_with_an_empty_size_is_an_error(hidden, tmp_path, capsys):
    try:
        code = main(["sweep", "iris", "--hidden", hidden, "--out", str(tmp_path)])
    except SystemExit as exc:
        code = exc.code
    assert code == 2
    assert "--hidden" in capsys.readouterr().err


def test_find_says_the_range_it_ramps_over(tmp_path, capsys):
    main(["find", "iris", "--num-steps", "30", "--end-lr", "1", "--out", str(tmp_path)])
    first = capsys.readouterr().out.splitlines()[0]
    assert "from 1e-07 to 1" in first


def test_rates_print_as_people_type_them(tmp_path):
    from sklr.cli import build_parser
    from sklr.cli._model import resolve
    from sklr.cli._sweep import _rates

    rates = _rates(resolve(build_parser().parse_args(["sweep"])))
    assert rates[0] == 1e-5 and repr(float(rates[0])) == "1e-05"
    exact = np.logspace(-5, 1, 13)
    assert (np.abs(rates - exact) <= 4 * np.spacing(exact)).all()  # at most 4 ulp


def test_the_closing_line_names_every_file_written(tmp_path, capsys):
    out = tmp_path / "o"
    args = ["sweep", "iris", "--epochs", "3", "--cv", "2", "--n-jobs", "1"]
    assert main([*args, "--hidden", "4", "--out", str(out)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    # besides sklr's bookkeeping (the manifest, the hidden lock file)
    written = {p.name for p in out.iterdir() if not p.name.startswith(".")} - {
        "sklr-manifest.json"
    }
    for name in written:
        assert name.rstrip("/") in last, (name, last)


# --------------------------------------------------- what the user reads (16)
def test_columns_name_the_metric_and_the_held_out_loss(tmp_path, capsys):
    out = tmp_path / "c"
    argv = ["sweep", "iris", *FAST[:-1], "--out", str(out), "--no-plots"]
    assert main([*argv, "--lr-min", "1e-2", "--lr-max", "1"]) == 0
    header = capsys.readouterr().out.splitlines()[1].split()
    assert header == [
        "rate", "accuracy", "(mean", "±", "std)", "held-out", "log-loss", "epochs",
        "diagnosis",
    ]  # fmt: skip
    with open(out / "results.csv") as f:
        names = next(csv.reader(f))
    assert names == [
        "learning_rate",
        "mean_test_accuracy",
        "std_test_accuracy",
        "mean_final_held_out_log_loss",
        "mean_epochs_run",
        "diverged_fraction",
        "diagnosis",
        "rank_test_accuracy",
    ]
    doc = json.loads((out / "results.json").read_text())
    assert list(doc["candidates"][0]) == names
    assert doc["scoring"] == "accuracy" and doc["held_out_loss"] == "log_loss"
    assert "platform" in doc["versions"]
    # a regressor, and a scorer given by name
    reg = tmp_path / "r"
    argv = ["sweep", "diabetes", *FAST, "--out", str(reg), "--no-plots"]
    assert main([*argv, "--lr-min", "1e-2", "--lr-max", "1e-1"]) == 0
    row = json.loads((reg / "results.json").read_text())["candidates"][0]
    assert {"mean_test_r2", "mean_final_held_out_half_mse"} <= set(row)
    f1 = tmp_path / "f1"
    argv = ["sweep", "iris", *FAST[:-1], "--scoring", "f1_macro", "--out", str(f1)]
    assert main([*argv, "--no-plots", "--lr-min", "1e-2", "--lr-max", "1e-1"]) == 0
    printed = capsys.readouterr().out
    assert "f1_macro (mean ± std)" in printed
    assert "mean_test_f1_macro" in (f1 / "results.csv").read_text()


def test_results_json_keeps_the_held_out_loss_curves(tmp_path, capsys):
    out = tmp_path / "h"
    argv = ["--out", str(out), "--no-plots", "--lr-min", "1e-3", "--lr-max", "1e3"]
    assert main(["sweep", "iris", *FAST, *argv]) == 0
    doc = json.loads((out / "results.json").read_text())
    train, held = doc["mean_train_loss_curves"], doc["mean_held_out_loss_curves"]
    assert len(train) == len(held) == len(doc["candidates"]) == 13
    for row, curve, train_curve in zip(doc["candidates"], held, train):
        assert len(curve) == len(train_curve) == 5  # one value per epoch
        if row["diagnosis"] != "diverged":
            assert all(isinstance(v, float) for v in curve)
            # every fold ran the 5 epochs: the final loss is the curve's last
            assert row["mean_epochs_run"] == 5
            assert curve[-1] == pytest.approx(
                row["mean_final_held_out_log_loss"], rel=1e-12
            )
    diverged = [c for r, c in zip(doc["candidates"], held) if r["mean_epochs_run"] < 5]
    assert diverged and all(c[-1] is None for c in diverged)  # epochs not run
    rates = [r["learning_rate"] for r in doc["candidates"]]
    assert rates == doc["settings"]["learning_rates"]  # full precision
    from sklr.cli import build_parser
    from sklr.cli._model import resolve
    from sklr.cli._sweep import _rates

    grid = _rates(resolve(build_parser().parse_args(["sweep", *argv[-4:]])))
    assert rates == grid.tolist()  # the very floats the search used


class _Screen:
    """A tiny terminal: what rich's output leaves on the screen (text, cursor
    moves up, line erasure, carriage return and newline)."""

    CSI = __import__("re").compile(r"\x1b\[([?0-9;]*)([A-Za-z])")

    def __init__(self, text):
        self.lines, self.row, self.col = [""], 0, 0
        i = 0
        while i < len(text):
            match = self.CSI.match(text, i)
            if match:
                self._control(*match.groups())
                i = match.end()
            else:
                self._char(text[i])
                i += 1

    def _control(self, arg, op):
        n = int(arg) if arg.isdigit() else 1
        if op == "A":
            self.row = max(0, self.row - n)
        elif op == "K":
            self.lines[self.row] = (
                "" if arg == "2" else self.lines[self.row][: self.col]
            )

    def _char(self, ch):
        if ch == "\r":
            self.col = 0
        elif ch == "\n":
            self.row += 1
            self.col = 0
        else:
            line = self.lines[self.row].ljust(self.col)
            self.lines[self.row] = line[: self.col] + ch + line[self.col + 1 :]
            self.col += 1
        self.lines += [""] * (self.row + 1 - len(self.lines))

    def text(self):
        return [line.rstrip() for line in self.lines if line.strip()]


def test_progress_is_one_bar_and_the_running_tasks_then_nothing(
    tmp_path, monkeypatch, capsys
):
    """Across loky workers: every task reports its begin, epochs and end to the
    parent; finished tasks leave the display, which is gone at the end."""
    from rich.console import Console

    import sklr.cli._sweep as sweep

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)
    shown = []
    original = sweep._progress

    def progress(search, args):
        shown.append(original(search, args, console))
        shown[-1].auto_refresh = False  # a frame per message: deterministic
        return shown[-1]

    monkeypatch.setattr(sweep, "_progress", progress)
    argv = ["sweep", "iris", *FAST[:-1], "--n-jobs", "2", "--out", str(tmp_path)]
    assert main([*argv, "--lr-min", "1e-3", "--lr-max", "1"]) == 0
    assert "best learning rate" in capsys.readouterr().out
    (display,) = shown[0].displays
    total = 3 * 2  # 3 folds, the rates in 2 chunks (n_jobs=2)
    overall = display.progress.tasks[0]
    assert (overall.completed, overall.total) == (total, total)
    assert display.done == set(range(total)) and not display.running
    assert [t.description for t in display.progress.tasks] == ["sweep"]
    frames = screen.getvalue()
    assert "  task 1 " in frames and "5/5 epochs" in frames  # epochs reached
    assert f"{total}/{total} tasks" in frames
    assert _Screen(frames).text() == []  # transient: nothing stays on screen
    # mid-run, a frame showed the overall bar first and only running tasks
    mid = _Screen(frames[: frames.index(f"{total // 2}/{total} tasks")]).text()
    assert mid[0].startswith("sweep") and all("task" in line for line in mid[1:])


def test_no_progress_when_quiet_or_not_a_terminal(tmp_path, capsys):
    from sklr.cli import build_parser
    from sklr.cli._sweep import _progress

    class Search:
        def set_callbacks(self, *callbacks):
            raise AssertionError("no progress expected")

    args = build_parser().parse_args(["sweep", "--quiet"])
    assert _progress(Search(), args, console=object()) is None
    args = build_parser().parse_args(["sweep"])
    assert _progress(Search(), args) is None  # stderr is not a terminal here


def test_a_failing_display_never_blocks_the_workers():
    """The display's handler acknowledges workers' messages: it must not raise."""
    from rich.console import Console

    from sklr.cli._progress import Display

    class Root:  # a context tree whose iteration fails
        def __iter__(self):
            raise ValueError("broken")

    display = Display(Console(file=io.StringIO()), Root(), auto_refresh=False)
    display.handle(("begin", 0, 0, 5))  # no exception
    display.handle(("nonsense",))
    display.handle(("end", 0, None, None))
    assert display.done == {0} and not display.running


def test_n_jobs_zero_is_refused_in_the_commands_words(tmp_path, capsys):
    argv = ["sweep", "iris", "--n-jobs", "0", "--out", str(tmp_path / "o")]
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert "--n-jobs: must be a number of workers (1, 2, ...) or -1" in err
    assert "Parallel" not in err and not (tmp_path / "o").exists()


# ------------------------------------------------------------------ --model
@pytest.mark.parametrize(
    "model, param, curves",
    [
        ("sgd", "eta0", False),
        ("sklearn-mlp", "learning_rate_init", True),
        ("hist-gradient-boosting", "learning_rate", False),
    ],
)
def test_model_sweeps_another_family(model, param, curves, tmp_path, capsys):
    out = tmp_path / "o"
    argv = ["sweep", "iris", "--model", model, "--epochs", "5", "--cv", "3"]
    assert main([*argv, "--n-jobs", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    header = printed.splitlines()[1]
    assert ("epochs" in header) is curves  # only models that record epochs
    page = (out / "report.html").read_text()
    assert ('<th class="">epochs</th>' in page) is curves  # the same columns
    assert ("epochs is the mean number" in page) is curves
    assert (out / "loss_curves.png").exists() is curves
    document = json.loads((out / "results.json").read_text())
    assert document["settings"]["model"] == model
    assert "hidden" not in document["settings"] or model == "sklearn-mlp"
    rates = [row["learning_rate"] for row in document["candidates"]]
    boosting = model.endswith("boosting")
    ends = (1e-3, 10**0.5) if boosting else (1e-5, 10)
    assert (min(rates), max(rates)) == pytest.approx(ends, rel=1e-12)
    assert document["best_params"] and param in document["best_params"]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--model", "gradient-boosting", "--hidden", "10"], "--hidden applies to"),
        (["--model", "sgd", "--batch-size", "16"], "--batch-size applies to"),
        (["--model", "sgd", "--auto-grid"], "--auto-grid runs the range test"),
    ],
)
def test_model_options_that_do_not_apply_are_errors(extra, message, tmp_path, capsys):
    argv = ["sweep", "iris", *extra, "--out", str(tmp_path / "o"), "--quiet"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_results_json_is_strict_json_when_rates_diverge(tmp_path):
    """JSON has no NaN: a diverged rate's score is null (Node's JSON.parse and
    Python's strict parsers refused the bare NaN)."""
    out = tmp_path / "o"
    argv = ["sweep", "iris", "--epochs", "5", "--cv", "3", "--n-jobs", "1"]
    assert main([*argv, "--out", str(out), "--quiet"]) == 0

    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    document = json.loads((out / "results.json").read_text(), parse_constant=refuse)
    assert any("with 3 folds" in note for note in document["notes"])
    assert "with 3 folds the paired t-test" in (out / "report.html").read_text()
    scores = [row["mean_test_accuracy"] for row in document["candidates"]]
    assert None in scores and all(s is None or 0 <= s <= 1 for s in scores)


def test_find_notes_name_the_commands_options(tmp_path, capsys):
    """lr_find's warnings as the command says them: --end-lr, not end_lr."""
    assert main(["find", "wine", "--out", str(tmp_path / "o"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "note: the loss never rose" in err and "Raise --end-lr" in err
    assert "end_lr" not in err


def test_progress_of_a_task_without_epochs_says_fitting():
    """SGD and boosting fits report no epochs: their line says "fitting", not
    "0/0 epochs"."""
    from types import SimpleNamespace

    from sklr.cli._progress import _count_column

    column = _count_column()
    no_epochs = SimpleNamespace(total=0, completed=0, fields={"unit": "epochs"})
    some = SimpleNamespace(total=50, completed=7, fields={"unit": "epochs"})
    assert column.render(no_epochs).plain == "fitting"
    assert column.render(some).plain == "  7/50 epochs"


def test_the_answer_says_when_the_best_stepped_away_from_instability():
    from sklr.cli._output import _answer

    summary = answer_summary(
        0.0316, 0.9855, 0.01, 0.1, baseline_score=-0.004, top_learning_rate=0.1
    )
    summary |= {"top_next_to": 0.316, "best_next_to": None}
    lines = _answer(summary).lines
    assert lines[0] == "best learning rate: 0.0316 (score 0.9855; baseline -0.0040)"
    assert lines[-1] == (
        "note: the top mean score is at 0.1, next to 0.316, which diverged or "
        "oscillated; 0.0316 scores within half a standard error of it, a step away "
        "from instability"
    )
    unmoved = {**summary, "top_learning_rate": None, "best_next_to": 0.1}
    note = _answer(unmoved).lines[-1]
    assert note.startswith(
        "note: the best rate is next to 0.1, which diverged or oscillated, and no "
        "lower rate scores as well"
    )


def test_the_answer_says_a_one_rate_range_and_a_range_at_the_grids_edge():
    from sklr.cli._output import _answer

    summary = answer_summary(0.1, 0.9, 0.1, 0.1)
    assert (
        "good range: 0.1 only (no other rate scores as well)" in _answer(summary).lines
    )
    wide = {**summary, "good_range": [1e-5, 0.1], "good_range_at_edge": "lowest"}
    lines = _answer(wide).lines
    assert "good range: 1e-05 .. 0.1" in lines
    assert lines[-1].startswith(
        "note: the good range reaches the lowest rate of the grid"
    )
