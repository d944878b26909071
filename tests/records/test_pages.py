"""The records pages (web UI), through a test URLconf holding the lines the integrator adds."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from tongban.audit.models import AuditEntry
from tongban.org import policy
from tongban.org import services as org
from tongban.records import services
from tongban.records.models import Fonds, RecordStatus

pytestmark = pytest.mark.django_db


def english(client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


@pytest.fixture
def records(archive, people, city):
    return {
        "edu": archive(title="教育局关于开学的通知"),
        "old": archive(title="二〇一〇年的旧通知", date=date(2010, 3, 1)),
        "fin": archive(
            actor=people["fin_archivist"],
            department=city["fin"],
            responsible="财政局",
            title="财政局的预算通知",
        ),
    }


def test_the_list_shows_my_departments_records_with_filters(client, people, records):
    client.force_login(people["archivist"])
    page = client.get("/records/").content.decode()
    assert records["edu"].archival_code in page and "教育局关于开学的通知" in page
    assert "财政局的预算通知" not in page
    filtered = client.get("/records/", {"year": "2010"}).content.decode()
    assert "二〇一〇年的旧通知" in filtered and "教育局关于开学的通知" not in filtered
    rows = client.get("/records/", {"q": "开学"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in rows.content and "教育局关于开学的通知" in rows.content.decode()
    assert "HX-Request" in rows["Vary"]
    assert client.get("/records/", {"q": "预算"}).content.decode().count("<code>F0") == 0


def test_a_clerk_is_refused_the_records_pages(client, people, records):
    client.force_login(people["clerk"])
    assert client.get("/records/").status_code == 403
    assert client.get(f"/records/{records['edu'].pk}/").status_code == 404
    assert client.get("/records/appraisal/").status_code == 403
    assert AuditEntry.objects.filter(outcome="denied", actor_username="edu.clerk").exists()


def test_the_detail_page_downloads_checks_and_exports(client, people, records):
    client.force_login(people["archivist"])
    record = records["edu"]
    page = client.get(f"/records/{record.pk}/").content.decode()
    assert record.archival_code in page and "示教发〔2026〕1号" in page and "正文.pdf" in page
    assert client.get(f"/records/{records['fin'].pk}/").status_code == 404
    main = record.files.get(role="main")
    download = client.get(f"/records/{record.pk}/files/{main.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert download["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    checked = client.post(f"/records/{record.pk}/fixity/", follow=True)
    assert checked.status_code == 200
    assert AuditEntry.objects.filter(action="records.fixity.check").count() == 1
    package = client.get(f"/records/{record.pk}/package/")
    assert package.status_code == 200 and package["Content-Type"] == "application/zip"
    data = b"".join(package.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert f"{record.archival_code}/bagit.txt" in zf.namelist()
    assert "attachment" in package["Content-Disposition"]


def test_the_batch_package_and_its_refusals(client, people, records):
    client.force_login(people["archivist"])
    response = client.get("/records/package/", {"fonds": "F001", "year": "2026"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    refused = client.get("/records/package/", {"fonds": "F001", "year": "1999"}, follow=True)
    assert refused.status_code == 200 and "F001" in refused.content.decode()


def test_appraisal_keep_and_propose_through_the_pages(client, people, records):
    client.force_login(people["archivist"])
    old = records["old"]
    page = client.get("/records/appraisal/").content.decode()
    assert old.archival_code in page and records["edu"].archival_code not in page
    # A missing reason writes nothing and says so.
    response = client.post(f"/records/{old.pk}/keep/", {"retention": "D30", "reason": ""},
                           follow=True)  # fmt: skip
    old.refresh_from_db()
    assert old.retention == "D10" and response.status_code == 200
    assert not AuditEntry.objects.filter(action="records.appraisal.keep").exists()
    client.post(f"/records/{old.pk}/propose-disposal/", {"reason": "已无保存价值"})
    old.refresh_from_db()
    assert old.status == RecordStatus.DISPOSAL_PROPOSED
    assert client.post(f"/records/{records['fin'].pk}/keep/",
                       {"retention": "Y", "reason": "x"}).status_code == 404  # fmt: skip


def test_approval_page_and_the_second_person_rule(client, people, records, secadmin, city):
    old = records["old"]
    proposal = services.propose_disposal(people["archivist"], old.pk, reason="到期无保存价值")
    client.force_login(people["head"])
    page = client.get("/records/disposals/").content.decode()
    assert old.archival_code in page and "到期无保存价值" in page
    detail = client.get(f"/records/{old.pk}/").content.decode()
    assert f"/records/disposals/{proposal.pk}/approve/" in detail
    client.force_login(people["archivist"])
    mine = client.get("/records/disposals/").content.decode()
    assert old.archival_code in mine
    # Without the approver's role: refused, back on the list with the reason.
    refused = client.post(f"/records/disposals/{proposal.pk}/approve/")
    assert (refused.status_code, refused["Location"]) == (302, "/records/disposals/")
    page = client.get("/records/disposals/").content.decode()
    assert '<li class="message message-error">您无权进行此操作。</li>' in page
    # With it, still not for their own proposal: a second person approves.
    org.assign_role(
        secadmin, username=people["archivist"].username, role="bureau_head", department="EDU"
    )
    policy.forget(people["archivist"])
    refused = client.post(f"/records/disposals/{proposal.pk}/approve/", follow=True)
    assert refused.redirect_chain == [("/records/disposals/", 302)]
    assert [str(m) for m in refused.context["messages"]] == [
        "销毁须经另一人审批：此项由您提请，须由他人批准。"
    ]
    old.refresh_from_db()
    assert old.status == RecordStatus.DISPOSAL_PROPOSED
    client.force_login(people["head"])
    done = client.post(f"/records/disposals/{proposal.pk}/approve/", {"note": "同意"}, follow=True)
    assert done.status_code == 200
    old.refresh_from_db()
    assert old.status == RecordStatus.DISPOSED
    listing = client.get("/records/disposals/").content.decode()
    assert old.archival_code in listing and "同意" in listing
    detail = client.get(f"/records/{old.pk}/").content.decode()
    assert old.archival_code in detail and f"/records/{old.pk}/files/" not in detail
    gone = client.get(f"/records/{old.pk}/files/{old.files.first().pk}/")
    assert gone.status_code == 410


def test_the_verification_page_reports_per_file(client, people, records):
    client.force_login(people["head"])
    english(client)
    package = services.export_record(people["archivist"], records["edu"].pk).file.read()
    upload = io.BytesIO(package)
    upload.name = "package.zip"
    page = client.post("/records/verify/", {"file": upload})
    assert page.status_code == 200
    text = page.content.decode()
    assert "The package passes every check" in text and "正文.pdf" in text
    junk = io.BytesIO(b"not a zip")
    junk.name = "junk.zip"
    refused = client.post("/records/verify/", {"file": junk})
    assert refused.status_code == 422 and "This is not a ZIP file." in refused.content.decode()


def test_the_fonds_page_sets_a_code(client, people, city):
    client.force_login(people["fin_archivist"])
    english(client)
    page = client.get("/records/fonds/").content.decode()
    assert "财政局" in page and "教育局" not in page
    client.post("/records/fonds/", {"department": "FIN", "code": "J020", "name": "示范市财政局"})
    assert Fonds.objects.get(department=city["fin"]).code == "J020"
    refused = client.post("/records/fonds/", {"department": "EDU", "code": "J021"})
    assert refused.status_code == 403
    assert not Fonds.objects.filter(code="J021").exists()


def test_pages_render_in_english_and_chinese(client, people, records):
    client.force_login(people["archivist"])
    for path in ["/records/", "/records/appraisal/", "/records/disposals/",
                 "/records/verify/", "/records/fonds/", f"/records/{records['edu'].pk}/"]:  # fmt: skip
        assert client.get(path).status_code == 200, path
    english(client)
    page = client.get("/records/appraisal/").content.decode()
    assert "Records due for appraisal" in page and records["old"].archival_code in page
    assert 'lang="en"' in page
