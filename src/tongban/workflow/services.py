"""Workflow services: every action checks permission, runs in one transaction with the engine
state and the task rows, and is audited (DESIGN.md §4)."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import CharField, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tongban.audit.context import audit_context
from tongban.audit.services import record, record_denied
from tongban.core import calendar
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.core.permissions import Action
from tongban.identity.models import User
from tongban.notifications import services as notifications
from tongban.org import policy
from tongban.org.models import Delegation, Role, Staff
from tongban.workflow import engine, fields, hooks, performers
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

PROCESSES_DIR = Path(__file__).resolve().parent / "processes"
MAX_BPMN_BYTES = 5 * 1024 * 1024
MAX_VARIABLES_BYTES = 64 * 1024
INITIATOR = "initiator"


# --- definitions ---------------------------------------------------------------------------


def _meta_dict(meta: engine.UserTaskMeta) -> dict[str, Any]:
    return {
        "name": meta.name,
        "assignee": meta.assignee,
        "candidate_users": list(meta.candidate_users),
        "candidate_groups": list(meta.candidate_groups),
        "due_working_days": meta.due_working_days,
        "multi_instance": meta.multi_instance,
        "form": [_field_dict(f) for f in meta.form],
        "exclude_initiator": meta.exclude_initiator,
    }


def _field_dict(form_field: engine.FormField) -> dict[str, Any]:
    return {
        "id": form_field.id,
        "label": form_field.label,
        "type": form_field.type,
        "default": form_field.default,
        "required": form_field.required,
        "choices": [list(choice) for choice in form_field.choices],
        "min": form_field.minimum,
        "max": form_field.maximum,
        "minlength": form_field.min_length,
        "maxlength": form_field.max_length,
        "readonly": form_field.readonly,
    }


def _timer_dict(meta: engine.TimerMeta) -> dict[str, Any]:
    return {
        "attached_to": meta.attached_to,
        "due_working_days": meta.due_working_days,
        "escalate": meta.escalate,
    }


def _mapping_warnings(parsed: engine.ParsedDefinition) -> list[str]:
    """Camunda names that match no account or role: the task will go to the initiator. Forms
    kept outside the BPMN: the step gets the plain form."""
    warnings = [
        _(
            "%(element)s: its form “%(form)s” is kept outside the BPMN and is not shown; "
            "the step gets the plain form"
        )
        % {"element": element, "form": reference}
        for element, reference in parsed.external_forms.items()
    ]
    roles = set(Role.objects.values_list("code", flat=True))
    for meta in parsed.user_tasks.values():
        names = [meta.assignee, *meta.candidate_users]
        for name in names:
            if (
                name
                and not name.startswith(("${", "#{"))
                and not User.objects.filter(username__iexact=name).exists()
            ):
                warnings.append(
                    (
                        _(
                            "%(task)s: no account “%(name)s”; the task goes to the initiator's "
                            "supervisors"
                        )
                        if meta.exclude_initiator
                        else _("%(task)s: no account “%(name)s”; the task goes to the initiator")
                    )
                    % {"task": meta.bpmn_id, "name": name}
                )
        for group in meta.candidate_groups:
            role = group.split("@", 1)[0].strip()
            if role not in roles:
                warnings.append(
                    (
                        _(
                            "%(task)s: no role “%(name)s”; the task goes to the initiator's "
                            "supervisors"
                        )
                        if meta.exclude_initiator
                        else _("%(task)s: no role “%(name)s”; the task goes to the initiator")
                    )
                    % {"task": meta.bpmn_id, "name": role}
                )
    return warnings


def _store_definition(
    parsed: engine.ParsedDefinition, xml: bytes, source: str, username: str
) -> ProcessDefinition:
    latest = ProcessDefinition.objects.filter(key=parsed.key).aggregate(v=Max("version"))["v"] or 0
    return ProcessDefinition.objects.create(
        key=parsed.key,
        version=latest + 1,
        name=parsed.name[:200],
        bpmn_xml=xml.decode("utf-8", errors="replace") if isinstance(xml, bytes) else xml,
        spec=parsed.spec,
        user_tasks={k: _meta_dict(v) for k, v in parsed.user_tasks.items()},
        timers={k: _timer_dict(v) for k, v in parsed.timers.items()},
        start_form=[_field_dict(f) for f in parsed.start_form],
        executable=parsed.executable,
        warnings=_mapping_warnings(parsed) if parsed.executable else [],
        source=source[:200],
        created_by_username=username,
    )


def import_definition(actor: User, xml: bytes, *, source: str = "") -> ProcessDefinition:
    """Import a BPMN 2.0 file as a new version of its process key (流程定义)."""
    policy.require(actor, Action.MANAGE_PROCESSES)
    if len(xml) > MAX_BPMN_BYTES:
        raise InvalidInput(_("A BPMN file has at most 5 MB."), field="file")
    try:
        parsed = engine.parse_definition(xml)
    except engine.DefinitionError as exc:
        raise InvalidInput(
            _("The process cannot be imported: %(reason)s") % {"reason": str(exc)}, field="file"
        ) from exc
    with transaction.atomic():
        definition = _store_definition(parsed, xml, source, actor.username)
        record(
            "workflow.definition.import",
            obj=definition,
            after={
                "key": definition.key,
                "version": definition.version,
                "executable": definition.executable,
                "warnings": definition.warnings,
            },
        )
    return definition


def save_from_modeler(actor: User, key: str, xml: bytes) -> ProcessDefinition:
    """The modeler's "save as a new version" of process ``key``: a real change of that process,
    or a refusal (the same diagram again, or one whose process id was changed into another)."""
    policy.require(actor, Action.MANAGE_PROCESSES)
    latest = ProcessDefinition.objects.filter(key=key).order_by("-version").first()
    if latest is None:
        raise NotFound()
    if xml.decode("utf-8", errors="replace") == latest.bpmn_xml:
        raise InvalidInput(
            _("Nothing has changed since version %(v)d; no new version was saved.")
            % {"v": latest.version},
            field="xml",
        )
    try:
        parsed_key = engine.parse_definition(xml).key
    except engine.DefinitionError:
        parsed_key = key  # import_definition refuses it below, naming the element
    if parsed_key != key:
        raise InvalidInput(
            _("The process id was changed to “%(new)s”; this editor saves versions of “%(key)s”.")
            % {"new": parsed_key, "key": key},
            field="xml",
        )
    return import_definition(actor, xml, source=_("modeler"))


def load_shipped_processes(**_kwargs: Any) -> list[ProcessDefinition]:
    """On migrate: import each shipped .bpmn whose content is not yet the latest version.

    Like the built-in roles, this is installation data written by ``migrate``, not a person's
    action, so it is not in the audit trail (the definition records its source file).
    """
    loaded = []
    for path in sorted(PROCESSES_DIR.glob("*.bpmn")):
        xml = path.read_bytes()
        parsed = engine.parse_definition(xml)
        latest = ProcessDefinition.objects.filter(key=parsed.key).order_by("-version").first()
        if latest is not None and latest.bpmn_xml == xml.decode("utf-8"):
            continue
        loaded.append(_store_definition(parsed, xml, f"shipped:{path.name}", ""))
    return loaded


def latest_definition(key: str) -> ProcessDefinition:
    definition = (
        ProcessDefinition.objects.filter(key=key, executable=True).order_by("-version").first()
    )
    if definition is None:
        raise NotFound(_("No executable process “%(key)s”.") % {"key": key}, field="process_key")
    return definition


# --- tasks: engine → rows ------------------------------------------------------------------


def _open_rows(instance: ProcessInstance) -> dict[str, Task]:
    return {
        t.engine_id: t
        for t in instance.tasks.filter(status=TaskStatus.OPEN, added_for__isnull=True)
    }


def _sync_tasks(
    instance: ProcessInstance, wf: engine.Workflow, *, actor: User | None
) -> list[Task]:
    """Make the open task rows match the engine's ready user tasks."""
    ready = {t.id: t for t in wf.ready_user_tasks()}
    rows = _open_rows(instance)
    for engine_id, row in rows.items():
        if engine_id not in ready:
            row.status = TaskStatus.CANCELLED
            row.save(update_fields=["status"])
            row.added_signers.filter(status=TaskStatus.OPEN).update(status=TaskStatus.CANCELLED)
    created = []
    today = timezone.localdate()
    metas = instance.definition.user_tasks
    directory = performers.Directory()
    working_days = calendar.WorkingDays()
    for engine_id, ready_task in ready.items():
        if engine_id in rows:
            continue
        meta = metas.get(ready_task.bpmn_id, {})
        resolved = performers.resolve(meta, ready_task.data, instance.initiator, directory)
        due_days = _due_days(meta.get("due_working_days"), ready_task.data)
        context = ready_task.data.get("department") if meta.get("multi_instance") else ""
        context_name = ""
        if context:
            dept = directory.department(str(context))
            context_name = dept.name if dept else str(context)
        task = Task.objects.create(
            instance=instance,
            engine_id=engine_id,
            bpmn_id=ready_task.bpmn_id,
            name=ready_task.name[:200],
            assignee=resolved.assignee,
            candidate_label=resolved.label[:200],
            context_label=context_name[:200],
            due_on=working_days.add_working_days(today, due_days) if due_days else None,
        )
        TaskCandidate.objects.bulk_create(
            [TaskCandidate(task=task, user=u) for u in resolved.candidates]
        )
        if resolved.unmatched:
            HistoryEvent.objects.create(
                instance=instance,
                task=task,
                action="unmatched",
                step_name=task.name,
                detail=(
                    _("No performer found for %(what)s; the task went to the initiator.")
                    % {"what": ", ".join(resolved.unmatched)}
                )[:300],
            )
        created.append(task)
    return created


def _due_days(value: Any, variables: dict[str, Any]) -> int | None:
    """A task's working days: a number, or a ``${variable}`` read from the task's data (a
    missing or unusable value means no due date, not a refusal: the step still arrives)."""
    if isinstance(value, str):
        value = variables.get(value.strip()[2:-1].strip())
    if isinstance(value, bool):
        return None
    try:
        days = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
    return days if days is not None and 0 < days <= 3650 else None


def _changed(instance: ProcessInstance, event: str) -> None:
    """Tell the owning domain that the instance changed (``hooks``), in the same transaction."""
    handler = hooks.handler_for(instance.business_type)
    if handler is not None:
        handler.after_change(instance, event)


def _sync_inbox(instance: ProcessInstance) -> None:
    """Rewrite the inbox entries of an instance's open tasks: the assignee's, or every
    candidate's while nobody has claimed the task. Every action that changes tasks ends here.

    Two statements (one INSERT … SELECT, the same on SQLite and PostgreSQL) rather than reading
    the rows into Python: this runs on every step of every process.
    """
    instance_id = instance.pk
    InboxEntry.objects.filter(instance_id=instance_id).delete()
    entry, task, candidate = (m._meta.db_table for m in (InboxEntry, Task, TaskCandidate))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {entry} (task_id, instance_id, user_id, due_on, created_at) "  # noqa: S608 - table names from the models
            f"SELECT t.id, t.instance_id, t.assignee_id, t.due_on, t.created_at FROM {task} t "
            "WHERE t.instance_id = %s AND t.status = %s AND t.assignee_id IS NOT NULL "
            f"UNION ALL SELECT t.id, t.instance_id, c.user_id, t.due_on, t.created_at FROM {task} t "
            f"JOIN {candidate} c ON c.task_id = t.id "
            "WHERE t.instance_id = %s AND t.status = %s AND t.assignee_id IS NULL",
            [instance_id, TaskStatus.OPEN, instance_id, TaskStatus.OPEN],
        )
    # A 新待办, 催办 or 退回 notice stays unread only while its task is in the person's 待办.
    # Only an instance that has had such notices pays for the check (most never do).
    if not instance.task_notices:
        return
    notifications.settle(
        object_type=Task._meta.label_lower,
        object_ids=Task.objects.filter(instance_id=instance_id)
        .annotate(key=Cast("id", CharField()))
        .values("key"),
        kinds=("task", "urge", "returned"),
        # The task id is cast to text, never the notification's object id to a number: other
        # objects' ids need not be numbers, and PostgreSQL would refuse the cast.
        still_needed=Exists(
            InboxEntry.objects.filter(instance_id=instance_id, user_id=OuterRef("recipient_id"))
            .annotate(key=Cast("task_id", CharField()))
            .filter(key=OuterRef("object_id"))
        ),
    )


def _deadline(definition: ProcessDefinition, timer_id: str) -> datetime | None:
    """A timer with ``tongban:dueWorkingDays`` fires when the task it watches becomes overdue:
    at midnight (Asia/Shanghai) after the last of its working days, counted from today."""
    days = (definition.timers.get(timer_id) or {}).get("due_working_days")
    if days is None:
        return None
    last_day = calendar.add_working_days(timezone.localdate(), int(days))
    midnight = datetime.combine(last_day + timedelta(days=1), time.min)
    return timezone.make_aware(midnight, timezone.get_default_timezone())


def _save_engine(
    instance: ProcessInstance, wf: engine.Workflow, *, actor: User | None = None
) -> None:
    definition = instance.definition
    wf.apply_deadlines(lambda timer_id: _deadline(definition, timer_id))
    instance.state = wf.state()
    instance.revision += 1
    instance.next_timer_at = wf.next_timer()
    fields = ["state", "revision", "next_timer_at"]
    finished = wf.completed and instance.status == InstanceStatus.RUNNING
    if finished:
        instance.status = InstanceStatus.COMPLETED
        instance.ended_at = timezone.now()
        instance.outcome = wf.end_reached()[:200]
        fields += ["status", "ended_at", "outcome"]
    instance.save(update_fields=fields)
    if finished:
        _tell_the_initiator(instance, actor)


def _tell_the_initiator(instance: ProcessInstance, actor: User | None) -> None:
    """A request ended: its initiator learns how (准假), unless they took the last step
    themselves. A document's domain tells its people itself."""
    if hooks.handler_for(instance.business_type) is not None:
        return
    notifications.notify(
        [instance.initiator],
        kind="ended",
        title=(
            gettext_noop("“%(title)s” has ended: %(outcome)s")
            if instance.outcome
            else gettext_noop("“%(title)s” has ended")
        ),
        params={"title": instance.title, "outcome": instance.outcome},
        obj=instance,
        actor=actor,
    )


def _spec_key(definition: ProcessDefinition) -> str:
    """Names a definition's content for the engine's spec cache (rows are never edited, but a
    primary key can come back after a rollback, so the content is part of the key)."""
    digest = hashlib.sha256(definition.bpmn_xml.encode()).hexdigest()[:16]
    return f"{definition.pk}:{digest}"


def _restore(instance: ProcessInstance) -> engine.Workflow:
    definition = instance.definition
    return engine.Workflow.restore(
        definition.spec or {}, instance.state, cache_key=_spec_key(definition)
    )


def _clean_variables(variables: Any) -> dict[str, Any]:
    if variables is None:
        return {}
    if not isinstance(variables, dict):
        raise InvalidInput(_("Variables must be a JSON object."), field="variables")
    text = json.dumps(variables, ensure_ascii=False, default=str)
    if len(text.encode()) > MAX_VARIABLES_BYTES:
        raise InvalidInput(_("Variables are limited to 64 KB."), field="variables")
    bad = [k for k in variables if not isinstance(k, str) or k.startswith("_") or k == INITIATOR]
    if bad:
        raise InvalidInput(
            _("These variable names are reserved: %(names)s") % {"names": ", ".join(map(str, bad))},
            field="variables",
        )
    return json.loads(text)


# --- instances -----------------------------------------------------------------------------


def start_instance(
    actor: User,
    *,
    process_key: str,
    variables: dict[str, Any] | None = None,
    title: str = "",
    business_type: str = "",
    business_id: str = "",
    owned: bool = False,
) -> ProcessInstance:
    """Start a process (发起). The initiator is the acting staff member.

    A business type that a domain registered (``hooks``) is started by that domain only
    (``owned=True``), so that a process never runs for an object its domain does not know.
    """
    if hooks.handler_for(business_type) is not None and not owned:
        raise InvalidInput(
            _("Processes of “%(type)s” are started from their own pages.")
            % {"type": business_type},
            field="business_type",
        )
    staff = Staff.objects.select_related("department__parent").filter(user=actor).first()
    if staff is None or actor.is_admin or not actor.is_active:
        record_denied(
            "workflow.instance.start", object_type="workflow.processinstance", actor=actor
        )
        raise Forbidden(_("Only staff members of a department start processes."))
    definition = latest_definition(process_key)
    user_variables = fields.checked(definition.start_form, _clean_variables(variables), held={})
    system = {
        INITIATOR: actor.username,
        "initiator_department": staff.department.code,
        "initiator_bureau": performers.bureau_of(staff.department).code,
    }
    with transaction.atomic():
        instance = ProcessInstance.objects.create(
            definition=definition,
            initiator=actor,
            department=staff.department,
            # Without a title, whose request it is: ten "请假申请" rows in one inbox say nothing.
            title=(title.strip() or f"{definition.name}（{actor.display_name}）")[:200],
            business_type=business_type[:100],
            business_id=str(business_id)[:64],
            variables=user_variables,
        )
        try:
            wf = engine.Workflow.start(
                definition.spec or {},
                {**user_variables, **system},
                cache_key=_spec_key(definition),
            )
        except engine.EngineError as exc:
            raise InvalidInput(
                _("The process cannot start: %(reason)s") % {"reason": str(exc)}
            ) from exc
        _sync_tasks(instance, wf, actor=actor)
        _save_engine(instance, wf, actor=actor)
        _sync_inbox(instance)
        HistoryEvent.objects.create(
            instance=instance, action="start", actor=actor, step_name=definition.name[:200]
        )
        _changed(instance, "start")
        record(
            "workflow.instance.start",
            obj=instance,
            after={
                "process": definition.key,
                "version": definition.version,
                "title": instance.title,
            },
        )
    return instance


def set_variables(
    actor: User, instance_id: int, variables: dict[str, Any], *, owned: bool = False
) -> ProcessInstance:
    """Give process variables of a running instance new values (instance-wide, as Camunda's
    ``setVariable``): the steps still to come read them; a step already open keeps its
    performers, and one under way what it started with (``engine.Workflow.set_data``).

    A process a domain owns (``hooks``) has its variables set by that domain only
    (``owned=True``), which decides who may and when (the countersigning units of a document
    until its countersign begins); any other process by a process administrator. Audited with
    the values before and after, in the caller's transaction when there is one.
    """
    clean = _clean_variables(variables)
    if not clean:
        raise InvalidInput(_("Give the variables to set."), field="variables")
    seen = ProcessInstance.objects.filter(pk=instance_id).only("business_type").first()
    if seen is None:
        raise NotFound()
    if hooks.handler_for(seen.business_type) is not None:
        if not owned:
            raise InvalidInput(
                _("Processes of “%(type)s” are changed from their own pages.")
                % {"type": seen.business_type},
                field="variables",
            )
    else:
        policy.require(actor, Action.MANAGE_PROCESSES)
    with transaction.atomic():
        instance = _locked_instance(instance_id)
        if instance.status != InstanceStatus.RUNNING:
            raise Conflict(_("Only a running process can be changed."))
        wf = _restore(instance)
        before = {key: (instance.variables or {}).get(key) for key in clean}
        wf.set_data(clean)
        _save_engine(instance, wf, actor=actor)
        instance.variables = {**(instance.variables or {}), **clean}
        instance.save(update_fields=["variables"])
        record(
            "workflow.instance.variables",
            obj=instance,
            before=before,
            after=clean,
        )
    return instance


def _locked_instance(pk: int | None = None, *, task_id: int | None = None) -> ProcessInstance:
    """An instance (or the one a task belongs to), its row locked: one query. Only the instance
    row is locked, not the definition or initiator it is read with."""
    where = {"pk": pk} if task_id is None else {"tasks__pk": task_id}
    instance = (
        ProcessInstance.objects.select_for_update(of=("self",))
        .select_related("definition", "initiator")
        .filter(**where)
        .first()
    )
    if instance is None:
        raise NotFound()
    return instance


def acting_for(actor: User) -> set[int]:
    """The ids of the actor and of everyone whose tasks the actor may work now (代理)."""
    return _acting_for(actor)


def _acting_for(actor: User) -> set[int]:
    """The actor and everyone whose tasks the actor may work now (代理)."""
    return {actor.pk, *_delegators(actor)}


def _delegators(actor: User) -> QuerySet[Delegation, int]:
    """The ids of those who delegate their tasks to the actor now (a lazy query)."""
    now = timezone.now()
    return Delegation.objects.filter(
        delegate=actor, starts_at__lte=now, ends_at__gt=now, revoked_at__isnull=True
    ).values_list("delegator_id", flat=True)


def involved_instances(user: User) -> QuerySet[ProcessInstance]:
    """Instances the person started, has worked or may work on (also for those they act for)."""
    people = list(_acting_for(user))
    involved = Task.objects.filter(instance=OuterRef("pk")).filter(
        Q(assignee_id__in=people)
        | Q(completed_by_id__in=people)
        | Q(candidates__user_id__in=people)
    )
    return ProcessInstance.objects.filter(Q(initiator=user) | Exists(involved))


def _sees(actor: User, instance: ProcessInstance) -> bool:
    """Whether the actor may see the instance and its steps: one they are involved in (what
    ``selectors.task_for`` shows them), one whose object its domain shows them (a document they
    may read, whose page lists its steps), or any, for a process administrator (the monitor lists
    every running instance and its overdue and stuck steps)."""
    if involved_instances(actor).filter(pk=instance.pk).exists():
        return True
    handler = hooks.handler_for(instance.business_type)
    if handler is not None and handler.visible(actor, instance):
        return True
    return policy.can(actor, Action.MANAGE_PROCESSES)


# The detail of a refusal's audit entry (stored in English, translated where the trail is read).
NOT_VISIBLE = gettext_noop("not visible")


def seen_task(actor: User, task_id: int, action: str) -> Task:
    """The task an action names, when the actor may see it; otherwise NotFound, the answer for
    a task that does not exist, so that an id reveals nothing (a 403 would say it exists). The
    attempt on a task one may not see is audited as denied: call this before the transaction."""
    task = Task.objects.select_related("instance").filter(pk=task_id).first()
    if task is None:
        raise NotFound()
    if not _sees(actor, task.instance):
        record_denied(action, obj=task, actor=actor, detail=NOT_VISIBLE)
        raise NotFound()
    return task


def steps_kept_from(user: User, instance: ProcessInstance) -> set[str]:
    """The steps ``user`` may not perform in ``instance`` (``tongban:excludeInitiator``, when
    they started it), nor send the process back to: a refusal of one's own request is not one's
    to have decided again."""
    if user.pk != instance.initiator_id:
        return set()
    return {
        bpmn_id
        for bpmn_id, meta in instance.definition.user_tasks.items()
        if meta.get("exclude_initiator")
    }


def _kept_from(user: User, task: Task) -> bool:
    """Whether the step keeps ``user`` out because they started the process and the BPMN says
    ``tongban:excludeInitiator`` (an approval of their own request), however the task reached
    them: handed over, by delegation, or by escalation."""
    instance = task.instance
    if user.pk != instance.initiator_id:
        return False
    meta = instance.definition.user_tasks.get(task.bpmn_id) or {}
    return bool(meta.get("exclude_initiator"))


def may_work(actor: User, task: Task) -> bool:
    """One query at most: this runs twice on every step (before the transaction and under
    its lock), and the task is usually the actor's own."""
    if _kept_from(actor, task):
        return False
    if task.assignee_id is not None:
        return (
            task.assignee_id == actor.pk
            or _delegators(actor).filter(delegator_id=task.assignee_id).exists()
        )
    return task.candidates.filter(Q(user_id=actor.pk) | Q(user_id__in=_delegators(actor))).exists()


def complete_task(
    actor: User, task_id: int, *, data: dict[str, Any] | None = None, opinion: str = ""
) -> Task:
    """Complete a task with form data and an opinion (意见). A second completion gets 409."""
    clean = _clean_variables(data)
    opinion = (opinion or "").strip()
    if len(opinion) > 2000:
        raise InvalidInput(_("An opinion has at most 2,000 characters."), field="opinion")
    _authorise(actor, task_id, "workflow.task.complete")
    with transaction.atomic():
        instance = _locked_instance(task_id=task_id)
        # Read after the lock: a completion that got there first is seen here.
        task = Task.objects.filter(pk=task_id).first()
        if task is None:
            raise NotFound()
        task.instance = instance
        if task.status != TaskStatus.OPEN:
            raise _handled(task, actor)
        if not may_work(actor, task):
            raise Forbidden(_("This task is not yours to complete."))
        if task.added_for_id is not None:
            return _complete_added(actor, instance, task, clean, opinion)
        if task.added_signers.filter(status=TaskStatus.OPEN).exists():
            raise Conflict(_("Wait for the signer you added to give an opinion first."))
        handler = hooks.handler_for(instance.business_type)
        if handler is not None:
            step = hooks.Step(
                actor=actor, instance=instance, task=task, data=clean, opinion=opinion
            )
            handler.before_complete(step)
            clean = step.data
        clean = fields.checked(task_form_fields(instance, task), clean)
        wf = _restore(instance)
        try:
            wf.complete(
                task.engine_id,
                {**clean, f"{task.bpmn_id}_opinion": opinion, f"{task.bpmn_id}_by": actor.username},
            )
        except engine.EngineError as exc:
            raise InvalidInput(
                _("The process cannot go on: %(reason)s") % {"reason": str(exc)}
            ) from exc
        _mark_completed(task, actor, clean, opinion)
        _sync_tasks(instance, wf, actor=actor)
        _save_engine(instance, wf, actor=actor)
        _step_event(
            task,
            "complete",
            actor,
            opinion=opinion,
            after={"data": clean, "opinion": opinion[:200]},
        )
        _changed(instance, "complete")
    return task


def _handled(task: Task, actor: User) -> Conflict | NotFound:
    """The answer to an action on a task that is no longer open: 409 naming who handled it, for
    someone the task concerned; for anyone else 404, as for a task that does not exist (its
    state and its performer are not theirs to learn)."""
    if not _concerned(actor, task):
        return NotFound()
    if task.status == TaskStatus.CANCELLED:
        return Conflict(_("This step is no longer open: the process went another way or ended."))
    if task.completed_by is not None:
        return Conflict(
            _("This task was already handled by %(who)s.") % {"who": task.completed_by.display_name}
        )
    return Conflict(_("This task was already handled."))


def _concerned(actor: User, task: Task) -> bool:
    """Whether the task was the actor's (or their principal's, 代理) to do or to take, or the
    process is theirs (they started it) or theirs to watch (process administrator)."""
    people = _acting_for(actor)
    if task.assignee_id in people or task.completed_by_id in people:
        return True
    if ProcessInstance.objects.filter(pk=task.instance_id, initiator=actor).exists():
        return True
    if task.candidates.filter(user_id__in=people).exists():
        return True
    return policy.can(actor, Action.MANAGE_PROCESSES)


def not_open_error(task_id: int, actor: User) -> Conflict | NotFound:
    """Why an open task was not found: handled meanwhile (409, a colleague got there first), or
    it does not exist, is not one the action applies to, or is none of the actor's business
    (404)."""
    task = Task.objects.select_related("completed_by").filter(pk=task_id).first()
    if task is not None and task.status != TaskStatus.OPEN:
        return _handled(task, actor)
    return NotFound()


def task_form_fields(instance: ProcessInstance, task: Task) -> list[dict[str, Any]]:
    """The fields the BPMN draws on this step's form (``camunda:formField``)."""
    return list(instance.definition.user_tasks.get(task.bpmn_id, {}).get("form") or [])


def _authorise(actor: User, task_id: int, action: str) -> None:
    """Refusals that must stay in the audit trail are decided before the action's transaction
    (which would roll them back): not the actor's task, or the owning domain says no. The
    transaction checks again under its lock. A task the actor may not see is 404."""
    task = seen_task(actor, task_id, action)
    if task.status != TaskStatus.OPEN:
        return  # handled: the transaction answers 409 (or 404 to whom it never concerned)
    if not may_work(actor, task):
        record_denied(action, obj=task, actor=actor)
        raise Forbidden(_("This task is not yours to complete."))
    handler = hooks.handler_for(task.instance.business_type)
    if handler is not None:
        handler.authorise(actor, task.instance, task)


def _check_hand_over(task: Task, actor: User, user: User, *, added: bool) -> None:
    """Whether ``user`` may receive the step from ``actor`` by 转办 or give an opinion on it by
    加签: someone other than whoever has it; not a signer whose opinion on it is still pending
    (加签 twice, or 转办 to them before they answer); not the initiator of a step that excludes
    them (their own approval); and what the owning domain asks."""
    who = {"who": user.display_name}
    if user.pk in (actor.pk, task.assignee_id):
        message = (
            _("Add someone else: this step is already with %(who)s.")
            if added
            else _("Hand the task to someone else: it is already with %(who)s.")
        )
        raise InvalidInput(message % who, field="to")
    if task.added_signers.filter(status=TaskStatus.OPEN, assignee=user).exists():
        message = (
            _("%(who)s has already been asked for an opinion on this step.")
            if added
            else _("%(who)s has been asked for an opinion on this step; wait for it first.")
        )
        raise InvalidInput(message % who, field="to")
    if _kept_from(user, task):
        raise InvalidInput(
            _("%(who)s started this process and may not perform this step.")
            % {"who": user.display_name},
            field="to",
        )
    handler = hooks.handler_for(task.instance.business_type)
    if handler is not None:
        handler.check_performer(task.instance, task, user, added=added)


HAND_OVER_REASON_MAX = 2000


def _hand_over_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > HAND_OVER_REASON_MAX:
        raise InvalidInput(
            _("A reason has at most %(max)s characters.") % {"max": HAND_OVER_REASON_MAX},
            field="reason",
        )
    return reason


def _mark_completed(task: Task, actor: User, data: dict[str, Any], opinion: str) -> None:
    task.status = TaskStatus.COMPLETED
    task.completed_at = timezone.now()
    task.completed_by = actor
    if task.assignee_id is None:
        task.assignee = actor
    task.opinion = opinion
    task.data = data
    task.save()


def _complete_added(
    actor: User, instance: ProcessInstance, task: Task, data: dict[str, Any], opinion: str
) -> Task:
    """An added signer's opinion (加签): recorded on its own row, the engine does not move."""
    _mark_completed(task, actor, data, opinion)
    _step_event(
        task, "complete", actor, opinion=opinion, after={"data": data, "opinion": opinion[:200]}
    )
    return task


def _colleague(username: str, message: str) -> User:
    """An active staff account (not an administrator) to hand work to, or InvalidInput."""
    target = User.objects.filter(username__iexact=(username or "").strip(), is_active=True).first()
    if target is None or target.is_admin:
        raise InvalidInput(message, field="to")
    return target


def _performers(task: Task) -> list[User]:
    """Who has the task in their 待办: the assignee, or every candidate while it is unclaimed."""
    if task.assignee_id is not None:
        return [task.assignee] if task.assignee else []
    return [c.user for c in task.candidates.select_related("user")]


def _notify_performers(task: Task, *, kind: str, by: User | None, message: str = "") -> list[User]:
    recipients = _performers(task)
    title_by_kind = {
        "urge": gettext_noop("Reminder: %(step)s of “%(title)s”"),
        "task": gettext_noop("New task: %(step)s of “%(title)s”"),
        "returned": gettext_noop("Sent back to you: %(step)s of “%(title)s”"),
    }
    sent = notifications.notify(
        recipients,
        kind=kind,
        title=title_by_kind[kind],
        params={"step": task.name, "title": task.instance.title},
        body=message,
        obj=task,
        actor=by,
    )
    if sent and not task.instance.task_notices:
        task.instance.task_notices = True
        ProcessInstance.objects.filter(pk=task.instance_id).update(task_notices=True)
    return recipients


def _open_task_locked(task_id: int, **conditions: Any) -> Task | None:
    """Lock the task's instance, then read the task if it is still open.

    Every action on an instance's tasks takes this lock first, so two actions on one document
    never interleave (the engine state, the task rows and the inbox entries move together).
    """
    instance = _locked_instance(task_id=task_id)
    task = Task.objects.filter(pk=task_id, status=TaskStatus.OPEN, **conditions).first()
    if task is not None:
        task.instance = instance
    return task


def _step_event(
    task: Task,
    action: str,
    actor: User,
    *,
    event_task: Task | None = None,
    opinion: str = "",
    detail: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """After a change to a task: the inbox entries, the instance's history and the audit entry."""
    _sync_inbox(task.instance)
    HistoryEvent.objects.create(
        instance_id=task.instance_id,
        task=event_task or task,
        action=action,
        actor=actor,
        step_name=task.name,
        opinion=opinion[:2000],
        detail=detail[:300],
    )
    record(f"workflow.task.{action}", obj=task, before=before, after=after)


def _in_platform_language(template: str, **values: str) -> str:
    """A name stored as data (at most 200 characters), like the step names drawn in the BPMN: in
    the platform's language, whoever's language the action came in."""
    with translation.override(settings.LANGUAGE_CODE):
        return (_(template) % values)[:200]


def add_signer(actor: User, task_id: int, *, username: str, reason: str = "") -> Task:
    """加签: ask one more person for an opinion before this step can be completed."""
    reason = _hand_over_reason(reason)
    target = _colleague(username, _("Choose an active colleague to add."))
    seen_task(actor, task_id, "workflow.task.add_signer")
    with transaction.atomic():
        task = _open_task_locked(task_id)
        if task is None:
            raise not_open_error(task_id, actor)
        if not may_work(actor, task):
            raise Forbidden(_("This task is not yours."))
        if task.added_for_id is not None:
            raise Forbidden(
                _("An added signer gives an opinion; only the step's performer adds signers.")
            )
        _check_hand_over(task, actor, target, added=True)
        added = Task.objects.create(
            instance_id=task.instance_id,
            engine_id="",
            bpmn_id=task.bpmn_id,
            added_for=task,
            name=_in_platform_language(gettext_noop("%(step)s (added signer)"), step=task.name),
            assignee=target,
            context_label=task.context_label,
            due_on=task.due_on,
        )
        _step_event(
            task,
            "add_signer",
            actor,
            event_task=added,
            opinion=reason,
            detail=f"+ {target.display_name}",
            after={"signer": target.username, "reason": reason[:200]},
        )
        _notify_performers(added, kind="task", by=actor, message=reason)
    return added


def claim_task(actor: User, task_id: int) -> Task:
    seen_task(actor, task_id, "workflow.task.claim")
    with transaction.atomic():
        task = _open_task_locked(task_id)
        if task is None:
            raise not_open_error(task_id, actor)
        if task.assignee_id is not None:
            raise Conflict(_("Someone has already taken this step."))
        if not task.candidates.filter(user_id__in=_acting_for(actor)).exists():
            raise Forbidden(_("This step is not yours to take."))
        task.assignee = actor
        task.save(update_fields=["assignee"])
        _step_event(task, "claim", actor)
    return task


def release_task(actor: User, task_id: int) -> Task:
    seen_task(actor, task_id, "workflow.task.release")
    with transaction.atomic():
        task = _open_task_locked(task_id, assignee=actor)
        if task is None or not task.candidates.exists():
            raise InvalidInput(_("Only a step taken from a shared queue can be released."))
        task.assignee = None
        task.save(update_fields=["assignee"])
        _step_event(task, "release", actor)
    return task


def transfer_task(actor: User, task_id: int, *, to_username: str, reason: str = "") -> Task:
    """Hand a task to another person (转办)."""
    reason = _hand_over_reason(reason)
    target = _colleague(to_username, _("Choose an active colleague to hand the task to."))
    seen_task(actor, task_id, "workflow.task.transfer")
    with transaction.atomic():
        task = _open_task_locked(task_id)
        if task is None:
            raise not_open_error(task_id, actor)
        if not may_work(actor, task):
            raise Forbidden(_("This task is not yours to hand over."))
        _check_hand_over(task, actor, target, added=False)
        before = task.assignee.username if task.assignee else ""
        task.assignee = target
        task.save(update_fields=["assignee"])
        _step_event(
            task,
            "transfer",
            actor,
            opinion=reason,
            detail=f"→ {target.display_name}",
            before={"assignee": before},
            after={"assignee": target.username, "reason": reason[:200]},
        )
        _notify_performers(task, kind="task", by=actor, message=reason)
    return task


# One reminder an hour per step: a second click a minute later notifies nobody anew, it only
# annoys (and every candidate of a shared step gets each one).
URGE_INTERVAL = timedelta(hours=1)


def urge_task(actor: User, task_id: int, *, message: str = "") -> Task:
    """Remind the performer (催办): the initiator or a process administrator may. The assignee,
    or every candidate of an unclaimed task, gets a notification."""
    message = (message or "").strip()
    if len(message) > 500:
        raise InvalidInput(_("A reminder has at most 500 characters."), field="message")
    seen = seen_task(actor, task_id, "workflow.task.urge")
    if actor.pk != seen.instance.initiator_id and not policy.can(actor, Action.MANAGE_PROCESSES):
        record_denied("workflow.task.urge", obj=seen, actor=actor)
        raise Forbidden(_("Only the initiator may urge this task."))
    with transaction.atomic():
        task = _open_task_locked(task_id)
        if task is None:
            raise Conflict(_("This task was already handled."))
        now = timezone.now()
        if task.urged_at is not None and now - task.urged_at < URGE_INTERVAL:
            again = timezone.localtime(task.urged_at + URGE_INTERVAL)
            raise Conflict(
                _("This step was urged at %(at)s; it can be urged again from %(again)s.")
                % {
                    "at": timezone.localtime(task.urged_at).strftime("%H:%M"),
                    "again": again.strftime("%H:%M"),
                }
            )
        task.urged_at = now
        task.save(update_fields=["urged_at"])
        recipients = _notify_performers(task, kind="urge", by=actor, message=message)
        _step_event(
            task,
            "urge",
            actor,
            opinion=message,
            after={"notified": sorted(u.username for u in recipients)},
        )
    return task


def terminate_instance(actor: User, instance_id: int, *, reason: str) -> ProcessInstance:
    """Stop a running instance for good (终止); administrators only."""
    policy.require(actor, Action.MANAGE_PROCESSES)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for terminating the process."), field="reason")
    with transaction.atomic():
        instance = _locked_instance(instance_id)
        if instance.status != InstanceStatus.RUNNING:
            raise Conflict(_("Only a running process can be terminated."))
        _end(instance, actor, action="terminate", reason=reason)
    return instance


def _end(instance: ProcessInstance, actor: User, *, action: str, reason: str) -> None:
    """End a running instance before its end event: terminated (终止) or withdrawn (撤回)."""
    wf = _restore(instance)
    wf.cancel()
    had_it = (
        [
            person
            for task in instance.tasks.filter(status=TaskStatus.OPEN).select_related("assignee")
            for person in _performers(task)
        ]
        if action == "terminate"
        else []
    )
    instance.tasks.filter(status=TaskStatus.OPEN).update(status=TaskStatus.CANCELLED)
    instance.state = wf.state()
    instance.status = InstanceStatus.TERMINATED
    instance.ended_at = timezone.now()
    instance.revision += 1
    instance.next_timer_at = None
    fields = ["state", "status", "ended_at", "revision", "next_timer_at"]
    if action == "withdraw":
        # Both end as 已终止; the outcome tells a request its initiator took back from one an
        # administrator stopped.
        instance.outcome = _in_platform_language(gettext_noop("withdrawn"))
        fields.append("outcome")
    instance.save(update_fields=fields)
    _sync_inbox(instance)
    HistoryEvent.objects.create(
        instance=instance, action=action, actor=actor, opinion=reason[:2000]
    )
    if action == "terminate":
        # The initiator, and whoever had a step of it in their 待办, learn it stopped and why.
        notifications.notify(
            [instance.initiator, *had_it],
            kind="ended",
            title=gettext_noop("“%(title)s” was terminated by an administrator"),
            params={"title": instance.title},
            body=reason,
            obj=instance,
            actor=actor,
        )
    _changed(instance, action)
    record(f"workflow.instance.{action}", obj=instance, after={"reason": reason[:200]})


def _go_back(
    actor: User, instance: ProcessInstance, target: Task, action: str, opinion: str
) -> Task:
    wf = _restore(instance)
    try:
        wf.reset_to(target.engine_id, target.bpmn_id)
    except engine.EngineError as exc:
        raise InvalidInput(str(exc)) from exc
    instance.tasks.filter(status=TaskStatus.OPEN).update(status=TaskStatus.CANCELLED)
    # The target and what was done after it are done again: no longer steps to go back to.
    instance.tasks.filter(
        status=TaskStatus.COMPLETED, completed_at__gte=target.completed_at
    ).update(undone=True)
    _sync_tasks(instance, wf, actor=actor)
    _save_engine(instance, wf)
    new = (
        instance.tasks.filter(status=TaskStatus.OPEN, bpmn_id=target.bpmn_id)
        .order_by("-id")
        .first()
    )
    if new is not None and target.completed_by_id:
        new.assignee_id = target.completed_by_id  # back to the person who did that step
        new.save(update_fields=["assignee"])
    _sync_inbox(instance)
    if new is not None:
        # The person it comes back to learns why, without opening the slip.
        new.instance = instance
        _notify_performers(new, kind="returned", by=actor, message=opinion)
    HistoryEvent.objects.create(
        instance=instance,
        task=new,
        action=action,
        actor=actor,
        step_name=target.name,
        opinion=opinion[:2000],
    )
    _changed(instance, action)
    record(
        f"workflow.instance.{action}",
        obj=instance,
        after={"to": target.bpmn_id, "opinion": opinion[:200]},
    )
    return new or target


def return_task(
    actor: User, task_id: int, *, to_task_id: int | None = None, opinion: str = ""
) -> Task:
    """Send the process back to the previous or a chosen earlier step (退回)."""
    if not (opinion or "").strip():
        raise InvalidInput(_("Say why the document goes back."), field="opinion")
    seen_task(actor, task_id, "workflow.task.return")
    with transaction.atomic():
        task = Task.objects.filter(pk=task_id).first()
        if task is None:
            raise NotFound()
        instance = _locked_instance(task.instance_id)
        task.refresh_from_db()
        if task.status != TaskStatus.OPEN:
            raise _handled(task, actor)
        if not may_work(actor, task):
            raise Forbidden(_("This task is not yours."))
        if task.added_for_id is not None:
            raise Forbidden(
                _("An added signer gives an opinion; sending back is for the step's performer.")
            )
        # Steps of the process only: an added signer's task (加签) is no step to go back to,
        # nor one already sent back past.
        done = (
            instance.tasks.filter(status=TaskStatus.COMPLETED, added_for__isnull=True, undone=False)
            .exclude(bpmn_id=task.bpmn_id)
            .exclude(bpmn_id__in=steps_kept_from(actor, instance))
            .order_by("-completed_at", "-id")
        )
        target = done.filter(pk=to_task_id).first() if to_task_id else done.first()
        if target is None:
            raise InvalidInput(
                _("Choose an earlier step of this process to send it back to.")
                if to_task_id
                else _("There is no earlier step to return to."),
                field="to_task_id",
            )
        return _go_back(actor, instance, target, "return", opinion)


WITHDRAW_ENDS = "end"


def withdrawal_of(actor: User, instance: ProcessInstance) -> tuple[Task | str | None, str]:
    """What 撤回 does now, and why not when it cannot.

    - The initiator did a step (拟稿) and nobody has acted since: back to that step (a Task).
    - The initiator only started it and has done nothing in it since (a request such as 请假申请,
      in a process no domain owns), and its first step is untouched: the request ends
      (``WITHDRAW_ENDS``), as a clerk takes back a request sent by mistake. A document is never
      ended this way: its domain decides what withdrawing means.
    - Otherwise None, with the reason in the user's words.
    """
    if instance.initiator_id != actor.pk:
        return None, _("Only the initiator can withdraw a running process.")
    if instance.status != InstanceStatus.RUNNING:
        return None, _("Only a running process can be withdrawn.")
    acted = _("The next step has already been taken up; it can no longer be withdrawn.")
    if _open_tasks_of(instance, actor).exists():
        return None, _("The process is with you; there is nothing to withdraw.")
    last = (
        instance.tasks.filter(status=TaskStatus.COMPLETED, added_for__isnull=True)
        .order_by("-completed_at", "-id")
        .first()
    )
    if last is not None and last.completed_by_id != actor.pk:
        return None, acted
    if last is None:
        handed_on = (
            HistoryEvent.objects.filter(instance=instance, actor=actor)
            .exclude(action__in=("start", "urge"))
            .exists()
        )
        if hooks.handler_for(instance.business_type) is not None or handed_on:
            # A step of the initiator's was handed on (转办), or a domain owns the process:
            # there is no step to take back, and ending it is not the initiator's to decide.
            return None, _("There is no step of yours to take back.")
    # Untouched: nobody but the initiator has done anything since the initiator's step (or
    # since the start). A deadline's escalation has no actor and counts as touched.
    later = HistoryEvent.objects.filter(instance=instance).exclude(
        action__in=("unmatched", "start")
    )
    if last is not None:
        later = later.filter(at__gt=last.completed_at)
    if later.exclude(actor=actor).exists():
        return None, acted
    return (last if last is not None else WITHDRAW_ENDS), ""


def _open_tasks_of(instance: ProcessInstance, user: User) -> QuerySet[Task]:
    return instance.tasks.filter(status=TaskStatus.OPEN).filter(
        Q(assignee=user) | Q(assignee__isnull=True, candidates__user=user)
    )


def withdraw(actor: User, instance_id: int, *, reason: str = "") -> Task | None:
    """The initiator takes the process back while the next step is untouched (撤回): back to
    the initiator's own step (that task is returned), or, when the initiator only started it,
    the request ends (None is returned; the instance is terminated)."""
    reason = (reason or "").strip()
    if len(reason) > 2000:
        raise InvalidInput(_("A reason has at most 2,000 characters."), field="reason")
    seen = (
        ProcessInstance.objects.filter(pk=instance_id)
        .only("initiator_id", "business_type", "business_id")
        .first()
    )
    if seen is None:
        raise NotFound()
    if seen.initiator_id != actor.pk and not _sees(actor, seen):
        record_denied("workflow.instance.withdraw", obj=seen, actor=actor, detail=NOT_VISIBLE)
        raise NotFound()
    if seen.initiator_id != actor.pk:
        # Decided before the transaction, so that the refusal stays in the audit trail.
        record_denied("workflow.instance.withdraw", obj=seen, actor=actor)
        raise Forbidden(_("Only the initiator can withdraw a running process."))
    with transaction.atomic():
        instance = _locked_instance(instance_id)
        target, refusal = withdrawal_of(actor, instance)
        if target is None:
            raise Conflict(refusal)
        if isinstance(target, Task):
            return _go_back(actor, instance, target, "withdraw", reason)
        _end(instance, actor, action="withdraw", reason=reason)
    return None


# --- deadlines -----------------------------------------------------------------------------


def _escalate(instance: ProcessInstance, task: Task, timer: dict[str, Any]) -> dict[str, Any]:
    """督办 when a boundary timer on ``task`` fires: tell its performers and their supervisors;
    with ``tongban:escalate="reassign"`` hand a task that is still open to the supervisor."""
    people = _performers(task)
    supervisors: dict[int, User] = {}
    for person in people:
        supervisors.update({u.pk: u for u in performers.supervisors_of(person)})
    chiefs = sorted(supervisors.values(), key=lambda u: u.username)
    task.instance = instance
    # A supervisor who started the process is told, but not handed their own approval.
    takers = [u for u in chiefs if not _kept_from(u, task)]
    task.refresh_from_db(fields=["status", "assignee"])
    reassigned = ""
    if timer.get("escalate") == "reassign" and takers and task.status == TaskStatus.OPEN:
        task.assignee = takers[0]
        task.save(update_fields=["assignee"])
        reassigned = takers[0].username
        HistoryEvent.objects.create(
            instance=instance,
            task=task,
            action="escalate",
            step_name=task.name,
            detail=(_("Deadline passed; handed to %(who)s.") % {"who": takers[0].display_name})[
                :300
            ],
        )
    notifications.notify(
        [*people, *chiefs],
        kind="escalation",
        title=gettext_noop("Deadline passed: %(step)s of “%(title)s”"),
        body=gettext_noop("Performer: %(who)s. Due: %(due)s."),
        body_is_template=True,
        params={
            "step": task.name,
            "title": instance.title,
            "who": ", ".join(u.display_name for u in people) or "—",
            "due": task.due_on.isoformat() if task.due_on else "—",
        },
        obj=task,
    )
    return {
        "task": task.pk,
        "notified": sorted(u.username for u in [*people, *chiefs]),
        "reassigned_to": reassigned,
    }


def fire_due_timers(now: datetime | None = None) -> int:
    """Worker job: move on every instance whose timer is due. Each instance is locked and saved in
    its own transaction, so a timer fires once even with two workers or after a restart."""
    now = now or timezone.now()
    due = ProcessInstance.objects.filter(status=InstanceStatus.RUNNING, next_timer_at__lte=now)
    fired = 0
    for pk in list(due.order_by("next_timer_at").values_list("pk", flat=True)[:500]):
        with audit_context(source="worker"), transaction.atomic():
            instance = _locked_instance(pk)
            if (
                instance.status != InstanceStatus.RUNNING
                or instance.next_timer_at is None
                or instance.next_timer_at > now
            ):
                continue  # another worker got there first
            watched = list(
                instance.tasks.filter(
                    status=TaskStatus.OPEN, added_for__isnull=True
                ).select_related("assignee")
            )
            wf = _restore(instance)
            try:
                timers = wf.fire_timers()
            except engine.EngineError as exc:
                HistoryEvent.objects.create(
                    instance=instance, action="timer", detail=str(exc)[:300]
                )
                instance.next_timer_at = None
                instance.save(update_fields=["next_timer_at"])
                continue
            created = _sync_tasks(instance, wf, actor=None)
            _save_engine(instance, wf)
            names = ", ".join(t.name for t in created)
            HistoryEvent.objects.create(
                instance=instance,
                action="timer",
                step_name=names[:200],
                detail=_("A deadline passed; the process moved on.")[:300],
            )
            fired_timers = [instance.definition.timers.get(t) or {} for t in timers]
            escalated = [
                _escalate(instance, task, timer)
                for timer in fired_timers
                for task in watched
                if task.bpmn_id == timer.get("attached_to")
            ]
            _sync_inbox(instance)
            _changed(instance, "timer")
            record(
                "workflow.timer.fire",
                obj=instance,
                after={"timers": timers, "new_tasks": names[:200], "escalated": escalated},
            )
            fired += 1
    return fired


def overdue_count(day: date | None = None) -> int:
    day = day or timezone.localdate()
    return Task.objects.filter(status=TaskStatus.OPEN, due_on__lt=day).count()
