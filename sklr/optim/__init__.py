"""Optimisers (``init`` / ``update``, explicit state) and learning-rate schedules."""

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
    "get_schedule",
    "warmup",
]
