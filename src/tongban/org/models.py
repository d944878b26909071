"""The organisation: a tree of departments (市 → 委办局 → 处室; 区县), staff, roles, delegation."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.permissions import Action

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$",
    _("A code has 1 to 32 letters, digits, dashes or underscores."),
)


class DepartmentKind(models.TextChoices):
    CITY = "city", _("City government")
    BUREAU = "bureau", _("Bureau or commission")
    DIVISION = "division", _("Division")
    DISTRICT = "district", _("District or county")
    OFFICE = "office", _("Other unit")


class Department(models.Model):
    """部门: a node of the organisation tree. ``path`` ("/1/4/17/") makes subtree queries one LIKE."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DepartmentKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    issuing_code = models.CharField(
        _("issuing code (机关代字)"),
        max_length=20,
        blank=True,
        help_text=_("Used in document numbers, e.g. 示政发."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["path"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Position(models.Model):
    """职务: a position title with its rank (lower is more senior)."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=50)
    rank = models.PositiveSmallIntegerField(_("rank"), default=50)

    class Meta:
        ordering = ["rank", "code"]
        verbose_name = _("position")

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    """工作人员: an account's place in the organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="staff"
    )
    position = models.ForeignKey(
        Position, verbose_name=_("position"), null=True, blank=True, on_delete=models.SET_NULL
    )
    office_phone = models.CharField(_("office phone"), max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["department__path", "position__rank", "user__username"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return str(self.user)


class DataScope(models.TextChoices):
    """数据范围: how far a role reaches."""

    SELF = "self", _("Own records only")
    DEPARTMENT = "department", _("Own department")
    SUBTREE = "subtree", _("Department and below")
    ALL = "all", _("Everything")


class Role(models.Model):
    """角色: a named set of permissions, held by staff within a department scope."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=50)
    description = models.CharField(_("description"), max_length=200, blank=True)
    permissions = models.JSONField(_("permissions"), default=list)
    default_scope = models.CharField(
        _("default scope"), max_length=10, choices=DataScope.choices, default=DataScope.DEPARTMENT
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("role")

    def __str__(self) -> str:
        return self.name

    def permission_labels(self) -> list[str]:
        labels = dict(Action.choices)
        return [str(labels.get(p, p)) for p in self.permissions]


class RoleAssignment(models.Model):
    """A role held by a person, reaching over ``department`` as far as ``scope`` says."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(_("scope"), max_length=10, choices=DataScope.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("role assignment")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "department"], name="org_roleassignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.role_id} @ {self.department_id} ({self.scope})"


class Delegation(models.Model):
    """代理: for a time window, ``delegate`` may act with ``delegator``'s roles."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations_given"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delegations_received"
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("delegation")

    def __str__(self) -> str:
        return f"{self.delegator_id} → {self.delegate_id} until {self.ends_at:%Y-%m-%d %H:%M}"
