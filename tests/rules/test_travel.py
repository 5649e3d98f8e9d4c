"""The travel estimate: haversine distance and the driving-time rule (rules/travel.py)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schoolot.rules.travel import (
    DETOUR,
    EARTH_RADIUS_KM,
    KM_PER_MILE,
    PARK_MINUTES,
    TOWN_KMH,
    distance_km,
    drive_minutes,
    road_miles,
)

points = st.tuples(st.floats(-89.9, 89.9), st.floats(-180, 180))


def test_a_degree_of_latitude_is_a_180th_of_half_the_great_circle():
    # On the sphere of mean radius, one degree along a meridian is pi * R / 180 = 111.195 km.
    assert distance_km(a=(40.0, -75.0), b=(41.0, -75.0)) == pytest.approx(111.195, abs=1e-3)
    assert math.pi * EARTH_RADIUS_KM / 180 == pytest.approx(111.195, abs=1e-3)


def test_a_degree_of_longitude_shrinks_with_the_cosine_of_the_latitude():
    at_equator = distance_km(a=(0.0, 10.0), b=(0.0, 11.0))
    at_60 = distance_km(a=(60.0, 10.0), b=(60.0, 11.0))
    assert at_equator == pytest.approx(111.195, abs=1e-3)
    assert at_60 == pytest.approx(at_equator / 2, rel=1e-3)  # cos 60 = 1/2, nearly (small arc)


def test_two_schools_across_a_town():
    # Two points about 3.2 km apart (Philadelphia, a few blocks of latitude and longitude).
    km = distance_km(a=(39.9526, -75.1652), b=(39.9800, -75.1550))
    assert km == pytest.approx(3.16, abs=0.02)
    # 3.16 km x 1.2 = 3.8 road km at 35 km/h = 6.5 minutes, rounded up to 7, + 5 to park.
    assert drive_minutes(km=km) == 12


def test_the_driving_rule_from_its_parts():
    assert drive_minutes(km=0) == 0  # the same building
    assert drive_minutes(km=0.01) == PARK_MINUTES + 1  # next door: parking is most of it
    # 35 / 1.2 km in a straight line is 35 km of road: an hour at 35 km/h, not rounded past.
    assert drive_minutes(km=35 / DETOUR) == PARK_MINUTES + 60
    assert drive_minutes(km=35 / DETOUR / 2) == PARK_MINUTES + 30
    assert TOWN_KMH == 35.0


@given(points, points)
def test_distance_is_symmetric_and_never_more_than_half_the_globe(a, b):
    d = distance_km(a=a, b=b)
    assert d == pytest.approx(distance_km(a=b, b=a), abs=1e-6)
    assert 0 <= d <= math.pi * EARTH_RADIUS_KM + 1e-6


@given(st.floats(0, 200), st.floats(0, 200))
def test_farther_is_never_quicker(x, y):
    near, far = sorted((x, y))
    assert drive_minutes(km=near) <= drive_minutes(km=far)


@given(points, points, points)
def test_the_triangle_inequality_holds_for_distances(a, b, c):
    assert distance_km(a=a, b=c) <= distance_km(a=a, b=b) + distance_km(a=b, b=c) + 1e-6


def test_road_miles_for_the_mileage_log():
    # The mile is 1,760 yards of 0.9144 m (the international yard of 1959): 1.609344 km.
    assert KM_PER_MILE == 1760 * 0.9144 / 1000
    # The two Philadelphia schools above: 3.16 km x 1.2 = 3.79 road km = 2.36 miles -> 2.4.
    km = distance_km(a=(39.9526, -75.1652), b=(39.9800, -75.1550))
    assert road_miles(km=km) == 2.4
    assert road_miles(km=0) == 0.0  # the same building
    assert road_miles(km=1.609344 / 1.2) == 1.0  # a straight line of 1/1.2 mile: a road mile


@given(st.floats(0, 500), st.floats(0, 500))
def test_road_miles_never_shrink_with_the_distance(a, b):
    near, far = sorted((a, b))
    assert road_miles(km=near) <= road_miles(km=far)
