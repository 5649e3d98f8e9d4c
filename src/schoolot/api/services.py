"""Writes for API tokens: make one (its secret returned once) and revoke one."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from schoolot.accounts.models import User
from schoolot.api.models import ApiToken
from schoolot.api.selectors import api_token_access, token_digest
from schoolot.audit.models import AuditAction
from schoolot.audit.services import audit_event_record

SECRET_PREFIX = "sot_"  # noqa: S105 (a label, not a secret)
# How long a token may live: a forgotten token stops by itself.
LIFETIMES = (30, 90, 365)


def api_token_create(*, request, name: str, days: int) -> tuple[ApiToken, str]:
    """A new token for `request.user`, good for `days` days (one of LIFETIMES) from today,
    district time; returns it with its secret, which is kept nowhere. The making is
    audited. PermissionDenied for a role that may not hold tokens; ValidationError for a
    bad name or lifetime."""
    user: User = request.user
    if not api_token_access(user=user):
        raise PermissionDenied("Administrators, OT supervisors and therapists use API tokens.")
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Say what the token is for."
    elif len(name) > 80:
        errors["name"] = "At most 80 characters."
    if days not in LIFETIMES:
        errors["days"] = "Choose 30, 90 or 365 days."
    if errors:
        raise ValidationError(errors)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        district_id=user.district_id,
        user=user,
        name=name,
        digest=token_digest(secret),
        prefix=secret[: len(SECRET_PREFIX) + 6],
        expires_on=timezone.localdate() + dt.timedelta(days=days),
    )
    audit_event_record(
        request=request, student=None, action=AuditAction.CREATE, what=f"API token {token}"
    )
    return token, secret


def _revoke(*, request, token: ApiToken, what: str) -> bool:
    """Revoke `token` unless it is revoked already (then nothing changes); audited."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_event_record(request=request, student=None, action=AuditAction.UPDATE, what=what)
    return True


def api_token_revoke(*, request, token_id: int) -> ApiToken:
    """Revoke one of `request.user`'s own tokens (Http404 for anyone else's); revoking a
    revoked token changes nothing. Audited."""
    token = (
        ApiToken.objects.filter(user=request.user, district_id=request.user.district_id)
        .filter(pk=token_id)
        .first()
    )
    if token is None:
        raise Http404("No such token.")
    _revoke(request=request, token=token, what=f"API token {token} revoked")
    return token


def api_tokens_district_revoke(*, request, token_ids) -> int:
    """A district administrator revokes tokens of her district's users (as when someone
    leaves; the back office's action); how many were revoked. The platform operator may
    revoke any. Others: PermissionDenied. Each revocation audited, naming the token's user."""
    from schoolot.core.admin import is_district_admin

    user = request.user
    tokens = ApiToken.objects.filter(pk__in=list(token_ids)).select_related("user")
    if not user.is_superuser:
        if not is_district_admin(user):
            raise PermissionDenied("District administrators revoke their district's tokens.")
        tokens = tokens.filter(district_id=user.district_id)
    return sum(
        _revoke(
            request=request,
            token=token,
            what=f"API token {token} of {token.user.get_username()} revoked",
        )
        for token in tokens.order_by("pk")
    )
