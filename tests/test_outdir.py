"""The output folder of the sklr command: sklr deletes only what it wrote, never
leaves settings and results that disagree, and checks --out before any work."""

import json
import os
import pickle
import subprocess
import sys

import pytest

from sklr._outdir import MANIFEST
from sklr.cli import main

from ._helpers import interruptible_child
from ._helpers import run_sklr as _run

FAST = ["--epochs", "3", "--cv", "2", "--n-jobs", "1", "--hidden", "4", "--quiet"]


def test_force_never_deletes_what_sklr_did_not_write(tmp_path, capsys):
    """Item 2: a folder with the user's own checkpoints/, settings.json and
    results.csv is refused, with or without --force, and left as it was."""
    (tmp_path / "checkpoints").mkdir()
    (tmp_path / "checkpoints" / "epoch_99.pt").write_bytes(b"weights")
    (tmp_path / "settings.json").write_text('{"mine": true}')
    (tmp_path / "results.csv").write_text("mine\n")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    for extra in ([], ["--force"], ["--resume"]):
        assert main(["sweep", "iris", *FAST, "--out", str(tmp_path), *extra]) == 2
        err = capsys.readouterr().err
        assert "holds files sklr did not write" in err, err
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before


def test_force_removes_only_sklr_files(tmp_path):
    out = tmp_path / "o"
    assert main(["sweep", "iris", *FAST, "--out", str(out), "--no-plots"]) == 0
    (out / "notes.txt").write_text("mine")  # the user adds a file later
    (out / "checkpoints" / "mine.pt").write_bytes(b"mine")
    assert (
        main(["sweep", "wine", *FAST, "--out", str(out), "--force", "--no-plots"]) == 0
    )
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "checkpoints" / "mine.pt").read_bytes() == b"mine"
    assert json.loads((out / "settings.json").read_text())["data"] == "wine"


def test_interrupted_force_leaves_no_stale_results(tmp_path):
    """Item 3: --force removes the previous results before it writes the new
    settings; an interruption leaves settings and no results, never a mix."""
    out = tmp_path / "o"
    assert main(["sweep", "iris", *FAST, "--out", str(out), "--no-plots"]) == 0
    args = [
        "sweep",
        "digits",
        "--out",
        str(out),
        "--force",
        "--n-jobs",
        "1",
        "--epochs",
        "50",
        "--no-plots",
    ]
    proc = subprocess.Popen(
        [sys.executable, "-m", "sklr", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=interruptible_child,
    )
    import signal
    import time

    deadline = time.time() + 120
    while time.time() < deadline:
        settings = out / "settings.json"
        if settings.exists() and "digits" in settings.read_text():
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    assert json.loads((out / "settings.json").read_text())["data"] == "digits"
    assert not (out / "results.csv").exists()
    assert not (out / "results.json").exists()
    assert not list(out.glob(".*.tmp"))


@pytest.mark.parametrize(
    "setup, args, message",
    [
        (lambda p: p.write_text("x"), [], "is a file, not a folder"),
        (None, ["--cv", "1"], "--cv must be at least 2"),
        (None, ["--points-per-decade", "100000000"], "at most 1000"),
    ],
)
def test_output_and_options_are_checked_before_any_work(
    tmp_path, capsys, setup, args, message
):
    """Item 10: one line, exit 2, and nothing written."""
    out = tmp_path / "o"
    if setup:
        setup(out)
    assert main(["sweep", "iris", *FAST, "--out", str(out), *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert out.is_file() or not out.exists()


def test_find_checks_its_output_before_the_test(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["find", "iris", "--out", str(target), "--quiet"]) == 2
    assert "is a file" in capsys.readouterr().err
    out = tmp_path / "f"
    assert main(["find", "iris", "--out", str(out), "--quiet", "--no-plots"]) in (0, 3)
    assert main(["find", "iris", "--out", str(out), "--quiet"]) == 2
    assert "already holds a range test" in capsys.readouterr().err


def test_an_out_that_cannot_be_written_is_one_line_before_any_work(capsys):
    """/proc takes no new folder, not even from root."""
    for command in ("sweep", "find"):
        args = [command, "iris", "--out", "/proc/sklr-out", "--quiet"]
        assert main(args + (FAST if command == "sweep" else [])) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "--out /proc/sklr-out" in err[0], err


def test_corrupt_settings_on_resume_is_one_line(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["sweep", "iris", *FAST, "--out", str(out), "--no-plots"]) == 0
    (out / "settings.json").write_bytes(pickle.dumps(object()))
    assert main(["sweep", "iris", *FAST, "--out", str(out), "--resume"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is not a readable JSON file" in err[0]


def test_attacked_output_folder_runs_no_code(tmp_path):
    """Every file of an output folder (and its checkpoints) replaced by a pickle
    whose loading would create a file: --resume runs no code; it refuses the
    settings in one line, or (with the settings intact) recomputes the records
    and gives the results of a clean run."""
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    clean, out = tmp_path / "clean", tmp_path / "o"
    for folder in (clean, out):
        assert main(["sweep", "iris", *FAST, "--out", str(folder), "--no-plots"]) == 0
    settings = (out / "settings.json").read_bytes()
    for path in out.rglob("*"):
        if path.is_file() and path.name != MANIFEST:
            path.write_bytes(pickle.dumps(Payload()))
    refused = _run("sweep", "iris", *FAST, "--out", str(out), "--resume")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    (out / "settings.json").write_bytes(settings)
    resumed = _run("sweep", "iris", *FAST, "--out", str(out), "--resume", "--no-plots")
    assert resumed.returncode == 0, resumed.stderr
    assert not marker.exists()
    assert (out / "results.csv").read_text() == (clean / "results.csv").read_text()


def test_force_does_not_follow_a_symbolic_link(tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "rate-0.npz").write_bytes(b"not sklr's")
    (precious / "seed.txt").write_text("mine")
    out = tmp_path / "o"
    assert main(["sweep", "iris", *FAST, "--out", str(out), "--no-plots"]) == 0
    import shutil

    shutil.rmtree(out / "checkpoints")
    (out / "checkpoints").symlink_to(precious)
    main(["sweep", "iris", *FAST, "--out", str(out), "--force", "--no-plots"])
    assert (precious / "rate-0.npz").read_bytes() == b"not sklr's"
    assert (precious / "seed.txt").read_text() == "mine"


@pytest.mark.parametrize(
    "command, name, damage, extra, message",
    [
        (
            "sweep",
            "checkpoints",
            lambda p: p.write_text("x"),
            ["--force"],
            "keeps its checkpoints in",
        ),
        (
            "sweep",
            "results.csv",
            lambda p: p.mkdir(),
            ["--force"],
            "is not a file sklr wrote",
        ),
        (
            "sweep",
            "settings.json",
            lambda p: p.write_text("[" * 200_000),
            ["--resume"],
            "is not a readable JSON file",
        ),
        (
            "find",
            "lr_find.json",
            lambda p: p.mkdir(),
            ["--force"],
            "is not a file sklr wrote",
        ),
    ],
)
def test_odd_entries_of_an_output_folder_are_one_line(
    tmp_path, capsys, command, name, damage, extra, message
):
    import shutil

    out = tmp_path / "o"
    args = [command, "iris", "--out", str(out), "--no-plots", "--quiet"]
    if command == "sweep":
        args += FAST
    assert main(args) in (0, 3)
    path = out / name
    shutil.rmtree(path) if path.is_dir() else path.unlink()
    damage(path)
    capsys.readouterr()
    assert main([*args, *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err


def test_a_very_long_out_name_is_one_line(tmp_path, capsys):
    out = tmp_path / ("x" * 300)
    assert main(["sweep", "iris", *FAST, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot use --out" in err[0]


def test_a_pipe_as_data_is_one_line(tmp_path, capsys):
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    assert main(["sweep", str(fifo), *FAST, "--out", str(tmp_path / "o")]) == 2
    assert "not a regular file" in capsys.readouterr().err


def test_a_second_run_on_the_same_folder_at_the_same_time_is_refused(tmp_path):
    """Two concurrent --force runs once deleted each other's checkpoints (a
    traceback) or left settings.json of one run beside the results of the other."""
    import fcntl

    from sklr._outdir import LOCK

    out = tmp_path / "o"
    assert main(["sweep", "iris", *FAST, "--out", str(out), "--no-plots"]) == 0
    with open(out / LOCK, "a") as held:  # another run holds the folder
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = _run("sweep", "iris", *FAST, "--out", str(out), "--force")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"sklr: error: another sklr run is using --out {out}; wait for it or use "
        "another --out"
    ]
    assert (out / "results.csv").exists()  # the first run's results untouched


def test_checkpoint_dir_that_is_a_file_is_a_clear_error(tmp_path):
    from sklearn.datasets import load_iris

    from sklr import LearningRateSearchCV, MLPClassifier

    path = tmp_path / "file"
    path.write_text("x")
    search = LearningRateSearchCV(
        MLPClassifier(max_iter=2, random_state=0), [0.1, 1.0], checkpoint_dir=path
    )
    with pytest.raises(ValueError, match="'checkpoint_dir' parameter must be a folder"):
        search.fit(*load_iris(return_X_y=True))


def test_a_range_test_into_a_sweeps_folder_names_the_shared_report(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["sweep", "iris", "--epochs", "2", "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["find", "iris", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "already holds the report of an earlier sweep or range test" in err
    assert (out / "results.csv").exists()  # nothing of the sweep was touched
