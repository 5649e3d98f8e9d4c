"""Goal graphs, progress reports, GAS, PDFs (checked with pdftotext), the family version in
Spanish, the batch, and who sees what."""

import datetime as dt
import subprocess
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from schoolot.delivery.models import GoalDataPoint
from schoolot.delivery.services import GoalMeasure, SessionInput, StudentPart, session_log
from schoolot.directory.models import Guardian, ReportingPeriod, SchoolYear
from schoolot.plans.models import ServiceMandate
from schoolot.progress.graphs import goal_graph
from schoolot.progress.models import GasScale, ProgressReport, ReportBatch
from schoolot.progress.services import batch_start, report_draft, report_sign, report_update

TODAY = timezone.localdate()


@pytest.fixture
def period(world):
    year = SchoolYear.objects.get(district=world.district)
    return ReportingPeriod.objects.create(
        district=world.district,
        school_year=year,
        name="Quarter 2",
        start_date=TODAY - dt.timedelta(days=60),
        end_date=TODAY + dt.timedelta(days=10),
    )


def log_points(world, values, start_days_ago=50):
    own = world.students["own"]
    goal = own.plans.get().goals.get()
    mandate = ServiceMandate.objects.get(plan__student=own)
    day = TODAY - dt.timedelta(days=start_days_ago)
    for value in values:
        while day.weekday() > 4:
            day += dt.timedelta(days=1)
        session_log(
            user=world.users["therapist"],
            data=SessionInput(
                date=day,
                start_time=dt.time(9, 0),
                end_time=dt.time(9, 30),
                setting="classroom",
                parts=[
                    StudentPart(
                        student_id=own.pk,
                        mandate_id=mandate.pk,
                        measures=[GoalMeasure(goal_id=goal.pk, value=Decimal(value))],
                    )
                ],
                submission_key=uuid.uuid4(),
                sign=True,
            ),
        )
        day += dt.timedelta(days=7)
    return goal


class TestGraphs:
    def test_no_data_says_so(self, world):
        goal = world.students["own"].plans.get().goals.get()
        graph = goal_graph(goal=goal, on=TODAY)
        assert graph.status == "not_introduced" and "No data yet." in graph.notes
        assert "<title" in graph.svg and "<desc" in graph.svg

    def test_one_point(self, world):
        goal = log_points(world, [55])
        graph = goal_graph(goal=goal, on=TODAY)
        assert "1 data point: a trend needs at least 3." in graph.notes
        assert graph.trend is None and graph.svg.count("<circle") == 1

    def test_trend_aim_line_and_decision(self, world):
        goal = log_points(world, [40, 41, 40, 41, 40])  # flat under a rising aim line
        graph = goal_graph(goal=goal, on=TODAY)
        assert graph.trend is not None and graph.line is not None
        assert graph.decision == "change_intervention"
        assert graph.status == "not_progressing"
        assert "Aim line" in graph.svg and "Trend" in graph.svg

    def test_outside_dates_and_measurement_change(self, world):
        goal = log_points(world, [50, 60, 70])
        first = GoalDataPoint.objects.filter(goal=goal).order_by("date").first()
        # The goal was measured another way before: that point is not plotted.
        GoalDataPoint.objects.filter(pk=first.pk).update(measurement_type="percent_trials")
        graph = goal_graph(goal=goal, on=TODAY)
        assert any("another measurement type" in n for n in graph.notes)
        assert len(graph.points) == 2
        # A point dated before the plan began is outside the goal's dates.
        GoalDataPoint.objects.filter(pk=first.pk).update(
            measurement_type=goal.measurement_type, date=goal.plan.start_date - dt.timedelta(days=3)
        )
        graph = goal_graph(goal=goal, on=TODAY)
        assert any("outside the goal's dates" in n for n in graph.notes)
        assert len(graph.points) == 2


class TestReports:
    def test_draft_from_the_data(self, world, period):
        log_points(world, [50, 55, 60, 66])
        report = report_draft(
            user=world.users["therapist"], plan=world.students["own"].plans.get(), period=period
        )
        row = report.goals.get()
        assert report.sessions_delivered == 4
        assert report.sessions_mandated > 0 and report.minutes_required > 0
        assert f"attended 4 of {report.sessions_mandated} OT sessions" in row.narrative
        assert "latest measure" in row.narrative and "trend is rising" in row.narrative
        assert row.status in {"progressing_expected", "progressing_may_not_meet"}
        assert row.data_points == 4

    def test_a_day_her_school_alone_was_closed_is_not_required(self, world, period):
        """Her school's own closure (a water main break) lowers the minutes required of the
        period by that day's share; another school's closure does not."""
        from tests.factories import school_closure_make

        plan = world.students["own"].plans.get()
        draft = report_draft(user=world.users["therapist"], plan=plan, period=period)
        before = draft.minutes_required
        day = TODAY - dt.timedelta(days=20 + TODAY.weekday())  # a Monday in the period
        school_closure_make(school=world.other_school, day=day)
        draft = report_draft(user=world.users["therapist"], plan=plan, period=period)
        assert draft.minutes_required == before
        school_closure_make(school=world.school, day=day)
        draft = report_draft(user=world.users["therapist"], plan=plan, period=period)
        assert draft.minutes_required == before - 12  # a fifth of that week's 2 x 30

    def test_family_summary_in_spanish(self, world, period):
        log_points(world, [50, 55, 60])
        report = report_draft(
            user=world.users["therapist"], plan=world.students["own"].plans.get(), period=period
        )
        row = report.goals.get()
        assert row.parent_summary.startswith("En terapia ocupacional")
        assert "Jueguen con plastilina" in report.home_activities
        Guardian.objects.filter(student=world.students["own"]).update(preferred_language="en")
        report = report_draft(
            user=world.users["therapist"], plan=world.students["own"].plans.get(), period=period
        )
        assert report.goals.get().parent_summary.startswith("In OT")

    def test_edit_gas_sign_and_lock(self, world, period):
        log_points(world, [50, 55, 60])
        plan = world.students["own"].plans.get()
        goal = plan.goals.get()
        GasScale.objects.create(
            district=world.district,
            goal=goal,
            minus_2="-",
            minus_1="b",
            zero="e",
            plus_1="+",
            plus_2="++",
            importance=2,
            difficulty=1,
        )
        report = report_draft(user=world.users["therapist"], plan=plan, period=period)
        with pytest.raises(ValidationError):
            report_update(
                user=world.users["therapist"],
                report=report,
                goals={goal.pk: {"status": "x", "narrative": ""}},
                home_activities="",
            )
        report_update(
            user=world.users["therapist"],
            report=report,
            goals={
                goal.pk: {
                    "status": "progressing_expected",
                    "narrative": "Edited by the OT.",
                    "gas_level": 1,
                }
            },
            home_activities="Cut out shapes together.",
        )
        assert report.gas_t_score == Decimal("60.0")  # one goal at +1
        with pytest.raises(PermissionDenied):
            report_sign(user=world.users["cota"], report=report)
        report_sign(user=world.users["therapist"], report=report)
        with pytest.raises(ValidationError):
            report_update(
                user=world.users["therapist"], report=report, goals={}, home_activities="x"
            )
        again = report_draft(user=world.users["therapist"], plan=plan, period=period)
        assert again.goals.get().narrative == "Edited by the OT."  # signed: not redrafted

    def test_a_null_character_is_refused_in_place_with_the_text_kept(self, client, world, period):
        """A null character (pasted from some programs) cannot be stored (PostgreSQL refuses
        it): the page says so beside the field, keeps the text without it, saves nothing."""
        plan = world.students["own"].plans.get()
        report = report_draft(user=world.users["therapist"], plan=plan, period=period)
        row = report.goals.get()
        client.force_login(world.users["therapist"])
        response = client.post(
            reverse("report_detail", args=[report.pk]),
            {
                f"status-{row.goal_id}": "progressing_expected",
                f"narrative-{row.goal_id}": "Fine\x00 work.",
                "home_activities": "Play\x00dough.",
            },
        )
        assert response.status_code == 400
        page = response.content.decode()
        assert page.count("The text held a null character") == 2
        assert ">Fine work.</textarea>" in page and ">Playdough.</textarea>" in page
        report.refresh_from_db()
        assert "\x00" not in report.home_activities and report.home_activities != "Playdough."
        assert report.goals.get().narrative == row.narrative

    def test_batch_drafts_every_report(self, world, period):
        batch, new = batch_start(user=world.users["therapist"], period=period)
        assert new
        batch.refresh_from_db()
        assert batch.status == ReportBatch.Status.FINISHED
        assert batch.total == batch.done == 2  # her student and her COTA's
        assert ProgressReport.objects.count() == 2


def pdf_text(response, tmp_path):
    path = tmp_path / "r.pdf"
    path.write_bytes(response.content)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


class TestPdfsAndAccess:
    @pytest.fixture
    def signed(self, world, period):
        log_points(world, [50, 55, 60, 66])
        report = report_draft(
            user=world.users["therapist"], plan=world.students["own"].plans.get(), period=period
        )
        return report

    def test_team_pdf(self, client, world, signed, tmp_path):
        client.force_login(world.users["therapist"])
        text = pdf_text(client.get(reverse("report_pdf", args=[signed.pk])), tmp_path)
        assert "Occupational therapy progress report" in text
        assert "Quarter 2" in text and "attended 4 of" in text

    def test_family_pdf_in_spanish_and_only_when_signed(self, client, world, signed, tmp_path):
        client.force_login(world.users["parent"])
        url = reverse("report_family_pdf", args=[signed.pk])
        assert client.get(url).status_code == 404  # a draft
        report_sign(user=world.users["therapist"], report=signed)
        text = pdf_text(client.get(url), tmp_path)
        assert "Informe de progreso de terapia ocupacional" in text
        assert "Cómo puede ayudar en casa" in text
        assert client.get(reverse("report_pdf", args=[signed.pk])).status_code == 404
        html = client.get(
            reverse("student_progress", args=[world.students["own"].pk])
        ).content.decode()
        assert url in html

    @pytest.mark.parametrize("who", ["other_parent", "teacher", "other_therapist"])
    def test_others_see_nothing(self, client, world, signed, who):
        report_sign(user=world.users["therapist"], report=signed)
        client.force_login(world.users[who])
        assert client.get(reverse("report_family_pdf", args=[signed.pk])).status_code == 404
        assert client.get(reverse("report_detail", args=[signed.pk])).status_code == 404


def test_translations_complete_and_compiled():
    import gettext
    from pathlib import Path

    import schoolot

    root = Path(schoolot.__file__).parent / "locale" / "es" / "LC_MESSAGES"
    po = (root / "django.po").read_text()
    assert 'msgstr ""\n\n' not in po.split("\n\n", 1)[1] + "\n\n"
    catalog = gettext.GNUTranslations(open(root / "django.mo", "rb"))  # noqa: SIM115
    assert catalog.gettext("Goals and progress") == "Metas y progreso"
    assert catalog.gettext("has met this goal") == "ha alcanzado esta meta"


def test_a_period_that_is_not_an_id_is_not_found_and_no_period_drafts_nothing(
    client, world, period
):
    """Before: /reports/?period=abc and a batch posted with it were server errors."""
    client.force_login(world.users["therapist"])
    assert client.get(reverse("report_list"), {"period": "abc"}).status_code == 404
    assert client.post(reverse("batch_start"), {"period": "<x>"}).status_code == 404
    period.delete()
    response = client.post(reverse("batch_start"), follow=True)
    assert "no reporting period yet" in response.content.decode()
    assert not ReportBatch.objects.exists()


def test_one_batch_of_hers_a_period_at_a_time_until_it_stalls(client, world, period, queued):
    """A second "Draft all" while her batch is queued or running queues nothing; a batch
    that has not moved for its STALE (its worker lost) says so, the page stops polling, and
    a new batch may start."""
    client.force_login(world.users["therapist"])
    client.post(reverse("batch_start"), {"period": period.pk})
    html = client.post(reverse("batch_start"), {"period": period.pk}, follow=True)
    assert "Still drafting: 0 of 2 done; cancel it to start again." in html.content.decode()
    batch = ReportBatch.objects.get()
    page = client.get(reverse("report_list"), {"period": period.pk}).content.decode()
    assert "every 2s" in page and "No report has been drafted since" not in page

    old = timezone.now() - ReportBatch.STALE - dt.timedelta(minutes=1)
    ReportBatch.objects.filter(pk=batch.pk).update(progressed_at=old)
    page = client.get(reverse("report_list"), {"period": period.pk}).content.decode()
    assert "No report has been drafted since" in page and "every 2s" not in page
    client.post(reverse("batch_start"), {"period": period.pk})
    assert ReportBatch.objects.count() == 2
