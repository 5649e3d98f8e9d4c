"""A district re-solve is one task per therapist's week, so that task workers on several
machines share it: any worker takes any week, in any order; the run counts each week done
and the last one finishes it; a week that fails marks the run failed with her name and the
others still go on; a cancelled run's weeks left in the queue are not solved."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend

from schoolot.schedules import services
from schoolot.schedules.models import DistrictSolve, ScheduleRun
from schoolot.schedules.tasks import district_solve, district_week_solve


def _queued_weeks() -> list[dict]:
    return [r.kwargs for r in default_task_backend.results if r.task.name == "district_week_solve"]


def test_each_week_is_a_task_of_its_own_and_the_last_finishes_the_run(client, week, queued):
    client.force_login(week.users["supervisor"])
    client.post(reverse("schedules_district_start"))
    run = DistrictSolve.objects.get()
    assert run.status == "queued" and run.total == 2  # her OTR and COTA

    assert district_solve.call(run_id=run.pk) == 2
    weeks = _queued_weeks()
    team = {week.staff["therapist"].pk, week.staff["cota"].pk}
    assert {w["staff_id"] for w in weeks} == team and {w["run_id"] for w in weeks} == {run.pk}
    run.refresh_from_db()
    assert (run.status, run.done) == ("running", 0)

    # Two workers take them, the second week first.
    assert district_week_solve.call(**weeks[1]) is True
    run.refresh_from_db()
    assert (run.status, run.done) == ("running", 1)
    html = client.get(reverse("schedules_district")).content.decode()
    assert "1 of 2 weeks solved" in html and "Cancel" in html
    assert district_week_solve.call(**weeks[0]) is True
    run.refresh_from_db()
    assert (run.status, run.done) == ("finished", 2) and run.finished_at is not None
    assert ScheduleRun.objects.filter(staff_id__in=team).count() == 2


def test_a_week_that_fails_marks_the_run_and_the_others_go_on(week, queued, monkeypatch):
    run = DistrictSolve.objects.create(
        district=week.district, started_by=week.users["supervisor"], total=2, seconds_each=1
    )
    district_solve.call(run_id=run.pk)
    real = services.week_solve

    def week_solve(*, user, **options):
        if user == week.users["cota"]:
            raise RuntimeError("no solver today")
        return real(user=user, **options)

    monkeypatch.setattr(services, "week_solve", week_solve)
    weeks = sorted(_queued_weeks(), key=lambda w: w["staff_id"] != week.staff["cota"].pk)
    with pytest.raises(RuntimeError):
        district_week_solve.call(**weeks[0])  # the worker records the task's failure too
    assert district_week_solve.call(**weeks[1]) is True
    run.refresh_from_db()
    assert run.status == "failed" and run.done == 1
    assert run.error == f"{week.users['cota'].display_name}'s week: no solver today"
    assert ScheduleRun.objects.get().staff == week.staff["therapist"]


def test_weeks_of_a_cancelled_run_left_in_the_queue_are_not_solved(client, week, queued):
    client.force_login(week.users["supervisor"])
    client.post(reverse("schedules_district_start"))
    run = DistrictSolve.objects.get()
    district_solve.call(run_id=run.pk)
    client.post(reverse("schedules_district_cancel", args=[run.pk]))
    assert [district_week_solve.call(**w) for w in _queued_weeks()] == [False, False]
    run.refresh_from_db()
    assert (run.status, run.done) == ("cancelled", 0)
    assert not ScheduleRun.objects.exists()


def test_a_team_of_nobody_is_done_at_once(world):
    run = DistrictSolve.objects.create(
        district=world.district, started_by=world.users["admin"], total=5
    )
    world.staff["therapist"].user.__class__.objects.filter(role="therapist").update(
        is_active=False
    )
    assert district_solve.call(run_id=run.pk) == 0
    run.refresh_from_db()
    assert (run.status, run.total, run.done) == ("finished", 0, 0)


def test_one_run_of_hers_at_a_time_until_it_stalls(client, week, queued):
    """A second start while her run is going queues nothing (two re-solves of the same weeks
    would race). A run that has not moved for its STALE (a worker lost with its weeks) says
    so, the page stops waiting for it, and a new run may start."""
    client.force_login(week.users["supervisor"])
    client.post(reverse("schedules_district_start"))
    run = DistrictSolve.objects.get()
    district_solve.call(run_id=run.pk)
    html = client.post(reverse("schedules_district_start"), follow=True).content.decode()
    assert "Your last run is still going (0 of 2 weeks solved)" in html
    assert DistrictSolve.objects.count() == 1 and len(_queued_weeks()) == 2

    # One week done just now: it moved, so it is not stalled however old it is.
    old = timezone.now() - DistrictSolve.STALE - dt.timedelta(minutes=1)
    DistrictSolve.objects.filter(pk=run.pk).update(created_at=old, progressed_at=old)
    assert district_week_solve.call(**_queued_weeks()[0]) is True
    run.refresh_from_db()
    assert run.in_progress and not run.stalled
    page = client.get(reverse("schedules_district")).content.decode()
    assert "hx-trigger=\"every 2s\"" in page and "No week has finished since" not in page

    # Then nothing for longer than STALE: the worker holding the other week was lost.
    DistrictSolve.objects.filter(pk=run.pk).update(progressed_at=old)
    page = client.get(reverse("schedules_district")).content.decode()
    assert "No week has finished since" in page and "every 2s" not in page
    assert "Cancel" in page  # still running as far as the row knows; she may cancel it
    client.post(reverse("schedules_district_start"))
    assert DistrictSolve.objects.count() == 2


def test_a_supervisor_and_an_administrator_each_have_their_own_run(client, week, queued):
    for role in ("supervisor", "admin"):
        client.force_login(week.users[role])
        client.post(reverse("schedules_district_start"))
    assert DistrictSolve.objects.count() == 2
