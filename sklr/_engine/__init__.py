"""The training engine: one loop that trains a stack of K networks, with hooks
around it.

``_run`` holds the state of a run and its records, ``_loop`` the loop
(``train``), ``_hooks`` the built-in hooks (divergence guard, validation monitor,
plateau, held-out loss), ``_lbfgs`` the full-batch solver. The estimators use the
names below; nothing else of the engine is theirs to use.
"""

from ._hooks import (
    CHECK_ROWS,
    DIVERGENCE_FACTOR,
    DivergenceGuard,
    HeldOutLoss,
    Hook,
    Plateau,
    ValidationMonitor,
    subsample_loss,
)
from ._lbfgs import train_lbfgs
from ._loop import train
from ._run import (
    ACTIVE,
    CONVERGED,
    DIVERGED,
    KEPT_EPOCHS,
    STOPPED,
    Data,
    Event,
    Resume,
    Run,
    Status,
    TrainResult,
)

__all__ = [
    "ACTIVE",
    "CHECK_ROWS",
    "CONVERGED",
    "DIVERGED",
    "DIVERGENCE_FACTOR",
    "KEPT_EPOCHS",
    "STOPPED",
    "Data",
    "DivergenceGuard",
    "Event",
    "HeldOutLoss",
    "Hook",
    "Plateau",
    "Resume",
    "Run",
    "Status",
    "TrainResult",
    "ValidationMonitor",
    "subsample_loss",
    "train",
    "train_lbfgs",
]
