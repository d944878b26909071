"""Who sees which records: by list and by id, within the department scope and the clearance."""

from __future__ import annotations

import pytest

from tongban.core.errors import NotFound
from tongban.records import selectors, services
from tongban.records.models import Record

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_bureaus(archive, people, city):
    edu = archive(title="教育局的通知")
    division = archive(title="基础教育处的报告", department=city["edu_basic"])
    fin = archive(actor=people["fin_archivist"], department=city["fin"], responsible="财政局",
                  title="财政局的通知")  # fmt: skip
    return {"edu": edu, "division": division, "fin": fin}


def test_a_department_sees_its_own_records_and_not_anothers(two_bureaus, people):
    edu, fin = two_bureaus["edu"], two_bureaus["fin"]
    mine = set(selectors.records_for(people["archivist"]).values_list("pk", flat=True))
    assert mine == {edu.pk, two_bureaus["division"].pk}
    assert set(selectors.records_for(people["fin_head"]).values_list("pk", flat=True)) == {fin.pk}
    assert selectors.record_by_id(people["head"], edu.pk) == edu
    with pytest.raises(NotFound):
        selectors.record_by_id(people["archivist"], fin.pk)
    with pytest.raises(NotFound):
        selectors.record_by_code(people["archivist"], fin.archival_code)
    assert selectors.record_for_source(people["archivist"], fin.source_type, fin.source_id) is None
    # Searching does not reach across either.
    assert not selectors.records_for(people["archivist"], q="财政局").exists()
    assert selectors.records_for(people["fin_archivist"], q="财政局").get() == fin


def test_a_clerk_without_records_permission_sees_none(two_bureaus, people):
    assert not selectors.records_for(people["clerk"]).exists()
    with pytest.raises(NotFound):
        selectors.record_by_id(people["clerk"], two_bureaus["edu"].pk)


def test_files_of_another_departments_record_cannot_be_opened_or_checked(two_bureaus, people):
    fin = two_bureaus["fin"]
    file_id = fin.files.first().pk
    with pytest.raises(NotFound):
        services.open_record_file(people["archivist"], fin.pk, file_id)
    with pytest.raises(NotFound):
        services.check_fixity(people["archivist"], fin.pk)
    with pytest.raises(NotFound):
        services.export_record(people["archivist"], fin.pk)
    # A file id of another record under one's own record id does not open it either.
    with pytest.raises(NotFound):
        services.open_record_file(people["archivist"], two_bureaus["edu"].pk, file_id)


def test_a_classified_record_is_hidden_above_the_readers_clearance(archive, people, secadmin):
    from tongban.identity import services as identity

    identity.grant_clearance(secadmin, people["archivist"], 3)
    secret = archive(classification=3)
    assert selectors.record_by_id(people["archivist"], secret.pk) == secret
    # The bureau head holds records.view over EDU but is cleared for 内部 only.
    assert not selectors.records_for(people["head"]).filter(pk=secret.pk).exists()
    with pytest.raises(NotFound):
        selectors.record_by_id(people["head"], secret.pk)


def test_filters(two_bureaus, archive, people):
    from datetime import date

    old = archive(date=date(2019, 6, 1), retention="D30")
    assert list(selectors.records_for(people["archivist"], year=2019)) == [old]
    assert list(selectors.records_for(people["archivist"], retention="D30")) == [old]
    assert selectors.records_for(people["archivist"], status="disposed").count() == 0
    assert selectors.records_for(people["archivist"], q="基础教育").get() == two_bureaus["division"]
    assert selectors.records_for(people["archivist"], q="0001").count() == 3
    assert selectors.years_of(people["archivist"]) == [2026, 2019]
    assert Record.objects.count() == 4
