"""BPMN diagrams rendered as SVG from the file's own layout (``tongban.workflow.diagram``).

Every file of the interoperability corpus renders: one group per BPMNShape, one polyline per
BPMNEdge, the names inside, a viewBox around everything. Progress is marked with classes, all
text is escaped, Chinese names wrap by character, and a file without layout still renders.
"""

from __future__ import annotations

import itertools
import math
import re
from typing import Any
from xml.sax.saxutils import quoteattr

import pytest
from defusedxml import ElementTree
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import interop
from tongban.workflow import diagram
from tongban.workflow.diagram import DiagramError

SVG = "{http://www.w3.org/2000/svg}"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
DI = "{http://www.omg.org/spec/DD/20100524/DI}"
ACTIVITY_TAGS = {"task", "userTask", "serviceTask", "scriptTask", "callActivity", "subProcess"}


def parse(svg: str) -> Any:
    return ElementTree.fromstring(svg.encode("utf-8"))


def groups(root: Any) -> dict[str, Any]:
    """data-id → the shape's <g>."""
    return {g.get("data-id"): g for g in root.iter(f"{SVG}g") if g.get("data-id") is not None}


def text_of(node: Any) -> str:
    """All text drawn inside a node (not its <title>), white space removed: wrapping moves
    words onto separate lines."""
    parts = ["".join(t.itertext()) for t in node.iter(f"{SVG}text")]
    return re.sub(r"\s+", "", "".join(parts))


def view_box(root: Any) -> tuple[float, float, float, float]:
    x, y, w, h = (float(v) for v in root.get("viewBox").split())
    return x, y, w, h


def b1() -> bytes:
    """MIWG reference B.1.0: four processes, a collaboration, two diagrams, every kind of shape."""
    return interop.bpmn_file("miwg-reference-B.1.0.bpmn").read_bytes()


def hand_written(tasks: dict[str, str], *, layout: bool = True, extra: str = "") -> str:
    """A small BPMN, drawn left to right: start → tasks… → end."""
    ids = ["start", *tasks, "end"]
    nodes = ['<bpmn:startEvent id="start" name="开始"/>']
    nodes += [f"<bpmn:userTask id={quoteattr(i)} name={quoteattr(n)}/>" for i, n in tasks.items()]
    nodes.append('<bpmn:endEvent id="end" name="办结"/>')
    flows = [
        f'<bpmn:sequenceFlow id="f{k}" sourceRef={quoteattr(a)} targetRef={quoteattr(b)}/>'
        for k, (a, b) in enumerate(itertools.pairwise(ids))
    ]
    shapes, edges = [], []
    x = 40
    for i in ids:
        w, h = (36, 36) if i in ("start", "end") else (100, 80)
        shapes.append(
            f"<bpmndi:BPMNShape bpmnElement={quoteattr(i)}>"
            f'<dc:Bounds x="{x}" y="{120 - h // 2}" width="{w}" height="{h}"/></bpmndi:BPMNShape>'
        )
        x += w + 50
    for k in range(len(ids) - 1):
        edges.append(
            f'<bpmndi:BPMNEdge id="f{k}_di" bpmnElement="f{k}">'
            f'<di:waypoint x="{k}" y="120"/><di:waypoint x="{k + 40}" y="120"/></bpmndi:BPMNEdge>'
        )
    plane = (
        '<bpmndi:BPMNDiagram id="d1"><bpmndi:BPMNPlane id="p1" bpmnElement="doc">'
        + "".join(shapes)
        + "".join(edges)
        + "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>"
        if layout
        else ""
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="defs" targetNamespace="t">'
        f'<bpmn:process id="doc" isExecutable="true">{"".join(nodes)}{"".join(flows)}{extra}'
        f"</bpmn:process>{plane}</bpmn:definitions>"
    )


DOCUMENT = hand_written({"draft": "拟稿", "review": "核稿", "countersign": "会签", "sign": "签发"})


# --- the interop corpus (tests/interop.py: skipped without it, failed under CI) -------------


@pytest.mark.parametrize("name", interop.BPMN_FILES)
def test_every_interop_file_renders(name):
    xml = interop.bpmn_file(name).read_bytes()
    source = ElementTree.fromstring(xml)
    plane = next(source.iter(f"{BPMNDI}BPMNDiagram")).find(f"{BPMNDI}BPMNPlane")
    shape_refs = [
        s.get("bpmnElement")
        for s in plane.iter(f"{BPMNDI}BPMNShape")
        if s.find(f"{DC}Bounds") is not None
    ]
    n_edges = sum(1 for e in plane.iter(f"{BPMNDI}BPMNEdge") if len(e.findall(f"{DI}waypoint")) > 1)
    names = {
        el.get("id"): el.get("name")
        for el in source.iter()
        if isinstance(el.tag, str)
        and el.tag.startswith(BPMN)
        and el.tag.removeprefix(BPMN) in ACTIVITY_TAGS
        and el.get("name")
    }

    svg = diagram.render_svg(xml)
    root = parse(svg)

    assert root.tag == f"{SVG}svg"
    x, y, w, h = view_box(root)
    assert w > 0 and h > 0 and all(math.isfinite(v) for v in (x, y, w, h))
    drawn = groups(root)
    assert len(drawn) == len(shape_refs) and set(drawn) == set(shape_refs)
    assert len(list(root.iter(f"{SVG}polyline"))) == n_edges
    for ref in shape_refs:
        if ref in names:  # every task name is written inside its shape
            assert text_of(drawn[ref]) == re.sub(r"\s+", "", names[ref]), ref
    # the viewBox holds every shape and every waypoint
    for sx, sy, sw, sh in diagram.element_bounds(xml).values():
        assert x <= sx and sx + sw <= x + w and y <= sy and sy + sh <= y + h
    for point in plane.iter(f"{DI}waypoint"):
        px, py = float(point.get("x")), float(point.get("y"))
        assert x <= px <= x + w and y <= py <= y + h


def test_rendering_is_deterministic():
    xml = b1()
    assert diagram.render_svg(xml) == diagram.render_svg(xml)


def test_b1_picks_the_diagram_of_the_requested_process():
    xml = b1()
    source = ElementTree.fromstring(xml)
    planes = [d.find(f"{BPMNDI}BPMNPlane") for d in source.iter(f"{BPMNDI}BPMNDiagram")]
    assert len(planes) == 2 and planes[1].get("bpmnElement") == "WFP-0-"
    second_refs = {s.get("bpmnElement") for s in planes[1].iter(f"{BPMNDI}BPMNShape")}

    first = groups(parse(diagram.render_svg(xml)))
    second = groups(parse(diagram.render_svg(xml, process_id="WFP-0-")))

    assert set(second) == second_refs
    assert not set(first) & set(second)
    assert "AbstractTask8" in text_of(parse(diagram.render_svg(xml, process_id="WFP-0-")))
    # a process drawn as a participant of the collaboration gets the collaboration's diagram
    assert set(groups(parse(diagram.render_svg(xml, process_id="WFP-6-2")))) == set(first)
    # an unknown process falls back to the first diagram
    assert set(groups(parse(diagram.render_svg(xml, process_id="nope")))) == set(first)
    assert set(diagram.element_bounds(xml, process_id="WFP-0-")) == second_refs


def test_element_bounds_are_the_files_bounds():
    bounds = diagram.element_bounds(b1())
    # the pool "Participant" of B.1.0: <dc:Bounds height="180.0" width="1104.0" x="48.0" y="72.0"/>
    assert bounds["_cde15ee4-b395-43a3-9f5e-9028446f8a52"] == (48.0, 72.0, 1104.0, 180.0)


def test_shapes_follow_the_element_type():
    root = parse(diagram.render_svg(b1()))
    kinds: dict[str, list[Any]] = {}
    for g in groups(root).values():
        for kind in g.get("class").split():
            kinds.setdefault(kind, []).append(g)
    # events are circles, the end event's border thick (CSS on the class), terminate filled
    assert all(g.find(f"{SVG}circle") is not None for g in kinds["startEvent"] + kinds["endEvent"])
    style = root.find(f"{SVG}style").text
    assert ".endEvent>.body{stroke-width:4}" in style
    assert any(g.find(f"{SVG}circle[@class='marker solid']") is not None for g in kinds["endEvent"])
    # gateways are diamonds, the parallel one with its + marker
    assert all(g.find(f"{SVG}polygon") is not None for g in kinds["exclusiveGateway"])
    assert kinds["parallelGateway"][0].find(f"{SVG}path[@class='gateway-marker']") is not None
    # tasks are rounded rectangles; lanes and pools are containers drawn first (behind)
    assert all(g.find(f"{SVG}rect").get("rx") == "10" for g in kinds["task"])
    first_shape = next(i for i, g in enumerate(root) if g.get("data-id"))
    assert "container" in root[first_shape].get("class")
    assert {"participant", "lane", "dataStoreReference", "textAnnotation", "group"} <= set(kinds)
    assert kinds["textAnnotation"][0].get("class").startswith("annotation")
    # message flows dashed, associations dotted, sequence flows with an arrowhead
    edges = list(root.iter(f"{SVG}g"))
    edge_classes = [g.get("class") for g in edges if g.get("data-edge")]
    assert any("message" in c for c in edge_classes)
    assert any("association" in c for c in edge_classes)
    seq = next(g for g in edges if g.get("data-edge") and "sequence" in g.get("class"))
    assert seq.find(f"{SVG}polyline").get("marker-end") == "url(#tb-bpmn-arrow)"


def test_gateway_markers():
    extra = (
        '<bpmn:exclusiveGateway id="gx"/><bpmn:parallelGateway id="gp"/>'
        '<bpmn:inclusiveGateway id="gi"/><bpmn:exclusiveGateway id="gh"/>'
    )
    xml = hand_written({"t": "x"}, extra=extra).replace(
        "</bpmndi:BPMNPlane>",
        "".join(
            f'<bpmndi:BPMNShape bpmnElement="{g}"{" isMarkerVisible=" + chr(34) + "false" + chr(34) if g == "gh" else ""}>'
            f'<dc:Bounds x="{k * 80}" y="300" width="50" height="50"/></bpmndi:BPMNShape>'
            for k, g in enumerate(["gx", "gp", "gi", "gh"])
        )
        + "</bpmndi:BPMNPlane>",
    )
    drawn = groups(parse(diagram.render_svg(xml)))
    x_marker = drawn["gx"].find(f"{SVG}path[@class='gateway-marker']").get("d")
    plus = drawn["gp"].find(f"{SVG}path[@class='gateway-marker']").get("d")
    assert x_marker.count("M") == 2 and plus.count("M") == 2 and x_marker != plus
    assert drawn["gi"].find(f"{SVG}circle[@class='gateway-marker']") is not None
    # BPMN DI lets the modeler hide the X
    assert drawn["gh"].find(f"{SVG}path[@class='gateway-marker']") is None


# --- progress ----------------------------------------------------------------------------------


def test_states_mark_the_right_elements():
    svg = diagram.render_svg(
        DOCUMENT, states={"draft": "done", "review": "current", "f1": "done", "start": "done"}
    )
    root = parse(svg)
    drawn = groups(root)
    assert drawn["draft"].get("class").split()[-1] == "done"
    assert drawn["review"].get("class").split()[-1] == "current"
    for pending in ("countersign", "sign", "end"):  # not mentioned: pending
        assert "pending" in drawn[pending].get("class").split()
    assert drawn["review"].get("data-state") == "current"
    # a title names the step and its state, for screen readers and tooltips
    assert drawn["review"].find(f"{SVG}title").text == "核稿 · 进行中 (current)"
    assert "已完成" in drawn["draft"].find(f"{SVG}title").text
    edge = next(g for g in root.iter(f"{SVG}g") if g.get("data-edge") == "f1")
    assert "done" in edge.get("class").split()
    # the colours differ: done filled grey-green, current with a thick blue outline
    style = root.find(f"{SVG}style").text
    assert ".done>.body{fill:#e3efe6" in style
    assert re.search(r"\.current>\.body\{[^}]*stroke:#1557c0;stroke-width:4", style)


def test_without_states_nothing_is_marked():
    drawn = groups(parse(diagram.render_svg(DOCUMENT)))
    for g in drawn.values():
        assert not {"done", "current", "pending"} & set(g.get("class").split())


def test_unknown_state_values_are_ignored():
    # states become CSS classes: only the three known words get through
    drawn = groups(parse(diagram.render_svg(DOCUMENT, states={"draft": 'x" onload="alert(1)'})))
    assert drawn["draft"].get("class").split() == ["shape", "userTask", "pending"]
    assert drawn["draft"].get("onload") is None


def test_containers_and_artifacts_are_never_pending():
    root = parse(diagram.render_svg(b1(), states={"none": "done"}))
    classes = [g.get("class").split() for g in groups(root).values()]
    # Only flow nodes (events, gateways, activities) have a state; B.1.0 draws two pools, two
    # lanes, a group, a data object, a data store and an annotation besides them.
    unmarked = sorted(c[1] for c in classes if "pending" not in c)
    assert unmarked == [
        "dataObjectReference", "dataStoreReference", "group", "lane", "lane", "participant",
        "participant", "textAnnotation",
    ]  # fmt: skip
    # every flow node the first diagram draws is pending, from the file's own elements
    source = ElementTree.fromstring(b1())
    tags = {el.get("id"): el.tag.removeprefix(BPMN) for el in source.iter() if el.get("id")}
    plane = next(source.iter(f"{BPMNDI}BPMNPlane"))
    flow_nodes = [
        tags[ref]
        for s in plane.iter(f"{BPMNDI}BPMNShape")
        if (ref := s.get("bpmnElement")) in tags
        and tags[ref].endswith(("Event", "Gateway", "Task", "task", "Activity", "subProcess"))
    ]
    assert sorted(c[1] for c in classes if "pending" in c) == sorted(flow_nodes)
    assert all(c[-1] == "pending" for c in classes if "pending" in c)


# --- text --------------------------------------------------------------------------------------


def test_chinese_task_names_render():
    svg = diagram.render_svg(DOCUMENT, title="发文办理")
    root = parse(svg)
    drawn = groups(root)
    for ref, name in [
        ("draft", "拟稿"),
        ("review", "核稿"),
        ("countersign", "会签"),
        ("sign", "签发"),
    ]:
        assert text_of(drawn[ref]) == name
    assert root.find(f"{SVG}title").text == "发文办理"


def test_names_are_escaped():
    evil = '<script>alert("x")</script> & ]]> <b>'
    xml = hand_written({"draft": evil, "review": "\"quoted\" 'single'"})
    svg = diagram.render_svg(xml, title="</svg><script>alert(2)</script>")
    assert "<script" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)  # well-formed
    assert not [el for el in root.iter() if el.tag.endswith("script") or el.tag.endswith("}b")]
    drawn = groups(root)
    assert text_of(drawn["draft"]) == re.sub(r"\s+", "", evil)
    assert drawn["draft"].find(f"{SVG}title").text == evil
    assert root.find(f"{SVG}title").text == "</svg><script>alert(2)</script>"


def test_ids_are_escaped_in_attributes():
    xml = hand_written({'a"b&c<d': "x"})
    drawn = groups(parse(diagram.render_svg(xml)))
    assert 'a"b&c<d' in drawn


def test_long_names_wrap_inside_the_shape():
    latin = "Check the application form and all attachments carefully"
    chinese = "审查申请材料是否齐全、是否符合法定形式并出具受理通知书"
    root = parse(diagram.render_svg(hand_written({"a": latin, "b": chinese})))
    drawn = groups(root)
    for ref, name in (("a", latin), ("b", chinese)):
        lines = ["".join(t.itertext()) for t in drawn[ref].iter(f"{SVG}tspan")]
        assert len(lines) > 1
        assert all(diagram._width(line) * diagram.FONT <= 100 - 10 + 0.01 for line in lines)
        joined = "".join(lines).replace("…", "")
        assert re.sub(r"\s+", "", name).startswith(re.sub(r"\s+", "", joined))
    latin_lines = ["".join(t.itertext()) for t in drawn["a"].iter(f"{SVG}tspan")]
    assert all(word in latin.split() for line in latin_lines for word in line.split())


def test_wrap_rules():
    wrap = diagram._wrap
    assert wrap("拟稿核稿会签签发", 4 * 12) == ["拟稿核稿", "会签签发"]
    assert wrap("Start Event\nTimer", 500) == ["Start Event", "Timer"]
    assert wrap("Collapsed Sub-Process", 70) == ["Collapsed", "Sub-", "Process"]
    # closing punctuation never starts a line
    assert all(
        not line.startswith(("，", "。")) for line in wrap("一二三四，五六七八。九十", 4 * 12)
    )
    assert wrap("一" * 100, 24, max_lines=3)[-1].endswith("…")
    assert wrap("", 100) == [] and wrap("   ", 100) == []


def test_names_with_newlines_are_separate_lines():
    # camunda-loanApproval's start event is named "Loan Request&#10;Received"-style
    xml = interop.bpmn_file("camunda-loanApproval.bpmn").read_bytes()
    source = ElementTree.fromstring(xml)
    named = next(el for el in source.iter() if "\n" in (el.get("name") or ""))
    g = groups(parse(diagram.render_svg(xml)))[named.get("id")]
    lines = ["".join(t.itertext()) for t in g.iter(f"{SVG}tspan")]
    assert lines[: len(named.get("name").split("\n"))] == [
        part.strip() for part in named.get("name").split("\n")
    ]


@settings(max_examples=150, deadline=None)
@given(
    name=st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"
        ),
        min_size=1,
        max_size=40,
    )
)
def test_any_name_round_trips(name):
    xml = hand_written({"t": name}).replace('width="100" height="80"', 'width="2000" height="400"')
    root = parse(diagram.render_svg(xml))
    g = groups(root)["t"]
    assert text_of(g) == re.sub(r"\s+", "", name)


# --- robustness ----------------------------------------------------------------------------------


def test_a_str_is_read_as_text_whatever_its_declaration_says():
    xml = DOCUMENT.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    assert text_of(groups(parse(diagram.render_svg(xml)))["draft"]) == "拟稿"
    assert text_of(groups(parse(diagram.render_svg(DOCUMENT.encode())))["draft"]) == "拟稿"


@pytest.mark.parametrize(
    "payload",
    [
        b"not xml",
        b"<a/>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&e;'
        b"</bpmn:definitions>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<x>&b;</x>",
    ],
)
def test_garbage_and_entities_are_refused(payload):
    with pytest.raises(DiagramError):
        diagram.render_svg(payload)
    assert issubclass(DiagramError, ValueError)


def test_bad_coordinates_do_not_break_the_picture():
    xml = DOCUMENT.replace('x="40"', 'x="abc"', 1).replace('y="80"', 'y="NaN"', 1)
    root = parse(diagram.render_svg(xml))
    assert all(math.isfinite(v) for v in view_box(root))
    assert len(groups(root)) == 6


def test_a_file_without_layout_gets_one():
    extra = (
        '<bpmn:boundaryEvent id="late" attachedToRef="review" cancelActivity="false">'
        "<bpmn:timerEventDefinition/></bpmn:boundaryEvent>"
        '<bpmn:userTask id="urge" name="催办"/>'
        '<bpmn:sequenceFlow id="fl" sourceRef="late" targetRef="urge"/>'
        '<bpmn:sequenceFlow id="back" sourceRef="countersign" targetRef="draft"/>'
    )
    xml = hand_written(
        {"draft": "拟稿", "review": "核稿", "countersign": "会签", "sign": "签发"},
        layout=False,
        extra=extra,
    )
    root = parse(diagram.render_svg(xml, states={"review": "current"}))
    drawn = groups(root)
    assert set(drawn) == {"start", "draft", "review", "countersign", "sign", "end", "late", "urge"}
    assert "current" in drawn["review"].get("class")
    assert len(list(root.iter(f"{SVG}polyline"))) == 7  # 5 in line + the boundary's + the loop
    bounds = diagram.element_bounds(xml)
    # left to right in flow order; the boundary event sits on its host's border
    assert bounds["start"][0] < bounds["draft"][0] < bounds["review"][0] < bounds["sign"][0]
    rx, ry, rw, rh = bounds["review"]
    lx, ly, lw, lh = bounds["late"]
    assert rx <= lx + lw / 2 <= rx + rw and ly < ry + rh < ly + lh
    assert drawn["late"].find(f"{SVG}circle[@class='marker']") is not None  # the clock face


def test_a_file_with_nothing_to_draw_still_gives_an_svg():
    xml = (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'id="d" targetNamespace="t"/>'
    )
    root = parse(diagram.render_svg(xml))
    assert root.tag == f"{SVG}svg" and view_box(root)[2] > 0


def test_the_style_is_scoped_to_the_diagram():
    # The SVG is inlined into pages: its rules must not restyle the page around it.
    style = parse(diagram.render_svg(DOCUMENT)).find(f"{SVG}style").text
    rules = [r for r in style.strip().split("\n") if r]
    assert rules and all(rule.startswith(".tb-bpmn") for rule in rules)
    assert all(
        selector.strip().startswith(".tb-bpmn")
        for rule in rules
        for selector in rule.split("{", 1)[0].split(",")
    )


def test_multi_instance_and_loop_markers():
    xml = DOCUMENT.replace(
        '<bpmn:userTask id="countersign" name="会签"/>',
        '<bpmn:userTask id="countersign" name="会签"><bpmn:multiInstanceLoopCharacteristics/>'
        "</bpmn:userTask>",
    ).replace(
        '<bpmn:userTask id="sign" name="签发"/>',
        '<bpmn:userTask id="sign" name="签发"><bpmn:multiInstanceLoopCharacteristics '
        'isSequential="true"/></bpmn:userTask>',
    )
    drawn = groups(parse(diagram.render_svg(xml)))
    parallel = drawn["countersign"].find(f"{SVG}path[@class='marker wide']").get("d")
    sequential = drawn["sign"].find(f"{SVG}path[@class='marker wide']").get("d")
    assert parallel.count("V") == 3 and sequential.count("H") == 3
