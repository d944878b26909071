"""What screen readers rely on in the forms: every description a field points at exists."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_every_aria_describedby_names_an_element_of_the_page(client):
    page = client.get("/sign-in/").content.decode()
    described = re.findall(r'aria-describedby="([^"]+)"', page)
    assert described, "the sign-in form has a field with help text"
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    for names in described:
        for name in names.split():
            assert name in ids, f"aria-describedby points at a missing #{name}"
