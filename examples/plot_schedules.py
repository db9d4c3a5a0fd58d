"""
Learning-rate schedules compared
================================

Left: the multiplier of the learning rate over 600 updates for each named schedule
(one step is one optimiser update, one mini-batch). Right: the training loss per
epoch of the same network on digits, SGD with momentum, peak rate 0.05, under each
schedule.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from sklr import MLPClassifier
from sklr.optim import get_schedule

warnings.simplefilter("ignore", ConvergenceWarning)  # every run uses all 40 epochs
X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
names = [
    "constant",
    "invscaling",
    "step",
    "exponential",
    "cosine",
    "onecycle",
    "cyclic",
    "warmup_cosine",
]
epochs, batch = 40, 120
steps_per_epoch = -(-len(y) // batch)
n_steps = epochs * steps_per_epoch

fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
for name in names:
    schedule = get_schedule(
        name, n_steps=n_steps, steps_per_epoch=steps_per_epoch, power_t=0.25
    )
    left.plot(schedule.values(n_steps), label=name)
    clf = MLPClassifier(
        hidden_layer_sizes=(32,),
        learning_rate=0.05,
        lr_schedule=name,
        power_t=0.25,
        batch_size=batch,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs,
        random_state=0,
    ).fit(X, y)
    right.plot(range(1, clf.n_iter_ + 1), clf.loss_curve_, label=name)
left.set_xlabel("step (optimiser update)")
left.set_ylabel("multiplier of the learning rate")
left.set_title("Multiplier per step (colours as in the legend)")
right.set_yscale("log")
right.set_xlabel("epoch")
right.set_ylabel("training loss")
right.set_title("Training loss under each schedule")
right.legend(fontsize="small", ncols=2)
plt.show()
