"""Background solving of many therapists' weeks (django-tasks; `schoolot db_worker`)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from schoolot.core.timezones import zone_get
from schoolot.schedules.models import DistrictSolve, WeekBuild


@task()
def district_solve(run_id: int) -> int:
    """Solve each therapist's week in turn, counting; stop when cancelled (the week being
    solved then is not written). Each week is the one holding "today" in her district's time
    zone, as her own Build my week would be."""
    from schoolot.schedules.services import team_therapists, week_solve_audited

    run = DistrictSolve.objects.select_related("started_by").get(pk=run_id)
    return DistrictSolve.run_items(
        run_id,
        team_therapists(user=run.started_by).select_related("user", "district"),
        lambda staff: week_solve_audited(
            cancelled=run.cancelled_get,
            context=run.request_context,
            staff=staff,
            actor=run.started_by,
            on=timezone.localdate(timezone=zone_get(name=staff.district.time_zone)),
            time_limit=run.seconds_each,
            what=f"weekly OT sessions rebuilt by the scheduler (district re-solve, "
            f"{staff.user.display_name}'s week)",
        ),
    )


@task()
def week_build(build_id: int) -> int:
    """A therapist's own Build my week (schedules.services.week_build_start): her week of
    today in her district's time zone, in the build's time limit; not written if she
    cancels the build before it is done."""
    from schoolot.schedules.services import week_solve_audited

    build = WeekBuild.objects.select_related("staff__user", "staff__district").get(pk=build_id)
    staff = build.staff
    return WeekBuild.run_items(
        build_id,
        [staff],
        lambda staff: week_solve_audited(
            cancelled=build.cancelled_get,
            context=build.request_context,
            staff=staff,
            actor=staff.user,
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
