"""API tokens: who may make them, the secret shown once and kept only as a digest, and the
ways a token stops opening the API (revoked, expired, its user deactivated or no longer in a
role that uses the API)."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from schoolot.accounts.models import Role
from schoolot.api.models import ApiToken
from schoolot.api.selectors import token_digest
from schoolot.audit.models import AuditEvent
from tests.api.conftest import token_for

TOKENS = "/account/api-tokens/"


@pytest.mark.parametrize("who", ["admin", "supervisor", "therapist"])
def test_staff_make_a_token_and_see_it_once(client, world, who):
    user = world.users[who]
    client.force_login(user)
    response = client.post(TOKENS, {"name": "Data warehouse", "days": "90"}, follow=True)
    assert response.redirect_chain == [(TOKENS, 302)]
    secret = re.search(r'id="token-secret">(sot_[^<]+)<', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=user)
    assert token.digest == token_digest(secret) and secret not in token.digest
    assert token.expires_on == timezone.localdate() + dt.timedelta(days=90)
    assert token.district_id == world.district.pk
    # Listed by its start, never again in full.
    again = client.get(TOKENS).content.decode()
    assert "Data warehouse" in again and token.prefix in again and secret not in again
    assert AuditEvent.objects.filter(actor=user, what__startswith="API token Data warehouse")
    # And it opens the API as her.
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["username"] == user.username


@pytest.mark.parametrize("who", ["teacher", "parent"])
def test_teachers_and_parents_make_no_tokens(client, world, who):
    client.force_login(world.users[who])
    assert client.get(TOKENS).status_code == 403
    assert client.post(TOKENS, {"name": "x", "days": "90"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_a_bad_form_comes_back_with_what_was_typed(client, world):
    client.force_login(world.users["therapist"])
    response = client.post(TOKENS, {"name": "  ", "days": "7"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page and "Select a valid choice" in page
    response = client.post(TOKENS, {"name": "Reports", "days": "7"})
    assert response.status_code == 400 and 'value="Reports"' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_revoked_token_opens_nothing(client, world):
    user = world.users["therapist"]
    secret = token_for(user)
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    client.force_login(user)
    token = ApiToken.objects.get(user=user)
    response = client.post(f"{TOKENS}{token.pk}/revoke/", follow=True)
    assert "revoked" in response.content.decode()
    client.logout()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_revokes_another_users_token(client, world):
    secret = token_for(world.users["therapist"])
    token = ApiToken.objects.get()
    client.force_login(world.users["supervisor"])
    assert client.post(f"{TOKENS}{token.pk}/revoke/").status_code == 404
    client.logout()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_a_token_past_its_last_day_opens_nothing(client, world):
    secret = token_for(world.users["therapist"], days=30)
    headers = {"Authorization": f"Bearer {secret}"}
    ApiToken.objects.update(expires_on=timezone.localdate())
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # its last day
    ApiToken.objects.update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_token_stops_with_its_users_access(client, world):
    user = world.users["therapist"]
    headers = {"Authorization": f"Bearer {token_for(user)}"}
    user.role = Role.TEACHER
    user.save()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    user.role = Role.THERAPIST
    user.is_active = False
    user.save()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer sot_not-a-token", "Basic c29tZTpvbmU=", "Bearer " + "x" * 500],
)
def test_without_a_good_token_the_api_answers_401(client, world, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/api/v1/students", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_last_use_is_noted_at_most_once_a_minute(client, world):
    headers = {"Authorization": f"Bearer {token_for(world.users['therapist'])}"}
    client.get("/api/v1/me", headers=headers)
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    client.get("/api/v1/me", headers=headers)
    assert ApiToken.objects.get().last_used_at == first
    ApiToken.objects.update(last_used_at=first - dt.timedelta(minutes=2))
    client.get("/api/v1/me", headers=headers)
    assert ApiToken.objects.get().last_used_at > first - dt.timedelta(minutes=2)
