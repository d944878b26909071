"""The demo city: large enough, idempotent, and its logins work."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from tongban.audit.models import AuditEntry
from tongban.identity import services as identity
from tongban.identity.models import User
from tongban.org.models import Department, DepartmentKind, RoleAssignment, Staff

pytestmark = pytest.mark.django_db
PASSWORD = "Demo-Test-Pass-2026"


def run_demo(*args: str, documents: int = 0) -> str:
    out = io.StringIO()
    call_command("demo", *args, "--documents", str(documents), stdout=out)
    return out.getvalue()


def test_demo_city_has_the_promised_size_and_is_idempotent():
    logins = json.loads(run_demo("--password", PASSWORD, "--json"))
    assert Department.objects.count() >= 15
    assert Department.objects.filter(kind=DepartmentKind.DISTRICT).count() == 2
    assert Staff.objects.count() >= 60
    assert {"admin", "secadmin", "auditor", "clerk"} <= {x["username"] for x in logins}
    assert set(logins[0]) == {"username", "department", "department_name", "roles", "totp_secret"}
    counts = (
        Department.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        AuditEntry.objects.count(),
    )
    run_demo("--password", PASSWORD, "--json")
    assert counts == (
        Department.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        AuditEntry.objects.count(),
    )


def test_demo_logins_work_and_admins_have_totp():
    import pyotp

    logins = {x["username"]: x for x in json.loads(run_demo("--password", PASSWORD, "--json"))}
    assert identity.authenticate_staff("clerk", PASSWORD).username == "clerk"
    secret = logins["admin"]["totp_secret"]
    assert secret and logins["clerk"]["totp_secret"] == ""
    assert (
        identity.authenticate_staff("admin", PASSWORD, pyotp.TOTP(secret).now()).admin_role
        == "system"
    )


def test_demo_table_output_prints_password_and_logins():
    text = run_demo("--password", PASSWORD)
    assert PASSWORD in text and "secadmin" in text and "示范市" in text


def test_demo_documents_are_in_every_state_and_seeded_once():
    from tongban.documents.models import Document, IncomingItem, Stage

    text = run_demo("--password", PASSWORD, documents=60)
    assert "official documents:" in text
    stages = set(Document.objects.values_list("stage", flat=True))
    assert {s.value for s in Stage} <= stages
    statuses = set(IncomingItem.objects.values_list("status", flat=True))
    assert {"awaiting", "received", "registered", "proposed", "handling", "completed"} <= statuses
    issued = Document.objects.filter(stage=Stage.ISSUED)
    assert issued.exists() and all(d.seal_token and d.doc_number for d in issued)
    from tongban.records.models import Record

    assert Record.objects.filter(source_type="documents.document").exists()
    assert Record.objects.filter(source_type="documents.incoming").exists()
    # Imports from 2013-2015 kept ten years are due for appraisal now.
    assert Record.objects.filter(retention="D10", year__lte=2015).exists()
    counts = (Document.objects.count(), IncomingItem.objects.count(), AuditEntry.objects.count())
    run_demo("--password", PASSWORD, documents=60)
    assert counts == (
        Document.objects.count(),
        IncomingItem.objects.count(),
        AuditEntry.objects.count(),
    )


def test_the_demo_city_has_a_leave_request_process_with_requests_waiting():
    from tongban.workflow import selectors
    from tongban.workflow.models import ProcessDefinition, ProcessInstance

    run_demo("--password", PASSWORD)
    run_demo("--password", PASSWORD)  # imported and seeded once
    definition = ProcessDefinition.objects.get(key="leave_request")
    assert (
        definition.start_form and ProcessInstance.objects.filter(definition=definition).count() == 2
    )
    clerk = User.objects.get(username="clerk")
    assert [d.key for d in selectors.startable(clerk)] == ["leave_request"]
    chief = User.objects.get(username="chief")
    assert selectors.todo(chief).filter(instance__title="张晓明年休假 2 天").exists()
    director = User.objects.get(username="director")
    waiting = selectors.todo(director).get(instance__title="黄伟病假 5 天")
    assert waiting.bpmn_id == "bureau_approve"
    assert ("请假天数", "5") in selectors.start_values(waiting.instance)


def test_the_city_governments_head_is_not_a_candidate_for_every_bureau():
    from tongban.workflow.performers import role_holders

    run_demo("--password", PASSWORD)
    office = Department.objects.get(code="SFS-BGT")
    city = Department.objects.get(code="SFS")
    [city_head] = role_holders("bureau_head", city)  # heads the city government's own offices
    # … but 办公厅's sign-off goes to its own heads, not also to the city government's head.
    heads = [u.username for u in role_holders("bureau_head", office)]
    assert "director" in heads and city_head.username not in heads
