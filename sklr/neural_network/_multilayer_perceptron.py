"""Multi-layer perceptrons trained by mini-batch SGD, whose learning rate is a float.

:class:`MLPClassifier` and :class:`MLPRegressor` keep scikit-learn's MLP
parameter names, defaults, loss conventions and fitted attributes, so that a
user switches by changing the import and ``learning_rate_init=`` to
``learning_rate=``. They are thin shells over sklr's training engine
(``sklr._engine.train``), which trains one network here and a stack of them
in the learning-rate analyses.
"""

import contextvars
import copy
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.callback import CallbackSupportMixin, with_callbacks
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from .._core.losses import RegressionLosses, get_loss
from .._core.network import NetworkSpec, init_params
from .._core.network import predict as network_predict
from .._engine import (
    ACTIVE,
    DIVERGED,
    DIVERGENCE_FACTOR,
    KEPT_EPOCHS,
    Data,
    DivergenceGuard,
    HeldOutLoss,
    Hook,
    Plateau,
    ValidationMonitor,
    subsample_loss,
    train,
    train_lbfgs,
)
from .._sklearn import (
    Interval,
    Options,
    StrOptions,
    _check_partial_fit_first_call,
    _check_sample_weight,
    _fit_context,
)
from .._threads import one_blas_thread
from .._validation import check_hidden_layer_sizes, user_stacklevel
from ..exceptions import DivergenceError, DivergenceWarning
from ..optim import SGD, Adam, Optimizer
from ..optim.schedules import SCHEDULE_NAMES, Schedule, check_schedule, get_schedule

#: Whether a plain ``fit`` ends cleanly on Ctrl-C (True, the default) or lets
#: ``KeyboardInterrupt`` through (an analysis's refit: the analysis stops).
CATCH_INTERRUPT = contextvars.ContextVar("sklr_catch_interrupt", default=True)


class _AnyRealInterval(Interval):
    """An interval that accepts any ``numbers.Real`` (a ``Fraction`` or a
    ``Decimal`` too), compared as a float."""

    def __contains__(self, val):
        return super().__contains__(float(val))


class _VerboseHook(Hook):
    """Print the loss (and held-out score) after each epoch, as scikit-learn does."""

    def on_epoch_end(self, run, was_active):
        print(f"Iteration {run.epoch + 1}, loss = {run.history.loss[-1][0]:.8f}")
        if run.history.val_score:
            print(f"Validation score: {run.history.val_score[-1][0]:f}")
        return False


class _SklearnCallbacks(Hook):
    """Bridge to ``sklearn.callback``: one callback task per epoch.

    A callback's request to stop (``on_fit_task_end`` returning True) ends
    training after the current epoch.
    """

    def __init__(self, estimator, context, X, y, sample_weight):
        self.estimator = estimator
        self.context = context
        self.X, self.y = X, y
        self.metadata = (
            {} if sample_weight is None else {"sample_weight": sample_weight}
        )
        self.epoch_context = None

    def on_epoch_begin(self, run):
        self.epoch_context = self.context.subcontext(task_name="epoch")
        self.epoch_context.call_on_fit_task_begin(
            estimator=self.estimator, X=self.X, y=self.y, metadata=self.metadata
        )

    def on_epoch_end(self, run, was_active):
        def attributes():
            if run.n_networks > 1:  # a stack is not one fitted estimator
                return None
            return {
                "coefs_": [c[0].copy() for c in run.coefs],
                "intercepts_": [b[0].copy() for b in run.intercepts],
                "n_iter_": run.epoch + 1,
            }

        return self.epoch_context.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            reconstruction_attributes=attributes,
        )


class BaseMLP(CallbackSupportMixin, BaseEstimator):
    """Shared implementation of :class:`MLPClassifier` and :class:`MLPRegressor`."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"}), Optimizer],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [_AnyRealInterval(Real, 0, None, closed="neither")],
        "lr_schedule": [StrOptions(set(SCHEDULE_NAMES)), Schedule],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "on_divergence": [StrOptions({"warn", "raise"})],
    }

    def __init__(  # noqa: PLR0913 - scikit-learn: every hyperparameter is an __init__ argument
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="sgd",
        alpha=0.0001,
        batch_size="auto",
        learning_rate=0.01,
        lr_schedule="constant",
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        on_divergence="warn",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.lr_schedule = lr_schedule
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.on_divergence = on_divergence

    # ------------------------------------------------------------------ helpers
    @property
    def _spec(self):
        loss = self._loss_name()
        return NetworkSpec(
            activation=self.activation, loss=loss, alpha=float(self.alpha)
        )

    def _stacked_params(self, dtype):
        """The current weights as a stack of one network, in ``dtype`` (copies)."""
        coefs = [np.array(c, dtype=dtype)[None] for c in self.coefs_]
        intercepts = [np.array(b, dtype=dtype)[None] for b in self.intercepts_]
        return coefs, intercepts

    def _forward_output(self, X):
        """Output activation ``(n, n_outputs)`` of the fitted network."""
        with one_blas_thread():
            dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
            coefs, intercepts = self._stacked_params(dtype)
            with np.errstate(over="ignore", under="ignore"):
                return network_predict(self._spec, coefs, intercepts, X)[0]

    def _optimizer(self):
        if isinstance(self.solver, Optimizer):  # its own settings, e.g. SGD(0.5)
            return self.solver
        if self.solver == "adam":
            return Adam(beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)
        return SGD(momentum=self.momentum, nesterov=self.nesterovs_momentum)

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                f"Got `batch_size`={self.batch_size} larger than the number of "
                f"training samples ({n_samples}); it is clipped to {n_samples}.",
                UserWarning,
                stacklevel=4,
            )
        return int(np.clip(self.batch_size, 1, n_samples))

    def _initialize(self, Y, layer_units, dtype, rng):
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = get_loss(self._loss_name()).out_activation
        coefs, intercepts = init_params(layer_units, self.activation, 1, rng, dtype)
        self.coefs_ = [c[0] for c in coefs]
        self.intercepts_ = [b[0] for b in intercepts]
        self.diverged_ = False
        self._plateau = None
        self._resume = None
        self._reference_loss = None
        self._fresh_records()

    def _fresh_records(self):
        """Empty per-epoch records, as before a first fit."""
        self.n_iter_ = 0
        self.t_ = 0
        if self.solver != "lbfgs":
            self.loss_curve_ = []
            self.validation_loss_curve_ = [] if self.early_stopping else None
            self.learning_rate_curve_ = []
            if self.early_stopping:
                self.validation_scores_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
            else:
                self.validation_scores_ = None
                self.best_validation_score_ = None
                self.best_loss_ = np.inf

    # ---------------------------------------------------------------------- fit
    def _fit(self, X, y, sample_weight=None, incremental=False):
        with one_blas_thread():
            X, y_checked, Y, sample_weight, rng = self._prepare(
                X, y, sample_weight, incremental
            )
            metadata = {} if sample_weight is None else {"sample_weight": sample_weight}
            callback_ctx = self._init_callback_context(
                max_subtasks=1 if incremental else self.max_iter
            )
            callback_ctx.call_on_fit_task_begin(
                estimator=self, X=X, y=y_checked, metadata=metadata
            )
            if self.solver == "lbfgs":
                self._fit_lbfgs(X, Y, sample_weight)
            else:
                hook = _SklearnCallbacks(
                    self, callback_ctx, X, y_checked, sample_weight
                )
                result = self._fit_stochastic(
                    X,
                    y_checked,
                    Y,
                    sample_weight,
                    rng,
                    incremental,
                    [float(self.learning_rate)],  # any Real, e.g. Fraction(1, 10)
                    extra_hooks=[hook],
                )
                self._store_result(result, incremental)
            callback_ctx.call_on_fit_task_end(estimator=self, X=X, y=y_checked)
            return self

    def _prepare(self, X, y, sample_weight, incremental):
        """Validate the data, and initialise the network on a first fit."""
        hidden = check_hidden_layer_sizes(self.hidden_layer_sizes)
        first_pass = not hasattr(self, "coefs_") or (
            not self.warm_start and not incremental
        )
        X, y_checked, Y = self._validate_input(X, y, incremental, reset=first_pass)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        rng = check_random_state(self.random_state)
        layer_units = [X.shape[1], *hidden, Y.shape[1]]
        if first_pass:
            self._initialize(Y, layer_units, X.dtype, rng)
        else:
            self._check_warm_start_shapes(layer_units)
            if "_reference_loss" not in vars(self):  # weights set by hand
                self._adopt_weights(Y, layer_units)
        return X, y_checked, Y, sample_weight, rng

    def _adopt_weights(self, Y, layer_units):
        """Start from ``coefs_`` / ``intercepts_`` assigned to an estimator that
        sklr never fitted (as scikit-learn's tests do): the state of a first
        fit around them, with empty records."""
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = get_loss(self._loss_name()).out_activation
        self.coefs_ = [np.asarray(c, dtype=float) for c in self.coefs_]
        self.intercepts_ = [np.asarray(b, dtype=float) for b in self.intercepts_]
        self.diverged_ = False
        self._plateau = None
        self._resume = None
        self._reference_loss = None
        self._fresh_records()

    @with_callbacks
    def _fit_learning_rates(
        self,
        X,
        y,
        learning_rates,
        sample_weight=None,
        X_held_out=None,
        y_held_out=None,
        extra_hooks=(),
    ):
        """Train one network per learning rate, stacked, in a paired design.

        All networks start from the weights a ``fit`` with this
        ``random_state`` would start from, and see the same mini-batches in the
        same order: network k ends with the weights of
        ``clone(self).set_params(learning_rate=learning_rates[k]).fit(X, y)``.
        The estimator itself keeps its initial weights. sgd and adam only.

        Returns the stacked outcome (a ``sklr._engine.TrainResult``); when
        ``X_held_out`` is given, its history records the held-out loss of each
        network per epoch (``HeldOutLoss.NAME``).
        """
        with one_blas_thread():
            if self.solver == "lbfgs":
                raise ValueError("solver='lbfgs' has no learning rate to vary.")
            self._validate_params()
            X, y_checked, Y, sample_weight, rng = self._prepare(
                X, y, sample_weight, False
            )
            context = self._init_callback_context(max_subtasks=self.max_iter)
            context.call_on_fit_task_begin(estimator=self, X=X, y=y_checked)
            hooks = [_SklearnCallbacks(self, context, X, y_checked, sample_weight)]
            if X_held_out is not None:
                X_ho = validate_data(
                    self,
                    X_held_out,
                    accept_sparse=["csr", "csc"],
                    reset=False,
                    dtype=X.dtype,
                )
                hooks.append(HeldOutLoss(X_ho, self._encode(y_held_out, X.dtype)))
            result = self._fit_stochastic(
                X,
                y_checked,
                Y,
                sample_weight,
                rng,
                False,
                list(learning_rates),
                [*hooks, *extra_hooks],
                catch_interrupt=False,  # an analysis must not keep a cut-short fit
            )
            context.call_on_fit_task_end(estimator=self, X=X, y=y_checked)
            return result

    def _network(self, result, k):
        """A fitted copy of this estimator holding network ``k`` of ``result``."""
        est = copy.copy(self)
        est.learning_rate = float(result.learning_rates[k])
        est._fresh_records()
        est._record(result, False, k)
        est.coefs_ = [c.copy() for c in est.coefs_]  # not views of the stack
        est.intercepts_ = [b.copy() for b in est.intercepts_]
        est._resume = None  # a warm start begins a fresh optimiser state
        return est

    def _check_warm_start_shapes(self, layer_units):
        expected = [(a, b) for a, b in zip(layer_units[:-1], layer_units[1:])]
        got = [np.shape(c) for c in self.coefs_]
        if got != expected or [np.shape(b) for b in self.intercepts_] != [
            (b,) for _, b in expected
        ]:
            raise ValueError(
                "warm_start/partial_fit: the shapes of coefs_ / intercepts_ "
                f"{got} do not match the layer sizes {layer_units} implied by "
                "the data and hidden_layer_sizes."
            )
        for c in self.coefs_ + self.intercepts_:
            if not np.all(np.isfinite(c)):
                raise ValueError(
                    "warm_start/partial_fit: coefs_ and intercepts_ must be finite."
                )

    def _split(self, X, y, Y, sample_weight, rng):
        """Hold out ``validation_fraction`` of the data (early stopping)."""
        # as scikit-learn: stratify binary targets only; on the labels, not on
        # their encoding (the same split, and an error that names the label)
        binary = isinstance(self, ClassifierMixin) and Y.shape[1] == 1
        stratify = y if binary else None
        arrays = [X, y, Y] + ([] if sample_weight is None else [sample_weight])
        try:
            parts = train_test_split(
                *arrays,
                random_state=rng,
                test_size=self.validation_fraction,
                stratify=stratify,
            )
        except ValueError as exc:
            if stratify is None or "least populated" not in str(exc):
                raise
            raise ValueError(
                "early_stopping=True holds out a validation set stratified by "
                f"class (validation_fraction={self.validation_fraction}). {exc}"
            ) from None
        X_tr, X_val, y_tr, y_val, Y_tr, Y_val = parts[:6]
        sw_tr, sw_val = (
            (parts[6], parts[7]) if sample_weight is not None else (None, None)
        )
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small: increase 'validation_fraction' or "
                "the size of the data set (early_stopping=True)."
            )
        return Data(X_tr, Y_tr, sw_tr, X_val, Y_val, y_val, sw_val)

    def _score_stack(self, X, y, sample_weight):
        """A function scoring a stack of networks on held-out ``(X, y)``."""
        spec = self._spec

        def score(coefs, intercepts):
            P = network_predict(spec, coefs, intercepts, X)
            return [self._score_output(P[k], y, sample_weight) for k in range(len(P))]

        return score

    def _fit_stochastic(  # noqa: PLR0913 - the validated data and state of one fit
        self,
        X,
        y,
        Y,
        sample_weight,
        rng,
        incremental,
        learning_rates,
        extra_hooks=(),
        catch_interrupt=None,
    ):
        if self.early_stopping and incremental:
            raise ValueError(
                "partial_fit does not support early_stopping=True: one epoch per "
                "call leaves no held-out split to stop on. Set early_stopping=False."
            )
        if self.early_stopping:
            data = self._split(X, y, Y, sample_weight, rng)
        else:
            data = Data(X, Y, sample_weight)
        batch_size = self._batch_size(data.n_samples)
        schedule = self._schedule(data.n_samples, batch_size)
        self._start_state(schedule, incremental)
        coefs, intercepts = self._stacked_params(X.dtype)
        if self._reference_loss is None:
            # the loss at the starting weights, which all K networks share
            self._reference_loss = subsample_loss(self._spec, coefs, intercepts, data)
        K = len(learning_rates)
        guard = DivergenceGuard(reference_loss=np.repeat(self._reference_loss, K))
        return train(
            self._spec,
            [np.repeat(c, K, axis=0) for c in coefs],
            [np.repeat(b, K, axis=0) for b in intercepts],
            learning_rates,
            data,
            self._optimizer(),
            schedule,
            batch_size=batch_size,
            max_iter=1 if incremental else self.max_iter,
            shuffle=self.shuffle,
            rng=rng,
            hooks=[guard, *self._monitors(data), self._plateau, *extra_hooks],
            resume=self._resume,
            catch_interrupt=(
                CATCH_INTERRUPT.get() if catch_interrupt is None else catch_interrupt
            ),
        )

    def _schedule(self, n_samples, batch_size):
        """The checked schedule of a fit (``lr_schedule`` over ``max_iter``
        epochs)."""
        steps_per_epoch = -(-n_samples // batch_size)
        n_steps = self.max_iter * steps_per_epoch
        schedule = get_schedule(
            self.lr_schedule,
            n_steps=n_steps,
            steps_per_epoch=steps_per_epoch,
            power_t=self.power_t,
        )
        check_schedule(schedule, n_steps)
        return schedule

    def _start_state(self, schedule, incremental):
        """Fresh optimiser, plateau and divergence-reference state for a fit;
        kept when ``partial_fit`` continues a run."""
        if not (incremental and getattr(self, "_resume", None) is not None):
            self._resume = None
            self._plateau = Plateau(
                tol=self.tol,
                n_iter_no_change=self.n_iter_no_change,
                monitor="val_score" if self.early_stopping else "loss",
                schedule=schedule,
                restore_best=self.early_stopping,
            )
            if not incremental:
                self._reference_loss = None

    def _monitors(self, data):
        hooks = []
        if data.has_validation:
            score = self._score_stack(data.X_val, data.y_val, data.sample_weight_val)
            hooks.append(ValidationMonitor(score))
        if self.verbose:
            hooks.append(_VerboseHook())
        return hooks

    def _store_result(self, result, incremental):
        self._record(result, incremental, 0)
        self._resume = result.resume
        self._warn_outcome(result, incremental)

    def _record(self, result, incremental, k):
        """Set the fitted attributes from network ``k`` of a training result:
        the same for a fit (K = 1) and for a network of a stack."""
        self.coefs_ = [c[k] for c in result.coefs]
        self.intercepts_ = [b[k] for b in result.intercepts]
        records = result.history.as_arrays()
        loss, rates = records["loss"], records["learning_rate"]
        val_loss, val_score = records["val_loss"], records["val_score"]
        # the epochs network k trained (NaN after it stopped, in a stack)
        trained = np.zeros(0, bool) if loss is None else ~np.isnan(loss[:, k])
        n_epochs = int(trained.sum())
        self.n_iter_ = (self.n_iter_ if incremental else 0) + n_epochs
        per_epoch = result.samples_seen // max(result.n_epochs, 1)
        self.t_ += (
            result.samples_seen if n_epochs == result.n_epochs else per_epoch * n_epochs
        )
        if n_epochs:
            self.loss_curve_.extend(loss[trained, k].tolist())
            self.learning_rate_curve_.extend(rates[trained, k].tolist())
            self.loss_ = float(loss[trained, k][-1])
        finite = [v for v in self.loss_curve_ if np.isfinite(v)]
        if self.early_stopping:
            self.validation_scores_.extend(val_score[trained, k].tolist())
            self.validation_loss_curve_.extend(val_loss[trained, k].tolist())
            scores = [s for s in self.validation_scores_ if np.isfinite(s)]
            self.best_validation_score_ = max(scores) if scores else -np.inf
        else:
            self.best_loss_ = min(finite) if finite else np.inf
        self.diverged_ = bool(result.status[k] == DIVERGED) or (
            incremental and self.diverged_
        )

    def _warn_outcome(self, result, incremental):
        for event in result.messages:
            if event.kind == DIVERGED:
                self._diverged(event)
            elif self.verbose:
                what = "Validation score" if self.early_stopping else "Training loss"
                print(
                    f"{what} did not improve more than tol={self.tol:f} for "
                    f"{self.n_iter_no_change} consecutive epochs. Stopping."
                )
        active = result.status[0] == ACTIVE
        if (
            not incremental
            and active
            and not result.interrupted
            and result.n_epochs == self.max_iter
        ):
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                "and the optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=user_stacklevel(),
            )

    def _diverged(self, event):
        """Warn, or raise under ``on_divergence='raise'``, that training diverged."""
        what = (
            f"Training diverged in epoch {event.epoch} with learning rate "
            f"{event.rate:.4g}: the loss became non-finite or exceeded "
            f"{DIVERGENCE_FACTOR:g} times its initial value."
        )
        if self.on_divergence == "raise":
            raise DivergenceError(
                f"{what} Use a smaller learning_rate (on_divergence='warn' keeps "
                "the last sound weights instead of raising).",
                epoch=event.epoch,
                learning_rate=event.rate,
            )
        warnings.warn(
            f"{what} The weights are those of the end of its last epoch whose "
            "loss at those weights is under that threshold (of the last "
            f"{KEPT_EPOCHS} epochs; else the initial weights); use a smaller "
            "learning_rate.",
            DivergenceWarning,
            stacklevel=user_stacklevel(),
        )

    def _fit_lbfgs(self, X, Y, sample_weight):
        coefs, intercepts = self._stacked_params(X.dtype)
        res = train_lbfgs(
            self._spec,
            coefs,
            intercepts,
            Data(X, Y, sample_weight),
            max_iter=self.max_iter,
            max_fun=self.max_fun,
            tol=self.tol,
            verbose=self.verbose,
        )
        self.coefs_ = [c[0] for c in res.coefs]
        self.intercepts_ = [b[0] for b in res.intercepts]
        self.n_iter_ = res.n_iter
        self.t_ = X.shape[0]
        self.loss_ = res.loss
        self.diverged_ = False
        if not res.converged:
            warnings.warn(
                f"lbfgs failed to converge after {res.n_iter} iteration(s): "
                f"{res.message}. Increase max_iter or max_fun, or scale the data.",
                ConvergenceWarning,
                stacklevel=4,
            )

    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data matrix X and target(s) y.

        Each epoch is one pass over the (shuffled) training data in mini-batches;
        each mini-batch is one optimiser update ("step"), the clock of
        ``lr_schedule``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data (dense, or scipy.sparse CSR/CSC).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values (class labels in classification, real numbers in
            regression).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    def _check_solver(self):
        if self.solver == "lbfgs":
            raise AttributeError(
                f"partial_fit is only available for stochastic optimizers; "
                f"{self.solver!r} is not stochastic."
            )
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


_PARAMS_DOC = """
    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of neurons in the ith hidden layer.

    activation : {'identity', 'logistic', 'tanh', 'relu'}, default='relu'
        Activation function of the hidden layers.

    solver : {'sgd', 'adam', 'lbfgs'} or sklr.optim.Optimizer, default='sgd'
        'sgd' is mini-batch stochastic gradient descent with (Nesterov) momentum,
        'adam' is Adam, 'lbfgs' is scipy's L-BFGS-B (full batch, no learning rate:
        the reference for users who want to avoid choosing one). An optimiser
        object (``sklr.optim.SGD(momentum=0.5)``, ``Adam(beta_1=0.8)`` or one of
        your own) trains mini-batch with its own settings; ``momentum``,
        ``nesterovs_momentum``, ``beta_1``, ``beta_2`` and ``epsilon`` then do not
        apply.

    alpha : float, default=0.0001
        Strength of the L2 penalty ``0.5 * alpha * ||W||^2 / n_batch`` (biases are
        not penalised), as in scikit-learn.

    batch_size : int or 'auto', default='auto'
        Mini-batch size; 'auto' is ``min(200, n_samples)``.

    learning_rate : float, default=0.01
        The step size that scales every weight update (> 0). For 'adam' it is
        the step size of Adam.

    lr_schedule : str or sklr.optim.Schedule, default='constant'
        Multiplier of ``learning_rate`` as a function of the number of updates
        done (one step = one optimiser update = one mini-batch): 'constant',
        'invscaling' (``(step + 1) ** -power_t``), 'adaptive' (divide by 5 when
        the monitored loss or score stalls for ``n_iter_no_change`` epochs, as in
        scikit-learn), 'step', 'exponential', 'cosine', 'onecycle', 'cyclic',
        'warmup_cosine' (see ``sklr.optim.get_schedule``), or any schedule
        object from ``sklr.optim``.

    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.

    max_iter : int, default=200
        Maximum number of epochs (lbfgs: of iterations).

    shuffle : bool, default=True
        Whether to shuffle the samples at each epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the early-stopping split and the mini-batch
        order: the same seed gives the same bits.

    tol : float, default=1e-4
        Improvement needed to reset the plateau counter (see ``n_iter_no_change``).

    verbose : bool, default=False
        Print the loss after each epoch.

    warm_start : bool, default=False
        Continue from the current ``coefs_`` / ``intercepts_`` (including values
        assigned by the user). As in scikit-learn, each ``fit`` starts a fresh
        optimiser state.

    momentum : float, default=0.9
        Momentum of 'sgd', in [0, 1].

    nesterovs_momentum : bool, default=True
        Whether 'sgd' uses Nesterov's momentum.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data, stop when its score stops
        improving, and restore the weights of the best epoch.

    validation_fraction : float, default=0.1
        Fraction held out for early stopping, in (0, 1).

    beta_1, beta_2 : float, default=0.9, 0.999
        Adam's moment decay rates, in [0, 1).

    epsilon : float, default=1e-8
        Adam's numerical-stability constant.

    n_iter_no_change : int, default=10
        Epochs without an improvement of ``tol`` before stopping (or, with the
        'adaptive' schedule, dividing the rate by 5).

    max_fun : int, default=15000
        Maximum number of loss evaluations of 'lbfgs'.

    on_divergence : {'warn', 'raise'}, default='warn'
        What a diverged fit does (the loss became non-finite or exceeded
        ``DIVERGENCE_FACTOR`` times its initial value). 'warn': stop training,
        keep the weights at the end of the last epoch whose loss at those
        weights is under that threshold (of the last ``KEPT_EPOCHS`` epochs;
        else the initial weights), set ``diverged_`` and warn
        :class:`~sklr.exceptions.DivergenceWarning`. 'raise': the same, then
        raise :class:`~sklr.exceptions.DivergenceError`, a ``ValueError``, so
        that ``GridSearchCV``, ``validation_curve`` and ``cross_validate`` record
        ``error_score`` for that fit instead of scoring those weights, as
        they do for scikit-learn's MLP. :class:`~sklr.LearningRateSearchCV` and
        :func:`~sklr.lr_find` record divergence themselves and ignore it.
"""

_ATTRIBUTES_DOC = """
    loss_ : float
        The loss of the last epoch (training loss plus L2 penalty).

    best_loss_ : float or None
        The lowest finite training loss (None with early stopping).

    loss_curve_ : list of float
        Training loss of each epoch; ``inf`` marks the epoch where training
        diverged. Not set by 'lbfgs'.

    validation_loss_curve_ : list of float or None
        Held-out loss of each epoch (early stopping only).

    validation_scores_ : list of float or None
        Held-out score of each epoch (early stopping only).

    best_validation_score_ : float or None
        Best held-out score (early stopping only).

    learning_rate_curve_ : list of float
        Learning rate of the first update of each epoch (``learning_rate`` times
        the schedule's multiplier).

    diverged_ : bool
        Whether training diverged. The weights are then those at the end of
        the most recent of the last ``KEPT_EPOCHS`` (3) epochs whose loss stayed
        under the divergence threshold (else the initial weights), so
        predictions stay finite.

    t_ : int
        Number of training samples seen.

    coefs_ : list of ndarray of shape (n_fan_in, n_fan_out)
        Weight matrix of each layer.

    intercepts_ : list of ndarray of shape (n_fan_out,)
        Bias vector of each layer.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features,)
        Names of features seen during fit (string column names only).

    n_iter_ : int
        Number of epochs run (lbfgs: iterations).

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of outputs.
"""


class MLPClassifier(ClassifierMixin, BaseMLP):
    __doc__ = (
        """Multi-layer perceptron classifier trained by mini-batch SGD.

    Optimises the log-loss (softmax outputs for multiclass, logistic outputs for
    binary and multilabel targets) by backpropagation, with SGD (momentum,
    Nesterov), Adam or L-BFGS. ``learning_rate`` is the float step size.
"""
        + _PARAMS_DOC
        + """
    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        Class labels.

    out_activation_ : str
        'softmax' (multiclass) or 'logistic' (binary, multilabel).
"""
        + _ATTRIBUTES_DOC
        + """
    See Also
    --------
    MLPRegressor : The regressor.
    sklearn.neural_network.MLPClassifier : scikit-learn's original.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklr import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier(hidden_layer_sizes=(16,), learning_rate=0.05,
    ...                     max_iter=300, random_state=0)
    >>> model = make_pipeline(StandardScaler(), clf).fit(X, y)
    >>> model.score(X, y) > 0.95
    True
    >>> len(clf.loss_curve_) == clf.n_iter_, clf.diverged_
    (True, False)
    """
    )

    def _loss_name(self):
        if getattr(self, "_label_binarizer", None) is not None and (
            self._label_binarizer.y_type_ == "multiclass"
        ):
            return "log_loss"
        return "binary_log_loss"

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start and not incremental:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes "
                        f"as in the previous call to fit. Previously got "
                        f"{self.classes_}, `y` has {classes}."
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {classes}."
                )
        Y = self._label_binarizer.transform(y).astype(X.dtype)
        return X, y, Y

    def _encode(self, y, dtype):
        """Targets as the network's output columns (class indicators)."""
        return self._label_binarizer.transform(y).astype(dtype)

    def _score_output(self, P, y, sample_weight):
        if not np.isfinite(P).all():
            return np.nan
        return accuracy_score(y, self._labels(P), sample_weight=sample_weight)

    def _labels(self, P):
        if self.n_outputs_ == 1:
            P = P.ravel()
        return self._label_binarizer.inverse_transform(P)

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The predicted classes.
        """
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            reset=False,
            dtype=(np.float64, np.float32),
        )
        return self._labels(self._forward_output(X))

    def predict_proba(self, X):
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y_prob : ndarray of shape (n_samples, n_classes)
            Probability of each class, in the order of ``classes_``.
        """
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            reset=False,
            dtype=(np.float64, np.float32),
        )
        P = self._forward_output(X)
        if self.n_outputs_ == 1:
            P = P.ravel()
        if P.ndim == 1:
            return np.vstack([1 - P, P]).T
        return P

    def predict_log_proba(self, X):
        """Logarithm of the probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_y_prob : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    @available_if(lambda est: est._check_solver())
    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with one epoch over the given data.

        The optimiser state (momentum, Adam moments, schedule clock) carries
        over from one call to the next.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        classes : array of shape (n_classes,), default=None
            All the classes; required on the first call, ignored afterwards.

        Returns
        -------
        self : object
            The trained model.
        """
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, BaseMLP):
    __doc__ = (
        """Multi-layer perceptron regressor trained by mini-batch SGD.

    Optimises the half squared error (identity output) or, with
    ``loss="poisson"``, the Poisson deviance with a log link (exp output), by
    backpropagation with SGD (momentum, Nesterov), Adam or L-BFGS.
    ``learning_rate`` is the float step size.
"""
        + _PARAMS_DOC
        + """
    loss : {'squared_error', 'poisson'}, default='squared_error'
        The loss. 'poisson' needs non-negative targets.

    Attributes
    ----------
    out_activation_ : str
        'identity' (squared error) or 'exp' (Poisson).
"""
        + _ATTRIBUTES_DOC
        + """
    See Also
    --------
    MLPClassifier : The classifier.
    sklearn.neural_network.MLPRegressor : scikit-learn's original.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklr import MLPRegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, noise=1.0, random_state=0)
    >>> reg = MLPRegressor(hidden_layer_sizes=(32,), learning_rate=1e-3,
    ...                    max_iter=500, random_state=0).fit(X, y / 100)
    >>> reg.score(X, y / 100) > 0.95
    True
    """
    )

    _parameter_constraints: dict = {
        **BaseMLP._parameter_constraints,
        "loss": [StrOptions(RegressionLosses())],
    }

    def __init__(  # noqa: PLR0913 - scikit-learn: every hyperparameter is an __init__ argument
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        loss="squared_error",
        solver="sgd",
        alpha=0.0001,
        batch_size="auto",
        learning_rate=0.01,
        lr_schedule="constant",
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        on_divergence="warn",
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            lr_schedule=lr_schedule,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            on_divergence=on_divergence,
        )
        self.loss = loss

    def _loss_name(self):
        return self.loss

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                "loss='poisson' requires non-negative target values y; "
                f"got min(y)={np.min(y)}."
            )
        Y = np.asarray(y, dtype=X.dtype)
        Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y
        return X, y, Y

    def _encode(self, y, dtype):
        """Targets as a 2-D array of the network's dtype."""
        Y = np.asarray(y, dtype=dtype)
        return Y.reshape(-1, 1) if Y.ndim == 1 else Y

    def _score_output(self, P, y, sample_weight):
        if not np.isfinite(P).all():
            return np.nan
        pred = P.ravel() if P.shape[1] == 1 else P
        return r2_score(y, pred, sample_weight=sample_weight)

    def predict(self, X):
        """Predict using the multi-layer perceptron.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted values.
        """
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            reset=False,
            dtype=(np.float64, np.float32),
        )
        P = self._forward_output(X)
        return P.ravel() if P.shape[1] == 1 else P

    @available_if(lambda est: est._check_solver())
    @with_callbacks
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one epoch over the given data.

        The optimiser state (momentum, Adam moments, schedule clock) carries
        over from one call to the next.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            The trained model.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)
