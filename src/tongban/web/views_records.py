"""Records (档案) in the web UI: the record list and detail, file downloads and fixity, transfer
packages, the appraisal list (待鉴定), disposal approvals and the disposal list (销毁清册),
package verification (四性检测) and fonds codes. Thin: parse → service/selector → render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tongban.core.errors import ServiceError
from tongban.core.permissions import Action
from tongban.org import policy
from tongban.org.models import Department
from tongban.records import packages, selectors, services
from tongban.records.models import Record, RecordStatus, Retention
from tongban.web.views import StaffRequest, handles_not_found

FIXITY_LABELS = {
    "ok": gettext_lazy("intact"),
    "changed": gettext_lazy("changed since archiving"),
    "missing": gettext_lazy("missing from the store"),
    "unusable": gettext_lazy("does not open"),
    "disposed": gettext_lazy("destroyed on disposal"),
}
CHECK_LABELS = {
    "ok": gettext_lazy("intact"),
    "changed": gettext_lazy("changed"),
    "missing": gettext_lazy("missing"),
    "extra": gettext_lazy("not part of the package"),
    "unsafe": gettext_lazy("unsafe, not unpacked"),
    "unusable": gettext_lazy("does not open"),
}
PLATFORM_LABELS = {
    "match": gettext_lazy("same files as the record on this platform"),
    "differs": gettext_lazy("differs from the record on this platform"),
    "disposed": gettext_lazy("disposed of on this platform"),
    "unknown": gettext_lazy("not a record you can see on this platform"),
}


def _year(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdecimal() and len(text) == 4 else None


def _may_read(user: Any) -> bool:
    return policy.can(user, Action.VIEW_RECORDS) or policy.can(user, Action.ARCHIVE_RECORDS)


def _require_reader(user: Any) -> None:
    if not _may_read(user):
        policy.require(user, Action.VIEW_RECORDS)  # refuses and audits


def _attachment(handle: Any, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)  # archived, possibly classified: never kept by a browser
    return response


@login_required
@handles_not_found
def records(request: StaffRequest) -> HttpResponse:
    """档案: the records the person may see, with filters; htmx asks for the rows alone."""
    _require_reader(request.user)
    get = request.GET
    year = _year(get.get("year", ""))
    retention = get.get("retention", "") if get.get("retention", "") in Retention.values else ""
    status = get.get("status", "") if get.get("status", "") in RecordStatus.values else ""
    q = get.get("q", "")[:100]
    fonds = get.get("fonds", "")[:16]
    qs = selectors.records_for(
        request.user, q=q, year=year, retention=retention, status=status, fonds=fonds
    ).order_by("-year", "fonds__code", "retention", "organisation_code", "-item_number")
    page = Paginator(qs, 50).get_page(get.get("page"))
    query = get.copy()
    query.pop("page", None)
    template = (
        "web/records_rows.html" if request.headers.get("HX-Request") else "web/records_list.html"
    )
    response = render(
        request,
        template,
        {
            "page": page,
            "query": query.urlencode(),
            "q": q,
            "year": year,
            "retention": retention,
            "status": status,
            "fonds": fonds,
            "years": selectors.years_of(request.user),
            "retentions": Retention.choices,
            "statuses": RecordStatus.choices,
            "fonds_list": selectors.fonds_for(request.user),
            "can_archive": policy.can(request.user, Action.ARCHIVE_RECORDS),
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@handles_not_found
def record_detail(request: StaffRequest, record_id: int) -> HttpResponse:
    record = selectors.record_by_id(request.user, record_id)
    pending = selectors.pending_disposals(request.user).filter(record=record).first()
    return render(
        request,
        "web/records_detail.html",
        {
            "record": record,
            "pending": pending,
            "files": record.files.all(),
            "appraisals": selectors.appraisals_of(request.user, record),
            "can_archive": policy.can(request.user, Action.ARCHIVE_RECORDS, record),
            "due": services.is_due(record),
            "labels": FIXITY_LABELS,
        },
    )


@login_required
@handles_not_found
def record_file(request: StaffRequest, record_id: int, file_id: int) -> HttpResponseBase:
    item, handle = services.open_record_file(request.user, record_id, file_id)
    return _attachment(handle, item.name, item.content_type or "application/octet-stream")


@login_required
@handles_not_found
@require_POST
def record_fixity(request: StaffRequest, record_id: int) -> HttpResponse:
    results = services.check_fixity(request.user, record_id)
    failed = [r for r in results if r.status != "ok"]
    if failed:
        messages.error(
            request,
            _("Fixity check: %(files)s.")
            % {
                "files": "; ".join(
                    f"{r.name} — {FIXITY_LABELS.get(r.status, r.status)}" for r in failed
                )
            },
        )
    else:
        messages.success(
            request,
            _("Fixity check: all %(n)d files are intact.") % {"n": len(results)},
        )
    return redirect("web:record_detail", record_id=record_id)


@login_required
@handles_not_found
def record_package(request: StaffRequest, record_id: int) -> HttpResponseBase:
    """The record's transfer package (ZIP, BagIt)."""
    package = services.export_record(request.user, record_id)
    return _attachment(package.file, package.filename, "application/zip")


@login_required
@handles_not_found
def records_batch_package(request: StaffRequest) -> HttpResponseBase:
    """A year of a fonds as one transfer package (?fonds=F001&year=2026)."""
    year = _year(request.GET.get("year", ""))
    try:
        package = services.export_batch(
            request.user,
            fonds=request.GET.get("fonds", ""),
            year=year if year is not None else 0,
        )
    except ServiceError as exc:
        if exc.status == 403:
            raise
        messages.error(request, str(exc.message))
        return redirect("web:records")
    return _attachment(package.file, package.filename, "application/zip")


@login_required
@handles_not_found
def records_appraisal(request: StaffRequest) -> HttpResponse:
    """待鉴定: records whose retention ran out; keep them longer or propose their disposal."""
    policy.require(request.user, Action.ARCHIVE_RECORDS)
    page = Paginator(selectors.appraisal_due(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "web/records_appraisal.html",
        {
            "page": page,
            "query": "",
            "retentions": Retention.choices,
            "mine": selectors.proposed_by_me(request.user),
            "can_archive": True,
        },
    )


@login_required
@handles_not_found
@require_POST
def record_keep(request: StaffRequest, record_id: int) -> HttpResponse:
    try:
        record = services.keep(
            request.user,
            record_id,
            retention=request.POST.get("retention", ""),
            reason=request.POST.get("reason", ""),
        )
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("%(code)s is kept: %(retention)s.")
            % {"code": record.archival_code, "retention": Retention(record.retention).label},
        )
    return redirect("web:records_appraisal")


@login_required
@handles_not_found
@require_POST
def record_propose_disposal(request: StaffRequest, record_id: int) -> HttpResponse:
    try:
        proposal = services.propose_disposal(
            request.user, record_id, reason=request.POST.get("reason", "")
        )
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("Disposal of %(code)s proposed; it waits for approval by someone else.")
            % {"code": proposal.record.archival_code},
        )
    return redirect("web:records_appraisal")


@login_required
@handles_not_found
def records_disposals(request: StaffRequest) -> HttpResponse:
    """销毁审批 and 销毁清册: proposals to approve, and the disposals approved."""
    user = request.user
    if not (policy.can(user, Action.APPROVE_DISPOSAL) or _may_read(user)):
        policy.require(user, Action.APPROVE_DISPOSAL)
    fonds = request.GET.get("fonds", "")[:16]
    year = _year(request.GET.get("year", ""))
    done = Paginator(selectors.disposal_list(user, fonds=fonds, year=year), 50).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/records_disposals.html",
        {
            "pending": selectors.pending_disposals(user),
            "mine": selectors.proposed_by_me(user),
            "page": done,
            "lines": [services.disposal_line(a) for a in done],
            "query": query.urlencode(),
            "fonds": fonds,
            "year": year,
            "can_approve": policy.can(user, Action.APPROVE_DISPOSAL),
            "can_archive": policy.can(user, Action.ARCHIVE_RECORDS),
        },
    )


def _decide(request: StaffRequest, appraisal_id: int, approve: bool) -> HttpResponse:
    try:
        if approve:
            decided = services.approve_disposal(
                request.user, appraisal_id, note=request.POST.get("note", "")
            )
        else:
            decided = services.reject_disposal(
                request.user, appraisal_id, reason=request.POST.get("reason", "")
            )
    except ServiceError as exc:
        if exc.status == 404:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            (_("%(code)s is disposed of.") if approve else _("Disposal of %(code)s rejected."))
            % {"code": decided.record.archival_code},
        )
    return redirect("web:records_disposals")


@login_required
@handles_not_found
@require_POST
def disposal_approve(request: StaffRequest, appraisal_id: int) -> HttpResponse:
    return _decide(request, appraisal_id, approve=True)


@login_required
@handles_not_found
@require_POST
def disposal_reject(request: StaffRequest, appraisal_id: int) -> HttpResponse:
    return _decide(request, appraisal_id, approve=False)


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def records_verify(request: StaffRequest) -> HttpResponse:
    """Upload a transfer package and see the four checks, file by file."""
    _require_reader(request.user)
    report, error = None, ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ServiceError(_("Choose a package (a ZIP file) to check."))
            if upload.size is not None and upload.size > packages.MAX_PACKAGE_BYTES:
                raise ServiceError(_("The package is too large to check here."))
            report = services.verify_package(request.user, upload)
        except ServiceError as exc:
            error = str(exc.message)
    return render(
        request,
        "web/records_verify.html",
        {
            "report": report,
            "error": error,
            "labels": CHECK_LABELS,
            "platform_labels": PLATFORM_LABELS,
            "can_archive": policy.can(request.user, Action.ARCHIVE_RECORDS),
        },
        status=422 if error else 200,
    )


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def records_fonds(request: StaffRequest) -> HttpResponse:
    """全宗: the units the person archives for, their fonds codes, and setting one."""
    policy.require(request.user, Action.ARCHIVE_RECORDS)
    if request.method == "POST":
        department = Department.objects.filter(code=request.POST.get("department", "")).first()
        try:
            if department is None:
                raise ServiceError(_("Choose a unit."))
            fonds = services.save_fonds(
                request.user,
                department=department,
                code=request.POST.get("code", ""),
                name=request.POST.get("name", ""),
            )
        except ServiceError as exc:
            if exc.status == 403:
                raise
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request, _("Fonds %(code)s: %(name)s.") % {"code": fonds.code, "name": fonds.name}
            )
        return redirect("web:records_fonds")
    units = selectors.fonds_units(request.user)
    used = set(
        Record.objects.filter(fonds__in=[f for _u, f in units if f]).values_list(
            "fonds_id", flat=True
        )
    )
    return render(
        request,
        "web/records_fonds.html",
        {"units": units, "used": used, "can_archive": True},
    )
