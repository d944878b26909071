"""Records (档案): the catalogue, transfer packages and their check, appraisal and disposal.
Thin: parse → service/selector → schema."""

from __future__ import annotations

from dataclasses import asdict

from django.http import HttpResponse, HttpResponseBase
from ninja import File, Router
from ninja.files import UploadedFile

from tongban.core.http import idempotency, pagination
from tongban.core.http.downloads import ZIP, stream
from tongban.core.permissions import Action
from tongban.identity.http import ApiRequest
from tongban.org.http import requires, requires_any
from tongban.records import selectors, services
from tongban.records.schemas import (
    AppraisalOut,
    ApprovalIn,
    DisposalLineOut,
    FixityOut,
    FondsIn,
    FondsOut,
    KeepIn,
    PackageReportOut,
    ProposalIn,
    RecordOut,
    RecordPage,
    RejectionIn,
)

router = Router(tags=["records"])


@router.get("/records", response=RecordPage, summary="Records I may see (档案), with filters")
def list_records(
    request: ApiRequest,
    q: str = "",
    year: int | None = None,
    retention: str = "",
    status: str = "",
    fonds: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> dict:
    qs = selectors.records_for(
        request.auth, q=q, year=year, retention=retention, status=status, fonds=fonds
    ).prefetch_related("files")
    items, nxt = pagination.page(qs, cursor=cursor, limit=limit, descending=True)
    return pagination.envelope(items, nxt)


@router.get(
    "/records/appraisal",
    response=RecordPage,
    summary="Records due for appraisal (待鉴定): retention run out (archivist)",
)
def appraisal_due(request: ApiRequest, cursor: str | None = None, limit: int | None = None) -> dict:
    qs = selectors.appraisal_due(request.auth).prefetch_related("files")
    items, nxt = pagination.page(qs, cursor=cursor, limit=limit)
    return pagination.envelope(items, nxt)


@router.get(
    "/records/disposals",
    response=list[AppraisalOut],
    summary="Proposed disposals awaiting my approval (销毁审批)",
)
def pending_disposals(request: ApiRequest) -> object:
    return list(selectors.pending_disposals(request.auth)[:500])


@router.get(
    "/records/disposal-list",
    response=list[DisposalLineOut],
    summary="The disposal list (销毁清册): who proposed, who approved, when, why",
)
def disposal_list(request: ApiRequest, fonds: str = "", year: int | None = None) -> object:
    return [
        asdict(services.disposal_line(a))
        for a in selectors.disposal_list(request.auth, fonds=fonds, year=year)[:1000]
    ]


@router.post(
    "/records/disposals/{appraisal_id}/approve",
    auth=requires(Action.APPROVE_DISPOSAL),
    response=AppraisalOut,
    summary="Approve a disposal (a second person, records.approve_disposal)",
)
def approve_disposal(request: ApiRequest, appraisal_id: int, payload: ApprovalIn) -> object:
    return services.approve_disposal(request.auth, appraisal_id, note=payload.note)


@router.post(
    "/records/disposals/{appraisal_id}/reject",
    auth=requires(Action.APPROVE_DISPOSAL),
    response=AppraisalOut,
    summary="Reject a proposed disposal",
)
def reject_disposal(request: ApiRequest, appraisal_id: int, payload: RejectionIn) -> object:
    return services.reject_disposal(request.auth, appraisal_id, reason=payload.reason)


@router.get(
    "/records/batch-package",
    summary="Transfer package of a year of a fonds (application/zip, BagIt)",
    response={200: None},
)
def batch_package(
    request: ApiRequest, fonds: str, year: int, category: str = "WS"
) -> HttpResponseBase:
    package = services.export_batch(request.auth, fonds=fonds, year=year, category_code=category)
    return stream(package.file, package.filename, ZIP)


@router.post(
    "/records/packages/verify",
    auth=requires_any(Action.VIEW_RECORDS, Action.ARCHIVE_RECORDS),
    response=PackageReportOut,
    summary="Check a transfer package (四性检测): a per-file report",
)
def verify_package(request: ApiRequest, file: UploadedFile = File(...)) -> object:  # noqa: B008
    return services.verify_package(request.auth, file)


@router.get("/records/fonds", response=list[FondsOut], summary="Fonds (全宗) I may see")
def list_fonds(request: ApiRequest) -> object:
    return list(selectors.fonds_for(request.auth))


@router.put(
    "/records/fonds/{department_code}",
    auth=requires(Action.ARCHIVE_RECORDS),
    response=FondsOut,
    summary="Set a unit's fonds code (before its first record) or its name",
)
def save_fonds(request: ApiRequest, department_code: str, payload: FondsIn) -> object:
    return services.save_fonds(
        request.auth, department=department_code, code=payload.code, name=payload.name
    )


@router.get("/records/{record_id}", response=RecordOut, summary="One record with its files")
def get_record(request: ApiRequest, record_id: int) -> object:
    return selectors.record_by_id(request.auth, record_id)


@router.get(
    "/records/{record_id}/files/{file_id}",
    summary="Download a file of a record (410 once disposed of)",
    response={200: None},
)
def get_file(request: ApiRequest, record_id: int, file_id: int) -> HttpResponseBase:
    item, handle = services.open_record_file(request.auth, record_id, file_id)
    return stream(handle, item.name, item.content_type or "application/octet-stream")


@router.get(
    "/records/{record_id}/package",
    summary="The record's transfer package (application/zip, BagIt)",
    response={200: None},
)
def record_package(request: ApiRequest, record_id: int) -> HttpResponseBase:
    package = services.export_record(request.auth, record_id)
    return stream(package.file, package.filename, ZIP)


@router.post(
    "/records/{record_id}/fixity",
    response=list[FixityOut],
    summary="Recompute the SHA-256 of the record's stored files (and open its PDFs)",
)
def check_fixity(request: ApiRequest, record_id: int) -> object:
    return [asdict(r) for r in services.check_fixity(request.auth, record_id)]


@router.post(
    "/records/{record_id}/keep",
    auth=requires(Action.ARCHIVE_RECORDS),
    response=RecordOut,
    summary="Appraisal: keep the record longer (a longer retention, with a reason)",
)
def keep(request: ApiRequest, record_id: int, payload: KeepIn) -> object:
    return services.keep(
        request.auth, record_id, retention=payload.retention, reason=payload.reason
    )


@router.post(
    "/records/{record_id}/disposal",
    auth=requires(Action.ARCHIVE_RECORDS),
    response={201: AppraisalOut},
    summary="Appraisal: propose the record's disposal (someone else approves)",
)
def propose_disposal(request: ApiRequest, record_id: int, payload: ProposalIn) -> HttpResponse:
    def create() -> tuple[int, dict]:
        proposal = services.propose_disposal(request.auth, record_id, reason=payload.reason)
        return 201, AppraisalOut.from_orm(proposal).model_dump(mode="json")

    return idempotency.run(request, create)
