"""The access policy: data scope, delegation, administrators' separated powers, classification."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tongban.audit.models import AuditEntry
from tongban.core.errors import Forbidden
from tongban.core.permissions import Action
from tongban.org import policy, selectors, services
from tongban.org.models import Role, Staff

pytestmark = pytest.mark.django_db


def usernames(qs) -> set[str]:
    return {s.user.username for s in qs}


def test_department_scope_sees_only_own_department(make_staff):
    me = make_staff("edu", "me")
    make_staff("edu", "colleague", role=None)
    make_staff("edu_basic", "below", role=None)
    make_staff("fin", "outsider", role=None)
    assert usernames(selectors.staff_for(me.user)) == {"me", "colleague"}


def test_subtree_scope_reaches_divisions_below(make_staff):
    head = make_staff("edu", "head", role="bureau_head")
    make_staff("edu_basic", "below", role=None)
    make_staff("fin", "outsider", role=None)
    seen = usernames(selectors.staff_for(head.user))
    assert "below" in seen and "outsider" not in seen


def test_self_scope_sees_only_self(make_staff):
    me = make_staff("edu", "lonely", role="clerk", scope="self")
    make_staff("edu", "other", role=None)
    assert usernames(selectors.staff_for(me.user)) == {"lonely"}


def test_all_scope_sees_everyone(make_staff):
    leader = make_staff("city", "leader", role="city_leader")
    make_staff("fin", "far", role=None)
    assert "far" in usernames(selectors.staff_for(leader.user))


def test_no_role_sees_no_staff_but_the_directory(make_staff, city):
    nobody = make_staff("edu", "norole", role=None)
    assert not selectors.staff_for(nobody.user).exists()
    assert selectors.departments_for(nobody.user).count() == len(city)


def test_can_checks_the_object_scope(make_staff):
    me = make_staff("edu", "me2")
    inside = make_staff("edu", "in", role=None)
    outside = make_staff("fin", "out", role=None)
    assert policy.can(me.user, Action.VIEW_STAFF, inside)
    assert not policy.can(me.user, Action.VIEW_STAFF, outside)
    assert not policy.can(me.user, Action.MANAGE_STAFF, inside)


def test_search_by_name_does_not_cross_scope(make_staff):
    me = make_staff("edu", "searcher")
    make_staff("fin", "fin1", display_name="王秘密")
    assert not selectors.staff_for(me.user, q="王秘密").exists()


def test_lookup_by_id_outside_scope_is_not_found(make_staff):
    from tongban.core.errors import NotFound

    me = make_staff("edu", "looker")
    outsider = make_staff("fin", "hidden", role=None)
    with pytest.raises(NotFound):
        selectors.staff_by_id(me.user, outsider.pk)


def test_delegation_lends_roles_only_within_its_window(make_staff):
    boss = make_staff("fin", "boss", role="bureau_head")
    stand_in = make_staff("edu", "standin", role=None)
    make_staff("fin", "finclerk", role=None)
    now = timezone.now()
    d = services.delegate(
        boss.user,
        delegate=stand_in.user.username,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=1),
        reason="出差",
    )
    assert "finclerk" in usernames(selectors.staff_for(stand_in.user))
    services.revoke_delegation(boss.user, d.pk)
    policy.forget(stand_in.user)
    assert not selectors.staff_for(stand_in.user).exists()


def test_expired_delegation_grants_nothing(make_staff):
    boss = make_staff("fin", "boss2", role="bureau_head")
    stand_in = make_staff("edu", "standin2", role=None)
    now = timezone.now()
    services.delegate(
        boss.user,
        delegate=stand_in.user.username,
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=1),
        reason="已结束",
    )
    assert not selectors.staff_for(stand_in.user).exists()


def test_denied_action_is_refused_and_audited(make_staff, city):
    clerk = make_staff("edu", "clerky")
    before = AuditEntry.objects.count()
    with pytest.raises(Forbidden):
        services.create_department(clerk.user, code="X1", name="x", kind="division", parent="EDU")
    denied = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert denied.outcome == "denied" and denied.actor_username == "clerky"


def test_hr_officer_manages_staff_only_in_own_subtree(make_staff, city, secadmin):
    hr = make_staff("edu", "hr1", role="hr_officer")
    staff, _pw = services.create_staff(
        hr.user, department="EDU-BASIC", username="newbie", display_name="新人"
    )
    assert staff.department == city["edu_basic"]
    with pytest.raises(Forbidden):
        services.create_staff(hr.user, department="FIN", username="nope", display_name="不行")
    assert not Staff.objects.filter(user__username="nope").exists()


# --- three-role separation (三员分立) ------------------------------------------------------


def test_system_admin_cannot_grant_clearance_or_assign_roles(sysadmin, make_staff, city):
    from tongban.identity.services import grant_clearance

    target = make_staff("edu", "target1")
    with pytest.raises(Forbidden):
        grant_clearance(sysadmin, target.user, 3)
    with pytest.raises(Forbidden):
        services.assign_role(
            sysadmin,
            username=target.user.username,
            role="hr_officer",
            department="EDU",
        )


def test_security_admin_cannot_create_accounts(secadmin, city):
    with pytest.raises(Forbidden):
        services.create_staff(secadmin, department="EDU", username="sneaky", display_name="偷偷")
    assert not Staff.objects.filter(user__username="sneaky").exists()


def test_security_admin_grants_clearance_but_not_to_self(secadmin, make_staff):
    from tongban.identity.services import grant_clearance

    target = make_staff("edu", "target2")
    grant_clearance(secadmin, target.user, 3)
    target.user.refresh_from_db()
    assert target.user.clearance == 3
    with pytest.raises(Forbidden):
        grant_clearance(secadmin, secadmin, 4)


def test_administrators_cannot_hold_department_roles(secadmin, sysadmin, city):
    with pytest.raises(Forbidden):
        services.assign_role(
            secadmin,
            username=sysadmin.username,
            role="hr_officer",
            department="CITY",
        )


def test_auditor_has_no_organisation_powers(auditor, make_staff):
    make_staff("edu", "someone")
    assert not selectors.staff_for(auditor).exists()
    assert not selectors.departments_for(auditor).exists()
    assert not policy.can(auditor, Action.MANAGE_STAFF)


def test_roles_cannot_carry_administrator_powers(secadmin):
    from tongban.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        services.define_role(secadmin, code="sneaky", name="x", permissions=[Action.VIEW_AUDIT])
    assert not Role.objects.filter(code="sneaky").exists()


# --- classification -----------------------------------------------------------------------


def test_classification_above_clearance_is_refused(make_staff):
    target = policy.Target(
        view_action=Action.VIEW_STAFF, department="department", classification="classification"
    )
    staff = make_staff("edu", "cleared")

    class Record:
        def __init__(self, level: int, department):
            self.classification = level
            self.department = department

    policy.register(Record, target)  # type: ignore[arg-type]
    try:
        user = staff.user
        user.clearance = 2
        assert policy.can(user, Action.VIEW_STAFF, Record(2, staff.department))
        assert not policy.can(user, Action.VIEW_STAFF, Record(3, staff.department))
    finally:
        policy._registry.pop(Record)  # type: ignore[arg-type]


def test_visible_to_filters_classification_inside_the_query(make_staff):
    """Any model with a classification field: rows above the reader's clearance never load."""
    from tongban.identity.models import User

    reader = make_staff("edu", "reader", role="city_leader").user
    make_staff("edu", "low", role=None)
    high = make_staff("edu", "high", role=None).user
    User.objects.filter(pk=high.pk).update(clearance=4)
    saved = policy._registry[User]
    policy.register(
        User,
        policy.Target(
            view_action=Action.VIEW_STAFF,
            department="staff__department",
            classification="clearance",
        ),
    )
    try:
        seen = set(policy.visible_to(reader, User.objects.all()).values_list("username", flat=True))
    finally:
        policy.register(User, saved)
    assert "low" in seen and "high" not in seen
