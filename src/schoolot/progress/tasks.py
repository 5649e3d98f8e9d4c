"""Background work for progress reports (django-tasks: the database backend and its worker,
`schoolot db_worker`, in production; run at once in the demo and the tests)."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone
from django_tasks import task

from schoolot.progress.models import ReportBatch


@task()
def reports_generate(batch_id: int) -> int:
    """Draft every report of the batch, counting as it goes; stops when cancelled."""
    from schoolot.progress.services import report_draft, reports_due

    batch = ReportBatch.objects.select_related("author__user", "period").get(pk=batch_id)
    if batch.status == ReportBatch.Status.CANCELLED:
        return 0
    ReportBatch.objects.filter(pk=batch_id).update(status=ReportBatch.Status.RUNNING)
    user = batch.author.user
    done = 0
    try:
        for plan in reports_due(user=user, period=batch.period):
            if ReportBatch.objects.filter(
                pk=batch_id, status=ReportBatch.Status.CANCELLED
            ).exists():
                return done
            report_draft(user=user, plan=plan, period=batch.period)
            done += 1
            ReportBatch.objects.filter(pk=batch_id).update(done=F("done") + 1)
    except Exception as exc:
        ReportBatch.objects.filter(pk=batch_id).update(
            status=ReportBatch.Status.FAILED, error=str(exc)[:300], finished_at=timezone.now()
        )
        raise
    ReportBatch.objects.filter(pk=batch_id).exclude(status=ReportBatch.Status.CANCELLED).update(
        status=ReportBatch.Status.FINISHED, finished_at=timezone.now()
    )
    return done
