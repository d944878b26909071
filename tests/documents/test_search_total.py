"""A search says how many documents it found — of those the person may read: another unit's
documents with the same words are not counted, on the page or in the API."""

from __future__ import annotations

import pytest
from django.test import Client

from tongban.documents import selectors, services

pytestmark = pytest.mark.django_db


def drafts(gov, author: str, count: int, unit: str) -> None:
    for i in range(count):
        services.create_draft(
            gov[author],
            services.DraftIn(
                doc_type="通知",
                title=f"关于{unit}优化营商环境第{i + 1}批事项的通知",
                body="进一步优化营商环境，提升办事便利度。",
            ),
        )


@pytest.fixture
def found(gov):
    drafts(gov, "drafter", 3, "办公厅")  # 秘书处's
    drafts(gov, "edu_clerk", 2, "教育局")  # 教育局's
    return gov


def page_of(user, **query) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    response = client.get("/documents/", query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_selector_counts_only_what_the_person_may_read(found):
    flt = selectors.DocumentFilter(q="营商环境")
    mine = selectors.search_total(selectors.documents(found["drafter"], flt))
    theirs = selectors.search_total(selectors.documents(found["edu_clerk"], flt))
    assert (mine.count, mine.capped) == (3, False)
    assert (theirs.count, theirs.capped) == (2, False)
    nobody = selectors.search_total(selectors.documents(found["fin_clerk"], flt))
    assert nobody.count == 0


def test_the_results_page_shows_the_total(found):
    page = page_of(found["drafter"], q="营商环境")
    assert "共 3 条" in page and page.count('class="card"') == 3
    assert "共 2 条" in page_of(found["edu_clerk"], q="营商环境")
    nothing = page_of(found["fin_clerk"], q="营商环境")
    assert "您可查阅的公文中没有包含这些词语的。" in nothing and "条</p>" not in nothing
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(found["drafter"])
    english.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "3 results" in english.get("/documents/", {"q": "营商环境"}).content.decode()
    assert "1 result<" in english.get("/documents/", {"q": "第1批"}).content.decode()


def test_a_capped_search_says_more_than_the_limit_instead(found, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_COUNT_LIMIT", 2)
    page = page_of(found["drafter"], q="营商环境")
    assert "超过 2 件" in page and "共 2 条" not in page
    total = selectors.search_total(
        selectors.documents(found["drafter"], selectors.DocumentFilter(q="营商环境"))
    )
    assert (total.count, total.capped) == (2, True)


def test_the_api_gives_the_total_with_a_page_of_hits(found, client):
    client.force_login(found["drafter"])
    answer = client.get("/api/v1/documents/search", {"q": "营商环境", "limit": 2}).json()
    assert len(answer["items"]) == 2 and answer["next_offset"] == 2
    assert (answer["total"], answer["total_capped"]) == (3, False)
    client.force_login(found["edu_clerk"])
    answer = client.get("/api/v1/documents/search", {"q": "营商环境"}).json()
    assert (answer["total"], len(answer["items"])) == (2, 2)
