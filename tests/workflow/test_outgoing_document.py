"""The standard outgoing-document process, end to end through the services."""

from __future__ import annotations

import pytest

from tongban.audit.models import AuditEntry
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.workflow import selectors, services
from tongban.workflow.models import HistoryEvent, ProcessDefinition, Task

pytestmark = pytest.mark.django_db


def open_tasks(instance):
    return list(instance.tasks.filter(status="open").order_by("id"))


def only(instance, bpmn_id):
    tasks = [t for t in open_tasks(instance) if t.bpmn_id == bpmn_id]
    assert len(tasks) == 1, [(t.bpmn_id, t.name) for t in open_tasks(instance)]
    return tasks[0]


def start(office, departments=("FIN", "EAST")):
    return services.start_instance(
        office["clerk"],
        process_key="outgoing_document",
        title="关于开展安全检查的通知",
        variables={"countersign_departments": list(departments)},
    )


def delegate(delegator, delegate_user, *, hours=(-1, 24), reason="出差"):
    """A delegation (代理) from ``hours[0]`` to ``hours[1]`` hours from now."""
    from datetime import timedelta

    from django.utils import timezone

    from tongban.org import services as org

    now = timezone.now()
    org.delegate(
        delegator,
        delegate=delegate_user.username,
        starts_at=now + timedelta(hours=hours[0]),
        ends_at=now + timedelta(hours=hours[1]),
        reason=reason,
    )


def test_the_shipped_process_is_loaded_on_migrate():
    definition = ProcessDefinition.objects.get(key="outgoing_document")
    assert definition.executable and definition.user_tasks["countersign"]["multi_instance"]
    assert services.load_shipped_processes() == []  # unchanged file: no new version


def test_draft_review_countersign_signoff_numbering_sealing_distribution(office):
    instance = start(office)
    draft = only(instance, "draft")
    assert draft.assignee == office["clerk"] and draft.due_on is not None
    services.complete_task(office["clerk"], draft.pk, opinion="请审核")

    review = only(instance, "review")
    assert review.assignee == office["chief"]  # the only division head of the drafter's division
    services.complete_task(
        office["chief"], review.pk, data={"approved": False}, opinion="第二段需修改"
    )
    redraft = only(instance, "draft")
    assert redraft.assignee == office["clerk"]
    services.complete_task(office["clerk"], redraft.pk, opinion="已修改")
    services.complete_task(
        office["chief"], only(instance, "review").pk, data={"approved": True}, opinion="同意"
    )

    countersigns = [t for t in open_tasks(instance) if t.bpmn_id == "countersign"]
    assert {t.assignee for t in countersigns} == {office["fin_head"], office["east_head"]}
    assert {t.context_label for t in countersigns} == {"财政局", "东城区人民政府"}
    for task in countersigns:
        services.complete_task(task.assignee, task.pk, opinion="会签同意")

    sign_off = only(instance, "sign_off")
    assert sign_off.assignee == office["edu_head"]  # the head of the drafter's bureau signs
    services.complete_task(office["edu_head"], sign_off.pk, opinion="签发")
    for step in ("numbering", "sealing", "distribution"):
        task = only(instance, step)
        assert task.assignee == office["clerk"]
        services.complete_task(office["clerk"], task.pk)

    instance.refresh_from_db()
    assert instance.status == "completed" and instance.ended_at is not None
    opinions = [
        e.opinion for e in HistoryEvent.objects.filter(instance=instance, action="complete")
    ]
    assert opinions[:4] == ["请审核", "第二段需修改", "已修改", "同意"]
    assert (
        AuditEntry.objects.filter(
            action="workflow.task.complete", object_type="workflow.task"
        ).count()
        == 10
    )


def test_two_people_completing_the_same_task_one_gets_a_conflict(office):
    instance = start(office)
    draft = only(instance, "draft")
    services.complete_task(office["clerk"], draft.pk)
    with pytest.raises(Conflict):
        services.complete_task(office["clerk"], draft.pk)
    assert instance.tasks.filter(bpmn_id="review", status="open").count() == 1


def test_only_the_performer_completes(office):
    instance = start(office)
    draft = only(instance, "draft")
    with pytest.raises(NotFound):  # not involved: the task is not theirs to know of
        services.complete_task(office["other"], draft.pk)
    services.complete_task(office["clerk"], draft.pk)
    with pytest.raises(Forbidden):  # the initiator sees the review step, but it is the chief's
        services.complete_task(office["clerk"], only(instance, "review").pk)


def test_inbox_lists_todo_done_and_started(office):
    instance = start(office)
    draft = only(instance, "draft")
    assert [t.pk for t in selectors.todo(office["clerk"])] == [draft.pk]
    assert not selectors.todo(office["chief"]).exists()
    services.complete_task(office["clerk"], draft.pk)
    assert [t.pk for t in selectors.done(office["clerk"])] == [draft.pk]
    assert selectors.todo(office["chief"]).count() == 1
    assert list(selectors.started(office["clerk"])) == [instance]


def test_a_shared_task_is_claimed_and_released(office, make_staff):
    make_staff("edu_basic", "wf.chief2", role="division_head")
    instance = start(office)
    services.complete_task(office["clerk"], only(instance, "draft").pk)
    review = only(instance, "review")
    assert review.assignee is None  # two division heads: a shared queue
    assert selectors.todo(office["chief"]).filter(pk=review.pk).exists()
    services.claim_task(office["chief"], review.pk)
    from tongban.identity.models import User

    other_chief = User.objects.get(username="wf.chief2")
    assert not selectors.todo(other_chief).filter(pk=review.pk).exists()
    with pytest.raises(Conflict):
        services.claim_task(other_chief, review.pk)
    services.release_task(office["chief"], review.pk)
    assert selectors.todo(other_chief).filter(pk=review.pk).exists()


def test_delegate_sees_and_completes_the_delegators_task(office):
    delegate(office["chief"], office["other"])
    instance = start(office)
    services.complete_task(office["clerk"], only(instance, "draft").pk)
    review = only(instance, "review")
    assert selectors.todo(office["other"]).filter(pk=review.pk).exists()
    services.complete_task(office["other"], review.pk, data={"approved": True})


def test_opening_a_countersign_asks_for_each_role_once_not_once_per_department(office):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    instance = start(office, departments=("FIN", "EAST", "EDU"))
    services.complete_task(office["clerk"], only(instance, "draft").pk)
    with CaptureQueriesContext(connection) as queries:
        services.complete_task(
            office["chief"], only(instance, "review").pk, data={"approved": True}
        )
    countersigns = [t for t in open_tasks(instance) if t.bpmn_id == "countersign"]
    assert {t.assignee for t in countersigns} == {
        office["fin_head"],
        office["east_head"],
        office["edu_head"],
    }
    sql = [q["sql"] for q in queries.captured_queries]
    assert len([q for q in sql if 'FROM "org_roleassignment"' in q]) == 1
    assert len([q for q in sql if 'FROM "org_role" ' in q]) == 1
    assert len([q for q in sql if 'FROM "core_workingdayoverride"' in q]) == 1


def test_an_assigned_task_is_worked_by_its_assignee_or_their_current_delegate_only(office):
    instance = start(office)
    services.complete_task(office["clerk"], only(instance, "draft").pk)
    review = only(instance, "review")
    assert review.assignee == office["chief"]
    # Standing in for somebody else does not open the chief's task.
    delegate(office["clerk"], office["other"], reason="休假")
    with pytest.raises(Forbidden):
        services.complete_task(office["other"], review.pk, data={"approved": True})
    delegate(office["chief"], office["other"], hours=(-48, -24), reason="已结束的出差")
    with pytest.raises(Forbidden):
        services.complete_task(office["other"], review.pk, data={"approved": True})
    delegate(office["chief"], office["other"])
    services.complete_task(office["other"], review.pk, data={"approved": True})
    assert instance.tasks.get(pk=review.pk).completed_by == office["other"]


def test_withdraw_while_the_next_step_is_untouched(office):
    instance = start(office)
    services.complete_task(office["clerk"], only(instance, "draft").pk)
    services.withdraw(office["clerk"], instance.pk)
    assert only(instance, "draft").assignee == office["clerk"]
    assert not instance.tasks.filter(bpmn_id="review", status="open").exists()


def test_withdraw_is_refused_once_the_next_step_acted(office):
    instance = start(office)
    services.complete_task(office["clerk"], only(instance, "draft").pk)
    services.complete_task(office["chief"], only(instance, "review").pk, data={"approved": True})
    with pytest.raises((Conflict, Forbidden)):
        services.withdraw(office["clerk"], instance.pk)


def test_return_to_the_previous_step_needs_a_reason(office):
    instance = start(office)
    services.complete_task(office["clerk"], only(instance, "draft").pk)
    review = only(instance, "review")
    with pytest.raises(InvalidInput):
        services.return_task(office["chief"], review.pk, opinion="")
    services.return_task(office["chief"], review.pk, opinion="格式不对")
    assert only(instance, "draft").assignee == office["clerk"]
    assert HistoryEvent.objects.filter(
        instance=instance, action="return", opinion="格式不对"
    ).exists()


def test_transfer_and_urge(office):
    instance = start(office)
    draft = only(instance, "draft")
    services.transfer_task(office["clerk"], draft.pk, to_username="wf.other", reason="请代为起草")
    draft.refresh_from_db()
    assert draft.assignee == office["other"]
    services.urge_task(office["clerk"], draft.pk)
    draft.refresh_from_db()
    assert draft.urged_at is not None
    with pytest.raises(Forbidden):  # the performer sees the step; only the initiator urges
        services.urge_task(office["other"], draft.pk)
    with pytest.raises(NotFound):  # not involved at all: as if there were no such step
        services.urge_task(office["chief"], draft.pk)


def test_terminate_is_for_the_system_administrator(office, sysadmin):
    instance = start(office)
    with pytest.raises(Forbidden):
        services.terminate_instance(office["clerk"], instance.pk, reason="不要了")
    services.complete_task(office["clerk"], only(instance, "draft").pk)
    services.terminate_instance(sysadmin, instance.pk, reason="重复发起")
    instance.refresh_from_db()
    assert instance.status == "terminated" and instance.outcome == ""
    assert not Task.objects.filter(instance=instance, status="open").exists()
    # The initiator and the division head who had 核稿 in their 待办 are told, with the reason.
    from tongban.notifications.models import Notification

    told = Notification.objects.filter(kind="ended").select_related("recipient")
    assert {n.recipient.username for n in told} == {"wf.clerk", "wf.chief"}
    assert all(n.body == "重复发起" and "已被管理员终止" in n.title for n in told)


def test_bad_variables_write_nothing(office):
    from tongban.workflow.models import ProcessInstance

    before = ProcessInstance.objects.count()
    with pytest.raises(InvalidInput):
        services.start_instance(
            office["clerk"], process_key="outgoing_document", variables={"initiator": "x"}
        )
    with pytest.raises(NotFound):
        services.start_instance(office["clerk"], process_key="nope")
    assert ProcessInstance.objects.count() == before


def test_administrators_do_not_start_business_processes(sysadmin):
    with pytest.raises(Forbidden):
        services.start_instance(sysadmin, process_key="outgoing_document")


def test_a_timer_due_while_the_worker_was_stopped_fires_once(office, sysadmin):
    from datetime import timedelta
    from pathlib import Path

    from django.utils import timezone

    xml = (Path(__file__).parent / "timer.bpmn").read_bytes()
    definition = services.import_definition(sysadmin, xml)
    instance = services.start_instance(office["clerk"], process_key=definition.key)
    instance.refresh_from_db()
    assert instance.next_timer_at is not None
    later = instance.next_timer_at + timedelta(seconds=5)
    assert services.fire_due_timers(now=instance.next_timer_at - timedelta(seconds=1)) == 0
    if later > timezone.now():  # the engine compares with the real clock too
        import time

        time.sleep((later - timezone.now()).total_seconds())
    assert services.fire_due_timers(now=later) == 1
    assert services.fire_due_timers(now=later) == 0
    assert instance.tasks.filter(bpmn_id="escalate", status="open").count() == 1
    assert instance.tasks.filter(bpmn_id="work", status="open").count() == 1


def test_countersign_completes_when_a_share_agrees(office, sysadmin, make_staff):
    """Completion rule "half agree": the third department's task is withdrawn once two agreed."""
    from pathlib import Path

    make_staff("city", "wf.cityhead", role="bureau_head", scope="department")
    xml = (Path(__file__).parent / "any_countersign.bpmn").read_bytes()
    definition = services.import_definition(sysadmin, xml)
    instance = services.start_instance(
        office["clerk"],
        process_key=definition.key,
        variables={"departments": ["FIN", "EAST", "CITY"]},
    )
    tasks = {t.context_label: t for t in open_tasks(instance)}
    assert len(tasks) == 3
    services.complete_task(office["fin_head"], tasks["财政局"].pk, data={"approved": True})
    assert len(open_tasks(instance)) == 2
    services.complete_task(office["east_head"], tasks["东城区人民政府"].pk, data={"approved": True})
    instance.refresh_from_db()
    assert instance.status == "completed"
    assert instance.tasks.filter(status="cancelled").count() == 1


def test_an_added_signer_must_give_an_opinion_first(office):
    instance = start(office)
    draft = only(instance, "draft")
    added = services.add_signer(office["clerk"], draft.pk, username="wf.other", reason="请把关")
    assert added.assignee == office["other"]
    with pytest.raises(Conflict):
        services.complete_task(office["clerk"], draft.pk)
    services.complete_task(office["other"], added.pk, opinion="无意见")
    services.complete_task(office["clerk"], draft.pk)
    assert only(instance, "review")


def test_engine_state_survives_a_store_that_reorders_keys(office):
    """PostgreSQL's jsonb sorts object keys; the engine must not depend on their order."""
    import json

    from tongban.workflow import engine

    instance = start(office)
    state = json.loads(json.dumps(instance.state))
    # children before parents: the worst order a store could hand back
    state["tasks"] = dict(
        reversed(list(engine._tree_ordered(state["tasks"], state["root"]).items()))
    )
    wf = engine.Workflow.restore(instance.definition.spec, state)
    draft = wf.ready_user_tasks()[0]
    assert (
        draft.data["initiator"] == "wf.clerk" and draft.data["initiator_department"] == "EDU-BASIC"
    )


def test_parallel_gateway_then_sequential_countersign(office, sysadmin):
    from pathlib import Path

    definition = services.import_definition(
        sysadmin, (Path(__file__).parent / "parallel_sequential.bpmn").read_bytes()
    )
    instance = services.start_instance(
        office["clerk"], process_key=definition.key, variables={"signers": ["一", "二"]}
    )
    assert {t.bpmn_id for t in open_tasks(instance)} == {"a", "b"}  # both branches at once
    services.complete_task(office["clerk"], only(instance, "a").pk)
    assert {t.bpmn_id for t in open_tasks(instance)} == {"b"}  # the join waits for the other branch
    services.complete_task(office["clerk"], only(instance, "b").pk)
    for _ in range(2):  # one signer after the other
        assert len(open_tasks(instance)) == 1
        services.complete_task(office["clerk"], only(instance, "c").pk)
    instance.refresh_from_db()
    assert instance.status == "completed"


def test_a_thousand_rework_loops_still_reach_the_end_with_a_bounded_engine_state():
    """SpiffWorkflow keeps every task it ran in one tree and stops looking at depth 1,000 (the
    instance then looked finished after ~330 loops); the facade prunes what is behind it."""
    import json
    from pathlib import Path

    from tongban.workflow import engine

    bpmn = Path(services.PROCESSES_DIR / "outgoing_document.bpmn").read_bytes()
    spec = engine.parse_definition(bpmn).spec
    wf = engine.Workflow.start(
        spec,
        {
            "initiator": "a",
            "initiator_department": "X",
            "initiator_bureau": "Y",
            "countersign_departments": ["F"],
        },
    )
    sizes = []
    for loop in range(1000):
        for bpmn_id, data in (("draft", {}), ("review", {"approved": False})):
            task = wf.ready_user_tasks()[0]
            assert task.bpmn_id == bpmn_id, loop
            wf.complete(task.id, data)
        if loop in (10, 999):
            sizes.append(len(json.dumps(wf.state())))
            wf = engine.Workflow.restore(spec, json.loads(json.dumps(wf.state())))
    assert sizes[1] < sizes[0] * 1.2  # the engine state does not grow with history
    steps = []
    while not wf.completed:
        task = wf.ready_user_tasks()[0]
        steps.append(task.bpmn_id)
        wf.complete(task.id, {"approved": True})
    assert steps == [
        "draft", "review", "countersign", "sign_off", "numbering", "sealing", "distribution"
    ]  # fmt: skip
    assert wf.ready_user_tasks() == []


def test_return_to_a_step_older_than_the_engine_keeps_goes_to_its_latest_run(office):
    instance = start(office, departments=("FIN",))
    first_draft = only(instance, "draft")
    services.complete_task(office["clerk"], first_draft.pk, data={"round": 0})
    for n in range(1, 40):  # far more steps than the engine keeps (KEEP_LEVELS)
        services.complete_task(
            office["chief"], only(instance, "review").pk, data={"approved": False}
        )
        services.complete_task(office["clerk"], only(instance, "draft").pk, data={"round": n})
    first_draft.refresh_from_db()
    returned = services.return_task(
        office["chief"], only(instance, "review").pk, to_task_id=first_draft.pk, opinion="重拟"
    )
    assert returned.bpmn_id == "draft" and returned.assignee == office["clerk"]
    assert [t.bpmn_id for t in open_tasks(instance)] == ["draft"]
    services.complete_task(office["clerk"], returned.pk)
    services.complete_task(office["chief"], only(instance, "review").pk, data={"approved": True})
    assert [t.bpmn_id for t in open_tasks(instance)] == ["countersign"]


def test_an_added_signers_opinion_is_no_step_to_send_back_to(office):
    instance = start(office, departments=("FIN",))
    services.complete_task(office["clerk"], only(instance, "draft").pk)
    review = only(instance, "review")
    added = services.add_signer(office["chief"], review.pk, username="wf.eduhead")
    services.complete_task(office["edu_head"], added.pk, opinion="同意")
    services.complete_task(office["chief"], review.pk, data={"approved": True})
    countersign = only(instance, "countersign")
    assert [t.bpmn_id for t in selectors.return_targets(countersign, office["fin_head"])] == [
        "review",
        "draft",
    ]
    assert added.pk not in [t.pk for t in selectors.return_targets(countersign, office["fin_head"])]
    from django.utils import translation

    with translation.override("en"), pytest.raises(InvalidInput, match="Choose an earlier step"):
        services.return_task(
            office["fin_head"], countersign.pk, to_task_id=added.pk, opinion="退回"
        )
    assert [t.bpmn_id for t in open_tasks(instance)] == ["countersign"]


def test_steps_sent_back_past_are_no_longer_steps_to_go_back_to(office):
    instance = start(office, departments=("FIN",))
    services.complete_task(office["clerk"], only(instance, "draft").pk)
    services.complete_task(office["chief"], only(instance, "review").pk, data={"approved": True})
    services.complete_task(office["fin_head"], only(instance, "countersign").pk)
    sign_off = only(instance, "sign_off")
    assert [t.bpmn_id for t in selectors.return_targets(sign_off, office["edu_head"])] == [
        "countersign",
        "review",
        "draft",
    ]
    first_draft = instance.tasks.get(bpmn_id="draft")
    services.return_task(
        office["edu_head"], sign_off.pk, to_task_id=first_draft.pk, opinion="请重拟"
    )
    redraft = only(instance, "draft")
    assert (
        selectors.return_targets(redraft, office["clerk"]) == []
    )  # review and countersign are undone
    with pytest.raises(InvalidInput):
        services.return_task(office["clerk"], redraft.pk, opinion="退回")
    services.complete_task(office["clerk"], redraft.pk)
    review = only(instance, "review")
    assert [t.pk for t in selectors.return_targets(review, office["chief"])] == [redraft.pk]


def test_an_added_signer_cannot_send_the_process_back(office):
    instance = start(office, departments=("FIN",))
    services.complete_task(office["clerk"], only(instance, "draft").pk)
    review = only(instance, "review")
    added = services.add_signer(office["chief"], review.pk, username="wf.eduhead")
    assert selectors.return_targets(added, office["edu_head"]) == []
    with pytest.raises(Forbidden):
        services.return_task(office["edu_head"], added.pk, opinion="不同意，退回")
    assert {t.pk for t in open_tasks(instance)} == {review.pk, added.pk}


def test_an_initiator_who_handed_their_first_step_on_cannot_end_the_process(office):
    instance = start(office)
    services.transfer_task(office["clerk"], only(instance, "draft").pk, to_username="wf.other")
    assert not selectors.may_withdraw(office["clerk"], instance)
    with pytest.raises(Conflict, match="没有可撤回"):
        services.withdraw(office["clerk"], instance.pk)
    instance.refresh_from_db()
    assert instance.status == "running" and only(instance, "draft").assignee == office["other"]


def test_a_countersign_unit_is_not_offered_another_units_answers(office):
    instance = start(office, departments=("FIN", "EAST"))
    services.complete_task(office["clerk"], only(instance, "draft").pk)
    services.complete_task(office["chief"], only(instance, "review").pk, data={"approved": True})
    units = [t for t in open_tasks(instance) if t.bpmn_id == "countersign"]
    fin = next(t for t in units if t.assignee == office["fin_head"])
    east = next(t for t in units if t.pk != fin.pk)
    services.complete_task(office["fin_head"], fin.pk, data={"remark": "财政意见"})
    assert selectors.earlier_answers(east) == {}
    # The same unit's next run would get its own answers back.
    assert Task.objects.get(pk=fin.pk).data == {"remark": "财政意见"}


def test_a_process_with_one_end_names_no_outcome(office):
    from tongban.notifications.models import Notification

    instance = start(office, departments=("FIN",))
    while (task := instance.tasks.filter(status="open").first()) is not None:
        who = task.assignee or task.candidates.first().user
        if task.bpmn_id == "distribution":  # the clerk's own last step, handed to a colleague
            services.transfer_task(who, task.pk, to_username="wf.other")
            who = office["other"]
        services.complete_task(who, task.pk, data={"approved": True})
    instance.refresh_from_db()
    assert instance.status == "completed" and instance.outcome == ""
    note = Notification.objects.get(kind="ended")
    assert note.recipient == office["clerk"]
    assert note.title == "“关于开展安全检查的通知”已办结"
