"""A torch MLP and the two skorch nets that train it."""

from numbers import Integral

import numpy as np
import torch
from sklearn.utils.validation import check_array
from skorch import NeuralNetClassifier, NeuralNetRegressor

#: The hidden layers' activations, by scikit-learn's names.
ACTIVATIONS = {
    "relu": torch.nn.ReLU,
    "tanh": torch.nn.Tanh,
    "logistic": torch.nn.Sigmoid,
    "identity": torch.nn.Identity,
}


class TorchMLP(torch.nn.Module):
    """A fully connected network: ``Linear`` layers with an activation between
    them and none after the last (logits or a regression's outputs).

    Parameters
    ----------
    n_features : int
        Width of the input (the nets of this module set it from the data).
    n_outputs : int
        Width of the output: the number of classes, or of regression targets.
    hidden_layer_sizes : tuple of int, default=(100,)
        Units of each hidden layer, as in scikit-learn's MLPs.
    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
        The hidden layers' activation.

    Examples
    --------
    >>> import torch
    >>> from sklr.skorch import TorchMLP
    >>> module = TorchMLP(4, 3, hidden_layer_sizes=(8,))
    >>> tuple(module(torch.zeros(2, 4)).shape)
    (2, 3)
    """

    def __init__(
        self, n_features, n_outputs, hidden_layer_sizes=(100,), activation="relu"
    ):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"The 'activation' parameter of TorchMLP must be one of "
                f"{sorted(ACTIVATIONS)}; got {activation!r}."
            )
        layers, width = [], int(n_features)
        for units in hidden_layer_sizes:
            layers += [torch.nn.Linear(width, int(units)), ACTIVATIONS[activation]()]
            width = int(units)
        layers.append(torch.nn.Linear(width, int(n_outputs)))
        self.layers = torch.nn.Sequential(*layers)

    def forward(self, X):
        """The network's output (logits, or a regression's values) for ``X``.

        Parameters
        ----------
        X : torch.Tensor of shape (n_samples, n_features)

        Returns
        -------
        torch.Tensor of shape (n_samples, n_outputs)
        """
        return self.layers(X.to(self.layers[0].weight.dtype))


_SHARED_DOC = """
    Parameters
    ----------
    module : torch module class, default=TorchMLP
        The network; ``module__hidden_layer_sizes`` and ``module__activation``
        set :class:`TorchMLP`'s layers (its input and output widths are set
        from the data at ``fit``).
    criterion : torch loss class
        ``torch.nn.CrossEntropyLoss`` on the logits (classifier) or
        ``torch.nn.MSELoss`` (regressor).
    lr : float, default=0.01
        The learning rate (step size) of the optimiser.
    optimizer : torch optimiser class, default=torch.optim.SGD
        E.g. ``torch.optim.Adam``; ``optimizer__momentum=0.9`` and
        ``optimizer__nesterov=True`` give momentum SGD.
    max_epochs : int, default=50
        Epochs of training.
    batch_size : int, default=200
        Rows per mini-batch (shuffled every epoch).
    random_state : int or None, default=None
        Seeds torch for ``fit`` (initial weights and mini-batches), without
        changing torch's global random state; None uses torch's global state.
    train_split : default=None
        skorch's validation split; None trains on all the data, as
        scikit-learn's estimators do.
    verbose : int, default=0
        skorch's per-epoch printout (0: none).
    iterator_train__shuffle : bool, default=True
        Shuffle the rows before every epoch's mini-batches.
    **kwargs
        Any other skorch ``NeuralNet`` parameter.
"""


def _init(criterion_default):
    """The ``__init__`` of a net of this module: skorch's parameters with sklr's
    defaults (``criterion_default`` for the criterion) and ``random_state``,
    each in the signature that scikit-learn's ``get_params`` reads."""

    def __init__(  # noqa: PLR0913 (skorch's parameters, with sklr's defaults)
        self,
        module=TorchMLP,
        *,
        criterion=criterion_default,
        optimizer=torch.optim.SGD,
        lr=0.01,
        max_epochs=50,
        batch_size=200,
        random_state=None,
        train_split=None,
        verbose=0,
        iterator_train__shuffle=True,
        **kwargs,
    ):
        # the skorch class after _Seeded in the net's MRO
        super(_Seeded, self).__init__(
            module,
            criterion=criterion,
            optimizer=optimizer,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=batch_size,
            train_split=train_split,
            verbose=verbose,
            iterator_train__shuffle=iterator_train__shuffle,
            **kwargs,
        )
        self.random_state = random_state

    return __init__


class _Seeded:
    """What both nets share: a seed for ``fit``, float32 inputs, the widths of
    :class:`TorchMLP` from the data, and the documented defaults."""

    def _check_seed(self):
        seed = self.random_state
        if seed is not None and (
            not isinstance(seed, Integral) or isinstance(seed, bool)
        ):
            raise ValueError(
                f"The 'random_state' parameter of {type(self).__name__} must be "
                f"an int or None; got {seed!r}."
            )

    def _inputs(self, X):
        return check_array(X, dtype=np.float32, accept_sparse=False)

    def get_params_for(self, prefix):
        params = super().get_params_for(prefix)
        if prefix == "module" and self.module is TorchMLP:
            if "n_features_in_" not in vars(self):
                raise AttributeError(
                    f"{type(self).__name__} sets TorchMLP's widths from the data: "
                    "call fit first (or give module__n_features and "
                    "module__n_outputs)."
                )
            params.setdefault("n_features", self.n_features_in_)
            params.setdefault("n_outputs", self._n_outputs)
        return params

    def _seeded_fit(self, fit, X, y, fit_params):
        self._check_seed()
        if self.random_state is None:
            return fit(X, y, **fit_params)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.random_state)
            return fit(X, y, **fit_params)


class TorchMLPClassifier(_Seeded, NeuralNetClassifier):
    __doc__ = (
        """A :class:`TorchMLP` classifier trained by skorch, with
    cross-entropy on its logits (any labels: they are encoded at ``fit``).
"""
        + _SHARED_DOC
        + """
    Attributes
    ----------
    classes_ : ndarray
        The class labels, as ``fit`` saw them.
    n_features_in_ : int
        Number of input columns.
    history : skorch History
        Per epoch ``train_loss`` (and skorch's other records).

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklr.skorch import TorchMLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> net = TorchMLPClassifier(lr=0.1, max_epochs=20, batch_size=16,
    ...                          module__hidden_layer_sizes=(16,), random_state=0)
    >>> round(net.fit(X, y).score(X, y), 2) > 0.9
    True
    """
    )

    __init__ = _init(torch.nn.CrossEntropyLoss)

    @property
    def classes_(self):
        if "labels_" not in vars(self):
            raise AttributeError(f"{type(self).__name__} is not fitted: no classes_.")
        return self.labels_

    def fit(self, X, y, **fit_params):
        """Train the network on ``X``, ``y`` (skorch's ``fit``, seeded by
        ``random_state``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        **fit_params
            Passed to skorch's ``fit``.

        Returns
        -------
        self
        """
        X = self._inputs(X)
        labels, codes = np.unique(np.asarray(y), return_inverse=True)
        self.labels_, self.n_features_in_ = labels, X.shape[1]
        self._n_outputs = len(labels)
        return self._seeded_fit(
            super().fit, X, codes.astype(np.int64).ravel(), fit_params
        )

    def predict_proba(self, X):
        """Class probabilities (the softmax of the logits).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        return super().predict_proba(self._inputs(X))

    def _encoded(self, X, y):
        """``(X, y)`` as ``fit`` trains on them: float32 inputs and the labels'
        codes (rows of a label ``fit`` never saw are left out)."""
        y = np.asarray(y).ravel()
        known = np.isin(y, self.labels_)
        codes = np.searchsorted(self.labels_, y[known]).astype(np.int64)
        return self._inputs(X)[known], codes

    def predict(self, X):
        """The most probable class label of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


class TorchMLPRegressor(_Seeded, NeuralNetRegressor):
    __doc__ = (
        """A :class:`TorchMLP` regressor trained by skorch, with the mean squared
    error (1-D targets are predicted as 1-D).
"""
        + _SHARED_DOC
        + """
    Attributes
    ----------
    n_features_in_ : int
        Number of input columns.
    history : skorch History
        Per epoch ``train_loss`` (and skorch's other records).

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklr.skorch import TorchMLPRegressor
    >>> X, y = make_regression(200, 5, noise=1.0, random_state=0)
    >>> net = TorchMLPRegressor(lr=0.01, max_epochs=30, batch_size=20,
    ...                         random_state=0).fit(X, y / y.std())
    >>> net.predict(X).shape
    (200,)
    """
    )

    __init__ = _init(torch.nn.MSELoss)

    def fit(self, X, y, **fit_params):
        """Train the network on ``X``, ``y`` (skorch's ``fit``, seeded by
        ``random_state``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        **fit_params
            Passed to skorch's ``fit``.

        Returns
        -------
        self
        """
        X = self._inputs(X)
        y = np.asarray(y, dtype=np.float32)
        self._one_d = y.ndim == 1
        y = y.reshape(len(y), -1)
        self.n_features_in_, self._n_outputs = X.shape[1], y.shape[1]
        return self._seeded_fit(super().fit, X, y, fit_params)

    def _encoded(self, X, y):
        """``(X, y)`` as ``fit`` trains on them (float32, 2-D targets)."""
        y = np.asarray(y, dtype=np.float32)
        return self._inputs(X), y.reshape(len(y), -1)

    def predict(self, X):
        """The predicted values (1-D when ``fit`` was given a 1-D target).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        output = super().predict(self._inputs(X))
        return output.ravel() if getattr(self, "_one_d", False) else output
