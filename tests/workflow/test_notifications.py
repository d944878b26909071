"""Urging (催办) and handing over notify the performer; a person reads and clears only their own
notifications, in the API and the web page."""

from __future__ import annotations

import pytest

from tests.workflow.test_api_and_pages import api_client
from tongban.audit.models import AuditEntry
from tongban.core.errors import Forbidden, InvalidInput
from tongban.notifications import selectors as notes
from tongban.notifications import services as note_services
from tongban.notifications.models import Notification
from tongban.workflow import services

pytestmark = pytest.mark.django_db


def started(office):
    return services.start_instance(
        office["clerk"],
        process_key="outgoing_document",
        title="关于开展安全检查的通知",
        variables={"countersign_departments": ["FIN"]},
    )


def test_urging_notifies_every_candidate_of_an_unclaimed_task(office, make_staff):
    second_chief = make_staff("edu_basic", "wf.chief2", role="division_head").user
    instance = started(office)
    services.complete_task(office["clerk"], instance.tasks.get(status="open").pk)
    review = instance.tasks.get(status="open")
    services.urge_task(office["clerk"], review.pk, message="今天下班前请核稿")
    for user in (office["chief"], second_chief):
        [note] = notes.for_user(user)
        assert note.kind == "urge" and note.body == "今天下班前请核稿"
        assert "核稿" in note.title and "关于开展安全检查的通知" in note.title
        assert (note.object_type, note.object_id) == ("workflow.task", str(review.pk))
    assert not notes.for_user(office["clerk"]).exists()  # not told of one's own action
    entry = AuditEntry.objects.filter(action="workflow.task.urge").latest("seq")
    assert entry.after["notified"] == sorted(["wf.chief", "wf.chief2"])


def test_urging_is_for_the_initiator_and_is_refused_without_a_trace_of_a_notification(office):
    instance = started(office)
    draft = instance.tasks.get(status="open")
    services.complete_task(office["clerk"], draft.pk)
    review = instance.tasks.get(status="open")
    with pytest.raises(Forbidden):  # a candidate of the step sees it, but did not start it
        services.urge_task(office["chief"], review.pk)
    with pytest.raises(InvalidInput):
        services.urge_task(office["clerk"], review.pk, message="催" * 501)
    assert not Notification.objects.filter(kind="urge").exists()
    assert AuditEntry.objects.filter(action="workflow.task.urge", outcome="denied").exists()


def test_a_task_handed_over_or_added_tells_the_new_performer(office):
    instance = started(office)
    draft = instance.tasks.get(status="open")
    services.transfer_task(office["clerk"], draft.pk, to_username="wf.other", reason="请代拟")
    [note] = notes.for_user(office["other"])
    assert note.kind == "task" and note.actor == office["clerk"]
    assert note.body == "请代拟"  # the reason travels with the task
    services.add_signer(office["other"], draft.pk, username="wf.eduhead", reason="请把关数据")
    added = notes.for_user(office["edu_head"]).get()
    assert added.kind == "task" and added.body == "请把关数据"


def test_nobody_hands_a_task_to_its_own_performer_or_adds_them_as_signer(office):
    instance = started(office)
    draft = instance.tasks.get(status="open")
    with pytest.raises(InvalidInput, match="测试人员"):
        services.transfer_task(office["clerk"], draft.pk, to_username="wf.clerk")
    with pytest.raises(InvalidInput):
        services.add_signer(office["clerk"], draft.pk, username="wf.clerk")
    services.add_signer(office["clerk"], draft.pk, username="wf.other")
    with pytest.raises(InvalidInput):  # already asked, still to answer
        services.add_signer(office["clerk"], draft.pk, username="wf.other")
    draft.refresh_from_db()
    assert draft.assignee == office["clerk"]
    assert draft.added_signers.count() == 1
    assert not notes.for_user(office["clerk"]).exists()


def test_sending_back_tells_the_person_it_comes_back_to_and_why(office):
    instance = started(office)
    services.complete_task(office["clerk"], instance.tasks.get(status="open").pk)
    review = instance.tasks.get(status="open")
    services.return_task(office["chief"], review.pk, opinion="数据需核实")
    [note] = notes.for_user(office["clerk"])
    assert note.kind == "returned" and note.body == "数据需核实"
    assert "拟稿" in note.title and "关于开展安全检查的通知" in note.title
    redraft = instance.tasks.get(status="open")
    assert (note.object_type, note.object_id) == ("workflow.task", str(redraft.pk))


def test_marking_read_touches_only_ones_own_notifications(office):
    instance = started(office)
    draft = instance.tasks.get(status="open")
    services.transfer_task(office["clerk"], draft.pk, to_username="wf.other")
    services.add_signer(office["other"], draft.pk, username="wf.chief")
    mine = notes.for_user(office["other"]).get()
    theirs = notes.for_user(office["chief"]).get()
    assert note_services.mark_read(office["other"], [mine.pk, theirs.pk]) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None and notes.unread_count(office["other"]) == 0
    with pytest.raises(InvalidInput):
        note_services.mark_read(office["chief"], ["x"])  # type: ignore[list-item]
    assert note_services.mark_read(office["chief"]) == 1
    assert AuditEntry.objects.filter(action="notifications.read").count() == 2


def test_notifications_through_the_api(client, office):
    instance = started(office)
    clerk = api_client(client, "wf.clerk")
    draft = instance.tasks.get(status="open")
    assert clerk.post(f"/api/v1/workflow/tasks/{draft.pk}/transfer", {"to": "wf.other"},
                      content_type="application/json").status_code == 200  # fmt: skip
    other = api_client(client, "wf.other")
    urged = clerk.post(
        f"/api/v1/workflow/tasks/{draft.pk}/urge",
        {"message": "请尽快"},
        content_type="application/json",
    )
    assert urged.status_code == 200, urged.content
    page = other.get("/api/v1/notifications?unread=true").json()
    assert page["unread"] == 2 and [n["kind"] for n in page["items"]] == ["urge", "task"]
    assert page["items"][0]["body"] == "请尽快" and page["items"][0]["actor"]
    bad = other.post("/api/v1/notifications/read", {"ids": "all"}, content_type="application/json")
    assert bad.status_code == 422 and bad["Content-Type"].startswith("application/problem+json")
    done = other.post(
        "/api/v1/notifications/read",
        {"ids": [page["items"][0]["id"]]},
        content_type="application/json",
    )
    assert done.json() == {"marked": 1, "unread": 1}
    assert other.post("/api/v1/notifications/read", {}, content_type="application/json").json() == {
        "marked": 1,
        "unread": 0,
    }
    assert clerk.get("/api/v1/notifications").json()["items"] == []


def test_the_notifications_page_opens_a_message_and_the_top_bar_counts(client, office):
    instance = started(office)
    draft = instance.tasks.get(status="open")
    services.transfer_task(office["clerk"], draft.pk, to_username="wf.other", reason="请代拟")
    client.force_login(office["other"])
    page = client.get("/notifications/").content.decode()
    assert "新待办" in page and "关于开展安全检查的通知" in page and 'class="unread"' in page
    top = client.get("/inbox/").content.decode()
    assert 'href="/notifications/">消息 <span class="badge badge-danger">1</span>' in top
    [note] = notes.for_user(office["other"])
    assert client.get(f"/notifications/{note.pk}/open/").status_code == 405  # a link never marks
    assert notes.unread_count(office["other"]) == 1
    opened = client.post(f"/notifications/{note.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == f"/workflow/tasks/{draft.pk}/"
    assert notes.unread_count(office["other"]) == 0
    assert client.post(f"/notifications/{note.pk + 999}/open/").status_code == 404


def test_one_cannot_open_someone_elses_notification(client, office):
    instance = started(office)
    services.transfer_task(
        office["clerk"], instance.tasks.get(status="open").pk, to_username="wf.other"
    )
    [note] = notes.for_user(office["other"])
    client.force_login(office["chief"])
    assert client.post(f"/notifications/{note.pk}/open/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_urging_from_the_task_page_sends_the_message(client, office):
    instance = started(office)
    draft = instance.tasks.get(status="open")
    services.transfer_task(office["clerk"], draft.pk, to_username="wf.other")
    client.force_login(office["clerk"])
    response = client.post(
        f"/workflow/tasks/{draft.pk}/", {"action": "urge", "message": "明天上午前完成"}
    )
    assert response.status_code == 302
    assert notes.for_user(office["other"]).filter(kind="urge", body="明天上午前完成").exists()
    page = client.get(f"/workflow/tasks/{draft.pk}/").content.decode()
    assert "上次催办" in page


def test_a_step_is_urged_at_most_once_an_hour(office):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from tongban.core.errors import Conflict

    instance = started(office)
    services.complete_task(office["clerk"], instance.tasks.get(status="open").pk)
    review = instance.tasks.get(status="open")
    services.urge_task(office["clerk"], review.pk, message="请尽快")
    with pytest.raises(Conflict, match="后可再次催办"):
        services.urge_task(office["clerk"], review.pk, message="再催")
    assert notes.for_user(office["chief"]).count() == 1
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        services.urge_task(office["clerk"], review.pk, message="再催")
    assert notes.for_user(office["chief"]).count() == 2


def test_a_notice_about_a_task_is_read_once_the_task_has_left_ones_inbox(office, make_staff):
    second_chief = make_staff("edu_basic", "wf.chief2", role="division_head").user
    instance = started(office)
    draft = instance.tasks.get(status="open")
    services.transfer_task(office["clerk"], draft.pk, to_username="wf.other", reason="请代拟")
    assert notes.unread_count(office["other"]) == 1
    services.complete_task(office["other"], draft.pk)
    assert notes.unread_count(office["other"]) == 0  # handled: nothing left to do about it
    review = instance.tasks.get(status="open")
    services.urge_task(office["clerk"], review.pk, message="请尽快")
    services.claim_task(second_chief, review.pk)
    # The colleague took it: the other candidate's reminder asks nothing of them any more.
    assert notes.unread_count(office["chief"]) == 0
    assert notes.unread_count(second_chief) == 1
    services.return_task(second_chief, review.pk, opinion="请补充数据")
    assert notes.unread_count(second_chief) == 0
    # The draft goes back to whoever drafted it, and the notice stays while it waits there.
    [returned] = notes.for_user(office["other"], unread_only=True)
    assert returned.kind == "returned"
    entry = AuditEntry.objects.filter(action="notifications.settled").latest("seq")
    assert entry.after["count"] == 1 and entry.after["about"] == "workflow.task"
    services.complete_task(office["other"], instance.tasks.get(status="open").pk)
    assert notes.unread_count(office["other"]) == 0


def test_each_person_reads_a_notification_in_their_own_language(client, office):
    from django.utils import translation

    instance = started(office)
    services.complete_task(office["clerk"], instance.tasks.get(status="open").pk)
    review = instance.tasks.get(status="open")
    with translation.override("en"):  # the clerk works in English
        services.urge_task(office["clerk"], review.pk, message="today please")
    note = notes.for_user(office["chief"]).get()
    # Kept in the platform's language too (for the audit trail and anything that reads rows).
    assert note.title == "催办：“关于开展安全检查的通知”的核稿"
    client.force_login(office["chief"])
    page = client.get("/notifications/").content.decode()
    assert "催办" in page and "Reminder" not in page
    # The same row read by someone working in English: the page renders it anew.
    client.post("/i18n/setlang/", {"language": "en", "next": "/notifications/"})
    english_page = client.get("/notifications/").content.decode()
    assert "Reminder: 核稿 of “关于开展安全检查的通知”" in english_page
    english = client.get("/api/v1/notifications", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["items"][0]["title"] == "Reminder: 核稿 of “关于开展安全检查的通知”"
    assert english["items"][0]["body"] == "today please"  # a person's own words stay as written


def test_instances_with_unread_task_notices_before_the_upgrade_settle_them_after(office):
    import importlib

    from django.apps import apps

    from tongban.workflow.models import ProcessInstance

    upgrade = importlib.import_module("tongban.workflow.migrations.0008_instance_task_notices")
    instance = started(office)
    services.complete_task(office["clerk"], instance.tasks.get(status="open").pk)
    quiet = started(office)
    services.urge_task(office["clerk"], instance.tasks.get(status="open").pk)
    ProcessInstance.objects.update(task_notices=False)  # as an instance written before 0008
    upgrade.mark_instances_with_unread_task_notices(apps, None)
    assert set(ProcessInstance.objects.filter(task_notices=True)) == {instance}
    assert not ProcessInstance.objects.get(pk=quiet.pk).task_notices
    # … and so the reminder is settled once the step is handled.
    assert notes.unread_count(office["chief"]) == 1
    services.complete_task(
        office["chief"], instance.tasks.get(status="open").pk, data={"approved": True}
    )
    assert notes.unread_count(office["chief"]) == 0


def test_an_added_signers_step_is_named_in_the_platforms_language_whoever_added_them(office):
    from django.utils import translation

    instance = started(office)
    draft = instance.tasks.get(status="open")
    with translation.override("en"):
        added = services.add_signer(office["clerk"], draft.pk, username="wf.other")
    assert added.name == "拟稿（加签）"


def test_a_handled_step_is_no_business_of_someone_it_never_concerned(office):
    from tongban.core.errors import Conflict, NotFound

    instance = started(office)
    draft = instance.tasks.get(status="open")
    services.complete_task(office["clerk"], draft.pk)
    # A stranger learns nothing, not even that the step exists or who did it …
    for action in (
        lambda: services.claim_task(office["other"], draft.pk),
        lambda: services.transfer_task(office["other"], draft.pk, to_username="wf.chief"),
        lambda: services.add_signer(office["other"], draft.pk, username="wf.chief"),
        lambda: services.return_task(office["other"], draft.pk, opinion="退回"),
        lambda: services.complete_task(office["other"], draft.pk),
    ):
        with pytest.raises(NotFound):
            action()
    # … while the one who did it is told it is done.
    with pytest.raises(Conflict, match="已由"):
        services.complete_task(office["clerk"], draft.pk)
