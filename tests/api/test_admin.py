"""API tokens in the back office: a district administrator sees her district's tokens and
revokes them (as when someone leaves); nobody else's, and nobody makes or edits one there."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from schoolot.api.models import ApiToken
from schoolot.api.services import api_tokens_district_revoke
from schoolot.audit.models import AuditEvent
from tests.api.conftest import token_for

URL = "/admin/api/apitoken/"


def test_the_admin_lists_her_districts_tokens_only(client, world, elsewhere):
    token_for(world.users["therapist"], name="North sessions app")
    token_for(elsewhere.users["therapist"], name="South warehouse")
    client.force_login(world.users["admin"])
    page = client.get(URL).content.decode()
    assert "North sessions app" in page and "South warehouse" not in page
    assert client.get(f"{URL}add/").status_code == 403
    theirs = ApiToken.objects.get(name="South warehouse")
    assert client.get(f"{URL}{theirs.pk}/change/").status_code in (302, 404)


def test_the_admin_revokes_a_token_and_the_api_refuses_it(client, world, elsewhere):
    secret = token_for(world.users["therapist"], name="North sessions app")
    south = token_for(elsewhere.users["therapist"], name="South warehouse")
    ours, theirs = (
        ApiToken.objects.get(name="North sessions app"),
        ApiToken.objects.get(name="South warehouse"),
    )
    client.force_login(world.users["admin"])
    response = client.post(
        URL,
        {"action": "tokens_revoke", "_selected_action": [ours.pk, theirs.pk]},
        follow=True,
    )
    assert "1 token(s) revoked." in response.content.decode()
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.revoked_at is not None and theirs.revoked_at is None
    assert AuditEvent.objects.filter(
        actor=world.users["admin"], what=f"API token {ours} of north-therapist revoked"
    ).exists()
    client.logout()
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    )
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {south}"}).status_code == 200


@pytest.mark.parametrize("who", ["supervisor", "therapist"])
def test_only_administrators_revoke_others_tokens(world, who):
    token_for(world.users["therapist"])
    request = RequestFactory().post("/")
    request.user = world.users[who]
    with pytest.raises(PermissionDenied):
        api_tokens_district_revoke(request=request, token_ids=[ApiToken.objects.get().pk])
    assert ApiToken.objects.get().revoked_at is None
