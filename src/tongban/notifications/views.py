"""The notifications page (消息): a person's own messages, opened or marked read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongban.core.errors import ServiceError
from tongban.core.http import links
from tongban.core.http.views import handles_not_found, paginate
from tongban.identity.http import StaffRequest
from tongban.notifications import selectors, services


@login_required
def notifications(request: StaffRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page, _query = paginate(request, selectors.for_user(request.user, unread_only=unread_only), 30)
    for note in page:
        note.link = links.page_of(note.object_type, note.object_id)  # type: ignore[attr-defined]
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread_only": unread_only, "query": "unread=1" if unread_only else ""},
    )


@login_required
@handles_not_found
@require_POST
def open_notification(request: StaffRequest, note_id: int) -> HttpResponse:
    """Mark one read and go to what it is about."""
    note = services.open_notification(request.user, note_id)
    return redirect(links.page_of(note.object_type, note.object_id) or "notifications:list")


@login_required
@require_POST
def mark_all_read(request: StaffRequest) -> HttpResponse:
    try:
        marked = services.mark_read(request.user)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(n)d marked read.") % {"n": marked})
    return redirect("notifications:list")
