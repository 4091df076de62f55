"""Charts as inline SVG, drawn on the server: readable without JavaScript, nothing fetched.

Each chart has a <title> and <desc>, and the page shows the same numbers in a table, so a
screen reader loses nothing.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

# Distinguishable for common colour-vision deficiencies (Okabe–Ito), plus a dash pattern
# per series so colour is never the only cue.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2")


def line_chart(
    labels: list[str],
    series: list[tuple[str, list[Decimal | None]]],
    *,
    title: str,
    desc: str,
    width: int = 720,
    height: int = 300,
    maximum: Decimal = Decimal(100),
    unit: str = "%",
    chart_id: str = "chart",
) -> SafeString:
    left, right, top, bottom = 44, 12, 16, 64
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(len(labels), 1)

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def y(v: Decimal) -> float:
        return top + plot_h - float(min(v, maximum)) / float(maximum) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for step in range(0, 5):
        v = maximum * step / 4
        yy = y(v)
        parts.append(
            f'<line x1="{left}" y1="{yy:.1f}" x2="{width - right}" y2="{yy:.1f}" '
            f'stroke="#ccc" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" font-size="11">'
            f"{int(v)}{escape(unit)}</text>"
        )
    for i, label in enumerate(labels):
        parts.append(
            f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
            f'font-size="11">{escape(label)}</text>'
        )
    for k, (name, values) in enumerate(series):
        color, dash = PALETTE[k % len(PALETTE)], DASHES[k % len(DASHES)]
        points = [(x(i), y(v)) for i, v in enumerate(values) if v is not None]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            parts.append(
                f'<polyline fill="none" stroke="{color}" stroke-width="2"{dash_attr} '
                f'points="{path}"/>'
            )
        for (px, py), v in zip(points, [v for v in values if v is not None], strict=True):
            parts.append(
                f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{color}">'
                f"<title>{escape(name)}: {escape(vn_decimal(v))}{escape(unit)}</title></circle>"
            )
        # Legend under the axis.
        lx = left + (k % 3) * (plot_w / 3)
        ly = top + plot_h + 34 + (k // 3) * 16
        parts.append(
            f'<line x1="{lx:.1f}" y1="{ly - 4}" x2="{lx + 22:.1f}" y2="{ly - 4}" '
            f'stroke="{color}" stroke-width="2"{dash_attr}/>'
            f'<text x="{lx + 28:.1f}" y="{ly}" font-size="11">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def bar_chart(
    labels: list[str],
    values: list[Decimal | None],
    *,
    title: str,
    desc: str,
    maximum: Decimal = Decimal(100),
    unit: str = "",
    chart_id: str = "bars",
    width: int = 720,
    row_h: int = 22,
) -> SafeString:
    """Horizontal bars, one per label (the agency ranking)."""
    label_w, right = 260, 60
    height = row_h * len(labels) + 8
    plot_w = width - label_w - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {max(height, 30)}" '
        f'class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        yy = 4 + i * row_h
        short = label if len(label) <= 40 else label[:39] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{yy + row_h * 0.65:.1f}" text-anchor="end" '
            f'font-size="11">{escape(short)}</text>'
        )
        w = 0.0 if v is None else float(min(v, maximum)) / float(maximum) * plot_w
        parts.append(
            f'<rect x="{label_w}" y="{yy + 3}" width="{w:.1f}" height="{row_h - 6}" '
            f'fill="{PALETTE[0]}"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{yy + row_h * 0.65:.1f}" font-size="11">'
            f"{escape(vn_decimal(v))}{escape(unit)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def vn_decimal(value: Decimal | int | None) -> str:
    """1234.5 -> '1.234,50' (Vietnamese separators); None -> 'N/A'."""
    if value is None:
        return "N/A"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    text = f"{Decimal(value):,.2f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
