"""Workflow pages: the inbox (待办/已办/我发起的), a task, an instance, starting a process, the
definitions with their modeler, and the monitor.

``task_panels`` and ``act_on_task`` are how every page that shows a person's steps (this app's
task page, a document's page, an approval's) offers and carries out the task actions: one form,
one dispatcher (``workflow.actions``), the same words.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongban.core.errors import ServiceError
from tongban.core.http.forms import service_errors, valid
from tongban.core.http.views import GET_POST, handles_not_found, paginate
from tongban.identity.http import StaffRequest
from tongban.workflow import actions, diagram, forms, modeler_strings, selectors, services
from tongban.workflow.models import ProcessInstance, Task

# --- the task actions, for every page that shows a person's steps ---------------------------


@dataclass
class TaskPanel:
    """One of the person's steps on a page: the step's form and what they may do with it."""

    task: Task
    form: forms.StepForm
    may: selectors.StepPermissions

    @property
    def pending_signers(self) -> str:
        # Translators: between the names of a list of people (Chinese uses 、).
        return _(", ").join(u.display_name for u in self.may.pending_signers)


StepFormFactory = Callable[[Task, Any], forms.StepForm]


def task_panels(
    request: StaffRequest, tasks: list[Task], step_form: StepFormFactory
) -> list[TaskPanel]:
    """A panel per step; the form of the step the page posted is bound to what was sent."""
    posted = forms.TaskActionForm(request.POST or None)
    # Only a completion binds a step's form: a page's other forms (an attachment, 传阅) and the
    # other task actions leave the steps as they were.
    completing = posted.is_valid() and posted.cleaned_data["action"] == actions.TaskAction.COMPLETE
    posted_task = posted.cleaned_data.get("task") if completing else None
    panels = []
    for task in tasks:
        # The task page shows one step and need not name it; a domain's page names the step.
        named = completing and (posted_task == task.pk or (posted_task is None and len(tasks) == 1))
        data = request.POST if named else None
        panels.append(
            TaskPanel(task, step_form(task, data), selectors.step_permissions(request.user, task))
        )
    return panels


def act_on_task(
    request: StaffRequest, panels: list[TaskPanel], *, instance_id: int | None = None
) -> actions.Outcome | None:
    """Carry out the task action the page posted, with the step's own form for a completion.

    Returns the outcome (its message already shown), or None when the step's form has errors
    to show on the page again. A refusal (a service error) is raised for the page to show.
    """
    form = forms.TaskActionForm(request.POST)
    valid(form)
    action = form.cleaned_data["action"]
    task_id = form.cleaned_data["task"]
    panel = next((p for p in panels if p.task.pk == task_id), None)
    if panel is None and len(panels) == 1 and task_id is None:
        panel = panels[0]  # the task page: one step, named by its URL
    if panel is None and action != actions.TaskAction.URGE:
        gone = (
            selectors.no_longer_open(task_id, request.user, instance_id=instance_id)
            if task_id and instance_id
            else ""
        )
        raise ServiceError(gone or _("This step is no longer yours; reload the page."))
    fields: dict[str, Any] = {}
    if action == actions.TaskAction.COMPLETE:
        assert panel is not None
        if not panel.form.is_valid():
            return None
        fields = {
            "data": panel.form.values(),
            "opinion": panel.form.cleaned_data.get("opinion", ""),
        }
    try:
        outcome = actions.perform(
            request.user,
            panel.task.pk if panel is not None else (task_id or 0),
            action,
            reason=form.cleaned_data["reason"],
            to=form.cleaned_data["to"],
            to_task_id=form.cleaned_data["to_task"],
            message=form.cleaned_data["message"],
            **fields,
        )
    except ServiceError as exc:
        if action == actions.TaskAction.COMPLETE and panel is not None:
            service_errors(panel.form, _on_process_fields(exc, panel.form))
            panel.form.status = exc.status
            return None
        raise
    messages.success(request, outcome.message)
    return outcome


def _on_process_fields(exc: ServiceError, form: Any) -> ServiceError:
    """A service names a BPMN form field by its id; on the page it has the form's prefix."""
    if exc.errors:
        renamed = {}
        for name, found in exc.errors.items():
            prefixed = forms.PROCESS_FIELD_PREFIX + name
            renamed[prefixed if prefixed in form.fields else name] = found
        exc.errors = renamed
    return exc


def diagram_of(instance: ProcessInstance) -> str:
    """The instance's diagram as inline SVG, its progress marked."""
    svg = diagram.render_svg(
        instance.definition.bpmn_xml,
        process_id=instance.definition.key,
        states=selectors.diagram_states(instance),
        title=instance.title,
        inline=True,  # its styles come from workflow/diagram.css: no inline style (CSP)
    )
    return mark_safe(svg)  # noqa: S308 - generated by diagram.render_svg, which escapes all text


# --- the inbox -------------------------------------------------------------------------------


@login_required
def inbox(request: StaffRequest) -> HttpResponse:
    scope = request.GET.get("scope", "todo")
    if scope not in selectors.SCOPES:
        scope = "todo"
    q = request.GET.get("q", "")[:50]
    overdue_only = request.GET.get("overdue") == "1"
    processes = selectors.process_choices()
    process_key = request.GET.get("process", "")
    if process_key not in dict(processes):
        process_key = ""
    if scope == "started":
        rows: Any = (
            selectors.started_with_progress(request.user, q, process_key)
            .select_related("definition")
            .defer(*selectors.INSTANCE_LIST_DEFERRED)
            .order_by("-started_at")
        )
    else:
        rows = selectors.inbox(
            request.user, selectors.InboxFilter(scope, q, overdue_only, process_key)
        )
    page, query = paginate(request, rows, 30)
    return render(
        request,
        "workflow/inbox.html",
        {
            "scope": scope,
            "page": page,
            "q": q,
            "overdue_only": overdue_only,
            "processes": processes if len(processes) > 1 else [],
            "process_key": process_key,
            "query": query,
            "counts": selectors.counts(request.user),
            "today": timezone.localdate(),
        },
    )


# --- a task and an instance ------------------------------------------------------------------


def _task_form(task: Task, data: Any) -> forms.StepForm:
    process_fields = selectors.task_form(task)
    initial = selectors.form_initial(task) if process_fields else {}
    return forms.CompleteTaskForm(
        data,
        review=task.bpmn_id == "review",
        process_fields=process_fields,
        initial={forms.PROCESS_FIELD_PREFIX + key: value for key, value in initial.items()},
    )


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def task_detail(request: StaffRequest, task_id: int) -> HttpResponse:
    task = selectors.task_for(request.user, task_id)
    page = selectors.business_page(task.instance)
    if page:
        # A domain's step is worked on its object's own page, with the fields it needs.
        return redirect(f"{page}#task-{task.pk}")
    panels = task_panels(request, [task], _task_form)
    status = 200
    if request.method == "POST":
        try:
            outcome = act_on_task(request, panels)
        except ServiceError as exc:
            messages.error(request, str(exc.message))
            return redirect("workflow:task_detail", task_id=task.pk)
        if outcome is not None:
            if outcome.left:
                return redirect("workflow:inbox")
            return redirect("workflow:task_detail", task_id=task.pk)
        status = panels[0].form.status  # the page comes back only with what is wrong
    return render(
        request,
        "workflow/task_detail.html",
        {
            "task": task,
            "panel": panels[0],
            "instance": task.instance,
            "history": selectors.slip(task.instance),
            "diagram": diagram_of(task.instance),
            "start_values": selectors.start_values(task.instance),
        },
        status=status,
    )


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def instance_detail(request: StaffRequest, instance_id: int) -> HttpResponse:
    instance = selectors.instance_for(request.user, instance_id)
    page = selectors.business_page(instance)
    if request.method != "POST" and page:
        return redirect(page)
    if request.method == "POST":
        form = forms.ReasonForm(request.POST)
        try:
            valid(form)
            if form.cleaned_data["action"] == "withdraw":
                back = services.withdraw(
                    request.user, instance.pk, reason=form.cleaned_data["reason"]
                )
                messages.success(
                    request,
                    _("Withdrawn: the step is back with you.")
                    if back
                    else _("Withdrawn: the request has ended and nobody needs to act on it."),
                )
            elif form.cleaned_data["action"] == "terminate":
                _terminate(request, instance.pk, form.cleaned_data["reason"])
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect("workflow:instance_detail", instance_id=instance.pk)
    return render(
        request,
        "workflow/instance_detail.html",
        {
            "instance": instance,
            "history": selectors.slip(instance),
            "diagram": diagram_of(instance),
            "start_values": selectors.start_values(instance),
            "open_tasks": selectors.open_steps(instance),
            "can_terminate": selectors.may_terminate(request.user, instance),
            "can_withdraw": selectors.may_withdraw(request.user, instance),
            "withdraw_refusal": selectors.withdraw_refusal(request.user, instance),
        },
    )


def _terminate(request: StaffRequest, instance_id: int, reason: str) -> None:
    """终止 from the instance page or the monitor's, with the reason the form gave."""
    services.terminate_instance(request.user, instance_id, reason=reason)
    messages.success(request, _("The process was terminated."))


# --- starting a process ----------------------------------------------------------------------


@login_required
def start_list(request: StaffRequest) -> HttpResponse:
    """发起流程: the processes a staff member starts by hand."""
    return render(
        request,
        "workflow/process_start_list.html",
        {"processes": selectors.startable(request.user)},
    )


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def start_process(request: StaffRequest, key: str) -> HttpResponse:
    definition = selectors.startable_definition(request.user, key)
    form = forms.StartProcessForm(request.POST or None, process_fields=definition.start_form)
    if request.method == "POST" and form.is_valid():
        try:
            instance = services.start_instance(
                request.user,
                process_key=definition.key,
                title=form.cleaned_data["title"],
                variables=forms.process_values(form, definition.start_form),
            )
        except ServiceError as exc:
            service_errors(form, _on_process_fields(exc, form))
        else:
            messages.success(request, _("Started: %(title)s") % {"title": instance.title})
            mine = selectors.first_step_for(request.user, instance)
            if mine is not None:
                return redirect("workflow:task_detail", task_id=mine.pk)
            return redirect("workflow:instance_detail", instance_id=instance.pk)
    return render(
        request,
        "workflow/process_start.html",
        {"definition": definition, "form": form},
        status=422 if request.method == "POST" else 200,
    )


# --- definitions, the modeler and the monitor ------------------------------------------------


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def definitions(request: StaffRequest) -> HttpResponse:
    selectors.require_process_admin(request.user)
    form = forms.DefinitionUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            definition = services.import_definition(
                request.user, upload.read(services.MAX_BPMN_BYTES + 1), source=upload.name
            )
        except ServiceError as exc:
            service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Imported %(key)s version %(v)d.")
                % {"key": definition.key, "v": definition.version},
            )
            for warning in definition.warnings:
                messages.warning(request, warning)
            return redirect("workflow:definitions")
    return render(
        request,
        "workflow/definitions.html",
        {"form": form, "definitions": selectors.definitions(request.user)},
    )


@login_required
@handles_not_found
def monitor(request: StaffRequest) -> HttpResponse:
    key = request.GET.get("process", "")[:100]
    return render(request, "workflow/monitor.html", selectors.monitor(request.user, key))


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def monitor_instance(request: StaffRequest, instance_id: int) -> HttpResponse:
    """One instance as the monitor sees it: its steps and performers, and 终止."""
    instance = selectors.monitored_instance(request.user, instance_id)
    if request.method == "POST":
        form = forms.ReasonForm(request.POST)
        try:
            valid(form)
            _terminate(request, instance.pk, form.cleaned_data["reason"])
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect("workflow:monitor_instance", instance_id=instance.pk)
    return render(
        request,
        "workflow/monitor_instance.html",
        {
            "instance": instance,
            "open_tasks": selectors.open_steps(instance),
            "diagram": diagram_of(instance),
            "full_page": not selectors.owned_by_a_domain(instance),
            "today": timezone.localdate(),
        },
    )


@login_required
@handles_not_found
@require_http_methods(GET_POST)
def modeler(request: StaffRequest, key: str) -> HttpResponse:
    """Edit a definition in bpmn-js and save it as the next version."""
    latest = selectors.latest_definition(request.user, key)
    if request.method == "POST":
        form = forms.ModelerForm(request.POST)
        xml = form.cleaned_data["xml"] if form.is_valid() else ""
        try:
            definition = services.save_from_modeler(request.user, key, xml.encode("utf-8"))
        except ServiceError as exc:
            messages.error(request, str(exc.message))
            return render(
                request,
                "workflow/modeler.html",
                _modeler_context(request, latest, xml),
                status=422,
            )
        messages.success(request, _("Saved as version %(v)d.") % {"v": definition.version})
        for warning in definition.warnings:
            messages.warning(request, warning)
        return redirect("workflow:definitions")
    return render(
        request, "workflow/modeler.html", _modeler_context(request, latest, latest.bpmn_xml)
    )


def _modeler_context(request: StaffRequest, definition: Any, xml: str) -> dict[str, Any]:
    return {
        "definition": definition,
        "xml": xml,
        # Back after a refused save: the edits on the page are not saved yet.
        "edited": xml != definition.bpmn_xml,
        "editor_strings": modeler_strings.translations(),
        "roles": selectors.performer_roles(request.user),
    }
