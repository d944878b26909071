"""A task or process the caller may not see answers 404 for every action, exactly as one that
does not exist: the answer reveals nothing (a 403 would say that the id exists)."""

from __future__ import annotations

import pytest

from tests.workflow.test_api_and_pages import api_client
from tongban.audit.models import AuditEntry
from tongban.workflow import services

pytestmark = pytest.mark.django_db

ACTIONS = [
    ("complete", {"data": {}, "opinion": "同意"}),
    ("claim", {}),
    ("release", {}),
    ("transfer", {"to": "wf.other", "reason": "请代办"}),
    ("add-signer", {"to": "wf.other", "reason": "请阅"}),
    ("return", {"opinion": "请修改"}),
    ("urge", {"message": "请尽快"}),
]


@pytest.fixture
def review(office):
    """The clerk's process at 核稿: a step of the edu_basic chief; nothing of finance's wf.other."""
    instance = services.start_instance(
        office["clerk"],
        process_key="outgoing_document",
        title="关于开展安全检查的通知",
        variables={"countersign_departments": ["FIN"]},
    )
    services.complete_task(office["clerk"], instance.tasks.get(status="open").pk)
    return instance.tasks.get(status="open")


@pytest.mark.parametrize(("action", "body"), ACTIONS, ids=[a for a, _b in ACTIONS])
def test_an_invisible_task_is_404_like_a_missing_one(client, office, review, action, body):
    assert review.assignee == office["chief"]
    outsider = api_client(client, "wf.other")
    missing = outsider.post(
        f"/api/v1/workflow/tasks/{review.pk + 1000}/{action}", body, content_type="application/json"
    )
    hidden = outsider.post(
        f"/api/v1/workflow/tasks/{review.pk}/{action}", body, content_type="application/json"
    )
    assert missing.status_code == 404, missing.content
    assert hidden.status_code == 404, hidden.content
    assert hidden["Content-Type"] == missing["Content-Type"] == "application/problem+json"
    same = {**hidden.json(), "instance": ""} == {**missing.json(), "instance": ""}
    assert same, (hidden.json(), missing.json())
    assert outsider.get(f"/api/v1/workflow/tasks/{review.pk}").status_code == 404
    # The probe is on record, and nothing changed.
    assert AuditEntry.objects.filter(
        actor_username="wf.other", outcome="denied", object_id=str(review.pk)
    ).exists()
    review.refresh_from_db()
    assert review.status == "open" and review.assignee == office["chief"]
    assert review.urged_at is None and not review.added_signers.exists()


def test_who_may_see_the_task_still_learns_why_not(client, office, review):
    """The initiator sees the step but may not complete it (403); the chief may not urge it."""
    clerk = api_client(client, "wf.clerk")
    refused = clerk.post(
        f"/api/v1/workflow/tasks/{review.pk}/complete", {}, content_type="application/json"
    )
    assert refused.status_code == 403, refused.content
    chief = api_client(client, "wf.chief")
    urged = chief.post(
        f"/api/v1/workflow/tasks/{review.pk}/urge", {}, content_type="application/json"
    )
    assert urged.status_code == 403, urged.content


def test_withdrawing_an_invisible_process_is_404(client, office, review):
    outsider = api_client(client, "wf.other")
    hidden = outsider.post(f"/api/v1/workflow/instances/{review.instance_id}/withdraw")
    missing = outsider.post(f"/api/v1/workflow/instances/{review.instance_id + 1000}/withdraw")
    assert hidden.status_code == missing.status_code == 404
    chief = api_client(client, "wf.chief")  # involved: sees it, is not its initiator
    assert (
        chief.post(f"/api/v1/workflow/instances/{review.instance_id}/withdraw").status_code == 403
    )


def test_a_process_administrator_still_urges_any_step(office, sysadmin, review):
    urged = services.urge_task(sysadmin, review.pk, message="请尽快办理")
    assert urged.urged_at is not None
