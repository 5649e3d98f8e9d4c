"""Background solving of many therapists' weeks (django-tasks; `schoolot db_worker`)."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone
from django_tasks import task

from schoolot.schedules.models import DistrictSolve


@task()
def district_solve(run_id: int) -> int:
    """Solve each therapist's week in turn, counting; stop when cancelled."""
    from schoolot.accounts.models import User
    from schoolot.schedules.services import team_therapists, week_solve

    run = DistrictSolve.objects.select_related("started_by").get(pk=run_id)
    if run.status == DistrictSolve.Status.CANCELLED:
        return 0
    DistrictSolve.objects.filter(pk=run_id).update(status=DistrictSolve.Status.RUNNING)
    done = 0
    try:
        for staff in team_therapists(user=run.started_by):
            if DistrictSolve.objects.filter(
                pk=run_id, status=DistrictSolve.Status.CANCELLED
            ).exists():
                return done
            week_solve(
                user=User.objects.get(pk=staff.user_id),
                on=timezone.localdate(),
                time_limit=run.seconds_each,
            )
            done += 1
            DistrictSolve.objects.filter(pk=run_id).update(done=F("done") + 1)
    except Exception as exc:
        DistrictSolve.objects.filter(pk=run_id).update(
            status=DistrictSolve.Status.FAILED, error=str(exc)[:300], finished_at=timezone.now()
        )
        raise
    DistrictSolve.objects.filter(pk=run_id).exclude(status=DistrictSolve.Status.CANCELLED).update(
        status=DistrictSolve.Status.FINISHED, finished_at=timezone.now()
    )
    return done
