"""The model the command builds: the preprocessing and the MLP (in a
``TransformedTargetRegressor`` for a regression target, unless told not to)."""

import numpy as np


# -------------------------------------------------------------------- building
def _pipeline(data, args, batch_size):
    from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

    from .. import MLPClassifier, MLPRegressor

    Model = MLPClassifier if data.task == "classification" else MLPRegressor
    mlp = Model(
        hidden_layer_sizes=tuple(args.hidden),
        activation=args.activation,
        solver=args.solver,
        momentum=args.momentum,
        batch_size=batch_size,
        max_iter=getattr(args, "epochs", 200),
        random_state=args.seed,
    )
    steps = []
    numeric = [k for k in range(data.X.shape[1]) if k not in data.categorical]
    scaler = "passthrough" if args.no_scale else StandardScaler()
    if data.categorical:
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
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
    elif not args.no_scale:
        steps.append(("scale", StandardScaler()))
    if args.float32:  # the MLP keeps the dtype of its input
        steps.append(
            ("float32", FunctionTransformer(np.asarray, kw_args={"dtype": np.float32}))
        )
    pipe = Pipeline([*steps, ("mlp", mlp)])
    if _scales_target(data, args):
        return TransformedTargetRegressor(pipe, transformer=StandardScaler())
    return pipe


def _scales_target(data, args):
    return data.task == "regression" and not args.no_scale_target


def _prefix(data, args):
    """The prefix of the MLP's parameter names in the estimator of ``_pipeline``."""
    return "regressor__mlp__" if _scales_target(data, args) else "mlp__"
