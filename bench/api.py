"""Benchmark: the REST API on a seeded district with a school year of history.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/api.py
    .venv/bin/python bench/api.py --size small --repeat 5   # quick

Seeds the district as of `--today` (default: May 14 of this school year, so a year of
sessions exists) into the given database (emptied first; SQLite in a temporary directory by
default; `--reuse` keeps one already seeded), then times each read through Django's test
client with a bearer token, median of `--repeat` calls, beside `GET /api/v1/me` (the token
checked, nothing read) in the same run.
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
    from django.test import Client, RequestFactory

    from schoolot.accounts.models import User
    from schoolot.api.services import api_token_create
    from schoolot.delivery.models import SessionStudent
    from schoolot.directory.models import Student
    from schoolot.directory.seed import school_year_bounds

    fall, spring = school_year_bounds(dt.date.today())
    today = dt.date.fromisoformat(args.today) if args.today else dt.date(spring, 5, 14)
    seed_s = district_ready(size=args.size, today=today, reuse=args.reuse)

    def bearer(username: str) -> dict:
        request = RequestFactory().post("/")
        request.user = User.objects.get(username=username)
        return {
            "Authorization": f"Bearer {api_token_create(request=request, name='bench', days=30)[1]}"
        }

    client = Client()
    # The API reads "today" from the clock: pin it to the seeded date, tokens included.
    clock = mock.patch("django.utils.timezone.localdate", return_value=today)
    clock.start()
    admin, therapist = bearer("admin"), bearer("therapist")
    own = (
        Student.objects.filter(assignments__staff__user__username="therapist")
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    month = (today - dt.timedelta(days=30)).isoformat(), today.isoformat()
    calls = [
        ("me (baseline)", admin, "/api/v1/me"),
        ("students, district, page of 100", admin, "/api/v1/students?limit=100"),
        ("students, district, page of 500", admin, "/api/v1/students?limit=500"),
        ("students, district, last page", admin, "/api/v1/students?limit=100&offset=11000"),
        ("students, her caseload", therapist, "/api/v1/students"),
        ("student record", therapist, f"/api/v1/students/{own}"),
        ("student minutes ledger", therapist, f"/api/v1/students/{own}/minutes"),
        ("student service log, year", therapist, f"/api/v1/students/{own}/service-log"),
        ("minutes, district, page of 500", admin, "/api/v1/minutes?limit=500"),
        ("minutes, her caseload", therapist, "/api/v1/minutes"),
        ("due dates, district, 30 days", admin, "/api/v1/due?days=30"),
        ("billing, district, 30 days", admin, f"/api/v1/billing?start={month[0]}&end={month[1]}"),
    ]
    results = []
    page = Client()
    page.force_login(User.objects.get(username="admin"))
    started = time.perf_counter()
    assert page.get(f"/billing/?start={month[0]}&end={month[1]}").status_code == 200
    billing_page_ms = (time.perf_counter() - started) * 1000
    for label, headers, url in calls:

        def call(url=url, headers=headers):
            response = client.get(url, headers=headers)
            assert response.status_code == 200, (url, response.content[:200])

        results.append((label, median_ms(call, args.repeat), f"median of {args.repeat}"))
    clock.stop()

    print(
        f"database: {connection.vendor}; size {args.size}; as of {today}; seeded in {seed_s:.0f} s"
    )
    print(f"students {Student.objects.count()}, session records {SessionStudent.objects.count()}")
    results.append(("billing page (HTML)", billing_page_ms, "once"))
    base = results[0][1]
    for label, ms, how in results:
        print(f"{label:34} {ms:8.1f} ms {how:12}  x{ms / base:6.1f} the baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
