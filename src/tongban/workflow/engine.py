"""The facade over SpiffWorkflow: the only module that imports it (import-linter checks).

It parses and lints BPMN, runs workflows with a restricted script engine, and (de)serialises
engine state with the process specification kept apart from each instance.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from defusedxml import ElementTree
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState

from tongban.workflow import evaluator

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
PLATFORM_NS = "https://tongban.org/schema/bpmn"  # tongban:dueWorkingDays

# Elements the platform runs. Anything else inside an executable process is refused at import.
SUPPORTED = {
    "startEvent", "endEvent", "userTask", "manualTask", "task", "scriptTask", "exclusiveGateway",
    "parallelGateway", "inclusiveGateway", "sequenceFlow", "boundaryEvent",
    "intermediateCatchEvent", "subProcess", "callActivity", "serviceTask", "textAnnotation",
    "association", "dataObject", "dataObjectReference", "laneSet", "lane", "extensionElements",
    "documentation", "incoming", "outgoing", "conditionExpression", "multiInstanceLoopCharacteristics",
    "standardLoopCharacteristics", "timerEventDefinition", "ioSpecification", "property",
    "dataInputAssociation", "dataOutputAssociation", "terminateEventDefinition",
}  # fmt: skip
REFUSED = {
    "sendTask": gettext_noop("sending messages"),
    "receiveTask": gettext_noop("receiving messages"),
    "businessRuleTask": gettext_noop("business rules (DMN)"),
    "messageEventDefinition": gettext_noop("message events"),
    "signalEventDefinition": gettext_noop("signal events"),
    "escalationEventDefinition": gettext_noop("escalation events"),
    "compensateEventDefinition": gettext_noop("compensation"),
    "eventBasedGateway": gettext_noop("event-based gateways"),
    "complexGateway": gettext_noop("complex gateways"),
    "transaction": gettext_noop("transactions"),
}


class DefinitionError(ValueError):
    """A BPMN file the platform cannot take, naming the element and what is wrong."""

    def __init__(self, message: str, element_id: str = "") -> None:
        self.element_id = element_id
        super().__init__(message)


FORM_TYPES = ("string", "long", "boolean", "date", "enum")


@dataclass(frozen=True)
class FormField:
    """A field of Camunda Modeler's generated form (``camunda:formData``) on a start event or a
    user task: the person fills it in, its value becomes the process variable ``id``."""

    id: str
    label: str
    type: str = "string"
    default: str = ""
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # enum: (value, label)
    # Camunda's built-in constraints: min/max for a number, minlength/maxlength for text, and
    # readonly (shown, never changed by the person: the default or the variable stands).
    minimum: int | None = None
    maximum: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    readonly: bool = False


# The constraints of camunda:validation that tongban checks, by the field types they fit.
FORM_CONSTRAINTS = {
    "required": FORM_TYPES,
    "readonly": FORM_TYPES,
    "min": ("long",),
    "max": ("long",),
    "minlength": ("string",),
    "maxlength": ("string",),
}


@dataclass(frozen=True)
class UserTaskMeta:
    """Who performs a user task, as the BPMN says (see docs/workflow.md)."""

    bpmn_id: str
    name: str
    assignee: str = ""
    candidate_users: tuple[str, ...] = ()
    candidate_groups: tuple[str, ...] = ()
    due_working_days: int | str | None = None  # a number, or "${variable}" holding one
    multi_instance: bool = False
    form: tuple[FormField, ...] = ()
    # tongban:excludeInitiator="true": whoever started the process never performs this step
    # (an approval: nobody approves their own request).
    exclude_initiator: bool = False


ESCALATIONS = ("notify", "reassign")


@dataclass(frozen=True)
class TimerMeta:
    """A boundary timer: what it is attached to, its deadline in working days, what it does to
    the task it watches when it fires (see docs/workflow.md, Deadlines)."""

    bpmn_id: str
    attached_to: str
    due_working_days: int | None = None
    escalate: str = "notify"


@dataclass
class ParsedDefinition:
    key: str
    name: str
    executable: bool
    spec: dict[str, Any] | None
    user_tasks: dict[str, UserTaskMeta] = field(default_factory=dict)
    element_names: dict[str, str] = field(default_factory=dict)
    timers: dict[str, TimerMeta] = field(default_factory=dict)
    start_form: tuple[FormField, ...] = ()
    start_event: str = ""
    # Forms kept outside the BPMN (camunda:formKey / camunda:formRef), by element id: tongban
    # cannot show them, so the step gets the plain form and the import says so.
    external_forms: dict[str, str] = field(default_factory=dict)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(el: Any, ns: str, name: str) -> str:
    return str(el.get(f"{{{ns}}}{name}") or "").strip()


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _lint_process(process: Any, all_process_ids: set[str]) -> None:
    """Refuse what the engine cannot run, and references SpiffWorkflow would silently drop."""
    ids = {el.get("id") for el in process.iter() if el.get("id")}
    for el in process.iter():
        tag = _local(el.tag)
        element_id = el.get("id") or ""
        owner = element_id
        if tag in REFUSED:
            raise DefinitionError(
                _("%(element)s: %(what)s (%(tag)s) cannot be executed")
                % {"element": owner or tag, "what": _(REFUSED[tag]), "tag": tag},
                owner,
            )
        if tag == "serviceTask":
            impl = (
                _attr(el, CAMUNDA_NS, "class")
                or _attr(el, CAMUNDA_NS, "delegateExpression")
                or _attr(el, CAMUNDA_NS, "expression")
                or _attr(el, CAMUNDA_NS, "type")
            )
            raise DefinitionError(
                _(
                    "%(element)s: service task calls “%(impl)s”, Java/external code that tongban cannot run"
                )
                % {"element": element_id, "impl": impl}
                if impl
                else _("%(element)s: service task has no implementation tongban can run")
                % {"element": element_id},
                element_id,
            )
        if tag == "callActivity":
            called = el.get("calledElement") or ""
            if called not in all_process_ids:
                raise DefinitionError(
                    _("%(element)s: calls process “%(called)s”, which is not in this file")
                    % {"element": element_id, "called": called or "—"},
                    element_id,
                )
        if tag == "sequenceFlow":
            for ref in ("sourceRef", "targetRef"):
                if el.get(ref) not in ids:
                    raise DefinitionError(
                        _("%(element)s: %(ref)s “%(target)s” does not exist")
                        % {"element": element_id, "ref": ref, "target": el.get(ref)},
                        element_id,
                    )
        if tag in ("incoming", "outgoing") and (el.text or "").strip() not in ids:
            raise DefinitionError(
                _("a flow “%(flow)s” is referenced but missing")
                % {"flow": (el.text or "").strip()},
                "",
            )
        if tag == "scriptTask":
            script = next((s.text or "" for s in el if _local(s.tag) == "script"), "")
            try:
                evaluator.check_script(script)
            except evaluator.ExpressionError as exc:
                raise DefinitionError(
                    _("%(element)s: script refused: %(reason)s")
                    % {"element": element_id, "reason": exc},
                    element_id,
                ) from exc


def _condition_owner(process: Any) -> None:
    """Name the flow in condition errors (ElementTree has no parent pointers)."""
    for flow in process.iter(f"{{{BPMN_NS}}}sequenceFlow"):
        for cond in flow:
            if _local(cond.tag) == "conditionExpression":
                try:
                    evaluator.check(cond.text or "")
                except evaluator.ExpressionError as exc:
                    raise DefinitionError(
                        _("%(element)s: condition “%(condition)s” refused: %(reason)s")
                        % {
                            "element": flow.get("id"),
                            "condition": (cond.text or "").strip(),
                            "reason": exc,
                        },
                        flow.get("id") or "",
                    ) from exc


_DUE_VARIABLE = re.compile(r"^[$#]\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}$")


def _due_working_days(el: Any) -> int | str | None:
    """``tongban:dueWorkingDays``: a whole number, or ``${variable}`` naming a process variable
    that holds one when the task arrives (a deadline set by an earlier step, e.g. 批办)."""
    due = _attr(el, PLATFORM_NS, "dueWorkingDays").strip()
    if not due:
        return None
    if due.isdigit():
        return int(due)
    if _DUE_VARIABLE.match(due):
        return due
    element_id = el.get("id") or ""
    raise DefinitionError(
        _(
            "%(element)s: tongban:dueWorkingDays must be a whole number of days or a ${variable}, not “%(value)s”"
        )
        % {"element": element_id, "value": due},
        element_id,
    )


_FIELD_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
# Variables the platform sets itself: the initiator and their units (``services.start_instance``)
# and, for each user task, its opinion and performer (``services.complete_task``).
SYSTEM_VARIABLES = ("initiator", "initiator_department", "initiator_bureau")


def _form(el: Any) -> tuple[FormField, ...]:
    """The generated form drawn on ``el`` (``camunda:formData/camunda:formField``). A field whose
    id is no variable name, or whose type tongban does not read, is refused naming both."""
    element_id = el.get("id") or ""
    fields = []
    for item in el.iter(f"{{{CAMUNDA_NS}}}formField"):
        field_id = (item.get("id") or "").strip()
        if not _FIELD_ID.match(field_id):
            raise DefinitionError(
                _(
                    "%(element)s: form field “%(field)s” needs an id that can name a variable (letters, digits and _, starting with a letter)"
                )
                % {"element": element_id, "field": field_id},
                element_id,
            )
        kind = (item.get("type") or "string").strip()
        if kind not in FORM_TYPES:
            raise DefinitionError(
                _(
                    "%(element)s: form field “%(field)s” has type “%(type)s”; tongban reads %(types)s"
                )
                % {
                    "element": element_id,
                    "field": field_id,
                    "type": kind,
                    "types": ", ".join(FORM_TYPES),
                },
                element_id,
            )
        choices = tuple(
            ((v.get("id") or "").strip(), (v.get("name") or v.get("id") or "").strip())
            for v in item.iter(f"{{{CAMUNDA_NS}}}value")
        )
        if kind == "enum" and not choices:
            raise DefinitionError(
                _("%(element)s: form field “%(field)s” is a choice (enum) without values")
                % {"element": element_id, "field": field_id},
                element_id,
            )
        limits = _constraints(item, element_id, field_id, kind)
        default = (item.get("defaultValue") or "").strip()
        if kind == "long" and default:
            low, high = limits.get("min"), limits.get("max")
            if not re.fullmatch(r"-?\d+", default) or (
                (low is not None and int(default) < low)
                or (high is not None and int(default) > high)
            ):
                raise DefinitionError(
                    _(
                        "%(element)s: form field “%(field)s”: the default “%(default)s” is no whole number within its min and max"
                    )
                    % {"element": element_id, "field": field_id, "default": default},
                    element_id,
                )
        fields.append(
            FormField(
                id=field_id,
                label=(item.get("label") or field_id).replace("\n", " ").strip()[:200],
                type=kind,
                default=default,
                required="required" in limits,
                choices=choices,
                minimum=limits.get("min"),
                maximum=limits.get("max"),
                min_length=limits.get("minlength"),
                max_length=limits.get("maxlength"),
                readonly="readonly" in limits,
            )
        )
    return tuple(fields)


def _constraints(item: Any, element_id: str, field_id: str, kind: str) -> dict[str, int | None]:
    """A form field's ``camunda:constraint`` elements, by name: a number for min/max/minlength/
    maxlength, None for required/readonly. One tongban cannot check (a custom ``validator``, a
    Java class) or that does not fit the field's type is refused, naming both: a limit that
    silently does nothing would let through what the modeller meant to stop."""
    limits: dict[str, int | None] = {}
    for constraint in item.iter(f"{{{CAMUNDA_NS}}}constraint"):
        name = (constraint.get("name") or "").strip()
        if kind not in FORM_CONSTRAINTS.get(name, ()):
            raise DefinitionError(
                _(
                    "%(element)s: form field “%(field)s” has the constraint “%(name)s”, which tongban does not check on a %(type)s field (it checks required and readonly, min and max on long, minlength and maxlength on string)"
                )
                % {"element": element_id, "field": field_id, "name": name, "type": kind},
                element_id,
            )
        if name in ("required", "readonly"):
            limits[name] = None
            continue
        config = (constraint.get("config") or "").strip()
        try:
            value = int(config)
        except ValueError:
            raise DefinitionError(
                _(
                    "%(element)s: form field “%(field)s”: the constraint “%(name)s” needs a whole number, not “%(value)s”"
                )
                % {"element": element_id, "field": field_id, "name": name, "value": config},
                element_id,
            ) from None
        if name in ("minlength", "maxlength") and value < 0:
            raise DefinitionError(
                _("%(element)s: form field “%(field)s”: %(name)s cannot be negative")
                % {"element": element_id, "field": field_id, "name": name},
                element_id,
            )
        limits[name] = value
    for low, high in (("min", "max"), ("minlength", "maxlength")):
        low_value, high_value = limits.get(low), limits.get(high)
        if low_value is not None and high_value is not None and low_value > high_value:
            raise DefinitionError(
                _(
                    "%(element)s: form field “%(field)s”: %(low)s %(low_value)s is above %(high)s %(high_value)s"
                )
                % {
                    "element": element_id,
                    "field": field_id,
                    "low": low,
                    "low_value": low_value,
                    "high": high,
                    "high_value": high_value,
                },
                element_id,
            )
    return limits


def _check_form_ids(parsed: ParsedDefinition) -> None:
    """A form field must not overwrite what the platform sets: the initiator's variables, or a
    step's ``<step>_opinion`` / ``<step>_by``."""
    reserved = set(SYSTEM_VARIABLES)
    for step in parsed.user_tasks:
        reserved |= {f"{step}_opinion", f"{step}_by"}
    forms = [(parsed.start_event, parsed.start_form)]
    forms += [(meta.bpmn_id, meta.form) for meta in parsed.user_tasks.values()]
    for element_id, form in forms:
        for form_field in form:
            if form_field.id in reserved:
                raise DefinitionError(
                    _(
                        "%(element)s: form field “%(field)s” is a variable the platform sets itself; choose another id"
                    )
                    % {"element": element_id, "field": form_field.id},
                    element_id,
                )


def _external_forms(process: Any) -> dict[str, str]:
    """Elements whose form lives outside the file: an embedded HTML page, a Camunda Forms file."""
    out = {}
    for el in process.iter():
        if _local(el.tag) not in ("startEvent", "userTask"):
            continue
        reference = _attr(el, CAMUNDA_NS, "formKey") or _attr(el, CAMUNDA_NS, "formRef")
        if reference:
            out[el.get("id") or ""] = reference
    return out


def _start_event(process: Any) -> Any:
    """The process's (top-level) start event, if it has one."""
    return next((el for el in process if el.tag == f"{{{BPMN_NS}}}startEvent"), None)


def _user_tasks(process: Any) -> dict[str, UserTaskMeta]:
    out = {}
    for el in process.iter(f"{{{BPMN_NS}}}userTask"):
        out[el.get("id")] = UserTaskMeta(
            bpmn_id=el.get("id"),
            name=(el.get("name") or el.get("id") or "").replace("\n", " "),
            assignee=_attr(el, CAMUNDA_NS, "assignee"),
            candidate_users=_split(_attr(el, CAMUNDA_NS, "candidateUsers")),
            candidate_groups=_split(_attr(el, CAMUNDA_NS, "candidateGroups")),
            due_working_days=_due_working_days(el),
            multi_instance=any(_local(c.tag) == "multiInstanceLoopCharacteristics" for c in el),
            form=_form(el),
            exclude_initiator=_flag(el, "excludeInitiator"),
        )
    return out


def _flag(el: Any, name: str) -> bool:
    """A tongban:NAME="true|false" attribute; anything else is refused naming the element."""
    value = _attr(el, PLATFORM_NS, name).lower()
    if value not in ("", "true", "false"):
        element_id = el.get("id") or ""
        raise DefinitionError(
            _("%(element)s: tongban:%(name)s is true or false, not “%(value)s”")
            % {"element": element_id, "name": name, "value": value},
            element_id,
        )
    return value == "true"


def _timers(process: Any) -> dict[str, TimerMeta]:
    out = {}
    for el in process.iter(f"{{{BPMN_NS}}}boundaryEvent"):
        if not any(_local(c.tag) == "timerEventDefinition" for c in el):
            continue
        element_id = el.get("id") or ""
        due = _attr(el, PLATFORM_NS, "dueWorkingDays")
        if due and not due.isdigit():
            raise DefinitionError(
                _(
                    "%(element)s: tongban:dueWorkingDays must be a whole number of days, not “%(value)s”"
                )
                % {"element": element_id, "value": due},
                element_id,
            )
        escalate = _attr(el, PLATFORM_NS, "escalate") or "notify"
        if escalate not in ESCALATIONS:
            raise DefinitionError(
                _("%(element)s: tongban:escalate must be one of %(choices)s")
                % {"element": element_id, "choices": ", ".join(ESCALATIONS)},
                element_id,
            )
        out[element_id] = TimerMeta(
            bpmn_id=element_id,
            attached_to=el.get("attachedToRef") or "",
            due_working_days=int(due) if due else None,
            escalate=escalate,
        )
    return out


def parse_definition(xml: bytes) -> ParsedDefinition:
    """Parse and lint a BPMN file. Non-executable processes import as diagrams only."""
    try:
        root = ElementTree.fromstring(xml)
    except Exception as exc:  # defusedxml raises several kinds; all mean "not a BPMN file we read"
        raise DefinitionError(_("not well-formed XML: %(reason)s") % {"reason": exc}) from exc
    if _local(root.tag) != "definitions" or not root.tag.startswith(f"{{{BPMN_NS}}}"):
        raise DefinitionError(_("not a BPMN 2.0 file (the root must be bpmn:definitions)"))
    processes = [p for p in root if p.tag == f"{{{BPMN_NS}}}process"]
    if not processes:
        raise DefinitionError(_("the file contains no process"))
    executable = [p for p in processes if (p.get("isExecutable") or "").lower() == "true"]
    main = executable[0] if executable else processes[0]
    key = main.get("id") or ""
    names = {el.get("id"): (el.get("name") or "") for el in root.iter() if el.get("id")}
    parsed = ParsedDefinition(
        key=key,
        name=(main.get("name") or key).replace("\n", " "),
        executable=bool(executable),
        spec=None,
        element_names=names,
    )
    if not executable:
        return parsed
    all_ids = {p.get("id") or "" for p in processes}
    for process in executable:
        _lint_process(process, all_ids)
        _condition_owner(process)
    parsed.user_tasks = _user_tasks(main)
    parsed.timers = _timers(main)
    parsed.external_forms = _external_forms(main)
    start = _start_event(main)
    if start is not None:
        parsed.start_form = _form(start)
        parsed.start_event = start.get("id") or ""
    _check_form_ids(parsed)
    parser = BpmnParser()
    try:
        parser.add_bpmn_str(xml)
        spec = parser.get_spec(key)
        subprocesses = parser.get_subprocess_specs(key)
        workflow = BpmnWorkflow(spec, subprocesses, script_engine=RestrictedScriptEngine())
        state = _serializer().to_dict(workflow)
    except SpiffWorkflowException as exc:
        element = getattr(exc, "id", "") or ""
        raise DefinitionError(f"{element or key}: {exc}", element) from exc
    except Exception as exc:  # the parser raises plain exceptions for malformed models too
        raise DefinitionError(
            _("%(element)s: the process cannot be parsed: %(reason)s")
            % {"element": key, "reason": exc}
        ) from exc
    parsed.spec = {"spec": state["spec"], "subprocess_specs": state["subprocess_specs"]}
    return parsed


class RestrictedScriptEngine(PythonScriptEngine):
    """Conditions and scripts go through ``evaluator``: no Python from an uploaded file runs."""

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        variables = {**(external_context or {}), **task.data, **_countersign_counts(task)}
        try:
            return evaluator.evaluate(expression, variables)
        except evaluator.ExpressionError as exc:
            raise EngineError(f"{task.task_spec.bpmn_id}: {exc}") from exc

    def execute(self, task: Any, script: str, external_context: Any = None) -> bool:
        try:
            evaluator.run_script(script, task.data)
        except evaluator.ExpressionError as exc:
            raise EngineError(f"{task.task_spec.bpmn_id}: {exc}") from exc
        return True  # SpiffWorkflow reads None as "still running"

    def call_service(self, task: Any, **kwargs: Any) -> None:
        raise EngineError(f"{task.task_spec.bpmn_id}: service calls are not supported")


def _tree_ordered(tasks: Mapping[str, Any], root: str) -> dict[str, Any]:
    ordered: dict[str, Any] = {}
    queue = [root]
    while queue:
        task_id = queue.pop(0)
        if task_id in ordered or task_id not in tasks:
            continue
        ordered[task_id] = tasks[task_id]
        queue.extend(tasks[task_id].get("children", []))
    ordered.update({k: v for k, v in tasks.items() if k not in ordered})
    return ordered


def _in_tree_order(state: Mapping[str, Any]) -> dict[str, Any]:
    """SpiffWorkflow restores task data correctly only when parents come before children in the
    ``tasks`` mapping; a JSON store may reorder keys (PostgreSQL's jsonb sorts them)."""
    out = dict(state)
    if "tasks" in out and out.get("root"):
        out["tasks"] = _tree_ordered(out["tasks"], out["root"])
    if isinstance(out.get("subprocesses"), Mapping):
        out["subprocesses"] = {
            key: _in_tree_order(sub) if isinstance(sub, Mapping) else sub
            for key, sub in out["subprocesses"].items()
        }
    return out


def _countersign_counts(task: Any) -> dict[str, int]:
    """Camunda's multi-instance variables, so that a completion condition can say "all", "any"
    or "a share": ``${nrOfCompletedInstances >= 1}``, ``${nrOfApproved / nrOfInstances >= 0.5}``."""
    parent = getattr(task, "parent", None)
    spec = getattr(parent, "task_spec", None)
    if parent is None or not hasattr(spec, "check_completion_condition"):
        return {}
    merged = set(parent.internal_data.get("merged", []))
    children = [c for c in parent.children if c.task_spec is not spec]
    done = [c for c in children if str(c.id) in merged]
    return {
        "nrOfInstances": len(children),
        "nrOfCompletedInstances": len(done),
        "nrOfActiveInstances": len(children) - len(done),
        "nrOfApproved": sum(1 for c in done if c.data.get("approved")),
    }


class EngineError(RuntimeError):
    """The process could not go on (a condition failed to evaluate, a script was refused...)."""


# Completed steps kept above the point where every open branch meets. SpiffWorkflow keeps every
# task it ever ran in one tree, one level deeper per step of a rework loop: restoring costs grow
# with history, and its iterators stop at depth 1,000 (a workflow then looks finished). History
# lives in tongban's rows; the engine keeps only what it needs to go on and to go back a while.
KEEP_LEVELS = 30


def _prune(wf: Any, keep_levels: int = KEEP_LEVELS) -> None:
    """Cut the completed chain above the open part of the task tree down to ``keep_levels``.

    Only tasks above the lowest common ancestor of every unfinished task go, so nothing a join,
    a countersign or a boundary event still looks at is touched. The root takes the data of the
    last task cut, so a task reset just below it inherits the right variables.
    """
    root = wf.task_tree
    unfinished = [t for t in wf.tasks.values() if not t.state & TaskState.FINISHED_MASK]
    if root is None or not unfinished:
        return

    def path(task: Any) -> list[Any]:
        out = []
        while task is not None:
            out.append(task)
            task = task.parent
        return out[::-1]

    chain = path(unfinished[0])
    for task in unfinished[1:]:
        other = path(task)
        common = 0
        while common < min(len(chain), len(other)) and chain[common] is other[common]:
            common += 1
        chain = chain[:common]
    if len(chain) <= keep_levels + 1:
        return
    top, cut_parent = chain[-keep_levels], chain[-keep_levels - 1]
    root.data = copy.deepcopy(cut_parent.data)
    root._children = [top.id]
    top._parent = root.id
    kept = set()
    queue = [root]
    while queue:
        task = queue.pop()
        kept.add(task.id)
        queue.extend(task.children)
    for task_id in [tid for tid in wf.tasks if tid not in kept]:
        del wf.tasks[task_id]
        wf.subprocesses.pop(task_id, None)
    if getattr(wf, "last_task", None) is not None and wf.last_task.id not in kept:
        wf.last_task = chain[-1]


_SERIALIZER: BpmnWorkflowSerializer | None = None


def _serializer() -> BpmnWorkflowSerializer:
    global _SERIALIZER
    if _SERIALIZER is None:
        _SERIALIZER = BpmnWorkflowSerializer()
    return _SERIALIZER


# Restored process specifications by the caller's key (a definition and its content). A spec is
# read-only while workflows run on it, so one restored copy serves every instance of a version;
# restoring it for each step was half the cost of loading an instance.
_SPECS: dict[str, tuple[Any, dict[str, Any]]] = {}
_SPECS_MAX = 64


def _restored_spec(spec: Mapping[str, Any], cache_key: str) -> tuple[Any, dict[str, Any]]:
    cached = _SPECS.get(cache_key) if cache_key else None
    if cached is not None:
        return cached
    registry = _serializer().registry
    restored = (
        registry.restore(copy.deepcopy(spec["spec"])),
        {
            name: registry.restore(copy.deepcopy(sub))
            for name, sub in spec.get("subprocess_specs", {}).items()
        },
    )
    if cache_key:
        if len(_SPECS) >= _SPECS_MAX:
            _SPECS.pop(next(iter(_SPECS)))
        _SPECS[cache_key] = restored
    return restored


@dataclass(frozen=True)
class ReadyTask:
    id: str
    bpmn_id: str
    name: str
    data: dict[str, Any]


class Workflow:
    """One running process instance in memory."""

    def __init__(self, wf: BpmnWorkflow) -> None:
        self._wf = wf

    @classmethod
    def start(
        cls, spec: Mapping[str, Any], variables: Mapping[str, Any], *, cache_key: str = ""
    ) -> Workflow:
        """A new instance. ``cache_key`` names the spec's content (see ``_SPECS``)."""
        process_spec, subprocesses = _restored_spec(spec, cache_key)
        wf = BpmnWorkflow(process_spec, subprocesses, script_engine=RestrictedScriptEngine())
        for task in wf.get_tasks(state=TaskState.READY):
            task.data.update(copy.deepcopy(dict(variables)))
        workflow = cls(wf)
        workflow._steps()
        return workflow

    @classmethod
    def restore(
        cls, spec: Mapping[str, Any], state: Mapping[str, Any], *, cache_key: str = ""
    ) -> Workflow:
        process_spec, subprocesses = _restored_spec(spec, cache_key)
        # The registry passes objects it does not recognise through unchanged, so the restored
        # specs go in as they are.
        wf = _serializer().from_dict(
            {**_in_tree_order(state), "spec": process_spec, "subprocess_specs": subprocesses}
        )
        wf.script_engine = RestrictedScriptEngine()
        return cls(wf)

    def _steps(self) -> None:
        try:
            self._wf.refresh_timers()
            self._wf.do_engine_steps()
            _prune(self._wf)
        except EngineError:
            raise
        except SpiffWorkflowException as exc:
            raise EngineError(str(exc)) from exc

    def state(self) -> dict[str, Any]:
        """The engine state without the process specification (kept once per definition)."""
        full = _serializer().to_dict(self._wf)
        full.pop("spec", None)
        full.pop("subprocess_specs", None)
        return full

    def ready_user_tasks(self) -> list[ReadyTask]:
        return [
            ReadyTask(
                str(t.id),
                t.task_spec.bpmn_id or t.task_spec.name,
                t.task_spec.bpmn_name or t.task_spec.bpmn_id or "",
                dict(t.data),
            )
            for t in self._wf.get_tasks(state=TaskState.READY, manual=True)
        ]

    def complete(self, task_id: str, data: Mapping[str, Any]) -> None:
        task = next(
            (
                t
                for t in self._wf.get_tasks(state=TaskState.READY, manual=True)
                if str(t.id) == task_id
            ),
            None,
        )
        if task is None:
            raise EngineError(f"task {task_id} is not ready")
        task.data.update(copy.deepcopy(dict(data)))
        try:
            task.run()
        except SpiffWorkflowException as exc:
            raise EngineError(str(exc)) from exc
        self._steps()
        ended = any(
            t.task_spec.name == "End" for t in self._wf.get_tasks(state=TaskState.COMPLETED)
        )
        if (self.completed and not ended) or (
            not self.completed and not self.ready_user_tasks() and self.next_timer() is None
        ):
            # Seen after ~330 rework loops in one instance: SpiffWorkflow 3.2 calls the workflow
            # finished without reaching its end. Refuse, so the caller's transaction keeps the
            # last good state instead of closing the document.
            raise EngineError(f"the engine found no next step after {task.task_spec.bpmn_id}")

    def set_data(self, variables: Mapping[str, Any]) -> None:
        """Give process variables new values for the whole instance, as Camunda's
        ``setVariable`` on a process instance does.

        SpiffWorkflow keeps variables in each task's data, passed on from parent to child; every
        task of the tree gets the values, the completed ones too: a step sent back or withdrawn to
        (``reset_to``) starts again from its parent's data, which must not bring the old values
        back. A step already under way keeps what it started with (a parallel countersign made
        its tasks from the list when it began).
        """
        for task in self._wf.get_tasks():
            task.data.update(copy.deepcopy(dict(variables)))

    def reset_to(self, task_id: str, bpmn_id: str = "") -> None:
        """Make an earlier (completed) task ready again, undoing what came after it (退回/撤回).

        A step older than the engine keeps (see ``KEEP_LEVELS``) is reached through its latest
        run: going back to 拟稿 means the latest 拟稿, with the data it had then.
        """
        from uuid import UUID

        try:
            target = UUID(task_id)
        except ValueError as exc:
            raise EngineError(f"cannot go back to task {task_id}: {exc}") from exc
        try:
            self._wf.get_task_from_id(target)
            known = True
        except SpiffWorkflowException:
            known = False
        if not known and bpmn_id:
            runs = [
                t
                for t in self._wf.get_tasks(state=TaskState.COMPLETED)
                if t.task_spec.bpmn_id == bpmn_id
            ]
            if runs:
                target = max(runs, key=lambda t: t.last_state_change).id
        try:
            self._wf.reset_from_task_id(target)
        except (SpiffWorkflowException, ValueError, KeyError, AttributeError) as exc:
            raise EngineError(f"cannot go back to task {task_id}: {exc}") from exc

    def _waiting_timers(self) -> list[Any]:
        return [
            t
            for t in self._wf.get_tasks(state=TaskState.WAITING)
            if "Timer" in type(getattr(t.task_spec, "event_definition", None)).__name__
        ]

    def fire_timers(self) -> list[str]:
        """Move on past every timer that is due; the bpmn ids of the timers that fired."""
        waiting = {t.id: t.task_spec.bpmn_id for t in self._waiting_timers()}
        self._steps()
        return [
            bpmn_id
            for task_id, bpmn_id in waiting.items()
            if task_id not in self._wf.tasks or self._wf.tasks[task_id].state == TaskState.COMPLETED
        ]

    def apply_deadlines(self, due_for: Callable[[str], datetime | None]) -> None:
        """Give timers that just started waiting the deadline the platform computes for them
        (working days, see ``TimerMeta``) instead of the calendar duration in the BPMN. Each
        timer is set once, when it starts waiting."""
        for task in self._waiting_timers():
            if task.internal_data.get("tongban_deadline"):
                continue
            due = due_for(task.task_spec.bpmn_id)
            task.internal_data["tongban_deadline"] = True
            if due is not None:
                task.internal_data["event_value"] = due.isoformat()

    def next_timer(self) -> datetime | None:
        """When the earliest waiting timer is due (the worker looks at instances by this)."""
        due = []
        for t in self._wf.get_tasks(state=TaskState.WAITING):
            definition = getattr(t.task_spec, "event_definition", None)
            value = t.internal_data.get("event_value")
            if definition is not None and "Timer" in type(definition).__name__ and value:
                try:
                    due.append(datetime.fromisoformat(str(value)))
                except ValueError:
                    continue
        return min(due) if due else None

    @property
    def completed(self) -> bool:
        return bool(self._wf.is_completed())

    def end_reached(self) -> str:
        """The name (or id) of the end event the process reached last, e.g. 准假 or 不准假: a
        finished process says how it ended. Empty while none has been reached, and for a
        process with a single end event (办结), where the end says nothing more."""
        specs = self._wf.spec.task_specs.values()
        if sum(isinstance(spec, EndEvent) for spec in specs) < 2:
            return ""
        ends = [
            t
            for t in self._wf.get_tasks(state=TaskState.COMPLETED)
            if isinstance(t.task_spec, EndEvent)
        ]
        if not ends:
            return ""
        last = max(ends, key=lambda t: t.last_state_change).task_spec
        return str(last.bpmn_name or last.bpmn_id or "")

    def cancel(self) -> None:
        self._wf.cancel()

    def element_states(self) -> dict[str, str]:
        """bpmn id → done | current, for the diagram."""
        states: dict[str, str] = {}
        for t in self._wf.get_tasks():
            bpmn_id = getattr(t.task_spec, "bpmn_id", None)
            if not bpmn_id:
                continue
            if t.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
                states[bpmn_id] = "current"
            elif t.state == TaskState.COMPLETED and states.get(bpmn_id) != "current":
                states[bpmn_id] = "done"
        return states


def ready_ids(tasks: Iterable[ReadyTask]) -> set[str]:
    return {t.id for t in tasks}
