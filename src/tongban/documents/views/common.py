"""What the documents pages share: a person's steps on a document as panels of the workflow's
task actions, archiving, and lists of names typed by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.utils.translation import gettext as _

from tongban.core.errors import ServiceError
from tongban.core.http.forms import service_errors, set_choices
from tongban.documents import forms, selectors
from tongban.documents.models import IncomingItem
from tongban.identity.http import StaffRequest
from tongban.workflow.actions import TaskAction
from tongban.workflow.models import Task
from tongban.workflow.views import TaskPanel, act_on_task, task_panels

TASK_ACTIONS = {a.value for a in TaskAction}


class Invalid(Exception):
    """A form with errors: show the page again."""


def names(text: str) -> list[str]:
    """Names typed by hand, separated by commas or 、."""
    return [n.strip() for n in text.replace("、", "，").replace(",", "，").split("，") if n.strip()]


def step_panels(
    request: StaffRequest, tasks: list[Task], item: IncomingItem | None = None
) -> list[TaskPanel]:
    """The person's steps on a document, each with the fields the step asks for."""

    def step_form(task: Task, data: Any) -> forms.StepForm:
        form = forms.StepForm(data, step=task.bpmn_id, prefix=f"t{task.pk}")
        if task.bpmn_id == "instruct" and item is not None:
            hosts, co = selectors.handling_choices(item)
            set_choices(form, "host_department", hosts)
            set_choices(form, "co_departments", co)
        return form

    return task_panels(request, tasks, step_form)


def posted_action(request: StaffRequest) -> str:
    form = forms.PageActionForm(request.POST)
    return form.cleaned_data["action"] if form.is_valid() else ""


def act_on_step(request: StaffRequest, panels: list[TaskPanel], instance_id: int | None) -> None:
    """A task action posted on a document's page (workflow.actions); ``Invalid`` when the
    step's form has errors to show again."""
    if act_on_task(request, panels, instance_id=instance_id) is None:
        raise Invalid


def archive_with(request: StaffRequest, form: Any, archive: Callable[[str], Any]) -> None:
    """归档 with the retention period of ``form``; ``archive(retention)`` is the service call."""
    if not form.is_valid():
        raise Invalid
    try:
        archived = archive(form.cleaned_data["retention"])
    except ServiceError as exc:
        service_errors(form, exc)
        raise Invalid from exc
    messages.success(request, _("Archived as %(code)s.") % {"code": archived.record_code})


def shared_action(
    request: StaffRequest,
    action: str,
    panels: list[TaskPanel],
    instance_id: int | None,
    archive_form: Any,
    archive: Callable[[str], Any],
) -> None:
    """What every document page does alike: 归档 (``archive(retention)`` with ``archive_form``,
    bound to the request) and the task actions (workflow.actions); anything else is refused."""
    if action == "archive":
        archive_with(request, archive_form, archive)
    elif action in TASK_ACTIONS:
        act_on_step(request, panels, instance_id)
    else:
        raise ServiceError(_("Choose what to do with the document."))
