"""Session backend: sign-in itself goes through ``identity.services.authenticate_staff``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from tongban.identity.models import User


class StaffBackend(BaseBackend):
    def authenticate(self, request: Any, **credentials: Any) -> User | None:
        # Deliberately unused: every sign-in must pass lockout, second factor and audit.
        return None

    def get_user(self, user_id: int) -> User | None:
        return User.objects.filter(pk=user_id, is_active=True).first()
