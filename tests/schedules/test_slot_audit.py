"""When and where a student gets OT is part of her record: every change to a therapist's week
(a session added, moved, locked, removed, or the week rebuilt by the scheduler) leaves one
audit event per student it touches, naming who did it; a refused change leaves none."""

import pytest
from django.urls import reverse

from schoolot.audit.models import AuditAction, AuditEvent
from schoolot.delivery.models import WeeklySlot


def _events(student) -> list[tuple[str, str, str]]:
    return [
        (e.action, e.what, e.actor_name)
        for e in AuditEvent.objects.filter(student=student).order_by("pk")
    ]


def test_each_change_to_a_session_of_her_week_is_in_the_students_trail(client, week):
    own, therapist = week.students["own"], week.users["therapist"]
    name = therapist.get_username()
    client.force_login(therapist)
    added = {
        "weekday": 1,
        "start_time": "09:00",
        "end_time": "09:30",
        "setting": "classroom",
        "students": [own.pk],
    }
    assert client.post(reverse("slot_list"), added).status_code == 302
    slot = WeeklySlot.objects.get(therapist__user=therapist)
    assert _events(own) == [(AuditAction.CREATE, "weekly OT session Tuesday 09:00-09:30", name)]

    move = {"weekday": "2", "start_time": "13:00"}
    assert client.post(reverse("slot_move", args=[slot.pk]), move).status_code == 302
    assert client.post(reverse("slot_lock", args=[slot.pk])).status_code == 302  # moved: locked
    refused = {"weekday": "2", "start_time": "05:00"}  # before the school day
    assert client.post(reverse("slot_move", args=[slot.pk]), refused).status_code == 400
    assert client.post(reverse("slot_delete", args=[slot.pk])).status_code == 302
    assert _events(own)[1:] == [
        (AuditAction.UPDATE, "weekly OT session moved to Wednesday 13:00-13:30", name),
        (AuditAction.UPDATE, "weekly OT session Wednesday 13:00-13:30 unlocked", name),
        (AuditAction.DELETE, "weekly OT session Wednesday 13:00-13:30", name),
    ]
    assert not WeeklySlot.objects.exists()


def test_a_week_rebuilt_is_in_the_trail_of_each_student_whose_sessions_changed(client, week):
    client.force_login(week.users["therapist"])
    assert client.post(reverse("week_build"), {"seconds": "2"}).status_code == 302
    placed = {s for slot in WeeklySlot.objects.all() for s in slot.students.all()}
    assert placed  # the world's mandates give her week sessions
    rebuilt = AuditEvent.objects.filter(what="weekly OT sessions rebuilt by the scheduler")
    assert {e.student for e in rebuilt} == placed
    # Built by a task, the events still say where she asked from.
    assert {(e.action, e.actor_id, e.path, e.ip_address, e.user_agent) for e in rebuilt} == {
        (AuditAction.UPDATE, week.users["therapist"].pk, reverse("week_build"), "127.0.0.1", "")
    }
    # Every session locked: the next build changes nobody's week, and says so to nobody.
    WeeklySlot.objects.update(locked=True)
    assert client.post(reverse("week_build"), {"seconds": "2"}).status_code == 302
    assert rebuilt.count() == len(placed)


def test_another_therapists_session_is_neither_changed_nor_audited(client, week):
    slot = WeeklySlot.objects.create(
        district=week.district,
        therapist=week.staff["therapist"],
        weekday=0,
        start_time="09:00",
        end_time="09:30",
        school=week.school,
    )
    slot.students.add(week.students["own"])
    client.force_login(week.users["other_therapist"])
    for name in ("slot_lock", "slot_delete", "slot_move"):
        assert client.post(reverse(name, args=[slot.pk])).status_code == 404
    assert not AuditEvent.objects.exists()


def test_a_district_re_solve_is_in_the_trail_as_the_supervisor_who_started_it(client, week):
    """The re-solve runs as a background task, with no request: each event names the
    supervisor who started it, where from, and whose week it rebuilt."""
    client.force_login(week.users["supervisor"])
    started = client.post(reverse("schedules_district_start"), HTTP_USER_AGENT="Firefox/140")
    assert started.status_code == 302
    placed = {s for slot in WeeklySlot.objects.all() for s in slot.students.all()}
    assert placed
    rebuilt = AuditEvent.objects.filter(what__startswith="weekly OT sessions rebuilt")
    assert {e.student for e in rebuilt} == placed
    supervisor = week.users["supervisor"]
    assert {(e.actor_id, e.actor_name, e.action) for e in rebuilt} == {
        (supervisor.pk, supervisor.get_username(), AuditAction.UPDATE)
    }
    assert {(e.path, e.ip_address, e.user_agent) for e in rebuilt} == {
        (reverse("schedules_district_start"), "127.0.0.1", "Firefox/140")
    }
    assert all("district re-solve" in e.what for e in rebuilt)


def test_a_district_re_solve_tells_each_therapist_whose_week_it_changed(client, week):
    from schoolot.referrals.models import Notification

    supervisor = week.users["supervisor"]
    client.force_login(supervisor)
    client.post(reverse("schedules_district_start"))
    told = Notification.objects.filter(link=reverse("slot_list"))
    assert {n.user for n in told} == {week.users["therapist"], week.users["cota"]}
    mine = told.get(user=week.users["therapist"])
    changed = {
        s
        for slot in WeeklySlot.objects.filter(therapist=week.staff["therapist"])
        for s in slot.students.all()
    }
    n = len(changed)
    assert mine.text.startswith(
        f"{supervisor.display_name} rebuilt your week in a re-solve of the team's weeks: "
        f"the sessions of {n} student{'s' if n != 1 else ''} changed;"
    )
    # Nothing changes the second time (every session locked): nobody is told again.
    WeeklySlot.objects.update(locked=True)
    client.post(reverse("schedules_district_start"))
    assert told.count() == 2
    # Her own build tells nobody.
    WeeklySlot.objects.update(locked=False)
    client.force_login(week.users["therapist"])
    client.post(reverse("week_build"), {"seconds": "2"})
    assert told.count() == 2


def test_the_audit_of_several_students_needs_to_know_who():
    from schoolot.audit.services import audit_events_record

    with pytest.raises(ValueError):
        audit_events_record(students=[], action=AuditAction.UPDATE, what="x")
