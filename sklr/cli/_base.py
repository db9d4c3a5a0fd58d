"""What every part of the command shares: its exit status for no answer, its
limits, and its one-line error."""

#: Exit status of ``sklr sweep`` when no learning rate can be recommended.
NO_ANSWER = 3

#: The largest grid ``sklr sweep`` accepts.
MAX_RATES = 1000


class CommandError(Exception):
    """A usage or input problem, reported in one line with exit status 2."""
