"""Schemas of the organisation API. Field constraints check shape; services check meaning."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import Field


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


class DepartmentPage(Schema):
    items: list[DepartmentOut]
    next_cursor: str | None


class StaffPage(Schema):
    items: list[StaffOut]
    next_cursor: str | None


# --- the national holiday arrangement of each year (年度节假日安排) ---


class HolidayRangeSchema(Schema):
    name: str = Field(description="the holiday, e.g. 春节", max_length=100)
    first: date = Field(description="first day off")
    last: date | None = Field(None, description="last day off (default: the first)")


class MakeUpDaySchema(Schema):
    day: date = Field(description="a Saturday or Sunday worked (调休上班)")
    name: str = Field("", description="the holiday it makes up for", max_length=100)


class ArrangementIn(Schema):
    notice: str = Field(description="the notice's title or number", max_length=1000)
    holidays: list[HolidayRangeSchema] = Field(max_length=60)
    workdays: list[MakeUpDaySchema] = Field(default_factory=list, max_length=60)


class YearOut(Schema):
    year: int
    source: str = Field(description="package, entered or unknown")
    notice: str | None = None
    entered_by: str | None = None
    updated_at: datetime | None = None
    holidays: list[HolidayRangeSchema] = Field(default_factory=list)
    workdays: list[MakeUpDaySchema] = Field(default_factory=list)
    disagreements: list[date] = Field(
        default_factory=list,
        description="for an entered year the package now knows: the days where they differ",
    )
