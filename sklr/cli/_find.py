"""``sklr find``: the learning-rate range test."""

import dataclasses
import json
import math
import re
import sys
import warnings
from pathlib import Path

from .._outdir import (
    claim,
    write_text,
)
from ._base import NO_ANSWER, CommandError
from ._data import load_for
from ._model import _pipeline, _scales_target, resolve
from ._output import _finite, _save_png, _say, _versions
from ._report import find_report


# ------------------------------------------------------------------------ find
def run_find(args):
    """``sklr find``: the range test; print the suggestions, write JSON and PNG."""
    from .. import lr_find

    resolve(args)
    if args.end_lr <= args.start_lr:
        raise CommandError(
            f"--end-lr ({args.end_lr:g}) must be larger than --start-lr "
            f"({args.start_lr:g})"
        )
    data = load_for(args)
    out = Path(args.out)
    claim(out, "find", force=args.force)  # before the test, not after it
    pipe = _pipeline(data, args, args.batch_size or "auto")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("ignore")
        warnings.simplefilter("always", UserWarning)
        try:
            result = lr_find(
                pipe,
                data.X,
                data.y,
                start_lr=args.start_lr,
                end_lr=args.end_lr,
                num_steps=args.num_steps,
                mode=args.mode,
                suggestion=args.suggestion,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
    notes = list(dict.fromkeys(_in_our_words(str(w.message)) for w in caught))
    _say(
        args,
        f"sklr find: {data.name} ({len(data.y)} samples, {data.task}), "
        f"{len(result.losses)} steps ({result.n_epochs:.3g} epochs) from "
        f"{args.start_lr:g} to {args.end_lr:g}"
        + (" (stopped early: the loss exploded)" if result.stopped_early else ""),
    )
    found = math.isfinite(result.suggestion)
    answer = f"suggested learning rate ({result.rule}): " + (
        f"{result.suggestion:.4g}" if found else "none"
    )
    print(answer)
    others = dataclasses.asdict(result.suggestions)
    _say(args, "  " + ", ".join(f"{k} {v:.4g}" for k, v in others.items()))
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    _write_find(out, result, args, notes, data, answer)
    return 0 if found else NO_ANSWER


#: The options of ``sklr find`` that set what it computes (its settings).
FIND_SETTINGS = (
    "data",
    "target",
    "task",
    "no_scale",
    "no_scale_target",
    "hidden",
    "activation",
    "solver",
    "momentum",
    "seed",
    "float32",
    "batch_size",
    "start_lr",
    "end_lr",
    "num_steps",
    "mode",
    "suggestion",
)


def _in_our_words(message):
    """A warning of lr_find as the command says it: its options' names, and a
    lower-case start after "note:"."""
    for name in ("end_lr", "start_lr", "num_steps"):
        message = re.sub(rf"\b{name}\b", "--" + name.replace("_", "-"), message)
    return message[:1].lower() + message[1:]


def _write_find(out, result, args, notes, data, answer):
    out.mkdir(parents=True, exist_ok=True)

    def finite(values):
        return [v if math.isfinite(v) else None for v in values.tolist()]

    document = {
        "data": args.data,
        "suggestion": _finite(result.suggestion),
        "rule": result.rule,
        "suggestions": {
            k: _finite(v) for k, v in dataclasses.asdict(result.suggestions).items()
        },
        "stopped_early": result.stopped_early,
        "n_steps": len(result.losses),
        "n_epochs": result.n_epochs,
        "target_standardised": _scales_target(data, args),
        "warnings": notes,
        "learning_rates": result.learning_rates.tolist(),
        "losses": finite(result.losses),
        "smoothed_losses": finite(result.smoothed_losses),
    }
    text = json.dumps(document, indent=2, allow_nan=False)  # strict JSON, or fail
    write_text(out / "lr_find.json", text + "\n")
    written = ["lr_find.json"]
    figures = {}
    if not args.no_plots:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        display = result.plot()
        figures["lr_find.png"] = _save_png(display.figure_, out / "lr_find.png")
        plt.close(display.figure_)
        written.append("lr_find.png")
    settings = {k: getattr(args, k) for k in FIND_SETTINGS}
    page = find_report(document, settings, figures, [answer], _versions())
    write_text(out / "report.html", page)
    written.append("report.html")
    _say(args, f"wrote {', '.join(written)} to {out}")
