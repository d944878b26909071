"""Forms drawn in the BPMN (camunda:formField): read at import, filled in on the start and task
pages, checked by the services whichever way the values arrive."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from tongban.core.errors import Conflict, InvalidInput
from tongban.workflow import engine, selectors, services
from tongban.workflow.models import HistoryEvent, ProcessInstance, Task

pytestmark = pytest.mark.django_db

# The demo city's leave request (请假申请): 处室负责人审批, and 单位负责人审批 beyond 3 days.
LEAVE = (
    Path(__file__).resolve().parents[2] / "src/tongban/demo/processes/leave_request.bpmn"
).read_bytes()


@pytest.fixture
def leave(sysadmin):
    return services.import_definition(sysadmin, LEAVE, source="leave_request.bpmn")


def test_the_forms_are_read_at_import(leave):
    assert [f["id"] for f in leave.start_form] == ["days", "first_day", "kind", "reason"]
    days, first_day, kind, reason = leave.start_form
    assert days["type"] == "long" and days["required"] and days["label"] == "请假天数"
    assert first_day["type"] == "date" and first_day["required"]
    assert [value for value, _label in kind["choices"]] == [
        "annual", "sick", "personal", "marriage", "maternity", "paternity", "bereavement",
        "home_visit",
    ]  # fmt: skip
    assert kind["choices"][:2] == [["annual", "年休假"], ["sick", "病假"]]
    assert kind["default"] == "annual"
    assert not reason["required"] and reason["maxlength"] == 500
    assert (days["min"], days["max"], days["readonly"]) == (1, 180, False)
    assert [f["id"] for f in leave.user_tasks["approve"]["form"]] == ["approved", "days_granted"]
    bureau = leave.user_tasks["bureau_approve"]["form"]
    assert [(f["id"], f["readonly"]) for f in bureau] == [
        ("days", True),
        ("days_granted", True),
        ("approved", False),
    ]


REASON_FIELD = LEAVE[LEAVE.index(b'<camunda:formField id="reason"') :]
REASON_FIELD = REASON_FIELD[: REASON_FIELD.index(b"</camunda:formField>") + 20]


def limited(kind: str, constraint: str) -> str:
    return (
        f'<camunda:formField id="n" type="{kind}"><camunda:validation>'
        f"<camunda:constraint {constraint} /></camunda:validation></camunda:formField>"
    )


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ('<camunda:formField id="2days" type="long" />', "2days"),
        ('<camunda:formField id="_secret" type="string" />', "_secret"),
        ('<camunda:formField id="size" type="file" />', "type “file”"),
        ('<camunda:formField id="kind" type="enum" />', "without values"),
        ('<camunda:formField id="initiator" type="string" />', "the platform sets itself"),
        ('<camunda:formField id="approve_opinion" type="string" />', "the platform sets itself"),
        # Constraints: a Java validator, one that does not fit the type, a limit not a number.
        (limited("long", 'name="validator" config="com.example.Check"'), "constraint “validator”"),
        (limited("string", 'name="min" config="1"'), "does not check on a string"),
        (limited("long", 'name="max" config="ten"'), "needs a whole number"),
        (
            limited("long", 'name="min" config="5" /><camunda:constraint name="max" config="1"'),
            "above",
        ),
        (
            '<camunda:formField id="n" type="long" defaultValue="0"><camunda:validation>'
            '<camunda:constraint name="min" config="1" /></camunda:validation></camunda:formField>',
            "within its min and max",
        ),
    ],
)
def test_a_form_field_tongban_cannot_fill_is_refused_naming_it(field, message):
    xml = LEAVE.replace(REASON_FIELD, field.encode())
    assert xml != LEAVE
    with (
        translation.override("en"),
        pytest.raises(engine.DefinitionError, match=message) as refused,
    ):
        engine.parse_definition(xml)
    assert refused.value.element_id == "apply"


def test_an_import_refusal_is_in_the_users_language():
    xml = LEAVE.replace(REASON_FIELD, b'<camunda:formField id="size" type="file" />')
    with pytest.raises(engine.DefinitionError, match="apply：表单字段“size”的类型为“file”"):
        engine.parse_definition(xml)
    with pytest.raises(engine.DefinitionError, match="不是格式正确的 XML"):
        engine.parse_definition(b"<bpmn:definitions")


def test_start_checks_the_start_form_and_writes_nothing_when_it_is_wrong(leave, office):
    with translation.override("en"):
        with pytest.raises(InvalidInput, match="“请假天数” is required"):
            services.start_instance(
                office["clerk"], process_key="leave_request", variables={"first_day": "2026-12-07"}
            )
        with pytest.raises(InvalidInput, match="whole number") as bad:
            services.start_instance(
                office["clerk"],
                process_key="leave_request",
                variables={"days": "三", "first_day": "2026-12-07"},
            )
        assert bad.value.errors == {"days": [str(bad.value.message)]}
        with pytest.raises(InvalidInput, match="a date"):
            services.start_instance(
                office["clerk"],
                process_key="leave_request",
                variables={"days": 2, "first_day": "12/07/2026"},
            )
        with pytest.raises(InvalidInput, match="“请假天数” is from 1 to 180"):
            services.start_instance(
                office["clerk"],
                process_key="leave_request",
                variables={"days": -2, "first_day": "2026-12-07"},
            )
        with pytest.raises(InvalidInput, match="“事由” has at most 500 characters"):
            services.start_instance(
                office["clerk"],
                process_key="leave_request",
                variables={"days": 2, "first_day": "2026-12-07", "reason": "长" * 501},
            )
        with pytest.raises(InvalidInput, match="Choose one of the values"):
            services.start_instance(
                office["clerk"],
                process_key="leave_request",
                variables={"days": 2, "first_day": "2026-12-07", "kind": "holiday"},
            )
    assert not ProcessInstance.objects.filter(definition=leave).exists()
    instance = services.start_instance(
        office["clerk"],
        process_key="leave_request",
        variables={"days": "2", "first_day": "2026-12-07", "kind": "sick"},
    )
    assert instance.variables == {"days": 2, "first_day": "2026-12-07", "kind": "sick"}


def test_a_task_form_is_checked_and_its_values_steer_the_process(leave, office):
    instance = services.start_instance(
        office["clerk"],
        process_key="leave_request",
        variables={"days": 3, "first_day": "2026-12-07"},
    )
    approve = Task.objects.get(instance=instance, bpmn_id="approve")
    assert approve.assignee == office["chief"]
    assert selectors.task_form(approve)[0]["id"] == "approved"
    with translation.override("en"), pytest.raises(InvalidInput, match="yes or no"):
        services.complete_task(office["chief"], approve.pk, data={"approved": "perhaps"})
    assert Task.objects.get(pk=approve.pk).status == "open"
    services.complete_task(
        office["chief"], approve.pk, data={"approved": "false", "days_granted": "0"}
    )
    assert Task.objects.get(pk=approve.pk).data == {"approved": False, "days_granted": 0}
    told = Task.objects.get(instance=instance, status="open")
    assert told.bpmn_id == "told" and told.assignee == office["clerk"]  # ${!approved} was taken


def test_more_than_three_days_also_go_to_the_head_of_the_unit(leave, office):
    instance = services.start_instance(
        office["clerk"],
        process_key="leave_request",
        variables={"days": 5, "first_day": "2026-12-07"},
    )
    services.complete_task(
        office["chief"], instance.tasks.get(status="open").pk, data={"approved": True}
    )
    bureau = Task.objects.get(instance=instance, status="open")
    assert bureau.bpmn_id == "bureau_approve" and bureau.assignee == office["edu_head"]
    services.complete_task(office["edu_head"], bureau.pk, data={"approved": True})
    instance.refresh_from_db()
    assert instance.status == "completed"


def test_a_yes_no_left_out_is_no_never_the_earlier_steps_answer(leave, office):
    instance = services.start_instance(
        office["clerk"],
        process_key="leave_request",
        variables={"days": 5, "first_day": "2026-12-07"},
    )
    assert instance.variables["kind"] == "annual"  # the BPMN's default, given on the server too
    services.complete_task(
        office["chief"], instance.tasks.get(status="open").pk, data={"approved": True}
    )
    bureau = Task.objects.get(instance=instance, status="open", bpmn_id="bureau_approve")
    services.complete_task(office["edu_head"], bureau.pk, data={})  # through the API, say
    told = Task.objects.get(instance=instance, status="open")
    assert told.bpmn_id == "told"  # not granted on the division head's "yes"
    assert Task.objects.get(pk=bureau.pk).data == {"approved": False}


def test_a_required_yes_no_must_be_answered():
    from tongban.workflow import fields

    form = [{"id": "agree", "label": "同意", "type": "boolean", "required": True, "default": ""}]
    with translation.override("en"), pytest.raises(InvalidInput, match="“同意” is yes or no"):
        fields.checked(form, {})
    assert fields.checked(form, {"agree": "true"}) == {"agree": True}
    optional = [{**form[0], "required": False}]
    assert fields.checked(optional, {"other": 1}) == {"other": 1, "agree": False}


def test_the_start_page_lists_hand_started_processes_and_starts_one(client, leave, office):
    client.force_login(office["clerk"])
    listing = client.get("/workflow/start/").content.decode()
    assert "请假申请" in listing and "/workflow/start/leave_request/" in listing
    assert "/workflow/start/outgoing_document/" not in listing  # started from the documents pages
    assert client.get("/workflow/start/outgoing_document/").status_code == 404

    page = client.get("/workflow/start/leave_request/").content.decode()
    assert 'name="f_days"' in page and 'type="date"' in page and "年休假" in page
    assert 'min="1"' in page and 'max="180"' in page and 'maxlength="500"' in page
    refused = client.post(
        "/workflow/start/leave_request/", {"title": "年假", "f_days": "", "f_first_day": ""}
    )
    assert refused.status_code == 422 and not ProcessInstance.objects.filter(definition=leave)
    started = client.post(
        "/workflow/start/leave_request/",
        {"title": "十二月年假", "f_days": "2", "f_first_day": "2026-12-07", "f_kind": "annual"},
    )
    instance = ProcessInstance.objects.get(definition=leave)
    assert (
        started.status_code == 302 and started["Location"] == f"/workflow/instances/{instance.pk}/"
    )
    assert instance.title == "十二月年假" and instance.variables["first_day"] == "2026-12-07"
    assert HistoryEvent.objects.filter(instance=instance, action="start").exists()


def test_the_task_page_shows_the_tasks_form_and_completes_with_it(client, leave, office):
    instance = services.start_instance(
        office["clerk"],
        process_key="leave_request",
        variables={"days": 1, "first_day": "2026-12-08", "kind": "sick"},
    )
    approve = Task.objects.get(instance=instance, bpmn_id="approve")
    client.force_login(office["chief"])
    page = client.get(f"/workflow/tasks/{approve.pk}/").content.decode()
    # The approver sees which process this is (not "文件": it is no document) and what was
    # asked for, a choice by its label.
    assert "<dt>流程</dt><dd>请假申请</dd>" in page and "<dt>文件</dt>" not in page
    assert "<dt>请假天数</dt><dd>1</dd>" in page and "<dt>假别</dt><dd>病假</dd>" in page
    assert "<dt>事由</dt>" not in page  # left empty
    assert 'name="f_approved"' in page and 'name="f_days_granted"' in page and "批准天数" in page
    bad = client.post(
        f"/workflow/tasks/{approve.pk}/",
        {"action": "complete", "f_approved": "on", "f_days_granted": "一天"},
    )
    assert bad.status_code == 422 and Task.objects.get(pk=approve.pk).status == "open"
    done = client.post(
        f"/workflow/tasks/{approve.pk}/",
        {"action": "complete", "f_approved": "on", "f_days_granted": "1", "opinion": "同意"},
    )
    assert done.status_code == 302
    instance.refresh_from_db()
    assert instance.status == "completed"  # ${approved}: straight to 准假
    assert Task.objects.get(pk=approve.pk).data == {"approved": True, "days_granted": 1}
    # The decision is on the processing slip for the initiator, not only the opinion.
    client.force_login(office["clerk"])
    slip = client.get(f"/workflow/instances/{instance.pk}/").content.decode()
    assert "<dt>同意</dt><dd>是</dd>" in slip and "<dt>批准天数</dt><dd>1</dd>" in slip


def test_administrators_and_the_api_see_the_forms(client, leave, office, sysadmin):
    assert selectors.startable(sysadmin) == []
    from tests.workflow.test_api_and_pages import api_client

    clerk = api_client(client, "wf.clerk")
    listed = clerk.get("/api/v1/workflow/definitions").json()
    leave_out = next(d for d in listed if d["key"] == "leave_request")
    assert [f["id"] for f in leave_out["start_form"]] == ["days", "first_day", "kind", "reason"]
    refused = clerk.post(
        "/api/v1/workflow/instances",
        {"process_key": "leave_request", "variables": {"first_day": "2026-12-07"}},
        content_type="application/json",
    )
    assert refused.status_code == 422 and "请假天数" in refused.json()["detail"]
    started = clerk.post(
        "/api/v1/workflow/instances",
        {"process_key": "leave_request", "variables": {"days": 1, "first_day": "2026-12-07"}},
        content_type="application/json",
    )
    assert started.status_code == 201
    chief = api_client(client, "wf.chief")
    (task,) = chief.get("/api/v1/workflow/tasks?scope=todo").json()["items"]
    assert task["step"] == "approve" and "approve" in leave_out["task_forms"]
    done = chief.post(
        f"/api/v1/workflow/tasks/{task['id']}/complete",
        {"data": {"approved": True, "days_granted": "一"}},
        content_type="application/json",
    )
    assert done.status_code == 422 and done.json()["errors"]["days_granted"]


def test_the_start_list_offers_each_process_once_at_its_latest_version(leave, sysadmin, office):
    again = services.import_definition(
        sysadmin, LEAVE.replace("请假申请".encode(), "请假".encode())
    )
    assert [(d.key, d.version, d.name) for d in selectors.startable(office["clerk"])] == [
        ("leave_request", again.version, "请假")
    ]
    assert ("leave_request", "请假") in selectors.process_choices()
    assert ("outgoing_document", "发文办理") in selectors.process_choices()


def start_leave(office, days=1, *, who="clerk", first_day="2026-12-08"):
    return services.start_instance(
        office[who],
        process_key="leave_request",
        variables={"days": days, "first_day": first_day},
    )


def test_a_request_nobody_has_touched_is_withdrawn_and_ends(client, leave, office):
    instance = start_leave(office)
    assert instance.title == "请假申请（测试人员）"  # no title given: whose request it is
    assert selectors.may_withdraw(office["clerk"], instance)
    assert not selectors.may_withdraw(office["chief"], instance)
    client.force_login(office["clerk"])
    page = client.get(f"/workflow/instances/{instance.pk}/").content.decode()
    assert 'value="withdraw"' in page and "撤回理由（可不填）" in page
    answer = client.post(
        f"/workflow/instances/{instance.pk}/",
        {"action": "withdraw", "reason": "日期填错"},
        follow=True,
    )
    assert "申请已结束" in answer.content.decode()
    instance.refresh_from_db()
    assert (instance.status, instance.outcome) == ("terminated", "撤回")
    assert not instance.tasks.filter(status="open").exists()
    assert not selectors.inbox(office["chief"], selectors.InboxFilter("todo")).exists()
    event = HistoryEvent.objects.get(instance=instance, action="withdraw")
    assert event.actor == office["clerk"] and event.opinion == "日期填错"
    slip = answer.content.decode()
    assert "</time>\n  撤回 · " in slip  # a line for the whole process: no empty step before it


def test_a_request_is_not_withdrawn_once_the_approver_acted(client, leave, office):
    instance = start_leave(office)
    approve = Task.objects.get(instance=instance, bpmn_id="approve")
    services.transfer_task(office["chief"], approve.pk, to_username="wf.eduhead", reason="出差")
    assert not selectors.may_withdraw(office["clerk"], instance)
    client.force_login(office["clerk"])
    page = client.get(f"/workflow/instances/{instance.pk}/").content.decode()
    assert 'value="withdraw"' not in page  # not offered when it cannot work …
    with pytest.raises(Conflict) as refused:
        services.withdraw(office["clerk"], instance.pk)
    why = str(refused.value.message)
    assert "已有人接手" in why
    assert why in page  # … and the page says why
    instance.refresh_from_db()
    assert instance.status == "running"
    assert instance.tasks.filter(status="open", assignee=office["edu_head"]).exists()


def test_withdrawing_through_the_api_ends_the_request_with_204(client, leave, office):
    from tests.workflow.test_api_and_pages import api_client

    instance = start_leave(office)
    chief = api_client(client, "wf.chief")
    refused = chief.post(f"/api/v1/workflow/instances/{instance.pk}/withdraw")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only the initiator can withdraw a running process."
    clerk = api_client(client, "wf.clerk")
    answer = clerk.post(f"/api/v1/workflow/instances/{instance.pk}/withdraw")
    assert answer.status_code == 204
    assert clerk.get(f"/api/v1/workflow/instances/{instance.pk}").json()["status"] == "terminated"
    again = clerk.post(f"/api/v1/workflow/instances/{instance.pk}/withdraw")
    assert again.status_code == 409
    from tongban.audit.models import AuditEntry

    assert AuditEntry.objects.filter(
        action="workflow.instance.withdraw", outcome="denied", actor_username="wf.chief"
    ).exists()


def test_a_process_whose_first_step_is_the_initiators_has_nothing_to_withdraw(office):
    instance = services.start_instance(office["clerk"], process_key="outgoing_document")
    assert not selectors.may_withdraw(office["clerk"], instance)
    with pytest.raises(Conflict) as refused:
        services.withdraw(office["clerk"], instance.pk)
    assert str(refused.value.message) == "流程正在您这里办理，无需撤回。"


def test_the_task_page_says_whose_opinion_it_waits_for_and_what_completing_did(
    client, leave, office
):
    instance = start_leave(office)
    approve = Task.objects.get(instance=instance, bpmn_id="approve")
    type(office["edu_head"]).objects.filter(pk=office["edu_head"].pk).update(display_name="郑教育")
    services.add_signer(office["chief"], approve.pk, username="wf.eduhead", reason="请把关")
    client.force_login(office["chief"])
    page = client.get(f"/workflow/tasks/{approve.pk}/").content.decode()
    assert "正在等待 郑教育（加签）提出意见" in page
    assert '<button class="btn btn-primary" type="submit" disabled>' in page
    added = Task.objects.get(added_for=approve)
    client.force_login(office["edu_head"])
    answered = client.post(
        f"/workflow/tasks/{added.pk}/",
        {"action": "complete", "opinion": "同意"},
        follow=True,
    )
    assert "您的意见已记录，由本环节办理人决定" in answered.content.decode()
    client.force_login(office["chief"])
    page = client.get(f"/workflow/tasks/{approve.pk}/").content.decode()
    assert "正在等待" not in page
    done = client.post(
        f"/workflow/tasks/{approve.pk}/",
        {"action": "complete", "f_approved": "on", "f_days_granted": "1"},
        follow=True,
    )
    assert "已提交，流程已结束" in done.content.decode()


def test_a_read_only_field_is_never_taken_from_the_person():
    from tongban.workflow import fields

    form = [{"id": "grade", "label": "等级", "type": "long", "readonly": True, "required": True}]
    assert fields.checked(form, {"grade": 9, "other": 1}) == {"other": 1}


def test_nobody_approves_their_own_request(leave, office, make_staff):
    # The division head's own leave: she is the only division head of her division, so the
    # approval goes up to the head of the bureau, never back to her.
    own = start_leave(office, 5, who="chief")
    approve = Task.objects.get(instance=own, bpmn_id="approve")
    assert approve.assignee == office["edu_head"]
    # … and its history does not claim it went to the initiator.
    assert not HistoryEvent.objects.filter(instance=own, action="unmatched").exists()
    assert not selectors.inbox(office["chief"], selectors.InboxFilter("todo")).exists()
    # With a second division head there, she approves it instead; a clerk's leave still goes to
    # both division heads to claim.
    second = make_staff("edu_basic", "wf.chief2", role="division_head").user
    again = start_leave(office, 1, who="chief", first_day="2026-12-09")
    assert Task.objects.get(instance=again, bpmn_id="approve").assignee == second
    clerk_leave = start_leave(office)
    shared = Task.objects.get(instance=clerk_leave, bpmn_id="approve")
    assert shared.assignee is None
    assert set(shared.candidates.values_list("user__username", flat=True)) == {
        "wf.chief",
        "wf.chief2",
    }


def test_the_initiator_is_not_added_as_signer_to_their_own_approval(leave, office):
    instance = start_leave(office)
    approve = Task.objects.get(instance=instance, bpmn_id="approve")
    assert approve.assignee == office["chief"]
    with pytest.raises(InvalidInput, match="发起人") as refused:
        services.add_signer(office["chief"], approve.pk, username="wf.clerk")
    assert refused.value.field == "to"
    assert not approve.added_signers.exists()


def test_a_hand_over_reason_has_a_limit_and_nothing_is_written_beyond_it(leave, office):
    instance = start_leave(office)
    approve = Task.objects.get(instance=instance, bpmn_id="approve")
    for action in (services.transfer_task, services.add_signer):
        target = {"to_username": "wf.eduhead"} if action is services.transfer_task else {}
        with pytest.raises(InvalidInput, match="2000") as refused:
            action(
                office["chief"],
                approve.pk,
                **(target or {"username": "wf.eduhead"}),
                reason="理" * 2001,
            )
        assert refused.value.field == "reason"
    approve.refresh_from_db()
    assert approve.assignee == office["chief"] and not approve.added_signers.exists()


def test_taking_a_step_a_colleague_has_handled_says_so(leave, office, make_staff):
    second = make_staff("edu_basic", "wf.chief2", role="division_head").user
    instance = start_leave(office)
    approve = Task.objects.get(instance=instance, bpmn_id="approve")
    services.claim_task(second, approve.pk)
    services.complete_task(second, approve.pk, data={"approved": True})
    # Not "not found": the page the other division head still has open shows the step.
    with pytest.raises(Conflict, match="该待办已由测试人员办理"):
        services.claim_task(office["chief"], approve.pk)
    with pytest.raises(Conflict, match="已由测试人员办理"):
        services.transfer_task(office["chief"], approve.pk, to_username="wf.eduhead")


def test_the_applicant_cannot_send_a_refusal_back_to_be_decided_again(client, leave, office):
    instance = start_leave(office)
    approve = Task.objects.get(instance=instance, bpmn_id="approve")
    services.complete_task(office["chief"], approve.pk, data={"approved": False}, opinion="不准")
    told = instance.tasks.get(status="open")
    assert told.bpmn_id == "told" and told.assignee == office["clerk"]
    assert selectors.return_targets(told, office["clerk"]) == []
    # Nor is there anything to withdraw: the request is with the applicant.
    assert selectors.withdraw_refusal(office["clerk"], instance) == "流程正在您这里办理，无需撤回。"
    client.force_login(office["clerk"])
    page = client.get(f"/workflow/tasks/{told.pk}/").content.decode()
    assert 'value="return"' not in page
    with pytest.raises(InvalidInput):
        services.return_task(office["clerk"], told.pk, to_task_id=approve.pk, opinion="再议")
    assert instance.tasks.get(status="open").pk == told.pk
    # Someone else at a later step may still send it back to the approval.
    assert selectors.return_targets(told, office["chief"]) == [approve]


def test_exclude_initiator_is_true_or_false():
    xml = LEAVE.replace(b'tongban:excludeInitiator="true"', b'tongban:excludeInitiator="ja"', 1)
    with pytest.raises(engine.DefinitionError, match="excludeInitiator") as refused:
        engine.parse_definition(xml)
    assert refused.value.element_id == "approve"


def test_a_step_sent_back_offers_what_was_filled_in_before(client, leave, office):
    instance = start_leave(office, days=5)
    approve = Task.objects.get(instance=instance, bpmn_id="approve")
    services.complete_task(
        office["chief"], approve.pk, data={"approved": True, "days_granted": 4}, opinion="同意"
    )
    bureau = Task.objects.get(instance=instance, bpmn_id="bureau_approve", status="open")
    services.return_task(office["edu_head"], bureau.pk, opinion="请核实天数")
    redo = Task.objects.get(instance=instance, bpmn_id="approve", status="open")
    client.force_login(office["chief"])
    page = client.get(f"/workflow/tasks/{redo.pk}/").content.decode()
    assert 'name="f_days_granted" value="4"' in page
    assert 'name="f_approved" id="id_f_approved" checked' in page


def test_the_approval_never_reaches_its_initiator_by_hand_over_or_delegation(leave, office):
    from tests.workflow.test_outgoing_document import delegate

    instance = start_leave(office)
    approve = Task.objects.get(instance=instance, bpmn_id="approve")
    with pytest.raises(InvalidInput, match="发起"):
        services.transfer_task(office["chief"], approve.pk, to_username="wf.clerk")
    delegate(office["chief"], office["clerk"])
    from tongban.core.errors import Forbidden

    with pytest.raises(Forbidden):
        services.complete_task(office["clerk"], approve.pk, data={"approved": True})
    assert Task.objects.get(pk=approve.pk).status == "open"
    assert not services.may_work(office["clerk"], approve)


def test_an_added_signers_opinion_is_no_decision_on_the_slip(client, leave, office):
    instance = start_leave(office)
    approve = Task.objects.get(instance=instance, bpmn_id="approve")
    services.add_signer(office["chief"], approve.pk, username="wf.eduhead")
    added = Task.objects.get(added_for=approve)
    services.complete_task(office["edu_head"], added.pk, data={"approved": False}, opinion="可以")
    client.force_login(office["clerk"])
    slip = client.get(f"/workflow/instances/{instance.pk}/").content.decode()
    assert "可以" in slip and "<dt>同意</dt><dd>否</dd>" not in slip


def test_a_read_only_default_fills_a_start_form_but_never_overwrites_what_is_held():
    from tongban.workflow import fields

    form = [{"id": "grade", "label": "等级", "type": "long", "readonly": True, "default": "3"}]
    assert fields.checked(form, {"grade": 9}, held={}) == {"grade": 3}
    assert fields.checked(form, {"grade": 9}, held={"grade": 5}) == {}
    assert fields.checked(form, {"grade": 9}) == {}  # a task form: what the process holds stands


def test_a_read_only_field_shows_what_an_earlier_step_decided(client, leave, office):
    instance = start_leave(office, days=5)
    approve = instance.tasks.get(status="open")
    services.complete_task(office["chief"], approve.pk, data={"approved": True, "days_granted": 4})
    bureau = instance.tasks.get(status="open", bpmn_id="bureau_approve")
    client.force_login(office["edu_head"])
    page = client.get(f"/workflow/tasks/{bureau.pk}/").content.decode()
    for name, value in (("f_days", "5"), ("f_days_granted", "4")):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert field is not None and "disabled" in field[0] and f'value="{value}"' in field[0]
    # Shown, not taken: a value posted for it changes nothing the division head decided.
    services.complete_task(
        office["edu_head"], bureau.pk, data={"approved": True, "days_granted": 9}
    )
    assert Task.objects.get(pk=bureau.pk).data == {"approved": True}
    assert selectors.held_values(instance, ["days", "days_granted"]) == {
        "days": 5,
        "days_granted": 4,
    }


def test_the_applicant_learns_how_the_request_ended(client, leave, office):
    from tongban.notifications.models import Notification

    granted = start_leave(office)
    approve = granted.tasks.get(status="open")
    services.complete_task(office["chief"], approve.pk, data={"approved": True})
    granted.refresh_from_db()
    assert (granted.status, granted.outcome) == ("completed", "准假")
    note = Notification.objects.get(recipient=office["clerk"], kind="ended")
    assert granted.title in note.title and note.title.endswith("准假")
    assert (note.object_type, note.object_id) == ("workflow.processinstance", str(granted.pk))
    client.force_login(office["clerk"])
    listing = client.get("/inbox/?scope=started").content.decode()
    assert "已办结 · 准假" in listing
    api = client.get(f"/api/v1/workflow/instances/{granted.pk}").json()
    assert api["outcome"] == "准假"

    # Refused: the applicant takes the last step (知悉不准假) and is not told of their own act.
    refused = start_leave(office, first_day="2026-12-09")
    services.complete_task(
        office["chief"], refused.tasks.get(status="open").pk, data={"approved": False}
    )
    services.complete_task(office["clerk"], refused.tasks.get(status="open").pk)
    refused.refresh_from_db()
    assert refused.outcome == "不准假"
    assert Notification.objects.filter(kind="ended").count() == 1


def test_an_action_on_a_step_of_a_withdrawn_request_says_it_is_no_longer_open(leave, office):
    instance = start_leave(office)
    approve = Task.objects.get(instance=instance, bpmn_id="approve")
    services.withdraw(office["clerk"], instance.pk)
    with pytest.raises(Conflict, match="不再处于待办"):
        services.transfer_task(office["chief"], approve.pk, to_username="wf.eduhead")


def test_a_misspelt_role_is_named_on_saving_and_says_where_the_step_goes(client, leave, sysadmin):
    client.force_login(sysadmin)
    xml = leave.bpmn_xml.replace(
        'camunda:candidateGroups="division_head"', 'camunda:candidateGroups="division_hed"', 1
    )
    saved = client.post("/workflow/definitions/leave_request/model/", {"xml": xml}, follow=True)
    page = saved.content.decode()
    # The approval never goes to the applicant (excludeInitiator), so not "to the initiator".
    assert "已保存为第 2 版" in page
    assert "approve：没有角色“division_hed”，该环节将交由发起人的上级办理" in page
