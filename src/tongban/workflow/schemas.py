"""Schemas of the workflow API. Field constraints check shape; services check meaning."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class FormFieldOut(Schema):
    """A field of a form drawn in the BPMN (camunda:formField); its value is the variable ``id``."""

    id: str
    label: str
    type: str
    default: str
    required: bool
    choices: list[list[str]]


class DefinitionOut(Schema):
    key: str
    version: int
    name: str
    executable: bool
    warnings: list[str]
    start_form: list[FormFieldOut]
    task_forms: dict[str, list[FormFieldOut]]

    @staticmethod
    def resolve_task_forms(obj: Any) -> dict[str, list[dict[str, Any]]]:
        return {step: meta["form"] for step, meta in obj.user_tasks.items() if meta.get("form")}


class InstanceIn(Schema):
    process_key: str
    variables: dict[str, Any] = {}
    title: str = ""
    business_type: str = ""
    business_id: str = ""


class TaskOut(Schema):
    id: int
    name: str
    step: str = Field(alias="bpmn_id", description="The BPMN id of the step (see task_forms)")
    instance_id: int
    instance_title: str
    process_key: str
    status: str
    assignee: str | None
    candidates: str
    context: str
    due_on: date | None
    overdue: bool
    created_at: datetime
    completed_at: datetime | None
    opinion: str

    @staticmethod
    def resolve_instance_title(obj: Any) -> str:
        return obj.instance.title

    @staticmethod
    def resolve_process_key(obj: Any) -> str:
        return obj.instance.definition.key

    @staticmethod
    def resolve_assignee(obj: Any) -> str | None:
        return obj.assignee.username if obj.assignee_id else None

    @staticmethod
    def resolve_candidates(obj: Any) -> str:
        return obj.candidate_label

    @staticmethod
    def resolve_context(obj: Any) -> str:
        return obj.context_label

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        from django.utils import timezone

        return bool(obj.status == "open" and obj.due_on and obj.due_on < timezone.localdate())


class TaskPage(Schema):
    items: list[TaskOut]
    next_cursor: str | None


class InstanceOut(Schema):
    id: int
    status: str
    title: str
    process_key: str
    version: int
    initiator: str
    started_at: datetime
    ended_at: datetime | None
    outcome: str  # the end event reached (准假), when the process has more than one
    open_tasks: list[TaskOut]

    @staticmethod
    def resolve_process_key(obj: Any) -> str:
        return obj.definition.key

    @staticmethod
    def resolve_version(obj: Any) -> int:
        return obj.definition.version

    @staticmethod
    def resolve_initiator(obj: Any) -> str:
        return obj.initiator.username

    @staticmethod
    def resolve_open_tasks(obj: Any) -> list[Any]:
        return list(
            obj.tasks.filter(status="open").select_related("instance__definition", "assignee")
        )


class InstancePage(Schema):
    items: list[InstanceOut]
    next_cursor: str | None


class CompleteIn(Schema):
    data: dict[str, Any] = {}
    opinion: str = ""


class TransferIn(Schema):
    to: str
    reason: str = ""


class ReturnIn(Schema):
    to_task_id: int | None = None
    opinion: str


class HistoryOut(Schema):
    at: datetime
    action: str
    step: str
    actor: str | None
    opinion: str
    detail: str

    @staticmethod
    def resolve_step(obj: Any) -> str:
        return obj.step_name

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.display_name if obj.actor_id else None


class UrgeIn(Schema):
    message: str = Field(default="", max_length=500)


class MonitorLine(Schema):
    key: str
    name: str
    running: int
    overdue: int
    stuck: int


class MonitorOut(Schema):
    by_definition: list[MonitorLine]
    overdue: list[TaskOut]
    stuck: list[TaskOut]
    running: list[InstanceOut]
