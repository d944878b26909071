"""Archiving (归档), transfer packages, fixity, appraisal and disposal (鉴定与销毁).

Every change checks permission, runs in one transaction and is audited in it; a refusal is
audited (``record_denied``) before it is raised; bad input raises ``InvalidInput`` naming the
field before anything is written.

Standards (see docs/records.md for what was read where):

* DA/T 22-2015《归档文件整理规则》: the item (件) as the unit (§3.3, §5.1); numbering (§5.4):
  the archival code ``全宗号-档案门类代码·年度-保管期限-机构(问题)代码-件号``, the year (年度) being
  the year the document was formed, in four digits, and item numbers counted from 1 within the
  lowest class of the scheme; the catalogue (§5.5) with the columns 序号, 档号, 文号, 责任者, 题名,
  日期, 密级, 页数, 备注.
* DA/T 13-2022《档号编制规则》: codes of one level joined by "·", levels by "-"; a fonds code of
  four characters (here 1–16 capitals and digits); retention codes Y, D30, D10; item numbers of
  four digits with leading zeros; a code once given stays (§4.3, 稳定性原则).
* Retention counts from 1 January of the year after the record's year: fixed periods are
  "从文件产生后的第二年起计算" (archival practice, as a study text on 档案保管期限表 puts it), which
  the National Archives Administration's rules write as "保管期限的起算时间一般从文件形成的次年1月1日
  开始" (国家档案局令第10号, 2012 — that wording was not read in the primary text here: verify).
  DA/T 22-2015 itself fixes the year, not the counting. So a D10 record of 2026 is kept through
  31 December 2036 and is due for appraisal from 1 January 2037; permanent (Y) never expires.
* DA/T 70-2018《文书类电子档案检测一般要求》: authenticity, integrity, usability and security
  (四性检测), checked in spirit on packages and stored files (``packages``).
"""

from __future__ import annotations

import io
import json
import mimetypes
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date as Date
from datetime import datetime, timedelta
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from tongban.audit.services import record, record_denied
from tongban.core import files, labels, numbering
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound, ServiceError
from tongban.core.models import StoredFile
from tongban.core.permissions import Action, Classification
from tongban.identity.models import User
from tongban.org import policy
from tongban.org.models import Department, DepartmentKind, RoleAssignment
from tongban.records import packages
from tongban.records.checks import looks_like_pdf, pdf_check, pdf_problem
from tongban.records.models import (
    RETENTION_YEARS,
    Appraisal,
    AppraisalKind,
    DecisionState,
    FileRole,
    Fonds,
    Record,
    RecordFile,
    RecordStatus,
    Retention,
    fonds_code_validator,
)

DEFAULT_CATEGORY = "WS"  # 文书档案
MAX_FILES = 100
MAX_FILE_BYTES = 500 * 1024 * 1024
MAX_METADATA_CHARS = 64 * 1024
MAX_FILE_NAME = 200
MAX_PAGES = 100_000  # 页数 of one item
CATEGORY = re.compile(r"^[A-Z]{2}$")
FONDS_CODE = re.compile(r"^[A-Z0-9]{1,16}$")
RETENTION_RANK = {Retention.YEARS_10: 1, Retention.YEARS_30: 2, Retention.PERMANENT: 3}
APPRAISABLE = (RecordStatus.ARCHIVED, RecordStatus.RETAINED)


class Gone(ServiceError):
    """The files of a disposed record: the catalogue line stays, the files do not."""

    status = 410
    code = "gone"
    default_message = gettext_lazy(
        "The files of this record were destroyed when it was disposed of."
    )


# --- codes and dates -----------------------------------------------------------------------


def fonds_unit(department: Department) -> Department:
    """立档单位: the unit whose fonds holds a department's records — the department itself, or
    for a division (处室) the nearest unit above it that is not a division."""
    unit = department
    while unit.kind == DepartmentKind.DIVISION and unit.parent_id is not None:
        unit = unit.parent  # type: ignore[assignment]
    return unit


def organisation_code(department: Department) -> str:
    """机构(问题)代码: the department's code in capitals without dashes ("EDU-BASIC" → "EDUBASIC"),
    since "-" separates the levels of an archival code."""
    return re.sub(r"[^A-Za-z0-9]", "", department.code).upper()[:32] or f"D{department.pk}"


def retention_ends(year: int, retention: str) -> Date | None:
    """The first day after the retention period (None for permanent): counted from 1 January of
    the year after the record's year, so D10 of 2026 → 2037-01-01."""
    years = RETENTION_YEARS[retention]
    if years is None:
        return None
    return Date(year + 1 + years, 1, 1)


def is_due(record: Record, today: Date | None = None) -> bool:
    """Whether the record's retention has run out (it is due for appraisal)."""
    today = today or timezone.localdate()
    return record.expires_on is not None and record.expires_on <= today


# --- fonds ---------------------------------------------------------------------------------


def _next_free_fonds_code() -> str:
    while True:
        code = f"F{numbering.next_value('records:fonds'):03d}"
        if not Fonds.objects.filter(code=code).exists():
            return code


def _fonds_for(actor: User, unit: Department) -> Fonds:
    """The unit's fonds, created with the next free code on its first record. Runs inside the
    archiving transaction; the unit's row is locked so that two first records make one fonds."""
    list(Department.objects.select_for_update().filter(pk=unit.pk).values_list("pk"))
    fonds = Fonds.objects.filter(department=unit).first()
    if fonds is not None:
        return fonds
    fonds = Fonds.objects.create(
        code=_next_free_fonds_code(),
        name=unit.name[:100],
        department=unit,
        created_by_username=actor.username,
    )
    record(
        "records.fonds.create",
        actor=actor,
        obj=fonds,
        after={"code": fonds.code, "unit": unit.code, "automatic": True},
    )
    return fonds


def save_fonds(actor: User, *, department: str, code: str, name: str = "") -> Fonds:
    """Create the fonds of the unit ``department`` (its code) with the code the archives gave
    it, or change its code (only while no record carries it: DA/T 13-2022 §4.3) or its name."""
    policy.require(actor, Action.ARCHIVE_RECORDS)
    # The organisation is no secret; whether the actor archives for the unit is checked below.
    found = Department.objects.filter(code__iexact=(department or "").strip()).first()
    if found is None:
        raise NotFound(_("Choose a unit."), field="department")
    return _save_fonds(actor, found, code, name)


def _save_fonds(actor: User, department: Department, code: str, name: str) -> Fonds:
    unit = fonds_unit(department)
    if unit.pk != department.pk:
        raise InvalidInput(
            _("A division's records belong to the fonds of %(unit)s: choose that unit.")
            % {"unit": unit.name},
            field="department",
        )
    code = (code or "").strip().upper()
    if not FONDS_CODE.fullmatch(code):
        raise InvalidInput(str(fonds_code_validator.message), field="code")
    name = (name or "").strip() or unit.name
    if len(name) > 100:
        raise InvalidInput(_("A fonds name has at most 100 characters."), field="name")
    policy.require(actor, Action.ARCHIVE_RECORDS, unit)
    existing = Fonds.objects.filter(department=unit).first()
    taken = Fonds.objects.filter(code=code).exclude(department=unit).first()
    if taken is not None:
        raise Conflict(
            _("The fonds code %(code)s belongs to %(unit)s already.")
            % {"code": code, "unit": taken.name},
            field="code",
        )
    if existing is not None and existing.code != code and existing.records.exists():
        raise Conflict(
            _(
                "Records of this fonds already carry the code %(code)s in their archival codes; "
                "a fonds code does not change once used (DA/T 13-2022)."
            )
            % {"code": existing.code},
            field="code",
        )
    try:
        with transaction.atomic():
            if existing is None:
                fonds = Fonds.objects.create(
                    code=code, name=name, department=unit, created_by_username=actor.username
                )
                record(
                    "records.fonds.create",
                    actor=actor,
                    obj=fonds,
                    after={"code": code, "unit": unit.code},
                )
            else:
                before = {"code": existing.code, "name": existing.name}
                existing.code, existing.name = code, name
                existing.save(update_fields=["code", "name"])
                fonds = existing
                record(
                    "records.fonds.update",
                    actor=actor,
                    obj=fonds,
                    before=before,
                    after={"code": code, "name": name},
                )
    except IntegrityError as exc:
        raise Conflict(_("This fonds code is taken."), field="code") from exc
    return fonds


# --- archiving ------------------------------------------------------------------------------


@dataclass
class _Input:
    source_type: str
    source_id: str
    title: str
    doc_number: str
    responsible: str
    date: Date
    classification: int
    retention: str
    category: str
    remarks: str
    pages: int | None
    metadata: dict[str, Any]
    files: list[tuple[str, bytes, str]]


def _text(value: Any, field_name: str, limit: int, *, required: bool, label: str) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(_("%(field)s must be text.") % {"field": label}, field=field_name)
    value = value.strip()
    if required and not value:
        raise InvalidInput(_("%(field)s is required.") % {"field": label}, field=field_name)
    if len(value) > limit:
        raise InvalidInput(
            _("%(field)s has at most %(n)d characters.") % {"field": label, "n": limit},
            field=field_name,
        )
    return value


def _file_name_problem(name: Any) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return _("a file has no name")
    if len(name) > MAX_FILE_NAME:
        return _("the file name “%(name)s…” is too long") % {"name": name[:40]}
    if "/" in name or name.strip() in (".", "..") or packages.unsafe_name(name) is not None:
        return _(
            "the file name “%(name)s” may not contain slashes, backslashes or control characters"
        ) % {"name": name[:60]}
    return None


def _unique_name(name: str, taken: set[str]) -> str:
    """Two attachments may carry the same name; inside a record (and a package) each file needs
    its own: the second becomes "附件 (2).pdf"."""
    if name.casefold() not in taken:
        return name
    stem, suffix = os.path.splitext(name)
    number = 2
    while f"{stem} ({number}){suffix}".casefold() in taken:
        number += 1
    return f"{stem} ({number}){suffix}"


def _validated(
    *,
    source_type: Any,
    source_id: Any,
    title: Any,
    doc_number: Any,
    responsible: Any,
    date: Any,
    classification: Any,
    retention: Any,
    files: Any,
    metadata: Any,
    pages: Any,
    category_code: Any,
    remarks: Any,
) -> _Input:
    """Check everything before anything is written; the first problem names its field."""
    source_type = _text(source_type, "source_type", 100, required=True, label=_("The source type"))
    source_id = _text(
        None if source_id is None else str(source_id), "source_id", 64, required=True,
        label=_("The source id"),
    )  # fmt: skip
    title = _text(title, "title", 500, required=True, label=_("The title (题名)"))
    doc_number = _text(
        doc_number, "doc_number", 100, required=False, label=_("The document number (文号)")
    )
    responsible = _text(
        responsible, "responsible", 200, required=True, label=_("The responsible party (责任者)")
    )
    remarks = _text(remarks, "remarks", 500, required=False, label=_("The remarks (备注)"))
    if not isinstance(date, Date) or not 1000 <= date.year <= 9999:
        raise InvalidInput(_("Give the document's date (日期)."), field="date")
    if isinstance(date, datetime):  # the calendar day in the platform's time zone
        date = timezone.localtime(date).date() if timezone.is_aware(date) else date.date()
    if isinstance(classification, bool) or classification not in Classification.values:
        raise InvalidInput(
            _("Choose a classification (密级) from the list."), field="classification"
        )
    if not isinstance(retention, str) or retention not in Retention.values:
        raise InvalidInput(
            _("The retention period (保管期限) must be Y (permanent), D30 or D10."),
            field="retention",
        )
    category = category_code.strip().upper() if isinstance(category_code, str) else ""
    if not CATEGORY.fullmatch(category):
        raise InvalidInput(
            _("The category code (门类代码) has two capital letters, e.g. WS."),
            field="category_code",
        )
    if pages is not None and (
        isinstance(pages, bool) or not isinstance(pages, int) or not 1 <= pages <= MAX_PAGES
    ):
        raise InvalidInput(_("The page count (页数) must be a positive number."), field="pages")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise InvalidInput(_("The metadata must be an object (a dict)."), field="metadata")
    try:
        encoded = json.dumps(metadata, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvalidInput(
            _("The metadata must hold only text, numbers, lists and objects."), field="metadata"
        ) from exc
    if len(encoded) > MAX_METADATA_CHARS:
        raise InvalidInput(_("The metadata is too large (at most 64 KB)."), field="metadata")
    if not isinstance(files, Sequence) or isinstance(files, (str, bytes)) or not files:
        raise InvalidInput(_("A record needs at least one file."), field="files")
    if len(files) > MAX_FILES:
        raise InvalidInput(_("A record has at most %(n)d files.") % {"n": MAX_FILES}, field="files")
    checked: list[tuple[str, bytes, str]] = []
    names: set[str] = set()
    counted = 0  # pages of the item's PDF files
    for item in files:
        if not isinstance(item, (tuple, list)) or len(item) != 3:
            raise InvalidInput(_("Give each file as (name, content, role)."), field="files")
        name, content, role = item
        problem = _file_name_problem(name)
        if problem:
            raise InvalidInput(_("Files: %(problem)s.") % {"problem": problem}, field="files")
        name = _unique_name(name.strip(), names)
        names.add(name.casefold())
        if role not in FileRole.values:
            raise InvalidInput(
                _("The file “%(name)s” has an unknown role “%(role)s”.")
                % {"name": name, "role": role},
                field="files",
            )
        if not isinstance(content, (bytes, bytearray, memoryview)) or not len(content):
            raise InvalidInput(_("The file “%(name)s” is empty.") % {"name": name}, field="files")
        content = bytes(content)
        if len(content) > MAX_FILE_BYTES:
            raise InvalidInput(
                _("The file “%(name)s” is larger than 500 MB.") % {"name": name}, field="files"
            )
        if looks_like_pdf(name, content):
            why, in_file = pdf_check(content)
            if why:
                raise InvalidInput(
                    _("The file “%(name)s” is not usable: %(why)s.") % {"name": name, "why": why},
                    field="files",
                )
            counted += in_file
        checked.append((name, content, role))
    if not any(role == FileRole.MAIN for _n, _c, role in checked):
        raise InvalidInput(_("One of the files must be the main text (正文)."), field="files")
    if pages is None and counted:
        # 页数 (DA/T 22-2015 §5.5): the pages of the whole item — 正文, 附件, 处理单 — as its PDF
        # files have them; a file in another format has no fixed pages and is not counted.
        pages = min(counted, MAX_PAGES)
    return _Input(
        source_type=source_type,
        source_id=source_id,
        title=title,
        doc_number=doc_number,
        responsible=responsible,
        date=date,
        classification=int(classification),
        retention=str(retention),
        category=category,
        remarks=remarks,
        pages=pages,
        metadata=json.loads(encoded),
        files=checked,
    )


def require_archive(
    actor: User, department: Department, classification: int = 0, *, what: str = ""
) -> None:
    """Raise Forbidden (audited) unless ``actor`` may archive a record of ``department`` at
    ``classification``: ``records.archive`` over the department and the clearance for it.

    ``archive`` checks this itself; a caller that archives inside its own transaction calls it
    first, outside that transaction, so that a refusal's audit entry is not rolled back with it.
    """
    probe = Record(department=department, classification=classification)
    if policy.can(actor, Action.ARCHIVE_RECORDS, probe):
        return
    in_scope = policy.can(actor, Action.ARCHIVE_RECORDS, department)
    record_denied(
        Action.ARCHIVE_RECORDS,
        object_type="records.record",
        object_repr=what[:200],
        detail=gettext_noop("above clearance") if in_scope else gettext_noop("outside one's units"),
        after={"department": department.code},
        actor=actor,
    )
    raise Forbidden(
        _("You may not archive a record classified above your clearance.")
        if in_scope
        else _("You may not archive records of %(department)s.") % {"department": department.name}
    )


def archive(
    actor: User,
    *,
    source_type: str,
    source_id: str,
    department: Department,
    title: str,
    doc_number: str,
    responsible: str,
    date: Date,
    classification: int,
    retention: str,
    files: list[tuple[str, bytes, str]],
    metadata: dict[str, Any],
    pages: int | None = None,
    category_code: str = DEFAULT_CATEGORY,
    remarks: str = "",
) -> Record:
    """归档: make one record (件) of a finished document and its files.

    ``files`` are ``(name, content, role)`` with role one of ``FileRole`` (``main`` 正文 — at
    least one —, ``attachment`` 附件, ``draft`` 定稿, ``processing_slip`` 处理单/发文稿纸, ``other``). The
    record gets the next item number of its class (gap-free: a transaction that rolls back gives
    its number back) and its archival code, e.g. ``F001-WS·2026-Y-BGT-0001``.

    Needs ``records.archive`` over ``department`` and a clearance at least ``classification``.
    The same ``(source_type, source_id)`` archived twice → ``Conflict`` (409). May run inside the
    caller's transaction (its own is then a savepoint).
    """
    clean = _validated(
        source_type=source_type, source_id=source_id, title=title, doc_number=doc_number,
        responsible=responsible, date=date, classification=classification,
        retention=retention, files=files, metadata=metadata, pages=pages,
        category_code=category_code, remarks=remarks,
    )  # fmt: skip
    if not isinstance(department, Department) or department.pk is None:
        raise InvalidInput(_("Choose the department the record belongs to."), field="department")
    require_archive(
        actor, department, clean.classification, what=f"{clean.source_type}:{clean.source_id}"
    )
    _refuse_duplicate(actor, clean)
    try:
        with transaction.atomic():
            created = _create(actor, clean, department)
    except IntegrityError as exc:
        if Record.objects.filter(source_type=clean.source_type, source_id=clean.source_id).exists():
            _refuse_duplicate(actor, clean)
        raise Conflict(_("The record could not be saved; try again.")) from exc
    return created


def _refuse_duplicate(actor: User, clean: _Input) -> None:
    existing = Record.objects.filter(
        source_type=clean.source_type, source_id=clean.source_id
    ).first()
    if existing is None:
        return
    # 公文 示政办发〔2026〕12号: the source as a person names it (core.labels), not its code.
    source = f"{labels.object_type_label(clean.source_type)} {clean.doc_number or clean.title}"
    if policy.can(actor, Action.VIEW_RECORDS, existing) or policy.can(
        actor, Action.ARCHIVE_RECORDS, existing
    ):
        raise Conflict(
            _("%(source)s was archived already, as %(code)s.")
            % {"source": source, "code": existing.archival_code},
            code="already_archived",
        )
    raise Conflict(
        _("%(source)s was archived already.") % {"source": source},
        code="already_archived",
    )


def _create(actor: User, clean: _Input, department: Department) -> Record:
    fonds = _fonds_for(actor, fonds_unit(department))
    organisation = organisation_code(department)
    year = clean.date.year
    key = f"records:{fonds.code}:{clean.category}:{year}:{clean.retention}:{organisation}"
    item = numbering.next_value(key)
    if item > 9999:
        raise Conflict(_("The item numbers of %(class)s are used up (9999).") % {"class": key[8:]})
    code = packages.archival_code(
        fonds.code, clean.category, year, clean.retention, organisation, item
    )
    now = timezone.now()
    created = Record.objects.create(
        fonds=fonds,
        category_code=clean.category,
        year=year,
        retention=clean.retention,
        organisation_code=organisation,
        item_number=item,
        archival_code=code,
        doc_number=clean.doc_number,
        responsible=clean.responsible,
        title=clean.title,
        date=clean.date,
        classification=clean.classification,
        pages=clean.pages,
        remarks=clean.remarks,
        source_type=clean.source_type,
        source_id=clean.source_id,
        department=department,
        metadata=clean.metadata,
        archived_by=actor,
        archived_at=now,
        expires_on=retention_ends(year, clean.retention),
    )
    stored_files = []
    for position, (name, content, role) in enumerate(clean.files):
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        stored = files.store_bytes(content, name=name, content_type=content_type)
        stored_files.append(
            RecordFile(
                record=created, stored=stored, sha256=stored.sha256, size=stored.size,
                name=name, role=role, content_type=content_type, position=position,
                checked_at=now, fixity_ok=True,
            )
        )  # fmt: skip
    RecordFile.objects.bulk_create(stored_files)
    record(
        "records.archive",
        actor=actor,
        obj=created,
        after={
            "archival_code": code,
            "source": f"{clean.source_type}:{clean.source_id}",
            "department": department.code,
            "retention": clean.retention,
            "classification": clean.classification,
            "files": [{"name": f.name, "role": f.role, "sha256": f.sha256} for f in stored_files],
        },
    )
    return created


# --- reading files and fixity ---------------------------------------------------------------


# The detail of a refusal's audit entry (stored in English, translated where the trail is read).
NOT_FOUND = gettext_noop("not found or out of scope")


def _visible_record(user: User, record_id: int, action: str | None = None) -> Record | None:
    base = Record.objects.select_related("fonds", "department", "archived_by").filter(pk=record_id)
    found = policy.visible_to(user, base).first()
    if found is None and action is not None:
        found = policy.visible_to(user, base, action).first()
    return found


def _record_for_change(actor: User, record_id: Any, action: str) -> Record:
    """The record, if the actor may see it; then ``action`` on it is required (audited)."""
    found = _visible_record(actor, record_id, action) if isinstance(record_id, int) else None
    if found is None:
        record_denied(action, object_type="records.record", object_id=str(record_id)[:64],
                      actor=actor, detail=NOT_FOUND)  # fmt: skip
        raise NotFound()
    policy.require(actor, action, found)
    return found


def open_record_file(user: User, record_id: int, file_id: int) -> tuple[RecordFile, IO[bytes]]:
    """A file of a record the user may see, opened for reading; the read is audited (利用登记)."""
    found = _visible_record(user, record_id)
    if found is None:
        raise NotFound()
    item = RecordFile.objects.filter(record=found, pk=file_id).first()
    if item is None:
        raise NotFound()
    if not found.files_available or item.stored_id is None:
        raise Gone()
    try:
        handle = files.open_file(item.sha256)
    except FileNotFoundError as exc:
        raise Conflict(
            _("The file “%(name)s” is missing from the store; tell the archivist.")
            % {"name": item.name}
        ) from exc
    with transaction.atomic():
        record(
            "records.file.download",
            actor=user,
            obj=found,
            after={"file": item.name, "sha256": item.sha256},
        )
    return item, handle


@dataclass
class FileFixity:
    id: int
    name: str
    role: str
    sha256: str
    size: int
    status: str  # ok | changed | missing | unusable | disposed
    problem: str = ""


def _check_file(item: RecordFile) -> FileFixity:
    result = FileFixity(item.pk, item.name, item.role, item.sha256, item.size, "ok")
    if item.stored_id is None:
        result.status = "disposed"
        return result
    if not files.verify_fixity(item.sha256):
        result.status = "missing" if not files.path_for(item.sha256).exists() else "changed"
        result.problem = (
            _("the file is missing from the store")
            if result.status == "missing"
            else _("the bytes no longer match the SHA-256 recorded at archiving")
        )
        return result
    if item.content_type == "application/pdf" or item.name.lower().endswith(".pdf"):
        with files.open_file(item.sha256) as handle:
            data = handle.read(packages.MAX_PDF_CHECK_BYTES + 1)
        if len(data) <= packages.MAX_PDF_CHECK_BYTES:
            problem = pdf_problem(data)
            if problem:
                result.status, result.problem = "unusable", problem
    return result


def check_fixity(actor: User, record_id: int) -> list[FileFixity]:
    """Recompute the SHA-256 of each stored file of a record (and open its PDFs); remember and
    audit the result. Anyone who may see the record may check it."""
    found = _visible_record(actor, record_id)
    if found is None:
        raise NotFound()
    if not found.files_available:
        raise Gone()
    items = list(found.files.all())
    results = [_check_file(item) for item in items]
    now = timezone.now()
    with transaction.atomic():
        for item, result in zip(items, results, strict=True):
            item.checked_at, item.fixity_ok = now, result.status == "ok"
        RecordFile.objects.bulk_update(items, ["checked_at", "fixity_ok"])
        record(
            "records.fixity.check",
            actor=actor,
            obj=found,
            after={
                "ok": all(r.status == "ok" for r in results),
                "files": {r.name: r.status for r in results},
            },
        )
    return results


def fixity_sweep(limit: int = 100, older_than_days: int = 30) -> dict[str, int]:
    """Worker job: check the files least recently checked (never, or more than
    ``older_than_days`` ago), at most ``limit`` per run; one audit entry per run."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    items = list(
        RecordFile.objects.filter(stored__isnull=False)
        .filter(Q(checked_at__isnull=True) | Q(checked_at__lt=cutoff))
        .exclude(record__status=RecordStatus.DISPOSED)
        .select_related("record")
        .order_by("checked_at", "pk")[:limit]
    )
    if not items:
        return {"checked": 0, "failed": 0}
    results = [_check_file(item) for item in items]
    now = timezone.now()
    failed = [(i, r) for i, r in zip(items, results, strict=True) if r.status != "ok"]
    with transaction.atomic():
        for item, result in zip(items, results, strict=True):
            item.checked_at, item.fixity_ok = now, result.status == "ok"
        RecordFile.objects.bulk_update(items, ["checked_at", "fixity_ok"])
        record(
            "records.fixity.sweep",
            object_type="records.recordfile",
            after={
                "checked": len(items),
                "failed": [
                    {"record": i.record.archival_code, "file": i.name, "status": r.status}
                    for i, r in failed[:50]
                ],
            },
        )
    return {"checked": len(items), "failed": len(failed)}


# --- packages -------------------------------------------------------------------------------


@dataclass
class Package:
    """A transfer package ready to send: a seekable file positioned at 0."""

    filename: str
    file: IO[bytes]
    size: int
    sha256: str
    archival_codes: list[str]


def catalogue_entry(item: Record, sequence: int, folder: str = "") -> dict[str, Any]:
    """A record's catalogue line (DA/T 22-2015 §5.5) and file list, as metadata.json holds it."""
    folder = folder or f"data/records/{item.archival_code}"
    return {
        "sequence": sequence,
        "archival_code": item.archival_code,
        "fonds_code": item.fonds.code,
        "fonds_name": item.fonds.name,
        "category_code": item.category_code,
        "year": item.year,
        "retention": item.retention,
        "organisation_code": item.organisation_code,
        "item_number": item.item_number,
        "doc_number": item.doc_number,
        "responsible": item.responsible,
        "title": item.title,
        "date": item.date.isoformat(),
        "classification": item.classification,
        "classification_label": str(Classification(item.classification).label),
        "pages": item.pages,
        "remarks": item.remarks,
        "source": {"type": item.source_type, "id": item.source_id},
        "department": {"code": item.department.code, "name": item.department.name},
        "archived_by": item.archived_by.username,
        "archived_at": item.archived_at.isoformat(timespec="seconds"),
        "status": item.status,
        "metadata": item.metadata,
        "files": [
            {
                "path": f"{folder}/{f.name}",
                "name": f.name,
                "role": f.role,
                "size": f.size,
                "sha256": f.sha256,
                "content_type": f.content_type,
            }
            for f in item.files.all()
        ],
    }


def _make_package(actor: User, records: list[Record], name: str) -> Package:
    when = timezone.localtime()
    entries = [catalogue_entry(r, n) for n, r in enumerate(records, 1)]
    metadata = {
        "format": packages.FORMAT,
        "version": packages.FORMAT_VERSION,
        "name": name,
        "created": when.isoformat(timespec="seconds"),
        "creator": actor.username,
        "standards": ["DA/T 22-2015", "DA/T 13-2022", "DA/T 70-2018", "RFC 8493 (BagIt 1.0)"],
        "records": entries,
    }
    payload = []
    for item in records:
        for f in item.files.all():

            def opener(sha: str = f.sha256) -> IO[bytes]:
                return files.open_file(sha)

            payload.append(
                packages.PackedFile(
                    path=f"records/{item.archival_code}/{f.name}",
                    sha256=f.sha256,
                    size=f.size,
                    opener=opener,
                )
            )
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 - returned
    try:
        packages.build(
            out, name=name, metadata=metadata, files=payload, when=when,
            organisation=records[0].fonds.name,
        )  # fmt: skip
    except (packages.FixityFailure, FileNotFoundError) as exc:
        out.close()
        path = exc.path if isinstance(exc, packages.FixityFailure) else str(exc.filename or "")
        raise Conflict(
            _(
                "A file failed its fixity check (%(path)s): the package was not made. "
                "Check the record's fixity and tell the archivist."
            )
            % {"path": path.rsplit("/", 1)[-1]}
        ) from exc
    size = out.tell()
    out.seek(0)
    digest = packages.sha256_of(out)
    codes = [r.archival_code for r in records]
    with transaction.atomic():
        record(
            "records.package.export",
            actor=actor,
            object_type="records.package",
            object_repr=name,
            after={"name": name, "sha256": digest, "size": size, "records": codes[:200],
                   "count": len(codes)},
        )  # fmt: skip
    return Package(f"{name}.zip", out, size, digest, codes)


def _with_files(qs: Any) -> Any:
    return qs.select_related("fonds", "department", "archived_by").prefetch_related("files")


def export_record(actor: User, record_id: int) -> Package:
    """One record's transfer package (needs ``records.archive`` over it)."""
    found = _record_for_change(actor, record_id, Action.ARCHIVE_RECORDS)
    if not found.files_available:
        raise Gone()
    found = _with_files(Record.objects.filter(pk=found.pk)).get()
    return _make_package(actor, [found], found.archival_code)


def export_batch(
    actor: User, *, fonds: str, year: int, category_code: str = DEFAULT_CATEGORY
) -> Package:
    """A year of a fonds (one category) as one package: every record the actor may archive,
    in archival-code order; disposed records are not transferred."""
    code = (fonds or "").strip().upper()
    category = (category_code or "").strip().upper()
    if not FONDS_CODE.fullmatch(code):
        raise InvalidInput(_("Give a fonds code."), field="fonds")
    if isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 9999:
        raise InvalidInput(_("Give the year in four digits."), field="year")
    if not CATEGORY.fullmatch(category):
        raise InvalidInput(
            _("The category code (门类代码) has two capital letters, e.g. WS."),
            field="category_code",
        )
    if not policy.can(actor, Action.ARCHIVE_RECORDS):
        record_denied(Action.ARCHIVE_RECORDS, object_type="records.package", actor=actor,
                      object_repr=f"{code}-{category}·{year}")  # fmt: skip
        raise Forbidden()
    qs = policy.visible_to(
        actor,
        Record.objects.filter(fonds__code=code, year=year, category_code=category).exclude(
            status=RecordStatus.DISPOSED
        ),
        Action.ARCHIVE_RECORDS,
    )
    records = list(_with_files(qs).order_by("retention", "organisation_code", "item_number"))
    if not records:
        raise NotFound(
            _("No records of fonds %(fonds)s for %(year)d that you may export.")
            % {"fonds": code, "year": year}
        )
    return _make_package(actor, records, f"{code}-{category}·{year}")


def verify_package(actor: User, upload: bytes | IO[bytes]) -> dict[str, Any]:
    """Check an uploaded package (四性检测, DA/T 70 in spirit) and compare each record it
    describes with the platform's own, where the person may see it. Audited."""
    if not (policy.can(actor, Action.VIEW_RECORDS) or policy.can(actor, Action.ARCHIVE_RECORDS)):
        record_denied("records.package.verify", object_type="records.package", actor=actor)
        raise Forbidden()
    source: IO[bytes]
    source = io.BytesIO(bytes(upload)) if isinstance(upload, (bytes, bytearray)) else upload
    if source is None:
        raise InvalidInput(_("Choose a package (a ZIP file) to check."), field="file")
    try:
        report = packages.verify(source)
    except ValueError as exc:
        raise InvalidInput(
            _("The package is larger than %(n)d GB.")
            % {"n": packages.MAX_PACKAGE_BYTES // 1024**3},
            field="file",
        ) from exc
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InvalidInput(_("This is not a ZIP file."), field="file") from exc
    result = report.as_dict()
    _compare_with_platform(actor, result)
    with transaction.atomic():
        record(
            "records.package.verify",
            actor=actor,
            object_type="records.package",
            object_repr=report.name[:200],
            after={
                "sha256": report.sha256,
                "ok": report.ok,
                "authenticity": report.authenticity,
                "integrity": report.integrity,
                "usability": report.usability,
                "security": report.security,
                "records": [r["archival_code"] for r in report.records][:100],
                "failed": [f.path for f in report.files if f.status != "ok"][:50],
            },
        )
    return result


def _compare_with_platform(actor: User, result: dict[str, Any]) -> None:
    """For each described record the person may see here: do its files match ours?"""
    codes = [r["archival_code"] for r in result["records"] if r.get("archival_code")]
    ours = {
        r.archival_code: r
        for r in policy.visible_to(
            actor, Record.objects.filter(archival_code__in=codes[:1000]).prefetch_related("files")
        )
    }
    in_package: dict[str, set[tuple[str, str]]] = {}
    for check in result["files"]:
        parts = check["path"].split("/")
        if len(parts) == 4 and parts[0] == "data" and parts[1] == "records":
            in_package.setdefault(parts[2], set()).add((parts[3], check["actual_sha256"]))
    for entry in result["records"]:
        mine = ours.get(entry.get("archival_code", ""))
        if mine is None:
            entry["platform"] = "unknown"
            continue
        expected = {(f.name, f.sha256) for f in mine.files.all()}
        if mine.status == RecordStatus.DISPOSED:
            entry["platform"] = "disposed"
        else:
            entry["platform"] = (
                "match" if expected == in_package.get(mine.archival_code, set()) else "differs"
            )


# --- appraisal and disposal (鉴定与销毁) -------------------------------------------------------


def _reason(reason: Any, field_name: str = "reason") -> str:
    return _text(reason, field_name, 2000, required=True, label=_("The reason"))


def keep(actor: User, record_id: int, *, retention: str, reason: str) -> Record:
    """鉴定 — keep: a record whose retention ran out is kept for longer (a longer retention,
    counted as before from its year); it leaves the appraisal list until that runs out too."""
    found = _record_for_change(actor, record_id, Action.ARCHIVE_RECORDS)
    if not isinstance(retention, str) or retention not in Retention.values:
        raise InvalidInput(
            _("The retention period (保管期限) must be Y (permanent), D30 or D10."),
            field="retention",
        )
    reason = _reason(reason)
    today = timezone.localdate()
    if RETENTION_RANK[Retention(retention)] <= RETENTION_RANK[Retention(found.retention)]:
        raise InvalidInput(
            _("Choose a retention longer than the present one (%(current)s).")
            % {"current": Retention(found.retention).label},
            field="retention",
        )
    ends = retention_ends(found.year, retention)
    if ends is not None and ends <= today:
        raise InvalidInput(
            _("That retention ran out too (on %(day)s): choose a longer one.")
            % {"day": ends.isoformat()},
            field="retention",
        )
    with transaction.atomic():
        locked = Record.objects.select_for_update().get(pk=found.pk)
        _require_due(locked, today)
        before = {"retention": locked.retention, "status": locked.status}
        Appraisal.objects.create(
            record=locked,
            kind=AppraisalKind.KEEP,
            reason=reason,
            retention_before=locked.retention,
            retention_after=retention,
            status_before=locked.status,
            appraised_by=actor,
            state=DecisionState.APPROVED,
        )
        locked.retention = retention
        locked.expires_on = ends
        locked.status = RecordStatus.RETAINED
        locked.save(update_fields=["retention", "expires_on", "status"])
        record(
            "records.appraisal.keep",
            actor=actor,
            obj=locked,
            before=before,
            after={"retention": retention, "expires_on": ends.isoformat() if ends else None,
                   "reason": reason},
        )  # fmt: skip
    return locked


def _require_due(locked: Record, today: Date) -> None:
    if locked.status not in APPRAISABLE:
        raise Conflict(
            _("This record is %(status)s: it cannot be appraised now.")
            % {"status": RecordStatus(locked.status).label}
        )
    if not is_due(locked, today):
        raise Conflict(
            _("This record's retention has not run out: it is kept until %(day)s.")
            % {"day": locked.expires_on.isoformat() if locked.expires_on else _("forever")}
        )


def approvers_of(item: Record) -> list[User]:
    """Who may approve the disposal of ``item`` (for the notice that one is waiting)."""
    holders = {
        user_id
        for user_id, permissions in RoleAssignment.objects.values_list(
            "user_id", "role__permissions"
        )
        if Action.APPROVE_DISPOSAL in (permissions or [])
    }
    people = User.objects.filter(pk__in=holders, is_active=True)
    return [u for u in people if policy.can(u, Action.APPROVE_DISPOSAL, item)]


def propose_disposal(actor: User, record_id: int, *, reason: str) -> Appraisal:
    """鉴定 — propose disposal: the record waits for a second person's approval (销毁审批)."""
    from tongban.notifications import services as notifications

    found = _record_for_change(actor, record_id, Action.ARCHIVE_RECORDS)
    reason = _reason(reason)
    today = timezone.localdate()
    with transaction.atomic():
        locked = Record.objects.select_for_update().select_related("fonds").get(pk=found.pk)
        _require_due(locked, today)
        proposal = Appraisal.objects.create(
            record=locked,
            kind=AppraisalKind.DISPOSE,
            reason=reason,
            retention_before=locked.retention,
            status_before=locked.status,
            appraised_by=actor,
            state=DecisionState.PENDING,
        )
        before = locked.status
        locked.status = RecordStatus.DISPOSAL_PROPOSED
        locked.save(update_fields=["status"])
        approvers = [u for u in approvers_of(locked) if u.pk != actor.pk]
        notifications.notify(
            approvers,
            kind="task",
            title=gettext_noop("Disposal to approve: %(code)s %(title)s"),
            params={"code": locked.archival_code, "title": locked.title},
            body=reason,
            obj=locked,
            actor=actor,
        )
        record(
            "records.disposal.propose",
            actor=actor,
            obj=locked,
            before={"status": before},
            after={"status": locked.status, "appraisal": proposal.pk, "reason": reason,
                   "notified": [u.username for u in approvers][:50]},
        )  # fmt: skip
    return proposal


def _proposal_for(actor: User, appraisal_id: Any, action: str) -> Appraisal:
    base = Appraisal.objects.select_related("record", "record__department", "appraised_by")
    found = None
    if isinstance(appraisal_id, int):
        qs = base.filter(pk=appraisal_id, kind=AppraisalKind.DISPOSE)
        found = policy.visible_to(actor, qs, action).first() or policy.visible_to(actor, qs).first()
    if found is None:
        record_denied(action, object_type="records.appraisal", object_id=str(appraisal_id)[:64],
                      actor=actor, detail=NOT_FOUND)  # fmt: skip
        raise NotFound()
    policy.require(actor, action, found.record)
    return found


# Where a record came from may hold the same content (a document keeps its sealed PDF): its app
# registers a function that withdraws it when the record is destroyed (called in the approval's
# transaction, before the bytes are released).
_disposal_handlers: dict[str, Callable[[str], None]] = {}


def on_disposal(source_type: str, handler: Callable[[str], None]) -> None:
    """Call ``handler(source_id)`` when a record of ``source_type`` is destroyed."""
    _disposal_handlers[source_type] = handler


def approve_disposal(actor: User, appraisal_id: int, *, note: str = "") -> Appraisal:
    """销毁审批: a second person approves a proposed disposal. The record becomes "disposed": its
    catalogue line and the disposal list entry stay; its files are no longer served and are
    removed from the store unless something else still refers to the same bytes."""
    proposal = _proposal_for(actor, appraisal_id, Action.APPROVE_DISPOSAL)
    if proposal.appraised_by_id == actor.pk:
        record_denied(
            Action.APPROVE_DISPOSAL, obj=proposal.record, actor=actor,
            detail=gettext_noop("the proposer cannot approve their own proposal"),
        )  # fmt: skip
        raise Forbidden(
            _("A disposal needs a second person: you proposed it, so someone else approves it.")
        )
    note = _text(note, "note", 2000, required=False, label=_("The note"))
    with transaction.atomic():
        locked = Appraisal.objects.select_for_update().get(pk=proposal.pk)
        item = Record.objects.select_for_update().get(pk=locked.record_id)
        if locked.state != DecisionState.PENDING or item.status != RecordStatus.DISPOSAL_PROPOSED:
            raise Conflict(_("This disposal was decided already."))
        now = timezone.now()
        locked.state, locked.decided_by, locked.decided_at = DecisionState.APPROVED, actor, now
        locked.decision_note = note
        locked.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        item.status, item.disposed_at = RecordStatus.DISPOSED, now
        item.save(update_fields=["status", "disposed_at"])
        destroyed = list(item.files.values("name", "sha256", "size"))
        item.files.update(stored=None)
        handler = _disposal_handlers.get(item.source_type)
        if handler is not None:
            handler(item.source_id)
        removed = _release({f["sha256"] for f in destroyed})
        record(
            "records.disposal.approve",
            actor=actor,
            obj=item,
            before={"status": RecordStatus.DISPOSAL_PROPOSED},
            after={
                "status": RecordStatus.DISPOSED,
                "appraisal": locked.pk,
                "proposed_by": proposal.appraised_by.username,
                "reason": locked.reason,
                "note": note,
                "files": destroyed,
                "removed_from_store": removed,
            },
        )
    return locked


def reject_disposal(actor: User, appraisal_id: int, *, reason: str) -> Appraisal:
    """The approver refuses a proposed disposal: the record goes back to the appraisal list."""
    proposal = _proposal_for(actor, appraisal_id, Action.APPROVE_DISPOSAL)
    reason = _reason(reason)
    with transaction.atomic():
        locked = Appraisal.objects.select_for_update().get(pk=proposal.pk)
        item = Record.objects.select_for_update().get(pk=locked.record_id)
        if locked.state != DecisionState.PENDING or item.status != RecordStatus.DISPOSAL_PROPOSED:
            raise Conflict(_("This disposal was decided already."))
        locked.state, locked.decided_by, locked.decided_at = (
            DecisionState.REJECTED, actor, timezone.now(),
        )  # fmt: skip
        locked.decision_note = reason
        locked.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        item.status = locked.status_before
        item.save(update_fields=["status"])
        record(
            "records.disposal.reject",
            actor=actor,
            obj=item,
            before={"status": RecordStatus.DISPOSAL_PROPOSED},
            after={"status": item.status, "appraisal": locked.pk, "reason": reason},
        )
    return locked


def file_references() -> list[Any]:
    """Every relation that points at a stored file, hidden ones (``related_name="+"``) included:
    the documents' PDFs and attachments, the records' files, whatever an app adds later."""
    return [
        field
        for field in StoredFile._meta.get_fields(include_hidden=True)
        if field.is_relation and field.auto_created and not field.concrete
    ]


def _referenced_elsewhere(sha256: str) -> bool:
    """Whether any row other than a record file still points at the stored file."""
    for relation in file_references():
        model = relation.related_model
        if model is RecordFile:
            continue
        lookup = f"{relation.field.name}__pk"
        if model._base_manager.filter(**{lookup: sha256}).exists():
            return True
    return False


def _release(shas: Iterable[str]) -> list[str]:
    """Remove from the store the files no other record (and nothing else) refers to. Rows go
    in the transaction; the bytes after it commits, unless the same bytes were stored again."""
    removed = []
    for sha in sorted(shas):
        if RecordFile.objects.filter(sha256=sha, stored__isnull=False).exists():
            continue
        if _referenced_elsewhere(sha):
            continue
        try:
            with transaction.atomic():
                StoredFile.objects.filter(sha256=sha).delete()
        except ProtectedError:  # a reference this check did not know of: keep the bytes
            continue
        removed.append(sha)

    def unlink() -> None:
        for sha in removed:
            if not StoredFile.objects.filter(sha256=sha).exists():
                files.path_for(sha).unlink(missing_ok=True)

    if removed:
        transaction.on_commit(unlink)
    return removed


@dataclass
class DisposalLine:
    """A line of the disposal list (销毁清册)."""

    archival_code: str
    title: str
    year: int
    retention: str
    proposed_by: str
    proposed_at: str
    reason: str
    approved_by: str
    approved_at: str
    note: str
    files: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def disposal_line(appraisal: Appraisal) -> DisposalLine:
    item = appraisal.record
    return DisposalLine(
        archival_code=item.archival_code,
        title=item.title,
        year=item.year,
        retention=appraisal.retention_before,
        proposed_by=appraisal.appraised_by.display_name or appraisal.appraised_by.username,
        proposed_at=timezone.localtime(appraisal.appraised_at).isoformat(timespec="seconds"),
        reason=appraisal.reason,
        approved_by=(appraisal.decided_by.display_name or appraisal.decided_by.username)
        if appraisal.decided_by
        else "",
        approved_at=timezone.localtime(appraisal.decided_at).isoformat(timespec="seconds")
        if appraisal.decided_at
        else "",
        note=appraisal.decision_note,
        files=[{"name": f.name, "sha256": f.sha256, "size": f.size} for f in item.files.all()],
    )
