"""Importing existing documents: upload a batch, watch it being read, correct what was
recognised and register each document (or discard it)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongban.core.errors import ServiceError
from tongban.core.http.forms import service_errors, valid
from tongban.core.http.views import GET_POST, handles_not_found
from tongban.documents import forms, importing
from tongban.documents.models import ImportStatus
from tongban.documents.types import DocumentType
from tongban.documents.views.common import names
from tongban.identity.http import StaffRequest


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def import_start(request: StaffRequest) -> HttpResponse:
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads = [(f.name, f) for f in form.cleaned_data["documents"][: importing.MAX_FILES + 1]]
        try:
            batch = importing.start_batch(request.user, uploads)
        except ServiceError as exc:
            service_errors(form, exc)
        else:
            return redirect("documents:import_batch", batch_id=batch.pk)
    return render(
        request,
        "documents/import_start.html",
        {"form": form, "section": "documents", "tab": "import"},
    )


def _correction_initial(recognised: dict[str, Any]) -> dict[str, Any]:
    def value(name: str) -> Any:
        entry = recognised.get(name)
        return entry.get("value") if isinstance(entry, dict) else None

    recipients = value("main_recipients")
    return {
        "title": value("title") or "",
        "issuing_authority": value("issuing_authority") or "",
        "doc_number": value("doc_number") or "",
        "date_written": value("date_written") or None,
        "doc_type": value("doc_type") or DocumentType.NOTICE,
        "main_recipients": "，".join(recipients)
        if isinstance(recipients, list)
        else (recipients or ""),
    }


def _register(request: StaffRequest, item_id: int) -> None:
    form = forms.ImportCorrectionForm(request.POST, prefix=f"i{item_id}")
    if not form.is_valid():
        messages.error(request, _("Check the fields of %(n)s.") % {"n": item_id})
        return
    data = dict(form.cleaned_data)
    data["main_recipients"] = names(data["main_recipients"])
    if data["date_written"] is None:
        data.pop("date_written")
    document = importing.register_item(request.user, item_id, data)
    messages.success(request, _("Registered: %(title)s") % {"title": document.title})


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def import_batch(request: StaffRequest, batch_id: int) -> HttpResponse:
    batch = importing.batch_of(request.user, batch_id)
    if request.method == "POST":
        form = forms.ImportItemForm(request.POST)
        try:
            valid(form)
            action, item_id = form.cleaned_data["action"], form.cleaned_data["item"] or 0
            if action == "process":  # htmx polls this while files wait
                importing.process_next(request.user, batch.pk, limit=2)
                return render(
                    request,
                    "documents/_import_progress.html",
                    {"batch": batch, "progress": importing.progress(batch)},
                )
            if action == "discard":
                importing.discard_item(request.user, item_id)
                messages.success(request, _("Discarded."))
            else:
                _register(request, item_id)
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect("documents:import_batch", batch_id=batch.pk)
    items = []
    for item in batch.items.order_by("order", "id"):
        correction: forms.ImportCorrectionForm | None = None
        if item.status == ImportStatus.RECOGNISED:
            correction = forms.ImportCorrectionForm(
                initial=_correction_initial(item.recognised), prefix=f"i{item.pk}"
            )
        items.append({"item": item, "form": correction})
    return render(
        request,
        "documents/import_batch.html",
        {
            "batch": batch,
            "progress": importing.progress(batch),
            "items": items,
            "section": "documents",
            "tab": "import",
        },
    )
