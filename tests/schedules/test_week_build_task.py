"""Build my week runs as a task (schedules.tasks.week_build) so a solve of up to a minute is
not a web request: My week shows the build running and polls until it is done; one build of
hers at a time; a build a lost worker never finished does not block the next one. With the
immediate backend (the demo, the tests' default) the page shows the result at once."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from schoolot.audit.models import AuditAction, AuditEvent
from schoolot.delivery.models import WeeklySlot
from schoolot.schedules.models import ScheduleRun, WeekBuild
from schoolot.schedules.tasks import week_build


def test_a_build_runs_as_a_task_and_the_page_follows_it(client, week, queued):
    therapist = week.users["therapist"]
    client.force_login(therapist)
    response = client.post(reverse("week_build"), {"seconds": "3"}, follow=True)
    build = WeekBuild.objects.get()
    assert (build.status, build.total, build.seconds) == ("queued", 1, 3.0)
    assert not ScheduleRun.objects.exists()  # not solved in the request
    html = response.content.decode()
    assert "Building your week (up to 3 s)" in html
    assert f'hx-get="{reverse("slot_list")}?partial=building"' in html

    # A second click while it runs queues nothing more.
    again = client.post(reverse("week_build"), follow=True).content.decode()
    assert WeekBuild.objects.count() == 1 and "Your week is being built" in again

    polled = client.get(reverse("slot_list"), {"partial": "building"}, HTTP_HX_REQUEST="true")
    assert polled.status_code == 200 and 'id="building"' in polled.content.decode()
    assert "HX-Refresh" not in polled

    # The worker runs it: her week is built, the trail names her, the poll reloads the page.
    assert week_build.call(build_id=build.pk) == 1
    build.refresh_from_db()
    assert build.status == "finished" and build.done == 1
    run = ScheduleRun.objects.get()
    assert run.placed_minutes == run.required_minutes > 0
    placed = {s for slot in WeeklySlot.objects.all() for s in slot.students.all()}
    rebuilt = AuditEvent.objects.filter(what="weekly OT sessions rebuilt by the scheduler")
    assert {e.student for e in rebuilt} == placed
    assert {(e.actor_id, e.action) for e in rebuilt} == {(therapist.pk, AuditAction.UPDATE)}
    polled = client.get(reverse("slot_list"), {"partial": "building"}, HTTP_HX_REQUEST="true")
    assert polled["HX-Refresh"] == "true"
    page = client.get(reverse("slot_list")).content.decode()
    assert "Building your week" not in page and "Last build" in page


def test_a_build_a_lost_worker_never_ran_does_not_block_the_next(client, week, queued):
    stale = WeekBuild.objects.create(district=week.district, staff=week.staff["therapist"])
    WeekBuild.objects.filter(pk=stale.pk).update(
        progressed_at=timezone.now() - dt.timedelta(minutes=11)
    )
    client.force_login(week.users["therapist"])
    page = client.get(reverse("slot_list")).content.decode()
    assert "Building your week" not in page  # nor does the page wait for it
    polled = client.get(reverse("slot_list"), {"partial": "building"}, HTTP_HX_REQUEST="true")
    assert polled["HX-Refresh"] == "true"
    client.post(reverse("week_build"))
    assert WeekBuild.objects.count() == 2


def test_with_the_immediate_backend_the_result_shows_at_once(client, week):
    client.force_login(week.users["therapist"])
    html = client.post(reverse("week_build"), {"seconds": "2"}, follow=True).content.decode()
    assert WeekBuild.objects.get().status == "finished"
    assert "Week rebuilt:" in html and "Building your week" not in html


def test_only_a_therapist_builds_and_polls_her_own_week(client, week, queued):
    WeekBuild.objects.create(district=week.district, staff=week.staff["therapist"], total=1)
    client.force_login(week.users["other_therapist"])
    polled = client.get(reverse("slot_list"), {"partial": "building"}, HTTP_HX_REQUEST="true")
    assert "Building your week" not in polled.content.decode()  # not hers to see
    for role in ("teacher", "supervisor", "parent"):
        client.force_login(week.users[role])
        assert client.post(reverse("week_build")).status_code == 403
    assert WeekBuild.objects.count() == 1


def test_a_build_records_what_its_week_costs_and_the_pages_say_it(client, week, monkeypatch):
    """The scorer's count of the week it built (the rotation aside), kept on the run: My
    week says it under the build, the Schedules page beside each therapist."""
    from schoolot.schedules import services
    from schoolot.schedules.services import WEEK_COST_KEYS

    real, scored = services.score, []

    def scorer(instance, schedule):  # the scorer's own count, as the build takes it
        scored.append(real(instance, schedule))
        return scored[-1]

    monkeypatch.setattr(services, "score", scorer)
    client.force_login(week.users["therapist"])
    page = client.post(reverse("week_build"), {"seconds": "2"}, follow=True).content.decode()
    run = ScheduleRun.objects.get()
    assert run.week_cost == {key: getattr(scored[0], key) for key in WEEK_COST_KEYS}
    assert f"The week it built: {run.driving} driving between schools" in page
    client.force_login(week.users["supervisor"])
    district = client.get(reverse("schedules_district")).content.decode()
    assert f"<td>{run.driving}</td>" in district
    assert f"<td>{run.week_cost['core_missed']} min</td>" in district


def test_the_driving_of_a_week_in_words():
    assert ScheduleRun(week_cost={"travel_minutes": 0}).driving == "0 min"
    assert ScheduleRun(week_cost={"travel_minutes": 45}).driving == "45 min"
    assert ScheduleRun(week_cost={"travel_minutes": 125}).driving == "2 h 05 min"
    assert ScheduleRun(week_cost={}).driving == ""  # a run from before it was recorded
