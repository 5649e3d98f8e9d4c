"""Every page needs a login, save a short, named list: the login pages, the health check,
the calendar feeds (their secret address is their key) and the API, whose every operation
answers 401 itself without a token or a staff login. A new view that forgets this fails
here, not in production."""

from django.urls import URLPattern, URLResolver, get_resolver

OPEN = {"login", "admin:login", "healthz", "calendar_feed"}
# The API's schema and docs say how to call it and hold no record.
API_PUBLIC = {"api-v1:api-root", "api-v1:openapi-json", "api-v1:openapi-view"}


def _patterns(resolver, namespace=""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _patterns(p, inner)
        elif isinstance(p, URLPattern):
            name = f"{namespace}{p.name}" if p.name else str(p.pattern)
            yield name, p.pattern, p.callback


def _open_views() -> dict:
    """Name: pattern of every view LoginRequiredMiddleware lets through without a login."""
    return {
        name: pattern
        for name, pattern, callback in _patterns(get_resolver())
        if not getattr(callback, "login_required", True)
    }


def test_only_the_named_views_are_open(db):
    open_views = set(_open_views())
    assert {n for n in open_views if not n.startswith("api-v1:")} == OPEN


def test_every_api_operation_answers_401_to_a_stranger(client, db):
    """Each operation of the API's schema, called as it is described but with no token and
    no login, is refused before it reads or writes anything."""
    assert {n for n in _open_views() if n.startswith("api-v1:")} - API_PUBLIC  # it is there
    schema = client.get("/api/v1/openapi.json").json()
    called = 0
    for path, operations in schema["paths"].items():
        url = path.replace("{student_id}", "1")
        for method in operations:
            response = getattr(client, method)(url, {}, content_type="application/json")
            assert response.status_code == 401, (method, path, response.status_code)
            called += 1
    assert called >= 6
