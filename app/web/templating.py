"""Rendering pages: one Jinja2 environment (autoescape on: crawled text is hostile), the context
every page gets (who is signed in, the CSRF token, the navigation) and the few filters the
templates share."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from app.web.access import CSRF_COOKIE, CSRF_FIELD, csrf_token, current_user, logins_required
from schema.countries import country_label
from state.users import Role

TEMPLATES = Jinja2Templates(directory=Path(__file__).with_name("templates"))
#: (path, label, the role that sees it)
NAVIGATION: tuple[tuple[str, str, Role], ...] = (
    ("/", "Search", "viewer"),
    ("/arsenal", "Arsenals", "viewer"),
    ("/watchlists", "Watchlists", "viewer"),
    ("/runs", "Runs", "viewer"),
    ("/alerts", "Alerts", "viewer"),
    ("/api", "API", "viewer"),
    ("/users", "Users", "admin"),
)


def url(path: str, **params: Any) -> str:
    """`path` with a query string; None and empty values left out, lists as repeated keys."""
    pairs = [
        (key, item)
        for key, value in params.items()
        for item in (value if isinstance(value, list | tuple) else [value])
        if item is not None and item != ""
    ]
    return f"{path}?{urlencode(pairs)}" if pairs else path


def when(moment: datetime | str | None) -> str:
    if moment is None or moment == "":
        return "—"
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return str(moment)
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment.tzinfo else moment.strftime("%Y-%m-%d %H:%M")


def day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else "undated"


def number(value: int | float) -> str:
    return f"{value:,}"


TEMPLATES.env.filters.update(country=country_label, when=when, day=day, number=number)
TEMPLATES.env.globals.update(url=url)


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    user = current_user(request)
    token = csrf_token(request)
    field = Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, token)
    page = {
        "user": user,
        "csrf_token": token,
        "csrf_field": lambda: field,
        "nav": [(path, label) for path, label, role in NAVIGATION if user is not None and user.may(role)],
        "auth_required": logins_required(request),
        **(context or {}),
    }
    response = TEMPLATES.TemplateResponse(request, template, page, status_code=status_code)
    fresh = request.scope.get("state", {}).get("csrf_cookie")
    if fresh is not None:
        set_csrf_cookie(request, response, fresh)
    response.headers["Cache-Control"] = "no-store"  # pages show what a user may see: never from a shared cache
    return response


def set_csrf_cookie(request: Request, response: HTMLResponse, value: str) -> None:
    response.set_cookie(
        CSRF_COOKIE, value, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/"
    )
