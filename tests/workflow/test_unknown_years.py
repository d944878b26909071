"""A task due in a year whose State Council holiday arrangement is not entered: its date counted
Monday to Friday, and the inbox, the task page and the workbench say so next to it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template

from tests.core.test_arrangements import (  # noqa: F401 (an autouse fixture)
    enter_fictional_2027,
    package_knows_2004_to_2026,
)
from tongban.workflow import services

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
HERE = Path(__file__).parent
NEW_YEAR_EVE = datetime(2026, 12, 31, 10, 0, tzinfo=SHANGHAI)  # a Thursday
NOTE = "2027年节假日安排未录入"


def start_task(office, sysadmin):
    services.import_definition(sysadmin, (HERE / "working_day_timer.bpmn").read_bytes())
    with time_machine.travel(NEW_YEAR_EVE, tick=False):
        instance = services.start_instance(
            office["clerk"], process_key="supervised", title="跨年件"
        )
    return instance.tasks.get(bpmn_id="work")


def test_a_task_due_in_an_unknown_year_is_marked_where_its_date_is_shown(client, office, sysadmin):
    task = start_task(office, sysadmin)
    # Thursday 31 December + 2 working days, Friday 1 January counted as one: Monday 4 January.
    assert task.due_on == date(2027, 1, 4)
    with time_machine.travel(NEW_YEAR_EVE, tick=False):
        client.force_login(office["clerk"])
        inbox = client.get("/inbox/").content.decode()
        detail = client.get(f"/workflow/tasks/{task.pk}/").content.decode()
        workbench = client.get("/workbench/").content.decode()
    assert "2027-01-04" in inbox and "2027-01-04" in detail
    assert "01-04" in workbench  # the workbench shows month and day
    for page in (inbox, detail, workbench):
        assert NOTE in page
        assert "按周一至周五计算工作日" in page  # the title says why


def test_once_the_year_is_entered_new_dates_count_its_holidays_and_the_note_goes(
    client, office, sysadmin
):
    enter_fictional_2027()  # TEST FIXTURE: fictional 元旦 1–3 January 2027
    task = start_task(office, sysadmin)
    assert task.due_on == date(2027, 1, 5)  # Monday 4 and Tuesday 5 January
    with time_machine.travel(NEW_YEAR_EVE, tick=False):
        client.force_login(office["clerk"])
        assert NOTE not in client.get("/inbox/").content.decode()
        assert NOTE not in client.get(f"/workflow/tasks/{task.pk}/").content.decode()


def render_note(day: object) -> str:
    return Template("{% load working_days %}{% unknown_year_note day %}").render(
        Context({"day": day})
    )


def test_the_note_is_empty_for_known_years_and_for_no_date(django_assert_num_queries):
    with time_machine.travel(NEW_YEAR_EVE, tick=False):
        with django_assert_num_queries(0):
            assert render_note(date(2026, 12, 31)) == ""
            assert render_note(None) == ""
            assert render_note("2027-01-04") == ""
        assert NOTE in render_note(date(2027, 1, 4))
        assert "2027, 2028" in render_note(date(2028, 3, 1))
    # A past due date in a known year is not made uncertain by an unknown present.
    with time_machine.travel(datetime(2027, 3, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        assert render_note(date(2026, 12, 1)) == ""
        assert NOTE in render_note(date(2027, 2, 26))
