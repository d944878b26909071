"""Reads of the workflow: the inbox lists (each one indexed query) and instance details."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core.errors import Conflict, NotFound
from tongban.core.http import links
from tongban.core.permissions import Action
from tongban.org import policy
from tongban.workflow import hooks
from tongban.workflow.models import (
    HistoryEvent,
    InboxEntry,
    InstanceStatus,
    ProcessDefinition,
    ProcessInstance,
    Task,
    TaskCandidate,
    TaskStatus,
)
from tongban.workflow.services import (
    acting_for,
    involved_instances,
    may_work,
    not_open_error,
    steps_kept_from,
    task_form_fields,
    withdrawal_of,
)

if TYPE_CHECKING:
    from tongban.identity.http import Viewer

SCOPES = ("todo", "done", "started")
# Large columns a list never shows: the engine state, the BPMN and its spec.
LIST_DEFERRED = (
    "data",
    "instance__state",
    "instance__variables",
    "instance__definition__bpmn_xml",
    "instance__definition__spec",
    "instance__definition__user_tasks",
    "instance__definition__warnings",
)

INSTANCE_LIST_DEFERRED = tuple(
    name.removeprefix("instance__") for name in LIST_DEFERRED if name.startswith("instance__")
)


@dataclass(frozen=True)
class InboxFilter:
    scope: str = "todo"
    q: str = ""
    overdue_only: bool = False
    process_key: str = ""


def todo(user: Viewer) -> QuerySet[Task]:
    """待办: assigned to me, claimable by me, or delegated to me (one query).

    It reads the inbox entries the services keep (``InboxEntry``): for one person the page comes
    straight off the (user, due, arrived) index, already in order, whatever the number of open
    tasks. Someone acting for others (代理) gets the union of their entries.
    """
    return _todo(sorted(acting_for(user)))


def _todo(people: list[int]) -> QuerySet[Task]:
    if len(people) == 1:
        return Task.objects.filter(inbox_entries__user_id=people[0])
    entries = InboxEntry.objects.filter(user_id__in=people).values("task_id")
    return Task.objects.filter(pk__in=entries)


def done(user: Viewer) -> QuerySet[Task]:
    """已办."""
    return Task.objects.filter(status=TaskStatus.COMPLETED, completed_by=user)


def started(user: Viewer, q: str = "", process_key: str = "") -> QuerySet[ProcessInstance]:
    """我发起的, optionally by title and process."""
    found = ProcessInstance.objects.filter(initiator=user)
    q = (q or "").strip()
    if q:
        found = found.filter(title__icontains=q)
    if process_key:
        found = found.filter(definition__key=process_key)
    return found


def started_with_progress(
    user: Viewer, q: str = "", process_key: str = ""
) -> QuerySet[ProcessInstance]:
    """``started`` with where each stands, in the same query: the open step due first, who has
    it, when it is due, and how many steps are open (a countersign opens several)."""
    open_steps = Task.objects.filter(
        instance=OuterRef("pk"), status=TaskStatus.OPEN, added_for__isnull=True
    )
    first = open_steps.order_by(F("due_on").asc(nulls_last=True), "id")
    return started(user, q, process_key).annotate(
        current_step=Subquery(first.values("name")[:1]),
        current_context=Subquery(first.values("context_label")[:1]),
        current_assignee=Subquery(first.values("assignee__display_name")[:1]),
        current_candidates=Subquery(first.values("candidate_label")[:1]),
        current_due=Subquery(first.values("due_on")[:1]),
        open_steps=Subquery(
            open_steps.order_by().values("instance").annotate(n=Count("id")).values("n")[:1]
        ),
    )


def inbox(user: Viewer, flt: InboxFilter) -> QuerySet[Task]:
    single = False
    if flt.scope == "done":
        qs = done(user)
    else:
        people = sorted(acting_for(user))
        qs, single = _todo(people), len(people) == 1
    if flt.q:
        qs = qs.filter(Q(name__icontains=flt.q[:50]) | Q(instance__title__icontains=flt.q[:50]))
    if flt.overdue_only:
        qs = qs.filter(due_on__lt=timezone.localdate())
    if flt.process_key:
        qs = qs.filter(instance__definition__key=flt.process_key)
    qs = qs.select_related("instance__definition", "instance__initiator", "assignee").defer(
        *LIST_DEFERRED
    )
    if flt.scope == "done":
        return qs.order_by("-completed_at")
    if single:  # the order the entry index holds
        return qs.order_by("inbox_entries__due_on", "inbox_entries__created_at", "pk")
    return qs.order_by("due_on", "created_at", "pk")


def _latest_versions(definitions: QuerySet[ProcessDefinition]) -> list[ProcessDefinition]:
    """The latest version of each process key among ``definitions``, by name."""
    latest = definitions.filter(
        version=Subquery(
            definitions.filter(key=OuterRef("key")).order_by("-version").values("version")[:1]
        )
    )
    return sorted(latest.defer("bpmn_xml", "spec"), key=lambda d: d.name)


def process_choices() -> list[tuple[str, str]]:
    """(key, name) of every imported process, for a list's process filter; the name of its
    latest version."""
    return [(d.key, d.name) for d in _latest_versions(ProcessDefinition.objects.all())]


def counts(user: Viewer) -> dict[str, int]:
    """The numbers on the inbox tabs, counted on the entry index."""
    today = timezone.localdate()
    entries = InboxEntry.objects.filter(user_id__in=sorted(acting_for(user)))
    tasks = entries.values("task_id").distinct()
    return {"todo": tasks.count(), "overdue": tasks.filter(due_on__lt=today).count()}


def visible_instances(user: Viewer) -> QuerySet[ProcessInstance]:
    """Instances the person started, has worked or may work on; for process administrators
    every instance except those of a domain's own processes (a document's), which its domain
    shows by its own rules (classification, scope)."""
    if policy.can(user, Action.MANAGE_PROCESSES):
        return ProcessInstance.objects.exclude(business_type__in=hooks.owned_types()) | (
            involved_instances(user)
        )
    return involved_instances(user)


def instance_for(user: Viewer, pk: int) -> ProcessInstance:
    instance = (
        visible_instances(user)
        .select_related("definition", "initiator", "department")
        .filter(pk=pk)
        .first()
    )
    if instance is None:
        raise NotFound()
    return instance


def task_for(user: Viewer, pk: int) -> Task:
    task = (
        Task.objects.select_related("instance__definition", "instance__initiator", "assignee")
        .filter(pk=pk, instance__in=visible_instances(user))
        .first()
    )
    if task is None:
        raise NotFound()
    return task


def return_targets(task: Task, user: Viewer) -> list[Task]:
    """The earlier steps ``user`` can send a task back to (退回): the latest run of each step
    done before it, newest first. The first is where it goes when the person chooses none. One
    query, whatever the length of the history. Runs already sent back past are done again and
    do not count, nor does an approval of the user's own request. None for an added signer
    (加签), who gives an opinion and sends nothing back."""
    if task.added_for_id is not None:
        return []
    latest_runs = (
        Task.objects.filter(
            instance_id=task.instance_id,
            status=TaskStatus.COMPLETED,
            added_for__isnull=True,
            undone=False,
        )
        .exclude(bpmn_id=task.bpmn_id)
        .exclude(bpmn_id__in=steps_kept_from(user, task.instance))
        .values("bpmn_id")
        .annotate(latest=Max("id"))
        .values("latest")
    )
    return list(
        Task.objects.filter(pk__in=latest_runs)
        .select_related("completed_by", "assignee", "instance__definition")
        .order_by("-completed_at", "-id")
    )


def task_form(task: Task) -> list[dict[str, Any]]:
    """The fields the person fills in to complete ``task`` (none for an added signer)."""
    if task.added_for_id is not None:
        return []
    return task_form_fields(task.instance, task)


def form_initial(task: Task) -> dict[str, Any]:
    """What a task's form starts with, by field id: the answers of the step's last run (sent
    back and done again), and for a read-only field the value the process holds."""
    initial = earlier_answers(task)
    shown = [spec["id"] for spec in task_form(task) if spec.get("readonly")]
    if shown:
        held = held_values(task.instance, shown)
        initial.update({key: held[key] for key in shown if key in held})
    return initial


def held_values(instance: ProcessInstance, keys: list[str]) -> dict[str, Any]:
    """The latest value of each variable: what an earlier step's form set (a step sent back and
    undone no longer counts), or else what the process started with."""
    held = {key: instance.variables[key] for key in keys if key in (instance.variables or {})}
    answers = (
        Task.objects.filter(
            instance=instance, status=TaskStatus.COMPLETED, undone=False, added_for__isnull=True
        )
        .order_by("completed_at", "pk")
        .values_list("data", flat=True)
    )
    for data in answers:
        if isinstance(data, dict):
            held.update({key: data[key] for key in keys if key in data})
    return held


def earlier_answers(task: Task) -> dict[str, Any]:
    """What was filled in on the latest completed run of the same step (a step sent back and
    done again): the page offers it again rather than making the person type it anew."""
    if task.added_for_id is not None:
        return {}
    data = (
        Task.objects.filter(
            instance_id=task.instance_id,
            bpmn_id=task.bpmn_id,
            # A countersign's run for one unit is not another unit's to see.
            context_label=task.context_label,
            status=TaskStatus.COMPLETED,
            added_for__isnull=True,
        )
        .order_by("-completed_at", "-pk")
        .values_list("data", flat=True)
        .first()
    )
    return dict(data) if isinstance(data, dict) else {}


def start_values(instance: ProcessInstance) -> list[tuple[str, str]]:
    """What the initiator filled in on the start form, as (label, value) to show: a choice by its
    label, yes/no in words, an empty field left out."""
    return _shown(instance.definition.start_form or [], instance.variables or {})


def _shown(form: list[dict[str, Any]], values: dict[str, Any]) -> list[tuple[str, str]]:
    shown = []
    for spec in form:
        value = values.get(spec["id"])
        if value is None or value == "":
            continue
        if spec.get("type") == "boolean":
            text = str(_("yes") if value else _("no"))
        elif spec.get("type") == "enum":
            text = next((str(c[1]) for c in spec.get("choices", []) if c[0] == value), str(value))
        else:
            text = str(value)
        shown.append((str(spec.get("label") or spec["id"]), text))
    return shown


def startable(user: Viewer) -> list[ProcessDefinition]:
    """The processes a staff member may start from the process list (发起流程): the latest
    executable version of each, except those a domain starts from its own pages (发文, 收文)."""
    if getattr(user, "admin_role", "") or not user.is_active:
        return []
    return _latest_versions(
        ProcessDefinition.objects.filter(executable=True).exclude(
            key__in=hooks.owned_process_keys()
        )
    )


def history(instance: ProcessInstance) -> QuerySet[HistoryEvent]:
    return instance.history.select_related("actor").order_by("at", "id")


def slip(instance: ProcessInstance) -> list[HistoryEvent]:
    """The processing slip (处理笺) for the pages: the history, each completion with what its
    performer filled in on the step's form (``values``: label and value), so that the
    initiator and the next approver see the decision, not only the opinion."""
    events = list(history(instance).select_related("task"))
    forms = {
        step: meta.get("form") or []
        for step, meta in (instance.definition.user_tasks or {}).items()
    }
    for event in events:
        task = event.task
        # An added signer (加签) gives an opinion on someone else's step: the step's form is not
        # theirs, and what it holds is no decision.
        mine = task is not None and event.action == "complete" and task.added_for_id is None
        form = forms.get(task.bpmn_id, []) if mine and task is not None else []
        event.values = _shown(form, task.data or {}) if form and task is not None else []  # type: ignore[attr-defined]
    return events


def definitions(user: Viewer) -> QuerySet[ProcessDefinition]:
    return ProcessDefinition.objects.defer("bpmn_xml", "spec").order_by("key", "-version")


MONITOR_ROWS = 100


def monitor(user: Viewer, process_key: str = "") -> dict[str, Any]:
    """Running instances for the process administrator: a line per process with how many run,
    how many tasks are overdue and how many are stuck (open, nobody assigned and nobody may claim
    them); then the first overdue and stuck tasks and the newest running instances."""
    policy.require(user, Action.MANAGE_PROCESSES)
    today = timezone.localdate()
    running = ProcessInstance.objects.filter(status="running")
    open_tasks = Task.objects.filter(status=TaskStatus.OPEN, instance__status="running")
    if process_key:
        running = running.filter(definition__key=process_key)
        open_tasks = open_tasks.filter(instance__definition__key=process_key)
    overdue = open_tasks.filter(due_on__lt=today)
    stuck = open_tasks.filter(assignee__isnull=True).exclude(
        Exists(TaskCandidate.objects.filter(task=OuterRef("pk")))
    )
    lines: dict[str, dict[str, Any]] = {}
    for key, name, count in (
        running.values_list("definition__key", "definition__name")
        .annotate(n=Count("pk"))
        .order_by("definition__key")
    ):
        line = lines.setdefault(
            key, {"key": key, "name": name, "running": 0, "overdue": 0, "stuck": 0}
        )
        line["running"] += count
    for field, qs in (("overdue", overdue), ("stuck", stuck)):
        for key, count in (
            qs.values_list("instance__definition__key").annotate(n=Count("pk")).order_by()
        ):
            if key in lines:
                lines[key][field] += count
    return {
        "by_definition": list(lines.values()),
        "running": running.select_related("definition", "initiator")
        .defer("state", "variables", "definition__bpmn_xml", "definition__spec")
        .order_by("-started_at")[:MONITOR_ROWS],
        "overdue": overdue.select_related("instance__definition", "instance__initiator", "assignee")
        .defer(*LIST_DEFERRED)
        .order_by("due_on", "pk")[:MONITOR_ROWS],
        "stuck": stuck.select_related("instance__definition", "instance__initiator", "assignee")
        .defer(*LIST_DEFERRED)
        .order_by("created_at", "pk")[:MONITOR_ROWS],
        "process_key": process_key,
    }


def owned_by_a_domain(instance: ProcessInstance) -> bool:
    """Whether a domain (documents) owns the instance and shows it on its own pages."""
    return instance.business_type in hooks.owned_types()


def monitored_instance(user: Viewer, pk: int) -> ProcessInstance:
    """Any instance, for the process administrator's monitor: where it stands and who has it,
    to act on a stuck or overdue one (终止). A document's content and opinions stay on the
    document's page, under its own rules; the monitor page does not show them."""
    policy.require(user, Action.MANAGE_PROCESSES)
    instance = (
        ProcessInstance.objects.select_related("definition", "initiator")
        .defer("state", "variables")
        .filter(pk=pk)
        .first()
    )
    if instance is None:
        raise NotFound()
    return instance


def open_steps(instance: ProcessInstance) -> QuerySet[Task]:
    """The instance's open tasks with their performers, due first."""
    return (
        instance.tasks.filter(status=TaskStatus.OPEN)
        .select_related("assignee")
        .order_by("due_on", "pk")
    )


def diagram_states(instance: ProcessInstance) -> dict[str, str]:
    """bpmn id → done / current, from the task rows and the history."""
    states: dict[str, str] = {}
    for bpmn_id, status in instance.tasks.values_list("bpmn_id", "status"):
        if status == TaskStatus.OPEN:
            states[bpmn_id] = "current"
        elif status == TaskStatus.COMPLETED:
            states.setdefault(bpmn_id, "done")
    return states


def no_longer_open(task_id: int, user: Viewer, *, instance_id: int) -> str:
    """Why a step of ``instance_id`` that a page still shows can no longer be acted on by
    ``user`` (a colleague handled it, or the process went another way); empty when it is open,
    belongs to another process, does not exist, or is none of the user's business."""
    if not Task.objects.filter(pk=task_id, instance_id=instance_id).exists():
        return ""
    reason = not_open_error(task_id, user)
    return str(reason.message) if isinstance(reason, Conflict) else ""


def may_withdraw(user: Viewer, instance: ProcessInstance) -> bool:
    """Whether 撤回 would work for ``user`` now (the page offers it only then)."""
    return withdrawal_of(user, instance)[0] is not None


def withdraw_refusal(user: Viewer, instance: ProcessInstance) -> str:
    """Why the initiator of a running process cannot withdraw it now, in their words; empty when
    they can, or when the question does not arise (not theirs, or no longer running)."""
    if instance.initiator_id != user.pk or instance.status != InstanceStatus.RUNNING:
        return ""
    outcome, reason = withdrawal_of(user, instance)
    return "" if outcome is not None else reason


def pending_signers(task: Task) -> list[Any]:
    """The people added to ``task`` (加签) whose opinion it still waits for."""
    return [
        t.assignee
        for t in task.added_signers.filter(status=TaskStatus.OPEN).select_related("assignee")
        if t.assignee is not None
    ]


def completion_outcome(task: Task) -> str:
    """What completing ``task`` did, for the message the person reads: ``opinion`` (an added
    signer's opinion, the step does not move), ``waiting`` (other performers of the same step,
    a countersign, still to act), ``ended`` (the process is over) or ``moved``."""
    if task.added_for_id is not None:
        return "opinion"
    instance = ProcessInstance.objects.only("status").get(pk=task.instance_id)
    if instance.status != "running":
        return "ended"
    if Task.objects.filter(
        instance_id=task.instance_id, bpmn_id=task.bpmn_id, status=TaskStatus.OPEN
    ).exists():
        return "waiting"
    return "moved"


def performer_roles(user: Viewer) -> list[tuple[str, str]]:
    """The roles a process designer can name as a step's candidates (camunda:candidateGroups):
    (code, name), for the modeler's step panel."""
    from tongban.org.models import Role

    policy.require(user, Action.MANAGE_PROCESSES)
    return list(Role.objects.order_by("code").values_list("code", "name"))


@dataclass(frozen=True)
class StepPermissions:
    """What a person may do with one step on a page (the buttons it offers)."""

    may_work: bool
    claimable: bool
    may_add_signer: bool
    may_release: bool
    may_urge: bool
    return_targets: list[Task]
    pending_signers: list[Any]


def step_permissions(user: Viewer, task: Task) -> StepPermissions:
    is_open = task.status == TaskStatus.OPEN
    may_work_now = is_open and may_work(user, task)
    return StepPermissions(
        may_work=may_work_now,
        claimable=may_work_now and task.assignee_id is None,
        may_add_signer=may_work_now and task.added_for_id is None,
        may_release=may_work_now and task.candidates.exists(),
        may_urge=is_open
        and not may_work_now
        and (task.instance.initiator_id == user.pk or policy.can(user, Action.MANAGE_PROCESSES)),
        return_targets=return_targets(task, user) if may_work_now else [],
        pending_signers=pending_signers(task) if is_open else [],
    )


def may_terminate(user: Viewer, instance: ProcessInstance) -> bool:
    return policy.can(user, Action.MANAGE_PROCESSES) and instance.status == InstanceStatus.RUNNING


def require_process_admin(user: Viewer) -> None:
    """Refuse (and record) a person who may not manage process definitions."""
    policy.require(user, Action.MANAGE_PROCESSES)


def latest_definition(user: Viewer, key: str) -> ProcessDefinition:
    """The newest version of a definition, whole (the modeler edits it)."""
    require_process_admin(user)
    latest = definitions(user).filter(key=key).defer(None).first()
    if latest is None:
        raise NotFound()
    return latest


def startable_definition(user: Viewer, key: str) -> ProcessDefinition:
    definition = next((d for d in startable(user) if d.key == key), None)
    if definition is None:
        raise NotFound()
    return definition


def first_step_for(user: Viewer, instance: ProcessInstance) -> Task | None:
    """The step of a just-started process that waits for its initiator, if any."""
    return todo(user).filter(instance=instance).first()


def business_page(instance: ProcessInstance) -> str:
    """The page of the object a domain's process is about ("" for a process no domain owns)."""
    if not instance.business_id.isdecimal():
        return ""
    return links.page_of(instance.business_type, instance.business_id)
