"""Registers the organisation's own models with the access policy."""

from tongban.core.permissions import Action
from tongban.identity.models import User
from tongban.org.models import Department, Staff
from tongban.org.policy import Target, register

register(Department, Target(view_action=Action.VIEW_DEPARTMENT, department=""))
register(Staff, Target(view_action=Action.VIEW_STAFF, department="department", owner="user"))
register(User, Target(view_action=Action.VIEW_STAFF, department="staff__department", owner="pk"))
