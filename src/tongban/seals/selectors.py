"""Reads of the seals: the certificates list is the security administrator's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from tongban.core.errors import NotFound
from tongban.core.permissions import Action
from tongban.org import policy
from tongban.org.models import Department
from tongban.seals import appearance, services
from tongban.seals.models import Certificate

if TYPE_CHECKING:
    from tongban.identity.http import Viewer


def certificates(user: Viewer) -> QuerySet[Certificate]:
    policy.require(user, Action.MANAGE_SEALS)
    return Certificate.objects.select_related("department", "user").defer("key_pem", "sm2_private")


def seal_departments(user: Viewer) -> list[Department]:
    """The units whose seal ``user`` may apply (a seal keeper's, 印章管理员)."""
    return [
        d
        for d in Department.objects.order_by("sort_order", "code")
        if policy.can(user, Action.SIGN_WITH_SEAL, d)
    ]


def certificate_departments(user: Viewer) -> QuerySet[Department]:
    """Every department, for the security administrator issuing or importing a seal."""
    policy.require(user, Action.MANAGE_SEALS)
    return Department.objects.order_by("sort_order", "code")


def personal_certificate(user: Viewer) -> Certificate | None:
    """The person's own signing certificate (个人签名), if they have a valid one."""
    return services.active_personal(user)


def seal_image(user: Viewer, code: str) -> tuple[bytes, str]:
    """A unit's seal as the certificates page shows it: the official image if one was uploaded,
    else the drawn seal (SVG). For the security administrator only."""
    policy.require(user, Action.MANAGE_SEALS)
    department = Department.objects.filter(code__iexact=code).first()
    if department is None:
        raise NotFound()
    certificate = services.active_seal(department)
    if certificate is not None and certificate.seal_image:
        return bytes(certificate.seal_image), "image/png"
    return appearance.svg(department.name).encode("utf-8"), "image/svg+xml"


def require_signer(user: Viewer) -> None:
    """Refuse (and record) a person who may neither seal nor sign personally."""
    if not seal_departments(user) and personal_certificate(user) is None:
        policy.require(user, Action.SIGN_WITH_SEAL)
