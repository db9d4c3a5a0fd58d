"""The ``sklr`` command: the learning-rate analysis from a shell.

``sklr sweep [DATA]`` runs a cross-validated learning-rate sensitivity analysis
(``LearningRateSearchCV``) and ``sklr find [DATA]`` the range test
(``lr_find``), on a data set bundled with scikit-learn or a CSV / Parquet file.
Errors are one line on stderr and exit status 2; Ctrl-C keeps finished work,
which ``--resume`` continues.
"""

import sys

from .._outdir import OutputError, release
from ._args import build_parser
from ._base import MAX_RATES, NO_ANSWER, CommandError
from ._data import DataError
from ._find import run_find
from ._sweep import run_sweep

__all__ = [
    "MAX_RATES",
    "NO_ANSWER",
    "CommandError",
    "build_parser",
    "main",
    "run_find",
    "run_sweep",
]


def main(argv=None):
    """Run the ``sklr`` command; return its exit status.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    status : int
        0 on success, 2 for usage and input errors, 3 when no learning rate can
        be recommended, 130 when interrupted.

    Examples
    --------
    >>> from sklr.cli import main
    >>> main(["sweep", "no-such-file.csv", "--quiet"])
    2
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return _run_command(args)
    except (CommandError, DataError, OutputError) as exc:
        print(f"sklr: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        resumable = getattr(args, "resume", None) is not None  # sweep only
        print(
            f"sklr: interrupted; finished work is kept in {args.out} - run the same "
            "command with --resume to continue"
            if resumable
            else "sklr: interrupted",
            file=sys.stderr,
        )
        return 130


def _run_command(args):
    try:
        return args.func(args)
    finally:
        release()  # the output folder is free for the next run
