"""Outgoing documents (发文): the list and search, drafting, a document with the person's steps,
its versions and downloads, the outgoing register and the seal keeper's queue.

Thin: each view parses a form, calls a documents or workflow service and renders.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongban.core.errors import InvalidInput, ServiceError
from tongban.core.http.downloads import PDF, XLSX, ZIP, download
from tongban.core.http.forms import service_errors, set_choices, valid
from tongban.core.http.views import GET_POST, handles_not_found, not_found, paginate, year_param
from tongban.core.permissions import Classification
from tongban.core.search import RankedResults
from tongban.documents import forms, registers, selectors, services, slips
from tongban.documents.models import OUTGOING_STEPS, Document, Origin, RecipientKind, Stage
from tongban.documents.types import DocumentType
from tongban.documents.views.common import (
    Invalid,
    names,
    posted_action,
    shared_action,
    step_panels,
)
from tongban.identity.http import StaffRequest
from tongban.workflow import services as workflow
from tongban.workflow.views import TaskPanel, diagram_of

# --- the list and search ---------------------------------------------------------------------


@login_required
@handles_not_found
def documents(request: StaffRequest) -> HttpResponse:
    get = request.GET
    classification = get.get("classification", "")
    flt = selectors.DocumentFilter(
        q=get.get("q", "")[:200],
        doc_type=get.get("type", "") if get.get("type", "") in DocumentType.values else "",
        year=year_param(get.get("year", "")),
        issuing=get.get("issuing", "")[:100],
        stage=get.get("stage", "") if get.get("stage", "") in Stage.values else "",
        classification=int(classification) if classification.isdecimal() else None,
        origin=get.get("origin", "") if get.get("origin", "") in Origin.values else "",
    )
    error, query = "", ""
    try:
        rows: Any = selectors.documents(request.user, flt)
        page, query = paginate(request, rows, 20)
        hits = [
            {
                "document": d,
                "snippet": selectors.snippet(d, flt.q) if flt.q else "",
                "title": selectors.highlighted_title(d, flt.q) if flt.q else d.title,
            }
            for d in page
        ]
        capped = isinstance(rows, RankedResults) and rows.capped
    except InvalidInput as exc:
        error, page, hits, capped = str(exc.message), None, [], False
    return render(
        request,
        "documents/list.html",
        {
            "flt": flt,
            "page": page,
            "hits": hits,
            "capped": capped,
            "error": error,
            "query": query,
            "types": DocumentType.choices,
            "stages": Stage.choices,
            "origins": Origin.choices,
            "classifications": Classification.choices,
            "may_draft": selectors.may_draft(request.user),
            "section": "documents",
            "tab": "all",
        },
    )


# --- drafting -------------------------------------------------------------------------------


def _draft_form(
    request: StaffRequest, *, document: Document | None = None, initial: dict | None = None
) -> Any:
    """The draft form; editing ``document``, the countersigning units change until 会签 begins
    and the issuing unit is not among them."""
    form = forms.DraftForm(
        request.POST or None,
        initial=initial,
        countersign_open=document is None or selectors.countersign_open(document),
    )
    units = selectors.unit_choices()
    set_choices(form, "main_recipients", units)
    set_choices(form, "cc", units)
    issuing = document.issuing_department.code if document and document.issuing_department else ""
    set_choices(
        form,
        "countersign_departments",
        [(c, n) for c, n in units if not c.endswith(("-BGS",)) and c != issuing],
    )
    return form


def _draft_in(data: dict[str, Any]) -> services.DraftIn:
    def recipients(codes: list[str], outside: str) -> list[services.RecipientIn]:
        return [services.RecipientIn(department=c) for c in codes] + [
            services.RecipientIn(name=n) for n in names(outside)
        ]

    return services.DraftIn(
        doc_type=data["doc_type"],
        title=data["title"],
        body=data["body"],
        main_recipients=recipients(data["main_recipients"], data["main_outside"]),
        cc=recipients(data["cc"], data["cc_outside"]),
        classification=data["classification"],
        secrecy_period=data["secrecy_period"],
        urgency=data["urgency"] or "",
        note=data["note"],
        printer=data["printer"] or None,
        copy_number=data["copy_number"],
        countersign_departments=list(data["countersign_departments"]),
    )


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def document_new(request: StaffRequest) -> HttpResponse:
    form = _draft_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.create_draft(request.user, _draft_in(form.cleaned_data))
        except ServiceError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Draft saved. Submit it for review when it is ready."))
            return redirect("documents:detail", document_id=document.pk)
    return render(
        request,
        "documents/draft_form.html",
        {"form": form, "section": "documents", "editing": False},
    )


def _draft_initial(document: Document) -> dict[str, Any]:
    recipients = list(document.recipients.all())

    def split(kind: str) -> tuple[list[str], str]:
        mine = [r for r in recipients if r.kind == kind]
        return (
            [r.department.code for r in mine if r.department],
            "，".join(r.name for r in mine if r.department is None),
        )

    main_codes, main_outside = split(RecipientKind.MAIN)
    cc_codes, cc_outside = split(RecipientKind.COPY)
    return {
        "doc_type": document.doc_type,
        "title": document.title,
        "body": document.body,
        "main_recipients": main_codes,
        "main_order": ",".join(main_codes),
        "main_outside": main_outside,
        "cc": cc_codes,
        "cc_order": ",".join(cc_codes),
        "cc_outside": cc_outside,
        "classification": document.classification,
        "secrecy_period": document.secrecy_period,
        "urgency": document.urgency,
        "note": document.note,
        "printer": document.printer,
        "copy_number": document.copy_number,
        "countersign_departments": selectors.countersign_codes(document),
    }


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def document_edit(request: StaffRequest, document_id: int) -> HttpResponse:
    document = selectors.document_for(request.user, document_id)
    form = _draft_form(request, document=document, initial=_draft_initial(document))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_draft(request.user, document.pk, _draft_in(form.cleaned_data))
        except ServiceError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("documents:detail", document_id=document.pk)
    return render(
        request,
        "documents/draft_form.html",
        {"form": form, "document": document, "section": "documents", "editing": True},
    )


# --- one document ---------------------------------------------------------------------------


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def document_detail(request: StaffRequest, document_id: int) -> HttpResponse:
    document = selectors.document_for(request.user, document_id)
    tasks = [
        t
        for t in selectors.my_open_tasks(request.user, document)
        if t.instance_id == document.instance_id
    ]
    panels = step_panels(request, tasks)
    attachment_form = forms.AttachmentForm()
    action = posted_action(request) if request.method == "POST" else ""
    archive_form = forms.ArchiveForm(request.POST if action == "archive" else None)
    if request.method == "POST":
        try:
            if action == "attach":
                attachment_form = forms.AttachmentForm(request.POST, request.FILES)
                if not attachment_form.is_valid():
                    raise Invalid
                upload = attachment_form.cleaned_data["file"]
                try:
                    services.add_attachment(
                        request.user,
                        document.pk,
                        filename=upload.name,
                        data=upload.read(services.MAX_ATTACHMENT_BYTES + 1),
                        title=attachment_form.cleaned_data["title"],
                    )
                except ServiceError as exc:
                    service_errors(attachment_form, exc)
                    raise Invalid from exc
                messages.success(request, _("Attachment added."))
            elif action == "remove_attachment":
                ref = forms.AttachmentRefForm(request.POST)
                valid(ref)
                services.remove_attachment(
                    request.user, document.pk, ref.cleaned_data["attachment"]
                )
                messages.success(request, _("Attachment removed."))
            elif action == "withdraw":
                workflow.withdraw(request.user, document.instance_id or 0)
                messages.success(request, _("Withdrawn: the document is back with you."))
            else:
                shared_action(
                    request,
                    action,
                    panels,
                    document.instance_id,
                    archive_form,
                    lambda retention: services.archive_document(
                        request.user, document.pk, retention=retention
                    ),
                )
            return redirect("documents:detail", document_id=document.pk)
        except Invalid:
            pass
        except ServiceError as exc:
            messages.error(request, str(exc.message))
            return redirect("documents:detail", document_id=document.pk)
    return render(
        request,
        "documents/detail.html",
        _detail_context(request, document, panels, attachment_form, archive_form),
        status=422 if request.method == "POST" else 200,
    )


def _detail_context(
    request: StaffRequest,
    document: Document,
    panels: list[TaskPanel],
    attachment_form: Any,
    archive_form: Any,
) -> dict[str, Any]:
    instance = document.instance
    may = selectors.document_permissions(request.user, document, [p.task.bpmn_id for p in panels])
    return {
        "document": document,
        "recipients": list(document.recipients.select_related("department")),
        "attachments": list(document.attachments.select_related("file")),
        "panels": panels,
        "editable": may.edit,
        "attachment_form": attachment_form,
        "archive_form": archive_form,
        "open_tasks": selectors.open_tasks(document),
        "slip": slips.lines(document.instance_id),
        "diagram": diagram_of(instance) if instance is not None else "",
        "delivered": list(
            document.incoming.select_related("department", "received_by").order_by(
                "department__path"
            )
        ),
        "versions": list(document.versions.select_related("saved_by").order_by("-number")),
        "countersign_units": selectors.countersign_units(document),
        "is_initiator": may.is_initiator,
        "may_withdraw": may.withdraw,
        "may_archive": may.archive,
        "stages": OUTGOING_STEPS if document.origin == Origin.DRAFTED else [],
        "section": "documents",
    }


@login_required
@handles_not_found
def document_versions(request: StaffRequest, document_id: int) -> HttpResponse:
    document = selectors.document_for(request.user, document_id)
    old = request.GET.get("old", "")
    new = request.GET.get("new", "")
    pair = selectors.version_pair(
        document, int(old) if old.isdecimal() else None, int(new) if new.isdecimal() else None
    )
    return render(
        request,
        "documents/versions.html",
        {
            "document": document,
            "versions": list(document.versions.select_related("saved_by").order_by("number")),
            "pair": pair,
            "lines": selectors.diff(*pair) if pair else [],
            "section": "documents",
        },
    )


@login_required
@handles_not_found
def document_pdf(request: StaffRequest, document_id: int) -> HttpResponse:
    document = selectors.document_for(request.user, document_id)
    content, name = services.pdf_of(document)
    return download(content, PDF, name, inline=True)


@login_required
@handles_not_found
def document_slip(request: StaffRequest, document_id: int) -> HttpResponse:
    document = selectors.document_for(request.user, document_id)
    return download(slips.slip_pdf(document), PDF, f"slip-{document.pk}.pdf")


@login_required
@handles_not_found
def document_package(request: StaffRequest, document_id: int) -> HttpResponse:
    document = selectors.document_for(request.user, document_id)
    return download(services.export_package(document), ZIP, f"{document.doc_number}.zip")


@login_required
@handles_not_found
def attachment_download(
    request: StaffRequest, document_id: int, attachment_id: int
) -> HttpResponse:
    found = selectors.attachment_content(request.user, document_id, attachment_id)
    if found is None:
        return not_found(request)
    content, filename = found
    # Never shown inline: a download, whatever it is.
    return download(content, "application/octet-stream", filename)


# --- the outgoing register and the seal keeper's queue ------------------------------------------


@login_required
@handles_not_found
def outgoing_register(request: StaffRequest) -> HttpResponse:
    year = year_param(request.GET.get("year", "")) or timezone.localdate().year
    issuing = request.GET.get("issuing", "")[:32]
    rows = selectors.outgoing_register(request.user, year=year, issuing=issuing).prefetch_related(
        "recipients"
    )
    if request.GET.get("format") == "xlsx":
        return download(registers.outgoing_xlsx(rows), XLSX, f"发文登记簿-{year}.xlsx")
    page, query = paginate(request, rows, 50)
    return render(
        request,
        "documents/outgoing_register.html",
        {
            "page": page,
            "year": year,
            "issuing": issuing,
            "query": query,
            "section": "documents",
            "tab": "register",
        },
    )


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def seal_queue(request: StaffRequest) -> HttpResponse:
    """The seal keeper's queue: documents waiting for the seal, sealed one by one or as a batch
    with one one-time code (批量用印)."""
    waiting = list(selectors.waiting_for_seal(request.user))
    form = forms.BatchSealForm(request.POST or None)
    set_choices(form, "documents", [(str(d.pk), f"{d.doc_number} {d.title}") for d in waiting])
    if request.method == "POST" and form.is_valid():
        try:
            sealed = services.apply_seals(
                request.user,
                [int(x) for x in form.cleaned_data["documents"]],
                otp=form.cleaned_data["otp"],
            )
        except ServiceError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("%(n)d documents sealed.") % {"n": len(sealed)})
            return redirect("documents:seal_queue")
    chosen = form["documents"].value() or []
    return render(
        request,
        "documents/seal_queue.html",
        {
            "form": form,
            "waiting": waiting,
            # Nothing is ticked for the keeper: each copy is checked and chosen (逐份核对).
            "chosen": {int(x) for x in chosen if str(x).isdecimal()},
            "section": "documents",
            "tab": "seal",
        },
        status=422 if request.method == "POST" else 200,
    )
