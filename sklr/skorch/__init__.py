"""PyTorch networks for the learning-rate analysis, through skorch.

Any skorch net (``NeuralNetClassifier``, ``NeuralNetRegressor`` and their
subclasses) can be given to :class:`~sklr.LearningRateSearchCV` and
:func:`~sklr.lr_find`: its step size is ``lr``. This module adds a small,
documented torch MLP as two ready nets (the ``sklr sweep --model torch-mlp``
estimators): :class:`TorchMLPClassifier` and :class:`TorchMLPRegressor`, which
take scikit-learn's data as scikit-learn's estimators do (any labels, float64
inputs, 1-D targets) and are reproducible with ``random_state``.

Needs the ``torch`` extra: ``pip install "sklr[torch]"`` (torch and skorch).
"""

from ._nets import ACTIVATIONS, TorchMLP, TorchMLPClassifier, TorchMLPRegressor

__all__ = ["ACTIVATIONS", "TorchMLP", "TorchMLPClassifier", "TorchMLPRegressor"]
