"""SVG diagrams from the BPMN's own layout, for every interop file (tests/interop.py) and the
shipped process."""

from __future__ import annotations

from pathlib import Path

import pytest
from defusedxml import ElementTree

from tests import interop
from tongban.workflow import diagram

SHIPPED = (
    Path(__file__).resolve().parents[2] / "src/tongban/workflow/processes/outgoing_document.bpmn"
)
SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str):
    return ElementTree.fromstring(svg.encode())


@pytest.mark.parametrize("name", interop.BPMN_FILES)
def test_every_interop_file_renders_each_shape_and_edge(name):
    xml = interop.bpmn_file(name).read_bytes()
    source = ElementTree.fromstring(xml)
    first = next(source.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNDiagram"))
    n_shapes = sum(
        1
        for s in first.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape")
        if s.find("{http://www.omg.org/spec/DD/20100524/DC}Bounds") is not None
    )
    # an edge is drawn when it has a line to draw: two waypoints or more
    n_edges = sum(
        1
        for e in first.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNEdge")
        if len(e.findall("{http://www.omg.org/spec/DD/20100524/DI}waypoint")) > 1
    )
    root = parse(diagram.render_svg(xml))
    assert root.tag == f"{SVG}svg" and root.get("viewBox")
    groups = [g for g in root.iter(f"{SVG}g") if "data-id" in g.attrib]
    assert len(groups) == n_shapes
    assert n_edges > 0 and len(list(root.iter(f"{SVG}polyline"))) == n_edges


def test_b1_picks_the_diagram_of_the_requested_process():
    xml = interop.bpmn_file("miwg-reference-B.1.0.bpmn").read_bytes()
    first = diagram.render_svg(xml)
    second = diagram.render_svg(xml, process_id="WFP-0-")
    assert first != second


def test_states_mark_elements_and_chinese_names_render():
    svg = diagram.render_svg(SHIPPED.read_bytes(), states={"draft": "done", "review": "current"})
    root = parse(svg)
    classes = {g.get("data-id"): g.get("class") for g in root.iter(f"{SVG}g") if g.get("data-id")}
    assert (
        "done" in classes["draft"]
        and "current" in classes["review"]
        and "pending" in classes["sign_off"]
    )
    assert "拟稿" in svg and "核稿" in svg and "会签" in svg and "签发" in svg


def test_names_are_escaped():
    xml = SHIPPED.read_text(encoding="utf-8").replace(
        'name="拟稿"', 'name="&lt;script&gt;alert(1)&lt;/script&gt;"'
    )
    svg = diagram.render_svg(xml)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    parse(svg)
