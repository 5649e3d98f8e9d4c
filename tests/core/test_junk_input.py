"""No page answers junk with a server error: the demo district crawled as each role, every
form found posted (and every GET form and common query parameter tried) with odd values.

Found by this crawl, and fixed: a reports period that was no id, a 20-digit id in a URL or a
form (SQLite refuses it), /today/?date=9999-12-31, Build my week's time limit, a note's
'next', the back office's autocomplete and action ids. A failure lists each request that
answered 500, to be reproduced one by one.
"""

import random
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest
from django.test import Client

from schoolot.directory.seed import DEMO_LOGINS, DEMO_PASSWORD, district_seed

JUNK = [
    "", " ", "-1", "0", "99999999999999999999", "1e309", "abc", "<b>x</b>", "25:61",
    "2026-02-30", "13:00", "1.5", "NaN", "x" * 3000, "9999-12-31", "0001-01-01", "\x00", "%",
    "'; drop", "1,2",
]  # fmt: skip
PARAMETERS = ["date", "period", "page", "therapist", "school", "student", "view", "partial"]
PAGES_PER_ROLE = 60
POSTS_PER_FORM = 2


class _Page(HTMLParser):
    """The links and forms of a page: each form's method, action, fields and options."""

    def __init__(self):
        super().__init__()
        self.links: set[str] = set()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.add(a["href"])
        elif tag == "form":
            self._form = {
                "action": a.get("action") or "",
                "method": (a.get("method") or "get").lower(),
                "fields": {},
                "options": {},
            }
            self.forms.append(self._form)
        elif self._form is not None and a.get("name"):
            name = a["name"]
            if tag in ("input", "textarea"):
                checkable = a.get("type") in ("checkbox", "radio")
                if checkable:
                    self._form["options"].setdefault(name, []).append(a.get("value", "on"))
                if not checkable or "checked" in a:
                    self._form["fields"].setdefault(name, []).append(a.get("value", ""))
            elif tag == "select":
                self._select = name
                self._form["fields"].setdefault(name, [])
        if tag == "option" and self._form is not None and self._select:
            self._form["options"].setdefault(self._select, []).append(a.get("value", ""))
            if "selected" in a:
                self._form["fields"][self._select].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _odd(form: dict, rng: random.Random) -> dict:
    """The form's fields, each kept, left out, another of its options, or junk."""
    data = {}
    for name, values in form["fields"].items():
        if name == "csrfmiddlewaretoken":
            continue
        roll, options = rng.random(), form["options"].get(name)
        if roll < 0.4:
            data[name] = values
        elif roll < 0.5:
            continue
        elif options and roll < 0.7:
            data[name] = [rng.choice(options)]
        else:
            data[name] = [rng.choice(JUNK)]
    return data


def _crawl(client: Client, rng: random.Random) -> list[tuple]:
    """Requests that answered 500, crawling from the home page."""
    failures, seen, queue = [], set(), ["/"]
    while queue and len(seen) < PAGES_PER_ROLE:
        url = queue.pop(0)
        path = urlparse(url).path
        shape = re.sub(r"\d+", "N", path)  # one page of each kind
        if shape in seen or "logout" in path or path.endswith((".pdf", ".ics", ".csv", ".zip")):
            continue
        seen.add(shape)
        response = client.get(url, follow=True)
        if response.status_code >= 500:
            failures.append(("GET", url, None))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        url = response.request["PATH_INFO"]
        for name in PARAMETERS:
            query = {name: rng.choice(JUNK)}
            if client.get(url, query).status_code >= 500:
                failures.append(("GET", url, query))
        page = _Page()
        page.feed(response.content.decode())
        queue.extend(sorted(page.links))
        for form in page.forms:
            action = urljoin(url, form["action"] or url)
            if "logout" in action:
                continue
            if form["method"] == "get":
                query = {name: rng.choice(JUNK) for name in form["fields"]}
                if client.get(action, query).status_code >= 500:
                    failures.append(("GET", action, query))
                continue
            for _ in range(POSTS_PER_FORM):
                data = _odd(form, rng)
                if client.post(action, data).status_code >= 500:
                    failures.append(("POST", action, data))
    return failures


@pytest.mark.django_db
def test_no_page_answers_junk_with_a_server_error():
    district_seed(size="small", seed=1)
    rng = random.Random(7)
    failures = []
    for username, _role, _label in DEMO_LOGINS:
        client = Client(raise_request_exception=False)
        assert client.login(username=username, password=DEMO_PASSWORD)
        failures += [(username, *f) for f in _crawl(client, rng)]
    assert not failures, "\n".join(repr(f)[:300] for f in failures)
