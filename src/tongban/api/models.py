"""Stored responses for ``Idempotency-Key`` on creating POSTs."""

from django.db import models
from django.utils import timezone


class IdempotentRequest(models.Model):
    user_id = models.BigIntegerField()
    key = models.CharField(max_length=100)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user_id", "key"], name="api_idempotency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.key})"
