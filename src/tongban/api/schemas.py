"""Schemas of the API. Field constraints here only check shape; services check meaning."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field


class TokenIn(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=200)
    otp: str | None = Field(default=None, max_length=10)
    days: int | None = None


class TokenOut(Schema):
    token: str
    expires_at: datetime


class DepartmentRef(Schema):
    code: str
    name: str


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    kind: str
    parent: str | None
    depth: int
    issuing_code: str
    is_active: bool

    @staticmethod
    def resolve_parent(obj: Any) -> str | None:
        return obj.parent.code if obj.parent_id else None


class DepartmentIn(Schema):
    code: str
    name: str
    kind: str
    parent: str | None = None
    short_name: str = ""
    issuing_code: str = ""
    sort_order: int = 0


class DepartmentPatch(Schema):
    name: str | None = None
    short_name: str | None = None
    kind: str | None = None
    parent: str | None = None
    issuing_code: str | None = None
    sort_order: int | None = None
    is_active: bool | None = None


class StaffOut(Schema):
    id: int
    username: str
    display_name: str
    department: DepartmentRef
    position: str | None
    phone: str = Field(
        description="Masked; GET /staff/{id}/personal-data reads it whole (audited)."
    )
    id_number: str = Field(description="Masked.")
    email: str
    is_active: bool

    @staticmethod
    def resolve_username(obj: Any) -> str:
        return obj.user.username

    @staticmethod
    def resolve_display_name(obj: Any) -> str:
        return obj.user.display_name

    @staticmethod
    def resolve_position(obj: Any) -> str | None:
        return obj.position.name if obj.position else None

    @staticmethod
    def resolve_phone(obj: Any) -> str:
        return obj.user.masked_phone

    @staticmethod
    def resolve_id_number(obj: Any) -> str:
        return obj.user.masked_id_number

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return obj.user.email

    @staticmethod
    def resolve_is_active(obj: Any) -> bool:
        return obj.user.is_active


class StaffCreated(StaffOut):
    initial_password: str


class StaffIn(Schema):
    username: str
    display_name: str
    department: str = Field(description="The department's code.")
    position: str | None = None
    phone: str = ""
    id_number: str = ""
    email: str = ""
    office_phone: str = ""


class StaffPatch(Schema):
    display_name: str | None = None
    department: str | None = None
    position: str | None = None
    phone: str | None = None
    id_number: str | None = None
    email: str | None = None
    office_phone: str | None = None


class PersonalDataOut(Schema):
    phone: str
    id_number: str
    email: str


class RoleOut(Schema):
    code: str
    name: str
    description: str
    permissions: list[str]
    default_scope: str


class RoleIn(Schema):
    code: str
    name: str
    permissions: list[str]
    default_scope: str = "department"
    description: str = ""


class AssignmentIn(Schema):
    username: str
    department: str
    scope: str | None = None


class AssignmentOut(Schema):
    id: int
    username: str
    role: str
    department: str
    scope: str

    @staticmethod
    def resolve_username(obj: Any) -> str:
        return obj.user.username

    @staticmethod
    def resolve_role(obj: Any) -> str:
        return obj.role.code

    @staticmethod
    def resolve_department(obj: Any) -> str:
        return obj.department.code


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    admin_role: str
    clearance: int
    totp_enabled: bool
    department: DepartmentRef | None
    position: str | None
    roles: list[dict[str, str]]


class AuditEntryOut(Schema):
    seq: int
    created_at: datetime
    actor_username: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: Any
    after: Any
    ip: str
    source: str
    outcome: str
    detail: str
    entry_hash: str


class VerifyOut(Schema):
    ok: bool
    checked: int
    bad_seq: int | None
    message: str


class DepartmentPage(Schema):
    items: list[DepartmentOut]
    next_cursor: str | None


class StaffPage(Schema):
    items: list[StaffOut]
    next_cursor: str | None


class AuditPage(Schema):
    items: list[AuditEntryOut]
    next_cursor: str | None


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


class ReasonIn(Schema):
    reason: str


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


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    object_type: str
    object_id: str
    actor: str | None
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_title(obj: Any) -> str:
        return str(obj.shown_title)  # in the language of the request

    @staticmethod
    def resolve_body(obj: Any) -> str:
        return str(obj.shown_body)

    @staticmethod
    def resolve_actor(obj: Any) -> str | None:
        return obj.actor.display_name if obj.actor_id else None


class NotificationPage(Schema):
    items: list[NotificationOut]
    next_cursor: str | None
    unread: int


class MarkReadIn(Schema):
    ids: list[int] | None = Field(default=None, description="Omit to mark every one read.")


class MarkedOut(Schema):
    marked: int
    unread: int


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


class CertificateIn(Schema):
    kind: str = Field(description="seal (公章) or person (个人签名)")
    department: str = Field(default="", description="seal: the department's code")
    username: str = Field(default="", description="person: the staff member's login")
    days: int = 3 * 365


class CertificateOut(Schema):
    id: int
    kind: str
    subject: str
    serial: str
    department: str | None
    not_before: datetime
    not_after: datetime
    imported: bool
    revoked_at: datetime | None
    revocation_reason: str

    @staticmethod
    def resolve_department(obj: Any) -> str | None:
        return obj.department.code if obj.department_id else None


class SignDataIn(Schema):
    data: str = Field(description="The data to sign, as UTF-8 text")
    seal: str
    otp: str = Field(default="", max_length=10)


class VerifyDataIn(Schema):
    data: str
    signature: dict[str, Any]
