"""
PyTorch networks through skorch
===============================

The sensitivity analysis of a torch MLP (sklr's
:class:`~sklr.skorch.TorchMLPClassifier`, a skorch net) on digits: the U-curve of
accuracy against the learning rate, the training and held-out loss per epoch of
each rate, and the range test, whose rate ramp runs through a skorch callback on
the torch optimiser, drawn next to torch-lr-finder's range test of the same module
on the same data and ramp.
"""

import contextlib
import io

import matplotlib.pyplot as plt
import torch
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset
from torch_lr_finder import LRFinder

from sklr import LearningRateSearchCV, lr_find
from sklr.plotting import LearningRateSensitivityDisplay, LossCurveDisplay
from sklr.skorch import TorchMLP, TorchMLPClassifier

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
net = TorchMLPClassifier(
    optimizer=torch.optim.SGD,
    max_epochs=10,
    batch_size=32,
    module__hidden_layer_sizes=(32,),
    random_state=0,
)
search = LearningRateSearchCV(net, cv=3, n_jobs=2).fit(X, y)
print(
    f"best learning rate {search.best_learning_rate_:.3g}, good range "
    f"{search.good_range_[0]:.3g} .. {search.good_range_[1]:.3g}"
)

LearningRateSensitivityDisplay.from_cv_results(search)

# %%
# Training loss (skorch's ``train_loss``) and the test fold's loss after every
# epoch, per rate (mean over the folds).
LossCurveDisplay.from_cv_results(search)

# %%
# The range test: one run of the net whose rate rises every mini-batch, read by
# sklr's default rule (``fall``: where three quarters of the smoothed loss's fall
# is done). Beside it, torch-lr-finder's range test of the same module (torch
# seeded with 0 before it is built, as the net's ``random_state=0`` does: the same
# initial weights), on the same data, with the same ramp, at its own defaults
# otherwise (smoothing 0.05, stop at 5x the best loss) and its suggestion as its
# ``plot`` computes it: the steepest gradient of its loss history.
result = lr_find(net, X, y, start_lr=1e-5, end_lr=10, num_steps=100)

torch.manual_seed(0)
module = TorchMLP(X.shape[1], 10, hidden_layer_sizes=(32,))
loader = DataLoader(
    TensorDataset(torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y)),
    batch_size=32,
    shuffle=True,
    generator=torch.Generator().manual_seed(0),
)
finder = LRFinder(
    module,
    torch.optim.SGD(module.parameters(), lr=1e-5),
    torch.nn.CrossEntropyLoss(),
    device="cpu",
)
with (
    contextlib.redirect_stdout(io.StringIO()),
    contextlib.redirect_stderr(io.StringIO()),
):
    finder.range_test(loader, start_lr=1e-5, end_lr=10, num_iter=100)

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
result.plot(ax=left, title=f"sklr lr_find: {result.suggestion:.3g} ({result.rule})")
with contextlib.redirect_stdout(io.StringIO()):
    _, steepest = finder.plot(ax=right, suggest_lr=True)
right.axvline(result.suggestion, color="0.3", ls="--", lw=1, label="sklr's suggestion")
right.axvline(search.best_learning_rate_, color="tab:green", lw=1, label="sweep's best")
left.axvline(search.best_learning_rate_, color="tab:green", lw=1, label="sweep's best")
right.set_title(f"torch-lr-finder: {steepest:.3g} (steepest gradient)")
right.legend()
left.legend()
fig.tight_layout()
print(
    f"sweep's best {search.best_learning_rate_:.3g}; range test: sklr "
    f"{result.suggestion:.3g} (rule {result.rule!r}), torch-lr-finder {steepest:.3g}"
)
plt.show()

# %%
# :doc:`/accuracy` compares these suggestions, and fastai's ``valley``, with the
# sweep's best and the held-out best on the 60 tasks of the validity benchmark
# expressed as torch networks.
