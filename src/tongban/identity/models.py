"""Accounts of staff members, their password history and their personal API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.identifiers import mask_phone, mask_resident_id, resident_id_validator
from tongban.core.permissions import AdminRole, Classification

username_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{1,39}$",
    _(
        "A login name has 2 to 40 letters, digits, dots, dashes or underscores, starting with a "
        "letter or digit."
    ),
)
phone_validator = RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mobile number."))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username__iexact=username)

    def create_user(self, username: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    """A person who signs in to the staff workbench (工作人员账号)."""

    username = models.CharField(
        _("login name"), max_length=40, unique=True, validators=[username_validator]
    )
    display_name = models.CharField(_("name"), max_length=50)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("mobile"), max_length=11, blank=True, validators=[phone_validator])
    id_number = models.CharField(
        _("resident ID number"), max_length=18, blank=True, validators=[resident_id_validator]
    )
    admin_role = models.CharField(
        _("administrator role"), max_length=10, choices=AdminRole.choices, blank=True, default=""
    )
    clearance = models.PositiveSmallIntegerField(
        _("clearance"), choices=Classification.choices, default=Classification.INTERNAL
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("created"), default=timezone.now)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    must_change_password = models.BooleanField(default=False)
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_enabled = models.BooleanField(_("second factor enabled"), default=False)
    totp_last_step = models.BigIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="identity_user_username_ci_unique")
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.username})"

    @property
    def is_admin(self) -> bool:
        return bool(self.admin_role)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""

    @property
    def masked_id_number(self) -> str:
        return mask_resident_id(self.id_number) if self.id_number else ""


class PasswordHistory(models.Model):
    """Earlier password hashes, so that the last five cannot be reused."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"password of {self.user_id} from {self.created_at:%Y-%m-%d}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class SignInAttempt(models.Model):
    """A sign-in, or a one-time code for a sensitive action, that failed or succeeded: what the
    lockout counts, by login name and by source address (identity/lockout.py). A failure is
    forgiven (deleted) when the same login then signs in from the same source; a success marks
    the source as known for that login. The audit trail keeps every attempt for good; these rows
    are pruned by the worker."""

    at = models.DateTimeField(default=timezone.now)
    username = models.CharField(max_length=150)  # lower-cased, as typed: unknown logins too
    source = models.CharField(max_length=45, blank=True)  # client address; empty from commands
    succeeded = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["source", "succeeded", "at"], name="identity_attempt_source"),
            models.Index(
                fields=["username", "succeeded", "source", "at"], name="identity_attempt_login"
            ),
            models.Index(fields=["at"], name="identity_attempt_at"),
        ]

    def __str__(self) -> str:
        outcome = "success" if self.succeeded else "failure"
        return f"{outcome} of {self.username} from {self.source or 'local'} at {self.at:%H:%M:%S}"
