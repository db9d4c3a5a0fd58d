"""The model the command builds: the preprocessing and the model (in a
``TransformedTargetRegressor`` for a regression target, unless told not to).

``--model`` chooses the family: sklr's MLP (trained as a stack, every rate of a
fold at once), scikit-learn's MLP, SGD, or gradient boosting (fitted once per
fold and rate, as ``GridSearchCV`` fits them).
"""

import numpy as np

from ._base import CommandError

#: --model: the estimators of each task, the step of the Pipeline, and whether
#: the MLP options (--hidden, --activation, --solver, --momentum) apply
MODELS = {
    "mlp": "sklr's MLPClassifier / MLPRegressor (all rates of a fold at once)",
    "sklearn-mlp": "scikit-learn's MLPClassifier / MLPRegressor (learning_rate_init)",
    "torch-mlp": "a PyTorch MLP trained by skorch (sklr.skorch.TorchMLPClassifier / "
    "Regressor, lr; needs the torch extra)",
    "sgd": "SGDClassifier(loss='log_loss') / SGDRegressor, learning_rate='constant' "
    "(eta0)",
    "hist-gradient-boosting": "HistGradientBoostingClassifier / Regressor "
    "(learning_rate; --epochs is max_iter)",
    "gradient-boosting": "GradientBoostingClassifier / Regressor (learning_rate; "
    "--epochs is n_estimators)",
}
#: the --model values that are MLPs (the MLP options apply to them)
MLP_MODELS = ("mlp", "sklearn-mlp", "torch-mlp")
#: the defaults of the MLP options, applied when the model is an MLP
MLP_DEFAULTS = {"hidden": [100], "activation": "relu", "solver": "sgd", "momentum": 0.9}


def resolve(args):
    """Check the options against --model and fill in the defaults that depend
    on it (the MLP options, the ends of the grid, the batch size)."""
    model = getattr(args, "model", "mlp")
    args.model = model
    if model not in MLP_MODELS:
        given = [f"--{k}" for k in MLP_DEFAULTS if getattr(args, k, None) is not None]
        if len(getattr(args, "batch_size", None) or ["auto"]) > 1 or (
            getattr(args, "batch_size", None) not in (None, ["auto"])
        ):
            given.append("--batch-size")
        if given:
            verb = "applies" if len(given) == 1 else "apply"
            raise CommandError(
                f"{', '.join(given)} {verb} to --model mlp, sklearn-mlp and "
                "torch-mlp, not to "
                f"--model {model}"
            )
    else:  # an MLP: its options' defaults (another model leaves them unset)
        for key, value in MLP_DEFAULTS.items():
            if getattr(args, key, None) is None:
                setattr(args, key, value)
    if hasattr(args, "lr_min"):  # the ends of the model's family's default grid
        low, high = _grid_ends(args)
        args.lr_min = low if args.lr_min is None else args.lr_min
        args.lr_max = high if args.lr_max is None else args.lr_max
    return args


def _grid_ends(args):
    """The lowest and highest rate of the default grid of --model's family."""
    from types import SimpleNamespace

    from ..search import default_grid

    probe = SimpleNamespace(task="classification")
    grid = default_grid(_estimator(probe, args, "auto"))
    return float(grid.min()), float(grid.max())


# -------------------------------------------------------------------- building
def _estimator(data, args, batch_size):
    """The estimator of --model, its random state and epochs set."""
    classify = data.task == "classification"
    epochs = getattr(args, "epochs", 200)
    if args.model in MLP_MODELS:
        return _mlp(args, classify, batch_size, epochs)
    if args.model == "sgd":
        from sklearn.linear_model import SGDClassifier, SGDRegressor

        if classify:
            return SGDClassifier(
                loss="log_loss",
                learning_rate="constant",
                max_iter=epochs,
                random_state=args.seed,
            )
        return SGDRegressor(
            learning_rate="constant", max_iter=epochs, random_state=args.seed
        )
    from sklearn import ensemble

    if args.model == "hist-gradient-boosting":
        name = "HistGradientBoosting" + ("Classifier" if classify else "Regressor")
        return getattr(ensemble, name)(
            max_iter=epochs, early_stopping=False, random_state=args.seed
        )
    name = "GradientBoosting" + ("Classifier" if classify else "Regressor")
    return getattr(ensemble, name)(n_estimators=epochs, random_state=args.seed)


def _mlp(args, classify, batch_size, epochs):
    if args.model == "torch-mlp":
        return _torch_mlp(args, classify, batch_size, epochs)
    if args.model == "mlp":
        from .. import MLPClassifier, MLPRegressor
    else:
        from sklearn.neural_network import MLPClassifier, MLPRegressor
    Model = MLPClassifier if classify else MLPRegressor
    return Model(
        hidden_layer_sizes=tuple(args.hidden),
        activation=args.activation,
        solver=args.solver,
        momentum=args.momentum,
        batch_size=batch_size,
        max_iter=epochs,
        random_state=args.seed,
    )


def _torch_mlp(args, classify, batch_size, epochs):
    """The torch MLP of --model torch-mlp: SGD with Nesterov momentum (as sklr's
    and scikit-learn's MLPs with --solver sgd) or Adam, "auto" batches of 200."""
    try:
        import torch

        from ..skorch import TorchMLPClassifier, TorchMLPRegressor
    except ImportError as exc:
        raise CommandError(
            f"--model torch-mlp needs PyTorch and skorch ({exc}): "
            "python -m pip install 'sklr[torch]'"
        ) from exc
    if args.solver == "lbfgs":
        raise CommandError("--solver lbfgs has no learning rate: use sgd or adam")
    if args.solver == "sgd":
        optimizer = {
            "optimizer": torch.optim.SGD,
            "optimizer__momentum": args.momentum,
            "optimizer__nesterov": args.momentum > 0,
        }
    else:
        optimizer = {"optimizer": torch.optim.Adam}
    Net = TorchMLPClassifier if classify else TorchMLPRegressor
    return Net(
        module__hidden_layer_sizes=tuple(args.hidden),
        module__activation=args.activation,
        batch_size=200 if batch_size == "auto" else int(batch_size),
        max_epochs=epochs,
        random_state=args.seed,
        **optimizer,
    )


def _pipeline(data, args, batch_size):
    """The estimator of the command, from options ``resolve`` has completed."""
    from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

    steps = []
    numeric = [k for k in range(data.X.shape[1]) if k not in data.categorical]
    scaler = "passthrough" if args.no_scale else StandardScaler()
    impute = getattr(args, "impute", None)
    if impute is not None:  # missing values filled, and marked
        imputer = SimpleImputer(strategy=impute, add_indicator=True)
        scaler = make_pipeline(imputer, scaler)
    if data.categorical:
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        if impute is not None:
            encoder = make_pipeline(SimpleImputer(strategy="most_frequent"), encoder)
        steps.append(
            (
                "features",
                ColumnTransformer(
                    [
                        ("numeric", scaler, numeric),
                        ("categorical", encoder, data.categorical),
                    ]
                ),
            )
        )
    elif impute is not None:
        steps.append(("impute_scale", scaler))
    elif not args.no_scale:
        steps.append(("scale", StandardScaler()))
    if args.float32:  # the model keeps the dtype of its input
        steps.append(
            ("float32", FunctionTransformer(np.asarray, kw_args={"dtype": np.float32}))
        )
    pipe = Pipeline([*steps, (_step_name(args), _estimator(data, args, batch_size))])
    if _scales_target(data, args):
        return TransformedTargetRegressor(pipe, transformer=StandardScaler())
    return pipe


def _step_name(args):
    return "mlp" if getattr(args, "model", "mlp") in MLP_MODELS else "model"


def _scales_target(data, args):
    return data.task == "regression" and not args.no_scale_target


def _prefix(data, args):
    """The prefix of the model's parameter names in the estimator of
    ``_pipeline``."""
    prefix = f"{_step_name(args)}__"
    return f"regressor__{prefix}" if _scales_target(data, args) else prefix
