"""The output folder of the ``sklr`` command: recognised, claimed, cleaned safely.

sklr marks a folder it writes to with ``sklr-manifest.json``. It writes only into
an empty or new folder, or one that carries its mark; it deletes only the files
it writes itself (the names below, and in ``checkpoints/`` its own records),
never a file it does not know. Every file is written to a temporary name and
renamed into place, and a new run removes the previous run's results before it
writes its settings, so that settings and results never disagree on disk.
"""

import contextlib
import json
import os
import re
import tempfile
from pathlib import Path

MANIFEST = "sklr-manifest.json"
LOCK = ".sklr-lock"

#: The files each command writes (and may remove with --force).
FILES = {
    "sweep": (
        "settings.json",
        "results.csv",
        "results.json",
        "sensitivity.png",
        "loss_curves.png",
        "batch_size.png",
        "report.html",
    ),
    "find": ("lr_find.json", "lr_find.png", "report.html"),
}

#: sklr's own files in ``checkpoints/``: its records and their temporaries
#: (``sklr.search._checkpoint``), by their exact form.
CHECKPOINT_NAMES = re.compile(r"rate-[0-9a-f]{40}\.npz|\.rate-[A-Za-z0-9_]{8}\.tmp")


class OutputError(Exception):
    """An output folder sklr cannot use; the message is one line."""


def claim(out, command, *, force=False, resume=False):
    """Check ``out`` before any work, and make it sklr's.

    Parameters
    ----------
    out : Path
    command : {"sweep", "find"}
    force : bool
        Remove the results of an earlier run of ``command`` (only those).
    resume : bool
        Continue an earlier sweep: its folder must carry sklr's mark.

    Raises
    ------
    OutputError
        ``out`` is a file; cannot be written; holds files sklr did not write;
        holds earlier results (without ``force`` or ``resume``); or has nothing
        to resume.
    """
    out = Path(out)
    try:
        _claim(out, command, force, resume)
    except OSError as exc:  # e.g. a name too long for the file system
        raise OutputError(f"cannot use --out {out}: {exc.strerror}") from None


def _claim(out, command, force, resume):  # noqa: C901 - one sequence of checks on the folder, each a clear error
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out} is a file, not a folder")
    ours = is_ours(out)
    if out.exists() and any(out.iterdir()) and not ours:
        raise OutputError(
            f"{out} holds files sklr did not write; give an empty or new --out"
        )
    earlier = [n for n in FILES[command] if (out / n).exists()]
    if resume:
        if not (out / "settings.json").exists():
            raise OutputError(f"nothing to resume in {out}: no settings.json there")
    elif earlier and not force:
        what = "results" if command == "sweep" else "a range test"
        if earlier == ["report.html"]:  # both commands write one
            what = "the report of an earlier sweep or range test"
        raise OutputError(
            f"{out} already holds {what} ({earlier[0]}); use "
            + ("--resume to continue them, " if command == "sweep" else "")
            + "--force to replace them, or another --out"
        )
    for name in FILES[command]:
        path = out / name
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise OutputError(f"{path} is not a file sklr wrote; move it away")
    checkpoints = out / "checkpoints"
    if command == "sweep" and (
        checkpoints.is_symlink() or (checkpoints.exists() and not checkpoints.is_dir())
    ):
        raise OutputError(
            f"{checkpoints} is not the folder sklr keeps its checkpoints in; move it "
            "away"
        )
    _check_writable(out)
    _lock(out)
    if not ours:
        write_text(out / MANIFEST, json.dumps({"written_by": "sklr"}) + "\n")
    if force and not resume:
        remove(out, command)


def is_ours(out):
    """Whether ``out`` carries sklr's mark (a readable manifest)."""
    path = Path(out) / MANIFEST
    try:
        if not path.is_file() or path.stat().st_size > 1024:
            return False
        return json.loads(path.read_text())["written_by"] == "sklr"
    except (OSError, ValueError, TypeError, KeyError, RecursionError):
        return False


def remove(out, command):
    """Remove what ``command`` wrote in ``out``: its files and, for a sweep, its
    checkpoint records; nothing else."""
    out = Path(out)
    for name in FILES[command]:
        with contextlib.suppress(FileNotFoundError):
            (out / name).unlink()
    checkpoints = out / "checkpoints"
    # a symbolic link is not descended: what it points to is not sklr's
    if command == "sweep" and checkpoints.is_dir() and not checkpoints.is_symlink():
        for path in checkpoints.iterdir():
            ours = CHECKPOINT_NAMES.fullmatch(path.name) and not path.is_symlink()
            if ours and path.is_file():
                path.unlink()
        with contextlib.suppress(OSError):  # kept if it holds anything else
            checkpoints.rmdir()


def write_text(path, text):
    """Write ``text`` to ``path`` atomically (a unique temporary, then rename)."""
    path = Path(path)
    with replacing(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


@contextlib.contextmanager
def replacing(path):
    """A new temporary file (unique, created exclusively: never a link) to write;
    renamed over ``path`` on success, removed otherwise."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        os.chmod(tmp, 0o644)
        yield tmp
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def read_json(path):
    """The JSON document at ``path``, or an ``OutputError`` saying it is not one."""
    try:
        if Path(path).stat().st_size > 10_000_000:
            raise ValueError("larger than 10 MB")
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise OutputError(f"{path} is not a readable JSON file ({exc})") from None


#: Open lock files of this process: a lock lasts until ``release`` (the end of
#: the command) or the end of the process.
_LOCKS = []


def release():
    """Release the output folders this process took."""
    while _LOCKS:
        _LOCKS.pop().close()


def _lock(out):
    """Take ``out`` for this process alone: a second sklr run on the same folder
    at the same time is refused, instead of deleting the first one's files."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        return
    handle = open(out / LOCK, "a")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise OutputError(
            f"another sklr run is using --out {out}; wait for it or use another --out"
        ) from None
    _LOCKS.append(handle)


def _check_writable(out):
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out, prefix=".sklr-", suffix=".tmp")
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise OutputError(f"cannot write to --out {out}: {exc.strerror}") from None
