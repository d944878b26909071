"""API schemas that every app's API shares."""

from __future__ import annotations

from ninja import Schema


class ReasonIn(Schema):
    """The reason given for an action (终止, revoking a certificate, returning a document)."""

    reason: str
