"""The REST API: auth, scope, problem+json errors that write nothing, pagination, idempotency."""

from __future__ import annotations

import json

import pyotp
import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tongban.audit.models import AuditEntry
from tongban.identity.models import User
from tongban.org.models import Department, Staff

pytestmark = pytest.mark.django_db


def token_for(client: Client, username: str, otp: str | None = None) -> str:
    body = {"username": username, "password": PASSWORD}
    if otp:
        body["otp"] = otp
    response = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["token"]


@pytest.fixture
def admin_client(client: Client, sysadmin: User) -> Client:
    token = token_for(client, "sysadmin", pyotp.TOTP(sysadmin.totp_secret).now())
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")


def counts() -> tuple[int, int, int]:
    return Staff.objects.count(), User.objects.count(), AuditEntry.objects.count()


def test_openapi_document_lists_the_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json()
    for path in [
        "/api/v1/me",
        "/api/v1/departments",
        "/api/v1/staff",
        "/api/v1/roles",
        "/api/v1/audit",
        "/api/v1/auth/token",
    ]:
        assert path in spec["paths"], path
    assert client.get("/api/v1/docs").status_code == 200


def test_me_with_token(client, make_staff):
    make_staff("edu", "apiuser")
    token = token_for(client, "apiuser")
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert me["username"] == "apiuser" and me["department"]["code"] == "EDU"
    assert me["roles"][0]["role"] == "clerk"


def test_anonymous_gets_problem_json(client):
    response = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_wrong_password_is_401_and_audited(client, make_staff):
    make_staff("edu", "tokuser")
    response = client.post(
        "/api/v1/auth/token",
        {"username": "tokuser", "password": "x"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert AuditEntry.objects.filter(action="identity.sign_in", outcome="failure").exists()


def test_staff_outside_scope_is_invisible_in_list_search_and_by_id(client, make_staff):
    make_staff("edu", "viewer")
    outsider = make_staff("fin", "finance1", display_name="钱多多")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(client, 'viewer')}"}
    listed = {s["username"] for s in client.get("/api/v1/staff", **auth).json()["items"]}
    assert "finance1" not in listed and "viewer" in listed
    assert client.get("/api/v1/staff?q=钱多多", **auth).json()["items"] == []
    assert client.get(f"/api/v1/staff/{outsider.pk}", **auth).status_code == 404
    assert client.get("/api/v1/staff?department=FIN", **auth).json()["items"] == []


def test_personal_data_is_masked_and_reading_it_whole_is_audited(client, make_staff, secadmin):
    head = make_staff("edu", "head", role="division_head")
    member = make_staff(
        "edu", "member", role=None, phone="13912345678", id_number="11010519491231002X"
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(client, 'head')}"}
    item = client.get(f"/api/v1/staff/{member.pk}", **auth).json()
    assert item["phone"] == "139****5678" and "11010519491231002X" not in json.dumps(item)
    whole = client.get(f"/api/v1/staff/{member.pk}/personal-data", **auth).json()
    assert whole["id_number"] == "11010519491231002X"
    assert AuditEntry.objects.filter(
        action="org.staff.read_personal_data", actor_username="head"
    ).exists()
    assert head.user.username == "head"


def test_create_staff_and_idempotent_retry(admin_client, city):
    body = {
        "username": "created1",
        "display_name": "新同事",
        "department": "EDU",
        "phone": "13800001111",
    }
    first = admin_client.post(
        "/api/v1/staff", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert first.status_code == 201, first.content
    assert first.json()["initial_password"]
    again = admin_client.post(
        "/api/v1/staff", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Staff.objects.filter(user__username="created1").count() == 1
    other = admin_client.post(
        "/api/v1/staff",
        {**body, "username": "created2"},
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert other.status_code == 422


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ('{"username": "x1", "display_name": ', 400, "not valid JSON"),
        ({"username": 123, "display_name": ["a"], "department": "EDU"}, 422, "wrong type"),
        (
            {
                "username": "bad1",
                "display_name": "张三",
                "department": "EDU",
                "id_number": "110105194912310021",
            },
            422,
            "check character",
        ),
        ({"username": "bad2", "display_name": "张三", "department": "NOPE"}, 404, "NOPE"),
        ({"username": "bad3", "display_name": "张" * 51, "department": "EDU"}, 422, "at most 50"),
        (
            {"username": "sysadmin", "display_name": "重名", "department": "EDU"},
            409,
            "already taken",
        ),
        (
            {"username": "no spaces!", "display_name": "张三", "department": "EDU"},
            422,
            "login name",
        ),
    ],
    ids=[
        "malformed-json",
        "wrong-types",
        "invalid-id-number",
        "unknown-department",
        "too-long-name",
        "duplicate-login",
        "bad-login",
    ],
)
def test_bad_input_is_refused_clearly_and_writes_nothing(
    admin_client, city, body, status, fragment
):
    before = counts()
    payload = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    response = admin_client.post("/api/v1/staff", payload, content_type="application/json")
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert fragment.lower() in json.dumps(problem, ensure_ascii=False).lower()
    assert counts() == before


def test_errors_speak_chinese_by_default(admin_client, city):
    response = admin_client.post(
        "/api/v1/staff",
        {"username": "sysadmin", "display_name": "x", "department": "EDU"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 409
    assert "已" in response.json()["detail"]


def test_cursor_pagination_walks_every_department_once(admin_client, sysadmin, city):
    from tongban.org import services

    for i in range(7):
        services.create_department(
            sysadmin, code=f"D{i}", name=f"部门{i}", kind="division", parent="EDU"
        )
    seen, cursor = [], None
    while True:
        url = "/api/v1/departments?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = admin_client.get(url).json()
        seen += [d["code"] for d in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(Department.objects.values_list("code", flat=True))
    assert admin_client.get("/api/v1/departments?cursor=garbage").status_code == 422


def test_create_department_rejects_unknown_parent(admin_client, city):
    before = Department.objects.count()
    response = admin_client.post(
        "/api/v1/departments",
        {"code": "NEW", "name": "新部门", "kind": "bureau", "parent": "MISSING"},
        content_type="application/json",
    )
    assert response.status_code == 404 and Department.objects.count() == before


def test_audit_endpoint_is_for_the_auditor_only(client, admin_client, auditor):
    assert admin_client.get("/api/v1/audit").status_code == 403
    token = token_for(client, "auditor", pyotp.TOTP(auditor.totp_secret).now())
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    page = client.get("/api/v1/audit?action=identity.sign_in", **auth).json()
    assert page["items"] and all(e["action"].startswith("identity.sign_in") for e in page["items"])
    verified = client.post("/api/v1/audit/verify", **auth).json()
    assert verified["ok"] is True
    csv_response = client.get("/api/v1/audit/export.csv", **auth)
    assert b"seq,created_at" in b"".join(csv_response.streaming_content)


def test_session_auth_needs_csrf(make_staff):
    staff = make_staff("edu", "sess")
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff.user)
    assert client.get("/api/v1/me").status_code == 200
    response = client.post(
        "/api/v1/departments",
        {"code": "Z", "name": "z", "kind": "bureau"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_worker_job_forgets_old_idempotency_keys(admin_client, city):
    from datetime import timedelta

    from django.utils import timezone

    from tongban.core.http.idempotency import purge_expired
    from tongban.core.models import IdempotentRequest

    body = {"username": "keyed", "display_name": "键", "department": "EDU"}
    admin_client.post(
        "/api/v1/staff", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="old"
    )
    assert purge_expired() == 0
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert purge_expired() == 1
