"""The API shows each caller exactly what her pages show: the same students, never another
district's, 404 for a student she may not see, and every read of a record audited."""

import pytest

from schoolot.api.models import ApiToken
from schoolot.audit.models import AuditAction, AuditEvent
from schoolot.core.access import students_visible_to
from tests.api.conftest import queries_of
from tests.delivery.helpers import caseload_student

STAFF = ["admin", "supervisor", "other_supervisor", "therapist", "cota", "other_therapist"]


def listed(client, headers, **params) -> list[int]:
    response = client.get("/api/v1/students", params, headers=headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])  # one page holds the small world
    return [s["id"] for s in body["items"]]


@pytest.mark.parametrize("who", STAFF)
def test_each_role_lists_the_students_it_may_see(client, world, elsewhere, bearer, who):
    user = world.users[who]
    got = listed(client, bearer(user))
    assert set(got) == set(students_visible_to(user=user).values_list("pk", flat=True))
    assert not set(got) & {s.pk for s in elsewhere.students.values()}


@pytest.mark.parametrize("who", STAFF)
@pytest.mark.parametrize("part", ["", "/minutes", "/service-log"])
def test_a_student_out_of_sight_is_not_found(client, world, elsewhere, bearer, who, part):
    user = world.users[who]
    visible = set(students_visible_to(user=user).values_list("pk", flat=True))
    headers = bearer(user)
    students = [*world.students.values(), *elsewhere.students.values()]
    for student in students:
        response = client.get(f"/api/v1/students/{student.pk}{part}", headers=headers)
        assert response.status_code == (200 if student.pk in visible else 404), (
            student,
            response.content,
        )
    assert client.get(f"/api/v1/students/999999{part}", headers=headers).status_code == 404


def test_the_therapist_sees_her_own_and_her_cotas_students(client, world, bearer):
    got = listed(client, bearer(world.users["therapist"]))
    assert set(got) == {world.students["own"].pk, world.students["cota"].pk}
    got = listed(client, bearer(world.users["other_therapist"]))
    assert got == [world.students["other"].pk]


@pytest.mark.parametrize("who", ["teacher", "parent"])
def test_a_teachers_or_parents_login_does_not_open_the_api(client, world, who):
    client.force_login(world.users[who])
    assert client.get("/api/v1/students").status_code == 401
    assert client.get(f"/api/v1/students/{world.students['own'].pk}").status_code == 401


def test_a_staff_login_opens_the_api_from_the_browser(client, world):
    client.force_login(world.users["therapist"])
    assert client.get(f"/api/v1/students/{world.students['own'].pk}").status_code == 200
    event = AuditEvent.objects.filter(student=world.students["own"]).latest("pk")
    assert event.what == "student record (full) via API (login)"
    client.logout()
    assert client.get(f"/api/v1/students/{world.students['own'].pk}").status_code == 401


def test_every_read_of_a_record_is_audited_in_the_token_users_name(client, world, bearer):
    user = world.users["therapist"]
    headers = bearer(user, name="Nightly export")
    own = world.students["own"]
    before = AuditEvent.objects.filter(student=own).count()
    for part in ["", "/minutes", "/service-log?start=2026-01-01"]:
        assert client.get(f"/api/v1/students/{own.pk}{part}", headers=headers).status_code == 200
    events = list(AuditEvent.objects.filter(student=own).order_by("pk"))[before:]
    prefix = ApiToken.objects.get(user=user).prefix
    assert [e.what for e in events] == [
        f"student record (full) via API token {prefix}",
        f"minutes ledger via API token {prefix}",
        f"service log 2026-01-01.. via API token {prefix}",
    ]
    assert {(e.actor_id, e.action, e.district_id) for e in events} == {
        (user.pk, AuditAction.VIEW, world.district.pk)
    }
    assert events[0].path == f"/api/v1/students/{own.pk}"


def test_a_student_not_seen_leaves_no_audit_event(client, world, bearer):
    other = world.students["other"]
    headers = bearer(world.users["therapist"])
    before = AuditEvent.objects.count()
    assert client.get(f"/api/v1/students/{other.pk}", headers=headers).status_code == 404
    assert AuditEvent.objects.count() == before


def test_listing_costs_the_same_queries_for_any_caseload(
    client, world, bearer, django_assert_max_num_queries
):
    user = world.users["therapist"]
    headers = bearer(user)
    client.get("/api/v1/students", headers=headers)  # the token's first use writes once

    small = queries_of(client, "/api/v1/students", headers)
    for i in range(12):
        caseload_student(world, f"Extra{i}")
    assert queries_of(client, "/api/v1/students", headers) == small
    with django_assert_max_num_queries(8):
        client.get("/api/v1/students?limit=5&offset=5", headers=headers)


def test_pages_hold_at_most_500(client, world, bearer):
    headers = bearer(world.users["admin"])
    assert client.get("/api/v1/students?limit=500", headers=headers).status_code == 200
    response = client.get("/api/v1/students?limit=501", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]
    paged = client.get("/api/v1/students?limit=1&offset=1", headers=headers).json()
    everyone = client.get("/api/v1/students", headers=headers).json()
    assert paged["count"] == everyone["count"] and paged["items"] == everyone["items"][1:2]
