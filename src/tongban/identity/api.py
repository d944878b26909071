"""Sign-in for scripts: a personal bearer token for a login name, password and one-time code."""

from __future__ import annotations

from ninja import Router, Status

from tongban.identity.http import ApiRequest
from tongban.identity.schemas import TokenIn, TokenOut
from tongban.identity.services import sign_in_for_token

router = Router(tags=["identity"])


@router.post("/auth/token", response={201: TokenOut}, auth=None, summary="Sign in and get a token")
def issue_token(request: ApiRequest, payload: TokenIn) -> Status:
    _user, issued = sign_in_for_token(
        payload.username, payload.password, payload.otp or "", payload.days
    )
    return Status(201, {"token": issued.raw, "expires_at": issued.token.expires_at})
