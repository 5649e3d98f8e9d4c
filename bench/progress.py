"""Benchmark: every progress report of a 50-student caseload, drafted and rendered to PDF.

    .venv/bin/python bench/progress.py [--students 50]

Seeds the small district as of late in the school year (a year of goal data), moves students
onto the demo therapist's caseload until she has `--students` IEPs, then times drafting every
report of the current reporting period and rendering each (team and family versions) with
WeasyPrint, beside the time to render one trivial PDF in the same run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=50)
    args = parser.parse_args()
    os.environ.setdefault("SCHOOLOT_DATA_DIR", tempfile.mkdtemp(prefix="schoolot-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schoolot.settings")
    os.environ["SCHOOLOT_TASKS"] = "immediate"
    import django

    django.setup()
    from unittest import mock

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from weasyprint import HTML

    from schoolot.accounts.models import User
    from schoolot.directory.models import CaseloadAssignment, ReportingPeriod, Staff
    from schoolot.directory.seed import district_seed, school_year_bounds
    from schoolot.plans.models import Plan
    from schoolot.progress.models import ProgressReport
    from schoolot.progress.services import batch_start

    settings.ALLOWED_HOSTS.append("testserver")
    _fall, spring = school_year_bounds(dt.date.today())
    today = dt.date(spring, 5, 14)
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    district_seed(size="medium", seed=1, today=today)
    therapist = User.objects.get(username="therapist")
    staff = Staff.objects.get(user=therapist)
    mine = CaseloadAssignment.objects.filter(staff=staff, end_date__isnull=True)
    have = Plan.objects.filter(student__assignments__in=mine, status="active", kind="iep").count()
    extra = (
        Plan.objects.filter(status="active", kind="iep")
        .exclude(student__assignments__staff=staff)
        .values_list("student_id", flat=True)[: max(0, args.students - have)]
    )
    CaseloadAssignment.objects.bulk_create(
        CaseloadAssignment(
            district_id=staff.district_id,
            staff=staff,
            student_id=sid,
            start_date=today - dt.timedelta(days=200),
        )
        for sid in extra
    )
    with mock.patch("django.utils.timezone.localdate", return_value=today):
        period = ReportingPeriod.objects.filter(start_date__lte=today, end_date__gte=today).first()
        started = time.perf_counter()
        trivial = HTML(string="<p>x</p>").write_pdf()
        trivial_s = time.perf_counter() - started
        assert trivial.startswith(b"%PDF")

        started = time.perf_counter()
        batch = batch_start(user=therapist, period=period)
        draft_s = time.perf_counter() - started
        client = Client()
        client.force_login(therapist)
        reports = list(ProgressReport.objects.filter(period=period, author=staff))
        started = time.perf_counter()
        pages = 0
        for report in reports:
            for name in ("report_pdf", "report_family_pdf"):
                response = client.get(
                    f"/reports/{report.pk}/"
                    + ("report.pdf" if name == "report_pdf" else "family.pdf")
                )
                assert response.status_code == 200 and response.content.startswith(b"%PDF")
                pages += 1
        pdf_s = time.perf_counter() - started
    batch.refresh_from_db()
    print(f"caseload: {batch.total} IEPs; reports drafted: {len(reports)}")
    print(f"drafting all reports (batch): {draft_s:.1f} s")
    print(
        f"rendering {pages} PDFs (team and family versions): {pdf_s:.1f} s "
        f"({pdf_s / max(pages, 1) * 1000:.0f} ms each)"
    )
    print(
        f"total: {draft_s + pdf_s:.1f} s (target 60 s); one trivial PDF: "
        f"{trivial_s * 1000:.0f} ms (x{pdf_s / max(pages, 1) / trivial_s:.1f} per report)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
