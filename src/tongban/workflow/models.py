"""Process definitions, instances, tasks (the inbox rows) and the history of who did what."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProcessDefinition(models.Model):
    """A version of a BPMN process. Instances keep the version they started on."""

    key = models.CharField(_("key"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    bpmn_xml = models.TextField()
    spec = models.JSONField(null=True, blank=True, help_text="Serialised SpiffWorkflow spec")
    user_tasks = models.JSONField(default=dict)
    timers = models.JSONField(default=dict, help_text="Boundary timers: deadline, escalation")
    start_form = models.JSONField(default=list, help_text="Fields of the start event's form")
    executable = models.BooleanField(_("executable"), default=True)
    warnings = models.JSONField(default=list)
    source = models.CharField(_("source"), max_length=200, blank=True)
    created_by_username = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        ordering = ["key", "-version"]
        verbose_name = _("process definition")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "version"], name="workflow_definition_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class InstanceStatus(models.TextChoices):
    RUNNING = "running", pgettext_lazy("process status", "Running")
    COMPLETED = "completed", pgettext_lazy("process status", "Completed")
    TERMINATED = "terminated", pgettext_lazy("process status", "Terminated")


class ProcessInstance(models.Model):
    definition = models.ForeignKey(
        ProcessDefinition, on_delete=models.PROTECT, related_name="instances"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InstanceStatus.choices,
        default=InstanceStatus.RUNNING,
        db_index=True,
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    business_type = models.CharField(max_length=100, blank=True)
    business_id = models.CharField(max_length=64, blank=True)
    initiator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="started_instances"
    )
    department = models.ForeignKey(
        "org.Department", null=True, on_delete=models.PROTECT, related_name="+"
    )
    variables = models.JSONField(default=dict)
    state = models.JSONField(default=dict, help_text="Engine state without the spec")
    revision = models.PositiveIntegerField(default=0)
    next_timer_at = models.DateTimeField(null=True, blank=True, db_index=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    # The name of the end event reached (准假, 不准假): how a finished process ended.
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    # A 新待办, 催办 or 退回 notification was sent about one of its tasks: each later step
    # settles those that no longer ask anything (see services._sync_inbox).
    task_notices = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("process instance")
        indexes = [
            models.Index(fields=["initiator", "-started_at"]),
            models.Index(fields=["business_type", "business_id"]),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.definition.name} #{self.pk}"


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    # 已办理, not 已办结: a step is handled, only a process is finished.
    COMPLETED = "completed", pgettext_lazy("task status", "Handled")
    CANCELLED = "cancelled", _("Cancelled")


class Task(models.Model):
    """A human task: a row, so that an inbox is one indexed query."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="tasks")
    engine_id = models.CharField(max_length=36)
    bpmn_id = models.CharField(max_length=100)
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_tasks",
    )
    candidate_label = models.CharField(max_length=200, blank=True)
    context_label = models.CharField(max_length=200, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(_("arrived"), default=timezone.now)
    completed_at = models.DateTimeField(_("done"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="completed_tasks",
    )
    opinion = models.TextField(_("opinion"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    urged_at = models.DateTimeField(null=True, blank=True)
    added_for = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="added_signers",
        help_text="加签: a task added to this one, outside the engine",
    )
    undone = models.BooleanField(
        default=False,
        help_text="Done, then sent back past (退回, 撤回): it is done again, so no longer a step "
        "to go back to",
    )

    class Meta:
        ordering = ["due_on", "created_at"]
        verbose_name = _("task")
        indexes = [
            models.Index(fields=["status", "assignee", "due_on"]),
            models.Index(fields=["completed_by", "-completed_at"]),
            models.Index(fields=["instance", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.instance})"


class TaskCandidate(models.Model):
    """Someone who may claim an unassigned task (expanded from roles when the task arrives)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="candidates")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "user"], name="workflow_candidate_unique")
        ]
        indexes = [models.Index(fields=["user", "task"])]

    def __str__(self) -> str:
        return f"{self.user_id} may claim {self.task_id}"


ACTION_LABELS = {
    "start": pgettext_lazy("workflow action", "started"),
    "complete": _("completed"),
    "claim": _("taken"),
    "release": _("released"),
    "transfer": _("handed over"),
    "urge": _("urged"),
    "return": _("sent back"),
    "withdraw": _("withdrawn"),
    "terminate": _("terminated"),
    "timer": _("deadline passed"),
    "add_signer": _("signer added"),
    "escalate": _("escalated"),
    "unmatched": _("no performer found"),
}


class HistoryEvent(models.Model):
    """One step in an instance's timeline: who did what, when, with which opinion (意见)."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="history")
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    step_name = models.CharField(max_length=200, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.step_name}"

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


class InboxEntry(models.Model):
    """One line of someone's 待办: an open task assigned to them or that they may claim.

    Kept by the services (``_sync_inbox``) whenever an instance's tasks change, so that an inbox
    page reads one index in due order instead of sorting every open task of a person.
    """

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="inbox_entries")
    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "task"], name="workflow_inbox_entry_unique")
        ]
        indexes = [
            models.Index(fields=["user", "due_on", "created_at"]),
            models.Index(fields=["instance"]),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} in {self.user_id}'s inbox"
