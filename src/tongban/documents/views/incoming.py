"""Incoming documents (收文): the register with its tabs, a letter from outside registered by
hand, one incoming document with the person's steps, 传阅 and 待阅."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongban.core.errors import ServiceError
from tongban.core.http.downloads import PDF, XLSX, download
from tongban.core.http.forms import service_errors, set_choices, valid
from tongban.core.http.views import GET_POST, handles_not_found, paginate, year_param
from tongban.documents import forms, incoming, registers, selectors, services, slips
from tongban.documents.models import IncomingItem
from tongban.documents.views.common import (
    Invalid,
    posted_action,
    shared_action,
    step_panels,
)
from tongban.identity.http import StaffRequest
from tongban.identity.models import User
from tongban.workflow.views import diagram_of

INCOMING_TABS = selectors.INCOMING_TABS


@login_required
@handles_not_found
def incoming_list(request: StaffRequest) -> HttpResponse:
    tab = request.GET.get("tab", "awaiting")
    if tab not in INCOMING_TABS:
        tab = "awaiting"
    q = request.GET.get("q", "")[:50]
    year = year_param(request.GET.get("year", ""))
    if request.GET.get("format") == "xlsx":
        content = registers.incoming_xlsx(
            selectors.incoming_register(request.user, year=year, q=q).prefetch_related(
                "co_departments"
            )
        )
        return download(content, XLSX, "收文登记簿.xlsx")
    rows = selectors.incoming_register(request.user, year=year, q=q).filter(
        status__in=INCOMING_TABS[tab]
    )
    page, query = paginate(request, rows, 30)
    today = timezone.localdate()
    lines = [
        {
            "item": item,
            "deadline": selectors.deadline_state(
                item.due_on, today, done=item.status in INCOMING_TABS["done"]
            ),
        }
        for item in page
    ]
    return render(
        request,
        "documents/incoming_list.html",
        {
            "tab": tab,
            "page": page,
            "lines": lines,
            "counts": selectors.incoming_tab_counts(request.user),
            "q": q,
            "year": year or "",
            "query": query,
            "may_register": selectors.may_register_incoming(request.user),
            "section": "documents",
        },
    )


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def incoming_detail(request: StaffRequest, item_id: int) -> HttpResponse:
    item = selectors.incoming_for(request.user, item_id)
    document = item.document
    tasks = [
        t
        for t in selectors.my_open_tasks(request.user, document)
        if t.instance_id == item.instance_id
    ]
    panels = step_panels(request, tasks, item)
    circulate_form = _circulate_form(request, item)
    picker = _Picker()
    reason_form = forms.ReasonForm()
    action = posted_action(request) if request.method == "POST" else ""
    archive_form = forms.ArchiveForm(request.POST if action == "archive" else None)
    status = 200
    if request.method == "POST":
        try:
            if action == "receive":
                incoming.receive(request.user, item.pk)
                messages.success(request, _("Signed for. Register it now."))
            elif action == "return_to_sender":
                reason_form = forms.ReasonForm(request.POST)
                if not reason_form.is_valid():
                    raise Invalid
                try:
                    incoming.return_to_sender(
                        request.user, item.pk, reason=reason_form.cleaned_data["reason"]
                    )
                except ServiceError as exc:
                    service_errors(reason_form, exc)
                    raise Invalid from exc
                messages.success(request, _("Returned to the sender."))
            elif action == "circulate":
                circulate_form = _circulate_form(request, item, request.POST)
                picker = _Picker.of(circulate_form)
                if not circulate_form.is_valid():
                    raise Invalid
                data = circulate_form.cleaned_data
                if data["more"]:  # the picked person joins the list; nothing is sent yet
                    try:
                        incoming.readers_named(data["readers"])
                    except ServiceError as exc:
                        service_errors(circulate_form, exc)
                        raise Invalid from exc
                    raise Listed
                try:
                    circulated = incoming.circulate(
                        request.user,
                        item.pk,
                        usernames=data["readers"],
                        departments=data["departments"],
                        note=data["note"],
                    )
                except ServiceError as exc:
                    service_errors(circulate_form, exc)
                    raise Invalid from exc
                _tell_circulated(request, circulated)
            else:
                shared_action(
                    request,
                    action,
                    panels,
                    item.instance_id,
                    archive_form,
                    lambda retention: incoming.archive_incoming(
                        request.user, item.pk, retention=retention
                    ),
                )
            return redirect("documents:incoming_detail", item_id=item.pk)
        except Listed:
            pass
        except Invalid:
            status = 422
        except ServiceError as exc:
            messages.error(request, str(exc.message))
            return redirect("documents:incoming_detail", item_id=item.pk)
    done = item.status in INCOMING_TABS["done"]
    may = selectors.incoming_permissions(request.user, item)
    return render(
        request,
        "documents/incoming_detail.html",
        {
            "item": item,
            "document": document,
            "panels": panels,
            "open_tasks": selectors.open_steps_of_item(item),
            "deadline": selectors.deadline_state(item.due_on, done=done),
            "may_receive": may.receive,
            "may_circulate": may.circulate,
            "circulations": list(item.circulations.select_related("reader", "sent_by")),
            "my_circulation": selectors.my_circulation(request.user, item),
            "circulate_form": circulate_form,
            "picker": picker,
            "reason_form": reason_form,
            "archive_form": archive_form,
            "may_archive": may.archive,
            "is_initiator": may.is_initiator,
            "slip": slips.lines(item.instance_id),
            "diagram": diagram_of(item.instance) if item.instance is not None else "",
            "section": "documents",
        },
        status=status,
    )


class Listed(Exception):
    """传阅's "add to the list": show the page again with the people chosen so far."""


def _circulate_form(
    request: StaffRequest, item: IncomingItem, data: Any = None
) -> forms.CirculateForm:
    form = forms.CirculateForm(data)
    set_choices(form, "departments", selectors.circulation_departments(item, request.user))
    return form


@dataclass
class _Picker:
    """The readers chosen so far (each a ticked box on the page) and what stays in the picker:
    entries that name nobody, to be corrected."""

    chosen: list[User] = field(default_factory=list)
    typed: str = ""

    @classmethod
    def of(cls, form: forms.CirculateForm) -> _Picker:
        try:
            names = forms.EntriesField().to_python(form["readers"].value())
        except ValidationError:
            return cls()
        picker = cls()
        unknown = []
        for name in names:
            try:
                found = incoming.readers_named([name])
            except ServiceError:
                unknown.append(name)
            else:
                picker.chosen += [u for u in found if u not in picker.chosen]
        picker.typed = "、".join(unknown)
        return picker


def _tell_circulated(request: StaffRequest, circulated: incoming.Circulated) -> None:
    messages.success(request, _("Passed to %(n)d readers.") % {"n": len(circulated.created)})
    if circulated.left_out:
        messages.warning(
            request,
            _("Left out, the document being above their clearance: %(names)s.")
            % {"names": "、".join(u.display_name for u in circulated.left_out)},
        )


@login_required
@handles_not_found
def incoming_slip(request: StaffRequest, item_id: int) -> HttpResponse:
    item = selectors.incoming_for(request.user, item_id)
    return download(slips.incoming_slip_pdf(item), PDF, f"incoming-{item.pk}.pdf")


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def incoming_new(request: StaffRequest) -> HttpResponse:
    form = forms.ExternalForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("file")
        try:
            item = incoming.register_external(
                request.user,
                incoming.ExternalIn(
                    title=data["title"],
                    issuing_authority=data["issuing_authority"],
                    doc_number=data["doc_number"],
                    doc_type=data["doc_type"],
                    date_written=data["date_written"],
                    classification=data["classification"],
                    urgency=data["urgency"] or "",
                ),
                filename=upload.name if upload else "",
                content=upload.read(services.MAX_ATTACHMENT_BYTES + 1) if upload else b"",
            )
        except ServiceError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Registered and signed for."))
            return redirect("documents:incoming_detail", item_id=item.pk)
    return render(request, "documents/incoming_new.html", {"form": form, "section": "documents"})


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def reading(request: StaffRequest) -> HttpResponse:
    """待阅: what was passed to me for reading; confirm each (read receipt)."""
    if request.method == "POST":
        form = forms.ReadReceiptForm(request.POST)
        try:
            valid(form)
            incoming.confirm_read(
                request.user,
                form.cleaned_data["circulation"],
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, _("Read receipt sent."))
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect("documents:reading")
    return render(
        request,
        "documents/reading.html",
        {"rows": selectors.to_read(request.user)[:200], "section": "documents", "tab": "reading"},
    )
