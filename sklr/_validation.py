"""Small validation helpers shared by every layer (stdlib and numpy only)."""

from numbers import Integral

import numpy as np


def check_hidden_layer_sizes(hidden_layer_sizes):
    """Return ``hidden_layer_sizes`` as a list of positive ints, or raise.

    Examples
    --------
    >>> from sklr._validation import check_hidden_layer_sizes
    >>> check_hidden_layer_sizes(10), check_hidden_layer_sizes((5, 3))
    ([10], [5, 3])
    """
    sizes = hidden_layer_sizes
    if not hasattr(sizes, "__iter__"):
        sizes = [sizes]
    sizes = list(sizes)
    if not all(isinstance(s, Integral | np.integer) for s in sizes) or any(
        s <= 0 for s in sizes
    ):
        raise ValueError(
            "The 'hidden_layer_sizes' parameter must contain positive integers only, "
            f"got {hidden_layer_sizes!r}."
        )
    return [int(s) for s in sizes]


def check_learning_rates(learning_rates, name="learning_rates", min_size=1):
    """Return a new 1-D float array of positive, finite rates, or raise
    ``ValueError`` (a copy: never the caller's array, nor a module default).

    Examples
    --------
    >>> from sklr._validation import check_learning_rates
    >>> check_learning_rates([0.1, 1e-3]).tolist()
    [0.1, 0.001]
    """
    try:
        rates = np.array(learning_rates, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"The {name!r} parameter must be numbers, got {learning_rates!r}."
        ) from exc
    if rates.size < min_size:
        raise ValueError(
            f"The {name!r} parameter needs at least {min_size} value(s), "
            f"got {rates.size}."
        )
    if not np.all(np.isfinite(rates)) or np.any(rates <= 0):
        raise ValueError(
            f"The {name!r} parameter must be positive and finite, got {rates.tolist()}."
        )
    return rates


def tidy_rates(rates):
    """Rates within 4 units in the last place of a 15-digit decimal become that
    decimal (a change of at most 4 ulp), so that a log-spaced grid holds ``1e-05``
    rather than ``9.999999999999999e-06``; other rates are unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from sklr._validation import tidy_rates
    >>> tidy_rates(np.logspace(-5, -4, 3)).tolist()
    [1e-05, 3.16227766016838e-05, 0.0001]
    """
    rates = np.array(rates, dtype=float).ravel()
    short = np.array([float(f"{r:.15g}") for r in rates])
    close = np.abs(short - rates) <= 4 * np.spacing(np.abs(rates))
    return np.where(close, short, rates)


def user_stacklevel():
    """The ``stacklevel`` that makes a warning given by the caller of this
    function point at the user's code: the first frame outside sklr and
    scikit-learn (whose decorators wrap ``fit``).

    Examples
    --------
    >>> from sklr._validation import user_stacklevel
    >>> user_stacklevel() >= 1
    True
    """
    import os
    import sys

    import sklearn

    inside = (
        os.path.dirname(os.path.abspath(__file__)),
        os.path.dirname(os.path.abspath(sklearn.__file__)),
    )
    frame, level = sys._getframe(1), 1  # the caller's frame: stacklevel 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(
        inside
    ):
        frame, level = frame.f_back, level + 1
    return level
