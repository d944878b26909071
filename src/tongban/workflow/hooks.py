"""Business hooks: how a domain app (layer 4) takes part in the steps of its own processes.

The workflow engine knows nothing of documents or approvals. A domain app registers a handler
for its ``business_type`` (``register("documents.outgoing", handler)``) when Django starts; the
workflow services then call it inside their own transaction:

* ``before_complete(step)`` before the engine moves on from a task of such an instance: the
  domain checks what the step needs (a document complete enough to submit, a seal applied) and
  does the step's own work (a document number at sign-off). Raising a ``ServiceError`` refuses
  the completion and rolls everything back. ``step.data`` may be changed: what it holds goes to
  the engine as process variables.
* ``after_change(instance, event)`` after every change of the instance (``start``,
  ``complete``, ``return``, ``withdraw``, ``terminate``, ``timer``), when the task rows are
  current: the domain updates what it shows (the document's stage).
* ``authorise(actor, instance, task)`` before the completion's transaction: the domain refuses a
  person who may not do this step (below the document's classification, not a signer) and
  records the refusal, which must happen outside the transaction that would roll it back;
  ``before_complete`` checks again inside it.
* ``visible(actor, instance)``: whether the actor may see the domain's object, and so the steps
  of its process that its page shows (a reader of the document who took no part in it). An
  action on a step of an instance the actor may not see answers 404, as for a missing one.
* ``check_performer(instance, task, user, added=...)`` before a step is handed over (转办) or
  another signer added (加签, ``added=True``: they give an opinion, they do not do the step):
  the domain refuses a person who could not.
* ``perform_step(actor, task, data, opinion)`` when a person completes a step through
  ``workflow.actions``: a step the domain carries out itself (用印 seals the PDF, then completes
  the step) does so and returns what to tell them; ``None`` lets the step complete as usual.
* ``completion_message(task, outcome)`` after a step completed (``outcome`` as
  ``selectors.completion_outcome``): what to tell the person in the domain's words (the number
  a document got at 签发), or ``None`` for the platform's.

So the generic task API and a domain's own pages run the same rules. Instances of a registered
business type are started by their domain's services only (``start_instance(..., owned=True)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from tongban.identity.models import User
    from tongban.workflow.models import ProcessInstance, Task


@dataclass
class Step:
    """A task about to be completed."""

    actor: User
    instance: ProcessInstance
    task: Task
    data: dict[str, Any] = field(default_factory=dict)
    opinion: str = ""


class BusinessHandler(Protocol):
    def before_complete(self, step: Step) -> None: ...

    def after_change(self, instance: ProcessInstance, event: str) -> None: ...

    def authorise(self, actor: User, instance: ProcessInstance, task: Task) -> None: ...

    def visible(self, actor: User, instance: ProcessInstance) -> bool: ...

    def check_performer(
        self, instance: ProcessInstance, task: Task, user: User, *, added: bool
    ) -> None: ...

    def perform_step(
        self, actor: User, task: Task, data: dict[str, Any], opinion: str
    ) -> str | None: ...

    def completion_message(self, task: Task, outcome: str) -> str | None: ...


_handlers: dict[str, BusinessHandler] = {}
_process_keys: dict[str, str] = {}


def register(business_type: str, handler: BusinessHandler, *, process_key: str = "") -> None:
    """``process_key``: the process the domain starts for its objects; it is not offered in the
    list of processes people start by hand."""
    _handlers[business_type] = handler
    if process_key:
        _process_keys[business_type] = process_key


def owned_process_keys() -> list[str]:
    return sorted(set(_process_keys.values()))


def handler_for(business_type: str) -> BusinessHandler | None:
    return _handlers.get(business_type) if business_type else None


def owned_types() -> list[str]:
    """The business types whose instances a domain shows on its own pages, by its own rules."""
    return sorted(_handlers)
