"""Roles and positions every installation starts with (loaded by a data migration)."""

from __future__ import annotations

from typing import Any

from tongban.core.permissions import Action

BUILTIN_ROLES: list[dict[str, object]] = [
    {
        "code": "clerk",
        "name": "办文员",
        "description": "Works documents and tasks of their own department.",
        "permissions": [Action.VIEW_STAFF],
        "default_scope": "department",
    },
    {
        "code": "division_head",
        "name": "处室负责人",
        "description": "Heads a division: sees its staff and their contact data.",
        "permissions": [Action.VIEW_STAFF, Action.VIEW_PERSONAL_DATA],
        "default_scope": "department",
    },
    {
        "code": "bureau_head",
        "name": "单位负责人",
        "description": "Heads a bureau or district: sees everything below it.",
        "permissions": [Action.VIEW_STAFF, Action.VIEW_PERSONAL_DATA],
        "default_scope": "subtree",
    },
    {
        "code": "hr_officer",
        "name": "人事专员",
        "description": "Keeps the staff records of their unit and the units below it.",
        "permissions": [Action.VIEW_STAFF, Action.MANAGE_STAFF, Action.VIEW_PERSONAL_DATA],
        "default_scope": "subtree",
    },
    {
        "code": "seal_keeper",
        "name": "印章管理员",
        "description": "Keeps the department's seal: seals documents with it (with a second factor).",
        "permissions": [Action.SIGN_WITH_SEAL],
        "default_scope": "department",
    },
    {
        "code": "city_leader",
        "name": "市领导",
        "description": "City leadership: sees the whole organisation.",
        "permissions": [Action.VIEW_STAFF],
        "default_scope": "all",
    },
]


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
