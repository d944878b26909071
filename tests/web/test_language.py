"""The web UI speaks Simplified Chinese by default and English when the person switches."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_sign_in_page_is_chinese_even_for_an_english_browser(client):
    page = client.get("/sign-in/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in page and "登录" in page


def test_language_switch_turns_the_ui_english_and_back(client, make_staff):
    staff = make_staff("edu", "switcher")
    client.force_login(staff.user)
    assert "工作台" in client.get("/workbench/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/workbench/"})
    assert response.status_code == 302
    english = client.get("/workbench/").content.decode()
    assert 'lang="en"' in english and "Workbench" in english and "工作台" not in english
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/workbench/"})
    assert "工作台" in client.get("/workbench/").content.decode()


def test_api_follows_accept_language(client):
    en = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en").json()
    zh = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert en["detail"] != zh["detail"] and "登录" in zh["detail"]


def test_every_page_in_the_language_switch_form_posts_to_set_language(client):
    page = client.get("/sign-in/").content.decode()
    assert 'action="/i18n/setlang/"' in page and 'name="language"' in page


def test_each_language_is_named_in_itself_whatever_the_page_language(client, make_staff):
    client.force_login(make_staff("edu", "polyglot").user)
    for language in ("zh-hans", "en"):
        client.post("/i18n/setlang/", {"language": language, "next": "/workbench/"})
        page = client.get("/workbench/").content.decode()
        menu = page[page.index('id="language-select"') : page.index("</select>")]
        assert '<option value="zh-hans" lang="zh-hans">简体中文</option>' in menu.replace(
            " selected", ""
        )
        assert '<option value="en" lang="en">English</option>' in menu.replace(" selected", "")
        assert "英语" not in menu and "Simplified Chinese" not in menu
