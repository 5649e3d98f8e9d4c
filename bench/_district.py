"""What the benchmarks share: Django set up on a temporary data directory (SQLite) or
DATABASE_URL, a seeded district, and a median of timed calls."""

from __future__ import annotations

import os
import statistics
import tempfile
import time


def django_setup() -> None:
    """Django on SCHOOLOT_DATA_DIR (a new temporary directory unless set), the test
    client's host allowed."""
    os.environ.setdefault("SCHOOLOT_DATA_DIR", tempfile.mkdtemp(prefix="schoolot-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolot.settings")
    os.environ.setdefault("SCHOOLOT_TESTING", "1")
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS.append("testserver")


def district_ready(*, size: str, today=None, reuse: bool = False) -> float:
    """The database migrated and holding one seeded district (emptied and seeded afresh
    unless `reuse` and a district is there), with fresh planner statistics on PostgreSQL,
    as `schoolot seed` leaves it; the seconds the seeding took (0 when reused)."""
    from django.core.management import call_command
    from django.db import connection

    from schoolot.directory.models import Student
    from schoolot.directory.seed import district_seed

    call_command("migrate", verbosity=0)
    seed_s = 0.0
    if not (reuse and Student.objects.exists()):
        call_command("flush", interactive=False, verbosity=0)
        started = time.perf_counter()
        district_seed(size=size, seed=1, today=today)
        seed_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics after a bulk load
    return seed_s


def median_ms(fn, repeat: int) -> float:
    """The median of `repeat` timed calls of `fn`, after one untimed call (warm caches)."""
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)
