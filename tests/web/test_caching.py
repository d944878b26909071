"""Pages whose answer depends on more than the URL say so to caches."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_staff_list_varies_on_htmx_and_the_rows_alone_answer_htmx(client, make_staff):
    head = make_staff("edu", "cache.head", role="bureau_head").user
    make_staff("edu", "cache.member", display_name="缓存测试")
    client.force_login(head)
    page = client.get("/org/staff/")
    rows = client.get("/org/staff/", HTTP_HX_REQUEST="true")
    assert "HX-Request" in page["Vary"] and "HX-Request" in rows["Vary"]
    assert "<html" in page.content.decode() and "<html" not in rows.content.decode()
    assert "缓存测试" in rows.content.decode()


def test_whole_personal_data_is_never_cached(client, make_staff):
    member = make_staff("edu", "cache.self")
    client.force_login(member.user)
    response = client.post(f"/org/staff/{member.pk}/personal-data/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
