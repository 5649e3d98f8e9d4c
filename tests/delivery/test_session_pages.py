"""Today, session entry, the note and the week: pages answer in place and check access."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from schoolot.audit.models import AuditEvent
from schoolot.delivery.models import Session, WeeklySlot
from schoolot.directory.models import CaseloadAssignment
from schoolot.plans.models import ServiceMandate
from schoolot.schedules.models import ProtectedBlock
from tests.factories import YEAR_AGO, plan_make, student_make

TODAY = timezone.localdate()
YESTERDAY = TODAY - dt.timedelta(days=1)


def form_data(students, *, date=YESTERDAY, start="09:00", end="09:30", sign=True, **extra):
    data = {
        "date": date.isoformat(),
        "start_time": start,
        "end_time": end,
        "setting": "therapy_room",
        "delivery_model": "pull_out",
        "submission_key": str(uuid.uuid4()),
        "students": [s.pk for s in students],
    }
    for s in students:
        mandate = ServiceMandate.objects.filter(plan__student=s).first()
        data[f"s{s.pk}-attendance"] = "present"
        data[f"s{s.pk}-mandate"] = mandate.pk
    if sign:
        data["sign"] = "1"
    data.update(extra)
    return data


@pytest.fixture
def therapist(client, world):
    client.force_login(world.users["therapist"])
    return client


@pytest.mark.parametrize("who", ["teacher", "parent", "supervisor", "admin"])
def test_only_therapists_have_a_day(client, world, who):
    client.force_login(world.users[who])
    for name in ["today", "session_new", "slot_list", "unsigned_notes"]:
        assert client.get(reverse(name)).status_code == 403


def test_picker_lists_only_her_caseload(therapist, world, elsewhere):
    html = therapist.get(reverse("session_new")).content.decode()
    assert world.students["own"].full_name in html
    assert world.students["cota"].full_name in html  # her COTA's student
    assert world.students["other"].full_name not in html
    assert elsewhere.students["own"].full_name not in html


def test_form_for_a_student_not_on_her_caseload_is_404(therapist, world, elsewhere):
    for student in [world.students["other"], elsewhere.students["own"]]:
        response = therapist.get(reverse("session_new"), {"students": student.pk})
        assert response.status_code == 404


def test_forged_post_for_another_students_is_refused(therapist, world):
    own, other = world.students["own"], world.students["other"]
    data = form_data([own])
    data["students"] = [own.pk, other.pk]
    data[f"s{other.pk}-attendance"] = "present"
    response = therapist.post(reverse("session_new"), data)
    assert response.status_code == 404
    assert not Session.objects.exists()


def test_log_and_sign_then_find_on_today(therapist, world):
    own = world.students["own"]
    response = therapist.post(reverse("session_new"), form_data([own]))
    assert response.status_code == 302
    session = Session.objects.get()
    assert session.is_signed
    html = therapist.get(response.url).content.decode()
    assert "signed" in html and own.full_name in html
    assert AuditEvent.objects.filter(student_id=own.pk, action="create").exists()


def test_bad_input_in_place_keeps_what_was_valid(therapist, world):
    own = world.students["own"]
    data = form_data([own], start="10:00", end="09:30", activities="Obstacle course")
    data[f"s{own.pk}-note"] = "Worked hard."
    response = therapist.post(reverse("session_new"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "must end after it starts" in html
    assert "nothing was saved" in html
    assert "Obstacle course" in html and "Worked hard." in html
    assert not Session.objects.exists()


def test_service_refusals_land_on_the_students_block(therapist, world):
    own = world.students["own"]
    data = form_data([own])
    data[f"s{own.pk}-attendance"] = "missed"  # without a reason
    html = therapist.post(reverse("session_new"), data).content.decode()
    assert "Give the reason" in html
    assert not Session.objects.exists()


def test_double_submit_is_one_session(therapist, world):
    data = form_data([world.students["own"]])
    therapist.post(reverse("session_new"), data)
    response = therapist.post(reverse("session_new"), data)
    assert response.status_code == 302
    assert Session.objects.count() == 1


def test_future_date_refused(therapist, world):
    data = form_data([world.students["own"]], date=TODAY + dt.timedelta(days=2))
    html = therapist.post(reverse("session_new"), data).content.decode()
    assert "not before" in html
    assert not Session.objects.exists()


def test_draft_then_sign_then_addendum(therapist, world):
    own = world.students["own"]
    therapist.post(reverse("session_new"), form_data([own], sign=False))
    session = Session.objects.get()
    assert not session.is_signed
    assert "1 unsigned note" in therapist.get(reverse("today")).content.decode()
    assert (
        reverse("session_detail", args=[session.pk])
        in therapist.get(reverse("unsigned_notes")).content.decode()
    )
    therapist.post(reverse("session_sign", args=[session.pk]))
    session.refresh_from_db()
    assert session.is_signed
    response = therapist.post(reverse("addendum_add", args=[session.pk]), {"text": ""})
    assert response.status_code == 400
    therapist.post(reverse("addendum_add", args=[session.pk]), {"text": "Correction: 25 min."})
    html = therapist.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert "Correction: 25 min." in html


def test_note_visibility(client, world):
    client.force_login(world.users["therapist"])
    client.post(reverse("session_new"), form_data([world.students["own"]]))
    url = reverse("session_detail", args=[Session.objects.get().pk])
    expected = {
        "therapist": 200,
        "supervisor": 200,
        "admin": 200,
        "cota": 404,
        "other_therapist": 404,
        "other_supervisor": 404,
        "teacher": 404,
        "parent": 404,
    }
    for who, status in expected.items():
        client.force_login(world.users[who])
        assert client.get(url).status_code == status, who


def test_cota_note_cosigned_by_her_otr(client, world):
    client.force_login(world.users["cota"])
    client.post(reverse("session_new"), form_data([world.students["cota"]]))
    session = Session.objects.get()
    assert session.awaits_cosign
    client.force_login(world.users["therapist"])
    assert "your co-signature" in client.get(reverse("unsigned_notes")).content.decode()
    client.post(reverse("session_cosign", args=[session.pk]))
    session.refresh_from_db()
    assert session.cosigned_by == world.staff["therapist"]


def test_week_slot_then_one_tap_from_today(therapist, world):
    own = world.students["own"]
    weekday = TODAY.weekday() if TODAY.weekday() < 5 else 0
    response = therapist.post(
        reverse("slot_list"),
        {
            "weekday": weekday,
            "start_time": "09:00",
            "end_time": "09:30",
            "setting": "classroom",
            "students": [own.pk],
        },
    )
    assert response.status_code == 302
    slot = WeeklySlot.objects.get()
    day = TODAY - dt.timedelta(days=(TODAY.weekday() - weekday) % 7)
    html = therapist.get(reverse("today"), {"date": day.isoformat()}).content.decode()
    assert f"slot={slot.pk}" in html
    form = therapist.get(reverse("session_new"), {"slot": slot.pk, "date": day.isoformat()})
    html = form.content.decode()
    assert 'value="09:00"' in html and own.full_name in html


def test_week_slot_bad_input(therapist, world):
    response = therapist.post(
        reverse("slot_list"),
        {
            "weekday": 1,
            "start_time": "05:00",
            "end_time": "05:30",
            "setting": "classroom",
            "students": [world.students["own"].pk, world.students["other"].pk],
        },
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = therapist.post(
        reverse("slot_list"),
        {
            "weekday": 1,
            "start_time": "05:00",
            "end_time": "05:30",
            "setting": "classroom",
            "students": [world.students["own"].pk],
        },
    )
    assert "is in session from" in response.content.decode()
    assert not WeeklySlot.objects.exists()


def _grow_caseload(world, n):
    students = []
    for i in range(n):
        s = student_make(district=world.district, school=world.school, first=f"Kid{i}", last="Ox")
        plan_make(student=s)
        CaseloadAssignment.objects.create(
            district=world.district, staff=world.staff["therapist"], student=s, start_date=YEAR_AGO
        )
        students.append(s)
    return students


@pytest.mark.parametrize("n", [1, 3])
def test_form_queries_do_not_grow_with_the_group(
    therapist, world, n, django_assert_max_num_queries
):
    students = _grow_caseload(world, n)
    with django_assert_max_num_queries(14):
        response = therapist.get(reverse("session_new"), {"students": [s.pk for s in students]})
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 12])
def test_today_queries_do_not_grow(therapist, world, n, django_assert_max_num_queries):
    students = _grow_caseload(world, n)
    weekday = TODAY.weekday() if TODAY.weekday() < 5 else 0
    for i, s in enumerate(students):
        slot = WeeklySlot.objects.create(
            district=world.district,
            therapist=world.staff["therapist"],
            weekday=weekday,
            start_time=dt.time(8 + i // 2, 30 * (i % 2)),
            end_time=dt.time(8 + i // 2, 30 * (i % 2) + 25),
            school=world.school,
        )
        slot.students.add(s)
        # Protected since the week was built: each slot is marked, at no query per slot.
        ProtectedBlock.objects.create(
            district=world.district,
            student=s,
            reason="Reading block",
            start=slot.start_time,
            end=slot.end_time,
        )
    day = TODAY - dt.timedelta(days=(TODAY.weekday() - weekday) % 7)
    with django_assert_max_num_queries(16):  # fifteen, and her time away that day
        response = therapist.get(reverse("today"), {"date": day.isoformat()})
    html = response.content.decode()
    assert html.count("Log</a>") == n
    assert html.count("Reading block (") == n and students[-1].full_name in html


def test_edit_a_draft_then_it_locks(therapist, world):
    own = world.students["own"]
    therapist.post(reverse("session_new"), form_data([own], sign=False, activities="First try"))
    session = Session.objects.get()
    edit_url = reverse("session_edit", args=[session.pk])
    html = therapist.get(edit_url).content.decode()
    assert "Edit draft note" in html and "First try" in html
    data = form_data([own], start="09:05", end="09:35", activities="Corrected")
    data[f"s{own.pk}-note"] = "Fixed the time."
    response = therapist.post(edit_url, data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.start_time, session.activities, session.is_signed) == (
        dt.time(9, 5),
        "Corrected",
        True,
    )
    assert Session.objects.count() == 1
    assert session.students.get().note == "Fixed the time."
    assert therapist.get(edit_url).status_code == 403


def test_another_therapist_cannot_edit_a_draft(client, world):
    client.force_login(world.users["cota"])
    client.post(reverse("session_new"), form_data([world.students["cota"]], sign=False))
    session = Session.objects.get()
    client.force_login(world.users["therapist"])  # her supervising OTR sees it, may not edit
    assert client.get(reverse("session_edit", args=[session.pk])).status_code == 403


def test_signed_note_is_locked_in_the_model(therapist, world):
    from schoolot.delivery.models import SignedNoteError

    therapist.post(reverse("session_new"), form_data([world.students["own"]]))
    session = Session.objects.get()
    session.activities = "rewritten later"
    with pytest.raises(SignedNoteError):
        session.save()


def test_codes_chosen_in_the_form(therapist, world):
    own = world.students["own"]
    data = form_data([own], start="09:00", end="09:40")
    data.update(
        {
            f"s{own.pk}-code_1": "97530",
            f"s{own.pk}-minutes_1": "33",
            f"s{own.pk}-code_2": "97535",
            f"s{own.pk}-minutes_2": "7",
        }
    )
    assert therapist.post(reverse("session_new"), data).status_code == 302
    entry = Session.objects.get().students.get()
    assert sorted(entry.codes.values_list("code", "minutes")) == [("97530", 33), ("97535", 7)]


def test_codes_bad_input(therapist, world):
    own = world.students["own"]
    data = form_data([own])
    data.update(
        {f"s{own.pk}-code_1": "97530", f"s{own.pk}-code_2": "97530", f"s{own.pk}-minutes_2": "5"}
    )
    html = therapist.post(reverse("session_new"), data).content.decode()
    assert "Give this code&#x27;s minutes." in html or "Give this code's minutes." in html
    assert "The same code twice" in html
    data = form_data([own])
    data.update({f"s{own.pk}-code_1": "97530", f"s{own.pk}-minutes_1": "45"})
    html = therapist.post(reverse("session_new"), data).content.decode()
    assert "add up to more than the student" in html
    assert not Session.objects.exists()


def test_signing_returns_to_the_note_whatever_next_says(therapist, world):
    """Signing redirects to the note: a posted `next` is no way off the site (before, an
    outside address was followed and a word that is no URL was a server error)."""
    therapist.post(reverse("session_new"), form_data([world.students["own"]], sign=False))
    session = Session.objects.get()
    for after in ("https://elsewhere.example/", "abc"):
        response = therapist.post(reverse("session_sign", args=[session.pk]), {"next": after})
        assert response.status_code == 302
        assert response["Location"] == reverse("session_detail", args=[session.pk])
