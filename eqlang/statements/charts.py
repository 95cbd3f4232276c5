"""Charts of statements as static SVG, drawn by matplotlib: takes the figures to chart,
gives the SVG markup to put in a page.

matplotlib draws them (a well-kept library whose SVG backend needs no browser, no script
and no font file: text stays text, in the page's own fonts). Its output is made
reproducible: no date, a fixed salt for the ids it hashes, and the same settings whatever
the user's matplotlib configuration says. A statement's chart is the same for every
organization of a contract but for its numbers, so one figure is drawn once and only its
bars and labels change from one organization to the next.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import matplotlib

matplotlib.use("svg", force=False)

from matplotlib.figure import Figure

#: The settings every chart is drawn with, whatever matplotlibrc says.
STYLE = {
    "svg.hashsalt": "eqlang",
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9.0,
    "axes.edgecolor": "#555555",
    "axes.linewidth": 0.6,
    "text.color": "#1a1a1a",
    "hatch.color": "#888888",
    "path.simplify": False,
}

EARNED = "#2f6f9f"
MISSED = "#d9dee3"
TOTAL = "#1f3b57"
UNSCORED = "#b0b0b0"
WIDTH_INCHES = 7.0


@contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context(STYLE):
        yield


def _svg(figure: Figure, title: str) -> str:
    """The figure as an ``<svg>`` element to put in a page, titled for screen readers."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "eqlang",
                                                    "Title": title})
    text = buffer.getvalue()
    start = text.index("<svg")
    svg = text[start:]
    # The width and height matplotlib writes in points would fix the size; the page sizes it
    # by its box instead, keeping the proportions of the view box.
    svg = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r'<svg\1', svg, count=1)
    return svg.replace("<svg", f'<svg role="img" aria-label="{_attribute(title)}" '
                       'class="chart"', 1)


def _attribute(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))


class PayoutChart:
    """From the most the contract can pay, through each measure's amount, to the payout:
    one bar per step, the measures' amounts laid end to end."""

    def __init__(self, headline: str, measures: Sequence[str], most: Decimal | None) -> None:
        self.rows = ([("most", "Most it can pay")] if most is not None else []) + [
            ("measure", code) for code in measures] + [("headline", headline)]
        self.most = most
        with _style():
            height = 0.5 + 0.34 * len(self.rows)
            self.figure = Figure(figsize=(WIDTH_INCHES, height))
            self.axes = self.figure.add_axes((0.2, 0.16 / height, 0.62, 1 - 0.32 / height))
            axes = self.axes
            count = len(self.rows)
            self.missed = axes.barh(range(count), [0] * count, height=0.62, color=MISSED)
            self.bars = axes.barh(range(count), [0] * count, height=0.62, color=EARNED)
            axes.set_yticks(range(count), [label for _, label in self.rows])
            axes.invert_yaxis()
            axes.tick_params(axis="y", length=0)
            # Each bar is labelled with its amount: an axis of ticks would say less, and
            # drawing it would take half the time of the chart.
            axes.xaxis.set_visible(False)
            for name in ("top", "right", "left"):
                axes.spines[name].set_visible(False)
            self.labels = [axes.text(0, i, "", va="center", ha="left", fontsize=8.5,
                                     clip_on=False) for i in range(count)]

    def svg(self, steps: Sequence[tuple[Decimal | None, str]], headline: tuple[Decimal | None,
            str], title: str) -> str:
        """The chart for one organization: each measure's (amount, label), then the
        headline's (amount, label); an amount of None is not scored."""
        with _style():
            values: list[tuple[float, float, str, str, float | None]] = []
            if self.most is not None:
                values.append((0.0, float(self.most), _money_label(self.most), TOTAL, None))
            start = 0.0
            for amount, label in steps:
                if amount is None:
                    values.append((start, 0.0, f"{label}", UNSCORED, None))
                    continue
                values.append((start, float(amount), label, EARNED, None))
                start += float(amount)
            amount, label = headline
            most = float(self.most) if self.most is not None else None
            values.append((0.0, float(amount) if amount is not None else 0.0, label, TOTAL,
                           most))
            top = max([most or 0.0, *(a + b for a, b, _, _, _ in values), 1.0])
            self.axes.set_xlim(0, top * 1.02)
            for index, (left, width, text, color, whole) in enumerate(values):
                bar = self.bars[index]
                bar.set_x(left)
                bar.set_width(width)
                bar.set_color(color)
                shadow = self.missed[index]
                shadow.set_x(0)
                shadow.set_width(whole if whole is not None else 0)
                self.labels[index].set_text(text)
                self.labels[index].set_x(left + width + top * 0.01)
            return _svg(self.figure, title)


def _money_label(amount: Decimal) -> str:
    from eqlang.core.values import Quantity, display

    return display(Quantity("money", amount), 2)


def _axis_formatter(top: float) -> Any:
    from matplotlib.ticker import FuncFormatter

    def shown(x: float, _position: int) -> str:
        if top >= 10_000:
            return f"{x / 1000:,.0f}k"
        if top >= 10:
            return f"{x:,.0f}"
        return f"{x:.2g}"

    return FuncFormatter(shown)


def distribution_svg(amounts: Sequence[Decimal], label: str, title: str) -> str:
    """A histogram of the headline across organizations, for the index page."""
    with _style():
        figure = Figure(figsize=(WIDTH_INCHES, 2.6))
        axes = figure.add_axes((0.09, 0.2, 0.88, 0.72))
        values = [float(a) for a in amounts]
        # About three organizations a bar for a large run, and never fewer than five bars.
        bins = max(5, min(30, len(values) // 3))
        axes.hist(values, bins=bins, color=EARNED, edgecolor="white", linewidth=0.5)
        axes.set_xlabel(label)
        axes.set_ylabel("organizations")
        for name in ("top", "right"):
            axes.spines[name].set_visible(False)
        top = max(values, default=1.0)
        axes.xaxis.set_major_formatter(_axis_formatter(top))
        return _svg(figure, title)
