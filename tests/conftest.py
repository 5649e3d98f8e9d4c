import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from hypothesis import settings as hypothesis_settings

from tests.factories import World, world_make

# Timings vary on shared CI machines; correctness, not speed, is what property tests check.
hypothesis_settings.register_profile("schoolot", deadline=None)
hypothesis_settings.load_profile("schoolot")


# The district's date when the test modules were collected: many keep it as TODAY.
RUN_DAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _same_day():
    """A run that crosses midnight in the district's time zone goes on at noon of the day
    it began, so that the TODAY the modules read at collection is still today for the code
    they test. Runs within one day are untouched."""
    if timezone.localdate() == RUN_DAY:
        yield
        return
    noon = dt.datetime.combine(RUN_DAY, dt.time(12), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(noon, tick=True):
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Static files straight from the apps (no collectstatic manifest in tests).
    settings.SCHOOLOT_SOLVE_SECONDS = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Logins in tests need not cost a real password hash each.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]


@pytest.fixture
def world(db) -> World:
    """District "north", with every role and relationship (see tests/factories.py)."""
    return world_make(name="north")


@pytest.fixture
def elsewhere(db) -> World:
    """A second district, "south", built the same way: nobody may cross to it."""
    return world_make(name="south")


@pytest.fixture
def queued(settings):
    """Tasks are queued, not run: as with a task worker that has not picked them up yet."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
