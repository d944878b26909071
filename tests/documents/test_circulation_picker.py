"""传阅 with the person picker 转办 uses: several readers, each chosen on their own (a ticked box,
untick to take one off; without JavaScript too), and whole departments (their active staff, not
administrators); a name that gives nobody is refused in the person's language, nothing written."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tongban.audit.models import AuditEntry
from tongban.core.errors import InvalidInput
from tongban.documents import incoming
from tongban.documents.models import Circulation, IncomingItem
from tongban.notifications.models import Notification

from .conftest import draft, issue
from .test_api import api

pytestmark = pytest.mark.django_db


@pytest.fixture
def received(sealing):
    """An issued notice signed for in 财政局 (FIN, with its division 预算处 FIN-YSC)."""
    gov = sealing
    document = issue(gov, draft(gov))
    item = IncomingItem.objects.get(document=document, department=gov["finance"])
    incoming.receive(gov["fin_clerk"], item.pk)
    return gov, item


def clerk_page(gov, *, language: str = "zh-hans") -> Client:
    client = Client()
    client.force_login(gov["fin_clerk"])
    client.cookies["django_language"] = language
    return client


def ticked(page: str) -> list[str]:
    return re.findall(r'<input type="checkbox" name="readers" value="([^"]+)" checked>', page)


def test_the_page_offers_the_picker_and_the_units_departments(received):
    gov, item = received
    page = clerk_page(gov).get(f"/documents/incoming/{item.pk}/").content.decode()
    form = page[page.index('id="circulate"') :]
    picker = re.search(r'<input id="readers-circulate"[^>]*>', form).group(0)
    assert 'name="readers"' in picker and 'list="people-circulate"' in picker
    assert 'hx-get="/org/people/suggest/?field=readers"' in picker
    assert len(re.findall(r'<input[^>]*name="readers"', form[: form.index("</form>")])) == 1
    assert re.search(r'name="departments" value="FIN-YSC"[^>]*>\s*预算处（全体，1人）', form)


def test_the_suggestions_answer_the_readers_field(received):
    gov, _item = received
    options = clerk_page(gov).get("/org/people/suggest/", {"field": "readers", "readers": "孙"})
    assert '<option value="fin_head">孙财政 · 示范市财政局</option>' in options.content.decode()


def test_two_people_and_a_department_get_it_and_the_list_is_built_without_javascript(received):
    gov, item = received
    clerk = clerk_page(gov)
    url = f"/documents/incoming/{item.pk}/"
    # 添加到名单: the picked person becomes a ticked box; nothing is sent yet.
    listed = clerk.post(url, {"action": "circulate", "readers": ["fin_head"], "more": "1"})
    assert listed.status_code == 200
    assert ticked(listed.content.decode()) == ["fin_head"]
    listed = clerk.post(
        url, {"action": "circulate", "readers": ["fin_head", "郑教育"], "more": "1"}
    )
    assert ticked(listed.content.decode()) == ["fin_head", "edu_head"]  # a name found by name
    # An unticked box is no longer posted: the person is off the list.
    listed = clerk.post(url, {"action": "circulate", "readers": ["edu_head"], "more": "1"})
    assert ticked(listed.content.decode()) == ["edu_head"]
    # A name that gives nobody is said at once, and stays in the picker to be corrected.
    listed = clerk.post(url, {"action": "circulate", "readers": ["edu_head", "孙"], "more": "1"})
    assert listed.status_code == 422
    assert "没有登录名或姓名为“孙”的同事。" in listed.content.decode()
    assert ticked(listed.content.decode()) == ["edu_head"]
    assert not Circulation.objects.exists()

    sent = clerk.post(
        url,
        {
            "action": "circulate",
            "readers": ["fin_head", "edu_head"],
            "departments": ["FIN-YSC"],
            "note": "请阅",
        },
    )
    assert sent.status_code == 302
    readers = set(Circulation.objects.filter(item=item).values_list("reader__username", flat=True))
    assert readers == {"fin_head", "edu_head", "budget_clerk"}
    told = Notification.objects.filter(kind="circulate").values_list(
        "recipient__username", flat=True
    )
    assert set(told) == readers
    entry = AuditEntry.objects.get(action="documents.incoming.circulate")
    assert entry.after["departments"] == ["FIN-YSC"]
    assert set(entry.after["readers"]) == readers


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("zh-hans", "没有登录名或姓名为“nobody”的同事。"),
        ("en", "No colleague with the login or name “nobody”."),
    ],
)
def test_a_name_that_gives_nobody_is_refused_and_nothing_is_written(received, language, message):
    gov, item = received
    response = clerk_page(gov, language=language).post(
        f"/documents/incoming/{item.pk}/",
        {"action": "circulate", "readers": ["fin_head", "nobody"], "departments": ["FIN-YSC"]},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    # The known one stays on the list, the unknown one in the picker to be corrected.
    assert ticked(page) == ["fin_head"]
    assert re.search(r'<input id="readers-circulate" name="readers" value="nobody"', page)
    assert not Circulation.objects.exists()
    assert not Notification.objects.filter(kind="circulate").exists()


def test_the_service_takes_departments_and_leaves_out_who_may_not_read_it(received):
    gov, item = received
    with pytest.raises(InvalidInput) as refused:
        incoming.circulate(gov["fin_clerk"], item.pk, departments=["NOPE"])
    assert "departments" in refused.value.errors
    document = item.document
    document.classification = 2  # 秘密: above the division clerk's clearance (内部)
    document.save(update_fields=["classification"])
    gov["fin_clerk"].clearance = 2
    gov["fin_clerk"].save(update_fields=["clearance"])
    with pytest.raises(InvalidInput):  # named, without the clearance: refused
        incoming.circulate(gov["fin_clerk"], item.pk, usernames=["budget_clerk"])
    circulated = incoming.circulate(gov["fin_clerk"], item.pk, departments=["FIN-YSC"])
    assert circulated.created == []
    assert [u.username for u in circulated.left_out] == ["budget_clerk"]


def test_the_api_takes_departments_too(client, received):
    _gov, item = received
    clerk = api(client, "fin_clerk")
    response = clerk.post(
        f"/api/v1/documents/incoming/{item.pk}/circulate",
        {"readers": ["fin_head"], "departments": ["FIN-YSC"], "note": "请阅"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert sorted(c["reader"] for c in response.json()) == ["budget_clerk", "fin_head"]
    unknown = clerk.post(
        f"/api/v1/documents/incoming/{item.pk}/circulate",
        {"readers": ["nobody"]},
        content_type="application/json",
    )
    assert unknown.status_code == 422
    assert "No colleague with the login or name “nobody”." in unknown.json()["detail"]
