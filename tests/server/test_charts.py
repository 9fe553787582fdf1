"""The server's SVG charts: well-formed, named for screen readers, drawn to their numbers,
styled by class only (the pages' CSP allows no inline style), and scaling by their viewBox."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from server import charts

NS = {"s": "http://www.w3.org/2000/svg"}


def _parsed(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    title = root.find("s:title", NS)
    assert title is not None and title.get("id") == root.get("aria-labelledby")
    assert root.get("viewBox")
    for element in root.iter():
        assert "style" not in element.attrib, element.tag
    return root


def test_bars_are_as_long_as_their_values_with_the_interval_as_whisker() -> None:
    bars = [
        charts.Bar("1. Musterstadt: 2 working days", 2, (1, 3)),
        charts.Bar("2. Beispielheim: 8 working days", 8, (6, 10)),
    ]
    root = _parsed(charts.bar_chart("c", "Time to the first answer", bars))
    assert root.find("s:title", NS).text == "Time to the first answer"  # type: ignore[union-attr]
    widths = [float(r.get("width", 0)) for r in root.findall("s:rect[@class='fig-bar']", NS)]
    # The scale ends at the largest interval's end, 10: 2 → 80, 8 → 320 of 400.
    assert widths == [80.0, 320.0]
    whiskers = [p.get("d") for p in root.findall("s:path[@class='fig-whisker']", NS)]
    assert whiskers[0] is not None and whiskers[0].startswith("M40 29H120")
    assert [t.text for t in root.findall("s:text", NS)] == [b.label for b in bars]


def test_a_fixed_scale_for_shares_and_a_greyed_bar_hatched_not_only_paler() -> None:
    bars = [
        charts.Bar("Musterstadt: 50 %", 0.5),
        charts.Bar("Dorf: 100 % · not ranked", 1, None, True),
    ]
    root = _parsed(charts.bar_chart("s", "Service promise kept", bars, top=1.0))
    assert root.find("s:rect[@class='fig-bar']", NS).get("width") == "200"  # type: ignore[union-attr]
    greyed = root.find("s:rect[@class='fig-bar-greyed']", NS)
    assert greyed is not None and greyed.get("fill") == "url(#s-hatch)"
    assert root.find("s:defs/s:pattern[@id='s-hatch']", NS) is not None


def test_a_row_without_a_value_has_its_label_and_no_bar() -> None:
    root = _parsed(charts.bar_chart("n", "Nothing yet", [charts.Bar("Leerdorf: no data", None)]))
    assert root.findall("s:rect", NS) == []
    assert [t.text for t in root.findall("s:text", NS)] == ["Leerdorf: no data"]


def test_text_is_escaped_and_long_names_are_shortened() -> None:
    root = _parsed(charts.bar_chart("e", "<b>&", [charts.Bar("A & B " + "x" * 80, 1)]))
    assert root.find("s:title", NS).text == "<b>&"  # type: ignore[union-attr]
    label = root.find("s:text", NS).text  # type: ignore[union-attr]
    assert label is not None and label.startswith("A & B ") and label.endswith("…")
    assert len(label) == charts.LABEL_MAX


def test_the_sparkline_breaks_at_months_without_data_and_marks_the_newest() -> None:
    root = _parsed(charts.sparkline("t", "Trend", [1, 2, None, 4, 4, 2]))
    lines = [p.get("points") for p in root.findall("s:polyline", NS)]
    assert len(lines) == 2  # 1–2, then 4–4–2
    assert lines[0] is not None and len(lines[0].split()) == 2
    assert lines[1] is not None and len(lines[1].split()) == 3
    dots = root.findall("s:circle", NS)
    assert len(dots) == 1 and dots[0].get("cx") == "117"
    # The highest value touches the top margin, zero would lie on the axis.
    ys = [float(pair.split(",")[1]) for line in lines if line for pair in line.split()]
    assert min(ys) == charts.SPARK_PAD


def test_a_sparkline_without_any_value_is_only_its_axis() -> None:
    root = _parsed(charts.sparkline("e", "Trend", [None] * 12))
    assert root.findall("s:polyline", NS) == [] and root.findall("s:circle", NS) == []
    assert len(root.findall("s:line", NS)) == 1


def test_an_id_cannot_leave_its_attribute() -> None:
    hostile = 'x"><script>alert(1)</script>'
    for svg in (
        charts.bar_chart(hostile, "T", [charts.Bar("A: 1", 1, None, True)]),
        charts.sparkline(hostile, "T", [1.0, 2.0]),
    ):
        assert "<script" not in str(svg)
        _parsed(svg)
