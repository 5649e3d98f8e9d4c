"""Reads for API tokens: who a presented secret acts as, and a user's own tokens."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db.models import QuerySet
from django.utils import timezone

from schoolot.accounts.models import Role, User
from schoolot.api.models import ApiToken

# The roles that may make tokens: staff who run the program. Teachers and parents have
# their pages and calendar feeds; a token would only widen where their access can leak.
TOKEN_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.SUPERVISOR, Role.THERAPIST})
# A token's last use is written at most this often, not on every call.
LAST_USED_EVERY = dt.timedelta(minutes=1)


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_access(*, user: User) -> bool:
    """Whether `user` may make and hold API tokens: an active user of a district whose
    role is one of TOKEN_ROLES."""
    return (
        user.is_authenticated
        and user.is_active
        and user.district_id is not None
        and user.role in TOKEN_ROLES
    )


def api_tokens_list(*, user: User) -> QuerySet[ApiToken]:
    """`user`'s own tokens, newest first, revoked and expired ones included."""
    return ApiToken.objects.filter(user=user, district_id=user.district_id)


def api_token_get(*, secret: str, on: dt.datetime | None = None) -> ApiToken | None:
    """The token a presented secret is, with the user it acts as (`token.user`), or None:
    an unknown or revoked token, one past its last day (district time), one whose user is
    inactive, has left the district or no longer holds a role that may use tokens. Notes
    when it was last used."""
    if not secret or len(secret) > 200:
        return None
    now = on or timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or token.expires_on < timezone.localdate(now):
        return None
    user = token.user
    if user.district_id != token.district_id or not api_token_access(user=user):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
