"""The workflow through the API (the interfaces scripts rely on) and the web pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def api_client(client: Client, username: str) -> Client:
    response = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return Client(
        HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}", HTTP_ACCEPT_LANGUAGE="en"
    )


def test_outgoing_document_through_the_api(client, office):
    clerk = api_client(client, "wf.clerk")
    started = clerk.post(
        "/api/v1/workflow/instances",
        {
            "process_key": "outgoing_document",
            "title": "关于节能的通知",
            "variables": {"countersign_departments": ["FIN"]},
        },
        content_type="application/json",
    )
    assert started.status_code == 201, started.content
    instance_id = started.json()["id"]
    assert started.json()["status"] == "running"
    performers = {
        "draft": "wf.clerk",
        "review": "wf.chief",
        "countersign": "wf.finhead",
        "sign_off": "wf.eduhead",
        "numbering": "wf.clerk",
        "sealing": "wf.clerk",
        "distribution": "wf.clerk",
    }
    clients = {name: api_client(client, name) for name in set(performers.values())}
    for step, who in performers.items():
        inbox = clients[who].get("/api/v1/workflow/tasks?scope=todo").json()["items"]
        task = next(t for t in inbox if t["instance_id"] == instance_id)
        assert task["name"] and task["id"]
        done = clients[who].post(
            f"/api/v1/workflow/tasks/{task['id']}/complete",
            {"data": {"approved": True}, "opinion": f"{step} ok"},
            content_type="application/json",
        )
        assert done.status_code == 200, (step, done.content)
    final = clerk.get(f"/api/v1/workflow/instances/{instance_id}").json()
    assert final["status"] == "completed"
    history = clerk.get(f"/api/v1/workflow/instances/{instance_id}/history").json()
    assert [h["action"] for h in history].count("complete") == 7
    mine = clerk.get("/api/v1/workflow/instances").json()["items"]
    assert [i["id"] for i in mine] == [instance_id]
    assert clerk.get("/api/v1/workflow/counts").json() == {"todo": 0, "overdue": 0}
    svg = clerk.get(f"/api/v1/workflow/instances/{instance_id}/diagram.svg")
    assert svg["Content-Type"].startswith("image/svg+xml") and b"<svg" in svg.content


def test_second_completion_is_a_409(client, office):
    clerk = api_client(client, "wf.clerk")
    instance = clerk.post(
        "/api/v1/workflow/instances",
        {"process_key": "outgoing_document", "variables": {"countersign_departments": []}},
        content_type="application/json",
    ).json()
    task_id = clerk.get("/api/v1/workflow/tasks").json()["items"][0]["id"]
    assert (
        clerk.post(
            f"/api/v1/workflow/tasks/{task_id}/complete", {}, content_type="application/json"
        ).status_code
        == 200
    )
    again = clerk.post(
        f"/api/v1/workflow/tasks/{task_id}/complete", {}, content_type="application/json"
    )
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    assert instance["id"]


def test_definition_upload_returns_key_and_version(client, sysadmin, office):
    import pyotp

    token = client.post(
        "/api/v1/auth/token",
        {
            "username": "sysadmin",
            "password": PASSWORD,
            "otp": pyotp.TOTP(sysadmin.totp_secret).now(),
        },
        content_type="application/json",
    ).json()["token"]
    admin = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    xml = (
        Path(__file__).resolve().parents[2]
        / "src/tongban/workflow/processes/outgoing_document.bpmn"
    ).read_bytes()
    response = admin.post(
        "/api/v1/workflow/definitions", {"file": SimpleUploadedFile("x.bpmn", xml)}
    )
    assert response.status_code == 201, response.content
    assert response.json()["key"] == "outgoing_document" and response.json()["version"] == 2
    refused = admin.post(
        "/api/v1/workflow/definitions", {"file": SimpleUploadedFile("x.bpmn", b"<nope/>")}
    )
    assert refused.status_code == 422


def test_other_peoples_instances_are_not_found(client, office):
    clerk = api_client(client, "wf.clerk")
    instance_id = clerk.post(
        "/api/v1/workflow/instances",
        {"process_key": "outgoing_document", "variables": {"countersign_departments": []}},
        content_type="application/json",
    ).json()["id"]
    outsider = api_client(client, "wf.other")
    assert outsider.get(f"/api/v1/workflow/instances/{instance_id}").status_code == 404


def test_inbox_and_task_pages(client, office):
    from tongban.workflow import services

    client.force_login(office["clerk"])
    services.start_instance(
        office["clerk"],
        process_key="outgoing_document",
        title="页面发起的通知",
        variables={"countersign_departments": ["FIN"]},
    )
    inbox = client.get("/inbox/").content.decode()
    assert "页面发起的通知" in inbox and "拟稿" in inbox
    from tongban.workflow.models import Task

    task = Task.objects.get(instance__title="页面发起的通知", status="open")
    detail = client.get(f"/workflow/tasks/{task.pk}/").content.decode()
    assert "<svg" in detail and "拟稿" in detail
    done = client.post(f"/workflow/tasks/{task.pk}/", {"action": "complete", "opinion": "请核稿"})
    assert done.status_code == 302
    assert "请核稿" in client.get(f"/workflow/instances/{task.instance_id}/").content.decode()


def test_modeler_page_saves_a_new_version(client, sysadmin):
    from tongban.workflow.models import ProcessDefinition

    client.force_login(sysadmin)
    page = client.get("/workflow/definitions/outgoing_document/model/").content.decode()
    assert 'id="bpmn-source"' in page and "bpmn-modeler.production.min.js" in page
    # The editor's own strings in the page's language, and the roles a step can name.
    strings = json.loads(
        page.split('id="editor-strings" type="application/json">')[1].split("<")[0]
    )
    assert strings["Create task"] == "创建任务" and strings["User task"] == "用户任务"
    assert '<option value="division_head">' in page and "环节属性" in page
    latest = ProcessDefinition.objects.filter(key="outgoing_document").latest("version")
    url = "/workflow/definitions/outgoing_document/model/"
    # The same diagram again is no new version.
    same = client.post(url, {"xml": latest.bpmn_xml})
    assert same.status_code == 422 and "没有任何修改" in same.content.decode()
    edited = latest.bpmn_xml.replace('name="核稿"', 'name="审稿"', 1)
    assert edited != latest.bpmn_xml
    saved = client.post(url, {"xml": edited}, follow=True)
    assert saved.redirect_chain[-1][1] == 302
    assert (
        ProcessDefinition.objects.filter(key="outgoing_document").latest("version").version
        == latest.version + 1
    )
    # A diagram whose process id was changed would start another process: refused.
    renamed = edited.replace('id="outgoing_document"', 'id="outgoing_copy"', 1)
    moved = client.post(url, {"xml": renamed})
    assert moved.status_code == 422 and "outgoing_copy" in moved.content.decode()
    assert not ProcessDefinition.objects.filter(key="outgoing_copy").exists()
    broken = client.post(url, {"xml": "<broken"})
    assert broken.status_code == 422
    page = broken.content.decode()
    assert "环节属性" in page  # the editor comes back whole …
    assert 'data-edited="1"' in page  # … with the refused edits still to save


def test_process_pages_are_for_the_system_administrator(client, office):
    client.force_login(office["clerk"])
    assert client.get("/workflow/definitions/").status_code == 403
    assert client.get("/workflow/monitor/").status_code == 403


def test_the_monitor_counts_by_process_and_lists_overdue_and_stuck_tasks(client, office, sysadmin):
    from datetime import timedelta

    from django.utils import timezone

    from tongban.workflow import services
    from tongban.workflow.models import InboxEntry, Task, TaskCandidate

    first = services.start_instance(
        office["clerk"], process_key="outgoing_document", title="甲文",
        variables={"countersign_departments": ["FIN"]},
    )  # fmt: skip
    services.start_instance(
        office["clerk"], process_key="outgoing_document", title="乙文",
        variables={"countersign_departments": ["FIN"]},
    )  # fmt: skip
    late = first.tasks.get(status="open")
    Task.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    services.complete_task(office["clerk"], late.pk)
    review = first.tasks.get(status="open")  # a shared review nobody can take any more
    Task.objects.filter(pk=review.pk).update(assignee=None)
    TaskCandidate.objects.filter(task=review).delete()
    InboxEntry.objects.filter(task=review).delete()
    second_draft = Task.objects.get(status="open", instance__title="乙文")
    Task.objects.filter(pk=second_draft.pk).update(due_on=timezone.localdate() - timedelta(days=2))

    client.force_login(sysadmin)
    page = client.get("/workflow/monitor/").content.decode()
    assert "甲文" in page and "乙文" in page
    answer = client.get("/api/v1/workflow/monitor").json()
    [line] = answer["by_definition"]
    assert (line["key"], line["running"], line["overdue"], line["stuck"]) == (
        "outgoing_document", 2, 1, 1,
    )  # fmt: skip
    assert [t["instance_title"] for t in answer["overdue"]] == ["乙文"]
    assert [t["id"] for t in answer["stuck"]] == [review.pk]
    assert client.get("/api/v1/workflow/monitor?process_key=nothing").json()["by_definition"] == []
    clerk = api_client(client, "wf.clerk")
    assert clerk.get("/api/v1/workflow/monitor").status_code == 403


def _at_countersign(office):
    """An outgoing process at countersign after one round of review: draft, review, draft,
    review done."""
    from tongban.workflow import services
    from tongban.workflow.models import Task

    instance = services.start_instance(
        office["clerk"],
        process_key="outgoing_document",
        title="退回选择",
        variables={"countersign_departments": ["FIN"]},
    )

    def open_step(bpmn_id):
        return Task.objects.get(instance=instance, bpmn_id=bpmn_id, status="open")

    services.complete_task(office["clerk"], open_step("draft").pk)
    services.complete_task(
        office["chief"], open_step("review").pk, data={"approved": False}, opinion="再改"
    )
    services.complete_task(office["clerk"], open_step("draft").pk)
    services.complete_task(office["chief"], open_step("review").pk, data={"approved": True})
    return instance, open_step


def test_the_task_page_sends_back_to_a_chosen_earlier_step(client, office):
    from tongban.workflow.models import HistoryEvent, Task

    instance, open_step = _at_countersign(office)
    countersign = open_step("countersign")
    client.force_login(office["fin_head"])
    page = client.get(f"/workflow/tasks/{countersign.pk}/").content.decode()
    latest_draft = Task.objects.filter(instance=instance, bpmn_id="draft").latest("id")
    first_draft = Task.objects.filter(instance=instance, bpmn_id="draft").earliest("id")
    # Each earlier step once, at its latest run; the previous step (review) is the default.
    assert 'name="to_task"' in page
    assert f'value="{latest_draft.pk}"' in page and f'value="{first_draft.pk}"' not in page
    assert page.index("核稿") < page.index("拟稿", page.index('name="to_task"'))

    bad = client.post(
        f"/workflow/tasks/{countersign.pk}/",
        {"action": "return", "reason": "退回", "to_task": "abc"},
        follow=True,
    )
    assert "请选择本流程中此前已办理的环节作为退回环节" in bad.content.decode()
    assert open_step("countersign").pk == countersign.pk  # nothing moved

    sent = client.post(
        f"/workflow/tasks/{countersign.pk}/",
        {"action": "return", "reason": "依据不足，请重拟", "to_task": str(latest_draft.pk)},
    )
    assert sent.status_code == 302
    redraft = open_step("draft")
    assert redraft.assignee == office["clerk"]
    assert not Task.objects.filter(instance=instance, status="open").exclude(pk=redraft.pk)
    assert HistoryEvent.objects.filter(
        instance=instance, action="return", opinion="依据不足，请重拟", step_name="拟稿"
    ).exists()


def test_without_a_choice_send_back_goes_to_the_previous_step(client, office):
    _instance, open_step = _at_countersign(office)
    client.force_login(office["fin_head"])
    client.post(
        f"/workflow/tasks/{open_step('countersign').pk}/",
        {"action": "return", "reason": "请再核", "to_task": ""},
    )
    assert open_step("review").assignee == office["chief"]


def test_the_api_lists_return_targets_and_refuses_a_step_that_is_no_target(client, office):
    from tongban.workflow.models import Task

    instance, open_step = _at_countersign(office)
    countersign = open_step("countersign")
    fin = api_client(client, "wf.finhead")
    targets = fin.get(f"/api/v1/workflow/tasks/{countersign.pk}/return-targets")
    assert targets.status_code == 200
    assert [t["name"] for t in targets.json()] == ["核稿", "拟稿"]
    assert (
        targets.json()[1]["id"]
        == Task.objects.filter(instance=instance, bpmn_id="draft").latest("id").pk
    )
    stranger = api_client(client, "wf.other")
    assert (
        stranger.get(f"/api/v1/workflow/tasks/{countersign.pk}/return-targets").status_code == 404
    )

    itself = fin.post(
        f"/api/v1/workflow/tasks/{countersign.pk}/return",
        {"to_task_id": countersign.pk, "opinion": "退回"},
        content_type="application/json",
    )
    assert itself.status_code == 422
    assert "Choose an earlier step" in itself.json()["detail"]
    assert open_step("countersign").pk == countersign.pk


def test_the_hand_over_field_suggests_colleagues_not_administrators(client, office, make_staff):
    from tongban.identity.models import User

    # In the chief's own division, so that the chief may see them: an administrator with a
    # staff record, and a colleague who has left.
    admin = make_staff("edu_basic", "wf.admin", role=None).user
    User.objects.filter(pk=admin.pk).update(admin_role="system")
    gone = make_staff("edu_basic", "wf.gone").user
    User.objects.filter(pk=gone.pk).update(is_active=False)

    assert client.get("/org/people/suggest/?to=wf").status_code == 302  # signed-in staff only
    client.force_login(office["chief"])
    options = client.get("/org/people/suggest/?to=wf.cl").content.decode()
    assert 'value="wf.clerk"' in options and office["clerk"].display_name in options
    assert 'value="wf.chief"' not in options  # "wf.cl" does not match the chief
    everyone = client.get("/org/people/suggest/?to=wf").content.decode()
    assert 'value="wf.clerk"' in everyone
    assert 'value="wf.admin"' not in everyone and 'value="wf.gone"' not in everyone
    assert client.get("/org/people/suggest/?to=").content.decode().strip() == ""
    from tongban.workflow import services
    from tongban.workflow.models import Task

    instance = services.start_instance(
        office["clerk"], process_key="outgoing_document", title="转办", variables={}
    )
    services.complete_task(office["clerk"], instance.tasks.get(status="open").pk)
    review = Task.objects.get(instance=instance, bpmn_id="review", status="open")
    page = client.get(f"/workflow/tasks/{review.pk}/").content.decode()
    assert 'hx-get="/org/people/suggest/"' in page and f'list="people-{review.pk}"' in page


def test_started_by_me_shows_where_each_process_stands_and_filters_by_title(client, office):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tongban.workflow import services
    from tongban.workflow.models import Task

    instance = services.start_instance(
        office["clerk"],
        process_key="outgoing_document",
        title="关于会签进度的通知",
        variables={"countersign_departments": ["FIN", "EAST"]},
    )
    services.complete_task(office["clerk"], instance.tasks.get(status="open").pk)
    services.complete_task(
        office["chief"], instance.tasks.get(status="open").pk, data={"approved": True}
    )
    services.start_instance(office["clerk"], process_key="outgoing_document", title="另一份文件")
    client.force_login(office["clerk"])
    client.get("/inbox/?scope=started")  # warm the session and the spec cache
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/inbox/?scope=started").content.decode()
    row = page[page.index("关于会签进度的通知") :]
    row = row[: row.index("</tr>")]
    first = Task.objects.filter(instance=instance, status="open").order_by("due_on", "id").first()
    assert "会签" in row and first.context_label in row and "另有 1 个" in row
    assert first.assignee.display_name in row
    assert "另一份文件" in page and "拟稿" in page
    lists = [
        q["sql"]
        for q in queries.captured_queries
        if '"workflow_processinstance"."started_at" DESC' in q["sql"]
    ]
    assert len(lists) == 1  # the rows and where each stands: one query
    assert '"workflow_processinstance"."state"' not in lists[0]  # no engine state for a list

    filtered = client.get("/inbox/?scope=started&q=会签进度").content.decode()
    assert "关于会签进度的通知" in filtered and "另一份文件" not in filtered


def test_the_inbox_filters_by_process(client, office, sysadmin):
    from pathlib import Path

    from tongban.workflow import services

    leave = Path(__file__).resolve().parents[2] / "src/tongban/demo/processes/leave_request.bpmn"
    services.import_definition(sysadmin, leave.read_bytes())
    services.start_instance(office["clerk"], process_key="outgoing_document", title="一份发文")
    services.start_instance(
        office["clerk"],
        process_key="leave_request",
        title="一次请假",
        variables={"days": 1, "first_day": "2026-12-07"},
    )
    client.force_login(office["clerk"])
    started = client.get("/inbox/?scope=started").content.decode()
    assert 'name="process"' in started and "一份发文" in started and "一次请假" in started
    only_leave = client.get("/inbox/?scope=started&process=leave_request").content.decode()
    assert "一次请假" in only_leave and "一份发文" not in only_leave
    todo = client.get("/inbox/?process=outgoing_document").content.decode()
    assert "一份发文" in todo
    unknown = client.get("/inbox/?scope=started&process=nothing").content.decode()
    assert "一次请假" in unknown and "一份发文" in unknown  # an unknown process filters nothing
