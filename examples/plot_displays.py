"""
Every display of sklr on digits
===============================

Runs a learning-rate sensitivity analysis crossed with three batch sizes, and the
learning-rate range test, on standardised digits with plain SGD, and saves the
five displays as PNG files (``--out`` directory, default ``displays/``).
8.3-9.8 s on a 2-core VM, measured by ``python -m benchmarks``
(benchmarks/results/full.md).
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklr import LearningRateSearchCV, MLPClassifier, lr_find
from sklr.plotting import (
    LearningRateBatchSizeDisplay,
    LearningRateEpochsDisplay,
    LearningRateSensitivityDisplay,
    LossCurveDisplay,
    LRFinderDisplay,
)

parser = argparse.ArgumentParser()
parser.add_argument("--out", default="displays")
out = Path(parser.parse_args().out)
out.mkdir(parents=True, exist_ok=True)

X, y = load_digits(return_X_y=True)
pipe = make_pipeline(
    StandardScaler(),
    MLPClassifier(
        hidden_layer_sizes=(32,), momentum=0.0, max_iter=20, tol=0.0, random_state=0
    ),
)
search = LearningRateSearchCV(pipe, cv=3, n_jobs=2).fit(X, y)

LearningRateSensitivityDisplay.from_cv_results(search)
plt.savefig(out / "sensitivity.png", dpi=110, bbox_inches="tight")
LearningRateSensitivityDisplay.from_cv_results(search, metric="loss", show_train=True)
plt.savefig(out / "sensitivity_loss.png", dpi=110, bbox_inches="tight")
LossCurveDisplay.from_cv_results(search)
plt.savefig(out / "loss_curves.png", dpi=110, bbox_inches="tight")
LearningRateEpochsDisplay.from_cv_results(search)
plt.savefig(out / "epoch_budgets.png", dpi=110, bbox_inches="tight")

result = lr_find(pipe, X, y, start_lr=1e-5, end_lr=10, num_steps=100)
LRFinderDisplay.from_result(result)
plt.savefig(out / "lr_find.png", dpi=110, bbox_inches="tight")

by_batch = LearningRateSearchCV(
    pipe, param_grid={"mlpclassifier__batch_size": [16, 64, 256]}, cv=3, n_jobs=2
).fit(X, y)
LearningRateBatchSizeDisplay.from_cv_results(by_batch)
plt.savefig(out / "lr_batch_size.png", dpi=110, bbox_inches="tight")
LearningRateSensitivityDisplay.from_cv_results(by_batch)
plt.savefig(out / "sensitivity_by_batch_size.png", dpi=110, bbox_inches="tight")
print("saved", sorted(p.name for p in out.glob("*.png")), "in", out)
