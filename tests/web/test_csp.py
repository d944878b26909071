"""The Content-Security-Policy: every response carries it, and no template needs more than it
allows (no inline script, event-handler attribute, style attribute or <style> element). The
browser test (tests/e2e) checks that the pages visited report no violation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parents[2] / "src" / "tongban"
# Rendered by WeasyPrint into PDFs, never served to a browser.
NOT_SERVED = {"documents/pdf"}
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def directives(header: str) -> dict[str, str]:
    parts = (p.strip().split(None, 1) for p in header.split(";") if p.strip())
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


def served_templates() -> list[Path]:
    return [
        path
        for path in ROOT.rglob("templates/**/*.html")
        if not any(part in path.as_posix() for part in NOT_SERVED)
    ]


def parameterless_paths() -> list[str]:
    """Every URL of the platform that takes no argument (the API's one prefix stands for it)."""
    found: list[str] = []

    def walk(patterns: list, prefix: str) -> None:
        for entry in patterns:
            route = str(entry.pattern)
            if "<" in route or "(?P" in route or route.startswith("^"):
                continue
            if isinstance(entry, URLResolver):
                if route.startswith("api/"):
                    found.extend(["/api/v1/docs", "/api/v1/openapi.json", "/api/v1/me"])
                    continue
                walk(entry.url_patterns, prefix + route)
            elif isinstance(entry, URLPattern):
                found.append("/" + prefix + route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def test_the_scan_finds_the_templates_and_the_pages():
    assert len(served_templates()) > 40
    paths = parameterless_paths()
    assert {"/sign-in/", "/workbench/", "/inbox/", "/documents/", "/records/"} <= set(paths)


@pytest.mark.parametrize("template", served_templates(), ids=lambda p: p.name)
def test_no_template_needs_inline_script_or_style(template):
    text = template.read_text(encoding="utf-8")
    scripts = re.findall(r"<script\b[^>]*>", text, re.I)
    assert all("src=" in tag for tag in scripts), scripts
    assert not re.search(r"\son[a-z]+\s*=", text, re.I), "event-handler attribute"
    assert not re.search(r"\sstyle\s*=", text, re.I), "style attribute"
    assert not re.search(r"<style\b", text, re.I), "<style> element"
    assert "javascript:" not in text.lower()


@pytest.mark.django_db
def test_every_page_carries_the_policy(make_staff, sysadmin):
    clerk = make_staff("edu", "cspclerk")
    visitors = {"anonymous": Client(), "clerk": Client(), "admin": Client()}
    visitors["clerk"].force_login(clerk.user)
    visitors["admin"].force_login(sysadmin)
    paths = parameterless_paths()
    assert len(paths) > 45
    for who, client in visitors.items():
        for path in paths:
            response = client.get(path)
            header = response.get("Content-Security-Policy")
            assert header, (who, path, response.status_code)
            policy = directives(header)
            for name, value in POLICY.items():
                assert policy.get(name) == value, (who, path, name, policy.get(name))
    for status, response in (
        (404, visitors["clerk"].get("/no/such/page/")),
        (413, visitors["clerk"].post("/account/", {"x": "y" * (3 * 1024 * 1024)})),
    ):
        assert response.status_code == status
        assert directives(response["Content-Security-Policy"])["script-src"] == "'self'"
