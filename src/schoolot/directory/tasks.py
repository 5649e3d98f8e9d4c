"""Background work for caseloads (django-tasks: the database backend and its worker,
`schoolot db_worker`, in production)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task()
def cover_end_tell(*, student_ids: list[int], cover_staff_id: int, until: str) -> int:
    """Run the morning after a cover's last day (`until`, ISO): its notices
    (directory.services.cover_end_tell). Returns how many were told."""
    from schoolot.directory.services import cover_end_tell as tell

    return tell(
        student_ids=student_ids,
        cover_staff_id=cover_staff_id,
        until=dt.date.fromisoformat(until),
    )
