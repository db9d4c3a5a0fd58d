"""Mini-batch order: one explicit generator, the same order for all K networks."""

import numpy as np


def gen_batches(n_samples, batch_size):
    """Yield consecutive slices of ``batch_size`` (the last one may be shorter).

    Examples
    --------
    >>> from sklr._core.batching import gen_batches
    >>> [(s.start, s.stop) for s in gen_batches(5, 2)]
    [(0, 2), (2, 4), (4, 5)]
    """
    for start in range(0, n_samples, batch_size):
        yield slice(start, min(start + batch_size, n_samples))


class EpochOrder:
    """Sample order of successive epochs, drawn from one generator.

    With ``shuffle=True`` each epoch permutes the previous epoch's order with
    ``rng.shuffle``, exactly as scikit-learn's MLP does (so that the same
    ``random_state`` gives the same mini-batches as scikit-learn). With
    ``shuffle=False`` every epoch uses the natural order.

    Examples
    --------
    >>> import numpy as np
    >>> from sklr._core.batching import EpochOrder
    >>> order = EpochOrder(4, shuffle=True, rng=np.random.RandomState(0))
    >>> sorted(order.next_epoch().tolist())
    [0, 1, 2, 3]
    """

    def __init__(self, n_samples, *, shuffle, rng):
        self.n_samples = n_samples
        self.shuffle = shuffle
        self.rng = rng
        self._order = np.arange(n_samples)

    def next_epoch(self):
        """The sample indices of the next epoch, in the order they are visited."""
        if self.shuffle:
            permutation = np.arange(self.n_samples)
            self.rng.shuffle(permutation)
            self._order = self._order[permutation]
        return self._order
