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
import tempfile
from pathlib import Path

MANIFEST = "sklr-manifest.json"

#: The files each command writes (and may remove with --force).
FILES = {
    "sweep": (
        "settings.json",
        "results.csv",
        "results.json",
        "sensitivity.png",
        "loss_curves.png",
        "batch_size.png",
    ),
    "find": ("lr_find.json", "lr_find.png"),
}

#: sklr's own files in ``checkpoints/`` (records, their temporaries, the seed).
CHECKPOINT_PATTERNS = ("rate-*.npz", ".rate-*.tmp", "seed.txt")


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
        raise OutputError(
            f"{out} already holds {what} ({earlier[0]}); use "
            + ("--resume to continue them, " if command == "sweep" else "")
            + "--force to replace them, or another --out"
        )
    _check_writable(out)
    if not ours:
        write_text(out / MANIFEST, json.dumps({"written_by": "sklr"}) + "\n")
    if force and not resume:
        remove(out, command)


def is_ours(out):
    """Whether ``out`` carries sklr's mark (a readable manifest)."""
    try:
        return json.loads((Path(out) / MANIFEST).read_text())["written_by"] == "sklr"
    except (OSError, ValueError, TypeError, KeyError):
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
        for pattern in CHECKPOINT_PATTERNS:
            for path in checkpoints.glob(pattern):
                if path.is_file() and not path.is_symlink():
                    path.unlink()
        with contextlib.suppress(OSError):  # kept if it holds anything else
            checkpoints.rmdir()


def write_text(path, text):
    """Write ``text`` to ``path`` atomically (a unique temporary, then rename)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def read_json(path):
    """The JSON document at ``path``, or an ``OutputError`` saying it is not one."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path} is not a readable JSON file ({exc})") from None


def _check_writable(out):
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=out, prefix=".sklr-", suffix=".tmp")
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise OutputError(f"cannot write to --out {out}: {exc.strerror}") from None
