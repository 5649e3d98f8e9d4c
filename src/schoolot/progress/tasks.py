"""Background work for progress reports (django-tasks: the database backend and its worker,
`schoolot db_worker`, in production; run at once in the demo and the tests)."""

from __future__ import annotations

from django_tasks import task

from schoolot.progress.models import ReportBatch


@task()
def reports_generate(batch_id: int) -> int:
    """Draft every report of the batch, counting as it goes; stops when cancelled."""
    from schoolot.progress.services import report_draft, reports_due

    batch = ReportBatch.objects.select_related("author__user", "period").get(pk=batch_id)
    user = batch.author.user
    return ReportBatch.run_items(
        batch_id,
        reports_due(user=user, period=batch.period),
        lambda plan: report_draft(user=user, plan=plan, period=batch.period),
    )
