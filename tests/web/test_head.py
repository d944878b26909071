"""``HEAD`` on a page answers as ``GET`` does (the same status, no body): a link checker or a
monitor asking with HEAD never gets 405 for a page that exists."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db


def pages_without_parameters() -> list[str]:
    found: list[str] = []

    def walk(patterns: list, prefix: str) -> None:
        for entry in patterns:
            route = str(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + route)
            elif isinstance(entry, URLPattern) and "<" not in route and "^" not in route:
                found.append("/" + prefix + route)

    walk(get_resolver().url_patterns, "")
    return [p for p in found if not p.startswith("/api/")]


def test_every_page_answers_head_as_get(make_staff):
    clerk = make_staff("edu", "headcheck", role="clerk").user
    pages = pages_without_parameters()
    assert "/inbox/" in pages and "/documents/" in pages and "/sign-in/" in pages
    differ = []
    for who in (None, clerk):
        client = Client()
        if who:
            client.force_login(who)
        for path in pages:
            got, head = client.get(path), client.head(path)
            if got.status_code != head.status_code:
                differ.append(
                    f"{who.username if who else 'anonymous'} {path}: GET {got.status_code}, HEAD {head.status_code}"
                )
            if head.status_code == 200:
                assert head.content == b"", path
    assert differ == [], "\n".join(differ)


def test_an_object_page_answers_head_as_get(client, make_staff):
    staff = make_staff("edu", "headobj", role="clerk")
    client.force_login(staff.user)
    for path in (f"/org/staff/{staff.pk}/", "/org/departments/EDU/", "/workflow/start/"):
        assert client.get(path).status_code == 200, path
        assert client.head(path).status_code == 200, path
