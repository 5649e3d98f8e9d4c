"""What the API says of a student: her record as her plan holds it, her minutes as the
ledger counts them and her service log as the therapist logged it; and the schema that
describes it all."""

import datetime as dt

from schoolot.compliance.ledger import district_calendar, student_ledger
from schoolot.plans.models import Plan
from tests.delivery.helpers import DAY, TODAY, log, mandate_of, part


def test_the_record_gives_the_active_plan(client, world, bearer):
    own = world.students["own"]
    plan = Plan.objects.get(student=own, status=Plan.Status.ACTIVE)
    body = client.get(f"/api/v1/students/{own.pk}", headers=bearer(world.users["therapist"]))
    body = body.json()
    assert body["student"]["local_id"] == own.local_id
    assert body["date_of_birth"] == own.date_of_birth.isoformat()
    assert body["plan"]["id"] == plan.pk and body["plan"]["kind"] == plan.kind
    assert [m["in_words"] for m in body["plan"]["mandates"]] == [
        m.in_words for m in plan.mandates.order_by("pk")
    ]
    assert [g["text"] for g in body["plan"]["goals"]] == [g.text for g in plan.goals.all()]
    assert [a["text"] for a in body["plan"]["accommodations"]] == [
        a.text for a in plan.accommodations.all()
    ]
    assert body["student"]["therapists"] == [
        {
            "staff_id": world.staff["therapist"].pk,
            "name": world.users["therapist"].display_name,
            "credential": "OTR/L",
            "role": "primary_otr",
        }
    ]


def test_a_student_without_an_active_plan_has_none(client, world, bearer):
    own = world.students["own"]
    Plan.objects.filter(student=own).update(status=Plan.Status.ENDED)
    body = client.get(f"/api/v1/students/{own.pk}", headers=bearer(world.users["therapist"]))
    assert body.status_code == 200 and body.json()["plan"] is None
    listed = client.get("/api/v1/students", headers=bearer(world.users["therapist"])).json()
    row = next(s for s in listed["items"] if s["id"] == own.pk)
    assert row["plan_kind"] is None and row["services"] == []


def test_minutes_follow_the_ledger(client, world, bearer):
    own = world.students["own"]
    log(world, [part(own)])  # 40 minutes delivered yesterday
    missed = part(own, attendance="missed", missed_reason="student_absent")
    log(world, [missed], start=(10, 0), end=(10, 40))
    body = client.get(
        f"/api/v1/students/{own.pk}/minutes", headers=bearer(world.users["therapist"])
    ).json()
    ledger = student_ledger(
        student=own, on=TODAY, cal=district_calendar(district_id=world.district.pk, on=TODAY)
    )
    (mandate, lines, total), *_ = ledger.mandates
    got = body["mandates"][0]
    assert got["mandate"]["id"] == mandate.pk == mandate_of(own).pk
    assert got["year"]["delivered"] == total.delivered >= 40
    assert got["year"]["missed"] == total.missed and sum(total.missed.values()) >= 40
    assert [(p["period_start"], p["required"], p["delivered"]) for p in got["periods"]] == [
        (ln.period.start.isoformat(), ln.required, ln.delivered) for ln in lines
    ]


def test_the_service_log_lists_the_sessions_of_the_period(client, world, bearer):
    own = world.students["own"]
    headers = bearer(world.users["therapist"])
    log(world, [part(own)])
    earlier = DAY - dt.timedelta(days=7)
    log(world, [part(own)], day=earlier, start=(13, 0), end=(13, 30))
    url = f"/api/v1/students/{own.pk}/service-log"
    body = client.get(url, headers=headers).json()
    assert [(s["date"], s["start"], s["minutes"]) for s in body["sessions"]] == [
        (DAY.isoformat(), "09:00", 40),
        (earlier.isoformat(), "13:00", 30),
    ]
    first = body["sessions"][0]
    assert first["attendance"] == "present" and first["signed"] is True
    assert first["therapist"] == world.users["therapist"].display_name
    assert first["codes"] and all(c["minutes"] > 0 for c in first["codes"])
    only = client.get(url, {"start": DAY.isoformat(), "end": DAY.isoformat()}, headers=headers)
    assert [s["date"] for s in only.json()["sessions"]] == [DAY.isoformat()]


def test_bad_dates_are_answered_plainly(client, world, bearer):
    own = world.students["own"]
    headers = bearer(world.users["therapist"])
    url = f"/api/v1/students/{own.pk}/service-log"
    backwards = client.get(url, {"start": "2026-03-02", "end": "2026-03-01"}, headers=headers)
    assert backwards.status_code == 400
    assert backwards.json() == {"detail": "start must not come after end."}
    garbled = client.get(url, {"start": "March 2"}, headers=headers)
    assert garbled.status_code == 422
    (error,) = garbled.json()["detail"]
    assert error["loc"] == ["query", "start"] and "date" in error["msg"]


def test_the_schema_describes_every_endpoint_and_how_to_sign_in(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert set(schema["paths"]) == {
        "/api/v1/me",
        "/api/v1/students",
        "/api/v1/students/{student_id}",
        "/api/v1/students/{student_id}/minutes",
        "/api/v1/students/{student_id}/service-log",
        "/api/v1/sessions",
        "/api/v1/minutes",
        "/api/v1/due",
        "/api/v1/billing",
        "/api/v1/today",
    }
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    for path in schema["paths"].values():
        for operation in path.values():
            assert {"TokenAuth": []} in operation["security"]
    assert set(schema["paths"]["/api/v1/sessions"]) == {"post"}
    docs = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
