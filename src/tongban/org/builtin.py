"""Roles and positions every installation starts with (loaded by a data migration).

A built-in role's description is stored in English and translated where it is shown (the pages
pass it through gettext: ``{% translate role.description %}``); one a security administrator
writes is shown as written."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from tongban.core.permissions import Action

BUILTIN_ROLES: list[dict[str, object]] = [
    {
        "code": "clerk",
        "name": "办文员",
        "description": gettext_noop("Works documents and tasks of their own department."),
        "permissions": [
            Action.VIEW_STAFF,
            Action.VIEW_DOCUMENTS,
            Action.DRAFT_DOCUMENTS,
            Action.RECEIVE_DOCUMENTS,
            Action.IMPORT_DOCUMENTS,
        ],
        "default_scope": "department",
    },
    {
        "code": "division_head",
        "name": "处室负责人",
        "description": gettext_noop("Heads a division: sees its staff and their contact data."),
        "permissions": [
            Action.VIEW_STAFF,
            Action.VIEW_PERSONAL_DATA,
            Action.VIEW_DOCUMENTS,
            Action.DRAFT_DOCUMENTS,
        ],
        "default_scope": "department",
    },
    {
        "code": "bureau_head",
        "name": "单位负责人",
        "description": gettext_noop("Heads a bureau or district: sees everything below it."),
        "permissions": [
            Action.VIEW_STAFF,
            Action.VIEW_PERSONAL_DATA,
            Action.VIEW_DOCUMENTS,
            Action.DRAFT_DOCUMENTS,
            Action.VIEW_RECORDS,
            Action.APPROVE_DISPOSAL,
        ],
        "default_scope": "subtree",
    },
    {
        "code": "hr_officer",
        "name": "人事专员",
        "description": gettext_noop(
            "Keeps the staff records of their unit and the units below it."
        ),
        "permissions": [Action.VIEW_STAFF, Action.MANAGE_STAFF, Action.VIEW_PERSONAL_DATA],
        "default_scope": "subtree",
    },
    {
        "code": "seal_keeper",
        "name": "印章管理员",
        "description": gettext_noop(
            "Keeps the department's seal: seals documents with it (with a second factor)."
        ),
        "permissions": [Action.SIGN_WITH_SEAL],
        "default_scope": "department",
    },
    {
        "code": "archivist",
        "name": "档案员",
        "description": gettext_noop(
            "Keeps the unit's records: archives documents, exports and appraises them."
        ),
        "permissions": [Action.VIEW_DOCUMENTS, Action.VIEW_RECORDS, Action.ARCHIVE_RECORDS],
        "default_scope": "subtree",
    },
    {
        "code": "city_leader",
        "name": "市领导",
        "description": gettext_noop("City leadership: sees the whole organisation."),
        "permissions": [Action.VIEW_STAFF, Action.VIEW_DOCUMENTS],
        "default_scope": "all",
    },
]


def add_builtin_permissions(role_model: Any, codes: list[str]) -> None:
    """Give existing built-in roles the permissions they carry now (a later app added them);
    create the roles that are missing. Permissions someone added by hand stay."""
    for spec in BUILTIN_ROLES:
        if spec["code"] not in codes:
            continue
        role = role_model.objects.filter(code=spec["code"]).first()
        if role is None:
            ensure_role(role_model, spec)
            continue
        wanted = [str(p) for p in spec["permissions"]]  # type: ignore[attr-defined]
        merged = list(role.permissions) + [p for p in wanted if p not in role.permissions]
        if merged != list(role.permissions):
            role.permissions = merged
            role.save(update_fields=["permissions"])


def ensure_role(role_model: Any, spec: dict[str, object]) -> None:
    """Create a built-in role unless it exists (data migrations pass the historical model)."""
    role_model.objects.get_or_create(
        code=spec["code"],
        defaults={
            "name": spec["name"],
            "description": spec["description"],
            "permissions": [str(p) for p in spec["permissions"]],  # type: ignore[attr-defined]
            "default_scope": spec["default_scope"],
        },
    )


BUILTIN_POSITIONS: list[tuple[str, str, int]] = [
    ("mayor", "市长", 1),
    ("vice_mayor", "副市长", 2),
    ("secretary_general", "秘书长", 5),
    ("director", "局长/主任", 10),
    ("deputy_director", "副局长/副主任", 12),
    ("district_head", "区长", 10),
    ("division_head", "处长", 20),
    ("deputy_division_head", "副处长", 22),
    ("section_chief", "科长", 30),
    ("officer", "科员", 40),
    ("clerk", "办事员", 50),
]
