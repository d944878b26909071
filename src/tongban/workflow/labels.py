"""What the workflow's audited actions and objects are called (core.labels)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "workflow.definition.import": _("Import a process definition"),
    "workflow.instance.start": _("Start a process"),
    "workflow.instance.terminate": _("Terminate a process"),
    "workflow.instance.withdraw": _("Withdraw a step or a process"),
    "workflow.instance.return": _("Return a process to an earlier step"),
    "workflow.instance.variables": _("Change a running process's variables"),
    "workflow.task.claim": _("Take a step"),
    "workflow.task.release": _("Release a step to the shared queue"),
    "workflow.task.complete": _("Complete a step"),
    "workflow.task.return": _("Return a step"),
    "workflow.task.transfer": _("Hand a step to a colleague"),
    "workflow.task.add_signer": _("Add a signer to a step"),
    "workflow.task.urge": _("Urge a step"),
    "workflow.timer.fire": _("A deadline passed"),
}

OBJECT_TYPES = {
    "workflow.processdefinition": _("Process definition"),
    "workflow.processinstance": _("Process instance"),
    "workflow.task": _("Step"),
}
