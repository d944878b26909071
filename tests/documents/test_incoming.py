"""Incoming documents (收文): sign for, register, propose, instruct, handle, circulate, complete."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from tongban.audit.models import AuditEntry
from tongban.core import calendar
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.documents import incoming, selectors
from tongban.documents.models import Circulation, IncomingItem, IncomingStatus, Stage
from tongban.notifications.models import Notification
from tongban.workflow import services as workflow
from tongban.workflow.models import Task

from .conftest import draft, issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def arrived(sealing):
    """An issued notice, now waiting in 财政局's incoming register."""
    gov = sealing
    document = issue(gov, draft(gov))
    item = IncomingItem.objects.get(document=document, department=gov["finance"])
    return gov, item


def step(item: IncomingItem, bpmn_id: str) -> Task:
    item.refresh_from_db()
    return Task.objects.get(instance_id=item.instance_id, bpmn_id=bpmn_id, status="open")


def test_the_receivers_are_told_at_once(arrived):
    gov, item = arrived
    notes = Notification.objects.filter(
        object_type="documents.incomingitem", object_id=str(item.pk)
    )
    assert {n.recipient.username for n in notes} == {"fin_clerk"}
    assert selectors.awaiting_count(gov["fin_clerk"]) == 1
    assert selectors.awaiting_count(gov["edu_clerk"]) == 1
    assert selectors.awaiting_count(gov["budget_clerk"]) == 0  # not the receiving unit


def test_sign_register_propose_instruct_handle_complete(arrived):
    gov, item = arrived
    clerk = gov["fin_clerk"]
    with pytest.raises(NotFound):  # another unit's register: not theirs to see
        incoming.receive(gov["edu_clerk"], item.pk)
    incoming.receive(clerk, item.pk)
    item.refresh_from_db()
    assert item.status == IncomingStatus.RECEIVED and item.received_by == clerk
    with pytest.raises(Conflict):
        incoming.receive(clerk, item.pk)  # once

    workflow.complete_task(clerk, step(item, "register").pk, data={"copies": 2})
    item.refresh_from_db()
    assert item.receipt_number == f"收〔{timezone.localdate().year}〕1号"
    assert item.copies_received == 2 and item.status == IncomingStatus.REGISTERED

    with pytest.raises(InvalidInput):
        workflow.complete_task(clerk, step(item, "propose").pk, data={"for_handling": True})
    workflow.complete_task(
        clerk,
        step(item, "propose").pk,
        data={"for_handling": True},
        opinion="拟请预算处牵头办理，教育经费相关内容请会同。",
    )
    item.refresh_from_db()
    assert item.status == IncomingStatus.PROPOSED

    instruct = step(item, "instruct")
    workflow.claim_task(gov["fin_head"], instruct.pk) if instruct.assignee_id is None else None
    with pytest.raises(InvalidInput) as refused:
        workflow.complete_task(
            gov["fin_head"],
            instruct.pk,
            data={"host_department": "FIN-YSC", "due_days": 0},
            opinion="请预算处办理",
        )
    assert "due_days" in refused.value.errors
    workflow.complete_task(
        gov["fin_head"],
        instruct.pk,
        data={"host_department": "FIN-YSC", "co_departments": ["FIN"], "due_days": 5},
        opinion="请预算处牵头，五个工作日内办结。",
    )
    item.refresh_from_db()
    assert item.host_department == gov["budget"]
    assert list(item.co_departments.values_list("code", flat=True)) == ["FIN"]
    assert item.due_on == calendar.add_working_days(timezone.localdate(), 5)
    assert item.status == IncomingStatus.HANDLING

    handling = Task.objects.filter(instance_id=item.instance_id, bpmn_id="handle", status="open")
    assert {t.context_label for t in handling} == {"预算处", "示范市财政局"}
    assert all(t.due_on == item.due_on for t in handling)
    for task in handling:
        performer = gov["budget_clerk"] if task.context_label == "预算处" else gov["fin_clerk"]
        if task.assignee_id is None:
            workflow.claim_task(performer, task.pk)
        workflow.complete_task(performer, task.pk, opinion="已按要求落实")
    workflow.complete_task(clerk, step(item, "finish").pk, opinion="已办结")
    item.refresh_from_db()
    assert item.status == IncomingStatus.COMPLETED and item.completed_at is not None
    assert item.result == "已办结"
    receipts = AuditEntry.objects.filter(action="documents.incoming.receive")
    assert receipts.filter(outcome="success").count() == 1
    # The other unit's attempt is in the trail as refused.
    assert receipts.filter(outcome="denied", actor_username="edu_clerk").count() == 1


def test_reading_only_skips_instruction_and_handling(arrived):
    gov, item = arrived
    clerk = gov["fin_clerk"]
    incoming.receive(clerk, item.pk)
    workflow.complete_task(clerk, step(item, "register").pk)
    workflow.complete_task(
        clerk, step(item, "propose").pk, data={"for_handling": False}, opinion="阅知即可"
    )
    assert step(item, "finish").assignee == clerk
    assert not Task.objects.filter(instance_id=item.instance_id, bpmn_id="instruct").exists()


def test_receipt_numbers_are_per_unit_and_gap_free(sealing):
    gov = sealing
    first = issue(gov, draft(gov, title="关于甲的通知"))
    second = issue(gov, draft(gov, title="关于乙的通知"))
    numbers = []
    for document in (second, first):
        item = IncomingItem.objects.get(document=document, department=gov["finance"])
        incoming.receive(gov["fin_clerk"], item.pk)
        workflow.complete_task(gov["fin_clerk"], step(item, "register").pk)
        item.refresh_from_db()
        numbers.append(item.receipt_serial)
    edu = IncomingItem.objects.get(document=first, department=gov["education"])
    incoming.receive(gov["edu_clerk"], edu.pk)
    workflow.complete_task(gov["edu_clerk"], step(edu, "register").pk)
    edu.refresh_from_db()
    assert numbers == [1, 2] and edu.receipt_serial == 1


def test_circulation_with_read_receipts(arrived):
    gov, item = arrived
    clerk = gov["fin_clerk"]
    with pytest.raises(Conflict):
        incoming.circulate(clerk, item.pk, usernames=["fin_head"])  # not signed for yet
    incoming.receive(clerk, item.pk)
    with pytest.raises(InvalidInput):
        incoming.circulate(clerk, item.pk, usernames=["nobody"])
    with pytest.raises(NotFound):  # another unit's register
        incoming.circulate(gov["edu_clerk"], item.pk, usernames=["fin_head"])
    created = incoming.circulate(
        clerk, item.pk, usernames=["fin_head", "budget_clerk"], note="请阅"
    ).created
    assert {c.reader.username for c in created} == {"fin_head", "budget_clerk"}
    assert Notification.objects.filter(kind="circulate", recipient=gov["budget_clerk"]).exists()
    # The reader may now read the document, though it belongs to another unit.
    assert selectors.document_for(gov["budget_clerk"], item.document_id)
    circulation = Circulation.objects.get(item=item, reader=gov["budget_clerk"])
    assert list(selectors.to_read(gov["budget_clerk"])) == [circulation]
    with pytest.raises(NotFound):
        incoming.confirm_read(gov["fin_head"], circulation.pk)  # not theirs
    incoming.confirm_read(gov["budget_clerk"], circulation.pk, comment="已阅，将按要求执行")
    circulation.refresh_from_db()
    assert circulation.read_at is not None and circulation.comment.startswith("已阅")
    assert not selectors.to_read(gov["budget_clerk"]).exists()
    with pytest.raises(Conflict):
        incoming.confirm_read(gov["budget_clerk"], circulation.pk)
    assert AuditEntry.objects.filter(action="documents.incoming.read").count() == 1


def test_urging_the_host_reaches_its_performers(arrived):
    gov, item = arrived
    clerk = gov["fin_clerk"]
    incoming.receive(clerk, item.pk)
    workflow.complete_task(clerk, step(item, "register").pk)
    workflow.complete_task(clerk, step(item, "propose").pk, opinion="拟请预算处办理")
    instruct = step(item, "instruct")
    workflow.complete_task(
        gov["fin_head"],
        instruct.pk,
        data={"host_department": "FIN-YSC", "due_days": 3},
        opinion="请办理",
    )
    handle = step(item, "handle")
    workflow.urge_task(clerk, handle.pk, message="请抓紧办理")
    note = Notification.objects.get(kind="urge")
    assert note.recipient == gov["budget_clerk"] and "请抓紧办理" in note.body


def test_deadline_warnings_turn_yellow_then_red():
    due = calendar.add_working_days(timezone.localdate(), 5)
    assert selectors.deadline_state(due, timezone.localdate()) == ""
    two_left = due
    day = timezone.localdate()
    while calendar.working_days_between(day, due) > 2:
        day += timedelta(days=1)
    assert selectors.deadline_state(two_left, day) == "yellow"
    assert selectors.deadline_state(due, due) == "yellow"
    assert selectors.deadline_state(due, due + timedelta(days=1)) == "red"
    assert selectors.deadline_state(due, due + timedelta(days=1), done=True) == ""
    assert selectors.deadline_state(None) == ""


def test_return_to_sender_before_receipt(arrived):
    gov, item = arrived
    with pytest.raises(InvalidInput):
        incoming.return_to_sender(gov["fin_clerk"], item.pk, reason=" ")
    incoming.return_to_sender(gov["fin_clerk"], item.pk, reason="非本单位职责，请改送教育局")
    item.refresh_from_db()
    assert item.status == IncomingStatus.RETURNED
    note = Notification.objects.filter(recipient=gov["drafter"], kind="document").latest("id")
    assert "非本单位职责" in note.body
    with pytest.raises(Conflict):
        incoming.receive(gov["fin_clerk"], item.pk)


def test_a_document_from_outside_is_registered_and_signed_for(gov):
    item = incoming.register_external(
        gov["edu_clerk"],
        incoming.ExternalIn(
            title="关于开展2026年度教育经费统计工作的通知",
            issuing_authority="省教育厅",
            doc_number="省教发〔2026〕8号",
            date_written=date(2026, 11, 20),
            body="各市教育局：请于12月15日前报送统计数据。",
        ),
        filename="scan.pdf",
        content=b"%PDF-1.4 not really",
    )
    assert item.department == gov["education"] and item.status == IncomingStatus.RECEIVED
    document = item.document
    assert document.origin == "received" and document.stage == Stage.REGISTERED
    assert document.number_code == "省教发" and document.number_year == 2026
    assert document.number_serial is None  # an outside number is read, not owned
    assert Task.objects.get(instance_id=item.instance_id, status="open").bpmn_id == "register"
    with pytest.raises(Forbidden):
        incoming.register_external(
            gov["reviewer"],  # a division head holds no documents.receive
            incoming.ExternalIn(title="x", issuing_authority="y"),
        )


def test_an_incoming_document_is_archived_when_completed(arrived):
    gov, item = arrived
    clerk = gov["fin_clerk"]
    incoming.receive(clerk, item.pk)
    with pytest.raises(Conflict):
        incoming.archive_incoming(clerk, item.pk, retention="D10")
    workflow.complete_task(clerk, step(item, "register").pk)
    workflow.complete_task(
        clerk, step(item, "propose").pk, data={"for_handling": False}, opinion="阅知"
    )
    workflow.complete_task(clerk, step(item, "finish").pk, opinion="已阅办结")
    from tongban.identity.models import User
    from tongban.org import policy
    from tongban.org import services as org

    org.assign_role(
        User.objects.get(username="secadmin"),
        username=clerk.username,
        role="archivist",
        department="FIN",
    )
    policy.forget(clerk)  # the roles cached on this object are now out of date
    archived = incoming.archive_incoming(clerk, item.pk, retention="D10")
    year = timezone.localdate().year
    assert f"·{year}-D10-" in archived.record_code  # 档号: …门类·年度-保管期限-机构-件号
    with pytest.raises(Conflict):
        incoming.archive_incoming(clerk, item.pk, retention="D10")
    from django.test import Client

    from tongban.records.models import Record

    record = Record.objects.get(archival_code=archived.record_code)
    slips = [f.name for f in record.files.all() if f.role == "processing_slip"]
    assert slips == ["收文处理笺.pdf"]  # named as the slip is titled, like 正文 and 附件
    reader = Client()
    reader.force_login(clerk)
    page = reader.get(f"/records/{record.pk}/").content.decode()
    link = f'<a href="/documents/incoming/{item.pk}/" title="documents.incoming {item.pk}">'
    assert f"{link}收文 {item.document.doc_number}</a>" in page


def test_the_sender_sees_each_units_receipt(arrived):
    from django.test import Client

    gov, item = arrived
    incoming.receive(gov["fin_clerk"], item.pk)
    delivered = {i.department.code: i.status for i in item.document.incoming.all()}
    assert delivered == {"FIN": "received", "EDU": "awaiting", "EAST": "awaiting"}
    drafter = Client()
    drafter.force_login(gov["drafter"])
    page = drafter.get(f"/documents/{item.document_id}/").content.decode()
    table = page[page.index("<h2>分发</h2>") :]
    assert "示范市财政局" in table and "已签收" in table and "周收文" in table
    assert table.count("待签收") == 2


def test_time_limit_counts_working_days_and_turns_red_after(arrived):
    gov, item = arrived
    clerk = gov["fin_clerk"]
    incoming.receive(clerk, item.pk)
    workflow.complete_task(clerk, step(item, "register").pk)
    workflow.complete_task(clerk, step(item, "propose").pk, opinion="拟办")
    # Instructed on Friday 4 December 2026 with two working days: due Tuesday the 8th.
    with time_machine.travel(date(2026, 12, 4), tick=False):
        workflow.complete_task(
            gov["fin_head"],
            step(item, "instruct").pk,
            data={"host_department": "FIN-YSC", "due_days": 2},
            opinion="请办理",
        )
        item.refresh_from_db()
        assert item.due_on == date(2026, 12, 8)
        assert step(item, "handle").due_on == date(2026, 12, 8)
        assert selectors.incoming_detail(item)["deadline"] == "yellow"
    with time_machine.travel(date(2026, 12, 9), tick=False):
        assert selectors.incoming_detail(item)["deadline"] == "red"


def test_another_units_handling_stays_with_that_unit(arrived):
    """财政局 and 教育局 both received the notice: each sees the document, but not how the
    other unit handles it."""
    gov, item = arrived
    incoming.receive(gov["fin_clerk"], item.pk)
    workflow.complete_task(gov["fin_clerk"], step(item, "register").pk)
    workflow.complete_task(gov["fin_clerk"], step(item, "propose").pk, opinion="内部拟办意见")
    assert selectors.document_for(gov["edu_clerk"], item.document_id)
    with pytest.raises(NotFound):
        selectors.incoming_for(gov["edu_clerk"], item.pk)
    assert selectors.incoming_for(gov["fin_clerk"], item.pk).proposal == "内部拟办意见"
    # A reader it was passed to, in another unit, may open it.
    incoming.circulate(gov["fin_clerk"], item.pk, usernames=["edu_head"])
    assert selectors.incoming_for(gov["edu_head"], item.pk).pk == item.pk


def test_the_top_bar_counts_what_waits_to_be_signed_for(arrived):
    from django.test import Client

    gov, item = arrived
    clerk = Client()
    clerk.force_login(gov["fin_clerk"])
    page = clerk.get("/workbench/").content.decode()
    assert 'href="/documents/incoming/">待签收 <span class="badge badge-danger">1</span>' in page
    incoming.receive(gov["fin_clerk"], item.pk)
    assert "待签收 <span" not in clerk.get("/workbench/").content.decode()
