"""The notifications page (消息): a person's own messages, opened or marked read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.core.errors import NotFound, ServiceError
from tongban.notifications import selectors, services
from tongban.notifications.models import Notification
from tongban.web.views import StaffRequest, handles_not_found

# Where a notification about an object leads.
OBJECT_PAGES = {
    "workflow.task": "web:task_detail",
    "workflow.processinstance": "web:instance_detail",
    "documents.document": "web:document_detail",
    "documents.incomingitem": "web:incoming_detail",
    "records.record": "web:record_detail",
    "core.holidayarrangement": "web:calendar_year",  # keyed by the year
}
LIST_PAGES = {"seals.certificate": "web:certificates"}


def link_of(note: Notification) -> str:
    page = OBJECT_PAGES.get(note.object_type)
    if page and note.object_id:
        return reverse(page, args=[int(note.object_id)])
    listing = LIST_PAGES.get(note.object_type)
    return reverse(listing) if listing else ""


@login_required
def notifications(request: StaffRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.for_user(request.user, unread_only=unread_only), 30).get_page(
        request.GET.get("page")
    )
    for note in page:
        note.link = link_of(note)  # type: ignore[attr-defined]
    return render(
        request,
        "web/notifications.html",
        {"page": page, "unread_only": unread_only, "query": "unread=1" if unread_only else ""},
    )


@login_required
@handles_not_found
@require_POST
def open_notification(request: StaffRequest, note_id: int) -> HttpResponse:
    """Mark one read and go to what it is about."""
    note = selectors.for_user(request.user).filter(pk=note_id).first()
    if note is None:
        raise NotFound()
    services.mark_read(request.user, [note.pk])
    return redirect(link_of(note) or "web:notifications")


@login_required
@require_POST
def mark_all_read(request: StaffRequest) -> HttpResponse:
    try:
        marked = services.mark_read(request.user)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(n)d marked read.") % {"n": marked})
    return redirect("web:notifications")
