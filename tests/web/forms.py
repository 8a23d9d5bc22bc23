"""Sending the workbench's forms from a test client as a browser does: with the CSRF token the
page's form carries."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

_TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def form_token(client: TestClient, path: str) -> str:
    """The CSRF token of the form on the page at `path`."""
    page = client.get(path, headers={"Accept": "text/html"})
    found = _TOKEN.search(page.text)
    assert found is not None, page.text
    return found[1]


def post_form(client: TestClient, path: str, form_page: str, **fields: str) -> httpx.Response:
    """POST `fields` to `path` with the token of the form on `form_page`; redirects not followed."""
    response: httpx.Response = client.post(
        path, data={"csrf_token": form_token(client, form_page), **fields}, follow_redirects=False
    )
    return response
