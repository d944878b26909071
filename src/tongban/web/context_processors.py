"""What every page's layout needs: navigation the person may use, their department."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tongban.core.permissions import Action
from tongban.documents import selectors as documents
from tongban.notifications import selectors as notifications
from tongban.org import policy, selectors
from tongban.seals import services as seals
from tongban.workflow import selectors as workflow


def workbench(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    nav = [{"url": reverse("web:workbench"), "label": _("Workbench"), "key": "workbench"}]
    if not user.admin_role:
        nav.append({"url": reverse("workflow:inbox"), "label": _("Inbox"), "key": "inbox"})
        nav.append({"url": reverse("documents:list"), "label": _("Documents"), "key": "documents"})
    # Documents that arrived in the units the person signs for: they must be seen the same day.
    to_sign_for = 0 if user.admin_role else documents.awaiting_count(user)
    if policy.can(user, Action.VIEW_DEPARTMENT):
        nav.append(
            {"url": reverse("org:departments"), "label": _("Departments"), "key": "departments"}
        )
    if policy.can(user, Action.VIEW_STAFF):
        nav.append({"url": reverse("org:staff_list"), "label": _("Staff"), "key": "staff"})
    if policy.can(user, Action.VIEW_ROLE):
        nav.append({"url": reverse("org:roles"), "label": _("Roles"), "key": "roles"})
    if policy.can(user, Action.VIEW_RECORDS) or policy.can(user, Action.ARCHIVE_RECORDS):
        nav.append({"url": reverse("records:list"), "label": _("Records"), "key": "records"})
    if policy.can(user, Action.MANAGE_CALENDAR):
        nav.append({"url": reverse("org:calendar"), "label": _("Working days"), "key": "calendar"})
    if policy.can(user, Action.MANAGE_PROCESSES):
        nav.append(
            {"url": reverse("workflow:definitions"), "label": _("Processes"), "key": "processes"}
        )
        nav.append(
            {"url": reverse("workflow:monitor"), "label": _("Process monitor"), "key": "monitor"}
        )
    if policy.can(user, Action.SIGN_WITH_SEAL) or seals.active_personal(user) is not None:
        nav.append(
            {"url": reverse("seals:seal_document"), "label": _("Seal a document"), "key": "seal"}
        )
    if policy.can(user, Action.MANAGE_SEALS):
        nav.append(
            {
                "url": reverse("seals:certificates"),
                "label": _("Seal certificates"),
                "key": "certificates",
            }
        )
    if policy.can(user, Action.VIEW_AUDIT):
        nav.append({"url": reverse("web:audit"), "label": _("Audit trail"), "key": "audit"})
    staff = selectors.staff_of_user(user)
    return {
        "nav": nav,
        "my_staff": staff,
        "unread_notifications": notifications.unread_count(user),
        "todo_count": None if user.admin_role else workflow.counts(user)["todo"],
        "to_sign_for": to_sign_for,
    }
