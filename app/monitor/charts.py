"""Accessible SVG charts, drawn on the server (no script; the CSP allows none from outside).

Each chart is an `<svg role="img">` named by its `<title>` and `<desc>` (the desc reads the
figures out), with every figure printed beside its bar. A suppressed figure is drawn as a gap:
a dashed outline labelled "onderdrukt", never a bar. The page puts the same figures in a table
under the chart. All text is escaped.
"""

from dataclasses import dataclass

from markupsafe import Markup

INK, BAR, GAP, GRID = "#1a1a1a", "#00456e", "#6b6b6b", "#d0d0d0"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: a gap (suppressed, or nothing to show)
    text: str  # the figure as printed: "58%", "21 dagen", "onderdrukt"
    highlight: bool = False  # e.g. the region beside its sectors


def _svg(chart_id: str, title: str, description: str, width: int, height: int,
         body: list[Markup]) -> Markup:
    head = Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        'aria-labelledby="{0}-title {0}-desc" focusable="false" viewBox="0 0 {1} {2}" '
        'width="100%" preserveAspectRatio="xMinYMin meet" id="{0}">'
        '<title id="{0}-title">{3}</title><desc id="{0}-desc">{4}</desc>'
    ).format(chart_id, width, height, title, description)
    return head + Markup("").join(body) + Markup("</svg>")


def describe(bars: list[Bar]) -> str:
    return "; ".join(f"{b.label}: {b.text}" for b in bars) + "."


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 14,
          fill: str = INK, weight: str = "normal") -> Markup:
    return Markup(
        '<text x="{:.1f}" y="{:.1f}" text-anchor="{}" font-size="{}" fill="{}" '
        'font-weight="{}" font-family="sans-serif">{}</text>'
    ).format(x, y, anchor, size, fill, weight, text)


def _rect(x: float, y: float, width: float, height: float) -> Markup:
    return Markup('<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="{}"/>'
                  ).format(x, y, width, height, BAR)


def _gap(x: float, y: float, width: float, height: float) -> Markup:
    return Markup('<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="none" '
                  'stroke="{}" stroke-dasharray="4 3"/>').format(x, y, width, height, GAP)


def _line(x1: float, y1: float, x2: float, y2: float) -> Markup:
    return Markup('<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="{}"/>'
                  ).format(x1, y1, x2, y2, INK)


def bar_chart(chart_id: str, title: str, bars: list[Bar], maximum: float | None = None,
              description: str | None = None) -> Markup:
    """Horizontal bars, one row per label (sectors, categories)."""
    width, label_width, row, top = 560, 150, 32, 8
    area = width - label_width - 110
    top_value = maximum or max([b.value for b in bars if b.value] or [1])
    body = []
    for index, bar in enumerate(bars):
        y = top + index * row
        weight = "bold" if bar.highlight else "normal"
        body.append(_text(label_width - 8, y + 21, bar.label, "end", weight=weight))
        if bar.value is None:
            body.append(_gap(label_width, y + 5, area * 0.25, row - 10))
            body.append(_text(label_width + area * 0.25 + 6, y + 21, bar.text, fill=GAP))
            continue
        length = max(area * bar.value / top_value, 1.5) if top_value else 1.5
        body.append(_rect(label_width, y + 5, length, row - 10))
        body.append(_text(label_width + length + 6, y + 21, bar.text, weight=weight))
    body.append(_line(label_width, top, label_width, top + row * len(bars)))
    return _svg(chart_id, title, description or describe(bars), width,
                top * 2 + row * len(bars), body)


def column_chart(chart_id: str, title: str, bars: list[Bar], maximum: float | None = None,
                 description: str | None = None) -> Markup:
    """Vertical columns, left to right (periods of a trend, classes of a distribution)."""
    width, height, base, top, side = 560, 240, 196, 26, 8
    slot = (width - 2 * side) / max(len(bars), 1)
    column = min(slot * 0.6, 90)
    top_value = maximum or max([b.value for b in bars if b.value] or [1])
    body = [_line(side, base, width - side, base)]
    for index, bar in enumerate(bars):
        middle = side + slot * index + slot / 2
        body.append(_text(middle, base + 22, bar.label, "middle", size=13))
        if bar.value is None:
            body.append(_gap(middle - column / 2, base - 40, column, 40))
            body.append(_text(middle, base - 48, bar.text, "middle", size=13, fill=GAP))
            continue
        tall = max((base - top) * bar.value / top_value, 1.5) if top_value else 1.5
        body.append(_rect(middle - column / 2, base - tall, column, tall))
        body.append(_text(middle, base - tall - 6, bar.text, "middle", size=13))
    return _svg(chart_id, title, description or describe(bars), width, height, body)

