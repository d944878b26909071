"""Schemas of the seals API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field


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
