"""Background solving of many therapists' weeks (django-tasks; `schoolot db_worker`)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from schoolot.core.timezones import zone_get
from schoolot.directory.models import Staff
from schoolot.schedules.models import DistrictSolve, WeekBuild


@task()
def district_solve(run_id: int) -> int:
    """Queue one task per therapist's week (district_week_solve), so that every task worker,
    on however many machines, takes a share of the district's re-solve. Returns how many
    weeks were queued; none when the run was cancelled first."""
    from schoolot.schedules.services import team_therapists

    run = DistrictSolve.objects.select_related("started_by").get(pk=run_id)
    if run.cancelled_get():
        return 0
    staff_ids = list(team_therapists(user=run.started_by).values_list("pk", flat=True))
    # Her team as it is now (the count on the run was taken when it was started).
    DistrictSolve.objects.filter(pk=run_id).exclude(status=DistrictSolve.Status.CANCELLED).update(
        status=DistrictSolve.Status.RUNNING, total=len(staff_ids), progressed_at=timezone.now()
    )
    DistrictSolve.item_done(run_id, count=0)  # an empty team is done at once
    for staff_id in staff_ids:
        district_week_solve.enqueue(run_id=run_id, staff_id=staff_id)
    return len(staff_ids)


@task()
def district_week_solve(run_id: int, staff_id: int) -> bool:
    """One therapist's week of a district re-solve (district_solve): the week holding
    "today" in her district's time zone, as her own Build my week would be, in the run's
    time per week. Not solved when the run is cancelled, and not written when it is
    cancelled during the solve. Counted done on the run; the last week finishes the run.
    The teachers of the students whose times changed are told once the run ends, in one
    notification each for all its weeks (services.district_solve_teachers_notify): by the
    week that finishes it, or that ends after it was cancelled or failed. Whether the week
    was solved."""
    from schoolot.schedules.services import (
        district_solve_changes_record,
        district_solve_teachers_notify,
        week_solve_audited,
    )

    run = DistrictSolve.objects.select_related("started_by").get(pk=run_id)
    if run.cancelled_get():
        return False
    staff = Staff.objects.select_related("user", "district").get(pk=staff_id)
    on = timezone.localdate(timezone=zone_get(name=staff.district.time_zone))

    def teachers_told_at_the_end() -> None:
        status = DistrictSolve.objects.filter(pk=run_id).values_list("status", flat=True)
        if status.first() != DistrictSolve.Status.RUNNING:
            district_solve_teachers_notify(run_id=run_id, on=on)

    try:
        solved = week_solve_audited(
            staff=staff,
            actor=run.started_by,
            on=on,
            time_limit=run.seconds_each,
            what=f"weekly OT sessions rebuilt by the scheduler (district re-solve, "
            f"{staff.user.display_name}'s week)",
            context=run.request_context,
            cancelled=run.cancelled_get,
            teachers_told=lambda students: district_solve_changes_record(
                run_id=run_id, students=students
            ),
        )
    except Exception as exc:
        DistrictSolve.item_failed(run_id, error=f"{staff.user.display_name}'s week: {exc}")
        teachers_told_at_the_end()
        raise
    if solved is None:  # cancelled meanwhile
        teachers_told_at_the_end()
        return False
    DistrictSolve.item_done(run_id)
    teachers_told_at_the_end()
    return True


@task()
def week_build(build_id: int) -> int:
    """A therapist's Build my week (schedules.services.week_build_start), her own or asked
    for her (`started_by`, the actor of its audit events): her week of today in her
    district's time zone, in the build's time limit; not written if the build is cancelled
    before it is done."""
    from schoolot.schedules.services import week_solve_audited

    build = WeekBuild.objects.select_related("staff__user", "staff__district", "started_by").get(
        pk=build_id
    )
    staff = build.staff
    return WeekBuild.run_items(
        build_id,
        [staff],
        lambda staff: week_solve_audited(
            cancelled=build.cancelled_get,
            context=build.request_context,
            staff=staff,
            actor=build.started_by or staff.user,
            on=timezone.localdate(timezone=zone_get(name=staff.district.time_zone)),
            time_limit=build.seconds,
            what="weekly OT sessions rebuilt by the scheduler",
        ),
    )


@task()
def district_check(run_id: int) -> int:
    """Check each therapist's week against today's records in turn (schedules.week_check),
    keeping each result for the Schedules page; stop when cancelled."""
    from schoolot.schedules.services import team_therapists, week_check_save

    run = DistrictSolve.objects.select_related("started_by").get(pk=run_id)
    return DistrictSolve.run_items(
        run_id,
        team_therapists(user=run.started_by).select_related("district"),
        lambda staff: week_check_save(
            staff=staff, on=timezone.localdate(timezone=zone_get(name=staff.district.time_zone))
        ),
    )
