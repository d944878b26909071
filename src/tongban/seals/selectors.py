"""Reads of the seals: the certificates list is the security administrator's."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tongban.core.permissions import Action
from tongban.org import policy
from tongban.seals.models import Certificate


def certificates(user: Any) -> QuerySet[Certificate]:
    policy.require(user, Action.MANAGE_SEALS)
    return Certificate.objects.select_related("department", "user").defer("key_pem", "sm2_private")
