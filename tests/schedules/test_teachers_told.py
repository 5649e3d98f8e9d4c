"""A teacher hears when her student's OT times change (a week built, a session added, moved
or removed): she must know when the student leaves class. Only the student's own teachers,
once per change, with the times as they now are and a link to the record."""

import datetime as dt

from django.urls import reverse

from schoolot.delivery.models import WeeklySlot
from schoolot.delivery.services import (
    weekly_slot_create,
    weekly_slot_delete,
    weekly_slot_move,
    weekly_slots_move,
)
from schoolot.referrals.models import Notification
from schoolot.schedules.services import week_solve_audited
from tests.factories import TODAY, weekly_slot_make


def _build(week):
    week_solve_audited(
        staff=week.staff["therapist"],
        actor=week.users["therapist"],
        on=TODAY,
        time_limit=2,
        what="week built",
    )


def _told(week):
    return list(Notification.objects.filter(user=week.users["teacher"]).order_by("pk"))


def test_a_week_built_tells_her_teacher_the_new_times(week):
    own = week.students["own"]
    _build(week)
    slots = WeeklySlot.objects.filter(students=own).order_by("weekday", "start_time")
    assert slots.count() == 2  # her mandate: two 30-minute sessions a week
    (told,) = _told(week)
    days = ["Mon", "Tue", "Wed", "Thu", "Fri"]
    times = "; ".join(
        f"{days[s.weekday]} {s.start_time:%-I:%M %p}-{s.end_time:%-I:%M %p}" for s in slots
    )
    therapist = week.users["therapist"].display_name
    assert told.text == f"{own.full_name}'s OT times changed ({therapist}): {times}."
    assert told.student == own and told.link == reverse("student_detail", args=[own.pk])
    assert not Notification.objects.filter(user=week.users["other_teacher"]).exists()
    # Built again: told again only if her times changed (the week keeps its sessions
    # where it can, so usually not).
    before = list(slots.values_list("weekday", "start_time"))
    _build(week)
    after = list(slots.values_list("weekday", "start_time"))
    assert len(_told(week)) == (1 if after == before else 2)


def test_a_session_added_moved_and_removed_by_hand(week):
    own = week.students["own"]
    therapist = week.users["therapist"]
    slot = weekly_slot_create(
        user=therapist,
        weekday=0,
        start_time=dt.time(9),
        end_time=dt.time(9, 30),
        setting="therapy_room",
        student_ids=[own.pk],
    )
    weekly_slot_move(user=therapist, slot=slot, weekday=3, start_time=dt.time(13))
    weekly_slot_delete(user=therapist, slot=slot)
    texts = [n.text.split(": ", 1)[1] for n in _told(week)]
    assert texts == ["Mon 9:00 AM-9:30 AM.", "Thu 1:00 PM-1:30 PM.", "no weekly OT session now."]


def test_a_rotation_session_moved_in_all_its_weeks_tells_her_once(week):
    slots = []
    for cycle in (1, 2, 3, 4):
        slot = weekly_slot_make(world=week, weekday=1, start=dt.time(9))
        slot.cycle_week = cycle
        slot.save()
        slots.append(slot)
    weekly_slots_move(
        user=week.users["therapist"], slots=slots, weekday=4, start_time=dt.time(10)
    )
    (told,) = _told(week)
    assert told.text.endswith(": Fri 10:00 AM-10:30 AM.")  # held every week: as weekly


def test_a_student_in_no_class_tells_no_one(week):
    cota = week.students["cota"]  # in no class of any teacher
    weekly_slot_create(
        user=week.users["cota"],
        weekday=2,
        start_time=dt.time(10),
        end_time=dt.time(10, 30),
        setting="therapy_room",
        student_ids=[cota.pk],
    )
    assert not Notification.objects.filter(student=cota).exists()


def test_several_students_changed_at_once_make_one_notification(week):
    from schoolot.directory.models import Enrollment, SchoolClass
    from schoolot.schedules.services import teachers_ot_times_notify
    from tests.factories import student_make

    klass = SchoolClass.objects.get(teacher=week.staff["teacher"])
    kids = [week.students["own"]]
    for name in ("Zed", "Yan", "Xia"):
        kid = student_make(district=week.district, school=week.school, first=name, last="Lee")
        Enrollment.objects.create(district=week.district, school_class=klass, student=kid)
        kids.append(kid)
    sent = teachers_ot_times_notify(students=kids, on=TODAY, by=week.users["supervisor"])
    (told,) = _told(week)
    assert sent == 1 and told.student is None and told.link == reverse("caseload")
    supervisor = week.users["supervisor"].display_name
    own = week.students["own"].full_name  # Alvarez, before the three Lees
    assert told.text == (
        f"OT times changed for 4 of your students ({supervisor}): {own}, Xia Lee, Yan Lee "
        "and 1 more. Your students' page shows the week of OT."
    )


def test_a_district_re_solve_tells_each_teacher_once_for_all_its_weeks(client, week):
    """Her class has students of the OTR and of the COTA: two weeks rebuilt, one
    notification, from the supervisor who started the re-solve."""
    from schoolot.directory.models import Enrollment, SchoolClass

    klass = SchoolClass.objects.get(teacher=week.staff["teacher"])
    Enrollment.objects.create(
        district=week.district, school_class=klass, student=week.students["cota"]
    )
    client.force_login(week.users["supervisor"])
    assert client.post(reverse("schedules_district_start")).status_code == 302
    (told,) = _told(week)
    supervisor = week.users["supervisor"].display_name
    assert told.text.startswith(f"OT times changed for 2 of your students ({supervisor}): ")
    assert told.link == reverse("caseload")


def test_the_students_of_a_re_solve_are_told_of_once(week):
    from schoolot.schedules.models import DistrictSolve, ResolveChange
    from schoolot.schedules.services import (
        district_solve_changes_record,
        district_solve_teachers_notify,
    )

    run = DistrictSolve.objects.create(district=week.district, started_by=week.users["supervisor"])
    own = week.students["own"]
    district_solve_changes_record(run_id=run.pk, students=[own])
    district_solve_changes_record(run_id=run.pk, students=[own])  # a second week, same student
    assert ResolveChange.objects.filter(run=run).count() == 1
    assert _told(week) == []  # nothing until the run ends
    assert district_solve_teachers_notify(run_id=run.pk, on=TODAY) == 1
    assert district_solve_teachers_notify(run_id=run.pk, on=TODAY) == 0  # told already
    (told,) = _told(week)
    assert told.text.startswith(f"{own.full_name}'s OT times changed")
