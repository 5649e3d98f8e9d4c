"""How a call to the API says who it acts as: a personal token (Authorization: Bearer), or,
from a browser, the login session. Either way only roles that may hold tokens get in."""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from schoolot.api.selectors import api_token_access, api_token_get


class TokenAuth(HttpBearer):
    openapi_description = "A personal API token, made on the API tokens page: `Bearer sot_…`."

    def authenticate(self, request, token):
        found = api_token_get(secret=token)
        if found is None:
            return None
        # The API's reads and audit trail go by request.user, as the pages do; the audit
        # trail also names the token (routes._via).
        request.user, request.api_token = found.user, found
        return found.user


class StaffSessionAuth(SessionAuth):
    """The browser's login session (for the API's docs page), for roles that use the API."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None or not api_token_access(user=user):
            return None
        return user
