"""Permission comes before validation, and what a person may not see is 404 everywhere.

Every writing endpoint of the OpenAPI document is called by a staff member who holds no role,
with a body that is wrong in every way. None of them may answer 422 (which would tell the
caller what the endpoint expects, and that its object exists): 403 where the caller lacks the
permission, 404 where the object is none of theirs, exactly as for an object that does not exist.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tongban.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

# Writes that any signed-in person may make on their own things, and the public ones.
OPEN_TO_EVERYONE = {
    ("post", "/api/v1/auth/token"),  # signing in
    ("post", "/api/v1/notifications/read"),  # one's own notifications
    ("post", "/api/v1/seals/verify"),  # public verification
    ("post", "/api/v1/seals/verify-data"),
    ("post", "/api/v1/workflow/instances"),  # every staff member starts a process by hand
}
MISSING_ID = "987654"


def writing_operations(client: Client) -> list[tuple[str, str]]:
    spec = client.get("/api/v1/openapi.json").json()
    found = []
    for path, operations in spec["paths"].items():
        for method in operations:
            if (
                method in ("post", "put", "patch", "delete")
                and (method, path) not in OPEN_TO_EVERYONE
            ):
                found.append((method, path))
    return found


@pytest.fixture
def nobody(make_staff) -> Client:
    """A staff member without any role: the baseline a person has by being staff."""
    make_staff("edu", "norole", role=None)
    token = Client().post(
        "/api/v1/auth/token",
        {"username": "norole", "password": PASSWORD},
        content_type="application/json",
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {token.json()['token']}", HTTP_ACCEPT_LANGUAGE="en")


def test_every_write_checks_permission_or_visibility_before_the_body(nobody, client):
    operations = writing_operations(client)
    assert len(operations) > 40  # the document lists them all
    before = AuditEntry.objects.filter(outcome="success").count()
    wrong = []
    for method, path in operations:
        url = re.sub(r"\{[^}]+\}", MISSING_ID, path)
        response = getattr(nobody, method)(
            url, data='{"wrong": [1, 2, 3]}', content_type="application/json"
        )
        if response.status_code not in (403, 404):
            wrong.append(f"{method.upper()} {path}: {response.status_code}")
        else:
            assert response["Content-Type"] == "application/problem+json", path
    assert wrong == [], "\n".join(wrong)
    assert AuditEntry.objects.filter(outcome="success").count() == before  # nothing written
