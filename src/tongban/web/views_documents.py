"""Web pages of official documents (公文): the list and search, drafting, a document with its
current step, the incoming register (收文), reading (传阅), registers, import and sealing.

Thin: each view parses a form, calls a documents or workflow service and renders.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongban.core.errors import InvalidInput, ServiceError
from tongban.core.permissions import Action, Classification
from tongban.core.search import RankedResults
from tongban.documents import (
    importing,
    incoming,
    registers,
    selectors,
    services,
    slips,
)
from tongban.documents.models import (
    OUTGOING_STEPS,
    Document,
    ImportStatus,
    IncomingItem,
    IncomingStatus,
    Origin,
    RecipientKind,
    Stage,
)
from tongban.documents.types import DocumentType
from tongban.org import policy
from tongban.org.models import Department
from tongban.web import forms_documents as forms
from tongban.web.views import StaffRequest, handles_not_found, service_errors, set_choices
from tongban.web.views_workflow import (
    COMPLETION_MESSAGES,
    _diagram,
    _list_separator,
    chosen_step,
)
from tongban.workflow import selectors as workflow_selectors
from tongban.workflow import services as workflow
from tongban.workflow.models import Task

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNIT_KINDS = ("city", "bureau", "district", "office")


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
    response["Cache-Control"] = "private, no-store"
    return response


def _units() -> list[tuple[str, str]]:
    return [
        (d.code, d.name)
        for d in Department.objects.filter(kind__in=UNIT_KINDS, is_active=True).order_by("path")
    ]


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.replace("、", "，").replace(",", "，").split("，") if n.strip()]


def _posted_id(request: StaffRequest, name: str) -> int:
    """An id from a form; anything else is 0, which no object has (a 404, never a 500)."""
    value = request.POST.get(name, "")
    return int(value) if value.isdecimal() and len(value) < 19 else 0


def _year(value: str) -> int | None:
    return int(value) if value.isdecimal() and 1900 <= int(value) <= 2100 else None


# --- the list and search ---------------------------------------------------------------------


@login_required
@handles_not_found
def documents(request: StaffRequest) -> HttpResponse:
    get = request.GET
    classification = get.get("classification", "")
    flt = selectors.DocumentFilter(
        q=get.get("q", "")[:200],
        doc_type=get.get("type", "") if get.get("type", "") in DocumentType.values else "",
        year=_year(get.get("year", "")),
        issuing=get.get("issuing", "")[:100],
        stage=get.get("stage", "") if get.get("stage", "") in Stage.values else "",
        classification=int(classification) if classification.isdecimal() else None,
        origin=get.get("origin", "") if get.get("origin", "") in Origin.values else "",
    )
    error = ""
    try:
        rows: Any = selectors.documents(request.user, flt)
        page = Paginator(rows, 20).get_page(get.get("page"))
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
    query = get.copy()
    query.pop("page", None)
    return render(
        request,
        "web/documents/list.html",
        {
            "flt": flt,
            "page": page,
            "hits": hits,
            "capped": capped,
            "error": error,
            "query": query.urlencode(),
            "types": DocumentType.choices,
            "stages": Stage.choices,
            "origins": Origin.choices,
            "classifications": Classification.choices,
            "may_draft": policy.can(request.user, Action.DRAFT_DOCUMENTS),
            "section": "documents",
            "tab": "all",
        },
    )


# --- drafting -------------------------------------------------------------------------------


def _draft_form(request: StaffRequest, *, editing: bool, initial: dict | None = None) -> Any:
    form = forms.DraftForm(request.POST or None, editing=editing, initial=initial)
    units = _units()
    set_choices(form, "main_recipients", units)
    set_choices(form, "cc", units)
    if not editing:
        set_choices(
            form,
            "countersign_departments",
            [(c, n) for c, n in units if not c.endswith(("-BGS",))],
        )
    return form


def _draft_in(data: dict[str, Any], *, editing: bool) -> services.DraftIn:
    def recipients(codes: list[str], outside: str) -> list[services.RecipientIn]:
        return [services.RecipientIn(department=c) for c in codes] + [
            services.RecipientIn(name=n) for n in _names(outside)
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
        countersign_departments=[] if editing else data["countersign_departments"],
    )


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def document_new(request: StaffRequest) -> HttpResponse:
    form = _draft_form(request, editing=False)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.create_draft(
                request.user, _draft_in(form.cleaned_data, editing=False)
            )
        except ServiceError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Draft saved. Submit it for review when it is ready."))
            return redirect("web:document_detail", document_id=document.pk)
    return render(
        request,
        "web/documents/draft_form.html",
        {"form": form, "section": "documents", "editing": False},
    )


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def document_edit(request: StaffRequest, document_id: int) -> HttpResponse:
    document = selectors.document_for(request.user, document_id)
    recipients = list(document.recipients.all())

    def split(kind: str) -> tuple[list[str], str]:
        mine = [r for r in recipients if r.kind == kind]
        return (
            [r.department.code for r in mine if r.department],
            "，".join(r.name for r in mine if r.department is None),
        )

    main_codes, main_outside = split(RecipientKind.MAIN)
    cc_codes, cc_outside = split(RecipientKind.COPY)
    initial = {
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
    }
    form = _draft_form(request, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_draft(
                request.user, document.pk, _draft_in(form.cleaned_data, editing=True)
            )
        except ServiceError as exc:
            service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("web:document_detail", document_id=document.pk)
    return render(
        request,
        "web/documents/draft_form.html",
        {"form": form, "document": document, "section": "documents", "editing": True},
    )


# --- one document ---------------------------------------------------------------------------


def _step_data(step: str, data: dict[str, Any]) -> dict[str, Any]:
    """The form's answers as the process variables of that step."""
    if step == "review":
        return {"approved": data.get("approved") != "no"}
    if step == "numbering":
        return {
            "copies": data.get("copies"),
            "print_date": data["print_date"].isoformat() if data.get("print_date") else None,
        }
    if step == "register":
        return {"copies": data.get("copies") or 1}
    if step == "propose":
        return {"for_handling": data.get("for_handling") != "no"}
    if step == "instruct":
        return {
            "host_department": data.get("host_department"),
            "co_departments": list(data.get("co_departments") or []),
            "due_days": data.get("due_days"),
        }
    return {}


def _step_form(request: StaffRequest, task: Task, item: IncomingItem | None = None) -> Any:
    bound = request.POST if request.POST.get("task") == str(task.pk) else None
    form = forms.StepForm(bound, step=task.bpmn_id, prefix=f"t{task.pk}")
    if task.bpmn_id == "instruct" and item is not None:
        inside = [
            (d.code, d.name)
            for d in Department.objects.filter(
                path__startswith=item.department.path, is_active=True
            ).order_by("path")
        ]
        set_choices(form, "host_department", inside)
        set_choices(form, "co_departments", inside)
    return form


def _act(
    request: StaffRequest,
    task: Task | None,
    forms_by_task: dict[int, Any],
    instance_id: int | None,
) -> str | None:
    """Carry out a posted action on one of the person's tasks; a message for the page, or None
    when the form has errors to show."""
    action = request.POST.get("action", "")
    if task is None:
        posted = request.POST.get("task", "")
        gone = (
            workflow_selectors.no_longer_open(int(posted), request.user, instance_id=instance_id)
            if posted.isdecimal() and instance_id
            else ""
        )
        raise InvalidInput(gone or _("This step is no longer yours; reload the page."))
    user = request.user
    if action == "claim":
        workflow.claim_task(user, task.pk)
        return _("The step is yours now.")
    if action == "release":
        workflow.release_task(user, task.pk)
        return _("The step is back in the shared queue.")
    if action == "return":
        workflow.return_task(
            user, task.pk, to_task_id=chosen_step(request), opinion=request.POST.get("reason", "")
        )
        return _("Sent back.")
    if action == "transfer":
        workflow.transfer_task(
            user,
            task.pk,
            to_username=request.POST.get("to", ""),
            reason=request.POST.get("reason", ""),
        )
        return _("Handed over.")
    if action == "add_signer":
        workflow.add_signer(
            user,
            task.pk,
            username=request.POST.get("to", ""),
            reason=request.POST.get("reason", ""),
        )
        return _("Signer added; this step waits for their opinion.")
    form = forms_by_task[task.pk]
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        if task.bpmn_id == "sealing" and task.instance.business_type == services.OUTGOING:
            services.apply_seal(
                user, int(task.instance.business_id), otp=data["otp"], opinion=data["opinion"]
            )
            return _("Sealed. The document goes on to distribution.")
        done = workflow.complete_task(
            user, task.pk, data=_step_data(task.bpmn_id, data), opinion=data.get("opinion", "")
        )
    except ServiceError as exc:
        service_errors(form, exc)
        return None
    outcome = workflow_selectors.completion_outcome(done)
    if outcome != "moved":
        return str(COMPLETION_MESSAGES[outcome])
    if task.bpmn_id == "sign_off" and task.instance.business_type == services.OUTGOING:
        number = selectors.number_of(int(task.instance.business_id))
        if number:
            return _("Signed off. The document's number is %(number)s.") % {"number": number}
    return _("Done. The document has moved on.")


def _task_panels(
    request: StaffRequest, tasks: list[Task], item: IncomingItem | None = None
) -> list[dict[str, Any]]:
    return [
        {
            "task": t,
            "form": _step_form(request, t, item),
            "claimable": t.assignee_id is None,
            "return_targets": workflow_selectors.return_targets(t, request.user),
            "pending_signers": _list_separator().join(
                u.display_name for u in workflow_selectors.pending_signers(t)
            ),
        }
        for t in tasks
    ]


def _handle_post(
    request: StaffRequest,
    tasks: list[Task],
    panels: list[dict[str, Any]],
    instance_id: int | None,
) -> tuple[bool, str]:
    """(done, message). ``done`` False with no message: the forms carry the errors."""
    task_id = request.POST.get("task", "")
    task = next((t for t in tasks if str(t.pk) == task_id), None)
    forms_by_task = {p["task"].pk: p["form"] for p in panels}
    try:
        message = _act(request, task, forms_by_task, instance_id)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return True, ""
    if message is None:
        return False, ""
    messages.success(request, message)
    return True, message


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def document_detail(request: StaffRequest, document_id: int) -> HttpResponse:
    document = selectors.document_for(request.user, document_id)
    tasks = [
        t
        for t in selectors.my_open_tasks(request.user, document)
        if t.instance_id == document.instance_id
    ]
    panels = _task_panels(request, tasks)
    attachment_form = forms.AttachmentForm()
    archive_form = forms.ArchiveForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "attach":
                attachment_form = forms.AttachmentForm(request.POST, request.FILES)
                if not attachment_form.is_valid():
                    raise _Invalid
                upload = attachment_form.cleaned_data["file"]
                services.add_attachment(
                    request.user,
                    document.pk,
                    filename=upload.name,
                    data=upload.read(services.MAX_ATTACHMENT_BYTES + 1),
                    title=attachment_form.cleaned_data["title"],
                )
                messages.success(request, _("Attachment added."))
            elif action == "remove_attachment":
                services.remove_attachment(
                    request.user, document.pk, _posted_id(request, "attachment")
                )
                messages.success(request, _("Attachment removed."))
            elif action == "withdraw":
                workflow.withdraw(request.user, document.instance_id or 0)
                messages.success(request, _("Withdrawn: the document is back with you."))
            elif action == "urge":
                _urge(request)
            elif action == "archive":
                archive_form = forms.ArchiveForm(request.POST)
                _archive(
                    request,
                    archive_form,
                    lambda retention: services.archive_document(
                        request.user, document.pk, retention=retention
                    ),
                )
            else:
                done, _message = _handle_post(request, tasks, panels, document.instance_id)
                if not done:
                    raise _Invalid
            return redirect("web:document_detail", document_id=document.pk)
        except _Invalid:
            pass
        except ServiceError as exc:
            if action == "attach":
                service_errors(attachment_form, exc)
            elif action == "archive":
                service_errors(archive_form, exc)
            else:
                messages.error(request, str(exc.message))
                return redirect("web:document_detail", document_id=document.pk)
    return render(
        request,
        "web/documents/detail.html",
        _detail_context(request, document, panels, attachment_form, archive_form),
        status=422 if request.method == "POST" else 200,
    )


class _Invalid(Exception):
    """A form with errors: show the page again."""


def _urge(request: StaffRequest) -> None:
    """催办: the task posted, with the optional message."""
    workflow.urge_task(
        request.user, _posted_id(request, "task"), message=request.POST.get("message", "")
    )
    messages.success(request, _("The performer has been reminded."))


def _archive(request: StaffRequest, form: Any, archive: Any) -> None:
    """归档 with the retention period of ``form``; ``archive(retention)`` is the service call."""
    if not form.is_valid():
        raise _Invalid
    archived = archive(form.cleaned_data["retention"])
    messages.success(request, _("Archived as %(code)s.") % {"code": archived.record_code})


def _detail_context(
    request: StaffRequest,
    document: Document,
    panels: list[dict[str, Any]],
    attachment_form: Any,
    archive_form: Any,
) -> dict[str, Any]:
    instance = document.instance
    editable = any(p["task"].bpmn_id in ("draft", "review", "sign_off") for p in panels)
    return {
        "document": document,
        "recipients": list(document.recipients.select_related("department")),
        "attachments": list(document.attachments.select_related("file")),
        "panels": panels,
        "editable": editable and document.stage in services.EDITABLE_STEPS,
        "attachment_form": attachment_form,
        "archive_form": archive_form,
        "open_tasks": selectors.open_tasks(document),
        "slip": slips.lines(document.instance_id),
        "diagram": _diagram(instance) if instance is not None else "",
        "delivered": list(
            document.incoming.select_related("department", "received_by").order_by(
                "department__path"
            )
        ),
        "versions": list(document.versions.select_related("saved_by").order_by("-number")),
        "is_initiator": instance is not None and instance.initiator_id == request.user.pk,
        "may_withdraw": instance is not None
        and workflow_selectors.may_withdraw(request.user, instance),
        "may_archive": document.stage in (Stage.ISSUED, Stage.REGISTERED)
        and not document.record_code
        and policy.can(
            request.user, Action.ARCHIVE_RECORDS, document.issuing_department or document.department
        ),
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
        "web/documents/versions.html",
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
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name, safe='')}"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@handles_not_found
def document_slip(request: StaffRequest, document_id: int) -> HttpResponse:
    document = selectors.document_for(request.user, document_id)
    return _download(slips.slip_pdf(document), "application/pdf", f"slip-{document.pk}.pdf")


@login_required
@handles_not_found
def document_package(request: StaffRequest, document_id: int) -> HttpResponse:
    document = selectors.document_for(request.user, document_id)
    return _download(
        services.export_package(document), "application/zip", f"{document.doc_number}.zip"
    )


@login_required
@handles_not_found
def attachment_download(
    request: StaffRequest, document_id: int, attachment_id: int
) -> HttpResponse:
    from tongban.core import files

    document = selectors.document_for(request.user, document_id)
    attachment = document.attachments.select_related("file").filter(pk=attachment_id).first()
    if attachment is None:
        return render(request, "web/not_found.html", status=404)
    with files.open_file(attachment.file.sha256) as handle:
        content = handle.read()
    return _download(
        content,
        "application/octet-stream",  # never shown inline: a download, whatever it is
        attachment.filename or attachment.title,
    )


# --- incoming (收文) ---------------------------------------------------------------------------

INCOMING_TABS = {
    "awaiting": [IncomingStatus.AWAITING],
    "open": [
        IncomingStatus.RECEIVED,
        IncomingStatus.REGISTERED,
        IncomingStatus.PROPOSED,
        IncomingStatus.HANDLING,
    ],
    "done": [IncomingStatus.COMPLETED, IncomingStatus.RETURNED, IncomingStatus.CANCELLED],
}


@login_required
@handles_not_found
def incoming_list(request: StaffRequest) -> HttpResponse:
    tab = request.GET.get("tab", "awaiting")
    if tab not in INCOMING_TABS:
        tab = "awaiting"
    q = request.GET.get("q", "")[:50]
    year = _year(request.GET.get("year", ""))
    rows = selectors.incoming_register(request.user, year=year, q=q).filter(
        status__in=INCOMING_TABS[tab]
    )
    if request.GET.get("format") == "xlsx":
        content = registers.incoming_xlsx(
            selectors.incoming_register(request.user, year=year, q=q).prefetch_related(
                "co_departments"
            )
        )
        return _download(content, XLSX, "收文登记簿.xlsx")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
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
    counts = {
        key: selectors.incoming_register(request.user).filter(status__in=statuses).count()
        for key, statuses in INCOMING_TABS.items()
    }
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/documents/incoming_list.html",
        {
            "tab": tab,
            "page": page,
            "lines": lines,
            "counts": counts,
            "q": q,
            "year": year or "",
            "query": query.urlencode(),
            "may_register": policy.can(request.user, Action.RECEIVE_DOCUMENTS),
            "section": "documents",
        },
    )


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def incoming_detail(request: StaffRequest, item_id: int) -> HttpResponse:
    item = selectors.incoming_for(request.user, item_id)
    document = item.document
    tasks = [
        t
        for t in selectors.my_open_tasks(request.user, document)
        if t.instance_id == item.instance_id
    ]
    panels = _task_panels(request, tasks, item)
    circulate_form = forms.CirculateForm()
    reason_form = forms.ReasonForm()
    archive_form = forms.ArchiveForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "receive":
                incoming.receive(request.user, item.pk)
                messages.success(request, _("Signed for. Register it now."))
            elif action == "return_to_sender":
                reason_form = forms.ReasonForm(request.POST)
                if not reason_form.is_valid():
                    raise _Invalid
                incoming.return_to_sender(
                    request.user, item.pk, reason=reason_form.cleaned_data["reason"]
                )
                messages.success(request, _("Returned to the sender."))
            elif action == "circulate":
                circulate_form = forms.CirculateForm(request.POST)
                if not circulate_form.is_valid():
                    raise _Invalid
                created = incoming.circulate(
                    request.user,
                    item.pk,
                    usernames=_names(circulate_form.cleaned_data["readers"]),
                    note=circulate_form.cleaned_data["note"],
                )
                messages.success(request, _("Passed to %(n)d readers.") % {"n": len(created)})
            elif action == "urge":
                _urge(request)
            elif action == "archive":
                archive_form = forms.ArchiveForm(request.POST)
                _archive(
                    request,
                    archive_form,
                    lambda retention: incoming.archive_incoming(
                        request.user, item.pk, retention=retention
                    ),
                )
            else:
                done, _message = _handle_post(request, tasks, panels, item.instance_id)
                if not done:
                    raise _Invalid
            return redirect("web:incoming_detail", item_id=item.pk)
        except _Invalid:
            status = 422
        except ServiceError as exc:
            target = {
                "circulate": circulate_form,
                "return_to_sender": reason_form,
                "archive": archive_form,
            }.get(action)
            if target is None:
                messages.error(request, str(exc.message))
                return redirect("web:incoming_detail", item_id=item.pk)
            service_errors(target, exc)
            status = 422
    done = item.status in INCOMING_TABS["done"]
    open_tasks = (
        list(
            Task.objects.filter(instance_id=item.instance_id, status="open").select_related(
                "assignee"
            )
        )
        if item.instance_id
        else []
    )
    return render(
        request,
        "web/documents/incoming_detail.html",
        {
            "item": item,
            "document": document,
            "panels": panels,
            "open_tasks": open_tasks,
            "deadline": selectors.deadline_state(item.due_on, done=done),
            "may_receive": item.status == IncomingStatus.AWAITING
            and policy.can(request.user, Action.RECEIVE_DOCUMENTS, item.department),
            "may_circulate": item.status not in (IncomingStatus.AWAITING, IncomingStatus.RETURNED),
            "circulations": list(item.circulations.select_related("reader", "sent_by")),
            "my_circulation": item.circulations.filter(reader=request.user).first(),
            "circulate_form": circulate_form,
            "reason_form": reason_form,
            "archive_form": archive_form,
            "may_archive": item.status == IncomingStatus.COMPLETED
            and not item.record_code
            and policy.can(request.user, Action.ARCHIVE_RECORDS, item.department),
            "is_initiator": item.instance is not None
            and item.instance.initiator_id == request.user.pk,
            "slip": slips.lines(item.instance_id),
            "diagram": _diagram(item.instance) if item.instance is not None else "",
            "section": "documents",
        },
        status=status,
    )


@login_required
@handles_not_found
def incoming_slip(request: StaffRequest, item_id: int) -> HttpResponse:
    item = selectors.incoming_for(request.user, item_id)
    return _download(slips.incoming_slip_pdf(item), "application/pdf", f"incoming-{item.pk}.pdf")


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
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
            return redirect("web:incoming_detail", item_id=item.pk)
    return render(
        request, "web/documents/incoming_new.html", {"form": form, "section": "documents"}
    )


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def reading(request: StaffRequest) -> HttpResponse:
    """待阅: what was passed to me for reading; confirm each (read receipt)."""
    if request.method == "POST":
        try:
            incoming.confirm_read(
                request.user,
                _posted_id(request, "circulation"),
                comment=request.POST.get("comment", ""),
            )
            messages.success(request, _("Read receipt sent."))
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect("web:documents_reading")
    return render(
        request,
        "web/documents/reading.html",
        {"rows": selectors.to_read(request.user)[:200], "section": "documents", "tab": "reading"},
    )


# --- registers ------------------------------------------------------------------------------


@login_required
@handles_not_found
def outgoing_register(request: StaffRequest) -> HttpResponse:
    year = _year(request.GET.get("year", "")) or timezone.localdate().year
    issuing = request.GET.get("issuing", "")[:32]
    rows = selectors.outgoing_register(request.user, year=year, issuing=issuing).prefetch_related(
        "recipients"
    )
    if request.GET.get("format") == "xlsx":
        return _download(registers.outgoing_xlsx(rows), XLSX, f"发文登记簿-{year}.xlsx")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "web/documents/outgoing_register.html",
        {
            "page": page,
            "year": year,
            "issuing": issuing,
            "query": f"year={year}&issuing={quote(issuing)}",
            "section": "documents",
            "tab": "register",
        },
    )


# --- import ---------------------------------------------------------------------------------


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def import_start(request: StaffRequest) -> HttpResponse:
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads = [(f.name, f) for f in form.cleaned_data["documents"][: importing.MAX_FILES + 1]]
        try:
            batch = importing.start_batch(request.user, uploads)
        except ServiceError as exc:
            service_errors(form, exc)
        else:
            return redirect("web:import_batch", batch_id=batch.pk)
    return render(
        request,
        "web/documents/import_start.html",
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


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def import_batch(request: StaffRequest, batch_id: int) -> HttpResponse:
    batch = importing.batch_of(request.user, batch_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "process":  # htmx polls this while files wait
            importing.process_next(request.user, batch.pk, limit=2)
            return render(
                request,
                "web/documents/_import_progress.html",
                {"batch": batch, "progress": importing.progress(batch)},
            )
        item_id = _posted_id(request, "item")
        try:
            if action == "discard":
                importing.discard_item(request.user, item_id)
                messages.success(request, _("Discarded."))
            elif action == "register":
                form = forms.ImportCorrectionForm(request.POST, prefix=f"i{item_id}")
                if form.is_valid():
                    data = dict(form.cleaned_data)
                    data["main_recipients"] = _names(data["main_recipients"])
                    if data["date_written"] is None:
                        data.pop("date_written")
                    document = importing.register_item(request.user, item_id, data)
                    messages.success(
                        request, _("Registered: %(title)s") % {"title": document.title}
                    )
                else:
                    messages.error(request, _("Check the fields of %(n)s.") % {"n": item_id})
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect("web:import_batch", batch_id=batch.pk)
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
        "web/documents/import_batch.html",
        {
            "batch": batch,
            "progress": importing.progress(batch),
            "items": items,
            "section": "documents",
            "tab": "import",
        },
    )


# --- sealing (用印) --------------------------------------------------------------------------


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
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
            return redirect("web:documents_seal")
    return render(
        request,
        "web/documents/seal_queue.html",
        {
            "form": form,
            "waiting": waiting,
            # Nothing is ticked for the keeper: each copy is checked and chosen (逐份核对).
            "chosen": {int(x) for x in request.POST.getlist("documents") if x.isdecimal()},
            "section": "documents",
            "tab": "seal",
        },
        status=422 if request.method == "POST" else 200,
    )
