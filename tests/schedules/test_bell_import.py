"""Bell schedules from a spreadsheet (CSV): many schools' periods added at once, each row held
to the rules of a period added by hand, the whole file or nothing, every problem named by
its line and the text kept to correct; only administrators and OT supervisors."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from schoolot.schedules.bell_import import BellImportError, bell_periods_import
from schoolot.schedules.models import BellPeriod


def _csv(week, *rows, header="school,kind,name,grades,days,start,end"):
    return "\n".join([header, *rows]).format(
        elem=week.school.name, middle=week.other_school.name
    )


def test_a_file_adds_every_schools_periods(client, week):
    text = _csv(
        week,
        "{elem},core,Reading,K 1 2,,8:30,10:00",
        "{elem},Lunch,,,Mon Wed Fri,11:30 AM,12:00 PM",
        '{middle},specials,Art,"6, 7",tue,13:15,2:00 p.m.',
    )
    client.force_login(week.users["supervisor"])
    response = client.post(reverse("school_bells_import"), {"rows": text}, follow=True)
    assert "3 periods added; the next week built uses them." in response.content.decode()
    rows = list(
        BellPeriod.objects.order_by("school__name", "start").values_list(
            "school__name", "kind", "name", "grades", "weekdays", "start", "end"
        )
    )
    assert rows == [
        (week.school.name, "core", "Reading", "K,1,2", "", dt.time(8, 30), dt.time(10)),
        (week.school.name, "lunch", "", "", "0,2,4", dt.time(11, 30), dt.time(12)),
        (week.other_school.name, "specials", "Art", "6,7", "1", dt.time(13, 15), dt.time(14)),
    ]
    assert all(b.district_id == week.district.pk for b in BellPeriod.objects.all())


def test_one_bad_line_adds_nothing_and_every_problem_is_named(client, week):
    BellPeriod.objects.create(
        district=week.district,
        school=week.school,
        kind="core",
        name="Math",
        start=dt.time(9),
        end=dt.time(10),
    )
    text = _csv(
        week,
        "{elem},specials,Music,,,13:00,13:45",  # fine on its own
        "Nowhere High,core,,,,9:00,10:00",
        "{elem},nap,,,,10:00,10:30",
        "{elem},core,,,Mon Sat,10:00,10:30",
        "{elem},core,,,,half past,11:00",
        "{elem},core,Reading,,,9:30,10:30",  # over Math
        "{middle},core,,,,13:30,13:50",
        "{middle},core,,,,13:40,14:00",  # over the line above
    )
    client.force_login(week.users["admin"])
    response = client.post(reverse("school_bells_import"), {"rows": text})
    assert response.status_code == 400
    html = response.content.decode().replace("&#x27;", "'")
    assert "Nothing was added: 6 lines need fixing." in html
    assert "Line 3: no school of the district is named 'Nowhere High'." in html
    assert "Line 4: kind 'nap' is not one of core, specials, lunch, recess, other." in html
    assert "Line 5: days 'Mon Sat': name Monday to Friday, e.g. Mon Wed." in html
    assert "Line 6: start 'half past' is not a time such as 8:30 or 1:15 PM." in html
    assert "Line 7: start: " in html and "Math" in html
    assert "Line 9: start: " in html
    assert "Line 2:" not in html and "Line 8:" not in html
    assert BellPeriod.objects.count() == 1  # only the one before the import
    assert "Nowhere High,core" in html  # the text kept, to correct in place


def test_a_header_without_its_columns_is_refused(week):
    with pytest.raises(BellImportError) as refused:
        bell_periods_import(
            user=week.users["admin"], text=_csv(week, "{elem},core", header="school,kind,room")
        )
    assert refused.value.problems == [
        "Line 1: the header has no start, end column.",
        "Line 1: unknown column room; the columns are school, kind, name, grades, days, "
        "start, end.",
    ]


def test_a_school_of_another_district_is_not_found(week, elsewhere):
    text = _csv(week, f"{elsewhere.school.name},core,,,,9:00,10:00")
    with pytest.raises(BellImportError) as refused:
        bell_periods_import(user=week.users["admin"], text=text)
    # At most one of her own district's schools is suggested, never the other district's.
    assert refused.value.problems == [
        f"Line 2: no school of the district is named {elsewhere.school.name!r} "
        f"(did you mean {week.school.name!r}?)."
    ]
    assert not BellPeriod.objects.exists()


def test_a_file_saved_from_a_spreadsheet(client, week):
    text = _csv(week, "{elem},recess,,K,,12:00,12:20")
    upload = SimpleUploadedFile("bells.csv", ("\ufeff" + text).encode("utf-8"), "text/csv")
    client.force_login(week.users["supervisor"])
    response = client.post(reverse("school_bells_import"), {"rows": "", "file": upload})
    assert response.status_code == 302
    assert BellPeriod.objects.get().kind == "recess"


def test_a_file_not_in_utf8_says_how_to_save_it(client, week):
    upload = SimpleUploadedFile("bells.csv", "école,core".encode("utf-16"), "text/csv")
    client.force_login(week.users["supervisor"])
    response = client.post(reverse("school_bells_import"), {"file": upload})
    assert response.status_code == 400
    assert "Save the file as CSV UTF-8" in response.content.decode()


def test_empty_asks_for_the_periods(client, week):
    client.force_login(week.users["supervisor"])
    response = client.post(reverse("school_bells_import"), {"rows": "  "})
    assert response.status_code == 400
    assert "Paste the periods or choose a CSV file." in response.content.decode()


def test_only_administrators_and_supervisors_import(client, week):
    with pytest.raises(PermissionDenied):
        bell_periods_import(user=week.users["therapist"], text=_csv(week))
    for who in ("therapist", "teacher", "parent"):
        client.force_login(week.users[who])
        assert client.get(reverse("school_bells_import")).status_code == 403
    client.force_login(week.users["admin"])
    index = client.get(reverse("school_bells_index")).content.decode()
    assert reverse("school_bells_import") in index


def test_a_new_years_bells_replace_those_of_the_schools_in_the_file(client, week):
    for school in (week.school, week.other_school):
        BellPeriod.objects.create(
            district=week.district, school=school, kind="core", start=dt.time(9), end=dt.time(10)
        )
    text = _csv(week, "{elem},core,Reading,,,9:30,10:30")  # over last year's 9:00-10:00
    client.force_login(week.users["supervisor"])
    refused = client.post(reverse("school_bells_import"), {"rows": text})
    assert refused.status_code == 400 and BellPeriod.objects.count() == 2
    replaced = client.post(reverse("school_bells_import"), {"rows": text, "replace": "on"})
    assert replaced.status_code == 302
    assert sorted(BellPeriod.objects.values_list("school_id", "start")) == sorted(
        [(week.school.pk, dt.time(9, 30)), (week.other_school.pk, dt.time(9))]
    )  # the other school, not in the file, keeps its periods


def test_replacing_with_a_bad_file_keeps_the_old_bells(week):
    BellPeriod.objects.create(
        district=week.district, school=week.school, kind="core", start=dt.time(9), end=dt.time(10)
    )
    with pytest.raises(BellImportError):
        bell_periods_import(
            user=week.users["admin"], text=_csv(week, "{elem},core,,,,25:00,10:30"), replace=True
        )
    assert BellPeriod.objects.get().start == dt.time(9)


def test_a_school_named_almost_right_is_suggested(week):
    misspelt = week.school.name.replace("Elementary", "Elementry")
    with pytest.raises(BellImportError) as refused:
        bell_periods_import(
            user=week.users["admin"], text=_csv(week, f"{misspelt},core,,,,9:00,10:00")
        )
    assert refused.value.problems == [
        f"Line 2: no school of the district is named {misspelt!r} "
        f"(did you mean {week.school.name!r}?)."
    ]
