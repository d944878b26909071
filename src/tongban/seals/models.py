"""The platform CA, the certificates it issued (or an operator imported) and signed documents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuthorityKind(models.TextChoices):
    ROOT = "root", _("Root CA")
    ISSUING = "issuing", _("Issuing CA")
    TSA = "tsa", _("Time-stamping authority")


class Authority(models.Model):
    """One of the platform's own certificates. The root's key is encrypted with the operator's
    passphrase (never stored); the issuing CA's and the TSA's with the platform seal key."""

    kind = models.CharField(max_length=10, choices=AuthorityKind.choices, unique=True)
    certificate_pem = models.TextField()
    key_pem = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.get_kind_display()


class CertificateKind(models.TextChoices):
    SEAL = "seal", _("Department seal (公章)")
    PERSON = "person", _("Personal signature (个人签名)")


class Certificate(models.Model):
    """A signing certificate with its private key, encrypted at rest."""

    kind = models.CharField(_("kind"), max_length=10, choices=CertificateKind.choices)
    department = models.ForeignKey(
        "org.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=300)
    serial = models.CharField(_("serial number"), max_length=64, unique=True)
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    certificate_pem = models.TextField()
    key_pem = models.TextField()
    imported = models.BooleanField(_("issued by an outside CA"), default=False)
    chain_pem = models.TextField(blank=True, help_text="Imported: the outside CA's certificates")
    expiry_warned_at = models.DateTimeField(null=True, blank=True)
    seal_image = models.BinaryField(
        null=True, blank=True, help_text="Uploaded official image (PNG)"
    )
    sm2_public = models.CharField(max_length=130, blank=True, help_text="SM2 public key (hex)")
    sm2_private = models.TextField(blank=True, help_text="SM2 private key, encrypted (Fernet)")
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revocation_reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by_username = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["department", "kind", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.subject} ({self.serial[:12]})"


class SignedDocument(models.Model):
    """A document the platform sealed: what the QR code on it leads to (/verify/<token>/)."""

    token = models.CharField(max_length=32, unique=True)
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="documents")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    pages = models.PositiveIntegerField()
    page = models.PositiveIntegerField()
    reason = models.CharField(max_length=200, blank=True)
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-signed_at"]

    def __str__(self) -> str:
        return f"{self.filename or self.token} ({self.signed_at:%Y-%m-%d})"
