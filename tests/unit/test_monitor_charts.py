"""Server-side SVG charts: well-formed, named for screen readers, figures printed, suppressed
figures drawn as a labelled gap, all text escaped."""

import xml.etree.ElementTree as ET

import pytest

from app.monitor.charts import Bar, bar_chart, column_chart
from app.monitor.dashboard import change_text, figure, number
from app.monitor.indicators import BY_KEY

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup) -> ET.Element:
    """Our own SVG, not untrusted input."""
    return ET.fromstring(str(markup))  # noqa: S314
BARS = [Bar("Regio", 58.0, "58%", highlight=True), Bar("PO", 75.0, "75%"),
        Bar("VO", None, "onderdrukt"), Bar("<MBO & zo>", 0.0, "0%")]


@pytest.mark.parametrize("draw", [bar_chart, column_chart])
def test_chart_is_an_accessible_image(draw):
    svg = parse(draw("chart-x", "Ouders bij het MDO", BARS, 100))
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-x-title chart-x-desc"
    assert svg.find(f"{SVG}title").text == "Ouders bij het MDO"
    assert svg.find(f"{SVG}desc").text == (
        "Regio: 58%; PO: 75%; VO: onderdrukt; <MBO & zo>: 0%.")
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert {"58%", "75%", "onderdrukt", "<MBO & zo>"} <= set(texts)


@pytest.mark.parametrize("draw", [bar_chart, column_chart])
def test_a_suppressed_figure_is_a_dashed_gap_not_a_bar(draw):
    svg = parse(draw("c", "t", [Bar("VO", None, "onderdrukt")], 100))
    rects = list(svg.iter(f"{SVG}rect"))
    assert len(rects) == 1 and rects[0].get("fill") == "none"
    assert rects[0].get("stroke-dasharray")


def test_bars_are_proportional_to_the_maximum():
    svg = parse(bar_chart("c", "t", [Bar("a", 50.0, "50%"), Bar("b", 100.0, "100%")], 100))
    widths = [float(r.get("width")) for r in svg.iter(f"{SVG}rect")]
    assert widths[1] == pytest.approx(2 * widths[0])


def test_text_is_escaped():
    markup = str(bar_chart("c", "<script>", [Bar("</text><script>", 1.0, "1")]))
    assert "<script>" not in markup and "&lt;script&gt;" in markup


def test_dutch_figures():
    assert number(1234.5, 1) == "1.234,5"
    assert change_text(BY_KEY["mdo_parent_present"], -25.0) == "\u221225 procentpunt"
    assert change_text(BY_KEY["referral_wait_days"], 1.0) == "+1 dag"
    assert change_text(BY_KEY["escalations"], 0.0) == "gelijk"
    assert figure(None) == "–"
