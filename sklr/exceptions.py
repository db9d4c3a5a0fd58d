"""Warnings and errors raised by sklr."""


class DivergenceWarning(UserWarning):
    """Training of a network diverged.

    Raised when a network's loss became non-finite, or grew beyond the divergence
    threshold, during training. Training of that network stops and the last finite
    weights (those at the end of the last completed epoch) are kept.

    Examples
    --------
    >>> import warnings
    >>> from sklr.exceptions import DivergenceWarning
    >>> issubclass(DivergenceWarning, UserWarning)
    True
    """
