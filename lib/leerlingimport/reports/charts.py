"""Charts of a run report, where a picture reads faster than a table: pupils per year group
before and after, and the changes by kind. Each is a ``Chart``: a notebook shows it as a PNG
(embedded in the executed notebook and its HTML: no network, no display, no pyplot), ``.png``
gives the bytes for a mail, ``.figure`` the matplotlib figure."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from leerlingimport.reports.changes import KINDS
from leerlingimport.reports.model import RunReport
from leerlingimport.reports.render import KIND_LABELS, WORDS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BEFORE, AFTER = "#9aa5b1", "#1f6feb"  # grey then, blue now: readable in print as well


@dataclass(frozen=True)
class Chart:
    """A figure that a notebook displays as a PNG, embedded with its description as the
    alternative text (for screen readers, and so the archived HTML page is complete)."""

    figure: Figure
    description: str = ""

    @property
    def png(self) -> bytes:
        return figure_png(self.figure)

    def _repr_png_(self) -> bytes:
        return self.png

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        alt = html.escape(self.description or "grafiek")
        return f'<img alt="{alt}" style="max-width:100%" src="data:image/png;base64,{data}">'


def chart_year_groups(report: RunReport) -> Chart:
    """Pupils per year group before and after the run, side by side."""
    from matplotlib.figure import Figure

    nl = report.language == "nl"
    years = report.year_groups
    figure = Figure(figsize=(7, 3.2), layout="constrained")
    axes = figure.subplots()
    positions = list(range(len(years)))
    width = 0.4
    axes.bar(
        [p - width / 2 for p in positions],
        years["before"],
        width,
        color=BEFORE,
        label="voor" if nl else "before",
    )
    bars = axes.bar(
        [p + width / 2 for p in positions],
        years["after"],
        width,
        color=AFTER,
        label="na" if nl else "after",
    )
    axes.bar_label(bars, fontsize=8)
    axes.set_xticks(positions, [str(y) for y in years.index])
    axes.set_xlabel(WORDS[report.language]["year"])
    axes.set_ylabel("leerlingen" if nl else "pupils")
    axes.set_title(f"{report.school} ({report.brin})")
    axes.legend(frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    pairs = ", ".join(
        f"{y}: {b} → {a}"
        for y, b, a in zip(years.index, years["before"], years["after"], strict=True)
    )
    return Chart(
        figure, f"{axes.get_title()}, {axes.get_ylabel()} per {axes.get_xlabel()}: {pairs}"
    )


def chart_changes(report: RunReport) -> Chart:
    """How many pupils each kind of change concerns, as horizontal bars."""
    from matplotlib.figure import Figure

    once = report.changes.drop_duplicates(["kind", "pupil"])
    counts = once["kind"].value_counts()
    kinds = [k for k in KINDS if counts.get(k, 0)]
    figure = Figure(figsize=(7, 0.45 * max(len(kinds), 2) + 1), layout="constrained")
    axes = figure.subplots()
    labels = [KIND_LABELS[report.language][k] for k in kinds]
    bars = axes.barh(labels[::-1], [int(counts[k]) for k in kinds][::-1], color=AFTER)
    axes.bar_label(bars, fontsize=8, padding=2)
    axes.set_title(WORDS[report.language]["changes"])
    axes.spines[["top", "right"]].set_visible(False)
    if not kinds:
        axes.text(0.5, 0.5, "—", ha="center", va="center", transform=axes.transAxes)
    shown = ", ".join(f"{label} {int(counts[k])}" for label, k in zip(labels, kinds, strict=True))
    return Chart(figure, f"{axes.get_title()}: {shown or '—'}")


def figure_png(figure: Figure, dpi: int = 120) -> bytes:
    """The figure as PNG bytes (for a mail or an HTML page without network access)."""
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=dpi)
    return out.getvalue()
