"""CONTRIBUTING's recipes "Add a loss", "Add an optimiser" and "Add a schedule",
followed as a contributor would: each adds a toy component the way its recipe
says, and what the recipe promises then holds (the family recipe has its own
file, tests/test_family_recipe.py)."""

from dataclasses import dataclass

import matplotlib
import numpy as np
import pytest
from sklearn.datasets import make_regression

from sklr import LearningRateSearchCV, MLPRegressor
from sklr._core import losses
from sklr.optim import Adaptive, Constant, Optimizer, Schedule, check_optimizer
from sklr.optim.optimizers import SGDState
from sklr.plotting import LossCurveDisplay
from tests._core import test_network as network_tests

matplotlib.use("Agg")


def _summed_squared_error(Y, Z, P, log_P):
    R = P - Y
    return 0.5 * (R * R).sum(axis=-1)


@pytest.fixture
def toy_loss(monkeypatch):
    """Step 1 of "Add a loss": one ``Loss`` entry in ``LOSSES`` (the half squared
    error summed over outputs, where scikit-learn's is averaged)."""
    toy = losses.Loss(
        "summed_squared_error",
        "half summed squared error",
        "identity",
        losses._identity_output,
        _summed_squared_error,
    )
    monkeypatch.setitem(losses.LOSSES, toy.name, toy)
    return toy


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_a_new_loss_is_gradient_checked(toy_loss, activation):
    # the gradient checks run over every registered loss: the toy one passes
    network_tests.test_gradient_matches_finite_differences(
        activation, toy_loss.name, 0.3, True
    )


@pytest.mark.filterwarnings("ignore::sklr.exceptions.GridEdgeWarning")
def test_a_new_loss_trains_is_validated_and_labelled_everywhere(toy_loss):
    X, y = make_regression(n_samples=60, n_features=4, noise=1.0, random_state=0)
    y = y / y.std()
    kwargs = dict(hidden_layer_sizes=(5,), solver="sgd", max_iter=15, random_state=0)
    mlp = MLPRegressor(loss=toy_loss.name, **kwargs).fit(X, y)
    # one output: the same objective as squared_error, so the same fit
    ref = MLPRegressor(**kwargs).fit(X, y)
    np.testing.assert_array_equal(mlp.loss_curve_, ref.loss_curve_)
    assert mlp.out_activation_ == "identity"
    # the estimators' constraint is the registry's
    with pytest.raises(ValueError, match="summed_squared_error") as info:
        MLPRegressor(loss="huber").fit(X, y)
    assert "'loss' parameter of MLPRegressor" in str(info.value)
    # every label is the registry's: no KeyError, the loss named on the axis
    display = LossCurveDisplay.from_estimator(mlp)
    assert display.ax_.get_ylabel() == "half summed squared error"
    search = LearningRateSearchCV(
        MLPRegressor(loss=toy_loss.name, **kwargs), [0.01, 0.1], cv=2
    ).fit(X, y)
    assert search.sweep_result_.layout.loss_label == "half summed squared error"
    display = LossCurveDisplay.from_cv_results(search)
    assert display.axes_[0].get_ylabel() == "half summed squared error"


@dataclass(frozen=True)
class DecayingSGD(Optimizer):
    """SGD with decoupled weight decay hidden in ``apply``: breaks both rules
    (a frozen network keeps shrinking; ``update``, run on zero parameters, has
    no decay)."""

    decay: float = 0.1

    def init(self, params):
        return SGDState(())

    def apply(self, params, grads, state, learning_rates):
        for p, g in zip(params, grads):
            rates = np.asarray(learning_rates)[:, None]
            p -= rates * (g + self.decay * p)
        return state


@dataclass(frozen=True)
class StackNormSGD(Optimizer):
    """SGD normalised by the gradient norm of the whole stack: not elementwise,
    so a network's step depends on its neighbours."""

    def init(self, params):
        return SGDState(())

    def apply(self, params, grads, state, learning_rates):
        for p, g in zip(params, grads):
            scale = np.sqrt((g * g).sum()) + 1e-12
            p -= np.asarray(learning_rates)[:, None] * g / scale
        return state


def test_the_optimiser_check_passes_a_correct_new_optimiser():
    @dataclass(frozen=True)
    class SignSGD(Optimizer):  # the recipe's shape: init and an in-place apply
        def init(self, params):
            return SGDState(())

        def apply(self, params, grads, state, learning_rates):
            for p, g in zip(params, grads):
                p -= np.asarray(learning_rates, p.dtype)[:, None] * np.sign(g)
            return state

    check_optimizer(SignSGD())


@pytest.mark.parametrize(
    "optimizer, message",
    [
        (DecayingSGD(), "a frozen network moved"),
        (DecayingSGD(decay=1e-4), "a frozen network moved"),
        (StackNormSGD(), "of a stack of 3 does not get the update it gets alone"),
    ],
    ids=["decay", "small-decay", "not-elementwise"],
)
def test_the_optimiser_check_fails_a_broken_optimiser(optimizer, message):
    with pytest.raises(AssertionError, match=message):
        check_optimizer(optimizer)


def test_the_optimiser_check_fails_apply_that_differs_from_update():
    @dataclass(frozen=True)
    class FrozenSafeDecay(DecayingSGD):  # decays only networks with a gradient
        def apply(self, params, grads, state, learning_rates):
            for p, g in zip(params, grads):
                live = np.any(g != 0, axis=1, keepdims=True)
                p -= np.asarray(learning_rates)[:, None] * (g + self.decay * p * live)
            return state

    with pytest.raises(AssertionError, match="update and apply disagree"):
        check_optimizer(FrozenSafeDecay())


@dataclass(frozen=True)
class Scaled(Schedule):
    """A toy combinator written as "Add a schedule" says, with no plateau code:
    ``factor`` times another schedule."""

    schedule: Schedule = Adaptive()
    factor: float = 1.0

    def __call__(self, step):
        return self.factor * self.schedule(step)


def test_a_new_combinator_keeps_the_plateau_reductions_of_what_it_wraps():
    wrapped = Scaled(Adaptive(factor=0.5, min_learning_rate=1e-3))
    assert wrapped.parts == (Adaptive(factor=0.5, min_learning_rate=1e-3),)
    assert wrapped.reduces_on_plateau
    assert (wrapped.plateau_factor, wrapped.min_learning_rate) == (0.5, 1e-3)
    plain = Scaled(Constant())
    assert not plain.reduces_on_plateau
    assert (plain.plateau_factor, plain.min_learning_rate) == (1.0, 0.0)
    # in training: the same reductions and stop as Adaptive itself
    X, y = make_regression(n_samples=80, n_features=5, noise=5.0, random_state=1)
    y = y / y.std()
    kwargs = dict(
        hidden_layer_sizes=(6,),
        solver="sgd",
        learning_rate=0.05,
        max_iter=300,
        tol=10.0,  # nothing counts as an improvement: a plateau every 2 epochs
        n_iter_no_change=2,
        random_state=0,
    )
    alone = MLPRegressor(lr_schedule=Adaptive(), **kwargs).fit(X, y)
    inside = MLPRegressor(lr_schedule=Scaled(Adaptive()), **kwargs).fit(X, y)
    assert alone.n_iter_ == inside.n_iter_ > 2 * kwargs["n_iter_no_change"] + 1
    np.testing.assert_array_equal(alone.loss_curve_, inside.loss_curve_)
