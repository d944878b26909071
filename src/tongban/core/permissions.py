"""The platform's actions and the built-in permissions of the three administrators (三员).

The table lives in layer 1 so that every layer checks the same rules: ``org.policy`` combines it
with department roles, and ``audit`` uses it to let only the auditor read the trail.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class AdminRole(models.TextChoices):
    """三员分立: three administrators, none able to do another's job."""

    NONE = "", _("None")
    SYSTEM = "system", _("System administrator")
    SECURITY = "security", _("Security administrator")
    AUDITOR = "auditor", _("Security auditor")


class Action(models.TextChoices):
    """Every permission a role can grant. ``app.verb_noun``."""

    VIEW_DEPARTMENT = "org.view_department", _("View departments")
    MANAGE_DEPARTMENT = "org.manage_department", _("Create and edit departments")
    VIEW_STAFF = "org.view_staff", _("View staff")
    MANAGE_STAFF = "org.manage_staff", _("Create and edit staff accounts")
    VIEW_PERSONAL_DATA = "org.view_personal_data", _("Read unmasked personal data")
    VIEW_ROLE = "org.view_role", _("View roles")
    MANAGE_ROLE = "org.manage_role", _("Define roles and assign them")
    GRANT_CLEARANCE = "org.grant_clearance", _("Grant security clearance")
    MANAGE_CALENDAR = "core.manage_calendar", _("Edit the working-day calendar")
    ENTER_HOLIDAY_ARRANGEMENT = (
        "core.enter_holiday_arrangement",
        _("Enter a year's State Council holiday arrangement"),
    )
    MANAGE_PROCESSES = (
        "workflow.manage",
        _("Import process definitions, monitor and terminate instances"),
    )
    MANAGE_SEALS = "seals.manage", _("Run the platform CA: issue and revoke seal certificates")
    SIGN_WITH_SEAL = "seals.sign", _("Seal documents with the department's seal")
    VIEW_DOCUMENTS = "documents.view", _("Read official documents")
    DRAFT_DOCUMENTS = "documents.draft", _("Draft outgoing documents")
    RECEIVE_DOCUMENTS = (
        "documents.receive",
        _("Sign for, register and circulate incoming documents"),
    )
    IMPORT_DOCUMENTS = "documents.import", _("Import existing documents")
    VIEW_RECORDS = "records.view", _("Read archived records")
    ARCHIVE_RECORDS = "records.archive", _("Archive records, export packages and appraise them")
    APPROVE_DISPOSAL = "records.approve_disposal", _("Approve the disposal of records")
    VIEW_AUDIT = "audit.view", _("Read the audit trail")
    VERIFY_AUDIT = "audit.verify", _("Verify the audit trail")


ADMIN_ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # Configuration and accounts; never the audit trail, never clearance or role grants.
    AdminRole.SYSTEM: frozenset(
        {
            Action.VIEW_DEPARTMENT,
            Action.MANAGE_DEPARTMENT,
            Action.VIEW_STAFF,
            Action.MANAGE_STAFF,
            Action.VIEW_ROLE,
            Action.MANAGE_CALENDAR,
            Action.ENTER_HOLIDAY_ARRANGEMENT,
            Action.MANAGE_PROCESSES,
        }
    ),
    # Permissions and classification; never creating accounts, never the audit trail.
    AdminRole.SECURITY: frozenset(
        {
            Action.VIEW_DEPARTMENT,
            Action.VIEW_STAFF,
            Action.VIEW_ROLE,
            Action.MANAGE_ROLE,
            Action.GRANT_CLEARANCE,
            Action.MANAGE_SEALS,
        }
    ),
    # Reading and verifying the audit trail, nothing else.
    AdminRole.AUDITOR: frozenset({Action.VIEW_AUDIT, Action.VERIFY_AUDIT}),
}

ADMIN_ONLY_ACTIONS = frozenset(
    {
        # The national arrangement counts every legal time limit of the platform: only the
        # system administrator enters it (a department role may still add local arrangements).
        Action.ENTER_HOLIDAY_ARRANGEMENT,
        Action.MANAGE_ROLE,
        Action.GRANT_CLEARANCE,
        Action.MANAGE_SEALS,
        Action.VIEW_AUDIT,
        Action.VERIFY_AUDIT,
    }
)
"""Actions no department role can grant: only the administrator who owns them has them."""


def admin_role_allows(user: Any, action: str) -> bool:
    """Whether ``user``'s administrator role (if any) carries ``action``."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "is_active", False):
        return False
    role = getattr(user, "admin_role", "") or ""
    return action in ADMIN_ROLE_PERMISSIONS.get(role, frozenset())


class Classification(models.IntegerChoices):
    """密级: the classification of an object, compared against a person's clearance."""

    PUBLIC = 0, _("Unclassified")
    INTERNAL = 1, _("Internal")
    SECRET = 2, _("Secret")
    CONFIDENTIAL = 3, _("Confidential")
    TOP_SECRET = 4, _("Top secret")
