"""主送机关 and 抄送机关 in the order the clerk gave them, not the order of the unit list (by
code): in the PDF, on the document page, in the API and on the processing slip, and through an
edit of the draft."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.test import Client

from tongban.documents import services, slips
from tongban.documents.models import Document, RecipientKind

pytestmark = pytest.mark.django_db

NAMES = {"FIN": "示范市财政局", "EDU": "示范市教育局", "EAST": "东城区人民政府"}


def as_user(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def text_of(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def listed(document: Document, kind: str = RecipientKind.MAIN) -> list[str]:
    return [r.name for r in document.recipients.all() if r.kind == kind]


def box_order(page: str, name: str) -> list[str]:
    """The values of the checkboxes named ``name`` in the order the page lists them."""
    return re.findall(rf'<input type="checkbox" name="{name}" value="([^"]+)"', page)


@pytest.fixture
def clerk_order(gov) -> tuple[list[str], list[str]]:
    """The units as the form lists them, and an order the clerk wants that differs: the last
    first (C, A, B of A, B, C)."""
    page = as_user(gov["drafter"]).get("/documents/new/").content.decode()
    listed_codes = [c for c in box_order(page, "main_recipients") if c in NAMES]
    assert len(listed_codes) == 3
    wanted = [listed_codes[2], listed_codes[0], listed_codes[1]]
    return listed_codes, wanted


def form_data(**changes) -> dict:
    data = {
        "doc_type": "通知",
        "title": "关于做好年度统计工作的通知",
        "body": "请按时报送统计数据。",
        "classification": "0",
    }
    data.update(changes)
    return data


def test_the_form_keeps_the_order_the_clerk_ticked(gov, clerk_order):
    in_list, wanted = clerk_order
    drafter = as_user(gov["drafter"])
    # The browser sends the ticked boxes in the page's order; the order field says the clerk's.
    response = drafter.post(
        "/documents/new/",
        form_data(
            main_recipients=in_list,
            main_order=",".join(wanted),
            cc=in_list[:2],
            cc_order=",".join(reversed(in_list[:2])),
        ),
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    document = Document.objects.get()
    assert listed(document) == [NAMES[c] for c in wanted]
    assert listed(document, RecipientKind.COPY) == [NAMES[c] for c in reversed(in_list[:2])]
    line = "，".join(NAMES[c] for c in wanted) + "："
    assert line in text_of(services.pdf_of(document)[0])


def test_an_edit_keeps_the_saved_order(gov, clerk_order):
    in_list, wanted = clerk_order
    drafter = as_user(gov["drafter"])
    document = services.create_draft(
        gov["drafter"],
        services.DraftIn(
            doc_type="通知",
            title="关于做好年度统计工作的通知",
            body="请按时报送统计数据。",
            main_recipients=[services.RecipientIn(department=c) for c in wanted],
        ),
    )
    page = drafter.get(f"/documents/{document.pk}/edit/").content.decode()
    order = re.search(r'name="main_order" value="([^"]*)"', page)
    assert order and order.group(1) == ",".join(wanted)
    # Saved again as the browser sends it (boxes in the page's order, the order field as given).
    response = drafter.post(
        f"/documents/{document.pk}/edit/",
        form_data(
            main_recipients=in_list, main_order=order.group(1), title="关于做好统计工作的通知"
        ),
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    document.refresh_from_db()
    assert document.title == "关于做好统计工作的通知"
    assert listed(document) == [NAMES[c] for c in wanted]


def test_without_an_order_the_ticked_units_follow_the_list(gov, clerk_order):
    in_list, _wanted = clerk_order
    drafter = as_user(gov["drafter"])
    # Only the first is placed; the others follow in the list's order. Codes not ticked are no
    # recipients, whatever the order field says.
    drafter.post(
        "/documents/new/",
        form_data(main_recipients=in_list[:2], main_order=f"{in_list[1]},{in_list[2]},NOPE"),
    )
    document = Document.objects.get()
    assert listed(document) == [NAMES[in_list[1]], NAMES[in_list[0]]]


def test_the_api_page_pdf_and_slip_show_the_given_order(gov, client):
    order = ["EAST", "FIN", "EDU"]
    client.force_login(gov["drafter"])
    created = client.post(
        "/api/v1/documents",
        {
            "title": "关于做好年度统计工作的通知",
            "body": "请按时报送统计数据。",
            "main_recipients": [{"department": c} for c in order],
            "cc": [{"name": "省统计局"}, {"department": "EDU"}],
        },
        content_type="application/json",
    ).json()
    names = [NAMES[c] for c in order]
    assert [r["name"] for r in created["main_recipients"]] == names
    detail = client.get(f"/api/v1/documents/{created['id']}").json()
    assert [r["name"] for r in detail["main_recipients"]] == names
    assert [r["name"] for r in detail["cc"]] == ["省统计局", "示范市教育局"]
    document = Document.objects.get(pk=created["id"])
    assert "，".join(names) + "：" in text_of(services.pdf_of(document)[0])
    page = as_user(gov["drafter"]).get(f"/documents/{document.pk}/").content.decode()
    assert "，".join(names) in page
    # The slip's narrow cell wraps the line; its names still come in that order.
    slip = "".join(text_of(slips.slip_pdf(document)).split())
    assert slip.index("东城区人民政府") < slip.index("市财政局") < slip.index("市教育局"[:3])
