import pytest
from django.test import RequestFactory

from schoolot.api.services import api_token_create


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
