"""Shared shapes of rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from django.db import models
from django.db.models import F
from django.utils import timezone

from schoolot.directory.models import DistrictOwned


class ProgressRun(DistrictOwned):
    """A background task over many items whose progress a page shows and a user may cancel.

    `progressed_at` is when it last moved (created, started, an item done or failed). A
    run still queued or running with no move for STALE is `stalled`: its task worker was
    probably lost (or the queue is far behind). The page says so and stops waiting; a new
    run may then be started."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        CANCELLED = "cancelled", "Cancelled"
        FAILED = "failed", "Failed"

    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progressed_at = models.DateTimeField(default=timezone.now)

    STALE = dt.timedelta(minutes=10)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.done}/{self.total} {self.get_status_display()}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)

    @property
    def running(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    @property
    def stalled(self) -> bool:
        """Queued or running, but not moved for STALE."""
        return self.running and self.progressed_at < timezone.now() - self.STALE

    @property
    def in_progress(self) -> bool:
        """Queued or running, and not stalled: what a page waits for, and what keeps a
        second run of the same work from starting."""
        return self.running and not self.stalled

    @classmethod
    def in_progress_get(cls, **whose):
        """The latest run matching `whose` (e.g. staff=...) if it is in progress, else None:
        the one a second start of the same work returns instead of queueing another."""
        latest = cls.objects.filter(**whose).first()
        return latest if latest is not None and latest.in_progress else None

    def cancelled_get(self) -> bool:
        """Whether the run has been cancelled since it started (read from the database)."""
        return type(self).objects.filter(pk=self.pk, status=self.Status.CANCELLED).exists()

    @classmethod
    def item_done(cls, run_id: int, *, count: int = 1) -> bool:
        """Count `count` items done on a run whose items are tasks of their own (any worker,
        any order); the one that completes the count marks the run finished, and is told so
        (True)."""
        rows = cls.objects.filter(pk=run_id)
        if count:
            rows.update(done=F("done") + count, progressed_at=timezone.now())
        return bool(
            rows.filter(status=cls.Status.RUNNING, done__gte=F("total")).update(
                status=cls.Status.FINISHED, finished_at=timezone.now()
            )
        )

    @classmethod
    def item_failed(cls, run_id: int, *, error: str) -> None:
        """Mark the run failed with `error` (the first one kept); its other items go on."""
        cls.objects.filter(pk=run_id).exclude(
            status__in=[cls.Status.CANCELLED, cls.Status.FAILED]
        ).update(
            status=cls.Status.FAILED,
            error=error[:300],
            finished_at=timezone.now(),
            progressed_at=timezone.now(),
        )

    @classmethod
    def run_items(cls, run_id: int, items: Iterable, work: Callable) -> int:
        """Call `work` on each item, counting on the row; stop when the row is cancelled;
        mark it finished, or failed with the error (and re-raise)."""
        rows = cls.objects.filter(pk=run_id)
        if rows.filter(status=cls.Status.CANCELLED).exists():
            return 0
        rows.update(status=cls.Status.RUNNING, progressed_at=timezone.now())
        done = 0
        try:
            for item in items:
                if rows.filter(status=cls.Status.CANCELLED).exists():
                    return done
                work(item)
                done += 1
                rows.update(done=F("done") + 1, progressed_at=timezone.now())
        except Exception as exc:
            rows.update(status=cls.Status.FAILED, error=str(exc)[:300], finished_at=timezone.now())
            raise
        rows.exclude(status=cls.Status.CANCELLED).update(
            status=cls.Status.FINISHED, finished_at=timezone.now()
        )
        return done
