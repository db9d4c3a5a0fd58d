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

A fitted sklr object holds only numpy arrays, Python scalars and the types listed in
``TRUSTED_TYPES``: sklr's own, and scikit-learn's scorers, metric functions,
cross-validation splitters and callbacks (which a search's ``scorer_`` and ``cv`` and an
estimator's callbacks hold). The check is a comparison of names. A scorer or splitter
of your own is not in the list: it is reported, as it should be.
"""

#: sklr's own types found in fitted sklr objects.
SKLR_TYPES = (
    "sklr.neural_network._multilayer_perceptron.MLPClassifier",
    "sklr.neural_network._multilayer_perceptron.MLPRegressor",
    "sklr.search._search.LearningRateSearchCV",
    "sklr.search._sweep.SweepResult",
    "sklr.search._sweep.Layout",
    "sklr.search._diagnosis.EpochBudgets",
    "sklr._engine._run.Resume",
    "sklr._engine._hooks.Plateau",
    "sklr.optim.optimizers.SGD",
    "sklr.optim.optimizers.Adam",
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
    "sklr.optim.schedules.RangeRamp",
)


def _sklearn_types():
    """scikit-learn's names a fitted search or estimator may hold: its scorer
    classes and metric functions (``scorer_``), its cross-validation splitters
    (the ``cv`` parameter) and its callbacks (``set_callbacks``). Loading them
    imports scikit-learn code by name, nothing else."""
    import inspect

    import sklearn.callback
    import sklearn.metrics
    import sklearn.model_selection

    names = {
        "sklearn.metrics._scorer._Scorer",
        "sklearn.metrics._scorer._PassthroughScorer",
        "sklearn.metrics._scorer._MultimetricScorer",
    }
    for module, keep in (
        (sklearn.metrics, inspect.isfunction),
        (sklearn.model_selection, lambda o: inspect.isclass(o) and hasattr(o, "split")),
        (sklearn.callback, inspect.isclass),
    ):
        for name in getattr(module, "__all__", dir(module)):
            try:
                obj = getattr(module, name)
            except ImportError:  # experimental names need an explicit import
                continue
            if keep(obj) and getattr(obj, "__module__", "").startswith("sklearn."):
                names.add(f"{obj.__module__}.{obj.__qualname__}")
    return tuple(sorted(names))


#: Every type a fitted sklr object may hold besides numpy arrays and Python
#: scalars: sklr's own (``SKLR_TYPES``) and scikit-learn's scorers, metric
#: functions, cross-validation splitters and callbacks. Anything else reported by
#: ``skops.io.get_untrusted_types`` did not come from sklr.
TRUSTED_TYPES = SKLR_TYPES + _sklearn_types()
