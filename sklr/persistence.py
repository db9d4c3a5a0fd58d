"""Sharing fitted sklr models safely.

``pickle`` and ``joblib`` round trips of sklr's estimators and searches give identical
predictions, but loading a pickle runs whatever code its author put in it: load
pickles only from sources you trust. To share a model with people who should not
have to trust you, use ``skops.io`` (``pip install skops``), which refuses to load
any type it was not told to trust::

    import skops.io as sio
    from sklr.persistence import TRUSTED_TYPES

    sio.dump(model, "model.skops")
    unknown = sio.get_untrusted_types(file="model.skops")
    # check that every name in `unknown` is in TRUSTED_TYPES, then:
    model = sio.load("model.skops", trusted=unknown)

A fitted sklr object holds only numpy arrays, Python scalars, scikit-learn objects and
the sklr types listed in ``TRUSTED_TYPES`` (no lambdas, closures or functions), so the
check is a comparison of names.
"""

#: sklr's own types (and the scikit-learn scorer a search keeps) found in fitted
#: sklr objects. Anything else reported by ``skops.io.get_untrusted_types`` did not
#: come from sklr.
TRUSTED_TYPES = (
    "sklr.neural_network.MLPClassifier",
    "sklr.neural_network.MLPRegressor",
    "sklr.search.LearningRateSearchCV",
    "sklr._training.Resume",
    "sklr.callbacks.Plateau",
    "sklr.optim.optimizers.SGDState",
    "sklr.optim.optimizers.AdamState",
    "sklr.optim.schedules.Constant",
    "sklr.optim.schedules.Adaptive",
    "sklr.optim.schedules.InverseScaling",
    "sklr.optim.schedules.StepDecay",
    "sklr.optim.schedules.Exponential",
    "sklr.optim.schedules.Cosine",
    "sklr.optim.schedules.LinearWarmup",
    "sklr.optim.schedules.Join",
    "sklr.optim.schedules.OneCycle",
    "sklr.optim.schedules.Cyclic",
    "sklearn.metrics._scorer._PassthroughScorer",
)
