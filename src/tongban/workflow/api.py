"""Processes, instances and the task inbox. Thin: parse → service/selector → schema."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import File, Router, Status
from ninja.files import UploadedFile

from tongban.core.errors import InvalidInput
from tongban.core.http import pagination
from tongban.core.http.schemas import ReasonIn
from tongban.core.permissions import Action
from tongban.identity.http import ApiRequest
from tongban.org.http import guarded, requires
from tongban.workflow import actions, diagram, selectors, services
from tongban.workflow.schemas import (
    CompleteIn,
    DefinitionOut,
    HistoryOut,
    InstanceIn,
    InstanceOut,
    InstancePage,
    MonitorOut,
    ReturnIn,
    TaskOut,
    TaskPage,
    TransferIn,
    UrgeIn,
)

router = Router(tags=["workflow"])


def visible_task(action: str) -> list:
    """A task that is none of the caller's business is 404 (the probe audited as ``action``)
    before its body is read."""
    return guarded(lambda user, path: services.seen_task(user, path["task_id"], action))


@router.post(
    "/workflow/definitions",
    auth=requires(Action.MANAGE_PROCESSES),
    response={201: DefinitionOut},
    summary="Import a BPMN file",
)
def import_definition(request: ApiRequest, file: UploadedFile = File(...)) -> Status:  # noqa: B008
    content = file.read(services.MAX_BPMN_BYTES + 1)
    definition = services.import_definition(request.auth, content, source=file.name or "")
    return Status(201, definition)


@router.get("/workflow/definitions", response=list[DefinitionOut], summary="Process definitions")
def list_definitions(request: ApiRequest) -> object:
    return list(selectors.definitions(request.auth))


@router.post("/workflow/instances", response={201: InstanceOut}, summary="Start a process")
def start(request: ApiRequest, payload: InstanceIn) -> Status:
    instance = services.start_instance(
        request.auth,
        process_key=payload.process_key,
        variables=payload.variables,
        title=payload.title,
        business_type=payload.business_type,
        business_id=payload.business_id,
    )
    return Status(201, instance)


@router.get("/workflow/instances", response=InstancePage, summary="Processes I started (我发起的)")
def list_instances(
    request: ApiRequest, cursor: str | None = None, limit: int | None = None
) -> dict:
    qs = (
        selectors.started(request.auth)
        .select_related("definition", "initiator")
        .defer(*selectors.INSTANCE_LIST_DEFERRED)
    )
    items, nxt = pagination.page(qs, cursor=cursor, limit=limit, descending=True)
    return pagination.envelope(items, nxt)


@router.get("/workflow/counts", response=dict[str, int], summary="Inbox counts")
def counts(request: ApiRequest) -> dict[str, int]:
    return selectors.counts(request.auth)


@router.get("/workflow/instances/{instance_id}", response=InstanceOut, summary="One instance")
def get_instance(request: ApiRequest, instance_id: int) -> object:
    return selectors.instance_for(request.auth, instance_id)


@router.get(
    "/workflow/instances/{instance_id}/history", response=list[HistoryOut], summary="Timeline"
)
def get_history(request: ApiRequest, instance_id: int) -> object:
    return list(selectors.history(selectors.instance_for(request.auth, instance_id)))


@router.get("/workflow/instances/{instance_id}/diagram.svg", summary="Diagram with progress marked")
def get_diagram(request: ApiRequest, instance_id: int) -> HttpResponse:
    instance = selectors.instance_for(request.auth, instance_id)
    svg = diagram.render_svg(
        instance.definition.bpmn_xml,
        process_id=instance.definition.key,
        states=selectors.diagram_states(instance),
        title=instance.title,
    )
    return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")


@router.post(
    "/workflow/instances/{instance_id}/terminate",
    auth=requires(Action.MANAGE_PROCESSES),
    response=InstanceOut,
    summary="Terminate",
)
def terminate(request: ApiRequest, instance_id: int, payload: ReasonIn) -> object:
    return services.terminate_instance(request.auth, instance_id, reason=payload.reason)


@router.post(
    "/workflow/instances/{instance_id}/withdraw",
    response={200: TaskOut, 204: None},
    summary="Withdraw (撤回)",
    description="Back to the initiator's own step (200, that task); when the initiator only "
    "started the process and its first step is untouched, the process ends (204; the instance "
    "is then terminated).",
)
def withdraw(request: ApiRequest, instance_id: int) -> object:
    back = services.withdraw(request.auth, instance_id)
    return back if back is not None else (204, None)


@router.get(
    "/workflow/monitor", response=MonitorOut, summary="Running processes: overdue, stuck (admin)"
)
def monitor(request: ApiRequest, process_key: str = "") -> dict:
    return selectors.monitor(request.auth, process_key)


@router.get("/workflow/tasks", response=TaskPage, summary="My inbox: todo (待办) or done (已办)")
def list_tasks(
    request: ApiRequest,
    scope: str = "todo",
    q: str = "",
    overdue: bool = False,
    process_key: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> dict:
    if scope not in ("todo", "done"):
        raise InvalidInput("scope must be todo or done", field="scope")
    qs = selectors.inbox(request.auth, selectors.InboxFilter(scope, q, overdue, process_key))
    items, nxt = pagination.page(qs, cursor=cursor, limit=limit, descending=scope == "done")
    return pagination.envelope(items, nxt)


@router.get("/workflow/tasks/{task_id}", response=TaskOut, summary="One task")
def get_task(request: ApiRequest, task_id: int) -> object:
    return selectors.task_for(request.auth, task_id)


@router.post(
    "/workflow/tasks/{task_id}/complete",
    auth=visible_task("workflow.task.complete"),
    response=TaskOut,
    summary="Complete a task",
)
def complete(request: ApiRequest, task_id: int, payload: CompleteIn) -> object:
    return actions.perform(
        request.auth,
        task_id,
        actions.TaskAction.COMPLETE,
        data=payload.data,
        opinion=payload.opinion,
    ).task


@router.post("/workflow/tasks/{task_id}/claim", response=TaskOut, summary="Claim a shared task")
def claim(request: ApiRequest, task_id: int) -> object:
    return actions.perform(request.auth, task_id, actions.TaskAction.CLAIM).task


@router.post(
    "/workflow/tasks/{task_id}/release", response=TaskOut, summary="Release a claimed task"
)
def release(request: ApiRequest, task_id: int) -> object:
    return actions.perform(request.auth, task_id, actions.TaskAction.RELEASE).task


@router.post(
    "/workflow/tasks/{task_id}/transfer",
    auth=visible_task("workflow.task.transfer"),
    response=TaskOut,
    summary="Hand over (转办)",
)
def transfer(request: ApiRequest, task_id: int, payload: TransferIn) -> object:
    return actions.perform(
        request.auth, task_id, actions.TaskAction.TRANSFER, to=payload.to, reason=payload.reason
    ).task


@router.post(
    "/workflow/tasks/{task_id}/urge",
    auth=visible_task("workflow.task.urge"),
    response=TaskOut,
    summary="Urge (催办)",
)
def urge(request: ApiRequest, task_id: int, payload: UrgeIn | None = None) -> object:
    message = payload.message if payload is not None else ""
    return actions.perform(request.auth, task_id, actions.TaskAction.URGE, message=message).task


@router.get(
    "/workflow/tasks/{task_id}/return-targets",
    response=list[TaskOut],
    summary="The earlier steps a task can be sent back to (退回), newest first",
)
def return_targets(request: ApiRequest, task_id: int) -> object:
    return selectors.return_targets(selectors.task_for(request.auth, task_id), request.auth)


@router.post(
    "/workflow/tasks/{task_id}/return",
    auth=visible_task("workflow.task.return"),
    response=TaskOut,
    summary="Send back (退回)",
)
def send_back(request: ApiRequest, task_id: int, payload: ReturnIn) -> object:
    return actions.perform(
        request.auth,
        task_id,
        actions.TaskAction.RETURN,
        to_task_id=payload.to_task_id,
        reason=payload.opinion,
    ).task


@router.post(
    "/workflow/tasks/{task_id}/add-signer",
    auth=visible_task("workflow.task.add_signer"),
    response=TaskOut,
    summary="Add a signer (加签)",
)
def add_signer(request: ApiRequest, task_id: int, payload: TransferIn) -> object:
    return actions.perform(
        request.auth, task_id, actions.TaskAction.ADD_SIGNER, to=payload.to, reason=payload.reason
    ).task
