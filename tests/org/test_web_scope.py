"""The same scope rules hold in the web UI: list, search and detail pages."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_staff_pages_hide_other_departments(client, make_staff):
    me = make_staff("edu", "uiviewer", display_name="看得见")
    outsider = make_staff("fin", "uioutsider", display_name="看不见")
    client.force_login(me.user)
    listing = client.get("/org/staff/").content.decode()
    assert "看得见" in listing and "看不见" not in listing
    searched = client.get("/org/staff/", {"q": "看不见"}).content.decode()
    assert f"/org/staff/{outsider.pk}/" not in searched and "uioutsider" not in searched
    assert client.get(f"/org/staff/{outsider.pk}/").status_code == 404
    assert client.get(f"/org/staff/{me.pk}/").status_code == 200


def test_staff_list_masks_phone_numbers(client, make_staff):
    head = make_staff("edu", "uihead", role="division_head")
    make_staff("edu", "phoney", role=None, phone="13912345678")
    client.force_login(head.user)
    page = client.get("/org/staff/").content.decode()
    assert "139****5678" in page and "13912345678" not in page


def test_staff_create_form_reports_errors_and_writes_nothing(client, sysadmin, city):
    from tongban.org.models import Staff

    client.force_login(sysadmin)
    before = Staff.objects.count()
    response = client.post(
        "/org/staff/new/",
        {"username": "formuser", "display_name": "表单", "department": "EDU", "id_number": "123"},
    )
    assert response.status_code == 200
    assert "18" in response.content.decode()
    assert Staff.objects.count() == before


def test_auditor_page_is_refused_to_others(client, sysadmin, auditor):
    client.force_login(sysadmin)
    assert client.get("/audit/").status_code == 403
    client.force_login(auditor)
    assert client.get("/audit/").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/org/staff/new/",
        "/org/staff/import/",
        "/org/departments/new/",
        "/org/roles/",
        "/admin/calendar/",
    ],
)
def test_management_pages_refuse_ordinary_staff(client, make_staff, path):
    clerk = make_staff("edu", "plainclerk")
    client.force_login(clerk.user)
    assert client.get(path).status_code == 403
