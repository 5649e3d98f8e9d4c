"""Driving time between two schools, estimated from where they are.

Contract:
- `distance_km(a=, b=)`: the great-circle distance in km between two (latitude, longitude)
  points in degrees (haversine, on a sphere of the Earth's mean radius, 6371.0088 km, IUGG).
- `drive_minutes(km=)`: the minutes a school therapist needs from one school's office to
  the next's for a straight-line distance of `km`: the road is about 1.2 times the straight
  line (Ballou, Rahardja and Sakai 2002, "Selection of a circuity factor", U.S. average),
  driven at 35 km/h on town roads with their lights and stops, plus 5 minutes to park, walk
  in and sign in. Rounded up: arriving late costs a session, arriving early does not.
- `road_miles(km=)`: the road miles a therapist drives between two schools `km` apart in a
  straight line, for her mileage log: the same 1.2 circuity, in statute miles (1.609344 km
  by definition, the international yard of 1959), to a tenth of a mile, as mileage forms
  ask. Rounded to the nearest tenth: an estimate, not a claim to the yard.
It is an estimate for pairs nobody has entered; a district's own travel matrix wins.
"""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088
DETOUR = 1.2  # road km per straight-line km
TOWN_KMH = 35.0
PARK_MINUTES = 5
KM_PER_MILE = 1.609344


def distance_km(*, a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between (latitude, longitude) points `a` and `b`, in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def drive_minutes(*, km: float) -> int:
    """Minutes from one school to another `km` apart in a straight line (0 km: 0 minutes,
    the same building)."""
    if km <= 0:
        return 0
    return PARK_MINUTES + math.ceil(km * DETOUR / TOWN_KMH * 60 - 1e-9)


def road_miles(*, km: float) -> float:
    """Road miles, to a tenth, for a straight-line distance of `km` (0 km: 0 miles)."""
    if km <= 0:
        return 0.0
    return round(km * DETOUR / KM_PER_MILE, 1)
