"""Issue #3 items 6 and 7, checked from the outside: units end to end through the CSV files,
who may open which output, the audit trail, the date filters, consultation input answered in
place, and query counts that do not grow with the number of sessions (2 vs 20)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schoolot.audit.models import AuditAction, AuditEvent
from schoolot.delivery.models import Consultation, ConsultationStudent
from schoolot.delivery.services import (
    ConsultationInput,
    consultation_log,
)
from schoolot.directory.models import CaseloadAssignment, Student
from schoolot.plans.models import Plan, ServiceMandate
from tests.delivery.helpers import (
    DAY,
    TODAY,
    billable,
    caseload_student,
    csv_rows,
    log,
    mandate_of,
    part,
)
from tests.factories import YEAR_AGO, plan_make, student_make

PERIOD = {"start": DAY.isoformat(), "end": DAY.isoformat()}


# -- helpers ---------------------------------------------------------------------------------


def consult(world, students, *, day=DAY, start=(14, 0), end=(14, 20), who="therapist", **kw):
    return consultation_log(
        user=world.users[who],
        data=ConsultationInput(
            date=day,
            start_time=dt.time(*start),
            end_time=dt.time(*end),
            with_name=kw.pop("with_name", "Ms. Reed"),
            with_role="gened_teacher",
            domain="sensory",
            topic="Seating",
            strategies="Wobble cushion",
            student_ids=[s.pk for s in students],
            **kw,
        ),
    )


def get_as(client, user, name, params=None, args=None):
    client.force_login(user)
    return client.get(reverse(name, args=args or []), params or {})


# -- units, end to end through the billing CSV ------------------------------------------------


class TestUnitsThroughTheCsv:
    def test_33_and_7_minutes_on_one_day_are_3_units_2_and_1(self, client, world):
        own = billable(world.students["own"])
        log(world, [part(own, codes=[("97530", 33), ("97535", 7)])])
        rows = csv_rows(get_as(client, world.users["admin"], "billing_csv", PERIOD))
        assert {(r["service_code"], r["minutes"], r["units"]) for r in rows} == {
            ("97530", "33", "2"),
            ("97535", "7", "1"),
        }
        for r in rows:
            assert r["date"] == DAY.isoformat()
            assert r["student"] == own.full_name and r["student_id"] == own.local_id
            assert r["medicaid_id"] == own.medicaid_id
            assert r["date_of_birth"] == own.date_of_birth.isoformat()
            assert r["diagnosis_codes"] == "F82; R27.8"
            assert r["provider_agency"] == world.district.name
            assert r["provider"] == world.users["therapist"].display_name
            assert r["credential"] == "OTR/L"
            assert r["npi"] == world.staff["therapist"].npi
            assert r["signed_at"]
            assert r["place_of_service"].lower() == "classroom"
            assert (r["begin_time"], r["end_time"]) == ("09:00", "09:40")
            assert (r["group_or_individual"], r["group_size"]) == ("individual", "1")

    def test_a_3_student_group_is_one_97150_unit_each(self, client, world):
        students = [billable(world.students["own"])]
        students += [billable(caseload_student(world, n)) for n in ["Ivy", "Jon"]]
        log(world, [part(s) for s in students])
        rows = csv_rows(get_as(client, world.users["therapist"], "billing_csv", PERIOD))
        assert sorted(r["student_id"] for r in rows) == sorted(s.local_id for s in students)
        assert {
            (r["service_code"], r["units"], r["group_or_individual"], r["group_size"]) for r in rows
        } == {("97150", "1", "group", "3")}

    def test_group_size_counts_only_those_present(self, client, world):
        students = [billable(world.students["own"])]
        students += [billable(caseload_student(world, n)) for n in ["Ivy", "Jon"]]
        absent = part(students[2], attendance="missed", missed_reason="student_absent")
        log(world, [part(students[0]), part(students[1]), absent])
        rows = csv_rows(get_as(client, world.users["therapist"], "billing_csv", PERIOD))
        assert [(r["units"], r["group_size"]) for r in rows] == [("1", "2")] * 2
        exceptions = csv_rows(
            get_as(client, world.users["therapist"], "billing_exceptions_csv", PERIOD)
        )
        assert [x["student_id"] for x in exceptions] == [students[2].local_id]
        assert "missed session" in exceptions[0]["reasons"]

    def test_no_consent_is_an_exception_not_a_billing_line(self, client, world):
        own = billable(world.students["own"])
        Student.objects.filter(pk=own.pk).update(medicaid_billing_consent=None)
        log(world, [part(own)])
        user = world.users["therapist"]
        assert csv_rows(get_as(client, user, "billing_csv", PERIOD)) == []
        exceptions = csv_rows(get_as(client, user, "billing_exceptions_csv", PERIOD))
        assert len(exceptions) == 1
        assert exceptions[0]["student_id"] == own.local_id
        assert exceptions[0]["reasons"] == "no Medicaid billing consent"

    def test_consent_on_the_session_day_is_enough(self, client, world):
        own = billable(world.students["own"])
        Student.objects.filter(pk=own.pk).update(medicaid_billing_consent=DAY)
        log(world, [part(own)])
        assert len(csv_rows(get_as(client, world.users["therapist"], "billing_csv", PERIOD))) == 1

    def test_outside_the_plans_dates_unsigned_and_consultation(self, client, world):
        own = billable(world.students["own"])
        log(world, [part(own)], start=(9, 0), end=(9, 30))
        Plan.objects.filter(student=own).update(start_date=TODAY)  # the plan was re-dated
        other = billable(caseload_student(world, "Kim"))
        log(world, [part(other)], start=(10, 0), end=(10, 30), sign=False)
        consult(world, [own])
        exceptions = csv_rows(
            get_as(client, world.users["therapist"], "billing_exceptions_csv", PERIOD)
        )
        reasons = {(x["student_id"], x["reasons"]) for x in exceptions}
        assert (own.local_id, "outside the plan's dates") in reasons
        assert (other.local_id, "note not signed") in reasons
        assert (own.local_id, "consultation is not billable") in reasons
        assert csv_rows(get_as(client, world.users["therapist"], "billing_csv", PERIOD)) == []

    def test_the_page_shows_the_summary(self, client, world):
        own = billable(world.students["own"])
        log(world, [part(own, codes=[("97530", 33), ("97535", 7)])])
        html = get_as(client, world.users["therapist"], "billing", PERIOD).content.decode()
        assert "2 billable lines, 3 units" in html
        assert "<caption>Billable services</caption>" in html
        assert "<caption>Exceptions: not billable, and why</caption>" in html


# -- who sees what ---------------------------------------------------------------------------


@pytest.fixture
def two_teams(world):
    """One signed, billable session by the OTR (supervisor's team) and one by the other OTR
    (other supervisor's team), on the same day."""
    own = billable(world.students["own"])
    other = billable(world.students["other"])
    log(world, [part(own)])
    log(world, [part(other)], who="other_therapist")
    return own, other


@pytest.mark.parametrize(
    "who, expected",
    [
        ("admin", {"own", "other"}),
        ("supervisor", {"own"}),
        ("other_supervisor", {"other"}),
        ("therapist", {"own"}),
        ("other_therapist", {"other"}),
        ("cota", set()),
    ],
)
def test_billing_scope_by_role(client, world, two_teams, who, expected):
    ids = {world.students[k].local_id for k in expected}
    rows = csv_rows(get_as(client, world.users[who], "billing_csv", PERIOD))
    assert {r["student_id"] for r in rows} == ids


def test_billing_never_crosses_districts(client, world, elsewhere, two_teams):
    for who in ["admin", "supervisor", "therapist"]:
        assert csv_rows(get_as(client, elsewhere.users[who], "billing_csv", PERIOD)) == []
        exceptions = get_as(client, elsewhere.users[who], "billing_exceptions_csv", PERIOD)
        assert csv_rows(exceptions) == []


@pytest.mark.parametrize("who", ["teacher", "parent", "other_parent"])
@pytest.mark.parametrize(
    "name", ["billing", "billing_csv", "billing_exceptions_csv", "timesheet", "timesheet_csv"]
)
def test_exports_refused_outside_the_ot_team(client, world, two_teams, who, name):
    assert get_as(client, world.users[who], name, PERIOD).status_code == 403


@pytest.mark.parametrize("name", ["billing", "timesheet", "consultation_list"])
def test_anonymous_goes_to_login(client, world, name):
    response = client.get(reverse(name), PERIOD)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(
    "who, status",
    [
        ("therapist", 200),
        ("cota", 404),
        ("other_therapist", 404),
        ("supervisor", 200),
        ("other_supervisor", 404),
        ("admin", 200),
        ("parent", 200),
        ("other_parent", 404),
        ("teacher", 404),
        ("other_teacher", 404),
    ],
)
def test_service_log_access(client, world, who, status):
    own = world.students["own"]
    for name in ["service_log", "service_log_csv"]:
        assert get_as(client, world.users[who], name, args=[own.pk]).status_code == status


def test_service_log_of_another_districts_student_is_404(client, world, elsewhere):
    theirs = elsewhere.students["own"]
    for who in ["admin", "supervisor", "therapist", "parent"]:
        for name in ["service_log", "service_log_csv"]:
            assert get_as(client, world.users[who], name, args=[theirs.pk]).status_code == 404
    assert get_as(client, world.users["admin"], "service_log", args=[999999]).status_code == 404


@pytest.mark.parametrize(
    "who, target, status",
    [
        ("therapist", "therapist", 200),
        ("therapist", "cota", 404),
        ("therapist", "other_therapist", 404),
        ("supervisor", "therapist", 200),
        ("supervisor", "cota", 200),
        ("supervisor", "other_therapist", 404),
        ("other_supervisor", "other_therapist", 200),
        ("admin", "other_therapist", 200),
    ],
)
def test_timesheet_therapist_pick(client, world, elsewhere, who, target, status):
    params = {**PERIOD, "therapist": world.staff[target].pk}
    assert get_as(client, world.users[who], "timesheet", params).status_code == status
    assert get_as(client, world.users[who], "timesheet_csv", params).status_code == status


def test_timesheet_of_another_districts_therapist_is_404(client, world, elsewhere):
    params = {**PERIOD, "therapist": elsewhere.staff["therapist"].pk}
    assert get_as(client, world.users["admin"], "timesheet_csv", params).status_code == 404


@pytest.mark.parametrize("who", ["admin", "supervisor", "teacher", "parent"])
def test_consultations_are_a_therapists_pages(client, world, who):
    for name in ["consultation_list", "consultation_new"]:
        assert get_as(client, world.users[who], name).status_code == 403


# -- the audit trail -------------------------------------------------------------------------


def test_each_view_and_export_is_audited(client, world, two_teams):
    own, _ = two_teams
    supervisor = world.users["supervisor"]
    before = AuditEvent.objects.count()
    get_as(client, supervisor, "service_log", args=[own.pk])
    get_as(client, supervisor, "service_log_csv", args=[own.pk])
    get_as(client, supervisor, "billing_csv", PERIOD)
    get_as(client, supervisor, "billing_exceptions_csv", PERIOD)
    get_as(client, supervisor, "timesheet_csv", PERIOD)
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.student_id, e.actor_id) for e in events] == [
        (AuditAction.VIEW, own.pk, supervisor.pk),
        (AuditAction.EXPORT, own.pk, supervisor.pk),
        (AuditAction.EXPORT, None, supervisor.pk),
        (AuditAction.EXPORT, None, supervisor.pk),
        (AuditAction.EXPORT, None, supervisor.pk),
    ]
    assert events[2].what == f"Medicaid billing export {DAY}..{DAY} (1 rows)"
    assert all(e.district_id == world.district.pk for e in events)


def test_refused_requests_leave_no_audit_event(client, world, two_teams):
    own, _ = two_teams
    before = AuditEvent.objects.count()
    get_as(client, world.users["teacher"], "service_log", args=[own.pk])
    get_as(client, world.users["teacher"], "billing_csv", PERIOD)
    get_as(client, world.users["other_therapist"], "service_log_csv", args=[own.pk])
    assert AuditEvent.objects.count() == before


# -- the service log -------------------------------------------------------------------------


class TestServiceLog:
    @pytest.fixture
    def history(self, world):
        own = world.students["own"]
        week_ago = DAY - dt.timedelta(days=7)
        missed = log(
            world,
            [part(own, attendance="missed", missed_reason="student_unavailable", makeup_owed=True)],
            day=week_ago,
        )
        log(
            world,
            [part(own, makeup_for_id=missed.students.get().pk, codes=[("97530", 40)])],
            sign=False,
        )
        consult(world, [own], day=DAY - dt.timedelta(days=3), with_name="Mr. Ito")
        return own, week_ago

    def test_csv_has_every_field_newest_first(self, client, world, history):
        own, week_ago = history
        rows = csv_rows(get_as(client, world.users["therapist"], "service_log_csv", args=[own.pk]))
        sessions = [r for r in rows if r["kind"] != "consultation"]
        assert [r["date"] for r in sessions] == [DAY.isoformat(), week_ago.isoformat()]
        latest, missed = sessions
        assert latest["therapist"] == world.users["therapist"].display_name
        assert latest["credential"] == "OTR/L"
        assert (latest["start"], latest["end"], latest["minutes"]) == ("09:00", "09:40", "40")
        assert (latest["kind"], latest["setting"]) == ("individual", "classroom")
        assert latest["attendance"] == "present" and latest["missed_reason"] == ""
        assert latest["mandate"] == mandate_of(own).in_words
        assert latest["codes"] == "97530:40"
        assert (latest["signed"], latest["signed_by"]) == ("no", "")
        assert latest["makes_up"] == week_ago.isoformat()
        assert (missed["attendance"], missed["missed_reason"]) == ("missed", "student_unavailable")
        assert (missed["signed"], missed["signed_by"]) == (
            "yes",
            world.users["therapist"].display_name,
        )
        assert missed["made_up_by"] == DAY.isoformat() and missed["makeup_owed"] == "yes"
        [consultation] = [r for r in rows if r["kind"] == "consultation"]
        assert consultation["minutes"] == "20"
        assert consultation["date"] == (DAY - dt.timedelta(days=3)).isoformat()

    def test_date_range_filters_sessions_and_consultations(self, client, world, history):
        own, week_ago = history
        user = world.users["therapist"]
        only_week_ago = {"start": week_ago.isoformat(), "end": week_ago.isoformat()}
        rows = csv_rows(get_as(client, user, "service_log_csv", only_week_ago, args=[own.pk]))
        assert [(r["date"], r["attendance"]) for r in rows] == [(week_ago.isoformat(), "missed")]
        html = get_as(client, user, "service_log", only_week_ago, args=[own.pk]).content.decode()
        assert "Student unavailable" in html and "Mr. Ito" not in html
        middle = {"start": (week_ago + dt.timedelta(days=1)).isoformat(), "end": DAY.isoformat()}
        rows = csv_rows(get_as(client, user, "service_log_csv", middle, args=[own.pk]))
        assert sorted(r["kind"] for r in rows) == ["consultation", "individual"]

    def test_bad_range_is_answered_in_place(self, client, world, history):
        own, _ = history
        user = world.users["therapist"]
        backwards = {"start": DAY.isoformat(), "end": (DAY - dt.timedelta(days=5)).isoformat()}
        response = get_as(client, user, "service_log", backwards, args=[own.pk])
        assert response.status_code == 400
        html = response.content.decode()
        assert "The period must end after it starts." in html
        assert f'value="{DAY.isoformat()}"' in html  # what was typed stays
        garbage = get_as(client, user, "service_log", {"start": "soon", "end": "x"}, args=[own.pk])
        assert garbage.status_code == 400 and "Enter a valid date." in garbage.content.decode()
        csv_response = get_as(client, user, "service_log_csv", backwards, args=[own.pk])
        assert csv_response.status_code == 400
        assert b"must end after it starts" in csv_response.content

    def test_page_table_is_accessible(self, client, world, history):
        own, _ = history
        html = get_as(client, world.users["admin"], "service_log", args=[own.pk]).content.decode()
        assert "<caption>Sessions</caption>" in html and "<caption>Consultations</caption>" in html
        assert '<th scope="col">Date</th>' in html
        assert "<h1>Service log: " in html


# -- the timesheet ---------------------------------------------------------------------------


def test_timesheet_csv_per_day(client, world):
    world.staff["therapist"].is_contractor = True
    world.staff["therapist"].save()
    own = world.students["own"]
    other_school = student_make(
        district=world.district, school=world.other_school, first="Mid", last="Dle"
    )
    plan_make(student=other_school)
    CaseloadAssignment.objects.create(
        district=world.district,
        staff=world.staff["therapist"],
        student=other_school,
        start_date=YEAR_AGO,
    )
    group = [own, caseload_student(world, "Ivy"), caseload_student(world, "Jon")]
    log(world, [part(s) for s in group], start=(9, 0), end=(9, 30))  # 30 direct, once
    log(world, [part(other_school)], start=(13, 0), end=(13, 45))  # 45 direct
    log(
        world,
        [part(own, attendance="missed", missed_reason="holiday")],
        start=(10, 0),
        end=(10, 30),
        day=DAY - dt.timedelta(days=1),
    )
    consult(world, [own], start=(14, 0), end=(14, 25))
    params = {"start": (DAY - dt.timedelta(days=1)).isoformat(), "end": DAY.isoformat()}
    rows = csv_rows(get_as(client, world.users["therapist"], "timesheet_csv", params))
    assert [r["date"] for r in rows] == [(DAY - dt.timedelta(days=1)).isoformat(), DAY.isoformat()]
    first, second = rows
    assert (first["sessions"], first["direct_minutes"], first["missed_sessions"]) == ("0", "0", "1")
    assert sorted(second["schools"].split("; ")) == sorted(
        [world.school.name, world.other_school.name]
    )
    assert (
        second["sessions"],
        second["direct_minutes"],
        second["missed_sessions"],
        second["consultation_minutes"],
        second["total_minutes"],
    ) == ("2", "75", "0", "25", "100")
    assert second["provider"] == world.users["therapist"].display_name
    html = get_as(client, world.users["therapist"], "timesheet", params).content.decode()
    assert "(contractor)" in html and "<caption>Days worked</caption>" in html


def test_timesheet_bad_period(client, world):
    params = {"start": DAY.isoformat(), "end": (DAY - dt.timedelta(days=2)).isoformat()}
    response = get_as(client, world.users["therapist"], "timesheet", params)
    assert response.status_code == 400
    assert "must end after it starts" in response.content.decode()
    assert get_as(client, world.users["therapist"], "timesheet_csv", params).status_code == 400
    too_long = {"start": (DAY - dt.timedelta(days=500)).isoformat(), "end": DAY.isoformat()}
    response = get_as(client, world.users["therapist"], "billing", too_long)
    assert response.status_code == 400 and "at most a year" in response.content.decode()


# -- consultations ---------------------------------------------------------------------------


class TestConsultationService:
    def test_the_mandate_given_must_be_a_consultation_mandate_of_the_students_plan(self, world):
        own = world.students["own"]
        with pytest.raises(ValidationError) as excinfo:
            consult(world, [own], mandate_ids={own.pk: mandate_of(own).pk})
        assert "students" in excinfo.value.message_dict
        assert "not a consultation mandate" in " ".join(excinfo.value.messages)
        assert not Consultation.objects.exists()

    def test_a_combined_mandate_counts(self, world):
        own = world.students["own"]
        combined = ServiceMandate.objects.create(
            district=world.district,
            plan=own.plans.get(),
            delivery_model="combined",
            minutes_per_session=30,
            sessions_per_period=1,
            period="month",
            setting="classroom",
            start_date=YEAR_AGO,
            end_date=TODAY + dt.timedelta(days=30),
        )
        c = consult(world, [own], mandate_ids={own.pk: combined.pk}, start=(8, 0), end=(8, 35))
        entry = ConsultationStudent.objects.get(consultation=c)
        assert (entry.mandate, entry.minutes, entry.date) == (combined, 35, DAY)
        assert c.minutes == 35

    def test_all_or_nothing_when_one_student_is_not_hers(self, world):
        with pytest.raises(ValidationError) as excinfo:
            consult(world, [world.students["own"], world.students["other"]])
        assert "only about students on your caseload" in excinfo.value.message_dict["students"][0]
        assert not Consultation.objects.exists() and not ConsultationStudent.objects.exists()

    def test_a_cota_may_consult_about_her_own_students_only(self, world):
        c = consult(world, [world.students["cota"]], who="cota")
        assert c.therapist == world.staff["cota"]
        with pytest.raises(ValidationError):
            consult(world, [world.students["own"]], who="cota", start=(15, 0), end=(15, 10))

    def test_the_same_submission_key_is_one_consultation(self, world):
        key = uuid.uuid4()
        first = consult(world, [world.students["own"]], submission_key=key)
        again = consult(world, [world.students["own"]], submission_key=key)
        assert first.pk == again.pk and Consultation.objects.count() == 1


class TestConsultationPages:
    def data(self, world, **changes):
        data = {
            "date": DAY.isoformat(),
            "start_time": "14:00",
            "end_time": "14:20",
            "with_name": "Ms. Reed",
            "with_role": "gened_teacher",
            "students": [world.students["own"].pk],
            "domain": "sensory",
            "topic": "Seating",
            "strategies": "Wobble cushion",
            "follow_up_date": (TODAY + dt.timedelta(days=10)).isoformat(),
            "submission_key": str(uuid.uuid4()),
        }
        data.update(changes)
        return data

    def test_the_form_page(self, client, world):
        response = get_as(client, world.users["therapist"], "consultation_new")
        html = response.content.decode()
        assert response.status_code == 200
        assert "<h1>Log a consultation</h1>" in html
        assert world.students["own"].full_name in html
        assert world.students["other"].full_name not in html

    def test_bad_input_answered_in_place_keeping_valid_values(self, client, world):
        client.force_login(world.users["therapist"])
        future = (TODAY + dt.timedelta(days=2)).isoformat()
        response = client.post(
            reverse("consultation_new"),
            self.data(world, date=future, end_time="13:00", topic=""),
        )
        assert response.status_code == 400
        html = response.content.decode()
        assert "nothing was saved" in html
        assert "must end after it starts" in html
        assert 'value="Ms. Reed"' in html and "Wobble cushion" in html
        assert f'value="{world.students["own"].pk}"' in html and "checked" in html
        assert not Consultation.objects.exists()
        response = client.post(reverse("consultation_new"), self.data(world, date=future))
        assert response.status_code == 400
        assert "on or after the day they happen" in response.content.decode()
        assert not Consultation.objects.exists()

    def test_a_forged_student_is_refused_in_place(self, client, world):
        client.force_login(world.users["therapist"])
        forged = self.data(world, students=[world.students["own"].pk, world.students["other"].pk])
        response = client.post(reverse("consultation_new"), forged)
        assert response.status_code == 400
        assert not Consultation.objects.exists()

    def test_list_shows_upcoming_follow_ups_first(self, client, world):
        own = world.students["own"]
        consult(
            world,
            [own],
            day=DAY - dt.timedelta(days=5),
            with_name="Ms. Later",
            follow_up_date=TODAY + dt.timedelta(days=20),
        )
        consult(world, [own], with_name="Mr. Sooner", follow_up_date=TODAY + dt.timedelta(days=3))
        consult(
            world,
            [own],
            day=DAY - dt.timedelta(days=9),
            with_name="Dr. Past",
            follow_up_date=DAY - dt.timedelta(days=2),
        )
        html = get_as(client, world.users["therapist"], "consultation_list").content.decode()
        upcoming = html.split("Follow-ups coming", 1)[1].split("<table", 1)[0]
        assert upcoming.index("Mr. Sooner") < upcoming.index("Ms. Later")
        assert "Dr. Past" not in upcoming
        assert "<caption>Your consultations</caption>" in html and "Dr. Past" in html

    def test_list_shows_only_her_consultations(self, client, world):
        consult(world, [world.students["other"]], who="other_therapist", with_name="Ms. Hidden")
        html = get_as(client, world.users["therapist"], "consultation_list").content.decode()
        assert "Ms. Hidden" not in html


# -- query counts: 2 vs 20 sessions ----------------------------------------------------------


def grow(world, n: int, have: int) -> None:
    """Bring the therapist's data to `n` of each: billable one-student sessions on DAY, sessions
    of the student "own" on earlier days (every other one missed, make-up owed), consultations
    about "own"."""
    own = world.students["own"]
    for i in range(have, n):
        s = billable(caseload_student(world, f"Q{i}"))
        log(
            world,
            [part(s, codes=[("97530", 10), ("97535", 4)])],
            start=(8 + i // 4, (i % 4) * 15),
            end=(8 + i // 4, (i % 4) * 15 + 14),
        )
        day = DAY - dt.timedelta(days=i + 1)
        missed = i % 2 == 1
        kwargs = {"attendance": "missed", "missed_reason": "holiday", "makeup_owed": True}
        log(world, [part(own, **(kwargs if missed else {}))], day=day)
        consult(world, [own], day=day, follow_up_date=TODAY + dt.timedelta(days=i))


OUTPUTS = [
    ("service_log", "own"),
    ("service_log_csv", "own"),
    ("billing", None),
    ("billing_csv", None),
    ("billing_exceptions_csv", None),
    ("timesheet", None),
    ("timesheet_csv", None),
    ("consultation_list", None),
]


@pytest.mark.parametrize("name, student", OUTPUTS)
def test_queries_do_not_grow_with_the_sessions(
    client, world, django_assert_max_num_queries, name, student
):
    client.force_login(world.users["therapist"])
    args = [world.students[student].pk] if student else []
    params = {"start": (DAY - dt.timedelta(days=30)).isoformat(), "end": DAY.isoformat()}
    url = reverse(name, args=args)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params).status_code == 200
        return len(queries)

    grow(world, 2, 0)
    with_2 = count()
    grow(world, 20, 2)
    with django_assert_max_num_queries(with_2):
        count()
    assert with_2 <= 15
