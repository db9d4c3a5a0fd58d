"""``report.html``: one self-contained page of what ``sklr sweep`` or ``sklr find``
found, to read offline, share or print.

The page carries everything it shows: the figures are the PNG bytes the command
wrote, embedded as ``data:`` URIs; the style is inline CSS; there is no script
and no external resource. Every string that comes from the user (file and column
names, settings) is escaped. The words are those of the terminal: the answer is
the same lines (``_output.Answer``), the table has the same columns.
"""

import base64
import html
import platform

from ._output import HELD_OUT_LOSSES, _cells, _headers, _score_label, _shown_keys

#: One line under each figure: what it shows and what to look at.
CAPTIONS = {
    "sensitivity.png": "The U-curve: mean test {score} per learning rate, with a "
    "band of one standard deviation over the folds and the good range shaded "
    "(rates that diverged, if any, are crosses in the strip at the top). Look for "
    "the flat top and where the curve falls away on either side.",
    "loss_curves.png": "Loss per epoch (or boosting round), one line per rate: the "
    "best rate and one rate of each other diagnosis in their colours, the others "
    "grey. Look for curves that fall steadily: a jagged or rising curve "
    "oscillates, a held-out loss that climbs while the training loss falls "
    "overfits, and a cross marks where a rate diverged.",
    "batch_size.png": "Mean test {score} over learning rate and batch size (grey: "
    "diverged; boxed: each batch size's best rate). See how the best rate moves "
    "with the batch size.",
    "lr_find.png": "The range test: the loss while the rate rises at every "
    "mini-batch. Look for the stretch where the loss falls fastest, before it "
    "explodes; the suggested rate is marked.",
}

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial,
  sans-serif; color: #1a1a1a; background: #fff; max-width: 60rem; margin: 2rem auto;
  padding: 0 1.5rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
.subtitle { color: #555; margin-top: 0; }
.answer { font-size: 1.15rem; background: #f3f6fa; border-left: 4px solid #3a6ea5;
  padding: 0.7rem 1rem; margin: 1rem 0 0.3rem; }
.more { color: #444; margin: 0.2rem 0 0 1.2rem; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.92rem; }
th, td { padding: 0.25rem 0.7rem; border-bottom: 1px solid #e3e3e3; text-align: right; }
th { background: #f5f5f5; }
td.text, th.text { text-align: left; }
td.diagnosis { text-align: center; font-weight: 600; }
tr.best td { font-weight: 700; }
figure { margin: 1.2rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.92rem; margin-top: 0.3rem; }
dt { font-weight: 700; margin-top: 0.4rem; }
dd { margin-left: 1.5rem; }
.swatch { display: inline-block; padding: 0 0.4rem; border-radius: 3px; }
code { font-size: 0.9em; }
@media print {
  body { max-width: none; margin: 0; }
  figure, table, .answer { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _e(value):
    """Any value as escaped HTML text."""
    return html.escape(str(value), quote=True)


def _page(title, body):
    """The whole document: a title, inline CSS, the body; nothing external."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"{body}\n</body>\n</html>\n"
    )


def _figure(name, png, caption):
    """A figure: the PNG bytes as a data: URI, and its caption."""
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure id="{_e(name.removesuffix(".png"))}">'
        f'<img src="data:image/png;base64,{data}" alt="{_e(name)}">'
        f"<figcaption>{_e(caption)} <code>({_e(name)})</code></figcaption></figure>"
    )


def _figures(figures, score):
    """Every figure written, in the order it was written."""
    if not figures:
        return ""
    parts = [
        _figure(name, png, CAPTIONS.get(name, name).format(score=score))
        for name, png in figures.items()
    ]
    return '<h2 id="figures">Figures</h2>\n' + "\n".join(parts)


def _answer(answer):
    """The recommendation (as one sentence) and the rest of the answer below it
    (an ``Answer`` of ``_output``)."""
    more = "".join(f'<p class="more">{_e(line)}</p>' for line in answer.more)
    sentence = _e(recommendation(answer.recommendation))
    return f'<p class="answer" id="recommendation">{sentence}</p>' + more


def recommendation(lines):
    """The recommendation's lines (best rate; good range, or why there is none)
    as one sentence."""
    sentence = "; ".join(lines)
    return sentence[:1].upper() + sentence[1:]  # no final stop: it reads as a digit


def _key_values(title, anchor, mapping):
    """A two-column table of names and values."""
    rows = "".join(
        f'<tr><th class="text">{_e(k)}</th><td class="text">{_e(_shown(v))}</td></tr>'
        for k, v in mapping.items()
    )
    return f'<h2 id="{anchor}">{_e(title)}</h2>\n<table>{rows}</table>'


def _shown(value):
    """A setting as people type it: lists comma-separated, None as a dash."""
    if value is None:
        return "-"
    if isinstance(value, (list, tuple)):  # rates compactly: 0.0316, not 0.0316227...
        return ", ".join(f"{v:.3g}" if isinstance(v, float) else str(v) for v in value)
    return value


def _versions(versions):
    """The versions of the summary, with the platform."""
    return {**versions, "platform": versions.get("platform", platform.platform())}


def sweep_report(rows, summary, settings, figures, several, answer):
    """The page of ``sklr sweep``.

    Parameters
    ----------
    rows : list of dict
        The per-rate rows (``_output._rows``).
    summary : dict
        The summary of the run (``_output._summary``).
    settings : dict
        The settings (``settings.json``).
    figures : dict
        File name to the PNG bytes written, in order.
    several : bool
        Whether there are several batch sizes.
    answer : Answer
        The answer (``_output.Answer``): the recommendation and the lines after
        it, as the terminal prints them, and the notes.
    """
    data = summary["data"]
    title = f"sklr sweep: {data['name']}"
    body = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="subtitle">{_e(_describe(data, settings, summary["unit"]))}</p>',
        _answer(answer),
        '<h2 id="rates">Every learning rate</h2>',
        _rate_table(rows, summary, several),
        _notes(summary, _shown_keys(rows, _headers(summary), several)),
        _figures(figures, _score_label(summary)),
        _diagnoses(),
        _key_values("Settings", "settings", settings),
        _key_values("Versions", "versions", _versions(summary["versions"])),
    ]
    return _page(title, "\n".join(body))


def _describe(data, settings, unit):
    """One line: the data and the size of the sweep (``unit``: one step of the
    model's curves, e.g. "epoch")."""
    folds = settings.get("cv")
    model = settings.get("model", "mlp")
    rounds = f"{unit}s"
    return (
        f"{data['n_samples']} samples, {data['n_features']} features, {data['task']}"
        + ("" if model == "mlp" else f"; model {model}")
        + (f"; {folds}-fold cross-validation" if folds else "")
        + (f", at most {settings['epochs']} {rounds}" if settings.get("epochs") else "")
    )


def _rate_table(rows, summary, several):
    """The per-rate table: the terminal's columns, diagnosis cells coloured."""
    headers = _headers(summary)
    keys = _shown_keys(rows, headers, several)
    head = "".join(
        f'<th class="{"text" if k == "diagnosis" else ""}">{_e(headers[k])}</th>'
        for k in keys
    )
    body = []
    for i, row in enumerate(rows):
        shown = _cells(row)
        best = i == summary["best_index"]
        tds = "".join(
            _diagnosis_cell(row["diagnosis"], best)
            if k == "diagnosis"
            else f"<td>{_e(shown[k])}</td>"
            for k in keys
        )
        body.append(f'<tr class="{"best" if best else ""}">{tds}</tr>')
    return (
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _diagnosis_cell(diagnosis, best):
    """A diagnosis, on its colour (the displays'), with readable text."""
    from ..search import DIAGNOSIS_NAMES

    return (
        f'<td class="diagnosis" style="{_colours(diagnosis)}">'
        f"{_e(DIAGNOSIS_NAMES.get(diagnosis, diagnosis))}"
        + (" &#9733;" if best else "")
        + "</td>"
    )


def _colours(diagnosis):
    """CSS of a diagnosis: its colour as background, black or white text,
    whichever contrasts more."""
    from matplotlib.colors import to_hex, to_rgb

    from ..plotting import DIAGNOSIS_COLORS

    colour = DIAGNOSIS_COLORS.get(diagnosis, "#999999")
    luminance = _luminance(to_rgb(colour))
    text = (
        "#000000"
        if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05)
        else "#ffffff"
    )
    return f"background: {to_hex(colour)}; color: {text}"


def _luminance(rgb):
    """WCAG relative luminance of an sRGB colour."""

    def linear(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _notes(summary, keys):
    """What the columns shown (``keys``) are."""
    _, loss, with_l2 = HELD_OUT_LOSSES[summary["held_out_loss"]]
    l2 = " (with the L2 term, as scikit-learn reports it)" if with_l2 else ""
    parts = [
        f"The score is the mean test {_e(_score_label(summary))} over the folds, "
        "with its standard deviation"
    ]
    if "mean_final_loss" in keys:
        parts.append(
            f"the held-out loss is the {loss} on the test fold after the last epoch"
            f"{l2}, mean over the folds that did not diverge"
        )
    if "mean_epochs" in keys:
        unit = _headers(summary)["mean_epochs"]  # epochs, or a boosting's rounds
        parts.append(
            f"{unit} is the mean number of {unit} the folds ran (a tolerance stop "
            "or divergence ends a fold early)"
        )
    text = "; ".join(parts) + ". &#9733; marks the best rate."
    if summary["target_standardised"]:
        text += (
            " The target is standardised on each training fold: scores are computed "
            "in its own units, losses are those of the standardised target."
        )
    return f'<p class="more">{text}</p>'


def _diagnoses():
    """What each diagnosis means, in the words of ``sklr.search._diagnosis``."""
    from ..search import (
        BASELINE_ALPHA,
        DIAGNOSIS_NAMES,
        GOOD_RANGE_ALPHA,
        OSCILLATION_FRACTION,
        RISE_TOLERANCE,
    )

    meanings = {
        "good": "in the good range: not significantly worse than the best rate "
        f"(one-sided paired t-test over the folds at {GOOD_RANGE_ALPHA:.0%}), "
        "clearly better than the baseline (a model that ignores the features, or "
        f"the untrained network; paired t-test at {BASELINE_ALPHA:.0%}), no fold "
        "diverged or failed, and not oscillating.",
        "too_low": "below the good range: it learns too slowly for the epoch budget.",
        "oscillating": f"its training loss rises (by more than {RISE_TOLERANCE:.1%}"
        f") in at least {OSCILLATION_FRACTION:.0%} of the epochs: too fast.",
        "too_high": "above the good range (too fast), its loss curve calm or not "
        "recorded.",
        "diverged": "its loss exploded on at least one fold; it is never recommended.",
        "unscored": "its fit or the scorer failed (or gave NaN) on at least one fold.",
    }
    items = "".join(
        f'<dt><span class="swatch" style="{_colours(name)}">'
        f"{_e(DIAGNOSIS_NAMES[name])}</span></dt>"
        f"<dd>{_e(text)}</dd>"
        for name, text in meanings.items()
    )
    return f'<h2 id="diagnoses">What each diagnosis means</h2>\n<dl>{items}</dl>'


def find_report(document, settings, figures, answer, versions):
    """The page of ``sklr find``.

    Parameters
    ----------
    document : dict
        What ``lr_find.json`` holds.
    settings : dict
        The command's settings.
    figures : dict
        File name to the PNG bytes written.
    answer : list of str
        The suggestion's lines, as the terminal prints them.
    versions : dict
        The versions of sklr, scikit-learn, numpy and Python.
    """
    title = f"sklr find: {document['data']}"
    suggestions = {
        k: "-" if v is None else f"{v:.4g}" for k, v in document["suggestions"].items()
    }
    subtitle = (
        f"{document['n_steps']} mini-batches ({document['n_epochs']:.3g} epochs)"
        + ("; stopped early: the loss exploded" if document["stopped_early"] else "")
    )
    notes = "".join(f'<p class="more">note: {_e(w)}</p>' for w in document["warnings"])
    body = [
        f"<h1>{_e(title)}</h1>",
        f'<p class="subtitle">{_e(subtitle)}</p>',
        f'<p class="answer" id="recommendation">{_e(recommendation(answer))}</p>',
        notes,
        _key_values("Every rule's suggestion", "rules", suggestions),
        _figures(figures, "score"),
        _key_values("Settings", "settings", settings),
        _key_values("Versions", "versions", _versions(versions)),
    ]
    return _page(title, "\n".join(body))
