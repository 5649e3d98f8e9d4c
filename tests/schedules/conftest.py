"""Fixtures of the schedules tests."""

import pytest


@pytest.fixture
def week(world):
    """The world with its therapist serving its elementary school (her week's school)."""
    world.staff["therapist"].schools.add(world.school)
    return world
