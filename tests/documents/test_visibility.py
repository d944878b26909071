"""A document or an incoming register entry that the person may not see answers NotFound (404)
to every action, exactly as a missing one; who may see it still learns why they may not act."""

from __future__ import annotations

import pytest

from tongban.audit.models import AuditEntry
from tongban.core.errors import Forbidden, NotFound
from tongban.documents import incoming, services
from tongban.documents.models import IncomingItem
from tongban.workflow import services as workflow

from .conftest import draft, issue, open_task

pytestmark = pytest.mark.django_db
MISSING = 999_999


def refusals(call) -> tuple[type, type]:
    """The error for the object and for an id that does not exist."""
    kinds = []
    for target in ("real", "missing"):
        with pytest.raises((NotFound, Forbidden)) as caught:
            call(target)
        kinds.append(type(caught.value))
    return kinds[0], kinds[1]


def test_actions_on_a_draft_one_may_not_read_are_not_found(gov):
    document = draft(gov)
    attachment = services.add_attachment(
        gov["drafter"], document.pk, filename="a.txt", data="附件".encode(), title="附件"
    )
    outsider = gov["east_clerk"]
    ids = {"real": document.pk, "missing": MISSING}
    calls = {
        "update": lambda t: services.update_draft(
            outsider, ids[t], services.DraftIn(title="改掉的标题")
        ),
        "attach": lambda t: services.add_attachment(
            outsider, ids[t], filename="x.txt", data=b"x", title="x"
        ),
        "detach": lambda t: services.remove_attachment(outsider, ids[t], attachment.pk),
        "archive": lambda t: services.archive_document(outsider, ids[t], retention="D10"),
        "seal": lambda t: services.apply_seal(outsider, ids[t], otp="123456"),
    }
    for name, call in calls.items():
        assert refusals(call) == (NotFound, NotFound), name
    step = open_task(document, "draft")
    with pytest.raises(NotFound):
        workflow.complete_task(outsider, step.pk)
    document.refresh_from_db()
    assert document.title == "关于做好冬季安全生产工作的通知"
    assert document.attachments.count() == 1
    denied = AuditEntry.objects.filter(actor_username="east_clerk", outcome="denied")
    assert {"documents.document.update", "documents.document.archive"} <= set(
        denied.values_list("action", flat=True)
    )


def test_who_may_read_the_document_is_told_why_not(gov):
    """The head of the issuing office reads the draft: its steps are no secret to them."""
    document = draft(gov)
    with pytest.raises(Forbidden):
        services.update_draft(gov["signer"], document.pk, services.DraftIn(title="改"))
    with pytest.raises(Forbidden):
        workflow.complete_task(gov["signer"], open_task(document, "draft").pk)
    with pytest.raises(Forbidden):
        workflow.urge_task(gov["signer"], open_task(document, "draft").pk)


def test_another_units_incoming_entry_is_not_found(sealing):
    gov = sealing
    document = issue(gov, draft(gov))
    item = IncomingItem.objects.get(document=document, department=gov["finance"])
    outsider = gov["edu_clerk"]  # 教育局 has its own entry of the same document
    ids = {"real": item.pk, "missing": MISSING}
    calls = {
        "receive": lambda t: incoming.receive(outsider, ids[t]),
        "return": lambda t: incoming.return_to_sender(outsider, ids[t], reason="不是我们的"),
        "circulate": lambda t: incoming.circulate(outsider, ids[t], usernames=["fin_head"]),
        "archive": lambda t: incoming.archive_incoming(outsider, ids[t], retention="D10"),
    }
    for name, call in calls.items():
        assert refusals(call) == (NotFound, NotFound), name
    item.refresh_from_db()
    assert item.status == "awaiting" and not item.circulations.exists()
    # 财政局's head sees the entry but does not sign for documents: told so.
    with pytest.raises(Forbidden):
        incoming.receive(gov["fin_head"], item.pk)
