"""A small government for documents: a city with its general office (which issues documents and
keeps a seal), two bureaus that countersign and receive, a district; the people of each step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
import time_machine
from django.utils import timezone

from tests.seals.conftest import trust_store
from tongban.audit.context import audit_context
from tongban.documents import services
from tongban.documents.models import Document, Stage
from tongban.identity import services as identity
from tongban.identity.models import User
from tongban.org import services as org
from tongban.org.models import Department
from tongban.seals import services as seals
from tongban.workflow import services as workflow
from tongban.workflow.models import Task

PASSWORD = "Correct-Horse-42"
KEEPER_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"


@pytest.fixture
def gov(sysadmin: User, secadmin: User) -> dict[str, Any]:
    """Departments and people; every name is a key of the returned dict."""
    with audit_context(user=sysadmin, source="test"):
        city = org.create_department(
            sysadmin, code="CITY", name="示范市人民政府", kind="city", issuing_code="示政发"
        )
        office = org.create_department(
            sysadmin,
            code="BGT",
            name="示范市人民政府办公厅",
            kind="bureau",
            parent="CITY",
            issuing_code="示政办发",
        )
        secretariat = org.create_department(
            sysadmin, code="BGT-MSC", name="秘书处", kind="division", parent="BGT"
        )
        finance = org.create_department(
            sysadmin,
            code="FIN",
            name="示范市财政局",
            kind="bureau",
            parent="CITY",
            issuing_code="示财发",
        )
        budget = org.create_department(
            sysadmin, code="FIN-YSC", name="预算处", kind="division", parent="FIN"
        )
        education = org.create_department(
            sysadmin,
            code="EDU",
            name="示范市教育局",
            kind="bureau",
            parent="CITY",
            issuing_code="示教发",
        )
        east = org.create_department(
            sysadmin,
            code="EAST",
            name="东城区人民政府",
            kind="district",
            parent="CITY",
            issuing_code="东政发",
        )
    units = {
        "city": city,
        "office": office,
        "secretariat": secretariat,
        "finance": finance,
        "budget": budget,
        "education": education,
        "east": east,
    }
    people: dict[str, User] = {}

    def person(username: str, name: str, unit: str, *roles: str) -> None:
        staff, _ = org.create_staff(
            sysadmin,
            department=units[unit].code,
            username=username,
            display_name=name,
            password=PASSWORD,
        )
        User.objects.filter(pk=staff.user_id).update(must_change_password=False)
        for role in roles:
            org.assign_role(
                secadmin, username=staff.user.username, role=role, department=units[unit].code
            )
        staff.user.refresh_from_db()
        people[username] = staff.user

    person("drafter", "张拟稿", "secretariat", "clerk")
    person("reviewer", "王核稿", "secretariat", "division_head")
    person("signer", "李签发", "office", "bureau_head")
    person("keeper", "赵印章", "office", "seal_keeper")
    person("archivist", "钱档案", "office", "archivist")
    person("fin_head", "孙财政", "finance", "bureau_head")
    person("fin_clerk", "周收文", "finance", "clerk")
    person("budget_clerk", "吴预算", "budget", "clerk")
    person("edu_head", "郑教育", "education", "bureau_head")
    person("edu_clerk", "冯收文", "education", "clerk")
    person("east_clerk", "陈东城", "east", "clerk")
    identity.set_totp_secret(people["keeper"], KEEPER_SECRET)
    return {**units, **people}


@pytest.fixture
def sealing(gov: dict[str, Any], secadmin: User) -> dict[str, Any]:
    """The platform CA and the general office's seal certificate."""
    seals.init_ca("Root-Passphrase-2026!")
    seals.issue_certificate(secadmin, kind="seal", department_code="BGT")
    return gov


def otp() -> str:
    return pyotp.TOTP(KEEPER_SECRET).now()


def draft(gov: dict[str, Any], **overrides: Any) -> Document:
    data = services.DraftIn(
        doc_type=overrides.pop("doc_type", "通知"),
        title=overrides.pop("title", "关于做好冬季安全生产工作的通知"),
        body=overrides.pop(
            "body",
            "各有关单位：\n一、提高认识\n冬季是安全生产事故易发期，各单位要切实加强领导。\n"
            "二、落实责任\n（一）压实主体责任。\n（二）加强督促检查。",
        ),
        main_recipients=overrides.pop(
            "main_recipients",
            [services.RecipientIn(department="FIN"), services.RecipientIn(department="EDU")],
        ),
        cc=overrides.pop(
            "cc",
            [services.RecipientIn(department="EAST"), services.RecipientIn(name="省应急管理厅")],
        ),
        countersign_departments=overrides.pop("countersign", ["FIN"]),
        **overrides,
    )
    return services.create_draft(gov["drafter"], data)


def open_task(document: Document, step: str) -> Task:
    return Task.objects.get(instance_id=document.instance_id, bpmn_id=step, status="open")


def complete(user: User, document: Document, step: str, **kwargs: Any) -> None:
    task = open_task(document, step)
    if task.assignee_id is None:
        workflow.claim_task(user, task.pk)
    workflow.complete_task(user, task.pk, **kwargs)


def to_sealing(gov: dict[str, Any], document: Document) -> Document:
    complete(gov["drafter"], document, "draft", opinion="请核稿")
    complete(gov["reviewer"], document, "review", data={"approved": True}, opinion="同意")
    for _ in Task.objects.filter(instance_id=document.instance_id, bpmn_id="countersign"):
        complete(gov["fin_head"], document, "countersign", opinion="会签同意")
    complete(gov["signer"], document, "sign_off", opinion="签发")
    complete(gov["drafter"], document, "numbering", data={"copies": 5})
    document.refresh_from_db()
    assert document.stage == Stage.SEALING
    return document


def seal(gov: dict[str, Any], document: Document) -> Document:
    """The seal keeper seals the official copy with a fresh one-time code."""
    # Each seal needs a fresh code: move to the next 30-second step.
    with time_machine.travel(timezone.now() + timedelta(seconds=31 * _next_step()), tick=True):
        services.apply_seal(gov["keeper"], document.pk, otp=otp(), opinion="已用印")
    document.refresh_from_db()
    return document


def issue(gov: dict[str, Any], document: Document) -> Document:
    """Every step from the draft to distribution."""
    seal(gov, to_sealing(gov, document))
    complete(gov["drafter"], document, "distribution", opinion="已分发")
    document.refresh_from_db()
    return document


_steps = iter(range(1, 10_000))


def _next_step() -> int:
    return next(_steps)


@pytest.fixture
def nss(tmp_path: Path, sealing: Any) -> Path:
    """An NSS store trusting the platform's root, as an operator sets it up for pdfsig."""
    return trust_store(tmp_path / "nss")


@pytest.fixture
def signed_in(client: Any) -> Callable[[User], Any]:
    def sign_in(user: User) -> Any:
        client.force_login(user)
        return client

    return sign_in


__all__ = ["Department", "complete", "draft", "issue", "open_task", "otp", "seal", "to_sealing"]
