"""The learning-rate range test (Smith 2015; fastai's and Lightning's ``lr_find``).

One training run raises the learning rate at every mini-batch, from ``start_lr``
to ``end_lr``, while recording the loss. The loss first stalls (rate too
small), then falls, then explodes: a good rate lies on the falling part (rule
"fall", the default: where three quarters of the fall are made; how close that
lands to the cross-validated sweep's best is measured by
``python -m benchmarks.validity``). The run goes through
sklr's training engine (a stack of one network whose schedule is the ramp), so
there is no second training loop.
"""

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
