"""Render a BPMN diagram as standalone SVG from the file's own BPMNDI layout.

The picture is the one the modeler drew (positions and sizes from ``bpmndi:BPMNShape`` and
``bpmndi:BPMNEdge``), not a re-layout, so a clerk sees the diagram the process owner knows.
An instance's progress is marked with CSS classes: ``done``, ``current`` and ``pending``.

Pure Python: the file is read with ``defusedxml`` (no entity expansion, no external
references) and the SVG is written as text, every name escaped. A file without any layout
(a hand-written BPMN) gets a simple left-to-right layout instead of an error, so that a
process page never fails because a diagram is missing.

The standalone SVG carries its own ``<style>`` (the rules of ``static/workflow/diagram.css``),
every rule scoped under the root class ``tb-bpmn`` so that it restyles nothing else; drawn
``inline`` for a page, it has none and the page links the file. No element has a style
attribute: a page's Content-Security-Policy (``style-src 'self'``) would refuse both.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defusedxml import ElementTree

__all__ = ["DiagramError", "element_bounds", "render_svg"]

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
SVG = "http://www.w3.org/2000/svg"

EVENTS = frozenset(
    {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
)
GATEWAYS = frozenset(
    {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway"}
    | {"complexGateway"}
)
SUBPROCESSES = frozenset({"subProcess", "transaction", "adHocSubProcess"})
ACTIVITIES = frozenset(
    {"task", "userTask", "serviceTask", "scriptTask", "sendTask", "receiveTask", "manualTask"}
    | {"businessRuleTask", "callActivity"}
    | SUBPROCESSES
)
CONTAINERS = frozenset({"participant", "lane"})
DATA = frozenset({"dataObjectReference", "dataObject", "dataInput", "dataOutput"})
STATES = {"done": "已完成", "current": "进行中", "pending": "未开始"}

MARGIN = 20.0
FONT = 12.0  # px; every measurement of text below is in units of this size
LABEL_FONT = 11.0  # px, names under events and gateways and on flows
LINE = 1.3 * FONT  # generous line height for Chinese text

# The rules of the picture: a static file, so that a page showing a diagram links it (the page's
# Content-Security-Policy allows no <style> element or style attribute inside), and the standalone
# SVG (the API's diagram.svg) carries the same rules in its own <style>.
STYLE = re.sub(
    r"/\*.*?\*/\n?",
    "",
    (Path(__file__).parent / "static" / "workflow" / "diagram.css").read_text(encoding="utf-8"),
    flags=re.S,
)
DEFS = (
    "<defs>"
    '<marker id="tb-bpmn-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
    'markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#404040"/></marker>'
    '<marker id="tb-bpmn-open-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
    'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10" fill="none" '
    'stroke="#404040"/></marker>'
    '<marker id="tb-bpmn-message-start" viewBox="0 0 10 10" refX="5" refY="5" '
    'markerWidth="7" markerHeight="7"><circle cx="5" cy="5" r="4" fill="#fff" '
    'stroke="#404040"/></marker>'
    '<marker id="tb-bpmn-default" viewBox="0 0 20 20" refX="0" refY="10" markerWidth="12" '
    'markerHeight="12" orient="auto"><path d="M6,4 L12,16" stroke="#404040" '
    'stroke-width="2"/></marker>'
    '<marker id="tb-bpmn-conditional" viewBox="0 0 20 12" refX="0" refY="6" markerWidth="16" '
    'markerHeight="10" orient="auto"><path d="M0,6 L10,1 L20,6 L10,11 z" fill="#fff" '
    'stroke="#404040"/></marker>'
    "</defs>"
)


class DiagramError(ValueError):
    """The file cannot be read as BPMN XML."""


# --------------------------------------------------------------------------------------------
# Reading the file


@dataclass
class _Shape:
    ref: str
    kind: str
    element: Any  # the BPMN model element, or None when the reference dangles
    x: float
    y: float
    w: float
    h: float
    di: Mapping[str, str] = field(default_factory=dict)  # BPMNShape attributes
    label: tuple[float, float, float, float] | None = None  # BPMNLabel bounds


@dataclass
class _Edge:
    ref: str
    kind: str
    element: Any
    points: list[tuple[float, float]]
    label: tuple[float, float, float, float] | None = None


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _number(value: str | None) -> float:
    """A coordinate; anything unreadable counts as 0 rather than failing the whole page."""
    try:
        number = float(value or 0)
    except ValueError:
        return 0.0
    return number if math.isfinite(number) else 0.0


def _bounds(node: Any) -> tuple[float, float, float, float] | None:
    bounds = node.find(f"{{{DC}}}Bounds") if node is not None else None
    if bounds is None:
        return None
    x, y, w, h = (_number(bounds.get(k)) for k in ("x", "y", "width", "height"))
    return x, y, max(w, 0.0), max(h, 0.0)


def _parse(bpmn_xml: bytes | str) -> Any:
    # A str is handed to the parser as text: encoding it first would make the parser trust
    # the declaration (``encoding="ISO-8859-1"``) and garble every non-ASCII name.
    try:
        return ElementTree.fromstring(bpmn_xml)
    except Exception as exc:  # ParseError and defusedxml's refusals alike
        raise DiagramError(f"not a readable BPMN file: {exc}") from exc


def _model_elements(root: Any) -> dict[str, Any]:
    return {
        el.get("id"): el
        for el in root.iter()
        if isinstance(el.tag, str) and el.tag.startswith(f"{{{BPMN}}}") and el.get("id")
    }


def _choose_plane(root: Any, elements: Mapping[str, Any], process_id: str | None) -> Any:
    """The plane of the diagram that draws ``process_id`` (directly, or as a participant of
    the collaboration it draws); else the first diagram's."""
    planes = [
        plane
        for diagram in root.iter(f"{{{BPMNDI}}}BPMNDiagram")
        for plane in diagram.findall(f"{{{BPMNDI}}}BPMNPlane")
    ]
    if process_id:
        for plane in planes:
            ref = plane.get("bpmnElement") or ""
            if ref == process_id:
                return plane
            owner = elements.get(ref)
            if (
                owner is not None
                and _local(owner.tag) == "collaboration"
                and any(
                    p.get("processRef") == process_id for p in owner.iter(f"{{{BPMN}}}participant")
                )
            ):
                return plane
    return planes[0] if planes else None


def _from_plane(plane: Any, elements: Mapping[str, Any]) -> tuple[list[_Shape], list[_Edge]]:
    shapes: list[_Shape] = []
    edges: list[_Edge] = []
    for node in plane.iter(f"{{{BPMNDI}}}BPMNShape"):
        bounds = _bounds(node)
        if bounds is None:
            continue
        ref = node.get("bpmnElement") or ""
        element = elements.get(ref)
        label = node.find(f"{{{BPMNDI}}}BPMNLabel")
        shapes.append(
            _Shape(
                ref,
                _local(element.tag) if element is not None else "unknown",
                element,
                *bounds,
                di=dict(node.attrib),
                label=_bounds(label),
            )
        )
    for node in plane.iter(f"{{{BPMNDI}}}BPMNEdge"):
        points = [
            (_number(p.get("x")), _number(p.get("y"))) for p in node.iter(f"{{{DI}}}waypoint")
        ]
        if len(points) < 2:
            continue
        ref = node.get("bpmnElement") or ""
        element = elements.get(ref)
        label = node.find(f"{{{BPMNDI}}}BPMNLabel")
        edges.append(
            _Edge(
                ref,
                _local(element.tag) if element is not None else "unknown",
                element,
                points,
                _bounds(label),
            )
        )
    return shapes, edges


def _auto_layout(root: Any, process_id: str | None) -> tuple[list[_Shape], list[_Edge]]:
    """A left-to-right layered layout for a process drawn without BPMNDI.

    Columns by longest path from the start (back edges — loops such as 退回 — ignored for
    ranking and routed underneath), rows by the predecessors' rows. Plain, but every node and
    flow of the top level is there, so progress can still be shown.
    """
    processes = [p for p in root.iter(f"{{{BPMN}}}process")]
    if not processes:
        return [], []
    process = next((p for p in processes if p.get("id") == process_id), None)
    if process is None:
        executable = [p for p in processes if (p.get("isExecutable") or "").lower() == "true"]
        process = (executable or processes)[0]
    nodes: dict[str, Any] = {}
    flows: list[Any] = []
    for child in process:
        kind = _local(child.tag)
        if kind == "sequenceFlow" and child.get("id"):
            flows.append(child)
        elif kind in EVENTS | GATEWAYS | ACTIVITIES and child.get("id"):
            nodes[child.get("id")] = child
    # A boundary event sits on its host: same column, so what follows it comes right after.
    attached = {
        node_id: el.get("attachedToRef")
        for node_id, el in nodes.items()
        if _local(el.tag) == "boundaryEvent" and el.get("attachedToRef") in nodes
    }
    successors: dict[str, list[str]] = {n: [] for n in nodes}
    for boundary, host in attached.items():
        successors[host].append(boundary)
    for flow in flows:
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        if source in nodes and target in nodes:
            successors[source].append(target)
    # Depth-first from the start events (then from anything left) to find back edges.
    back: set[tuple[str, str]] = set()
    colour: dict[str, int] = {}
    starts = [n for n, el in nodes.items() if _local(el.tag) == "startEvent"]
    for origin in [*starts, *nodes]:
        if origin in colour:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(origin, iter(successors[origin]))]
        colour[origin] = 1
        while stack:
            current, children = stack[-1]
            child = next(children, None)
            if child is None:
                colour[current] = 2
                stack.pop()
            elif colour.get(child) == 1:
                back.add((current, child))
            elif child not in colour:
                colour[child] = 1
                stack.append((child, iter(successors[child])))
    # Longest path over what is left, which is acyclic: relax the edges in topological order.
    predecessors: dict[str, list[str]] = {n: [] for n in nodes}
    for source, targets in successors.items():
        for target in targets:
            if (source, target) not in back:
                predecessors[target].append(source)
    waiting = {n: len(p) for n, p in predecessors.items()}
    ready = [n for n, count in waiting.items() if count == 0]
    rank = dict.fromkeys(nodes, 0)
    while ready:
        source = ready.pop()
        for target in successors[source]:
            if (source, target) in back:
                continue
            step = 0 if attached.get(target) == source else 1
            rank[target] = max(rank[target], rank[source] + step)
            waiting[target] -= 1
            if waiting[target] == 0:
                ready.append(target)
    columns: dict[int, list[str]] = {}
    for node_id in nodes:
        if node_id not in attached:
            columns.setdefault(rank[node_id], []).append(node_id)
    row_of: dict[str, float] = {}
    shapes: list[_Shape] = []
    placed: dict[str, _Shape] = {}
    for column in sorted(columns):
        # Rows by the mean row of the predecessors (barycentre), which untangles most
        # crossings; ties keep document order.
        def barycentre(node_id: str) -> float:
            rows = [row_of[p] for p in predecessors[node_id] if p in row_of]
            return sum(rows) / len(rows) if rows else math.inf

        for row, node_id in enumerate(sorted(columns[column], key=barycentre)):
            el = nodes[node_id]
            kind = _local(el.tag)
            w, h = (
                (36.0, 36.0)
                if kind in EVENTS
                else (50.0, 50.0)
                if kind in GATEWAYS
                else (100.0, 80.0)
            )
            cx, cy = 80.0 + column * 160.0, 80.0 + row * 140.0
            host = _Shape(node_id, kind, el, cx - w / 2, cy - h / 2, w, h)
            shapes.append(host)
            placed[node_id] = host
            row_of[node_id] = row
            on_host = [b for b, host_id in attached.items() if host_id == node_id]
            for i, boundary in enumerate(on_host):
                row_of[boundary] = row + 0.6  # below its host's own successors
                shape = _Shape(boundary, "boundaryEvent", nodes[boundary],
                               host.x + w - 40 - 42 * i, host.y + h - 18, 36.0, 36.0)  # fmt: skip
                shapes.append(shape)
                placed[boundary] = shape
    edges: list[_Edge] = []
    for flow in flows:
        source, target = placed.get(flow.get("sourceRef")), placed.get(flow.get("targetRef"))
        if source is None or target is None:
            continue
        start = (source.x + source.w, source.y + source.h / 2)
        end = (target.x, target.y + target.h / 2)
        if end[0] > start[0]:
            mid = (start[0] + end[0]) / 2
            points = [start, (mid, start[1]), (mid, end[1]), end]
        else:  # a loop back: under both shapes
            below = max(source.y + source.h, target.y + target.h) + 30
            points = [
                (source.x + source.w / 2, source.y + source.h),
                (source.x + source.w / 2, below),
                (target.x + target.w / 2, below),
                (target.x + target.w / 2, target.y + target.h),
            ]
        edges.append(_Edge(flow.get("id"), "sequenceFlow", flow, points))
    return shapes, edges


def _layout(
    bpmn_xml: bytes | str, process_id: str | None
) -> tuple[dict[str, Any], list[_Shape], list[_Edge]]:
    root = _parse(bpmn_xml)
    if _local(root.tag) != "definitions" or not root.tag.startswith(f"{{{BPMN}}}"):
        raise DiagramError("not a BPMN 2.0 file (the root must be bpmn:definitions)")
    elements = _model_elements(root)
    plane = _choose_plane(root, elements, process_id)
    shapes, edges = _from_plane(plane, elements) if plane is not None else ([], [])
    if not shapes and not edges:
        shapes, edges = _auto_layout(root, process_id)
    return elements, shapes, edges


def element_bounds(
    bpmn_xml: bytes | str, process_id: str | None = None
) -> dict[str, tuple[float, float, float, float]]:
    """Element id → (x, y, width, height) of its shape in the diagram that would be drawn."""
    _, shapes, _ = _layout(bpmn_xml, process_id)
    return {s.ref: (s.x, s.y, s.w, s.h) for s in shapes}


# --------------------------------------------------------------------------------------------
# Text

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CLOSING = set("，。、；：！？）》」』】〕〉”’,.;:!?)]}%")  # never at the start of a line


def _text(value: str) -> str:
    """Escape for element content; drop characters XML 1.0 cannot carry."""
    value = _INVALID_XML.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    # White space as character references, or attribute normalisation would turn it into spaces.
    return (
        _text(value)
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def _f(value: float) -> str:
    """Coordinates with at most two decimals: smaller output, and stable for tests."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _char_width(char: str) -> float:
    """Width in em: CJK and other wide characters take a full em, Latin about 0.55."""
    if unicodedata.east_asian_width(char) in "WF":
        return 1.0
    if unicodedata.combining(char):
        return 0.0
    return 0.55 if not char.isupper() else 0.68


def _width(text: str) -> float:
    return sum(_char_width(c) for c in text)


def _units(paragraph: str) -> Iterator[str]:
    """Break opportunities: one wide (CJK) character, or a Latin word with its trailing
    spaces — a word also ends after a hyphen or slash (``Sub-|Process``)."""
    word = ""
    for char in paragraph:
        if unicodedata.east_asian_width(char) in "WF":
            if word:
                yield word
                word = ""
            yield char
            continue
        if word and not char.isspace() and (word[-1].isspace() or word[-1] in "-/"):
            yield word
            word = ""
        word += char
    if word:
        yield word


def _wrap(text: str, width_px: float, max_lines: int = 6, font: float = FONT) -> list[str]:
    """Wrap a name into lines no wider than ``width_px``: at spaces for Latin text, between
    any two characters for CJK (but never before closing punctuation); explicit newlines
    (``&#10;`` in the file) are kept. Too many lines end with an ellipsis."""
    limit = max(width_px / font, 2.0)
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = ""
        for unit in _units(paragraph):
            if line and _width((line + unit).rstrip()) > limit and unit not in _CLOSING:
                lines.append(line.rstrip())
                line = ""
                unit = unit.lstrip()
            while _width(unit.rstrip()) > limit:  # one word longer than a line: cut it
                cut = 1
                while cut < len(unit) and _width(line + unit[: cut + 1]) <= limit:
                    cut += 1
                lines.append((line + unit[:cut]).rstrip())
                line, unit = "", unit[cut:]
            line += unit
        if line.strip():
            lines.append(line.rstrip())
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(len(lines[-1]) - 1, 0)] + "…"
    return [line.strip() for line in lines]


def _text_block(
    lines: list[str], cx: float, top: float, *, anchor: str = "middle", css: str = ""
) -> str:
    if not lines:
        return ""
    cls = f' class="{css}"' if css else ""
    spans = "".join(
        f'<tspan x="{_f(cx)}" dy="{_f(LINE if i else 0)}">{_text(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text{cls} x="{_f(cx)}" y="{_f(top + FONT)}" text-anchor="{anchor}">{spans}</text>'


def _centred_text(lines: list[str], cx: float, cy: float) -> str:
    return _text_block(lines, cx, cy - len(lines) * LINE / 2 + (LINE - FONT) / 2 - 1)


# --------------------------------------------------------------------------------------------
# Shapes


def _children(element: Any) -> list[str]:
    return [_local(c.tag) for c in element] if element is not None else []


def _name(element: Any) -> str:
    if element is None:
        return ""
    name = element.get("name")
    if name:
        return str(name)
    if _local(element.tag) == "textAnnotation":
        text = element.find(f"{{{BPMN}}}text")
        return (text.text or "") if text is not None else ""
    return ""


def _event_marker(kind: str, element: Any, cx: float, cy: float, r: float) -> str:
    definitions = [c for c in _children(element) if c.endswith("EventDefinition")]
    if not definitions:
        return ""
    # Throwing events show a filled symbol, catching ones an outline (BPMN 2.0, 10.5).
    solid = " solid" if kind in ("endEvent", "intermediateThrowEvent") else ""
    d = definitions[0].removesuffix("EventDefinition")
    s = r * 0.55
    if len(definitions) > 1:  # multiple: a pentagon
        pts = [
            (cx + s * math.sin(a * math.pi / 2.5), cy - s * math.cos(a * math.pi / 2.5))
            for a in range(5)
        ]
        return f'<polygon class="marker{solid}" points="{_points(pts)}"/>'
    if d == "timer":
        ticks = "".join(
            f"M{_f(cx + s * 0.8 * math.sin(a * math.pi / 6))},"
            f"{_f(cy - s * 0.8 * math.cos(a * math.pi / 6))} "
            f"L{_f(cx + s * math.sin(a * math.pi / 6))},{_f(cy - s * math.cos(a * math.pi / 6))} "
            for a in range(12)
        )
        return (
            f'<circle class="marker" cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(s * 1.05)}"/>'
            f'<path class="marker" d="{ticks}M{_f(cx)},{_f(cy - s * 0.65)} L{_f(cx)},{_f(cy)} '
            f'L{_f(cx + s * 0.45)},{_f(cy)}"/>'
        )
    if d == "message":
        x0, y0, w, h = cx - s, cy - s * 0.65, 2 * s, 1.3 * s
        flap = f"M{_f(x0)},{_f(y0)} L{_f(cx)},{_f(cy + s * 0.05)} L{_f(x0 + w)},{_f(y0)}"
        return (
            f'<rect class="marker{solid}" x="{_f(x0)}" y="{_f(y0)}" width="{_f(w)}" '
            f'height="{_f(h)}"/><path class="marker{" knockout" if solid else ""}" d="{flap}"/>'
        )
    if d == "terminate":
        return f'<circle class="marker solid" cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r * 0.62)}"/>'
    shapes = {
        "signal": [(0, -0.9), (0.85, 0.6), (-0.85, 0.6)],
        "escalation": [(0, -0.95), (0.7, 0.85), (0, 0.2), (-0.7, 0.85)],
        "error": [(-0.8, 0.9), (-0.35, -0.75), (0.15, 0.25), (0.8, -0.9), (0.35, 0.75), (-0.15, -0.25)],
        "link": [(-0.8, -0.3), (0.1, -0.3), (0.1, -0.7), (0.85, 0), (0.1, 0.7), (0.1, 0.3), (-0.8, 0.3)],
        "compensate": [(-0.85, 0), (0, -0.6), (0, 0), (0.85, -0.6), (0.85, 0.6), (0, 0), (0, 0.6)],
        "cancel": [(-0.7, -0.5), (-0.5, -0.7), (0, -0.2), (0.5, -0.7), (0.7, -0.5), (0.2, 0), (0.7, 0.5), (0.5, 0.7), (0, 0.2), (-0.5, 0.7), (-0.7, 0.5), (-0.2, 0)],
        "conditional": [(-0.6, -0.8), (0.6, -0.8), (0.6, 0.8), (-0.6, 0.8)],
    }  # fmt: skip
    outline = shapes.get(d)
    if outline is None:
        return ""
    body = (
        f'<polygon class="marker{solid}" '
        f'points="{_points((cx + px * s, cy + py * s) for px, py in outline)}"/>'
    )
    if d == "conditional":
        lines = " ".join(
            f"M{_f(cx - s * 0.4)},{_f(cy + k * s)} L{_f(cx + s * 0.4)},{_f(cy + k * s)}"
            for k in (-0.45, -0.15, 0.15, 0.45)
        )
        body += f'<path class="marker" d="{lines}"/>'
    return body


def _points(points: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{_f(x)},{_f(y)}" for x, y in points)


def _gateway_marker(shape: _Shape) -> str:
    cx, cy, s = shape.x + shape.w / 2, shape.y + shape.h / 2, min(shape.w, shape.h)
    if shape.kind == "exclusiveGateway":
        if shape.di.get("isMarkerVisible") == "false":  # BPMN DI lets the modeler hide it
            return ""
        a = s * 0.18
        d = f"M{_f(cx - a)},{_f(cy - a)} L{_f(cx + a)},{_f(cy + a)} M{_f(cx + a)},{_f(cy - a)} L{_f(cx - a)},{_f(cy + a)}"
        return f'<path class="gateway-marker" d="{d}"/>'
    if shape.kind == "parallelGateway":
        a = s * 0.26
        d = f"M{_f(cx)},{_f(cy - a)} L{_f(cx)},{_f(cy + a)} M{_f(cx - a)},{_f(cy)} L{_f(cx + a)},{_f(cy)}"
        return f'<path class="gateway-marker" d="{d}"/>'
    if shape.kind == "inclusiveGateway":
        return f'<circle class="gateway-marker" cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(s * 0.22)}"/>'
    if shape.kind == "complexGateway":
        a, b = s * 0.26, s * 0.18
        d = (
            f"M{_f(cx)},{_f(cy - a)} L{_f(cx)},{_f(cy + a)} M{_f(cx - a)},{_f(cy)} L{_f(cx + a)},{_f(cy)} "
            f"M{_f(cx - b)},{_f(cy - b)} L{_f(cx + b)},{_f(cy + b)} M{_f(cx + b)},{_f(cy - b)} L{_f(cx - b)},{_f(cy + b)}"
        )
        return f'<path class="gateway-marker" d="{d}"/>'
    if shape.kind == "eventBasedGateway":
        r = s * 0.22
        pts = [
            (cx + r * 0.6 * math.sin(a * math.pi / 2.5), cy - r * 0.6 * math.cos(a * math.pi / 2.5))
            for a in range(5)
        ]
        return (
            f'<circle class="marker" cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r)}"/>'
            f'<circle class="marker" cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r * 0.82)}"/>'
            f'<polygon class="marker" points="{_points(pts)}"/>'
        )
    return ""


def _task_icon(kind: str, x: float, y: float) -> str:
    """The small type symbol in an activity's top-left corner (BPMN 2.0, 10.3.3)."""
    x, y = x + 7, y + 7
    if kind == "userTask":
        return (
            f'<circle class="icon" cx="{_f(x + 7)}" cy="{_f(y + 4)}" r="3.5"/>'
            f'<path class="icon" d="M{_f(x)},{_f(y + 15)} C{_f(x)},{_f(y + 8)} {_f(x + 14)},'
            f'{_f(y + 8)} {_f(x + 14)},{_f(y + 15)} Z"/>'
        )
    if kind == "serviceTask":
        return (
            f'<circle class="icon gear" cx="{_f(x + 7)}" cy="{_f(y + 7)}" r="5.5"/>'
            f'<circle class="icon" cx="{_f(x + 7)}" cy="{_f(y + 7)}" r="2.2"/>'
        )
    if kind == "scriptTask":
        return (
            f'<path class="icon" d="M{_f(x + 3)},{_f(y)} H{_f(x + 14)} C{_f(x + 10)},{_f(y + 5)} '
            f"{_f(x + 15)},{_f(y + 10)} {_f(x + 11)},{_f(y + 15)} H{_f(x)} C{_f(x + 4)},{_f(y + 10)} "
            f"{_f(x - 1)},{_f(y + 5)} {_f(x + 3)},{_f(y)} Z M{_f(x + 4)},{_f(y + 5)} H{_f(x + 10)} "
            f'M{_f(x + 4)},{_f(y + 10)} H{_f(x + 10)}"/>'
        )
    if kind in ("sendTask", "receiveTask"):
        solid = " solid" if kind == "sendTask" else ""
        flap = " knockout" if solid else ""
        return (
            f'<rect class="icon{solid}" x="{_f(x)}" y="{_f(y + 2)}" width="16" height="11"/>'
            f'<path class="icon{flap}" d="M{_f(x)},{_f(y + 2)} L{_f(x + 8)},{_f(y + 8)} '
            f'L{_f(x + 16)},{_f(y + 2)}"/>'
        )
    if kind == "businessRuleTask":
        return (
            f'<rect class="icon" x="{_f(x)}" y="{_f(y + 1)}" width="16" height="12"/>'
            f'<rect class="icon solid" x="{_f(x)}" y="{_f(y + 1)}" width="16" height="3.5"/>'
            f'<path class="icon" d="M{_f(x)},{_f(y + 8.5)} H{_f(x + 16)} M{_f(x + 5)},'
            f'{_f(y + 4.5)} V{_f(y + 13)}"/>'
        )
    if kind == "manualTask":
        return (
            f'<path class="icon" d="M{_f(x)},{_f(y + 6)} H{_f(x + 14)} M{_f(x + 2)},{_f(y + 9)} '
            f"H{_f(x + 14)} M{_f(x + 3)},{_f(y + 12)} H{_f(x + 12)} M{_f(x)},{_f(y + 6)} "
            f'V{_f(y + 14)} H{_f(x + 10)}"/>'
        )
    return ""


def _activity_markers(shape: _Shape, collapsed: bool) -> str:
    """Bottom-centre markers: loop, multi-instance (会签 is one), collapsed, ad hoc."""
    kinds: list[str] = []
    children = _children(shape.element)
    if "multiInstanceLoopCharacteristics" in children:
        loop = shape.element.find(f"{{{BPMN}}}multiInstanceLoopCharacteristics")
        sequential = (loop.get("isSequential") or "").lower() == "true"
        kinds.append("sequential" if sequential else "parallel")
    elif "standardLoopCharacteristics" in children:
        kinds.append("loop")
    if collapsed:
        kinds.append("collapsed")
    if shape.kind == "adHocSubProcess":
        kinds.append("adhoc")
    out = []
    size, gap = 12.0, 4.0
    left = shape.x + shape.w / 2 - (len(kinds) * size + (len(kinds) - 1) * gap) / 2
    top = shape.y + shape.h - size - 4
    for i, kind in enumerate(kinds):
        x = left + i * (size + gap)
        if kind == "parallel":
            d = " ".join(f"M{_f(x + k)},{_f(top)} V{_f(top + size)}" for k in (2, 6, 10))
        elif kind == "sequential":
            d = " ".join(f"M{_f(x)},{_f(top + k)} H{_f(x + size)}" for k in (2, 6, 10))
        elif kind == "loop":
            d = (
                f"M{_f(x + 3)},{_f(top + 10)} A5,5 0 1,1 {_f(x + 9)},{_f(top + 10)} "
                f"M{_f(x + 3)},{_f(top + 10)} l-2,-3 M{_f(x + 3)},{_f(top + 10)} l3,-1"
            )
        elif kind == "collapsed":
            d = (
                f"M{_f(x)},{_f(top)} h{_f(size)} v{_f(size)} h{_f(-size)} z "
                f"M{_f(x + 6)},{_f(top + 3)} v6 M{_f(x + 3)},{_f(top + 6)} h6"
            )
        else:
            d = f"M{_f(x)},{_f(top + 7)} q3,-5 6,0 t6,0"
        out.append(f'<path class="marker wide" d="{d}"/>')
    return "".join(out)


def _is_expanded(shape: _Shape, drawn: set[str]) -> bool:
    flag = (shape.di.get("isExpanded") or "").lower()
    if flag in ("true", "false"):
        return flag == "true"
    # Unspecified: expanded when any of its own elements is drawn on this plane.
    if shape.element is None:
        return False
    return any(child.get("id") in drawn for child in shape.element)


def _label_below(shape: _Shape, name: str) -> str:
    """The name of an event, gateway or data element: in its BPMNLabel bounds when the file
    gives them, else centred under the shape."""
    if not name:
        return ""
    if shape.label is not None and shape.label[2] > 0:
        x, y, w, _h = shape.label
        # The modeler sized these bounds with its own font metrics; ours are estimates, so
        # allow some slack rather than break a line the author saw on one line.
        lines = _wrap(name, max(w * 1.25 + 10, 60.0), 4, LABEL_FONT)
        return _text_block(lines, x + w / 2, y - 2, css="label")
    return _text_block(
        _wrap(name, max(shape.w * 2.6, 90.0), 4, LABEL_FONT), shape.x + shape.w / 2, shape.y + shape.h + 3,
        css="label",
    )  # fmt: skip


def _shape_svg(
    shape: _Shape, state: str, drawn: set[str], elements: Mapping[str, Any]
) -> tuple[str, str]:
    """(layer, SVG group) for one BPMNShape; the layer decides what is drawn over what."""
    x, y, w, h = shape.x, shape.y, shape.w, shape.h
    kind, element = shape.kind, shape.element
    name = _name(element)
    classes = ["shape", kind]
    layer = "shape"
    body = ""
    text = ""
    if kind in CONTAINERS:
        layer = "container"
        horizontal = shape.di.get("isHorizontal", "true").lower() != "false"
        band = 30.0 if (kind == "participant" or name) else 0.0
        body = f'<rect class="body" x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}"/>'
        if band and horizontal:
            body += f'<path d="M{_f(x + band)},{_f(y)} V{_f(y + h)}"/>'
            cx, cy = x + band / 2, y + h / 2
            lines = _wrap(name, max(h - 10, 20), 2)
            text = (
                f'<g transform="rotate(-90 {_f(cx)} {_f(cy)})">{_centred_text(lines, cx, cy)}</g>'
            )
        elif band:
            body += f'<path d="M{_f(x)},{_f(y + band)} H{_f(x + w)}"/>'
            text = _centred_text(_wrap(name, max(w - 10, 20), 2), x + w / 2, y + band / 2)
    elif kind in EVENTS:
        cx, cy, r = x + w / 2, y + h / 2, min(w, h) / 2
        if element is not None and (
            element.get("cancelActivity") == "false" or element.get("isInterrupting") == "false"
        ):
            classes.append("non-interrupting")
        body = f'<circle class="body" cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r)}"/>'
        if kind in ("intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"):
            body += (
                f'<circle class="body inner" cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(max(r - 3, 1))}"/>'
            )
        body += _event_marker(kind, element, cx, cy, r)
        text = _label_below(shape, name)
    elif kind in GATEWAYS:
        cx, cy = x + w / 2, y + h / 2
        pts = [(cx, y), (x + w, cy), (cx, y + h), (x, cy)]
        body = f'<polygon class="body" points="{_points(pts)}"/>' + _gateway_marker(shape)
        text = _label_below(shape, name)
    elif kind in ACTIVITIES:
        expanded = kind in SUBPROCESSES and _is_expanded(shape, drawn)
        body = f'<rect class="body" x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}" rx="10" ry="10"/>'
        if kind == "transaction":
            body += (
                f'<rect class="body inner" x="{_f(x + 3)}" y="{_f(y + 3)}" '
                f'width="{_f(max(w - 6, 0))}" '
                f'height="{_f(max(h - 6, 0))}" rx="8" ry="8"/>'
            )
        if expanded:
            layer = "frame"
            if element is not None and element.get("triggeredByEvent") == "true":
                classes.append("event-sub")
            text = _text_block(_wrap(name, w - 16, 2), x + 8, y + 4, anchor="start")
        else:
            body += _task_icon(kind, x, y)
        markers = _activity_markers(shape, collapsed=kind in SUBPROCESSES and not expanded)
        if not expanded:
            room = h - 12 - (14 if markers else 0)  # keep the name clear of the markers
            # Never cut a step's name short: past the room it runs over the border instead.
            lines = _wrap(name, w - 10, max(int(room // LINE), 8))
            text = _centred_text(lines, x + w / 2, y + room / 2 + 6)
        body += markers
    elif kind in DATA:
        fold = min(w, h) * 0.3
        d = (
            f"M{_f(x)},{_f(y)} H{_f(x + w - fold)} L{_f(x + w)},{_f(y + fold)} V{_f(y + h)} "
            f"H{_f(x)} Z M{_f(x + w - fold)},{_f(y)} V{_f(y + fold)} H{_f(x + w)}"
        )
        body = f'<path class="body" d="{d}"/>'
        target = elements.get(element.get("dataObjectRef") or "") if element is not None else None
        if any(
            e is not None and (e.get("isCollection") or "").lower() == "true"
            for e in (element, target)
        ):
            bx, by = x + w / 2 - 5, y + h - 12
            body += '<path class="marker" d="' + " ".join(
                f"M{_f(bx + k)},{_f(by)} V{_f(by + 9)}" for k in (1, 5, 9)
            ) + '"/>'  # fmt: skip
        if kind in ("dataInput", "dataOutput"):
            solid = " solid" if kind == "dataOutput" else ""
            arrow = [(x + 4, y + 7), (x + 10, y + 7), (x + 10, y + 4), (x + 16, y + 10),
                     (x + 10, y + 16), (x + 10, y + 13), (x + 4, y + 13)]  # fmt: skip
            body += f'<polygon class="marker{solid}" points="{_points(arrow)}"/>'
        text = _label_below(shape, name)
    elif kind == "dataStoreReference":
        ry = min(h * 0.15, 10.0)
        d = (
            f"M{_f(x)},{_f(y + ry)} A{_f(w / 2)},{_f(ry)} 0 0,1 {_f(x + w)},{_f(y + ry)} "
            f"V{_f(y + h - ry)} A{_f(w / 2)},{_f(ry)} 0 0,1 {_f(x)},{_f(y + h - ry)} Z "
            f"M{_f(x)},{_f(y + ry)} A{_f(w / 2)},{_f(ry)} 0 0,0 {_f(x + w)},{_f(y + ry)} "
            f"M{_f(x)},{_f(y + 2 * ry)} A{_f(w / 2)},{_f(ry)} 0 0,0 {_f(x + w)},{_f(y + 2 * ry)}"
        )
        body = f'<path class="body" d="{d}"/>'
        text = _label_below(shape, name)
    elif kind == "textAnnotation":
        classes = ["annotation", kind]
        # A transparent rect gives the group its full area (for hit-testing and for tests);
        # the bracket is the visible part.
        body = (
            f'<rect class="body" x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}"/>'
            f'<path d="M{_f(x + 12)},{_f(y)} H{_f(x)} V{_f(y + h)} H{_f(x + 12)}"/>'
        )
        # Annotations are often drawn smaller than their text; let it run on rather than cut.
        lines = _wrap(name, max(w - 10, 120.0), max(int((h - 4) // LINE), 4))
        text = _text_block(lines, x + 6, y + 3, anchor="start")
    elif kind == "group":
        layer = "frame"
        body = f'<rect class="body" x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}" rx="8" ry="8"/>'
        value = elements.get(element.get("categoryValueRef") or "") if element is not None else None
        name = name or (value.get("value") or "" if value is not None else "")
        text = _text_block(_wrap(name, w - 10, 2), x + w / 2, y + 3)
    else:  # an element this renderer has no symbol for: still drawn, never dropped
        body = f'<rect class="body" x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_f(h)}"/>'
        text = _centred_text(_wrap(name, w - 8, 3), x + w / 2, y + h / 2)
    if layer != "shape":
        classes[0] = layer
    if state:
        classes.append(state)
    label = name.replace("\n", " ").strip() or shape.ref
    tooltip = f"{label} · {STATES[state]} ({state})" if state else label
    data_state = f' data-state="{state}"' if state else ""
    return layer, (
        f'<g class="{_attr(" ".join(classes))}" data-id="{_attr(shape.ref)}"{data_state}>'
        f"<title>{_text(tooltip)}</title>{body}{text}</g>"
    )


def _edge_svg(edge: _Edge, state: str, elements: Mapping[str, Any]) -> str:
    element = edge.element
    kind = edge.kind
    start = end = ""
    if kind == "messageFlow":
        css = "message"
        start, end = "tb-bpmn-message-start", "tb-bpmn-open-arrow"
    elif kind == "association":
        css = "association"
        direction = (element.get("associationDirection") or "None") if element is not None else ""
        end = "tb-bpmn-open-arrow" if direction in ("One", "Both") else ""
        start = "tb-bpmn-open-arrow" if direction == "Both" else ""
    elif kind in ("dataInputAssociation", "dataOutputAssociation"):
        css, end = "data", "tb-bpmn-open-arrow"
    else:
        css, end = "sequence", "tb-bpmn-arrow"
        if kind == "sequenceFlow" and element is not None:
            source = elements.get(element.get("sourceRef") or "")
            if source is not None and source.get("default") == element.get("id"):
                start = "tb-bpmn-default"
            elif (
                source is not None
                and _local(source.tag) in ACTIVITIES
                and "conditionExpression" in _children(element)
            ):
                start = "tb-bpmn-conditional"
    markers = (f' marker-start="url(#{start})"' if start else "") + (
        f' marker-end="url(#{end})"' if end else ""
    )
    classes = f"edge {css} {kind}" + (f" {state}" if state else "")
    name = _name(element)
    text = ""
    if name:
        if edge.label is not None and edge.label[2] > 0:
            x, y, w, _h = edge.label
            lines = _wrap(name, max(w * 1.25 + 10, 60.0), 3, LABEL_FONT)
            text = _text_block(lines, x + w / 2, y - 2, css="label")
        else:
            (x1, y1), (x2, y2) = _middle_segment(edge.points)
            text = _text_block(
                _wrap(name, 110, 3, LABEL_FONT),
                (x1 + x2) / 2 + 4,
                (y1 + y2) / 2 - LINE - 2,
                css="label",
            )
    title = f"<title>{_text(name)}</title>" if name else ""
    return (
        f'<g class="{_attr(classes)}" data-edge="{_attr(edge.ref)}">{title}'
        f'<polyline points="{_points(edge.points)}"{markers}/>{text}</g>'
    )


def _middle_segment(points: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    i = max((len(points) - 1) // 2, 0)
    return points[i], points[min(i + 1, len(points) - 1)]


# --------------------------------------------------------------------------------------------
# The picture


def render_svg(
    bpmn_xml: bytes | str,
    *,
    process_id: str | None = None,
    states: Mapping[str, str] | None = None,
    title: str | None = None,
    inline: bool = False,
) -> str:
    """Draw the diagram of ``process_id`` (else the first diagram) as a standalone SVG, or with
    ``inline`` for a page that links ``workflow/diagram.css`` (the SVG then has no <style>).

    ``states`` maps element ids to ``"done"``, ``"current"`` or ``"pending"``; when it is
    given, flow nodes it does not mention count as pending. Other values are ignored (they
    become CSS classes, so only known words are let through). Raises ``DiagramError`` (a
    ``ValueError``) when the bytes are not BPMN XML.
    """
    elements, shapes, edges = _layout(bpmn_xml, process_id)
    known = {str(k): v for k, v in (states or {}).items() if isinstance(v, str) and v in STATES}
    drawn = {s.ref for s in shapes}
    layers: dict[str, list[str]] = {"container": [], "frame": [], "edge": [], "shape": []}
    xs: list[float] = []
    ys: list[float] = []
    for shape in shapes:
        state = known.get(shape.ref, "")
        if not state and states and shape.kind in EVENTS | GATEWAYS | ACTIVITIES:
            state = "pending"
        layer, svg = _shape_svg(shape, state, drawn, elements)
        layers[layer].append(svg)
        xs += [shape.x, shape.x + shape.w]
        ys += [shape.y, shape.y + shape.h]
        if shape.label is not None:
            xs += [shape.label[0], shape.label[0] + shape.label[2]]
            ys += [shape.label[1], shape.label[1] + shape.label[3]]
        elif shape.kind in EVENTS | GATEWAYS | DATA | {"dataStoreReference"} and _name(
            shape.element
        ):
            # the label drawn under the shape: reserve its room so it is not cut off
            half = max(shape.w * 1.3, 45.0)
            xs += [shape.x + shape.w / 2 - half, shape.x + shape.w / 2 + half]
            ys.append(shape.y + shape.h + 3 * LINE)
    for edge in edges:
        layers["edge"].append(_edge_svg(edge, known.get(edge.ref, ""), elements))
        xs += [p[0] for p in edge.points]
        ys += [p[1] for p in edge.points]
        if edge.label is not None:
            xs += [edge.label[0], edge.label[0] + edge.label[2]]
            ys += [edge.label[1], edge.label[1] + edge.label[3]]
    if xs:
        min_x, min_y = min(xs) - MARGIN, min(ys) - MARGIN
        width, height = max(xs) - min(xs) + 2 * MARGIN, max(ys) - min(ys) + 2 * MARGIN
    else:
        min_x, min_y, width, height = 0.0, 0.0, 200.0, 60.0
    heading = f"<title>{_text(title)}</title>" if title else ""
    empty = (
        "" if xs else '<text x="100" y="35" text-anchor="middle">此流程没有图形 · no diagram</text>'
    )
    return (
        f'<svg xmlns="{SVG}" class="tb-bpmn" viewBox="{_f(min_x)} {_f(min_y)} {_f(width)} '
        f'{_f(height)}" width="{_f(math.ceil(width))}" height="{_f(math.ceil(height))}" '
        f'role="img">{heading}'
        + ("" if inline else f"<style>{STYLE}</style>")
        + DEFS
        + "".join(layers["container"])
        + "".join(layers["frame"])
        + "".join(layers["edge"])
        + "".join(layers["shape"])
        + empty
        + "</svg>"
    )
