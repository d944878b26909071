"""Sign-in for scripts (bearer tokens) and the signed-in person's own record."""

from __future__ import annotations

from ninja import Router, Status

from tongban.api.auth import ApiRequest
from tongban.api.schemas import MeOut, TokenIn, TokenOut
from tongban.identity.services import sign_in_for_token
from tongban.org import selectors

router = Router(tags=["identity"])


@router.post("/auth/token", response={201: TokenOut}, auth=None, summary="Sign in and get a token")
def issue_token(request: ApiRequest, payload: TokenIn) -> Status:
    _user, issued = sign_in_for_token(
        payload.username, payload.password, payload.otp or "", payload.days
    )
    return Status(201, {"token": issued.raw, "expires_at": issued.token.expires_at})


@router.get("/me", response=MeOut, summary="The signed-in person")
def me(request: ApiRequest) -> dict:
    user = request.auth
    staff = selectors.staff_of_user(user)
    roles = [
        {
            "role": a.role.code,
            "name": a.role.name,
            "department": a.department.code,
            "scope": a.scope,
        }
        for a in selectors.assignments_of(user, user)
    ]
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "admin_role": user.admin_role,
        "clearance": user.clearance,
        "totp_enabled": user.totp_enabled,
        "department": {"code": staff.department.code, "name": staff.department.name}
        if staff
        else None,
        "position": staff.position.name if staff and staff.position else None,
        "roles": roles,
    }
