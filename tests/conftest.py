"""Shared fixtures: an organisation built through the services, and signed-in clients."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from tongban.audit.context import audit_context
from tongban.identity import services as identity
from tongban.identity.models import User
from tongban.org import services as org
from tongban.org.models import Department, Staff

PASSWORD = "Correct-Horse-42"
_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Each test starts in the platform's default language (a request may have switched it)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def english() -> Any:
    """Messages in English (the default language of the platform is zh-hans)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def make_admin(db: Any) -> Callable[..., User]:
    def make(role: str, username: str | None = None, totp: bool = True) -> User:
        user, _ = identity.create_user(
            username=username or f"{role}{next(_counter)}",
            display_name=f"{role} admin",
            password=PASSWORD,
            admin_role=role,
            must_change_password=False,
        )
        if totp:
            identity.set_totp_secret(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
        return user

    return make


@pytest.fixture
def sysadmin(make_admin: Callable[..., User]) -> User:
    return make_admin("system", "sysadmin")


@pytest.fixture
def secadmin(make_admin: Callable[..., User]) -> User:
    return make_admin("security", "secadmin")


@pytest.fixture
def auditor(make_admin: Callable[..., User]) -> User:
    return make_admin("auditor", "auditor")


@pytest.fixture
def city(sysadmin: User) -> dict[str, Department]:
    """A small tree: city → two bureaus (one with a division) and a district."""
    with audit_context(user=sysadmin, source="test"):
        c = org.create_department(sysadmin, code="CITY", name="示范市人民政府", kind="city")
        a = org.create_department(sysadmin, code="EDU", name="教育局", kind="bureau", parent="CITY")
        a1 = org.create_department(
            sysadmin, code="EDU-BASIC", name="基础教育处", kind="division", parent="EDU"
        )
        b = org.create_department(sysadmin, code="FIN", name="财政局", kind="bureau", parent="CITY")
        d = org.create_department(
            sysadmin, code="EAST", name="东城区人民政府", kind="district", parent="CITY"
        )
    return {"city": c, "edu": a, "edu_basic": a1, "fin": b, "east": d}


@pytest.fixture
def make_staff(sysadmin: User, secadmin: User, city: dict[str, Department]) -> Callable[..., Staff]:
    def make(
        department: str,
        username: str | None = None,
        role: str | None = "clerk",
        scope: str | None = None,
        **fields: Any,
    ) -> Staff:
        staff, _ = org.create_staff(
            sysadmin,
            department=city[department].code,
            username=username or f"user{next(_counter)}",
            display_name=fields.pop("display_name", "测试人员"),
            password=PASSWORD,
            **fields,
        )
        User.objects.filter(pk=staff.user_id).update(must_change_password=False)
        staff.user.refresh_from_db()
        if role:
            org.assign_role(
                secadmin,
                username=staff.user.username,
                role=role,
                department=city[department].code,
                scope=scope,
            )
        return staff

    return make
