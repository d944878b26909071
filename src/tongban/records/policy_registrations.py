"""Registers the records' models with the access policy: records are read with
``records.view`` within the department scope and never above the person's clearance."""

from tongban.core.permissions import Action
from tongban.org.policy import Target, register
from tongban.records.models import Appraisal, Fonds, Record

register(
    Record,
    Target(
        view_action=Action.VIEW_RECORDS, department="department", classification="classification"
    ),
)
register(
    Appraisal,
    Target(
        view_action=Action.VIEW_RECORDS,
        department="record__department",
        classification="record__classification",
    ),
)
register(Fonds, Target(view_action=Action.VIEW_RECORDS, department="department"))
