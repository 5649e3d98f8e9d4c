"""Login, logout and password change answer bad input in place."""

from django.urls import reverse

from tests.factories import PASSWORD


def test_login_with_wrong_password_keeps_username_and_says_why(client, world):
    response = client.post(reverse("login"), {"username": "north-therapist", "password": "nope"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "correct username and password" in html
    assert 'value="north-therapist"' in html


def test_login_then_logout(client, world):
    response = client.post(reverse("login"), {"username": "north-therapist", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("caseload")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("caseload")).status_code == 302


def test_password_change_bad_old_password_and_mismatch(client, world):
    client.force_login(world.users["therapist"])
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "a-good-new-pass-42",
            "new_password2": "a-different-one-42",
        },
    )
    html = response.content.decode()
    assert "Your old password was entered incorrectly" in html
    assert "two password fields didn" in html or "didn’t match" in html


def test_password_change_works(client, world):
    client.force_login(world.users["therapist"])
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-good-new-pass-42",
            "new_password2": "a-good-new-pass-42",
        },
    )
    assert response.status_code == 302
    world.users["therapist"].refresh_from_db()
    assert world.users["therapist"].check_password("a-good-new-pass-42")


def test_healthz_is_public(client, db):
    assert client.get("/healthz").status_code == 200
