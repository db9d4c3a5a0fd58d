"""The callback the search adds to a skorch net: the test fold's loss after
every epoch, and the fit stopped where its loss blows up (imports skorch)."""

import math
import warnings

import numpy as np
import torch
from skorch.callbacks import Callback

from ._base import EXPLOSION_FACTOR

#: The most rows of the test fold put through the network at once, when its
#: loss is measured after an epoch.
HELD_OUT_CHUNK = 4096


class Diverged(FloatingPointError):
    """Raised from inside a skorch fit whose loss blew up (the family's fit
    records it as diverged at that epoch)."""


class HeldOutLoss(Callback):
    """Records ``held_out_loss`` (the net's loss on ``X``, ``y`` in evaluation
    mode, no gradient) in ``history`` after every epoch; raises
    :class:`Diverged` at a non-finite mini-batch loss, or when an epoch's
    training loss exceeds ``EXPLOSION_FACTOR`` times the first epoch's."""

    def __init__(self, X, y):
        self.X, self.y = X, y

    def initialize(self):
        self.data_ = None
        return self

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        loss = kwargs.get("loss")
        if training and loss is not None and not math.isfinite(float(loss.detach())):
            raise Diverged(f"non-finite training loss at epoch {len(net.history)}")

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1].get("train_loss", np.nan)
        first = net.history[0].get("train_loss", np.nan)
        if not math.isfinite(loss) or abs(loss) > EXPLOSION_FACTOR * abs(first):
            raise Diverged(f"training loss exploded at epoch {len(net.history)}")
        net.history.record("held_out_loss", self.loss(net))

    def loss(self, net):
        """The net's mean loss on the held-out rows (as it trains on them)."""
        if self.data_ is None:
            encode = getattr(net, "_encoded", None)
            self.data_ = (self.X, self.y) if encode is None else encode(self.X, self.y)
        X, y = self.data_
        total, rows = 0.0, len(X)
        if not rows:
            return np.nan
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            for start in range(0, rows, HELD_OUT_CHUNK):
                stop = min(start + HELD_OUT_CHUNK, rows)
                Xi = torch.as_tensor(np.asarray(X[start:stop]))
                yi = torch.as_tensor(np.asarray(y[start:stop]))
                y_pred = net.evaluation_step((Xi, yi), training=False)
                total += float(net.get_loss(y_pred, yi, X=Xi, training=False)) * (
                    stop - start
                )
        return total / rows
