"""Multi-layer perceptrons trained by mini-batch SGD, whose learning rate is a float.

:class:`MLPClassifier` and :class:`MLPRegressor` live in
``_multilayer_perceptron``; ``_stack`` is the internal API the learning-rate
analyses use to train and read stacks of them.
"""

from .._engine import CHECK_ROWS, DIVERGENCE_FACTOR, KEPT_EPOCHS
from ._multilayer_perceptron import BaseMLP, MLPClassifier, MLPRegressor

__all__ = [
    "CHECK_ROWS",
    "DIVERGENCE_FACTOR",
    "KEPT_EPOCHS",
    "BaseMLP",
    "MLPClassifier",
    "MLPRegressor",
]
