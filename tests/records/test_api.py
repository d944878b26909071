"""The records API: thin over the services, scoped like the pages, errors as problem+json."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from django.test import Client

from tests.api.test_api import token_for
from tongban.records import services
from tongban.records.models import RecordStatus

pytestmark = pytest.mark.django_db


def api(client: Client, username: str) -> Client:
    token = token_for(client, username)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def records(archive, people, city):
    return {
        "edu": archive(),
        "old": archive(date=date(2012, 5, 1)),
        "fin": archive(actor=people["fin_archivist"], department=city["fin"], responsible="财政局"),
    }


def test_list_and_get_are_scoped(client, people, records):
    archivist = api(client, "edu.archivist")
    body = archivist.get("/api/v1/records").json()
    codes = {r["archival_code"] for r in body["items"]}
    assert codes == {records["edu"].archival_code, records["old"].archival_code}
    one = archivist.get(f"/api/v1/records/{records['edu'].pk}").json()
    assert one["archival_code"] == "F001-WS·2026-D10-EDU-0001"
    assert [f["role"] for f in one["files"]] == ["main", "attachment", "processing_slip"]
    assert one["fonds"] == {"code": "F001", "name": "教育局"}
    assert archivist.get("/api/v1/records", {"year": 2012}).json()["items"][0]["year"] == 2012
    hidden = archivist.get(f"/api/v1/records/{records['fin'].pk}")
    assert hidden.status_code == 404 and hidden["Content-Type"] == "application/problem+json"
    page = archivist.get("/api/v1/records", {"limit": 1}).json()
    assert len(page["items"]) == 1 and page["next_cursor"]


def test_package_download_and_verification(client, people, records):
    archivist = api(client, "edu.archivist")
    response = archivist.get(f"/api/v1/records/{records['edu'].pk}/package")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    data = b"".join(response.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    upload = io.BytesIO(data)
    upload.name = "p.zip"
    report = archivist.post("/api/v1/records/packages/verify", {"file": upload}).json()
    assert report["ok"] and report["records"][0]["platform"] == "match"
    junk = io.BytesIO(b"nope")
    junk.name = "junk.zip"
    refused = archivist.post("/api/v1/records/packages/verify", {"file": junk})
    assert refused.status_code == 422 and refused.json()["errors"]["file"]
    batch = archivist.get("/api/v1/records/batch-package", {"fonds": "F001", "year": 2026})
    assert batch.status_code == 200
    assert archivist.get(f"/api/v1/records/{records['fin'].pk}/package").status_code == 404
    fixity = archivist.post(f"/api/v1/records/{records['edu'].pk}/fixity").json()
    assert {f["status"] for f in fixity} == {"ok"}


def test_appraisal_and_disposal_over_the_api(client, people, records):
    archivist, head = api(client, "edu.archivist"), api(client, "edu.head")
    old = records["old"]
    due = archivist.get("/api/v1/records/appraisal").json()["items"]
    assert [r["archival_code"] for r in due] == [old.archival_code]
    refused = archivist.post(f"/api/v1/records/{old.pk}/keep", {"retention": "D10", "reason": "x"},
                             content_type="application/json")  # fmt: skip
    assert refused.status_code == 422 and "retention" in refused.json()["errors"]
    first = archivist.post(f"/api/v1/records/{old.pk}/disposal", {"reason": "到期"},
                           content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")  # fmt: skip
    assert first.status_code == 201 and first.json()["state"] == "pending"
    replay = archivist.post(f"/api/v1/records/{old.pk}/disposal", {"reason": "到期"},
                            content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")  # fmt: skip
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    proposal_id = first.json()["id"]
    pending = head.get("/api/v1/records/disposals").json()
    assert [p["id"] for p in pending] == [proposal_id]
    own = archivist.post(f"/api/v1/records/disposals/{proposal_id}/approve", {},
                         content_type="application/json")  # fmt: skip
    assert own.status_code == 403
    fin = api(client, "fin.head").post(f"/api/v1/records/disposals/{proposal_id}/approve", {},
                                       content_type="application/json")  # fmt: skip
    assert fin.status_code == 404
    approved = head.post(f"/api/v1/records/disposals/{proposal_id}/approve", {"note": "同意"},
                         content_type="application/json")  # fmt: skip
    assert approved.status_code == 200 and approved.json()["decided_by"] == "edu.head"
    old.refresh_from_db()
    assert old.status == RecordStatus.DISPOSED
    gone = head.get(f"/api/v1/records/{old.pk}/files/{old.files.first().pk}")
    assert gone.status_code == 410 and gone["Content-Type"] == "application/problem+json"
    [line] = head.get("/api/v1/records/disposal-list").json()
    assert line["archival_code"] == old.archival_code and line["approved_by"]
    again = head.post(f"/api/v1/records/disposals/{proposal_id}/approve", {},
                      content_type="application/json")  # fmt: skip
    assert again.status_code == 409


def test_fonds_over_the_api(client, people, records):
    fin = api(client, "fin.archivist")
    listed = fin.get("/api/v1/records/fonds").json()
    assert [f["code"] for f in listed] == ["F002"]
    refused = fin.put(
        "/api/v1/records/fonds/FIN", {"code": "J030"}, content_type="application/json"
    )
    assert refused.status_code == 409  # FIN's records carry F002 already
    renamed = fin.put("/api/v1/records/fonds/FIN", {"code": "F002", "name": "示范市财政局"},
                      content_type="application/json")  # fmt: skip
    assert renamed.status_code == 200 and renamed.json()["name"] == "示范市财政局"
    assert fin.put("/api/v1/records/fonds/EDU", {"code": "J031"},
                   content_type="application/json").status_code == 403  # fmt: skip


def test_a_file_downloads_and_the_read_is_audited(client, people, records):
    from tongban.audit.models import AuditEntry

    head = api(client, "edu.head")
    record = records["edu"]
    main = record.files.get(role="main")
    response = head.get(f"/api/v1/records/{record.pk}/files/{main.pk}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert AuditEntry.objects.filter(
        action="records.file.download", actor_username="edu.head"
    ).exists()
    assert services.is_due(records["old"])
