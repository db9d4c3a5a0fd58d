"""The range test of a skorch net: the torch optimiser's rate raised before
every mini-batch by a skorch callback, the mini-batch losses recorded by the
recorder of sklr's own test (same smoothing, stopping rule and suggestions)."""

import math
import warnings

from sklearn.base import clone

from .._torch import seeded_torch, train_split_message, with_callback
from ..exceptions import TrainSplitWarning


class _RangeEnd(Exception):
    """Ends the ramp from inside skorch's training loop."""


def ramp_skorch(net, X, y, start_lr, ramp, num_steps, recorder):
    """Run the ramp on a clone of ``net`` (fitted on ``X``, ``y``); returns the
    number of mini-batches an epoch has."""
    from skorch.callbacks import Callback

    class Ramp(Callback):
        def initialize(self):
            self.step = 0
            return self

        def on_batch_begin(self, net, batch=None, training=None, **kwargs):
            if training:
                rate = start_lr * float(ramp(self.step))
                for group in net.optimizer_.param_groups:
                    group["lr"] = rate

        def on_batch_end(self, net, batch=None, training=None, **kwargs):
            if not training:
                return
            loss = float(kwargs["loss"].detach())
            finite = math.isfinite(loss)
            stop = recorder(self.step, [loss], [finite])  # the rate of this batch
            self.step += 1
            if stop or not finite:
                raise _RangeEnd

    message = train_split_message(net, "the range test")
    if message:
        warnings.warn(message, TrainSplitWarning, stacklevel=3)
    rows = len(X)
    batch = net.batch_size if net.batch_size not in (None, -1) else rows
    per_epoch = max(-(-rows // max(int(batch), 1)), 1)
    test = clone(net).set_params(
        lr=start_lr,
        max_epochs=-(-num_steps // per_epoch),
        callbacks=with_callback(net, "sklr_range_test", Ramp()),
        verbose=0,
    )
    with seeded_torch(test):
        try:
            test.fit(X, y)
        except _RangeEnd:
            pass
    return per_epoch
