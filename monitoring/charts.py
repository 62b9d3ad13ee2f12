"""Small SVG charts drawn on the server: no chart library, no external service, readable without scripts.

Each chart is an <svg role="img"> with a title; the page shows the same numbers in a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 220
LEFT, BOTTOM, TOP, RIGHT = 48, 28, 12, 12
PALETTE = ("#1f4fa3", "#d08c1a", "#a4161a", "#2f7d4a", "#6b4fa3")


def bar_chart(title: str, labels: Sequence[str], series: dict[str, Sequence[float]]) -> SafeString:
    """Stacked bars, one per label; a legend names the series."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    top = max(totals, default=0) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels), 1)
    parts = _frame(title, top, labels, step)
    for i in range(len(labels)):
        base = 0.0
        for colour, values in zip(PALETTE, series.values(), strict=False):
            height = values[i] / top * plot_h
            y = TOP + plot_h - base - height
            parts.append(
                f'<rect x="{LEFT + i * step + step * 0.15:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" '
                f'height="{height:.1f}" fill="{colour}"/>'
            )
            base += height
    parts.extend(_legend(list(series)))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text in it is escaped)


def line_chart(
    title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]], *, top: float | None = None
) -> SafeString:
    """Lines with a dot per known value; a missing value (None) breaks the line."""
    known = [v for values in series.values() for v in values if v is not None]
    top = top or max(known, default=0) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(labels), 1)
    parts = _frame(title, top, labels, step)
    for colour, values in zip(PALETTE, series.values(), strict=False):
        points = [
            (LEFT + i * step + step / 2, TOP + plot_h - v / top * plot_h) if v is not None else None
            for i, v in enumerate(values)
        ]
        run: list[tuple[float, float]] = []
        for point in [*points, None]:
            if point is None:
                if len(run) > 1:
                    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                    parts.append(
                        f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>'
                    )
                run = []
                continue
            run.append(point)
            parts.append(f'<circle cx="{point[0]:.1f}" cy="{point[1]:.1f}" r="3" fill="{colour}"/>')
    parts.extend(_legend(list(series)))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text in it is escaped)


def _frame(title: str, top: float, labels: Sequence[str], step: float) -> list[str]:
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#8a93a6"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="11">{_number(top)}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end" font-size="11">0</text>',
    ]
    every = max(1, len(labels) // 7)
    for i, label in enumerate(labels):
        if i % every == 0:
            x = LEFT + i * step + step / 2
            tick = f'<text x="{x:.1f}" y="{HEIGHT - 8}" text-anchor="middle" font-size="11">'
            parts.append(f"{tick}{escape(label)}</text>")
    return parts


def _legend(names: list[str]) -> list[str]:
    parts = []
    for i, (name, colour) in enumerate(zip(names, PALETTE, strict=False)):
        x = LEFT + 8 + i * 130
        parts.append(f'<rect x="{x}" y="{TOP}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{TOP + 9}" font-size="11">{escape(name)}</text>')
    return parts


def _number(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.2g}"
