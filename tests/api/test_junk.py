"""No API call answers junk with a server error: every operation of the schema called with
odd values in each query parameter, path id and body field, and with bodies that are not
what it takes. Each answer is a 4xx with a body that says what was wrong, or a 200."""

import json

import pytest

from tests.api.conftest import session_body
from tests.core.test_junk_input import JUNK

ODD = [*JUNK, None, [], {}, True, -(2**63), 2**64, 1.5]


def _valid_session(world) -> dict:
    return session_body(world.students["own"])


@pytest.fixture
def schema(client, db):
    return client.get("/api/v1/openapi.json").json()


def _check(response, what):
    assert response.status_code < 500, (what, response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert response.json()["detail"], what


def test_odd_query_values_and_ids(client, world, bearer, schema):
    headers = bearer(world.users["therapist"])
    own = world.students["own"].pk
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        params = [p["name"] for p in operations["get"].get("parameters", []) if p["in"] == "query"]
        for value in JUNK:
            url = path.replace("{student_id}", str(own))
            for name in params:
                response = client.get(url, {name: value}, headers=headers)
                _check(response, (path, name, value))
            if "{student_id}" in path and value.strip("-").isdigit():
                response = client.get(path.replace("{student_id}", value), headers=headers)
                _check(response, (path, value))


def test_odd_session_bodies(client, world, bearer):
    headers = bearer(world.users["therapist"])
    valid = _valid_session(world)
    for field in [*valid, "slot_id", "delivery_model", "plan_next"]:
        for value in ODD:
            body = {**_valid_session(world), field: value}
            response = client.post(
                "/api/v1/sessions", body, content_type="application/json", headers=headers
            )
            _check(response, (field, value))
    for field in ["student_id", "mandate_id", "attendance", "minutes", "missed_reason",
                  "makes_up_entry_id", "codes", "measures", "note"]:  # fmt: skip
        for value in ODD:
            body = _valid_session(world)
            body["students"][0][field] = value
            response = client.post(
                "/api/v1/sessions", body, content_type="application/json", headers=headers
            )
            _check(response, ("students[0]", field, value))
    for raw in ["", "null", "[]", "{", "x" * 5000, json.dumps({"students": "all"})]:
        response = client.post(
            "/api/v1/sessions", raw, content_type="application/json", headers=headers
        )
        _check(response, raw[:20])
