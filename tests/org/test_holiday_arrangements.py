"""Entering a year's State Council holiday arrangement: the service (system administrator only,
audited, nothing written on error), the form and the file import, the warning from 1 October on
the workbench and by one notification, ``tongban calendar`` and the API."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pyotp
import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from tests.core.test_arrangements import (  # noqa: F401 (an autouse fixture)
    FICTIONAL_2027_HOLIDAYS,
    FICTIONAL_2027_NOTICE,
    FICTIONAL_2027_WORKDAYS,
    package_knows_2004_to_2026,
)
from tongban.audit.models import AuditEntry
from tongban.core import calendar
from tongban.core.arrangements import HolidayRange, MakeUpDay
from tongban.core.errors import Forbidden, InvalidInput, NotFound
from tongban.core.models import HolidayArrangement, HolidayArrangementDay
from tongban.notifications.models import Notification
from tongban.notifications.reminders import warn_missing_holiday_arrangement
from tongban.org import services

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
DATA = Path(__file__).parent.parent / "core" / "data"


def at(*args: int) -> time_machine.travel:
    return time_machine.travel(datetime(*args, 10, 0, tzinfo=SHANGHAI), tick=False)


def enter_2027(actor, **changes):
    fields = {
        "notice": FICTIONAL_2027_NOTICE,
        "holidays": FICTIONAL_2027_HOLIDAYS,
        "workdays": FICTIONAL_2027_WORKDAYS,
    } | changes
    with at(2026, 12, 7):
        return services.enter_holiday_arrangement(actor, 2027, **fields)


def written() -> tuple[int, int]:
    return HolidayArrangement.objects.count(), HolidayArrangementDay.objects.count()


# --- the service ----------------------------------------------------------------------------


def test_the_system_administrator_enters_the_notice_in_one_audited_step(sysadmin):
    arrangement = enter_2027(sysadmin)
    assert (arrangement.year, arrangement.notice, arrangement.entered_by_username) == (
        2027,
        FICTIONAL_2027_NOTICE,
        "sysadmin",
    )
    assert written() == (1, 23)
    assert calendar.year_source(2027) == calendar.YearSource.ENTERED
    assert not calendar.is_working_day(date(2027, 2, 8))  # the fictional Spring Festival
    assert calendar.is_working_day(date(2027, 2, 20))  # its make-up Saturday
    entry = AuditEntry.objects.get(action="core.calendar.arrangement.enter")
    assert (entry.actor_username, entry.object_type, entry.object_id, entry.outcome) == (
        "sysadmin",
        "core.holidayarrangement",
        "2027",
        "success",
    )
    assert entry.before is None
    assert entry.after["holidays"] == [
        "元旦 2027-01-01..2027-01-03",
        "春节 2027-02-05..2027-02-13",
        "国庆节 2027-10-01..2027-10-07",
    ]
    assert entry.after["workdays"][0] == "2027-01-31 春节"


def test_editing_later_replaces_the_days_and_records_before_and_after(sysadmin):
    enter_2027(sysadmin)
    enter_2027(
        sysadmin,
        notice="更正后的测试安排",
        holidays=[HolidayRange("春节", date(2027, 2, 6), date(2027, 2, 12))],
        workdays=[],
    )
    assert written() == (1, 7)
    assert not calendar.is_working_day(date(2027, 2, 20))  # no longer a make-up Saturday
    assert calendar.is_working_day(date(2027, 2, 5))  # no longer in the holiday
    change = AuditEntry.objects.get(action="core.calendar.arrangement.change")
    assert change.before["notice"] == FICTIONAL_2027_NOTICE
    assert change.after == {
        "notice": "更正后的测试安排",
        "holidays": ["春节 2027-02-06..2027-02-12"],
        "workdays": [],
    }


@pytest.mark.parametrize("who", ["clerk", "auditor", "secadmin"])
def test_nobody_but_the_system_administrator_may_enter_it(who, make_staff, auditor, secadmin):
    actor = {
        "clerk": lambda: make_staff("edu", "calclerk").user,
        "auditor": lambda: auditor,
        "secadmin": lambda: secadmin,
    }[who]()
    before = AuditEntry.objects.count()
    with pytest.raises(Forbidden) as err:
        enter_2027(actor)
    assert "系统管理员" in str(err.value.message)
    assert written() == (0, 0)
    denied = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert (denied.action, denied.outcome, denied.actor_username) == (
        "core.enter_holiday_arrangement",
        "denied",
        actor.username,
    )
    with pytest.raises(Forbidden):
        services.import_holiday_arrangement(actor, "a.csv", b"2027-02-05,holiday,x\n")
    with pytest.raises(Forbidden):
        services.withdraw_holiday_arrangement(actor, 2027)


def test_a_department_role_cannot_carry_the_right_to_enter_it(secadmin):
    with pytest.raises(InvalidInput) as err:
        services.define_role(
            secadmin,
            code="calendar_keeper",
            name="日历管理",
            permissions=["core.manage_calendar", "core.enter_holiday_arrangement"],
        )
    assert "core.enter_holiday_arrangement" in str(err.value.message)


def test_an_invalid_notice_writes_nothing_and_names_the_problems(sysadmin, english):
    before = AuditEntry.objects.count()
    with pytest.raises(InvalidInput) as err:
        enter_2027(sysadmin, workdays=[MakeUpDay(date(2027, 2, 10), "春节")])
    assert "2027-02-10 is a Wednesday" in err.value.errors["workdays"][0]
    assert written() == (0, 0)
    assert AuditEntry.objects.count() == before


def test_withdrawing_makes_the_year_unknown_again(sysadmin):
    enter_2027(sysadmin)
    services.withdraw_holiday_arrangement(sysadmin, 2027)
    assert written() == (0, 0)
    assert calendar.year_source(2027) == calendar.YearSource.UNKNOWN
    entry = AuditEntry.objects.get(action="core.calendar.arrangement.withdraw")
    assert entry.before["notice"] == FICTIONAL_2027_NOTICE and entry.object_id == "2027"
    with pytest.raises(NotFound):
        services.withdraw_holiday_arrangement(sysadmin, 2027)


def test_importing_a_file_goes_through_the_same_checks(sysadmin, english):
    csv = "date,kind,name\n2027-02-05,holiday,春节\n2027-02-06,holiday,春节\n2027-02-20,workday,春节\n"
    with at(2026, 12, 7):
        with pytest.raises(InvalidInput) as err:
            services.import_holiday_arrangement(sysadmin, "2027.csv", csv.encode())
        assert "title or number" in err.value.errors["notice"][0]
        with pytest.raises(InvalidInput) as err:
            services.import_holiday_arrangement(
                sysadmin, "2027.csv", csv.encode(), year=2028, notice="x"
            )
        assert err.value.errors == {"file": ["The file is for 2027, not 2028."]}
        assert written() == (0, 0)
        arrangement = services.import_holiday_arrangement(
            sysadmin, "2027.csv", csv.encode(), notice="测试通知"
        )
    assert arrangement.year == 2027 and written() == (1, 3)


# --- the warning: workbench and one notification --------------------------------------------


@pytest.mark.parametrize(
    ("day", "shown"),
    [((2026, 9, 30), False), ((2026, 10, 1), True), ((2026, 12, 7), True)],
)
def test_the_workbench_warns_the_system_administrator_from_1_october(client, sysadmin, day, shown):
    client.force_login(sysadmin)
    with at(*day):
        page = client.get("/workbench/").content.decode()
    assert ("2027年国务院节假日安排尚未录入" in page) is shown
    assert ('href="/admin/calendar/years/2027/"' in page) is shown


def test_the_warning_goes_once_the_year_is_entered_and_clerks_never_see_it(
    client, sysadmin, make_staff
):
    clerk = make_staff("edu", "wbclerk")
    client.force_login(clerk.user)
    with at(2026, 12, 7):
        assert "节假日安排尚未录入" not in client.get("/workbench/").content.decode()
    enter_2027(sysadmin)
    client.force_login(sysadmin)
    with at(2026, 12, 7):
        assert "节假日安排尚未录入" not in client.get("/workbench/").content.decode()


def test_the_job_notifies_each_system_administrator_once(make_admin, sysadmin, auditor):
    with at(2026, 9, 30):
        assert warn_missing_holiday_arrangement() == 0
    with at(2026, 10, 1):
        assert warn_missing_holiday_arrangement() == 1
    with at(2026, 10, 2):
        assert warn_missing_holiday_arrangement() == 0  # not once a day
    second = make_admin("system", "sysadmin2")
    with at(2026, 11, 2):
        assert warn_missing_holiday_arrangement() == 1  # only the new administrator
    notes = Notification.objects.order_by("id")
    assert [n.recipient.username for n in notes] == ["sysadmin", "sysadmin2"]
    note = notes[0]
    assert (note.kind, note.object_type, note.object_id) == (
        "calendar",
        "core.holidayarrangement",
        "2027",
    )
    assert note.title == "请录入2027年国务院节假日安排"
    entries = AuditEntry.objects.filter(action="core.calendar.arrangement.missing_warning")
    assert [e.after["recipients"] for e in entries.order_by("seq")] == [["sysadmin"], ["sysadmin2"]]
    assert second.notifications.count() == 1
    enter_2027(sysadmin)
    make_admin("system", "sysadmin3")
    with at(2026, 12, 7):
        assert warn_missing_holiday_arrangement() == 0  # 2027 is known now


def test_the_job_is_registered_for_the_worker():
    from tongban.core import jobs

    assert "notifications.warn_missing_holiday_arrangement" in [j.name for j in jobs.registered()]


def test_the_notification_leads_to_the_form(client, sysadmin):
    with at(2026, 10, 1):
        warn_missing_holiday_arrangement()
    note = Notification.objects.get()
    client.force_login(sysadmin)
    with at(2026, 10, 1):
        response = client.post(f"/notifications/{note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/admin/calendar/years/2027/"


# --- the form -------------------------------------------------------------------------------


def form_data(**changes):
    data = {
        "notice": "测试通知",
        "holidays-TOTAL_FORMS": "3",
        "holidays-INITIAL_FORMS": "0",
        "holidays-0-name": "春节",
        "holidays-0-first": "2027-02-05",
        "holidays-0-last": "2027-02-13",
        "holidays-1-name": "清明节",  # a name without dates: left out
        "holidays-2-name": "国庆节",
        "holidays-2-first": "2027-10-01",
        "holidays-2-last": "2027-10-07",
        "workdays-TOTAL_FORMS": "2",
        "workdays-INITIAL_FORMS": "0",
        "workdays-0-day": "2027-02-20",
        "workdays-0-name": "春节",
    }
    return data | changes


def test_the_form_enters_the_notice(client, sysadmin):
    client.force_login(sysadmin)
    with at(2026, 12, 7):
        page = client.get("/admin/calendar/years/2027/").content.decode()
        assert 'value="春节"' in page and 'value="国庆节"' in page  # the festivals prefilled
        response = client.post("/admin/calendar/years/2027/", form_data())
        assert response.status_code == 302
        assert written() == (1, 9 + 7 + 1)
        assert not calendar.is_working_day(date(2027, 2, 10))
        page = client.get("/admin/calendar/years/2027/").content.decode()
    assert 'value="2027-02-13"' in page and "sysadmin" in page  # shown again for editing


def test_the_form_names_the_problems_in_chinese_and_writes_nothing(client, sysadmin):
    client.force_login(sysadmin)
    with at(2026, 12, 7):
        response = client.post(
            "/admin/calendar/years/2027/",
            form_data(**{"workdays-1-day": "2027-02-10", "holidays-0-last": "2027-02-01"}),
        )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("2027-02-10 是星期三：调休上班日只能是星期六或星期日。") == 1
    assert page.count("春节：最后一天 2027-02-01 早于第一天 2027-02-05。") == 1
    assert 'value="2027-02-10"' in page  # what was typed comes back
    assert written() == (0, 0)


def test_the_year_page_for_a_year_that_cannot_be_entered(client, sysadmin):
    client.force_login(sysadmin)
    with at(2026, 12, 7):
        covered = client.get("/admin/calendar/years/2026/").content.decode()
        later = client.get("/admin/calendar/years/2031/").content.decode()
        refused = client.post("/admin/calendar/years/2031/", form_data())
    assert "以它为准" in covered and 'name="notice"' not in covered
    assert "目前可录入的年份：2027" in later and 'name="notice"' not in later
    assert refused.status_code == 200
    assert "目前只能录入2027年的通知，不能录入2031年的。" in refused.content.decode()
    assert written() == (0, 0)


def test_the_form_speaks_english_when_switched(client, sysadmin):
    client.force_login(sysadmin)
    client.post("/i18n/setlang/", {"language": "en", "next": "/workbench/"})
    with at(2026, 12, 7):
        page = client.post(
            "/admin/calendar/years/2027/", form_data(**{"workdays-0-day": "2027-02-06"})
        ).content.decode()
    assert "2027-02-06 cannot be both a day off (春节) and a make-up working day." in page, page
    assert written() == (0, 0)


def test_the_form_refuses_other_people(client, make_staff, auditor):
    client.force_login(make_staff("edu", "formclerk").user)
    assert client.get("/admin/calendar/years/2027/").status_code == 403
    assert client.post("/admin/calendar/years/2027/", form_data()).status_code == 403
    client.force_login(auditor)
    assert client.get("/admin/calendar/years/").status_code == 403
    assert written() == (0, 0)


def test_the_years_page_lists_sources_and_imports_a_file(client, sysadmin):
    client.force_login(sysadmin)
    with at(2026, 12, 7):
        page = client.get("/admin/calendar/years/").content.decode()
        assert "chinese-calendar" in page and "2004至2026年" in page
        assert "未知：按周一至周五" in page  # 2027
        upload = io.BytesIO(b"2027-02-05,holiday,\xe6\x98\xa5\xe8\x8a\x82\n")
        upload.name = "2027.csv"
        response = client.post("/admin/calendar/years/", {"file": upload, "notice": "测试通知"})
    assert response.status_code == 302 and response["Location"] == "/admin/calendar/years/2027/"
    assert written() == (1, 1)


def test_a_file_with_a_bad_notice_names_each_problem_once_on_the_page(client, sysadmin):
    client.force_login(sysadmin)
    upload = io.BytesIO("2027-02-10,班,春节\n2027-02-05,休,春节\n".encode())
    upload.name = "2027.csv"
    with at(2026, 12, 7):
        page = client.post("/admin/calendar/years/", {"file": upload}).content.decode()
    assert page.count("请填写通知的标题或文号") == 1
    assert page.count("2027-02-10 是星期三") == 1
    assert written() == (0, 0)


def test_a_bad_file_is_refused_on_the_page(client, sysadmin):
    client.force_login(sysadmin)
    upload = io.BytesIO((DATA / "holiday-cn-2027.json").read_bytes())
    upload.name = "2027.json"
    with at(2026, 12, 7):
        page = client.post("/admin/calendar/years/", {"file": upload}).content.decode()
    assert page.count("文件中没有任何放假日或调休上班日。") == 1
    assert written() == (0, 0)


# --- tongban calendar -----------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("calendar", *args, stdout=out, stderr=err)
    return int(exit_.value.code or 0), out.getvalue(), err.getvalue()


def test_calendar_status_warns_while_next_year_is_missing(sysadmin):
    with at(2026, 12, 7):
        code, out, _err = run("status")
    assert code == 1
    assert "chinese-calendar 1." in out and "2004-2026" in out
    assert "2027  unknown" in out and "warning: the State Council arrangement for 2027" in out
    enter_2027(sysadmin)
    with at(2026, 12, 7):
        code, out, _err = run("status")
    assert code == 0
    assert f"2027  entered  {FICTIONAL_2027_NOTICE} (entered by sysadmin" in out
    with at(2026, 9, 30):
        HolidayArrangement.objects.all().delete()
        assert run("status")[0] == 0  # before 1 October nothing is missing yet


def test_calendar_import_and_withdraw_on_the_command_line(sysadmin, tmp_path, make_staff, english):
    path = tmp_path / "2027.json"
    path.write_text(
        json.dumps(
            {
                "year": 2027,
                "notice": "测试通知",
                "days": [
                    {"date": "2027-02-05", "kind": "holiday", "name": "春节"},
                    {"date": "2027-02-20", "kind": "workday", "name": "春节"},
                ],
            }
        ),
        encoding="utf-8",
    )
    assert run("import", str(path))[0] == 2  # who?
    clerk = make_staff("edu", "cliclerk")
    with at(2026, 12, 7):
        code, _out, err = run("import", str(path), "--user", clerk.user.username)
        assert code == 1 and "system administrator" in err
        assert written() == (0, 0)
        code, out, _err = run("import", str(path), "--user", "sysadmin")
    assert code == 0 and "1 days off, 1 make-up working days" in out
    entry = AuditEntry.objects.get(action="core.calendar.arrangement.enter")
    assert (entry.actor_username, entry.source) == ("sysadmin", "cli")
    assert run("import", str(tmp_path / "missing.csv"), "--user", "sysadmin")[0] == 2
    assert run("withdraw", "2027", "--user", "sysadmin")[0] == 0
    assert written() == (0, 0)
    assert run("withdraw", "2027", "--user", "sysadmin")[0] == 1


def test_calendar_import_prints_every_problem(sysadmin, tmp_path, english):
    path = tmp_path / "bad.csv"
    path.write_text("2027-02-10,workday,春节\n2027-02-05,holiday,春节\n", encoding="utf-8")
    with at(2026, 12, 7):
        code, _out, err = run("import", str(path), "--user", "sysadmin", "--notice", "x")
    assert code == 1 and "2027-02-10 is a Wednesday" in err
    assert written() == (0, 0)


# --- the API --------------------------------------------------------------------------------


def api_client(client: Client, user) -> Client:
    body = {"username": user.username, "password": "Correct-Horse-42"}
    if user.totp_secret:
        body["otp"] = pyotp.TOTP(user.totp_secret).now()
    token = client.post("/api/v1/auth/token", body, content_type="application/json").json()["token"]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")


PAYLOAD = {
    "notice": "测试通知",
    "holidays": [{"name": "春节", "first": "2027-02-05", "last": "2027-02-13"}],
    "workdays": [{"day": "2027-02-20", "name": "春节"}],
}


def test_api_enters_reads_and_withdraws_a_year(client, sysadmin):
    api = api_client(client, sysadmin)
    with at(2026, 12, 7):
        years = {y["year"]: y["source"] for y in api.get("/api/v1/calendar/years").json()}
        assert years == {2025: "package", 2026: "package", 2027: "unknown"}
        response = api.put("/api/v1/calendar/years/2027", PAYLOAD, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["source"] == "entered" and body["entered_by"] == "sysadmin"
    assert body["holidays"] == [{"name": "春节", "first": "2027-02-05", "last": "2027-02-13"}]
    assert body["workdays"] == [{"day": "2027-02-20", "name": "春节"}]
    assert api.get("/api/v1/calendar/years/2027").json()["notice"] == "测试通知"
    assert api.delete("/api/v1/calendar/years/2027").status_code == 204
    assert written() == (0, 0)


def test_api_refuses_bad_input_and_other_people_as_problems(client, sysadmin, auditor):
    api = api_client(client, sysadmin)
    bad = PAYLOAD | {"workdays": [{"day": "2027-02-10", "name": "春节"}]}
    with at(2026, 12, 7):
        response = api.put("/api/v1/calendar/years/2027", bad, content_type="application/json")
    assert response.status_code == 422
    problem = response.json()
    assert "2027-02-10 is a Wednesday" in problem["errors"]["workdays"][0]
    assert written() == (0, 0)
    other = api_client(client, auditor)
    with at(2026, 12, 7):
        response = other.put(
            "/api/v1/calendar/years/2027", PAYLOAD, content_type="application/json"
        )
    assert response.status_code == 403
    assert written() == (0, 0)
