"""归档: the archival code, gap-free item numbers, one record per source, refusals that write
nothing but their audit entry."""

from __future__ import annotations

import hashlib
import re
from datetime import date

import pytest
from django.db import transaction

from tests.records.conftest import pdf
from tongban.audit.models import AuditEntry
from tongban.core import files
from tongban.core.errors import Conflict, Forbidden, InvalidInput
from tongban.core.models import NumberSequence, StoredFile
from tongban.records import services
from tongban.records.models import Fonds, Record, RecordFile, RecordStatus

pytestmark = pytest.mark.django_db

CODE = re.compile(r"^[A-Z0-9]+-[A-Z]{2}·\d{4}-(Y|D30|D10)-[A-Z0-9]+-\d{4}$")


def counts() -> tuple[int, int, int, int, int]:
    return (
        Record.objects.count(),
        RecordFile.objects.count(),
        StoredFile.objects.count(),
        Fonds.objects.count(),
        NumberSequence.objects.filter(key__startswith="records:").count(),
    )


def test_archiving_makes_a_record_with_its_code_files_and_audit_entry(archive, people, city):
    record = archive(retention="Y", date=date(2026, 3, 5))
    assert record.archival_code == "F001-WS·2026-Y-EDU-0001"
    assert CODE.match(record.archival_code)
    assert (record.fonds.code, record.fonds.department, record.fonds.name) == (
        "F001", city["edu"], "教育局",
    )  # fmt: skip
    assert (record.category_code, record.year, record.retention) == ("WS", 2026, "Y")
    assert (record.organisation_code, record.item_number) == ("EDU", 1)
    assert record.status == RecordStatus.ARCHIVED and record.expires_on is None
    assert record.archived_by == people["archivist"]
    assert [f.role for f in record.files.all()] == ["main", "attachment", "processing_slip"]
    main = record.files.get(role="main")
    assert main.content_type == "application/pdf" and main.fixity_ok
    with files.open_file(main.sha256) as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == main.sha256
    entry = AuditEntry.objects.get(action="records.archive")
    assert (
        entry.object_id == str(record.pk) and entry.after["archival_code"] == record.archival_code
    )
    assert {f["sha256"] for f in entry.after["files"]} == {f.sha256 for f in record.files.all()}


def test_item_numbers_run_per_class_with_four_digits(archive, city, people):
    first = archive(retention="D10")
    second = archive(retention="D10")
    other_retention = archive(retention="D30")
    other_year = archive(retention="D10", date=date(2025, 12, 31))
    division = archive(retention="D10", department=city["edu_basic"])
    assert first.archival_code == "F001-WS·2026-D10-EDU-0001"
    assert second.archival_code == "F001-WS·2026-D10-EDU-0002"
    assert other_retention.archival_code == "F001-WS·2026-D30-EDU-0001"
    assert other_year.archival_code == "F001-WS·2025-D10-EDU-0001"
    # A division's records go into its bureau's fonds, with the division as 机构(问题).
    assert division.archival_code == "F001-WS·2026-D10-EDUBASIC-0001"
    assert division.fonds == first.fonds
    fin = archive(actor=people["fin_archivist"], department=city["fin"], responsible="财政局")
    assert fin.archival_code == "F002-WS·2026-D10-FIN-0001"
    assert Fonds.objects.get(code="F002").department == city["fin"]


def test_a_rolled_back_archive_gives_its_number_back(archive):
    archive()
    with pytest.raises(RuntimeError), transaction.atomic():
        lost = archive()
        assert lost.item_number == 2
        raise RuntimeError("the caller's transaction fails after archiving")
    again = archive()
    assert again.item_number == 2
    assert again.archival_code.endswith("-0002")
    assert list(Record.objects.values_list("item_number", flat=True).order_by("item_number")) == [
        1,
        2,
    ]


def test_a_failure_inside_archiving_writes_nothing_and_uses_no_number(archive, monkeypatch):
    archive()
    before = counts()
    audit_before = AuditEntry.objects.count()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(services.files, "store_bytes", broken)
    with pytest.raises(OSError):
        archive()
    assert counts() == before and AuditEntry.objects.count() == audit_before
    monkeypatch.undo()
    assert archive().item_number == 2


def test_a_source_is_archived_once(archive):
    first = archive(source_id="42")
    before = counts()
    with pytest.raises(Conflict) as refused:
        archive(source_id="42", title="另一个标题")
    assert refused.value.status == 409
    # The source as a person names it (core.labels), not its code "documents.document 42".
    assert str(refused.value.message).startswith("公文 示教发〔2026〕1号")
    assert "documents.document" not in str(refused.value.message)
    assert first.archival_code in str(refused.value.message)
    assert counts() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"retention": "D20"}, "retention"),
        ({"retention": ""}, "retention"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 501}, "title"),
        ({"responsible": ""}, "responsible"),
        ({"files": []}, "files"),
        ({"files": [("附件.pdf", pdf(), "attachment")]}, "files"),
        ({"files": [("正文.pdf", b"", "main")]}, "files"),
        ({"files": [("正文.pdf", b"%PDF-1.7 broken", "main")]}, "files"),
        ({"files": [("../正文.pdf", pdf(), "main")]}, "files"),
        ({"files": [("a/b.pdf", pdf(), "main")]}, "files"),
        ({"files": [("正文.pdf", pdf(), "poster")]}, "files"),
        ({"date": "2026-03-05"}, "date"),
        ({"classification": 9}, "classification"),
        ({"pages": 0}, "pages"),
        ({"metadata": {"when": date(2026, 1, 1)}}, "metadata"),
        ({"metadata": ["not", "a", "dict"]}, "metadata"),
        ({"category_code": "文书"}, "category_code"),
        ({"source_id": ""}, "source_id"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(archive, english, overrides, field):
    archive()
    before = counts()
    audit_before = AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as refused:
        archive(**overrides)
    assert refused.value.field == field
    assert refused.value.status == 422 and str(refused.value.message)
    assert counts() == before and AuditEntry.objects.count() == audit_before


def test_messages_are_in_english_source_and_say_what_to_fix(archive, english):
    with pytest.raises(InvalidInput) as refused:
        archive(retention="D20")
    assert "Y (permanent), D30 or D10" in str(refused.value.message)
    with pytest.raises(InvalidInput) as refused:
        archive(title="")
    assert "title" in str(refused.value.message).lower()


def test_no_permission_and_another_department_are_refused_and_audited(archive, people, city):
    before = counts()
    with pytest.raises(Forbidden):
        archive(actor=people["clerk"])
    with pytest.raises(Forbidden):  # FIN's archivist, EDU's record
        archive(actor=people["fin_archivist"])
    with pytest.raises(Forbidden):  # a bureau head approves disposals but does not archive
        archive(actor=people["head"])
    assert counts() == before
    denied = AuditEntry.objects.filter(action="records.archive", outcome="denied")
    assert denied.count() == 3
    assert {e.actor_username for e in denied} == {"edu.clerk", "fin.archivist", "edu.head"}


def test_a_record_above_the_archivists_clearance_is_refused(archive, people):
    with pytest.raises(Forbidden) as refused:
        archive(classification=3)  # 机密; the archivist is cleared for 内部
    assert str(refused.value.message) == "您不能归档密级高于本人涉密等级的档案。"
    assert not Record.objects.exists()


def test_archiving_inside_the_callers_transaction_commits_with_it(archive):
    with transaction.atomic():
        record = archive()
        assert Record.objects.filter(pk=record.pk).exists()
    assert Record.objects.get(pk=record.pk).files.count() == 3


def test_files_of_the_same_name_get_their_own_names(archive):
    record = archive(
        files=[
            ("正文.pdf", pdf(), "main"),
            ("附件.pdf", pdf(2), "attachment"),
            ("附件.pdf", pdf(3), "attachment"),
            ("附件.PDF", pdf(4), "attachment"),
        ]
    )
    names = [f.name for f in record.files.all()]
    assert names == ["正文.pdf", "附件.pdf", "附件 (2).pdf", "附件 (3).PDF"]


def test_require_archive_lets_a_caller_check_before_its_own_transaction(people, city):
    services.require_archive(people["archivist"], city["edu_basic"], 1)
    with pytest.raises(Forbidden):
        services.require_archive(people["archivist"], city["fin"], what="documents.document:9")
    entry = AuditEntry.objects.get(action="records.archive", outcome="denied")
    assert entry.object_repr == "documents.document:9" and entry.actor_username == "edu.archivist"


def test_the_same_bytes_in_two_records_are_stored_once(archive):
    shared = pdf(3, "shared")
    one = archive(files=[("正文.pdf", shared, "main")])
    two = archive(files=[("正文.pdf", shared, "main")])
    assert one.files.get().sha256 == two.files.get().sha256
    assert StoredFile.objects.filter(sha256=one.files.get().sha256).count() == 1


# --- fonds codes ---------------------------------------------------------------------------


def test_the_fonds_code_is_set_before_the_first_record_and_then_stays(archive, people, city):
    fonds = services.save_fonds(people["archivist"], department="EDU", code="j012")
    assert (fonds.code, fonds.name) == ("J012", "教育局")
    fonds = services.save_fonds(people["archivist"], department="EDU", code="J013",
                                name="示范市教育局")  # fmt: skip
    assert (fonds.code, fonds.name) == ("J013", "示范市教育局")
    record = archive()
    assert record.archival_code.startswith("J013-WS·2026-")
    with pytest.raises(Conflict) as refused:
        services.save_fonds(people["archivist"], department="EDU", code="J014")
    assert "J013" in str(refused.value.message)
    # The name may still change.
    services.save_fonds(people["archivist"], department="EDU", code="J013", name="教育局")
    assert AuditEntry.objects.filter(action="records.fonds.update").count() == 2


def test_fonds_codes_are_unique_well_formed_and_for_units_only(people, city, english):
    services.save_fonds(people["archivist"], department="EDU", code="F001")
    with pytest.raises(Conflict):
        services.save_fonds(people["fin_archivist"], department="FIN", code="F001")
    with pytest.raises(InvalidInput) as refused:
        services.save_fonds(people["fin_archivist"], department="FIN", code="F-01")
    assert refused.value.field == "code"
    with pytest.raises(InvalidInput) as refused:
        services.save_fonds(people["archivist"], department="EDU-BASIC", code="F009")
    assert refused.value.field == "department"
    with pytest.raises(Forbidden):
        services.save_fonds(people["fin_archivist"], department="EDU", code="F002")
    assert AuditEntry.objects.filter(action="records.archive", outcome="denied").count() == 1


def test_automatic_codes_skip_codes_given_by_hand(archive, people, city):
    services.save_fonds(people["fin_archivist"], department="FIN", code="F001")
    edu = archive()
    assert edu.fonds.code == "F002"
