"""Quickstart: fit an MLP at three learning rates and print the learning curves.

Run with ``python examples/quickstart.py`` (1.5-1.6 s on a 2-core VM, measured
by ``python -m benchmarks``: benchmarks/results/full.md).
"""

import warnings

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import DivergenceWarning, MLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)

print("sklr quickstart: MLPClassifier(hidden_layer_sizes=(64,)) on digits, SGD with")
print("Nesterov momentum 0.9, batch size 200, 30 epochs, at three learning rates.\n")
curves = {}
for rate in (1e-4, 1e-2, 10.0):
    clf = MLPClassifier(
        hidden_layer_sizes=(64,), learning_rate=rate, max_iter=30, random_state=0
    )
    model = make_pipeline(StandardScaler(), clf)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X_train, y_train)
    diverged = any(issubclass(w.category, DivergenceWarning) for w in caught)
    curves[rate] = clf.loss_curve_
    status = (
        "DIVERGED" if diverged else f"test accuracy {model.score(X_test, y_test):.3f}"
    )
    print(f"learning_rate={rate:<8g} epochs={clf.n_iter_:<3d} {status}")

print("\nTraining loss per epoch (a diverged run ends at the epoch its loss exploded)")
print("epoch " + "".join(f"{f'lr={r:g}':>14}" for r in curves))
for epoch in range(max(len(c) for c in curves.values())):
    cells = [
        f"{c[epoch]:14.4f}" if epoch < len(c) else " " * 14 for c in curves.values()
    ]
    print(f"{epoch + 1:5d} " + "".join(cells))
