"""Fixtures of the schedules tests."""

import pytest


@pytest.fixture
def week(world):
    """The world with its therapist serving its elementary school (her week's school)."""
    world.staff["therapist"].schools.add(world.school)
    return world


@pytest.fixture
def queued(settings):
    """Tasks are queued, not run: as with a task worker that has not picked them up yet."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
