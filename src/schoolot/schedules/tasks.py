"""Background solving of many therapists' weeks (django-tasks; `schoolot db_worker`)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from schoolot.core.timezones import zone_get
from schoolot.schedules.models import DistrictSolve


@task()
def district_solve(run_id: int) -> int:
    """Solve each therapist's week in turn, counting; stop when cancelled. Each week is the
    one holding "today" in her district's time zone, as her own Build my week would be."""
    from schoolot.audit.models import AuditAction
    from schoolot.audit.services import audit_events_record
    from schoolot.schedules.selectors import (
        weekly_sessions_by_student_get,
        weekly_sessions_changed,
    )
    from schoolot.schedules.services import team_therapists, week_solve

    run = DistrictSolve.objects.select_related("started_by").get(pk=run_id)

    def solve(staff):
        before = weekly_sessions_by_student_get(staff=staff)
        week = week_solve(
            user=staff.user,
            on=timezone.localdate(timezone=zone_get(name=staff.district.time_zone)),
            time_limit=run.seconds_each,
        )
        # In the trail of each student whose sessions changed, as the one who started it.
        audit_events_record(
            actor=run.started_by,
            students=weekly_sessions_changed(
                before=before, after=weekly_sessions_by_student_get(staff=staff)
            ),
            action=AuditAction.UPDATE,
            what=f"weekly OT sessions rebuilt by the scheduler (district re-solve, "
            f"{staff.user.display_name}'s week)",
        )
        return week

    return DistrictSolve.run_items(
        run_id, team_therapists(user=run.started_by).select_related("user", "district"), solve
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
