"""Her week on paper (checked with pdftotext): each day's sessions, fixed time, drives and
lunch in time order; students by initials for the door, by name for her own copy; the
download in the audit trail; only a therapist has a week to print."""

import datetime as dt
import subprocess

import pytest
from django.urls import reverse

from schoolot.audit.models import AuditAction, AuditEvent
from schoolot.schedules.models import Commitment
from schoolot.schedules.selectors import week_printout_get
from tests.factories import far_student_make, weekly_slot_make


def pdf_text(response, tmp_path) -> str:
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "week.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())  # lines wrap within a day's column


def test_the_door_copy_has_initials_and_the_day_in_order(client, week, tmp_path):
    own = week.students["own"]
    far_student_make(world=week, travel_minutes=20)
    weekly_slot_make(world=week, weekday=1, start=dt.time(9))
    far = weekly_slot_make(world=week, weekday=1, start=dt.time(13), student="far")
    far.school = week.other_school
    far.save()
    client.force_login(week.users["therapist"])
    my_week = client.get(reverse("slot_list")).content.decode()
    assert f'href="{reverse("week_pdf")}?names=1"' in my_week
    text = pdf_text(client.get(reverse("week_pdf")), tmp_path)
    therapist = week.staff["therapist"]
    assert f"OT week: {therapist.user.display_name}, OTR/L" in text
    assert "Students by initials." in text
    assert own.last_name not in text and "Ng" not in text
    for line in (
        "9:00–9:30 AM O.A.",
        "1:00–1:30 PM F.N.",
        f"20 min to {week.other_school.name}",
        "· 20 min driving",
        "Lunch",
    ):
        assert line in text
    tuesday = week_printout_get(staff=therapist, names=False)[1]
    assert [(s.kind, s.text) for s in tuesday.stops] == [
        ("session", "O.A."),
        ("drive", f"20 min to {week.other_school.name}"),  # as My week draws it
        ("lunch", "Lunch"),
        ("session", "F.N."),
    ]
    assert tuesday.driving == 20


def test_her_own_copy_has_names_and_both_are_in_the_audit_trail(client, week, tmp_path):
    own = week.students["own"]
    weekly_slot_make(world=week, weekday=0, start=dt.time(9))
    client.force_login(week.users["therapist"])
    client.get(reverse("week_pdf"))
    text = pdf_text(client.get(reverse("week_pdf") + "?names=1"), tmp_path)
    assert f"9:00–9:30 AM {own.full_name}" in text
    assert "keep this copy private" in text
    events = AuditEvent.objects.filter(student=own, action=AuditAction.DOWNLOAD).order_by("pk")
    assert [e.what for e in events] == [
        "week schedule PDF (initials)",
        "week schedule PDF (names)",
    ]
    assert all(e.actor == week.users["therapist"] for e in events)


def test_fixed_time_and_rotation_sessions(week):
    Commitment.objects.create(
        district=week.district,
        staff=week.staff["therapist"],
        label="IEP meeting",
        weekdays="2,4",
        start=dt.time(8),
        end=dt.time(8, 45),
        school=week.school,
    )
    for cycle in (1, 2, 3, 4):  # held every week of the rotation: printed once, as weekly
        slot = weekly_slot_make(world=week, weekday=3, start=dt.time(10))
        slot.cycle_week = cycle
        slot.save()
    one = weekly_slot_make(world=week, weekday=3, start=dt.time(14))
    one.cycle_week = 3
    one.save()
    days = week_printout_get(staff=week.staff["therapist"], names=False)
    assert [d.name for d in days] == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    fixed = {d.name for d in days for s in d.stops if s.kind == "fixed"}
    assert fixed == {"Wednesday", "Friday"}
    thursday = [s for s in days[3].stops if s.kind == "session"]
    assert [(s.start, s.detail.endswith("week 3 of 4")) for s in thursday] == [
        (dt.time(10), False),
        (dt.time(14), True),
    ]


@pytest.mark.parametrize("who", ["teacher", "parent", "supervisor"])
def test_only_a_therapist_has_a_week_to_print(client, week, who):
    client.force_login(week.users[who])
    assert client.get(reverse("week_pdf")).status_code == 403


def test_a_dated_week_as_it_will_be_held(week):
    """That week of the rotation only, her one-off meeting that day, no session on a day
    without school (its reason instead), none at a school closed alone (named instead), and
    that day's route without it."""
    from schoolot.rules.cycles import cycle_week
    from tests.factories import TODAY, YEAR_AGO, holiday_make, school_closure_make

    on = TODAY + dt.timedelta(days=(2 - TODAY.weekday()) % 7 + 7)  # a Wednesday ahead
    monday = on - dt.timedelta(days=2)
    far_student_make(world=week, travel_minutes=20)
    for weekday in (1, 3):  # Tuesday and Thursday: here at 9, at the far school at 13
        weekly_slot_make(world=week, weekday=weekday, start=dt.time(9))
        far = weekly_slot_make(world=week, weekday=weekday, start=dt.time(13), student="far")
        far.school = week.other_school
        far.save()
    this_week = cycle_week(day=monday, first_day=YEAR_AGO)
    for cycle, hour in ((this_week, 10), (this_week % 4 + 1, 11)):
        slot = weekly_slot_make(world=week, weekday=0, start=dt.time(hour))
        slot.cycle_week = cycle
        slot.save()
    Commitment.objects.create(
        district=week.district,
        staff=week.staff["therapist"],
        label="Annual IEP review",
        on=monday + dt.timedelta(days=1),
        start=dt.time(14),
        end=dt.time(15),
    )
    holiday_make(district=week.district, day=monday + dt.timedelta(days=4))
    school_closure_make(school=week.other_school, day=monday + dt.timedelta(days=3))
    monday_, tuesday, _wednesday, thursday, friday = week_printout_get(
        staff=week.staff["therapist"], names=False, week_of=on
    )
    assert [d.date for d in (monday_, tuesday, thursday, friday)] == [
        monday + dt.timedelta(days=i) for i in (0, 1, 3, 4)
    ]
    sessions = [s for s in monday_.stops if s.kind == "session"]
    assert [(s.start, s.detail.endswith(f"week {this_week} of 4")) for s in sessions] == [
        (dt.time(10), True)  # not the other week's at 11
    ]
    assert [(s.kind, s.text) for s in tuesday.stops] == [
        ("session", "O.A."),
        ("drive", f"20 min to {week.other_school.name}"),
        ("lunch", "Lunch"),
        ("session", "F.N."),
        ("fixed", "Annual IEP review"),
    ]
    assert tuesday.driving == 20
    assert [(s.kind, s.text) for s in thursday.stops] == [("session", "O.A."), ("lunch", "Lunch")]
    assert thursday.driving == 0
    assert thursday.closed_schools == [f"{week.other_school.name}: Water main break"]
    assert (friday.closed, friday.stops) == ("Founders' Day", [])
    template_week = week_printout_get(staff=week.staff["therapist"], names=False)
    assert all(s.kind != "fixed" for d in template_week for s in d.stops)  # no one-offs


def test_this_weeks_and_next_weeks_pdf(client, week, tmp_path):
    from django.utils import timezone

    weekly_slot_make(world=week, weekday=1, start=dt.time(9))
    client.force_login(week.users["therapist"])
    my_week = client.get(reverse("slot_list")).content.decode()
    assert f'href="{reverse("week_pdf")}?week=next"' in my_week
    response = client.get(reverse("week_pdf") + "?week=next")
    coming = timezone.localdate() + dt.timedelta(days=7)
    if coming.weekday() >= 5:
        coming += dt.timedelta(days=7 - coming.weekday())
    monday = coming - dt.timedelta(days=coming.weekday())
    assert f'filename="ot-week-{monday:%Y-%m-%d}-initials.pdf"' in response["Content-Disposition"]
    text = pdf_text(response, tmp_path)
    assert f"OT week of {monday:%B} {monday.day}, {monday.year}" in text
    assert f"Tuesday {monday + dt.timedelta(days=1):%b} {(monday + dt.timedelta(days=1)).day}" in (
        text
    )
    assert "9:00–9:30 AM O.A." in text


@pytest.mark.parametrize(
    ("who", "status"),
    [("supervisor", 200), ("admin", 200), ("other_supervisor", 404), ("cota", 404)],
)
def test_her_supervisor_prints_her_week(client, week, tmp_path, who, status):
    own = week.students["own"]
    weekly_slot_make(world=week, weekday=0, start=dt.time(9))
    therapist = week.staff["therapist"]
    client.force_login(week.users[who])
    url = f"{reverse('week_pdf')}?staff={therapist.pk}&names=1"
    response = client.get(url)
    assert response.status_code == status
    if status != 200:
        assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()
        return
    text = pdf_text(response, tmp_path)
    assert f"OT week: {therapist.user.display_name}, OTR/L" in text
    assert f"9:00–9:30 AM {own.full_name}" in text
    (event,) = AuditEvent.objects.filter(student=own, action=AuditAction.DOWNLOAD)
    assert event.actor == week.users[who]
    page = client.get(reverse("staff_week", args=[therapist.pk])).content.decode()
    assert f'href="{reverse("week_pdf")}?staff={therapist.pk}&amp;names=1"' in page
    assert client.get(f"{reverse('week_pdf')}?staff=junk").status_code == 404
