"""
PyTorch networks through skorch
===============================

The sensitivity analysis of a torch MLP (sklr's
:class:`~sklr.skorch.TorchMLPClassifier`, a skorch net) on digits: the U-curve of
accuracy against the learning rate, the training and held-out loss per epoch of
each rate, and the range test, whose rate ramp runs through a skorch callback on
the torch optimiser.
"""

import matplotlib.pyplot as plt
import torch
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, lr_find
from sklr.plotting import LearningRateSensitivityDisplay, LossCurveDisplay
from sklr.skorch import TorchMLPClassifier

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
# The range test: one run of the net whose rate rises every mini-batch.
result = lr_find(net, X, y, start_lr=1e-5, end_lr=10, num_steps=100)
print(f"range test: {result.suggestion:.3g} (rule {result.rule!r})")
result.plot()
plt.show()
