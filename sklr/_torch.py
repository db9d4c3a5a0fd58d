"""What sklr knows of PyTorch and skorch without importing them."""

from contextlib import contextmanager

#: The seed of every fit of a skorch net that has no ``random_state`` (in the
#: search every rate of a fold then starts from the same weights and
#: mini-batches: a paired design; in the range test, a reproducible ramp).
TORCH_SEED = 0


def is_skorch_net(step):
    """Whether ``step`` is a skorch ``NeuralNet`` (of any subclass).

    Examples
    --------
    >>> from sklr._torch import is_skorch_net
    >>> is_skorch_net(object())
    False
    """
    return any(
        cls.__name__ == "NeuralNet" and cls.__module__.split(".")[0] == "skorch"
        for cls in type(step).__mro__
    )


def with_callback(net, name, callback):
    """``net``'s own callbacks (none for None or "disable") and ``callback``
    under ``name``: what ``set_params(callbacks=...)`` is given."""
    own = net.get_params(deep=False).get("callbacks")
    return [*(own if isinstance(own, list | tuple) else []), (name, callback)]


@contextmanager
def torch_threads(n):
    """torch's intra-op threads limited to ``n`` (one per task, as BLAS is: the
    same bits whatever ``n_jobs``); torch is imported only when it is used."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@contextmanager
def seeded_torch(net):
    """torch's global random state seeded for a fit of ``net`` when it has no
    ``random_state`` of its own (``TORCH_SEED``), and restored afterwards."""
    import torch

    with torch.random.fork_rng(devices=[]):
        if "random_state" not in net.get_params(deep=False):
            torch.manual_seed(TORCH_SEED)
        yield


def train_split_message(net, what):
    """What to tell a user whose skorch net keeps part of its training data for
    its own validation (``train_split`` not None; None otherwise): ``what`` (a
    fit of the search, the range test) trains on less than it is given.

    Examples
    --------
    >>> from sklr._torch import train_split_message
    >>> class Net:
    ...     def get_params(self, deep=False):
    ...         return {"train_split": None}
    >>> train_split_message(Net(), "the range test") is None
    True
    """
    split = net.get_params(deep=False).get("train_split")
    if split is None:
        return None
    return (
        f"The net's train_split is {split!r}: skorch holds out part of the data it "
        f"is given for its own validation, so {what} trains on less than the data "
        "given to it (the search measures the held-out loss on the test fold "
        "itself). Pass train_split=None to train on all of it."
    )
