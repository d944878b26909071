"""What the organisation's audited actions and objects are called (core.labels), the working-day
calendar's included: its pages and services live in org."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "org.department.create": _("Create a department"),
    "org.department.update": _("Edit a department"),
    "org.staff.create": _("Add a staff member"),
    "org.staff.update": _("Edit a staff member"),
    "org.staff.read_personal_data": _("Read unmasked personal data"),
    "org.role.define": _("Define a role"),
    "org.role.assign": _("Assign a role"),
    "org.role.revoke": _("Revoke a role assignment"),
    "org.delegation.create": _("Set up a delegation"),
    "org.delegation.revoke": _("End a delegation"),
    "core.calendar.override": _("Change a working day"),
    "core.calendar.clear": _("Remove a working-day change"),
    "core.calendar.arrangement.enter": _("Enter a year's holiday arrangement"),
    "core.calendar.arrangement.change": _("Change a year's holiday arrangement"),
    "core.calendar.arrangement.withdraw": _("Withdraw a year's holiday arrangement"),
}

OBJECT_TYPES = {
    "org.department": _("Department"),
    "org.staff": _("Staff member"),
    "org.position": _("Position"),
    "org.role": _("Role"),
    "org.roleassignment": _("Role assignment"),
    "org.delegation": _("Delegation"),
    "core.workingdayoverride": _("Working-day change"),
    "core.holidayarrangement": _("Holiday arrangement"),
}
