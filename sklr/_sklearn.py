"""The private scikit-learn names sklr is built on, in one place.

They are the code ``GridSearchCV`` runs (scoring, fit-failure handling, result
formatting, indexing), the parameter constraints and fit context
scikit-learn's estimators declare (which sklr's MLPs share with scikit-learn's),
and the callback transport of the progress display. They are private,
so ``pyproject.toml`` pins the scikit-learn versions they are tested with;
outside them, importing sklr fails with a message that says which versions
work. No other module of sklr imports a private name of scikit-learn (a test
checks it).
"""

import sklearn

__all__ = [
    "SKLEARN_TESTED",
    "BaseSearchCV",
    "HasMethods",
    "Interval",
    "Options",
    "StrOptions",
    "_MultimetricScorer",
    "_check_method_params",
    "_check_partial_fit_first_call",
    "_check_sample_weight",
    "_fit_context",
    "_insert_error_scores",
    "_num_samples",
    "_safe_indexing",
    "_score",
    "_warn_or_raise_about_fit_failures",
    "callback_transport",
]

#: The scikit-learn versions whose private search helpers sklr is tested with.
SKLEARN_TESTED = ((1, 9), (1, 9))

try:  # private helpers: the same code GridSearchCV and scikit-learn's MLP run
    from sklearn.base import _fit_context
    from sklearn.metrics._scorer import _MultimetricScorer
    from sklearn.model_selection._search import BaseSearchCV
    from sklearn.model_selection._validation import (
        _insert_error_scores,
        _score,
        _warn_or_raise_about_fit_failures,
    )
    from sklearn.utils._indexing import _safe_indexing
    from sklearn.utils._param_validation import (
        HasMethods,
        Interval,
        Options,
        StrOptions,
    )
    from sklearn.utils.multiclass import _check_partial_fit_first_call
    from sklearn.utils.validation import (
        _check_method_params,
        _check_sample_weight,
        _num_samples,
    )
except ImportError as exc:  # pragma: no cover - depends on the installed version
    raise ImportError(
        "sklr's LearningRateSearchCV is built on scikit-learn's search machinery "
        f"and is tested with scikit-learn {SKLEARN_TESTED[0][0]}.{SKLEARN_TESTED[0][1]}"
        f"; scikit-learn {sklearn.__version__} lacks a helper it uses ({exc}). "
        "Install a tested version: pip install 'scikit-learn>=1.9,<1.10'."
    ) from exc


def callback_transport():
    """scikit-learn's callback transport module (what carries the progress of
    the workers to the parent), or None where this scikit-learn has none."""
    try:
        from sklearn.callback import _transport
    except ImportError:  # pragma: no cover - depends on the installed version
        return None
    return _transport
