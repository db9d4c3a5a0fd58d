"""sklr: get the learning rate right.

scikit-learn compatible multi-layer perceptrons trained by mini-batch SGD
(momentum, Nesterov, Adam, schedules), whose float ``learning_rate`` is a
first-class hyperparameter, built on a training engine that trains a stack of
networks differing only in their learning rate.
"""

from .exceptions import DivergenceWarning
from .lr_finder import lr_find
from .neural_network import MLPClassifier, MLPRegressor
from .search import LearningRateSearchCV, learning_rate_curve

__version__ = "0.1.0.dev0"

__all__ = [
    "DivergenceWarning",
    "LearningRateSearchCV",
    "MLPClassifier",
    "MLPRegressor",
    "__version__",
    "learning_rate_curve",
    "lr_find",
]
