"""Ids and dates from a request: what is not one is no id (or the default), never a server
error. Before: a 20-digit id in a URL or a form was an OverflowError on SQLite, and
/today/?date=9999-12-31 an OverflowError computing the next day's link."""

import datetime as dt

import pytest
from django.urls import reverse

from schoolot.core.params import MAX_ID, date_parse, id_parse, ids_parse

TODAY = dt.date(2026, 12, 2)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("42", 42),
        (" 7 ", 7),
        (42, 42),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("99999999999999999999", None),
        ("0", None),
        ("-1", None),
        ("4.5", None),
        ("abc", None),
        ("", None),
        (None, None),
        ("٣", None),  # an Arabic-Indic digit: isdigit() says yes, no id says so
    ],
)
def test_id_parse(value, expected):
    assert id_parse(value) == expected


def test_ids_parse_keeps_the_ids_in_order():
    assert ids_parse(["3", "x", "1", "99999999999999999999", "2"]) == [3, 1, 2]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-11-30", dt.date(2026, 11, 30)),
        ("2040-12-01", dt.date(2040, 12, 1)),
        ("9999-12-31", TODAY),
        ("0001-01-01", TODAY),
        ("2026-02-30", TODAY),
        ("", TODAY),
        (None, TODAY),
    ],
)
def test_date_parse(value, expected):
    assert date_parse(value, default=TODAY) == expected


def test_a_20_digit_id_in_a_url_is_not_found(client, world):
    client.force_login(world.users["admin"])
    assert client.get("/students/99999999999999999999/").status_code == 404
    own = world.students["own"]
    assert client.get(reverse("student_detail", args=[own.pk])).status_code == 200


def test_today_far_from_now_shows_today(client, world):
    client.force_login(world.users["therapist"])
    for far in ("9999-12-31", "0001-01-01"):
        response = client.get(reverse("today"), {"date": far})
        assert response.status_code == 200
        assert response.context["is_today"]


def test_a_20_digit_student_in_the_session_form_is_no_student(client, world):
    client.force_login(world.users["therapist"])
    response = client.post(reverse("session_new"), {"students": "99999999999999999999"})
    assert response.status_code == 200  # the picker again: no student chosen
