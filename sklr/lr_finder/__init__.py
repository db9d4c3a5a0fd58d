"""The learning-rate range test: ``lr_find`` (``_range_test``), the rules that
read its curve (``_rules``) and its Display (``_plot``)."""

from ..optim import RangeRamp
from ._plot import LRFinderDisplay
from ._range_test import MIN_STEPS, LRFinderResult, LRFinderSuggestions, lr_find
from ._rules import (
    FALL_FRACTION,
    FALL_WINDOW,
    MIN_FALL,
    SKIP_FRACTION,
    SUGGESTION_RULES,
    suggest,
)

__all__ = [
    "FALL_FRACTION",
    "FALL_WINDOW",
    "MIN_FALL",
    "MIN_STEPS",
    "SKIP_FRACTION",
    "SUGGESTION_RULES",
    "LRFinderDisplay",
    "LRFinderResult",
    "LRFinderSuggestions",
    "RangeRamp",
    "lr_find",
    "suggest",
]
