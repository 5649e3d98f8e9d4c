import uuid

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from schoolot.api.services import api_token_create
from tests.delivery.helpers import DAY, mandate_of


def token_for(user, *, days=90, name="warehouse") -> str:
    """A new API token's secret for `user`, made as her tokens page makes it."""
    request = RequestFactory().post("/account/api-tokens/")
    request.user = user
    return api_token_create(request=request, name=name, days=days)[1]


@pytest.fixture
def bearer():
    """Authorization headers carrying a new token of `user`'s."""

    def make(user, **kwargs):
        return {"Authorization": f"Bearer {token_for(user, **kwargs)}"}

    return make


def session_body(*students, **fields) -> dict:
    """A session of 9:00-9:30 yesterday for `students`, each against her OT mandate, as
    POST /api/v1/sessions takes it; `fields` replace or add the session's own fields."""
    return {
        "submission_key": str(uuid.uuid4()),
        "date": DAY.isoformat(),
        "start_time": "09:00",
        "end_time": "09:30",
        "setting": "therapy_room",
        "students": [{"student_id": s.pk, "mandate_id": mandate_of(s).pk} for s in students],
        **fields,
    }


def queries_of(client, url: str, headers: dict) -> int:
    """How many queries one successful GET of `url` makes."""
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, headers=headers).status_code == 200
    return len(ctx.captured_queries)
