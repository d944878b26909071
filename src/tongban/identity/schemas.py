"""Schemas of the identity API. Field constraints check shape; services check meaning."""

from __future__ import annotations

from datetime import datetime

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
