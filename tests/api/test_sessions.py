"""Logging a session through the API: the session form's rules and refusals, all or
nothing, a retry that makes no twin, drafts only, and only for the therapist's students."""

import datetime as dt

import pytest

from schoolot.api.models import ApiToken
from schoolot.audit.models import AuditEvent
from schoolot.delivery.models import Session, SessionStudent
from tests.api.conftest import session_body
from tests.delivery.helpers import DAY, mandate_of

URL = "/api/v1/sessions"


def body(*students, **fields) -> dict:
    data = session_body(*students, objective="Copied 8 of 10 letters legibly.", **fields)
    for part in data["students"]:
        part["note"] = "Worked hard."
    return data


def post(client, headers, data):
    return client.post(URL, data, content_type="application/json", headers=headers)


def test_a_therapist_logs_a_session_as_a_draft(client, world, bearer):
    own = world.students["own"]
    headers = bearer(world.users["therapist"])
    response = post(client, headers, body(own))
    assert response.status_code == 201, response.content
    got = response.json()
    session = Session.objects.get(pk=got["id"])
    assert session.therapist == world.staff["therapist"] and not session.is_signed
    assert got["signed"] is False and got["kind"] == "individual"
    (entry,) = got["students"]
    assert entry["student_id"] == own.pk and entry["minutes"] == 30
    assert entry["codes"] == [{"code": "97530", "minutes": 30}]
    assert SessionStudent.objects.get(pk=entry["entry_id"]).note == "Worked hard."
    prefix = ApiToken.objects.get().prefix
    what = f"session {session.pk} via API token {prefix}"
    assert AuditEvent.objects.filter(student=own, what=what).count() == 1
    # Her service log has it, and her Notes to sign.
    log = client.get(f"/api/v1/students/{own.pk}/service-log", headers=headers).json()
    assert [s["date"] for s in log["sessions"]] == [DAY.isoformat()]
    client.force_login(world.users["therapist"])
    assert f"/sessions/{session.pk}/" in client.get("/notes/unsigned/").content.decode()


def test_a_retried_call_makes_no_twin(client, world, bearer):
    headers = bearer(world.users["therapist"])
    data = body(world.students["own"])
    first = post(client, headers, data)
    again = post(client, headers, data)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Session.objects.count() == 1
    assert AuditEvent.objects.filter(what__startswith="session ").count() == 1


def test_another_therapists_key_is_refused(client, world, bearer):
    data = body(world.students["own"])
    assert post(client, bearer(world.users["therapist"]), data).status_code == 201
    data["students"] = body(world.students["other"])["students"]
    response = post(client, bearer(world.users["other_therapist"]), data)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "submission_key"], "msg": "This key names another session."}
    ]


def test_refusals_name_the_field_or_the_student(client, world, bearer):
    own, cota = world.students["own"], world.students["cota"]
    headers = bearer(world.users["therapist"])
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    data = body(own, cota, date=tomorrow, end_time="08:30")
    data["students"][1]["minutes"] = 0
    response = post(client, headers, data)
    assert response.status_code == 422
    problems = response.json()["detail"]
    assert {"loc": ["body", "end_time"], "msg": "The session must end after it starts."} in problems
    assert any(p["loc"] == ["body", "date"] for p in problems)
    assert any(p["loc"] == ["body", "students", 1] for p in problems)
    assert not Session.objects.exists()  # all or nothing


@pytest.mark.parametrize(
    "change",
    [
        {"setting": "moon"},
        {"delivery_model": "teleport"},
        {"date": "yesterday"},
        {"students": []},
        {"submission_key": "not-a-uuid"},
    ],
)
def test_malformed_input_is_a_422_naming_the_field(client, world, bearer, change):
    data = body(world.students["own"], **change)
    response = post(client, bearer(world.users["therapist"]), data)
    assert response.status_code == 422
    (field,) = change
    assert any(p["loc"][-1] == field for p in response.json()["detail"]), response.json()
    assert not Session.objects.exists()


def test_a_student_off_her_caseload_is_not_found(client, world, elsewhere, bearer):
    headers = bearer(world.users["therapist"])
    for student in (world.students["other"], elsewhere.students["own"]):
        data = body(world.students["own"])
        data["students"].append({"student_id": student.pk, "mandate_id": mandate_of(student).pk})
        response = post(client, headers, data)
        assert response.status_code == 404
        assert response.json() == {"detail": "No such student on your caseload."}
    assert not Session.objects.exists()


@pytest.mark.parametrize("who", ["admin", "supervisor"])
def test_only_therapists_log_sessions(client, world, bearer, who):
    response = post(client, bearer(world.users[who]), body(world.students["own"]))
    assert response.status_code == 403
    assert not Session.objects.exists()


def test_a_browser_session_needs_its_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["therapist"])
    response = post(client, {}, body(world.students["own"]))
    assert response.status_code in (401, 403)
    assert not Session.objects.exists()
