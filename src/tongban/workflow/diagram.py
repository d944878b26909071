"""Render a BPMN diagram as standalone SVG from the file's own BPMNDI layout, with the
progress of an instance marked (done / current / pending)."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from defusedxml import ElementTree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"

EVENTS = {
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
}
GATEWAYS = {"exclusiveGateway": "×", "parallelGateway": "+", "inclusiveGateway": "○",
            "eventBasedGateway": "◇", "complexGateway": "✱"}  # fmt: skip
CONTAINERS = {"participant", "lane"}
STYLE = """
.shape rect, .shape circle, .shape polygon, .shape path { fill: #fff; stroke: #333; stroke-width: 1.5; }
.container rect { fill: none; stroke: #999; }
.done rect, .done circle, .done polygon { fill: #e6f4ea; stroke: #1e7b3c; }
.current rect, .current circle, .current polygon { fill: #fff4d6; stroke: #b5121b; stroke-width: 3; }
.edge { fill: none; stroke: #333; stroke-width: 1.2; }
.edge.message { stroke-dasharray: 6 4; }
.edge.association { stroke-dasharray: 2 3; }
text { font-family: system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; font-size: 12px; fill: #1f2328; }
.marker { font-size: 20px; text-anchor: middle; dominant-baseline: central; }
"""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _width(text: str) -> float:
    return sum(2.0 if unicodedata.east_asian_width(c) in "WF" else 1.1 for c in text)


def _wrap(text: str, max_units: float) -> list[str]:
    lines: list[str] = []
    for paragraph in text.replace("\r", "").split("\n"):
        line = ""
        for char in paragraph:
            if _width(line + char) > max_units and line:
                lines.append(line)
                line = ""
            line += char
        lines.append(line)
    return [line for line in lines if line.strip()][:6]


def _elements(root: object) -> dict[str, tuple[str, str, object]]:
    out: dict[str, tuple[str, str, object]] = {}
    for el in root.iter():  # type: ignore[attr-defined]
        element_id = el.get("id")
        if element_id and el.tag.startswith(f"{{{BPMN}}}"):
            out[element_id] = (_local(el.tag), el.get("name") or "", el)
    return out


def _choose_diagram(
    root: object, elements: Mapping[str, tuple[str, str, object]], process_id: str | None
) -> object:
    diagrams = list(root.iter(f"{{{BPMNDI}}}BPMNDiagram"))  # type: ignore[attr-defined]
    if not diagrams:
        raise ValueError("the file has no diagram (BPMNDI)")
    if process_id:
        for diagram in diagrams:
            plane = diagram.find(f"{{{BPMNDI}}}BPMNPlane")
            ref = str(plane.get("bpmnElement") or "") if plane is not None else ""
            if ref == process_id:
                return diagram
            if ref in elements and elements[ref][0] == "collaboration":
                collaboration: Any = elements[ref][2]
                participants = collaboration.iter(f"{{{BPMN}}}participant")
                if any(p.get("processRef") == process_id for p in participants):
                    return diagram
    return diagrams[0]


def element_bounds(
    bpmn_xml: bytes | str, process_id: str | None = None
) -> dict[str, tuple[float, float, float, float]]:
    root = ElementTree.fromstring(bpmn_xml.encode() if isinstance(bpmn_xml, str) else bpmn_xml)
    diagram = _choose_diagram(root, _elements(root), process_id)
    out = {}
    for shape in diagram.iter(f"{{{BPMNDI}}}BPMNShape"):  # type: ignore[attr-defined]
        bounds = shape.find(f"{{{DC}}}Bounds")
        if bounds is not None:
            out[shape.get("bpmnElement") or ""] = tuple(
                float(bounds.get(k) or 0) for k in ("x", "y", "width", "height")
            )
    return out  # type: ignore[return-value]


def render_svg(
    bpmn_xml: bytes | str,
    *,
    process_id: str | None = None,
    states: Mapping[str, str] | None = None,
    title: str | None = None,
) -> str:
    root = ElementTree.fromstring(bpmn_xml.encode() if isinstance(bpmn_xml, str) else bpmn_xml)
    elements = _elements(root)
    diagram = _choose_diagram(root, elements, process_id)
    states = states or {}
    containers: list[str] = []
    shapes: list[str] = []
    edges: list[str] = []
    xs: list[float] = []
    ys: list[float] = []
    for shape in diagram.iter(f"{{{BPMNDI}}}BPMNShape"):  # type: ignore[attr-defined]
        bounds = shape.find(f"{{{DC}}}Bounds")
        if bounds is None:
            continue
        x, y, w, h = (float(bounds.get(k) or 0) for k in ("x", "y", "width", "height"))
        xs += [x, x + w]
        ys += [y, y + h]
        ref = shape.get("bpmnElement") or ""
        kind, name, _el = elements.get(ref, ("unknown", "", None))
        state = states.get(ref, "pending" if states else "")
        label = escape(name.replace("\n", " "))
        tooltip = f"<title>{label}{' · ' + escape(state) if state else ''}</title>"
        cls = f"shape {escape(kind)} {escape(state)}".strip()
        ident = f'data-id="{escape(ref, {chr(34): "&quot;"})}"'
        if kind in CONTAINERS:
            containers.append(
                f'<g class="container {escape(kind)}" {ident}>{tooltip}<rect x="{x}" y="{y}" width="{w}" height="{h}"/>'
                f'<text x="{x + 6}" y="{y + 16}">{label}</text></g>'
            )
            continue
        if kind in EVENTS:
            r = min(w, h) / 2
            stroke = ' style="stroke-width:4"' if kind == "endEvent" else ""
            body = f'<circle cx="{x + w / 2}" cy="{y + h / 2}" r="{r}"{stroke}/>'
            text_y, lines = y + h + 14, _wrap(name, 16)
        elif kind in GATEWAYS:
            cx, cy = x + w / 2, y + h / 2
            body = (
                f'<polygon points="{cx},{y} {x + w},{cy} {cx},{y + h} {x},{cy}"/>'
                f'<text class="marker" x="{cx}" y="{cy}">{GATEWAYS[kind]}</text>'
            )
            text_y, lines = y + h + 14, _wrap(name, 18)
        elif kind in ("dataObjectReference", "dataStoreReference", "textAnnotation", "group"):
            body = f'<rect x="{x}" y="{y}" width="{w}" height="{h}" style="stroke-dasharray:3 3"/>'
            text_y, lines = y + 16, _wrap(name or _text_of(_el), max(6.0, w / 7))
        else:
            body = f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="10" ry="10"/>'
            lines = _wrap(name, max(6.0, w / 6.5))
            text_y = y + h / 2 - (len(lines) - 1) * 8 + 4
        text = "".join(
            f'<text x="{x + w / 2}" y="{text_y + i * 16}" text-anchor="middle">{escape(line)}</text>'
            for i, line in enumerate(lines)
        )
        shapes.append(f'<g class="{cls}" {ident}>{tooltip}{body}{text}</g>')
    for edge in diagram.iter(f"{{{BPMNDI}}}BPMNEdge"):  # type: ignore[attr-defined]
        points = [
            (float(p.get("x") or 0), float(p.get("y") or 0)) for p in edge.iter(f"{{{DI}}}waypoint")
        ]
        if len(points) < 2:
            continue
        xs += [p[0] for p in points]
        ys += [p[1] for p in points]
        kind = elements.get(edge.get("bpmnElement") or "", ("", "", None))[0]
        css = (
            "message"
            if kind == "messageFlow"
            else "association"
            if "ssociation" in kind
            else "sequence"
        )
        marker = "" if css == "association" else ' marker-end="url(#arrow)"'
        path = " ".join(f"{px},{py}" for px, py in points)
        edges.append(f'<polyline class="edge {css}" points="{path}"{marker}/>')
    margin = 20.0
    min_x, min_y = (min(xs) - margin, min(ys) - margin) if xs else (0.0, 0.0)
    width = (max(xs) - min(xs) + 2 * margin) if xs else 100.0
    height = (max(ys) - min(ys) + 2 * margin + 20) if ys else 100.0
    heading = f"<title>{escape(title)}</title>" if title else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{min_x} {min_y} {width} {height}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img">{heading}'
        f"<style>{STYLE}</style>"
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>'
        + "".join(containers)
        + "".join(edges)
        + "".join(shapes)
        + "</svg>"
    )


def _text_of(el: object) -> str:
    if el is None:
        return ""
    for child in el:  # type: ignore[attr-defined]
        if _local(child.tag) == "text":
            return child.text or ""
    return ""
