"""The demo's 请假申请 offers the kinds of leave a civil servant has (年休假, 病假, 事假, 婚假, 产假,
陪产假, 丧假, 探亲假), and a demo set up before they were added gets them on its next run."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import PASSWORD
from tongban.demo import services as demo
from tongban.workflow import services as workflow
from tongban.workflow.models import ProcessDefinition, ProcessInstance

pytestmark = pytest.mark.django_db

KINDS = [
    ("annual", "年休假"),
    ("sick", "病假"),
    ("personal", "事假"),
    ("marriage", "婚假"),
    ("maternity", "产假"),
    ("paternity", "陪产假"),
    ("bereavement", "丧假"),
    ("home_visit", "探亲假"),
]


def run_demo() -> None:
    call_command("demo", "--password", PASSWORD, "--documents", "0", stdout=io.StringIO())


def offered(client, username: str) -> list[tuple[str, str]]:
    from tongban.identity.models import User

    client.force_login(User.objects.get(username=username))
    page = client.get("/workflow/start/leave_request/").content.decode()
    select = re.search(r'<select[^>]*name="f_kind".*?</select>', page, re.S)
    assert select, page
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0))


def old_demo_folder(tmp_path: Path) -> Path:
    """The demo's processes as they were: the leave request with 年休假 and 病假 only."""
    folder = tmp_path / "processes"
    folder.mkdir()
    for path in demo.DEMO_PROCESSES.glob("*.bpmn"):
        shutil.copy(path, folder / path.name)
    leave = folder / "leave_request.bpmn"
    text = leave.read_text(encoding="utf-8")
    text, removed = re.subn(
        r'\s*<camunda:value id="(personal|marriage|maternity|paternity|bereavement|home_visit)"'
        r' name="[^"]+" />',
        "",
        text,
    )
    assert removed == 6
    leave.write_text(text, encoding="utf-8")
    return folder


def test_the_start_form_offers_all_eight_kinds(client):
    run_demo()
    assert offered(client, "clerk") == KINDS


def test_a_demo_set_up_before_gets_the_new_kinds_and_keeps_its_requests(
    client, tmp_path, monkeypatch
):
    monkeypatch.setattr(demo, "DEMO_PROCESSES", old_demo_folder(tmp_path))
    run_demo()
    assert offered(client, "clerk") == KINDS[:2]
    first = ProcessDefinition.objects.get(key="leave_request")
    assert ProcessInstance.objects.filter(definition=first).count() == 2

    monkeypatch.undo()
    run_demo()
    versions = list(ProcessDefinition.objects.filter(key="leave_request").order_by("version"))
    assert [d.version for d in versions] == [first.version, first.version + 1]
    assert versions[-1].source == "demo:leave_request.bpmn"
    assert offered(client, "clerk") == KINDS
    # The waiting requests stay on the version they started with; none are added.
    assert ProcessInstance.objects.filter(definition__key="leave_request").count() == 2
    assert ProcessInstance.objects.filter(definition=first).count() == 2

    run_demo()  # nothing more to do
    assert ProcessDefinition.objects.filter(key="leave_request").count() == 2


def test_a_version_the_city_saved_itself_is_not_replaced(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "DEMO_PROCESSES", old_demo_folder(tmp_path))
    run_demo()
    monkeypatch.undo()
    from tongban.identity.models import User

    admin = User.objects.get(username="admin")
    mine = ProcessDefinition.objects.get(key="leave_request").bpmn_xml.replace("事由", "请假事由")
    workflow.save_from_modeler(admin, "leave_request", mine.encode())
    run_demo()
    latest = ProcessDefinition.objects.filter(key="leave_request").order_by("-version").first()
    assert latest is not None and latest.bpmn_xml == mine
    assert ProcessDefinition.objects.filter(key="leave_request").count() == 2


def test_a_request_for_each_new_kind_starts(client):
    run_demo()
    from tongban.identity.models import User

    clerk = User.objects.get(username="clerk")
    for value, label in KINDS[2:]:
        instance = workflow.start_instance(
            clerk,
            process_key="leave_request",
            title=f"{label} 1 天",
            variables={"days": 1, "first_day": "2026-12-21", "kind": value},
        )
        assert instance.variables["kind"] == value
