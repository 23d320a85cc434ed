"""Pictures drawn on the server as SVG, with nothing from another origin: the activity chart and
the approved-share badges. Pure functions: figures in, markup out; every text is escaped."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from html import escape

EDIT_COLOUR = "#6b8fb3"
APPROVE_COLOUR = "#2f7d4a"


def activity_svg(
    days: Sequence[tuple[dt.date, int, int]],
    title: str,
    labels: tuple[str, str] = ("edits", "approvals"),
    day_label: Callable[[dt.date], str] = lambda day: day.isoformat()[5:],
    width: int = 720,
    height: int = 170,
    *,
    number: Callable[[int], str] = str,
    tip: Callable[[dt.date, int, int], str] | None = None,
    direction: str = "ltr",
    text_width: Callable[[str], float] = lambda text: _text_width(text),
) -> str:
    """Stacked bars per day (edits below, approvals above), the busiest day's total on the axis,
    a legend above the bars, and dates under every n-th day, n chosen so that no two dates meet.

    The caller says how the reader writes: `number` writes the axis's figures (the reader's
    digits), `day_label` a date, `tip` a day's tooltip, and `direction` "rtl" mirrors the chart
    (the days run from right to left, the axis and the legend change sides)."""
    rtl = direction == "rtl"
    axis_w = max(text_width(number(0)), text_width(number(_peak(days)))) + 8
    start, end, bottom, top = axis_w + 4, width - 8, 22, 26
    plot_w, plot_h = end - start, height - bottom - top
    peak = _peak(days) or 1
    step = plot_w / max(len(days), 1)
    bar = max(step - 2, 1)

    def x_of(x: float, w: float = 0) -> float:
        """A position given from the chart's start (the reading side), on the page."""
        return width - x - w if rtl else x

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title" '
        f'direction="{"rtl" if rtl else "ltr"}" font-family="sans-serif" font-size="11">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<line x1="{x_of(start)}" y1="{top + plot_h}" x2="{x_of(end)}" y2="{top + plot_h}" '
        'stroke="#999" stroke-width="1"/>',
        f'<text class="axis" x="{x_of(start - 4):.1f}" y="{top + 8}" '
        f'text-anchor="end" fill="#555">{escape(number(_peak(days)))}</text>',
        f'<text class="axis" x="{x_of(start - 4):.1f}" y="{top + plot_h}" '
        f'text-anchor="end" fill="#555">{escape(number(0))}</text>',
    ]
    written = [day_label(day) for day, _, _ in days]
    widest = max((text_width(text) for text in written), default=0)
    every = max(1, math.ceil((widest + 10) / step)) if days else 1
    for index, (day, edits, approvals) in enumerate(days):
        x = start + index * step
        edit_h = plot_h * edits / peak
        approve_h = plot_h * approvals / peak
        said = (
            tip(day, edits, approvals)
            if tip
            else (f"{day.isoformat()}: {edits} {labels[0]}, {approvals} {labels[1]}")
        )
        parts.append(f'<g class="day"><title>{escape(said)}</title>')
        if edits:
            parts.append(
                f'<rect x="{x_of(x, bar):.1f}" y="{top + plot_h - edit_h:.1f}" '
                f'width="{bar:.1f}" height="{edit_h:.1f}" fill="{EDIT_COLOUR}"/>'
            )
        if approvals:
            parts.append(
                f'<rect x="{x_of(x, bar):.1f}" y="{top + plot_h - edit_h - approve_h:.1f}" '
                f'width="{bar:.1f}" height="{approve_h:.1f}" fill="{APPROVE_COLOUR}"/>'
            )
        parts.append("</g>")
    parts.extend(_dates(written, every, start, step, width, height, x_of, text_width))
    parts.append(_legend(labels, end, top, x_of, text_width))
    parts.append("</svg>")
    return "".join(parts)


def _dates(
    written: list[str],
    every: int,
    start: float,
    step: float,
    width: int,
    height: int,
    x_of: Callable[[float, float], float],
    text_width: Callable[[str], float],
) -> list[str]:
    """A date under every `every`-th day, counted back from the last (today), each centred under
    its day and kept inside the chart; one that would come nearer than 10px to the date after it
    (the last, pushed in from the edge) is left out."""
    parts: list[str] = []
    after = float("inf")  # where the date placed after this one begins
    for index in range(len(written) - 1, -1, -every):
        half = text_width(written[index]) / 2
        centre = min(max(start + (index + 0.5) * step, half + 2), width - 2 - half)
        if centre + half > after - 10:
            continue
        after = centre - half
        parts.append(
            f'<text class="date" x="{x_of(centre, 0):.1f}" y="{height - 6}" '
            f'text-anchor="middle" fill="#555">{escape(written[index])}</text>'
        )
    return parts[::-1]


def _peak(days: Sequence[tuple[dt.date, int, int]]) -> int:
    return max((e + a for _, e, a in days), default=0)


def _legend(
    labels: tuple[str, str],
    end: float,
    top: int,
    x_of: Callable[[float, float], float],
    text_width: Callable[[str], float],
) -> str:
    """The legend at the end of the line above the bars: a swatch, then its word, each item as
    wide as its word (measured generously), so that no swatch covers a word."""
    items = list(zip(labels, (EDIT_COLOUR, APPROVE_COLOUR), strict=True))
    widths = [10 + 4 + text_width(text) for text, _ in items]
    x = end - sum(widths) - 12 * (len(items) - 1)
    parts = ['<g class="legend">']
    for (text, colour), w in zip(items, widths, strict=True):
        parts.append(
            f'<rect x="{x_of(x, 10):.1f}" y="{top - 20}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x_of(x + 14, 0):.1f}" y="{top - 11}" text-anchor="start">'
            f"{escape(text)}</text>"
        )
        x += w + 12
    parts.append("</g>")
    return "".join(parts)


def badge_svg(label: str, percent: float) -> str:
    """A flat badge: the label, then the approved share, coloured by how far it is."""
    value = f"{percent:.0f}%"
    colour = "#2f7d4a" if percent >= 100 else "#b58900" if percent >= 50 else "#c0392b"
    label_w, value_w = _text_width(label) + 12, _text_width(value) + 12
    width = label_w + value_w
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="{escape(label)}: {value}">'
        f"<title>{escape(label)}: {value}</title>"
        f'<rect width="{label_w}" height="20" fill="#555"/>'
        f'<rect x="{label_w}" width="{value_w}" height="20" fill="{colour}"/>'
        '<g fill="#fff" font-family="DejaVu Sans,Verdana,sans-serif" font-size="11">'
        f'<text x="6" y="14">{escape(label)}</text>'
        f'<text x="{label_w + 6}" y="14">{value}</text></g></svg>'
    )


def _text_width(text: str) -> int:
    """About the width of 11px sans-serif text: 7px a character, 4 for narrow ones."""
    return sum(4 if ch in "iljtf.,:;!|' " else 7 for ch in text)
