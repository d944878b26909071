"""One way to act on a task (待办): claim, release, complete, 退回, 转办, 加签 and 催办.

The task page, a document's page (and an approval's, next) and the API all call ``perform``, so
a step is handled by the same rules and answered in the same words wherever the person is. What
a domain adds about its own steps stays behind its business hooks (``workflow.hooks``): a step
the domain carries out itself (用印 signs the PDF before the step completes), and what to tell
the person once a step is done (the document number after 签发).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.core.errors import InvalidInput
from tongban.identity.models import User
from tongban.workflow import hooks, selectors, services
from tongban.workflow.models import Task


class TaskAction(StrEnum):
    CLAIM = "claim"
    RELEASE = "release"
    COMPLETE = "complete"
    RETURN = "return"
    TRANSFER = "transfer"
    ADD_SIGNER = "add_signer"
    URGE = "urge"


# What completing a step did (selectors.completion_outcome), in the person's words.
COMPLETION_MESSAGES = {
    "opinion": gettext_lazy("Your opinion is recorded; the step's performer decides."),
    "waiting": gettext_lazy("Done. The step waits for its other performers."),
    "ended": gettext_lazy("Done. The process has ended."),
    "moved": gettext_lazy("Done. The process has moved on."),
}


@dataclass(frozen=True)
class Outcome:
    """What an action did: the task as it is now, what to tell the person, and whether the
    step has left their hands (done, handed over, sent back), so a page need not show it again."""

    task: Task
    message: str
    left: bool


def perform(
    actor: User,
    task_id: int,
    action: str,
    *,
    data: dict[str, Any] | None = None,
    opinion: str = "",
    reason: str = "",
    to: str = "",
    to_task_id: int | None = None,
    message: str = "",
) -> Outcome:
    """Carry out ``action`` on the task ``task_id`` for ``actor``.

    ``data`` and ``opinion`` complete a step; ``reason`` explains a hand-over (转办, 加签) or a
    send-back (退回, to the previous step or ``to_task_id``); ``to`` is the colleague's login
    name; ``message`` goes with a reminder (催办). Refusals are the services' errors.
    """
    if action == TaskAction.CLAIM:
        task = services.claim_task(actor, task_id)
        return Outcome(task, _("The step is yours now."), left=False)
    if action == TaskAction.RELEASE:
        task = services.release_task(actor, task_id)
        return Outcome(task, _("The step is back in the shared queue."), left=False)
    if action == TaskAction.TRANSFER:
        task = services.transfer_task(actor, task_id, to_username=to, reason=reason)
        return Outcome(task, _("Handed over."), left=True)
    if action == TaskAction.ADD_SIGNER:
        task = services.add_signer(actor, task_id, username=to, reason=reason)
        return Outcome(task, _("Signer added; this step waits for their opinion."), left=False)
    if action == TaskAction.RETURN:
        task = services.return_task(actor, task_id, to_task_id=to_task_id, opinion=reason)
        return Outcome(task, _("Sent back."), left=True)
    if action == TaskAction.URGE:
        task = services.urge_task(actor, task_id, message=message)
        return Outcome(task, _("The performer has been reminded."), left=False)
    if action == TaskAction.COMPLETE:
        return _complete(actor, task_id, data or {}, opinion)
    raise InvalidInput(_("Choose what to do with the step."), field="action")


def _complete(actor: User, task_id: int, data: dict[str, Any], opinion: str) -> Outcome:
    task = Task.objects.select_related("instance").filter(pk=task_id).first()
    handler = hooks.handler_for(task.instance.business_type) if task is not None else None
    if task is not None and handler is not None and services.may_work(actor, task):
        # A step the domain carries out itself, then completes (用印: the seal first).
        told = handler.perform_step(actor, task, data, opinion)
        if told is not None:
            task.refresh_from_db()
            return Outcome(task, told, left=True)
    done = services.complete_task(actor, task_id, data=data, opinion=opinion)
    outcome = selectors.completion_outcome(done)
    told = handler.completion_message(done, outcome) if handler is not None else None
    return Outcome(done, told or str(COMPLETION_MESSAGES[outcome]), left=True)
