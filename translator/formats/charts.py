"""Pictures drawn on the server as SVG, with nothing from another origin: the activity chart and
the approved-share badges. Pure functions: figures in, markup out; every text is escaped."""

from __future__ import annotations

import datetime as dt
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
    height: int = 160,
) -> str:
    """Stacked bars per day (edits below, approvals above), a date under the first day and under
    each Monday, the busiest day's total on the axis."""
    left, bottom, top = 36, 22, 10
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max((e + a for _, e, a in days), default=0) or 1
    step = plot_w / max(len(days), 1)
    bar = max(step - 2, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title" '
        'font-family="sans-serif" font-size="11">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 8}" y2="{top + plot_h}" '
        'stroke="#999" stroke-width="1"/>',
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" fill="#555">{peak}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" fill="#555">0</text>',
    ]
    for index, (day, edits, approvals) in enumerate(days):
        x = left + index * step
        edit_h = plot_h * edits / peak
        approve_h = plot_h * approvals / peak
        tip = f"{day.isoformat()}: {edits} {labels[0]}, {approvals} {labels[1]}"
        parts.append(f'<g class="day"><title>{escape(tip)}</title>')
        if edits:
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - edit_h:.1f}" width="{bar:.1f}" '
                f'height="{edit_h:.1f}" fill="{EDIT_COLOUR}"/>'
            )
        if approvals:
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - edit_h - approve_h:.1f}" '
                f'width="{bar:.1f}" height="{approve_h:.1f}" fill="{APPROVE_COLOUR}"/>'
            )
        parts.append("</g>")
        if index == 0 or (day.weekday() == 0 and index < len(days) - 3):
            parts.append(
                f'<text class="date" x="{x:.1f}" y="{height - 6}" fill="#555">'
                f"{escape(day_label(day))}</text>"
            )
    legend_x = width - 190
    parts.append(
        f'<rect x="{legend_x}" y="{top}" width="10" height="10" fill="{EDIT_COLOUR}"/>'
        f'<text x="{legend_x + 14}" y="{top + 9}">{escape(labels[0])}</text>'
        f'<rect x="{legend_x + 90}" y="{top}" width="10" height="10" fill="{APPROVE_COLOUR}"/>'
        f'<text x="{legend_x + 104}" y="{top + 9}">{escape(labels[1])}</text>'
    )
    parts.append("</svg>")
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
