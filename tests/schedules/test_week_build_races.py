"""A build takes up to a minute, and her week may change meanwhile: she moves or locks a
session, a teacher sets protected time, a district re-solve writes first. The new week is
written only if her sessions and the records it was built from are still what it was built
from; else nothing is replaced and the run says why. A build she cancels writes nothing, nor
does the week a cancelled district re-solve was solving."""

import datetime as dt
import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from schoolot.audit.models import AuditEvent
from schoolot.delivery.models import WeeklySlot
from schoolot.delivery.services import weekly_slot_move, weekly_slots_lock
from schoolot.schedules import services
from schoolot.schedules.models import DistrictSolve, ProtectedBlock, ScheduleRun, WeekBuild
from schoolot.schedules.services import WEEK_RECORDS_CHANGED, WEEK_SESSIONS_CHANGED
from schoolot.schedules.tasks import district_solve, week_build


def _during_the_solve(monkeypatch, change) -> None:
    """Run `change` after the solver's answer and before the week is written."""
    real = services.solve

    def solve(instance, **options):
        schedule = real(instance, **options)
        change()
        return schedule

    monkeypatch.setattr(services, "solve", solve)


def _slots() -> list[tuple]:
    return sorted(
        (s.pk, s.weekday, s.start_time, s.locked, tuple(sorted(x.pk for x in s.students.all())))
        for s in WeeklySlot.objects.all()
    )


def _rebuilt_events() -> int:
    return AuditEvent.objects.filter(what__startswith="weekly OT sessions rebuilt").count()


def test_a_session_locked_during_a_build_is_not_overwritten(client, week, monkeypatch):
    therapist = week.users["therapist"]
    client.force_login(therapist)
    client.post(reverse("week_build"), {"seconds": "2"})
    first = WeeklySlot.objects.order_by("pk").first()
    assert first is not None and not first.locked
    events = _rebuilt_events()

    _during_the_solve(
        monkeypatch, lambda: weekly_slots_lock(user=therapist, slots=[first], locked=True)
    )
    html = client.post(reverse("week_build"), {"seconds": "2"}, follow=True).content.decode()
    before = _slots()  # her week with the lock, as she left it
    run = ScheduleRun.objects.first()
    assert run.superseded and run.note == WEEK_SESSIONS_CHANGED
    assert _slots() == before and WeeklySlot.objects.get(pk=first.pk).locked
    assert _rebuilt_events() == events  # nothing rebuilt, nothing in the trail
    assert html.count(WEEK_SESSIONS_CHANGED.replace("'", "&#x27;")) == 2  # message, last build
    assert "Build again with more time" not in html

    client.force_login(week.users["admin"])
    page = client.get(reverse("schedules_district")).content.decode()
    assert WEEK_SESSIONS_CHANGED.replace("'", "&#x27;") in page


def test_a_session_she_moves_during_a_build_is_hers_in_the_trail(client, week, monkeypatch):
    """The build wrote nothing: the trail names no rebuild for the student she moved."""
    therapist = week.users["therapist"]
    client.force_login(therapist)
    client.post(reverse("week_build"), {"seconds": "2"})
    slot = WeeklySlot.objects.order_by("pk").first()
    events = _rebuilt_events()

    def move() -> None:
        for day in range(5):
            for minutes in range(8 * 60, 15 * 60, 30):
                start = dt.time(minutes // 60, minutes % 60)
                if (day, start) == (slot.weekday, slot.start_time):
                    continue
                try:
                    weekly_slot_move(user=therapist, slot=slot, weekday=day, start_time=start)
                    return
                except ValidationError:
                    continue
        raise AssertionError("no time of the week takes the session")

    _during_the_solve(monkeypatch, move)
    client.post(reverse("week_build"), {"seconds": "2"})
    assert ScheduleRun.objects.first().note == WEEK_SESSIONS_CHANGED
    assert WeeklySlot.objects.get(pk=slot.pk).locked  # moved by her, kept
    assert _rebuilt_events() == events


def test_records_changed_during_a_build_leave_her_week_as_it_was(client, week, monkeypatch):
    therapist = week.users["therapist"]
    client.force_login(therapist)
    client.post(reverse("week_build"), {"seconds": "2"})
    before = _slots()
    student = WeeklySlot.objects.first().students.first()

    _during_the_solve(
        monkeypatch,
        lambda: ProtectedBlock.objects.create(
            district=week.district,
            student=student,
            start="09:00",
            end="10:30",
            weekdays="",
            reason="Reading block",
        ),
    )
    client.post(reverse("week_build"), {"seconds": "2"})
    run = ScheduleRun.objects.first()
    assert run.superseded and run.note == WEEK_RECORDS_CHANGED
    assert _slots() == before

    # Built again from the new records, it is written.
    monkeypatch.undo()
    client.post(reverse("week_build"), {"seconds": "2"})
    assert not ScheduleRun.objects.first().superseded


def test_she_cancels_a_queued_build(client, week, queued):
    client.force_login(week.users["therapist"])
    client.post(reverse("week_build"), {"seconds": "2"})
    build = WeekBuild.objects.get()
    html = client.get(reverse("slot_list")).content.decode()
    assert reverse("week_build_cancel", args=[build.pk]) in html

    response = client.post(reverse("week_build_cancel", args=[build.pk]), follow=True)
    html = response.content.decode()
    assert "Build cancelled; your week stays as it was." in html
    assert "Building your week" not in html
    build.refresh_from_db()
    assert build.status == "cancelled" and build.finished_at is not None
    polled = client.get(reverse("slot_list"), {"partial": "building"}, HTTP_HX_REQUEST="true")
    assert polled["HX-Refresh"] == "true"

    # The worker picks it up later: nothing is solved or written.
    assert week_build.call(build_id=build.pk) == 0
    assert not ScheduleRun.objects.exists() and not WeeklySlot.objects.exists()
    # Cancelling again says it is over; a new build may start.
    again = client.post(reverse("week_build_cancel", args=[build.pk]), follow=True)
    assert "That build had finished already." in again.content.decode()
    client.post(reverse("week_build"))
    assert WeekBuild.objects.count() == 2


def test_a_build_cancelled_while_it_solves_writes_nothing(client, week, queued, monkeypatch):
    therapist = week.users["therapist"]
    client.force_login(therapist)
    client.post(reverse("week_build"), {"seconds": "2"})
    build = WeekBuild.objects.get()
    _during_the_solve(
        monkeypatch, lambda: services.week_build_cancel(user=therapist, build_id=build.pk)
    )
    week_build.call(build_id=build.pk)
    build.refresh_from_db()
    assert build.status == "cancelled"
    assert not ScheduleRun.objects.exists() and not WeeklySlot.objects.exists()
    assert _rebuilt_events() == 0


def test_only_she_cancels_her_build(client, week, queued):
    client.force_login(week.users["therapist"])
    client.post(reverse("week_build"))
    build = WeekBuild.objects.get()
    client.force_login(week.users["other_therapist"])
    response = client.post(reverse("week_build_cancel", args=[build.pk]), follow=True)
    assert "That build had finished already." in response.content.decode()  # not hers
    client.force_login(week.users["supervisor"])  # hers only when she started it
    response = client.post(reverse("week_build_cancel", args=[build.pk]), follow=True)
    assert "That build had finished already." in response.content.decode()
    for role in ("teacher", "parent"):
        client.force_login(week.users[role])
        assert client.post(reverse("week_build_cancel", args=[build.pk])).status_code == 403
    build.refresh_from_db()
    assert build.status == "queued"


def test_a_district_re_solve_cancelled_mid_week_does_not_write_that_week(week, monkeypatch):
    run = DistrictSolve.objects.create(
        district=week.district, started_by=week.users["admin"], total=3, seconds_each=1
    )
    _during_the_solve(
        monkeypatch,
        lambda: DistrictSolve.objects.filter(pk=run.pk).update(
            status=DistrictSolve.Status.CANCELLED
        ),
    )
    assert district_solve.call(run_id=run.pk) == 3  # weeks queued (run inline here)
    run.refresh_from_db()  # the first week was cancelled during its solve, the rest before
    assert (run.status, run.done) == ("cancelled", 0)
    assert not ScheduleRun.objects.exists() and not WeeklySlot.objects.exists()
    assert _rebuilt_events() == 0


def test_a_move_of_a_session_a_build_replaced_meanwhile_is_refused(client, week):
    therapist = week.users["therapist"]
    client.force_login(therapist)
    client.post(reverse("week_build"), {"seconds": "2"})
    slot = WeeklySlot.objects.first()  # as the page showed it
    WeeklySlot.objects.filter(pk=slot.pk).delete()  # a build replaced it since
    with pytest.raises(ValidationError) as refused:
        weekly_slot_move(user=therapist, slot=slot, weekday=2, start_time=slot.start_time)
    assert "no longer in your week" in refused.value.messages[0]
    # From the page (its session looked up first): not found, nothing half-done.
    response = client.post(
        reverse("slot_move", args=[slot.pk]), {"weekday": "2", "start_time": "09:00"}
    )
    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_build_cancelled_while_it_solves_stops_its_solve(client, week, queued, monkeypatch):
    """The cancel reaches the solver within about a second (read from the database on a
    thread of the build's own), so the worker is not held to the build's time limit."""
    therapist = week.users["therapist"]
    client.force_login(therapist)
    client.post(reverse("week_build"), {"seconds": "60"})
    build = WeekBuild.objects.get()
    real = services.solve
    stopped = []

    def solve(instance, *, stop, **options):
        services.week_build_cancel(user=therapist, build_id=build.pk)  # committed at once
        stopped.append(stop.wait(timeout=10))  # the build's watcher sees it and says stop
        return real(instance, stop=stop, **options)

    monkeypatch.setattr(services, "solve", solve)
    started = time.perf_counter()
    week_build.call(build_id=build.pk)
    assert stopped == [True]
    assert time.perf_counter() - started < 30  # not the build's 60 s
    build.refresh_from_db()
    assert build.status == "cancelled"
    assert not ScheduleRun.objects.exists() and not WeeklySlot.objects.exists()
