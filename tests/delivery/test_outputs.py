"""One entry, every output: the service log, the Medicaid export with units and exceptions,
the provider timesheet, consultations."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from schoolot.delivery.models import ConsultationStudent
from schoolot.delivery.outputs import billing_export, timesheet
from schoolot.delivery.services import (
    ConsultationInput,
    StudentPart,
    consultation_log,
)
from schoolot.directory.models import CaseloadAssignment, Student
from schoolot.plans.models import ServiceMandate
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


@pytest.fixture
def group(world):
    students = [billable(world.students["own"])]
    for name in ["Ivy", "Jon"]:
        students.append(billable(caseload_student(world, name, last="Ma")))
    return students


class TestBillingUnits:
    def test_33_and_7_minutes_of_two_codes_make_2_and_1(self, world):
        own = billable(world.students["own"])
        log(
            world,
            [
                StudentPart(
                    student_id=own.pk,
                    mandate_id=mandate_of(own).pk,
                    codes=[("97530", 33), ("97535", 7)],
                )
            ],
        )
        export = billing_export(user=world.users["therapist"], start=DAY, end=DAY)
        assert {(r.code, r.minutes, r.units) for r in export.rows} == {
            ("97530", 33, 2),
            ("97535", 7, 1),
        }
        assert export.exceptions == []

    def test_per_code_method_is_a_district_setting(self, world):
        world.district.billing_units_method = "per_code"
        world.district.save()
        own = billable(world.students["own"])
        log(
            world,
            [
                StudentPart(
                    student_id=own.pk,
                    mandate_id=mandate_of(own).pk,
                    codes=[("97530", 33), ("97535", 7)],
                )
            ],
        )
        export = billing_export(user=world.users["therapist"], start=DAY, end=DAY)
        assert {(r.code, r.units) for r in export.rows} == {("97530", 2), ("97535", 0)}

    def test_two_sessions_of_a_day_share_the_8_minute_total(self, world):
        own = billable(world.students["own"])
        m = mandate_of(own).pk
        log(
            world,
            [StudentPart(student_id=own.pk, mandate_id=m, codes=[("97530", 10)])],
            start=(9, 0),
            end=(9, 10),
        )
        log(
            world,
            [StudentPart(student_id=own.pk, mandate_id=m, codes=[("97530", 10)])],
            start=(13, 0),
            end=(13, 10),
        )
        export = billing_export(user=world.users["therapist"], start=DAY, end=DAY)
        # 20 timed minutes in the day = 1 unit, not 2.
        assert sum(r.units for r in export.rows) == 1

    def test_group_97150_one_unit_per_participant(self, world, group):
        log(world, [part(s) for s in group])
        export = billing_export(user=world.users["therapist"], start=DAY, end=DAY)
        assert [(r.code, r.units, r.group_size) for r in export.rows] == [("97150", 1, 3)] * 3


class TestExceptions:
    def test_every_reason(self, world, group):
        a, b, c = group
        Student.objects.filter(pk=a.pk).update(medicaid_id="")
        Student.objects.filter(pk=b.pk).update(medicaid_billing_consent=None)
        log(
            world,
            [
                part(a),
                part(b),
                StudentPart(
                    student_id=c.pk,
                    mandate_id=mandate_of(c).pk,
                    attendance="missed",
                    missed_reason="student_absent",
                ),
            ],
            sign=False,
        )
        export = billing_export(user=world.users["therapist"], start=DAY, end=DAY)
        assert export.rows == []
        reasons = {x.student.pk: x.reasons for x in export.exceptions}
        assert "no Medicaid ID" in reasons[a.pk] and "note not signed" in reasons[a.pk]
        assert "no Medicaid billing consent" in reasons[b.pk]
        assert "missed session: no service delivered" in reasons[c.pk]

    def test_awaiting_cosignature_and_consultation(self, world):
        cota_student = billable(world.students["cota"])
        log(
            world,
            [part(cota_student)],
            who="cota",
        )
        consultation_log(
            user=world.users["cota"],
            data=ConsultationInput(
                date=DAY,
                start_time=dt.time(14, 0),
                end_time=dt.time(14, 20),
                with_name="Ms. Reed",
                with_role="gened_teacher",
                domain="sensory",
                topic="Seating",
                strategies="Wobble cushion",
                student_ids=[cota_student.pk],
            ),
        )
        export = billing_export(user=world.users["supervisor"], start=DAY, end=DAY)
        reasons = sorted(r for x in export.exceptions for r in x.reasons)
        assert "awaiting the supervising OTR's co-signature" in reasons
        assert "consultation is not billable" in reasons

    def test_consent_after_the_session_is_no_consent(self, world):
        own = billable(world.students["own"])
        Student.objects.filter(pk=own.pk).update(medicaid_billing_consent=TODAY)
        log(world, [part(own)])
        export = billing_export(user=world.users["therapist"], start=DAY, end=DAY)
        assert export.exceptions[0].reasons == ["no Medicaid billing consent"]


def test_export_csv_has_the_medicaid_fields(client, world):
    own = billable(world.students["own"])
    log(world, [part(own)])
    client.force_login(world.users["admin"])
    response = client.get(reverse("billing_csv"), {"start": DAY, "end": DAY})
    rows = csv_rows(response)
    assert len(rows) == 1
    row = rows[0]
    assert row["medicaid_id"] == own.medicaid_id and row["diagnosis_codes"] == "F82; R27.8"
    assert row["provider_agency"] == "north District" and row["credential"] == "OTR/L"
    assert row["begin_time"] == "09:00" and row["end_time"] == "09:40"
    assert (row["service_code"], row["minutes"], row["units"]) == ("97530", "40", "3")
    assert row["signed_at"]


def test_who_sees_which_billing(client, world, elsewhere):
    own = billable(world.students["own"])
    log(world, [part(own)])
    expected = {
        "therapist": 1,
        "supervisor": 1,
        "admin": 1,
        "other_therapist": 0,
        "other_supervisor": 0,
        "cota": 0,
    }
    for who, n in expected.items():
        client.force_login(world.users[who])
        rows = csv_rows(client.get(reverse("billing_csv"), {"start": DAY, "end": DAY}))
        assert len(rows) == n, who
    client.force_login(elsewhere.users["admin"])
    assert csv_rows(client.get(reverse("billing_csv"), {"start": DAY, "end": DAY})) == []
    for who in ["teacher", "parent"]:
        client.force_login(world.users[who])
        assert client.get(reverse("billing"), {"start": DAY, "end": DAY}).status_code == 403


def test_bad_period(client, world):
    client.force_login(world.users["therapist"])
    response = client.get(reverse("billing"), {"start": DAY, "end": DAY - dt.timedelta(3)})
    assert response.status_code == 400
    assert "must end after it starts" in response.content.decode()


class TestServiceLog:
    def test_page_and_csv(self, client, world, group):
        a = group[0]
        missed = log(
            world,
            [
                StudentPart(
                    student_id=a.pk,
                    mandate_id=mandate_of(a).pk,
                    attendance="missed",
                    missed_reason="holiday",
                    makeup_owed=True,
                )
            ],
            day=DAY - dt.timedelta(days=7),
        )
        log(
            world,
            [
                StudentPart(
                    student_id=a.pk,
                    mandate_id=mandate_of(a).pk,
                    makeup_for_id=missed.students.get().pk,
                )
            ],
        )
        client.force_login(world.users["therapist"])
        html = client.get(reverse("service_log", args=[a.pk])).content.decode()
        assert "Holiday" in html and "made up" in html and "makes up" in html
        rows = csv_rows(client.get(reverse("service_log_csv", args=[a.pk])))
        assert [r["attendance"] for r in rows] == ["present", "missed"]
        assert rows[0]["makes_up"] == (DAY - dt.timedelta(days=7)).isoformat()

    @pytest.mark.parametrize(
        "who, status",
        [
            ("therapist", 200),
            ("supervisor", 200),
            ("admin", 200),
            ("parent", 200),
            ("teacher", 404),
            ("other_therapist", 404),
            ("other_parent", 404),
        ],
    )
    def test_access(self, client, world, who, status):
        client.force_login(world.users[who])
        url = reverse("service_log", args=[world.students["own"].pk])
        assert client.get(url).status_code == status
        assert (
            client.get(reverse("service_log_csv", args=[world.students["own"].pk])).status_code
            == status
        )


class TestTimesheet:
    def test_days_count_a_group_once(self, world, group):
        world.staff["therapist"].is_contractor = True
        world.staff["therapist"].save()
        log(world, [part(s) for s in group])
        log(
            world,
            [
                StudentPart(
                    student_id=group[0].pk,
                    mandate_id=mandate_of(group[0]).pk,
                    attendance="missed",
                    missed_reason="student_absent",
                )
            ],
            start=(13, 0),
            end=(13, 30),
        )
        consultation_log(
            user=world.users["therapist"],
            data=ConsultationInput(
                date=DAY,
                start_time=dt.time(14, 0),
                end_time=dt.time(14, 15),
                with_name="Mr. Ito",
                with_role="sped_teacher",
                domain="fine_motor",
                topic="Grips",
                strategies="Pencil grip",
                student_ids=[group[1].pk],
            ),
        )
        staff, days = timesheet(user=world.users["therapist"], staff_id=None, start=DAY, end=DAY)
        assert len(days) == 1
        d = days[0]
        assert (
            d.sessions,
            d.direct_minutes,
            d.missed_sessions,
            d.consultation_minutes,
            d.total_minutes,
        ) == (1, 40, 1, 15, 55)

    def test_csv_and_scope(self, client, world):
        own = world.students["own"]
        log(world, [part(own)])
        client.force_login(world.users["therapist"])
        rows = csv_rows(client.get(reverse("timesheet_csv"), {"start": DAY, "end": DAY}))
        assert rows[0]["direct_minutes"] == "40"
        client.force_login(world.users["other_supervisor"])
        response = client.get(
            reverse("timesheet"),
            {"start": DAY, "end": DAY, "therapist": world.staff["therapist"].pk},
        )
        assert response.status_code == 404


class TestConsultations:
    def test_counts_toward_the_consultation_mandate(self, world):
        own = world.students["own"]
        consult = ServiceMandate.objects.create(
            district=world.district,
            plan=own.plans.get(),
            service="ot_consult",
            delivery_model="consultation",
            minutes_per_session=30,
            sessions_per_period=1,
            period="month",
            setting="classroom",
            start_date=YEAR_AGO,
            end_date=TODAY + dt.timedelta(days=100),
        )
        c = consultation_log(
            user=world.users["therapist"],
            data=ConsultationInput(
                date=DAY,
                start_time=dt.time(14, 0),
                end_time=dt.time(14, 25),
                with_name="Ms. Reed",
                with_role="gened_teacher",
                domain="sensory",
                topic="Transitions",
                strategies="Visual timer",
                student_ids=[own.pk],
                follow_up_date=DAY + dt.timedelta(days=14),
            ),
        )
        entry = ConsultationStudent.objects.get(consultation=c)
        assert (entry.mandate, entry.minutes) == (consult, 25)

    def test_refusals(self, world):
        with pytest.raises(ValidationError) as excinfo:
            consultation_log(
                user=world.users["therapist"],
                data=ConsultationInput(
                    date=TODAY + dt.timedelta(days=1),
                    start_time=dt.time(14, 0),
                    end_time=dt.time(13, 0),
                    with_name="",
                    with_role="gened_teacher",
                    domain="sensory",
                    topic="",
                    strategies="",
                    student_ids=[world.students["other"].pk],
                    follow_up_date=TODAY - dt.timedelta(days=10),
                ),
            )
        text = " ".join(excinfo.value.messages)
        for phrase in [
            "must end after it starts",
            "on or after the day",
            "follow-up comes after",
            "whom you consulted",
            "only about students on your caseload",
        ]:
            assert phrase in text

    def test_page(self, client, world):
        client.force_login(world.users["therapist"])
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
            "submission_key": str(uuid.uuid4()),
        }
        assert client.post(reverse("consultation_new"), data).status_code == 302
        assert client.post(reverse("consultation_new"), data).status_code == 302
        assert ConsultationStudent.objects.count() == 1  # a double submit: one record
        html = client.get(reverse("consultation_list")).content.decode()
        assert "Ms. Reed" in html and "Wobble cushion" in html


@pytest.mark.parametrize("n", [2, 20])
def test_billing_queries_do_not_grow(client, world, n, django_assert_max_num_queries):
    students = []
    for i in range(n):
        s = student_make(district=world.district, school=world.school, first=f"B{i}", last="R")
        plan_make(student=s)
        CaseloadAssignment.objects.create(
            district=world.district, staff=world.staff["therapist"], student=s, start_date=YEAR_AGO
        )
        students.append(billable(s))
    for i, s in enumerate(students):
        log(
            world,
            [part(s)],
            start=(8 + i // 4, (i % 4) * 15),
            end=(8 + i // 4, (i % 4) * 15 + 14),
        )
    client.force_login(world.users["therapist"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("billing"), {"start": DAY, "end": DAY})
    assert response.status_code == 200


def test_supervisor_timesheet_starts_with_her_first_therapist(client, world):
    client.force_login(world.users["supervisor"])
    response = client.get(reverse("timesheet"), {"start": DAY, "end": DAY})
    assert response.status_code == 200
    assert "Timesheet:" in response.content.decode()
