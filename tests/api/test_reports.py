"""The API's district reads: this period's minutes, due dates and the Medicaid billing
export, each what the caller's pages show and each audited as one export."""

import datetime as dt

from schoolot.api.models import ApiToken
from schoolot.audit.models import AuditAction, AuditEvent
from schoolot.compliance.due import due_items
from schoolot.compliance.ledger import district_calendar, mandate_lines
from schoolot.core.access import students_visible_to
from schoolot.directory.models import Student
from schoolot.plans.models import ServiceMandate
from tests.api.conftest import queries_of
from tests.delivery.helpers import DAY, TODAY, billable, caseload_student, log, part


def exports(user) -> list[str]:
    return list(
        AuditEvent.objects.filter(actor=user, action=AuditAction.EXPORT, student=None)
        .order_by("pk")
        .values_list("what", flat=True)
    )


def test_minutes_are_the_dashboards_lines(client, world, elsewhere, bearer):
    user = world.users["supervisor"]
    headers = bearer(user)
    own = world.students["own"]
    log(world, [part(own)])
    body = client.get("/api/v1/minutes", headers=headers).json()
    cal = district_calendar(district_id=world.district.pk, on=TODAY)
    expected = mandate_lines(students=students_visible_to(user=user), on=TODAY, cal=cal)
    assert body["count"] == len(expected) > 0
    got = {(i["student_id"], i["mandate_id"]): i for i in body["items"]}
    for ml in expected:
        row = got[(ml.student_id, ml.mandate_id)]
        student = Student.objects.get(pk=ml.student_id)
        assert row["student"] == student.full_name
        assert row["mandate"] == ServiceMandate.objects.get(pk=ml.mandate_id).in_words
        assert (row["required"], row["delivered"], row["owed"]) == (
            ml.line.required,
            ml.line.delivered,
            ml.line.owed,
        )
    assert {i["student_id"] for i in body["items"]} <= set(
        students_visible_to(user=user).values_list("pk", flat=True)
    )
    assert not {i["student_id"] for i in body["items"]} & {
        s.pk for s in elsewhere.students.values()
    }
    prefix = ApiToken.objects.get(user=user).prefix
    assert exports(user)[-1] == f"minutes on {TODAY} via API token {prefix} ({len(expected)} lines)"


def test_minutes_on_another_day(client, world, bearer):
    headers = bearer(world.users["therapist"])
    on = TODAY - dt.timedelta(days=14)
    body = client.get("/api/v1/minutes", {"on": on.isoformat()}, headers=headers).json()
    assert body["items"] and all(
        i["period_start"] <= on.isoformat() <= i["period_end"] for i in body["items"]
    )
    assert client.get("/api/v1/minutes?on=someday", headers=headers).status_code == 422


def test_minutes_cost_the_same_queries_for_any_caseload(client, world, bearer):
    headers = bearer(world.users["therapist"])
    client.get("/api/v1/minutes", headers=headers)  # the token's first use writes once
    small = queries_of(client, "/api/v1/minutes", headers)
    for i in range(10):
        caseload_student(world, f"More{i}")
    assert queries_of(client, "/api/v1/minutes", headers) == small


def test_due_dates_are_the_due_pages(client, world, bearer):
    user = world.users["therapist"]
    body = client.get("/api/v1/due", {"days": 365}, headers=bearer(user)).json()
    expected = due_items(
        user=user,
        start=TODAY,
        end=TODAY + dt.timedelta(days=365),
        overdue_since=TODAY - dt.timedelta(days=365),
    )
    assert len(expected) > 0
    assert [(i["date"], i["kind"], i["student_id"]) for i in body] == [
        (i.date.isoformat(), i.kind, i.student.pk) for i in expected
    ]
    assert all(i["overdue"] == (i["date"] < TODAY.isoformat()) for i in body)
    assert exports(user)[-1].startswith("due dates to ")
    for bad in ("0", "366", "soon"):
        assert client.get(f"/api/v1/due?days={bad}", headers=bearer(user)).status_code == 422


def test_billing_is_the_billing_export(client, world, bearer):
    own = billable(world.students["own"])
    log(world, [part(own)])  # signed, 40 minutes: 3 units of 97530
    other = world.students["cota"]
    Student.objects.filter(pk=other.pk).update(medicaid_id="")
    log(world, [part(other)], who="cota", start=(10, 0), end=(10, 30))
    user = world.users["supervisor"]
    day = DAY.isoformat()
    body = client.get("/api/v1/billing", {"start": day, "end": day}, headers=bearer(user)).json()
    assert [
        (r["student_id"], r["service_code"], r["minutes"], r["units"]) for r in body["rows"]
    ] == [(own.pk, "97530", 40, 3)]
    assert body["units"] == 3 and body["rows"][0]["medicaid_id"] == own.medicaid_id
    (exception,) = body["exceptions"]
    assert exception["student_id"] == other.pk and "no Medicaid ID" in exception["reasons"]
    prefix = ApiToken.objects.get(user=user).prefix
    assert exports(user)[-1] == (
        f"Medicaid billing export {day}..{day} via API token {prefix} (1 rows)"
    )


def test_billing_refuses_a_backwards_or_long_period(client, world, bearer):
    headers = bearer(world.users["admin"])
    backwards = client.get(
        "/api/v1/billing", {"start": "2026-03-02", "end": "2026-03-01"}, headers=headers
    )
    assert backwards.status_code == 400
    assert backwards.json() == {"detail": "The period must end after it starts."}
    long = client.get(
        "/api/v1/billing", {"start": "2024-01-01", "end": "2026-01-01"}, headers=headers
    )
    assert long.status_code == 400 and "at most a year" in long.json()["detail"]
    assert client.get("/api/v1/billing", headers=headers).status_code == 422
