"""Benchmark: the compliance dashboards on the large district with a school year of history.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/compliance.py
    .venv/bin/python bench/compliance.py --size small --today 2027-05-20 --repeat 5   # quick

Seeds the district as of `--today` (default: late in the school year, so a year of sessions
exists) into the given database (emptied first; SQLite in a temporary directory by default),
then times the district dashboard and a therapist's dashboard (median of `--repeat` requests
through Django's test client) and, in the same run, a naive computation of the same figures
(per student: its own queries for mandates and entries), checking both give the same numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time

from _district import district_ready, django_setup, median_ms


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="large", choices=["small", "medium", "large"])
    parser.add_argument("--today", default=None, help="seed and measure as of this date")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    args = parser.parse_args()

    django_setup()
    from unittest import mock

    from django.db import connection
    from django.test import Client

    from schoolot.accounts.models import User
    from schoolot.compliance import ledger as ledger_module
    from schoolot.compliance.dashboards import district_dashboard
    from schoolot.delivery.models import Session, SessionStudent
    from schoolot.directory.models import Student
    from schoolot.directory.seed import school_year_bounds
    from schoolot.rules import minutes as rules

    fall, spring = school_year_bounds(dt.date.today())
    today = dt.date.fromisoformat(args.today) if args.today else dt.date(spring, 5, 14)
    seed_s = district_ready(size=args.size, today=today, reuse=args.reuse)

    admin = User.objects.get(username="admin")
    therapist = User.objects.get(username="therapist")
    # The pages read "today" from the clock: pin it to the seeded date.
    with mock.patch("django.utils.timezone.localdate", return_value=today):
        admin_client, therapist_client = Client(), Client()
        admin_client.force_login(admin)
        therapist_client.force_login(therapist)

        def district_page():
            assert admin_client.get("/dashboard/").status_code == 200

        def therapist_page():
            assert therapist_client.get("/dashboard/").status_code == 200

        district_ms = median_ms(district_page, args.repeat)
        therapist_ms = median_ms(therapist_page, args.repeat)

        # The same figures, twice: the dashboard's way and a naive per-student way.
        rows = district_dashboard(user=admin, on=today)
        fast = {
            r.school.pk: (r.total.required, r.total.covered, r.total.owed, r.total.expected_by_now)
            for r in rows
        }

        def naive():
            cal = ledger_module.district_calendar(district_id=admin.district_id, on=today)
            sums = {}
            for student in Student.objects.filter(district_id=admin.district_id):
                lines = ledger_module.mandate_lines(
                    students=Student.objects.filter(pk=student.pk), on=today, cal=cal
                )
                total = sums.setdefault(student.school_id, rules.LedgerSum())
                for ml in lines:
                    total.add(ml.line)
            return {k: (v.required, v.covered, v.owed, v.expected_by_now) for k, v in sums.items()}

        started = time.perf_counter()
        slow = naive()
        naive_ms = (time.perf_counter() - started) * 1000
    same = all(fast.get(k, (0, 0, 0, 0)) == v for k, v in slow.items()) and all(
        slow.get(k, (0, 0, 0, 0)) == v for k, v in fast.items()
    )

    print(
        f"database: {connection.vendor}; size {args.size}; as of {today}; seeded in {seed_s:.0f} s"
    )
    print(
        f"students {Student.objects.count()}, sessions {Session.objects.count()}, "
        f"session records (student parts) {SessionStudent.objects.count()}"
    )
    print(f"district dashboard: {district_ms:.0f} ms median of {args.repeat} (target 1000 ms)")
    print(f"therapist dashboard: {therapist_ms:.0f} ms median of {args.repeat} (target 150 ms)")
    print(
        f"naive per-student computation of the district figures: {naive_ms:.0f} ms "
        f"(x{naive_ms / district_ms:.1f} the dashboard)"
    )
    print(f"same numbers: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
