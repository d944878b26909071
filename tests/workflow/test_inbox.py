"""The inbox entries the services keep always match the task rows, and the inbox reads them in
due order (待办 sorted by deadline, the counts on the tabs)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tongban.workflow import selectors, services
from tongban.workflow.models import InboxEntry, Task, TaskCandidate

pytestmark = pytest.mark.django_db


def expected_entries() -> set[tuple[int, int]]:
    """(task, user) pairs that the rows say belong in someone's 待办."""
    pairs = set()
    for task in Task.objects.filter(status="open"):
        if task.assignee_id:
            pairs.add((task.pk, task.assignee_id))
        else:
            pairs |= {
                (task.pk, u)
                for u in TaskCandidate.objects.filter(task=task).values_list("user_id", flat=True)
            }
    return pairs


def entries() -> set[tuple[int, int]]:
    return set(InboxEntry.objects.values_list("task_id", "user_id"))


def start(office):
    return services.start_instance(
        office["clerk"],
        process_key="outgoing_document",
        title="关于开展安全检查的通知",
        variables={"countersign_departments": ["FIN", "EAST"]},
    )


def open_task(instance, bpmn_id):
    return instance.tasks.get(status="open", bpmn_id=bpmn_id)


def test_every_action_leaves_the_entries_matching_the_rows(office, make_staff):
    second_chief = make_staff("edu_basic", "wf.chief2", role="division_head").user
    instance = start(office)
    assert (
        entries() == expected_entries() == {(open_task(instance, "draft").pk, office["clerk"].pk)}
    )

    services.complete_task(office["clerk"], open_task(instance, "draft").pk)
    review = open_task(instance, "review")
    assert entries() == expected_entries()
    assert {u for _t, u in entries()} == {office["chief"].pk, second_chief.pk}  # shared queue

    services.claim_task(second_chief, review.pk)
    assert entries() == expected_entries() == {(review.pk, second_chief.pk)}
    services.release_task(second_chief, review.pk)
    assert entries() == expected_entries()
    services.transfer_task(office["chief"], review.pk, to_username=office["other"].username)
    assert entries() == expected_entries() == {(review.pk, office["other"].pk)}
    added = services.add_signer(office["other"], review.pk, username=office["edu_head"].username)
    assert (added.pk, office["edu_head"].pk) in entries() == expected_entries()
    services.complete_task(office["edu_head"], added.pk, opinion="同意")
    assert entries() == expected_entries()

    services.return_task(office["other"], review.pk, opinion="请补充依据")
    assert entries() == expected_entries()
    services.complete_task(office["clerk"], open_task(instance, "draft").pk)
    services.complete_task(
        office["chief"], open_task(instance, "review").pk, data={"approved": True}
    )
    assert len(entries()) == 2 and entries() == expected_entries()  # two countersigns

    admin = make_staff("edu", "wf.admin", role="clerk").user
    admin.admin_role = "system"
    admin.save(update_fields=["admin_role"])
    services.terminate_instance(admin, instance.pk, reason="重复发文")
    assert entries() == expected_entries() == set()


def test_the_inbox_lists_the_earliest_deadline_first_and_counts_the_overdue(office):
    today = timezone.localdate()
    instances = [start(office) for _ in range(3)]
    for days, instance in zip((5, -2, 1), instances, strict=True):
        task = open_task(instance, "draft")
        Task.objects.filter(pk=task.pk).update(due_on=today + timedelta(days=days))
        InboxEntry.objects.filter(task=task).update(due_on=today + timedelta(days=days))
    listed = list(selectors.inbox(office["clerk"], selectors.InboxFilter("todo")))
    assert [t.instance_id for t in listed] == [instances[1].pk, instances[2].pk, instances[0].pk]
    assert selectors.counts(office["clerk"]) == {"todo": 3, "overdue": 1}
    overdue = selectors.inbox(office["clerk"], selectors.InboxFilter("todo", overdue_only=True))
    assert [t.instance_id for t in overdue] == [instances[1].pk]
    assert selectors.counts(office["chief"]) == {"todo": 0, "overdue": 0}
