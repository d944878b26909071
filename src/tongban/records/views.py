"""Records (档案) in the web UI: the record list and detail, file downloads and fixity, transfer
packages, the appraisal list (待鉴定), disposal approvals and the disposal list (销毁清册),
package verification (四性检测) and fonds codes. Thin: parse → service/selector → render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tongban.core.errors import ServiceError
from tongban.core.http.downloads import ZIP, stream
from tongban.core.http.forms import valid
from tongban.core.http.views import GET_POST, handles_not_found, paginate
from tongban.identity.http import StaffRequest
from tongban.records import forms, packages, selectors, services
from tongban.records.models import RecordStatus, Retention

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


@login_required
@handles_not_found
def records(request: StaffRequest) -> HttpResponse:
    """档案: the records the person may see, with filters; htmx asks for the rows alone."""
    selectors.require_reader(request.user)
    get = request.GET
    year = _year(get.get("year", ""))
    retention = get.get("retention", "") if get.get("retention", "") in Retention.values else ""
    status = get.get("status", "") if get.get("status", "") in RecordStatus.values else ""
    q = get.get("q", "")[:100]
    fonds = get.get("fonds", "")[:16]
    qs = selectors.records_for(
        request.user, q=q, year=year, retention=retention, status=status, fonds=fonds
    ).order_by("-year", "fonds__code", "retention", "organisation_code", "-item_number")
    page, query = paginate(request, qs, 50)
    template = "records/_rows.html" if request.headers.get("HX-Request") else "records/list.html"
    response = render(
        request,
        template,
        {
            "page": page,
            "query": query,
            "q": q,
            "year": year,
            "retention": retention,
            "status": status,
            "fonds": fonds,
            "years": selectors.years_of(request.user),
            "retentions": Retention.choices,
            "statuses": RecordStatus.choices,
            "fonds_list": selectors.fonds_for(request.user),
            "can_archive": selectors.record_permissions(request.user).archive,
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@handles_not_found
def record_detail(request: StaffRequest, record_id: int) -> HttpResponse:
    record = selectors.record_by_id(request.user, record_id)
    pending = selectors.pending_disposal_of(request.user, record)
    return render(
        request,
        "records/detail.html",
        {
            "record": record,
            "pending": pending,
            "files": record.files.all(),
            "appraisals": selectors.appraisals_of(request.user, record),
            "can_archive": selectors.record_permissions(request.user, record).archive,
            "due": services.is_due(record),
            "labels": FIXITY_LABELS,
            "source": selectors.source_of(record),
            "metadata": selectors.metadata_of(record),
        },
    )


@login_required
@handles_not_found
def record_file(request: StaffRequest, record_id: int, file_id: int) -> HttpResponseBase:
    item, handle = services.open_record_file(request.user, record_id, file_id)
    return stream(handle, item.name, item.content_type or "application/octet-stream")


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
    return redirect("records:detail", record_id=record_id)


@login_required
@handles_not_found
def record_package(request: StaffRequest, record_id: int) -> HttpResponseBase:
    """The record's transfer package (ZIP, BagIt)."""
    package = services.export_record(request.user, record_id)
    return stream(package.file, package.filename, ZIP)


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
        return redirect("records:list")
    return stream(package.file, package.filename, ZIP)


@login_required
@handles_not_found
def records_appraisal(request: StaffRequest) -> HttpResponse:
    """待鉴定: records whose retention ran out; keep them longer or propose their disposal."""
    selectors.require_archivist(request.user)
    page, _query = paginate(request, selectors.appraisal_due(request.user), 50)
    return render(
        request,
        "records/appraisal.html",
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
    form = forms.KeepForm(request.POST)
    try:
        valid(form)
        record = services.keep(
            request.user,
            record_id,
            retention=form.cleaned_data["retention"],
            reason=form.cleaned_data["reason"],
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
    return redirect("records:appraisal")


@login_required
@handles_not_found
@require_POST
def record_propose_disposal(request: StaffRequest, record_id: int) -> HttpResponse:
    form = forms.ReasonForm(request.POST)
    try:
        valid(form)
        proposal = services.propose_disposal(
            request.user, record_id, reason=form.cleaned_data["reason"]
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
    return redirect("records:appraisal")


@login_required
@handles_not_found
def records_disposals(request: StaffRequest) -> HttpResponse:
    """销毁审批 and 销毁清册: proposals to approve, and the disposals approved."""
    user = request.user
    selectors.require_disposal_reader(user)
    fonds = request.GET.get("fonds", "")[:16]
    year = _year(request.GET.get("year", ""))
    done, query = paginate(request, selectors.disposal_list(user, fonds=fonds, year=year), 50)
    may = selectors.record_permissions(user)
    return render(
        request,
        "records/disposals.html",
        {
            "pending": selectors.pending_disposals(user),
            "mine": selectors.proposed_by_me(user),
            "page": done,
            "lines": [services.disposal_line(a) for a in done],
            "query": query,
            "fonds": fonds,
            "year": year,
            "can_approve": may.approve_disposal,
            "can_archive": may.archive,
        },
    )


def _decide(request: StaffRequest, appraisal_id: int, approve: bool) -> HttpResponse:
    try:
        if approve:
            approval = forms.ApprovalForm(request.POST)
            note = approval.cleaned_data["note"] if approval.is_valid() else ""
            decided = services.approve_disposal(request.user, appraisal_id, note=note)
        else:
            rejection = forms.ReasonForm(request.POST)
            reason = rejection.cleaned_data["reason"] if rejection.is_valid() else ""
            decided = services.reject_disposal(request.user, appraisal_id, reason=reason)
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
    return redirect("records:disposals")


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
@require_http_methods(GET_POST)
def records_verify(request: StaffRequest) -> HttpResponse:
    """Upload a transfer package and see the four checks, file by file."""
    selectors.require_reader(request.user)
    report, error = None, ""
    if request.method == "POST":
        form = forms.PackageForm(request.POST, request.FILES)
        upload = form.cleaned_data["file"] if form.is_valid() else None
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
        "records/verify.html",
        {
            "report": report,
            "error": error,
            "labels": CHECK_LABELS,
            "platform_labels": PLATFORM_LABELS,
            "can_archive": selectors.record_permissions(request.user).archive,
        },
        status=422 if error else 200,
    )


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def records_fonds(request: StaffRequest) -> HttpResponse:
    """全宗: the units the person archives for, their fonds codes, and setting one."""
    selectors.require_archivist(request.user)
    if request.method == "POST":
        form = forms.FondsForm(request.POST)
        try:
            valid(form)
            fonds = services.save_fonds(
                request.user,
                department=form.cleaned_data["department"],
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
            )
        except ServiceError as exc:
            if exc.status == 403:
                raise
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request, _("Fonds %(code)s: %(name)s.") % {"code": fonds.code, "name": fonds.name}
            )
        return redirect("records:fonds")
    units = selectors.fonds_units(request.user)
    used = selectors.fonds_in_use(units)
    return render(
        request,
        "records/fonds.html",
        {"units": units, "used": used, "can_archive": True},
    )
