"""Benchmark: the caseload and student pages on a seeded district, against a trivial view.

    .venv/bin/python bench/caseload.py [--size large] [--repeat 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/caseload.py

Seeds a fresh district into a temporary data directory (SQLite) or the given database (which
it empties first), then times each page through Django's test client, in-process, median of
`--repeat` requests, beside `/healthz` (one query) measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time


def median_ms(client, url: str, repeat: int) -> float:
    client.get(url)  # warm caches and connections
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="large", choices=["small", "medium", "large"])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    os.environ.setdefault("SCHOOLOT_DATA_DIR", tempfile.mkdtemp(prefix="schoolot-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolot.settings")
    os.environ.setdefault("SCHOOLOT_TESTING", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from schoolot.accounts.models import User
    from schoolot.directory.models import Student
    from schoolot.directory.seed import district_seed

    settings.ALLOWED_HOSTS.append("testserver")
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    district_seed(size=args.size, seed=1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics after a bulk load, as `schoolot seed` does
    seed_s = time.perf_counter() - started

    rows = []
    trivial = None
    for username in ["therapist", "supervisor", "admin", "teacher", "parent"]:
        client = Client()
        client.force_login(User.objects.get(username=username))
        if trivial is None:
            trivial = median_ms(client, "/healthz", args.repeat)
        from schoolot.core.access import students_visible_to

        user = User.objects.get(username=username)
        visible = students_visible_to(user=user)
        student = visible.order_by("pk").first()
        rows.append(
            (
                username,
                visible.count(),
                median_ms(client, "/caseload/", args.repeat),
                median_ms(client, f"/students/{student.pk}/", args.repeat),
            )
        )
    print(
        f"database: {connection.vendor}; size: {args.size} "
        f"({Student.objects.count()} students); seeded in {seed_s:.1f} s"
    )
    print(f"trivial view (/healthz): {trivial:.1f} ms median of {args.repeat}")
    print(
        f"{'login':<11} {'students':>8} {'caseload ms':>12} {'x trivial':>10} "
        f"{'student ms':>11} {'x trivial':>10}"
    )
    for username, n, caseload_ms, student_ms in rows:
        print(
            f"{username:<11} {n:>8} {caseload_ms:>12.1f} {caseload_ms / trivial:>10.1f} "
            f"{student_ms:>11.1f} {student_ms / trivial:>10.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
