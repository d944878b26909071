"""Boundary timers counted in working days, and what happens when one fires (督办): the
performer and the supervisor are told, and with escalate="reassign" the task changes hands."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tongban.audit.models import AuditEntry
from tongban.core.errors import InvalidInput
from tongban.notifications.models import Notification
from tongban.workflow import services
from tongban.workflow.models import HistoryEvent

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
HERE = Path(__file__).parent


def test_a_working_day_timer_skips_the_weekend_and_hands_the_task_to_the_supervisor(
    office, sysadmin
):
    definition = services.import_definition(
        sysadmin, (HERE / "working_day_timer.bpmn").read_bytes()
    )
    assert definition.timers["late"] == {
        "attached_to": "work",
        "due_working_days": 2,
        "escalate": "reassign",
    }
    friday = datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(friday, tick=False):
        instance = services.start_instance(
            office["clerk"], process_key="supervised", title="督办件"
        )
    instance.refresh_from_db()
    work = instance.tasks.get(bpmn_id="work")
    # Friday + 2 working days = Tuesday; overdue (and the timer due) from Wednesday 00:00.
    assert work.due_on.isoformat() == "2026-12-08"
    wednesday = datetime(2026, 12, 9, 0, 0, tzinfo=SHANGHAI)
    assert instance.next_timer_at == wednesday  # not Sunday, as "P2D" would say

    with time_machine.travel(wednesday - timedelta(minutes=1), tick=False):
        assert services.fire_due_timers() == 0
    with time_machine.travel(wednesday + timedelta(seconds=30), tick=False):
        assert services.fire_due_timers() == 1
        assert services.fire_due_timers() == 0  # never twice

    work.refresh_from_db()
    assert work.status == "open" and work.assignee == office["chief"]  # the division head
    assert HistoryEvent.objects.filter(instance=instance, action="escalate", task=work).exists()
    told = {n.recipient.username: n.kind for n in Notification.objects.select_related("recipient")}
    assert told == {"wf.clerk": "escalation", "wf.chief": "escalation"}
    # A deadline notice is a fact for the record: the task leaving the clerk's 待办 (handed to
    # the division head) does not mark it read, as it does a 新待办 or 催办.
    assert not Notification.objects.filter(read_at__isnull=False).exists()
    entry = AuditEntry.objects.filter(action="workflow.timer.fire").latest("seq")
    assert entry.after["escalated"] == [
        {"task": work.pk, "notified": ["wf.chief", "wf.clerk"], "reassigned_to": "wf.chief"}
    ]
    assert set(
        instance.tasks.get(pk=work.pk).inbox_entries.values_list("user__username", flat=True)
    ) == {"wf.chief"}


def test_a_timer_without_working_days_keeps_its_calendar_duration_and_only_notifies(
    office, sysadmin
):
    definition = services.import_definition(sysadmin, (HERE / "timer.bpmn").read_bytes())
    assert definition.timers["late"]["due_working_days"] is None
    start = datetime(2026, 12, 5, 9, 0, tzinfo=SHANGHAI)  # a Saturday: calendar time runs on
    with time_machine.travel(start, tick=False):
        instance = services.start_instance(office["clerk"], process_key=definition.key)
    instance.refresh_from_db()
    assert instance.next_timer_at == start + timedelta(seconds=1)  # "PT1S"
    with time_machine.travel(start + timedelta(seconds=5), tick=False):
        assert services.fire_due_timers() == 1
    work = instance.tasks.get(bpmn_id="work")
    assert work.assignee == office["clerk"]  # notify only: the task stays where it was
    assert set(Notification.objects.values_list("recipient__username", "kind")) == {
        ("wf.clerk", "escalation"),
        ("wf.chief", "escalation"),
    }


@pytest.mark.parametrize(
    ("attribute", "message"),
    [
        ('tongban:dueWorkingDays="two"', "应为整数天数，而不是“two”"),
        ('tongban:escalate="email"', "notify, reassign"),
    ],
)
def test_a_bad_timer_attribute_is_refused_naming_the_boundary_event(sysadmin, attribute, message):
    xml = (HERE / "working_day_timer.bpmn").read_text()
    xml = xml.replace('tongban:dueWorkingDays="2" tongban:escalate="reassign"', attribute)
    with pytest.raises(InvalidInput) as refused:
        services.import_definition(sysadmin, xml.encode())
    assert "late" in str(refused.value.message) and message in str(refused.value.message)
