"""Optimisers (``init`` / ``update``, explicit state) and learning-rate schedules."""

from ._check import check_optimizer
from .optimizers import SGD, Adam, Optimizer
from .schedules import (
    Adaptive,
    Constant,
    Cosine,
    Cyclic,
    Exponential,
    InverseScaling,
    Join,
    LinearWarmup,
    OneCycle,
    RangeRamp,
    Schedule,
    StepDecay,
    get_schedule,
    warmup,
)

__all__ = [
    "SGD",
    "Adam",
    "Adaptive",
    "Constant",
    "Cosine",
    "Cyclic",
    "Exponential",
    "InverseScaling",
    "Join",
    "LinearWarmup",
    "OneCycle",
    "Optimizer",
    "RangeRamp",
    "Schedule",
    "StepDecay",
    "check_optimizer",
    "get_schedule",
    "warmup",
]
