"""Bodies over the documented limits get 413 in the person's language (not Django's English
"Bad Request (400)"), on the API as problem+json and on the web as a page of the platform."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def json_body(size: int) -> str:
    return json.dumps({"username": "x" * size, "password": PASSWORD})


@pytest.mark.parametrize(
    ("language", "words"), [("en", "at most 2 MB"), ("zh-hans", "2 MB"), (None, "2 MB")]
)
def test_a_json_body_over_the_limit_is_413_problem_json_in_the_callers_language(
    client, settings, language, words
):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 2 * MB  # the README's TONGBAN_MAX_FORM_MB
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client.post(
        "/api/v1/auth/token", json_body(3 * MB), content_type="application/json", **headers
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 413 and problem["instance"] == "/api/v1/auth/token"
    assert problem["type"] == "urn:tongban:problem:too_large"
    assert words in problem["detail"]
    if language == "en":
        assert problem["title"] == "Request too large"
    else:  # Accept-Language zh-hans, or none: the platform's language
        assert "请求" in problem["detail"] and problem["title"] == "请求过大"


def test_a_json_body_under_the_limit_reaches_the_endpoint(client, english):
    response = client.post(
        "/api/v1/auth/token",
        json_body(MB),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422  # read, parsed and judged: the login name is too long
    assert "username" in response.json()["errors"]


def test_a_web_form_over_the_limit_gets_the_platform_page(make_staff):
    staff = make_staff("edu", "bigform")
    web = Client()
    web.force_login(staff.user)
    response = web.post("/account/", {"display_name": "x" * (3 * MB)})
    assert response.status_code == 413
    page = response.content.decode()
    assert "请求过大" in page and "2 MB" in page and "Bad Request" not in page
    web.cookies["django_language"] = "en"
    english = web.post("/account/", {"display_name": "x" * (3 * MB)})
    assert english.status_code == 413 and "Request too large" in english.content.decode()


def test_files_may_be_larger_than_the_form_limit_but_not_their_fields(make_staff, settings):
    """A file of 3 MB is within TONGBAN_MAX_UPLOAD_MB; 3 MB of form fields beside it are not."""
    staff = make_staff("edu", "bigfile")
    api = Client(HTTP_ACCEPT_LANGUAGE="en")
    api.force_login(staff.user)
    upload = SimpleUploadedFile("big.bpmn", b"<x/>" + b" " * (3 * MB), "application/xml")
    within = api.post("/api/v1/workflow/definitions", {"file": upload})
    assert within.status_code == 403, within.content  # read, then refused: not a process admin
    upload.seek(0)
    fields = api.post("/api/v1/workflow/definitions", {"file": upload, "note": "x" * (3 * MB)})
    assert fields.status_code == 413 and fields["Content-Type"] == "application/problem+json"
    settings.MAX_REQUEST_BYTES = 2 * MB
    upload.seek(0)
    over = api.post("/api/v1/workflow/definitions", {"file": upload})
    assert over.status_code == 413 and "at most 2 MB" in over.json()["detail"]
