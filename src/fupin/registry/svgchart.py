"""A small server-side SVG of a household's income (stacked bars by component, per-capita line), for the
printed dossier: weasyprint runs no JavaScript, so the page's ECharts chart cannot be printed."""

from __future__ import annotations

import math
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

COLOURS = ("#b5322a", "#e08a3c", "#5b8def", "#4caf7a", "#9a6fb0")
LINE_COLOUR = "#1f2328"
POVERTY_COLOUR = "#888888"


def text_width(text: str) -> int:
    return sum(10 if ord(c) > 255 else 6 for c in text)


def nice_max(value: float, ticks: int = 4) -> float:
    """The smallest round axis maximum (steps of 1, 2, 2.5 or 5 × 10ⁿ) at or above ``value``."""
    raw = max(value, 1.0) / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return step * ticks


def income_svg(series: dict[str, Any], *, width: int = 640, height: int = 240, unit: str = "") -> SafeString:
    """``series`` as made by ``portrait.income_series``. Bars: yearly income by group (left axis, yuan per
    household); line: net income per person, dashed: the poverty line (right axis, yuan per person)."""
    years = series["years"]
    if not years:
        return mark_safe("")
    legend = [(str(g["name"]), colour, "box") for g, colour in zip(series["groups"], COLOURS, strict=False)]
    legend += [(str(label), colour, dash) for label, colour, dash in (
        (series.get("per_capita_label", ""), LINE_COLOUR, ""),
        (series.get("line_label", ""), POVERTY_COLOUR, ' stroke-dasharray="4 3"')) if label]
    # lay the legend out in rows that fit the width
    rows: list[list[tuple[int, str, str, str]]] = [[]]
    x = 56
    for label, colour, kind in legend:
        w = 17 + text_width(label) + 12
        if x + w > width - 8 and rows[-1]:
            rows.append([])
            x = 56
        rows[-1].append((x, label, colour, kind))
        x += w
    left, right, top, bottom = 56, 56, 16, 22 + 16 * len(rows)
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(g["values"][i] or 0.0 for g in series["groups"]) for i in range(len(years))]
    bar_max = nice_max(max([*totals, 1.0]))
    line_max = nice_max(max([*(v for v in series["per_capita"] if v is not None), *series["line"], 1.0]))
    step = plot_w / len(years)
    bar_w = min(48.0, step * 0.6)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-size="10" font-family="Noto Sans CJK SC, sans-serif">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#999"/>',
    ]
    for k in range(5):
        y = top + plot_h - plot_h * k / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#eee"/>')
        out.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end">{bar_max * k / 4:,.0f}</text>')
        out.append(f'<text x="{left + plot_w + 4}" y="{y + 3:.1f}">{line_max * k / 4:,.0f}</text>')
    points, line_points = [], []
    for i, year in enumerate(years):
        cx = left + step * (i + 0.5)
        base: float = top + plot_h
        for g, colour in zip(series["groups"], COLOURS, strict=False):
            h = plot_h * (g["values"][i] or 0.0) / bar_max
            if h > 0:
                out.append(f'<rect x="{cx - bar_w / 2:.1f}" y="{base - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                           f'fill="{colour}"/>')
                base -= h
        out.append(f'<text x="{cx:.1f}" y="{top + plot_h + 14}" text-anchor="middle">{year}</text>')
        if series["per_capita"][i] is not None:  # a year without an income record: no point
            points.append((cx, top + plot_h - plot_h * series["per_capita"][i] / line_max))
        line_points.append((cx, top + plot_h - plot_h * series["line"][i] / line_max))
    path = " ".join(f"{px:.1f},{py:.1f}" for px, py in line_points)
    out.append(f'<polyline points="{path}" fill="none" stroke="{POVERTY_COLOUR}" stroke-dasharray="4 3"/>')
    path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    out.append(f'<polyline points="{path}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2"/>')
    for (px, py), value in zip(points, [v for v in series["per_capita"] if v is not None], strict=True):
        out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{LINE_COLOUR}"/>')
        out.append(f'<text x="{px:.1f}" y="{py - 6:.1f}" text-anchor="middle">{value:,.0f}</text>')
    for r, row in enumerate(rows):
        y = height - bottom + 32 + 16 * r
        for x, label, colour, kind in row:
            if kind == "box":
                out.append(f'<rect x="{x}" y="{y - 9}" width="12" height="10" fill="{colour}"/>')
            else:
                out.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 14}" y2="{y - 4}" stroke="{colour}" '
                           f'stroke-width="2"{kind}/>')
            out.append(f'<text x="{x + 17}" y="{y}">{escape(label)}</text>')
    if unit:
        out.append(f'<text x="4" y="{top - 4}">{escape(unit)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # every text in it is escaped above
