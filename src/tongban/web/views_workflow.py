"""Web pages of the workflow: inbox (待办/已办/我发起的), task, instance, definitions, monitor."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from tongban.core.errors import InvalidInput, NotFound, ServiceError
from tongban.core.permissions import Action
from tongban.org import policy
from tongban.web import forms, modeler_strings
from tongban.web.views import StaffRequest, handles_not_found, service_errors
from tongban.workflow import diagram, selectors, services

# Processes that belong to an object with a page of its own (hooks registered by a domain).
BUSINESS_PAGES = {
    "documents.outgoing": "web:document_detail",
    "documents.incoming": "web:incoming_detail",
}


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
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/inbox.html",
        {
            "scope": scope,
            "page": page,
            "q": q,
            "overdue_only": overdue_only,
            "processes": processes if len(processes) > 1 else [],
            "process_key": process_key,
            "query": query.urlencode(),
            "counts": selectors.counts(request.user),
            "today": timezone.localdate(),
        },
    )


def _list_separator() -> str:
    # Translators: between the names of a list of people (Chinese uses 、).
    return _(", ")


COMPLETION_MESSAGES = {
    "opinion": gettext_lazy("Your opinion is recorded; the step's performer decides."),
    "waiting": gettext_lazy("Done. The step waits for its other performers."),
    "ended": gettext_lazy("Done. The process has ended."),
    "moved": gettext_lazy("Done. The process has moved on."),
}


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def task_detail(request: StaffRequest, task_id: int) -> HttpResponse:
    task = selectors.task_for(request.user, task_id)
    business = task.instance.business_type
    if business in BUSINESS_PAGES and task.instance.business_id.isdecimal():
        # A document's step is worked on the document's own page, with the fields it needs.
        page = BUSINESS_PAGES[business]
        return redirect(reverse(page, args=[int(task.instance.business_id)]) + f"#task-{task.pk}")
    process_fields = selectors.task_form(task)
    initial = selectors.form_initial(task) if process_fields else {}
    form = forms.CompleteTaskForm(
        request.POST or None,
        review=task.bpmn_id == "review",
        process_fields=process_fields,
        initial={forms.PROCESS_FIELD_PREFIX + key: value for key, value in initial.items()},
    )
    action = request.POST.get("action", "complete")
    status = 200
    if request.method == "POST":
        status = 422  # the page comes back only with what is wrong
        try:
            if action == "claim":
                services.claim_task(request.user, task.pk)
                messages.success(request, _("The task is yours now."))
            elif action == "release":
                services.release_task(request.user, task.pk)
                messages.success(request, _("The task is back in the shared queue."))
            elif action == "transfer":
                services.transfer_task(
                    request.user,
                    task.pk,
                    to_username=request.POST.get("to", ""),
                    reason=request.POST.get("opinion", ""),
                )
                messages.success(request, _("Handed over."))
                return redirect("web:inbox")
            elif action == "add_signer":
                services.add_signer(
                    request.user,
                    task.pk,
                    username=request.POST.get("to", ""),
                    reason=request.POST.get("opinion", ""),
                )
                messages.success(request, _("Signer added; this step waits for their opinion."))
            elif action == "return":
                services.return_task(
                    request.user,
                    task.pk,
                    to_task_id=chosen_step(request),
                    opinion=request.POST.get("opinion", ""),
                )
                messages.success(request, _("Sent back."))
                return redirect("web:inbox")
            elif action == "urge":
                services.urge_task(request.user, task.pk, message=request.POST.get("message", ""))
                messages.success(request, _("The performer has been reminded."))
            elif form.is_valid():
                data = forms.process_values(form, process_fields)
                if "approved" in form.fields:
                    data["approved"] = form.cleaned_data["approved"] != "no"
                done = services.complete_task(
                    request.user, task.pk, data=data, opinion=form.cleaned_data["opinion"]
                )
                messages.success(request, COMPLETION_MESSAGES[selectors.completion_outcome(done)])
                return redirect("web:inbox")
        except ServiceError as exc:
            if action == "complete":
                service_errors(form, _on_process_fields(exc, process_fields))
                status = exc.status
            else:
                messages.error(request, str(exc.message))
        if action != "complete" or form.is_valid():
            return redirect("web:task_detail", task_id=task.pk)
    return render(
        request,
        "web/task_detail.html",
        {
            "task": task,
            "form": form,
            "instance": task.instance,
            "history": selectors.slip(task.instance),
            "diagram": _diagram(task.instance),
            "may_work": task.status == "open" and services._may_work(request.user, task),
            "claimable": task.status == "open" and task.assignee_id is None,
            "return_targets": selectors.return_targets(task, request.user)
            if task.status == "open"
            else [],
            "start_values": selectors.start_values(task.instance),
            "pending_signers": _list_separator().join(
                u.display_name for u in selectors.pending_signers(task)
            )
            if task.status == "open"
            else "",
        },
        status=status,
    )


def _on_process_fields(exc: ServiceError, process_fields: list[dict[str, Any]]) -> ServiceError:
    """A service names a BPMN form field by its id; on the page it has the form's prefix."""
    ids = {spec["id"] for spec in process_fields}
    if exc.errors:
        exc.errors = {
            (forms.PROCESS_FIELD_PREFIX + name if name in ids else name): messages_
            for name, messages_ in exc.errors.items()
        }
    return exc


@login_required
def start_list(request: StaffRequest) -> HttpResponse:
    """发起流程: the processes a staff member starts by hand."""
    return render(
        request, "web/process_start_list.html", {"processes": selectors.startable(request.user)}
    )


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def start_process(request: StaffRequest, key: str) -> HttpResponse:
    definition = next((d for d in selectors.startable(request.user) if d.key == key), None)
    if definition is None:
        raise NotFound()
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
            service_errors(form, _on_process_fields(exc, definition.start_form))
        else:
            messages.success(request, _("Started: %(title)s") % {"title": instance.title})
            mine = selectors.todo(request.user).filter(instance=instance).first()
            if mine is not None:
                return redirect("web:task_detail", task_id=mine.pk)
            return redirect("web:instance_detail", instance_id=instance.pk)
    return render(
        request,
        "web/process_start.html",
        {"definition": definition, "form": form},
        status=422 if request.method == "POST" else 200,
    )


def chosen_step(request: StaffRequest) -> int | None:
    """The earlier step picked in "Send back to" (退回); None for the previous step."""
    value = request.POST.get("to_task", "").strip()
    if not value:
        return None
    if not value.isdecimal():
        raise InvalidInput(_("Choose an earlier step of this process to send it back to."))
    return int(value)


def _diagram(instance: Any) -> str:
    svg = diagram.render_svg(
        instance.definition.bpmn_xml,
        process_id=instance.definition.key,
        states=selectors.diagram_states(instance),
        title=instance.title,
        inline=True,  # the page links workflow/diagram.css (CSP: no style inside the page)
    )
    return mark_safe(svg)  # noqa: S308 - generated by diagram.render_svg, which escapes all text


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def instance_detail(request: StaffRequest, instance_id: int) -> HttpResponse:
    instance = selectors.instance_for(request.user, instance_id)
    if (
        request.method == "GET"
        and instance.business_type in BUSINESS_PAGES
        and instance.business_id.isdecimal()
    ):
        page = BUSINESS_PAGES[instance.business_type]
        return redirect(reverse(page, args=[int(instance.business_id)]))
    if request.method == "POST":
        try:
            if request.POST.get("action") == "withdraw":
                back = services.withdraw(
                    request.user, instance.pk, reason=request.POST.get("reason", "")
                )
                messages.success(
                    request,
                    _("Withdrawn: the step is back with you.")
                    if back
                    else _("Withdrawn: the request has ended and nobody needs to act on it."),
                )
            elif request.POST.get("action") == "terminate":
                _terminate(request, instance.pk)
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect("web:instance_detail", instance_id=instance.pk)
    return render(
        request,
        "web/instance_detail.html",
        {
            "instance": instance,
            "history": selectors.slip(instance),
            "diagram": _diagram(instance),
            "start_values": selectors.start_values(instance),
            "open_tasks": selectors.open_steps(instance),
            "can_terminate": policy.can(request.user, Action.MANAGE_PROCESSES)
            and instance.status == "running",
            "can_withdraw": selectors.may_withdraw(request.user, instance),
            "withdraw_refusal": selectors.withdraw_refusal(request.user, instance),
        },
    )


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def definitions(request: StaffRequest) -> HttpResponse:
    policy.require(request.user, Action.MANAGE_PROCESSES)
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
            return redirect("web:definitions")
    return render(
        request,
        "web/definitions.html",
        {"form": form, "definitions": selectors.definitions(request.user)},
    )


@login_required
@handles_not_found
def monitor(request: StaffRequest) -> HttpResponse:
    key = request.GET.get("process", "")[:100]
    return render(request, "web/monitor.html", selectors.monitor(request.user, key))


def _terminate(request: StaffRequest, instance_id: int) -> None:
    """终止 from the instance page or the monitor's, with the reason the form gave."""
    services.terminate_instance(request.user, instance_id, reason=request.POST.get("reason", ""))
    messages.success(request, _("The process was terminated."))


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def monitor_instance(request: StaffRequest, instance_id: int) -> HttpResponse:
    """One instance as the monitor sees it: its steps and performers, and 终止."""
    instance = selectors.monitored_instance(request.user, instance_id)
    if request.method == "POST":
        try:
            _terminate(request, instance.pk)
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        return redirect("web:monitor_instance", instance_id=instance.pk)
    return render(
        request,
        "web/monitor_instance.html",
        {
            "instance": instance,
            "open_tasks": selectors.open_steps(instance),
            "diagram": _diagram(instance),
            "full_page": not selectors.owned_by_a_domain(instance),
            "today": timezone.localdate(),
        },
    )


@login_required
@handles_not_found
@require_http_methods(["GET", "POST"])
def modeler(request: StaffRequest, key: str) -> HttpResponse:
    """Edit a definition in bpmn-js and save it as the next version."""
    policy.require(request.user, Action.MANAGE_PROCESSES)
    latest = selectors.definitions(request.user).filter(key=key).defer(None).first()
    if latest is None:
        raise NotFound()
    if request.method == "POST":
        xml = request.POST.get("xml", "").encode("utf-8")
        try:
            definition = services.save_from_modeler(request.user, key, xml)
        except ServiceError as exc:
            messages.error(request, str(exc.message))
            return render(
                request,
                "web/modeler.html",
                _modeler_context(request, latest, xml.decode()),
                status=422,
            )
        messages.success(request, _("Saved as version %(v)d.") % {"v": definition.version})
        for warning in definition.warnings:
            messages.warning(request, warning)
        return redirect("web:definitions")
    return render(request, "web/modeler.html", _modeler_context(request, latest, latest.bpmn_xml))


def _modeler_context(request: StaffRequest, definition: Any, xml: str) -> dict[str, Any]:
    return {
        "definition": definition,
        "xml": xml,
        # Back after a refused save: the edits on the page are not saved yet.
        "edited": xml != definition.bpmn_xml,
        "editor_strings": modeler_strings.translations(),
        "roles": selectors.performer_roles(request.user),
    }
